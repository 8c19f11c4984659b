"""Valid TT27 and TT22 records for the validator tests.

Every derived value (results, averages, decisions) comes from connector/compute.py, never from the
rule packs, so a test that mutates a record and expects a finding checks the packs against the
formulas. Names and numbers are synthetic.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from connector import catalogue, compute
from connector.model import (
    PRIMARY_PERIODS,
    PrimaryAssessment,
    PrimaryRating,
    PrimarySubject,
    SecondaryAssessment,
    SecondarySubject,
    Semester,
    Student,
    StudentYear,
    TermResults,
)

D = Decimal


def student(birth_year: int, gioi_tinh: int = 2) -> Student:
    """A pupil whose personal ID agrees with gender and birth year (079 = TP. Hồ Chí Minh)."""
    century_digit = {1: "2", 2: "3"}[gioi_tinh]  # born 2000–2099: 2 male, 3 female
    return Student(
        ma_hoc_sinh="7900123456",
        ho_ten="Trần Thị Bích Ngọc" if gioi_tinh == 2 else "Lê Văn Minh",
        ngay_sinh=date(birth_year, 3, 15),
        gioi_tinh=gioi_tinh,
        so_dinh_danh_ca_nhan=f"079{century_digit}{birth_year % 100:02d}000123",
    )


def record(khoi: int, nam_hoc: str, danh_gia) -> StudentYear:
    start = int(nam_hoc[:4])
    return StudentYear(
        student_key="HS-0001",
        student=student(start - khoi - 5),
        ma_so_gd="79",
        ma_truong="79000701",
        nam_hoc=nam_hoc,
        khoi=khoi,
        nhom_cap_hoc=catalogue.level_group(khoi),
        lop=f"{khoi}A1",
        nghi_co_phep=2,
        nghi_khong_phep=0,
        danh_gia=danh_gia,
    )


# --- primary (TT27) --------------------------------------------------------------------------------


def tested_points(subject: catalogue.Subject, khoi: int) -> tuple[str, ...]:
    if khoi not in subject.ktdk:
        return ()
    return PRIMARY_PERIODS if khoi in subject.ktdk_giua else ("CHKI", "CN")


def primary(khoi: int = 4, nam_hoc: str = "2024-2025", level: str = "T", rating: str = "T",
            score: int = 10) -> StudentYear:
    """Every compulsory subject at ``level`` with tests at ``score``; qualities and competences at
    ``rating`` — at all four points."""
    subjects = [
        PrimarySubject(
            mon=s.key,
            muc_dat={p: level for p in PRIMARY_PERIODS},
            diem_ktdk={p: D(score) for p in tested_points(s, khoi)},
        )
        for s in catalogue.subjects_for("primary", khoi)
        if s.required_in(khoi)
    ]
    qualities = [PrimaryRating(ma=k, muc_dat={p: rating for p in PRIMARY_PERIODS})
                 for k in catalogue.ratings("quality")]
    competences = [PrimaryRating(ma=k, muc_dat={p: rating for p in PRIMARY_PERIODS})
                   for k, r in catalogue.ratings("competence").items() if khoi in r.grades]
    rec = record(khoi, nam_hoc, PrimaryAssessment(mon_hoc=subjects, pham_chat=qualities, nang_luc=competences))
    return finish_primary(rec)


def finish_primary(rec: StudentYear) -> StudentYear:
    """Set the year-end result, rewards, completion and promotion from the CN values."""
    a = rec.danh_gia
    tested = [s for s in a.mon_hoc if "CN" in tested_points(catalogue.subjects("primary")[s.mon], rec.khoi)]
    result = compute.primary_result(
        [s.muc_dat["CN"] for s in a.mon_hoc],
        [r.muc_dat["CN"] for r in (*a.pham_chat, *a.nang_luc)],
        [s.diem_ktdk["CN"] for s in tested],
    )
    a.ket_qua = result
    a.khen_thuong = ["HSXS"] if result == "HTXS" else []
    completes = compute.completes_class(result)
    rec.hoan_thanh_chuong_trinh_lop = completes
    a.hoan_thanh_chuong_trinh_tieu_hoc = completes if rec.khoi == 5 else None
    rec.duoc_len_lop = completes
    return rec


def subject(rec: StudentYear, key: str):
    return next(s for s in rec.danh_gia.mon_hoc if s.mon == key)


def rating(rec: StudentYear, key: str) -> PrimaryRating:
    return next(r for r in (*rec.danh_gia.pham_chat, *rec.danh_gia.nang_luc) if r.ma == key)


# --- secondary (TT22) ------------------------------------------------------------------------------


def scored_semester(value: Decimal, n_tx: int) -> Semester:
    """All assessments equal: the semester average is the value itself."""
    return Semester(tx=[value] * n_tx, gk=value, ck=value)


def comment_semester(value: str = "Đ") -> Semester:
    return Semester(tx_nx=[value] * catalogue.regular_assessments("comment", 0), gk_nx=value, ck_nx=value)


def n_tx(key: str, khoi: int) -> int:
    s = catalogue.subjects("secondary")[key]
    return catalogue.regular_assessments(s.mode, s.periods[khoi])


# Four electives a THPT student chooses (brief 02 §6.3).
THPT_ELECTIVES = ("vat_li", "hoa_hoc", "sinh_hoc", "tin_hoc")


def secondary(khoi: int = 8, nam_hoc: str = "2024-2025", score: str = "8.0", conduct: tuple[str, str] = ("T", "T"),
              scores: dict[str, str] | None = None) -> StudentYear:
    """Every compulsory subject of the grade (plus four electives in THPT); scored subjects at ``score``
    (or ``scores[key]``) in both semesters, comment-only subjects Đ everywhere."""
    subjects = []
    for s in catalogue.subjects_for("secondary", khoi):
        if not (s.required_in(khoi) or (khoi >= 10 and s.key in THPT_ELECTIVES)):
            continue
        if s.mode == "score":
            value = D((scores or {}).get(s.key, score))
            subjects.append(SecondarySubject(mon=s.key, hk1=scored_semester(value, n_tx(s.key, khoi)),
                                             hk2=scored_semester(value, n_tx(s.key, khoi))))
        else:
            subjects.append(SecondarySubject(mon=s.key, hk1=comment_semester(), hk2=comment_semester()))
    a = SecondaryAssessment(mon_hoc=subjects, ren_luyen=TermResults(hk1=conduct[0], hk2=conduct[1]))
    return finish_secondary(record(khoi, nam_hoc, a))


def set_score(rec: StudentYear, key: str, value: str) -> None:
    """Make a scored subject's average ``value`` in both semesters (so its ĐTBmcn is ``value`` too)."""
    s = subject(rec, key)
    s.hk1 = scored_semester(D(value), n_tx(key, rec.khoi))
    s.hk2 = scored_semester(D(value), n_tx(key, rec.khoi))


