"""Acceptance: a 20,000-student generated school extracted from MariaDB equals, as canonical JSON sorted by
record key, the same school extracted from its CSV bundle (the csv plugin's export + CsvSource)."""

from __future__ import annotations

import pytest

from connector.extract import Problem, Record
from connector.model import StudentYear, canonical_json
from connector.synth import generate_school

from hocba_vnedu.plugin import VneduSource
from vnedu_db import new_tenant

STUDENTS = 20_000


def canonical(messages) -> list[str]:
    messages = list(messages)
    problems = [m for m in messages if isinstance(m, Problem)]
    assert not problems, f"{len(problems)} problems, first: {problems[0].key} {problems[0].file} {problems[0].column}"
    return sorted(canonical_json(m.payload) for m in messages if isinstance(m, Record))


@pytest.mark.slow
def test_twenty_thousand_students_from_mariadb_equal_the_csv_bundle(mariadb_server, tmp_path):
    from hocba_csv.source import CsvSource

    jsonl = tmp_path / "school.jsonl"
    with jsonl.open("w", encoding="utf-8") as f:  # generated once, written twice
        for record in generate_school(20_000, level="thcs", students=STUDENTS, nam_hoc="2024-2025",
                                      ma_truong="79020000"):
            f.write(canonical_json(record) + "\n")

    def records():
        with jsonl.open(encoding="utf-8") as f:
            for line in f:
                yield StudentYear.model_validate_json(line)

    bundle = tmp_path / "bundle"
    CsvSource.export(records(), str(bundle))
    csv_source = CsvSource({"path": str(bundle)})
    try:
        from_csv = canonical(csv_source.extract())
    finally:
        csv_source.close()

    tenant = new_tenant(mariadb_server, records())
    vnedu = VneduSource(tenant.config())
    try:
        from_db = canonical(vnedu.extract())
    finally:
        vnedu.close()
        mariadb_server.drop_database(tenant.database)

    assert len(from_db) == len(from_csv) >= STUDENTS
    assert from_db == from_csv
