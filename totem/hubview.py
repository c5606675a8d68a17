"""What the totem knows of the hub's queue: its live view, the forecast it follows, the positions it was told.

Filled by the queue follower (the hub's event stream: `set_live`, `heard`, `drop_live`) and
the outbox pusher (answers to pushed tickets, and a short poll of the hub's forecast while
idle); read by the issuing core. No I/O here. Everything the hub says
is validated on the way in (`parse_told`): a value of the wrong type or out of range
is dropped with a debug line, so nothing the hub answers can break issuing or printing.

Steps of `estimate_for` (the estimate printed when the hub did not count the ticket itself):
1. a forecast for the service from today, at most `FORECAST_MAX_AGE_S` old;
2. plus this totem's own tickets issued since, in services the same desks call;
3. shown as an estimate ("circa"), never as exact; without a usable forecast: unknown.

The live view (`live`, used first by the issuer): the hub's forecast for a ticket taken now
and, from the same instant, how many of this totem's tickets of the day it had received
(`counted`). The outbox delivers in order, so the tickets it had not counted are exactly
this totem's tickets after the first `counted`: adding those the call order puts ahead
gives the exact count at once, with no request on the way to the paper. The hub's own
count of the ticket (the push's answer) is compared with what was printed (`expect`), and
a difference is handed to `on_corrected` (the kiosk's screen and voice).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from config.frozen import frozen
from config.records import Estimate

log = logging.getLogger(__name__)

FORECAST_MAX_AGE_S = 60.0   # older than this, the hub's view is not shown at all
LIVE_MAX_AGE_S = 3.0        # the hub's stream pings every second: three seconds of silence, no live view
POSITIONS_KEPT = 200
MAX_PEOPLE = 100_000
MAX_MINUTES = 24 * 60


@frozen
class Told:
    """What the hub said a ticket (or one taken now) would be told. All values validated."""

    ahead: int | None
    possible: int | None
    exact: bool
    wait_low_min: int | None
    wait_high_min: int | None
    desks_open: int
    work_low_min: int | None = None  # the range in desk-work minutes, before the hub laid it on today's hours
    work_high_min: int | None = None


def _count(value: Any, limit: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value < 0 or value > limit or value != int(value):
        return None
    return int(value)


def parse_told(raw: Any) -> Told | None:
    """A hub answer's position or forecast entry, or None when it is unusable."""
    if not isinstance(raw, dict):
        return None
    ahead = _count(raw.get("ahead"), MAX_PEOPLE)
    possible = _count(raw.get("possible"), MAX_PEOPLE)
    low = _count(raw.get("wait_low_min"), MAX_MINUTES)
    high = _count(raw.get("wait_high_min"), MAX_MINUTES)
    desks = _count(raw.get("desks_open", 0), 1000)
    if ahead is None or possible is None or possible < ahead or desks is None:
        return None
    if low is None or high is None or high < low:
        low = high = None
    exact = raw.get("exact") is True and ahead == possible
    work_low = _count(raw.get("work_low_min"), MAX_MINUTES)
    work_high = _count(raw.get("work_high_min"), MAX_MINUTES)
    if work_low is None or work_high is None or work_high < work_low:  # a hub before issue 20: its range
        work_low, work_high = low, high
    return Told(ahead, possible, exact, low, high, desks, work_low, work_high)


