"""The DSCKS signatures: shape, byte immutability, order, refusals — and xmlsec1 as the independent judge."""

from __future__ import annotations

import base64
import re

import pytest
from lxml import etree

from connector.errors import InputError
from connector.sign.certs import SigningError
from connector.sign.roles import role
from connector.sign.xmldsig import DS, Layout, SignOptions, c14n, parse, prepare_signature, splice
from tests.sign.conftest import HAND_BUILT, SLOTS, sign_as, xmlsec1_verify


def signature(document: bytes, slot: str) -> etree._Element:
    return parse(document).getroot().find(f"{{*}}DSCKS/{{*}}{slot}/{{{DS}}}Signature")


def test_three_roles_verify_with_xmlsec1(sign_all, xmlsec):
    signed = sign_all(HAND_BUILT)
    for slot in SLOTS:
        ok, err = xmlsec(signed, slot)
        assert ok, err


def test_profile_documents_verify_with_xmlsec1(profile_documents, sign_all, xmlsec):
    record, document = profile_documents[0]
    signed = sign_all(document, lop=record.lop)
    for slot in SLOTS:
        ok, err = xmlsec(signed, slot)
        assert ok, err


def test_ec_keys_give_ecdsa_signatures_xmlsec1_accepts(tmp_path_factory, pki_server):
    from connector.sign.keyfile import load_pkcs12_signer
    from connector.sign.pki import create_test_pki

    ec_pki = create_test_pki(tmp_path_factory.mktemp("ec"), ["6A1"], url=pki_server.url, key_type="ec")
    load = lambda n: load_pkcs12_signer(ec_pki.p12(n).read_bytes(), ec_pki.password, n)  # noqa: E731
    signed = sign_as(HAND_BUILT, "gvcn", load("gvcn-6A1"))
    assert b"xmldsig-more#ecdsa-sha256" in signed
    value = base64.b64decode(signature(signed, "GVCN").findtext(f"{{{DS}}}SignatureValue"))
    assert len(value) == 64  # r‖s of P-256, not DER
    path = tmp_path_factory.mktemp("ecdoc") / "d.xml"
    path.write_bytes(signed)
    result = xmlsec1_verify(path, "GVCN", ec_pki.pem("root-ca"))
    assert result.returncode == 0, result.stderr


def test_signature_shape_follows_the_profile(sign_all):
    signed = sign_all(HAND_BUILT)
    seal = signature(signed, "DonVi")
    assert seal.get("Id") == "SIG-DonVi"
    si = seal.find(f"{{{DS}}}SignedInfo")
    assert si.find(f"{{{DS}}}CanonicalizationMethod").get("Algorithm") == \
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    assert si.find(f"{{{DS}}}SignatureMethod").get("Algorithm") == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    uris = [r.get("URI") for r in si.iterfind(f"{{{DS}}}Reference")]
    assert uris == ["#DLHocBa-0123456789abcdef01234567", "#SIG-GVCN", "#SIG-HieuTruong", "#Object-DonVi"]
    assert {r.find(f"{{{DS}}}DigestMethod").get("Algorithm") for r in si.iterfind(f"{{{DS}}}Reference")} == \
        {"http://www.w3.org/2001/04/xmlenc#sha256"}
    x509data = seal.find(f"{{{DS}}}KeyInfo/{{{DS}}}X509Data")
    assert "MST:0109999999" in x509data.findtext(f"{{{DS}}}X509SubjectName")
    assert len(x509data.findall(f"{{{DS}}}X509Certificate")) == 2  # the seal's and the issuing CA's, no root
    props = seal.find(f"{{{DS}}}Object/SignatureProperties")  # no namespace: the government sample's xmlns=""
    assert props is not None
    assert props.find("SignatureProperty").get("Target") == "#SIG-DonVi"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", props.findtext("SignatureProperty/SigningTime"))
    assert b'<SignatureProperties xmlns="">' in signed


def test_options_offset_and_profile_namespace_still_verify(sign_all, xmlsec):
    options = SignOptions(signing_time_offset=True, properties_namespace="profile", reference_transforms=False)
    signed = sign_all(HAND_BUILT, options=options)
    seal = signature(signed, "DonVi")
    time_el = seal.find(f"{{{DS}}}Object/{{urn:hocba:schema:canonical:0.1}}SignatureProperties/"
                        "{urn:hocba:schema:canonical:0.1}SignatureProperty/{urn:hocba:schema:canonical:0.1}SigningTime")
    assert time_el.text.endswith("+07:00")
    assert seal.find(f"{{{DS}}}SignedInfo/{{{DS}}}Reference/{{{DS}}}Transforms") is None
    for slot in SLOTS:
        ok, err = xmlsec(signed, slot)
        assert ok, err


def test_each_signature_leaves_every_other_byte_unchanged(signers):
    before = HAND_BUILT
    for role_key, name, slot in (("gvcn", "gvcn-6A1", "GVCN"), ("hieu_truong", "hieu-truong", "HieuTruong"),
                                 ("don_vi", "con-dau", "DonVi")):
        after = sign_as(before, role_key, signers(name))
        start = re.search(rf"<{slot}\b".encode(), before[before.rfind(b"<DSCKS"):]).start() + before.rfind(b"<DSCKS")
        empty = re.match(rb"<\w+\s*/>|<\w+>\s*</\w+>", before[start:]).group(0)
        assert after[:start] == before[:start]  # the data and every earlier signature, byte for byte
        tail = before[start + len(empty):]
        assert after.endswith(tail)
        inserted = after[start:len(after) - len(tail)]
        assert inserted.startswith(f"<{slot}><Signature".encode()) and inserted.endswith(f"</{slot}>".encode())
        before = after


