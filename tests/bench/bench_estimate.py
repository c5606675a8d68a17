"""Simulated days at the desk: how often the real wait fell inside the printed range.

Seeded arrivals over the Capannori Tuesday hours (08:45-13:00, 14:30-16:30), service times
drawn from a lognormal (CV 0.5) around each service's configured average, 1 and 3 desks.
Uses the product's own CallOrder, ServiceTimes and wait_range. Target: >= 80 % inside.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helpers"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from _common import scaled
from simday import SCENARIOS, TUESDAY, simulate

DAYS = scaled(50, 2)


def main() -> None:
    for name, (desks, rate) in SCENARIOS.items():
        outcomes = [o for seed in range(DAYS) for o in simulate(seed=seed, desks=desks, arrivals_per_h=rate,
                                                                  ranges_h=TUESDAY)]
        widths = sorted(o.high - o.low for o in outcomes)
        waits = sorted(o.waited_min for o in outcomes)
        inside = sum(o.inside for o in outcomes) / len(outcomes)
        exact = sum(o.ahead_certain == o.called_before for o in outcomes) / len(outcomes)
        print(f"{name}: {DAYS} days, {len(outcomes)} tickets; real wait inside the printed range {inside:.1%} "
              f"(target >= 80%); range width median {statistics.median(widths)} min, "
              f"p95 {widths[int(0.95 * len(widths))]} min; real wait median {statistics.median(waits):.1f} min, "
              f"p95 {waits[int(0.95 * len(waits))]:.1f} min; people ahead exact {exact:.1%}")


if __name__ == "__main__":
    main()
