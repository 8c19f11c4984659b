"""Archive evidence: detached CAdES-B-T (.p7s) over the final signed bytes, a timestamp from the local TSA
over HTTP, verifiable later with the validation time pinned to the timestamp."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import subprocess

import pytest

from connector.sign.evidence import make_evidence, timestamp_time, verify_evidence
from tests.sign.conftest import HAND_BUILT


@pytest.fixture(scope="module")
def sealed(sign_all, signers, test_pki):
    document = sign_all(HAND_BUILT)
    evidence = asyncio.run(make_evidence(document, signers("con-dau"), f"{test_pki.url}/tsa"))
    return document, evidence


def test_evidence_verifies_with_its_timestamp(sealed, roots):
    document, evidence = sealed
    report = asyncio.run(verify_evidence(document, evidence, roots))
    assert report.ok, report.as_dict()
    assert report.signer == "Trường THCS Thử Nghiệm"
    assert report.timestamp and report.validation_time == report.timestamp  # pinned to the trusted time


def test_openssl_accepts_the_cms(sealed, test_pki, tmp_path):
    assert shutil.which("openssl")
    document, evidence = sealed
    (tmp_path / "d.xml").write_bytes(document)
    (tmp_path / "d.xml.p7s").write_bytes(evidence)
    result = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(tmp_path / "d.xml.p7s"),
                             "-content", str(tmp_path / "d.xml"), "-CAfile", str(test_pki.pem("chain")),
                             "-purpose", "any", "-out", "/dev/null"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr


def test_a_changed_byte_breaks_the_evidence(sealed, roots):
    document, evidence = sealed
    report = asyncio.run(verify_evidence(document.replace(b"8.5", b"9.5"), evidence, roots))
    assert not report.intact and not report.ok


def test_a_damaged_file_is_reported(sealed, roots):
    document, evidence = sealed
    report = asyncio.run(verify_evidence(document, evidence[:200], roots))
    assert report.problems == ["evidence_unreadable"]


def test_pinned_time_matters(sealed, roots):
    """Validated as of 2100 every certificate has expired; pinned to the timestamp it still verifies."""
    document, evidence = sealed
    later = asyncio.run(verify_evidence(document, evidence, roots, at=dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc)))
    assert not later.ok and not later.trusted


def test_evidence_outlives_the_certificates(tmp_path, pki_server):
    """A PKI whose signers' certificates expired a year ago: evidence made while they were valid (a TSA
    answering with that time) verifies years later, pinned to the timestamp; unpinned it does not."""
    from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1, translate_pyca_cryptography_key_to_asn1
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from connector.sign.certs import load_pem_certificates
    from connector.sign.keyfile import load_pkcs12_signer
    from connector.sign.pki import create_test_pki

    now = dt.datetime.now(dt.timezone.utc)
    then = now - dt.timedelta(days=700)
    old = create_test_pki(tmp_path / "old", [], url=pki_server.url, now=then, days=365)
    seal = load_pkcs12_signer(old.p12("con-dau").read_bytes(), old.password, "seal")
    assert seal.signing_cert["tbs_certificate"]["validity"]["not_after"].native < now
    chain = [translate_pyca_cryptography_cert_to_asn1(c) for c in (old.issuing.cert, old.root.cert)]
    tsa = DummyTimeStamper(tsa_cert=translate_pyca_cryptography_cert_to_asn1(old.tsa.cert),
                           tsa_key=translate_pyca_cryptography_key_to_asn1(old.tsa.key),
                           certs_to_embed=SimpleCertificateStore.from_certs(chain),
                           fixed_dt=then + dt.timedelta(days=30))
    evidence = asyncio.run(make_evidence(HAND_BUILT, seal, tsa))
    roots = load_pem_certificates([old.pem("root-ca")])
    from asn1crypto import cms

    assert timestamp_time(cms.ContentInfo.load(evidence)["content"]) == then + dt.timedelta(days=30)
    pinned = asyncio.run(verify_evidence(HAND_BUILT, evidence, roots))
    assert pinned.ok, pinned.as_dict()
    today = asyncio.run(verify_evidence(HAND_BUILT, evidence, roots, at=now))
    assert not today.ok


def test_an_unreachable_tsa_is_a_clear_error(signers):
    from connector.sign.certs import SigningError

    with pytest.raises(SigningError) as caught:
        asyncio.run(make_evidence(b"<x/>", signers("con-dau"), "http://127.0.0.1:9/tsa"))
    assert caught.value.key == "sign_tsa_failed"
