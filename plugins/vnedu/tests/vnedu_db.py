"""Building vnEdu test databases on the real MariaDB the suite starts (``mariadb_server`` fixture).

A tenant database holds several generated schools (several school years, transfers in and out, repeats,
legacy years) loaded through ``VneduSource.export``, plus what only a live vendor database has and the
loader never writes: a pre-TT22 year with M/P/V/HK grade books split over two semesters, soft-deleted
rows (an enrolment, a grade-book row, a whole school), a student who changed class (the old enrolment
soft-deleted), NFD text. Synthetic data only.
"""

from __future__ import annotations

import itertools
import os
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal as D
from urllib.parse import quote

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from connector.extract.sqlengine import password_args

from connector.extract import Problem, Record, Removal, SourceState
from connector.model import LegacyAssessment, LegacySubject, StudentYear, canonical_json
from connector.synth import generate_school

from hocba_vnedu.plugin import VneduSource

PASSWORD_ENV = "HOCBA_TEST_VNEDU_PASSWORD"
_names = itertools.count(1)

#: The generated schools of the shared tenant: (seed, level, students per year, years, school code).
SCHOOLS = (
    (31, "thcs", 40, 3, "79000101"),   # 2022-2023 … 2024-2025: grade 8/9 of 2022 are legacy (TT22 not yet there)
    (32, "primary", 30, 2, "79000102"),
    (33, "thpt", 25, 2, "79000103"),
)
LEGACY_SCHOOL = "79000101"
DELETED_SCHOOL = "79000199"


@dataclass
class Tenant:
    server: object
    database: str
    rw_user: str
    ro_user: str
    password: str
    expected: dict[str, StudentYear] = field(default_factory=dict)  # record key → what extraction must give
    removed: dict[str, str] = field(default_factory=dict)  # record key → removal reason (soft deletes)

    def url(self, *, write: bool = False, password: bool = True) -> str:
        user = self.rw_user if write else self.ro_user
        secret = f":{quote(self.password, safe='')}" if password else ""
        return f"mysql+pymysql://{user}{secret}@127.0.0.1:{self.server.port}/{self.database}?charset=utf8mb4"

    def config(self, **extra) -> dict:
        """A source configuration as hocba builds it (the password filled in from password_env)."""
        return {"url": self.url(password=False), "password": self.password, "lookback": 0, **extra}

    def engine(self) -> Engine:
        url = make_url(self.url(write=True))
        return create_engine(url, connect_args=password_args(url))

    def execute(self, *statements: str, **params) -> None:
        engine = self.engine()
        try:
            with engine.begin() as conn:
                for statement in statements:
                    conn.execute(text(statement), params)
        finally:
            engine.dispose()


def new_tenant(server, records, *, name: str | None = None, keep: bool = True) -> Tenant:
    """An empty database with a read-write and a SELECT-only account, ``records`` loaded (and kept as
    ``expected``; ``keep=False`` streams them into the database without holding them)."""
    n = next(_names)
    database = server.create_database(name or f"vnedu_t{n}_{os.getpid()}")
    tenant = Tenant(server, database, f"vn_rw{n}_{os.getpid()}", f"vn_ro{n}_{os.getpid()}", f"mật-khẩu-{n}!")
    server.create_user(tenant.rw_user, tenant.password, database)
    server.create_user(tenant.ro_user, tenant.password, database, read_only=True)
    if keep:
        records = list(records)
        tenant.expected = {r.key: r for r in records}
    VneduSource.export(records, tenant.url(write=True))
    return tenant


def generated_records() -> list[StudentYear]:
    out: list[StudentYear] = []
    for seed, level, students, years, code in SCHOOLS:
        out += generate_school(seed, level=level, students=students, nam_hoc="2024-2025", years=years,
                               ma_truong=code, ma_so_gd="79")
    return with_transfers(out)


