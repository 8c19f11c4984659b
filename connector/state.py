"""The state store: what hocba remembers between runs, in one SQL database (SQLite by default,
PostgreSQL for several hosts), through SQLAlchemy Core.

The incremental cursor per (source, school) and a content hash per record, so unchanged student-years
are not extracted again; the signing workflow's documents, their states and every version's bytes. State advances only when a run ends well: hashes of a run
are staged under its run id and promoted in one transaction at the end. Later stages (outbox,
signing workflow, audit trail) add their tables here.

Record keys are opaque student keys and hashes are SHA-256; the only personal data is inside the stored
documents (``sign_blob``), so a SQLite state file is created readable by its owner only (0600) — protect it
like the school's database.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import (
    Column, LargeBinary, MetaData, String, Table, Text, create_engine, delete, event, insert, inspect, select, update,
)
from sqlalchemy.engine import Engine

from connector.extract.source import ALL_SCHOOLS, SourceState

metadata = MetaData()

source_state = Table(
    "source_state",
    metadata,
    Column("source", String(100), primary_key=True),
    Column("school", String(50), primary_key=True),
    Column("cursor", String(40)),
    Column("updated_at", String(40), nullable=False),
)

record_checksum = Table(
    "record_checksum",
    metadata,
    Column("source", String(100), primary_key=True),
    Column("record_key", String(300), primary_key=True),
    Column("sha256", String(64), nullable=False),
)

record_checksum_staged = Table(
    "record_checksum_staged",
    metadata,
    Column("run_id", String(36), primary_key=True),
    Column("source", String(100), primary_key=True),
    Column("record_key", String(300), primary_key=True),
    Column("sha256", String(64), nullable=False),
)

# --- signing workflow (connector/sign/workflow.py) ------------------------------------------------
# One row per frozen document (one student-year), keyed by an opaque id; every version's bytes are a row of
# sign_blob, keyed by their SHA-256 (content-addressed, written once, never updated), so a state change and
# the bytes it points to are committed in one transaction. State: FROZEN → SIGNED_GVCN → SIGNED_HT → SEALED (data:
# connector/data/signing.toml), PENDING_<role> while a remote signature waits, REPLACED when a changed
# record was frozen again before anyone signed. No personal data: record keys are opaque student keys.

sign_document = Table(
    "sign_document",
    metadata,
    Column("doc_id", String(36), primary_key=True),  # opaque (uuid4 hex)
    Column("record_key", String(300), nullable=False, index=True),  # student_key|nam_hoc|ma_truong
    Column("ma_truong", String(50), nullable=False),
    Column("nam_hoc", String(9), nullable=False),
    Column("lop", String(50), nullable=False, index=True),  # class name: selects the GVCN's documents
    Column("profile_id", String(100), nullable=False),
    Column("profile_version", String(20), nullable=False),
    Column("payload_sha256", String(64), nullable=False),  # canonical JSON of the record that was frozen
    Column("state", String(30), nullable=False, index=True),
    Column("sha256", String(64), nullable=False),  # of the current bytes: the key of their sign_blob row
    Column("evidence_sha256", String(64)),  # the sealed document's archive evidence (.p7s), in sign_blob
    Column("pending_request", Text),  # remote request (JSON: transaction, request id, SigningTime) while PENDING_<role>
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

sign_signature = Table(
    "sign_signature",
    metadata,
    Column("doc_id", String(36), primary_key=True),
    Column("slot", String(30), primary_key=True),  # GVCN, HieuTruong, DonVi
    Column("cert_sha256", String(64), nullable=False),  # fingerprint of the signer's certificate
    Column("signing_time", String(40), nullable=False),  # as written in the signature
    Column("signed_at", String(40), nullable=False),  # UTC, when hocba stored it
    Column("backend", String(100), nullable=False),
    Column("sha256_after", String(64), nullable=False),
)

sign_blob = Table(
    "sign_blob",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("data", LargeBinary, nullable=False),  # exactly the bytes that were signed (or frozen): never rewritten
    Column("created_at", String(40), nullable=False),
)


READ_ONLY = "hocba_read_only"  # execution option of StateStore.reader


def _sqlite_pragmas(engine: Engine) -> None:
    """WAL, a busy timeout and BEGIN IMMEDIATE: several local processes can share one file (brief 09 §5).
    Reads through :attr:`StateStore.reader` begin DEFERRED instead: in WAL mode they take no lock that
    would make a writer in another process wait."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        for pragma in ("journal_mode=wal", "synchronous=normal", "busy_timeout=30000"):
            cur.execute(f"pragma {pragma}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


def _refuse_outdated(engine: Engine, url: str) -> None:
    """A state database made by an earlier pre-release (signing bytes kept in files) cannot be used."""
    from connector.errors import ConfigError

    columns = {c["name"] for c in inspect(engine).get_columns("sign_document")}
    if "evidence_sha256" not in columns:
        where = url.split("@")[-1]  # never the password of a server URL
        raise ConfigError("state_outdated", url=where, table="sign_document", column="evidence_sha256")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


class StateStore:
    def __init__(self, url: str):
        path = None
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            path = Path(url.removeprefix("sqlite:///"))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600, exist_ok=True)  # it holds the signed documents: readable by its owner only
        self.engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            _sqlite_pragmas(self.engine)
        metadata.create_all(self.engine)
        _refuse_outdated(self.engine, url)
        self.reader = self.engine.execution_options(**{READ_ONLY: True})  # for connections that only read

    # --- cursors ---

    def get(self, source: str, school: str = ALL_SCHOOLS) -> SourceState:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(source_state.c.cursor).where(source_state.c.source == source, source_state.c.school == school)
            ).first()
        return SourceState(cursor=row.cursor if row else None)

    def reset(self, source: str) -> None:
        """Forget everything about a source: the next run is a full refresh."""
        with self.engine.begin() as conn:
            conn.execute(delete(source_state).where(source_state.c.source == source))
            conn.execute(delete(record_checksum).where(record_checksum.c.source == source))

    # --- record hashes ---

    def known_hash(self, source: str, record_key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(record_checksum.c.sha256).where(
                    record_checksum.c.source == source, record_checksum.c.record_key == record_key
                )
            ).scalar()

    def new_run(self) -> str:
        return str(uuid.uuid4())

    def stage(self, run_id: str, source: str, rows: Iterable[tuple[str, str]]) -> None:
        rows = [{"run_id": run_id, "source": source, "record_key": k, "sha256": h} for k, h in rows]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(insert(record_checksum_staged), rows)

    def commit_run(self, run_id: str, source: str, cursor: str | None, school: str = ALL_SCHOOLS, *,
                   forget: Iterable[str] = ()) -> None:
        """The run ended well: promote its hashes, forget those of deleted records and move the cursor, in
        one transaction."""
        staged = record_checksum_staged
        forget = list(forget)
        with self.engine.begin() as conn:
            for i in range(0, len(forget), 500):
                conn.execute(delete(record_checksum).where(
                    record_checksum.c.source == source, record_checksum.c.record_key.in_(forget[i:i + 500])))
            keys = select(staged.c.record_key).where(staged.c.run_id == run_id)
            conn.execute(
                delete(record_checksum).where(record_checksum.c.source == source, record_checksum.c.record_key.in_(keys))
            )
            conn.execute(
                insert(record_checksum).from_select(
                    ["source", "record_key", "sha256"],
                    select(staged.c.source, staged.c.record_key, staged.c.sha256).where(staged.c.run_id == run_id),
                )
            )
            conn.execute(delete(staged).where(staged.c.run_id == run_id))
            found = conn.execute(
                update(source_state)
                .where(source_state.c.source == source, source_state.c.school == school)
                .values(cursor=cursor, updated_at=_now())
            ).rowcount
            if not found:
                conn.execute(insert(source_state).values(source=source, school=school, cursor=cursor, updated_at=_now()))

    def abandon_run(self, run_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(record_checksum_staged).where(record_checksum_staged.c.run_id == run_id))
