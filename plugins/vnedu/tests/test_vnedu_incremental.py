"""Incremental runs through the real command (``hocba extract --incremental``), the runner and the state
store: state per (source, school), only changed student-years, deletions reported, --full-refresh."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from click.testing import CliRunner

from connector.cli import cli
from connector.state import StateStore
from connector.synth import generate_school

from vnedu_db import PASSWORD_ENV, extract

SCHOOL_A, SCHOOL_B = "79000501", "79000502"


@pytest.fixture
def school(fresh_tenant, tmp_path, monkeypatch):
    records = (list(generate_school(51, level="thcs", students=24, ma_truong=SCHOOL_A))
               + list(generate_school(52, level="primary", students=12, ma_truong=SCHOOL_B)))
    t = fresh_tenant(records)
    monkeypatch.setenv(PASSWORD_ENV, t.password)
    config = tmp_path / "hocba.toml"
    config.write_text(
        f'[state]\nurl = "sqlite:///{tmp_path / "state.db"}"\n\n'
        f'[sources.vn]\nplugin = "vnedu"\nurl = "{t.url(password=False)}"\npassword_env = "{PASSWORD_ENV}"\n'
        "lookback = 0\nchunk_size = 10\n", encoding="utf-8")
    t.config_file, t.tmp, t.records = config, tmp_path, records
    return t


def run(t, *args: str) -> tuple[int, list[dict], str]:
    out = t.tmp / f"out-{datetime.now().timestamp()}.jsonl"
    result = CliRunner().invoke(cli, ["extract", "--source", "vn", "--config", str(t.config_file), "-o", str(out),
                                      "--lang", "en", *args])
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()] if out.exists() else []
    return result.exit_code, lines, result.output


def keys(lines: list[dict]) -> set[str]:
    p = [line["payload"] for line in lines if line["kind"] == "record"]
    return {f"{x['student_key']}|{x['nam_hoc']}|{x['ma_truong']}" for x in p}


def removals(lines: list[dict]) -> list[tuple[str, str]]:
    return [(line["record_key"], line["reason"]) for line in lines if line["kind"] == "removal"]


def change_scores(t, records) -> None:
    """A teacher corrects a mark of each of these students (the application bumps updated_at)."""
    for r in records:
        t.execute("UPDATE diem_hoc_ky d JOIN hoc_sinh_lop e ON e.hoc_sinh_lop_id = d.hoc_sinh_lop_id "
                  "JOIN hoc_sinh h ON h.hoc_sinh_id = e.hoc_sinh_id SET d.diem = :book "
                  "WHERE h.ma_hoc_sinh = :code AND d.hoc_ky = 1 AND d.stt = 0",
                  book='{"TX":[10,10,10,10],"GK":[10],"CK":[10]}', code=r.student.ma_hoc_sinh)


def test_second_run_extracts_nothing_then_exactly_the_three_changed_student_years(school):
    code, first, _ = run(school, "--incremental")
    assert code == 0 and keys(first) == {r.key for r in school.records}
    code, second, output = run(school, "--incremental")
    assert code == 0 and second == [] and "0" in output
    changed = [r for r in school.records if r.ma_truong == SCHOOL_A][2:5]
    change_scores(school, changed)
    code, third, _ = run(school, "--incremental")
    assert code == 0 and keys(third) == {r.key for r in changed}
    code, fourth, _ = run(school, "--incremental")
    assert fourth == []


def test_a_deleted_student_year_comes_out_as_a_removal_and_again_as_a_record_when_restored(school):
    """`hocba extract` writes the source's deletions into its output (kind "removal"), and forgets the
    record's hash, so restoring it in the source brings the record out again."""
    run(school, "--incremental")
    gone = [r for r in school.records if r.ma_truong == SCHOOL_A][1]
    flag = ("UPDATE hoc_sinh_lop e JOIN hoc_sinh h ON h.hoc_sinh_id = e.hoc_sinh_id SET e.da_xoa = :d "
            "WHERE h.ma_hoc_sinh = :c")
    school.execute(flag, d=1, c=gone.student.ma_hoc_sinh)
    code, deleted, output = run(school, "--incremental")
    assert code == 0 and keys(deleted) == set() and removals(deleted) == [(gone.key, "deleted")]
    assert "1 removal notices" in output
    school.execute(flag, d=0, c=gone.student.ma_hoc_sinh)
    code, restored, _ = run(school, "--incremental")
    assert code == 0 and keys(restored) == {gone.key} and removals(restored) == []


