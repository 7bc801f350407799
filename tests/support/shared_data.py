"""Where the project's shared reference data (``../shared`` beside the checkout) is.

The test data (real OpenFlow messages, captures) lives outside the repository,
in the ``shared/`` folder next to the checkout.  ``CTRLAPP_SHARED`` overrides
the location.  A missing folder is an error, not a reason to skip.
"""

from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parents[2]


def _find() -> Path:
    candidates = [Path(p) for p in (os.environ.get("CTRLAPP_SHARED"),) if p]
    candidates += [_REPO.parent / "shared", Path("/work/shared")]
    for path in candidates:
        if (path / "testdata").is_dir():
            return path
    raise RuntimeError(
        "shared test data not found: expected a 'shared/testdata' folder beside the checkout "
        f"(looked in {', '.join(map(str, candidates))}); set CTRLAPP_SHARED to its location"
    )


SHARED = _find()
TESTDATA = SHARED / "testdata"
