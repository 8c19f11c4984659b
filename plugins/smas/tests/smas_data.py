"""Test data of the smas plugin: a tenant database with two generated schools plus hand-made records
covering every field, loaded into a real server through the plugin's own export, then given the things
real SMAS databases have (a class change, soft-deleted rows, an empty school). Synthetic data only."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal as D

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine

from connector.extract import Problem, Record, Removal
from connector.model import (
    LegacyAssessment, LegacySubject, PrimaryAssessment, PrimaryRating, PrimarySubject, SecondaryAssessment,
    SecondarySubject, Semester, Student, StudentYear, TermResults, canonical_json,
)
from connector.synth import generate_school

from hocba_smas import schema as s
from hocba_smas.export import engine_for
from hocba_smas.plugin import SmasSource

SECONDARY_SCHOOL = dict(seed="s31", level="thcs", students=12, years=4, ma_truong="79000101")
PRIMARY_SCHOOL = dict(seed="smas-th", level="primary", students=10, years=3, ma_truong="79000102")
HAND_MADE_SCHOOL = "79000103"
EMPTY_SCHOOL = "79000199"  # in Truong, no class: check() says "empty school"
#: A name with the letters Vietnamese adds to Latin; and every vowel with every tone mark (NFC): both must
#: come back byte for byte through every driver.
VIETNAMESE_NAME = "Đặng Ưng Ỷ Ngọc Ánh Tuyết Ợ Ữ"
VIETNAMESE = ("Đặng Ngọc Ánh Tuyết Ưng Ửng Ỷ Ỹ Ỵ Ợ Ờ Ở Ỡ Ớ ằ ẳ ẵ ắ ặ ầ ẩ ẫ ấ ậ ề ể ễ ế ệ ồ ổ ỗ ố ộ "
              "ừ ử ữ ứ ự ì ỉ ĩ í ị ò ỏ õ ó ọ ù ủ ũ ú ụ ỳ ỷ ỹ ý ỵ")
TRICKY_TEXTS = ["=1+1", "dòng 1\ndòng 2", "dòng\r\nCRLF", "\tđầu tab", "dấu, phẩy; chấm \"kép\" 'đơn'", "  cách  "]


def student(n: int, **kw) -> Student:
    base = dict(ma_hoc_sinh=f"79HS{n:06d}", ho_ten=VIETNAMESE_NAME if n == 1
                else f"Nguyễn Thị Học Sinh {n}", ngay_sinh=date(2012, 1 + n % 12, 1 + n % 28), gioi_tinh=1 + n % 2,
                dan_toc="Kinh", quoc_tich="Việt Nam", ho_ten_cha=f"Nguyễn Văn Cha {n}", ho_ten_me=f"Trần Thị Mẹ {n}",
                ho_ten_nguoi_giam_ho=None, doi_tuong_chinh_sach=None, so_dinh_danh_ca_nhan=None)
    base.update(kw)
    return Student(**base)


def _record(n: int, khoi: int, nam_hoc: str, danh_gia, **kw) -> StudentYear:
    base = dict(student_key=f"SMAS{n:05d}", student=student(n), ma_so_gd="79", ma_truong=HAND_MADE_SCHOOL,
                nam_hoc=nam_hoc, khoi=khoi, nhom_cap_hoc="02" if khoi <= 5 else "03" if khoi <= 9 else "04",
                ma_lop=f"{HAND_MADE_SCHOOL}.{nam_hoc[:4]}.{khoi}A", lop=f"{khoi}A", trang_thai="dang_hoc",
                nghi_co_phep=n % 3, nghi_khong_phep=0, co_khuyet_tat_khong_danh_gia=False, duoc_len_lop=True,
                hoan_thanh_chuong_trinh_lop=True, nhan_xet_gvcn=TRICKY_TEXTS[n % len(TRICKY_TEXTS)],
                chuc_vu_giam_hieu="KT. Hiệu trưởng", dia_danh_phat_hanh="Thủ Đức", ngay_ky=date(int(nam_hoc[5:]), 5, 25),
                danh_gia=danh_gia)
    base.update(kw)
    return StudentYear(**base)


def every_field_records() -> list[StudentYear]:
    """TT27, TT22 and legacy (M/P/V/HK) records using every field, values outside the code lists kept as
    found, comment and score families mixed, empty semesters, a leaver and a student with no CSDL code."""
    periods = ("GHKI", "CHKI", "GHKII", "CN")
    primary = PrimaryAssessment(
        mon_hoc=[PrimarySubject(mon="tieng_viet", muc_dat={p: "T" for p in periods},
                                diem_ktdk={"CHKI": D("9"), "CN": D("10")}, nhan_xet="Đọc to, rõ ràng."),
                 PrimarySubject(mon="toan", muc_dat={"CHKI": "H", "CN": "T"}, diem_ktdk={"CHKI": D("7.5"), "CN": D("8.0")}),
                 PrimarySubject(mon="khoa_hoc", muc_dat={}),
                 PrimarySubject(mon="mon_la", muc_dat={"CN": "x"})],
        pham_chat=[PrimaryRating(ma="pc_yeu_nuoc", muc_dat={"CN": "T"}, nhan_xet="Yêu quê hương"),
                   PrimaryRating(ma="pc_cham_chi", muc_dat={"CHKI": "H", "CN": "Đ"})],
        nang_luc=[PrimaryRating(ma="nl_khoa_hoc", muc_dat={"CN": "C"})],
        ket_qua="HTT", khen_thuong=["HSTB", "HSXS"], hoan_thanh_chuong_trinh_tieu_hoc=True)
    secondary = SecondaryAssessment(
        mon_hoc=[SecondarySubject(mon="toan", so_tiet=140,
                                  hk1=Semester(tx=[D("7.5"), D("8"), D("6.25"), D("10.0")], gk=D("7"), ck=D("8.5"), tb=D("7.9")),
                                  hk2=Semester(tx=[D("5"), D("6")], gk=D("4"), ck=D("5"), tb=D("5.0")),
                                  tb_ca_nam=D("6.0"), kiem_tra_lai=D("6.5"), nhan_xet="Tiến bộ."),
                 SecondarySubject(mon="gdtc", hk1=Semester(tx_nx=["Đ", "CĐ"], gk_nx="Đ", ck_nx="Đ", kq_nx="Đ"),
                                  hk2=Semester(), kq_ca_nam="CĐ", kiem_tra_lai_nx="Đ"),
                 SecondarySubject(mon="nghe_thuat", hk1=Semester(tx=[D("8")], tx_nx=["Đ"], gk=D("6"), gk_nx="CĐ",
                                                                 tb=D("7.25"), kq_nx="Đ")),
                 SecondarySubject(mon="ngu_van")],
        hoc_tap=TermResults(hk1="K", hk2="Đ", ca_nam="Đ", sau_he="K"),
        ren_luyen=TermResults(hk1="T", hk2="T", ca_nam="T"), kiem_tra_lai=True, ren_luyen_he=False, danh_hieu="HSG")
    legacy = LegacyAssessment(
        mon_hoc=[LegacySubject(mon="vat_li", diem={"M": [D("7"), D("8")], "P": [D("6.5")], "V": [D("5.5")],
                                                   "HK": [D("6")]}, tb_ca_nam=D("7.2")),
                 LegacySubject(mon="toan", diem={}, tb_ca_nam=None)],
        hoc_luc="Khá", hanh_kiem="Tốt", danh_hieu="Học sinh tiên tiến")
    return [
        _record(1, 5, "2025-2026", primary, nhan_xet_gvcn=unicodedata.normalize("NFC", VIETNAMESE)),
        _record(2, 7, "2025-2026", secondary, student=student(2, ma_hoc_sinh=None, gioi_tinh=0, ngay_sinh=None),
                ma_lop=None, trang_thai="chuyen_di", co_khuyet_tat_khong_danh_gia=True, duoc_len_lop=None,
                hoan_thanh_chuong_trinh_lop=None, nghi_co_phep=None, ngay_ky=None),
        _record(3, 9, "2019-2020", legacy, student_key="TAM-00003", student=student(3, ma_hoc_sinh=None)),
        _record(4, 8, "2025-2026", secondary.model_copy(update={"danh_hieu": None}), trang_thai="thoi_hoc",
                student=student(4, ho_ten_nguoi_giam_ho="Lê Văn Giám Hộ", doi_tuong_chinh_sach="Con thương binh")),
    ]


def tenant_records() -> list[StudentYear]:
    """Two generated schools (several years: transfers, repeats, leavers, legacy years) and the hand-made
    school, in the order export() writes them."""
    return [*generate_school(**SECONDARY_SCHOOL), *generate_school(**PRIMARY_SCHOOL), *every_field_records()]


# --- a loaded database -----------------------------------------------------------------------------------


@dataclass
class Tenant:
    """A SMAS database on a test server: its URLs and what extraction must give."""

    server: object
    database: str
    reader: tuple[str, str]  # SELECT-only login
    writer: tuple[str, str]
    expected: dict[str, str] = field(default_factory=dict)  # record key → canonical JSON
    removed: set[str] = field(default_factory=set)  # keys that must come out as Removal(deleted)
    leaving: set[str] = field(default_factory=set)  # chuyen_di / thoi_hoc: Record then Removal

    def url(self, *, writer: bool = False, driver: str = "pyodbc") -> str:
        user, password = self.writer if writer else self.reader
        return self.server.url(user, password, self.database, driver=driver)

    def config(self, **extra) -> dict:
        """The plugin's configuration: the URL without the password, which comes separately (as from
        password_env)."""
        user, password = self.reader
        return {"url": self.server.url(user, None, self.database, driver="pyodbc"), "password": password, **extra}

    def drop(self) -> None:
        """Remove the database and its logins (the server lives on for other tests)."""
        self.server.drop_database(self.database)
        for user, _ in (self.reader, self.writer):
            self.server.drop_user(user)

    def engine(self) -> Engine:
        """A read-write engine on the database, for test set-up and changes (schema as the plugin sees it)."""
        return engine_for(self.url(writer=True, driver=writer_driver(self.server)))


def writer_driver(server) -> str:
    return "pymysql" if server.kind == "mariadb" else "pyodbc"


def load_tenant(server, name: str, records: list[StudentYear], *, realism: bool = True) -> Tenant:
    database = server.create_database(name)
    tenant = Tenant(server, database, (f"{name}_ro", "doc;chi}doc"), (f"{name}_rw", "ghi=pw{1"))
    server.create_user(*tenant.writer, database)
    # The reader is created after the writer: on PostgreSQL it then gets SELECT on the writer's future tables.
    server.create_user(*tenant.reader, database, read_only=True)
    SmasSource.export(records, tenant.url(writer=True, driver=writer_driver(server)))
    tenant.expected = {r.key: canonical_json(r) for r in records}
    tenant.leaving = {r.key for r in records if r.trang_thai in ("chuyen_di", "thoi_hoc")}
    if realism:
        add_realism(tenant, records)
    return tenant


def _later(engine: Engine) -> datetime:
    """A change time after every row written so far (the clock of the test, in the database's terms)."""
    with engine.connect() as conn:
        newest = max(conn.execute(select(func.max(t.c.NgayCapNhat))).scalar() or datetime.min for t in s.TABLES)
    return newest + timedelta(seconds=1)


def add_realism(tenant: Tenant, records: list[StudentYear]) -> None:
    """What real SMAS databases have beyond clean rows (each checked by the extraction tests):
    a student moved to another class mid-year (old enrolment soft-deleted, children moved), a soft-deleted
    student-year, a soft-deleted score row, and a school with no classes yet."""
    engine = tenant.engine()
    now = _later(engine)
    secondary = [r for r in records if r.ma_truong == SECONDARY_SCHOOL["ma_truong"] and r.framework == "TT22"
                 and r.trang_thai == "dang_hoc"]
    moved, deleted = secondary[0], secondary[1]
    with engine.begin() as conn:
        def enrolment_of(r: StudentYear) -> tuple[int, int, int]:
            return conn.execute(
                select(s.HocSinhLop.c.HocSinhLopID, s.HocSinhLop.c.LopID, s.Lop.c.TruongID)
                .join(s.Lop, s.Lop.c.LopID == s.HocSinhLop.c.LopID).join(s.HocSinh)
                .where(s.HocSinh.c.MaHocSinh == r.student_key, s.Lop.c.NamHoc == int(r.nam_hoc[:4]))).one()

        # 1. class change: new class row and enrolment; the raw rows follow; the old enrolment is soft-deleted
        old_id, class_id, school_id = enrolment_of(moved)
        new_class = _next_id(conn, s.Lop)
        conn.execute(insert(s.Lop).values(LopID=new_class, TruongID=school_id, NamHoc=int(moved.nam_hoc[:4]),
                                          Khoi=moved.khoi, MaLop=f"{moved.ma_lop}-B", TenLop=f"{moved.lop}B",
                                          IsDeleted=False, NgayCapNhat=now))
        new_id = _next_id(conn, s.HocSinhLop)
        old = conn.execute(select(s.HocSinhLop).where(s.HocSinhLop.c.HocSinhLopID == old_id)).one()._asdict()
        conn.execute(insert(s.HocSinhLop).values({**old, "HocSinhLopID": new_id, "LopID": new_class, "NgayCapNhat": now}))
        for child in (s.KetQuaNam, s.TongKetMon, s.TongKetHocKy, s.DiemChiTiet, s.DanhGiaTieuHoc):
            conn.execute(update(child).where(child.c.HocSinhLopID == old_id).values(HocSinhLopID=new_id))
        conn.execute(update(s.HocSinhLop).where(s.HocSinhLop.c.HocSinhLopID == old_id)
                     .values(IsDeleted=True, NgayCapNhat=now))
        tenant.expected[moved.key] = canonical_json(moved.model_copy(update={"lop": f"{moved.lop}B",
                                                                             "ma_lop": f"{moved.ma_lop}-B"}))
        # 2. a student-year deleted in the application
        conn.execute(update(s.HocSinhLop).where(s.HocSinhLop.c.HocSinhLopID == enrolment_of(deleted)[0])
                     .values(IsDeleted=True, NgayCapNhat=now))
        tenant.expected.pop(deleted.key)
        tenant.removed.add(deleted.key)
        # 3. a score typed by mistake and deleted: left out, the record is unchanged
        conn.execute(insert(s.DiemChiTiet).values(
            DiemChiTietID=_next_id(conn, s.DiemChiTiet), HocSinhLopID=new_id, MonHocID=_any_subject(conn, new_id),
            HocKy=1, LoaiDiem="TX", STT=99, Diem="1", NhanXet=None, IsDeleted=True, NgayCapNhat=now))
        # 4. a school of the tenant that has no class yet
        conn.execute(insert(s.Truong).values(TruongID=_next_id(conn, s.Truong), MaTruong=EMPTY_SCHOOL,
                                             TenTruong="Trường Tiểu học Trống", MaSoGD="79", IsDeleted=False,
                                             NgayCapNhat=now))
    engine.dispose()


def _next_id(conn, table) -> int:
    pk = next(iter(table.primary_key.columns))
    return (conn.execute(select(func.max(pk))).scalar() or 0) + 1


def _any_subject(conn, enrolment: int) -> int:
    return conn.execute(select(s.TongKetMon.c.MonHocID).where(s.TongKetMon.c.HocSinhLopID == enrolment)).scalars().first()


# --- reading --------------------------------------------------------------------------------------------


def read(config: dict, **kwargs) -> tuple[list[Record], list[Removal], list[Problem]]:
    source = SmasSource(config)
    try:
        messages = list(source.extract(**kwargs))
    finally:
        source.close()
    return ([m for m in messages if isinstance(m, Record)], [m for m in messages if isinstance(m, Removal)],
            [m for m in messages if isinstance(m, Problem)])


def canonical(records: list[Record]) -> dict[str, str]:
    return {r.payload.key: canonical_json(r.payload) for r in records}
