"""The ``pkcs12`` backend: registered like any plugin, development-only warning, keeps the parsed key."""

from __future__ import annotations

import asyncio

import pytest
from pyhanko.sign.signers import SimpleSigner
from structlog.testing import capture_logs

from connector.errors import ConfigError
from connector.plugins import load_registry
from connector.sign.keyfile import LoadedKeySigner
from connector.sign.pkcs12 import Pkcs12Backend


def backend(test_pki, name="hieu-truong", **extra) -> Pkcs12Backend:
    return Pkcs12Backend({"path": str(test_pki.p12(name)),
                          "password_file": str(test_pki.directory / "test-only-password.txt"), **extra})


def test_registered_through_the_hook():
    registry = load_registry()
    assert registry.get("signer", "pkcs12") is Pkcs12Backend
    assert registry.components["signer"]["pkcs12"].plugin == "hocba"


def test_open_warns_that_it_is_for_development_only(test_pki):
    with capture_logs() as logs:
        signer = backend(test_pki).open()
    assert any(e["event"] == "pkcs12_backend_is_for_development_only" and e["log_level"] == "warning" for e in logs)
    assert isinstance(signer, LoadedKeySigner)
    assert any("development" in n for n in Pkcs12Backend.notes)


def test_signatures_equal_pyhankos_and_the_key_is_parsed_once(test_pki, monkeypatch):
    signer = backend(test_pki).open()
    reference = SimpleSigner(signing_cert=signer.signing_cert, signing_key=signer.signing_key,
                             cert_registry=signer.cert_registry)
    data = "Học bạ số".encode() * 50
    expected = reference.sign_raw(data, "sha256")

    import pyhanko.sign.signers.pdf_cms as pdf_cms

    def reparse(*args, **kwargs):
        raise AssertionError("the key must not be parsed again for each signature")

    monkeypatch.setattr(pdf_cms.serialization, "load_der_private_key", reparse)
    assert signer.sign_raw(data, "sha256") == expected  # RSA PKCS#1 v1.5 is deterministic
    assert asyncio.run(signer.async_sign_raw(data, "sha256")) == expected
    with pytest.raises(AssertionError):
        reference.sign_raw(data, "sha256")  # pyHanko's own signer re-parses: what the subclass avoids


def test_chain_comes_with_the_signer(test_pki):
    signer = backend(test_pki, "con-dau").open()
    subjects = {c.subject.native["common_name"] for c in signer.cert_registry}
    assert any("Issuing CA" in s for s in subjects)


def test_password_from_the_environment(test_pki, monkeypatch):
    from connector.config import resolve_source_config

    monkeypatch.setenv("HOCBA_TEST_P12", test_pki.password.decode())
    settings = resolve_source_config(Pkcs12Backend.config_schema,
                                     {"path": str(test_pki.p12("con-dau")), "password_env": "HOCBA_TEST_P12"},
                                     where="[signing.backends.test]")
    assert Pkcs12Backend(settings).open().signing_cert.subject.native["user_id"] == "MST:0109999999"
    with pytest.raises(ConfigError):  # a password written in the file itself is refused
        resolve_source_config(Pkcs12Backend.config_schema, {"path": "x.p12", "password": "123"}, where="[x]")


@pytest.mark.parametrize("config, key", [
    ({"password": "sai-mat-khau-42"}, "sign_p12_unreadable"),
    ({"path": "/nonexistent/x.p12"}, "sign_p12_unreadable"),
])
def test_unreadable_files_are_clear_errors(test_pki, config, key):
    with pytest.raises(ConfigError) as caught:
        Pkcs12Backend({"path": str(test_pki.p12("con-dau")), **config}).open()
    assert caught.value.key == key
    assert "sai-mat-khau-42" not in caught.value.message("en")  # never the password itself
