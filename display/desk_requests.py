"""What a desk action acted on, and each action done once (DESIGN rule 10).

A console can be open twice (two tabs, a PC and a tablet), a click can arrive twice (a retry,
a proxy), a tab can show a state minutes old. Each desk action therefore says:
- `request_id`: a random token made once per click; the same token again is a duplicate;
- `current`: the ticket the console showed as in service when it was clicked,
  `{"code": "E001", "called_at": "..."}` (`called_at` optional), or null for none;
- for an undo, `undoes`: the `request_id` of the action it takes back.

Steps (`check` and `record` run in the same job on the hub's database thread as the action
itself, so nothing can change the desk between the check and the change):
1. `stated(body, required=...)` splits these fields off the body (the rest is the action's own
   input); a console's cookie session must send them, a bearer-token script may leave them out
   (it then acts on whatever is current, as the API always did).
2. `check(...)`: the request id already done -> refusal "repeated"; the desk's ticket in
   service is not the one the console showed -> "called" (another ticket is in service) or
   "closed" (none is); pausing a paused desk -> "paused", resuming an open one -> "open";
   an undo of another action than the desk's last -> "undo_other".
3. the action (`display.desk_actions`).
4. `record(...)`: the request id kept in SQLite for `KEEP_DAYS`, with the code it acted on, so a
   duplicate is refused after a hub restart too.

Failure paths: each refusal is a `Refusal` the route answers with 409, an English `error`
and a `refusal` object (`reason`, `desk`, `desk_name`, `code`) the console translates
through its own catalogue, plus the desk's true ticket in service. Nothing is changed.
A crash between the action's commit and step 4 loses the record; the state check of step 2
still refuses the retry of every action that changes the ticket in service (a recall, which
does not, is then announced once more).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from display.queue import QueueStore
from display.records import HubTicket, _ts
from display.validation import BadRequest, expect_object

KEEP_DAYS = 2
_REQUEST_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
_CODE_RE = re.compile(r"[A-Z][0-9]{1,5}")
# Actions that finish, replace or announce the ticket in service: they must name it.
ACTS_ON_CURRENT = frozenset({"next", "call", "recall", "done", "noshow", "transfer", "pause", "hold", "callback",
                             "add_service"})

MESSAGES = {  # the English `error`; the console shows its own catalogue's words for `reason`
    "called": "{desk_name} has already called {code}",
    "closed": "{desk_name} already closed {shown}: no ticket in service",
    "repeated": "{desk_name} already did this request ({code})",
    "paused": "{desk_name} is already paused",
    "open": "{desk_name} is already open",
    "undo_other": "{desk_name}'s last action is another one ({code}): nothing undone",
    "not_held": "{desk_name} holds no turn {code} today (called back already, or expired at closing)",
    "held_elsewhere": "{code} is held by another desk: only that desk calls it back",
    "same_service": "{code} is already for this service: choose the second service",
}


@dataclass(frozen=True)
class Stated:
    """What a console said with its click. `current` None: the console showed no ticket;
    `said_current` False: the client said nothing about it (a bearer-token script)."""

    request_id: str | None
    said_current: bool
    code: str | None = None
    called_at: str | None = None
    undoes: str | None = None


@dataclass(frozen=True)
class Refusal:
    reason: str
    desk: str
    desk_name: str
    code: str
    shown: str
    ticket: HubTicket | None

    def as_json(self) -> dict[str, Any]:
        words = {"desk_name": self.desk_name, "code": self.code or "—", "shown": self.shown or "—"}
        return {"error": MESSAGES[self.reason].format(**words),
                "refusal": {"reason": self.reason, "desk": self.desk, "desk_name": self.desk_name,
                            "code": self.code, "shown": self.shown},
                "ticket": self.ticket.as_json() if self.ticket else None}


def stated(body: Any, *, required: bool, action: str) -> tuple[Stated, dict[str, Any]]:
    """(what the click said, the rest of the body for the action's own validator)."""
    body = {} if body is None else dict(expect_object(body))
    request_id = body.pop("request_id", None)
    if request_id is not None and not (isinstance(request_id, str) and _REQUEST_RE.fullmatch(request_id)):
        raise BadRequest("request_id", "must be 8-64 letters, digits, '-' or '_'", request_id)
    said = "current" in body
    current = body.pop("current", None)
    undoes = body.pop("undoes", None)
    if required and request_id is None:
        raise BadRequest("request_id", "missing: each click sends its own request id")
    if required and action in ACTS_ON_CURRENT and not said:
        raise BadRequest("current", "missing: say which ticket the console shows in service (or null)")
    if required and action == "undo" and undoes is None:
        raise BadRequest("undoes", "missing: the request id of the action to undo")
    if undoes is not None and not (isinstance(undoes, str) and _REQUEST_RE.fullmatch(undoes)):
        raise BadRequest("undoes", "must be a request id", undoes)
    code = called_at = None
    if current is not None:
        current = expect_object(current) if not isinstance(current, str) else {"code": current}
        code, called_at = current.get("code"), current.get("called_at")
        if set(current) - {"code", "called_at"} or not isinstance(code, str) or not _CODE_RE.fullmatch(code):
            raise BadRequest("current", "must be null or {\"code\": \"A007\", \"called_at\": ...}", current)
        if called_at is not None and not isinstance(called_at, str):
            raise BadRequest("current.called_at", "must be the call's time as the state gave it", called_at)
    return Stated(request_id, said, code, called_at, undoes), body


class DeskRequests:
    """The desks' request book, on the hub's database thread (the store's connection)."""

    def __init__(self, store: QueueStore) -> None:
        self._store = store  # its table is the hub schema's step 4 (display.records.DESK_REQUESTS)

    def done_before(self, request_id: str | None) -> str | None:
        """The code a request id acted on, if it was done already ('' for none)."""
        if request_id is None:
            return None
        row = self._store.reader().execute("SELECT code FROM desk_requests WHERE request_id = ?",
                                           (request_id,)).fetchone()
        return None if row is None else str(row[0])

    def check(self, *, desk: Any, action: str, said: Stated, current: HubTicket | None, paused: bool,
              last_undoable: str | None) -> Refusal | None:
        """A refusal when the click is a duplicate or was made on a state that is no longer true."""
        def refuse(reason: str, code: str = "") -> Refusal:
            return Refusal(reason, desk.id, desk.name, code, said.code or "", current)

        did = self.done_before(said.request_id)
        if did is not None:
            return refuse("repeated", did)
        if said.said_current and action in ACTS_ON_CURRENT:
            shown = (said.code, said.called_at)
            if current is not None and (current.code != said.code or
                                        (said.called_at is not None and current.called_at != said.called_at)):
                return refuse("called", current.code)
            if current is None and shown[0] is not None:
                return refuse("closed", said.code or "")
        if action == "pause" and paused and said.request_id is not None:
            return refuse("paused")
        if action == "resume" and not paused and said.request_id is not None:
            return refuse("open")
        if action == "undo" and said.undoes is not None and last_undoable != said.undoes:
            return refuse("undo_other", self.done_before(last_undoable) or "" if last_undoable else "")
        return None

    def record(self, *, desk_id: str, action: str, said: Stated, code: str, now: datetime) -> None:
        if said.request_id is None:
            return
        with self._store.transaction() as db:
            db.execute("INSERT INTO desk_requests (request_id, desk_id, action, code, at) VALUES (?, ?, ?, ?, ?) "
                       "ON CONFLICT (request_id) DO NOTHING", (said.request_id, desk_id, action, code, _ts(now)))
            db.execute("DELETE FROM desk_requests WHERE at < ?", (_ts(now - timedelta(days=KEEP_DAYS)),))
