"""``postgresql+pyodbc``: a small SQLAlchemy dialect for PostgreSQL through pyodbc and psqlODBC.

SQLAlchemy ships pyodbc dialects for SQL Server and MySQL only (brief 09 §3.2). Tests use this one to run
the SMAS plugin's Core statements through unixODBC against a real PostgreSQL server, next to the MariaDB
ODBC driver: the same pyodbc code path the plugin takes to SQL Server, on a second driver. Not meant for
production use.
"""

from __future__ import annotations

from sqlalchemy import types as sqltypes
from sqlalchemy.connectors.pyodbc import PyODBCConnector
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.dialects.postgresql import REGCLASS, REGCONFIG

#: SQLSTATE classes and message fragments that mean the connection is gone.
_DISCONNECT_STATES = ("08",)
_DISCONNECT_TEXT = ("terminating connection", "server closed the connection", "no connection to the server",
                    "could not send data to server", "connection not open")


def _cast(base: type) -> type:
    """``base`` rendering its bind parameters with a cast (``?::VARCHAR``): psqlODBC sends parameters
    untyped, and PostgreSQL cannot infer every one (reflection queries fail with 42P18 otherwise).
    The same choice as SQLAlchemy's psycopg dialect."""
    return type(f"_Cast{base.__name__}", (base,), {"render_bind_cast": True})


class PGDialect_pyodbc(PyODBCConnector, PGDialect):
    supports_statement_cache = True
    pyodbc_driver_name = "PostgreSQL Unicode"
    # executemany as multi-row INSERT … VALUES pages: psqlODBC otherwise makes one round trip per row.
    use_insertmanyvalues = True
    use_insertmanyvalues_wo_returning = True
    insertmanyvalues_max_parameters = 2000  # psqlODBC loses sync with server-side prepare of bigger ones
    colspecs = {
        **PGDialect.colspecs,
        **{t: _cast(t) for t in (sqltypes.String, sqltypes.Integer, sqltypes.SmallInteger, sqltypes.BigInteger,
                                 sqltypes.Boolean, sqltypes.Date, sqltypes.DateTime, sqltypes.Time,
                                 sqltypes.Numeric, REGCLASS, REGCONFIG)},
    }

    def _get_server_version_info(self, connection):
        return PGDialect._get_server_version_info(self, connection)

    def get_isolation_level_values(self, dbapi_conn):
        return [*PGDialect.get_isolation_level_values(self, dbapi_conn), "AUTOCOMMIT"]

    def is_disconnect(self, e, connection, cursor) -> bool:
        if super().is_disconnect(e, connection, cursor):
            return True
        state = e.args[0] if getattr(e, "args", None) and isinstance(e.args[0], str) else ""
        text = str(e).lower()
        return state.startswith(_DISCONNECT_STATES) or any(fragment in text for fragment in _DISCONNECT_TEXT)


dialect = PGDialect_pyodbc


def register() -> None:
    """Make ``postgresql+pyodbc://`` URLs resolve to this dialect (idempotent)."""
    registry.register("postgresql.pyodbc", __name__, "PGDialect_pyodbc")