def with_transfers(records: list[StudentYear]) -> list[StudentYear]:
    """Make sure the tenant has what a school year brings: a student who moved mid-year from the first
    school to the third (a record at each, same student key), one who arrived, one who left school."""
    last = [i for i, r in enumerate(records) if r.nam_hoc == "2024-2025" and r.framework == "TT22"
            and r.trang_thai == "dang_hoc"]
    a, b, c = _three(records, last)
    moving = records[a]
    records[a] = moving.model_copy(update={"trang_thai": "chuyen_di"})
    arrived = moving.model_copy(update={"ma_truong": SCHOOLS[2][4], "trang_thai": "chuyen_den",
                                        "lop": f"{moving.lop} (mới)", "ma_lop": None})
    records.append(arrived)
    records[b] = records[b].model_copy(update={"trang_thai": "chuyen_den"})
    records[c] = records[c].model_copy(update={"trang_thai": "thoi_hoc"})
    return records


def _three(records: list[StudentYear], candidates: list[int]) -> tuple[int, int, int]:
    first_school = [i for i in candidates if records[i].ma_truong == SCHOOLS[0][4]]
    return first_school[0], first_school[1], first_school[2]


def shared_tenant(server) -> Tenant:
    """The shared tenant: generated schools plus the live-database cases (module docstring)."""
    tenant = new_tenant(server, generated_records())
    add_legacy_year(tenant)
    add_soft_deletes(tenant)
    add_class_change(tenant)
    add_deleted_school(tenant)
    return tenant


# --- what only a live vendor database has ---------------------------------------------------------------


LEGACY_BOOKS = {  # subject code → (HK1 book, HK2 book, year average): M/P/V/HK, pre-TT22 (TT58)
    "TOAN": ('{"M":[8,9],"P":[7,8.5],"V":[6.5],"HK":[7]}', '{"M":[9],"P":[8],"V":[8,7.5],"HK":[8.0]}', "7.6"),
    "VAN": ('{"M":[7],"P":[6,7],"V":[6],"HK":[6.5]}', '{"M":[{"diem":8}],"P":[7],"V":[7],"HK":[7]}', "6.9"),
}


def add_legacy_year(tenant: Tenant) -> str:
    """A 2019-2020 grade-9 year under TT58 (before TT22) for a student of LEGACY_SCHOOL: grade books keyed
    M/P/V/HK over two semesters, one mark written as the API's {"diem": …} object. Returns its key."""
    source = next(r for r in tenant.expected.values() if r.ma_truong == LEGACY_SCHOOL)
    tenant.execute(
        "INSERT INTO lop (truong_id, nam_hoc, khoi, cap, ma_lop, ten_lop) "
        "SELECT truong_id, '2019', 9, 2, 'CU.2019.9A1', '9A1 (2019)' FROM truong WHERE ma_truong = :school",
        "INSERT INTO hoc_sinh_lop (truong_id, hoc_sinh_id, lop_id, trang_thai, che_do_danh_gia, nghi_co_phep, nghi_khong_phep) "
        "SELECT t.truong_id, h.hoc_sinh_id, l.lop_id, 1, 'TT58', 2, 0 FROM truong t "
        "JOIN hoc_sinh h ON h.truong_id = t.truong_id AND h.ma_hoc_sinh = :code "
        "JOIN lop l ON l.truong_id = t.truong_id AND l.ma_lop = 'CU.2019.9A1' WHERE t.ma_truong = :school",
        "INSERT INTO ket_qua_nam (hoc_sinh_lop_id, hoc_luc_cn, hanh_kiem_cn, danh_hieu, len_lop) "
        "SELECT MAX(hoc_sinh_lop_id), 'Khá', 'Tốt', 'Học sinh Tiên tiến', 1 FROM hoc_sinh_lop",
        school=LEGACY_SCHOOL, code=source.student.ma_hoc_sinh)
    for stt, (subject, (hk1, hk2, average)) in enumerate(LEGACY_BOOKS.items()):
        tenant.execute(
            "INSERT INTO tong_ket_mon (hoc_sinh_lop_id, mon_hoc_id, stt, tb_ca_nam) "
            "SELECT (SELECT MAX(hoc_sinh_lop_id) FROM hoc_sinh_lop), mon_hoc_id, :stt, :avg FROM mon_hoc WHERE ma_mon = :m",
            "INSERT INTO diem_hoc_ky (hoc_sinh_lop_id, mon_hoc_id, hoc_ky, stt, diem) "
            "SELECT (SELECT MAX(hoc_sinh_lop_id) FROM hoc_sinh_lop), mon_hoc_id, 1, :stt, :hk1 FROM mon_hoc WHERE ma_mon = :m",
            "INSERT INTO diem_hoc_ky (hoc_sinh_lop_id, mon_hoc_id, hoc_ky, stt, diem) "
            "SELECT (SELECT MAX(hoc_sinh_lop_id) FROM hoc_sinh_lop), mon_hoc_id, 2, :stt, :hk2 FROM mon_hoc WHERE ma_mon = :m",
            stt=stt, avg=average, m=subject, hk1=hk1, hk2=hk2)
    record = StudentYear(
        student_key=source.student_key, student=source.student, ma_so_gd=source.ma_so_gd, ma_truong=LEGACY_SCHOOL,
        nam_hoc="2019-2020", khoi=9, nhom_cap_hoc="03", ma_lop="CU.2019.9A1", lop="9A1 (2019)", trang_thai="dang_hoc",
        nghi_co_phep=2, nghi_khong_phep=0, duoc_len_lop=True,
        danh_gia=LegacyAssessment(
            mon_hoc=[
                LegacySubject(mon="toan", diem={"M": [D("8"), D("9"), D("9")], "P": [D("7"), D("8.5"), D("8")],
                                                "V": [D("6.5"), D("8"), D("7.5")], "HK": [D("7"), D("8.0")]},
                              tb_ca_nam=D("7.6")),
                LegacySubject(mon="ngu_van", diem={"M": [D("7"), D("8")], "P": [D("6"), D("7"), D("7")],
                                                   "V": [D("6"), D("7")], "HK": [D("6.5"), D("7")]},
                              tb_ca_nam=D("6.9")),
            ],
            hoc_luc="Khá", hanh_kiem="Tốt", danh_hieu="Học sinh Tiên tiến"),
    )
    tenant.expected[record.key] = record
    return record.key


