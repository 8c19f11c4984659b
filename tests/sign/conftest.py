"""Shared set-up for the signing tests: one TEST PKI per worker (``hocba pki init``'s code) with its local
TSA/OCSP/CRL server on 127.0.0.1, signers loaded from its PKCS#12 files, documents to sign, and xmlsec1 as
the independent verifier."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest

from connector.sign.pki import create_test_pki
from connector.sign.pki_server import LocalPkiServer
from connector.sign.roles import role
from connector.sign.xmldsig import add_signature

CLASSES = ["6A1", "7A1", "8A1", "9A1"]  # the classes of generate_school(…, level="thcs", students=8)
SLOTS = ("GVCN", "HieuTruong", "DonVi")
DS = "http://www.w3.org/2000/09/xmldsig#"

#: A hand-built unsigned document of the profile's shape (brief 05 §3.1), with an in-scope prefix and an
#: inherited xml:lang to exercise inclusive C14N in context (pitfalls 1 and 2).
HAND_BUILT = """<?xml version="1.0" encoding="UTF-8"?>
<HocBa xmlns="urn:hocba:schema:canonical:0.1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xml:lang="vi">
  <PBan>0.1</PBan>
  <DLHocBa Id="DLHocBa-0123456789abcdef01234567">
    <HocSinh><MaHocSinh>7010000001</MaHocSinh><HoTen>Nguyễn Thị Bình</HoTen></HocSinh>
    <QuaTrinhHocTap><NamHoc>2025-2026</NamHoc><Lop>6A1</Lop></QuaTrinhHocTap>
    <DanhGiaTrungHoc><MonHoc MaMon="toan"><CaNam>8.5</CaNam></MonHoc><MonHoc MaMon="ngu_van"><CaNam>7.0</CaNam></MonHoc>
      <KetQuaHocTap><CaNam>K</CaNam></KetQuaHocTap></DanhGiaTrungHoc>
  </DLHocBa>
  <DSCKS>
    <GVCN/>
    <HieuTruong></HieuTruong>
    <DonVi />
  </DSCKS>
</HocBa>
""".encode()


@pytest.fixture(scope="session")
def pki_server():
    server = LocalPkiServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory, pki_server):
    made = create_test_pki(tmp_path_factory.mktemp("pki"), CLASSES, url=pki_server.url)
    pki_server.load(made.directory)
    return made


@pytest.fixture(scope="session")
def signers(test_pki):
    """name -> a pkcs12 signer of the test PKI (gvcn-6A1 …, hieu-truong, con-dau, revoked-teacher)."""
    return test_pki.signer


@pytest.fixture(scope="session")
def roots(test_pki):
    from connector.sign.certs import load_pem_certificates

    return load_pem_certificates([test_pki.pem("root-ca")])


def sign_as(document: bytes, role_key: str, signer, **kwargs) -> bytes:
    return asyncio.run(add_signature(document, role(role_key), signer, **kwargs))


@pytest.fixture(scope="session")
def sign_all(signers):
    """GVCN (of ``lop``) → principal → seal."""

    def run(document: bytes, lop: str = "6A1", **kwargs) -> bytes:
        document = sign_as(document, "gvcn", signers(f"gvcn-{lop}"), **kwargs)
        document = sign_as(document, "hieu_truong", signers("hieu-truong"), **kwargs)
        return sign_as(document, "don_vi", signers("con-dau"), **kwargs)

    return run


@pytest.fixture(scope="session")
def profile_documents():
    """(record, unsigned document) of a small synthetic THCS school, serialised by the XML profile."""
    from connector.synth import generate_school
    from connector.xml.hocba_profile import HocbaProfile

    profile = HocbaProfile()
    return [(r, profile.serialize(r)) for r in generate_school(21, level="thcs", students=8)]


def xmlsec1_verify(path: Path, slot: str, root_pem: Path) -> subprocess.CompletedProcess:
    """libxmlsec1's own verifier: the Ids it may resolve are registered explicitly (brief 05 §5, §12)."""
    assert shutil.which("xmlsec1"), "xmlsec1 is missing: apt-get install xmlsec1 (scripts/system-packages.txt)"
    return subprocess.run(
        ["xmlsec1", "--verify", "--trusted-pem", str(root_pem),
         "--id-attr:Id", "urn:hocba:schema:canonical:0.1:DLHocBa",
         "--id-attr:Id", f"{DS}:Signature", "--id-attr:Id", f"{DS}:Object",
         "--node-id", f"SIG-{slot}", str(path)],
        capture_output=True, text=True, timeout=60,
    )


@pytest.fixture
def xmlsec(tmp_path, test_pki):
    """verify(document bytes, slot) -> (ok, stderr) with xmlsec1 trusting only the test root."""

    def verify(document: bytes, slot: str) -> tuple[bool, str]:
        path = tmp_path / "document.xml"
        path.write_bytes(document)
        result = xmlsec1_verify(path, slot, test_pki.pem("root-ca"))
        return result.returncode == 0, result.stderr

    return verify
