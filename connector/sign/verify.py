"""``hocba verify``: every signature of a signed document, its order, its certificate, and the evidence.

Per signature (brief 05 §3.6):
- SIG-5: every Reference digest and the SignatureValue verify over the stored bytes;
- SIG-4: it references the data, its own SigningTime Object and every earlier signature; signing times
  do not go backwards;
- SIG-2: its certificate chains to a configured trust anchor and was valid at SigningTime, with
  KeyUsage digitalSignature (and nonRepudiation for persons), and is not revoked (OCSP/CRL when
  reachable; when not, the report says revocation was not checked — soft-fail);
- SIG-3: a person's role has a personal certificate, the seal an organisation's (and the school's, when
  ``[signing] school_name``/``school_id`` are configured).
Per document: SIG-1, every required role is present (else "incomplete"); the ``.p7s`` evidence beside it
is checked when present. A document is "valid" only when complete and every check passed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as cv_errors
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

from connector.errors import HocbaError
from connector.i18n import t
from connector.sign import evidence as ev
from connector.sign.certs import RoleRules, SigningError, check_seal, common_name, fingerprint, holder_kind, \
    identifiers
from connector.sign.roles import object_id, role_of_slot, roles, signature_id, slot_label
from connector.sign.xmldsig import DIGESTS, SIGNATURE_METHODS, VN_TZ, WEAK_DIGESTS, Layout, SignatureView, ids_of, \
    parse, parse_signing_time, reference_digest, signatures_of, signed_info_bytes, value_matches

REVOCATION_MODES = ("soft-fail", "hard-fail", "require", "off")


class Issue:
    """One finding about a signature or a file: a message key and its fields (no personal data)."""

    def __init__(self, key: str, fields: dict[str, Any] | None = None, **more: Any):
        self.key, self.fields = key, {**(fields or {}), **more}

    def __repr__(self) -> str:
        return f"Issue({self.key!r}, {self.fields!r})"

    def message(self, lang: str | None) -> str:
        return t(self.key, lang, **self.fields)


@dataclass
class SignatureReport:
    slot: str
    id: str | None
    signer: str | None = None
    identifier: str | None = None
    certificate_sha256: str | None = None
    signing_time: str | None = None
    references: list[dict] = field(default_factory=list)
    value_ok: bool = False
    trusted: bool | None = None
    revocation: str = "not_checked"  # good | revoked | unknown | not_checked | no_info
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    def as_dict(self, lang: str | None) -> dict:
        return {
            "slot": self.slot, "role": slot_label(self.slot, lang), "id": self.id, "valid": self.valid,
            "signer": self.signer, "identifier": self.identifier, "certificate_sha256": self.certificate_sha256,
            "signing_time": self.signing_time, "references": self.references, "signature_value_ok": self.value_ok,
            "trusted": self.trusted, "revocation": self.revocation,
            "errors": [{"key": i.key, "message": i.message(lang)} for i in self.errors],
            "warnings": [{"key": i.key, "message": i.message(lang)} for i in self.warnings],
        }


@dataclass
class FileReport:
    file: str
    signatures: list[SignatureReport] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    evidence: ev.EvidenceReport | None = None

    @property
    def status(self) -> str:
        if self.errors or any(not s.valid for s in self.signatures) or (self.evidence and not self.evidence.ok):
            return "invalid"
        return "incomplete" if self.missing else "valid"

    @property
    def broken(self) -> list[str]:
        return [s.id or s.slot for s in self.signatures if not s.valid]

    def as_dict(self, lang: str | None) -> dict:
        return {
            "file": self.file, "status": self.status, "broken": self.broken,
            "missing": [{"slot": m, "role": slot_label(m, lang)} for m in self.missing],
            "signatures": [s.as_dict(lang) for s in self.signatures],
            "errors": [{"key": i.key, "message": i.message(lang)} for i in self.errors],
            "evidence": self.evidence.as_dict() if self.evidence else None,
        }


@dataclass
class VerifyOptions:
    trust_roots: list[x509.Certificate]
    revocation: str = "soft-fail"
    at: dt.datetime | None = None  # pin the validation time (default: each signature's SigningTime)
    rules: RoleRules | None = None  # school name/id for SIG-3
    timezone: dt.tzinfo = VN_TZ  # of a SigningTime written without an offset
    require_evidence: bool = False


# --- the signature value ------------------------------------------------------------------------------


def signer_certificate(view: SignatureView) -> x509.Certificate | None:
    """The end-entity certificate of KeyInfo: the one that issued none of the others."""
    certs = view.certificates
    if not certs:
        return None
    issuers = {c.issuer.dump() for c in certs}
    leaves = [c for c in certs if c.subject.dump() not in issuers or c.self_signed != "no"]
    return next((c for c in leaves if c.self_signed == "no"), certs[0])


def check_value(view: SignatureView, cert: x509.Certificate) -> str | None:
    """None when SignatureValue verifies over the canonical SignedInfo, else a problem key."""
    data = signed_info_bytes(view)
    if view.method not in SIGNATURE_METHODS or data is None:
        return "verify_method_unsupported"
    return None if value_matches(cert, view.method, data, view.value) else "verify_value_bad"


# --- the certificate ----------------------------------------------------------------------------------


async def check_certificate(report: SignatureReport, cert: x509.Certificate, chain: list[x509.Certificate],
                            moment: dt.datetime, person: bool, options: VerifyOptions, fetchers) -> None:
    """SIG-2: trust, validity at ``moment``, key usage, revocation (soft-fail when unreachable)."""
    if not options.trust_roots:
        report.trusted = False
        report.errors.append(Issue("verify_no_trust"))
        return
    online = options.revocation != "off"
    vc = ValidationContext(
        trust_roots=options.trust_roots, other_certs=chain, moment=moment, allow_fetching=online,
        revocation_mode="soft-fail" if not online else options.revocation, retroactive_revinfo=True,
        fetchers=fetchers if online else None,
    )
    usage = {"digital_signature", "non_repudiation"} if person else {"digital_signature"}
    try:
        await CertificateValidator(cert, intermediate_certs=chain, validation_context=vc).async_validate_usage(usage)
    except cv_errors.RevokedError:
        report.trusted, report.revocation = True, "revoked"
        report.errors.append(Issue("verify_revoked"))
        return
    except (cv_errors.ExpiredError, cv_errors.NotYetValidError):
        report.trusted = True
        report.errors.append(Issue("verify_not_valid_then", time=moment.isoformat()))
        return
    except cv_errors.InsufficientRevinfoError:
        report.trusted, report.revocation = True, "unknown"
        report.errors.append(Issue("verify_revocation_required"))
        return
    except cv_errors.PathBuildingError:
        report.trusted = False
        report.errors.append(Issue("verify_untrusted"))
        return
    except cv_errors.InvalidCertificateError:
        report.trusted = True
        report.errors.append(Issue("verify_key_usage", usage=", ".join(sorted(usage))))
        return
    except cv_errors.PathValidationError as exc:
        report.trusted = False
        report.errors.append(Issue("verify_path_invalid", kind=type(exc).__name__))
        return
    report.trusted = True
    if not online:
        report.revocation = "not_checked"
        report.warnings.append(Issue("verify_revocation_off"))
    elif vc.soft_fail_exceptions:
        report.revocation = "unknown"
        report.warnings.append(Issue("verify_revocation_unreachable"))
    elif not _has_revocation_pointers(cert):
        report.revocation = "no_info"
        report.warnings.append(Issue("verify_revocation_no_pointers"))
    else:
        report.revocation = "good"


def _has_revocation_pointers(cert: x509.Certificate) -> bool:
    return bool(cert.ocsp_urls or cert.crl_distribution_points)


# --- one signature, one file -------------------------------------------------------------------------


async def check_signature(view: SignatureView, ids: dict, layout: Layout, earlier: list[SignatureReport],
                          options: VerifyOptions, fetchers) -> SignatureReport:
    report = SignatureReport(view.slot, view.id, signing_time=view.signing_time)
    report.errors.extend(Issue(p) for p in view.problems)
    if view.id != signature_id(view.slot):
        report.errors.append(Issue("verify_wrong_id", id=view.id or "-", expected=signature_id(view.slot)))
    for ref in view.references:
        ok, problem = reference_digest(ids, ref)
        report.references.append({"uri": ref.uri, "ok": ok})
        if problem:
            report.errors.append(Issue(problem, uri=ref.uri))
        elif not ok:
            report.errors.append(Issue("verify_digest_bad", uri=ref.uri))
        if DIGESTS.get(ref.digest_method) in WEAK_DIGESTS:
            report.warnings.append(Issue("verify_weak_digest", uri=ref.uri))
    _check_coverage(report, view, ids, layout, earlier)

    cert = signer_certificate(view)
    if cert is None:
        report.errors.append(Issue("verify_no_certificate"))
        return report
    report.signer, report.certificate_sha256 = common_name(cert), fingerprint(cert)
    report.identifier = next(iter(identifiers(cert)), None)
    problem = check_value(view, cert)
    report.value_ok = problem is None
    if problem:
        report.errors.append(Issue(problem))
    _check_role(report, view.slot, cert, options)

    signed_at = parse_signing_time(view.signing_time, options.timezone)
    if signed_at is None:
        report.errors.append(Issue("verify_no_signing_time"))
        return report
    previous = [parse_signing_time(e.signing_time, options.timezone) for e in earlier]
    if any(p and p > signed_at for p in previous):
        report.errors.append(Issue("verify_time_backwards"))
    role = role_of_slot(view.slot)
    person = role is None or role.kind == "person"
    await check_certificate(report, cert, [c for c in view.certificates if c is not cert], options.at or signed_at,
                            person, options, fetchers)
    return report


def _check_coverage(report: SignatureReport, view: SignatureView, ids: dict, layout: Layout,
                    earlier: list[SignatureReport]) -> None:
    """SIG-4: the data, every earlier signature and the signature's own SigningTime Object are covered."""
    covered = set(view.reference_ids)
    if layout.data_id not in covered:
        report.errors.append(Issue("verify_data_not_covered", id=layout.data_id))
    missing = [e.id for e in earlier if e.id and e.id not in covered]
    if missing:
        report.errors.append(Issue("verify_order_not_bound", missing=", ".join(missing)))
    own_object = ids.get(object_id(view.slot))
    if object_id(view.slot) not in covered or own_object is None or own_object.getparent() is not view.element:
        report.errors.append(Issue("verify_time_not_covered", id=object_id(view.slot)))


