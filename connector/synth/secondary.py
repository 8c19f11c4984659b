"""Secondary (TT22/2021) assessments: raw ĐĐGtx/ĐĐGgk/ĐĐGck scores and Đ/CĐ comments drawn at random;
averages, learning and conduct results, re-test, summer training, promotion and titles computed with
connector/compute.py."""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal

from connector import catalogue, compute
from connector.model import SecondaryAssessment, SecondarySubject, Semester, StudentYear, TermResults
from connector.synth.data import clamp, pick, spread, synth, tenths, weighted, whole

PASS, FAIL = "Đ", "CĐ"


def subjects_taught(grade: int, class_no: int) -> list[catalogue.Subject]:
    """Required subjects of the grade; in THPT also the class's elective combination (by class number)."""
    table = catalogue.subjects("secondary")
    chosen = [s for s in catalogue.subjects_for("secondary", grade) if s.required_in(grade)]
    if grade >= 10:
        combos = synth()["thpt"]["combinations"]
        chosen += [table[key] for key in combos[(class_no - 1) % len(combos)]]
    return chosen


def raw_score(rng: random.Random, centre: int) -> Decimal:
    """One raw score 0–10 with at most one decimal (TT22-1); some teachers give whole marks only."""
    cfg = synth()["scores"]
    value = clamp(centre + spread(rng, cfg["assessment_spread"]), 0, 100)
    if rng.random() < cfg["whole_marks"]:
        return whole(clamp((value + 5) // 10, 0, 10))
    return tenths(value)


def _comment(rng: random.Random, fail_share: float) -> str:
    return FAIL if rng.random() < fail_share else PASS


def scored_semester(rng: random.Random, centre: int, count: int) -> Semester:
    return Semester(tx=[raw_score(rng, centre) for _ in range(count)], gk=raw_score(rng, centre),
                    ck=raw_score(rng, centre))


def comment_semester(rng: random.Random, fail_share: float, count: int) -> Semester:
    return Semester(tx_nx=[_comment(rng, fail_share) for _ in range(count)], gk_nx=_comment(rng, fail_share),
                    ck_nx=_comment(rng, fail_share))


def build_subject(rng: random.Random, subject: catalogue.Subject, periods: int, ability: int) -> SecondarySubject:
    """One subject's raw assessments for both semesters (the number of ĐĐGtx from TT22-2)."""
    cfg = synth()["scores"]
    count = catalogue.regular_assessments(subject.mode, periods)
    if subject.mode == "score":
        centre = cfg["base_tenths"] + ability * cfg["ability_tenths"] // 100 + spread(rng, cfg["subject_spread"], 1)
        hk1, hk2 = scored_semester(rng, centre, count), scored_semester(rng, centre + rng.randint(-3, 5), count)
    else:
        fail_share = cfg["comment_fail"] * (100 - ability) / 38
        hk1, hk2 = comment_semester(rng, fail_share, count), comment_semester(rng, fail_share, count)
    return SecondarySubject(mon=subject.key, so_tiet=periods, hk1=hk1, hk2=hk2)


def build_secondary(rng: random.Random, grade: int, class_no: int, ability: int, diligence: str,
                    disabled: bool) -> SecondaryAssessment:
    """Raw TT22 assessment: subjects and the teacher's semester conduct. Results come later."""
    mon_hoc = [build_subject(rng, s, s.periods[grade], ability) for s in subjects_taught(grade, class_no)]
    conduct = weighted("conduct", "high" if disabled else diligence)
    hk1 = conduct.pick(rng)
    hk2 = hk1 if rng.random() < synth()["conduct"]["same_both_semesters"] else conduct.pick(rng)
    return SecondaryAssessment(mon_hoc=mon_hoc, ren_luyen=TermResults(hk1=hk1, hk2=hk2))


# --- derived values -------------------------------------------------------------------------------


def _mode(subject: SecondarySubject) -> str:
    return catalogue.subjects("secondary")[subject.mon].mode


def split(a: SecondaryAssessment) -> tuple[list[SecondarySubject], list[SecondarySubject]]:
    """(scored subjects, comment-only subjects)."""
    scored = [s for s in a.mon_hoc if _mode(s) == "score"]
    return scored, [s for s in a.mon_hoc if _mode(s) != "score"]


def derive_subject(s: SecondarySubject) -> None:
    """TT22-3 averages or TT22-4 comment results of one subject, in place."""
    if _mode(s) == "score":
        for hk in (s.hk1, s.hk2):
            hk.tb = compute.semester_average(hk.tx, hk.gk, hk.ck)
        s.tb_ca_nam = compute.year_average(s.hk1.tb, s.hk2.tb)
    else:
        required = catalogue.regular_assessments("comment", s.so_tiet)
        for hk in (s.hk1, s.hk2):
            hk.kq_nx = compute.comment_semester(hk.tx_nx, hk.gk_nx, hk.ck_nx, required)
        s.kq_ca_nam = s.hk2.kq_nx  # TT22-4: the year result is the HKII result


def _retest(rng: random.Random, scored: Sequence[SecondarySubject], commented: Sequence[SecondarySubject]) -> str:
    """TT22-9: re-test the selected subjects; their results replace the year values. Returns learning after."""
    cfg = synth()["retest"]
    for s in scored:
        s.kiem_tra_lai = raw_score(rng, cfg["score_mean_tenths"]) if compute.retest_subject(s.tb_ca_nam, None) else None
    for s in commented:
        chosen = compute.retest_subject(None, s.kq_ca_nam)
        s.kiem_tra_lai_nx = (PASS if rng.random() < cfg["comment_pass"] else FAIL) if chosen else None
    return compute.learning_result(
        [s.kiem_tra_lai if s.kiem_tra_lai is not None else s.tb_ca_nam for s in scored],
        [s.kiem_tra_lai_nx if s.kiem_tra_lai_nx is not None else s.kq_ca_nam for s in commented],
    )


def derive_secondary(record: StudentYear, rng: random.Random) -> None:
    """Fill every derived value of a TT22 record in place (TT22-3 … TT22-10), with compute.py only."""
    a = record.danh_gia
    for s in a.mon_hoc:
        derive_subject(s)
    scored, commented = split(a)
    learning = a.hoc_tap
    conduct = a.ren_luyen
    conduct.ca_nam = compute.conduct_year(conduct.hk1, conduct.hk2)
    # TT22-10: summer training when the year conduct is CĐ; its outcome counts for promotion.
    a.ren_luyen_he = conduct.ca_nam == FAIL
    conduct.sau_he = weighted("summer", "outcome").pick(rng) if a.ren_luyen_he else None
    for s in a.mon_hoc:
        s.kiem_tra_lai, s.kiem_tra_lai_nx = None, None
    if record.co_khuyet_tat_khong_danh_gia:
        # TT22-11: assessed against an individual plan; no learning result is recorded.
        a.hoc_tap, a.kiem_tra_lai, a.danh_hieu = TermResults(), False, None
        record.duoc_len_lop = True
        return
    learning.hk1 = compute.learning_result([s.hk1.tb for s in scored], [s.hk1.kq_nx for s in commented])
    learning.hk2 = compute.learning_result([s.hk2.tb for s in scored], [s.hk2.kq_nx for s in commented])
    learning.ca_nam = compute.learning_result([s.tb_ca_nam for s in scored], [s.kq_ca_nam for s in commented])
    a.kiem_tra_lai = compute.retest_allowed(learning.ca_nam, conduct.ca_nam)
    learning.sau_he = _retest(rng, scored, commented) if a.kiem_tra_lai else None
    absences = (record.nghi_co_phep or 0) + (record.nghi_khong_phep or 0)
    record.duoc_len_lop = compute.promoted(conduct.sau_he or conduct.ca_nam, learning.sau_he or learning.ca_nam,
                                           absences)
    a.danh_hieu = compute.title(conduct.ca_nam, learning.ca_nam, [s.tb_ca_nam for s in scored])


# --- shaping a record for an injection ------------------------------------------------------------


def make_excellent(record: StudentYear, rng: random.Random) -> None:
    """Raw data of an outstanding student (raw scores 9–10, every comment Đ, conduct Tốt); re-derive after."""
    a = record.danh_gia
    scored, commented = split(a)
    for s in scored:
        for hk in (s.hk1, s.hk2):
            hk.tx = [tenths(rng.randint(93, 100)) for _ in hk.tx]
            hk.gk, hk.ck = tenths(rng.randint(93, 100)), tenths(rng.randint(93, 100))
    for s in commented:
        for hk in (s.hk1, s.hk2):
            hk.tx_nx, hk.gk_nx, hk.ck_nx = [PASS for _ in hk.tx_nx], PASS, PASS
    a.ren_luyen = TermResults(hk1="T", hk2="T")
    record.nghi_co_phep, record.nghi_khong_phep = 2, 0


def make_failing(record: StudentYear, rng: random.Random) -> None:
    """Raw data of a student who must re-test one subject (a year average below 3.5, conduct Khá)."""
    scored, _ = split(record.danh_gia)
    weak = pick(rng, scored)
    for hk in (weak.hk1, weak.hk2):
        hk.tx = [tenths(rng.randint(15, 30)) for _ in hk.tx]
        hk.gk, hk.ck = tenths(rng.randint(15, 30)), tenths(rng.randint(15, 30))
    record.danh_gia.ren_luyen = TermResults(hk1="K", hk2="K")
    record.nghi_co_phep, record.nghi_khong_phep = 3, 0
