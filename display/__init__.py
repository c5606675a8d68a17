"""The hub (queue, HTTP API, desk console) and the waiting-room call screen."""

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # pygame's banner must not reach stdout
