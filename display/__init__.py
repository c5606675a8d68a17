"""The hub (queue, HTTP API, desk console) and the waiting-room call screen."""

import os
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"  # the pages' HTML, scripts and styles, served at /static

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # pygame's banner must not reach stdout
