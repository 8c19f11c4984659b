"""One table read through its column spec: header found by text, each cell checked and parsed.

A table yields :class:`ParsedRow` objects: the parsed values of a row (only filled cells) and the
problems found in it, each naming the file, the row and the column header.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from connector.extract import Problem

from hocba_csv.encoding import Detected, EncodingProblem, detect
from hocba_csv.rows import UNTERMINATED, FileProblem, TableFile, table_rows
from hocba_csv.settings import Settings
from hocba_csv.spec import Column, Table, tables
from hocba_csv.values import MAX_CELL_CHARS, BadValue, CellError, Formula, is_empty, parser_for, unescape

HEADER_SCAN_ROWS = 20
MAX_HEADER_CHARS = 200  # longer cells are data, never a header
VALUE_CHARS = 200  # how much of an offending cell goes into the operator's report


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


@dataclass(frozen=True)
class Mapped:
    index: int
    column: Column
    number: int | None
    header: str  # as written in the file


def column_letter(index: int) -> str:
    """Spreadsheet column name of a 0-based index: 0 -> A, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _display(header: Any) -> str:
    return " ".join(str(header).split())


def report_value(cell: Any, column: Column | None = None) -> str | None:
    if cell is None:
        return None
    text = str(cell)
    if column is not None and column.personal_id and len(text) > 5:
        return text[:3] + "*" * (len(text) - 5) + text[-2:]  # brief 04 §1: mask personal ID numbers
    return text[:VALUE_CHARS].replace("\x00", "\\0")


def match_header(table: Table, cells: list[Any]) -> list[Mapped]:
    out = []
    for i, cell in enumerate(cells):
        if isinstance(cell, str) and cell.strip() and len(cell) <= MAX_HEADER_CHARS:
            hit = table.match(unescape(cell))
            if hit:
                out.append(Mapped(i, hit[0], hit[1], _display(cell)))
    return out


def _score(mapped: list[Mapped]) -> int:
    return len({(m.column.field, m.number) for m in mapped})


def find_header(table: Table, buffer: list[tuple[int, Any, Any]]) -> int | None:
    """Index in ``buffer`` of the row that names the most columns of ``table`` (at least two)."""
    best, best_score = None, 1
    for i, (_, cells, _) in enumerate(buffer):
        if cells:
            score = _score(match_header(table, cells))
            if score > best_score:
                best, best_score = i, score
    return best


def classify(buffer: list[tuple[int, Any, Any]], settings: Settings) -> Table | None:
    """The table whose headers a file of unknown name has: all its required columns present, and more
    of its columns than any other table's."""
    best, best_score, tie = None, 0, False
    for table in tables().values():
        i = find_header(table, buffer)
        if i is None:
            continue
        mapped = match_header(table, buffer[i][1])
        fields = {m.column.field for m in mapped}
        if any(table.is_required(c, settings.defaults) and c.field not in fields for c in table.columns):
            continue
        score = _score(mapped)
        if score > best_score:
            best, best_score, tie = table, score, False
        elif score == best_score:
            tie = True
    return None if tie else best