def _as_estimate(told: Told, *, exact: bool, extra_people: int = 0, extra_min: float = 0.0,
                 source: str) -> Estimate:
    """The range in desk-work minutes: the issuing core lays it on today's hours (`totem.closing`)."""
    people = told.ahead if exact else round((told.ahead or 0) / 2 + (told.possible or 0) / 2) + extra_people
    low = high = None
    if told.work_low_min is not None and told.work_high_min is not None:
        low = int(told.work_low_min + extra_min // 5 * 5)
        high = int(told.work_high_min + math.ceil(extra_min / 5) * 5)
    return Estimate(people, exact, low, high, source)


@frozen
class Live:
    """The hub's queue as last streamed: what a ticket taken now is told, per service, and how
    many of this totem's tickets of `day` the hub had counted then."""

    day: date
    services: dict[str, Told]
    counted: int


def parse_live(raw: Any, *, totem: str) -> Live | None:
    """The `live` part of a hub's state (or its /api/forecast answer), or None when unusable."""
    if not isinstance(raw, dict) or not isinstance(raw.get("services"), dict) \
            or not isinstance(raw.get("intake"), dict):
        return None
    try:
        day = date.fromisoformat(str(raw.get("service_day")))
    except ValueError:
        return None
    counted = _count(raw["intake"].get(totem, 0), MAX_PEOPLE * 10)
    if counted is None:
        return None
    services = {}
    for sid, entry in raw["services"].items():
        told = parse_told(entry)
        if isinstance(sid, str) and told is not None and isinstance(entry, dict) \
                and entry.get("service_day") == day.isoformat():
            services[sid] = told
    return Live(day, services, counted)


def live_estimate(told: Told, *, certain_extra: int, possible_extra: int, extra_min: float) -> Estimate:
    """The hub's figure for a ticket taken now plus this totem's tickets it has not counted yet."""
    certain = (told.ahead or 0) + certain_extra
    possible = (told.possible or 0) + possible_extra
    exact = told.exact and certain == possible
    low = high = None  # in desk-work minutes, as `_as_estimate`: the issuing core lays them on today's hours
    if told.work_low_min is not None and told.work_high_min is not None:
        low = int(told.work_low_min + extra_min // 5 * 5)
        high = int(told.work_high_min + math.ceil(extra_min / 5) * 5)
    people = certain if exact else round(certain / 2 + possible / 2)
    return Estimate(people, exact, low, high, "live")


def differs(printed: Estimate | None, counted: Estimate) -> bool:
    """What the citizen was told and the hub's count disagree on the people ahead or on exactness."""
    return printed is None or (printed.people_ahead, printed.exact) != (counted.people_ahead, counted.exact)


def estimate_from_position(raw: Any) -> Estimate | None:
    """The estimate for a ticket the hub has counted (the answer to its push)."""
    if not isinstance(raw, dict) or raw.get("status") != "waiting":
        return None
    told = parse_told(raw)
    if told is None:
        return None
    return _as_estimate(told, exact=told.exact, source="hub")


class HubView:
    """Thread-safe: the pusher writes, the issuing worker reads and waits."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._forecast: dict[str, Told] = {}
        self._forecast_day: date | None = None
        self._forecast_at: datetime | None = None
        self._forecast_mono = -math.inf
        self._positions: dict[str, Any] = {}
        self.link_up = False
        self._offset_s: float | None = None
        self._offset_mono = -math.inf
        self._live: Live | None = None
        self._heard_mono = -math.inf
        self._awaited: dict[str, str] = {}  # ticket id -> code, until the push's answer
        self._told: dict[str, Estimate | None] = {}  # code -> what its holder was last told
        # Called (on the pusher's thread) with a ticket's code and the hub's count, when it differs
        # from what was printed: the kiosk posts it to its screen loop.
        self.on_corrected: Callable[[str, Estimate], None] = lambda code, estimate: None

    # -- written by the queue follower -------------------------------------------------------

    def set_live(self, raw: Any, *, totem: str) -> bool:
        """A new live view from the hub's stream; False (and the view dropped) when unusable."""
        live = parse_live(raw, totem=totem)
        with self._cond:
            self._live = live
            self._heard_mono = time.monotonic() if live is not None else -math.inf
        return live is not None

    def heard(self) -> None:
        """The stream is alive (a ping): the live view still holds."""
        with self._cond:
            if self._live is not None:
                self._heard_mono = time.monotonic()

    def drop_live(self) -> None:
        with self._cond:
            self._live = None
            self._heard_mono = -math.inf

    def live(self, day: date) -> Live | None:
        """The live view, when it is about `day` and the stream spoke in the last `LIVE_MAX_AGE_S`."""
        with self._cond:
            live = self._live
            fresh = time.monotonic() - self._heard_mono <= LIVE_MAX_AGE_S
        return live if live is not None and fresh and live.day == day else None

    def expect(self, ticket_id: str, code: str, printed: Estimate | None) -> None:
        """Compare the hub's counts of this ticket, when they come, with what was printed."""
        with self._cond:
            self._awaited[ticket_id] = code
            self._told[code] = printed
            for kept in (self._awaited, self._told):
                while len(kept) > POSITIONS_KEPT:
                    kept.pop(next(iter(kept)))

    def recount(self, code: str, raw: Any) -> None:
        """The hub's new count for one of this totem's tickets (the push's answer, or the stream's
        `moved` event when a ticket issued a moment earlier elsewhere arrived later): when it
        differs from what its holder was told, `on_corrected` says it again."""
        counted = estimate_from_position(raw)
        if counted is None:
            return
        with self._cond:
            if code not in self._told or not differs(self._told[code], counted):
                return
            told, self._told[code] = self._told[code], counted
        log.info("hub counts %s people ahead of %s (told %s)", counted.people_ahead, code,
                 told.people_ahead if told else None)
        self.on_corrected(code, counted)

    # -- written by the pusher ---------------------------------------------------------------

    def set_forecast(self, services: Any, *, day: date, at: datetime) -> int:
        """Keep the entries that are about `day` and valid; returns how many were kept."""
        if not isinstance(services, dict):
            return 0
        kept: dict[str, Told] = {}
        for sid, raw in services.items():
            told = parse_told(raw)
            if isinstance(sid, str) and told is not None and isinstance(raw, dict) \
                    and raw.get("service_day") == day.isoformat():
                kept[sid] = told
        if kept:
            with self._cond:
                self._forecast, self._forecast_day, self._forecast_at = kept, day, at
                self._forecast_mono = time.monotonic()
        return len(kept)

    def set_position(self, ticket_id: str, raw: Any) -> None:
        with self._cond:
            self._positions[ticket_id] = raw
            while len(self._positions) > POSITIONS_KEPT:
                self._positions.pop(next(iter(self._positions)))
            self._cond.notify_all()
            code = self._awaited.pop(ticket_id, None)
        if code is not None:
            self.recount(code, raw)

    def set_hub_clock(self, hub_now: Any, *, sent: datetime, received: datetime) -> None:
        """The hub's clock against ours (midpoint of the request), from its `now` field."""
        try:
            theirs = datetime.fromisoformat(hub_now) if isinstance(hub_now, str) else None
        except ValueError:
            theirs = None
        if theirs is None or theirs.tzinfo is None:
            return
        ours = sent + (received - sent) / 2
        with self._cond:
            self._offset_s = (theirs - ours).total_seconds()
            self._offset_mono = time.monotonic()

    def hub_offset_s(self, max_age_s: float = 600.0) -> float | None:
        """How far the hub's clock is ahead of ours, if measured in the last `max_age_s`."""
        with self._cond:
            return self._offset_s if time.monotonic() - self._offset_mono <= max_age_s else None

    def set_link(self, up: bool) -> None:
        with self._cond:
            self.link_up = up
            self._cond.notify_all()

    # -- read by the issuing core ------------------------------------------------------------

    def estimate_for(self, service_id: str, *, day: date, count_since: Callable[[datetime], int],
                     minutes_per_person: float = 0.0) -> Estimate:
        """An estimate ("circa") for a ticket taken now: the followed forecast plus this
        totem's own tickets issued since (`count_since(forecast time)`), or unknown."""
        with self._cond:
            fresh = time.monotonic() - self._forecast_mono <= FORECAST_MAX_AGE_S
            told = self._forecast.get(service_id) if fresh and self._forecast_day == day else None
            at = self._forecast_at
        if told is None or at is None:
            return Estimate.unknown()
        since = count_since(at)
        extra_min = since * minutes_per_person / max(1, told.desks_open)
        return _as_estimate(told, exact=False, extra_people=since, extra_min=extra_min, source="forecast")
