"""Connections for the SQL-source layer: engine with timeouts and a read-only session, and the
classification of driver errors into what a district IT person can act on.

Everything dialect- or driver-specific is a table here (timeouts, read-only statements, error codes), so
another database is a few lines of data. Messages never carry the password: servers are named by
host and port only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, create_engine
from sqlalchemy.exc import DBAPIError

#: Connect-time keyword arguments per DBAPI driver: (connect timeout name, read timeout name(s)).
TIMEOUT_ARGS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "pymysql": ("connect_timeout", ("read_timeout", "write_timeout")),
    "mysqldb": ("connect_timeout", ("read_timeout", "write_timeout")),
    "mariadbconnector": ("connect_timeout", ("read_timeout", "write_timeout")),
    "pyodbc": ("timeout", ()),  # login timeout; the query timeout is set on the connection (below)
    "psycopg": ("connect_timeout", ()),  # statement_timeout through the read-only session statement
    "psycopg2": ("connect_timeout", ()),
}

#: DBAPI drivers written in C, which release the interpreter lock while they wait for the server: reading the
#: next page on a second thread then overlaps the assembly of this one (SqlSource ``read_ahead`` default).
#: pymysql is pure Python: its parsing would compete with the assembly for the lock, so it reads in turn.
READ_AHEAD_DRIVERS = frozenset({"mysqldb", "mariadbconnector", "pyodbc", "psycopg", "psycopg2"})

#: Statements run on every new connection so the session cannot write, even if the account could.
READ_ONLY_SESSION: dict[str, tuple[str, ...]] = {
    "mysql": ("SET SESSION TRANSACTION READ ONLY",),
    "mariadb": ("SET SESSION TRANSACTION READ ONLY",),
    "postgresql": ("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",),
    # SQL Server has no session-wide read-only switch: the read-only account is the guarantee.
}

#: What a driver error means, by dialect: native error numbers and SQLSTATEs → kind.
#: Kinds: unreachable, login, database, database_denied, privilege, schema, transient, timeout.
ERROR_KINDS: dict[str, dict[int | str, str]] = {
    "mysql": {
        2002: "unreachable", 2003: "unreachable", 2005: "unreachable", 2047: "unreachable",
        1045: "login", 1698: "login", 1130: "login", 1251: "login",
        1049: "database",
        1044: "database_denied",  # MariaDB/MySQL also answer this for a database that does not exist
        1142: "privilege", 1143: "privilege", 1227: "privilege",
        1146: "schema", 1054: "schema",
        # disconnects and server-side interruptions: retried, the extraction resumes from the last key
        1927: "transient", 2006: "transient", 2013: "transient", 2014: "transient", 2045: "transient",
        2055: "transient", 4031: "transient", 1053: "transient", 1040: "transient", 1205: "transient",
        1213: "transient",
        3024: "timeout", 1969: "timeout",
    },
    # pyodbc gives the SQLSTATE first; the native number is read from the message ("… (18456)").
    "mssql": {
        "28000": "login", 18456: "login", 4060: "database_denied", "08001": "unreachable",
        229: "privilege", 230: "privilege", 208: "schema", 207: "schema", "42S02": "schema", "42S22": "schema",
        "08S01": "transient", "08003": "transient", "08007": "transient", 10054: "transient", 233: "transient",
        1205: "transient", "40001": "transient",
        "HYT00": "timeout", "HYT01": "timeout",
    },
    "postgresql": {
        "28P01": "login", "28000": "login", "3D000": "database", "42501": "privilege", "42P01": "schema",
        "42703": "schema", "08001": "unreachable", "08006": "transient", "08003": "transient",
        "57P01": "transient", "57P02": "transient", "57P03": "transient", "40001": "transient",
        "40P01": "transient", "57014": "timeout",
    },
}
ERROR_KINDS["mariadb"] = ERROR_KINDS["mysql"]

#: SQLSTATEs every ODBC driver uses the same way, consulted after the dialect's own table (MariaDB and
#: PostgreSQL through pyodbc report a killed connection as 08S01).
COMMON_SQLSTATES: dict[int | str, str] = {
    "08001": "unreachable", "28000": "login", "42S02": "schema", "42S22": "schema",
    "08S01": "transient", "08003": "transient", "08006": "transient", "08007": "transient",
    "HYT00": "timeout", "HYT01": "timeout",
}

_NATIVE = re.compile(r"\((\d+)\)")


@dataclass(frozen=True)
class ErrorInfo:
    kind: str | None  # one of the kinds above, or None (not classified)
    code: int | str | None  # the code that decided it (for logs and the generic message)


def error_codes(exc: BaseException) -> list[int | str]:
    """Every code a DBAPI error carries: MySQL error number, SQLSTATE, ODBC native number."""
    orig = getattr(exc, "orig", exc)
    codes: list[int | str] = []
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if sqlstate:
        codes.append(str(sqlstate))
    args = getattr(orig, "args", ())
    if args:
        first = args[0]
        if isinstance(first, BaseException):  # pymysql sometimes wraps the error
            return error_codes(first)
        if isinstance(first, int):
            codes.append(first)
        elif isinstance(first, str) and re.fullmatch(r"[0-9A-Z]{5}", first):
            codes.append(first)
            if len(args) > 1 and isinstance(args[1], str):
                codes += [int(n) for n in _NATIVE.findall(args[1])]
    return codes


#: Server messages that say more than their code: psqlODBC reports every failed connection as SQLSTATE
#: 08001, whatever the server answered ("password authentication failed", "database … does not exist").
#: Checked before the codes; the patterns are the server's own wording, specific enough not to misfire.
ERROR_TEXTS: dict[str, tuple[tuple[re.Pattern, str], ...]] = {
    "postgresql": (
        (re.compile(r"password authentication failed|role \"[^\"]*\" does not exist"), "login"),
        (re.compile(r"database \"[^\"]*\" does not exist"), "database"),
    ),
}


def classify(exc: BaseException, dialect: str, *, connecting: bool = False) -> ErrorInfo:
    """What went wrong, as one of the kinds of :data:`ERROR_KINDS`: the server's telling messages
    (:data:`ERROR_TEXTS`), then the dialect's own codes, then the common SQLSTATEs, then SQLAlchemy's own
    disconnect detection. While connecting, a lost link means the server cannot be reached (FreeTDS
    reports an unreachable server as 08S01)."""
    codes = error_codes(exc)
    message = str(getattr(exc, "orig", exc))
    table = ERROR_KINDS.get(dialect, {})
    found = next((ErrorInfo(kind, codes[0] if codes else None) for pattern, kind in ERROR_TEXTS.get(dialect, ())
                  if pattern.search(message)), None)
    found = found or next((ErrorInfo(table[c], c) for c in codes if c in table), None)
    found = found or next((ErrorInfo(COMMON_SQLSTATES[c], c) for c in codes if c in COMMON_SQLSTATES), None)
    if found is None and isinstance(exc, DBAPIError) and exc.connection_invalidated:
        found = ErrorInfo("transient", None)
    if found is None:
        return ErrorInfo(None, codes[0] if codes else None)
    if connecting and found.kind == "transient":
        return ErrorInfo("unreachable", found.code)
    return found


def server_label(url: URL) -> str:
    """``host:port`` (or the database file / ODBC target) for messages: never the password."""
    if url.host:
        return f"{url.host}:{url.port}" if url.port else url.host
    odbc = url.query.get("odbc_connect")
    if odbc:
        found = re.search(r"(?i)\bSERVER=([^;]+)", str(odbc))
        port = re.search(r"(?i)\bPORT=([^;]+)", str(odbc))
        if found:
            return found[1] + (f":{port[1]}" if port else "")
    socket = url.query.get("unix_socket")
    return str(socket) if socket else "localhost"


def password_args(url: URL) -> dict[str, Any]:
    """pymysql sends a text password as Latin-1 and fails on "mật-khẩu"; as UTF-8 bytes it logs in the way
    the mariadb client does. Other drivers take the URL's password as it is."""
    password = url.password
    if url.get_driver_name() == "pymysql" and isinstance(password, str):
        try:
            password.encode("latin-1")
        except UnicodeEncodeError:
            return {"password": password.encode("utf-8")}
    return {}


