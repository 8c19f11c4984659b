"""The shared layer for sources that read a vendor's SQL database (vnEdu on MySQL/MariaDB, SMAS on SQL
Server, …). A vendor plugin is a :class:`SqlSource` subclass, a TOML mapping per vendor schema version
(:mod:`connector.extract.sqlmapping`) and an assembler function (the Python escape hatch that turns one
student-year's rows into a canonical record). This module does the rest, the same way for every vendor:

- connects with connect/read timeouts and a read-only session (:mod:`connector.extract.sqlengine`),
  SQLAlchemy Core only, bound parameters only, never a write;
- detects the schema version by reflection and names the missing table or column and the version it
  expected; tells missing privileges apart from a different schema;
- ``check()``/``discover()`` answer with distinct messages (host, credentials, database, privileges,
  schema version, school not found, empty school);
- streams each school's student-years in keyset pages of ``chunk_size`` roots ordered by the root key,
  reads each page's child rows with ``parent IN (…)`` on the same connection, and makes a page's records
  only once the page is read whole (optionally reading the next page on a second thread meanwhile). A
  transient disconnect is retried (tenacity, exponential backoff) and the same page is read again from
  ``key > last key of the previous page``: no duplicates, no gaps;
- incremental: the cursor is ``MAX(changed)`` over every mapped table, read before extracting
  (Singer's signpost); a student-year is read again when any row that feeds it changed at or after
  the cursor (``>=``); soft-deleted student-years and transfers come out as :class:`Removal`.

Guide: docs/sql-sources.md.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cached_property
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError
from sqlalchemy import bindparam, false, func, inspect, select
from sqlalchemy.engine import URL, Connection, CursorResult, Engine, make_url
from sqlalchemy.engine.cursor import CursorFetchStrategy
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, NoSuchTableError, SQLAlchemyError
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from connector.errors import ConfigError, SourceError
from connector.extract.source import (
    CheckResult, ClassInfo, Message, Problem, Record, Removal, SchoolInfo, SchoolYearInfo, Source, SourceState,
)
from connector.extract.sqlengine import READ_AHEAD_DRIVERS, ErrorInfo, classify, make_engine, server_label
from connector.extract.sqlmapping import ChildSpec, Mapping, MappingError
from connector.log import get_logger
from connector.model import StudentYear
from connector.normalise import BadValue

log = get_logger(__name__)

#: Most keys in one ``IN (…)`` list: MariaDB turns longer lists (≥ 1000) into a derived table with a poor
#: plan, and SQL Server allows 2,100 parameters per statement. A chunk is fetched in slices of this size.
IN_LIST_MAX = 500

#: Statuses after which the student-year ends at this school: the record is yielded, then a Removal.
LEAVING_STATUSES = ("chuyen_di", "thoi_hoc")

#: Message key per error kind (connector/data/messages.toml, "shared SQL-source layer").
KIND_MESSAGES = {
    "unreachable": "sql_unreachable",
    "login": "sql_login_failed",
    "database": "sql_database_not_found",
    "database_denied": "sql_database_denied",
    "privilege": "sql_no_privilege",
    "schema": "sql_schema_changed",
    "timeout": "sql_timeout",
    "transient": "sql_connection_lost",
}


# --- configuration ------------------------------------------------------------------------------------

NOT_WITH_URL = {"not": {}}  # ({"not": {}} rather than false: jsonschema then names the setting in the way)
SCHOOL_CODE = {"type": "string", "pattern": "^[0-9A-Za-z]+$", "description": "School code (ma_truong)"}
DEFAULTS = {"connect_timeout": 10, "read_timeout": 300, "chunk_size": 1000, "retries": 5,
            "timezone": "Asia/Ho_Chi_Minh", "lookback": 300, "read_ahead": None}


def sql_config_schema(*, default_port: int, url_example: str) -> dict:
    """The configuration schema every SQL source shares: either ``url`` or host/port/database/user, the
    password always from ``password_env``, the schools to read, and the tuning settings."""
    return {
        "type": "object",
        "description": "Either url, or host/database/user; the password always from password_env.",
        "properties": {
            "url": {"type": "string",
                    "description": f"SQLAlchemy URL with the user, never the password (password_env), e.g. {url_example}"},
            "host": {"type": "string", "minLength": 1, "description": "Database server name or address"},
            "port": {"type": "integer", "minimum": 1, "maximum": 65535, "default": default_port},
            "database": {"type": "string", "minLength": 1, "description": "Database name"},
            "user": {"type": "string", "minLength": 1, "description": "A read-only database account"},
            "password": {"type": "string", "secret": True, "writeOnly": True,
                         "description": "Database password; configure password_env = \"ENV_VAR\", never the value"},
            "schools": {"type": "array", "items": SCHOOL_CODE, "uniqueItems": True,
                        "description": "School codes to read; omit to read every school the account can see"},
            "connect_timeout": {"type": "number", "exclusiveMinimum": 0, "default": DEFAULTS["connect_timeout"],
                                "description": "Seconds to wait for the server to accept a connection"},
            "read_timeout": {"type": "number", "exclusiveMinimum": 0, "default": DEFAULTS["read_timeout"],
                             "description": "Seconds to wait for the server while reading before giving up (then retried)"},
            "chunk_size": {"type": "integer", "minimum": 1, "maximum": 100000, "default": DEFAULTS["chunk_size"],
                           "description": "Student-years read per round trip (memory stays proportional to it)"},
            "retries": {"type": "integer", "minimum": 0, "maximum": 100, "default": DEFAULTS["retries"],
                        "description": "Reconnect attempts after a lost connection; the read resumes where it stopped"},
            "timezone": {"type": "string", "minLength": 1, "default": DEFAULTS["timezone"],
                         "description": "Time zone of the database's change times (DATETIME columns carry none)"},
            "lookback": {"type": "number", "minimum": 0, "default": DEFAULTS["lookback"],
                         "description": "Seconds re-read before the last run's cursor, for changes committed late "
                                        "(unchanged records are then dropped by their content hash)"},
            "read_ahead": {"type": "boolean",
                           "description": "Read the next page on a second thread while this page's records are made "
                                          "(the database works while Python assembles; memory: two pages). Default: "
                                          "on for drivers written in C (mysqldb, pyodbc, psycopg), off for pymysql"},
            "include_personal_id": {"type": "boolean", "default": False,
                                    "description": "Read the personal ID (CCCD); off by default, set in [privacy]"},
        },
        # Either url, or host + database + user. Written with if/then and dependentSchemas rather than
        # oneOf: their error messages name the missing or extra setting instead of quoting the whole
        # configuration (which holds the password) back to the user.
        "if": {"not": {"required": ["url"]}},
        "then": {"required": ["host", "database", "user"]},
        "dependentSchemas": {"url": {"properties": {k: NOT_WITH_URL for k in ("host", "port", "database", "user")}}},
        "additionalProperties": False,
    }


# --- what the assembler receives ----------------------------------------------------------------------


@dataclass
class Item:
    """One student-year's rows, with logical names ("student.ho_ten") and lookups/normalisers applied."""

    key: Any
    row: dict[str, Any]
    children: dict[str, list[dict[str, Any]]]
    mapping: Mapping
    #: The mapping's [options] plus the source's flags (``include_personal_id``).
    options: dict[str, Any] = field(default_factory=dict)


