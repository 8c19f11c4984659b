"""The SMAS database as hocba models it: SQLAlchemy Core ``Table`` metadata, one definition for every
dialect (SQL Server in production; MariaDB and PostgreSQL in tests create it from the same metadata).

MODELLED from public information, not vendor-official. Viettel publishes nothing about SMAS's database
(domain brief 08 §3); what is modelled here rests on public facts about Vietnamese school software and
the ministry's data (school codes, start-year school years, TT22 ĐĐGtx/ĐĐGgk/ĐĐGck, TT27 levels per
assessment point, legacy M/P/V/HK score columns, numbered student statuses) and on how .NET school
systems usually look on SQL Server: ``dbo`` schema, PascalCase names, NVARCHAR text, ``datetime2``
change times, ``bit`` soft-delete flags, IDENTITY keys. The committed T-SQL (smas-modelled-1.sql) is
generated from this file (tests check they agree). What each table rests on: plugins/smas/README.md.

Tenancy: one database holds many schools (a vendor-hosted tenant), selected by ``Truong.MaTruong``.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, MetaData, Numeric, SmallInteger,
    Table, UnicodeText, UniqueConstraint, false,
)
from sqlalchemy import Unicode as _Unicode
from sqlalchemy.dialects import mssql, mysql, postgresql

SCHEMA_ID = "smas-modelled-1"
LABEL = "MODELLED from public information, not vendor-official"
DB_SCHEMA = "dbo"

metadata = MetaData(schema=DB_SCHEMA)

# datetime2(3) on SQL Server; millisecond precision elsewhere too, so change times compare alike.
ChangeTime = DateTime().with_variant(mssql.DATETIME2(3), "mssql").with_variant(
    mysql.DATETIME(fsp=3), "mysql", "mariadb").with_variant(postgresql.TIMESTAMP(precision=3), "postgresql")
# Computed averages as the system stores them (ĐTBmhk, ĐTBmcn): decimal(4,2).
Computed = Numeric(4, 2, asdecimal=True)


def Unicode(length: int):  # noqa: N802 — reads like the SQLAlchemy type it wraps
    """NVARCHAR(n) on SQL Server; VARCHAR(n) in utf8mb4 / UTF8 elsewhere."""
    return _Unicode(length)


def _comment(what: str) -> str:
    return f"{LABEL}. {what}"


def _audit() -> list[Column]:
    """Soft-delete flag and change time, as on every SMAS table (modelled)."""
    return [
        Column("IsDeleted", Boolean(create_constraint=False), nullable=False, server_default=false(),
               comment="1 = deleted in the application (soft delete)"),
        Column("NgayCapNhat", ChangeTime, nullable=False, comment="last change (server local time)"),
    ]


Truong = Table(
    "Truong", metadata,
    Column("TruongID", Integer, primary_key=True),
    Column("MaTruong", Unicode(20), nullable=False, comment="school code (CSDL ngành); selects the tenant"),
    Column("TenTruong", Unicode(200)),
    Column("MaSoGD", Unicode(10), comment="Sở GDĐT code"),
    *_audit(),
    UniqueConstraint("MaTruong", name="UQ_Truong_MaTruong"),
    comment=_comment("Schools of the tenant database"),
)

Lop = Table(
    "Lop", metadata,
    Column("LopID", Integer, primary_key=True),
    Column("TruongID", Integer, ForeignKey("Truong.TruongID"), nullable=False),
    Column("NamHoc", SmallInteger, nullable=False, comment="start year only: 2024 means 2024-2025"),
    Column("Khoi", SmallInteger, nullable=False, comment="grade 1-12"),
    Column("MaLop", Unicode(60)),
    Column("TenLop", Unicode(50), nullable=False),
    *_audit(),
    Index("IX_Lop_Truong_NamHoc", "TruongID", "NamHoc"),
    comment=_comment("Classes per school and school year"),
)

HocSinh = Table(
    "HocSinh", metadata,
    Column("HocSinhID", Integer, primary_key=True),
    Column("MaHocSinh", Unicode(30), nullable=False, comment="the system's student code (stable key)"),
    Column("MaCSDL", Unicode(30), comment="CSDL ngành code once assigned"),
    Column("HoTen", Unicode(100), nullable=False),
    Column("NgaySinh", Date),
    Column("GioiTinh", SmallInteger, comment="1 Nam, 0 Nữ, NULL unknown"),
    Column("DanToc", Unicode(50)),
    Column("QuocTich", Unicode(50)),
    Column("SoDinhDanh", Unicode(20), comment="personal ID number; read only when configured"),
    Column("HoTenCha", Unicode(100)),
    Column("HoTenMe", Unicode(100)),
    Column("HoTenNguoiGiamHo", Unicode(100)),
    Column("DoiTuongChinhSach", Unicode(100)),
    *_audit(),
    UniqueConstraint("MaHocSinh", name="UQ_HocSinh_MaHocSinh"),
    comment=_comment("Students of the tenant (one row per student, shared by the schools they attend)"),
)

HocSinhLop = Table(
    "HocSinhLop", metadata,
    Column("HocSinhLopID", Integer, primary_key=True),
    Column("HocSinhID", Integer, ForeignKey("HocSinh.HocSinhID"), nullable=False),
    Column("LopID", Integer, ForeignKey("Lop.LopID"), nullable=False),
    Column("TrangThai", SmallInteger, nullable=False,
           comment="1 đang học, 2/3 chuyển đến kỳ 1/2, 4/5 chuyển đi kỳ 1/2, 6/7 thôi học kỳ 1/2, 8 nghỉ học xin học lại"),
    Column("SoBuoiNghiCoPhep", SmallInteger),
    Column("SoBuoiNghiKhongPhep", SmallInteger),
    Column("MienDanhGia", Boolean(create_constraint=False), nullable=False, server_default=false(),
           comment="khuyết tật: không đánh giá"),
    *_audit(),
    Index("IX_HocSinhLop_Lop", "LopID"),
    Index("IX_HocSinhLop_HocSinh", "HocSinhID"),
    comment=_comment("Enrolment of a student in a class for a school year (the student-year)"),
)

KetQuaNam = Table(
    "KetQuaNam", metadata,
    Column("KetQuaNamID", Integer, primary_key=True),
    Column("HocSinhLopID", Integer, ForeignKey("HocSinhLop.HocSinhLopID"), nullable=False),
    Column("ThongTu", Unicode(20), comment="assessment circular: TT27/2020, TT22/2021; legacy TT30/2014, TT58/2011"),
    Column("HocTapHK1", Unicode(10)), Column("HocTapHK2", Unicode(10)), Column("HocTapCN", Unicode(10)),
    Column("HocTapSauHe", Unicode(10)),
    Column("RenLuyenHK1", Unicode(10)), Column("RenLuyenHK2", Unicode(10)), Column("RenLuyenCN", Unicode(10)),
    Column("RenLuyenSauHe", Unicode(10)),
    Column("KiemTraLai", Boolean(create_constraint=False), nullable=False, server_default=false()),
    Column("RenLuyenHe", Boolean(create_constraint=False), nullable=False, server_default=false()),
    Column("DanhHieu", Unicode(50), comment="HSXS/HSG; legacy: the old title words"),
    Column("HocLuc", Unicode(50), comment="legacy học lực (word)"),
    Column("HanhKiem", Unicode(50), comment="legacy hạnh kiểm (word)"),
    Column("KetQuaTieuHoc", Unicode(10), comment="TT27 year result HTXS/HTT/HT/CHT"),
    Column("KhenThuong", Unicode(100), comment="TT27 reward codes separated by ';'"),
    Column("HoanThanhCTTieuHoc", Boolean(create_constraint=False)),
    Column("LenLop", Boolean(create_constraint=False)),
    Column("HoanThanhCTLop", Boolean(create_constraint=False)),
    Column("NhanXetGVCN", UnicodeText),
    Column("ChucVuKy", Unicode(100)),
    Column("DiaDanh", Unicode(100)),
    Column("NgayKy", Date),
    *_audit(),
    UniqueConstraint("HocSinhLopID", name="UQ_KetQuaNam_HocSinhLop"),
    comment=_comment("Year results the system computed, per student-year"),
)

MonHoc = Table(
    "MonHoc", metadata,
    Column("MonHocID", Integer, primary_key=True),
    Column("MaMon", Unicode(30), nullable=False),
    Column("TenMon", Unicode(100), nullable=False, comment="the name hocba maps to its subject keys"),
    Column("Loai", SmallInteger, nullable=False, comment="1 môn học/hoạt động, 2 phẩm chất, 3 năng lực"),
    Column("CapHoc", SmallInteger, nullable=False, comment="1 tiểu học, 2 THCS/THPT"),
    *_audit(),
    UniqueConstraint("MaMon", "CapHoc", name="UQ_MonHoc_Ma"),
    comment=_comment("Subjects, qualities and competences (tenant-wide catalogue)"),
)

TongKetMon = Table(
    "TongKetMon", metadata,
    Column("TongKetMonID", Integer, primary_key=True),
    Column("HocSinhLopID", Integer, ForeignKey("HocSinhLop.HocSinhLopID"), nullable=False),
    Column("MonHocID", Integer, ForeignKey("MonHoc.MonHocID"), nullable=False),
    Column("ThuTu", SmallInteger, nullable=False, comment="order on the transcript"),
    Column("SoTiet", SmallInteger),
    Column("TBCN", Computed, comment="ĐTBmcn as computed"),
    Column("KQCN", Unicode(5), comment="comment subject year result Đ/CĐ"),
    Column("DiemThiLai", Unicode(10), comment="re-test score as entered"),
    Column("KQThiLai", Unicode(5)),
    Column("NhanXet", UnicodeText),
    *_audit(),
    Index("IX_TongKetMon_HocSinhLop", "HocSinhLopID"),
    comment=_comment("Per student-year and subject (or TT27 quality/competence): year results"),
)

TongKetHocKy = Table(
    "TongKetHocKy", metadata,
    Column("TongKetHocKyID", Integer, primary_key=True),
    Column("HocSinhLopID", Integer, ForeignKey("HocSinhLop.HocSinhLopID"), nullable=False),
    Column("MonHocID", Integer, ForeignKey("MonHoc.MonHocID"), nullable=False),
    Column("HocKy", SmallInteger, nullable=False, comment="1 or 2"),
    Column("DiemTB", Computed, comment="ĐTBmhk as computed"),
    Column("KetQua", Unicode(5), comment="comment subject semester result Đ/CĐ"),
    *_audit(),
    Index("IX_TongKetHocKy_HocSinhLop", "HocSinhLopID"),
    comment=_comment("Per student-year, subject and semester: semester results"),
)

DiemChiTiet = Table(
    "DiemChiTiet", metadata,
    Column("DiemChiTietID", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("HocSinhLopID", Integer, ForeignKey("HocSinhLop.HocSinhLopID"), nullable=False),
    Column("MonHocID", Integer, ForeignKey("MonHoc.MonHocID"), nullable=False),
    Column("HocKy", SmallInteger, nullable=False, comment="1, 2; 0 = whole year (legacy)"),
    Column("LoaiDiem", Unicode(10), nullable=False, comment="TX, GK, CK; legacy M, P, V, HK"),
    Column("STT", SmallInteger, nullable=False, comment="order within the kind"),
    Column("Diem", Unicode(10), comment="score as entered (text: '8', '8.0', '7,5')"),
    Column("NhanXet", Unicode(5), comment="comment result Đ/CĐ"),
    *_audit(),
    Index("IX_DiemChiTiet_HocSinhLop", "HocSinhLopID"),
    comment=_comment("Raw assessments (TT22 and legacy), one row per score entered"),
)

DanhGiaTieuHoc = Table(
    "DanhGiaTieuHoc", metadata,
    Column("DanhGiaTieuHocID", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("HocSinhLopID", Integer, ForeignKey("HocSinhLop.HocSinhLopID"), nullable=False),
    Column("MonHocID", Integer, ForeignKey("MonHoc.MonHocID"), nullable=False),
    Column("Ky", Unicode(5), nullable=False, comment="GHKI, CHKI, GHKII, CN"),
    Column("MucDat", Unicode(5), comment="T/H/C (subjects), T/Đ/C (qualities, competences)"),
    Column("DiemKTDK", Unicode(10), comment="periodic test score as entered"),
    *_audit(),
    Index("IX_DanhGiaTieuHoc_HocSinhLop", "HocSinhLopID"),
    comment=_comment("TT27 raw assessments per assessment point"),
)

#: Creation order (parents first); export() writes in this order.
TABLES = (Truong, Lop, HocSinh, HocSinhLop, KetQuaNam, MonHoc, TongKetMon, TongKetHocKy, DiemChiTiet,
          DanhGiaTieuHoc)


# --- the committed T-SQL --------------------------------------------------------------------------------

#: SQL Server version the committed DDL and the golden statements are compiled for (SQL Server 2022).
SQLSERVER_VERSION = (16, 0)
DDL_HEADER = f"""-- SMAS (Viettel) database schema "{SCHEMA_ID}" for SQL Server, as hocba models it.
-- {LABEL}.
-- Generated from plugins/smas/hocba_smas/schema.py (SQLAlchemy metadata; do not edit by hand):
--   HOCBA_REGENERATE_GOLDEN=1 .venv/bin/pytest plugins/smas/tests/test_smas_golden.py
-- What each table rests on: plugins/smas/README.md.
"""


def sqlserver_dialect():
    """The mssql+pyodbc dialect as it is after connecting to SQL Server 2012 or later (version pinned)."""
    from sqlalchemy.dialects.mssql import pyodbc as mssql_pyodbc

    dialect = mssql_pyodbc.dialect(paramstyle="qmark")
    dialect.server_version_info = SQLSERVER_VERSION
    dialect._supports_offset_fetch = True  # what initialize() sets for SQL Server >= 2012 (private; pinned)
    dialect.supports_multivalues_insert = True
    return dialect


def tsql_ddl() -> str:
    """CREATE TABLE / INDEX and comment statements as ``metadata.create_all`` sends them to SQL Server
    (schema ``dbo``), in a fixed order: tables by dependency, then each table's indexes by name."""
    from sqlalchemy.schema import CreateIndex, CreateTable, SetColumnComment, SetTableComment

    dialect = sqlserver_dialect()
    statements = []
    for table in metadata.sorted_tables:
        statements.append(CreateTable(table))
        statements.append(SetTableComment(table))
        statements += [SetColumnComment(c) for c in table.columns if c.comment]
        statements += [CreateIndex(i) for i in sorted(table.indexes, key=lambda i: i.name)]
    return DDL_HEADER + "\n" + "".join(f"{str(d.compile(dialect=dialect)).strip()};\nGO\n\n" for d in statements)
