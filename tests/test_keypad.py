"""The keypad on a PC keyboard (issue 25): only the keypad's own keys act; a typed "*" reads the
screen out and is never a digit. The real kiosk on SDL's dummy driver, its screen compared."""

from __future__ import annotations

from pathlib import Path

import pygame
from conftest import rome, write_site
from kiosk_harness import RecordingVoice, kiosk

from totem.clock import FrozenClock
from totem.ui.events import Screen

OPEN = rome(2026, 12, 1, 10, 0)  # a Tuesday morning


def press(app, key: int, *, mod: int = 0, typed: str = "") -> None:  # type: ignore[no-untyped-def]
    """A KEYDOWN as SDL delivers it: the key by its unshifted symbol, the modifiers, what it typed."""
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode=typed, scancode=0))
    app.step()
    app.draw()


def shot(app, path: Path) -> bytes:  # type: ignore[no-untyped-def]
    pygame.image.save(app.window, str(path))
    return pygame.image.tobytes(app.window, "RGB")


def test_shift_8_reads_the_screen_out_and_never_selects_service_8(tmp_path: Path) -> None:
    voice = RecordingVoice()
    site = write_site(tmp_path, always_open=True)
    with kiosk(site, FrozenClock(OPEN), voice_factory=lambda config, stack: voice) as app:
        assert app.screen is Screen.HOME and len(app.config.services) >= 8
        app.draw()
        home = shot(app, tmp_path / "home.png")
        press(app, pygame.K_8, mod=pygame.KMOD_LSHIFT, typed="*")  # "*" on a US PC keyboard
        assert app.focus is None and app.screen is Screen.HOME
        assert shot(app, tmp_path / "after-shift-8.png") == home, "no service ring drawn"
        assert voice.said, "the * key turns on guidance and reads the screen"
        read_out = [text for text, _ in voice.said[-1]]
        assert any("8" in text for text in read_out) and read_out != []
        heard = len(voice.said)
        press(app, pygame.K_PLUS, mod=pygame.KMOD_RSHIFT, typed="*")  # "*" on an Italian keyboard
        assert not app.session.large and app.focus is None and len(voice.said) == heard + 1
        for mod in (pygame.KMOD_LCTRL, pygame.KMOD_LALT, pygame.KMOD_LSHIFT):  # shortcuts, "(" or "!"
            press(app, pygame.K_3, mod=mod, typed="" if mod != pygame.KMOD_LSHIFT else "£")
            assert app.focus is None
        press(app, pygame.K_RETURN, mod=pygame.KMOD_LSHIFT)
        assert app.screen is Screen.HOME
        press(app, pygame.K_KP_8, mod=pygame.KMOD_NUM | pygame.KMOD_LSHIFT, typed="8")  # the keypad's own 8
        assert app.focus == 7
        assert shot(app, tmp_path / "keypad-8.png") != home, "the keypad's 8 rings service 8"
        press(app, pygame.K_2, typed="2")  # a plain top-row digit still works, as on USB keypads that send them
        assert app.focus == 1
