"""Primary (TT27/2020) assessments: raw levels and KTĐK scores drawn at random, the year result, rewards
and completion computed with connector/compute.py."""

from __future__ import annotations

import random

from connector import catalogue, compute
from connector.model import PRIMARY_PERIODS, PrimaryAssessment, PrimaryRating, PrimarySubject, StudentYear
from connector.synth.data import clamp, pick, spread, synth, whole

MID_PERIODS = ("GHKI", "GHKII")


def tested_periods(subject: catalogue.Subject, grade: int) -> tuple[str, ...]:
    """TT27-2: KTĐK at CHKI and CN in tested grades, plus GHKI and GHKII where mid-term tests apply."""
    if grade not in subject.ktdk:
        return ()
    if grade in subject.ktdk_giua:
        return PRIMARY_PERIODS
    return ("CHKI", "CN")


def subjects_taught(grade: int, foreign_language: bool, ethnic_language: bool) -> list[catalogue.Subject]:
    """Required subjects of the grade, plus the optional ones the school teaches."""
    chosen = []
    for s in catalogue.subjects_for("primary", grade):
        if s.required_in(grade):
            chosen.append(s)
        elif s.key == "ngoai_ngu_1" and foreign_language:
            chosen.append(s)
        elif s.key == "tieng_dan_toc" and ethnic_language:
            chosen.append(s)
    return chosen


def ratings_for(grade: int) -> tuple[list[catalogue.Rated], list[catalogue.Rated]]:
    qualities = list(catalogue.ratings("quality").values())
    competences = [c for c in catalogue.ratings("competence").values() if grade in c.grades]
    return qualities, competences


def _test_score(rng: random.Random, centre: int) -> int:
    """A KTĐK score: a whole mark 1–10 (0 is disputed, never generated clean)."""
    return clamp((centre + spread(rng, 6, 3) + 5) // 10, 1, 10)


def _level_from_score(rng: random.Random, score: int) -> str:
    if score >= 8 or (score >= 7 and rng.random() < 0.5):
        return "T"
    return "H" if score >= 5 or rng.random() < 0.5 else "C"


def _level(rng: random.Random, strength: int) -> str:
    """T/H/C for an untested subject from the student's strength in it."""
    value = strength + spread(rng, 5, 2)
    return "T" if value >= 50 else "H" if value >= 12 else "C"


def _rating(rng: random.Random, strength: int) -> str:
    value = strength + spread(rng, 5, 2)
    return "T" if value >= 42 else "Đ" if value >= 8 else "C"


def subject_comment(rng: random.Random, level: str) -> str:
    return pick(rng, synth()["comments"]["primary_subject"][level])


def build_primary(rng: random.Random, grade: int, ability: int, diligence: str, foreign_language: bool,
                  ethnic_language: bool) -> PrimaryAssessment:
    """Raw TT27 assessment: levels at the four points, KTĐK scores where tested. Results come later."""
    mon_hoc = []
    for s in subjects_taught(grade, foreign_language, ethnic_language):
        strength = ability + rng.randint(-10, 10)
        tested = tested_periods(s, grade)
        muc_dat, diem = {}, {}
        for period in PRIMARY_PERIODS:
            if period in tested:
                score = _test_score(rng, strength + 25)
                diem[period] = whole(score)
                muc_dat[period] = _level_from_score(rng, score)
            else:
                muc_dat[period] = _level(rng, strength)
        mon_hoc.append(PrimarySubject(mon=s.key, muc_dat=muc_dat, diem_ktdk=diem,
                                      nhan_xet=subject_comment(rng, muc_dat["CN"])))
    bonus = {"high": 12, "middle": 0, "low": -25}[diligence]
    qualities, competences = ratings_for(grade)
    pham_chat = [PrimaryRating(ma=q.key, muc_dat={p: _rating(rng, ability + bonus) for p in PRIMARY_PERIODS})
                 for q in qualities]
    nang_luc = [PrimaryRating(ma=c.key, muc_dat={p: _rating(rng, ability + bonus // 2) for p in PRIMARY_PERIODS})
                for c in competences]
    return PrimaryAssessment(mon_hoc=mon_hoc, pham_chat=pham_chat, nang_luc=nang_luc)


def year_result(a: PrimaryAssessment) -> str:
    """TT27-3 from the CN levels and CN test scores (compute.primary_result)."""
    return compute.primary_result(
        [s.muc_dat["CN"] for s in a.mon_hoc],
        [r.muc_dat["CN"] for r in (*a.pham_chat, *a.nang_luc)],
        [s.diem_ktdk["CN"] for s in a.mon_hoc if "CN" in s.diem_ktdk],
    )


def derive_primary(record: StudentYear, rng: random.Random) -> None:
    """Fill every derived value of a TT27 record in place: result, rewards, completion, promotion.

    "Học sinh Xuất sắc" follows from the result; "Học sinh Tiêu biểu" also needs the class's recognition
    (TT27-4), drawn here (kept when the record already had it)."""
    a = record.danh_gia
    result = year_result(a)
    recognised = "HSTB" in a.khen_thuong or rng.random() < synth()["shares"]["primary_exemplary"]
    allowed = compute.rewards_allowed(result)
    a.ket_qua = result
    a.khen_thuong = sorted(r for r in allowed if r == "HSXS" or recognised)
    completes = compute.completes_class(result)
    a.hoan_thanh_chuong_trinh_tieu_hoc = completes if record.khoi == 5 else None
    record.hoan_thanh_chuong_trinh_lop = completes
    record.duoc_len_lop = completes  # TT27-6: the principal promotes the students who complete


def band(record: StudentYear) -> str:
    """good / fair / weak, for the homeroom teacher's comment."""
    a = record.danh_gia
    if a.framework == "TT27":
        return {"HTXS": "good", "HTT": "good", "HT": "fair"}.get(a.ket_qua, "weak")
    learning = a.hoc_tap.ca_nam
    return {"T": "good", "K": "fair", "Đ": "fair"}.get(learning, "fair" if learning is None else "weak")
