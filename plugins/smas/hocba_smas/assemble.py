"""The Python part of the SMAS mapping (the escape hatch named in mapping/*.toml): one student-year's rows,
already renamed to logical names and passed through the lookups, into a canonical :class:`StudentYear`.

Only logical names appear here ("klass.nam_hoc", "subject.ten"): a real SMAS schema version with other
table or column names needs a new mapping file, not a change to this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from connector import catalogue
from connector.model import (
    PRIMARY_PERIODS, LegacyAssessment, LegacySubject, PrimaryAssessment, PrimaryRating, PrimarySubject,
    SecondaryAssessment, SecondarySubject, Semester, Student, StudentYear, TermResults, record_key as make_key,
)
from connector.normalise import BadValue

FRAMEWORKS = ("TT27", "TT22", "LEGACY")
#: MonHoc.Loai: what a catalogue row is (modelled numbering).
SUBJECT, QUALITY, COMPETENCE = 1, 2, 3
#: DiemChiTiet.LoaiDiem of the TT22 raw assessments; anything else is a legacy key (M, P, V, HK …).
TX, GK, CK = "TX", "GK", "CK"
KHEN_THUONG_SEPARATOR = ";"
TENTH = Decimal("0.1")


def record_key(row: dict[str, Any]) -> str:
    """The canonical record key of a root row (used for Removals of rows that cannot be assembled)."""
    return make_key(row["student.student_key"], row["klass.nam_hoc"], row["school.ma_truong"])


def one_decimal(value: Decimal | None) -> Decimal | None:
    """A computed average back to the one decimal place it was computed with, whatever the column kept
    (SMAS: decimal(4,2) gives 7.10; a REAL gives 7): 7.10 and 7 → 7.1 and 7.0. A genuine second decimal
    (7.25, a computation error) is kept for the validator."""
    if value is None:
        return None
    tenth = value.quantize(TENTH)
    return tenth if tenth == value else value


# --- gathering a student-year's rows per subject -----------------------------------------------------


@dataclass
class SubjectRows:
    subject_id: Any
    ten: str
    loai: int
    year: dict[str, Any] | None = None  # the TongKetMon row
    semesters: dict[int, dict[str, Any]] = field(default_factory=dict)
    scores: list[dict[str, Any]] = field(default_factory=list)
    points: list[dict[str, Any]] = field(default_factory=list)


def gather(children: dict[str, list[dict[str, Any]]]) -> list[SubjectRows]:
    """Rows of every child table grouped by subject, in transcript order (TongKetMon.ThuTu; subjects
    with raw rows only follow, in catalogue order)."""
    by_id: dict[Any, SubjectRows] = {}

    def entry(row: dict[str, Any], table: str) -> SubjectRows:
        sid = row[f"{table}.subject_id"]
        if sid not in by_id:
            by_id[sid] = SubjectRows(sid, row["subject.ten"], int(row["subject.loai"]))
        return by_id[sid]

    ordered = []
    for row in children.get("subjects", []):
        rows = entry(row, "subject_year")
        if rows.year is None:
            rows.year = row
            ordered.append(rows)
    for row in children.get("semesters", []):
        rows = entry(row, "semester")
        rows.semesters.setdefault(int(row["semester.hoc_ky"]), row)
    for row in children.get("scores", []):
        entry(row, "score").scores.append(row)
    for row in children.get("primary_points", []):
        entry(row, "primary_point").points.append(row)
    listed = {id(r) for r in ordered}
    raw_only = sorted((r for r in by_id.values() if id(r) not in listed), key=lambda r: r.subject_id)
    return ordered + raw_only


def _year(rows: SubjectRows, column: str) -> Any:
    return rows.year.get(f"subject_year.{column}") if rows.year else None


# --- secondary (TT22) ----------------------------------------------------------------------------------


def _semester(rows: SubjectRows, hoc_ky: int) -> Semester | None:
    summary = rows.semesters.get(hoc_ky)
    raw = [r for r in rows.scores if int(r["score.hoc_ky"]) == hoc_ky]
    if summary is None and not raw:
        return None

    def first(kind: str, column: str) -> Any:
        return next((r[f"score.{column}"] for r in raw if r["score.kind"] == kind
                     and r[f"score.{column}"] is not None), None)

    regular = [r for r in raw if r["score.kind"] == TX]
    return Semester(
        tx=[r["score.diem"] for r in regular if r["score.diem"] is not None],
        tx_nx=[r["score.nhan_xet"] for r in regular if r["score.nhan_xet"] is not None],
        gk=first(GK, "diem"), gk_nx=first(GK, "nhan_xet"),
        ck=first(CK, "diem"), ck_nx=first(CK, "nhan_xet"),
        tb=one_decimal(summary["semester.tb"]) if summary else None,
        kq_nx=summary["semester.kq_nx"] if summary else None,
    )


def _secondary(item, subjects: list[SubjectRows]) -> SecondaryAssessment:
    row = item.row

    def results(prefix: str) -> TermResults:
        return TermResults(hk1=row[f"year_result.{prefix}_hk1"], hk2=row[f"year_result.{prefix}_hk2"],
                           ca_nam=row[f"year_result.{prefix}_ca_nam"], sau_he=row[f"year_result.{prefix}_sau_he"])

    return SecondaryAssessment(
        mon_hoc=[SecondarySubject(
            mon=_subject_key("secondary", s.ten),
            so_tiet=_year(s, "so_tiet"),
            hk1=_semester(s, 1),
            hk2=_semester(s, 2),
            tb_ca_nam=one_decimal(_year(s, "tb_ca_nam")),
            kq_ca_nam=_year(s, "kq_ca_nam"),
            kiem_tra_lai=_year(s, "kiem_tra_lai"),
            kiem_tra_lai_nx=_year(s, "kiem_tra_lai_nx"),
            nhan_xet=_year(s, "nhan_xet"),
        ) for s in subjects],
        hoc_tap=results("hoc_tap"),
        ren_luyen=results("ren_luyen"),
        kiem_tra_lai=bool(row["year_result.kiem_tra_lai"]),
        ren_luyen_he=bool(row["year_result.ren_luyen_he"]),
        danh_hieu=row["year_result.danh_hieu"],
    )


# --- primary (TT27) ------------------------------------------------------------------------------------


def _period(row: dict[str, Any]) -> str:
    period = row["primary_point.period"]
    if period not in PRIMARY_PERIODS:
        raise BadValue("source_value_invalid", column="primary_point.period", value=period)
    return period


def _levels(s: SubjectRows) -> dict[str, str]:
    return {_period(r): r["primary_point.muc_dat"] for r in s.points if r["primary_point.muc_dat"] is not None}


def _primary(item, subjects: list[SubjectRows]) -> PrimaryAssessment:
    row = item.row
    ratings = {QUALITY: [], COMPETENCE: []}
    taught = []
    for s in subjects:
        if s.loai in ratings:
            ratings[s.loai].append(PrimaryRating(ma=catalogue.rating_key(s.ten) or s.ten, muc_dat=_levels(s),
                                                 nhan_xet=_year(s, "nhan_xet")))
        else:
            taught.append(PrimarySubject(
                mon=_subject_key("primary", s.ten),
                muc_dat=_levels(s),
                diem_ktdk={_period(r): r["primary_point.diem_ktdk"] for r in s.points
                           if r["primary_point.diem_ktdk"] is not None},
                nhan_xet=_year(s, "nhan_xet"),
            ))
    rewards = row["year_result.khen_thuong"]
    return PrimaryAssessment(
        mon_hoc=taught,
        pham_chat=ratings[QUALITY],
        nang_luc=ratings[COMPETENCE],
        ket_qua=row["year_result.ket_qua"],
        khen_thuong=[c.strip() for c in rewards.split(KHEN_THUONG_SEPARATOR) if c.strip()] if rewards else [],
        hoan_thanh_chuong_trinh_tieu_hoc=row["year_result.hoan_thanh_chuong_trinh_tieu_hoc"],
    )


# --- legacy (before TT27/TT22): history only -----------------------------------------------------------


def _legacy(item, subjects: list[SubjectRows], level: str) -> LegacyAssessment:
    row = item.row
    out = []
    for s in subjects:
        diem: dict[str, list[Decimal]] = {}
        for r in s.scores:
            if r["score.diem"] is not None:
                diem.setdefault(r["score.kind"], []).append(r["score.diem"])
        out.append(LegacySubject(mon=_subject_key(level, s.ten), diem=diem,
                                 tb_ca_nam=one_decimal(_year(s, "tb_ca_nam"))))
    return LegacyAssessment(mon_hoc=out, hoc_luc=row["year_result.hoc_luc"],
                            hanh_kiem=row["year_result.hanh_kiem"], danh_hieu=row["year_result.danh_hieu"])


# --- the record --------------------------------------------------------------------------------------


def _subject_key(level: str, name: str) -> str:
    """hocba subject key for SMAS's subject name; an unknown name is kept as found (validator reports)."""
    return catalogue.subject_key(level, name) or name