def _enrolment_of(tenant: Tenant, record: StudentYear) -> int:
    engine = tenant.engine()
    try:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT e.hoc_sinh_lop_id FROM hoc_sinh_lop e JOIN hoc_sinh h ON h.hoc_sinh_id = e.hoc_sinh_id "
                "JOIN lop l ON l.lop_id = e.lop_id JOIN truong t ON t.truong_id = e.truong_id "
                "WHERE h.ma_hoc_sinh = :code AND l.nam_hoc = :year AND t.ma_truong = :school AND e.da_xoa = 0"),
                {"code": record.student.ma_hoc_sinh, "year": record.nam_hoc[:4], "school": record.ma_truong}).scalar_one()
    finally:
        engine.dispose()


def pick(tenant: Tenant, framework: str, school: str | None = None, skip: int = 0) -> StudentYear:
    found = [r for r in tenant.expected.values() if r.framework == framework and r.trang_thai == "dang_hoc"
             and (school is None or r.ma_truong == school) and r.key not in tenant.removed]
    return found[skip]


def add_soft_deletes(tenant: Tenant) -> None:
    """An enrolment soft-deleted by the school (a Removal), and a soft-deleted grade-book row of another
    student (left out: the record is unchanged)."""
    gone = pick(tenant, "TT22", skip=3)
    tenant.execute("UPDATE hoc_sinh_lop SET da_xoa = 1 WHERE hoc_sinh_lop_id = :e", e=_enrolment_of(tenant, gone))
    tenant.expected.pop(gone.key)
    tenant.removed[gone.key] = "deleted"
    kept = pick(tenant, "TT22", skip=4)
    tenant.execute(
        "INSERT INTO mon_hoc (ma_mon, ten_mon, loai) VALUES ('MON_XOA', 'Môn nhập nhầm', 'MH')",
        "INSERT INTO diem_hoc_ky (hoc_sinh_lop_id, mon_hoc_id, hoc_ky, stt, diem, tbm, da_xoa) "
        "SELECT :e, mon_hoc_id, 1, 99, '{\"TX\":[1,1],\"GK\":[1],\"CK\":[1]}', '1.0', 1 FROM mon_hoc WHERE ma_mon = 'MON_XOA'",
        e=_enrolment_of(tenant, kept))