def _check_role(report: SignatureReport, slot: str, cert: x509.Certificate, options: VerifyOptions) -> None:
    role = role_of_slot(slot)
    kind = holder_kind(cert)
    expected = role.kind if role else "person"
    if kind != expected:
        report.errors.append(Issue("verify_wrong_kind", kind=kind or "?", expected=expected))
    elif role and role.kind == "organisation" and options.rules and (options.rules.school_id or
                                                                       options.rules.school_name):
        try:
            check_seal(cert, options.rules)
        except SigningError as exc:
            report.errors.append(Issue(exc.key, exc.fields))


async def verify_document(document: bytes, name: str, options: VerifyOptions, fetchers=None,
                          evidence: bytes | None = None) -> FileReport:
    report = FileReport(name)
    try:
        tree = parse(document)
        layout = Layout.of(tree)
        ids = ids_of(tree)
    except HocbaError as exc:
        report.errors.append(Issue(exc.key, exc.fields))
        return report
    filled = layout.filled()
    # SIG-4: a required role must not be skipped — a later signature over an empty earlier slot is out of order
    order = [r.slot for r in roles()]
    for view in signatures_of(layout):
        if view.slot in order:
            skipped = [r.slot for r in roles()[: order.index(view.slot)] if r.required and r.slot not in filled]
            if skipped:
                report.errors.append(Issue("verify_signed_out_of_order", slot=view.slot, missing=", ".join(skipped)))
        report.signatures.append(await check_signature(view, ids, layout, report.signatures, options, fetchers))
    report.missing = [r.slot for r in roles() if r.required and r.slot not in filled]
    if evidence is not None:
        report.evidence = await ev.verify_evidence(document, evidence, options.trust_roots, name=name + ev.EXTENSION,
                                                   at=options.at)
    elif options.require_evidence:
        report.errors.append(Issue("evidence_missing", file=name + ev.EXTENSION))
    return report


