"""The calling rules in the model-checked queue (issue 23 point 1): the reference model's side,
written from the rules as a desk manager states them (`totem/callorder.py`, rules 3-5), with
lists and loops and no code shared with the hub, and the site the rules' variant of the machine
runs on (`RULES_SITE`).

- long wait: an ordinary ticket waiting longer than `long_wait_min` goes ahead of priority
  tickets taken after it;
- ratio: a desk that made `ratio` priority calls in a row (its calls of today, newest first, up
  to its latest ordinary one) calls the first ordinary ticket it may call, if one waits;
- preference: a desk calls its preferred services first, the others when none of those waits.

People ahead of T, for each desk able to call T and each waiting ticket X it may call: "yes"
(that desk calls X first whatever happens), "no", "maybe" (a long wait or the ratio decides),
"turn" (X after T unless the desk's ratio brings X in first). Certain: "yes" at every desk
able to call T (and each of them may call X); possible: "yes" or "maybe" at some desk, plus the
"turn" ones up to one per `ratio` priority tickets that desk may call before T, plus one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

# Desk 1 (every service) has the site's ratio of 1; desk 2 has its own ratio of 2 and prefers sanita.
# A long wait is 2 minutes: the machine's clock steps (1 s to 5 min) cross it often.
RULES_SITE = ('\n[[desks]]\nid = "2"\nname = "Sportello 2"\n'
              'services = ["uffici", "sanita", "appuntamento", "procedure"]\nprefer = ["sanita"]\n'
              'priority_ratio = 2\npin = "2468"\n\n[calling]\npriority_ratio = 1\nlong_wait_min = 2\n')


@dataclass(frozen=True)
class Rules:
    ratio: dict[str, int] = field(default_factory=dict)  # desk -> priority calls in a row (0 or absent: off)
    prefer: dict[str, frozenset[str]] = field(default_factory=dict)
    long_wait_min: float = 0.0


RULES = Rules({"1": 1, "2": 2}, {"2": frozenset({"sanita"})}, 2.0)


def waited_long(rules: Rules, t: Any, now: datetime | None) -> bool:
    if not rules.long_wait_min or now is None:
        return False
    line = (now - timedelta(minutes=rules.long_wait_min)).astimezone(UTC).isoformat(timespec="microseconds")
    return bool(t.issued_at < line)


def order_key(rules: Rules, t: Any, now: datetime | None) -> tuple[int, str, str]:
    return (0 if t.priority or waited_long(rules, t, now) else 1, t.issued_at, t.id)


def in_a_row(model: Any, desk: str) -> int:
    """The desk's priority calls in a row today, newest first, up to its latest ordinary one."""
    n = 0
    for call in reversed(model.calls):
        if call[2] != desk or call[3] != model.day:
            continue
        if not model.tickets[call[4]].priority:
            break
        n += 1
    return n


def next_for(model: Any, rules: Rules, desk: str, now: datetime | None) -> Any:
    able = [t for t in model.waiting(now) if model.can_call(desk, t)]
    preferred = [t for t in able if t.service in rules.prefer.get(desk, frozenset())]
    pool = sorted(preferred or able, key=lambda t: order_key(rules, t, now))
    if not pool:
        return None
    ratio = rules.ratio.get(desk, 0)
    if ratio and pool[0].priority and in_a_row(model, desk) >= ratio:
        ordinary = [t for t in pool if not t.priority]
        if ordinary:
            return ordinary[0]
    return pool[0]


def first_at(rules: Rules, desk: str, x: Any, t: Any, now: datetime | None) -> str:
    """Does `desk` call X before T? "yes", "no", "maybe" or "turn" (module docstring)."""
    prefer = rules.prefer.get(desk, frozenset())
    if (x.service in prefer) != (t.service in prefer):
        return "yes" if x.service in prefer else "no"
    x_taken_first = (x.issued_at, x.id) < (t.issued_at, t.id)
    ratio = rules.ratio.get(desk, 0) > 0
    if x.priority == t.priority:
        return "yes" if x_taken_first else "no"
    if x.priority:  # T is ordinary
        if not x_taken_first and waited_long(rules, t, now):
            return "no"
        if ratio or (not x_taken_first and rules.long_wait_min):
            return "maybe"
        return "yes"
    # X is ordinary, T a priority
    if x_taken_first and waited_long(rules, x, now):
        return "yes"
    if x_taken_first and rules.long_wait_min:
        return "maybe"
    return "turn" if ratio else "no"


def ahead(model: Any, rules: Rules, t: Any, now: datetime | None) -> tuple[int, int] | None:
    able = [d for d in model.desks if model.can_call(d, t)]
    if not able:
        return None
    certain = possible = 0
    turns = 0
    priority_first = {d: 0 for d in able}
    for x in model.waiting(now):
        if x.id == t.id:
            continue
        says = {d: first_at(rules, d, x, t, now) for d in able if model.can_call(d, x)}
        if not says:
            continue
        for d, said in says.items():
            if x.priority and said in ("yes", "maybe"):
                priority_first[d] += 1
        if len(says) == len(able) and all(s == "yes" for s in says.values()):
            certain += 1
            possible += 1
        elif any(s in ("yes", "maybe") for s in says.values()):
            possible += 1
        elif "turn" in says.values():
            turns += 1
    bound = sum(priority_first[d] // rules.ratio[d] + 1 for d in able if rules.ratio.get(d, 0))
    return certain, possible + min(turns, bound)
