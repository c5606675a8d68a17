"""The technician's PIN pad and menu: what they hold, not how they are drawn.

1. a 3 s press on the top-left corner opens the PIN pad (the kiosk's screen loop);
2. every digit counts (no tap guard here); OK checks the PIN, a wrong one is said on screen;
3. the menu's actions run on the kiosk's worker thread (`run` is given the submit
   function) and their result lines come back as an event, in the menu's language;
4. the kiosk sends both screens back to Home after a minute without a touch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from config.i18n import Translator
from totem import __version__

log = logging.getLogger(__name__)

MAX_PIN = 8
ACTIONS = (("status", "tech_printer"), ("test_page", "tech_test_page"), ("reprint", "tech_reprint"),
           ("counters", "tech_counters"), ("back", "tech_back"), ("exit", "tech_exit"))


class Technician:
    def __init__(self, *, pin: str) -> None:
        self._pin = pin
        self.entered = ""
        self.wrong = False
        self.info: list[str] = []

    def reset(self) -> None:
        self.entered = ""
        self.wrong = False

    def pin_key(self, label: str) -> str:
        """One key of the pad: 'open' (right PIN), 'cancel', or '' (keep typing)."""
        if label == "cancel":
            return "cancel"
        if label == "ok":
            right = self.entered == self._pin
            self.entered = ""
            if right:
                log.info("technician menu opened")
                self.info = [f"v{__version__}"]
                return "open"
            log.warning("technician menu: wrong PIN")
            self.wrong = True
            return ""
        if len(self.entered) < MAX_PIN:
            self.entered += label
            self.wrong = False
        return ""

    @staticmethod
    def actions(t: Translator) -> list[tuple[str, str]]:
        return [(action, t(key)) for action, key in ACTIONS]

    @staticmethod
    def job(services: Any, action: str, lang: str, done: Callable[[list[str], bool], None]) -> None:
        """Run on the worker: the action, then the lines to show (or why it failed)."""
        try:
            done(services.technician(action, lang), action == "exit")
        except Exception as exc:  # shown to the technician, logged in full
            log.exception("technician action %s failed", action)
            done([Translator(lang)("tech_failed", reason=str(exc))], False)
