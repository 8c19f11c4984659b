"""``pkcs12`` signer backend: a key and certificate in a PKCS#12 file (.p12/.pfx).

For development and tests ONLY — in production the keys of teachers, principals and the school seal
live on USB tokens (``pkcs11``) or behind a remote-signing service (``remote``) and never on the
connector's machine (brief 05 §2). Using it logs a warning. The signer keeps the parsed key
(:class:`connector.sign.keyfile.LoadedKeySigner`), so one ``open()`` signs a whole class fast, and a large
batch is split over several processes (``workers``).
"""

from __future__ import annotations

import os
from pathlib import Path

from connector.errors import ConfigError
from connector.hookspecs import hookimpl
from connector.log import get_logger
from connector.sign.backend import SignerBackend

log = get_logger("hocba.sign.pkcs12")


class Pkcs12Backend(SignerBackend):
    name = "pkcs12"
    description = "Khoá trong tệp PKCS#12 — CHỈ để phát triển/kiểm thử / key in a PKCS#12 file — development and tests ONLY"
    notes = ("pkcs12: chỉ dùng để phát triển và kiểm thử; khoá thật nằm trên USB token hoặc dịch vụ ký từ xa / "
             "development and tests only; real keys live on USB tokens or remote signing",)
    config_schema = {
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "The .p12/.pfx file"},
            "password": {"type": "string", "secret": True, "writeOnly": True,
                         "description": "Its password (give password_env = \"VAR\" in the configuration)"},
            "password_file": {"type": "string", "description": "A file holding the password (e.g. mode 0600)"},
            "workers": {"type": "integer", "minimum": 1, "maximum": 64,
                        "description": "Processes signing a large batch in parallel (default: the CPUs, at most 4)"},
        },
        "required": ["path"],
        "additionalProperties": False,
    }

    def _password(self) -> bytes | None:
        if self.config.get("password") is not None:
            return self.config["password"].encode()
        if self.config.get("password_file"):
            try:
                return Path(self.config["password_file"]).read_text("utf-8").strip().encode()
            except OSError:
                raise ConfigError("sign_p12_unreadable", file=self.config["password_file"]) from None
        return None

    def workers(self) -> int:
        """The key is in memory, so forked processes can sign with it: use the cores (brief 11 §2)."""
        return self.config.get("workers") or min(4, len(os.sched_getaffinity(0)))

    def open(self):
        from connector.sign.keyfile import load_pkcs12_signer

        log.warning("pkcs12_backend_is_for_development_only")
        path = Path(self.config["path"])
        try:
            data = path.read_bytes()
        except OSError:
            raise ConfigError("sign_p12_unreadable", file=str(path)) from None
        return load_pkcs12_signer(data, self._password(), str(path))


@hookimpl
def register_signers(register):
    register(Pkcs12Backend)
