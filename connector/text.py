"""Text helpers shared by every stage: NFC, diacritic folding for matching, safe spreadsheet cells."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Đ/đ do not decompose in Unicode, so folding must map them by hand.
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Key for matching labels and headers: no diacritics, lower case, single spaces.

    "Mức  đạt\\nđược" and the NFD spelling of "Mức đạt được" both give "muc dat duoc".
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.translate(_FOLD_EXTRA)).strip().lower()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_safe(value: object) -> object:
    """Neutralise formula injection in text we write to CSV/XLSX (OWASP: prefix with a quote).

    Numbers stay numbers; only text that a spreadsheet would read as a formula is prefixed.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
