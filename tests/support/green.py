"""Run blocking client code against in-process green servers.

The helper lives with the app-test harness in ``ctrlapp.testing.app_harness``; tests
keep importing it from here.
"""

from ctrlapp.testing.app_harness import run_blocking

__all__ = ["run_blocking"]
