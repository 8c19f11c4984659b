"""PAdES on the rendering: the same roles as the XML, in the same order, each in an incremental update;
checked with pyHanko's validation and with poppler's pdfsig (an independent implementation on NSS)."""

from __future__ import annotations

import asyncio
import dataclasses
import re

import pytest

from connector.render import pades
from connector.render.pdf import pdf_keywords
from connector.render.reader import RenderError
from connector.sign.roles import role
from tests.render.conftest import PAGES, poppler, write

FIELDS = ["GVCN", "HieuTruong", "DonVi"]


def verify(pdf: bytes, roots):
    return asyncio.run(pades.verify_pdf(pdf, roots))


@pytest.mark.parametrize("name", sorted(PAGES))
def test_three_roles_sign_in_order_and_verify(name, pades_signed, rendered, roots):
    page, _ = rendered[name]
    final = pades_signed[name][-1]
    statuses = verify(final, roots)
    assert [s.field for s in statuses] == FIELDS  # one field per role, signed in the paper's order
    assert all(s.ok for s in statuses), statuses
    assert [s.signer for s in statuses] == [page.signer(slot).name for slot in FIELDS]  # same people as the XML
    assert [s.certified for s in statuses] == [True, False, False]  # the homeroom teacher certifies
    assert {s.subfilter for s in statuses} == {"/ETSI.CAdES.detached"}  # PAdES
    assert all(s.timestamp is not None for s in statuses)  # B-T: the local TSA's token on each
    assert [s.modification_level for s in statuses][:2] == ["FORM_FILLING", "FORM_FILLING"]
    assert pades.signed_fields(final) == FIELDS


@pytest.mark.parametrize("name", sorted(PAGES))
def test_pdfsig_accepts_every_signature(name, pades_signed, tmp_path):
    proc = poppler("pdfsig", str(write(tmp_path, pades_signed[name][-1])))
    fields = re.findall(r"Signature Field Name: (\S+)", proc.stdout)
    assert fields == FIELDS, proc.stdout + proc.stderr
    assert proc.stdout.count("Signature Validation: Signature is Valid.") == 3, proc.stdout
    assert proc.stdout.count("Signature Type: ETSI.CAdES.detached") == 3


def test_each_signature_is_an_incremental_update(pades_signed, rendered):
    unsigned = rendered["tieuhoc_lop4"][1]
    steps = pades_signed["tieuhoc_lop4"]
    for before, after in zip([unsigned, *steps[:-1]], steps, strict=True):
        assert after.startswith(before) and len(after) > len(before)  # earlier bytes untouched
    assert pdf_keywords(steps[-1]) == pdf_keywords(unsigned)  # still names the XML it renders


def test_order_is_enforced(rendered, pades_signed, signers):
    _, unsigned = rendered["tieuhoc_lop4"]
    with pytest.raises(RenderError) as caught:
        pades.check_order(unsigned, role("hieu_truong"))
    assert caught.value.key == "render_pdf_wrong_order" and caught.value.fields["missing"] == "GVCN"
    with pytest.raises(RenderError) as caught:
        pades.check_order(pades_signed["tieuhoc_lop4"][0], role("gvcn"))
    assert caught.value.key == "render_pdf_already_signed"
    with pytest.raises(RenderError) as caught:
        pades.check_order(pades_signed["tieuhoc_lop4"][1], dataclasses.replace(role("don_vi"), slot="Khac"))
    assert caught.value.key == "render_pdf_no_field"
    [refused] = asyncio.run(pades.sign_many([("x.pdf", unsigned)], role("don_vi"), signers("con-dau")))
    assert isinstance(refused, RenderError) and refused.key == "render_pdf_wrong_order"


def test_only_the_xml_signer_of_a_role_signs_its_pdf(rendered, signers):
    page, _ = rendered["tieuhoc_lop4"]
    pades.check_same_signer(page, role("gvcn"), signers("gvcn-4A2").signing_cert)
    with pytest.raises(RenderError) as caught:
        pades.check_same_signer(page, role("gvcn"), signers("gvcn-11A5").signing_cert)
    assert caught.value.key == "render_signer_differs"


def test_a_changed_byte_breaks_the_signatures(pades_signed, roots):
    final = pades_signed["tieuhoc_lop4"][-1]
    position = final.index(b"/Keywords (hocba")  # inside the first revision, covered by every signature
    tampered = final[:position + 12] + b"X" + final[position + 13:]
    statuses = verify(tampered, roots)
    assert statuses and not any(s.intact for s in statuses)


def test_b_b_without_a_time_stamping_authority(rendered, signers, roots):
    _, unsigned = rendered["thpt_lop11_kiem_tra_lai"]
    [signed] = asyncio.run(pades.sign_many([("x.pdf", unsigned)], role("gvcn"), signers("gvcn-11A5")))
    [status] = verify(signed, roots)
    assert status.ok and status.timestamp is None and status.certified


def test_an_unreachable_tsa_is_a_clear_refusal(rendered, signers):
    _, unsigned = rendered["thpt_lop11_kiem_tra_lai"]
    [result] = asyncio.run(pades.sign_many([("x.pdf", unsigned)], role("gvcn"), signers("gvcn-11A5"),
                                           tsa_url="http://127.0.0.1:9/tsa"))
    assert isinstance(result, RenderError) and result.key == "render_tsa_failed"


def test_a_busy_batch_does_not_time_out_its_time_stamps(rendered, test_pki, pki_server, roots, monkeypatch):
    """A batch prepares its PDFs on the event loop (synchronous work: seconds for a class). The TSA's answer
    to the first PDF must not be timed out while the loop prepares the others (148 PDFs of the demo school
    lost 25 time-stamps that way)."""
    import time

    from connector.sign.keyfile import load_pkcs12_signer

    monkeypatch.setattr(pades, "TSA_TIMEOUT", 1)
    signer = load_pkcs12_signer(test_pki.p12("gvcn-11A5").read_bytes(), test_pki.password, "gvcn-11A5")
    sign_raw = signer.async_sign_raw

    async def busy_sign_raw(data, digest_algorithm, dry_run=False):
        time.sleep(0.4)  # holds the event loop, like preparing the next PDF of the batch
        return await sign_raw(data, digest_algorithm, dry_run)

    signer.async_sign_raw = busy_sign_raw
    _, unsigned = rendered["thpt_lop11_kiem_tra_lai"]
    results = asyncio.run(pades.sign_many([(f"{i}.pdf", unsigned) for i in range(6)], role("gvcn"), signer,
                                          tsa_url=f"{pki_server.url}/tsa"))
    assert all(isinstance(r, bytes) for r in results), results
    [status] = verify(results[0], roots)
    assert status.ok and status.timestamp is not None
