"""A desk action from its click to its answer, as one job on the hub's database thread.

Steps of `run` (nothing else runs on the database thread meanwhile, so the check and the
change see the same desk):
1. read the desk's ticket in service and whether the desk is paused;
2. `DeskRequests.check`: a duplicate or a click made on a state that is no longer true is
   refused (409, `display.desk_requests`) and nothing changes;
3. the action through `QueueStore` (next, call, return, recall, done, noshow, transfer,
   pause, resume, undo), `display.hold` (hold, callback) or `display.visits` (add_service, contact);
   held turns past their closing time are expired first (`display.hold.expire_due`);
4. the request id recorded with the code it acted on, and the undo entry named by it.

Failure paths, each an `Outcome` with its status and a message naming the desk and ticket:
refused (409, step 2); paused desk asked to call (409); nobody waiting (204); no ticket in
service (409); a chosen or returned ticket missing (404), ambiguous or not this desk's (409);
an undo the book refuses (409, `display.undo.UndoRefused`). Bad input is a `BadRequest`
raised by the caller's validation before this runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from config.model import Config, Desk
from display import call_reasons, hold, visits
from display.desk_requests import DeskRequests, Refusal, Stated
from display.queue import QueueStore
from display.records import _ts
from display.undo import UndoRefused


@dataclass
class Outcome:
    status: int
    body: dict[str, Any] | None = None
    call: dict[str, Any] | None = None  # the call to announce
    changed: bool = False
    log: str = ""  # what happened, for the hub's log
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Input:
    """The action's own input, validated by the route: a chosen ticket, a transfer's target."""

    chosen: tuple[str, str] | None = None
    transfer: tuple[str, str | None, bool | None] | None = None
    service: str | None = None  # add_service: the visit's second service
    contact: tuple[str, str, int | None] | None = None  # contact: channel, service, timed seconds


def visit_input(action: str, body: dict[str, Any], config: Config) -> Input:
    """The input of add_service (`{"service"}`) and contact (`{"channel", "service", "duration_s"?}`)."""
    services = {s.id for s in config.services}
    if action == "add_service":
        return Input(service=visits.service_input(body, services))
    return Input(contact=visits.contact_input(body, services))


def _call(desk: Desk, ticket: Any, *, recall: bool, at: str | None, store: QueueStore) -> dict[str, Any]:
    """The call event; `reason`: why it goes before earlier tickets, or None (display.call_reasons);
    `lang`: the language the citizen chose at the totem, or None (the call screen speaks the call
    in it too: display.sound.call_languages)."""
    row = store.reader().execute("SELECT lang FROM tickets WHERE id = ?", (ticket.id,)).fetchone()
    return {"code": ticket.code, "desk": desk.id, "desk_name": desk.name, "service": ticket.service_id,
            "recall": recall, "called_at": at, "reason": call_reasons.of_ticket(store.reader(), ticket.id),
            "lang": row[0] if row else None}


def run(store: QueueStore, book: DeskRequests, desk: Desk, action: str, said: Stated, given: Input, *,
        now: datetime) -> Outcome:
    expired = hold.expire_due(store, now=now)  # a held turn past closing is never called back
    current = store.current(desk.id, now=now)
    paused = desk.id in store.paused
    refusal = book.check(desk=desk, action=action, said=said, current=current, paused=paused,
                         last_undoable=store.undo_book.last_request(desk.id))
    if refusal is not None:
        return Outcome(409, refusal.as_json(), log=f"refused {action} ({refusal.reason})", changed=bool(expired))
    before = store.undo_book.marker(desk.id)
    if action in ("hold", "callback", "add_service", "contact"):
        outcome = _visit(store, desk, action, said, given, current, now)
    else:
        outcome = _act(store, desk, action, given, current, paused, now)
    outcome.changed |= bool(expired)
    if outcome.status < 300:
        ticket = (outcome.body or {}).get("ticket") or {}
        book.record(desk_id=desk.id, action=action, said=said, code=str(ticket.get("code", "")), now=now)
        if action != "undo":
            store.undo_book.tag(desk.id, before, said.request_id)
    return outcome


def _act(store: QueueStore, desk: Desk, action: str, given: Input, current: Any, paused: bool,
         now: datetime) -> Outcome:
    if action in ("pause", "resume"):
        if action == "pause" and current is not None:
            return Outcome(409, {"error": f"{current.code} is still in service at desk {desk.id}: finish it first"})
        store.pause(desk.id, action == "pause")
        return Outcome(200, {"desk": desk.id, "paused": action == "pause"}, changed=True,
                       log="paused" if action == "pause" else "resumed")
    if action == "undo":
        try:
            undone = store.undo(desk.id, now=now)
        except UndoRefused as exc:
            return Outcome(409, {"error": str(exc)})
        after = store.current(desk.id, now=now)
        return Outcome(200, {"undone": undone.action, "codes": list(undone.codes), "repeated": undone.repeated,
                             "ticket": after.as_json() if after else None}, changed=not undone.repeated,
                       log="" if undone.repeated else f"undo {undone.action} {','.join(undone.codes)}")
    if action in ("next", "call") and paused:
        return Outcome(409, {"error": f"desk {desk.id} is paused: resume it first"})
    extra: dict[str, Any] = {}
    call = None
    if action == "next":
        ticket = store.call_next(desk.id, now=now)
        if ticket is None:
            return Outcome(204, changed=True)
        call = _call(desk, ticket, recall=False, at=ticket.called_at, store=store)
    elif action == "call":
        assert given.chosen is not None
        key, value = given.chosen
        if current is not None and (current.id if key == "id" else current.code) == value:
            return Outcome(200, {"ticket": current.as_json(), "repeated": True})
        result, ticket = store.call_chosen(desk.id, key, value, now=now)
        name = value if key == "code" else "this ticket"
        if ticket is None:
            status, error = {"ambiguous": (409, f"{name}: two waiting tickets have this code; pick one from the list"),
                             "not_yours": (409, f"{name} is not for this desk (its service, or a transfer to another "
                                                "desk)")}.get(result, (404, f"{name} is not waiting today"))
            return Outcome(status, {"error": error})
        call = _call(desk, ticket, recall=False, at=ticket.called_at, store=store)
    elif action == "return":
        assert given.chosen is not None
        key, value = given.chosen
        ticket = store.return_noshow(key, value, now=now, desk_id=desk.id)
        if ticket is None:
            return Outcome(404, {"error": f"{value if key == 'code' else 'this ticket'} is not among today's "
                                          "no-shows"})
    elif action == "recall":
        ticket = store.recall(desk.id, now=now)
        if ticket is not None:
            call = _call(desk, ticket, recall=True, at=now.isoformat(), store=store)
    elif action in ("done", "noshow"):
        ticket = store.finish(desk.id, "served" if action == "done" else "noshow", now=now)
    elif action == "transfer":
        assert given.transfer is not None
        service_id, to_desk, priority = given.transfer
        moved = store.transfer(desk.id, service_id, now=now, to_desk=to_desk, priority=priority)
        ticket = moved.ticket if moved is not None else None
        if moved is not None:
            extra["only_desk"] = moved.only_desk
    else:  # the route admits only the actions above
        raise AssertionError(action)
    if ticket is None:
        return Outcome(409, {"error": f"desk {desk.id} has no ticket in service"})
    return Outcome(200, {"ticket": ticket.as_json(), **extra}, call=call, changed=True,
                   log=f"{action} {ticket.code}")


def _visit(store: QueueStore, desk: Desk, action: str, said: Stated, given: Input, current: Any,
           now: datetime) -> Outcome:
    """Hold and call back a turn (`display.hold`), add a second service, record a contact (`display.visits`)."""
    def refuse(reason: str, code: str, ticket: Any = current) -> Outcome:
        refusal = Refusal(reason, desk.id, desk.name, code, said.code or "", ticket)
        return Outcome(409, refusal.as_json(), log=f"refused {action} ({reason})")

    if action == "contact":
        assert given.contact is not None
        if said.request_id is None:
            return Outcome(400, {"error": "request_id: missing: a contact is recorded once per request id",
                                 "field": "request_id"})
        channel, service_id, duration_s = given.contact
        with store.transaction() as db:
            new = visits.record_contact(db, request_id=said.request_id, desk_id=desk.id, channel=channel,
                                        service_id=service_id, day=store.sync(now), now=now, duration_s=duration_s)
        return Outcome(200, {"contact": {"channel": channel, "service": service_id, "duration_s": duration_s},
                             "repeated": not new}, changed=new, log=f"contact {channel} {service_id}")
    if action == "hold":
        held = hold.hold(store, desk.id, now=now)
        if held is None:
            return Outcome(409, {"error": f"desk {desk.id} has no ticket in service"})
        return Outcome(200, {"ticket": held.as_json()}, changed=True, log=f"hold {held.code}")
    if action == "callback":
        assert given.chosen is not None
        if desk.id in store.paused:
            return Outcome(409, {"error": f"desk {desk.id} is paused: resume it first"})
        key, value = given.chosen
        result, ticket, _finished = hold.callback(store, desk.id, key, value, now=now)
        name = value if key == "code" else ""
        if result == "missing":
            return refuse("not_held", name)
        if result == "other_desk":
            return refuse("held_elsewhere", ticket.code if ticket else name)
        assert ticket is not None
        call = {**_call(desk, ticket, recall=False, at=ticket.called_at, store=store), "callback": True}
        return Outcome(200, {"ticket": ticket.as_json()}, call=call, changed=True, log=f"callback {ticket.code}")
    assert action == "add_service" and given.service is not None
    if current is None:
        return Outcome(409, {"error": f"desk {desk.id} has no ticket in service"})
    if given.service == current.service_id:
        return refuse("same_service", current.code)
    with store.transaction() as db:
        new = visits.add_service(db, ticket_id=current.id, service_id=given.service, desk_id=desk.id,
                                 day=store.sync(now), now_iso=_ts(now))
        added = visits.services_of(db, current.id)
    return Outcome(200, {"ticket": {**current.as_json(), "added_services": added}, "repeated": not new},
                   changed=new, log=f"add_service {current.code} {given.service}")
