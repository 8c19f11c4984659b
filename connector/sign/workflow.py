"""Who signs what, and when: the signing workflow per document (brief 05 §3.5, §3.7).

1. ``freeze``: a validated record becomes the profile's unsigned document; its exact bytes are stored
   (a file named by an opaque id under the signing data directory) with their SHA-256 — state FROZEN,
   i.e. awaiting the GVCN. Nothing that failed validation is frozen (SIG-6).
2. ``sign``: one signer at their own workstation signs every document awaiting their role (for the GVCN:
   the classes mapped to their certificate), in one batch through one ``open()`` of their backend:
   FROZEN → SIGNED_GVCN → SIGNED_HT → SEALED. The seal's step also writes the archive evidence (.p7s).
   Each step stores the new bytes in a new file; a state only advances from the state before it and from
   the exact bytes it read (compare-and-set), so two signers never overwrite each other.

The tables (``sign_document``, ``sign_signature`` in connector/state.py) hold opaque ids, record keys,
class names, hashes, certificate fingerprints and times — no personal data.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, select, update

from connector.config import Config
from connector.errors import ConfigError, HocbaError, InputError
from connector.log import get_logger
from connector.model import StudentYear, content_hash
from connector.sign.certs import RoleRules
from connector.sign.roles import FROZEN, Role, roles, states
from connector.state import StateStore, sign_document, sign_signature

log = get_logger("hocba.sign.workflow")

REPLACED = "REPLACED"
DEFAULT_DATA_DIR = ".hocba/signed"
DEFAULT_PROFILE = "hocba-xmldsig-dscks"
CHUNK = 64  # documents prepared and sent to the signer together (one remote authorisation per chunk)


# Built once: compare-and-set of a document's state, and the signature row that goes with it.
_ADVANCE = update(sign_document).where(and_(
    sign_document.c.doc_id == bindparam("b_doc"), sign_document.c.state == bindparam("b_state"),
    sign_document.c.sha256 == bindparam("b_sha")))
_ADD_SIGNATURE = insert(sign_signature)


def version_file(doc_id: str, state: str, sha256: str) -> str:
    """Where one version of a document is stored, relative to the data directory: 256 shared folders by the
    id's first two hex digits (a folder per document costs a directory per document on disk)."""
    return f"{doc_id[:2]}/{doc_id}-{state}-{sha256[:16]}.xml"


def pending_state(role: Role) -> str:
    return f"PENDING_{role.slot}"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


@dataclass
class SigningSettings:
    """The ``[signing]`` section (every key is documented in config.example.toml and docs/signing.md)."""

    raw: dict[str, Any]
    data_dir: Path
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
            data_dir=Path(raw.get("data_dir", DEFAULT_DATA_DIR)),
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
    file: str
    pending_request: str | None

    @classmethod
    def of(cls, row) -> "DocRow":
        return cls(row.doc_id, row.record_key, row.ma_truong, row.nam_hoc, row.lop, row.state, row.sha256, row.file,
                   row.pending_request)


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
    """Documents and their workflow state: rows in the state store, bytes in files."""

    def __init__(self, store: StateStore, data_dir: Path):
        self.engine = store.engine
        self.data_dir = Path(data_dir)

    # --- files ---

    def _write(self, relative: str, data: bytes) -> None:
        """Write a new version. File names carry the content's hash and a row points at a file only after
        it is written, so a half-written file is never read as a document (its hash would not match)."""
        path = self.data_dir / relative
        try:
            path.write_bytes(data)
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    def read(self, row: DocRow) -> bytes:
        """The stored bytes, checked against their recorded SHA-256 (SIG-6: nothing changes after freezing)."""
        try:
            data = (self.data_dir / row.file).read_bytes()
        except OSError:
            raise InputError("sign_stored_missing", doc=row.doc_id) from None
        if hashlib.sha256(data).hexdigest() != row.sha256:
            raise InputError("sign_stored_changed", doc=row.doc_id)
        return data

    def path(self, row: DocRow) -> Path:
        return self.data_dir / row.file

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
            doc_id = uuid.uuid4().hex
            sha = hashlib.sha256(document).hexdigest()
            relative = version_file(doc_id, FROZEN, sha)
            self._write(relative, document)
            conn.execute(insert(sign_document).values(
                doc_id=doc_id, record_key=record.key, ma_truong=record.ma_truong, nam_hoc=record.nam_hoc,
                lop=record.lop, profile_id=profile_id, profile_version=profile_version, payload_sha256=payload,
                state=FROZEN, sha256=sha, file=relative, created_at=_now(), updated_at=_now()))
        return "replaced" if current is not None else "frozen"

    # --- queries ---

    def rows(self, states_: Iterable[str], selection: Selection) -> list[DocRow]:
        c = sign_document.c
        query = (select(sign_document).where(c.state.in_(list(states_)), *selection.where())
                 .order_by(c.ma_truong, c.nam_hoc, c.lop, c.record_key))
        with self.engine.connect() as conn:
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
        with self.engine.connect() as conn:
            return {(lop, state): n for lop, state, n in conn.execute(query)}

    # --- transitions ---

    def record_signatures(self, role: Role, signed: list["Signed"], *, cert_sha256: str, backend: str) -> list[bool]:
        """Advance each document to ``role.becomes`` with its new bytes, only if nobody moved it meanwhile
        (compare-and-set on state and hash). One transaction for the lot; returns, per document, whether
        it advanced."""
        for item in signed:
            item.file = version_file(item.row.doc_id, role.becomes, item.sha256)
            self._write(item.file, item.document)
            if item.evidence is not None:
                self._write(item.file + ".p7s", item.evidence)
        moved = []
        with self.engine.begin() as conn:
            for item in signed:
                row = item.row
                ok = conn.execute(_ADVANCE, {
                    "b_doc": row.doc_id, "b_state": row.state, "b_sha": row.sha256, "state": role.becomes,
                    "sha256": item.sha256, "file": item.file, "pending_request": None, "updated_at": _now(),
                    "evidence_file": item.file + ".p7s" if item.evidence is not None else None,
                }).rowcount == 1
                if ok:
                    conn.execute(_ADD_SIGNATURE, {
                        "doc_id": row.doc_id, "slot": role.slot, "cert_sha256": cert_sha256,
                        "signing_time": item.signing_time, "signed_at": _now(), "backend": backend,
                        "sha256_after": item.sha256})
                moved.append(ok)
        for item, ok in zip(signed, moved):
            if not ok:  # someone else signed it first: keep their bytes, drop ours
                (self.data_dir / item.file).unlink(missing_ok=True)
                if item.evidence is not None:
                    (self.data_dir / (item.file + ".p7s")).unlink(missing_ok=True)
        return moved

    def mark_pending(self, row: DocRow, role: Role, request: dict) -> bool:
        """A remote signature is waiting for the signer's confirmation (PENDING_<slot>)."""
        c = sign_document.c
        with self.engine.begin() as conn:
            return bool(conn.execute(update(sign_document).where(and_(
                c.doc_id == row.doc_id, c.sha256 == row.sha256, c.state.in_([role.awaits, pending_state(role)]),
            )).values(state=pending_state(role), pending_request=json.dumps(request), updated_at=_now())).rowcount)

    def signatures(self, doc_id: str) -> list[dict]:
        with self.engine.connect() as conn:
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
    file: str = ""

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
        for row in part:
            try:
                if role.key == "gvcn":
                    check_role_fit(role, cert, settings.rules, row.lop)
                prepared = prepare_signature(store.read(row), role, signer, options=options,
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