class _Shape:
    """Turns a result row (a tuple) into a dict of logical names, converting the columns that declare a
    lookup or normaliser. Precomputed once per query: the per-row work is one call of a function that
    builds the dict in a single expression (see :func:`_dict_builder`)."""

    def __init__(self, mapping: Mapping, columns: Sequence[tuple[str, Any]]):
        self.names = [name for name, _ in columns]
        self.converters: dict[int, Callable] = {}
        for i, name in enumerate(self.names):
            table, _, column = name.partition(".")
            convert = mapping.converter(mapping.specs[table].columns[column])
            if convert:
                self.converters[i] = convert
        self._build = _dict_builder(self.names, self.converters)

    def index(self, name: str) -> int:
        return self.names.index(name)

    def convert(self, row: Sequence[Any]) -> dict[str, Any]:
        try:
            return self._build(row)
        except BadValue as exc:  # which column? (rare: found again one converter at a time)
            for i, convert in self.converters.items():
                try:
                    convert(row[i])
                except BadValue:
                    raise BadValue(exc.key, column=self.names[i], value=row[i]) from None
            raise


def _dict_builder(names: Sequence[str], converters: dict[int, Callable]) -> Callable[[Sequence[Any]], dict]:
    """``lambda row: {"table.a": row[0], "table.b": c1(row[1]), …}``, written out once per query: a dict
    display builds a row's dict in half the time of ``dict(zip(…))`` plus a loop over the converters, and
    child rows are most of what a student-year costs. The names come from the mapping (``repr`` makes
    each one a plain string literal)."""
    items = ", ".join(f"{name!r}: c{i}(row[{i}])" if i in converters else f"{name!r}: row[{i}]"
                      for i, name in enumerate(names))
    scope = {f"c{i}": convert for i, convert in converters.items()}
    exec(f"def build(row):\n    return {{{items}}}", scope)  # noqa: S102 (no outside input)
    return scope["build"]


