"""Test-suite wide settings.

Hypothesis profiles: ``dev`` (default, quick) and ``ci`` (chosen when ``CI`` is
set; thousands of examples per property, derandomized so a CI run is
repeatable).  ``HYPOTHESIS_MAX_EXAMPLES`` overrides the example count.
"""

import os

from hypothesis import HealthCheck, settings

_ci_examples = int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "3000"))
settings.register_profile(
    "ci",
    max_examples=_ci_examples,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "dev",
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
