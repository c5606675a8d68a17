"""Opening the SDL window: shared by the kiosk and the call screen."""

from __future__ import annotations

import logging
import os

import pygame

log = logging.getLogger(__name__)


def open_window(*, fullscreen: bool, size: tuple[int, int], caption: str) -> pygame.Surface:
    """Full screen (no cursor) on the appliance, a window of `size` elsewhere. Logs the driver:
    SDL silently falls back to `offscreen` when it finds no display."""
    pygame.display.init()
    pygame.font.init()
    driver = pygame.display.get_driver()
    log.info("SDL video driver: %s", driver)
    if driver == "x11":
        # SDL would draw the window through an OpenGL renderer, and with no GPU driver (a VM, Xvfb) it
        # loads Mesa's software GL and LLVM: ~70 MB of a 160 MB kiosk. X11's own shared-memory
        # framebuffer is what a 2D kiosk needs. (KMSDRM and Wayland have no such framebuffer: left alone.)
        os.environ.setdefault("SDL_FRAMEBUFFER_ACCELERATION", "0")
    if driver == "offscreen":
        log.warning("SDL fell back to the offscreen driver: nothing is visible; set SDL_VIDEODRIVER (kmsdrm, x11)")
    if fullscreen:
        window = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        pygame.mouse.set_visible(False)
    else:
        window = pygame.display.set_mode(size)
    pygame.display.set_caption(caption)
    return window