def framework_of(row: dict[str, Any], khoi: int, nam_hoc: str) -> str:
    found = row["year_result.framework"]
    if found is None:  # no year results yet: the framework the grade and year fall under (FRAME-1)
        return catalogue.framework_for(khoi, nam_hoc)
    if found not in FRAMEWORKS:
        raise BadValue("source_value_invalid", column="year_result.framework", value=found)
    return found


def _int(row: dict[str, Any], column: str) -> int | None:
    value = row[column]
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadValue("source_value_invalid", column=column, value=value) from None


def student(row: dict[str, Any], *, personal_id: bool = False) -> Student:
    """The student; the personal ID (CCCD) only when ``include_personal_id`` is on (brief 07 §3.1)."""
    gender = row["student.gioi_tinh"]
    if gender not in (None, 1, 2):
        raise BadValue("source_value_invalid", column="student.gioi_tinh", value=gender)
    return Student(
        ma_hoc_sinh=row["student.ma_hoc_sinh"],
        ho_ten=row["student.ho_ten"],
        ngay_sinh=row["student.ngay_sinh"],
        gioi_tinh=gender or 0,
        dan_toc=row["student.dan_toc"],
        quoc_tich=row["student.quoc_tich"],
        so_dinh_danh_ca_nhan=row["student.so_dinh_danh_ca_nhan"] if personal_id else None,
        ho_ten_cha=row["student.ho_ten_cha"],
        ho_ten_me=row["student.ho_ten_me"],
        ho_ten_nguoi_giam_ho=row["student.ho_ten_nguoi_giam_ho"],
        doi_tuong_chinh_sach=row["student.doi_tuong_chinh_sach"],
    )


