"""Fixtures shared by the app tests."""

import pytest


@pytest.fixture
def harnesses(tmp_path):
    """``start(cls, **kw)`` builds ``cls(tmp_path, **kw)``; every one built is stopped at the end."""
    made = []

    def start(cls, **kw):
        h = cls(tmp_path, **kw)
        made.append(h)
        return h

    yield start
    for h in made:
        h.stop()
