"""The signing workflow end to end, as the school would run it: freeze, each signer at their own
workstation with ``hocba sign``, export, ``hocba verify`` and xmlsec1 on what was delivered."""

from __future__ import annotations

import asyncio
import hashlib
import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select, update
from click.testing import CliRunner

from connector.cli import cli
from connector.sign.pki import config_snippet
from connector.state import sign_blob
from tests.sign.conftest import SLOTS, xmlsec1_verify


def hocba(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def school(tmp_path_factory, test_pki):
    """A synthetic THCS school (8 students, classes 6A1–9A1), its configuration and its state."""
    work = tmp_path_factory.mktemp("school")
    result = hocba("generate", "--seed", 21, "--level", "thcs", "--students", 8, "--format", "csv",
                   "--out", work / "school")
    assert result.exit_code == 0, result.output
    config = work / "config.toml"
    config.write_text(f'[state]\nurl = "sqlite:///{work / "state.db"}"\n\n{config_snippet(test_pki)}', "utf-8")
    return work, config


def sign(config, role, backend, *extra):
    return hocba("sign", "--role", role, "--backend", backend, "--config", config, "--lang", "en", *extra)


def test_the_school_signs_its_transcripts(school, test_pki, tmp_path, profile_documents):
    work, config = school
    per_class = {lop: sum(r.lop == lop for r, _ in profile_documents) for lop in ("6A1", "7A1")}
    frozen = hocba("freeze", work / "school", "--config", config, "--lang", "en")
    assert frozen.exit_code == 0, frozen.output
    assert "Froze 8 transcripts" in frozen.output and "PROVISIONAL" in frozen.output
    again = hocba("freeze", work / "school", "--config", config, "--lang", "en")
    assert "Froze 0 transcripts" in again.output and "unchanged: 8" in again.output

    early = sign(config, "hieu_truong", "test-hieu-truong", "--yes")  # principal before GVCN
    assert early.exit_code == 2
    assert "Wrong signing order" in early.output

    no_terminal = sign(config, "gvcn", "test-gvcn-6A1")  # no --yes, and stdin is not a terminal
    assert no_terminal.exit_code == 2 and "--yes" in no_terminal.output

    wrong_class = sign(config, "gvcn", "test-gvcn-6A1", "--class", "7A1", "--yes")
    assert wrong_class.exit_code == 1
    assert f"refused: {per_class['7A1']}" in wrong_class.output and "homeroom teacher" in wrong_class.output

    first = sign(config, "gvcn", "test-gvcn-6A1", "--yes")
    assert first.exit_code == 0, first.output
    assert "You are about to sign as Homeroom teacher" in first.output
    assert re.search(r"6A1 .+ \(\w+\), 2025-2026: \d+ subjects, learning \w+", first.output)
    assert f"Signed {per_class['6A1']} transcripts" in first.output
    for lop in ("7A1", "8A1", "9A1"):
        assert sign(config, "gvcn", f"test-gvcn-{lop}", "--yes").exit_code == 0

    principal = sign(config, "hieu_truong", "test-hieu-truong", "--yes")
    assert "Signed 8 transcripts as Principal" in principal.output, principal.output
    seal = sign(config, "don_vi", "test-con-dau", "--yes")
    assert "Signed 8 transcripts" in seal.output and "archive evidence: 8" in seal.output, seal.output
    assert "Nothing" not in seal.output
    nothing = sign(config, "don_vi", "test-con-dau", "--yes")
    assert nothing.exit_code == 0 and "No document awaits" in nothing.output

    out = tmp_path / "out"
    status = hocba("sign-status", "--config", config, "--export", out, "--lang", "en")
    assert status.exit_code == 0 and "Exported 8" in status.output
    assert re.search(rf"6A1\s+SEALED\s+{per_class['6A1']}\b", status.output)
    files = sorted(out.glob("*.xml"))
    assert len(files) == 8 and all(f.with_name(f.name + ".p7s").exists() for f in files)

    verified = hocba("verify", *files, "--config", config, "--lang", "en")
    assert verified.exit_code == 0, verified.output
    assert "8 files: 8 valid" in verified.output
    for file in files:  # every delivered document, every signature, by the independent verifier
        for slot in SLOTS:
            result = xmlsec1_verify(file, slot, test_pki.pem("root-ca"))
            assert result.returncode == 0, (file.name, slot, result.stderr)

    broken = tmp_path / "broken.xml"
    broken.write_bytes(re.sub(rb"<HoTen>(.)", rb"<HoTen>X", files[1].read_bytes(), count=1))
    incomplete = tmp_path / "incomplete.xml"
    incomplete.write_bytes(re.sub(rb"<DonVi><Signature .*?</Signature></DonVi>", b"<DonVi/>", files[2].read_bytes(),
                                  flags=re.S))
    bad = hocba("verify", broken, incomplete, "--config", config, "--lang", "en", "--offline")
    assert bad.exit_code == 1
    assert "broken.xml: INVALID" in bad.output
    assert "(SIG-GVCN)" in bad.output and "changed after signing" in bad.output
    assert "incomplete.xml: INCOMPLETE" in bad.output and "School seal" in bad.output

    with sqlite3.connect(work / "state.db") as db:  # the workflow's own tables hold no personal data …
        rows = "\n".join(repr(r) for table in ("sign_document", "sign_signature")
                         for r in db.execute(f"SELECT * FROM {table}"))  # noqa: S608 — fixed table names
        blobs = {sha: data for sha, data in db.execute("SELECT sha256, data FROM sign_blob")}
    assert "SEALED" in rows
    assert not [r.student.ho_ten for r, _ in profile_documents if r.student.ho_ten in rows]
    for file in files:  # … and the bytes stored are exactly the bytes delivered, with their evidence
        data = file.read_bytes()
        assert blobs[hashlib.sha256(data).hexdigest()] == data
        evidence = file.with_name(file.name + ".p7s").read_bytes()
        assert blobs[hashlib.sha256(evidence).hexdigest()] == evidence
    assert oct((work / "state.db").stat().st_mode & 0o777) == "0o600"  # it holds the documents


# --- the store, directly ------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path, test_pki):
    from connector.config import Config
    from connector.sign.workflow import SigningSettings, SigningStore
    from connector.state import StateStore

    config = Config(state_url=f"sqlite:///{tmp_path}/state.db", signing={
        "evidence": "none", "school_name": test_pki.school_name,
        "principals": [f"sha256:{test_pki.principal.fingerprint}"],
        "homeroom": {c: f"sha256:{i.fingerprint}" for c, i in test_pki.gvcn.items()}})
    settings = SigningSettings.from_config(config)
    return SigningStore(StateStore(config.state_url)), settings


def test_a_changed_record_replaces_an_unsigned_document_but_not_a_signed_one(store, profile_documents, signers):
    from connector.sign.roles import role
    from connector.sign.workflow import Selection, sign_batch

    signing, settings = store
    record, document = profile_documents[0]
    assert signing.freeze(record, document, "hocba-xmldsig-dscks", "0.1") == "frozen"
    changed = record.model_copy(update={"nghi_co_phep": (record.nghi_co_phep or 0) + 1})
    assert signing.freeze(changed, document + b"\n", "hocba-xmldsig-dscks", "0.1") == "replaced"
    rows = signing.awaiting(role("gvcn"), Selection())
    assert len(rows) == 1
    result = asyncio.run(sign_batch(signing, rows, role("gvcn"), signers(f"gvcn-{record.lop}"), settings,
                                    backend="pkcs12"))
    assert result.signed == 1
    assert signing.freeze(record, document, "hocba-xmldsig-dscks", "0.1") == "locked"


def test_a_stored_file_changed_after_freezing_is_not_signed(store, profile_documents, signers):
    from connector.sign.roles import role
    from connector.sign.workflow import Selection, sign_batch

    signing, settings = store
    record, document = profile_documents[2]
    signing.freeze(record, document, "hocba-xmldsig-dscks", "0.1")
    [row] = signing.awaiting(role("gvcn"), Selection())
    with signing.engine.begin() as conn:  # someone edits the stored bytes behind hocba's back
        conn.execute(update(sign_blob).where(sign_blob.c.sha256 == row.sha256)
                     .values(data=document.replace(b"<Lop>", b"<Lop>X", 1)))
    result = asyncio.run(sign_batch(signing, [row], role("gvcn"), signers(f"gvcn-{record.lop}"), settings,
                                    backend="pkcs12"))
    assert result.signed == 0 and result.refused == {"sign_stored_changed": 1}


def test_two_signers_racing_for_one_document(store, profile_documents, signers):
    """Compare-and-set: the second writer of the same step loses and its bytes are dropped."""
    from connector.sign.roles import role
    from connector.sign.workflow import Selection, Signed
    from connector.sign.xmldsig import add_signature

    signing, _ = store
    record, document = profile_documents[3]
    signing.freeze(record, document, "hocba-xmldsig-dscks", "0.1")
    [row] = signing.awaiting(role("gvcn"), Selection())
    gvcn = signers(f"gvcn-{record.lop}")
    versions = [asyncio.run(add_signature(document, role("gvcn"), gvcn)) for _ in range(2)]
    first = signing.record_signatures(role("gvcn"), [Signed(row, versions[0], "t1")], cert_sha256="a", backend="x")
    loser = Signed(row, versions[1] + b" ", "t2")
    second = signing.record_signatures(role("gvcn"), [loser], cert_sha256="a", backend="x")
    assert first == [True] and second == [False]
    with signing.engine.connect() as conn:  # the loser's bytes were never stored
        assert conn.execute(select(sign_blob).where(sign_blob.c.sha256 == loser.sha256)).first() is None
    [now] = signing.rows(["SIGNED_GVCN"], Selection())
    assert signing.read(now) == versions[0]
    assert [s["slot"] for s in signing.signatures(row.doc_id)] == ["GVCN"]


def test_the_summary_shows_what_is_signed(profile_documents):
    from connector.sign.workflow import summarise

    record, document = profile_documents[0]
    summary = summarise(document)
    assert summary.name == record.student.ho_ten
    assert summary.class_name == record.lop and summary.school_year == record.nam_hoc
    assert summary.subjects == len(record.danh_gia.mon_hoc)
    assert summary.result == record.danh_gia.hoc_tap.ca_nam


def test_pki_commands(school, tmp_path):
    """`hocba pki init --all-classes` after freezing, then `hocba pki serve` answering on loopback."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    from cryptography import x509

    from connector.sign.pki import load_manifest

    work, config = school
    frozen = hocba("freeze", work / "school", "--config", config)
    assert frozen.exit_code == 0
    with socket.socket() as s:  # a free port for the services the certificates will name
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    made = hocba("pki", "init", "--out", tmp_path / "pki", "--all-classes", "--config", config,
                 "--url", f"http://127.0.0.1:{port}", "--lang", "en")
    assert made.exit_code == 0, made.output
    assert "TEST PKI" in made.output and "KHÔNG DÙNG THẬT / TEST ONLY" in made.output
    assert set(load_manifest(tmp_path / "pki")["gvcn"]) == {"6A1", "7A1", "8A1", "9A1"}
    hocba_exe = str(Path(sys.executable).with_name("hocba"))
    server = subprocess.Popen([hocba_exe, "pki", "serve", "--dir", str(tmp_path / "pki")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, crl = time.monotonic() + 60, None
        while crl is None and time.monotonic() < deadline:
            try:
                crl = urllib.request.urlopen(f"http://127.0.0.1:{port}/crl/issuing.crl", timeout=2).read()
            except OSError:
                time.sleep(0.3)
        assert crl, "hocba pki serve did not answer"
        revoked = x509.load_der_x509_crl(crl)
        assert len(list(revoked)) == 1  # the revoked test teacher
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_pending_remote_signature_is_prepared_again_with_the_same_bytes(store, profile_documents, signers):
    """A remote signer that has not answered yet: the document waits in PENDING_GVCN with the request, and
    the next `hocba sign` asks for the very same SignedInfo (same SigningTime), so the hash the signer
    approves on the phone does not change."""
    import json

    from connector.sign.backend import SignerError
    from connector.sign.roles import role
    from connector.sign.workflow import Selection, sign_batch

    class Pending(SignerError):
        def __init__(self):
            super().__init__("remote_timeout", txn="txn-1", count=1, seconds="1")
            self.transaction_id, self.request_id = "txn-1", "req-1"

    class PhoneSigner:
        """Delegates to a key signer; the first request is left unanswered."""

        def __init__(self, inner):
            self.inner, self.seen = inner, []
            self.signing_cert, self.cert_registry = inner.signing_cert, inner.cert_registry

        def get_signature_mechanism_for_digest(self, digest):
            return self.inner.get_signature_mechanism_for_digest(digest)

        async def async_sign_raw(self, data, digest_algorithm, dry_run=False):
            self.seen.append(data)
            if len(self.seen) == 1:
                raise Pending()
            return await self.inner.async_sign_raw(data, digest_algorithm)

    signing, settings = store
    record, document = profile_documents[4]
    signing.freeze(record, document, "hocba-xmldsig-dscks", "0.1")
    phone = PhoneSigner(signers(f"gvcn-{record.lop}"))
    first = asyncio.run(sign_batch(signing, signing.awaiting(role("gvcn"), Selection()), role("gvcn"), phone, settings,
                                   backend="remote"))
    assert (first.signed, first.pending) == (0, 1)
    [waiting] = signing.rows(["PENDING_GVCN"], Selection())
    assert json.loads(waiting.pending_request)["transaction"] == "txn-1"
    import time

    time.sleep(1.1)  # a later run: a fresh SigningTime would differ
    second = asyncio.run(sign_batch(signing, signing.awaiting(role("gvcn"), Selection()), role("gvcn"), phone,
                                    settings, backend="remote"))
    assert second.signed == 1
    assert phone.seen[0] == phone.seen[1]
    [done] = signing.rows(["SIGNED_GVCN"], Selection())
    assert done.pending_request is None


def test_a_batch_split_over_processes_signs_every_document_once(store, profile_documents, signers, monkeypatch,
                                                                tmp_path, test_pki):
    """`sign_rows` with 2 forked processes (a pkcs12 key may be used after fork): every document advances
    exactly once per role, the shares' results add up, progress counts them all, and the bytes verify."""
    from connector.sign import workflow
    from connector.sign.certs import fingerprint
    from connector.sign.roles import role
    from connector.sign.workflow import Selection, sign_rows

    monkeypatch.setattr(workflow, "CHUNK", 2)  # 8 documents: big enough to split into shares of 2 chunks
    signing, settings = store
    for record, document in profile_documents:
        signing.freeze(record, document, "hocba-xmldsig-dscks", "0.1")
    teacher = signers(f"gvcn-{profile_documents[0][0].lop}")  # her certificate for every class: the test is
    settings.rules.homeroom.update(  # about processes, not about who teaches which class
        {r.lop: f"sha256:{fingerprint(teacher.signing_cert)}" for r, _ in profile_documents})
    ticks = []
    for key, signer in (("gvcn", teacher), ("hieu_truong", signers("hieu-truong")), ("don_vi", signers("con-dau"))):
        rows = signing.awaiting(role(key), Selection())
        result = sign_rows(signing, rows, role(key), signer, settings, backend="pkcs12", workers=2, tick=ticks.append)
        assert (result.signed, result.refused_total, result.conflicts) == (len(profile_documents), 0, 0), key
        assert ticks[-1] == len(profile_documents)
    sealed = signing.rows(["SEALED"], Selection())
    assert len(sealed) == len(profile_documents)
    for row in sealed:
        assert sorted(s["slot"] for s in signing.signatures(row.doc_id)) == sorted(SLOTS)
    path = tmp_path / "sealed.xml"
    path.write_bytes(signing.read(sealed[0]))
    for slot in SLOTS:
        assert xmlsec1_verify(path, slot, test_pki.pem("root-ca")).returncode == 0, slot
