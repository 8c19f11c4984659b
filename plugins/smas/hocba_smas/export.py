"""Writing canonical records into the modelled SMAS schema: the inverse of extraction.

For tests, demo databases and benchmarks (a generated school loaded into MariaDB, PostgreSQL or a real SQL
Server), and for handing a school's data over. ``export(records, url)`` creates the tables when they are
missing and inserts the records in batches (bounded memory: only small id caches are kept, e.g. one
entry per student). The vendor values it writes come from the same mapping file the extraction reads
(lookups reversed), so the two cannot drift apart.

Scores are written as text exactly as the canonical record holds them ("8" stays "8", "8.0" stays
"8.0"); computed averages go into decimal(4,2) columns, as the modelled schema stores them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, create_engine, func, select, text
from sqlalchemy.engine import Connection, Engine

from connector import catalogue
from connector.errors import InputError
from connector.extract.sqlmapping import Mapping
from connector.model import LegacyAssessment, PrimaryAssessment, SecondaryAssessment, StudentYear

from hocba_smas import schema as s
from hocba_smas.assemble import COMPETENCE, KHEN_THUONG_SEPARATOR, QUALITY, SUBJECT

BATCH = 200  # student-years per transaction
#: Circular written for each framework; legacy depends on the level (primary TT30, secondary TT58).
THONG_TU = {"TT27": "TT27/2020", "TT22": "TT22/2021", ("LEGACY", "primary"): "TT30/2014",
            ("LEGACY", "secondary"): "TT58/2011"}
GENDER = {1: 1, 2: 0, 0: None}  # canonical QCVN 109 → SMAS (modelled: 1 Nam, 0 Nữ)
LEGACY_YEAR = 0  # DiemChiTiet.HocKy of legacy scores (no semester)


def db_schema_for(dialect: str) -> str | None:
    """Where the SMAS tables live: ``dbo`` on SQL Server and PostgreSQL; on MySQL/MariaDB a schema is a
    database and SQLite has none, so there the tables go into the database of the connection."""
    return None if dialect in ("mysql", "mariadb", "sqlite") else s.DB_SCHEMA


def destination_url(destination: str) -> str:
    """A SQLAlchemy URL as given, or a file path: a SQLite file (test fixtures, a portable hand-over)."""
    return destination if "://" in destination else f"sqlite:///{Path(destination).resolve()}"


def engine_for(url: str) -> Engine:
    engine = create_engine(destination_url(url))
    target = db_schema_for(engine.dialect.name)
    if target != s.DB_SCHEMA:
        engine = engine.execution_options(schema_translate_map={s.DB_SCHEMA: target})
    return engine


def create_schema(engine: Engine) -> None:
    """The modelled SMAS tables (and the ``dbo`` schema on PostgreSQL), when missing."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{s.DB_SCHEMA}"'))
        s.metadata.create_all(conn, checkfirst=True)


