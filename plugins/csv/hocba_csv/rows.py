"""Raw rows of one table: a CSV file or one sheet of a workbook, streamed.

A raw row is ``(row number, cells, problem key or None)``. Row numbers are what a spreadsheet user
sees (1 = the first row; a CSV record spanning several lines is one row). Cells are ``str`` (CSV,
NFC), or for workbooks ``str``/``date``/``datetime``, :class:`Formula` and :class:`CellError` markers.
Memory stays bounded: one row at a time, physical lines cut at :data:`LINE_LIMIT` characters.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hocba_csv.encoding import TCVN3, Detected, fix_tcvn3_case
from hocba_csv.values import CellError, Formula, cell_text

LINE_LIMIT = 1 << 20  # characters kept of one physical CSV line; the rest is dropped and reported
DELIMITERS = (",", ";", "\t", "|")
SNIFF_ROWS = 30

UNTERMINATED = "unterminated"  # not a problem by itself: many tools omit the final line break
RawRow = tuple[int, list[Any] | None, str | None]


class FileProblem(Exception):
    """A whole file or sheet cannot be used; ``key`` is the message key."""

    def __init__(self, key: str, row: int | None = None, column: str | None = None, **fields: object):
        super().__init__(key)
        self.key, self.row, self.column, self.fields = key, row, column, fields


@dataclass(frozen=True)
class TableFile:
    """Where one table's rows are: a CSV file, or a sheet of a workbook."""

    path: Path
    kind: str  # "csv", "xlsx", "xls"
    sheet: str | None = None

    @property
    def label(self) -> str:
        """What problems call it: the file name, with the sheet for workbooks."""
        return f"{self.path.name}[{self.sheet}]" if self.sheet else self.path.name


# --- CSV ----------------------------------------------------------------------------------------------


class _Lines:
    """Physical lines for the csv module, each cut at LINE_LIMIT characters; remembers whether a
    line was cut (the row is reported) and whether the file ended with a line break."""

    def __init__(self, f):
        self.f = f
        self.cut = 0
        self.terminated = True

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.f.readline(LINE_LIMIT)
        if not line:
            raise StopIteration
        if len(line) >= LINE_LIMIT and not line.endswith(("\n", "\r")):
            self.cut += 1
            while (rest := self.f.readline(LINE_LIMIT)) and not rest.endswith(("\n", "\r")):
                pass
            # close a quote the cut left open, so the following lines are read as rows again
            line += ('"' if line.count('"') % 2 else "") + "\n"
        self.terminated = line.endswith(("\n", "\r"))
        return line


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the first lines into the most consistent number (> 1) of cells."""
    best, best_score = ",", (0, 0)
    for d in DELIMITERS:
        widths = [len(r) for r in csv.reader(lines, delimiter=d) if len(r) > 1]
        if not widths:
            continue
        mode = max(set(widths), key=widths.count)
        score = (widths.count(mode), mode)
        if score > best_score:
            best, best_score = d, score
    return best


def _first_lines(path: Path, detected: Detected, count: int) -> list[str]:
    out = []
    with path.open(encoding=detected.encoding, errors="replace", newline="") as f:
        lines = _Lines(f)
        for line in lines:
            out.append(line)
            if len(out) >= count:
                break
    return out


def csv_rows(path: Path, detected: Detected, delimiter: str | None) -> Iterator[RawRow]:
    if csv.field_size_limit() < LINE_LIMIT + 2:
        csv.field_size_limit(LINE_LIMIT + 2)  # the line cut bounds memory; this only lifts csv's own cap
    delimiter = delimiter or sniff_delimiter(_first_lines(path, detected, SNIFF_ROWS))
    fix_case = detected.encoding == TCVN3
    with path.open(encoding=detected.encoding, errors=detected.errors, newline="") as f:
        lines = _Lines(f)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        number, pending = 0, None
        while True:
            cut_before = lines.cut
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error:
                number += 1
                if pending:
                    yield pending
                pending = (number, None, "csv_row_malformed")
                continue
            number += 1
            cells = [unicodedata.normalize("NFC", fix_tcvn3_case(c) if fix_case else c) for c in row]
            if pending:
                yield pending
            pending = (number, cells, "csv_cell_too_long" if lines.cut != cut_before else None)
        if pending:
            n, cells, problem = pending
            # no line break after the last row: the table reader checks the row is complete
            yield (n, cells, problem or (None if lines.terminated or not cells else UNTERMINATED))


# --- workbooks --------------------------------------------------------------------------------------


def _xlsx_cell(cell) -> Any:
    kind = getattr(cell, "data_type", None)
    if kind == "f":
        return Formula(str(cell.value))
    if kind == "e":
        return CellError(str(cell.value))
    value = cell_text(cell.value)
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def open_xlsx(path: Path):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # a damaged or foreign file: the workbook library says why in many ways
        raise FileProblem("csv_file_unreadable", kind=type(exc).__name__) from None


def open_xls(path: Path):
    import xlrd

    try:
        return xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:
        raise FileProblem("csv_file_unreadable", kind=type(exc).__name__) from None


def sheet_names(path: Path, kind: str) -> list[str]:
    if kind == "xlsx":
        with closing(open_xlsx(path)) as wb:
            return list(wb.sheetnames)
    book = open_xls(path)
    try:
        return list(book.sheet_names())
    finally:
        book.release_resources()


def xlsx_rows(path: Path, sheet: str) -> Iterator[RawRow]:
    with closing(open_xlsx(path)) as wb:
        ws = wb[sheet]
        try:
            for number, row in enumerate(ws.iter_rows(), start=1):
                yield number, [_xlsx_cell(c) for c in row], None
        except Exception as exc:  # damaged sheet XML part-way through
            raise FileProblem("csv_file_unreadable", kind=type(exc).__name__) from None


def xls_rows(path: Path, sheet: str) -> Iterator[RawRow]:
    import xlrd

    book = open_xls(path)
    try:
        ws = book.sheet_by_name(sheet)
        for r in range(ws.nrows):
            yield r + 1, [_xls_cell(book, c, xlrd) for c in ws.row(r)], None
    except FileProblem:
        raise
    except Exception as exc:
        raise FileProblem("csv_file_unreadable", kind=type(exc).__name__) from None
    finally:
        book.release_resources()


def _xls_cell(book, cell, xlrd) -> Any:
    # xlrd exposes cached formula results only; formulas cannot be detected in .xls (documented)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate_as_datetime(cell.value, book.datemode)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return CellError(xlrd.error_text_from_code.get(cell.value, "#ERR"))
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return cell_text(bool(cell.value))
    value = cell_text(cell.value)
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def table_rows(table_file: TableFile, detected: Detected | None = None, delimiter: str | None = None) -> Iterator[RawRow]:
    if table_file.kind == "csv":
        return csv_rows(table_file.path, detected, delimiter)
    if table_file.kind == "xlsx":
        return xlsx_rows(table_file.path, table_file.sheet)
    return xls_rows(table_file.path, table_file.sheet)
