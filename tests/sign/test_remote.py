"""The ``remote`` backend over real HTTP against the local stand-in (connector/sign/remote_standin.py).

The stand-in holds the keys and keeps every request pending until a test approves, rejects or expires it
through the stand-in's own HTTP endpoints — the part a teacher's phone plays with a real provider.
Signatures are checked with ``cryptography`` against the stand-in's certificates.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import string
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import load_der_x509_certificate

from connector.i18n import catalogue
from connector.sign.backend import SignerError
from connector.sign.remote import RemoteBackend, SignaturePending
from connector.sign.remote_standin import (
    DEFAULT_TOKEN,
    STANDIN_HEADER,
    Credential,
    StandIn,
    generate_credentials,
    load_pkcs12,
)
from connector.sign.testkeys import TestCA
from tests.sign.oracle import GOLDEN, xmlsec1_available, xmlsec1_verify

FAST = {"poll_interval": 0.02, "poll_max_interval": 0.1, "timeout": 20, "batch_linger": 0.05}


@pytest.fixture(scope="module")
def credentials():
    return generate_credentials()


@pytest.fixture
def service(credentials):
    standin = StandIn(credentials)
    standin.start("127.0.0.1", 0)
    yield standin
    standin.stop()


def backend(service, credential="standin-rsa", **config) -> RemoteBackend:
    return RemoteBackend({"url": service.url, "credential_id": credential, "token": DEFAULT_TOKEN, **FAST, **config})


def post(service, path: str, body: dict | None = None) -> dict:
    """What the signer's phone (or an operator) would send: plain HTTP, no hocba code."""
    request = urllib.request.Request(service.url + path, data=json.dumps(body or {}).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {DEFAULT_TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def status(service, transaction: str) -> str:
    return post(service, "/csc/v2/credentials/authorizeCheck", {"transactionID": transaction})["status"]


class Phone:
    """Decides every pending transaction over HTTP, in the background, as a signer's phone would."""

    def __init__(self, service, decision: str):
        self.service, self.decision, self.decided = service, decision, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            for txn in self.service.pending():
                post(self.service, f"/{self.decision}/{txn}")
                self.decided.append(txn)
            time.sleep(0.01)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def verify(credential, signature: bytes, data: bytes) -> None:
    key = credential.certificate.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    else:
        key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())


@pytest.mark.parametrize("credential", ["standin-rsa", "standin-ec"])
def test_pending_then_approved_then_signatures_verify(service, credential):
    signer = backend(service, credential).open()
    data = [b"<SignedInfo>GVCN 1</SignedInfo>", b"<SignedInfo>GVCN 2</SignedInfo>"]
    digests = [hashlib.sha256(d).digest() for d in data]
    request_id, transaction = signer.authorize(digests, "sha256")
    assert status(service, transaction) == "pending"
    post(service, f"/approve/{transaction}")
    assert status(service, transaction) == "approved"
    signatures = signer.collect(transaction, digests, "sha256", request_id)
    for d, s in zip(data, signatures):
        verify(service.credentials[credential], s, d)
    assert signer.signing_cert.dump() == service.credentials[credential].certificate.public_bytes(serialization.Encoding.DER)


def test_single_async_sign_raw_is_one_transaction(service):
    signer = backend(service).open()
    with Phone(service, "approve") as phone:
        signature = asyncio.run(signer.async_sign_raw(b"abc", "sha256"))
    verify(service.credentials["standin-rsa"], signature, b"abc")
    assert len(phone.decided) == 1
    # PKCS#1 v1.5 is deterministic: the same bytes pyHanko's own signers give for this key
    key = service.credentials["standin-rsa"].key
    assert signature == key.sign(b"abc", padding.PKCS1v15(), hashes.SHA256())


def test_batch_of_30_hashes_under_one_approval(service):
    signer = backend(service).open()
    documents = [f"<SignedInfo>học sinh {n}</SignedInfo>".encode() for n in range(30)]

    async def sign_class():
        return await asyncio.gather(*(signer.async_sign_raw(d, "sha256") for d in documents))

    with Phone(service, "approve") as phone:
        signatures = asyncio.run(sign_class())
    assert len(phone.decided) == 1
    (only,) = service.transactions.values()
    assert len(only.hashes) == 30
    for d, s in zip(documents, signatures):
        verify(service.credentials["standin-rsa"], s, d)


def test_sign_many_is_one_approval_per_multisign(service):
    service.multisign = 12
    signer = backend(service).open()
    assert signer.multisign == 12
    documents = [b"doc %d" % n for n in range(30)]
    with Phone(service, "approve") as phone:
        signatures = signer.sign_many(documents)
    assert len(phone.decided) == 3
    for d, s in zip(documents, signatures):
        verify(service.credentials["standin-rsa"], s, d)


def test_rejected_is_a_clear_error(service):
    signer = backend(service).open()
    with Phone(service, "reject"), pytest.raises(SignerError) as caught:
        signer.sign_many([b"a", b"b"])
    assert caught.value.key == "remote_rejected"
    assert "REJECTED" in caught.value.message("en") and "TỪ CHỐI" in caught.value.message("vi")
    assert caught.value.fields["count"] == 2


def test_rejection_reaches_every_waiting_async_call(service):
    signer = backend(service).open()

    async def sign_class():
        return await asyncio.gather(*(signer.async_sign_raw(b"%d" % n, "sha256") for n in range(5)),
                                    return_exceptions=True)

    with Phone(service, "reject"):
        outcomes = asyncio.run(sign_class())
    assert [getattr(o, "key", None) for o in outcomes] == ["remote_rejected"] * 5


def test_expired_is_a_clear_error(service):
    signer = backend(service).open()
    with Phone(service, "expire"), pytest.raises(SignerError) as caught:
        signer.sign_raw(b"a", "sha256")
    assert caught.value.key == "remote_expired"
    assert "EXPIRED" in caught.value.message("en")


def test_transaction_expires_when_nobody_approves_in_time(credentials):
    service = StandIn(credentials, approval_timeout=0.2)
    service.start()
    try:
        with pytest.raises(SignerError) as caught:
            backend(service).open().sign_raw(b"a", "sha256")
    finally:
        service.stop()
    assert caught.value.key == "remote_expired"


def test_our_timeout_leaves_the_transaction_pending_and_resume_never_resubmits(service):
    signer = backend(service, timeout=0.3).open()
    with pytest.raises(SignaturePending) as caught:
        signer.sign_raw(b"a", "sha256")
    pending = caught.value
    assert pending.key == "remote_timeout" and "0.3" in str(pending)
    assert status(service, pending.transaction_id) == "pending"
    post(service, f"/approve/{pending.transaction_id}")
    (signature,) = signer.resume(pending.transaction_id, [b"a"])
    verify(service.credentials["standin-rsa"], signature, b"a")
    assert len(service.transactions) == 1


def test_signing_the_same_bytes_again_finds_the_same_transaction(service):
    """A new run after a time-out prepares the same bytes: no second request to the phone."""
    first = backend(service, timeout=0.2).open()
    with pytest.raises(SignaturePending) as caught:
        first.sign_many([b"x", b"y"])
    post(service, f"/approve/{caught.value.transaction_id}")
    second = backend(service).open()  # e.g. the next `hocba sign` run, documents in another order
    signatures = second.sign_many([b"y", b"x"])
    assert len(service.transactions) == 1
    verify(service.credentials["standin-rsa"], signatures[0], b"y")
    verify(service.credentials["standin-rsa"], signatures[1], b"x")


def test_after_a_rejection_the_same_bytes_make_a_new_request(service):
    signer = backend(service).open()
    with Phone(service, "reject"), pytest.raises(SignerError):
        signer.sign_raw(b"again", "sha256")
    with Phone(service, "approve"):
        signature = signer.sign_raw(b"again", "sha256")
    assert len(service.transactions) == 2
    verify(service.credentials["standin-rsa"], signature, b"again")


def test_retried_submit_with_the_same_request_id_is_the_same_transaction(service):
    body = {"credentialID": "standin-rsa", "hashes": ["A" * 43 + "="], "requestID": "req-1",
            "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1", "numSignatures": 1}
    first = post(service, "/csc/v2/credentials/authorize", body)
    again = post(service, "/csc/v2/credentials/authorize", body)
    assert first["transactionID"] == again["transactionID"]
    assert len(service.transactions) == 1


def test_lost_answer_to_submit_is_retried_without_a_second_transaction(service):
    service.drop_responses("credentials/authorize", times=1)  # the request arrives, the answer is lost
    signer = backend(service).open()
    transactions = []
    signer.on_transaction = lambda request, txn, count: transactions.append((request, txn, count))
    with Phone(service, "approve"):
        signature = signer.sign_raw(b"flaky network", "sha256")
    assert len(service.transactions) == 1
    assert len(transactions) == 1 and transactions[0][2] == 1
    verify(service.credentials["standin-rsa"], signature, b"flaky network")


def test_same_request_id_for_other_hashes_is_refused(service):
    body = {"credentialID": "standin-rsa", "hashes": ["A" * 43 + "="], "requestID": "req-2",
            "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1"}
    post(service, "/csc/v2/credentials/authorize", body)
    signer = backend(service).open()
    with pytest.raises(SignerError) as caught:
        signer.client.call("credentials/authorize", {**body, "hashes": ["B" * 43 + "="]})
    assert caught.value.key == "remote_request_conflict"


def test_sad_only_signs_the_approved_hashes(service):
    signer = backend(service).open()
    digest = hashlib.sha256(b"approved").digest()
    _, transaction = signer.authorize([digest], "sha256")
    post(service, f"/approve/{transaction}")
    sad = post(service, "/csc/v2/credentials/authorizeCheck", {"transactionID": transaction})["SAD"]
    with pytest.raises(SignerError) as caught:
        signer.client.call("signatures/signHash", {
            "credentialID": "standin-rsa", "SAD": sad, "hashes": ["B" * 43 + "="],
            "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1", "signAlgo": "1.2.840.113549.1.1.11"})
    assert caught.value.key == "remote_refused"


def test_wrong_access_token_is_a_clear_error_without_the_token(service, monkeypatch):
    monkeypatch.setenv("HOCBA_REMOTE_TOKEN", "not-the-right-token")
    with pytest.raises(SignerError) as caught:
        RemoteBackend({"url": service.url, "credential_id": "standin-rsa"}).open()
    assert caught.value.key == "remote_auth_failed"
    assert "not-the-right-token" not in str(caught.value) and "HOCBA_REMOTE_TOKEN" in str(caught.value)


def test_access_token_comes_from_the_environment(service, monkeypatch):
    monkeypatch.setenv("HOCBA_TEST_REMOTE_TOKEN", DEFAULT_TOKEN)
    b = RemoteBackend({"url": service.url, "credential_id": "standin-rsa", "token_env": "HOCBA_TEST_REMOTE_TOKEN"})
    assert b.open().credential_id == "standin-rsa"
    monkeypatch.delenv("HOCBA_TEST_REMOTE_TOKEN")
    with pytest.raises(SignerError) as caught:
        b.open()
    assert caught.value.key == "remote_token_missing" and "HOCBA_TEST_REMOTE_TOKEN" in str(caught.value)


def test_unknown_credential_lists_the_account_credentials(service):
    with pytest.raises(SignerError) as caught:
        backend(service, credential="teacher-42").open()
    assert caught.value.key == "remote_credential_not_found"
    assert "standin-ec, standin-rsa" in str(caught.value)


def test_several_credentials_and_none_chosen_asks_to_choose(service):
    with pytest.raises(SignerError) as caught:
        RemoteBackend({"url": service.url, "token": DEFAULT_TOKEN}).open()
    assert caught.value.key == "remote_credential_choose"


def test_unreachable_service_is_a_clear_error():
    b = RemoteBackend({"url": "http://127.0.0.1:9", "credential_id": "x", "token": "t", "attempts": 2})
    with pytest.raises(SignerError) as caught:
        b.open()
    assert caught.value.key == "remote_unreachable" and "127.0.0.1:9" in str(caught.value)


def test_stand_in_says_it_is_a_stand_in(service):
    request = urllib.request.Request(service.url + "/csc/v2/info", data=b"{}", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert "NOT a real signing service" in response.headers[STANDIN_HEADER]
        assert "STAND-IN" in json.loads(response.read())["name"]
    assert backend(service).open().stand_in


def test_stand_in_serves_a_pkcs12_key(tmp_path):
    issued = TestCA.create().issue("Hiệu Trưởng Thử (TEST)")
    p12 = tmp_path / "hieu-truong.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"ht", issued.key, issued.certificate, issued.chain, serialization.BestAvailableEncryption(b"secret")))
    credential = load_pkcs12(p12, b"secret")
    service = StandIn([credential], auto_approve_after=0)
    service.start()
    try:
        b = RemoteBackend({"url": service.url, "token": DEFAULT_TOKEN, **FAST})  # the only credential
        signer = b.open()
        assert signer.credential_id == "hieu-truong"
        verify(credential, signer.sign_raw(b"x", "sha256"), b"x")
    finally:
        service.stop()


def test_stand_in_runs_as_a_module_with_auto_approval():
    env = {**os.environ, "HOCBA_STANDIN_TOKEN": "cli-token"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "connector.sign.remote_standin", "--port", "0", "--auto-approve-after", "0.1"],
        stdout=subprocess.PIPE, text=True, env=env,
    )
    try:
        lines = []
        while not (lines and lines[-1].startswith("listening on ")):
            line = proc.stdout.readline()
            assert line, f"stand-in exited early: {lines}"
            lines.append(line.strip())
        assert "STAND-IN" in lines[0] and "GIẢ LẬP" in lines[1]
        url = lines[-1].removeprefix("listening on ")
        signer = RemoteBackend({"url": url, "credential_id": "standin-ec", "token": "cli-token", **FAST}).open()
        signature = signer.sign_raw(b"demo", "sha256")
        cert = load_der_x509_certificate(signer.signing_cert.dump())
        cert.public_key().verify(signature, b"demo", ec.ECDSA(hashes.SHA256()))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.skipif(not xmlsec1_available(), reason="xmlsec1 (or the golden XML) not available")
def test_remote_signatures_in_the_xml_profile_verify_with_xmlsec1(tmp_path):
    from connector.sign.roles import role
    from connector.sign.xmldsig import add_signature

    ca = TestCA.create()
    people = {"gvcn": ca.issue("Giáo Viên Thử (TEST)"), "hieu_truong": ca.issue("Hiệu Trưởng Thử (TEST)", kind="ec"),
              "don_vi": ca.issue("Trường Thử (TEST)")}
    service = StandIn([Credential(key, issued.key, issued.certificate, issued.chain) for key, issued in people.items()], auto_approve_after=0)
    service.start()
    try:
        document = GOLDEN.read_bytes()
        for key in people:
            signer = RemoteBackend({"url": service.url, "credential_id": key, "token": DEFAULT_TOKEN, **FAST}).open()
            document = asyncio.run(add_signature(document, role(key), signer))
    finally:
        service.stop()
    for slot in ("GVCN", "HieuTruong", "DonVi"):
        result = xmlsec1_verify(document, slot, ca.certificate, tmp_path)
        assert result.returncode == 0, result.stderr[-500:]


def backend_message_keys() -> set[str]:
    """Message keys the pkcs11 and remote backends raise or print (scanned), plus the composed ones."""
    sign = Path(__file__).resolve().parents[2] / "connector" / "sign"
    call = re.compile(r"""\b(?:SignerError|ConfigError|SignaturePending|t)\(\s*["']([a-z][a-z0-9_]+)["']""")
    keys = {"pkcs11_key_not_found", "pkcs11_key_ambiguous", "pkcs11_cert_not_found", "pkcs11_cert_ambiguous",
            "pkcs11_pin_locked", "pkcs11_pin_expired", "remote_timeout"}  # built from parts in the code
    for name in ("pkcs11.py", "remote.py", "remote_signer.py"):
        keys |= set(call.findall((sign / name).read_text("utf-8")))
    return keys


@pytest.mark.parametrize("key", sorted(backend_message_keys()))
def test_backend_messages_exist_in_both_languages_with_the_same_fields(key):
    entry = catalogue().get(key)
    assert entry is not None, f"{key} is missing from connector/data/messages.toml"
    fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}  # noqa: E731
    assert entry["vi"] != entry["en"] and fields(entry["vi"]) == fields(entry["en"])


def test_registered_as_signer_plugin_with_secret_token():
    from connector.plugins import load_registry

    cls = load_registry().get("signer", "remote")
    assert cls is RemoteBackend
    assert cls.config_schema["properties"]["token"]["secret"] is True
