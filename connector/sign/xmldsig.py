"""The DSCKS signatures of the provisional profile (brief 05 §3, §5): one enveloped XMLDSig per role.

Each role's ``<Signature xmlns="http://www.w3.org/2000/09/xmldsig#" Id="SIG-<slot>">`` goes into its own
empty slot of ``<DSCKS>``. Its SignedInfo references (inclusive C14N 1.0, SHA-256) the data element
``#DLHocBa-…``, every earlier filled slot's Signature, and its own ``ds:Object Id="Object-<slot>"`` holding
``SignatureProperties/SignatureProperty/SigningTime`` (no-namespace content, ``xmlns=""``, as in the
government sample, §3.4). RSA-SHA256, or ECDSA-SHA256 when the certificate's key is EC. KeyInfo carries
X509SubjectName and the certificate chain.

Signed bytes are immutable (§3.5): a signature is added by splicing its bytes into the empty slot of the
stored document; every byte before the slot and after it stays as it was, so earlier signatures and the
data are never re-serialised. Digests are computed on a parse of the spliced bytes (pitfall 2), with a
C14N that renders a subtree exactly as it sits in its document (pitfall 1, see :func:`c14n`).

The only cryptographic call is ``await signer.async_sign_raw(c14n(SignedInfo), "sha256")`` on a pyHanko
``Signer``: any backend (key file, PKCS#11 token, remote service) signs the same way.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import functools
import hashlib
import re
import weakref
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from asn1crypto import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.serialization import load_der_public_key
from lxml import etree

from connector.errors import InputError
from connector.sign.certs import SigningError
from connector.sign.roles import Role, object_id, roles, signature_id

DS = "http://www.w3.org/2000/09/xmldsig#"
XML_NS = "http://www.w3.org/XML/1998/namespace"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_COMMENTS = C14N + "#WithComments"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
EXC_C14N_COMMENTS = EXC_C14N + "WithComments"
#: canonicalisation URI -> (exclusive, with_comments)
CANONICALISATIONS = {C14N: (False, False), C14N_COMMENTS: (False, True), EXC_C14N: (True, False),
                     EXC_C14N_COMMENTS: (True, True)}
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
#: digest URI -> hashlib name. SHA-1 is read (older Vietnamese XML used it), never written.
DIGESTS = {SHA256: "sha256", f"{DS}sha1": "sha1", "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
           "http://www.w3.org/2001/04/xmlenc#sha512": "sha512"}
WEAK_DIGESTS = {"sha1"}
_MORE = "http://www.w3.org/2001/04/xmldsig-more#"
#: signature URI -> (key algorithm, hashlib name)
SIGNATURE_METHODS = {
    f"{_MORE}rsa-sha256": ("rsa", "sha256"), f"{_MORE}rsa-sha384": ("rsa", "sha384"),
    f"{_MORE}rsa-sha512": ("rsa", "sha512"), f"{DS}rsa-sha1": ("rsa", "sha1"),
    f"{_MORE}ecdsa-sha256": ("ecdsa", "sha256"), f"{_MORE}ecdsa-sha384": ("ecdsa", "sha384"),
    f"{_MORE}ecdsa-sha512": ("ecdsa", "sha512"),
}
WRITE_METHODS = {"rsassa_pkcs1v15": f"{_MORE}rsa-sha256", "ecdsa": f"{_MORE}ecdsa-sha256"}
VN_TZ = dt.timezone(dt.timedelta(hours=7))
DATA_ELEMENT = "DLHocBa"
CONTAINER = "DSCKS"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_blank_text=False, remove_comments=False)


@dataclass(frozen=True)
class SignOptions:
    """Profile options of the signature (the ``[signing]`` section, docs/signing.md)."""

    signing_time_offset: bool = False  # "+07:00" after SigningTime, or local time without offset (the sample)
    properties_namespace: str = "none"  # "none": <SignatureProperties xmlns="">; "profile": the document's ns
    reference_transforms: bool = True  # a C14N Transform inside every Reference (the tested builder)
    timezone: dt.tzinfo = VN_TZ

    @classmethod
    def from_settings(cls, settings: dict) -> "SignOptions":
        return cls(
            signing_time_offset=bool(settings.get("signing_time_offset", False)),
            properties_namespace=settings.get("properties_namespace", "none"),
            reference_transforms=bool(settings.get("reference_transforms", True)),
            timezone=parse_offset(settings.get("timezone", "+07:00")),
        )


def parse_offset(text: str) -> dt.tzinfo:
    match = re.fullmatch(r"([+-])(\d\d):(\d\d)", text or "")
    if not match:
        raise InputError("sign_bad_timezone", value=text)
    sign = 1 if match[1] == "+" else -1
    return dt.timezone(sign * dt.timedelta(hours=int(match[2]), minutes=int(match[3])))


# --- parsing and canonicalisation -------------------------------------------------------------------


def parse(document: bytes) -> etree._ElementTree:
    """Parse stored bytes safely: no DTD, no entities, no network; a DOCTYPE is refused."""
    try:
        tree = etree.ElementTree(etree.fromstring(document, _PARSER))
    except etree.XMLSyntaxError as exc:
        raise InputError("sign_not_xml", detail=str(exc)) from None
    if tree.docinfo.doctype:
        raise InputError("sign_doctype")
    return tree


def c14n(el: etree._Element, exclusive: bool = False, with_comments: bool = False, plain: bool = False) -> bytes:
    """C14N 1.0 of a subtree as it sits in its document (what a verifier such as libxmlsec1 computes).

    lxml's ``tostring(subelement, method="c14n")`` is wrong when the default namespace is inherited
    (brief 05 §5, pitfall 1), and a plain ``deepcopy`` drops in-scope namespaces the subtree does not use,
    which inclusive C14N must render. So the apex is re-created with every in-scope namespace and the
    inherited ``xml:*`` attributes, and its children are deep-copied under it.

    ``plain``: the caller knows the document declares no namespace prefix and no ``xml:*`` attribute.
    Then inclusive and exclusive C14N give the same bytes, and lxml's exclusive C14N of a subtree is
    correct (brief 11 §3.3), without the copy.
    """
    if el.getparent() is None or (plain and not exclusive):
        return etree.tostring(el, method="c14n", exclusive=exclusive or plain, with_comments=with_comments)
    apex = etree.Element(el.tag, nsmap=el.nsmap)
    for name, value in el.attrib.items():
        apex.set(name, value)
    if not exclusive:
        for ancestor in el.iterancestors():
            for name, value in ancestor.attrib.items():
                if name.startswith(f"{{{XML_NS}}}") and name not in apex.attrib:
                    apex.set(name, value)
    apex.text = el.text
    for child in el:
        apex.append(copy.deepcopy(child))
    return etree.tostring(apex, method="c14n", exclusive=exclusive, with_comments=with_comments)


def is_plain(document: bytes) -> bool:
    """No prefixed namespace declaration and no ``xml:*`` attribute anywhere (see :func:`c14n`)."""
    return b"xmlns:" not in document and b"xml:" not in document


def local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def ids_of(tree: etree._ElementTree) -> dict[str, etree._Element]:
    """Elements by their ``Id`` attribute. A duplicated Id makes a reference ambiguous (the classic
    signature-wrapping attack), so it is an error."""
    found: dict[str, etree._Element] = {}
    for el in tree.getroot().iter():
        value = el.get("Id") if isinstance(el.tag, str) else None
        if value is not None:
            if value in found:
                raise InputError("sign_duplicate_id", id=value)
            found[value] = el
    return found


@dataclass
class Layout:
    """Where things are in a profile document: the data element, the container and its slots."""

    root: etree._Element
    data: etree._Element
    container: etree._Element
    slots: list[etree._Element]  # element children of DSCKS, in document order

    @property
    def data_id(self) -> str:
        return self.data.get("Id")

    @classmethod
    def of(cls, tree: etree._ElementTree) -> "Layout":
        root = tree.getroot()
        children = [c for c in root if isinstance(c.tag, str)]
        data = next((c for c in children if local(c) == DATA_ELEMENT), None)
        container = next((c for c in children if local(c) == CONTAINER), None)
        if data is None or not data.get("Id") or container is None:
            raise InputError("sign_not_profile", data=DATA_ELEMENT, container=CONTAINER)
        return cls(root, data, container, [c for c in container if isinstance(c.tag, str)])

    def signature_in(self, slot: etree._Element) -> etree._Element | None:
        return slot.find(f"{{{DS}}}Signature")

    def slot(self, name: str) -> etree._Element | None:
        return next((s for s in self.slots if local(s) == name), None)

    def filled(self) -> list[str]:
        return [local(s) for s in self.slots if self.signature_in(s) is not None]


def check_order(layout: Layout, role: Role) -> list[etree._Element]:
    """Refuse signing out of order; return the earlier signatures this one must cover.

    Refused: the role's slot missing or already filled, an earlier required role not signed yet (e.g. the
    principal before the GVCN), or a later slot already signed."""
    slot = layout.slot(role.slot)
    if slot is None:
        raise SigningError("sign_slot_missing", slot=role.slot)
    if layout.signature_in(slot) is not None or len(slot):
        raise SigningError("sign_slot_filled", slot=role.slot)
    position = layout.slots.index(slot)
    earlier, later = layout.slots[:position], layout.slots[position + 1:]
    if any(layout.signature_in(s) is not None for s in later):
        raise SigningError("sign_later_signed", slot=role.slot, later=", ".join(local(s) for s in later
                                                                                  if layout.signature_in(s) is not None))
    filled = {local(s) for s in earlier if layout.signature_in(s) is not None}
    order = [r.slot for r in roles()]
    for r in roles()[: order.index(role.slot)]:
        if r.required and r.slot not in filled:
            raise SigningError("sign_wrong_order", slot=role.slot, missing=r.slot)
    return [layout.signature_in(s) for s in earlier if layout.signature_in(s) is not None]


# --- building a signature ---------------------------------------------------------------------------


def signature_method(signer) -> str:
    """The SignatureMethod URI for a pyHanko signer: RSA PKCS#1 v1.5 or ECDSA, with SHA-256."""
    try:
        mechanism = signer.get_signature_mechanism_for_digest("sha256").signature_algo
    except Exception:  # noqa: BLE001 — pyHanko raises several types for keys it cannot use
        mechanism = None
    if mechanism not in WRITE_METHODS:
        raise SigningError("sign_algorithm_unsupported", algorithm=str(mechanism))
    return WRITE_METHODS[mechanism]


