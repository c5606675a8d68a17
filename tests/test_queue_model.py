"""Issue 20, point 2: the model-checked queue in CI. `tests/helpers/queue_model.py` holds the
machine (the real hub over HTTP, a plain reference model, the invariants); here it runs a fixed,
reproducible budget: derandomized (the same sequences on every run and machine) and with no
example database (nothing carried from one run to the next). `tests/bench/bench_queue_model.py`
runs 20,000 examples."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from queue_model import QueueMachine, with_rules

EXAMPLES = int(__import__("os").environ.get("QUEUE_MODEL_EXAMPLES", "200"))
STEPS = 20

SETTINGS = settings(max_examples=EXAMPLES, stateful_step_count=STEPS, derandomize=True, database=None, deadline=None,
                    print_blob=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

TestQueueModel = QueueMachine.TestCase
TestQueueModel.settings = SETTINGS

# Issue 23 point 1: the same machine on a site with every calling rule on (a ratio per site and per
# desk, a long wait of 5 minutes, a desk preferring a service): the hub's order and people ahead
# against the model's, under the same budget.
TestQueueModelWithRules = with_rules().TestCase
TestQueueModelWithRules.settings = SETTINGS
