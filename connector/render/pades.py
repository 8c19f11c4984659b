"""PAdES signatures of the rendering, by the same roles as the XML, in the same order (brief 05 §8).

The rendered PDF has one empty, invisible signature field per role (``GVCN``, ``HieuTruong``, ``DonVi``:
the DSCKS slot names). Each role signs its own field in an incremental update, so earlier signatures stay
byte-for-byte intact:

- the homeroom teacher's signature is a *certification* signature with DocMDP "fill forms" (P=2): after it,
  only the pre-existing signature fields may be signed and nothing on the page may change;
- the principal and the seal add *approval* signatures;
- PAdES baseline B-B (``/ETSI.CAdES.detached``, SHA-256, the signer's certificate chain), and B-T when a
  time-stamping authority is configured (``[signing] tsa_url``).

A signature out of order is refused (the principal before the homeroom teacher, a role twice), and so is a
signer whose certificate is not the one that signed the same role in the XML: the PDF is signed by the same
people as the document it renders.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import urllib.request
from dataclasses import dataclass

from asn1crypto import tsp, x509
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError, set_tsp_headers

from connector.errors import HocbaError
from connector.render.reader import RenderError, SignedPage
from connector.sign.roles import Role, roles

#: DocMDP of the certification signature: later roles may sign the existing fields, nothing else.
CERTIFY_FIRST = True
#: Seconds the time-stamping authority has to answer one request (B-T).
TSA_TIMEOUT = 10


def field_names() -> list[str]:
    """The signature fields a rendering gets, in signing order: one per required role."""
    return [r.slot for r in roles()]


def signed_fields(pdf: bytes) -> list[str]:
    """Names of the signature fields already signed, in the order they were signed."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf))
    return [s.field_name for s in reader.embedded_regular_signatures]


@dataclass
class PdfState:
    """What hocba needs to know about a PDF before touching it (read with one parse)."""

    keywords: dict[str, str]  # hocba entries of /Keywords: document, xml-sha256, profile
    fields: dict[str, bool]  # signature field -> signed?

    @property
    def signed(self) -> bool:
        return any(self.fields.values())


def inspect_pdf(pdf: bytes, name: str = "") -> PdfState:
    """Keywords and signature fields of ``pdf``; :class:`RenderError` when it is not a readable PDF."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    from connector.render.pdf import parse_keywords

    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        trailer = reader.trailer_view
        info = trailer["/Info"] if "/Info" in trailer else {}
        keywords = parse_keywords(str(info["/Keywords"]) if "/Keywords" in info else "")
        fields = {field_name: value is not None for field_name, value, _ in enumerate_sig_fields(reader)}
    except (PdfError, ValueError, KeyError, TypeError, IndexError):
        raise RenderError("render_pdf_unreadable", file=name) from None
    return PdfState(keywords, fields)


def check_order(pdf: bytes | PdfState, role: Role, name: str = "") -> None:
    """Refuse signing ``role``'s field now: it is missing or signed, an earlier role has not signed, or a
    later one already has."""
    fields = (pdf if isinstance(pdf, PdfState) else inspect_pdf(pdf, name)).fields
    if role.slot not in fields:
        raise RenderError("render_pdf_no_field", file=name, slot=role.slot)
    if fields[role.slot]:
        raise RenderError("render_pdf_already_signed", file=name, slot=role.slot)
    order = [r.slot for r in roles()]
    position = order.index(role.slot)
    missing = [r.slot for r in roles()[:position] if r.required and not fields.get(r.slot)]
    if missing:
        raise RenderError("render_pdf_wrong_order", file=name, slot=role.slot, missing=", ".join(missing))
    later = [slot for slot in order[position + 1:] if fields.get(slot)]
    if later:
        raise RenderError("render_pdf_later_signed", file=name, slot=role.slot, later=", ".join(later))


def check_same_signer(page: SignedPage, role: Role, cert: x509.Certificate, name: str = "") -> None:
    """The PDF's signature for a role is made by whoever signed that role in the XML."""
    from connector.sign.certs import fingerprint

    xml_signer = page.signer(role.slot)
    if xml_signer is None:
        raise RenderError("render_xml_role_unsigned", file=name, slot=role.slot)
    if xml_signer.fingerprint != fingerprint(cert):
        raise RenderError("render_signer_differs", file=name, slot=role.slot)


