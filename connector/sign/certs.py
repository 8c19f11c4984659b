"""Certificates as Vietnamese CAs issue them: subject fields, identifiers, and whether one fits a role.

Vietnamese certificates carry the holder's identifier in the subject's UID (or serialNumber) attribute
with a prefix telling its kind: ``CCCD:…``/``CMND:…`` for a person, ``MST:…`` (tax code) or ``MNS:…``
(budget-unit code) for an organisation (brief 05 §2, §4). The prefixes are data (``signing.toml``).

Certificates are asn1crypto objects here, as pyHanko's signers hand them out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from asn1crypto import pem, x509

from connector.errors import ConfigError, HocbaError
from connector.sign.roles import Role, signing_data
from connector.text import fold


class SigningError(HocbaError):
    """A signature is refused: wrong order, a filled slot, a certificate that does not fit the role."""


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER, lower-case hex (how the configuration names a certificate)."""
    return hashlib.sha256(cert.dump()).hexdigest()


def subject_field(cert: x509.Certificate, name: str) -> str | None:
    """One attribute of the subject (asn1crypto names: common_name, organization_name, user_id …)."""
    value = cert.subject.native.get(name)
    if isinstance(value, list):  # an attribute may repeat; the first one counts
        value = value[0] if value else None
    return value


def common_name(cert: x509.Certificate) -> str:
    return subject_field(cert, "common_name") or cert.subject.human_friendly


def identifiers(cert: x509.Certificate) -> list[str]:
    """Identifier values of the subject (UID, then serialNumber), e.g. ["CCCD:001…"]."""
    out = []
    for name in ("user_id", "serial_number"):
        value = cert.subject.native.get(name)
        out.extend(value if isinstance(value, list) else [value] if value else [])
    return [v.strip() for v in out]


def holder_kind(cert: x509.Certificate) -> str | None:
    """"person", "organisation", or None when no identifier with a known prefix is present."""
    prefixes = signing_data()["identifiers"]
    for value in identifiers(cert):
        upper = value.upper()
        for kind in ("person", "organisation"):
            if any(upper.startswith(p.upper()) for p in prefixes[kind]):
                return kind
    return None


def matches(cert: x509.Certificate, spec: str) -> bool:
    """Does ``cert`` match a configured certificate reference?

    ``spec`` is ``sha256:<hex>`` (or bare 64 hex digits: the certificate's fingerprint), or an identifier
    as it appears in the subject (``CCCD:001…``, ``MST:0101…``), optionally written ``UID=…``.
    """
    spec = spec.strip()
    bare = spec.removeprefix("sha256:").replace(":", "").lower()
    if spec.lower().startswith("sha256:") or (len(bare) == 64 and all(c in "0123456789abcdef" for c in bare)):
        return fingerprint(cert) == bare
    wanted = spec.split("=", 1)[1] if spec.upper().startswith(("UID=", "SERIALNUMBER=")) else spec
    return any(v.upper() == wanted.strip().upper() for v in identifiers(cert))


def load_pem_certificates(paths: Iterable[str]) -> list[x509.Certificate]:
    """Certificates from PEM (or DER) files; a missing or unreadable file is a configuration error."""
    certs = []
    for path in paths:
        try:
            data = open(path, "rb").read()
        except OSError:
            raise ConfigError("sign_trust_unreadable", file=str(path)) from None
        try:
            if pem.detect(data):
                certs.extend(x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True))
            else:
                certs.append(x509.Certificate.load(data))
        except (ValueError, TypeError):
            raise ConfigError("sign_trust_unreadable", file=str(path)) from None
    return certs


@dataclass(frozen=True)
class RoleRules:
    """Configuration that decides which certificate may sign for a role ([signing] section)."""

    homeroom: dict[str, str]  # class -> certificate reference (see :func:`matches`)
    principals: tuple[str, ...]  # certificates allowed to sign as Hiệu trưởng
    school_name: str | None
    school_id: str | None

    @classmethod
    def from_settings(cls, settings: dict) -> "RoleRules":
        return cls(
            homeroom={str(k): str(v) for k, v in settings.get("homeroom", {}).items()},
            principals=tuple(settings.get("principals", ())),
            school_name=settings.get("school_name"),
            school_id=settings.get("school_id"),
        )

    def classes_of(self, cert: x509.Certificate) -> list[str]:
        """The classes whose homeroom teacher this certificate is."""
        return sorted(c for c, spec in self.homeroom.items() if matches(cert, spec))


def check_kind(role: Role, cert: x509.Certificate) -> None:
    """A person's role needs a personal certificate, the seal an organisation's."""
    kind = holder_kind(cert)
    if kind != role.kind:
        raise SigningError("sign_cert_wrong_kind", role=role.key, subject=cert.subject.human_friendly,
                           kind=kind or "?", expected=role.kind)


def check_role_fit(role: Role, cert: x509.Certificate, rules: RoleRules, class_name: str | None = None) -> None:
    """Refuse a certificate whose subject does not fit ``role`` (for the GVCN: the document's class)."""
    check_kind(role, cert)
    subject = cert.subject.human_friendly
    if role.key == "gvcn":
        if class_name is None:
            return
        spec = rules.homeroom.get(class_name)
        if spec is None:
            raise SigningError("sign_class_unmapped", class_name=class_name)
        if not matches(cert, spec):
            raise SigningError("sign_cert_not_homeroom", class_name=class_name, subject=subject)
    elif role.key == "hieu_truong":
        if not rules.principals:
            raise SigningError("sign_principals_unset")
        if not any(matches(cert, spec) for spec in rules.principals):
            raise SigningError("sign_cert_not_principal", subject=subject)
    elif role.kind == "organisation":
        check_seal(cert, rules)


def check_seal(cert: x509.Certificate, rules: RoleRules) -> None:
    """SIG-3: the seal certificate belongs to the school (identifier, or organisation name)."""
    if not rules.school_id and not rules.school_name:
        raise SigningError("sign_school_unset")
    if rules.school_id and any(v.upper() == rules.school_id.strip().upper() for v in identifiers(cert)):
        return
    names = [subject_field(cert, "organization_name"), subject_field(cert, "common_name")]
    if rules.school_name and any(n and fold(n) == fold(rules.school_name) for n in names):
        return
    raise SigningError("sign_cert_not_school", subject=cert.subject.human_friendly,
                       school=rules.school_name or rules.school_id)
