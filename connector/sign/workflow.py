"""Who signs what, and when: the signing workflow per document (brief 05 §3.5, §3.7).

1. ``freeze``: a validated record becomes the profile's unsigned document; its exact bytes are stored in
   the state store under their SHA-256 — state FROZEN, i.e. awaiting the GVCN. Nothing that failed validation is frozen (SIG-6).
2. ``sign``: one signer at their own workstation signs every document awaiting their role (for the GVCN:
   the classes mapped to their certificate), in one batch through one ``open()`` of their backend:
   FROZEN → SIGNED_GVCN → SIGNED_HT → SEALED. The seal's step also writes the archive evidence (.p7s).
   Each step stores the new bytes as a new version, in the transaction that advances the state; a state
   only advances from the state before it and from
   the exact bytes it read (compare-and-set), so two signers never overwrite each other.

The tables (``sign_document``, ``sign_signature`` in connector/state.py) hold opaque ids, record keys,
class names, hashes, certificate fingerprints and times — no personal data; ``sign_blob`` holds the
documents' bytes (personal data: the state database is as sensitive as the school's own database).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import importlib
import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, select, update

from connector.config import Config
from connector.errors import ConfigError, HocbaError, InputError
from connector.log import get_logger
from connector.model import StudentYear, content_hash
from connector.sign.certs import RoleRules
from connector.sign.roles import FROZEN, Role, roles, states
from connector.state import StateStore, sign_blob, sign_document, sign_signature

log = get_logger("hocba.sign.workflow")

REPLACED = "REPLACED"
DEFAULT_PROFILE = "hocba-xmldsig-dscks"
CHUNK = 64  # documents prepared and sent to the signer together (one remote authorisation per chunk)


# Built once: compare-and-set of a document's state, and the signature row that goes with it.
_ADVANCE = update(sign_document).where(and_(
    sign_document.c.doc_id == bindparam("b_doc"), sign_document.c.state == bindparam("b_state"),
    sign_document.c.sha256 == bindparam("b_sha")))
_ADD_SIGNATURE = insert(sign_signature)


@functools.lru_cache(maxsize=None)
def _insert_blob(dialect: str):
    """INSERT that keeps an existing row with the same hash (same key, same bytes)."""
    if dialect in ("sqlite", "postgresql"):
        module = importlib.import_module(f"sqlalchemy.dialects.{dialect}")
        return module.insert(sign_blob).on_conflict_do_nothing(index_elements=["sha256"])
    if dialect == "mysql":
        return insert(sign_blob).prefix_with("IGNORE")
    raise ConfigError("state_dialect_unsupported", dialect=dialect)


def pending_state(role: Role) -> str:
    return f"PENDING_{role.slot}"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


@dataclass
class SigningSettings:
    """The ``[signing]`` section (every key is documented in config.example.toml and docs/signing.md)."""

    raw: dict[str, Any]
    profile: str
    rules: RoleRules
    trust: list[str]
    tsa_url: str | None
    evidence: str  # "cades" | "none"

    @classmethod
    def from_config(cls, config: Config) -> "SigningSettings":
        raw = dict(config.signing)
        evidence = raw.get("evidence", "cades")
        if evidence not in ("cades", "none"):
            raise ConfigError("sign_bad_setting", key="evidence", value=str(evidence), allowed="cades, none")
        return cls(
            raw=raw,
            profile=raw.get("profile", DEFAULT_PROFILE),
            rules=RoleRules.from_settings(raw),
            trust=[str(p) for p in raw.get("trust", [])],
            tsa_url=raw.get("tsa_url") or None,
            evidence=evidence,
        )

    def sign_options(self):
        from connector.sign.xmldsig import SignOptions

        return SignOptions.from_settings(self.raw)


@dataclass(frozen=True)
class DocRow:
    doc_id: str
    record_key: str
    ma_truong: str
    nam_hoc: str
    lop: str
    state: str
    sha256: str
    evidence_sha256: str | None
    pending_request: str | None

    @classmethod
    def of(cls, row) -> "DocRow":
        return cls(row.doc_id, row.record_key, row.ma_truong, row.nam_hoc, row.lop, row.state, row.sha256,
                   row.evidence_sha256, row.pending_request)


@dataclass
class Selection:
    """Which documents a command looks at."""

    classes: list[str] | None = None
    school: str | None = None
    nam_hoc: str | None = None

    def where(self) -> list:
        c = sign_document.c
        out = []
        if self.classes:
            out.append(c.lop.in_(self.classes))
        if self.school:
            out.append(c.ma_truong == self.school)
        if self.nam_hoc:
            out.append(c.nam_hoc == self.nam_hoc)
        return out


class SigningStore:
    """Documents and their workflow state, bytes included, in the state store."""

    def __init__(self, store: StateStore):
        self.engine = store.engine
        self.reader = store.reader  # reads do not lock writers out (WAL)

    # --- bytes ---

    def _put(self, conn, data: bytes) -> str:
        """Store bytes under their SHA-256 (once: the same bytes are the same row)."""
        sha = hashlib.sha256(data).hexdigest()
        conn.execute(_insert_blob(conn.dialect.name), {"sha256": sha, "data": data, "created_at": _now()})
        return sha

    def _blobs(self, shas: list[str]) -> dict[str, bytes]:
        with self.reader.connect() as conn:
            return dict(conn.execute(select(sign_blob.c.sha256, sign_blob.c.data).where(sign_blob.c.sha256.in_(shas))).all())

    def read_many(self, rows: list[DocRow]) -> list[bytes | HocbaError]:
        """Each row's stored bytes (one query), checked against their recorded SHA-256 (SIG-6: nothing changes
        after freezing); an error in place of the bytes that are missing or changed."""
        found = self._blobs(sorted({row.sha256 for row in rows}))
        out: list[bytes | HocbaError] = []
        for row in rows:
            data = found.get(row.sha256)
            if data is None:
                out.append(InputError("sign_stored_missing", doc=row.doc_id))
            elif hashlib.sha256(data).hexdigest() != row.sha256:
                out.append(InputError("sign_stored_changed", doc=row.doc_id))
            else:
                out.append(data)
        return out

    def read(self, row: DocRow) -> bytes:
        [data] = self.read_many([row])
        if isinstance(data, HocbaError):
            raise data
        return data

    def evidence(self, row: DocRow) -> bytes | None:
        """The sealed document's archive evidence (.p7s), if it has one."""
        return self._blobs([row.evidence_sha256]).get(row.evidence_sha256) if row.evidence_sha256 else None

    # --- freeze ---

    def freeze(self, record: StudentYear, document: bytes, profile_id: str, profile_version: str) -> str:
        """Store an unsigned document. Returns "frozen", "unchanged", "replaced" (an unsigned earlier
        version was superseded) or "locked" (an earlier version is already signed: a change needs an
        amendment, brief 05 §11)."""
        payload = content_hash(record)
        c = sign_document.c
        with self.engine.begin() as conn:
            current = conn.execute(select(sign_document).where(
                c.record_key == record.key, c.state != REPLACED)).first()
            if current is not None:
                if current.payload_sha256 == payload and current.profile_version == profile_version:
                    return "unchanged"
                if current.state != FROZEN:
                    return "locked"
                conn.execute(update(sign_document).where(c.doc_id == current.doc_id)
                             .values(state=REPLACED, updated_at=_now()))
            conn.execute(insert(sign_document).values(
                doc_id=uuid.uuid4().hex, record_key=record.key, ma_truong=record.ma_truong, nam_hoc=record.nam_hoc,
                lop=record.lop, profile_id=profile_id, profile_version=profile_version, payload_sha256=payload,
                state=FROZEN, sha256=self._put(conn, document), created_at=_now(), updated_at=_now()))
        return "replaced" if current is not None else "frozen"

    # --- queries ---

    def rows(self, states_: Iterable[str], selection: Selection) -> list[DocRow]:
        c = sign_document.c
        query = (select(sign_document).where(c.state.in_(list(states_)), *selection.where())
                 .order_by(c.ma_truong, c.nam_hoc, c.lop, c.record_key))
        with self.reader.connect() as conn:
            return [DocRow.of(r) for r in conn.execute(query)]

    def awaiting(self, role: Role, selection: Selection) -> list[DocRow]:
        return self.rows([role.awaits, pending_state(role)], selection)

    def earlier(self, role: Role, selection: Selection) -> Counter:
        """Documents not yet at this role's turn, counted by state (they are refused: wrong order)."""
        order = list(states())
        before = order[: order.index(role.awaits)]
        pendings = [pending_state(r) for r in roles()[: [r.key for r in roles()].index(role.key)]]
        return Counter(r.state for r in self.rows([*before, *pendings], selection))

    def counts(self, selection: Selection) -> dict[tuple[str, str], int]:
        """(class, state) -> documents."""
        c = sign_document.c
        query = (select(c.lop, c.state, func.count()).where(c.state != REPLACED, *selection.where())
                 .group_by(c.lop, c.state))
        with self.reader.connect() as conn:
            return {(lop, state): n for lop, state, n in conn.execute(query)}

    # --- transitions ---

    def record_signatures(self, role: Role, signed: list["Signed"], *, cert_sha256: str, backend: str) -> list[bool]:
        """Advance each document to ``role.becomes`` with its new bytes, only if nobody moved it meanwhile
        (compare-and-set on state and hash, under the write lock: SQLite's BEGIN IMMEDIATE, FOR UPDATE
        elsewhere). One transaction and a handful of statements for the lot; the new bytes are stored only
        with the state change that points at them. Returns, per document, whether it advanced."""
        if not signed:
            return []
        c = sign_document.c
        now = _now()
        with self.engine.begin() as conn:
            current = {r.doc_id: (r.state, r.sha256) for r in conn.execute(
                select(c.doc_id, c.state, c.sha256).where(c.doc_id.in_([i.row.doc_id for i in signed]))
                .with_for_update())}
            moved = [current.get(i.row.doc_id) == (i.row.state, i.row.sha256) for i in signed]
            winners = [item for item, ok in zip(signed, moved) if ok]  # else someone else signed it first:
            if winners:                                                 # keep their bytes, drop ours
                conn.execute(_ADVANCE, [{
                    "b_doc": i.row.doc_id, "b_state": i.row.state, "b_sha": i.row.sha256, "state": role.becomes,
                    "sha256": i.sha256, "pending_request": None, "updated_at": now,
                    "evidence_sha256": hashlib.sha256(i.evidence).hexdigest() if i.evidence else None,
                } for i in winners])
                blobs = {i.sha256: i.document for i in winners}
                blobs.update({hashlib.sha256(i.evidence).hexdigest(): i.evidence for i in winners if i.evidence})
                conn.execute(_insert_blob(conn.dialect.name),
                             [{"sha256": sha, "data": data, "created_at": now} for sha, data in blobs.items()])
                conn.execute(_ADD_SIGNATURE, [{
                    "doc_id": i.row.doc_id, "slot": role.slot, "cert_sha256": cert_sha256,
                    "signing_time": i.signing_time, "signed_at": now, "backend": backend, "sha256_after": i.sha256,
                } for i in winners])
        return moved

    def mark_pending(self, row: DocRow, role: Role, request: dict) -> bool:
        """A remote signature is waiting for the signer's confirmation (PENDING_<slot>)."""
        c = sign_document.c
        with self.engine.begin() as conn:
            return bool(conn.execute(update(sign_document).where(and_(
                c.doc_id == row.doc_id, c.sha256 == row.sha256, c.state.in_([role.awaits, pending_state(role)]),
            )).values(state=pending_state(role), pending_request=json.dumps(request), updated_at=_now())).rowcount)

    def signatures(self, doc_id: str) -> list[dict]:
        with self.reader.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(
                select(sign_signature).where(sign_signature.c.doc_id == doc_id))]


