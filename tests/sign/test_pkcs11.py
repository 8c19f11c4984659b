"""The ``pkcs11`` backend against a REAL SoftHSM2 token initialised by this test session.

Tokens are built once per test process (SoftHSM2 only sees tokens that exist when a process first loads
it): keys and certificates generated here with ``cryptography``, imported with ``softhsm2-util`` and
opensc's ``pkcs11-tool`` (brief 09 §6). Signatures are checked with ``cryptography`` against the
certificates made here, never with the code under test.
"""

from __future__ import annotations

import asyncio
import io
import threading
from types import SimpleNamespace

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding

from connector.errors import ConfigError
from connector.log import mask_secrets
from connector.sign import softhsm
from connector.sign.backend import SignerError
from connector.sign.pkcs11 import Pkcs11Backend, _translate
from connector.sign.softhsm import TokenObject
from connector.sign.testkeys import TestCA
from tests.sign.oracle import GOLDEN, xmlsec1_available, xmlsec1_verify

PIN = "1234"

pytestmark = pytest.mark.skipif(
    bool(softhsm.missing_tools()),
    reason=f"SoftHSM2 / opensc not installed ({', '.join(softhsm.missing_tools())}): "
    "apt-get install softhsm2 opensc (scripts/system-packages.txt)",
)


@pytest.fixture(scope="session")
def hsm():
    """Every token this module needs, created before the process loads the PKCS#11 library."""
    store = softhsm.process_store()
    ca = TestCA.create()
    teacher = ca.issue("Nguyễn Thị Mai (GVCN TEST)")
    seal = ca.issue("Trường THCS Thử Nghiệm (con dấu TEST)", kind="ec")
    stranger = ca.issue("Người Khác (TEST)")
    pin_token = ca.issue("Giáo Viên Thử PIN (TEST)")
    unplug_token = ca.issue("Giáo Viên Thử Rút Token (TEST)")
    store.add_token("hocba-test", PIN, objects=(
        TokenObject("gvcn", b"\x01", teacher.key, teacher.certificate),
        TokenObject("seal", b"\x02", seal.key, seal.certificate),
    ), ca_certs={"root": ca.certificate})
    store.add_token("hocba-pin", PIN, objects=(
        TokenObject("gvcn", b"\x01", pin_token.key, pin_token.certificate),
        TokenObject("odd", b"\x03", teacher.key, stranger.certificate),  # a key under somebody else's certificate
    ))
    store.add_token("hocba-unplug", PIN, objects=(TokenObject("gvcn", b"\x01", unplug_token.key, unplug_token.certificate),))
    spares = {"hocba-pin": pin_token, "hocba-unplug": unplug_token}
    return SimpleNamespace(store=store, module=store.module, ca=ca, teacher=teacher, seal=seal, spares=spares)


def backend(hsm, **config) -> Pkcs11Backend:
    return Pkcs11Backend({"module": hsm.module, "token_label": "hocba-test", "pin": PIN, **config})


def verify(certificate: x509.Certificate, signature: bytes, data: bytes) -> None:
    """Raises InvalidSignature unless ``signature`` is the certificate key's signature of ``data``."""
    key = certificate.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    else:
        key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())


@pytest.fixture
def teacher_signer(hsm):
    b = backend(hsm, key_label="gvcn")
    signer = b.open()
    yield signer
    b.close()


def test_rsa_signature_is_what_the_key_gives_and_verifies(hsm, teacher_signer):
    data = b"<SignedInfo>GVCN 6A1</SignedInfo>"
    signature = asyncio.run(teacher_signer.async_sign_raw(data, "sha256"))
    verify(hsm.teacher.certificate, signature, data)
    # PKCS#1 v1.5 is deterministic: exactly the bytes pyHanko's SimpleSigner / cryptography produce
    assert signature == hsm.teacher.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    assert teacher_signer.sign_raw(data, "sha256") == signature


def test_signer_carries_certificate_and_chain_from_the_token(hsm, teacher_signer):
    assert teacher_signer.signing_cert.dump() == hsm.teacher.certificate.public_bytes(serialization.Encoding.DER)
    subjects = {c.subject.human_friendly for c in teacher_signer.cert_registry}
    assert any("Root CA" in s for s in subjects)


def test_ec_key_signs_with_host_hashing_and_verifies(hsm):
    b = backend(hsm, cert_label="seal")  # the key is found through its certificate's id
    try:
        signer = b.open()
        assert signer.use_raw_mechanism  # SoftHSM2 has CKM_ECDSA, not CKM_ECDSA_SHA256
        data = b"<SignedInfo>DonVi</SignedInfo>"
        signature = asyncio.run(signer.async_sign_raw(data, "sha256"))
        verify(hsm.seal.certificate, signature, data)  # DER-encoded ECDSA, as pyHanko's signers give it
    finally:
        b.close()