def finish_secondary(rec: StudentYear) -> StudentYear:
    """Set every stored derived value from the raw assessments, as a compliant school system would."""
    a = rec.danh_gia
    year_scores, year_comments, after_scores, after_comments = [], [], [], []
    sem_scores = {1: [], 2: []}
    sem_comments = {1: [], 2: []}
    for s in a.mon_hoc:
        mode = catalogue.subjects("secondary")[s.mon].mode
        if mode == "score":
            for hk, sem in ((1, s.hk1), (2, s.hk2)):
                sem.tb = compute.semester_average(sem.tx, sem.gk, sem.ck)
                sem_scores[hk].append(sem.tb)
            s.tb_ca_nam = compute.year_average(s.hk1.tb, s.hk2.tb)
            year_scores.append(s.tb_ca_nam)
            after_scores.append(s.kiem_tra_lai if s.kiem_tra_lai is not None else s.tb_ca_nam)
        else:
            for hk, sem in ((1, s.hk1), (2, s.hk2)):
                sem.kq_nx = compute.comment_semester(sem.tx_nx, sem.gk_nx, sem.ck_nx, n_tx(s.mon, rec.khoi))
                sem_comments[hk].append(sem.kq_nx)
            s.kq_ca_nam = s.hk2.kq_nx
            year_comments.append(s.kq_ca_nam)
            after_comments.append(s.kiem_tra_lai_nx or s.kq_ca_nam)
    a.hoc_tap.hk1 = compute.learning_result(sem_scores[1], sem_comments[1])
    a.hoc_tap.hk2 = compute.learning_result(sem_scores[2], sem_comments[2])
    a.hoc_tap.ca_nam = compute.learning_result(year_scores, year_comments)
    a.ren_luyen.ca_nam = compute.conduct_year(a.ren_luyen.hk1, a.ren_luyen.hk2)
    a.danh_hieu = compute.title(a.ren_luyen.ca_nam, a.hoc_tap.ca_nam, year_scores)
    learning = a.hoc_tap.ca_nam
    if a.kiem_tra_lai:
        a.hoc_tap.sau_he = learning = compute.learning_result(after_scores, after_comments)
    conduct = a.ren_luyen.sau_he if a.ren_luyen.ca_nam == "CĐ" and a.ren_luyen.sau_he else a.ren_luyen.ca_nam
    rec.duoc_len_lop = compute.promoted(conduct, learning, rec.nghi_co_phep + rec.nghi_khong_phep)
    return rec
