"""Hypothesis profiles for the form fuzzing (tests/fuzz). `HYPOTHESIS_PROFILE` picks one:
- "ci" (the default): 25 examples per form, derandomized so a run is reproducible and a
  failure comes back on the next run;
- "thorough": 500 examples per form, random, for a developer hunting for more.
Examples share the test's database transaction; each example checks its own changes."""

import os

from hypothesis import HealthCheck, settings

COMMON = {
    "deadline": None,
    "database": None,  # no .hypothesis folder in the checkout
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    "print_blob": True,
}
settings.register_profile("ci", max_examples=25, derandomize=True, **COMMON)
settings.register_profile("thorough", max_examples=500, **COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