async def sign_pdf(pdf: bytes, role: Role, signer, *, timestamper=None, name: str = "") -> bytes:
    """Add ``role``'s PAdES signature to ``pdf`` (an incremental update) with a pyHanko ``Signer``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter

    check_order(pdf, role, name)
    first = role.slot == roles()[0].slot
    meta = signers.PdfSignatureMetadata(
        field_name=role.slot, md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES,
        certify=first and CERTIFY_FIRST, docmdp_permissions=MDPPerm.FILL_FORMS, reason=role.vi,
    )
    pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=timestamper)
    out = await pdf_signer.async_sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)))
    return out.getvalue()


class ThreadedTimeStamper(TimeStamper):
    """RFC 3161 over HTTP with the exchange in a worker thread. A batch prepares its PDFs on the event loop
    (synchronous work: seconds for a class), so a request timed on the loop (aiohttp) timed out while the
    answer waited for the loop, not for the TSA; here ``timeout`` is the TSA's own time."""

    def __init__(self, url: str, timeout: float):
        super().__init__()
        self.url, self.timeout = url, timeout

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return await asyncio.to_thread(_post_tsa_request, self.url, req.dump(), self.timeout)


def _post_tsa_request(url: str, body: bytes, timeout: float) -> tsp.TimeStampResp:
    request = urllib.request.Request(url, data=body, headers=set_tsp_headers({}), method="POST")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # like aiohttp: no proxy from the env
    try:
        with opener.open(request, timeout=timeout) as response:
            content_type, answer = response.headers.get("Content-Type"), response.read()
    except OSError as exc:  # URLError, HTTPError, timeouts, refused connections
        raise TimestampRequestError("Error while contacting timestamp service") from exc
    if content_type != "application/timestamp-reply":
        raise TimestampRequestError("Timestamp server response is malformed")
    return tsp.TimeStampResp.load(answer)


async def sign_many(items: list[tuple[str, bytes]], role: Role, signer, *, tsa_url: str | None = None,
                    chunk: int = 64) -> list[bytes | HocbaError]:
    """Sign several PDFs for one role, ``chunk`` at a time concurrently (a remote signer batches the
    hashes that arrive together under one authorisation). Per item: the signed bytes or the refusal."""
    from pyhanko.sign.general import SigningError as PyHankoSigningError

    async def one(name: str, pdf: bytes, timestamper) -> bytes | HocbaError:
        try:
            return await sign_pdf(pdf, role, signer, timestamper=timestamper, name=name)
        except HocbaError as exc:  # order, a backend's own refusal (SignerError) …
            return exc
        except (TimestampRequestError, OSError) as exc:
            return RenderError("render_tsa_failed", file=name, kind=type(exc).__name__)
        except PyHankoSigningError as exc:
            return RenderError("render_pdf_sign_failed", file=name, kind=type(exc).__name__)

    timestamper = ThreadedTimeStamper(tsa_url, TSA_TIMEOUT) if tsa_url else None
    results: list[bytes | HocbaError] = []
    for start in range(0, len(items), chunk):
        part = items[start:start + chunk]
        results.extend(await asyncio.gather(*(one(n, p, timestamper) for n, p in part)))
    return results


# --- checking (tests, and anyone who wants to look) ----------------------------------------------------


@dataclass
class PdfSignatureStatus:
    field: str
    signer: str | None
    intact: bool
    valid: bool
    trusted: bool
    certified: bool
    docmdp_ok: bool | None
    modification_level: str | None
    timestamp: dt.datetime | None  # of the signature time-stamp token (B-T), if any
    subfilter: str | None

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.docmdp_ok is not False


async def verify_pdf(pdf: bytes, trust_roots: list[x509.Certificate],
                     at: dt.datetime | None = None) -> list[PdfSignatureStatus]:
    """Every signature of the PDF with pyHanko's validation, in signing order; no network (the chain comes
    from the signature itself). ``at`` pins the validation time."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from connector.sign.certs import common_name

    reader = PdfFileReader(io.BytesIO(pdf))
    out = []
    for embedded in reader.embedded_regular_signatures:
        context = ValidationContext(trust_roots=trust_roots, allow_fetching=False, revocation_mode="soft-fail",
                                    moment=at)
        status = await async_validate_pdf_signature(embedded, signer_validation_context=context,
                                                    ts_validation_context=context)
        ts = status.timestamp_validity
        out.append(PdfSignatureStatus(
            field=embedded.field_name, signer=common_name(status.signing_cert) if status.signing_cert else None,
            intact=status.intact, valid=status.valid, trusted=status.trusted,
            certified=embedded.docmdp_level is not None,
            docmdp_ok=status.docmdp_ok,
            modification_level=status.modification_level.name if status.modification_level else None,
            timestamp=ts.timestamp if ts else None, subfilter=str(embedded.sig_object.get("/SubFilter")),
        ))
    return out
