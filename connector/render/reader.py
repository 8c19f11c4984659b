"""Read a signed Học bạ XML page back into what the rendering prints.

The signed XML is authoritative: the PDF shows what THESE bytes say, nothing from a database. So the
document is parsed (safely: no DTD, no entities, no network — the signing stage's parser), checked against
its profile's XSD, its XMLDSig signatures are checked to be intact (every Reference digest and the
SignatureValue, over the stored bytes), and its ``DLHocBa`` is read back into a canonical
:class:`~connector.model.StudentYear` by walking the profile's own mapping (``schemas/<profile>/profile.toml``)
in reverse — the same data that wrote the document reads it, so a new profile needs no new reader.

Trust in the certificates (chain, revocation) is ``hocba verify``'s job; a rendering only refuses
documents whose signed content was altered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal, Union, get_args, get_origin

from lxml import etree
from pydantic import BaseModel, ValidationError

from connector.errors import HocbaError, InputError
from connector.model import StudentYear
from connector.xml.mapping import Item, Mapping


class RenderError(HocbaError):
    """A document that cannot be rendered (not a profile document, altered signatures …). Fields carry
    file names, slots and counts, never personal data."""


@dataclass(frozen=True)
class Signer:
    """One XMLDSig signature of the document, as the page prints it."""

    slot: str  # GVCN, HieuTruong, DonVi, GVBM
    subject: str | None  # MaMon of a GVBM slot
    name: str  # the certificate's common name
    organisation: str | None
    identifier: str | None
    signed_at: dt.datetime | None
    fingerprint: str  # SHA-256 of the signer's certificate (DER), hex


@dataclass
class SignedPage:
    """Everything one rendered page needs, all of it read from the XML bytes."""

    record: StudentYear
    document_id: str  # the DLHocBa Id
    xml_sha256: str  # of the exact file bytes
    profile_id: str
    profile_version: str
    provisional: bool
    signers: list[Signer] = field(default_factory=list)

    def signer(self, slot: str, subject: str | None = None) -> Signer | None:
        return next((s for s in self.signers if s.slot == slot and s.subject == subject), None)

    @property
    def school_name(self) -> str | None:
        """The school's name as its seal certificate states it (the XML carries only the school code)."""
        seal = self.signer("DonVi")
        if seal is None:
            return None
        return seal.organisation or seal.name


def read_page(document: bytes, profiles: list[Any], name: str = "") -> SignedPage:
    """Parse, check and read one signed (or not yet signed) document. ``profiles``: profile instances
    (``connector.xml.Profile``) to recognise the document by its namespace and version."""
    from connector.sign import xmldsig

    tree = xmldsig.parse(document)  # InputError for non-XML, DOCTYPEs
    root = tree.getroot()
    profile = _profile_of(root, profiles, name)
    problems = profile.validate(document)
    if problems:
        raise RenderError("render_xml_invalid", file=name, count=len(problems))
    layout = xmldsig.Layout.of(tree)
    signers = _intact_signers(tree, layout, name)
    record = read_record(layout.data, profile.mapping, name)
    return SignedPage(record=record, document_id=layout.data_id, xml_sha256=hashlib.sha256(document).hexdigest(),
                      profile_id=profile.id, profile_version=profile.version, provisional=profile.provisional,
                      signers=signers)


def _profile_of(root: etree._Element, profiles: list[Any], name: str):
    namespace = etree.QName(root).namespace
    for profile in profiles:
        mapping = getattr(profile, "mapping", None)
        if mapping is not None and mapping.namespace == namespace:
            return profile
    raise RenderError("render_profile_unknown", file=name, namespace=namespace or "-")


def _intact_signers(tree: etree._ElementTree, layout, name: str) -> list[Signer]:
    """Every signature in DSCKS, refusing the document when one does not verify over the stored bytes."""
    from connector.sign import xmldsig
    from connector.sign.certs import common_name, fingerprint, identifiers, subject_field
    from connector.sign.verify import check_value, signer_certificate

    ids = xmldsig.ids_of(tree)
    out = []
    for view in xmldsig.signatures_of(layout):
        cert = signer_certificate(view)
        digests_ok = bool(view.references) and all(xmldsig.reference_digest(ids, ref)[0] for ref in view.references)
        if view.problems or cert is None or not digests_ok or check_value(view, cert) is not None:
            raise RenderError("render_xml_signature_broken", file=name, slot=view.slot)
        out.append(Signer(
            slot=view.slot, subject=view.element.getparent().get("MaMon"), name=common_name(cert),
            organisation=subject_field(cert, "organization_name"), identifier=next(iter(identifiers(cert)), None),
            signed_at=xmldsig.parse_signing_time(view.signing_time), fingerprint=fingerprint(cert)))
    return out


# --- the profile mapping, in reverse -------------------------------------------------------------------


def read_record(data: etree._Element, mapping: Mapping, name: str = "") -> StudentYear:
    """``DLHocBa`` → StudentYear. ``student_key`` is not in the document (hocba bookkeeping): the opaque
    document id stands in for it."""
    values = _read(mapping, data, StudentYear)
    values["student_key"] = data.get("Id")
    try:
        return StudentYear.model_validate(values)
    except ValidationError as exc:
        raise InputError("render_xml_unreadable", file=name, count=exc.error_count()) from None


def _read(mapping: Mapping, element: etree._Element, cls: type[BaseModel],
          items: tuple[Item, ...] | None = None) -> dict[str, Any]:
    type_map = mapping.types[cls.__name__]
    out: dict[str, Any] = {}
    if items is None:
        items = type_map.items
        for omitted in type_map.omit:  # e.g. the union's discriminator "framework": its default says it
            info = cls.model_fields[omitted]
            if not info.is_required():
                out[omitted] = info.get_default(call_default_factory=True)
    for item in items:
        if item.items:  # a grouping element around more fields of the same object
            group = element.find(item.tag)
            if group is not None:
                out.update(_read(mapping, group, cls, item.items))
            continue
        annotation = cls.model_fields[item.field].annotation
        if item.attribute:
            if element.get(item.attribute) is not None:
                out[item.field] = element.get(item.attribute)
        elif item.key:  # a dict keyed by an attribute, e.g. MucDat ThoiDiem="CN"
            out[item.field] = {el.get(item.key): el.text or "" for el in element.findall(item.tag)}
        else:
            values = _values(mapping, element, item, annotation)
            if values:
                out[item.field] = values if get_origin(annotation) is list else values[0]
    return out


def _values(mapping: Mapping, element: etree._Element, item: Item, annotation: Any) -> list[Any]:
    models = [m for m in _model_classes(annotation) if m.__name__ in mapping.types]
    if not models:
        return [_scalar(el.text or "", annotation) for el in element.findall(item.tag)]
    out = []
    for model in models:
        tag = item.tag or mapping.types[model.__name__].tag
        out.extend(_read(mapping, el, model) for el in element.findall(tag))
    return out


def _model_classes(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _model_classes(arg)]


def _scalar(text: str, annotation: Any) -> Any:
    """Text as the field wants it. pydantic converts "1"→True, "8.5"→Decimal, dates …; only a Literal of
    ints (gioi_tinh) needs the int first."""
    literals = _literal_args(annotation)
    if literals and all(isinstance(a, int) for a in literals) and text.strip().lstrip("-").isdigit():
        return int(text)
    return text


def _literal_args(annotation: Any) -> tuple:
    if get_origin(annotation) is Literal:
        return get_args(annotation)
    if get_origin(annotation) in (Union, types.UnionType, typing.Annotated):
        return tuple(a for arg in get_args(annotation) for a in _literal_args(arg))
    return ()
