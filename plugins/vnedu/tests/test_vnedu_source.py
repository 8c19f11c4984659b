"""What the vnedu source reads from a realistic tenant on a real MariaDB, as a SELECT-only account:
every generated school back exactly, legacy M/P/V/HK years as history, soft deletes and transfers as
Removals, Vietnamese text byte-exact, unreadable rows as Problems."""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from connector.errors import SourceError
from connector.extract import Problem, Record, Removal, SourceState
from connector.model import canonical_json
from connector.synth import generate_school

from hocba_vnedu.plugin import VneduSource
from vnedu_db import DELETED_SCHOOL, LEGACY_SCHOOL, SCHOOLS, differences, extract, nfd


@pytest.fixture(scope="module")
def extracted(tenant):
    return extract(tenant.config())


def test_every_student_year_comes_back_exactly(tenant, extracted):
    records, _, problems = extracted
    assert not problems
    assert not differences(tenant.expected, records)


def test_the_tenant_is_realistic(tenant):
    """Several schools and years; transfers in and out; repeated grades; legacy years; a class change."""
    by_student = {}
    for r in tenant.expected.values():
        by_student.setdefault((r.ma_truong, r.student_key), []).append(r)
    statuses = Counter(r.trang_thai for r in tenant.expected.values())
    repeats = [rs for rs in by_student.values() if len({r.khoi for r in rs}) < len(rs)]
    assert len({r.ma_truong for r in tenant.expected.values()}) == len(SCHOOLS)
    assert len({r.nam_hoc for r in tenant.expected.values()}) >= 4
    assert statuses["chuyen_den"] and statuses["chuyen_di"]
    assert repeats, "no student repeated a grade in the generated tenant"
    assert Counter(r.framework for r in tenant.expected.values()).keys() >= {"TT22", "TT27", "LEGACY"}


def test_legacy_mpvh_years_are_read_as_history(tenant, extracted):
    """A TT58 year: M/P/V/HK grade books of both semesters concatenated per key, the old words kept; it is a
    LegacyAssessment, which hocba never emits as a new Học bạ số."""
    records, _, _ = extracted
    legacy = [r.payload for r in records.values() if r.payload.nam_hoc == "2019-2020"]
    assert len(legacy) == 1 and legacy[0].framework == "LEGACY" and legacy[0].ma_truong == LEGACY_SCHOOL
    toan = next(s for s in legacy[0].danh_gia.mon_hoc if s.mon == "toan")
    assert {k: [str(v) for v in vs] for k, vs in toan.diem.items()} == {
        "M": ["8", "9", "9"], "P": ["7", "8.5", "8"], "V": ["6.5", "8", "7.5"], "HK": ["7", "8.0"]}
    assert legacy[0].danh_gia.hoc_luc == "Khá" and legacy[0].danh_gia.hanh_kiem == "Tốt"


def test_legacy_years_are_never_serialised_as_a_new_hoc_ba_so(extracted):
    """Where legacy years go: the XML profile (what gets signed) refuses them, the TT22/TT27 years pass."""
    from connector.xml.hocba_profile import HocbaProfile
    from connector.xml.profile import ProfileError

    records, _, _ = extracted
    profile = HocbaProfile()
    legacy = [r.payload for r in records.values() if r.payload.framework == "LEGACY"]
    current = next(r.payload for r in records.values() if r.payload.framework == "TT22")
    assert len(legacy) > 1  # generated pre-TT22 years and the M/P/V/HK one
    for record in legacy:
        with pytest.raises(ProfileError) as refused:
            profile.serialize(record)
        assert refused.value.key == "xml_framework_not_supported"
    assert profile.serialize(current).startswith(b"<?xml")


def test_soft_deleted_enrolment_is_a_removal_and_a_class_change_is_not(tenant, extracted):
    records, removals, _ = extracted
    deleted = {r.record_key for r in removals if r.reason == "deleted"}
    assert deleted == set(tenant.removed)
    assert not deleted & records.keys()
    moved = [r.payload for r in records.values() if r.payload.lop.endswith("-B")]
    assert len(moved) == 1  # read from the live enrolment in the new class


