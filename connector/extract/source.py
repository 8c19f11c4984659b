"""The contract between hocba and a source plugin (a vendor's system, a file export …).

A source is a class registered through the ``register_sources`` hook. hocba constructs it with the
validated configuration and calls:

- :meth:`Source.check`: can I connect and read? (a :class:`CheckResult`, never an exception for an
  expected failure such as wrong credentials);
- :meth:`Source.discover`: which schools, school years and classes are there;
- :meth:`Source.extract`: a *streaming* iterator of messages: :class:`Record` for each student-year,
  :class:`Problem` for a row or field that could not be read (extraction goes on with the good rows),
  :class:`Removal` when the source knows a record was deleted or the student left.

Memory must stay bounded whatever the school size: yield as you read, never build a list of all
students. The vocabulary follows Singer/Airbyte (RECORD, STATE, TRACE) so runs can be dumped as JSON
lines and compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Union

from connector.component import Component
from connector.i18n import t
from connector.model import StudentYear


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    key: str  # message key in data/messages.toml
    fields: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str | None = None) -> str:
        return t(self.key, lang, **self.fields)


@dataclass(frozen=True)
class ClassInfo:
    ma_lop: str | None
    lop: str
    khoi: int
    students: int


@dataclass(frozen=True)
class SchoolYearInfo:
    nam_hoc: str
    classes: list[ClassInfo] = field(default_factory=list)


@dataclass(frozen=True)
class SchoolInfo:
    ma_truong: str
    ten: str | None
    years: list[SchoolYearInfo] = field(default_factory=list)


@dataclass(frozen=True)
class Record:
    """One canonical student-year and where it came from in the source."""

    payload: StudentYear
    source_record_id: str
    source_file: str | None = None
    source_file_sha256: str | None = None


@dataclass(frozen=True)
class Problem:
    """Something in the input that could not be read. Names file, row and column; the offending value
    goes into the operator's report only (``value`` is never logged)."""

    key: str  # message key in data/messages.toml
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    severity: str = "error"  # "error": the row is not used; "warning": read with a caveat

    def message(self, lang: str | None = None) -> str:
        where = t("where", lang, file=self.file or "-", row=self.row or "-", column=self.column or "-")
        return f"{where}: {t(self.key, lang, **self.fields)}"


@dataclass(frozen=True)
class Removal:
    """The source says a student-year is gone (soft-deleted) or the student transferred out/left."""

    record_key: str
    reason: str  # "deleted", "chuyen_di", "thoi_hoc"


Message = Union[Record, Problem, Removal]


#: The state key of a run over every school a source holds.
ALL_SCHOOLS = "*"


@dataclass
class SourceState:
    """Incremental state of one (source, school). ``cursor`` is an ISO-8601 timestamp: the source
    yields only what changed at or after it (a far-future cursor must yield nothing). Besides the
    cursor, the core keeps a content hash per record and drops records that did not change, so a
    source that cannot tell what changed is still incremental."""

    cursor: str | None = None

    def cursor_time(self) -> datetime | None:
        return datetime.fromisoformat(self.cursor) if self.cursor else None


class Source(Component):
    """Base class for source plugins: set the :class:`~connector.component.Component` fields and
    implement the methods below."""

    def check(self) -> CheckResult:
        raise NotImplementedError

    def discover(self) -> list[SchoolInfo]:
        raise NotImplementedError

    def extract(self, *, school: str | None = None, state: SourceState | None = None) -> Iterator[Message]:
        raise NotImplementedError

    def new_cursor(self) -> str | None:
        """The cursor to store after a successful run (read *before* extracting, Singer's signpost).
        None: the source cannot tell what changed; the core falls back to content checksums."""
        return None

    def close(self) -> None:
        """Release connections and temporary files."""

    @classmethod
    def export(cls, records: Iterable[StudentYear], destination: str) -> None:
        """Optional: write canonical records in this source's own format, the inverse of ``extract``.

        Used for test fixtures and demo data (the synthetic school generator) and for the hand-over of
        a school's data when it leaves a vendor. Sources that cannot write raise NotImplementedError."""
        raise NotImplementedError
