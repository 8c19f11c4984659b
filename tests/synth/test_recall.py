"""Recall: the validator reports every injected error, and finds nothing in a clean school.

Validates the generated records in memory with the registered rule packs (built-in and plugins)."""

from __future__ import annotations

from collections import Counter

import pytest

from connector.plugins import load_registry
from connector.validate import Validator

from .conftest import school
from .contract import ALL


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator(load_registry().all("rule_pack"))


def _reported(error, findings) -> bool:
    return any(
        f.rule_id == error.rule_id and f.check == error.check and f.student_key == error.student_key
        and f.nam_hoc == error.nam_hoc and (error.subject is None or f.subject == error.subject)
        for f in findings
    )


def test_every_injectable_check_is_defined_by_a_rule_pack(validator):
    defined = {f"{d.id}.{name}" for pack in validator.packs for d in pack.rules for name in d.checks}
    assert ALL - defined == set()


@pytest.mark.parametrize("level", ["primary", "secondary"])
def test_every_injected_error_is_reported(injected_schools, validator, level):
    missed, on_clean = Counter(), Counter()
    for record, error in injected_schools[level]:
        findings = validator.validate(record)
        if error is None:  # the same record as in the school without errors
            on_clean.update((f.rule_id, f.check) for f in findings)
        elif not _reported(error, findings):
            missed[error.key] += 1
    assert not missed, f"injected but not reported: {dict(missed)}"
    assert not on_clean, f"findings on records without an injected error: {dict(on_clean)}"


@pytest.mark.parametrize("level,students,options", [
    ("primary", 100, {}),
    ("secondary", 100, {}),
    ("thcs", 60, {"years": 3, "personal_ids": True}),  # with legacy history years and personal IDs
    ("primary", 80, {"years": 2, "personal_ids": True, "nam_hoc": "2024-2025"}),
])
def test_a_clean_school_has_no_findings(validator, level, students, options):
    findings = Counter()
    for record, _ in school(13, level, students, **options):
        for f in validator.validate(record):
            findings[(f.rule_id, f.check, f.severity)] += 1
    assert not findings, dict(findings)


def test_temporary_codes_give_only_the_student_code_warning(validator):
    findings = Counter()
    for record, _ in school(14, "primary", 100, temporary_codes=0.3):
        for f in validator.validate(record):
            findings[(f.rule_id, f.check, f.severity)] += 1
    assert set(findings) == {("ID-2", "student_code", "warning")}
