"""The TEST PKI (labelled, Vietnamese-looking subjects, files, password handling) and which certificate
may sign for which role."""

from __future__ import annotations

import json
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from connector.sign.certs import RoleRules, SigningError, check_role_fit, holder_kind, identifiers, matches
from connector.sign.pki import PASSWORD_ENV, TEST_LABEL, create_test_pki, load_manifest
from connector.sign.roles import role
from tests.sign.conftest import CLASSES


def cert(test_pki, name) -> x509.Certificate:
    return x509.load_pem_x509_certificate(test_pki.pem(name).read_bytes())


def attr(c: x509.Certificate, oid) -> str:
    return c.subject.get_attributes_for_oid(oid)[0].value


def test_every_certificate_and_file_says_test_only(test_pki):
    files = [p.name for p in test_pki.directory.iterdir()]
    assert all(f.startswith("test-only-") or f == "README.txt" for f in files)
    assert "KHÔNG DÙNG THẬT" in (test_pki.directory / "README.txt").read_text("utf-8")
    for pem in test_pki.directory.glob("test-only-*.pem"):
        if pem.name.endswith(".key.pem") or pem.name == "test-only-chain.pem":
            continue
        assert TEST_LABEL in x509.load_pem_x509_certificate(pem.read_bytes()).subject.rfc4514_string(), pem.name


def test_subjects_look_vietnamese(test_pki):
    teacher = cert(test_pki, "gvcn-6A1")
    assert attr(teacher, NameOID.COUNTRY_NAME) == "VN"
    assert attr(teacher, NameOID.USER_ID).startswith("CCCD:")
    names = [attr(cert(test_pki, n), NameOID.COMMON_NAME) for n in ("hieu-truong", *(f"gvcn-{c}" for c in CLASSES))]
    assert any(not ch.isascii() for name in names for ch in name), "synthetic names with diacritics"
    assert attr(teacher, NameOID.ORGANIZATION_NAME) == test_pki.school_name
    assert attr(teacher, NameOID.LOCALITY_NAME) and attr(teacher, NameOID.STATE_OR_PROVINCE_NAME)
    seal = cert(test_pki, "con-dau")
    assert attr(seal, NameOID.USER_ID) == test_pki.school_id == "MST:0109999999"
    assert attr(seal, NameOID.COMMON_NAME) == attr(seal, NameOID.ORGANIZATION_NAME) == "Trường THCS Thử Nghiệm"


