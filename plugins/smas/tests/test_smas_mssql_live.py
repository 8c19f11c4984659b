"""Opt-in: the smas plugin against a real SQL Server. CI has none (domain brief 09 §3), so this runs only
when ``HOCBA_TEST_MSSQL_URL`` names one — a scratch database where the login may create tables, e.g.

    HOCBA_TEST_MSSQL_URL='mssql+pyodbc://sa:…@sqlhost:1433/hocba_test?driver=ODBC+Driver+18+for+SQL+Server&TrustServerCertificate=yes'

It creates the modelled SMAS tables in ``dbo`` (refusing a database that already has them), loads the
hand-made records and a small generated school with the plugin's export, extracts them with the plugin,
checks that every record comes back equal and that the statements sent are those of the golden T-SQL
file, then drops the tables again.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import TextClause

from connector.model import canonical_json
from connector.synth import generate_school

from hocba_smas import schema as s
from hocba_smas.plugin import SmasSource
from smas_data import canonical, every_field_records, read

MSSQL_URL = os.environ.get("HOCBA_TEST_MSSQL_URL")

pytestmark = pytest.mark.skipif(
    not MSSQL_URL, reason="HOCBA_TEST_MSSQL_URL is not set: no SQL Server to test against (CI has none)")


@pytest.fixture(scope="module")
def sql_server():
    engine = create_engine(MSSQL_URL)
    assert engine.dialect.name == "mssql", "HOCBA_TEST_MSSQL_URL must be an mssql+… URL"
    existing = set(inspect(engine).get_table_names(schema=s.DB_SCHEMA)) & {t.name for t in s.TABLES}
    assert not existing, f"use an empty scratch database: it already has SMAS tables {sorted(existing)}"
    records = every_field_records() + list(generate_school("smas-live", level="thcs", students=6, years=2,
                                                           ma_truong="79000201"))
    try:
        SmasSource.export(records, MSSQL_URL)
        yield records
    finally:
        s.metadata.drop_all(engine)
        engine.dispose()


def test_records_come_back_equal_from_sql_server(sql_server):
    found, _, problems = read({"url": MSSQL_URL})
    assert problems == []
    assert canonical(found) == {r.key: canonical_json(r) for r in sql_server}


def test_check_and_discover_on_sql_server(sql_server):
    source = SmasSource({"url": MSSQL_URL})
    try:
        result = source.check()
        schools = source.discover()
        cursor = source.new_cursor()
    finally:
        source.close()
    assert result.ok, result.message("en")
    assert {school.ma_truong for school in schools} == {r.ma_truong for r in sql_server}
    assert cursor is not None and "+07:00" in cursor


def test_statements_sent_to_sql_server_are_in_the_golden_file(sql_server):
    """The same Core statements compile to the committed T-SQL on a live server's dialect."""
    from test_smas_golden import STATEMENTS

    sent = []

    def capture(_conn, clause, *_):
        if isinstance(clause, Executable) and not isinstance(clause, TextClause):
            sent.append(clause)

    source = SmasSource({"url": MSSQL_URL})
    engine = source.engine()
    event.listen(engine, "before_execute", capture)
    try:
        list(source.extract())
        # SQL Server 2012 and later page with OFFSET/FETCH, as the golden file (compiled for 2022) does.
        assert engine.dialect.server_version_info >= (11,), "SQL Server 2012 or later expected"
        golden = STATEMENTS.read_text(encoding="utf-8")
        for clause in sent:
            assert str(clause.compile(dialect=engine.dialect)).strip() in golden
    finally:
        source.close()
