"""Why a call goes before tickets taken earlier (issue 22 point 4). Pure Python: no I/O.

When the call order sends a ticket ahead of people who took theirs earlier, the call screen
and the follow page say why in a word or two, so the waiting room sees the rule, not a
queue-jumper. The reasons, in the order they are looked for:
1. `return`: a no-show back in the queue (it was called before, and is waiting again in
   the service it was issued for, with no desk constraint);
2. `transfer`: sent here by another desk (its service differs from the one it was issued
   for, or a desk constraint came with the transfer);
3. `appointment`: a ticket printed for an appointment (with the appointment's time);
4. `priority`: a ticket of a priority service;
5. `long_wait`: an ordinary ticket that waited longer than the site's `long_wait_min` (the
   calling rules, `totem.callorder` rule 3), called before a priority ticket taken after it.

A reason is given only when the call really jumps someone waiting at that desk: an
appointment or priority ticket only when a ticket issued before it is still waiting and the
desk could have called it; a returned or transferred one only when anyone else the desk
could call is waiting; a long wait only when a priority ticket the desk could call waits.
A plain call in order has no reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from totem.callorder import DeskView, Waiting, can_call

KINDS = ("return", "transfer", "appointment", "priority", "long_wait")
CATALOGUE_KEYS = {kind: f"call_reason_{kind}" for kind in KINDS}  # config/locales/*.toml


@dataclass(frozen=True)
class Past:
    """What the hub's row says about how a waiting ticket got where it is."""

    called_before: bool  # called at some desk earlier today (a transfer or a no-show brought it back)
    transferred: bool  # its service is not the one it was issued for, or a transfer pinned a desk
    appointment_time: str | None = None  # "HH:MM" when it was printed for an appointment


@dataclass(frozen=True)
class Reason:
    kind: str
    time: str = ""  # the appointment's time

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, **({"time": self.time} if self.time else {})}

    @classmethod
    def from_json(cls, data: Any) -> Reason | None:
        if not isinstance(data, dict) or data.get("kind") not in KINDS:
            return None
        return cls(str(data["kind"]), str(data.get("time") or ""))

    def words(self, translate: Any) -> str:
        """The one or two words shown, in the language of `translate` (a `config.i18n.Translator`)."""
        return str(translate(CATALOGUE_KEYS[self.kind], time=self.time))


def kind_of(ticket: Waiting, past: Past, *, waited_long: bool = False) -> Reason | None:
    """The rule that could put this ticket ahead of earlier ones, whether or not it does now."""
    if past.called_before and not past.transferred:
        return Reason("return")
    if past.transferred:
        return Reason("transfer")
    if past.appointment_time:
        return Reason("appointment", past.appointment_time)
    if ticket.priority:
        return Reason("priority")
    if waited_long:
        return Reason("long_wait")
    return None


def reason(chosen: Waiting, past: Past, desk: DeskView, waiting: Iterable[Waiting], *,
           waited_long: bool = False) -> Reason | None:
    """Why `desk` calling `chosen` goes before others, or None when it jumps nobody waiting.
    `waiting`: the tickets waiting when the desk calls (`chosen` among them or not);
    `waited_long`: `chosen` has waited past the site's long-wait line."""
    found = kind_of(chosen, past, waited_long=waited_long)
    if found is None:
        return None
    others = (w for w in waiting if w.id != chosen.id and can_call(desk, w))
    if found.kind in ("return", "transfer"):
        jumped = any(True for _ in others)
    elif found.kind == "long_wait":
        jumped = any(w.priority and w.issued_at > chosen.issued_at for w in others)
    else:
        jumped = any(w.issued_at < chosen.issued_at for w in others)
    return found if jumped else None
