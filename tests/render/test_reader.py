"""The rendering reads the signed XML, not a database: what it prints is what the signed bytes say."""

from __future__ import annotations

import hashlib

import pytest

from connector.errors import HocbaError
from connector.render.reader import RenderError, read_page
from connector.sign.certs import common_name
from tests.render.conftest import PAGES, SCHOOL, golden
from tests.xml.records import GOLDEN


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_every_golden_page_reads_back_to_its_record(name, profile):
    document = golden(name)
    page = read_page(document, [profile], name)
    expected = GOLDEN[name]()
    assert page.record.model_dump(exclude={"student_key"}) == expected.model_dump(exclude={"student_key"})
    assert page.document_id == profile.document_ref(expected)
    assert page.xml_sha256 == hashlib.sha256(document).hexdigest()
    assert (page.profile_id, page.profile_version, page.provisional) == ("hocba-xmldsig-dscks", "0.1", True)
    assert page.signers == [] and page.school_name is None


def test_signers_come_from_the_xml_signatures(signed_xml, profile, test_pki):
    page = read_page(signed_xml["tieuhoc_lop4"], [profile])
    assert [s.slot for s in page.signers] == ["GVCN", "HieuTruong", "DonVi"]
    gvcn = test_pki.gvcn[PAGES["tieuhoc_lop4"]].cert
    assert page.signer("GVCN").name == common_name_of(gvcn)
    assert page.signer("HieuTruong").name == common_name_of(test_pki.principal.cert)
    assert page.school_name == SCHOOL  # the XML has only the school code; the seal certificate names it
    assert all(s.signed_at is not None and s.signed_at.utcoffset() is not None for s in page.signers)


def common_name_of(cert) -> str:
    from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1

    return common_name(translate_pyca_cryptography_cert_to_asn1(cert))


def test_changed_student_data_is_not_rendered(signed_xml, profile):
    document = signed_xml["tieuhoc_lop4"].replace("Trần Minh Khôi".encode(), "Trần Minh Khải".encode())
    with pytest.raises(RenderError) as caught:
        read_page(document, [profile], "x.xml")
    assert caught.value.key == "render_xml_signature_broken" and caught.value.fields["slot"] == "GVCN"


def test_a_damaged_later_signature_is_not_rendered(signed_xml, profile):
    document = signed_xml["tieuhoc_lop4"]
    start = document.index(b"<SignatureValue>", document.index(b'Id="SIG-DonVi"')) + len(b"<SignatureValue>")
    flipped = b"A" if document[start:start + 1] != b"A" else b"B"
    with pytest.raises(RenderError) as caught:
        read_page(document[:start] + flipped + document[start + 1:], [profile])
    assert caught.value.fields["slot"] == "DonVi"


def test_documents_outside_the_profile_are_refused(profile):
    with pytest.raises(RenderError) as caught:
        read_page(b'<?xml version="1.0"?><HocBa xmlns="urn:other"/>', [profile], "other.xml")
    assert caught.value.key == "render_profile_unknown"
    invalid = golden("tieuhoc_lop1").replace(b"<GioiTinh>2</GioiTinh>", b"<GioiTinh>7</GioiTinh>")
    with pytest.raises(RenderError) as caught:
        read_page(invalid, [profile])
    assert caught.value.key == "render_xml_invalid"
    with pytest.raises(HocbaError):
        read_page(b"not xml at all", [profile])
