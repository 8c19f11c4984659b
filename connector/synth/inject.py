"""Deliberate errors, one small function per check of the rule contract (CHECKS.md: "RULE-ID.check").

Each injector gets a deep copy of a clean record and returns it with exactly that check's condition
planted (plus the subject it concerns, when it names one), or None when the record cannot carry that
error. Injectors never recompute the value they break; when a check needs a particular situation (a
student in summer training, an outstanding student …) they first reshape the *raw* data and re-derive
everything with compute.py (``tools.rederive``), so the only inconsistency left is the planted one.

The table is the registry: ``INJECTORS["TT22-3.semester_average"]``. :class:`ErrorPlanter` cycles
through it, always picking the applicable check injected the fewest times so far, so a school of a few
hundred students with a modest error share carries every kind.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from connector import catalogue
from connector.model import PRIMARY_PERIODS, PrimaryRating, PrimarySubject, StudentYear
from connector.synth.data import pick, synth, tenths, whole
from connector.synth.injected import InjectedError
from connector.synth.legacy import to_legacy
from connector.synth.people import MALE, FEMALE, personal_id
from connector.synth.primary import subject_comment, tested_periods
from connector.synth.secondary import (FAIL, PASS, build_subject, derive_subject, make_excellent, make_failing,
                                       raw_score, split)

TT27, TT22 = "TT27", "TT22"
BOTH = (TT27, TT22)
ORDER = ("T", "K", "Đ", "CĐ")  # TT22 results, best first
POINT_ONE = Decimal("0.1")


@dataclass
class Tools:
    rng: random.Random
    rederive: Callable[[StudentYear], None]  # recompute every derived value in place, with compute.py
    id_prefix: str  # where the student's birth was registered


@dataclass(frozen=True)
class Injection:
    record: StudentYear
    subject: str | None = None


InjectFn = Callable[[StudentYear, Tools], Injection | None]


@dataclass(frozen=True)
class Injector:
    key: str
    frameworks: tuple[str, ...]
    fn: InjectFn

    @property
    def rule_id(self) -> str:
        return self.key.rsplit(".", 1)[0]

    @property
    def check(self) -> str:
        return self.key.rsplit(".", 1)[1]


INJECTORS: dict[str, Injector] = {}


def injects(key: str, *frameworks: str) -> Callable[[InjectFn], InjectFn]:
    def register(fn: InjectFn) -> InjectFn:
        assert key not in INJECTORS, key
        INJECTORS[key] = Injector(key, frameworks, fn)
        return fn

    return register


class ErrorPlanter:
    """Plants one error in a record, cycling through the injectors (fewest planted first, table order)."""

    def __init__(self) -> None:
        self.counts = {key: 0 for key in INJECTORS}

    def plant(self, record: StudentYear, tools: Tools) -> tuple[StudentYear, InjectedError] | None:
        candidates = [i for i in INJECTORS.values() if record.framework in i.frameworks]
        for injector in sorted(candidates, key=lambda i: self.counts[i.key]):
            done = injector.fn(record.model_copy(deep=True), tools)
            if done is not None:
                self.counts[injector.key] += 1
                r = done.record
                return r, InjectedError(injector.rule_id, injector.check, r.student_key, r.nam_hoc, done.subject)
        return None


def _lower(code: str) -> str:
    return ORDER[ORDER.index(code) + 1]


def _flip(comment: str | None) -> str:
    return FAIL if comment == PASS else PASS


def _other(rng: random.Random, current: object, choices: tuple) -> object:
    return pick(rng, [c for c in choices if c != current])


def _nudge(value: Decimal, rng: random.Random) -> Decimal:
    """±0.1, staying within 0–10."""
    if value >= 10:
        return value - POINT_ONE
    if value <= 0:
        return value + POINT_ONE
    return value + POINT_ONE if rng.random() < 0.5 else value - POINT_ONE


# --- identity (framework ALL) ---------------------------------------------------------------------


@injects("FRAME-1.framework", *BOTH)
def legacy_profile_in_new_year(rec: StudentYear, t: Tools) -> Injection:
    rec.danh_gia = to_legacy(rec.danh_gia)  # old TT58/TT30-style record for a grade already on TT22/TT27
    return Injection(rec)


@injects("GEN-2.code", *BOTH)
def code_outside_list(rec: StudentYear, t: Tools) -> Injection:
    def status(r):
        r.trang_thai = "bao_luu"

    def old_title(r):
        r.danh_gia.danh_hieu = "HSTT"  # "Học sinh tiên tiến": a title TT22 dropped

    def old_conduct(r):
        r.danh_gia.ren_luyen.hk1 = "TB"  # "Trung bình": a pre-TT22 conduct grade

    def old_reward(r):
        r.danh_gia.khen_thuong = [*r.danh_gia.khen_thuong, "HSTT"]

    variants = [status, *((old_title, old_conduct) if rec.framework == TT22 else (old_reward,))]
    pick(t.rng, variants)(rec)
    return Injection(rec)


def _valid_personal_id(rec: StudentYear, t: Tools, gioi_tinh: int | None = None) -> str:
    serial = f"{t.rng.randrange(1_000_000):06d}"
    return personal_id(t.id_prefix, rec.student.ngay_sinh.year, gioi_tinh or rec.student.gioi_tinh, serial)


@injects("ID-1.format", *BOTH)
def malformed_personal_id(rec: StudentYear, t: Tools) -> Injection:
    good = _valid_personal_id(rec, t)
    rec.student.so_dinh_danh_ca_nhan = pick(t.rng, [good[:-1], good[:7] + "O" + good[8:], good + "0"])
    return Injection(rec)


@injects("ID-1.consistency", *BOTH)
def personal_id_wrong_gender(rec: StudentYear, t: Tools) -> Injection:
    other = FEMALE if rec.student.gioi_tinh == MALE else MALE
    rec.student.so_dinh_danh_ca_nhan = _valid_personal_id(rec, t, other)
    return Injection(rec)


@injects("ID-2.student_code", *BOTH)
def temporary_student_code(rec: StudentYear, t: Tools) -> Injection:
    rec.student.ma_hoc_sinh = pick(t.rng, [None, f"TAM-{t.rng.randrange(10**7):07d}"])
    return Injection(rec)


@injects("ID-3.level_group", *BOTH)
def wrong_level_group(rec: StudentYear, t: Tools) -> Injection:
    rec.nhom_cap_hoc = _other(t.rng, rec.nhom_cap_hoc, ("02", "03", "04"))
    return Injection(rec)


@injects("ID-3.school_year", *BOTH)
def broken_school_year(rec: StudentYear, t: Tools) -> Injection:
    start = int(rec.nam_hoc[:4])
    rec.nam_hoc = f"{start}-{start + pick(t.rng, [0, 2])}"
    return Injection(rec)


@injects("ID-3.age", *BOTH)
def implausible_birth_year(rec: StudentYear, t: Tools) -> Injection:
    start = int(rec.nam_hoc[:4])
    year = start - rec.khoi - pick(t.rng, [2, 3, 11, 12])
    rec.student.ngay_sinh = rec.student.ngay_sinh.replace(year=year)
    return Injection(rec)


@injects("ID-4.school", *BOTH)
def missing_department_code(rec: StudentYear, t: Tools) -> Injection:
    rec.ma_so_gd = pick(t.rng, [None, ""])
    return Injection(rec)


# --- TT27 -----------------------------------------------------------------------------------------


def _ratings(rec: StudentYear) -> list[PrimaryRating]:
    return [*rec.danh_gia.pham_chat, *rec.danh_gia.nang_luc]


def _scored(rec: StudentYear, inferred: bool | None = None) -> list[PrimarySubject]:
    """Subjects holding KTĐK scores; inferred=True/False keeps only subjects whose test is / is not inferred."""
    table = catalogue.subjects("primary")
    return [s for s in rec.danh_gia.mon_hoc if s.diem_ktdk and s.mon in table
            and (inferred is None or (table[s.mon].ktdk_status == "inferred") == inferred)]


@injects("TT27-1.subject_level_missing", TT27)
def subject_level_missing(rec: StudentYear, t: Tools) -> Injection:
    s = pick(t.rng, rec.danh_gia.mon_hoc)
    del s.muc_dat[pick(t.rng, PRIMARY_PERIODS)]
    return Injection(rec, s.mon)


@injects("TT27-1.subject_level_invalid", TT27)
def subject_level_invalid(rec: StudentYear, t: Tools) -> Injection:
    s = pick(t.rng, rec.danh_gia.mon_hoc)
    s.muc_dat[pick(t.rng, PRIMARY_PERIODS)] = pick(t.rng, ["Đ", "A", "X"])
    return Injection(rec, s.mon)


@injects("TT27-1.rating_level_missing", TT27)
def rating_level_missing(rec: StudentYear, t: Tools) -> Injection:
    del pick(t.rng, _ratings(rec)).muc_dat[pick(t.rng, PRIMARY_PERIODS)]
    return Injection(rec)


@injects("TT27-1.rating_h", TT27)
def rating_h(rec: StudentYear, t: Tools) -> Injection:
    pick(t.rng, _ratings(rec)).muc_dat[pick(t.rng, PRIMARY_PERIODS)] = "H"
    return Injection(rec)


@injects("TT27-1.rating_level_invalid", TT27)
def rating_level_invalid(rec: StudentYear, t: Tools) -> Injection:
    pick(t.rng, _ratings(rec)).muc_dat[pick(t.rng, PRIMARY_PERIODS)] = pick(t.rng, ["K", "A"])
    return Injection(rec)


def _mid_year_test(rec: StudentYear, t: Tools, inferred: bool | None = None) -> tuple[PrimarySubject, str] | None:
    """A tested subject and a period before CN (so the year result is not disturbed)."""
    subjects = _scored(rec, inferred)
    if not subjects:
        return None
    s = pick(t.rng, subjects)
    return s, pick(t.rng, [p for p in s.diem_ktdk if p != "CN"])


@injects("TT27-2.score_decimal", TT27)
def score_with_decimal(rec: StudentYear, t: Tools) -> Injection | None:
    if not (found := _mid_year_test(rec, t)):
        return None
    s, period = found
    s.diem_ktdk[period] = s.diem_ktdk[period] - Decimal("0.5")
    return Injection(rec, s.mon)


@injects("TT27-2.score_range", TT27)
def score_out_of_range(rec: StudentYear, t: Tools) -> Injection | None:
    if not (found := _mid_year_test(rec, t)):
        return None
    s, period = found
    s.diem_ktdk[period] = Decimal(pick(t.rng, ["11", "100", "-1"]))
    return Injection(rec, s.mon)


@injects("TT27-2.score_zero", TT27)
def score_zero(rec: StudentYear, t: Tools) -> Injection | None:
    if not (found := _mid_year_test(rec, t)):
        return None
    s, period = found
    s.diem_ktdk[period] = whole(0)
    return Injection(rec, s.mon)


@injects("TT27-2.score_missing", TT27)
def score_missing(rec: StudentYear, t: Tools) -> Injection:
    s = pick(t.rng, _scored(rec, inferred=False))
    del s.diem_ktdk[pick(t.rng, list(s.diem_ktdk))]
    return Injection(rec, s.mon)


@injects("TT27-2.score_missing_inferred", TT27)
def score_missing_inferred(rec: StudentYear, t: Tools) -> Injection | None:
    subjects = _scored(rec, inferred=True)
    if not subjects:
        return None  # Khoa học is tested from grade 4 only
    s = pick(t.rng, subjects)
    del s.diem_ktdk[pick(t.rng, list(s.diem_ktdk))]
    return Injection(rec, s.mon)


@injects("TT27-2.score_unexpected", TT27)
def score_unexpected(rec: StudentYear, t: Tools) -> Injection:
    untested = [s for s in rec.danh_gia.mon_hoc if not tested_periods(catalogue.subjects("primary")[s.mon], rec.khoi)]
    s = pick(t.rng, untested)
    s.diem_ktdk["CHKI"] = whole(t.rng.randint(7, 10))
    return Injection(rec, s.mon)


@injects("TT27-3.result", TT27)
def wrong_year_result(rec: StudentYear, t: Tools) -> Injection:
    a = rec.danh_gia
    a.ket_qua = _other(t.rng, a.ket_qua, ("HTXS", "HTT", "HT", "CHT", None))
    return Injection(rec)


@injects("TT27-4.reward_not_allowed", TT27)
def reward_not_allowed(rec: StudentYear, t: Tools) -> Injection:
    a = rec.danh_gia
    wrong = "HSTB" if a.ket_qua == "HTXS" else "HSXS"
    a.khen_thuong = sorted({*a.khen_thuong, wrong})
    return Injection(rec)


def _make_excellent_primary(rec: StudentYear, t: Tools) -> None:
    for s in rec.danh_gia.mon_hoc:
        s.muc_dat["CN"] = "T"
        if "CN" in s.diem_ktdk:
            s.diem_ktdk["CN"] = whole(t.rng.randint(9, 10))
    for r in _ratings(rec):
        r.muc_dat["CN"] = "T"
    t.rederive(rec)


@injects("TT27-4.hsxs_missing", TT27)
def hsxs_missing(rec: StudentYear, t: Tools) -> Injection:
    if rec.danh_gia.ket_qua != "HTXS":
        _make_excellent_primary(rec, t)
    rec.danh_gia.khen_thuong = [r for r in rec.danh_gia.khen_thuong if r != "HSXS"]
    return Injection(rec)


@injects("TT27-5.completion", TT27)
def completion_flag(rec: StudentYear, t: Tools) -> Injection:
    rec.hoan_thanh_chuong_trinh_lop = not rec.hoan_thanh_chuong_trinh_lop
    return Injection(rec)


@injects("TT27-6.promotion", TT27)
def primary_promotion(rec: StudentYear, t: Tools) -> Injection:
    rec.duoc_len_lop = not rec.duoc_len_lop
    return Injection(rec)


@injects("TT27-7.subject_not_in_grade", TT27)
def primary_subject_of_other_grade(rec: StudentYear, t: Tools) -> Injection:
    wrong = synth()["wrong_grade_subject"]
    key = wrong["primary_early"] if rec.khoi <= 3 else wrong["primary_late"]
    rec.danh_gia.mon_hoc.append(PrimarySubject(mon=key, muc_dat={p: "T" for p in PRIMARY_PERIODS},
                                               nhan_xet=subject_comment(t.rng, "T")))
    return Injection(rec, key)


@injects("TT27-7.subject_missing", TT27)
def primary_subject_missing(rec: StudentYear, t: Tools) -> Injection:
    table = catalogue.subjects("primary")
    droppable = [s for s in rec.danh_gia.mon_hoc
                 if table[s.mon].required_in(rec.khoi) and not tested_periods(table[s.mon], rec.khoi)]
    s = pick(t.rng, droppable)
    rec.danh_gia.mon_hoc.remove(s)
    return Injection(rec, s.mon)


@injects("TT27-7.competence_grade", TT27)
def competence_of_other_grade(rec: StudentYear, t: Tools) -> Injection:
    a = rec.danh_gia
    if rec.khoi <= 2:
        a.nang_luc.append(PrimaryRating(ma="nl_cong_nghe", muc_dat={p: "T" for p in PRIMARY_PERIODS}))
    else:
        gone = pick(t.rng, ["nl_cong_nghe", "nl_tin_hoc"])
        a.nang_luc = [r for r in a.nang_luc if r.ma != gone]
    return Injection(rec)


# --- TT22 -----------------------------------------------------------------------------------------


def _scored_subject(rec: StudentYear, t: Tools):
    return pick(t.rng, split(rec.danh_gia)[0])


def _comment_subject(rec: StudentYear, t: Tools):
    return pick(t.rng, split(rec.danh_gia)[1])


def _semester(s, t: Tools):
    return pick(t.rng, [s.hk1, s.hk2])


@injects("TT22-1.score_in_comment_subject", TT22)
def score_in_comment_subject(rec: StudentYear, t: Tools) -> Injection:
    s = _comment_subject(rec, t)
    if t.rng.random() < 0.5:
        s.tb_ca_nam = tenths(t.rng.randint(60, 95))  # a system that averaged PE anyway
    else:
        s.hk1.tx.append(whole(t.rng.randint(6, 10)))
    return Injection(rec, s.mon)


@injects("TT22-1.comment_in_score_subject", TT22)
def comment_in_score_subject(rec: StudentYear, t: Tools) -> Injection:
    s = _scored_subject(rec, t)
    if t.rng.random() < 0.5:
        s.hk1.kq_nx = PASS
    else:
        s.kq_ca_nam = PASS
    return Injection(rec, s.mon)


@injects("TT22-1.score_range", TT22)
def raw_score_out_of_range(rec: StudentYear, t: Tools) -> Injection:
    s = _scored_subject(rec, t)
    hk = _semester(s, t)
    i = t.rng.randrange(len(hk.tx))
    hk.tx[i] = hk.tx[i] * 10 if hk.tx[i] > 1 else Decimal("11")  # "8.5" typed without its point
    return Injection(rec, s.mon)


@injects("TT22-1.score_precision", TT22)
def raw_score_two_decimals(rec: StudentYear, t: Tools) -> Injection:
    s = _scored_subject(rec, t)
    hk = _semester(s, t)
    i = t.rng.randrange(len(hk.tx))
    step = Decimal("0.05")
    hk.tx[i] = hk.tx[i] + step if hk.tx[i] < 10 else hk.tx[i] - step
    return Injection(rec, s.mon)


@injects("TT22-1.unknown_subject", TT22)
def secondary_subject_of_other_grade(rec: StudentYear, t: Tools) -> Injection:
    key = synth()["wrong_grade_subject"]["thcs" if rec.khoi <= 9 else "thpt"]
    subject = catalogue.subjects("secondary")[key]
    s = build_subject(t.rng, subject, next(iter(subject.periods.values())), ability=65)
    derive_subject(s)
    rec.danh_gia.mon_hoc.append(s)
    return Injection(rec, key)


@injects("TT22-2.tx_missing", TT22)
def regular_assessment_missing(rec: StudentYear, t: Tools) -> Injection:
    s = _scored_subject(rec, t)
    hk = _semester(s, t)
    hk.tx.pop(t.rng.randrange(len(hk.tx)))
    return Injection(rec, s.mon)


@injects("TT22-2.tx_extra", TT22)
def regular_assessment_extra(rec: StudentYear, t: Tools) -> Injection:
    s = _scored_subject(rec, t)
    _semester(s, t).tx.append(raw_score(t.rng, 70))
    return Injection(rec, s.mon)


@injects("TT22-2.gk_missing", TT22)
def midterm_missing(rec: StudentYear, t: Tools) -> Injection:
    s = _scored_subject(rec, t)
    _semester(s, t).gk = None
    return Injection(rec, s.mon)


@injects("TT22-2.ck_missing", TT22)
def end_of_term_missing(rec: StudentYear, t: Tools) -> Injection:
    s = _scored_subject(rec, t)
    _semester(s, t).ck = None
    return Injection(rec, s.mon)


@injects("TT22-2.semester_missing", TT22)
def semester_missing(rec: StudentYear, t: Tools) -> Injection:
    s = pick(t.rng, rec.danh_gia.mon_hoc)
    setattr(s, pick(t.rng, ["hk1", "hk2"]), None)
    return Injection(rec, s.mon)


@injects("TT22-3.semester_average", TT22)
def wrong_semester_average(rec: StudentYear, t: Tools) -> Injection:
    s = _scored_subject(rec, t)
    hk = _semester(s, t)
    hk.tb = _nudge(hk.tb, t.rng)
    return Injection(rec, s.mon)


@injects("TT22-3.year_average", TT22)
def wrong_year_average(rec: StudentYear, t: Tools) -> Injection:
    s = _scored_subject(rec, t)
    s.tb_ca_nam = _nudge(s.tb_ca_nam, t.rng)
    return Injection(rec, s.mon)


@injects("TT22-4.comment_semester", TT22)
def wrong_comment_semester(rec: StudentYear, t: Tools) -> Injection:
    s = _comment_subject(rec, t)
    s.hk1.kq_nx = _flip(s.hk1.kq_nx)  # HKI: the year result (= HKII) stays right
    return Injection(rec, s.mon)


@injects("TT22-4.comment_year", TT22)
def wrong_comment_year(rec: StudentYear, t: Tools) -> Injection:
    s = _comment_subject(rec, t)
    s.kq_ca_nam = _flip(s.kq_ca_nam)
    return Injection(rec, s.mon)


@injects("TT22-5.learning_semester", TT22)
def wrong_learning_semester(rec: StudentYear, t: Tools) -> Injection | None:
    learning = rec.danh_gia.hoc_tap
    lowerable = [name for name in ("hk1", "hk2") if getattr(learning, name) in ORDER[:-1]]
    if not lowerable:
        return None
    name = pick(t.rng, lowerable)
    # Lower, never higher: a declared result above the computed one may be the adjustment clause
    # (TT22-5.learning_adjusted, needs-review), not this error.
    setattr(learning, name, _lower(getattr(learning, name)))
    return Injection(rec)


@injects("TT22-5.learning_year", TT22)
def wrong_learning_year(rec: StudentYear, t: Tools) -> Injection | None:
    learning = rec.danh_gia.hoc_tap
    if learning.ca_nam not in ORDER[:-1]:
        return None
    learning.ca_nam = _lower(learning.ca_nam)
    return Injection(rec)


def _with_second_semester_conduct(rec: StudentYear, t: Tools, allowed: tuple[str, ...]) -> None:
    conduct = rec.danh_gia.ren_luyen
    if conduct.hk2 not in allowed:
        conduct.hk2 = allowed[0]
        t.rederive(rec)


@injects("TT22-6.conduct_year", TT22)
def wrong_conduct_year(rec: StudentYear, t: Tools) -> Injection:
    _with_second_semester_conduct(rec, t, ("K", "T"))  # the confirmed part of the table
    conduct = rec.danh_gia.ren_luyen
    conduct.ca_nam = _other(t.rng, conduct.ca_nam, ("T", "K", "Đ"))
    return Injection(rec)


@injects("TT22-6.conduct_year_inferred", TT22)
def wrong_conduct_year_inferred(rec: StudentYear, t: Tools) -> Injection:
    _with_second_semester_conduct(rec, t, ("Đ", "CĐ"))  # the inferred part of the table
    conduct = rec.danh_gia.ren_luyen
    conduct.ca_nam = _other(t.rng, conduct.ca_nam, ("T", "K", "Đ"))
    return Injection(rec)


@injects("TT22-7.promotion", TT22)
def secondary_promotion(rec: StudentYear, t: Tools) -> Injection:
    rec.duoc_len_lop = not rec.duoc_len_lop
    return Injection(rec)


@injects("TT22-8.title", TT22)
def wrong_title(rec: StudentYear, t: Tools) -> Injection:
    a = rec.danh_gia
    a.danh_hieu = "HSG" if a.danh_hieu is None else None
    return Injection(rec)


@injects("TT22-8.title_count", TT22)
def excellent_or_good(rec: StudentYear, t: Tools) -> Injection | None:
    a = rec.danh_gia
    if a.danh_hieu is None:
        make_excellent(rec, t.rng)
        t.rederive(rec)
    if a.danh_hieu is None:
        return None
    a.danh_hieu = "HSG" if a.danh_hieu == "HSXS" else "HSXS"
    return Injection(rec)


@injects("TT22-9.retest_not_allowed", TT22)
def retest_not_allowed(rec: StudentYear, t: Tools) -> Injection | None:
    if rec.danh_gia.kiem_tra_lai:
        return None
    rec.danh_gia.kiem_tra_lai = True
    return Injection(rec)


def _with_retest(rec: StudentYear, t: Tools) -> bool:
    if not rec.danh_gia.kiem_tra_lai:
        make_failing(rec, t.rng)
        t.rederive(rec)
    return rec.danh_gia.kiem_tra_lai


@injects("TT22-9.retest_subject", TT22)
def retest_of_unselected_subject(rec: StudentYear, t: Tools) -> Injection | None:
    if not _with_retest(rec, t):
        return None
    scored, commented = split(rec.danh_gia)
    passed = [s for s in scored if s.kiem_tra_lai is None] + [s for s in commented if s.kiem_tra_lai_nx is None]
    if not passed:
        return None
    s = pick(t.rng, passed)
    if s in scored:
        s.kiem_tra_lai = raw_score(t.rng, 70)
    else:
        s.kiem_tra_lai_nx = PASS
    return Injection(rec, s.mon)


@injects("TT22-9.after_retest", TT22)
def wrong_result_after_retest(rec: StudentYear, t: Tools) -> Injection | None:
    if not _with_retest(rec, t):
        return None
    learning = rec.danh_gia.hoc_tap
    learning.sau_he = _other(t.rng, learning.sau_he, ORDER)
    return Injection(rec)


@injects("TT22-10.summer_not_allowed", TT22)
def summer_not_allowed(rec: StudentYear, t: Tools) -> Injection | None:
    a = rec.danh_gia
    if a.ren_luyen.ca_nam == FAIL:
        return None
    a.ren_luyen_he = True
    if t.rng.random() < 0.5:
        a.ren_luyen.sau_he = PASS
    return Injection(rec)


@injects("TT22-10.summer_missing", TT22)
def summer_missing(rec: StudentYear, t: Tools) -> Injection:
    _with_second_semester_conduct(rec, t, (FAIL,))
    rec.danh_gia.ren_luyen.sau_he = None
    return Injection(rec)