def _chunks(items: Iterable[StudentYear], size: int) -> Iterator[list[StudentYear]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


class Loader:
    """Inserts records; keeps id caches for schools, classes, students and subjects only."""

    def __init__(self, conn_engine: Engine, mapping: Mapping, now: datetime):
        self.engine, self.mapping, self.now = conn_engine, mapping, now
        self.schools: dict[str, int] = {}
        self.classes: dict[tuple[int, int, str], int] = {}
        self.students: dict[str, int] = {}
        self.subjects: dict[tuple[str, int], int] = {}
        self.next_id: dict[str, int] = {}
        self.rows: dict[str, list[dict[str, Any]]] = {}

    # --- ids ----------------------------------------------------------------------------------------

    def _load_existing(self, conn: Connection) -> None:
        pk = {t.name: next(iter(t.primary_key.columns)) for t in s.TABLES}
        for table in s.TABLES:
            self.next_id[table.name] = (conn.execute(select(func.max(pk[table.name]))).scalar() or 0) + 1
        self.schools.update({code: i for i, code in conn.execute(select(s.Truong.c.TruongID, s.Truong.c.MaTruong))})
        self.classes.update({(t, n, name): i for i, t, n, name in conn.execute(
            select(s.Lop.c.LopID, s.Lop.c.TruongID, s.Lop.c.NamHoc, s.Lop.c.TenLop))})
        self.students.update({k: i for i, k in conn.execute(select(s.HocSinh.c.HocSinhID, s.HocSinh.c.MaHocSinh))})
        self.subjects.update({(ma, cap): i for i, ma, cap in conn.execute(
            select(s.MonHoc.c.MonHocID, s.MonHoc.c.MaMon, s.MonHoc.c.CapHoc))})

    def _add(self, table: Table, **values: Any) -> int:
        pk = next(iter(table.primary_key.columns)).name
        new_id = self.next_id[table.name]
        self.next_id[table.name] += 1
        row = dict.fromkeys(table.columns.keys())  # every column, so a batch is one executemany
        row.update({pk: new_id, **values, "IsDeleted": False, "NgayCapNhat": self.now})
        self.rows.setdefault(table.name, []).append(row)
        return new_id

    def _flush(self, conn: Connection) -> None:
        for table in s.TABLES:
            rows = self.rows.pop(table.name, None)
            if rows:
                conn.execute(table.insert(), rows)

    # --- reference rows ---------------------------------------------------------------------------------

    def school(self, r: StudentYear) -> int:
        if r.ma_truong not in self.schools:
            self.schools[r.ma_truong] = self._add(s.Truong, MaTruong=r.ma_truong, TenTruong=None, MaSoGD=r.ma_so_gd)
        return self.schools[r.ma_truong]

    def klass(self, r: StudentYear, school_id: int) -> int:
        key = (school_id, int(r.nam_hoc[:4]), r.lop)
        if key not in self.classes:
            self.classes[key] = self._add(s.Lop, TruongID=school_id, NamHoc=key[1], Khoi=r.khoi, MaLop=r.ma_lop,
                                          TenLop=r.lop)
        return self.classes[key]

    def student(self, r: StudentYear) -> int:
        if r.student_key not in self.students:
            p = r.student
            self.students[r.student_key] = self._add(
                s.HocSinh, MaHocSinh=r.student_key, MaCSDL=p.ma_hoc_sinh, HoTen=p.ho_ten, NgaySinh=p.ngay_sinh,
                GioiTinh=GENDER[p.gioi_tinh], DanToc=p.dan_toc, QuocTich=p.quoc_tich, SoDinhDanh=p.so_dinh_danh_ca_nhan,
                HoTenCha=p.ho_ten_cha, HoTenMe=p.ho_ten_me, HoTenNguoiGiamHo=p.ho_ten_nguoi_giam_ho,
                DoiTuongChinhSach=p.doi_tuong_chinh_sach)
        return self.students[r.student_key]

    def subject(self, key: str, level: str, kind: int) -> int:
        """A catalogue row named as SMAS would name it: the catalogue's Vietnamese label (what the
        extraction maps back through catalogue.subject_key/rating_key); an unknown key as itself."""
        cap = 1 if level == "primary" else 2
        if (key.upper(), cap) not in self.subjects:
            if kind == SUBJECT:
                known = catalogue.subjects(level).get(key)
            else:
                known = {**catalogue.ratings("quality"), **catalogue.ratings("competence")}.get(key)
            self.subjects[key.upper(), cap] = self._add(s.MonHoc, MaMon=key.upper(), TenMon=known.vi if known else key,
                                                        Loai=kind, CapHoc=cap)
        return self.subjects[key.upper(), cap]

    # --- one student-year -------------------------------------------------------------------------------

    def record(self, r: StudentYear) -> None:
        school_id = self.school(r)
        status = self.mapping.reverse_lookup("trang_thai", r.trang_thai)
        if status is None and not r.trang_thai.isdigit():
            raise InputError("smas_export_value", field="trang_thai")
        enrolment = self._add(
            s.HocSinhLop, HocSinhID=self.student(r), LopID=self.klass(r, school_id),
            TrangThai=int(status or r.trang_thai), SoBuoiNghiCoPhep=r.nghi_co_phep,
            SoBuoiNghiKhongPhep=r.nghi_khong_phep, MienDanhGia=r.co_khuyet_tat_khong_danh_gia)
        level = "primary" if r.khoi <= 5 else "secondary"
        a = r.danh_gia
        year = dict(HocSinhLopID=enrolment, LenLop=r.duoc_len_lop, HoanThanhCTLop=r.hoan_thanh_chuong_trinh_lop,
                    NhanXetGVCN=r.nhan_xet_gvcn, ChucVuKy=r.chuc_vu_giam_hieu, DiaDanh=r.dia_danh_phat_hanh,
                    NgayKy=r.ngay_ky, KiemTraLai=False, RenLuyenHe=False,
                    ThongTu=THONG_TU.get(a.framework) or THONG_TU[a.framework, level])
        if isinstance(a, SecondaryAssessment):
            year.update(self._secondary(a, enrolment, level))
        elif isinstance(a, PrimaryAssessment):
            year.update(self._primary(a, enrolment, level))
        else:
            year.update(self._legacy(a, enrolment, level))
        self._add(s.KetQuaNam, **year)

    def _year_row(self, enrolment: int, subject: int, order: int, **values: Any) -> None:
        self._add(s.TongKetMon, HocSinhLopID=enrolment, MonHocID=subject, ThuTu=order, **values)

    def _score(self, enrolment: int, subject: int, hoc_ky: int, kind: str, order: int,
               diem: Decimal | None = None, nhan_xet: str | None = None) -> None:
        self._add(s.DiemChiTiet, HocSinhLopID=enrolment, MonHocID=subject, HocKy=hoc_ky, LoaiDiem=kind, STT=order,
                  Diem=_text(diem), NhanXet=nhan_xet)

    def _secondary(self, a: SecondaryAssessment, enrolment: int, level: str) -> dict[str, Any]:
        for order, subj in enumerate(a.mon_hoc, 1):
            sid = self.subject(subj.mon, level, SUBJECT)
            self._year_row(enrolment, sid, order, SoTiet=subj.so_tiet, TBCN=subj.tb_ca_nam, KQCN=subj.kq_ca_nam,
                           DiemThiLai=_text(subj.kiem_tra_lai), KQThiLai=subj.kiem_tra_lai_nx, NhanXet=subj.nhan_xet)
            for hoc_ky, semester in ((1, subj.hk1), (2, subj.hk2)):
                if semester is None:
                    continue
                self._add(s.TongKetHocKy, HocSinhLopID=enrolment, MonHocID=sid, HocKy=hoc_ky, DiemTB=semester.tb,
                          KetQua=semester.kq_nx)
                n = 0
                for n, score in enumerate(semester.tx, 1):
                    self._score(enrolment, sid, hoc_ky, "TX", n, diem=score)
                for m, comment in enumerate(semester.tx_nx, n + 1):
                    self._score(enrolment, sid, hoc_ky, "TX", m, nhan_xet=comment)
                for kind, diem, comment in (("GK", semester.gk, semester.gk_nx), ("CK", semester.ck, semester.ck_nx)):
                    if diem is not None or comment is not None:
                        self._score(enrolment, sid, hoc_ky, kind, 1, diem=diem, nhan_xet=comment)
        return dict(HocTapHK1=a.hoc_tap.hk1, HocTapHK2=a.hoc_tap.hk2, HocTapCN=a.hoc_tap.ca_nam,
                    HocTapSauHe=a.hoc_tap.sau_he, RenLuyenHK1=a.ren_luyen.hk1, RenLuyenHK2=a.ren_luyen.hk2,
                    RenLuyenCN=a.ren_luyen.ca_nam, RenLuyenSauHe=a.ren_luyen.sau_he, KiemTraLai=a.kiem_tra_lai,
                    RenLuyenHe=a.ren_luyen_he, DanhHieu=a.danh_hieu)

    def _primary(self, a: PrimaryAssessment, enrolment: int, level: str) -> dict[str, Any]:
        order = 0
        for kind, entries in ((SUBJECT, a.mon_hoc), (QUALITY, a.pham_chat), (COMPETENCE, a.nang_luc)):
            for entry in entries:
                order += 1
                key = entry.mon if kind == SUBJECT else entry.ma
                sid = self.subject(key, level, kind)
                self._year_row(enrolment, sid, order, NhanXet=entry.nhan_xet)
                scores = getattr(entry, "diem_ktdk", {})
                for period in sorted(entry.muc_dat.keys() | scores.keys()):
                    self._add(s.DanhGiaTieuHoc, HocSinhLopID=enrolment, MonHocID=sid, Ky=period,
                              MucDat=entry.muc_dat.get(period), DiemKTDK=_text(scores.get(period)))
        return dict(KetQuaTieuHoc=a.ket_qua, KhenThuong=KHEN_THUONG_SEPARATOR.join(a.khen_thuong) or None,
                    HoanThanhCTTieuHoc=a.hoan_thanh_chuong_trinh_tieu_hoc)

    def _legacy(self, a: LegacyAssessment, enrolment: int, level: str) -> dict[str, Any]:
        for order, subj in enumerate(a.mon_hoc, 1):
            sid = self.subject(subj.mon, level, SUBJECT)
            self._year_row(enrolment, sid, order, TBCN=subj.tb_ca_nam)
            for kind, scores in subj.diem.items():
                for n, score in enumerate(scores, 1):
                    self._score(enrolment, sid, LEGACY_YEAR, kind, n, diem=score)
        return dict(HocLuc=a.hoc_luc, HanhKiem=a.hanh_kiem, DanhHieu=a.danh_hieu)

    # --- the whole load -------------------------------------------------------------------------------

    def load(self, records: Iterable[StudentYear]) -> int:
        count = 0
        with self.engine.begin() as conn:
            self._load_existing(conn)
        for chunk in _chunks(records, BATCH):
            for r in chunk:
                self.record(r)
            with self.engine.begin() as conn:
                self._flush(conn)
            count += len(chunk)
        return count


def export(records: Iterable[StudentYear], url: str, *, mapping: Mapping, timezone: str = "Asia/Ho_Chi_Minh") -> int:
    """Write ``records`` into the SMAS database at ``url`` (tables created when missing); returns the count.
    Change times are the current time of ``timezone`` (SMAS keeps local DATETIMEs)."""
    engine = engine_for(url)
    try:
        create_schema(engine)
        now = datetime.now(ZoneInfo(timezone)).replace(tzinfo=None, microsecond=0)
        return Loader(engine, mapping, now).load(records)
    finally:
        engine.dispose()