def test_full_refresh_extracts_everything_again(school):
    run(school, "--incremental")
    code, again, _ = run(school, "--full-refresh")
    assert code == 0 and keys(again) == {r.key for r in school.records}


def test_state_is_kept_per_school(school):
    code, a, _ = run(school, "--incremental", "--school", SCHOOL_A)
    assert keys(a) == {r.key for r in school.records if r.ma_truong == SCHOOL_A}
    code, b, _ = run(school, "--incremental", "--school", SCHOOL_B)  # never read before: all of it
    assert keys(b) == {r.key for r in school.records if r.ma_truong == SCHOOL_B}
    assert run(school, "--incremental", "--school", SCHOOL_A)[1] == []
    store = StateStore(f"sqlite:///{school.tmp / 'state.db'}")
    assert store.get("vn", SCHOOL_A).cursor and store.get("vn", SCHOOL_B).cursor


def test_the_source_reads_only_what_changed_and_reports_deletions(school):
    """At the source itself (below the runner's content hashes): with the cursor of a finished run it
    reads the changed student-years (and those sharing the boundary instant, ``>=``), and a soft-deleted
    student-year comes as a Removal."""
    from hocba_vnedu.plugin import VneduSource

    config = {"url": school.url(password=False), "password": school.password, "lookback": 0}
    source = VneduSource(config)
    cursor = source.new_cursor()
    source.close()
    assert datetime.fromisoformat(cursor).tzinfo is not None
    changed = [r for r in school.records if r.ma_truong == SCHOOL_B][:3]
    change_scores(school, changed)
    gone = [r for r in school.records if r.ma_truong == SCHOOL_A][0]
    school.execute("UPDATE hoc_sinh_lop e JOIN hoc_sinh h ON h.hoc_sinh_id = e.hoc_sinh_id SET e.da_xoa = 1 "
                   "WHERE h.ma_hoc_sinh = :c", c=gone.student.ma_hoc_sinh)
    records, removals, _ = extract(config, cursor=cursor)
    boundary, _, _ = extract(config, cursor=cursor.replace(cursor[:4], str(int(cursor[:4]) + 1)))
    assert {r.key for r in changed} <= records.keys() and gone.key not in records
    assert [(r.record_key, r.reason) for r in removals] == [(gone.key, "deleted")]
    assert not boundary  # a cursor after every change reads nothing
    newer = VneduSource(config)
    assert newer.new_cursor() > cursor
    newer.close()


def test_a_changed_student_name_rereads_all_their_years(fresh_tenant):
    """Changes in a joined table (the student) count for every student-year that uses it."""
    records = list(generate_school(53, level="thcs", students=10, years=3, ma_truong="79000503"))
    t = fresh_tenant(records)
    config = {"url": t.url(password=False), "password": t.password, "lookback": 0}
    from hocba_vnedu.plugin import VneduSource

    source = VneduSource(config)
    cursor = source.new_cursor()
    source.close()
    student = next(r for r in records if r.nam_hoc == "2023-2024").student
    t.execute("UPDATE hoc_sinh SET ho_ten = 'Nguyễn Văn Đổi Tên' WHERE ma_hoc_sinh = :c", c=student.ma_hoc_sinh)
    got, _, _ = extract(config, cursor=cursor)
    years = {r.key for r in records if r.student_key == student.ma_hoc_sinh}
    assert years <= got.keys() and len(years) >= 2
    assert all(got[k].payload.student.ho_ten == "Nguyễn Văn Đổi Tên" for k in years)