def certificate_chain(signer) -> list[x509.Certificate]:
    """The signer's certificate, then its issuers found in the signer's registry, without the root."""
    chain = [signer.signing_cert]
    pool = list(signer.cert_registry or ())
    while True:
        current = chain[-1]
        if current.self_signed != "no":
            break
        # DER comparison: asn1crypto's Name equality runs LDAP string preparation, slow with diacritics
        issuer = next((c for c in pool if c.subject.dump() == current.issuer.dump() and c not in chain), None)
        if issuer is None or issuer.self_signed != "no":
            break
        chain.append(issuer)
    return chain


@dataclass(frozen=True)
class SignerInfo:
    """What a signer contributes to every signature it makes: worked out once per signer."""

    method: str
    chain: tuple[x509.Certificate, ...]
    key_info: str  # the KeyInfo element

    @classmethod
    def of(cls, signer) -> "SignerInfo":
        cached = _SIGNER_INFO.get(signer)
        if cached is None or cached.chain[0] is not signer.signing_cert:
            chain = tuple(certificate_chain(signer))
            certs = "".join(f"<X509Certificate>{_b64(c.dump())}</X509Certificate>" for c in chain)
            key_info = (f"<KeyInfo><X509Data><X509SubjectName>{escape(subject_name(chain[0]))}</X509SubjectName>"
                        f"{certs}</X509Data></KeyInfo>")
            cached = _SIGNER_INFO[signer] = cls(signature_method(signer), chain, key_info)
        return cached


