"""The provisional profile's behaviour: labels, NFC, determinism, opaque ids, refusals, readable errors,
and that the mapping, the XSD and the code lists stay in step."""

from __future__ import annotations

import base64
import re
import typing
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from connector import catalogue, model
from connector.model import PRIMARY_PERIODS, LegacyAssessment, StudentYear
from connector.synth import generate_school
from connector.xml import ProfileError, document_id
from connector.xml.hocba_profile import HocbaProfile, load_spec
from connector.xml.mapping import score10, whole
from tests.xml.conftest import xmllint_verdicts
from tests.xml.records import GOLDEN, primary_grade_4, thcs_grade_8

NS = "urn:hocba:schema:canonical:0.1"
XS = "http://www.w3.org/2001/XMLSchema"
DS = "http://www.w3.org/2000/09/xmldsig#"
LABEL = "PROVISIONAL — not the official QĐ 3016/QĐ-BGDĐT format"
XSD_DIR = Path(__file__).resolve().parents[2] / "schemas" / "hocba-0.1"


def parse(document: bytes) -> etree._Element:
    return etree.fromstring(document)


def find(root: etree._Element, path: str) -> etree._Element:
    found = root.find(path, {"h": NS})
    assert found is not None, path
    return found


# --- labels ---------------------------------------------------------------------------------------


def test_every_document_says_it_is_provisional(profile):
    document = profile.serialize(primary_grade_4())
    head = document.split(b"<HocBa", 1)[0].decode("utf-8")
    assert head.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!--')
    assert LABEL in head
    label = find(parse(document), "h:DLHocBa/h:GhiChu").text  # inside the signed data
    assert LABEL in label and "TẠM THỜI" in label
    assert profile.provisional and LABEL in profile.notes[0]


@pytest.mark.parametrize("xsd", sorted(p.name for p in XSD_DIR.glob("*.xsd")))
def test_every_schema_file_is_labelled_in_a_comment_and_an_annotation(xsd):
    text = (XSD_DIR / xsd).read_text("utf-8")
    comments = re.findall(r"<!--(.*?)-->", text, flags=re.S)
    assert any(LABEL in c for c in comments)
    tree = etree.parse(str(XSD_DIR / xsd))
    docs = tree.getroot().findall(f"{{{XS}}}annotation/{{{XS}}}documentation")
    assert any(LABEL in (d.text or "") for d in docs)
    assert tree.getroot().get("targetNamespace") == NS and tree.getroot().get("version") == "0.1"


def test_the_schema_fixes_the_label_the_profile_writes(profile):
    tree = etree.parse(str(XSD_DIR / "hocba.xsd"))
    fixed = tree.find(f".//{{{XS}}}element[@name='GhiChu']").get("fixed")
    assert fixed == profile.label


# --- text, determinism, ids -----------------------------------------------------------------------


def test_nfd_input_is_written_as_nfc(profile):
    rec = primary_grade_4()
    name, comment = "Nguyễn Thị Hằng", "Tiến bộ vượt bậc ở môn Tiếng Việt."
    # Assignment bypasses the model's own NFC normaliser: the serialiser must not rely on it.
    rec.student.ho_ten = unicodedata.normalize("NFD", name)
    rec.nhan_xet_gvcn = unicodedata.normalize("NFD", comment)
    assert rec.student.ho_ten != name
    document = profile.serialize(rec)
    text = document.decode("utf-8")
    assert unicodedata.is_normalized("NFC", text)
    assert find(parse(document), "h:DLHocBa/h:HocSinh/h:HoTen").text == name
    assert find(parse(document), "h:DLHocBa/h:NhanXetGVCN").text == comment


def test_serialisation_is_deterministic(profile):
    rec = thcs_grade_8()
    first = profile.serialize(rec)
    assert profile.serialize(rec) == first
    assert HocbaProfile().serialize(rec) == first
    round_trip = StudentYear.model_validate_json(model.canonical_json(rec))
    assert profile.serialize(round_trip) == first