# --- what the signer sees ---------------------------------------------------------------------------


@dataclass
class DocSummary:
    name: str | None
    student_code: str | None
    class_name: str | None
    school_year: str | None
    subjects: int
    result: str | None
    conduct: str | None
    promoted: str | None


def summarise(document: bytes) -> DocSummary:
    """What a document says, for the signer's screen (paths: ``[summary]`` in signing.toml)."""
    from connector.sign.roles import signing_data
    from connector.sign.xmldsig import Layout, local, parse

    spec = signing_data()["summary"]
    data = Layout.of(parse(document)).data

    def first(paths: list[str]) -> str | None:
        for path in paths:
            nodes = [data]
            for name in path.split("/"):
                nodes = [c for n in nodes for c in n if isinstance(c.tag, str) and local(c) == name]
            if nodes and (nodes[0].text or "").strip():
                return nodes[0].text.strip()
        return None

    subjects = sum(1 for el in data.iter() if isinstance(el.tag, str) and local(el) == spec["subject"])
    return DocSummary(first(spec["name"]), first(spec["student_code"]), first(spec["class"]),
                      first(spec["school_year"]), subjects, first(spec["result"]), first(spec["conduct"]),
                      first(spec["promoted"]))


# --- the batch ----------------------------------------------------------------------------------------


