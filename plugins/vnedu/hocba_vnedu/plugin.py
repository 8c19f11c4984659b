"""The ``vnedu`` source: vnEdu (VNPT) school databases on MySQL/MariaDB.

MODELLED from public information, not vendor-official: the schema this plugin reads
(schema/vnedu-modelled-1.sql) is hocba's model, and even the engine is an assumption (README.md).
Everything vendor-specific is in the mapping file (mapping/vnedu-modelled-1.toml) and the assembler
(assemble.py); connecting, detecting the schema version, streaming, retrying, incremental reads and
check/discover come from the shared SQL-source layer (:mod:`connector.extract.sql`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from connector.extract.sql import SqlSource, sql_config_schema
from connector.hookspecs import hookimpl
from connector.model import StudentYear

HERE = Path(__file__).parent
MAPPINGS = (HERE / "mapping" / "vnedu-modelled-1.toml",)  # newest schema version first
DDL = HERE / "schema" / "vnedu-modelled-1.sql"


class VneduSource(SqlSource):
    name = "vnedu"
    description = "vnEdu (VNPT) on MySQL/MariaDB — MODELLED schema (from public information, not vendor-official)"
    config_schema = sql_config_schema(
        default_port=3306, url_example="mysql+pymysql://hocba_reader@10.0.0.5:3306/vnedu?charset=utf8mb4")
    notes = (
        "schema: modelled from public information, not vendor-official",
        "schema versions: vnedu-modelled-1 (DDL: hocba_vnedu/schema/vnedu-modelled-1.sql; "
        "mapping: hocba_vnedu/mapping/vnedu-modelled-1.toml)",
        "engine: MySQL/MariaDB is an assumption; use a read-only (SELECT-only) account",
        "legacy years (M/P/V/HK scores) are read as history, never emitted as a new Học bạ số",
    )
    mappings = MAPPINGS
    # mysqlclient (C; the c-driver extra) when installed: its rows cost a fraction of pymysql's CPU.
    default_driver = ("mysql+mysqldb", "mysql+pymysql")
    default_port = 3306
    default_query = {"charset": "utf8mb4"}

    @classmethod
    def export(cls, records: Iterable[StudentYear], destination: str) -> None:
        """Write canonical records into the modelled schema at ``destination`` (a SQLAlchemy URL of a
        database the account may write; the tables are created when missing). For tests, demos and
        benchmarks: the inverse of ``extract``."""
        from hocba_vnedu.load import load

        load(records, destination)


@hookimpl
def register_sources(register):
    register(VneduSource)
