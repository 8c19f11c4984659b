"""``hocba generate``: files written, same data as the API, the csv plugin's exporter for csv/xlsx."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from connector.cli import cli
from connector.model import StudentYear, canonical_json
from connector.synth import generate, read_injected_errors
from connector.synth import cli as synth_cli

ARGS = ["generate", "--seed", "7", "--level", "thcs", "--students", "60", "--errors", "0.2"]


def run(*args: str):
    return CliRunner().invoke(cli, [*args], catch_exceptions=False)


def test_jsonl_school_matches_the_api(tmp_path):
    out = tmp_path / "truong"
    result = run(*ARGS, "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = (out / "records.jsonl").read_text(encoding="utf-8").splitlines()
    expected = list(generate(7, level="thcs", students=60, error_share=0.2))
    assert lines == [canonical_json(r) for r, _ in expected]
    assert all(StudentYear.model_validate_json(line) for line in lines[:5])
    assert list(read_injected_errors(out / "injected_errors.jsonl")) == [e for _, e in expected if e]
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert "KHÔNG PHẢI DỮ LIỆU HỌC SINH THẬT" in readme and "NOT REAL STUDENT DATA" in readme
    assert "seed         7" in readme


def test_same_options_write_the_same_files(tmp_path):
    for name in ("a", "b"):
        assert run(*ARGS, "--years", "2", "--out", str(tmp_path / name)).exit_code == 0
    for file in ("records.jsonl", "injected_errors.jsonl", "README.txt"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_a_bad_school_year_is_a_usage_error(tmp_path):
    result = run("generate", "--nam-hoc", "2025-2027", "--out", str(tmp_path / "x"))
    assert result.exit_code == 2
    assert "2025-2026" in result.output
    assert not (tmp_path / "x").exists()


def test_csv_without_an_exporter_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("HOCBA_LOAD_PLUGINS", "")  # built-ins only: no csv plugin
    result = run("generate", "--format", "csv", "--out", str(tmp_path / "x"), "--lang", "en")
    assert result.exit_code == 2
    assert "csv plugin" in result.output and "--format jsonl" in result.output
    assert not (tmp_path / "x").exists()


class FakeCsv:
    calls: list = []

    @classmethod
    def export(cls, records, destination):
        cls.calls.append(([r.student_key for r in records], destination))


@pytest.mark.parametrize("fmt,target", [("csv", ""), ("xlsx", "truong.xlsx")])
def test_csv_and_xlsx_go_through_the_csv_plugins_exporter(tmp_path, monkeypatch, fmt, target):
    monkeypatch.setattr(synth_cli, "exporter", lambda fmt: FakeCsv.export)
    FakeCsv.calls.clear()
    out = tmp_path / "truong"
    result = run(*ARGS, "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    [(keys, destination)] = FakeCsv.calls
    assert len(keys) == 60 and destination == str(out / target if target else out)
    assert (out / "injected_errors.jsonl").exists() and (out / "README.txt").exists()


def test_canary_name_is_in_the_data_and_never_in_the_logs(tmp_path, hocba):
    out = tmp_path / "canary"
    name = "Trương Thị Canary"
    result = hocba("--log-level", "debug", "--log-format", "json", "generate", "--level", "primary",
                   "--students", "40", "--errors", "0.3", "--canary", name, "--out", str(out))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sum(r["student"]["ho_ten"] == name for r in records) == 1
    assert name not in result.stderr and name not in result.stdout
    assert "generate_done" in result.stderr  # the log line is there, with counts only


def test_another_process_writes_the_same_bytes(tmp_path, hocba):
    """Nothing depends on Python's per-process hash seed: the data is reproducible on any run."""
    out = tmp_path / "again"
    result = hocba(*ARGS, "--out", str(out), env={"PYTHONHASHSEED": "12345"})
    assert result.returncode == 0, result.stderr
    expected = [canonical_json(r) for r, _ in generate(7, level="thcs", students=60, error_share=0.2)]
    assert (out / "records.jsonl").read_text(encoding="utf-8").splitlines() == expected