class TableReader:
    """Reads one table file. Call :meth:`open` first: it returns the header-level problems and tells
    whether the table can be used at all."""

    def __init__(self, table: Table, table_file: TableFile, settings: Settings):
        self.table, self.file, self.settings = table, table_file, settings
        self.detected: Detected | None = None
        self.header_row = 0
        self.mapped: list[Mapped] = []
        self.width = 0
        self._rest: Iterator = iter(())
        self._buffer: list = []
        self.ignored: list[Mapped] = []
        self.required: list[Mapped] = []

    @property
    def label(self) -> str:
        return self.file.label

    def problem(self, key: str, row: int | None = None, column: str | None = None, value: str | None = None,
                severity: str = "error", **fields: Any) -> Problem:
        return Problem(key=key, file=self.label, row=row, column=column, value=value, fields=fields,
                       severity=severity)

    def raw_rows(self) -> Iterator:
        if self.file.kind == "csv" and self.detected is None:
            self.detected = detect(self.file.path, self.settings.encoding)
        return table_rows(self.file, self.detected, self.settings.delimiter)

    def peek(self) -> list:
        """The first rows (to find the header), kept for :meth:`rows`."""
        if not self._buffer:
            rows = self.raw_rows()
            self._buffer = list(itertools.islice(rows, HEADER_SCAN_ROWS))
            self._rest = rows
        return self._buffer

    def open(self) -> tuple[bool, list[Problem]]:
        try:
            buffer = self.peek()
        except (EncodingProblem, FileProblem) as exc:
            return False, [self.problem(exc.key, getattr(exc, "row", None), getattr(exc, "column", None), **exc.fields)]
        if not any(cells for _, cells, _ in buffer):
            return False, [self.problem("csv_file_empty")]
        index = find_header(self.table, buffer)
        if index is None:
            expected = ", ".join(c.header for c in self.table.columns if c.required)
            return False, [self.problem("csv_header_not_found", row=None, expected=expected)]
        self.header_row, cells, _ = buffer[index]
        self.width = len(cells)
        self._buffer = buffer[index + 1:]
        return self._map_columns(match_header(self.table, cells), cells)

    def _map_columns(self, mapped: list[Mapped], cells: list[Any]) -> tuple[bool, list[Problem]]:
        problems, seen = [], {}
        known = {m.index for m in mapped}
        for m in mapped:
            slot = (m.column.field, m.number)
            if slot in seen:
                problems.append(self.problem("csv_duplicate_column", self.header_row, m.header, first=seen[slot]))
                continue
            if m.column.personal_id and not self.settings.include_personal_id:
                self.ignored.append(m)  # reported once, at the first row that actually holds an ID
                continue
            seen[slot] = m.header
            self.mapped.append(m)
        for i, cell in enumerate(cells):
            if i not in known and isinstance(cell, str) and cell.strip():
                problems.append(self.problem("csv_unknown_column", self.header_row, _display(cell), severity="warning"))
        self.required = [m for m in self.mapped if self.table.is_required(m.column, self.settings.defaults)]
        present = {m.column.field for m in self.mapped}
        missing = [c for c in self.table.columns
                   if self.table.is_required(c, self.settings.defaults) and c.field not in present]
        for c in missing:
            problems.append(self.problem("csv_missing_column", self.header_row, c.header))
        return not missing, problems

    def header_of(self, field_name: str) -> str:
        """The header of a field as this file writes it (the spec's header when the column is absent)."""
        return next((m.header for m in self.mapped if m.column.field == field_name),
                    self.table.column(field_name).header.replace("{n}", ""))

    @property
    def present(self) -> set[str]:
        return {m.column.field for m in self.mapped}

    def rows(self) -> Iterator[ParsedRow]:
        """Data rows after the header; blank rows are skipped. A workbook that breaks part-way
        raises FileProblem (the caller reports it and keeps what was read)."""
        parsers = {m.column.field: parser_for(m.column.type) for m in self.mapped}
        defaults = {c.field: self.settings.defaults[c.config] for c in self.table.columns
                    if c.config and self.settings.defaults.get(c.config)}
        for number, cells, flag in itertools.chain(self._buffer, self._rest):
            if cells is None:
                yield ParsedRow(number, {}, [self.problem(flag, number)])
                continue
            if all(is_empty(c) for c in cells):
                continue
            row = self._parse(number, cells, parsers, defaults)
            if flag == UNTERMINATED and len(cells) < self.width:
                row.problems.append(self.problem("csv_truncated", number, self._header_at(len(cells))))
            elif flag and flag != UNTERMINATED and not any(p.key == flag for p in row.problems):
                row.problems.append(self.problem(flag, number, limit=MAX_CELL_CHARS))
            extra = [i for i in range(self.width, len(cells)) if not is_empty(cells[i])]
            if extra:
                row.problems.append(self.problem("csv_row_too_many_cells", number, column_letter(extra[0]),
                                                 cells=len(cells), headers=self.width))
            yield row

    def _header_at(self, index: int) -> str:
        """The header of the cell at ``index`` (a spreadsheet column letter when it has none)."""
        return next((m.header for m in self.mapped if m.index == index), column_letter(index))

    def _parse(self, number: int, cells: list[Any], parsers: dict, defaults: dict) -> ParsedRow:
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        numbered: dict[str, list[tuple[int, Any]]] = {}
        width = len(cells)
        for m in self.mapped:
            col = m.column
            cell = cells[m.index] if m.index < width else None
            if cell is None or cell == "":
                continue
            try:
                value = read_cell(cell, parsers[col.field])
            except BadValue as exc:
                problems.append(self.problem(exc.key, number, m.header, report_value(cell, col), **exc.fields))
                continue
            if value is None:
                continue
            if col.numbered:
                numbered.setdefault(col.field, []).append((m.number, value))
            else:
                values[col.field] = value
        for name, items in numbered.items():
            values[name] = [v for _, v in sorted(items, key=lambda item: item[0])]
        for m in self.ignored:
            if m.index < len(cells) and not is_empty(cells[m.index]):
                problems.append(self.problem("csv_personal_id_ignored", number, m.header, severity="warning"))
                self.ignored.remove(m)
                break
        for name, value in defaults.items():
            values.setdefault(name, value)
        for m in self.required:
            if m.column.field not in values and not any(p.column == m.header for p in problems):
                problems.append(self.problem("csv_required_empty", number, m.header))
        return ParsedRow(number, values, problems)


def read_cell(cell: Any, parser) -> Any:
    """A cell's value through ``parser``; None when empty; BadValue for a cell that cannot be used
    (a formula, an error value, NUL or undecodable bytes, an over-long text, a bad value)."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, Formula):
        raise BadValue("csv_formula_cell")
    if isinstance(cell, CellError):
        raise BadValue("csv_error_cell")
    if isinstance(cell, str):
        if "\x00" in cell:
            raise BadValue("csv_nul_byte")
        if "\ufffd" in cell:
            raise BadValue("csv_undecodable")
        if len(cell) > MAX_CELL_CHARS:
            raise BadValue("csv_cell_too_long", limit=MAX_CELL_CHARS)
        cell = unescape(cell)
    if is_empty(cell):
        return None
    return parser(cell)
