"""``hocba verify``: signatures, order, completeness, trust, validity at signing time, revocation."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from connector.sign.certs import RoleRules
from connector.sign.verify import VerifyOptions, render_text, verify_files
from tests.conftest import run_hocba
from tests.sign.conftest import HAND_BUILT, SLOTS, sign_as


def verify(tmp_path: Path, document: bytes, roots, **options):
    path = tmp_path / "hocba.xml"
    path.write_bytes(document)
    return asyncio.run(verify_files([path], VerifyOptions(trust_roots=roots, **options)))[0]


def drop_signature(document: bytes, slot: str) -> bytes:
    return re.sub(rf"<{slot}><Signature .*?</Signature></{slot}>".encode(), f"<{slot}/>".encode(), document,
                  flags=re.S)


@pytest.fixture(scope="module")
def signed(sign_all):
    return sign_all(HAND_BUILT)


def test_a_complete_document_is_valid(tmp_path, signed, roots):
    report = verify(tmp_path, signed, roots)
    assert report.status == "valid", render_text([report], "en")
    assert [s.slot for s in report.signatures] == list(SLOTS)
    assert all(s.value_ok and s.trusted and s.revocation == "good" for s in report.signatures)
    assert report.signatures[2].identifier == "MST:0109999999"
    assert not report.missing


def test_one_changed_byte_of_student_data_names_every_broken_signature(tmp_path, signed, roots):
    report = verify(tmp_path, signed.replace(b"Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b B\xc3\xacnh",
                                             b"Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b B\xc3\xadnh"), roots)
    assert report.status == "invalid"
    assert report.broken == ["SIG-GVCN", "SIG-HieuTruong", "SIG-DonVi"]
    for sig in report.signatures:
        assert any(e.key == "verify_digest_bad" and e.fields["uri"] == "#DLHocBa-0123456789abcdef01234567"
                   for e in sig.errors)
    text = render_text([report], "vi")
    assert "KHÔNG HỢP LỆ" in text and "đã bị thay đổi sau khi ký" in text


def test_a_changed_teacher_signature_breaks_it_and_the_later_ones(tmp_path, signed, roots):
    value = re.search(rb'Id="SIG-GVCN">.*?<SignatureValue>([^<]{20})', signed, flags=re.S)[1]
    tampered = signed.replace(value, value[:-1] + (b"A" if value[-1:] != b"A" else b"B"), 1)
    report = verify(tmp_path, tampered, roots)
    gvcn, ht, seal = report.signatures
    assert [e.key for e in gvcn.errors] == ["verify_value_bad"]
    assert any(e.key == "verify_digest_bad" and e.fields["uri"] == "#SIG-GVCN" for e in ht.errors)
    assert any(e.key == "verify_digest_bad" and e.fields["uri"] == "#SIG-GVCN" for e in seal.errors)


def test_without_the_seal_the_document_is_incomplete(tmp_path, signed, roots):
    report = verify(tmp_path, drop_signature(signed, "DonVi"), roots)
    assert report.status == "incomplete"
    assert report.missing == ["DonVi"]
    assert all(s.valid for s in report.signatures)
    assert "CHƯA ĐỦ CHỮ KÝ" in render_text([report], "vi")
    assert "INCOMPLETE" in render_text([report], "en")


def test_a_principal_signature_without_the_teachers_is_out_of_order(tmp_path, signed, roots):
    report = verify(tmp_path, drop_signature(signed, "GVCN"), roots)
    assert report.status == "invalid"
    assert "verify_signed_out_of_order" in [e.key for e in report.errors]
    assert report.missing == ["GVCN"]


def test_a_revoked_certificate_is_reported(tmp_path, signers, roots):
    document = sign_as(HAND_BUILT, "gvcn", signers("revoked-teacher"))
    report = verify(tmp_path, document, roots)
    assert report.signatures[0].revocation == "revoked"
    assert report.status == "invalid"
    offline = verify(tmp_path, document, roots, revocation="off")
    assert offline.signatures[0].revocation == "not_checked"
    assert offline.status == "incomplete"  # valid as far as can be told offline, and not yet complete


def test_unreachable_revocation_services_only_warn(tmp_path, signed, roots, pki_server):
    responder, pki_server._server.responder = pki_server._server.responder, None  # services answer 503/404
    try:
        report = verify(tmp_path, signed, roots)
    finally:
        pki_server._server.responder = responder
    assert report.status == "valid"
    assert {s.revocation for s in report.signatures} == {"unknown"}
    assert all(w.key == "verify_revocation_unreachable" for s in report.signatures for w in s.warnings)
    assert "không kết nối được OCSP/CRL" in render_text([report], "vi")


def test_trust_is_needed_and_must_match(tmp_path, signed, roots, test_pki):
    from connector.sign.certs import load_pem_certificates

    nothing = verify(tmp_path, signed, [])
    assert nothing.status == "invalid"
    assert all(e.key == "verify_no_trust" for s in nothing.signatures for e in s.errors)
    wrong = verify(tmp_path, signed, load_pem_certificates([test_pki.pem("tsa")]))
    assert {s.trusted for s in wrong.signatures} == {False}


def test_validity_is_judged_at_the_signing_time_or_a_pinned_one(tmp_path, signed, roots):
    later = verify(tmp_path, signed, roots, revocation="off", at=dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc))
    assert later.status == "invalid"
    assert {e.key for s in later.signatures for e in s.errors} == {"verify_not_valid_then"}


def test_the_seal_must_belong_to_the_configured_school(tmp_path, signed, roots):
    other = RoleRules({}, (), school_name="Trường THPT Khác", school_id="MST:0100000001")
    report = verify(tmp_path, signed, roots, rules=other)
    assert [e.key for e in report.signatures[2].errors] == ["sign_cert_not_school"]


def test_a_person_certificate_in_the_seal_slot_is_wrong(tmp_path, signed, roots):
    # move the principal's signature element (with its Ids renamed) into the seal slot
    part = re.search(rb'<HieuTruong>(<Signature .*?</Signature>)</HieuTruong>', signed, flags=re.S)[1]
    seal_slot = re.search(rb"<DonVi>.*?</DonVi>", signed, flags=re.S)[0]
    forged = signed.replace(seal_slot, b"<DonVi>" + part.replace(b"HieuTruong", b"DonVi") + b"</DonVi>")
    report = verify(tmp_path, forged, roots)
    assert "verify_wrong_kind" in [e.key for e in report.signatures[2].errors]


def test_the_command_line(tmp_path, signed, test_pki):
    """The real `hocba` process: exit 0 only when every file is complete and valid; the JSON report names
    the broken signatures. (Text reports in English are checked in test_workflow.py, in-process.)"""
    good, bad = tmp_path / "tot.xml", tmp_path / "hong.xml"
    good.write_bytes(signed)
    bad.write_bytes(signed.replace(b"<CaNam>8.5</CaNam>", b"<CaNam>9.5</CaNam>"))
    trust = str(test_pki.pem("root-ca"))
    ok = run_hocba("verify", str(good), "--trust", trust)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "HỢP LỆ" in ok.stdout and "chưa thu hồi" in ok.stdout
    mixed = run_hocba("verify", str(good), str(bad), str(tmp_path / "khong-co.xml"), "--trust", trust, "--json",
                      "--offline")
    assert mixed.returncode == 1
    report = json.loads(mixed.stdout)
    assert [r["status"] for r in report] == ["valid", "invalid", "invalid"]
    assert report[1]["broken"] == ["SIG-GVCN", "SIG-HieuTruong", "SIG-DonVi"]
    assert report[2]["errors"][0]["key"] == "verify_unreadable"
