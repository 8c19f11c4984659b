"""Acceptance: a 20,000-student generated school extracted from MariaDB equals, record by record (the
canonical JSON's SHA-256 per record key), the same school extracted from its CSV bundle (the csv plugin's
export + CsvSource).

The two sides run at the same time: the CSV side in a second process (the machine has two cores), the
MariaDB side here. Each generates the school itself from the same seed (cheaper than writing it out and
parsing it back) and fingerprints what it generated, so the test first proves both sides started from
the very same records. Nothing is held in memory but one fingerprint per record.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest

from connector.extract import Problem, Record
from connector.model import StudentYear, content_hash
from connector.synth import generate_school

from hocba_vnedu.plugin import VneduSource
from vnedu_db import new_tenant

STUDENTS = 20_000


def school() -> Iterator[StudentYear]:
    return generate_school(20_000, level="thcs", students=STUDENTS, nam_hoc="2024-2025", ma_truong="79020000")


def digested(records: Iterable[StudentYear], digest) -> Iterator[StudentYear]:
    """The records, each also fed to ``digest`` (which then identifies the whole generated school)."""
    for record in records:
        digest.update(record.model_dump_json().encode("utf-8"))
        yield record


def fingerprints(messages) -> dict[str, str]:
    """Record key → SHA-256 of the record's canonical JSON; no problem, no key twice."""
    out: dict[str, str] = {}
    records = 0
    for message in messages:
        assert not isinstance(message, Problem), f"problem: {message.key} {message.file} {message.column}"
        if isinstance(message, Record):
            records += 1
            out[message.payload.key] = content_hash(message.payload)
    assert len(out) == records, f"{records - len(out)} record keys came out twice"
    return out


def csv_side(bundle: str) -> tuple[str, dict[str, str]]:
    """In the second process: generate, export the CSV bundle, extract it with CsvSource."""
    from hocba_csv.source import CsvSource

    from connector import log

    log.configure(level="warning")
    generated = hashlib.sha256()
    CsvSource.export(digested(school(), generated), bundle)
    source = CsvSource({"path": bundle})
    try:
        return generated.hexdigest(), fingerprints(source.extract())
    finally:
        source.close()


@pytest.mark.slow
def test_twenty_thousand_students_from_mariadb_equal_the_csv_bundle(mariadb_server, tmp_path):
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing of this process is shared
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as other_core:
        from_csv_later = other_core.submit(csv_side, str(tmp_path / "bundle"))

        generated = hashlib.sha256()
        tenant = new_tenant(mariadb_server, digested(school(), generated), keep=False)
        config = tenant.config()  # read as users do by default: the C driver, the next page read ahead
        vnedu = VneduSource({**config, "url": config["url"].replace("mysql+pymysql://", "mysql+mysqldb://")})
        try:
            from_db = fingerprints(vnedu.extract())
        finally:
            vnedu.close()
            mariadb_server.drop_database(tenant.database)
        csv_generated, from_csv = from_csv_later.result()

    assert generated.hexdigest() == csv_generated, "the two processes generated different schools"
    assert len(from_db) == len(from_csv) >= STUDENTS
    differing = sorted(k for k in from_db.keys() | from_csv.keys() if from_db.get(k) != from_csv.get(k))
    assert not differing, f"{len(differing)} records differ, e.g. {differing[:3]}"
