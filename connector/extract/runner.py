"""Running a source: envelopes with provenance, incremental skipping, state only after success."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from typing import TYPE_CHECKING

from connector.extract.source import ALL_SCHOOLS, Problem, Record, Removal, Source, SourceState
from connector.log import get_logger
from connector.model import Envelope, Provenance, RemovalNotice, content_hash

if TYPE_CHECKING:  # the state store (SQLAlchemy) is only imported by commands that use it
    from connector.state import StateStore

log = get_logger(__name__)
STAGE_BATCH = 1000


@dataclass
class Stats:
    records: int = 0
    skipped: int = 0
    problems: int = 0
    removals: int = 0


class Run:
    """One extraction from one source. Iterate it for envelopes, problems and removal notices; then call
    :meth:`commit` once the output is safely stored (state never runs ahead of the data)."""

    def __init__(
        self,
        source: Source,
        *,
        source_id: str,
        plugin: str,
        plugin_version: str,
        store: StateStore | None = None,
        full_refresh: bool = False,
        school: str | None = None,
    ):
        self.source, self.source_id, self.plugin, self.plugin_version = source, source_id, plugin, plugin_version
        self.store, self.school = store, school or ALL_SCHOOLS
        self.stats = Stats()
        if store and full_refresh:
            store.reset(source_id)
        self.state = store.get(source_id, self.school) if store else SourceState()
        self.run_id = store.new_run() if store else None
        self._cursor: str | None = None
        self._pending: list[tuple[str, str]] = []
        self._forget: list[str] = []

    def __iter__(self) -> Iterator[Envelope | Problem | RemovalNotice]:
        self._cursor = self.source.new_cursor()  # Singer's signpost: taken before reading
        extracted_at = datetime.now(timezone.utc)
        log.info("extract_start", source=self.source_id, plugin=self.plugin, incremental=bool(self.state.cursor))
        for message in self.source.extract(school=self.school if self.school != ALL_SCHOOLS else None,
                                           state=self.state):
            if isinstance(message, Record):
                envelope = self._envelope(message, extracted_at)
                if envelope is None:
                    self.stats.skipped += 1
                    continue
                self.stats.records += 1
                yield envelope
            elif isinstance(message, Problem):
                self.stats.problems += 1
                log.info("input_problem", source=self.source_id, problem=message.key, file=message.file,
                            row=message.row, column=message.column)
                yield message
            elif isinstance(message, Removal):
                self.stats.removals += 1
                yield self._removal(message, extracted_at)
        self._flush()
        log.info("extract_end", source=self.source_id, records=self.stats.records, skipped=self.stats.skipped,
                 problems=self.stats.problems, removals=self.stats.removals)

    def _envelope(self, record: Record, extracted_at: datetime) -> Envelope | None:
        digest = content_hash(record.payload)
        if self.store:
            key = record.payload.key
            if self.store.known_hash(self.source_id, key) == digest:
                return None
            self._pending.append((key, digest))
            if len(self._pending) >= STAGE_BATCH:
                self._flush()
        return Envelope(
            provenance=Provenance(
                source_system=self.source.name,
                plugin=self.plugin,
                plugin_version=self.plugin_version,
                source_record_id=record.source_record_id,
                source_file=record.source_file,
                source_file_sha256=record.source_file_sha256,
                extracted_at=extracted_at,
                content_sha256=digest,
            ),
            payload=record.payload,
        )

    def _removal(self, removal: Removal, extracted_at: datetime) -> RemovalNotice:
        """A deleted record's hash is forgotten at commit, so the record comes out again if it comes back."""
        if self.store and removal.reason == "deleted":
            self._forget.append(removal.record_key)
        return RemovalNotice(record_key=removal.record_key, reason=removal.reason, source_system=self.source.name,
                             plugin=self.plugin, plugin_version=self.plugin_version, extracted_at=extracted_at)

    def _flush(self) -> None:
        if self.store and self._pending:
            self.store.stage(self.run_id, self.source_id, self._pending)
            self._pending = []

    def commit(self) -> None:
        if self.store:
            self._flush()
            self.store.commit_run(self.run_id, self.source_id, self._cursor, self.school, forget=self._forget)

    def abandon(self) -> None:
        if self.store:
            self.store.abandon_run(self.run_id)
