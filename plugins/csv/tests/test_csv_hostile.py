"""Broken and hostile inputs through the real command line: ``hocba validate PATH --json``.

For each case: exit code 1 or 2, never a traceback, a problem naming the file (and the row and the
column when the fault is in a cell), and the good rows still validated.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from csv_helpers import extract
from csv_hostile_cases import CASES, Case

HOCBA = Path(sys.executable).with_name("hocba")


def run_validate(path: Path, settings: dict) -> subprocess.CompletedProcess:
    args = [str(HOCBA), "validate", str(path), "--json", "--lang", "en"]
    for key, value in settings.items():
        args += ["--set", f"{key}={value}"]
    env = {**os.environ, "HOCBA_LOG_FORMAT": "json", "HOCBA_LOAD_PLUGINS": "csv"}
    env.pop("HOCBA_CONFIG", None)
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)


CLI_CASES = [c for c in CASES if c.cli]


def test_there_are_at_least_thirty_cases():
    assert len(CLI_CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)


def check(case: Case, problems: list[dict], records: int) -> None:
    match = [p for p in problems if p["key"] == case.key and p["file"] == case.file]
    assert match, [(p["key"], p["file"], p["row"], p["column"]) for p in problems]
    p = match[0]
    assert case.file in p["message"]
    if case.row is not None:
        assert (p["row"], p["column"]) == (case.row, case.column)
        assert f"row {case.row}" in p["message"]
        if case.column:
            assert case.column in p["message"]
    assert records == case.records


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_in_process(tmp_path, case: Case):
    """Every case through the source itself (fast): the same expectations as on the command line."""
    records, problems = extract(case.build(tmp_path), **case.settings)
    assert any(p.severity == "error" for p in problems)
    check(case, [{"key": p.key, "file": p.file, "row": p.row, "column": p.column, "message": p.message("en")}
                 for p in problems], len(records))


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.name for c in CLI_CASES])
def test_hostile_input(tmp_path, case: Case):
    path = case.build(tmp_path)
    result = run_validate(path, case.settings)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode in (1, 2), result.stderr[-2000:]
    report = json.loads(result.stdout)
    check(case, report["input_problems"], report["summary"]["records"])
