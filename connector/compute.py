"""What the circulars say a derived value must be, computed from raw assessments.

Pure functions over Decimal and code strings, with the tables from ``data/assessment.toml``. The
validator compares these with what the school system stored (NUM-4: tolerance 0); the synthetic
generator uses them to build consistent schools. Never ``float``, never ``round()`` (brief 03 §3).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from connector.catalogue import load_data

ONE_DECIMAL = Decimal("0.1")


@cache
def tables() -> dict:
    return load_data("assessment.toml")


def half_up(value: Decimal) -> Decimal:
    """NUM-2: one decimal, half-up (7.25 → 7.3), never the default half-even."""
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def semester_average(tx: Sequence[Decimal], gk: Decimal, ck: Decimal) -> Decimal:
    """TT22-3: ĐTBmhk = (ΣĐĐGtx + 2·ĐĐGgk + 3·ĐĐGck) / (số ĐĐGtx + 5), rounded half-up."""
    return half_up((sum(tx, Decimal(0)) + 2 * gk + 3 * ck) / (len(tx) + 5))


def year_average(hk1: Decimal, hk2: Decimal) -> Decimal:
    """TT22-3 with NUM-3: ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3 from the *rounded* semester values."""
    return half_up((hk1 + 2 * hk2) / 3)


def comment_semester(tx_nx: Sequence[str], gk_nx: str | None, ck_nx: str | None, required_tx: int) -> str:
    """TT22-4: Đ when every required assessment is present and Đ; otherwise CĐ."""
    complete = len(tx_nx) >= required_tx and gk_nx is not None and ck_nx is not None
    all_passed = all(v == "Đ" for v in (*tx_nx, gk_nx, ck_nx))
    return "Đ" if complete and all_passed else "CĐ"


def learning_result(scores: Iterable[Decimal], comments: Iterable[str]) -> str:
    """TT22-5: T/K/Đ/CĐ from subject averages (ĐTBmhk or ĐTBmcn) and comment results."""
    scores, comments = list(scores), list(comments)
    not_passed = sum(1 for c in comments if c != "Đ")
    for level in tables()["tt22_learning"]:
        min_all, threshold = Decimal(level["min_all"]), Decimal(level["count_threshold"])
        if (
            not_passed <= level["max_not_passed"]
            and all(s >= min_all for s in scores)
            and sum(1 for s in scores if s >= threshold) >= level["min_count"]
        ):
            return level["code"]
    return tables()["tt22_learning_fallback"]["code"]


def conduct_year(hk1: str, hk2: str) -> str | None:
    """TT22-6: year conduct from the two semesters; None when either is not a T/K/Đ/CĐ code."""
    return tables()["tt22_conduct_year"].get(hk2, {}).get(hk1)


def at_least(code: str | None, minimum: str) -> bool:
    """T > K > Đ > CĐ."""
    order = tables()["tt22_order"]["codes"]
    return code in order and order.index(code) <= order.index(minimum)


def promoted(conduct: str | None, learning: str | None, absences: int) -> bool:
    """TT22-7: lên lớp when conduct ≥ Đ, learning ≥ Đ and at most 45 buổi absent."""
    rule = tables()["tt22_promotion"]
    return (
        at_least(conduct, rule["min_conduct"])
        and at_least(learning, rule["min_learning"])
        and absences <= rule["max_absences"]
    )


def title(conduct: str | None, learning: str | None, scores: Iterable[Decimal]) -> str | None:
    """TT22-8: HSXS, HSG or None."""
    scores = list(scores)
    for t in tables()["tt22_titles"]:
        threshold = Decimal(t["count_threshold"])
        if (
            conduct == t["conduct"]
            and learning == t["learning"]
            and sum(1 for s in scores if s >= threshold) >= t["min_count"]
        ):
            return t["code"]
    return None


def retest_allowed(learning: str | None, conduct: str | None) -> bool:
    """TT22-9: re-test only when year learning is CĐ and year conduct at least Đ."""
    rule = tables()["tt22_retest"]
    return learning == rule["learning"] and at_least(conduct, rule["min_conduct"])


def retest_subject(score: Decimal | None, comment: str | None) -> bool:
    """TT22-9: a subject is re-tested when its ĐTBmcn is below 5.0 or it is rated CĐ."""
    below = Decimal(tables()["tt22_retest"]["below"])
    return (score is not None and score < below) or comment == "CĐ"


def primary_result(subject_levels: Iterable[str], rating_levels: Iterable[str], tests: Iterable[Decimal]) -> str:
    """TT27-3: HTXS/HTT/HT/CHT from end-of-year levels and test scores."""
    subject_levels, rating_levels, tests = list(subject_levels), list(rating_levels), list(tests)
    for level in tables()["tt27_result"]:
        if (
            all(v in level["subject_levels"] for v in subject_levels)
            and all(v in level["rating_levels"] for v in rating_levels)
            and all(t >= level["min_test"] for t in tests)
        ):
            return level["code"]
    return tables()["tt27_result_fallback"]["code"]


def rewards_allowed(result: str | None) -> set[str]:
    """TT27-4: reward codes compatible with a year result."""
    return {reward for reward, results in tables()["tt27_rewards"].items() if result in results}


def completes_class(result: str | None) -> bool:
    """TT27-5 [inferred]: "Hoàn thành chương trình lớp học" exactly for HTXS, HTT, HT."""
    return result in tables()["tt27_completion"]["results"]
