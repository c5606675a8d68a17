"""As a user would: the real `totem` process in a real X window (Xvfb), driven by xdotool.

Skips with a reason when Xvfb or xdotool are missing; under CI=true it must run.
Leaves a screenshot in tests/artifacts/.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pygame
import pytest
from conftest import PYPATH, ROOT, write_site

from config import load_config
from totem.ui import render
from totem.ui.render import choose_home_layout

ARTIFACTS = ROOT / "tests" / "artifacts"
WINDOW = (1024, 640)
pytestmark = pytest.mark.xvfb


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} is required under CI=true (.ci/run installs it)")
        pytest.skip(f"{tool} not installed (apt-get install xvfb xdotool)")


@pytest.fixture
def display() -> Iterator[str]:
    need("Xvfb")
    need("xdotool")
    need("xwininfo")
    read, write = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as fh:
        number = fh.readline().strip()
    assert number, "Xvfb did not report a display"
    try:
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def xdotool(display: str, *args: str) -> str:
    result = subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=30,
                            env=dict(os.environ, DISPLAY=display))
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def find_window(display: str, title: str, timeout_s: float = 30) -> str:
    """The X window id whose title starts with `title` (xdotool's search misses SDL windows here)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        tree = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True, timeout=10,
                              env=dict(os.environ, DISPLAY=display)).stdout
        for line in tree.splitlines():
            if f'"{title}' in line:
                return line.split()[0]
        time.sleep(0.1)
    raise AssertionError(f"no window titled {title!r} within {timeout_s} s")


def wait_for(path_glob: Path, pattern: str, timeout_s: float = 20) -> Path:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = sorted(path_glob.glob(pattern))
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"{pattern} did not appear under {path_glob} within {timeout_s} s")


def screenshot(display: str, out: Path) -> None:
    from PIL import ImageGrab

    out.parent.mkdir(parents=True, exist_ok=True)
    ImageGrab.grab(xdisplay=display).save(out)


def test_real_window_key_and_click(display: str, tmp_path: Path) -> None:
    site = write_site(tmp_path, always_open=True, extra={
        "min_interval_s = 2": "min_interval_s = 0", "window_size = [1280, 800]": f"window_size = [{WINDOW[0]}, "
        f"{WINDOW[1]}]"})
    env = dict(os.environ, DISPLAY=display, SDL_VIDEODRIVER="x11", PYTHONPATH=PYPATH)
    env.pop("SDL_AUDIODRIVER", None)
    proc = subprocess.Popen([sys.executable, "-m", "totem", "--config", str(site), "run"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wid = find_window(display, "Totem - ")
        xdotool(display, "windowfocus", "--sync", wid)
        tickets = tmp_path / "data" / "tickets"
        xdotool(display, "key", "--clearmodifiers", "1", "Return")
        first = wait_for(tickets, "*/A001.escpos")
        screenshot(display, ARTIFACTS / "xvfb-take-your-ticket.png")
        xdotool(display, "key", "Escape")
        pygame.font.init()
        render.font.cache_clear()  # fonts from an earlier test's pygame are invalid
        button = choose_home_layout(WINDOW, config=load_config(site), lang="it", large=False,
                                    diagonal_in=load_config(site).accessibility.screen_diagonal_in)[0].buttons[1]
        x, y = button.center
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not list(tickets.glob("*/B001.escpos")):
            xdotool(display, "mousemove", "--window", wid, str(x), str(y), "click", "1")
            time.sleep(0.3)  # one click at a time: the kiosk may still be on the ticket screen
        second = wait_for(tickets, "*/B001.escpos", timeout_s=1)
        assert first.with_suffix(".png").exists() and second.with_suffix(".png").exists()
        screenshot(display, ARTIFACTS / "xvfb-after-click.png")
        assert not list(tickets.glob("*/B002.escpos")), "one click, one ticket"
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "SDL video driver: x11" in err


def test_keypad_only_ticket_with_spoken_guidance(display: str, tmp_path: Path) -> None:
    """A blind citizen at the real totem: '*' for help, 3, Enter. The voice really plays
    (SDL's disk audio driver records the mixer's output) and the ticket prints."""
    need("espeak-ng")
    site = write_site(tmp_path, always_open=True, extra={
        "min_interval_s = 2": "min_interval_s = 0", "window_size = [1280, 800]": f"window_size = [{WINDOW[0]}, "
        f"{WINDOW[1]}]"})
    audio = tmp_path / "audio.raw"
    env = dict(os.environ, DISPLAY=display, SDL_VIDEODRIVER="x11", PYTHONPATH=PYPATH, SDL_AUDIODRIVER="disk",
               SDL_DISKAUDIOFILE=str(audio))
    proc = subprocess.Popen([sys.executable, "-m", "totem", "--config", str(site), "run"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wid = find_window(display, "Totem - ")
        xdotool(display, "windowfocus", "--sync", wid)
        xdotool(display, "key", "--clearmodifiers", "KP_Multiply")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and loud_samples(audio) < 4000:  # about 0.2 s of speech
            time.sleep(0.1)
        assert loud_samples(audio) >= 4000, "the guidance is heard"
        screenshot(display, ARTIFACTS / "xvfb-speech-home.png")
        xdotool(display, "key", "--clearmodifiers", "KP_3", "KP_Enter")
        ticket = wait_for(tmp_path / "data" / "tickets", "*/C001.escpos")
        assert ticket.exists()
        screenshot(display, ARTIFACTS / "xvfb-speech-ticket.png")
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "spoken guidance on" in err


def loud_samples(raw: Path) -> int:
    """Samples above the noise floor in the 16-bit audio the disk driver wrote so far."""
    import array

    if not raw.exists():
        return 0
    data = raw.read_bytes()
    samples = array.array("h", data[: len(data) // 2 * 2])
    return sum(1 for s in samples[::4] if abs(s) > 1000) * 4
