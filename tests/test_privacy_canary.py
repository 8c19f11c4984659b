"""Canary test: plant a student's name, birth date and personal ID number, and a database password, run
every command at debug level, and prove none of them reaches any log (brief 07 §3.2)."""

from __future__ import annotations

import json

from tests.conftest import run_hocba

CANARY_NAME = "Canary Thị Hoạ Mi"
SECRET = "S3cret-canary-Pw!"


def test_no_personal_data_or_secret_in_any_log(tmp_path):
    log = tmp_path / "hocba.log"
    env = {"HOCBA_LOG_FILE": str(log), "HOCBA_LOG_LEVEL": "debug", "HOCBA_LOG_FORMAT": "json",
           "HOCBA_TRACE_PLUGINS": "1", "HOCBA_TEST_DB_PASSWORD": SECRET}
    school = tmp_path / "school"
    records = tmp_path / "jsonl"
    common = ("--seed", "9", "--level", "thcs", "--students", "40", "--errors", "0.5", "--personal-ids",
              "--canary", CANARY_NAME)
    assert run_hocba("generate", *common, "--format", "csv", "--out", str(school), env=env).returncode == 0
    assert run_hocba("generate", *common, "--format", "jsonl", "--out", str(records), env=env).returncode == 0
    canary = next(json.loads(line) for line in (records / "records.jsonl").read_text("utf-8").splitlines()
                  if CANARY_NAME in line)
    birth = canary["student"]["ngay_sinh"]  # ISO yyyy-mm-dd
    y, m, d = birth.split("-")
    personal_id = canary["student"]["so_dinh_danh_ca_nhan"]
    assert personal_id, "the canary student needs a personal ID"
    # A broken row carrying the canary's data must be reported without quoting it in logs.
    students = school / "hoc_sinh.csv"
    text = students.read_text("utf-8-sig")
    students.write_text(text.replace(f"{d}/{m}/{y}", f"{d}/{m}/{y}x", 1), encoding="utf-8-sig")

    cfg = tmp_path / "hocba.toml"
    cfg.write_text(f'''
[state]
url = "sqlite:///{tmp_path}/state.db"
[sources.truong]
plugin = "csv"
path = "{school}"
include_personal_id = true
[sources.vnedu]
plugin = "vnedu"
url = "mysql+pymysql://hocba@127.0.0.1:1/vnedu"
password_env = "HOCBA_TEST_DB_PASSWORD"
''', encoding="utf-8")
    outputs = []
    for args in (
        ("plugins", "--json"),
        ("check", "--source", "truong"),
        ("discover", "--source", "truong"),
        ("extract", "--source", "truong", "-o", str(tmp_path / "r.jsonl"), "--incremental"),
        ("validate", "--source", "truong", "--json"),
        ("validate", "--source", "truong", "--report", str(tmp_path / "r.xlsx")),
        ("validate", "--source", "truong", "--lang", "en"),
        ("check", "--source", "vnedu"),
        ("discover", "--source", "vnedu"),
    ):
        proc = run_hocba(*args, "-c", str(cfg), env=env)
        assert "Traceback" not in proc.stderr, (args, proc.stderr)
        outputs.append(proc.stderr)

    logged = log.read_text("utf-8")
    assert "validate_done" in logged and "extract_end" in logged  # the logs were really written
    assert logged.count("\n") > 20
    everything_logged = logged + "\n".join(outputs)  # stderr carries logs and one-line errors
    for canary_value in (CANARY_NAME, "Hoạ Mi", birth, f"{d}/{m}/{y}", personal_id, SECRET):
        assert canary_value not in everything_logged, f"{canary_value!r} leaked into a log"