_SIGNER_INFO: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def subject_name(cert: x509.Certificate) -> str:
    """RFC 4514 form of the subject (UTF-8 kept, as in the government sample)."""
    return _subject_name(cert.dump())


@functools.lru_cache(maxsize=64)
def _subject_name(der: bytes) -> str:
    from cryptography import x509 as cx509

    return cx509.load_der_x509_certificate(der).subject.rfc4514_string()


def xml_signature_value(raw: bytes, method: str, cert: x509.Certificate) -> bytes:
    """XMLDSig wants ECDSA as r‖s (RFC 4050/6931); pyHanko signers return DER."""
    if SIGNATURE_METHODS[method][0] != "ecdsa":
        return raw
    size = (cert.public_key.bit_size + 7) // 8
    try:
        r, s = decode_dss_signature(raw)
    except ValueError:
        if len(raw) == 2 * size:  # already raw r‖s
            return raw
        raise
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def value_matches(cert: x509.Certificate, method: str, data: bytes, value: bytes) -> bool:
    """Does an XMLDSig SignatureValue (RSA PKCS#1 v1.5, or ECDSA r‖s) verify over ``data``?"""
    key_type, hash_name = SIGNATURE_METHODS[method]
    algorithm = getattr(hashes, hash_name.upper())()
    try:
        public_key = _public_key(cert.public_key.dump())
        if key_type == "rsa":
            public_key.verify(value, data, padding.PKCS1v15(), algorithm)
        else:
            half = len(value) // 2
            der = encode_dss_signature(int.from_bytes(value[:half], "big"), int.from_bytes(value[half:], "big"))
            public_key.verify(der, data, ec.ECDSA(algorithm))
    except (InvalidSignature, TypeError, ValueError, AttributeError):
        return False
    return True


