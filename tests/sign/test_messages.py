"""Every message key the signing core raises or prints exists in Vietnamese and English."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from connector.i18n import catalogue

SIGN = Path(__file__).resolve().parents[2] / "connector" / "sign"
MODULES = ["certs.py", "roles.py", "xmldsig.py", "verify.py", "evidence.py", "workflow.py", "cli.py", "pkcs12.py",
           "keyfile.py", "pki.py", "pki_server.py"]
CALL = re.compile(r"""\b(?:SigningError|InputError|ConfigError|Issue|t)\(\s*[frb]?["']([a-z][a-z0-9_]+)["']""")
PROBLEM = re.compile(r"""(?:problems|errors)\.append\(\s*["']([a-z][a-z0-9_]+)["']\)""")


def used_keys() -> set[str]:
    keys = set()
    for name in MODULES:
        text = (SIGN / name).read_text("utf-8")
        keys |= set(CALL.findall(text)) | set(PROBLEM.findall(text))
    return {k for k in keys if not k.endswith("_")}  # composed keys ("verify_status_" + status): below


def test_the_scan_finds_keys():
    assert {"sign_wrong_order", "verify_digest_bad", "evidence_unreadable", "pki_done"} <= used_keys()


@pytest.mark.parametrize("key", sorted(used_keys()))
def test_key_exists_in_both_languages(key):
    entry = catalogue().get(key)
    assert entry is not None, f"{key} is missing from connector/data/messages.toml"
    assert entry.get("vi") and entry.get("en")
    fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}  # noqa: E731
    assert fields(entry["vi"]) == fields(entry["en"]), key


@pytest.mark.parametrize("key", [f"verify_status_{s}" for s in ("valid", "incomplete", "invalid")] +
                         [f"verify_revocation_{s}" for s in ("good", "revoked", "unknown", "not_checked", "no_info")])
def test_composed_keys_exist(key):
    assert catalogue()[key]["vi"] and catalogue()[key]["en"]
