"""The smas plugin's SQL, run for real: pyodbc + unixODBC with the MariaDB ODBC driver (mysql+pyodbc) and
the PostgreSQL ODBC driver (postgresql+pyodbc), same SQLAlchemy Core statements, a SELECT-only login.

The tenant holds two generated schools over several years (transfers, repeats, leavers, legacy years),
hand-made records using every field, a class change, soft-deleted rows and an empty school
(smas_data.py); every record must come back equal, as canonical JSON, to what was loaded."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import DBAPIError

from connector.extract import Record
from connector.model import RemovalNotice
from connector.extract.runner import Run
from connector.model import canonical_json
from connector.state import StateStore

from hocba_smas import schema as s
from hocba_smas.plugin import SmasSource
from smas_data import (
    HAND_MADE_SCHOOL, PRIMARY_SCHOOL, SECONDARY_SCHOOL, VIETNAMESE, VIETNAMESE_NAME, _later, canonical,
    every_field_records, read,
)


def test_every_record_comes_back_equal_as_canonical_json(tenant, extracted):
    records, _, problems = extracted
    found = canonical(records)
    assert problems == []
    assert len(records) == len(found), "a student-year came out twice"
    differ = sorted(k for k in found.keys() | tenant.expected.keys() if found.get(k) != tenant.expected.get(k))
    assert differ == []


def test_history_is_there_legacy_years_repeats_transfers_and_leavers(tenant, extracted):
    everything, _, _ = extracted
    assert {r.payload.trang_thai for r in everything} == {"dang_hoc", "chuyen_den", "chuyen_di", "thoi_hoc"}
    assert {r.payload.framework for r in everything} == {"TT27", "TT22", "LEGACY"}
    records = [r for r in everything if r.payload.ma_truong == SECONDARY_SCHOOL["ma_truong"]]
    assert len({r.payload.nam_hoc for r in records}) == SECONDARY_SCHOOL["years"]
    grades_by_student: dict[str, list[int]] = {}
    for r in sorted(records, key=lambda r: r.payload.nam_hoc):
        grades_by_student.setdefault(r.payload.student_key, []).append(r.payload.khoi)
    assert any(len(g) != len(set(g)) for g in grades_by_student.values()), "no student repeated a grade"


def test_soft_deleted_student_year_is_a_removal_and_a_class_change_is_not(tenant, extracted):
    records, removals, _ = extracted
    deleted = {r.record_key for r in removals if r.reason == "deleted"}
    assert deleted == tenant.removed
    assert not deleted & {r.payload.key for r in records}


def test_leavers_and_transfers_out_come_as_record_then_removal(tenant, extracted):
    records, removals, _ = extracted
    leaving = {r.record_key: r.reason for r in removals if r.reason != "deleted"}
    assert set(leaving) == tenant.leaving and tenant.leaving
    by_key = {r.payload.key: r.payload for r in records}
    assert all(by_key[k].trang_thai == reason for k, reason in leaving.items())


def test_school_filter_and_schools_setting_read_only_that_school(tenant):
    code = PRIMARY_SCHOOL["ma_truong"]
    by_argument, _, _ = read(tenant.config(), school=code)
    by_setting, _, _ = read(tenant.config(schools=[code]))
    assert {r.payload.ma_truong for r in by_argument} == {code}
    assert canonical(by_argument) == canonical(by_setting)
    assert canonical(by_argument) == {k: v for k, v in tenant.expected.items() if k.endswith("|" + code)}


def test_vietnamese_text_is_byte_exact_nfc_through_the_driver(tenant):
    records, _, _ = read(tenant.config(), school=HAND_MADE_SCHOOL)
    first = next(r.payload for r in records if r.payload.student_key == "SMAS00001")
    assert first.student.ho_ten.encode("utf-8") == unicodedata.normalize("NFC", VIETNAMESE_NAME).encode("utf-8")
    assert first.nhan_xet_gvcn.encode("utf-8") == unicodedata.normalize("NFC", VIETNAMESE).encode("utf-8")


def test_text_stored_in_nfd_comes_out_nfc(fresh_tenant, tenant):
    kind = tenant.server.kind
    loaded = fresh_tenant(kind, every_field_records()[:1])
    nfd = unicodedata.normalize("NFD", VIETNAMESE_NAME)
    engine = loaded.engine()
    with engine.begin() as conn:
        conn.execute(update(s.HocSinh).values(HoTen=nfd))
        assert conn.execute(select(s.HocSinh.c.HoTen)).scalar() == nfd  # the database keeps NFD as is
    engine.dispose()
    records, _, _ = read(loaded.config())
    assert records[0].payload.student.ho_ten.encode("utf-8") == unicodedata.normalize("NFC", nfd).encode("utf-8")


#: An UPDATE in each dialect's own quoting (the plugin itself has no write statement to try).
WRITE = {"mariadb": "UPDATE Truong SET TenTruong = 'x'", "postgresql": 'UPDATE dbo."Truong" SET "TenTruong" = \'x\''}


def test_the_reading_login_cannot_write_through_the_plugins_connection(tenant):
    """Every extraction here runs with a SELECT-only login; on MariaDB and PostgreSQL the plugin's session
    is read-only as well. Neither lets an UPDATE through."""
    source = SmasSource(tenant.config())
    try:
        with source.engine().connect() as conn, pytest.raises(DBAPIError) as refused:
            conn.execute(text(WRITE[tenant.server.kind]))
    finally:
        source.close()
    assert any(word in str(refused.value.orig).lower() for word in ("denied", "read only", "read-only"))


def test_killed_connection_mid_extraction_gives_every_record_exactly_once(tenant):
    config = tenant.config(chunk_size=7)
    source = SmasSource(config)
    keys, killed = [], 0
    try:
        for message in source.extract():
            if isinstance(message, Record):
                keys.append(message.payload.key)
                if len(keys) in (10, 40):  # twice, on different chunks
                    for connection in tenant.server.connection_ids(tenant.reader[0]):
                        tenant.server.kill_connection(connection)
                        killed += 1
    finally:
        source.close()
    assert killed >= 2
    assert len(keys) == len(set(keys)), "a record came twice"
    assert set(keys) == set(tenant.expected)


# --- incremental runs -------------------------------------------------------------------------------------


def _run(store: StateStore, config: dict, *, full_refresh: bool = False) -> tuple[list, list]:
    run = Run(SmasSource(config), source_id="smas_test", plugin="smas", plugin_version="test", store=store,
              full_refresh=full_refresh)
    try:
        out = list(run)
        run.commit()
    finally:
        run.source.close()
    return ([m.payload.key for m in out if hasattr(m, "payload")],
            [m for m in out if isinstance(m, RemovalNotice)])


@pytest.mark.parametrize("kind", ["mariadb", "postgresql"])
def test_incremental_runs_read_only_what_changed(kind, fresh_tenant, tmp_path):
    loaded = fresh_tenant(kind, every_field_records() + list(_generated()))
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    config = loaded.config()

    first, _ = _run(store, config)
    assert sorted(first) == sorted(loaded.expected)
    second, _ = _run(store, config)
    assert second == []

    # three students' scores change (the teacher corrects a regular assessment)
    engine = loaded.engine()
    changed = sorted(k for k in loaded.expected if k.endswith(f"|2025-2026|{SECONDARY_SCHOOL['ma_truong']}"))[:3]
    with engine.begin() as conn:
        later = _later(engine)
        for key in changed:
            enrolment = _enrolment(conn, key)
            first_score = select(s.DiemChiTiet.c.DiemChiTietID).where(
                s.DiemChiTiet.c.HocSinhLopID == enrolment, s.DiemChiTiet.c.LoaiDiem == "TX").limit(1)
            score_id = conn.execute(first_score).scalar()
            conn.execute(update(s.DiemChiTiet).where(s.DiemChiTiet.c.DiemChiTietID == score_id)
                         .values(Diem="9.9", NgayCapNhat=later))
    third, _ = _run(store, config)
    assert sorted(third) == changed

    # a student-year deleted in the application: reported as a removal on the next run
    with engine.begin() as conn:
        conn.execute(update(s.HocSinhLop).where(s.HocSinhLop.c.HocSinhLopID == _enrolment(conn, changed[0]))
                     .values(IsDeleted=True, NgayCapNhat=_later(engine)))
    engine.dispose()
    fourth, removals = _run(store, config)
    assert fourth == [] and [r.record_key for r in removals if r.reason == "deleted"] == [changed[0]]

    everything, _ = _run(store, config, full_refresh=True)
    assert sorted(everything) == sorted(set(loaded.expected) - {changed[0]})


def _generated():
    from connector.synth import generate_school

    return generate_school(**{**SECONDARY_SCHOOL, "students": 8, "years": 2})


def _enrolment(conn, key: str) -> int:
    student_key, nam_hoc, school = key.split("|")
    return conn.execute(
        select(s.HocSinhLop.c.HocSinhLopID).join(s.Lop, s.Lop.c.LopID == s.HocSinhLop.c.LopID)
        .join(s.Truong, s.Truong.c.TruongID == s.Lop.c.TruongID)
        .join(s.HocSinh, s.HocSinh.c.HocSinhID == s.HocSinhLop.c.HocSinhID)
        .where(s.HocSinh.c.MaHocSinh == student_key, s.Lop.c.NamHoc == int(nam_hoc[:4]), s.Truong.c.MaTruong == school,
               s.HocSinhLop.c.IsDeleted == False)  # noqa: E712 — SQL comparison
    ).scalar_one()


def test_export_then_extract_round_trips_hand_made_records_exactly(fresh_tenant, tenant):
    records = every_field_records()
    loaded = fresh_tenant(tenant.server.kind, records)
    found, _, problems = read(loaded.config())
    assert problems == []
    assert canonical(found) == {r.key: canonical_json(r) for r in records}


def test_a_value_the_model_cannot_hold_is_a_problem_naming_table_row_and_column(fresh_tenant, tenant):
    loaded = fresh_tenant(tenant.server.kind, every_field_records()[:2])
    engine = loaded.engine()
    with engine.begin() as conn:
        enrolment = conn.execute(select(s.HocSinhLop.c.HocSinhLopID).order_by(s.HocSinhLop.c.HocSinhLopID)).scalars().first()
        conn.execute(insert(s.DiemChiTiet).values(
            DiemChiTietID=10_000, HocSinhLopID=enrolment, MonHocID=conn.execute(select(s.MonHoc.c.MonHocID)).scalars().first(),
            HocKy=1, LoaiDiem="TX", STT=50, Diem="bảy", NhanXet=None, IsDeleted=False, NgayCapNhat=_later(engine)))
    engine.dispose()
    records, _, problems = read(loaded.config())
    assert len(records) == 1 and len(problems) == 1
    problem = problems[0]
    assert (problem.key, problem.file, problem.row, problem.column, problem.value) == (
        "source_value_invalid", "DiemChiTiet", enrolment, "Diem", "bảy")
