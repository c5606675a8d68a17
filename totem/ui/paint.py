"""Drawing the kiosk's current screen from its state (totem.ui.app); the pieces are in render."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pygame

from totem.no_desk import services_without_desk
from totem.ui import render
from totem.ui.checkin import checkin_layout, draw_checkin
from totem.ui.events import Screen
from totem.ui.geometry import take_layout
from totem.ui.late import draw_late, late_layout, service_label

if TYPE_CHECKING:
    from totem.ui.app import KioskApp


def paint(app: KioskApp) -> None:
    s, t = app.surface, app.t
    now = time.monotonic()
    if app.screen is Screen.HOME:
        notice = app.notice
        if not notice and app.focus is not None:
            notice = t("home_confirm", label=app.config.services[app.focus].label(app.lang))
        render.draw_home(s, config=app.config, t=t, layout=app.layout, now=app.local_now(),
                         schedule=app.services.schedule, lang=app.lang, focus=app.focus, notice=notice,
                         label_px=app.label_px, large=app.session.large,
                         no_desk=services_without_desk(app.config, app.local_now().date()))
    elif app.screen in (Screen.PRINTING, Screen.TAKE):
        service = app.config.service(app.shown.service_id) if app.shown.service_id else None
        countdown = app.countdown
        render.draw_take(s, t=t, code=app.shown.code, service=service, lang=app.lang, lines=app.shown.lines,
                         ticket_image=app.shown.image, large=app.session.large, printed=app.shown.printed,
                         left_s=countdown.left_s(now) if countdown else None,
                         total_s=countdown.timeout_s if countdown else 1.0,
                         warning=bool(countdown and countdown.warning(now)))
    elif app.screen is Screen.CLOSED:
        render.draw_closed(s, config=app.config, t=t, opening=app.opening, now=app.local_now(),
                           schedule=app.services.schedule, layout=app.layout, notice=app.notice)
    elif app.screen is Screen.OUT:
        render.draw_out_of_service(s, t=t, config=app.config, layout=app.layout, notice=app.notice,
                                   detail=t("out_clock") if app.clock_problem
                                   else t("out_device") if app.device_problem else "", voided=app.voided)
    elif app.screen is Screen.PIN:
        render.draw_pin(s, t=t, entered=len(app.tech.entered), wrong=app.tech.wrong)
    elif app.screen is Screen.MENU:
        render.draw_menu(s, t=t, items=[label for _, label in app.tech.actions(t)], info=app.tech.info)
    elif app.screen is Screen.CHECKIN:
        draw_checkin(s, t=t, state=app.checkin, layout=checkin_layout(app.size))
    elif app.screen is Screen.LATE:
        draw_late(s, t=t, config=app.config, closes_at=app.late_closes_at, layout=late_layout(app.size),
                  no_desk=app.late_no_desk, service=service_label(app))
    timed = (Screen.PIN, Screen.MENU, Screen.CHECKIN, Screen.LATE)
    if app.screen in timed and app.countdown and app.countdown.warning(now):
        bar = take_layout(app.size, with_image=False).bar
        render.draw_countdown(s, bar, app.countdown.left_s(now), app.countdown.timeout_s, True)
    if app.rotation:
        app.window.blit(pygame.transform.rotate(app.surface, app.rotation), (0, 0))
    pygame.display.flip()