def _copy_rows(conn, table: str, key: str, old: int, changes: dict) -> None:
    """Copy the rows of ``table`` whose ``key`` is ``old``, with ``changes`` (read, then insert: an INSERT …
    SELECT from the same table would need a server temp table)."""
    for row in conn.execute(text(f"SELECT * FROM {table} WHERE {key} = :old"), {"old": old}).mappings().all():
        values = {**row, **changes}
        values.pop("updated_at", None)
        columns = ", ".join(values)
        conn.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + c for c in values)})"), values)


def add_class_change(tenant: Tenant) -> None:
    """A student moved to another class mid-year: the old enrolment row is soft-deleted, a new one (with
    the same results) lives in class "…-B". The student-year is not removed; it comes from the new row."""
    moved = pick(tenant, "TT22", skip=5)
    old = _enrolment_of(tenant, moved)
    engine = tenant.engine()
    try:
        with engine.begin() as conn:
            klass = conn.execute(text("SELECT lop_id FROM hoc_sinh_lop WHERE hoc_sinh_lop_id = :e"), {"e": old}).scalar_one()
            new_class = conn.execute(text("SELECT MAX(lop_id) + 1 FROM lop")).scalar_one()
            row = conn.execute(text("SELECT * FROM lop WHERE lop_id = :l"), {"l": klass}).mappings().one()
            _copy_rows(conn, "lop", "lop_id", klass, {"lop_id": new_class, "ma_lop": row["ma_lop"] + "-B",
                                                      "ten_lop": row["ten_lop"] + "-B"})
            new = conn.execute(text("SELECT MAX(hoc_sinh_lop_id) + 1 FROM hoc_sinh_lop")).scalar_one()
            _copy_rows(conn, "hoc_sinh_lop", "hoc_sinh_lop_id", old, {"hoc_sinh_lop_id": new, "lop_id": new_class})
            for table in ("ket_qua_nam", "hoc_ba", "diem_hoc_ky", "tong_ket_mon"):
                _copy_rows(conn, table, "hoc_sinh_lop_id", old, {"hoc_sinh_lop_id": new})
            conn.execute(text("UPDATE hoc_sinh_lop SET da_xoa = 1 WHERE hoc_sinh_lop_id = :e"), {"e": old})
    finally:
        engine.dispose()
    tenant.expected[moved.key] = moved.model_copy(update={"lop": f"{moved.lop}-B", "ma_lop": f"{moved.ma_lop}-B"})


def add_deleted_school(tenant: Tenant) -> None:
    """A school the vendor soft-deleted (left the tenant): not listed, not read unless asked for."""
    tenant.execute("INSERT INTO truong (ma_truong, ten_truong, ma_so, da_xoa) VALUES (:c, 'Trường đã giải thể', '79', 1)",
                   c=DELETED_SCHOOL)


# --- reading ------------------------------------------------------------------------------------------------


def extract(config: dict, *, school: str | None = None, cursor: str | None = None):
    """(records by key, removals, problems) of one extraction."""
    source = VneduSource(config)
    try:
        messages = list(source.extract(school=school, state=SourceState(cursor=cursor)))
    finally:
        source.close()
    records = {m.payload.key: m for m in messages if isinstance(m, Record)}
    assert len(records) == sum(isinstance(m, Record) for m in messages), "a record key came twice"
    return (records, [m for m in messages if isinstance(m, Removal)], [m for m in messages if isinstance(m, Problem)])


def differences(expected: dict[str, StudentYear], records: dict[str, Record]) -> list[str]:
    """Keys whose canonical JSON differs, is missing or is extra (for assertion messages)."""
    got = {k: canonical_json(r.payload) for k, r in records.items()}
    want = {k: canonical_json(r) for k, r in expected.items()}
    return sorted(k for k in got.keys() | want.keys() if got.get(k) != want.get(k))


def nfd(value: str) -> str:
    return unicodedata.normalize("NFD", value)
