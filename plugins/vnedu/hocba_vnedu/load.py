"""Writing canonical records into the modelled vnEdu schema: the inverse of extraction.

Used by tests, demos and ``make bench`` to put generated schools (``connector.synth``) into a real
MariaDB. It writes through the same mapping the extraction reads (logical names → vnEdu columns), so
the two cannot drift apart. Rows are inserted in batches (one multi-row INSERT per table per batch),
ids are assigned here so a batch needs no round trip per row, and only small caches are kept (school,
subject, class and student ids). It is not a vendor tool: vnEdu itself writes its database.

Records must be representable in the schema: a status or framework the lookups cannot express, or a
record whose school-level values (Sở code) differ from the school's first record, is refused with a
ValueError naming the record key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, create_engine, func, insert, inspect, select
from sqlalchemy.engine import Connection, Engine, make_url

from connector import catalogue
from connector.extract.sqlengine import password_args
from connector.extract.sqlmapping import Mapping
from connector.model import PRIMARY_PERIODS, LegacyAssessment, PrimaryAssessment, SecondaryAssessment, StudentYear

HERE = Path(__file__).parent
MAPPING = HERE / "mapping" / "vnedu-modelled-1.toml"
DDL = HERE / "schema" / "vnedu-modelled-1.sql"
BATCH_ROWS = 5000
#: Tables in the order their rows must be written (foreign keys).
ORDER = ("school", "subject", "student", "klass", "enrolment", "result", "transcript", "semester",
         "subject_year", "primary")
#: The regulation written for a legacy year (the canonical model only says LEGACY).
LEGACY_REGULATION = {"02": "TT30", "03": "TT58", "04": "TT58"}
CRITERIA = {"mon_hoc": "MH", "pham_chat": "PC", "nang_luc": "NL"}


def create_schema(engine: Engine, ddl: Path = DDL) -> None:
    """Create the modelled tables when the database has none of them yet."""
    with engine.begin() as conn:
        if inspect(conn).has_table("truong"):
            return
        for statement in ddl_statements(ddl.read_text("utf-8")):
            conn.exec_driver_sql(statement)


def ddl_statements(text: str) -> list[str]:
    """The statements of a DDL file: comments dropped, split on the ``;`` that ends a line."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";\n") if s.strip().rstrip(";").strip()]


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


