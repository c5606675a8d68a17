"""Sentences shared by the screens, the voice and the tickets, built from the catalogues.

Pure: no pygame. What a screen shows and what the voice says come from the same words.
"""

from __future__ import annotations

from datetime import datetime

from config.i18n import Translator
from totem.hours import Schedule


def hours_text(t: Translator, schedule: Schedule, day: datetime) -> str:
    """'08:45-13:00, 14:30-16:30', or 'chiuso'."""
    ranges = schedule.ranges_on(day.date())
    return ", ".join(f"{r.start:%H:%M}-{r.end:%H:%M}" for r in ranges) or t("hours_closed_day")


def reopening_text(t: Translator, reopens: datetime, now: datetime) -> str:
    """'oggi alle 14:30' after the lunch break, 'domani alle 08:45', else the weekday and date."""
    days = (reopens.date() - now.date()).days
    if days == 0:
        return t("closed_next_today", time=f"{reopens:%H:%M}")
    if days == 1:
        return t("closed_next_tomorrow", time=f"{reopens:%H:%M}")
    return t("closed_next_when", weekday=t(f"weekday_{reopens.weekday()}"), day=f"{reopens:%d/%m}",
             time=f"{reopens:%H:%M}")


def closed_reason(t: Translator, reason: str, holiday: str = "") -> str:
    """Why no tickets now, in words ('' when the hours alone say it)."""
    text = {"holiday": t("closed_holiday"), "cutoff": t("closed_after_cutoff")}.get(reason, "")
    return f"{text} ({holiday})" if text and holiday and reason == "holiday" else text