def test_dictionary_order_does_not_change_the_document(profile):
    rec = primary_grade_4()
    before = profile.serialize(rec)
    for s in rec.danh_gia.mon_hoc:
        s.muc_dat = dict(reversed(list(s.muc_dat.items())))
    assert profile.serialize(rec) == before


def test_ids_and_attributes_carry_no_personal_data(profile):
    rec = thcs_grade_8()
    root = parse(profile.serialize(rec))
    data = find(root, "h:DLHocBa")
    assert data.get("Id") == "DLHocBa-" + document_id(rec)
    assert re.fullmatch(r"[0-9a-f]{24}", document_id(rec))
    personal = {rec.student.ho_ten, rec.student.ma_hoc_sinh, rec.student_key, rec.student.ngay_sinh.isoformat()}
    attributes = {(el.tag.split("}")[1], name): value for el in root.iter() for name, value in el.attrib.items()}
    assert {name for _, name in attributes} <= {"Id", "MaMon", "ThoiDiem", "Ma"}
    assert not any(p in v for p in personal for v in attributes.values())


def test_the_id_is_stable_per_record_key_and_differs_between_keys():
    a, b = thcs_grade_8(), thcs_grade_8()
    b.nhan_xet_gvcn = "Một nhận xét khác."
    assert document_id(a) == document_id(b)  # same student, year, school: same document, new version
    b.nam_hoc = "2023-2024"
    assert document_id(a) != document_id(b)


# --- the signature container ----------------------------------------------------------------------


def test_signature_slots_are_empty_and_in_signing_order(profile):
    dscks = find(parse(profile.serialize(thcs_grade_8())), "h:DSCKS")
    assert [etree.QName(slot).localname for slot in dscks] == ["GVCN", "HieuTruong", "DonVi"]
    assert all(len(slot) == 0 and not (slot.text or "").strip() for slot in dscks)


def test_subject_teacher_slots_on_request(profile):
    rec = thcs_grade_8()
    document = HocbaProfile(gvbm_slots=True).serialize(rec)
    assert profile.validate(document) == []
    slots = [(etree.QName(s).localname, s.get("MaMon")) for s in find(parse(document), "h:DSCKS")]
    assert slots == [("GVCN", None), *(("GVBM", s.mon) for s in rec.danh_gia.mon_hoc), ("HieuTruong", None),
                     ("DonVi", None)]


def signature(role: str) -> etree._Element:
    """A structurally complete XMLDSig signature as brief 05 §3.4 places it (SigningTime in xmlns="")."""
    value = base64.b64encode(b"0" * 32).decode()
    xml = f"""<Signature xmlns="{DS}" Id="SIG-{role}"><SignedInfo>
      <CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>
      <SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
      <Reference URI="#DLHocBa-x"><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
      <DigestValue>{value}</DigestValue></Reference></SignedInfo><SignatureValue>{value}</SignatureValue>
      <KeyInfo><X509Data><X509SubjectName>CN=Test</X509SubjectName><X509Certificate>{value}</X509Certificate>
      </X509Data></KeyInfo><Object Id="Object-{role}"><SignatureProperties xmlns=""><SignatureProperty
      Target="#SIG-{role}"><SigningTime>2025-05-26T08:26:34</SigningTime></SignatureProperty>
      </SignatureProperties></Object></Signature>"""
    return etree.fromstring(xml)


def test_filled_slots_validate(profile):
    """The layout the signing stage fills: one ds:Signature per slot, later slots after earlier ones."""
    root = parse(profile.serialize(primary_grade_4()))
    for role in ("GVCN", "HieuTruong", "DonVi"):
        find(root, f"h:DSCKS/h:{role}").append(signature(role))
    assert profile.validate(etree.tostring(root)) == []
    find(root, "h:DSCKS/h:GVCN").append(signature("GVCN2"))  # a slot holds one signature
    assert profile.validate(etree.tostring(root))


# --- what the profile refuses ---------------------------------------------------------------------


def test_a_legacy_year_is_never_serialised(profile):
    rec = thcs_grade_8()
    rec.danh_gia = LegacyAssessment()
    with pytest.raises(ProfileError) as caught:
        profile.serialize(rec)
    assert caught.value.key == "xml_framework_not_supported"