@dataclass
class _Queries:
    """The statements of one mapping, built once (SQLAlchemy caches their compiled form)."""

    mapping: Mapping
    page_size: int = DEFAULTS["chunk_size"]
    root_shape: _Shape = field(init=False)
    child_shapes: dict[str, _Shape] = field(init=False)

    def __post_init__(self):
        m = self.mapping
        self.root_shape = _Shape(m, m.root_columns())
        self.child_shapes = {name: _Shape(m, m.child_columns(c)) for name, c in m.children.items()}
        self.key_index = self.root_shape.index(f"{m.root}.{m.root_spec.key}")
        self.deleted_at = [(t, self.root_shape.index(f"{t}.{m.specs[t].deleted}"))
                           for t in m.inner_tables() if m.specs[t].deleted]
        self.parent_index = {name: self.child_shapes[name].index(f"{c.table}.{c.parent}")
                             for name, c in m.children.items()}

    def root(self, *, since: bool, after: bool):
        m = self.mapping
        link = m.school_link
        school = m.col(link[0]) if link else m.col(m.school)
        q = (select(*[c for _, c in m.root_columns()]).select_from(m.root_from())
             .where(school == bindparam("school")).order_by(m.root_key))
        if since:
            q = q.where(m.changed_since(bindparam("since")))
        if after:
            q = q.where(m.root_key > bindparam("after"))
        return q.limit(self.page_size)  # a plain number: T-SQL gets TOP n, not a ROW_NUMBER() wrapper

    @cached_property
    def root_variants(self) -> dict[tuple[bool, bool], Any]:
        return {(s, a): self.root(since=s, after=a) for s in (False, True) for a in (False, True)}

    @cached_property
    def school_id(self):
        """The school's own key for its code, when the root joins the school table (see school_link)."""
        m = self.mapping
        link = m.school_link
        if not link:
            return None
        return select(m.col(link[1])).where(m.col(m.school) == bindparam("code")).limit(1)

    @cached_property
    def children(self) -> dict[str, Any]:
        m = self.mapping
        out = {}
        for name, child in m.children.items():
            parent = m.tables[child.table].c[child.parent]
            order = [m.tables[child.table].c[o] for o in child.order]
            out[name] = (select(*[c for _, c in m.child_columns(child)]).select_from(m.child_from(child))
                         .where(parent.in_(bindparam("ids", expanding=True)), m.not_deleted(child.table))
                         .order_by(parent, *order))
        return out

    @cached_property
    def live_twin(self):
        """Is there a live root row with the same identity (same student, year, school)?"""
        m = self.mapping
        q = select(m.root_key).select_from(m.root_from(outer=False))
        for i, ref in enumerate(m.identity):
            q = q.where(m.col(ref) == bindparam(f"id{i}"))
        for t in m.inner_tables():
            q = q.where(m.not_deleted(t))
        return q.limit(1)


# --- the source ---------------------------------------------------------------------------------------


