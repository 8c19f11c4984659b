"""xmlsec1 --verify as the independent judge of signatures made by the signer backends (tests only)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

GOLDEN = Path(__file__).resolve().parents[1] / "xml" / "golden" / "thcs_lop8.xml"


def xmlsec1_available() -> bool:
    return shutil.which("xmlsec1") is not None and GOLDEN.is_file()


def xmlsec1_verify(document: bytes, slot: str, root: x509.Certificate, work: Path) -> subprocess.CompletedProcess:
    """Verify the signature ``SIG-<slot>`` of ``document`` with xmlsec1, trusting only ``root``."""
    (work / "signed.xml").write_bytes(document)
    (work / "root.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    return subprocess.run(
        ["xmlsec1", "--verify", "--id-attr:Id", "DLHocBa", "--id-attr:Id", "Signature", "--id-attr:Id", "Object",
         "--trusted-pem", str(work / "root.pem"), "--node-id", f"SIG-{slot}", str(work / "signed.xml")],
        capture_output=True, text=True,
    )
