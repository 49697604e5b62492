"""The fuzz profile: a short run by default (CI), a long one with OPSBOT_FUZZ_EXAMPLES=5000.

The profile is registered here and applied per test (`FUZZ` in tests/fuzz/support.py), not loaded
globally, so the property tests elsewhere in the suite keep their own settings.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

DEFAULT_EXAMPLES = 150
DEADLINE_MS = 2000
"""One input that takes longer than this is a hang (a runaway regex or loop), and fails the test."""


def _examples() -> int:
    """OPSBOT_FUZZ_EXAMPLES, when set to a positive whole number; the short CI run otherwise."""
    raw = os.environ.get("OPSBOT_FUZZ_EXAMPLES", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_EXAMPLES


settings.register_profile(
    "opsbot-fuzz",
    max_examples=_examples(),
    deadline=DEADLINE_MS,
    database=None,  # no example database: a CI run never depends on what an earlier run found
    derandomize=False,
    print_blob=True,  # a failure prints the @reproduce_failure line to replay it
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
