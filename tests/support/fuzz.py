"""The fuzzing settings every property shares.

Each property runs ``FUZZ_EXAMPLES`` inputs: 10,000 by default (``make test``), fewer in the
fast tier (``make test-fast`` sets ``CAIRN_FUZZ_EXAMPLES``). The same inputs every run, so a
failure repeats, unless ``CAIRN_FUZZ_RANDOM=1`` explores new ones.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

FUZZ_EXAMPLES = int(os.environ.get("CAIRN_FUZZ_EXAMPLES", "10000"))
fuzz = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=not os.environ.get("CAIRN_FUZZ_RANDOM"),
    suppress_health_check=[HealthCheck.too_slow],
)
