"""The touchscreen UI (pygame-ce)."""

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # no banner on stdout: only the CLI prints