def make_engine(url: URL, *, connect_timeout: float, read_timeout: float, pool_size: int = 2) -> Engine:
    """An engine whose connections give up on a dead server and cannot write."""
    driver = url.get_driver_name()
    connect_name, read_names = TIMEOUT_ARGS.get(driver, (None, ()))
    connect_args: dict[str, Any] = password_args(url)
    if connect_name:
        connect_args[connect_name] = int(connect_timeout)
    for name in read_names:
        connect_args[name] = int(read_timeout)
    engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True, pool_size=pool_size,
                           max_overflow=2)
    statements = list(READ_ONLY_SESSION.get(engine.dialect.name, ()))
    if engine.dialect.name == "postgresql":
        statements.append(f"SET statement_timeout = {int(read_timeout * 1000)}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        if driver == "pyodbc":
            try:
                dbapi_conn.timeout = int(read_timeout)  # query timeout, seconds
            except engine.dialect.loaded_dbapi.Error:
                # psqlODBC refuses a connection-level query timeout (HY000, attribute 113); PostgreSQL
                # gets statement_timeout below, so go on without it.
                pass
        if statements:
            cursor = dbapi_conn.cursor()
            try:
                for statement in statements:
                    cursor.execute(statement)
            finally:
                cursor.close()
            dbapi_conn.commit()  # PostgreSQL's SET is transactional: keep it past the pool's rollback

    return engine