def test_batch_of_50_signatures_with_one_pin_entry(hsm):
    prompts = []

    def prompt(text: str) -> str:
        prompts.append(text)
        return PIN

    b = Pkcs11Backend({"module": hsm.module, "token_label": "hocba-test", "key_label": "gvcn"}, prompt=prompt)
    try:
        signer = b.open()
        documents = [f"<SignedInfo>học sinh {n}</SignedInfo>".encode() for n in range(50)]

        async def sign_class():
            return await asyncio.gather(*(signer.async_sign_raw(d, "sha256") for d in documents))

        signatures = asyncio.run(sign_class())
    finally:
        b.close()
    assert len(prompts) == 1 and "hocba-test" in prompts[0]
    assert signer.signed == 50
    for document, signature in zip(documents, signatures):
        verify(hsm.teacher.certificate, signature, document)


def test_sign_many_pipelines_a_generator_in_order(hsm, teacher_signer):
    prepared = []

    def documents():
        for n in range(20):
            prepared.append(n)
            yield f"<SignedInfo>{n}</SignedInfo>".encode()

    signatures = teacher_signer.sign_many(documents())
    assert prepared == list(range(20))
    for n, signature in enumerate(signatures):
        verify(hsm.teacher.certificate, signature, f"<SignedInfo>{n}</SignedInfo>".encode())


def test_no_concurrency_errors_with_many_threads_and_two_signers(hsm):
    """Threads and event loops hammer two signers on one token: every call is serialised on the
    library's worker, so no CKR_GENERAL_ERROR and every signature verifies."""
    gvcn, seal = backend(hsm, key_label="gvcn"), backend(hsm, key_label="seal")
    signers = {"gvcn": (gvcn.open(), hsm.teacher.certificate), "seal": (seal.open(), hsm.seal.certificate)}
    results, errors = [], []

    def work(role: str, n: int):
        signer, cert = signers[role]
        try:
            data = [f"{role}-{n}-{i}".encode() for i in range(15)]

            async def gathered():
                return await asyncio.gather(*(signer.async_sign_raw(d, "sha256") for d in data[:10]))

            signed = asyncio.run(gathered()) + [signer.sign_raw(d, "sha256") for d in data[10:]]
            results.extend((cert, s, d) for s, d in zip(signed, data))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(role, n)) for n in range(3) for role in signers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    gvcn.close()
    seal.close()
    assert errors == []
    assert len(results) == 6 * 15
    for cert, signature, data in results:
        verify(cert, signature, data)


def test_wrong_pin_is_a_clear_message_and_never_shows_the_pin(hsm):
    b = Pkcs11Backend({"module": hsm.module, "token_label": "hocba-pin", "key_label": "gvcn", "pin": "98765"})
    with pytest.raises(SignerError) as caught:
        b.open()
    assert caught.value.key == "pkcs11_pin_incorrect"
    assert "hocba-pin" in str(caught.value) and "98765" not in str(caught.value)
    assert "Wrong PIN" in caught.value.message("en")
    # nothing is left half-open: the right PIN works afterwards
    good = Pkcs11Backend({"module": hsm.module, "token_label": "hocba-pin", "key_label": "gvcn", "pin": PIN})
    signer = good.open()
    verify(hsm.spares["hocba-pin"].certificate, signer.sign_raw(b"x", "sha256"), b"x")
    good.close()


def test_another_pin_while_the_token_is_open_is_refused(hsm, teacher_signer):
    with pytest.raises(SignerError) as caught:
        backend(hsm, key_label="gvcn", pin="0000").open()
    assert caught.value.key == "pkcs11_pin_incorrect"


def test_pin_from_environment_is_registered_for_masking(hsm, monkeypatch):
    registered = []
    monkeypatch.setattr("connector.sign.pkcs11.register_secret", lambda value: registered.append(value))
    monkeypatch.setenv("HOCBA_TEST_TOKEN_PIN", PIN)
    b = Pkcs11Backend({"module": hsm.module, "token_label": "hocba-test", "key_label": "gvcn",
                       "pin_env": "HOCBA_TEST_TOKEN_PIN"})
    b.open()
    b.close()
    assert registered == [PIN]
    assert mask_secrets(f"pin={PIN}") == "pin=***"