@functools.lru_cache(maxsize=64)
def _public_key(der: bytes):
    return load_der_public_key(der)


def signing_time_text(moment: dt.datetime, options: SignOptions) -> str:
    local_time = moment.astimezone(options.timezone)
    text = local_time.strftime("%Y-%m-%dT%H:%M:%S")
    if options.signing_time_offset:
        offset = local_time.strftime("%z")
        text += f"{offset[:3]}:{offset[3:]}"
    return text


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass
class SignatureTemplate:
    slot: str
    references: list[str]  # Ids, without "#"
    signer: SignerInfo
    signing_time: str
    properties_ns: str  # "" or a namespace URI
    transforms: bool

    @property
    def method(self) -> str:
        return self.signer.method

    @property
    def certificate(self) -> x509.Certificate:
        return self.signer.chain[0]

    def render(self, digests: dict[str, str] | None = None, value: str = "") -> bytes:
        """The Signature element's bytes. Same structure with or without values, so the SignedInfo a
        verifier canonicalises is the one that was signed."""
        digests = digests or {}
        sid, oid = signature_id(self.slot), object_id(self.slot)
        transform = f'<Transforms><Transform Algorithm="{C14N}"/></Transforms>' if self.transforms else ""
        refs = "".join(
            f'<Reference URI="#{rid}">{transform}<DigestMethod Algorithm="{SHA256}"/>'
            f'<DigestValue>{digests.get(rid, "")}</DigestValue></Reference>' for rid in self.references)
        ns = quoteattr(self.properties_ns)
        return (
            f'<Signature xmlns="{DS}" Id="{sid}"><SignedInfo>'
            f'<CanonicalizationMethod Algorithm="{C14N}"/><SignatureMethod Algorithm="{self.method}"/>{refs}'
            f'</SignedInfo><SignatureValue>{value}</SignatureValue>{self.signer.key_info}'
            f'<Object Id="{oid}"><SignatureProperties xmlns={ns}>'
            f'<SignatureProperty Id="SignatureProperty-{self.slot}" Target="#{sid}">'
            f'<SigningTime>{self.signing_time}</SigningTime></SignatureProperty></SignatureProperties></Object>'
            f'</Signature>'
        ).encode("utf-8")


