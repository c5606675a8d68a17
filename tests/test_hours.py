"""Opening hours of the brief, public holidays from the holidays library, closed dates."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import SHIPPED, rome, write_site

from config import load_config
from totem.hours import Schedule


@pytest.fixture(scope="module")
def schedule() -> Schedule:
    config = load_config(SHIPPED)
    return Schedule(config.hours, config.site.timezone)


@pytest.mark.parametrize(("instant", "accepting", "reason", "next_opening"), [
    (rome(2026, 11, 30, 10, 0), True, "open", None),                                  # Monday morning
    (rome(2026, 11, 30, 8, 44), False, "before_open", rome(2026, 11, 30, 8, 45)),
    (rome(2026, 11, 30, 12, 49), True, "open", None),                                 # last minute before cutoff
    (rome(2026, 11, 30, 12, 50), False, "cutoff", rome(2026, 12, 1, 8, 45)),          # 10 min before 13:00
    (rome(2026, 11, 30, 14, 40), False, "after_close", rome(2026, 12, 1, 8, 45)),     # Monday: mornings only
    (rome(2026, 12, 1, 14, 0), False, "break", rome(2026, 12, 1, 14, 30)),            # Tuesday lunch break
    (rome(2026, 12, 1, 15, 0), True, "open", None),                                   # Tuesday afternoon
    (rome(2026, 12, 3, 16, 25), False, "cutoff", rome(2026, 12, 4, 8, 45)),           # Thursday cutoff
    (rome(2026, 12, 5, 11, 49), True, "open", None),                                  # Saturday until 12:00
    (rome(2026, 12, 5, 11, 50), False, "cutoff", rome(2026, 12, 7, 8, 45)),
    (rome(2026, 12, 6, 10, 0), False, "closed_day", rome(2026, 12, 7, 8, 45)),        # Sunday
    (rome(2026, 12, 7, 14, 0), False, "after_close", rome(2026, 12, 9, 8, 45)),       # 8 Dec is a holiday
    (rome(2026, 12, 8, 10, 0), False, "holiday", rome(2026, 12, 9, 8, 45)),           # Immacolata
    (rome(2026, 12, 25, 10, 0), False, "holiday", rome(2026, 12, 28, 8, 45)),         # Christmas, St Stephen, Sunday
    (rome(2027, 3, 29, 10, 0), False, "holiday", rome(2027, 3, 30, 8, 45)),           # Easter Monday 2027
    (rome(2028, 4, 17, 10, 0), False, "holiday", rome(2028, 4, 18, 8, 45)),           # Easter Monday 2028
])
def test_brief_hours(schedule: Schedule, instant: datetime, accepting: bool, reason: str,
                     next_opening: datetime | None) -> None:
    status = schedule.status(instant)
    assert (status.accepting, status.reason) == (accepting, reason)
    assert status.next_opening == next_opening


def test_holiday_has_a_name(schedule: Schedule) -> None:
    assert schedule.status(rome(2027, 3, 29, 10, 0)).holiday_name


def test_closed_dates_close_the_day(tmp_path: Path) -> None:
    path = write_site(tmp_path, extra={"closed_dates = []": 'closed_dates = ["2026-12-24", 2026-12-31]'})
    config = load_config(path)
    schedule = Schedule(config.hours, config.site.timezone)
    assert config.hours.closed_dates == {date(2026, 12, 24), date(2026, 12, 31)}
    status = schedule.status(rome(2026, 12, 24, 9, 0))
    assert (status.accepting, status.reason) == (False, "closed_date")
    assert schedule.status(rome(2026, 12, 23, 9, 0)).accepting
    assert schedule.next_opening(rome(2026, 12, 30, 14, 0)) == rome(2027, 1, 2, 8, 45)  # 31 closed, 1 Jan holiday


def test_status_uses_local_time_not_utc(schedule: Schedule) -> None:
    # 07:50 UTC in winter is 08:50 in Capannori: open.
    assert schedule.status(datetime.fromisoformat("2026-11-30T07:50:00+00:00")).accepting
    # 07:50 UTC in summer is 09:50: open too; 11:05 UTC in summer is 13:05: closed.
    assert not schedule.status(datetime.fromisoformat("2026-06-29T11:05:00+00:00")).accepting


def test_reopening_says_today_or_tomorrow_and_holidays_in_the_citizens_language(tmp_path: Path) -> None:
    from config.i18n import Translator
    from totem.wording import reopening_text

    config = load_config(write_site(tmp_path))
    schedule = Schedule(config.hours, config.site.timezone)
    it, en = Translator("it"), Translator("en")
    lunch = rome(2026, 12, 1, 13, 30)  # Tuesday's lunch break
    assert reopening_text(it, schedule.next_opening(lunch), lunch) == "oggi alle 14:30"
    assert reopening_text(en, schedule.next_opening(lunch), lunch) == "today at 14:30"
    evening = rome(2026, 12, 1, 18, 0)
    assert reopening_text(it, schedule.next_opening(evening), evening) == "domani alle 08:45"
    saturday = rome(2026, 12, 5, 12, 30)
    assert reopening_text(it, schedule.next_opening(saturday), saturday) == "lunedì 07/12 alle 08:45"
    assert schedule.holiday_name(date(2026, 12, 8), "it") == "Immacolata Concezione"
    assert schedule.holiday_name(date(2026, 12, 8), "en") == "Immaculate Conception"