class SqlSource(Source):
    """Base class of SQL-database sources. Subclasses set ``name``, ``description``, ``notes``,
    ``config_schema`` (usually :func:`sql_config_schema`), ``mappings`` and the URL defaults."""

    #: Candidate mapping files, one per supported vendor schema version, newest first.
    mappings: ClassVar[Sequence[Path]] = ()
    #: SQLAlchemy driver used when the configuration gives host/port/database/user instead of a URL; with
    #: several, the first one installed (a C driver before its pure-Python fallback).
    default_driver: ClassVar[str | tuple[str, ...]] = "mysql+pymysql"
    default_port: ClassVar[int | None] = None
    default_query: ClassVar[dict[str, str]] = {}

    def __init__(self, config: dict[str, Any]):
        super().__init__(config)
        self.settings = {**DEFAULTS, **{k: v for k, v in config.items() if k in DEFAULTS}}
        try:
            self.tz = ZoneInfo(self.settings["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError("config_source_invalid", where=f"[{self.name}]", field="timezone",
                              detail="unknown time zone") from None
        self._engine: Engine | None = None
        self._mapping: Mapping | None = None
        self._queries: _Queries | None = None

    # --- connection ---------------------------------------------------------------------------------

    @cached_property
    def url(self) -> URL:
        password = self.config.get("password")
        if self.config.get("url"):
            try:
                url = make_url(self.config["url"])
            except ArgumentError:
                raise ConfigError("config_source_invalid", where=f"[{self.name}]", field="url",
                                  detail="not a database URL") from None
            return url.set(password=password) if password is not None else url
        return URL.create(installed_driver(self.default_driver), username=self.config["user"], password=password,
                          host=self.config["host"], port=self.config.get("port", self.default_port),
                          database=self.config["database"], query=self.default_query)

    @property
    def server(self) -> str:
        return server_label(self.url)

    @property
    def read_ahead(self) -> bool:
        """As configured, else whether the driver leaves the interpreter free while it waits (measured:
        a C driver gains from the second thread, pure-Python pymysql loses, its parsing holds the GIL)."""
        if self.settings["read_ahead"] is not None:
            return bool(self.settings["read_ahead"])
        return self.url.get_driver_name() in READ_AHEAD_DRIVERS

    @property
    def dialect(self) -> str:
        return self.url.get_dialect().name if self._engine is None else self._engine.dialect.name

    def engine(self) -> Engine:
        if self._engine is None:
            try:
                self._engine = make_engine(self.url, connect_timeout=self.settings["connect_timeout"],
                                           read_timeout=self.settings["read_timeout"])
            except (NoSuchModuleError, ImportError) as exc:
                raise SourceError("sql_driver_missing", driver=self.url.drivername,
                                  detail=type(exc).__name__) from None
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # --- errors -------------------------------------------------------------------------------------

    def error(self, exc: BaseException, *, connecting: bool = False, table: str | None = None) -> SourceError:
        """A driver error as a SourceError a district IT person can act on (no password, no data)."""
        info = classify(exc, self.dialect, connecting=connecting)
        return self._error_for(info, table=table)

    def _error_for(self, info: ErrorInfo, *, table: str | None = None, attempts: int | None = None) -> SourceError:
        fields = {"server": self.server, "user": self.url.username or "-", "database": self.url.database or "-",
                  "table": table or "-", "seconds": self.settings["read_timeout"],
                  "attempts": attempts if attempts is not None else self.settings["retries"] + 1,
                  "code": info.code if info.code is not None else "-"}
        key = KIND_MESSAGES.get(info.kind or "", "sql_error")
        if key == "sql_unreachable":
            fields["seconds"] = self.settings["connect_timeout"]
        return SourceError(key, **fields)

    # --- schema version -------------------------------------------------------------------------------

    def mapping(self) -> Mapping:
        """The mapping of the vendor schema version found in the database (detected once)."""
        if self._mapping is None:
            candidates = [self.load_mapping(p) for p in self.mappings]
            if not candidates:
                raise MappingError(f"{type(self).__name__}.mappings is empty")
            self._mapping = detect_schema(self, candidates)
            self._queries = _Queries(self._mapping, int(self.settings["chunk_size"]))
            log.info("sql_schema_detected", source=self.name, schema=self._mapping.id)
        return self._mapping

    def load_mapping(self, path: Path) -> Mapping:
        """One candidate mapping file. Override to adjust it before use (e.g. the smas plugin sets the
        database schema per dialect: ``dbo`` on SQL Server, the connection's database on MariaDB)."""
        return Mapping.load(path)

    @property
    def queries(self) -> _Queries:
        self.mapping()
        assert self._queries is not None
        return self._queries

    # --- check / discover ---------------------------------------------------------------------------

    def check(self) -> CheckResult:
        try:
            self._ping()
            mapping = self.mapping()
            self._probe_every_table(mapping)
            schools, records = self._school_counts(mapping)
        except SourceError as exc:
            return CheckResult(False, exc.key, exc.fields)
        return CheckResult(True, "sql_check_ok", {"server": self.server, "database": self.url.database or "-",
                                                  "schema": mapping.id, "label": mapping.label,
                                                  "schools": schools, "records": records})

    def _ping(self) -> None:
        try:
            with self.engine().connect() as conn:
                conn.execute(select(1))
        except DBAPIError as exc:
            raise self.error(exc, connecting=True) from None

    def _probe_every_table(self, mapping: Mapping) -> None:
        """SELECT every mapped column of every table, reading no row: proves the privileges."""
        with self._connect() as conn:
            for name, table in mapping.tables.items():
                try:
                    conn.execute(select(*table.c).where(false())).close()
                except DBAPIError as exc:
                    raise self.error(exc, table=mapping.specs[name].name) from None

    def _school_counts(self, mapping: Mapping) -> tuple[int, int]:
        """(schools, student-years) of the configured schools; fails on a missing or empty one."""
        counts = dict(self._run(self._counts_query(mapping, self.config.get("schools"))))
        wanted = self.config.get("schools")
        if wanted:
            for code in wanted:
                if not counts.get(code):
                    known = self._run(select(mapping.col(mapping.school))
                                      .where(mapping.col(mapping.school) == bindparam("code")), code=code)
                    raise SourceError("sql_school_empty" if known else "sql_school_not_found", school=code,
                                      server=self.server, database=self.url.database or "-")
        elif not counts:
            raise SourceError("sql_source_empty", server=self.server, database=self.url.database or "-")
        return len(counts), sum(counts.values())

    def _counts_query(self, mapping: Mapping, schools: Sequence[str] | None):
        school = mapping.col(mapping.school)
        q = select(school, func.count()).select_from(mapping.root_from(outer=False)).group_by(school)
        for t in mapping.inner_tables():
            q = q.where(mapping.not_deleted(t))
        if schools:
            q = q.where(school.in_(list(schools)))
        return q

    def discover(self) -> list[SchoolInfo]:
        mapping = self.mapping()
        d = mapping.discover
        refs = [mapping.school, d.get("school_name", mapping.school), d["year"], d.get("class_code", d["class_name"]),
                d["class_name"], d["grade"]]
        converters = [mapping.converter(mapping.specs[t].columns[c]) or (lambda v: v) for t, c in refs]
        columns = [mapping.col(r) for r in refs]
        q = select(*columns, func.count()).select_from(mapping.root_from(outer=False)).group_by(*columns)
        for t in mapping.inner_tables():
            q = q.where(mapping.not_deleted(t))
        if self.config.get("schools"):
            q = q.where(mapping.col(mapping.school).in_(list(self.config["schools"])))
        q = q.order_by(columns[0], columns[2], columns[5], columns[4])
        schools: dict[str, SchoolInfo] = {}
        years: dict[tuple[str, str], SchoolYearInfo] = {}
        for row in self._run(q):
            *values, count = row
            try:
                code, name, year, class_code, class_name, grade = (f(v) for f, v in zip(converters, values))
            except BadValue:
                continue  # an unreadable year: extract() reports it on the records
            school = schools.setdefault(code, SchoolInfo(ma_truong=code, ten=name if d.get("school_name") else None))
            if (code, year) not in years:
                years[code, year] = SchoolYearInfo(nam_hoc=year)
                school.years.append(years[code, year])
            years[code, year].classes.append(ClassInfo(ma_lop=class_code if d.get("class_code") else None,
                                                       lop=class_name, khoi=int(grade), students=count))
        return list(schools.values())

    # --- incremental ----------------------------------------------------------------------------------

    def new_cursor(self) -> str | None:
        """The newest change time of any mapped table, read before extracting (Singer's signpost)."""
        mapping = self.mapping()
        newest = None
        for column in mapping.changed_columns():
            value = self._run(select(func.max(column)))[0][0]
            if isinstance(value, datetime) and (newest is None or value > newest):
                newest = value
        if newest is None:
            return None
        if newest.tzinfo is None:
            newest = newest.replace(tzinfo=self.tz)
        return newest.isoformat()

    def _since(self, state: SourceState | None) -> datetime | None:
        """The state's cursor as a naive time in the database's zone (how DATETIME columns compare)."""
        moment = state.cursor_time() if state else None
        if moment is None:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        try:
            moment = moment - timedelta(seconds=float(self.settings["lookback"]))
            return moment.astimezone(self.tz).replace(tzinfo=None)
        except OverflowError:  # beyond year 9999 in the database's zone: nothing can be that new
            return datetime.max

    # --- extract --------------------------------------------------------------------------------------

    def extract(self, *, school: str | None = None, state: SourceState | None = None) -> Iterator[Message]:
        mapping = self.mapping()
        since = self._since(state)
        for code in self._school_codes(mapping, school):
            yield from self._extract_school(code, since)

    def _school_codes(self, mapping: Mapping, school: str | None) -> list[str]:
        if school is not None:
            if not self._run(select(mapping.col(mapping.school)).where(mapping.col(mapping.school) == bindparam("c")),
                             c=school):
                raise SourceError("sql_school_not_found", school=school, server=self.server,
                                  database=self.url.database or "-")
            return [school]
        if self.config.get("schools"):
            return sorted(self.config["schools"])
        return [row[0] for row in self._run(mapping.school_list())]

    def _extract_school(self, code: str, since: datetime | None) -> Iterator[Message]:
        stream = _SchoolStream(self, code, since)
        pages = self._pages(stream)
        try:
            for page in pages:
                yield from stream.messages(page)
        finally:
            pages.close()  # first: a page being read ahead finishes with the connection
            stream.close()
        log.info("sql_school_done", source=self.name, school=code, records=stream.records,
                 removals=stream.removals, problems=stream.problems, reconnects=stream.reconnects)

    def _pages(self, stream: _SchoolStream) -> Iterator[_Page]:
        """The school's pages, each read whole (with retries). With ``read_ahead``, the next page is read
        on a second thread while the caller makes this page's messages: the database's work and the
        driver's waiting overlap the assembly (one connection, used by that thread only)."""
        if not self.read_ahead:
            while (page := self._with_retries(stream.next_page)) is not None:
                yield page
            return
        read = functools.partial(contextvars.copy_context().run, self._with_retries, stream.next_page)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"hocba-{self.name}-read") as reader:
            pending = reader.submit(read)
            try:
                while (page := pending.result()) is not None:
                    pending = reader.submit(read)
                    yield page
            finally:
                pending.cancel()
                wait([pending])  # the connection is closed only once the thread is done with it

    def _with_retries(self, read: Callable[[], Any]) -> Any:
        retrying = Retrying(
            stop=stop_after_attempt(self.settings["retries"] + 1),
            wait=wait_exponential(multiplier=0.2, max=5),
            retry=retry_if_exception(self._is_transient),
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return read()
        except DBAPIError as exc:
            info = classify(exc, self.dialect)
            if info.kind == "transient":
                raise self._error_for(info, attempts=self.settings["retries"] + 1) from None
            raise self._error_for(info) from None

    def _is_transient(self, exc: BaseException) -> bool:
        return isinstance(exc, DBAPIError) and classify(exc, self.dialect).kind in ("transient", "timeout")

    def _log_retry(self, state) -> None:
        exc = state.outcome.exception() if state.outcome else None
        info = classify(exc, self.dialect) if exc else ErrorInfo(None, None)
        log.warning("sql_reconnect", source=self.name, attempt=state.attempt_number, kind=info.kind, code=info.code)

    # --- helpers --------------------------------------------------------------------------------------

    def _connect(self) -> Connection:
        try:
            return self.engine().connect()
        except DBAPIError as exc:
            raise self.error(exc, connecting=True) from None

    def _run(self, statement, **params) -> list:
        """A small query (counts, codes): all rows; a driver error becomes a clear SourceError."""
        with self._connect() as conn:
            try:
                return list(conn.execute(statement, params))
            except DBAPIError as exc:
                raise self.error(exc) from None


class _SchoolStream:
    """One school's student-years, page by page (keyset pagination), resumable after a lost connection.

    ``next_page`` reads the next page whole: ``key > last key ORDER BY key LIMIT chunk_size``, streamed
    from the server, then whether its soft-deleted rows live on in another row, then its child rows; it
    returns them as a :class:`_Page` (or None at the end). All database reads of a page happen there; its
    messages are made afterwards, one by one, from the page's rows (``messages``), so a failed read can
    only ever fail a whole page. On a driver error it drops the connection and re-raises; the next call
    reads the same page again, so a retried page is read whole, once."""

    def __init__(self, source: SqlSource, school: str, since: datetime | None):
        self.source, self.school, self.since = source, school, since
        self.q = source.queries
        self.mapping = source.mapping()
        self.chunk = int(source.settings["chunk_size"])
        self.after: Any = None
        self.school_key: Any = None
        self.conn: Connection | None = None
        self.failed = False
        self.records = self.removals = self.problems = self.reconnects = 0
        self.root_name = self.mapping.root_spec.name
        self.options = {**self.mapping.options,
                        "include_personal_id": bool(source.config.get("include_personal_id", False))}

    # --- connection -------------------------------------------------------------------------------

    def _connection(self) -> Connection:
        if self.conn is None:
            if self.failed:
                self.reconnects += 1
            self.conn = self.source.engine().connect()
            if self.school_key is None:
                self.school_key = self._school_key()
        return self.conn

    def _school_key(self) -> Any:
        """What the root query compares: the school's own key when it can be resolved first, else the code."""
        if self.q.school_id is None:
            return self.school
        found = self.conn.execute(self.q.school_id, {"code": self.school}).first()
        self.conn.rollback()
        return found[0] if found else self.school

    def close(self, *, broken: bool = False) -> None:
        if self.conn is not None:
            try:
                if broken:
                    self.conn.invalidate()  # a killed connection raises again on rollback: discard it
                self.conn.close()
            except SQLAlchemyError:
                pass  # already broken: the pool discards it
        self.conn = None

    # --- reading a page ------------------------------------------------------------------------------

    def next_page(self) -> _Page | None:
        try:
            conn = self._connection()
            params: dict[str, Any] = {"school": self.school_key}
            if self.since is not None:
                params["since"] = self.since
            if self.after is not None:
                params["after"] = self.after
            statement = self.q.root_variants[(self.since is not None, self.after is not None)]
            # Streamed (server-side cursor) for this statement only; the child queries are plain reads.
            with conn.execute(statement, params,
                              execution_options={"stream_results": True, "yield_per": self.chunk}) as result:
                rows = [tuple(row) for row in result]  # plain tuples: each is read many times below
            if not rows:
                conn.rollback()
                return None
            page = self._read_page(rows)
            conn.rollback()  # end the read transaction: the next page sees a fresh snapshot
        except DBAPIError:
            self.failed = True
            self.close(broken=True)
            raise
        self.after = rows[-1][self.q.key_index]
        return page

    def _read_page(self, rows: list[tuple]) -> _Page:
        key_index = self.q.key_index
        deleted = [self._deleted(row) for row in rows]
        twins = {i for i, row in enumerate(rows)
                 if deleted[i] and self.mapping.identity and self._has_live_twin(row)}
        children = self._children([row[key_index] for row, gone in zip(rows, deleted) if not gone])
        return _Page(rows, deleted, twins, children)

    def _children(self, keys: list[Any]) -> dict[str, dict[Any, list[Sequence[Any]]]]:
        """Raw child rows of these roots, grouped by root key (converted later, per record)."""
        out: dict[str, dict[Any, list[Sequence[Any]]]] = {}
        if not keys or not self.q.children:
            return out
        for name, statement in self.q.children.items():
            parent = self.q.parent_index[name]
            grouped: dict[Any, list[Sequence[Any]]] = {}
            for start in range(0, len(keys), IN_LIST_MAX):
                with self.conn.execute(statement, {"ids": keys[start:start + IN_LIST_MAX]}) as result:
                    for key, rows in groupby(_driver_rows(result), itemgetter(parent)):  # ordered by parent
                        if key in grouped:  # (a collation may order unequal keys as equal)
                            grouped[key].extend(rows)
                        else:
                            grouped[key] = list(rows)
            out[name] = grouped
        return out

    def _deleted(self, row) -> bool:
        return any(self.mapping.is_deleted(t, row[i]) for t, i in self.q.deleted_at)

    def _has_live_twin(self, row) -> bool:
        """Compared in the database with the values as stored (before lookups and normalisers)."""
        shape = self.q.root_shape
        params = {f"id{i}": row[shape.index(f"{t}.{c}")] for i, (t, c) in enumerate(self.mapping.identity)}
        return self.conn.execute(self.q.live_twin, params).first() is not None

    # --- rows to messages (no database work) ---------------------------------------------------------

    def messages(self, page: _Page) -> Iterator[Message]:
        for i, row in enumerate(page.rows):
            if page.deleted[i]:
                yield from self._removal(row, lives_on=i in page.twins)
            else:
                yield from self._record(row, page.children)

    def _record(self, row, children: dict[str, dict[Any, list[Sequence[Any]]]]) -> list[Message]:
        m, q, key = self.mapping, self.q, row[self.q.key_index]
        try:
            item = Item(key=key, row=q.root_shape.convert(row), mapping=m, options=self.options, children={
                name: [shape.convert(r) for r in children.get(name, {}).get(key, ())]
                for name, shape in q.child_shapes.items()})
            payload: StudentYear = m.assembler(item)
        except BadValue as exc:
            return [self._problem(key, exc.key, exc.column, exc.value)]
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or None
            return [self._problem(key, "source_value_invalid", None, first.get("input"), model_field=where)]
        self.records += 1
        out: list[Message] = [Record(payload=payload, source_record_id=f"{self.root_name}:{key}")]
        if payload.trang_thai in LEAVING_STATUSES:
            self.removals += 1
            out.append(Removal(record_key=payload.key, reason=payload.trang_thai))
        return out

    def _removal(self, row, *, lives_on: bool) -> list[Message]:
        m = self.mapping
        try:
            converted = self.q.root_shape.convert(row)
            record_key = m.record_key(converted)
        except BadValue:
            log.warning("sql_removal_unreadable", source=self.source.name, school=self.school)
            return []
        if lives_on:
            return []  # e.g. the student changed class: the student-year lives on in another row
        self.removals += 1
        return [Removal(record_key=record_key, reason="deleted")]

    def _problem(self, key: Any, message: str, column: str | None, value: Any, **fields: Any) -> Problem:
        self.problems += 1
        table, vendor_column = self.mapping.vendor_name(column) if column else (self.mapping.root_spec.name, None)
        return Problem(key=message, file=table, row=key if isinstance(key, int) else None,
                       column=vendor_column or fields.get("model_field"),
                       value=None if value is None else str(value))


@dataclass
class _Page:
    """One page as read from the database, before any conversion."""

    rows: list[tuple]  # root rows, in key order
    deleted: list[bool]  # per row: the root or an inner-joined row is soft-deleted
    twins: set[int]  # deleted rows whose student-year lives on in another root row (no Removal)
    children: dict[str, dict[Any, list[Sequence[Any]]]]  # child name -> root key -> raw rows, in order


def _driver_rows(result: CursorResult) -> Sequence[Sequence[Any]]:
    """A plain result's rows as the driver returns them (tuples): the mapped columns carry no SQL type, so
    SQLAlchemy has nothing to convert, and its Row objects would only cost time. A result SQLAlchemy
    buffers itself (streamed, server-side) is read through SQLAlchemy, which holds its first rows."""
    if type(result.cursor_strategy) is CursorFetchStrategy:
        return result.cursor.fetchall()
    return result.fetchall()


def installed_driver(candidates: str | Sequence[str]) -> str:
    """The first of these SQLAlchemy drivers whose DBAPI module can be imported (else the last one, whose
    absence ``engine()`` then reports as ``sql_driver_missing``)."""
    if isinstance(candidates, str):
        return candidates
    for name in candidates:
        try:
            URL.create(name).get_dialect().import_dbapi()
        except ImportError:
            continue
        return name
    return candidates[-1]


# --- schema-version detection ---------------------------------------------------------------------------


def detect_schema(source: SqlSource, candidates: Sequence[Mapping]) -> Mapping:
    """The first candidate whose every table and column exists; otherwise a SourceError naming what is
    missing from the closest candidate and the version it expected (or the privilege that is missing:
    MySQL hides the tables an account may not read)."""
    try:
        with source.engine().connect() as conn:
            inspector = inspect(conn)
            found: dict[tuple[str | None, str], set[str] | None] = {}

            def columns_of(schema: str | None, table: str) -> set[str] | None:
                if (schema, table) not in found:
                    try:
                        found[schema, table] = {c["name"].casefold() for c in inspector.get_columns(table, schema=schema)}
                    except NoSuchTableError:
                        found[schema, table] = None
                    except DBAPIError as exc:  # MySQL: SHOW CREATE TABLE of a table the account may not read
                        info = classify(exc, source.dialect)
                        if info.kind == "privilege":
                            raise source._error_for(info, table=table) from None
                        raise
                return found[schema, table]

            best: tuple[int, Mapping, list[tuple[str, str | None]]] | None = None
            for mapping in candidates:
                missing: list[tuple[str, str | None]] = []
                for spec, column in mapping.required():
                    columns = columns_of(spec.schema, spec.name)
                    if columns is None:
                        if (spec.name, None) not in missing:
                            missing.append((spec.name, None))
                    elif column.vendor.casefold() not in columns:
                        missing.append((spec.name, column.vendor))
                if not missing:
                    return mapping
                if best is None or len(missing) < best[0]:
                    best = (len(missing), mapping, missing)
    except DBAPIError as exc:
        raise source.error(exc, connecting=True) from None
    assert best is not None
    _, mapping, missing = best
    table, column = missing[0]
    _raise_if_not_allowed(source, mapping, table, column)
    if column is None:
        raise SourceError("sql_schema_unknown_table", table=table, expected=mapping.id, missing=len(missing),
                          server=source.server, database=source.url.database or "-")
    raise SourceError("sql_schema_unknown_column", table=table, column=column, expected=mapping.id,
                      missing=len(missing), server=source.server, database=source.url.database or "-")


def _raise_if_not_allowed(source: SqlSource, mapping: Mapping, table: str, column: str | None) -> None:
    """Reflection cannot see what the account may not read: probe it, and say so if that is the cause."""
    logical = next(name for name, spec in mapping.specs.items() if spec.name == table)
    t = mapping.tables[logical]
    columns = [c for c in t.c if column is None or c.name == column] or list(t.c)
    try:
        with source.engine().connect() as conn:
            conn.execute(select(*columns).where(false())).close()
    except DBAPIError as exc:
        info = classify(exc, source.dialect)
        if info.kind == "privilege":
            raise source._error_for(info, table=table) from None


__all__ = ["BadValue", "Item", "SqlSource", "detect_schema", "installed_driver", "sql_config_schema"]