_SLOT_PATTERN = r"<(?P<prefix>[\w.-]+:)?{name}(?P<attrs>(?:\s[^<>]*?)?)\s*(?:/>|>\s*</(?P=prefix)?{name}\s*>)"


def splice(document: bytes, slot: str, signature: bytes) -> bytes:
    """Put ``signature`` into the empty ``slot`` of DSCKS, changing no byte outside the slot element.

    DSCKS is the document's last container (profile): its start tag is the last one in the bytes, and
    element names cannot occur unescaped in text or attribute values, so the search is exact for
    documents of the profile. The caller parses the result and checks where the signature landed."""
    start = max(document.rfind(f"<{CONTAINER}".encode()), document.rfind(f":{CONTAINER}".encode()))
    if start < 0:
        raise InputError("sign_not_profile", data=DATA_ELEMENT, container=CONTAINER)
    match = re.compile(_SLOT_PATTERN.format(name=re.escape(slot)).encode()).search(document, start)
    if match is None:
        raise SigningError("sign_slot_filled", slot=slot)
    prefix, attrs = match["prefix"] or b"", match["attrs"].rstrip()
    element = b"<" + prefix + slot.encode() + attrs + b">" + signature + b"</" + prefix + slot.encode() + b">"
    return document[: match.start()] + element + document[match.end():]


@dataclass
class PreparedSignature:
    """A signature ready for the signer: ``to_be_signed`` is the canonical SignedInfo; ``complete``
    turns the raw signature value into the new document bytes. Lets a batch prepare the next document
    while the token or the remote service signs this one."""

    document: bytes
    template: SignatureTemplate
    digests: dict[str, str]
    to_be_signed: bytes
    signing_time: str

    def complete(self, raw: bytes) -> bytes:
        value = _b64(xml_signature_value(raw, self.template.method, self.template.certificate))
        return splice(self.document, self.template.slot, self.template.render(self.digests, value))


def _digest(data: bytes) -> str:
    return _b64(hashlib.sha256(data).digest())


def prepare_signature(document: bytes, role: Role, signer, *, options: SignOptions = SignOptions(),
                      moment: dt.datetime | None = None) -> PreparedSignature:
    """Check the order and build everything but the signature value (CPU only, no signer call).

    Digests of the data and of earlier signatures come from the stored document; those of the new
    signature's own Object and SignedInfo from a parse of the new Signature element — alone when the
    document declares no prefixes and no ``xml:*`` attributes (nothing in scope but the namespaces it
    declares itself), else spliced into the whole document."""
    if signer.signing_cert is None:
        raise SigningError("sign_no_certificate")
    _check_utf8(document)
    info = SignerInfo.of(signer)
    layout = Layout.of(parse(document))
    earlier = check_order(layout, role)
    plain = is_plain(document)
    moment = moment or dt.datetime.now(dt.timezone.utc)
    props_ns = "" if options.properties_namespace == "none" else (etree.QName(layout.root).namespace or "")
    own_object = object_id(role.slot)
    template = SignatureTemplate(
        slot=role.slot, references=[layout.data_id, *(e.get("Id") for e in earlier), own_object],
        signer=info, signing_time=signing_time_text(moment, options), properties_ns=props_ns,
        transforms=options.reference_transforms,
    )
    digests = {layout.data_id: _data_digest(layout, earlier, plain)}
    digests.update({e.get("Id"): _digest(c14n(e, plain=plain)) for e in earlier})
    signature = _new_signature_element(document, role, template, digests, plain)
    digests[own_object] = _digest(c14n(signature.find(f"{{{DS}}}Object"), plain=plain))
    signed_info = signature.find(f"{{{DS}}}SignedInfo")
    for ref in signed_info.iterfind(f"{{{DS}}}Reference"):
        if ref.get("URI") == f"#{own_object}":
            ref.find(f"{{{DS}}}DigestValue").text = digests[own_object]
    return PreparedSignature(document, template, digests, c14n(signed_info, plain=plain), template.signing_time)