def test_principal_before_gvcn_is_refused(signers):
    with pytest.raises(SigningError) as caught:
        sign_as(HAND_BUILT, "hieu_truong", signers("hieu-truong"))
    assert caught.value.key == "sign_wrong_order"
    assert "GVCN" in caught.value.message("en")
    assert "Sai thứ tự ký" in caught.value.message("vi")


def test_seal_before_principal_is_refused(signers):
    gvcn = sign_as(HAND_BUILT, "gvcn", signers("gvcn-6A1"))
    with pytest.raises(SigningError) as caught:
        sign_as(gvcn, "don_vi", signers("con-dau"))
    assert caught.value.key == "sign_wrong_order"
    assert caught.value.fields["missing"] == "HieuTruong"


def test_a_filled_slot_is_refused(signers):
    gvcn = sign_as(HAND_BUILT, "gvcn", signers("gvcn-6A1"))
    with pytest.raises(SigningError) as caught:
        sign_as(gvcn, "gvcn", signers("gvcn-6A1"))
    assert caught.value.key == "sign_slot_filled"


def test_a_slot_signed_out_of_band_blocks_earlier_roles(signers):
    """A document whose seal slot is already filled (e.g. edited by hand) cannot get a GVCN signature."""
    gvcn = sign_as(HAND_BUILT, "gvcn", signers("gvcn-6A1"))
    stolen = signature(gvcn, "GVCN")
    forged = HAND_BUILT.replace(b"<DonVi />", b"<DonVi>" + etree.tostring(stolen) + b"</DonVi>")
    with pytest.raises(SigningError) as caught:
        sign_as(forged, "gvcn", signers("gvcn-6A1"))
    assert caught.value.key == "sign_later_signed"


def test_changing_student_data_breaks_all_three_signatures(sign_all, xmlsec):
    signed = sign_all(HAND_BUILT)
    tampered = signed.replace(b"<CaNam>8.5</CaNam>", b"<CaNam>9.5</CaNam>")
    assert tampered != signed
    for slot in SLOTS:
        ok, _ = xmlsec(tampered, slot)
        assert not ok


def test_changing_the_teachers_signature_value_breaks_the_later_ones(sign_all, xmlsec):
    signed = sign_all(HAND_BUILT)
    value = signature(signed, "GVCN").findtext(f"{{{DS}}}SignatureValue")
    flipped = value[:10] + ("A" if value[10] != "A" else "B") + value[11:]
    tampered = signed.replace(value.encode(), flipped.encode())
    for slot in SLOTS:
        ok, _ = xmlsec(tampered, slot)
        assert not ok, slot


def test_c14n_renders_a_subtree_as_in_its_document():
    """Pitfall 1: lxml's own subtree C14N invents xmlns="" under an inherited default namespace."""
    root = etree.fromstring(b'<r xmlns:p="urn:p" xml:lang="vi"><a xmlns="urn:x"><b Id="1"><c><d/></c></b></a></r>')
    b = root[0][0]
    assert c14n(b) == b'<b xmlns="urn:x" xmlns:p="urn:p" Id="1" xml:lang="vi"><c><d></d></c></b>'
    assert c14n(b, exclusive=True) == b'<b xmlns="urn:x" Id="1"><c><d></d></c></b>'


def test_plain_fast_path_gives_the_same_bytes(profile_documents):
    _, document = profile_documents[1]
    layout = Layout.of(parse(document))
    assert c14n(layout.data, plain=True) == c14n(layout.data)


def test_prepared_signature_is_byte_stable(signers):
    """The same moment gives the same to-be-signed bytes (a pending remote request can be prepared again)."""
    import datetime as dt

    moment = dt.datetime(2026, 5, 20, 8, 0, tzinfo=dt.timezone.utc)
    one = prepare_signature(HAND_BUILT, role("gvcn"), signers("gvcn-6A1"), moment=moment)
    two = prepare_signature(HAND_BUILT, role("gvcn"), signers("gvcn-6A1"), moment=moment)
    assert one.to_be_signed == two.to_be_signed
    assert one.signing_time == "2026-05-20T15:00:00"  # Vietnam local time, no offset (the government sample)


def test_documents_that_are_not_the_profile_are_refused(signers):
    with pytest.raises(InputError) as caught:
        sign_as(b"<HocBa><DSCKS><GVCN/></DSCKS></HocBa>", "gvcn", signers("gvcn-6A1"))
    assert caught.value.key == "sign_not_profile"
    with pytest.raises(InputError) as caught:
        sign_as(b'<!DOCTYPE x [<!ENTITY e "x">]>' + HAND_BUILT.split(b"?>", 1)[1], "gvcn", signers("gvcn-6A1"))
    assert caught.value.key == "sign_doctype"
    duplicate = HAND_BUILT.replace(b"<PBan>0.1</PBan>", b'<PBan Id="DLHocBa-0123456789abcdef01234567">0.1</PBan>')
    with pytest.raises(InputError):
        from connector.sign.xmldsig import ids_of

        ids_of(parse(duplicate))


def test_splice_only_fills_an_empty_slot():
    assert splice(b"<a><DSCKS><GVCN/><X/></DSCKS></a>", "GVCN", b"<S/>") == b"<a><DSCKS><GVCN><S/></GVCN><X/></DSCKS></a>"
    assert splice(b'<a><DSCKS><GVBM MaMon="toan" ></GVBM></DSCKS></a>', "GVBM", b"<S/>") == \
        b'<a><DSCKS><GVBM MaMon="toan"><S/></GVBM></DSCKS></a>'
    with pytest.raises(SigningError):
        splice(b"<a><DSCKS><GVCN><S/></GVCN></DSCKS></a>", "GVCN", b"<S/>")
