"""A throw-away TEST PKI for development, tests and the demo — never for real transcripts.

``hocba pki init`` writes, with the ``cryptography`` library: a root CA, an issuing (intermediate) CA, one
personal certificate per homeroom teacher (GVCN) of the classes given, the principal's, the school seal's
(an organisation certificate), a TSA certificate (EKU timeStamping), an OCSP responder certificate
(EKU OCSPSigning) and one revoked teacher certificate for tests. Subjects look like Vietnamese ones (CN with
diacritics, UID "CCCD:…" for persons and "MST:…" for the school, L/ST, C=VN, brief 05 §2, §10.1) and every
one says "KHÔNG DÙNG THẬT / TEST ONLY" (O of the CAs, OU of the others); every file name starts with
``test-only-``.

Each identity is written as certificate PEM, encrypted key PEM and PKCS#12 (chain included). The password
comes from ``$HOCBA_PKI_PASSWORD`` or is generated and written to ``test-only-password.txt`` (mode 0600).
``test-only-pki.json`` lists everything (fingerprints, URLs); ``test-only-signing.toml`` is a ready
``[signing]`` configuration for it. The certificates point at ``--url`` for OCSP, CRLs and the TSA, served
by ``hocba pki serve`` (connector/sign/pki_server.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from connector.synth.data import pick, provinces, seeded
from connector.synth.people import family_name, parent_name
from connector.text import nfc

TEST_LABEL = "KHÔNG DÙNG THẬT / TEST ONLY"
PREFIX = "test-only-"
PASSWORD_ENV = "HOCBA_PKI_PASSWORD"
PASSWORD_FILE = f"{PREFIX}password.txt"
MANIFEST = f"{PREFIX}pki.json"
CONFIG_SNIPPET = f"{PREFIX}signing.toml"
DEFAULT_URL = "http://127.0.0.1:8790"
DEFAULT_SCHOOL = "Trường THCS Thử Nghiệm"
DEFAULT_SCHOOL_ID = "MST:0109999999"


@dataclass
class Identity:
    name: str  # file stem after the prefix: root-ca, gvcn-8A1 …
    key: object
    cert: x509.Certificate

    @property
    def fingerprint(self) -> str:
        return self.cert.fingerprint(hashes.SHA256()).hex()


@dataclass
class TestPki:
    """What :func:`create_test_pki` made (also readable back with :func:`load_manifest`)."""

    directory: Path
    url: str
    school_name: str
    school_id: str
    password: bytes
    root: Identity
    issuing: Identity
    ocsp: Identity
    tsa: Identity
    principal: Identity
    seal: Identity
    revoked: Identity
    gvcn: dict[str, Identity] = field(default_factory=dict)

    def p12(self, name: str) -> Path:
        return self.directory / f"{PREFIX}{name}.p12"

    def pem(self, name: str) -> Path:
        return self.directory / f"{PREFIX}{name}.pem"

    def signer(self, name: str):
        """A pkcs12 signer of one identity (``gvcn-6A1``, ``hieu-truong``, ``con-dau`` …), loaded once."""
        from connector.sign.keyfile import load_pkcs12_signer

        cache = self.__dict__.setdefault("_signers", {})
        if name not in cache:
            cache[name] = load_pkcs12_signer(self.p12(name).read_bytes(), self.password, name)
        return cache[name]


def _key(key_type: str):
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(*attrs: tuple) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, nfc(value)) for oid, value in attrs if value])


def _key_usage(*, signer=False, ca=False) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=signer, content_commitment=signer, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                         encipher_only=False, decipher_only=False)


class _Issuer:
    """Issues certificates: one place for the extensions every certificate gets."""

    def __init__(self, url: str, now: dt.datetime, days: int):
        self.url, self.now, self.days = url.rstrip("/"), now, days

    def issue(self, subject: x509.Name, key, issuer: Identity | None, *, ca=False, path_length=None,
              eku=None, ocsp_nocheck=False, days=None, crl="issuing") -> x509.Certificate:
        issuer_name = subject if issuer is None else issuer.cert.subject
        signing_key = key if issuer is None else issuer.key
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject).issuer_name(issuer_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.now - dt.timedelta(days=1))
            .not_valid_after(self.now + dt.timedelta(days=days or self.days))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
            .add_extension(_key_usage(signer=not ca, ca=ca), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        )
        if issuer is not None:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
            builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                [x509.UniformResourceIdentifier(f"{self.url}/crl/{crl}.crl")], None, None, None)]), critical=False)
            if not ca and not ocsp_nocheck:
                builder = builder.add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
                    x509.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(f"{self.url}/ocsp"))]),
                    critical=False)
        if eku:
            builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
        if ocsp_nocheck:
            builder = builder.add_extension(x509.OCSPNoCheck(), critical=False)
        return builder.sign(signing_key, hashes.SHA256())


def _person_subject(cn: str, identifier: str, school: str, province: str, place: str, title: str) -> x509.Name:
    return _name(
        (NameOID.COUNTRY_NAME, "VN"), (NameOID.STATE_OR_PROVINCE_NAME, province), (NameOID.LOCALITY_NAME, place),
        (NameOID.ORGANIZATION_NAME, school), (NameOID.ORGANIZATIONAL_UNIT_NAME, TEST_LABEL),
        (NameOID.TITLE, title), (NameOID.COMMON_NAME, cn), (NameOID.USER_ID, identifier),
    )


def _synthetic_person(rng, province) -> tuple[str, str]:
    """A synthetic adult's name and a synthetic 12-digit CCCD number (never a real person's)."""
    gender = rng.choice((1, 2))
    name = parent_name(rng, family_name(rng, province, "Kinh"), gender, "Kinh")
    century = {1: 0, 2: 1}[gender]  # born in the 1900s: 0 male, 1 female (brief 04 §1)
    number = f"{province.id_prefix}{century}{rng.randrange(60, 99):02d}{rng.randrange(10**6):06d}"
    return name, f"CCCD:{number}"


def create_test_pki(out: Path, classes: list[str], *, school_name: str = DEFAULT_SCHOOL,
                    school_id: str = DEFAULT_SCHOOL_ID, url: str = DEFAULT_URL, password: bytes | None = None,
                    key_type: str = "rsa", days: int = 730, seed: object = 1,
                    now: dt.datetime | None = None) -> TestPki:
    """Create the test PKI in ``out`` (see the module docstring). ``key_type`` "ec" gives the signers
    (teachers, principal, seal) P-256 keys; CAs, TSA and OCSP stay RSA."""
    out.mkdir(parents=True, exist_ok=True)
    now = now or dt.datetime.now(dt.timezone.utc)
    password = password or _password(out)
    rng = seeded(seed, "test-pki")
    province = pick(rng, provinces())
    place = pick(rng, province.places)
    issuer = _Issuer(url, now, days)

    def ca_subject(cn: str) -> x509.Name:
        return _name((NameOID.COUNTRY_NAME, "VN"), (NameOID.ORGANIZATION_NAME, f"hocba TEST PKI – {TEST_LABEL}"),
                     (NameOID.COMMON_NAME, f"{cn} – {TEST_LABEL}"))

    def service_subject(cn: str) -> x509.Name:
        return _name((NameOID.COUNTRY_NAME, "VN"), (NameOID.ORGANIZATION_NAME, "hocba TEST PKI"),
                     (NameOID.ORGANIZATIONAL_UNIT_NAME, TEST_LABEL), (NameOID.COMMON_NAME, cn))

    k = _key("rsa")
    root = Identity("root-ca", k, issuer.issue(ca_subject("hocba Test Root CA"), k, None, ca=True, days=days * 5))
    k = _key("rsa")
    issuing = Identity("issuing-ca", k, issuer.issue(ca_subject("hocba Test Issuing CA"), k, root, ca=True,
                                                     path_length=0, days=days * 3, crl="root"))
    k = _key("rsa")
    ocsp = Identity("ocsp", k, issuer.issue(service_subject("hocba Test OCSP Responder"), k, issuing,
                                            eku=[ExtendedKeyUsageOID.OCSP_SIGNING], ocsp_nocheck=True))
    k = _key("rsa")
    tsa = Identity("tsa", k, issuer.issue(service_subject("hocba Test TSA"), k, issuing,
                                          eku=[ExtendedKeyUsageOID.TIME_STAMPING], days=days * 3))

    def person(name: str, title: str) -> Identity:
        cn, identifier = _synthetic_person(rng, province)
        key = _key(key_type)
        subject = _person_subject(cn, identifier, school_name, province.name, place, title)
        return Identity(name, key, issuer.issue(subject, key, issuing))

    gvcn = {c: person(f"gvcn-{c}", "Giáo viên chủ nhiệm") for c in classes}
    principal = person("hieu-truong", "Hiệu trưởng")
    revoked = person("revoked-teacher", "Giáo viên (chứng thư ĐÃ THU HỒI / REVOKED)")
    k = _key(key_type)
    seal_subject = _name(
        (NameOID.COUNTRY_NAME, "VN"), (NameOID.STATE_OR_PROVINCE_NAME, province.name),
        (NameOID.LOCALITY_NAME, place), (NameOID.ORGANIZATION_NAME, school_name),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, TEST_LABEL), (NameOID.COMMON_NAME, school_name),
        (NameOID.USER_ID, school_id),
    )
    seal = Identity("con-dau", k, issuer.issue(seal_subject, k, issuing))

    pki = TestPki(out, url.rstrip("/"), nfc(school_name), school_id, password, root, issuing, ocsp, tsa, principal,
                  seal, revoked, gvcn)
    _write(pki)
    return pki


def _password(out: Path) -> bytes:
    """From $HOCBA_PKI_PASSWORD, else a fresh random one written to a 0600 file beside the keys."""
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV].encode()
    value = secrets.token_urlsafe(18)
    path = out / PASSWORD_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    return value.encode()


def read_password(directory: Path) -> bytes:
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV].encode()
    return (directory / PASSWORD_FILE).read_text().strip().encode()


def _identities(pki: TestPki) -> list[Identity]:
    return [pki.root, pki.issuing, pki.ocsp, pki.tsa, *pki.gvcn.values(), pki.principal, pki.seal, pki.revoked]


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _write(pki: TestPki) -> None:
    encryption = serialization.BestAvailableEncryption(pki.password)
    chain = [pki.issuing.cert, pki.root.cert]
    for ident in _identities(pki):
        pki.pem(ident.name).write_bytes(_pem(ident.cert))
        _write_private(pki.directory / f"{PREFIX}{ident.name}.key.pem", ident.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption))
        if ident.name not in ("root-ca", "issuing-ca"):
            _write_private(pki.p12(ident.name), pkcs12.serialize_key_and_certificates(
                f"{ident.name} ({TEST_LABEL})".encode(), ident.key, ident.cert, chain, encryption))
    (pki.directory / f"{PREFIX}chain.pem").write_bytes(_pem(pki.issuing.cert) + _pem(pki.root.cert))
    (pki.directory / f"{PREFIX}revoked.json").write_text(json.dumps(
        {"revoked": [{"serial": str(pki.revoked.cert.serial_number), "since": pki.revoked.cert.not_valid_before_utc
                      .isoformat(), "reason": "key_compromise"}]}, indent=2))
    (pki.directory / MANIFEST).write_text(json.dumps(_manifest(pki), ensure_ascii=False, indent=2), "utf-8")
    (pki.directory / CONFIG_SNIPPET).write_text(config_snippet(pki), "utf-8")
    (pki.directory / "README.txt").write_text(README.format(label=TEST_LABEL, url=pki.url), "utf-8")


def _entry(pki: TestPki, ident: Identity) -> dict:
    entry = {"cert": pki.pem(ident.name).name, "key": f"{PREFIX}{ident.name}.key.pem",
             "sha256": ident.fingerprint, "subject": ident.cert.subject.rfc4514_string()}
    if pki.p12(ident.name).exists():
        entry["p12"] = pki.p12(ident.name).name
    return entry


def _manifest(pki: TestPki) -> dict:
    return {
        "label": TEST_LABEL,
        "url": pki.url,
        "urls": {"tsa": f"{pki.url}/tsa", "ocsp": f"{pki.url}/ocsp", "crl": f"{pki.url}/crl/issuing.crl"},
        "school_name": pki.school_name,
        "school_id": pki.school_id,
        "password": "env HOCBA_PKI_PASSWORD" if os.environ.get(PASSWORD_ENV) else PASSWORD_FILE,
        "chain": f"{PREFIX}chain.pem",
        "identities": {name: _entry(pki, getattr(pki, name)) for name in
                       ("root", "issuing", "ocsp", "tsa", "principal", "seal", "revoked")},
        "gvcn": {c: _entry(pki, ident) for c, ident in pki.gvcn.items()},
    }


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def config_snippet(pki: TestPki) -> str:
    d = pki.directory.resolve()
    homeroom = "\n".join(f"{_toml_string(c)} = \"sha256:{i.fingerprint}\"" for c, i in pki.gvcn.items())
    p12 = lambda name: _toml_string(str(d / f"{PREFIX}{name}.p12"))  # noqa: E731
    backends = "\n".join(
        f"\n[signing.backends.{_toml_string('test-' + n)}]\ntype = \"pkcs12\"\npath = {p12(n)}\n"
        f"password_file = {_toml_string(str(d / PASSWORD_FILE))}"
        for n in (*(f"gvcn-{c}" for c in pki.gvcn), "hieu-truong", "con-dau"))
    return f"""# [signing] for the hocba TEST PKI in {d} — {TEST_LABEL}. Development and demo only.
