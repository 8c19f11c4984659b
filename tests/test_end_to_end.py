"""The acceptance path as a school or district would walk it: generate → validate / extract, through the
real ``hocba`` command and the real csv plugin."""

from __future__ import annotations

import json

import jsonschema
import pytest
from openpyxl import load_workbook

from connector.model import json_schema
from tests.conftest import run_hocba

OPT_IN_ID = ("--set", "include_personal_id=true")


def generate(tmp_path, name, *args):
    out = tmp_path / name
    proc = run_hocba("generate", "--format", "csv", "--out", str(out), *args)
    assert proc.returncode == 0, proc.stderr
    return out


def validate_json(school, *args):
    proc = run_hocba("validate", str(school), "--json", *args)
    assert "Traceback" not in proc.stderr
    return proc, json.loads(proc.stdout)


def injected(school):
    return [json.loads(line) for line in (school / "injected_errors.jsonl").read_text("utf-8").splitlines()]


@pytest.mark.parametrize("level, students, years", [("primary", 300, 1), ("secondary", 320, 2)])
def test_every_injected_error_is_reported(tmp_path, level, students, years):
    school = generate(tmp_path, level, "--seed", "7", "--level", level, "--students", str(students),
                      "--years", str(years), "--errors", "0.3", "--personal-ids")
    proc, report = validate_json(school, *OPT_IN_ID)
    assert proc.returncode == 1, proc.stderr
    reported = {(f["rule_id"], f["student_key"], f["nam_hoc"]) for f in report["findings"]}
    planted = injected(school)
    assert len({p["check"] for p in planted}) >= (20 if level == "primary" else 35)
    missed = [p for p in planted if (p["rule_id"], p["student_key"], p["nam_hoc"]) not in reported]
    assert missed == [], f"{len(missed)} of {len(planted)} injected errors not reported: {missed[:5]}"


@pytest.mark.parametrize("level", ["primary", "thcs", "thpt"])
def test_clean_school_has_no_error_findings(tmp_path, level):
    school = generate(tmp_path, level, "--seed", "7", "--level", level, "--students", "150", "--personal-ids")
    proc, report = validate_json(school, *OPT_IN_ID)
    assert proc.returncode == 0, report["summary"]
    assert report["summary"]["errors"] == 0 and report["summary"]["input_problems"] == 0
    assert report["summary"]["records"] == 150


def test_reports_for_the_clerk(tmp_path):
    school = generate(tmp_path, "s", "--seed", "3", "--level", "thcs", "--students", "60", "--errors", "0.3")
    xlsx, html = tmp_path / "bao-cao.xlsx", tmp_path / "bao-cao.html"
    text = run_hocba("validate", str(school), "--report", str(xlsx))
    assert text.returncode == 1 and "Báo cáo kiểm tra dữ liệu học bạ" in text.stdout
    assert "TẠM THỜI" in text.stdout  # the provisional-format notice
    english = run_hocba("validate", str(school), "--lang", "en", "--report", str(html))
    assert "Transcript data validation report" in english.stdout and "errors" in english.stdout
    _, report = validate_json(school)
    rows = list(load_workbook(xlsx, read_only=True)["Phát hiện"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Mức độ", "Quy tắc", "Năm học")
    assert len(rows) - 1 == len(report["findings"])
    assert {r[1] for r in rows[1:]} == {f["rule_id"] for f in report["findings"]}
    page = html.read_text("utf-8")
    assert "<table>" in page and report["findings"][0]["rule_id"] in page


def test_extract_writes_schema_valid_canonical_json_lines(tmp_path):
    school = generate(tmp_path, "s", "--seed", "5", "--level", "primary", "--students", "40")
    out = tmp_path / "records.jsonl"
    proc = run_hocba("extract", str(school), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text("utf-8").splitlines()
    assert len(lines) == 40
    schema = json_schema()
    for line in lines:
        jsonschema.validate(json.loads(line), schema)


def test_incremental_extract_only_returns_what_changed(tmp_path):
    school = generate(tmp_path, "s", "--seed", "5", "--level", "thcs", "--students", "30")
    cfg = tmp_path / "hocba.toml"
    cfg.write_text(f'[state]\nurl = "sqlite:///{tmp_path}/state.db"\n', encoding="utf-8")

    def extract():
        out = tmp_path / "out.jsonl"
        proc = run_hocba("extract", str(school), "-o", str(out), "--incremental", "-c", str(cfg))
        assert proc.returncode == 0, proc.stderr
        return [json.loads(line)["payload"] for line in out.read_text("utf-8").splitlines()]

    assert len(extract()) == 30
    assert extract() == []
    scores = school / "diem_thcs_thpt.csv"
    lines = scores.read_text("utf-8-sig").splitlines()
    header, first = lines[0].split(","), lines[1].split(",")
    student = first[header.index("Mã học sinh")] if "Mã học sinh" in header else first[0]
    gk = header.index(next(h for h in header if "gk" in h.lower() or "giữa kỳ" in h.lower()))
    first[gk] = "9.9" if first[gk] != "9.9" else "9.8"
    scores.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n", encoding="utf-8-sig")
    changed = extract()
    assert [p["student_key"] for p in changed] == [student]