def test_control_characters_are_refused_naming_the_field_not_the_value(profile):
    rec = primary_grade_4()
    rec.nhan_xet_gvcn = "Chăm ngoan\x0bgiỏi giang"
    with pytest.raises(ProfileError) as caught:
        profile.serialize(rec)
    assert caught.value.key == "xml_text_not_representable"
    assert caught.value.fields == {"field": "StudentYear.nhan_xet_gvcn"}
    assert "Chăm" not in caught.value.message("en")


@pytest.mark.parametrize("value, text", [("8", "8.0"), ("8.5", "8.5"), ("7.50", "7.5"), ("10", "10.0"),
                                         ("1E+1", "10.0"), ("0", "0.0"), ("7.25", "7.25")])
def test_tt22_scores_are_written_with_one_decimal_never_rounded(value, text):
    assert score10(Decimal(value)) == text


@pytest.mark.parametrize("value, text", [("9", "9"), ("9.0", "9"), ("10", "10"), ("9.5", "9.5")])
def test_tt27_test_scores_are_written_as_whole_numbers_never_rounded(value, text):
    assert whole(Decimal(value)) == text


def test_a_score_the_schema_forbids_is_caught_with_a_readable_message(profile):
    rec = thcs_grade_8()
    rec.danh_gia.mon_hoc[0].hk1.tx[0] = Decimal("7.25")  # TT22-1 reports this first, in the pipeline
    document = profile.serialize(rec)
    assert profile.validate(document)
    explained = profile.explain(document)
    assert any(m.startswith("/HocBa/DLHocBa/DanhGiaTrungHoc/MonHoc[1]/HocKyI/DiemTX[1] (line ") for m in explained), explained


def test_readable_errors_name_the_element(profile):
    document = profile.serialize(thcs_grade_8())
    broken = document.replace(b"<GioiTinh>1</GioiTinh>", b"<GioiTinh>7</GioiTinh>")
    broken = re.sub(rb"\s*<Lop>[^<]*</Lop>", b"", broken)
    fast = profile.validate(broken)
    readable = profile.explain(broken)
    assert len(fast) == 2 and len(readable) == 2
    gender = next(m for m in readable if "GioiTinh" in m)
    assert gender.startswith("/HocBa/DLHocBa/HocSinh/GioiTinh (line ")
    assert "0" in gender and "2" in gender  # the allowed codes
    missing = next(m for m in readable if "QuaTrinhHocTap" in m)
    assert "Lop" in missing and "{urn:" not in missing


def test_a_document_that_is_not_xml_is_reported_not_raised(profile):
    assert profile.validate(b"<HocBa>") and profile.explain(b"<HocBa>")


# --- mapping, schema and code lists in step --------------------------------------------------------


def model_classes_under(cls: type) -> set[type]:
    """Model classes reachable from ``cls`` through its fields (unions, lists and dicts included)."""
    seen: set[type] = set()

    def visit(tp: object) -> None:
        if isinstance(tp, type) and issubclass(tp, model.Model):
            if tp not in seen:
                seen.add(tp)
                for f in tp.model_fields.values():
                    visit(f.annotation)
        for arg in typing.get_args(tp):
            visit(arg)

    visit(cls)
    return seen


def test_every_field_of_the_record_is_mapped_or_deliberately_omitted(profile):
    classes = {c.__name__ for c in model_classes_under(StudentYear)} - {"LegacyAssessment", "LegacySubject"}
    assert classes == set(profile.mapping.types)
    for name in classes:
        assert profile.mapping.mapped_fields(name) == set(getattr(model, name).model_fields), name


def enumerations() -> dict[str, list[str]]:
    out = {}
    for path in XSD_DIR.glob("*.xsd"):
        for simple in etree.parse(str(path)).getroot().iter(f"{{{XS}}}simpleType"):
            values = [e.get("value") for e in simple.iter(f"{{{XS}}}enumeration")]
            if values and simple.get("name"):
                out[simple.get("name")] = values
    return out


def codes(name: str) -> list[str]:
    return list(catalogue.code_list(name).codes)