[signing]
school_name = {_toml_string(pki.school_name)}
school_id = {_toml_string(pki.school_id)}
principals = ["sha256:{pki.principal.fingerprint}"]
trust = [{_toml_string(str(d / f"{PREFIX}root-ca.pem"))}]
tsa_url = {_toml_string(f"{pki.url}/tsa")}

[signing.homeroom]
{homeroom}
{backends}
"""


README = """ĐÂY LÀ PKI THỬ NGHIỆM — {label}
===========================================================

Các chứng thư số và khoá trong thư mục này do `hocba pki init` tạo ra để phát triển, kiểm thử và trình diễn.
Chúng KHÔNG có giá trị pháp lý. Không bao giờ dùng để ký học bạ thật.

This directory holds a throw-away TEST PKI made by `hocba pki init` for development, tests and demos. The
certificates have no legal value. Never sign real transcripts with them.

- test-only-root-ca.pem            trust anchor for `hocba verify --trust` and `xmlsec1 --trusted-pem`
- test-only-gvcn-<lớp>.p12         homeroom teachers (one per class), test-only-hieu-truong.p12, test-only-con-dau.p12 (seal)
- test-only-tsa / test-only-ocsp   the local TSA and OCSP responder: `hocba pki serve --dir <this dir>` on {url}
- test-only-revoked-teacher.*      a certificate the OCSP responder and the CRL report as revoked
- test-only-password.txt           the password of the .p12 and .key.pem files (mode 0600), unless
                                   HOCBA_PKI_PASSWORD was set
- test-only-signing.toml           a [signing] configuration for this PKI
"""


def load_identity(directory: Path, name: str, password: bytes | None = None) -> Identity:
    """Read back one identity (certificate + key) of a test PKI."""
    password = password or read_password(directory)
    cert = x509.load_pem_x509_certificate((directory / f"{PREFIX}{name}.pem").read_bytes())
    key = serialization.load_pem_private_key((directory / f"{PREFIX}{name}.key.pem").read_bytes(), password)
    return Identity(name, key, cert)


def load_manifest(directory: Path) -> dict:
    return json.loads((directory / MANIFEST).read_text("utf-8"))
