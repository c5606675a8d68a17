"""Appointment numbers that need no lockout (issue 24.3): 11 digits with a check digit, a brake
that slows guessing per address and for the whole site and never refuses a right number, no
answer that tells a stranger another day's appointment exists, no way round it by changing
the totem id."""

from __future__ import annotations

import math
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from conftest import HUB_NOW, write_site
from helpers.consoles import paired

from config import load_config
from display import checkin_brake
from display.appointments import MAX_OPEN
from display.checkin_brake import CheckInBrake
from display.server import HubServer
from totem.appointment_numbers import RANDOM_DIGITS, check_digit, new_number, well_formed
from totem.clock import FrozenClock

AUTH = {"Authorization": "Bearer demo-token-change-me-0123456789"}
YEAR_S = 365.25 * 86400


@pytest.fixture
def hub(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The shipped site; the per-address connection cap lifted so 300 numbers are in flight at once
    (that cap is its own guard, tested elsewhere: here the brake is)."""
    site = write_site(tmp_path, extra={"heartbeat_s = 30": "heartbeat_s = 30\nmax_connections_per_address = 1000"})
    with HubServer(load_config(site), port=0, clock=FrozenClock(HUB_NOW)) as server:
        yield server


def book(hub: HubServer, day: str = "2026-12-01", time: str = "10:00") -> str:
    reception = paired(hub, "reception")
    assert reception.post(hub.url + "/reception/unlock", json={"pin": "2580"}, timeout=5).status_code == 200
    answer = reception.post(hub.url + "/api/reception/appointments",
                            json={"day": day, "time": time, "service": "sanita"}, timeout=5)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["appointment"]["number"])


def checkin(hub: HubServer, number: str, totem: str = "totem-1") -> requests.Response:
    return requests.post(hub.url + "/api/appointments/checkin", json={"number": number, "totem": totem},
                         headers=AUTH, timeout=60)


def test_300_concurrent_wrong_numbers_then_the_right_one_is_accepted(hub: HubServer) -> None:
    """Acceptance: a flood of well-formed wrong numbers at one totem (each claiming another totem id),
    then a citizen's right number there: accepted. The flood was mostly never compared."""
    assert hub.hub is not None
    right = book(hub)
    rng = random.Random(24)
    wrong = []
    while len(wrong) < 300:
        body = f"{rng.randrange(10 ** RANDOM_DIGITS):0{RANDOM_DIGITS}d}"
        if body + check_digit(body) != right:
            wrong.append(body + check_digit(body))
    with ThreadPoolExecutor(max_workers=300) as pool:
        statuses = list(pool.map(lambda i: checkin(hub, wrong[i], totem=f"totem-{i}").status_code, range(300)))
    assert set(statuses) <= {404, 429}, sorted(set(statuses))
    compared = hub.hub.checkin_brake.compared
    assert statuses.count(404) == compared and compared <= 10, (compared, statuses.count(429))
    assert list(hub.hub.checkin_brake.devices) == ["127.0.0.1"], "one device, whatever totem ids it claims"
    ok = checkin(hub, right, totem="totem-1")
    assert ok.status_code == 200, ok.text
    assert ok.json()["appointment"]["time"] == "10:00"
    print(f"\n300 concurrent wrong numbers at one totem: {compared} compared, {statuses.count(429)} replaced "
          "unanswered; the right one then accepted")


def test_guessing_takes_over_10_years_for_an_even_chance() -> None:
    """At the brake's rate for the whole site (whatever the number of addresses), with the most
    appointments ever open at once, half a chance of hitting one takes more than 10 years."""
    space = 10 ** RANDOM_DIGITS  # the check digit adds no secret: a guesser computes it too
    per_guess = MAX_OPEN / space
    guesses_for_half = math.log(0.5) / math.log1p(-per_guess)
    wrong_per_s = 1 / checkin_brake.GLOBAL_REFILL_S
    years = (guesses_for_half - checkin_brake.GLOBAL_BURST) / wrong_per_s / YEAR_S
    print(f"\n{MAX_OPEN} open of {space:.0e} numbers: {guesses_for_half:,.0f} guesses for a 50% chance; "
          f"at {wrong_per_s * 3600:.0f} per hour, {years:.1f} years")
    assert years >= 10
    # and the brake does hold that rate: a simulated day of 250 addresses guessing every minute
    clock = [0.0]
    brake = CheckInBrake(mono=lambda: clock[0])
    admitted = 0
    addresses = [f"10.0.0.{n}" for n in range(1, 251)]
    for step in range(0, 86400, 60):
        clock[0] = float(step)
        for address in addresses:
            if brake.take_now(address):
                brake.record(address, right=False)
                admitted += 1
    assert 86400 / checkin_brake.GLOBAL_REFILL_S <= admitted <= \
        checkin_brake.GLOBAL_BURST + 86400 / checkin_brake.GLOBAL_REFILL_S + 1, admitted
    assert len(brake.devices) <= checkin_brake.MAX_DEVICES


def test_right_numbers_never_use_the_budget_and_a_slip_is_no_guess() -> None:
    clock = [0.0]
    brake = CheckInBrake(mono=lambda: clock[0])
    for _ in range(1000):  # a busy morning of citizens with right numbers at one totem
        assert brake.take_now("192.168.1.30")
        brake.record("192.168.1.30", right=True)
    for _ in range(checkin_brake.FREE_WRONG):  # a child playing: the first few wrong ones cost no wait
        assert brake.take_now("192.168.1.30")
        brake.record("192.168.1.30", right=False)
    assert not brake.take_now("192.168.1.30")
    clock[0] += checkin_brake.DEVICE_MAX_S  # never longer than this for a device's own past
    assert brake.take_now("192.168.1.30")
    number = new_number()
    assert well_formed(number)
    slips = [number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1:] for i in range(len(number))]
    slips += [number[:i] + number[i + 1] + number[i] + number[i + 2:] for i in range(len(number) - 1)
              if number[i] != number[i + 1]]
    assert not any(well_formed(s) for s in slips), "every wrong digit and every swapped pair is caught"


