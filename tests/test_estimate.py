"""The expected wait: measured service times, the range, and a simulated day that checks it."""

from __future__ import annotations

from simday import SCENARIOS, TUESDAY, simulate

from totem.estimate import ServiceTimes, wait_range


def times() -> ServiceTimes:
    return ServiceTimes({"uffici": 15.0, "sanita": 12.0})


def test_a_free_desk_means_called_at_once() -> None:
    assert wait_range([], "uffici", times(), desks_open=1, desks_busy=0) == (0, 5)
    assert wait_range([("uffici", 1)], "uffici", times(), desks_open=3, desks_busy=1) == (0, 5)


def test_range_grows_with_people_and_shrinks_with_desks() -> None:
    one = wait_range([("uffici", 4)], "uffici", times(), desks_open=1, desks_busy=1)
    three = wait_range([("uffici", 4)], "uffici", times(), desks_open=3, desks_busy=3)
    assert one[0] < 4 * 15 < one[1] and one[0] % 5 == 0 and one[1] % 5 == 0
    assert three[1] < one[1]


def test_measured_times_replace_the_configured_average() -> None:
    t = times()
    assert t.stats("uffici").mean_min == 15.0 and t.measured_mean("uffici") is None
    for minutes in (5, 6, 5, 4, 5, 6, 5, 4, 5, 5):
        t.observe("uffici", minutes)
    t.observe("uffici", 0.05)  # a mis-click "done" within seconds is not a service time
    t.observe("uffici", float("nan"))
    stats = t.stats("uffici")
    assert stats.samples == 10 and 5 < stats.mean_min < 8 and t.measured_mean("uffici") == 5.0


def test_simulated_days_keep_the_real_wait_inside_the_range() -> None:
    """Seeded arrivals over a Capannori Tuesday; the bench prints the same figures for more days."""
    for name, (desks, rate) in SCENARIOS.items():
        outcomes = [o for seed in range(8) for o in simulate(seed=seed, desks=desks, arrivals_per_h=rate,
                                                               ranges_h=TUESDAY)]
        inside = sum(o.inside for o in outcomes) / len(outcomes)
        assert inside >= 0.8, (name, inside)
        assert all(o.ahead_certain == o.called_before for o in outcomes), name  # all-service desks: exact
