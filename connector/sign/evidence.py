"""Archive evidence: a detached CMS/CAdES signature with an RFC 3161 timestamp over the final signed XML.

Written beside the signed document as ``<file>.p7s`` (brief 05 §7): made with the seal's signer (same
backend, same ``open()``) and a timestamp from the configured TSA (CAdES-B-T). It proves, with a trusted
time, that exactly these bytes existed sealed at that moment, so the document stays verifiable after the
certificates expire: validation is pinned to the timestamp's time (pitfall 7).

It is evidence kept by the school, not the signature of the transcript: the XMLDSig signatures in DSCKS
are (brief 05 §4, "Decision").
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field

from asn1crypto import cms, tsp
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko_certvalidator import ValidationContext

from connector.sign.certs import SigningError, common_name

EXTENSION = ".p7s"

# pyHanko logs validation failures with the certificate's subject (a teacher's name): personal data must not
# reach service logs, and hocba's own report says what failed.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


class PacedTimeStamper(HTTPTimeStamper):
    """An RFC 3161 client that sends at most a few requests at a time: a batch seals a whole class at once,
    and a TSA (a public one, or the test one) answers each request with a signature of its own."""

    def __init__(self, url: str, concurrent: int = 4, timeout: int = 30):
        super().__init__(url, timeout=timeout)
        self._slots = asyncio.Semaphore(concurrent)

    async def async_request_tsa_response(self, req):
        async with self._slots:
            return await super().async_request_tsa_response(req)


async def make_evidence(document: bytes, signer, timestamper: TimeStamper | str | None) -> bytes:
    """DER of a detached CAdES signature over ``document`` (B-T when a timestamper or TSA URL is given).
    Give a batch one :class:`PacedTimeStamper` (a URL makes one per call)."""
    if isinstance(timestamper, str):
        timestamper = PacedTimeStamper(timestamper)
    try:
        content_info = await signer.async_sign_general_data(document, "sha256", detached=True, use_cades=True,
                                                             timestamper=timestamper)
    except (TimestampRequestError, OSError) as exc:
        raise SigningError("sign_tsa_failed", kind=type(exc).__name__) from None
    except PyHankoSigningError as exc:
        raise SigningError("sign_evidence_failed", kind=type(exc).__name__) from None
    return content_info.dump()


def timestamp_time(signed_data: cms.SignedData) -> dt.datetime | None:
    """genTime of the signature timestamp token in the (first) SignerInfo, if any."""
    for signer_info in signed_data["signer_infos"]:
        for attr in signer_info["unsigned_attrs"] or ():
            if attr["type"].native == "signature_time_stamp_token":
                token = attr["values"][0]
                tst_info = token["content"]["encap_content_info"]["content"].parsed
                if isinstance(tst_info, tsp.TSTInfo):
                    return tst_info["gen_time"].native
    return None


@dataclass
class EvidenceReport:
    file: str
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    revoked: bool = False
    timestamp: str | None = None  # genTime, ISO
    timestamp_ok: bool = False
    validation_time: str | None = None
    signer: str | None = None
    problems: list[str] = field(default_factory=list)  # message keys

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and not self.revoked and self.timestamp_ok and \
            not self.problems

    def as_dict(self) -> dict:
        return {"file": self.file, "ok": self.ok, "intact": self.intact, "valid": self.valid, "trusted": self.trusted,
                "revoked": self.revoked, "timestamp": self.timestamp, "timestamp_ok": self.timestamp_ok,
                "validation_time": self.validation_time, "signer": self.signer, "problems": self.problems}


async def verify_evidence(document: bytes, p7s: bytes, trust_roots: list, *, name: str = "",
                          at: dt.datetime | None = None) -> EvidenceReport:
    """Check a ``.p7s`` against ``document``. The validation time is pinned: by default to the
    timestamp's genTime (a trusted time, so expired certificates do not matter), or to ``at``."""
    report = EvidenceReport(name)
    try:
        signed_data = cms.ContentInfo.load(p7s)["content"]
        gen_time = timestamp_time(signed_data)
    except (ValueError, TypeError, KeyError):
        report.problems.append("evidence_unreadable")
        return report
    if gen_time is None:
        report.problems.append("evidence_no_timestamp")
    moment = at or gen_time or dt.datetime.now(dt.timezone.utc)
    report.validation_time = moment.isoformat()
    report.timestamp = gen_time.isoformat() if gen_time else None
    if not trust_roots:
        report.problems.append("verify_no_trust")
        return report

    def context() -> ValidationContext:
        return ValidationContext(trust_roots=trust_roots, moment=moment, allow_fetching=False,
                                 revocation_mode="soft-fail")

    try:
        status = await async_validate_detached_cms(document, signed_data, signer_validation_context=context(),
                                                   ts_validation_context=context())
    except (ValueError, TypeError, KeyError):  # a damaged structure deep inside the CMS
        report.problems.append("evidence_unreadable")
        return report
    report.intact, report.valid, report.trusted = status.intact, status.valid, status.trusted
    report.revoked = bool(status.revoked)
    report.signer = common_name(status.signing_cert) if status.signing_cert is not None else None
    ts = status.timestamp_validity
    report.timestamp_ok = bool(ts and ts.intact and ts.valid and ts.trusted)
    return report