def test_no_answer_tells_a_stranger_another_days_appointment_exists(hub: HubServer) -> None:
    assert hub.hub is not None
    other_day = book(hub, day="2026-12-03")
    near = other_day[:-2] + str((int(other_day[-2]) + 1) % 10)
    near += check_digit(near)  # one digit off, check digit right: a guess, compared, simply unknown
    before = hub.hub.checkin_brake.compared
    answer = checkin(hub, near)
    assert answer.status_code == 404 and answer.json() == {"reason": "unknown",
                                                           "error": f"no appointment has the number {near}"}
    typo = other_day[:-1] + str((int(other_day[-1]) + 1) % 10)
    assert checkin(hub, typo).json()["reason"] == "unknown"  # the check digit: answered, never compared
    assert hub.hub.checkin_brake.compared == before + 1
    right = checkin(hub, other_day)  # only all 11 digits right tell the date
    assert right.status_code == 409 and right.json()["day"] == "2026-12-03"


def test_the_open_appointments_the_odds_count_on_are_a_hard_limit(hub: HubServer,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from display import appointments

    monkeypatch.setattr(appointments, "MAX_OPEN", 2)
    book(hub, time="10:00")
    book(hub, time="10:15")
    reception = paired(hub, "reception")
    assert reception.post(hub.url + "/reception/unlock", json={"pin": "2580"}, timeout=5).status_code == 200
    refused = reception.post(hub.url + "/api/reception/appointments",
                             json={"day": "2026-12-02", "time": "10:00", "service": "sanita"}, timeout=5)
    assert refused.status_code == 409 and refused.json()["reason"] == "too_many", refused.text
    listed = reception.get(hub.url + "/api/reception/appointments?day=2026-12-02", timeout=5).json()
    assert listed["appointments"] == [], "the refusal added nothing"
