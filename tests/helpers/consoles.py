"""Pairing a test's HTTP session or browser page to a console first (issue 24): a PIN only
unlocks a paired device. The code is made as the technician's CLI makes it (the hub's
registry on disk), then spent through the hub like a browser does."""

from __future__ import annotations

import requests

from display.consoles import DeviceRegistry


def code(hub: object, role: str = "desk", target: str = "1") -> str:
    return DeviceRegistry(hub.config.hub.data_dir).new_code(role, target if role in ("desk", "vote") else "")  # type: ignore[attr-defined]


def paired(hub: object, role: str = "desk", target: str = "1", session: requests.Session | None = None
           ) -> requests.Session:
    """A requests session paired to this console, sending this hub's Origin (as its pages do)."""
    session = session or requests.Session()
    session.headers["Origin"] = hub.url  # type: ignore[attr-defined]
    answer = session.post(hub.url + "/pair", json={"code": code(hub, role, target)}, timeout=5)  # type: ignore[attr-defined]
    assert answer.status_code == 200, answer.text
    return session


def pair_page(page: object, hub: object, role: str = "desk", target: str = "1") -> None:
    """A browser page paired through the pairing link (`/pair#CODE`), left on the console's page."""
    where = {"desk": f"/desk/{target}", "reception": "/reception", "manager": "/reports",
             "vote": f"/vote/{target}"}[role]
    page.goto(f"{hub.url}/pair#{code(hub, role, target)}")  # type: ignore[attr-defined]
    page.wait_for_url(hub.url + where + "*")  # type: ignore[attr-defined]
