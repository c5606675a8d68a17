"""Totem: the ticket kiosk of a public help desk."""

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # pygame's banner must not reach stdout

__version__ = "0.1.0"