def test_services_certificates_have_their_extended_key_usage(test_pki):
    tsa = cert(test_pki, "tsa")
    assert list(tsa.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == \
        [ExtendedKeyUsageOID.TIME_STAMPING]
    assert tsa.extensions.get_extension_for_class(x509.ExtendedKeyUsage).critical
    ocsp = cert(test_pki, "ocsp")
    assert list(ocsp.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == \
        [ExtendedKeyUsageOID.OCSP_SIGNING]
    ocsp.extensions.get_extension_for_class(x509.OCSPNoCheck)
    teacher = cert(test_pki, "gvcn-7A1")
    aia = teacher.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert aia[0].access_location.value == f"{test_pki.url}/ocsp"
    usage = teacher.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment


def test_keys_are_protected_and_loadable(test_pki):
    password_file = test_pki.directory / "test-only-password.txt"
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(test_pki.p12("con-dau").stat().st_mode) == 0o600
    key, c, chain = pkcs12.load_key_and_certificates(test_pki.p12("con-dau").read_bytes(),
                                                     password_file.read_text().strip().encode())
    assert key is not None and c == cert(test_pki, "con-dau") and len(chain) == 2
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(test_pki.p12("con-dau").read_bytes(), b"wrong")
    manifest = load_manifest(test_pki.directory)
    assert set(manifest["gvcn"]) == set(CLASSES)
    assert manifest["identities"]["seal"]["sha256"] == test_pki.seal.fingerprint


def test_password_from_the_environment_writes_no_password_file(tmp_path, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "mat-khau-thu-nghiem")
    made = create_test_pki(tmp_path, ["1A"])
    assert not (tmp_path / "test-only-password.txt").exists()
    pkcs12.load_key_and_certificates(made.p12("gvcn-1A").read_bytes(), b"mat-khau-thu-nghiem")
    assert json.loads((tmp_path / "test-only-pki.json").read_text())["password"] == f"env {PASSWORD_ENV}"


# --- role fit -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rules(test_pki):
    return RoleRules(homeroom={c: f"sha256:{test_pki.gvcn[c].fingerprint}" for c in CLASSES},
                     principals=(f"sha256:{test_pki.principal.fingerprint}",),
                     school_name="TRƯỜNG THCS THỬ NGHIỆM", school_id=None)


def asn1(signers, name):
    return signers(name).signing_cert


def test_kinds_come_from_the_subject_identifier(signers):
    assert holder_kind(asn1(signers, "gvcn-6A1")) == "person"
    assert holder_kind(asn1(signers, "con-dau")) == "organisation"
    assert identifiers(asn1(signers, "con-dau")) == ["MST:0109999999"]


def test_reference_forms(signers, test_pki):
    seal = asn1(signers, "con-dau")
    assert matches(seal, f"sha256:{test_pki.seal.fingerprint}")
    assert matches(seal, test_pki.seal.fingerprint.upper())
    assert matches(seal, "MST:0109999999") and matches(seal, "UID=mst:0109999999")
    assert not matches(seal, "MST:0100000000")
    assert not matches(seal, f"sha256:{test_pki.principal.fingerprint}")


def test_the_right_certificates_fit(signers, rules):
    check_role_fit(role("gvcn"), asn1(signers, "gvcn-7A1"), rules, "7A1")
    check_role_fit(role("hieu_truong"), asn1(signers, "hieu-truong"), rules)
    check_role_fit(role("don_vi"), asn1(signers, "con-dau"), rules)  # name matched, folded


@pytest.mark.parametrize("role_key, name, lop, key", [
    ("gvcn", "gvcn-6A1", "7A1", "sign_cert_not_homeroom"),  # another class's teacher
    ("gvcn", "con-dau", "6A1", "sign_cert_wrong_kind"),  # the seal is not a person
    ("gvcn", "gvcn-6A1", "10A9", "sign_class_unmapped"),
    ("hieu_truong", "gvcn-6A1", None, "sign_cert_not_principal"),
    ("don_vi", "hieu-truong", None, "sign_cert_wrong_kind"),  # a person cannot seal
])
def test_certificates_that_do_not_fit_are_refused(signers, rules, role_key, name, lop, key):
    with pytest.raises(SigningError) as caught:
        check_role_fit(role(role_key), asn1(signers, name), rules, lop)
    assert caught.value.key == key
    assert caught.value.message("vi") and caught.value.message("en")


def test_the_seal_of_another_school_is_refused(signers):
    other = RoleRules({}, (), school_name="Trường THCS Khác", school_id="MST:0100000001")
    with pytest.raises(SigningError) as caught:
        check_role_fit(role("don_vi"), asn1(signers, "con-dau"), other)
    assert caught.value.key == "sign_cert_not_school"
    by_id = RoleRules({}, (), school_name=None, school_id="MST:0109999999")
    check_role_fit(role("don_vi"), asn1(signers, "con-dau"), by_id)
    with pytest.raises(SigningError) as caught:
        check_role_fit(role("don_vi"), asn1(signers, "con-dau"), RoleRules({}, (), None, None))
    assert caught.value.key == "sign_school_unset"


def test_classes_of_a_teacher(signers, rules):
    assert rules.classes_of(asn1(signers, "gvcn-8A1")) == ["8A1"]
    assert rules.classes_of(asn1(signers, "hieu-truong")) == []