XSD_LISTS = {
    "MaGioiTinh": lambda: codes("gioi_tinh"),
    "MaNhomCapHoc": lambda: codes("nhom_cap_hoc"),
    "MaTrangThai": lambda: codes("trang_thai"),
    "ThoiDiemTieuHoc": lambda: list(PRIMARY_PERIODS),
    "MaMonTieuHoc": lambda: list(catalogue.subjects("primary")),
    "MaMonTrungHoc": lambda: list(catalogue.subjects("secondary")),
    "MaPhamChat": lambda: list(catalogue.ratings("quality")),
    "MaNangLuc": lambda: list(catalogue.ratings("competence")),
    "MucDatMonTieuHoc": lambda: codes("tt27_muc_dat_mon"),
    "MucDatPhamChatNangLuc": lambda: codes("tt27_muc_dat_pc_nl"),
    "KetQuaTieuHoc": lambda: codes("tt27_ket_qua"),
    "KhenThuongTieuHoc": lambda: codes("tt27_khen_thuong"),
    "MucDatNhanXet": lambda: codes("tt22_nhan_xet"),
    "KetQuaTrungHoc": lambda: codes("tt22_ket_qua"),
    "DanhHieuTrungHoc": lambda: codes("tt22_danh_hieu"),
}


def test_schema_code_lists_equal_the_catalogue():
    found = enumerations()
    assert set(found) == set(XSD_LISTS)
    for name, expected in XSD_LISTS.items():
        assert found[name] == expected(), name


def test_the_mapping_file_belongs_to_this_profile(profile):
    spec = load_spec(profile.directory)
    assert (spec["profile"]["id"], spec["profile"]["version"]) == (profile.id, profile.version)
    assert spec["profile"]["namespace"] == NS and spec["document"]["root"] == "HocBa"


def test_schemas_load_offline_from_local_copies():
    """The xmldsig import is a local file: nothing points at the network."""
    for path in XSD_DIR.glob("*.xsd"):
        root = etree.parse(str(path)).getroot()
        for ref in root.findall(f"{{{XS}}}import") + root.findall(f"{{{XS}}}include"):
            location = ref.get("schemaLocation")
            assert "://" not in location and (path.parent / location).is_file(), (path.name, location)
    assert b"<!DOCTYPE" not in re.sub(rb"<!--.*?-->", b"", (XSD_DIR.parent / "w3c" / "xmldsig-core-schema.xsd")
                                       .read_bytes(), flags=re.S)


# --- generated schools ----------------------------------------------------------------------------


def generated_documents(profile) -> list[tuple[str, bytes]]:
    records = [*generate_school(11, level="primary", students=100), *generate_school(11, level="secondary",
                                                                                     students=100)]
    records = [r for r in records if r.framework != "LEGACY"][:100] + \
        [r for r in records if r.framework == "TT22"][:100]
    assert len(records) == 200 and {r.nhom_cap_hoc for r in records} == {"02", "03", "04"}
    return [(document_id(r), profile.serialize(r)) for r in records]


def test_two_hundred_generated_records_validate(profile, tmp_path):
    """lxml and xmllint on all 200; xmlschema (~90× slower) on every tenth, so the suite stays fast."""
    documents = generated_documents(profile)
    files = []
    for number, (doc_id, document) in enumerate(documents):
        assert profile.validate(document) == [], doc_id
        if number % 10 == 0:
            assert profile.explain(document) == [], doc_id
        path = tmp_path / f"{doc_id}.xml"
        path.write_bytes(document)
        files.append(path)
    assert all(xmllint_verdicts(profile.xsd, files).values())


def test_golden_builders_cover_each_situation():
    recs = {name: build() for name, build in GOLDEN.items()}
    assert {r.khoi for r in recs.values() if r.framework == "TT27"} >= {1, 4, 5}
    assert {r.nhom_cap_hoc for r in recs.values()} == {"02", "03", "04"}
    assert any(r.co_khuyet_tat_khong_danh_gia for r in recs.values())
    assert any(r.trang_thai == "chuyen_den" for r in recs.values())
    assert len({document_id(r) for r in recs.values()}) == len(recs)
