"""The touchscreen UI (pygame-ce)."""
