"""Appointment numbers (issue 24.3): long enough that guessing is hopeless at the hub's brake
rate, still only digits (the totem's keypad), with a check digit that catches a typo at the
totem before the hub is asked.

A number is `RANDOM_DIGITS` random digits and one Damm check digit (`NUMBER_DIGITS` in all):
the Damm check catches every single wrong digit and every swap of two neighbours, so a
citizen's slip never reaches the hub (never counts as a guess) and gets "check the digits".
Shown in groups of four (`shown`), read out and typed as plain digits. Pure: no I/O.
"""

from __future__ import annotations

import re

RANDOM_DIGITS = 10
NUMBER_DIGITS = RANDOM_DIGITS + 1
NUMBER_RE = re.compile(rf"[0-9]{{{NUMBER_DIGITS}}}")

# The Damm quasigroup of order 10 (weakly totally anti-symmetric).
_DAMM = ("0317598642", "7092154863", "4206871359", "1750983426", "6123045978",
         "3674209581", "5869720134", "8945362017", "9438617205", "2581436790")


def _interim(digits: str) -> int:
    state = 0
    for d in digits:
        state = int(_DAMM[state][int(d)])
    return state


def check_digit(digits: str) -> str:
    return str(_interim(digits))


def well_formed(number: str) -> bool:
    """The right length, digits only, and the check digit agrees (Damm: the whole number maps to 0)."""
    return bool(NUMBER_RE.fullmatch(number)) and _interim(number) == 0


def new_number() -> str:
    import secrets  # here: only the hub makes numbers; the kiosk checks them (secrets loads OpenSSL: ~5 ms)

    body = f"{secrets.randbelow(10 ** RANDOM_DIGITS):0{RANDOM_DIGITS}d}"
    return body + check_digit(body)


def shown(number: str) -> str:
    """'12345678901' -> '1234 5678 901' (as printed, read out, shown on the reception page)."""
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))