def test_transfers_out_are_records_followed_by_a_removal(tenant, extracted):
    records, removals, _ = extracted
    leaving = {k for k, r in records.items() if r.payload.trang_thai in ("chuyen_di", "thoi_hoc")}
    assert leaving and leaving == {r.record_key for r in removals if r.reason in ("chuyen_di", "thoi_hoc")}


def test_a_soft_deleted_school_is_neither_listed_nor_read(tenant, extracted):
    source = VneduSource(tenant.config())
    try:
        assert DELETED_SCHOOL not in {s.ma_truong for s in source.discover()}
    finally:
        source.close()
    assert DELETED_SCHOOL not in {r.payload.ma_truong for r in extracted[0].values()}


def test_discover_counts_students_per_class_from_the_database(tenant):
    source = VneduSource(tenant.config())
    try:
        schools = source.discover()
    finally:
        source.close()
    counted = Counter((r.ma_truong, r.nam_hoc, r.lop) for r in tenant.expected.values())
    listed = {(s.ma_truong, y.nam_hoc, c.lop): c.students for s in schools for y in s.years for c in y.classes}
    assert listed == dict(counted)
    assert all(y.nam_hoc[4] == "-" for s in schools for y in s.years)  # "2022" became "2022-2023"


def test_one_school_at_a_time_in_key_order(tenant):
    first, _, _ = extract(tenant.config(chunk_size=7), school=SCHOOLS[1][4])
    assert {r.payload.ma_truong for r in first.values()} == {SCHOOLS[1][4]}
    ids = [int(r.source_record_id.split(":")[1]) for r in first.values()]
    assert ids == sorted(ids) and all(r.source_record_id.startswith("hoc_sinh_lop:") for r in first.values())


def test_an_unknown_school_is_a_clear_error(tenant):
    source = VneduSource(tenant.config())
    with pytest.raises(SourceError) as raised:
        list(source.extract(school="79999999"))
    source.close()
    assert raised.value.key == "sql_school_not_found" and "79999999" in raised.value.message("en")


def test_host_port_database_user_settings_read_the_same(tenant, extracted):
    config = {"host": "127.0.0.1", "port": tenant.server.port, "database": tenant.database,
              "user": tenant.ro_user, "password": tenant.password, "lookback": 0}
    records, _, _ = extract(config, school=SCHOOLS[0][4])
    assert {k: canonical_json(r.payload) for k, r in records.items()} == {
        k: canonical_json(r.payload) for k, r in extracted[0].items() if r.payload.ma_truong == SCHOOLS[0][4]}


def test_the_c_driver_reading_ahead_gives_the_same_messages_in_the_same_order(tenant):
    """mysqlclient with the next page read on a second thread, in small pages: exactly the messages pymysql
    gives on one thread (records, removals and their order)."""
    def messages(url: str, read_ahead: bool) -> list:
        source = VneduSource({**tenant.config(chunk_size=7, read_ahead=read_ahead), "url": url})
        try:
            return [(canonical_json(m.payload), m.source_record_id) if isinstance(m, Record) else m
                    for m in source.extract(state=SourceState())]
        finally:
            source.close()

    pymysql_url = tenant.url(password=False)
    c_driver = messages(pymysql_url.replace("mysql+pymysql://", "mysql+mysqldb://"), read_ahead=True)
    assert c_driver == messages(pymysql_url, read_ahead=False)
    assert len(c_driver) > 7 * 3 and any(isinstance(m, Removal) for m in c_driver)


# --- Vietnamese text ----------------------------------------------------------------------------------


NAMES = ["Nguyễn Thị Ánh Tuyết", "Đặng Quốc Hưng", "Lê Thị Ngọc Hà", "Ưng Hoàng Phúc", "Ông Ích Khiêm",
         "Hoàng Thị Thuỳ Dương", "Tạ Thị Ỷ Lan", "Phạm Văn Đồng-Ưởng"]