def assemble(item) -> StudentYear:
    """One student-year from its root row (``item.row``) and child rows (``item.children``)."""
    row = item.row
    khoi = _int(row, "klass.khoi")
    nam_hoc = row["klass.nam_hoc"]
    framework = framework_of(row, khoi, nam_hoc)
    subjects = gather(item.children)
    level = "primary" if khoi <= 5 else "secondary"
    if framework == "TT27":
        danh_gia = _primary(item, subjects)
    elif framework == "TT22":
        danh_gia = _secondary(item, subjects)
    else:
        danh_gia = _legacy(item, subjects, level)
    return StudentYear(
        student_key=row["student.student_key"],
        student=student(row, personal_id=bool(getattr(item, "options", {}).get("include_personal_id"))),
        ma_so_gd=row["school.ma_so_gd"],
        ma_truong=row["school.ma_truong"],
        nam_hoc=nam_hoc,
        khoi=khoi,
        nhom_cap_hoc=catalogue.level_group(khoi),
        ma_lop=row["klass.ma_lop"],
        lop=row["klass.lop"],
        trang_thai=row["enrolment.trang_thai"],
        nghi_co_phep=_int(row, "enrolment.nghi_co_phep"),
        nghi_khong_phep=_int(row, "enrolment.nghi_khong_phep"),
        co_khuyet_tat_khong_danh_gia=bool(row["enrolment.co_khuyet_tat_khong_danh_gia"]),
        duoc_len_lop=row["year_result.duoc_len_lop"],
        hoan_thanh_chuong_trinh_lop=row["year_result.hoan_thanh_chuong_trinh_lop"],
        nhan_xet_gvcn=row["year_result.nhan_xet_gvcn"],
        chuc_vu_giam_hieu=row["year_result.chuc_vu_giam_hieu"],
        dia_danh_phat_hanh=row["year_result.dia_danh_phat_hanh"],
        ngay_ky=row["year_result.ngay_ky"],
        danh_gia=danh_gia,
    )