def _data_digest(layout: Layout, earlier: list[etree._Element], plain: bool) -> str:
    """The data's digest as the first earlier signature recorded it (inclusive C14N, SHA-256: how hocba
    signs), else computed. Reusing it is safe: the stored bytes match the hash recorded when that signature
    was made, and if the data had been changed since, this signature would cover the old digest and fail
    verification just as the earlier one does."""
    for ref in earlier[0].iterfind(f"{{{DS}}}SignedInfo/{{{DS}}}Reference") if earlier else ():
        if ref.get("URI") != f"#{layout.data_id}":
            continue
        transforms = [t.get("Algorithm") for t in ref.iterfind(f"{{{DS}}}Transforms/{{{DS}}}Transform")]
        method = ref.find(f"{{{DS}}}DigestMethod")
        value = ref.find(f"{{{DS}}}DigestValue")
        if transforms in ([], [C14N]) and method is not None and method.get("Algorithm") == SHA256 \
                and value is not None and value.text:
            return value.text.strip()
    return _digest(c14n(layout.data, plain=plain))


def _new_signature_element(document: bytes, role: Role, template: SignatureTemplate, digests: dict[str, str],
                           plain: bool) -> etree._Element:
    if plain and is_plain(template.signer.key_info.encode()):
        return etree.fromstring(template.render(digests), _PARSER)
    draft = parse(splice(document, role.slot, template.render(digests)))
    signature = draft.getroot().find(f"{{*}}{CONTAINER}/{{*}}{role.slot}/{{{DS}}}Signature")
    if signature is None or signature.get("Id") != signature_id(role.slot):
        raise SigningError("sign_splice_failed", slot=role.slot)
    return signature


async def add_signature(document: bytes, role: Role, signer, *, options: SignOptions = SignOptions(),
                        moment: dt.datetime | None = None) -> bytes:
    """Sign ``document`` for ``role`` with a pyHanko signer; returns the new document bytes."""
    prepared = prepare_signature(document, role, signer, options=options, moment=moment)
    raw = await signer.async_sign_raw(prepared.to_be_signed, "sha256")
    return prepared.complete(raw)


def _check_utf8(document: bytes) -> None:
    head = document[:100].lower()
    if b"encoding=" in head and not re.search(rb"encoding=[\"']utf-?8[\"']", head):
        raise InputError("sign_not_utf8")


# --- reading signatures (verification) --------------------------------------------------------------


@dataclass
class Reference:
    uri: str
    transforms: list[str]
    digest_method: str
    digest_value: str


@dataclass
class SignatureView:
    """A signature as found in a document, before any check."""

    slot: str
    element: etree._Element
    id: str | None
    c14n_method: str | None
    method: str | None
    references: list[Reference]
    value: bytes
    certificates: list[x509.Certificate]
    subject_name: str | None
    signing_time: str | None
    problems: list[str] = field(default_factory=list)  # message keys of structural problems

    @property
    def reference_ids(self) -> list[str]:
        return [r.uri[1:] for r in self.references if r.uri.startswith("#")]


def _text(el: etree._Element | None) -> str:
    return "".join((el.text or "").split()) if el is not None else ""


