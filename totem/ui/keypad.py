"""The keypad, for citizens who cannot or prefer not to use the touchscreen.

On Home: 1-9 select a service (read out when guidance is on), Enter takes the ticket,
0 switches language, + and - set the text size, * reads the screen from the top. On the
ticket screen any key but Enter gives more time; Enter goes back to the start. On the
Closed and Out of service screens 0 switches language and * reads them out. On the
appointment check-in screen the digits type the number, Enter sends it, minus deletes and
Esc goes back. On the "may not be called before closing" screen Enter or 1 takes the ticket
anyway, 2 or Esc goes back to book an appointment. The first
key of a session also turns on spoken guidance (KioskApp.key). A PC keyboard's keys reach here
through events.keypad_key: a typed "*" (Shift+8) is the read-aloud key, never the digit 8.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

from totem import spoken
from totem.spoken import Spoken
from totem.ui.checkin import checkin_key
from totem.ui.events import DELETE_KEYS, DIGIT_KEYS, ENTER_KEYS, HELP_KEYS, LARGER_KEYS, SMALLER_KEYS, Screen
from totem.ui.late import late_key

if TYPE_CHECKING:
    from totem.ui.app import KioskApp


def keypad(app: KioskApp, key: int) -> list[Spoken]:
    """Act on one key; what to say about it ([] when the screen change says it)."""
    if app.screen is Screen.CHECKIN and key not in HELP_KEYS:  # digits, Enter = OK, minus = delete, Esc = back
        digit = DIGIT_KEYS.get(key)
        label = str(digit) if digit is not None else "ok" if key in ENTER_KEYS else "del" if key in DELETE_KEYS \
            else "back" if key == pygame.K_ESCAPE else None
        checkin_key(app, label)
        return []
    if app.screen is Screen.LATE and key not in HELP_KEYS:  # Enter or 1 = take it anyway, 2 or Esc = book
        digit = DIGIT_KEYS.get(key)
        late_key(app, "take" if key in ENTER_KEYS or digit == 1 else
                 "back" if key == pygame.K_ESCAPE or digit == 2 else None)
        if app.screen is Screen.LATE:
            app.extend()
        return []
    if key == pygame.K_ESCAPE and app.screen in (Screen.TAKE, Screen.PIN, Screen.MENU):
        app.go(app.base_screen())
        return []
    if key in HELP_KEYS and app.screen not in (Screen.PIN, Screen.MENU):
        if app.countdown is not None:
            app.extend()
        return app.screen_phrases()
    digit = DIGIT_KEYS.get(key)
    if app.screen in (Screen.HOME, Screen.CLOSED, Screen.OUT) and digit == 0:
        langs = app.config.site.languages
        app.set_language(langs[(langs.index(app.lang) + 1) % len(langs)])
        return []
    if app.screen is Screen.HOME:
        if key in LARGER_KEYS or key in SMALLER_KEYS:
            app.set_large(key in LARGER_KEYS)
            return []
        if digit is not None and digit <= len(app.config.services):
            app.show_service(digit - 1)
            return spoken.selected(app.config, app.lang, digit - 1)
        if key in ENTER_KEYS and app.focus is not None:
            app.start_ticket(app.config.services[app.focus].id)
        return []
    if app.screen is Screen.TAKE:
        if key in ENTER_KEYS:
            if app.past_take_guard():
                app.go(app.base_screen())
        else:
            app.extend()  # any other key: more time to read or listen
        return []
    if app.screen in (Screen.PIN, Screen.MENU):
        app.extend()
        if app.screen is Screen.PIN and digit is not None:
            app.pin_key(str(digit))
        elif app.screen is Screen.PIN and key in ENTER_KEYS:
            app.pin_key("ok")
    return []

