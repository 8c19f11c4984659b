"""Deliberate errors: one injector per injectable check of the contract, each really planting its error."""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest

from connector import catalogue
from connector.model import StudentYear, canonical_json
from connector.synth import INJECTORS, InjectedError, InjectedErrorWriter, generate, read_injected_errors
from connector.synth.data import seeded
from connector.synth.inject import ErrorPlanter, Tools
from connector.synth.school import derive

from .contract import ALL, INJECTABLE


def test_injector_table_is_the_contract():
    assert set(INJECTORS) == ALL
    for key, injector in INJECTORS.items():
        assert f"{injector.rule_id}.{injector.check}" == key
        for framework in injector.frameworks:
            assert key in INJECTABLE[framework]


@pytest.mark.parametrize("level,framework", [("primary", "TT27"), ("secondary", "TT22")])
def test_every_check_is_injected_in_a_small_school(injected_schools, level, framework):
    records = injected_schools[level]
    errors = [e for _, e in records if e is not None]
    assert {e.key for e in errors} == INJECTABLE[framework]
    assert 0.18 < len(errors) / len(records) < 0.32  # about the requested 25 %
    counts = Counter(e.key for e in errors)
    assert max(counts.values()) - min(counts.values()) <= 2  # cycled evenly


def test_injected_records_stay_valid_models_and_name_real_subjects(injected_schools):
    subjects = {*catalogue.subjects("primary"), *catalogue.subjects("secondary")}
    for level, records in injected_schools.items():
        for record, error in records:
            if error is None:
                continue
            again = StudentYear.model_validate_json(canonical_json(record))
            assert canonical_json(again) == canonical_json(record)
            assert (error.student_key, error.nam_hoc) == (record.student_key, record.nam_hoc)
            assert error.subject is None or error.subject in subjects


@cache
def _clean_record(level: str, grade: int) -> StudentYear:
    for record, _ in generate(31, level=level, students=300):
        if record.khoi == grade and not record.co_khuyet_tat_khong_danh_gia:
            return record
    raise AssertionError("no such record")


@pytest.mark.parametrize("key", sorted(ALL))
def test_each_injector_changes_a_clean_record(key):
    injector = INJECTORS[key]
    level, grade = ("primary", 4) if "TT27" in injector.frameworks else ("thpt", 11)
    clean = _clean_record(level, grade).model_copy(deep=True)
    before = canonical_json(clean)
    rng = seeded("test", key)
    done = injector.fn(clean.model_copy(deep=True), Tools(rng, lambda r: derive(r, rng), "079"))
    assert done is not None
    assert canonical_json(done.record) != before
    assert canonical_json(clean) == before  # the clean record itself is never touched


def test_planter_skips_injectors_that_do_not_apply():
    clean = _clean_record("primary", 2).model_copy(deep=True)  # grades 1–3 have no Khoa học test
    planter = ErrorPlanter()
    for key in planter.counts:
        planter.counts[key] = 5
    planter.counts["TT27-2.score_missing_inferred"] = 0
    rng = seeded("skip")
    _, error = planter.plant(clean, Tools(rng, lambda r: derive(r, rng), "079"))
    assert error.key != "TT27-2.score_missing_inferred"


def test_injected_errors_round_trip_through_jsonl(tmp_path):
    errors = [InjectedError("TT22-3", "semester_average", "123", "2025-2026", "toan"),
              InjectedError("ID-4", "school", "TAM-1", "2025-2026")]
    path = tmp_path / "injected_errors.jsonl"
    with InjectedErrorWriter(path) as write:
        for e in errors:
            write(e)
    assert write.count == 2
    assert list(read_injected_errors(path)) == errors
    assert path.read_text(encoding="utf-8").splitlines()[0] == (
        '{"check":"semester_average","nam_hoc":"2025-2026","rule_id":"TT22-3","student_key":"123","subject":"toan"}')