FILES_PER_FETCHERS = 200  # OCSP/CRL answers are cached across this many files (a class shares its signers)


async def verify_files(paths: list[Path], options: VerifyOptions) -> list[FileReport]:
    backend = AIOHttpFetcherBackend(per_request_timeout=5) if options.revocation != "off" else None
    reports = []
    fetchers = None
    try:
        for number, path in enumerate(paths):
            if backend is not None and number % FILES_PER_FETCHERS == 0:
                fetchers = backend.get_fetchers()
            try:
                document = path.read_bytes()
            except OSError:
                report = FileReport(str(path))
                report.errors.append(Issue("verify_unreadable", file=str(path)))
                reports.append(report)
                continue
            p7s = path.with_name(path.name + ev.EXTENSION)
            evidence = p7s.read_bytes() if p7s.is_file() else None
            reports.append(await verify_document(document, str(path), options, fetchers, evidence))
    finally:
        if backend is not None:
            await backend.close()
    return reports


# --- text report -------------------------------------------------------------------------------------


def render_text(reports: list[FileReport], lang: str | None) -> str:
    lines = []
    for r in reports:
        lines.append(t(f"verify_status_{r.status}", lang, file=r.file))
        for e in r.errors:
            lines.append(f"  ✗ {e.message(lang)}")
        for s in r.signatures:
            line = t("verify_signature_line", lang, role=slot_label(s.slot, lang), id=s.id or "-",
                     signer=s.signer or "?", time=s.signing_time or "?",
                     revocation=t("verify_revocation_" + s.revocation, lang))
            lines.append(f"  {'✓' if s.valid else '✗'} {line}")
            for e in s.errors:
                lines.append(f"      ✗ {e.message(lang)}")
            for w in s.warnings:
                lines.append(f"      ! {w.message(lang)}")
        for m in r.missing:
            lines.append(f"  … {t('verify_missing_role', lang, role=slot_label(m, lang), slot=m)}")
        if r.evidence:
            e = r.evidence
            key = "verify_evidence_ok" if e.ok else "verify_evidence_bad"
            lines.append(f"  {'✓' if e.ok else '✗'} {t(key, lang, file=e.file, time=e.timestamp or '-')}")
            for p in e.problems:
                lines.append(f"      ✗ {t(p, lang, file=e.file)}")
    valid = sum(r.status == "valid" for r in reports)
    lines.append(t("verify_summary", lang, files=len(reports), valid=valid,
                   incomplete=sum(r.status == "incomplete" for r in reports),
                   invalid=sum(r.status == "invalid" for r in reports)))
    return "\n".join(lines)
