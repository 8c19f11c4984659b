"""``hocba render`` as a school runs it: render the signed XML of a class, then each signer adds their PAdES
signature at their own workstation with the backend they use for ``hocba sign``."""

from __future__ import annotations

import asyncio
import re

import pytest
from click.testing import CliRunner

from connector.cli import cli
from connector.render import pades
from connector.sign.pki import config_snippet
from tests.render.conftest import golden

BACKENDS = {"gvcn-4A2": "test-gvcn-4A2", "gvcn-11A5": "test-gvcn-11A5", "hieu_truong": "test-hieu-truong",
            "don_vi": "test-con-dau"}
DONE = re.compile(r"(\d+) XML files: (\d+) PDFs rendered, (\d+) kept, (\d+) signed, (\d+) refused")


def hocba(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def counts(output: str) -> tuple[int, ...]:
    match = DONE.search(output)
    assert match, output
    return tuple(int(g) for g in match.groups())


@pytest.fixture
def school(tmp_path, test_pki, signed_xml):
    xml = tmp_path / "signed"
    xml.mkdir()
    for name, document in signed_xml.items():
        (xml / f"{name}.xml").write_bytes(document)
    config = tmp_path / "config.toml"
    config.write_text(config_snippet(test_pki), "utf-8")
    return xml, tmp_path / "pdf", config


def render(school, *extra):
    xml, out, config = school
    return hocba("render", xml, "--out", out, "--config", config, "--lang", "en", *extra)


def sign(school, role_key, backend, *extra):
    return render(school, "--role", role_key, "--backend", backend, "--yes", *extra)


def test_render_then_each_role_signs_its_pdfs(school, roots):
    result = render(school)
    assert result.exit_code == 0, result.output
    assert counts(result.output) == (2, 2, 0, 0, 0)
    assert "not the official QĐ 3016/QĐ-BGDĐT format" in result.output
    out = school[1]
    unsigned = {p.name: p.read_bytes() for p in out.glob("*.pdf")}
    assert sorted(unsigned) == ["thpt_lop11_kiem_tra_lai.pdf", "tieuhoc_lop4.pdf"]

    result = sign(school, "hieu_truong", BACKENDS["hieu_truong"])  # before the teachers: nothing to sign yet
    assert result.exit_code == 0, result.output
    assert counts(result.output) == (2, 0, 2, 0, 0) and "2 PDFs are not yet for the Principal" in result.output

    result = sign(school, "gvcn", BACKENDS["gvcn-4A2"])  # the 4A2 teacher signs only her class's page
    assert result.exit_code == 0, result.output
    assert counts(result.output) == (2, 0, 2, 1, 0)
    assert "1 PDFs render XML signed as Homeroom teacher by someone else" in result.output
    assert pades.signed_fields((out / "tieuhoc_lop4.pdf").read_bytes()) == ["GVCN"]
    assert pades.signed_fields((out / "thpt_lop11_kiem_tra_lai.pdf").read_bytes()) == []

    for role_key, backend, *extra in (("gvcn", BACKENDS["gvcn-11A5"]),
                                      ("hieu_truong", BACKENDS["hieu_truong"], "--no-timestamp"),
                                      ("don_vi", BACKENDS["don_vi"], "--no-timestamp")):
        result = sign(school, role_key, backend, *extra)
        assert result.exit_code == 0, result.output
        assert ("PAdES B-B" if extra else "PAdES B-T") in result.output
    for path in out.glob("*.pdf"):
        document = path.read_bytes()
        assert document.startswith(unsigned[path.name])  # the rendering itself was never redone
        statuses = asyncio.run(pades.verify_pdf(document, roots))
        assert [s.field for s in statuses] == ["GVCN", "HieuTruong", "DonVi"] and all(s.ok for s in statuses)
        # [signing] tsa_url of the test PKI: the teachers' signatures are B-T; --no-timestamp gave B-B
        assert [s.timestamp is not None for s in statuses] == [True, False, False]

    result = render(school)  # again: the signed PDFs render the same XML and are kept as they are
    assert counts(result.output) == (2, 0, 2, 0, 0)

    xml = school[0]
    signed_pdf = (out / "tieuhoc_lop4.pdf").read_bytes()
    (xml / "tieuhoc_lop4.xml").write_bytes(golden("tieuhoc_lop4"))  # other bytes (the unsigned page)
    result = render(school)
    assert result.exit_code == 1
    assert "signed but was rendered from other XML bytes" in result.output
    assert (out / "tieuhoc_lop4.pdf").read_bytes() == signed_pdf  # never overwritten


def test_broken_input_is_reported_per_file(school):
    xml, out, _ = school
    (xml / "broken.xml").write_bytes(b"<HocBa")
    result = render(school)
    assert result.exit_code == 1
    assert counts(result.output) == (3, 2, 0, 0, 1)
    assert "broken.xml:" in result.output and "Traceback" not in result.output
    assert not (out / "broken.pdf").exists()


def test_usage_errors(school, tmp_path):
    assert render(school, "--role", "gvcn").exit_code == 2
    result = hocba("render", tmp_path / "nowhere", "--out", tmp_path / "pdf", "--lang", "en")
    assert result.exit_code == 2 and "does not exist" in result.output