@dataclass
class Loader:
    mapping: Mapping
    conn: Connection
    batch_rows: int = BATCH_ROWS
    pending: dict[str, list[dict]] = field(default_factory=lambda: {t: [] for t in ORDER})
    next_id: dict[str, int] = field(default_factory=dict)
    schools: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    subjects: dict[tuple[str, str], int] = field(default_factory=dict)
    classes: dict[tuple[int, str, str], int] = field(default_factory=dict)
    students: dict[tuple[int, str], int] = field(default_factory=dict)
    rows: int = 0
    _statements: dict[tuple, tuple[str, list[str]]] = field(default_factory=dict)

    def __post_init__(self):
        m, t = self.mapping, self.mapping.tables
        for name in ("school", "subject", "student", "klass", "enrolment"):
            self.next_id[name] = (self.conn.execute(select(func.max(t[name].c.id))).scalar() or 0) + 1
        for code, key, kind in self.conn.execute(select(t["subject"].c.mon, t["subject"].c.id, t["subject"].c.loai)):
            canonical = m.lookups["mon"].get(code, code)
            self.subjects[canonical, kind] = key
        for code, key, so in self.conn.execute(select(t["school"].c.ma_truong, t["school"].c.id,
                                                      t["school"].c.ma_so_gd)):
            self.schools[code] = (key, so)
            self._known_school(key)

    # --- ids -------------------------------------------------------------------------------------------

    def _new_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def _known_school(self, school_id: int) -> None:
        """Students and classes a school already has (loading more years into an existing school)."""
        t = self.mapping.tables
        for code, key in self.conn.execute(select(t["student"].c.ma_hoc_sinh, t["student"].c.id)
                                           .where(t["student"].c.truong_id == school_id)):
            self.students[school_id, code] = key
        for year, name, key in self.conn.execute(select(t["klass"].c.nam_hoc, t["klass"].c.lop, t["klass"].c.id)
                                                 .where(t["klass"].c.truong_id == school_id)):
            self.classes[school_id, year, name] = key

    def _add(self, table: str, row: dict) -> None:
        self.pending[table].append(row)
        self.rows += 1
        if self.rows >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        """One multi-row INSERT per table (the driver's executemany), in foreign-key order, one commit.
        Each statement is compiled by SQLAlchemy once per table; rows go to the driver as plain tuples."""
        cursor = self.conn.connection.cursor()
        try:
            for table in ORDER:
                rows = self.pending[table]
                if rows:
                    sql, names = self._insert(table, tuple(rows[0]))
                    cursor.executemany(sql, [tuple(row[n] for n in names) for row in rows])
                    self.pending[table] = []
        finally:
            cursor.close()
        self.conn.connection.commit()  # the rows went through the driver's cursor: commit there
        self.rows = 0

    def _insert(self, table: str, columns: tuple[str, ...]) -> tuple[str, list[str]]:
        """(positional INSERT statement, the column keys in parameter order) for the driver's paramstyle."""
        key = (table, columns)
        if key not in self._statements:
            dialect = self.conn.dialect
            if dialect.paramstyle not in ("format", "qmark"):
                raise ValueError(f"the loader needs a positional paramstyle, not {dialect.paramstyle}")
            compiled = insert(self.mapping.tables[table]).values({c: bindparam(c) for c in columns}).compile(dialect=dialect)
            self._statements[key] = (compiled.string, list(compiled.positiontup))
        return self._statements[key]

    # --- reference rows --------------------------------------------------------------------------------

    def school(self, record: StudentYear) -> int:
        found = self.schools.get(record.ma_truong)
        if found is None:
            key = self._new_id("school")
            self.schools[record.ma_truong] = (key, record.ma_so_gd)
            self._add("school", {"id": key, "ma_truong": record.ma_truong, "ten": f"Trường {record.ma_truong}",
                                 "ma_so_gd": record.ma_so_gd, "deleted": 0})
            return key
        if found[1] != record.ma_so_gd:
            raise ValueError(f"{record.key}: ma_so_gd differs from the school's (one value per school here)")
        return found[0]

    def subject(self, key: str, kind: str, level: str) -> int:
        found = self.subjects.get((key, kind))
        if found is None:
            found = self._new_id("subject")
            self.subjects[key, kind] = found
            vendor = self.mapping.reverse_lookup("mon", key) or key
            self._add("subject", {"id": found, "mon": vendor, "ten": _label(key, kind, level), "loai": kind})
        return found

    def klass(self, record: StudentYear, school_id: int) -> int:
        start = record.nam_hoc[:4]
        key = (school_id, start, record.lop)
        found = self.classes.get(key)
        if found is None:
            found = self._new_id("klass")
            self.classes[key] = found
            self._add("klass", {"id": found, "truong_id": school_id, "nam_hoc": start, "khoi": record.khoi,
                                "nhom_cap_hoc": self._vendor("cap", record.nhom_cap_hoc, record),
                                "ma_lop": record.ma_lop, "lop": record.lop, "deleted": 0})
        return found

    def student(self, record: StudentYear, school_id: int) -> int:
        key = (school_id, record.student.ma_hoc_sinh)
        found = self.students.get(key) if record.student.ma_hoc_sinh else None
        if found is None:
            found = self._new_id("student")
            if record.student.ma_hoc_sinh:
                self.students[key] = found
            s = record.student
            gender = None if s.gioi_tinh == 0 else self._vendor("gioi_tinh", s.gioi_tinh, record)
            self._add("student", {
                "id": found, "truong_id": school_id, "ma_hoc_sinh": s.ma_hoc_sinh, "ho_ten": s.ho_ten,
                "ngay_sinh": s.ngay_sinh, "gioi_tinh": gender, "dan_toc": s.dan_toc, "quoc_tich": s.quoc_tich,
                "so_dinh_danh_ca_nhan": s.so_dinh_danh_ca_nhan, "ho_ten_cha": s.ho_ten_cha,
                "ho_ten_me": s.ho_ten_me, "ho_ten_nguoi_giam_ho": s.ho_ten_nguoi_giam_ho,
                "doi_tuong_chinh_sach": s.doi_tuong_chinh_sach, "deleted": 0})
        return found

    def _vendor(self, lookup: str, canonical: Any, record: StudentYear) -> Any:
        vendor = self.mapping.reverse_lookup(lookup, canonical)
        if vendor is None:
            raise ValueError(f"{record.key}: {lookup} {canonical!r} has no vnEdu value in the mapping")
        return int(vendor) if vendor.isdigit() else vendor

    # --- one record ------------------------------------------------------------------------------------

    def add(self, record: StudentYear) -> None:
        school_id = self.school(record)
        enrolment = self._new_id("enrolment")
        regulation = (LEGACY_REGULATION[record.nhom_cap_hoc] if record.framework == "LEGACY"
                      else record.framework)
        self._add("enrolment", {
            "id": enrolment, "truong_id": school_id, "hoc_sinh_id": self.student(record, school_id),
            "lop_id": self.klass(record, school_id), "trang_thai": self._vendor("trang_thai", record.trang_thai, record),
            "framework": regulation, "co_khuyet_tat_khong_danh_gia": int(record.co_khuyet_tat_khong_danh_gia),
            "nghi_co_phep": record.nghi_co_phep, "nghi_khong_phep": record.nghi_khong_phep, "deleted": 0})
        self._add("transcript", {"enrolment_id": enrolment, "chuc_vu_giam_hieu": record.chuc_vu_giam_hieu,
                                 "dia_danh_phat_hanh": record.dia_danh_phat_hanh, "ngay_ky": record.ngay_ky,
                                 "deleted": 0})
        result = {column: None for column in self.mapping.specs["result"].columns}
        result.update(enrolment_id=enrolment, kiem_tra_lai=0, ren_luyen_he=0, deleted=0,
                      duoc_len_lop=_flag(record.duoc_len_lop),
                      hoan_thanh_chuong_trinh_lop=_flag(record.hoan_thanh_chuong_trinh_lop),
                      nhan_xet_gvcn=record.nhan_xet_gvcn)
        result.pop("updated_at")
        a = record.danh_gia
        if isinstance(a, PrimaryAssessment):
            self._primary(a, enrolment, result, record.nhom_cap_hoc)
        elif isinstance(a, SecondaryAssessment):
            self._secondary(a, enrolment, result, record.nhom_cap_hoc)
        else:
            self._legacy(a, enrolment, result, record.nhom_cap_hoc)
        self._add("result", result)

    def _primary(self, a: PrimaryAssessment, enrolment: int, result: dict, level: str) -> None:
        for kind in ("mon_hoc", "pham_chat", "nang_luc"):
            for stt, item in enumerate(getattr(a, kind)):
                code = item.mon if kind == "mon_hoc" else item.ma
                row = {"enrolment_id": enrolment, "subject_id": self.subject(code, CRITERIA[kind], level),
                       "stt": stt, "nhan_xet": item.nhan_xet, "deleted": 0}
                for p in PRIMARY_PERIODS:
                    row[f"muc_dat_{p}"] = item.muc_dat.get(p)
                    row[f"diem_ktdk_{p}"] = _text(item.diem_ktdk.get(p)) if kind == "mon_hoc" else None
                self._add("primary", row)
        result.update(ket_qua=a.ket_qua, khen_thuong=";".join(a.khen_thuong) or None,
                      hoan_thanh_chuong_trinh_tieu_hoc=_flag(a.hoan_thanh_chuong_trinh_tieu_hoc))

    def _secondary(self, a: SecondaryAssessment, enrolment: int, result: dict, level: str) -> None:
        keys = {v: k for k, v in self.mapping.options["score_keys"].items()}
        for stt, s in enumerate(a.mon_hoc):
            subject = self.subject(s.mon, "MH", level)
            self._add("subject_year", {
                "enrolment_id": enrolment, "subject_id": subject, "stt": stt, "so_tiet": s.so_tiet,
                "tb_ca_nam": _text(s.tb_ca_nam), "kq_ca_nam": s.kq_ca_nam, "kiem_tra_lai": _text(s.kiem_tra_lai),
                "kiem_tra_lai_nx": s.kiem_tra_lai_nx, "nhan_xet": s.nhan_xet, "deleted": 0})
            for term, semester in (("1", s.hk1), ("2", s.hk2)):
                if semester is None:
                    continue
                book = {
                    keys["tx"]: [*semester.tx, *semester.tx_nx],
                    keys["gk"]: [v for v in (semester.gk, semester.gk_nx) if v is not None],
                    keys["ck"]: [v for v in (semester.ck, semester.ck_nx) if v is not None],
                }
                self._add("semester", {
                    "enrolment_id": enrolment, "subject_id": subject, "hoc_ky": int(term), "stt": stt,
                    "diem": _book(book), "tb": _text(semester.tb), "kq_nx": semester.kq_nx,
                    "deleted": 0})
        result.update(
            hoc_tap_hk1=a.hoc_tap.hk1, hoc_tap_hk2=a.hoc_tap.hk2, hoc_tap_ca_nam=a.hoc_tap.ca_nam,
            hoc_tap_sau_he=a.hoc_tap.sau_he, ren_luyen_hk1=a.ren_luyen.hk1, ren_luyen_hk2=a.ren_luyen.hk2,
            ren_luyen_ca_nam=a.ren_luyen.ca_nam, ren_luyen_sau_he=a.ren_luyen.sau_he,
            kiem_tra_lai=int(a.kiem_tra_lai), ren_luyen_he=int(a.ren_luyen_he), danh_hieu=a.danh_hieu)

    def _legacy(self, a: LegacyAssessment, enrolment: int, result: dict, level: str) -> None:
        """Legacy marks of the whole year go into the HK1 book (the canonical model has no semesters
        for them; reading concatenates HK1 and HK2, so the round trip is exact)."""
        for stt, s in enumerate(a.mon_hoc):
            subject = self.subject(s.mon, "MH", level)
            self._add("subject_year", {
                "enrolment_id": enrolment, "subject_id": subject, "stt": stt, "so_tiet": None,
                "tb_ca_nam": _text(s.tb_ca_nam), "kq_ca_nam": None, "kiem_tra_lai": None,
                "kiem_tra_lai_nx": None, "nhan_xet": None, "deleted": 0})
            if s.diem:
                book = {key: list(values) for key, values in s.diem.items()}
                self._add("semester", {"enrolment_id": enrolment, "subject_id": subject, "hoc_ky": 1, "stt": stt,
                                       "diem": _book(book, keep_empty=True), "tb": None,
                                       "kq_nx": None, "deleted": 0})
        result.update(hoc_tap_ca_nam=a.hoc_luc, ren_luyen_ca_nam=a.hanh_kiem, danh_hieu=a.danh_hieu)


