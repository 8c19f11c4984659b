"""Compiled-SQL golden tests: the exact T-SQL the ``mssql+pyodbc`` dialect sends to SQL Server (version
pinned: hocba_smas.schema.SQLSERVER_VERSION) for every statement the plugin issues, and the committed DDL.

No SQL Server runs in CI, so the statements are captured from a real run of the plugin (check, discover,
new_cursor, full and incremental extraction, a school filter, a soft-deleted row) against SQLite, with
the SMAS tables in an attached database named ``dbo`` so table references are schema-qualified as on SQL
Server, and every captured Core statement is compiled with the SQL Server dialect. The statements the
run cannot reach (the resume-after-disconnect variants) are added from the plugin's prepared statements.

A change in the plugin, the mapping, the shared SQL layer or SQLAlchemy that changes a statement fails
here; after reviewing the difference, regenerate the files with:

    HOCBA_REGENERATE_GOLDEN=1 .venv/bin/pytest plugins/smas/tests/test_smas_golden.py
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import event, update
from sqlalchemy.engine import Engine
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import TextClause

from connector.extract import SourceState
from hocba_smas import schema as s
from hocba_smas.export import engine_for
from hocba_smas.plugin import SmasSource
from smas_data import HAND_MADE_SCHOOL, every_field_records

GOLDEN = Path(__file__).with_name("golden")
STATEMENTS = GOLDEN / f"tsql-sqlserver-{'.'.join(map(str, s.SQLSERVER_VERSION))}.sql"
DDL = Path(s.__file__).with_name("sql") / f"{s.SCHEMA_ID}.sql"
REGENERATE = os.environ.get("HOCBA_REGENERATE_GOLDEN") == "1"
#: The golden files hold the SQL of this SQLAlchemy release line; another one may word statements differently.
SQLALCHEMY_LINE = ".".join(sqlalchemy.__version__.split(".")[:2])


def compare_or_write(path: Path, text: str) -> None:
    if REGENERATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing: regenerate with HOCBA_REGENERATE_GOLDEN=1 (see this module)"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"the T-SQL differs from {path.name}; review the change, then regenerate with HOCBA_REGENERATE_GOLDEN=1")


@pytest.fixture
def dbo_sqlite(tmp_path, monkeypatch):
    """A SQLite main database with the SMAS tables in an attached database called ``dbo``."""
    tables = tmp_path / "smas-dbo.sqlite"
    SmasSource.export(every_field_records(), str(tables))
    engine = engine_for(str(tables))
    with engine.begin() as conn:  # a soft-deleted student-year: the plugin then looks for a live twin
        conn.execute(update(s.HocSinhLop).where(s.HocSinhLop.c.HocSinhLopID == 2).values(IsDeleted=True))
    engine.dispose()

    def attach(dbapi_conn, _record):
        if isinstance(dbapi_conn, sqlite3.Connection):
            dbapi_conn.execute("ATTACH DATABASE ? AS dbo", (str(tables),))

    event.listen(Engine, "connect", attach)
    yield {"url": f"sqlite:///{tmp_path / 'main.sqlite'}", "db_schema": "dbo"}
    event.remove(Engine, "connect", attach)


def captured_statements(config: dict) -> list:
    captured = []

    def capture(_conn, clause, _multiparams, _params, _options):
        if isinstance(clause, Executable) and not isinstance(clause, TextClause):
            captured.append(clause)

    event.listen(Engine, "before_execute", capture)
    source = SmasSource(config)
    try:
        assert source.check().ok
        source.discover()
        cursor = source.new_cursor() or "2000-01-01T00:00:00+07:00"
        messages = list(source.extract())
        list(source.extract(school=HAND_MADE_SCHOOL, state=SourceState(cursor=cursor)))
        q = source.queries
        unreached = [*q.root_variants.values(), *q.children.values(), q.live_twin]
    finally:
        event.remove(Engine, "before_execute", capture)
        source.close()
    assert any(getattr(m, "reason", None) == "deleted" for m in messages)
    return captured + unreached


def tsql(statements: list) -> str:
    dialect = s.sqlserver_dialect()
    seen: dict[str, None] = {}
    for statement in statements:
        seen.setdefault(str(statement.compile(dialect=dialect)).strip(), None)
    header = (f"-- T-SQL the smas plugin sends to SQL Server {s.SQLSERVER_VERSION} through mssql+pyodbc "
              f"(SQLAlchemy {SQLALCHEMY_LINE}), in the order first sent.\n"
              "-- ? are bound parameters; __[POSTCOMPILE_ids] expands to one ? per key of the chunk.\n"
              "-- Regenerate: HOCBA_REGENERATE_GOLDEN=1 .venv/bin/pytest plugins/smas/tests/test_smas_golden.py\n")
    return header + "".join(f"\n-- statement {i}\n{sql};\n" for i, sql in enumerate(seen, 1))


def test_every_statement_the_plugin_sends_is_the_golden_tsql(dbo_sqlite):
    text = tsql(captured_statements(dbo_sqlite))
    compare_or_write(STATEMENTS, text)


def test_golden_tsql_is_bound_parameters_only_schema_qualified_and_read_only():
    """What the golden file must show however it is regenerated: no literal value, every table in dbo,
    nothing but SELECT."""
    body = "\n".join(line for line in STATEMENTS.read_text(encoding="utf-8").splitlines()
                     if not line.startswith("--"))
    assert "'" not in body  # values travel as ? parameters (a literal would render N'…')
    for table in s.TABLES:
        assert f"[{table.name}]" not in body.replace(f"dbo.[{table.name}]", ""), table.name
    assert all(statement.lstrip().startswith("SELECT") for statement in body.split(";") if statement.strip())


def test_golden_statements_page_by_key_not_by_offset():
    """Keyset pagination: ``WHERE key > ?`` with a page size (TOP n, or FETCH FIRST n ROWS); an OFFSET is
    only ever 0 (SQL Server's FETCH needs one), never a growing offset that rescans the table; no
    ROW_NUMBER() wrapper (the form the dialect emits when it does not know the server version)."""
    body = STATEMENTS.read_text(encoding="utf-8")
    assert "[HocSinhLop].[HocSinhLopID] > ?" in body
    assert "SELECT TOP __[POSTCOMPILE" in body or "FETCH FIRST __[POSTCOMPILE" in body
    offsets = {line.strip() for line in body.splitlines() if "OFFSET" in line}
    assert offsets <= {"OFFSET 0 ROWS"}
    assert "ROW_NUMBER" not in body


def test_committed_ddl_is_generated_from_the_schema_and_labelled():
    text = s.tsql_ddl()
    compare_or_write(DDL, text)
    assert "MODELLED from public information, not vendor-official" in text.splitlines()[1]
    assert "NVARCHAR" in text and "DATETIME2(3)" in text and "BIT NOT NULL DEFAULT 0" in text
    assert text.count("CREATE TABLE dbo.") == len(s.TABLES)
