"""TT27/2020 rules for primary records (brief 03 §4): TT27-1 … TT27-7.

The year-end result is recomputed only from complete, valid inputs; when something is missing or
invalid, the check that owns it reports it and the result checks (TT27-3 … TT27-6) stay silent rather
than guess.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from connector import catalogue, compute
from connector.hookspecs import hookimpl
from connector.model import PRIMARY_PERIODS, PrimaryAssessment, StudentYear
from connector.validate.packs.common import blank, codes, label, stored_code, yes_no
from connector.validate.rules import Label, RulePack, check, collect_checks, load_rule_defs

SUBJECT_LEVELS = "tt27_muc_dat_mon"
RATING_LEVELS = "tt27_muc_dat_pc_nl"
RATING_LISTS = {"quality": "pham_chat", "competence": "nang_luc"}


# --- helpers shared by the checks ------------------------------------------------------------------


def periods_in_use(a: PrimaryAssessment) -> list[str]:
    """CN always, plus every point at which the record holds at least one level or score."""
    used = {"CN"}
    for s in a.mon_hoc:
        used |= {p for p, v in s.muc_dat.items() if not blank(v)} | set(s.diem_ktdk)
    for r in (*a.pham_chat, *a.nang_luc):
        used |= {p for p, v in r.muc_dat.items() if not blank(v)}
    return [p for p in PRIMARY_PERIODS if p in used]


def period_name(periods: str | list[str]) -> Label:
    names = [label("periods", p) for p in ([periods] if isinstance(periods, str) else periods)]
    return Label(", ".join(n.vi for n in names), ", ".join(n.en for n in names))


def taught(rec: StudentYear, key: str) -> catalogue.Subject | None:
    entry = catalogue.subjects("primary").get(key)
    return entry if entry and entry.taught_in(rec.khoi) else None


def test_periods(entry: catalogue.Subject | None, grade: int) -> tuple[str, ...]:
    """Points with a periodic test (KTĐK): CHKI and CN, plus GHKI and GHKII where the grade adds them."""
    if entry is None or grade not in entry.ktdk:
        return ()
    if grade in entry.ktdk_giua:
        return PRIMARY_PERIODS
    return ("CHKI", "CN")


def score_problem(score: Decimal) -> str | None:
    """The TT27-2 check a score fails on its own: out of the 10-point scale first, then decimals."""
    if not Decimal(0) <= score <= Decimal(10):
        return "score_range"
    if score != score.to_integral_value():
        return "score_decimal"
    return None


def expected_competences(grade: int) -> list[str]:
    return [key for key, r in catalogue.ratings("competence").items() if grade in r.grades]


def ratings_of(a: PrimaryAssessment) -> Iterator[tuple[str, object]]:
    for r in a.pham_chat:
        yield "quality", r
    for r in a.nang_luc:
        yield "competence", r


def year_result(rec: StudentYear) -> str | None:
    """TT27-3's year-end result from the CN levels and CN test scores; None when an input is missing or
    invalid (TT27-1, TT27-2 or TT27-7 reports it). Subjects not taught in the grade and competences not
    assessed in it are left out (TT27-7 reports them); only required CN test scores count."""
    a, grade = rec.danh_gia, rec.khoi
    subjects = [(s, taught(rec, s.mon)) for s in a.mon_hoc]
    subjects = [(s, entry) for s, entry in subjects if entry]
    present = {s.mon for s, _ in subjects}
    if any(e.required_in(grade) and e.key not in present for e in catalogue.subjects_for("primary", grade)):
        return None
    levels = [s.muc_dat.get("CN") for s, _ in subjects]
    wanted = {**{k: "pham_chat" for k in catalogue.ratings("quality")},
              **{k: "nang_luc" for k in expected_competences(grade)}}
    ratings = {r.ma: r for r in a.pham_chat if wanted.get(r.ma) == "pham_chat"}
    ratings |= {r.ma: r for r in a.nang_luc if wanted.get(r.ma) == "nang_luc"}
    if set(ratings) != set(wanted):
        return None
    rating_levels = [r.muc_dat.get("CN") for r in ratings.values()]
    tests = [s.diem_ktdk.get("CN") for s, entry in subjects if "CN" in test_periods(entry, grade)]
    if (
        any(v not in codes(SUBJECT_LEVELS) for v in levels)
        or any(v not in codes(RATING_LEVELS) for v in rating_levels)
        or any(t is None or score_problem(t) for t in tests)
    ):
        return None
    return compute.primary_result(levels, rating_levels, tests)


def shared_result(rec: StudentYear, ctx) -> str | None:
    """:func:`year_result`, computed once per record for the four checks that need it."""
    return ctx.shared("tt27", rec, lambda: year_result(rec))


# --- the checks ----------------------------------------------------------------------------------------


@check("TT27-1")
def levels(rec, ctx):
    a = rec.danh_gia
    used = periods_in_use(a)
    for s in a.mon_hoc:
        for p in used:
            value = s.muc_dat.get(p)
            if blank(value):
                yield ctx.finding("TT27-1", "subject_level_missing", rec, subject=s.mon, period=p,
                                  period_name=period_name(p))
            elif value not in codes(SUBJECT_LEVELS):
                yield ctx.finding("TT27-1", "subject_level_invalid", rec, subject=s.mon, period=p,
                                  period_name=period_name(p), found=value, expected=codes(SUBJECT_LEVELS))
    for kind, r in ratings_of(a):
        for p in used:
            value = r.muc_dat.get(p)
            if value in codes(RATING_LEVELS):
                continue
            name = ("rating_level_missing" if blank(value) else "rating_h" if value == "H"
                    else "rating_level_invalid")
            yield ctx.finding("TT27-1", name, rec, subject=r.ma, period=p, period_name=period_name(p),
                              kind=label("rating_kinds", kind), list=RATING_LISTS[kind],
                              found=None if blank(value) else value,
                              expected=None if blank(value) else codes(RATING_LEVELS))
    # The five qualities are assessed in every grade: one that is absent lacks its level everywhere.
    # (Competences depend on the grade: TT27-7 reports an absent one.)
    have = {r.ma for r in a.pham_chat}
    for key in catalogue.ratings("quality"):
        if key not in have:
            yield ctx.finding("TT27-1", "rating_level_missing", rec, subject=key, period=", ".join(used),
                              period_name=period_name(used), kind=label("rating_kinds", "quality"),
                              list="pham_chat")


@check("TT27-2")
def periodic_tests(rec, ctx):
    a = rec.danh_gia
    used = periods_in_use(a)
    for s in a.mon_hoc:
        entry = taught(rec, s.mon)
        required = test_periods(entry, rec.khoi)
        for p in PRIMARY_PERIODS:
            score = s.diem_ktdk.get(p)
            where = {"subject": s.mon, "period": p, "period_name": period_name(p)}
            if score is None:
                if p in required and p in used:
                    name = "score_missing_inferred" if entry.ktdk_status == "inferred" else "score_missing"
                    yield ctx.finding("TT27-2", name, rec, **where)
                continue
            problem = score_problem(score)
            if problem == "score_range":
                yield ctx.finding("TT27-2", "score_range", rec, found=score, expected="0–10", **where)
            elif problem == "score_decimal":
                yield ctx.finding("TT27-2", "score_decimal", rec, found=score,
                                  expected=score.to_integral_value(), **where)
            elif score == 0:
                yield ctx.finding("TT27-2", "score_zero", rec, found=score, **where)
            if p not in required:
                yield ctx.finding("TT27-2", "score_unexpected", rec, found=score, **where)


@check("TT27-3")
def year_end_result(rec, ctx):
    computed = shared_result(rec, ctx)
    comparable, stored = stored_code(rec.danh_gia.ket_qua, "tt27_ket_qua")
    if computed is not None and comparable and stored != computed:
        yield ctx.finding("TT27-3", "result", rec, found=stored, expected=computed)


@check("TT27-4")
def rewards(rec, ctx):
    computed = shared_result(rec, ctx)
    if computed is None:
        return
    allowed = compute.rewards_allowed(computed)
    for reward in rec.danh_gia.khen_thuong:
        if reward in codes("tt27_khen_thuong") and reward not in allowed:
            yield ctx.finding("TT27-4", "reward_not_allowed", rec, found=reward,
                              expected=compute.tables()["tt27_rewards"][reward], result=computed)
    if computed == "HTXS" and "HSXS" not in rec.danh_gia.khen_thuong:
        yield ctx.finding("TT27-4", "hsxs_missing", rec, found=rec.danh_gia.khen_thuong or None, expected="HSXS")


@check("TT27-5")
def completion(rec, ctx):
    computed = shared_result(rec, ctx)
    if computed is None:
        return
    expected = compute.completes_class(computed)
    flags = [("hoan_thanh_chuong_trinh_lop", rec.hoan_thanh_chuong_trinh_lop)]
    if rec.khoi == 5:
        flags.append(("danh_gia.hoan_thanh_chuong_trinh_tieu_hoc", rec.danh_gia.hoan_thanh_chuong_trinh_tieu_hoc))
    for path, value in flags:
        if value is not expected:
            yield ctx.finding("TT27-5", "completion", rec, found=value, expected=expected, path=path,
                              flag=label("fields", path), found_yn=yes_no(value), expected_yn=yes_no(expected),
                              result=computed)


@check("TT27-6")
def promotion(rec, ctx):
    computed = shared_result(rec, ctx)
    if computed is None or rec.duoc_len_lop is None:
        return
    if rec.duoc_len_lop != compute.completes_class(computed):
        yield ctx.finding("TT27-6", "promotion", rec, found=rec.duoc_len_lop, found_yn=yes_no(rec.duoc_len_lop),
                          result=computed)


@check("TT27-7")
def subjects_match_grade(rec, ctx):
    a, grade = rec.danh_gia, rec.khoi
    for s in a.mon_hoc:
        entry = catalogue.subjects("primary").get(s.mon)
        if entry is None or not entry.taught_in(grade):
            reason = "unknown_subject" if entry is None else "subject_not_in_grade"
            yield ctx.finding("TT27-7", "subject_not_in_grade", rec, subject=s.mon,
                              reason=label("reasons", reason, khoi=grade))
    present = {s.mon for s in a.mon_hoc}
    for entry in catalogue.subjects_for("primary", grade):
        if entry.required_in(grade) and entry.key not in present:
            yield ctx.finding("TT27-7", "subject_missing", rec, subject=entry.key)
    expected = expected_competences(grade)
    have = [r.ma for r in a.nang_luc]
    for key in have:
        if key not in expected:
            yield ctx.finding("TT27-7", "competence_grade", rec, subject=key,
                              reason=label("reasons", "competence_extra", khoi=grade))
    for key in expected:
        if key not in have:
            yield ctx.finding("TT27-7", "competence_grade", rec, subject=key,
                              reason=label("reasons", "competence_missing", khoi=grade))


PACK = RulePack(
    name="tt27",
    rules=load_rule_defs("connector.data", "rules_tt27.toml"),
    checks=collect_checks(globals()),
    description="TT27/2020 primary assessment rules (brief 03 §4)",
)


@hookimpl
def register_rule_packs(register):
    register(PACK)
