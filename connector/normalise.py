"""Value normalisers every source needs: one vendor value in, one canonical value out.

Shared so the plugins do not each re-invent them (a vendor mapping names them by key, see
:data:`NORMALISERS`). A value that cannot mean anything raises :class:`BadValue` with a message key;
the source turns it into a Problem naming table/file, row and column. ``None`` stays ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any


class BadValue(ValueError):
    """A value that cannot be read. ``column`` (when known) names where it came from."""

    def __init__(self, key: str = "source_value_invalid", *, column: str | None = None, value: Any = None):
        super().__init__(key)
        self.key, self.column, self.value = key, column, value


_START_YEAR = re.compile(r"^\d{4}$")
_YEAR_RANGE = re.compile(r"^(\d{4})\s*[-–—/]\s*(\d{4})$")


def school_year(value: Any) -> str | None:
    """``"2022"`` or ``2022`` (the start year, as vnEdu stores it) → ``"2022-2023"``; a range
    ("2022-2023", "2022 – 2023", "2022/2023") → ``"2022-2023"``. An end year that is not the start
    year plus one is kept as found, so the validator reports it (ID-3)."""
    if value is None:
        return None
    text = str(value).strip()
    if _START_YEAR.match(text):
        return f"{text}-{int(text) + 1}"
    if m := _YEAR_RANGE.match(text):
        return f"{m[1]}-{m[2]}"
    raise BadValue("source_value_invalid", value=value)


_SCORE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def is_score_text(text: str) -> bool:
    """True for a decimal number written with a point or a Vietnamese decimal comma ("7,5")."""
    return bool(_SCORE.match(text.replace(",", ".", 1) if "." not in text else text))


def score(value: Any) -> Decimal | None:
    """A score exactly as written: ``"7.5"``/``"7,5"`` → Decimal("7.5"), ``"8.0"`` stays ``8.0``.
    Floats from a driver go through ``str`` (7.5 → "7.5"), never through binary arithmetic."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise BadValue("source_value_invalid", value=value)
    text = str(value).strip()
    if not text:
        return None
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if not _SCORE.match(text):
        raise BadValue("source_value_invalid", value=value)
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern already excludes it
        raise BadValue("source_value_invalid", value=value) from None


def flag(value: Any) -> bool | None:
    """0/1 (also "0"/"1", b"\\x01" from a BIT column, True/False) → bool."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = int.from_bytes(value, "big")
    if isinstance(value, bool):
        return value
    if str(value).strip() in ("0", "1"):
        return str(value).strip() == "1"
    raise BadValue("source_value_invalid", value=value)


def text(value: Any) -> str | None:
    """Text with surrounding blanks removed; an empty text is no value."""
    if value is None:
        return None
    out = str(value).strip()
    return out or None


#: Normalisers by the name a vendor mapping uses (``{ column = "nam_hoc", normalise = "school_year" }``).
NORMALISERS: dict[str, Callable[[Any], Any]] = {
    "school_year": school_year,
    "score": score,
    "flag": flag,
    "text": text,
}
