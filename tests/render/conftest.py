"""Shared set-up for the rendering tests: the golden XML pages of tests/xml, signed by the three roles with
a TEST PKI (``hocba pki init``'s code) whose local TSA runs on 127.0.0.1, and helpers that look at PDFs with
poppler's tools (pdftoppm, pdftotext, pdffonts, pdfsig) — none of them written here."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest

from connector.render import pades
from connector.render.pdf import render_pdf
from connector.render.reader import read_page
from connector.sign.certs import load_pem_certificates
from connector.sign.pki import create_test_pki
from connector.sign.pki_server import LocalPkiServer
from connector.sign.roles import role
from connector.sign.xmldsig import add_signature
from connector.xml.hocba_profile import HocbaProfile

GOLDEN = Path(__file__).resolve().parents[1] / "xml" / "golden"
SCHOOL = "Trường Liên cấp Thử Nghiệm Hòa Bình"
#: golden page -> class (its GVCN's certificate in the test PKI)
PAGES = {"tieuhoc_lop4": "4A2", "thpt_lop11_kiem_tra_lai": "11A5"}
ROLE_SIGNERS = (("gvcn", None), ("hieu_truong", "hieu-truong"), ("don_vi", "con-dau"))


def golden(name: str) -> bytes:
    return (GOLDEN / f"{name}.xml").read_bytes()


@pytest.fixture(scope="session")
def profile():
    return HocbaProfile()


@pytest.fixture(scope="session")
def pki_server():
    server = LocalPkiServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory, pki_server):
    made = create_test_pki(tmp_path_factory.mktemp("pki"), sorted(set(PAGES.values())), url=pki_server.url,
                           school_name=SCHOOL)
    pki_server.load(made.directory)
    return made


@pytest.fixture(scope="session")
def roots(test_pki):
    return load_pem_certificates([test_pki.pem("root-ca")])


@pytest.fixture(scope="session")
def signers(test_pki):
    """name -> a pkcs12 signer of the test PKI (gvcn-4A2, gvcn-11A5, hieu-truong, con-dau)."""
    return test_pki.signer


def signer_name(default: str | None, lop: str) -> str:
    """The test PKI identity that signs a role: the class's homeroom teacher when the role has no fixed one."""
    return default or f"gvcn-{lop}"


@pytest.fixture(scope="session")
def signed_xml(signers):
    """page name -> the golden XML signed GVCN → principal → seal (XMLDSig, the signing stage's code)."""
    out = {}
    for name, lop in PAGES.items():
        document = golden(name)
        for role_key, default in ROLE_SIGNERS:
            signer = signers(signer_name(default, lop))
            document = asyncio.run(add_signature(document, role(role_key), signer))
        out[name] = document
    return out


@pytest.fixture(scope="session")
def rendered(signed_xml, profile):
    """page name -> (SignedPage, unsigned PDF rendering of the signed XML)."""
    out = {}
    for name, document in signed_xml.items():
        page = read_page(document, [profile], name)
        out[name] = (page, render_pdf(page, pades.field_names()))
    return out


@pytest.fixture(scope="session")
def pades_signed(rendered, signers, pki_server):
    """page name -> list of the PDF after each PAdES signature (GVCN, principal, seal), B-T with the local TSA."""
    out = {}
    for name, (_, pdf) in rendered.items():
        steps = []
        for role_key, default in ROLE_SIGNERS:
            [pdf] = asyncio.run(pades.sign_many([(name, pdf)], role(role_key),
                                                signers(signer_name(default, PAGES[name])),
                                                tsa_url=f"{pki_server.url}/tsa"))
            assert isinstance(pdf, bytes), pdf
            steps.append(pdf)
        out[name] = steps
    return out


# --- poppler, the independent reader -------------------------------------------------------------------


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: apt-get install poppler-utils (scripts/system-packages.txt)"
    return path


def poppler(name: str, *args: str, timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run([tool(name), *args], capture_output=True, text=True, timeout=timeout)


def write(tmp_path: Path, pdf: bytes, stem: str = "page") -> Path:
    path = tmp_path / f"{stem}.pdf"
    path.write_bytes(pdf)
    return path