def test_vietnamese_text_round_trips_byte_exact_and_nfd_comes_out_nfc(fresh_tenant):
    records = list(generate_school(41, level="thcs", students=len(NAMES), ma_truong="79000401"))
    named = [r.model_copy(update={"student": r.student.model_copy(update={"ho_ten": NAMES[i % len(NAMES)]})},
                          deep=True) for i, r in enumerate(records)]
    t = fresh_tenant(named)
    # the vendor's application wrote one name decomposed (NFD), as some input methods do
    decomposed = named[0].student.ma_hoc_sinh
    t.execute("UPDATE hoc_sinh SET ho_ten = :n, ho_ten_me = :m WHERE ma_hoc_sinh = :c",
              n=nfd(NAMES[0]), m=nfd("Trần Thị Mỹ Dung"), c=decomposed)
    engine = t.engine()
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT ho_ten FROM hoc_sinh WHERE ma_hoc_sinh = :c"), {"c": decomposed}).scalar()
    engine.dispose()
    assert stored == nfd(NAMES[0]) != NAMES[0]  # the database really holds NFD bytes
    got, _, _ = extract(t.config())
    for r in named:
        name = got[r.key].payload.student.ho_ten
        assert name.encode("utf-8") == unicodedata.normalize("NFC", r.student.ho_ten).encode("utf-8")
        assert unicodedata.is_normalized("NFC", name)
    assert got[named[0].key].payload.student.ho_ten_me == "Trần Thị Mỹ Dung"


def test_the_personal_id_is_read_only_when_the_configuration_opts_in(fresh_tenant):
    records = list(generate_school(42, level="thcs", students=3, ma_truong="79000402", personal_ids=True))
    t = fresh_tenant(records)
    off, _, _ = extract(t.config())
    on, _, _ = extract(t.config(include_personal_id=True))
    assert all(r.payload.student.so_dinh_danh_ca_nhan is None for r in off.values())
    assert {k: r.payload.student.so_dinh_danh_ca_nhan for k, r in on.items()} == {
        r.key: r.student.so_dinh_danh_ca_nhan for r in records}


# --- bad rows ---------------------------------------------------------------------------------------------


def test_an_unreadable_grade_book_is_a_problem_naming_table_row_and_column(fresh_tenant):
    records = list(generate_school(43, level="thcs", students=6, ma_truong="79000403"))
    t = fresh_tenant(records)
    t.execute("UPDATE diem_hoc_ky SET diem = :book "  # valid JSON, not a grade book: TX is not an array
              "WHERE hoc_sinh_lop_id = (SELECT MIN(hoc_sinh_lop_id) FROM hoc_sinh_lop) AND hoc_ky = 1 AND stt = 0",
              book='{"TX": 8, "GK": [7], "CK": [8]}')
    t.execute("UPDATE lop SET nam_hoc = '20x4' WHERE lop_id = (SELECT MAX(lop_id) FROM hoc_sinh_lop)")
    got, _, problems = extract(t.config())
    assert {(p.file, p.column) for p in problems} >= {("diem_hoc_ky", "diem"), ("lop", "nam_hoc")}
    assert all(isinstance(p, Problem) and p.key == "source_value_invalid" and p.row for p in problems)
    assert len(got) == len(records) - len(problems) and len(got) > 0  # the good rows still go through


# --- read-only ----------------------------------------------------------------------------------------------


def test_the_session_cannot_write_even_with_an_account_that_could(tenant):
    """Defence in depth: the source's connections are READ ONLY sessions, whatever the account."""
    source = VneduSource({**tenant.config(), "url": tenant.url(write=True, password=False)})
    try:
        with source.engine().connect() as conn, pytest.raises(DBAPIError) as refused:
            conn.execute(text("UPDATE truong SET ten_truong = ten_truong"))
        assert "READ ONLY" in str(refused.value.orig).upper()
    finally:
        source.close()


def test_the_select_only_account_is_what_the_tests_read_with(tenant):
    engine = tenant.engine()
    engine.dispose()
    grants = tenant.server.admin(f"SHOW GRANTS FOR `{tenant.ro_user}`@'%'")
    assert any("GRANT SELECT ON" in g[0] for g in grants) and not any("ALL PRIVILEGES" in g[0] for g in grants)
    assert tenant.config()["url"].startswith(f"mysql+pymysql://{tenant.ro_user}@")
