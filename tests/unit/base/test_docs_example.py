"""docs/writing-apps.md: the example app and its emulator test, run as written."""

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[3] / "docs" / "writing-apps.md"


@pytest.mark.timeout(30)
def test_writing_apps_example_runs(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    app_code, test_code = blocks[0], blocks[1]
    (tmp_path / "flood_counter.py").write_text(app_code)
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(test_code, str(DOC), "exec"), namespace)
    namespace["test_floods_and_counts"]()
