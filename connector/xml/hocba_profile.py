"""hocba's own XML profile ``hocba-xmldsig-dscks`` 0.1 — PROVISIONAL, not the official QĐ 3016/QĐ-BGDĐT format.

One student-year becomes one document (brief 05 §3.1)::

    <?xml version="1.0" encoding="UTF-8"?>
    <!-- TẠM THỜI … PROVISIONAL … -->
    <HocBa xmlns="urn:hocba:schema:canonical:0.1">
      <PBan>0.1</PBan>
      <DLHocBa Id="DLHocBa-<24 hex>"> <GhiChu>…provisional…</GhiChu> …the transcript… </DLHocBa>
      <DSCKS> <GVCN/> (<GVBM MaMon="…"/>…) <HieuTruong/> <DonVi/> </DSCKS>
    </HocBa>

Element names come from ``schemas/hocba-0.1/profile.toml``; the XSD is ``schemas/hocba-0.1/hocba.xsd``.
The signing stage (connector/sign/) fills the empty DSCKS slots; it never re-serialises the document.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from lxml import etree

from connector.hookspecs import hookimpl
from connector.model import SecondaryAssessment, StudentYear
from connector.xml import xsd
from connector.xml.mapping import Mapping
from connector.xml.profile import Profile, ProfileError, document_id

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
FRAMEWORKS = ("TT27", "TT22")  # legacy years are history, never emitted as a new Học bạ số (FRAME-1)


@cache
def load_spec(directory: str) -> dict:
    return tomllib.loads((xsd.schemas_dir() / directory / "profile.toml").read_text("utf-8"))


class HocbaProfile(Profile):
    id = "hocba-xmldsig-dscks"
    version = "0.1"
    provisional = True
    description = ("hocba's provisional Học bạ số XML (one student-year, XMLDSig per role in <DSCKS>); "
                   "PROVISIONAL — not the official QĐ 3016/QĐ-BGDĐT format")
    notes = ("PROVISIONAL — not the official QĐ 3016/QĐ-BGDĐT format "
             "(TẠM THỜI — không phải định dạng chính thức)",)
    directory = "hocba-0.1"

    def __init__(self, gvbm_slots: bool | None = None):
        spec = load_spec(self.directory)
        profile = spec["profile"]
        if (profile["id"], profile["version"]) != (self.id, self.version):
            raise ProfileError("xml_profile_mismatch", id=self.id, version=self.version)
        self.mapping = Mapping(spec, profile["namespace"])
        self.xsd: Path = xsd.schemas_dir() / self.directory / profile["schema"]
        self.label = f"{spec['label']['vi']} {spec['label']['en']}"
        self.layout = spec["document"]
        self.gvbm_slots = self.layout["gvbm_slots"] if gvbm_slots is None else gvbm_slots

    def document_ref(self, record: StudentYear) -> str:
        """The DLHocBa Id that every signature references: opaque, stable per record key."""
        return self.layout["id_prefix"] + document_id(record)

    def serialize(self, record: StudentYear) -> bytes:
        if record.framework not in FRAMEWORKS:
            raise ProfileError("xml_framework_not_supported", framework=record.framework)
        q, layout = self.mapping.qname, self.layout
        root = etree.Element(q(layout["root"]), nsmap={None: self.mapping.namespace})
        root.addprevious(etree.Comment(f" {self.label} hocba profile {self.id} {self.version} "))
        etree.SubElement(root, q(layout["version_element"])).text = self.version
        data = etree.SubElement(root, q(layout["data"]), Id=self.document_ref(record))
        etree.SubElement(data, q(layout["label_element"])).text = self.label
        self.mapping.write(data, record)
        self._signature_slots(etree.SubElement(root, q(layout["signatures"])), record)
        return XML_DECLARATION + etree.tostring(root.getroottree(), encoding="UTF-8", pretty_print=True)

    def _signature_slots(self, container: etree._Element, record: StudentYear) -> None:
        """Empty slots in signing order; a signer fills exactly one of them."""
        q, layout = self.mapping.qname, self.layout
        for role in layout["slots_before_gvbm"]:
            etree.SubElement(container, q(role))
        if self.gvbm_slots and isinstance(record.danh_gia, SecondaryAssessment):
            for subject in record.danh_gia.mon_hoc:
                etree.SubElement(container, q(layout["gvbm"]), {layout["gvbm_subject_attribute"]: subject.mon})
        for role in layout["slots_after_gvbm"]:
            etree.SubElement(container, q(role))

    def validate(self, document: bytes) -> list[str]:
        return xsd.problems(document, self.xsd)

    def explain(self, document: bytes) -> list[str]:
        return xsd.explain(document, self.xsd)


@hookimpl
def register_profiles(register):
    register(HocbaProfile)
