"""Every console shows "disco pieno" while the hub's disk is full, and stops when space
returns (issue 24, point 1), in a real browser: the desk console (even locked) and the
reception page. The disk itself is faked here (test_disk_full.py fills a real tmpfs)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import HUB_NOW, write_site
from test_desk_browser import browser  # noqa: F401  (the fixture)

from config import load_config
from display.server import HubServer
from totem.clock import FrozenClock

pytestmark = pytest.mark.browser


def wait_visible(page: object, selector: str, visible: bool, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if page.is_visible(selector) == visible:  # type: ignore[attr-defined]
            return
        time.sleep(0.05)
    raise AssertionError(f"{selector} visible={not visible} after {timeout_s} s")


def test_the_consoles_show_disco_pieno_while_the_hub_disk_is_full(tmp_path: Path, browser: object) -> None:  # noqa: F811
    free = {"bytes": 10 ** 9}
    with HubServer(load_config(write_site(tmp_path)), port=0, clock=FrozenClock(HUB_NOW)) as hub:
        assert hub.hub is not None
        hub.hub.disk._free = lambda path: free["bytes"]
        pages = []
        for path in ("/desk/1", "/reception"):
            page = browser.new_page()  # type: ignore[attr-defined]
            page.goto(hub.url + path)
            pages.append(page)
        for page in pages:
            wait_visible(page, "#disk", False)
        free["bytes"] = 0  # the disk fills
        for page in pages:
            wait_visible(page, "#disk", True)
            assert "Disco pieno" in (page.text_content("#disk") or "")
        free["bytes"] = 10 ** 9  # space returns: the hub resumes by itself, the line goes
        for page in pages:
            wait_visible(page, "#disk", False)
