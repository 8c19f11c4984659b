"""Reading one cell: from what a spreadsheet or CSV holds to a canonical value.

Every parser takes a non-empty cell (``str``, or a ``date``/``datetime`` from a workbook) and returns
a JSON-able value (scores as decimal strings, dates as ISO strings) or raises :class:`BadValue` with
the message key of the problem. Codes are normalised through the shared code lists and kept as found
when unknown (the validator reports them); a value that cannot mean anything (a score "abc", a
date "31/02/2015") is a problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from connector import catalogue

from hocba_csv.spec import header_key, vocab

MAX_CELL_CHARS = 32_767  # Excel's own limit: a longer cell did not come from a spreadsheet
EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug cancels out after Feb 1900)
LIST_SEPARATOR = ";"


class BadValue(ValueError):
    def __init__(self, key: str, **fields: Any):
        super().__init__(key)
        self.key, self.fields = key, fields


class Formula(str):
    """A workbook cell holding a formula: never evaluated (docs/csv-format.md)."""


class CellError(str):
    """A workbook cell holding an error value such as #N/A."""


def cell_text(value: Any) -> Any:
    """What a workbook cell means as text; dates stay dates (a date column wants them)."""
    if value is None or isinstance(value, (str, date)):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float: 7.5 -> "7.5", 8.0 -> "8"
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def unescape(text: str) -> str:
    """Undo the exporter's formula-injection guard: one leading apostrophe is removed (the exporter
    adds one to every text starting with = + - @ tab CR LF or an apostrophe; Excel users type one to
    keep "0123" as text)."""
    return text[1:] if text.startswith("'") else text


# --- parsers ---------------------------------------------------------------------------------------


def as_text(cell: Any) -> str:
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return cell.strip()


def parse_note(cell: Any) -> str | None:
    """Free text (comments) is kept verbatim; only a cell of blanks counts as empty."""
    text = cell if isinstance(cell, str) else as_text(cell)
    return text if text.strip() else None


_SCORE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def parse_score(cell: Any) -> str:
    text = as_text(cell).replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # Vietnamese decimal comma: "7,5"
    if not _SCORE.match(text):
        raise BadValue("csv_bad_score")
    try:
        return str(Decimal(text))
    except InvalidOperation:  # pragma: no cover - the pattern already excludes it
        raise BadValue("csv_bad_score") from None


def parse_scores(cell: Any) -> list[str]:
    return [parse_score(part) for part in split_list(as_text(cell))]


def parse_values(cell: Any) -> dict[str, list[str]]:
    """Scores and/or Đ/CĐ results, ``;``-separated: each value goes to its family, so a comment
    result in a scored subject stays where it was found and TT22-1 can report it."""
    scores, texts = [], []
    nhan_xet = catalogue.code_list("tt22_nhan_xet")
    for part in split_list(as_text(cell)):
        try:
            scores.append(parse_score(part))
        except BadValue:
            code = nhan_xet.normalise(part)
            if code not in nhan_xet.codes:
                raise BadValue("csv_bad_score_or_result") from None
            texts.append(code)
    return {"scores": scores, "texts": texts}


def split_list(text: str) -> list[str]:
    return [p.strip() for p in text.split(LIST_SEPARATOR) if p.strip()]


def parse_int(cell: Any) -> int:
    text = as_text(cell)
    if not text.isdigit():
        raise BadValue("csv_bad_int")
    return int(text)


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")


def parse_date(cell: Any) -> str:
    """DD/MM/YYYY (also - and .), ISO YYYY-MM-DD, an Excel serial number, or a workbook date.
    Month-first dates are not guessed: 12/25/2010 is a problem, not 25 December."""
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    text = cell.strip()
    try:
        if m := _DMY.match(text):
            return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
        if m := _ISO.match(text):
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        if text.isdigit() and 10_000 <= int(text) <= 2_958_465:  # 1927-05-18 … 9999-12-31
            return (EXCEL_EPOCH + timedelta(days=int(text))).isoformat()
    except ValueError:
        pass
    raise BadValue("csv_bad_date")


def parse_gender(cell: Any) -> int:
    code = catalogue.code_list("gioi_tinh").normalise(as_text(cell))
    if code not in ("0", "1", "2"):
        raise BadValue("csv_bad_gender")
    return int(code)


_YEAR_RANGE = re.compile(r"^(\d{4})\s*[-–—/]\s*(\d{4})$")


def parse_school_year(cell: Any) -> str:
    """"2025-2026", "2025 - 2026", "2025–2026", or the start year "2025". An end year that is not
    start + 1 is kept as found so ID-3 can report it."""
    text = as_text(cell)
    if m := _YEAR_RANGE.match(text):
        return f"{m[1]}-{m[2]}"
    if re.fullmatch(r"\d{4}", text):
        return f"{text}-{int(text) + 1}"
    raise BadValue("csv_bad_school_year")


def parse_grade(cell: Any) -> int:
    text = header_key(as_text(cell)).removeprefix("khoi").removeprefix("lop")
    if not text.isdigit() or not 1 <= int(text) <= 12:
        raise BadValue("csv_bad_grade")
    return int(text)


def parse_level(cell: Any) -> str:
    code = catalogue.code_list("nhom_cap_hoc").normalise(as_text(cell))
    if code not in ("02", "03", "04"):
        raise BadValue("csv_bad_level")
    return code


def vocabulary(name: str, key: str) -> Callable[[Any], str]:
    def parse(cell: Any) -> str:
        value = vocab()[name].get(header_key(as_text(cell)))
        if value is None:
            raise BadValue(key)
        return value

    return parse


_bool_word = vocabulary("bool", "csv_bad_bool")


def parse_bool(cell: Any) -> bool:
    return _bool_word(cell) == "true"


def code(list_name: str) -> Callable[[Any], str]:
    codes = catalogue.code_list(list_name)
    return lambda cell: codes.normalise(as_text(cell))


def codes(list_name: str) -> Callable[[Any], list[str]]:
    one = catalogue.code_list(list_name)
    return lambda cell: [one.normalise(part) for part in split_list(as_text(cell))]


PARSERS: dict[str, Callable[[Any], Any]] = {
    "key": as_text,
    "text": as_text,
    "note": parse_note,
    "int": parse_int,
    "score": parse_score,
    "scores": parse_scores,
    "values": parse_values,
    "date": parse_date,
    "gender": parse_gender,
    "school_year": parse_school_year,
    "bool": parse_bool,
    "flag": parse_bool,
    "grade": parse_grade,
    "level": parse_level,
    "framework": vocabulary("framework", "csv_bad_framework"),
    "kind": vocabulary("kind", "csv_bad_kind"),
    "period": vocabulary("period", "csv_bad_period"),
    "semester": vocabulary("semester", "csv_bad_semester"),
}


def parser_for(type_name: str) -> Callable[[Any], Any]:
    if type_name.startswith("code:"):
        return code(type_name[5:])
    if type_name.startswith("codes:"):
        return codes(type_name[6:])
    return PARSERS[type_name]


def is_empty(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())
