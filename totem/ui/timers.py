"""Timed screens: the ticket screen, a half-finished session on Home (or Closed, Out of
service) and the technician's screens. Before one expires a warning is shown (a red bar,
the seconds written) and sounded (a double beep; "Tempo quasi scaduto" with guidance on);
then the screen acts: back to the start, the session ended. Input extends (KioskApp.extend).
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING

from totem import spoken
from totem.ui.events import Screen
from totem.ui.session import Countdown

if TYPE_CHECKING:
    from totem.ui.app import KioskApp

log = logging.getLogger("totem.ui.app")
RESTING = (Screen.HOME, Screen.CLOSED, Screen.OUT)


def tick_timers(app: KioskApp, now: float) -> None:
    """Timed screens: warn (sight and sound) before they expire, then act."""
    from totem.ui.app import LANGUAGE_RESET_S  # read at each tick: tests and sites may change it

    if app.screen is Screen.CHECKIN and app.checkin.busy:
        return  # asking the hub (its brake may hold a number up to 30 s): the answer restarts the screen's time
    countdown = app.countdown
    if countdown is None and app.screen in RESTING \
            and (app.session.started or app.focus is not None):
        countdown = Countdown(app.last_input_at, app.session.timeout_s(LANGUAGE_RESET_S))
    if countdown is None:
        return
    if countdown.expired(now):
        if app.screen in (Screen.PIN, Screen.MENU):
            log.info("technician %s left idle: back to the citizens' screen", app.screen.value)
        if app.screen in RESTING:
            app.end_session()
            app.notice = ""
            app.dirty = True
        else:
            app.go(app.base_screen())
        return
    if countdown.warning(now):
        left = math.ceil(countdown.left_s(now))
        if not app.warned:
            app.warned = True
            app.left_shown = -1
            if app.voice is not None:
                app.voice.beep()
            app.say(spoken.timeout_warning(app.lang))
        if left != app.left_shown:
            app.left_shown = left
            if app.screen in RESTING:
                app.notice = app.t("home_reset_warning", s=left)
                app.notice_until = countdown.started_at + countdown.timeout_s
            app.dirty = True
    elif app.warned:
        app.warned = False
        app.notice = ""
        app.dirty = True

