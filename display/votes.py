"""The citizen's satisfaction vote (issue 22 point 1), in the format of the Italian public
administration's "Mettiamoci la faccia" programme: three faces (positive, neutral, negative:
the programme's green, yellow and red), a reason asked only for the negative one.

A vote belongs to a ticket, never to a person: the table keeps the ticket id (one vote per
ticket, its primary key), the service, the desk that served it, the service day, the face,
the reasons and the request id that recorded it (so a repeated request is told "already
recorded" rather than refused). Nothing else: no time of day, no device, no address.

Two ways in, both ending in `record` on the hub's database thread:
1. the follow-your-turn page of a served ticket (`display.vote_routes`, `/api/follow/{key}/vote`),
   any time in the ticket's service day;
2. the desk-side vote page of a paired tablet (`/vote/{desk}`): the ticket that desk closed
   with *Fatto* in the last `DESK_WINDOW_S` seconds of the hub's clock (`desk_ticket`).

Failure paths, each a `VoteRefused` (409, the page translates its `reason`) that changes nothing:
- `voted`: the ticket already has a vote (from either page) under another request id;
- `not_served`: the ticket is not (or no longer, after an undo) served;
- `expired`: a ticket of an earlier service day;
- `closed`: the desk page's window has passed, or another ticket is the desk's last one.
Bad input (an unknown face, a reason with a non-negative face, an unknown reason) is a
`BadRequest` (400) raised by `parse` before anything is read.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from display.validation import BadRequest, expect_object

FACES = ("positive", "neutral", "negative")  # the programme's green, yellow and red faces
# The reasons offered after a negative face; their words are the catalogues' `vote_reason_<id>`.
REASONS = ("wait", "courtesy", "competence", "clarity", "outcome")
DESK_WINDOW_S = 30.0  # the desk-side page takes a vote this long after Fatto, then goes dark
MAX_REASONS = len(REASONS)
_REQUEST_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")

SCHEMA = """
CREATE TABLE IF NOT EXISTS votes (
    ticket_id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL,
    desk_id TEXT NOT NULL,
    service_day TEXT NOT NULL,
    face TEXT NOT NULL CHECK (face IN ('positive', 'neutral', 'negative')),
    reasons TEXT NOT NULL DEFAULT '',
    request_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS votes_day ON votes (service_day);
"""

MESSAGES = {  # the English `error`; the pages show their own words for `reason`
    "voted": "ticket {code} already has a vote: one vote per ticket",
    "not_served": "ticket {code} has not been served: a vote follows the desk's Fatto",
    "expired": "ticket {code} is of another service day",
    "closed": "the vote for {code} at this desk is closed (over {window:.0f} s after Fatto, or another ticket since)",
}


class VoteRefused(Exception):
    def __init__(self, reason: str, code: str, face: str | None = None) -> None:
        self.reason, self.code, self.face = reason, code, face
        super().__init__(MESSAGES[reason].format(code=code or "—", window=DESK_WINDOW_S))

    def as_json(self) -> dict[str, Any]:
        return {"error": str(self), "refusal": {"reason": self.reason, "code": self.code, "face": self.face}}


@dataclass(frozen=True)
class Ballot:
    """What a page sent: validated, not yet recorded."""

    request_id: str
    face: str
    reasons: tuple[str, ...]
    code: str | None = None  # the desk page names the ticket it showed (the state it acted on)


@dataclass(frozen=True)
class Served:
    """A served ticket a vote may be for."""

    id: str
    code: str
    service_id: str
    desk_id: str
    service_day: str
    status: str
    finished_at: str | None
    lang: str | None


def parse(body: Any, *, with_code: bool = False) -> Ballot:
    """A vote's body: `{"request_id", "face", "reasons": [...], ("code")}`. Raises BadRequest."""
    body = dict(expect_object(body))
    request_id = body.pop("request_id", None)
    if not (isinstance(request_id, str) and _REQUEST_RE.fullmatch(request_id)):
        raise BadRequest("request_id", "must be 8-64 letters, digits, '-' or '_' (one per tap)", request_id)
    face = body.pop("face", None)
    if face not in FACES:
        raise BadRequest("face", f"must be one of {', '.join(FACES)}", face)
    reasons = body.pop("reasons", [])
    if not isinstance(reasons, list) or len(reasons) > MAX_REASONS or len(set(map(str, reasons))) != len(reasons):
        raise BadRequest("reasons", f"must be a list of distinct reasons: {', '.join(REASONS)}", reasons)
    for r in reasons:
        if r not in REASONS:
            raise BadRequest("reasons", f"unknown reason (one of {', '.join(REASONS)})", r)
    if reasons and face != "negative":
        raise BadRequest("reasons", "reasons are asked only for the negative face", reasons)
    code = body.pop("code", None) if with_code else None
    if with_code and not (isinstance(code, str) and re.fullmatch(r"[A-Z?][0-9]{1,5}", code)):
        raise BadRequest("code", "must be the ticket the page showed (\"A007\")", code)
    if body:
        raise BadRequest(sorted(body)[0], "unknown field", sorted(body)[0])
    ordered = tuple(r for r in REASONS if r in reasons)  # stored in one order, whatever the page sent
    return Ballot(request_id, face, ordered, code)


_SERVED_COLS = "id, code, service_id, COALESCE(desk_id, ''), service_day, status, finished_at, lang"


def by_id(db: sqlite3.Connection, ticket_id: str) -> Served | None:
    row = db.execute(f"SELECT {_SERVED_COLS} FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    return Served(*row) if row else None


def desk_ticket(db: sqlite3.Connection, desk_id: str, *, now: datetime, day: str) -> Served | None:
    """The ticket the desk closed with Fatto in the last DESK_WINDOW_S seconds (its latest
    finished ticket of the day, if that one was served), or None: the vote page is dark."""
    row = db.execute(f"SELECT {_SERVED_COLS} FROM tickets WHERE desk_id = ? AND service_day = ? "
                     "AND finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1", (desk_id, day)).fetchone()
    if row is None:
        return None
    ticket = Served(*row)
    if ticket.status != "served" or ticket.finished_at is None:
        return None
    finished = datetime.fromisoformat(ticket.finished_at)
    if not finished <= now < finished + timedelta(seconds=DESK_WINDOW_S):
        return None
    return ticket


def remaining_s(ticket: Served, now: datetime) -> float:
    assert ticket.finished_at is not None
    end = datetime.fromisoformat(ticket.finished_at) + timedelta(seconds=DESK_WINDOW_S)
    return max(0.0, (end - now).total_seconds())


def given(db: sqlite3.Connection, ticket_id: str) -> tuple[str, str, tuple[str, ...]] | None:
    """(face, request id, reasons) of the ticket's vote, or None."""
    row = db.execute("SELECT face, request_id, reasons FROM votes WHERE ticket_id = ?", (ticket_id,)).fetchone()
    return (row[0], row[1], tuple(r for r in row[2].split(",") if r)) if row else None


def record(db: sqlite3.Connection, ticket: Served, ballot: Ballot, *, today: str) -> bool:
    """Store the vote (inside the caller's transaction). True: new; False: the same request again.
    Raises VoteRefused (nothing stored)."""
    before = given(db, ticket.id)
    if before is not None:
        if before[1] == ballot.request_id:
            return False
        raise VoteRefused("voted", ticket.code, before[0])
    if ticket.service_day != today:
        raise VoteRefused("expired", ticket.code)
    if ticket.status != "served":
        raise VoteRefused("not_served", ticket.code)
    db.execute("INSERT INTO votes (ticket_id, service_id, desk_id, service_day, face, reasons, request_id) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)", (ticket.id, ticket.service_id, ticket.desk_id, ticket.service_day,
                                                ballot.face, ",".join(ballot.reasons), ballot.request_id))
    return True