def read_signature(slot: str, sig: etree._Element) -> SignatureView:
    q = lambda name: f"{{{DS}}}{name}"  # noqa: E731
    problems = []
    si = sig.find(q("SignedInfo"))
    refs = []
    if si is None:
        problems.append("verify_no_signed_info")
    else:
        for ref in si.iterfind(q("Reference")):
            transforms = [t.get("Algorithm") for t in ref.iterfind(f"{q('Transforms')}/{q('Transform')}")]
            dm = ref.find(q("DigestMethod"))
            refs.append(Reference(ref.get("URI") or "", transforms, dm.get("Algorithm") if dm is not None else "",
                                  _text(ref.find(q("DigestValue")))))
    try:
        value = base64.b64decode(_text(sig.find(q("SignatureValue"))), validate=True)
    except ValueError:
        value, problems = b"", [*problems, "verify_bad_base64"]
    certs = []
    for el in sig.iterfind(f"{q('KeyInfo')}/{q('X509Data')}/{q('X509Certificate')}"):
        try:
            certs.append(x509.Certificate.load(base64.b64decode(_text(el), validate=True)))
            certs[-1].native  # noqa: B018 — parse now, so a damaged certificate is reported here
        except (ValueError, TypeError):
            problems.append("verify_bad_certificate")
    time_el = next((el for el in sig.iter() if isinstance(el.tag, str) and local(el) == "SigningTime"), None)
    subject = sig.find(f"{q('KeyInfo')}/{q('X509Data')}/{q('X509SubjectName')}")
    return SignatureView(
        slot=slot, element=sig, id=sig.get("Id"),
        c14n_method=(si.find(q("CanonicalizationMethod")).get("Algorithm")
                     if si is not None and si.find(q("CanonicalizationMethod")) is not None else None),
        method=(si.find(q("SignatureMethod")).get("Algorithm")
                if si is not None and si.find(q("SignatureMethod")) is not None else None),
        references=refs, value=value, certificates=certs,
        subject_name=subject.text if subject is not None else None,
        signing_time=(time_el.text or "").strip() if time_el is not None else None, problems=problems,
    )


def signatures_of(layout: Layout) -> list[SignatureView]:
    """Every Signature in DSCKS slots, in document order (a slot holds at most one)."""
    out = []
    for slot in layout.slots:
        for sig in slot.iterfind(f"{{{DS}}}Signature"):
            out.append(read_signature(local(slot), sig))
    return out


def reference_digest(ids: dict[str, etree._Element], ref: Reference) -> tuple[bool, str | None]:
    """(digest matches, problem key). Only same-document ``#Id`` references with C14N transforms."""
    if not ref.uri.startswith("#") or ref.uri[1:] not in ids:
        return False, "verify_reference_missing"
    algorithm = DIGESTS.get(ref.digest_method)
    if algorithm is None:
        return False, "verify_digest_unsupported"
    c14n_uris = ref.transforms or [C14N]
    if len(c14n_uris) != 1 or c14n_uris[0] not in CANONICALISATIONS:
        return False, "verify_transform_unsupported"
    exclusive, comments = CANONICALISATIONS[c14n_uris[0]]
    digest = hashlib.new(algorithm, c14n(ids[ref.uri[1:]], exclusive, comments)).digest()
    return _b64(digest) == ref.digest_value, None


def signed_info_bytes(view: SignatureView) -> bytes | None:
    si = view.element.find(f"{{{DS}}}SignedInfo")
    if si is None or view.c14n_method not in CANONICALISATIONS:
        return None
    exclusive, comments = CANONICALISATIONS[view.c14n_method]
    return c14n(si, exclusive, comments)


def parse_signing_time(text: str | None, tz: dt.tzinfo = VN_TZ) -> dt.datetime | None:
    """SigningTime as written (with or without an offset; without one it is local time, ``tz``)."""
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)