@dataclass
class BatchResult:
    signed: int = 0
    evidence: int = 0
    pending: int = 0
    conflicts: int = 0
    refused: Counter = field(default_factory=Counter)  # message key -> documents

    @property
    def refused_total(self) -> int:
        return sum(self.refused.values())


@dataclass
class Signed:
    """One document's new version, on its way to the store."""

    row: DocRow
    document: bytes
    signing_time: str
    evidence: bytes | None = None

    @functools.cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.document).hexdigest()


def _chunks(rows: list[DocRow], size: int) -> Iterator[list[DocRow]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


async def sign_batch(store: SigningStore, rows: list[DocRow], role: Role, signer, settings: SigningSettings, *,
                     backend: str, tick: Callable[[int], None] = lambda n: None,
                     timestamper=None, chunk: int = CHUNK) -> BatchResult:
    """Sign ``rows`` for ``role`` with one opened signer.

    Pipelined: each document's signature is handed to the signer as soon as it is prepared, while the next
    one is prepared (a PKCS#11 backend queues them on its one token thread; a remote backend groups those
    arriving together into one authorisation). The signer's answer is checked against its certificate
    before anything is stored. A refusal (e.g. a class not mapped to this GVCN) skips that document; a
    backend failure stops the batch (what was signed stays signed)."""
    from connector.sign import evidence as ev
    from connector.sign.certs import SigningError, check_role_fit, fingerprint
    from connector.sign.xmldsig import prepare_signature, value_matches, xml_signature_value

    options = settings.sign_options()
    cert = signer.signing_cert
    cert_sha = fingerprint(cert)
    result = BatchResult()
    last = role is roles()[-1] and settings.evidence == "cades"
    tsa = timestamper or (ev.PacedTimeStamper(settings.tsa_url) if last and settings.tsa_url else None)
    for part in _chunks(rows, chunk):
        jobs = []
        for row, stored in zip(part, store.read_many(part)):
            try:
                if isinstance(stored, HocbaError):
                    raise stored
                if role.key == "gvcn":
                    check_role_fit(role, cert, settings.rules, row.lop)
                prepared = prepare_signature(stored, role, signer, options=options,
                                             moment=_pending_moment(row, options.timezone))
            except HocbaError as exc:
                result.refused[exc.key] += 1
                log.info("sign_refused", doc=row.doc_id, reason=exc.key)
                continue
            task = asyncio.ensure_future(signer.async_sign_raw(prepared.to_be_signed, "sha256"))
            await asyncio.sleep(0)  # let the signer start on it while the next document is prepared
            jobs.append((row, prepared, task))
        done = []
        for row, prepared, task in jobs:
            try:
                raw = await task
            except HocbaError as exc:
                transaction = getattr(exc, "transaction_id", None)
                if transaction is None:
                    for _, _, other in jobs:
                        other.cancel()
                    raise
                store.mark_pending(row, role, {"transaction": transaction,
                                               "request": getattr(exc, "request_id", None),
                                               "signing_time": prepared.signing_time})
                result.pending += 1
                continue
            value = xml_signature_value(raw, prepared.template.method, cert)
            if not value_matches(cert, prepared.template.method, prepared.to_be_signed, value):
                raise SigningError("sign_backend_bad_signature", backend=backend)
            done.append(Signed(row, prepared.complete(raw), prepared.signing_time))
        if last and done:
            proofs = await asyncio.gather(*(ev.make_evidence(item.document, signer, tsa) for item in done))
            for item, proof in zip(done, proofs):
                item.evidence = proof
        for ok, item in zip(store.record_signatures(role, done, cert_sha256=cert_sha, backend=backend), done):
            if ok:
                result.signed += 1
                result.evidence += item.evidence is not None
            else:
                result.conflicts += 1
        tick(result.signed)
    log.info("sign_batch_done", role=role.key, signed=result.signed, refused=result.refused_total,
             pending=result.pending, conflicts=result.conflicts, evidence=result.evidence)
    return result


def sign_rows(store: SigningStore, rows: list[DocRow], role: Role, signer, settings: SigningSettings, *,
              backend: str, workers: int = 1, tick: Callable[[int], None] = lambda n: None) -> BatchResult:
    """Sign ``rows`` with one opened signer: :func:`sign_batch` in this process, or — for a signer that may
    be used from forked processes (a key in memory, ``SignerBackend.parallel``) and a batch big enough to
    pay for it — split over ``workers`` processes, so the XML work uses every core (brief 11 §2). Each
    process signs its share with its own database connection; a step still only moves a document from the
    state before it (compare-and-set), so the shares never overlap in effect."""
    workers = min(workers, len(rows) // CHUNK)
    if workers <= 1:
        return asyncio.run(sign_batch(store, rows, role, signer, settings, backend=backend, tick=tick))
    import gc
    import multiprocessing
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("fork")  # the children inherit the opened signer: no second PIN
    store.engine.dispose()  # no open database connection may cross the fork
    shares = [rows[i::workers] for i in range(workers)]
    pipes, processes = [], []
    gc.freeze()  # the children's garbage collector would otherwise touch, and so copy, every inherited page
    try:
        for share in shares:
            parent_end, child_end = context.Pipe(duplex=False)
            process = context.Process(target=_sign_share, daemon=True,
                                      args=(store, share, role, signer, settings, backend, child_end))
            process.start()
            child_end.close()
            pipes.append(parent_end)
            processes.append(process)
    finally:
        gc.unfreeze()
    progress = {pipe: 0 for pipe in pipes}
    results, errors = [], []
    open_pipes = list(pipes)
    while open_pipes:
        for pipe in wait(open_pipes):
            try:
                kind, value = pipe.recv()
            except EOFError:  # the process died without a word
                open_pipes.remove(pipe)
                errors.append(HocbaError("sign_worker_died"))
                continue
            if kind == "tick":
                progress[pipe] = value
                tick(sum(progress.values()))
                continue
            open_pipes.remove(pipe)
            (results if kind == "done" else errors).append(value)
    for process in processes:
        process.join()
    if errors:
        raise errors[0]  # what the other shares signed stays signed
    return _merged(results)


def _sign_share(store: SigningStore, rows: list[DocRow], role: Role, signer, settings: SigningSettings,
                backend: str, pipe) -> None:
    """One forked process's share of :func:`sign_rows`; reports ticks, then its result or its error."""
    store.engine.dispose(close=False)  # never share the parent's database connections
    try:
        result = asyncio.run(sign_batch(store, rows, role, signer, settings, backend=backend,
                                        tick=lambda n: pipe.send(("tick", n))))
        pipe.send(("done", result))
    except HocbaError as exc:
        try:
            pipe.send(("error", exc))
        except Exception:  # noqa: BLE001 — an error class that does not pickle: its key and fields do
            pipe.send(("error", HocbaError(exc.key, **exc.fields)))
    except BaseException as exc:  # noqa: BLE001 — reported by type only: messages may quote personal data
        log.error("sign_worker_failed", kind=type(exc).__name__)
        pipe.send(("error", HocbaError("sign_worker_died")))
    finally:
        pipe.close()


def _merged(results: list[BatchResult]) -> BatchResult:
    total = BatchResult()
    for r in results:
        total.signed += r.signed
        total.evidence += r.evidence
        total.pending += r.pending
        total.conflicts += r.conflicts
        total.refused.update(r.refused)
    return total


def _pending_moment(row: DocRow, tz: dt.tzinfo) -> dt.datetime | None:
    """A document waiting for a remote confirmation is prepared again with the same SigningTime, so the
    hash the signer approves does not change."""
    if not row.pending_request:
        return None
    try:
        text = json.loads(row.pending_request).get("signing_time")
    except (ValueError, AttributeError):
        return None
    from connector.sign.xmldsig import parse_signing_time

    return parse_signing_time(text, tz)