def test_missing_pin_without_a_terminal_says_how_to_give_it(hsm, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    b = Pkcs11Backend({"module": hsm.module, "token_label": "hocba-test", "pin_env": "HOCBA_NO_SUCH_PIN_VAR"})
    with pytest.raises(SignerError) as caught:
        b.open()
    assert caught.value.key == "pkcs11_pin_missing"
    assert "HOCBA_NO_SUCH_PIN_VAR" in str(caught.value)


def test_module_not_found_names_the_path_and_vendor_drivers(hsm):
    with pytest.raises(ConfigError) as caught:
        Pkcs11Backend({"module": "/opt/no-such-vendor/libtoken.so", "pin": PIN}).open()
    assert caught.value.key == "pkcs11_module_not_found"
    assert "/opt/no-such-vendor/libtoken.so" in str(caught.value) and "VNPT" in str(caught.value)


def test_token_not_found_lists_the_tokens_present(hsm):
    with pytest.raises(SignerError) as caught:
        backend(hsm, token_label="no-such-token").open()
    assert caught.value.key == "pkcs11_token_not_found"
    assert "'hocba-test'" in str(caught.value) and "no-such-token" in str(caught.value)


def test_several_tokens_and_no_label_asks_to_choose(hsm):
    with pytest.raises(SignerError) as caught:
        Pkcs11Backend({"module": hsm.module, "pin": PIN}).open()
    assert caught.value.key == "pkcs11_token_ambiguous"


def test_key_not_found_lists_the_keys_on_the_token(hsm):
    with pytest.raises(SignerError) as caught:
        backend(hsm, key_label="hieu-truong").open()
    assert caught.value.key == "pkcs11_key_not_found"
    assert "label='gvcn' id=01" in str(caught.value) and "label='seal' id=02" in str(caught.value)


def test_two_keys_and_no_name_asks_to_choose(hsm):
    with pytest.raises(SignerError) as caught:
        backend(hsm).open()
    assert caught.value.key == "pkcs11_key_ambiguous"


def test_certificate_not_found_is_reported(hsm):
    with pytest.raises(SignerError) as caught:
        backend(hsm, key_label="gvcn", cert_id="77").open()
    assert caught.value.key == "pkcs11_cert_not_found"
    assert "root" in str(caught.value)


def test_key_that_does_not_match_its_certificate_is_refused(hsm):
    b = Pkcs11Backend({"module": hsm.module, "token_label": "hocba-pin", "key_label": "odd", "pin": PIN})
    with pytest.raises(SignerError) as caught:
        b.open()
    assert caught.value.key == "pkcs11_key_cert_mismatch"


def test_token_removed_mid_batch_keeps_count_and_says_what_to_do(hsm):
    b = Pkcs11Backend({"module": hsm.module, "token_label": "hocba-unplug", "pin": PIN})
    signer = b.open()
    for n in range(5):
        signer.sign_raw(b"%d" % n, "sha256")
    hsm.store.delete_token("hocba-unplug")  # another process removes it: the token is gone
    with pytest.raises(SignerError) as caught:
        signer.sign_many([b"a", b"b", b"c"])
    b.close()  # closing a session on a vanished token does not raise
    assert caught.value.key == "pkcs11_token_removed"
    assert caught.value.fields["signed"] == 5
    assert "plug the token back in" in caught.value.message("en")


@pytest.mark.skipif(not xmlsec1_available(), reason="xmlsec1 (or the golden XML) not available")
def test_token_signatures_in_the_xml_profile_verify_with_xmlsec1(hsm, tmp_path):
    """GVCN with the RSA key, seal with the EC key (host-hashed, DER turned into r||s by the profile)."""
    from connector.sign.roles import role
    from connector.sign.xmldsig import add_signature

    gvcn, seal = backend(hsm, key_label="gvcn"), backend(hsm, key_label="seal")
    try:
        document = asyncio.run(add_signature(GOLDEN.read_bytes(), role("gvcn"), gvcn.open()))
        hieu_truong = backend(hsm, key_label="gvcn")  # the profile needs the principal before the seal
        document = asyncio.run(add_signature(document, role("hieu_truong"), hieu_truong.open()))
        hieu_truong.close()
        document = asyncio.run(add_signature(document, role("don_vi"), seal.open()))
    finally:
        gvcn.close()
        seal.close()
    for slot in ("GVCN", "HieuTruong", "DonVi"):
        result = xmlsec1_verify(document, slot, hsm.ca.certificate, tmp_path)
        assert result.returncode == 0, result.stderr[-500:]


@pytest.mark.parametrize("error, key", [
    ("PinLocked", "pkcs11_pin_locked"),
    ("PinExpired", "pkcs11_pin_expired"),
    ("DeviceRemoved", "pkcs11_token_removed"),
    ("TokenNotPresent", "pkcs11_token_removed"),
    ("MechanismInvalid", "pkcs11_failed"),
])
def test_token_errors_become_messages(error, key):
    """States SoftHSM2 cannot be driven into (it never locks a PIN, it cannot be unplugged)."""
    import pkcs11.exceptions

    translated = _translate(getattr(pkcs11.exceptions, error)(), "VNPT-CA", signed=3)
    assert translated.key == key
    assert "VNPT-CA" in translated.message("vi") and "VNPT-CA" in translated.message("en")


def test_registered_as_signer_plugin_with_secret_pin():
    from connector.plugins import load_registry

    cls = load_registry().get("signer", "pkcs11")
    assert cls is Pkcs11Backend
    assert cls.config_schema["properties"]["pin"]["secret"] is True