def _book(book: dict[str, list[Decimal | str]], *, keep_empty: bool = False) -> str:
    """The JSON grade book {"TX": [8, 7.5], "GK": [8], …}: scores as JSON numbers written with their
    exact digits ("8.0" stays 8.0), comment results as texts (UTF-8, not escaped)."""
    def mark(value: Decimal | str) -> str:
        return str(value) if isinstance(value, Decimal) else json.dumps(value, ensure_ascii=False)

    parts = [f'{json.dumps(key, ensure_ascii=False)}:[{",".join(mark(v) for v in values)}]'
             for key, values in book.items() if values or keep_empty]
    return "{" + ",".join(parts) + "}"


def _label(key: str, kind: str, level: str) -> str:
    if kind == "PC":
        found = catalogue.ratings("qualities").get(key)
    elif kind == "NL":
        found = catalogue.ratings("competences").get(key)
    else:
        found = catalogue.subjects("primary" if level == "02" else "secondary").get(key)
    return found.label("vi") if found else key


def load(records: Iterable[StudentYear], url: str, *, mapping: Path = MAPPING, batch_rows: int = BATCH_ROWS) -> int:
    """Write ``records`` into the database at ``url`` (created when empty); returns how many."""
    m = Mapping.load(mapping)
    parsed = make_url(url)
    engine = create_engine(parsed, connect_args=password_args(parsed), paramstyle="format")
    try:
        create_schema(engine)
        count = 0
        with engine.connect() as conn:
            loader = Loader(m, conn, batch_rows)
            for record in records:
                loader.add(record)
                count += 1
            loader.flush()
        return count
    finally:
        engine.dispose()
