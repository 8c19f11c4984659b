"""The rule catalogue as data: complete, consistent with the check functions, documented."""

from __future__ import annotations

import inspect
import re
from datetime import date
from pathlib import Path

import pytest

from connector.validate.packs import identity, tt22, tt27
from tests.validate.test_checks import CASES

REPO = Path(__file__).resolve().parents[2]
MODULES = {"identity": identity, "tt27": tt27, "tt22": tt22}

# Domain brief 03 §1 and 04 §8 (SIG-* belong to the signing stage).
BRIEF_RULES = {"FRAME-1", "GEN-1", "GEN-2", *(f"NUM-{i}" for i in range(1, 5)), *(f"ID-{i}" for i in range(1, 5)),
               *(f"TT27-{i}" for i in range(1, 8)), *(f"TT22-{i}" for i in range(1, 12))}

# The contract shared with the synthetic generator (CHECKS.md): it injects exactly these.
CONTRACT = {
    "FRAME-1.framework", "GEN-2.code", "ID-1.format", "ID-1.consistency", "ID-2.student_code",
    "ID-3.level_group", "ID-3.school_year", "ID-3.age", "ID-4.school",
    "TT27-1.subject_level_missing", "TT27-1.subject_level_invalid", "TT27-1.rating_level_missing",
    "TT27-1.rating_h", "TT27-1.rating_level_invalid", "TT27-2.score_decimal", "TT27-2.score_range",
    "TT27-2.score_zero", "TT27-2.score_missing", "TT27-2.score_missing_inferred", "TT27-2.score_unexpected",
    "TT27-3.result", "TT27-4.reward_not_allowed", "TT27-4.hsxs_missing", "TT27-5.completion", "TT27-6.promotion",
    "TT27-7.subject_not_in_grade", "TT27-7.subject_missing", "TT27-7.competence_grade",
    "TT22-1.score_in_comment_subject", "TT22-1.comment_in_score_subject", "TT22-1.score_range",
    "TT22-1.score_precision", "TT22-1.unknown_subject", "TT22-2.tx_missing", "TT22-2.tx_extra",
    "TT22-2.gk_missing", "TT22-2.ck_missing", "TT22-2.semester_missing", "TT22-3.semester_average",
    "TT22-3.year_average", "TT22-4.comment_semester", "TT22-4.comment_year", "TT22-5.learning_semester",
    "TT22-5.learning_year", "TT22-5.learning_adjusted", "TT22-6.conduct_year", "TT22-6.conduct_year_inferred",
    "TT22-7.promotion", "TT22-8.title", "TT22-8.title_count", "TT22-9.retest_not_allowed", "TT22-9.retest_subject",
    "TT22-9.after_retest", "TT22-10.summer_not_allowed", "TT22-10.summer_missing",
}
# Severity in CHECKS.md: W or R (R = warning with needs_review).
CONTRACT_WARNINGS = {"ID-1.consistency", "ID-2.student_code", "ID-3.age", "TT27-4.hsxs_missing",
                     "TT27-6.promotion", "TT27-2.score_unexpected"}
CONTRACT_REVIEW = {"TT27-2.score_zero", "TT27-2.score_missing_inferred", "TT27-5.completion",
                   "TT27-7.subject_not_in_grade", "TT27-7.subject_missing", "TT27-7.competence_grade",
                   "TT22-5.learning_adjusted", "TT22-6.conduct_year_inferred", "TT22-8.title_count"}


def all_checks():
    for name, module in MODULES.items():
        for rule in module.PACK.rules:
            for check in rule.checks.values():
                yield name, rule, check


def defined() -> set[str]:
    return {f"{r.id}.{c.name}" for _, r, c in all_checks()}


def test_catalogue_has_every_rule_of_the_brief():
    ids = [r.id for m in MODULES.values() for r in m.PACK.rules]
    assert len(ids) == len(set(ids))
    assert set(ids) == BRIEF_RULES


def test_contract_checks_are_all_defined_with_their_severity():
    assert CONTRACT <= defined()
    for _, rule, c in all_checks():
        key = f"{rule.id}.{c.name}"
        if key in CONTRACT:
            expected = ("warning", True) if key in CONTRACT_REVIEW else (
                ("warning", False) if key in CONTRACT_WARNINGS else ("error", False))
            assert (c.severity, c.needs_review) == expected, key


@pytest.mark.parametrize(("pack", "rule", "check"), list(all_checks()),
                         ids=[f"{r.id}.{c.name}" for _, r, c in all_checks()])
def test_every_check_has_a_function_able_to_emit_it(pack, rule, check):
    module = MODULES[pack]
    assert rule.id in module.PACK.checks, f"no @check({rule.id!r}) function"
    source = inspect.getsource(module)
    assert re.search(rf'"{re.escape(rule.id)}",\s*(name|"{check.name}")', source), "no ctx.finding for the rule"
    assert f'"{check.name}"' in source, f"check name {check.name!r} never emitted"


def test_needs_review_checks_are_never_errors():
    for _, rule, c in all_checks():
        assert not (c.needs_review and c.severity == "error"), (rule.id, c.name)


def test_inferred_rules_never_block():
    """[inferred] legal rules report warnings until someone checks the circular (brief 03 intro)."""
    for _, rule, c in all_checks():
        if rule.status == "inferred":
            assert c.severity == "warning", (rule.id, c.name)


def test_rules_without_checks_say_what_enforces_them():
    for m in MODULES.values():
        for rule in m.PACK.rules:
            assert rule.checks or rule.enforced_by, rule.id
            assert not (rule.checks and rule.id not in m.PACK.checks), rule.id


def test_effective_dates():
    for m in MODULES.values():
        for rule in m.PACK.rules:
            expected = {"TT27": date(2020, 10, 20), "TT22": date(2021, 9, 5)}.get(rule.framework, date(2000, 1, 1))
            assert rule.effective_from == expected, rule.id


def test_every_check_has_a_case_that_fires_it():
    assert {c for c, _, _ in CASES} == defined()


def test_vietnamese_messages_are_vietnamese():
    for _, rule, c in all_checks():
        assert c.vi != c.en and re.search(r"[À-ỹĐđ]", c.vi), (rule.id, c.name)
        assert set(re.findall(r"{(\w+)}", c.vi)) == set(re.findall(r"{(\w+)}", c.en)), (rule.id, c.name)


def test_docs_list_every_rule_and_check():
    text = (REPO / "docs" / "rules.md").read_text("utf-8")
    for key in defined():
        assert f"`{key}`" in text, key
    for rule_id in BRIEF_RULES:
        assert f"| {rule_id} |" in text, rule_id


def test_docs_show_the_severity_in_force():
    rows = {}
    for line in (REPO / "docs" / "rules.md").read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 3 and cells[1].startswith("`"):
            rows[cells[1].strip("`")] = (cells[2], cells[3])
    for _, rule, c in all_checks():
        assert rows[f"{rule.id}.{c.name}"] == (c.severity, "yes" if c.needs_review else "no"), (rule.id, c.name)


def test_province_codes_of_the_personal_id():
    provinces = identity.identifiers()["personal_id"]["provinces"]
    assert len(provinces) == 63
    assert {"001", "031", "048", "079", "092"} <= set(provinces)  # those brief 04 confirms
    assert all(re.fullmatch(r"0\d\d", code) for code in provinces)
