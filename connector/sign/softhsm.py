"""Throwaway SoftHSM2 tokens for tests, the benchmark and demos — DEVELOPMENT ONLY.

SoftHSM2 is a software PKCS#11 token: the same library calls as a USB token, keys in files. It lets the
test suite drive the ``pkcs11`` backend for real (brief 09 §6, 05 §10.3). Never use it for real signatures.

The recipe follows brief 09 §6: ``softhsm2-util --init-token --free`` (the token lands in a random slot, so
it is always looked up by label), ``softhsm2-util --import`` for the key pair (PKCS#8), opensc's
``pkcs11-tool --write-object --type cert`` for certificates (``--import`` does not import them).

SoftHSM2 reads ``SOFTHSM2_CONF`` once, when a process first initialises the library, and does not see
tokens created by another process afterwards. So: build every token a process needs with
:meth:`SoftHSMStore.add_token` *before* the process signs with any of them, and keep one store per process
(:func:`process_store`).
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

MODULE_CANDIDATES = (
    "/usr/lib/softhsm/libsofthsm2.so",  # Debian/Ubuntu package softhsm2
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib64/softhsm/libsofthsm2.so",  # Fedora
    "/usr/local/lib/softhsm/libsofthsm2.so",  # built from source
)
TOOLS = ("softhsm2-util", "pkcs11-tool")


def find_module() -> str | None:
    for candidate in MODULE_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return None


def missing_tools() -> list[str]:
    """What is missing to build SoftHSM2 tokens here (empty when everything is installed)."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if find_module() is None:
        missing.append("libsofthsm2.so")
    return missing


@dataclass
class TokenObject:
    """One key pair (and its certificate) to put on a token, found by ``label`` or ``id``."""

    label: str
    id: bytes
    private_key: object  # a cryptography private key (RSA or EC)
    certificate: x509.Certificate


@dataclass
class SoftHSMStore:
    """A token directory with its own ``softhsm2.conf``; :meth:`activate` points this process at it."""

    root: Path
    module: str = field(default_factory=lambda: find_module() or MODULE_CANDIDATES[0])

    @classmethod
    def create(cls, parent: str | os.PathLike | None = None) -> SoftHSMStore:
        root = Path(tempfile.mkdtemp(prefix="hocba-softhsm-", dir=parent))
        (root / "tokens").mkdir()
        (root / "softhsm2.conf").write_text(
            f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n",
            encoding="utf-8",
        )
        return cls(root)

    @property
    def conf(self) -> Path:
        return self.root / "softhsm2.conf"

    def env(self) -> dict[str, str]:
        return {**os.environ, "SOFTHSM2_CONF": str(self.conf)}

    def activate(self) -> None:
        os.environ["SOFTHSM2_CONF"] = str(self.conf)

    def _run(self, *args: str) -> None:
        proc = subprocess.run(args, env=self.env(), capture_output=True, text=True)
        if proc.returncode:
            raise RuntimeError(f"{args[0]} failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")

    def add_token(
        self,
        label: str,
        pin: str,
        so_pin: str = "12345678",
        objects: tuple[TokenObject, ...] = (),
        ca_certs: dict[str, x509.Certificate] | None = None,
    ) -> None:
        """Initialise a token and store key pairs, their certificates and CA certificates (by label)."""
        self._run("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", so_pin, "--pin", pin)
        work = Path(tempfile.mkdtemp(dir=self.root))
        try:
            for obj in objects:
                key_file = work / f"{obj.id.hex()}.p8"
                key_file.write_bytes(obj.private_key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                ))
                self._run("softhsm2-util", "--import", str(key_file), "--token", label,
                          "--label", obj.label, "--id", obj.id.hex(), "--pin", pin)
                key_file.unlink()
                self._write_cert(label, pin, obj.certificate, obj.label, obj.id, work)
            for n, (cert_label, cert) in enumerate((ca_certs or {}).items(), start=1):
                self._write_cert(label, pin, cert, cert_label, bytes([0xCA, n]), work)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _write_cert(self, token: str, pin: str, cert: x509.Certificate, label: str, id_: bytes, work: Path) -> None:
        der = work / f"cert-{id_.hex()}.der"
        der.write_bytes(cert.public_bytes(serialization.Encoding.DER))
        self._run("pkcs11-tool", "--module", self.module, "--token-label", token, "--login", "--pin", pin,
                  "--write-object", str(der), "--type", "cert", "--id", id_.hex(), "--label", label)

    def delete_token(self, label: str) -> None:
        """Remove a token from another process: to the library this looks like a token pulled out."""
        self._run("softhsm2-util", "--delete-token", "--token", label)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


_process_store: SoftHSMStore | None = None


def process_store() -> SoftHSMStore:
    """The one token directory of this process, activated (``SOFTHSM2_CONF``) on first use."""
    global _process_store
    if _process_store is None:
        _process_store = SoftHSMStore.create()
        _process_store.activate()
        atexit.register(_process_store.remove)
    return _process_store
