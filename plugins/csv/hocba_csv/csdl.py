"""The CSDL ngành primary results import template (``FlieMau-KQHT-C1-CN-Khoi12-TT27_2020``).

One row per pupil, three header rows with merged group headers (06-delivery.md §3.1). Columns are
found by their header path: group header ("Môn học và hoạt động giáo dục", "Năng lực cốt lõi",
"Phẩm chất chủ yếu"), then the subject / competence / quality, then the measure ("Mức đạt được",
"Điểm KTĐK"). Merged cells hold their text in the top-left cell only, so an empty header cell takes
its left neighbour's text when the column has header text below it and the same parent above.

Each row becomes a year row and TT27 detail rows for one assessment point, staged like bundle rows:
templates of several points (GHKI … CN) for the same pupils merge into one PrimaryAssessment.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from connector.extract import Problem

from hocba_csv.encoding import EncodingProblem, detect
from hocba_csv.inputs import sha256_of
from hocba_csv.items import KIND_LIST, item_key
from hocba_csv.rows import FileProblem, TableFile, table_rows
from hocba_csv.settings import Settings
from hocba_csv.spec import csdl_spec, header_key
from hocba_csv.staging import Staging
from hocba_csv.tables import report_value, read_cell
from hocba_csv.values import BadValue, as_text, code, parse_bool, parse_date, parse_score

PERIOD_PART = {"GHKI": 1, "CHKI": 2, "GHKII": 3, "CN": 4}
GROUP_KIND = {"subjects": "mon", "competences": "nang_luc", "qualities": "pham_chat"}
FIELD_PARSERS = {"ma_lop": as_text, "ma_hoc_sinh": as_text, "ho_ten": as_text, "ngay_sinh": parse_date,
                 "hoan_thanh": parse_bool, "len_lop": parse_bool, "xep_loai": code("tt27_ket_qua")}
REQUIRED = ("ma_hoc_sinh", "ho_ten", "ma_lop")
CN_ONLY = ("hoan_thanh", "len_lop", "xep_loai")


@dataclass(frozen=True)
class ItemColumn:
    index: int
    kind: str  # mon, pham_chat, nang_luc
    key: str
    measure: str  # muc_dat or ktdk
    header: str


def _keys(names: list[str]) -> set[str]:
    return {header_key(n) for n in names}


def _text(cell: Any) -> str:
    return " ".join(cell.split()) if isinstance(cell, str) else ""


def column_paths(header_rows: list[list[Any]]) -> list[list[str]]:
    """Header text of each column, top to bottom, with merged group headers filled in."""
    width = max((len(r) for r in header_rows), default=0)
    grid = [[_text(r[i]) if i < len(r) else "" for i in range(width)] for r in header_rows]
    for r in range(len(grid) - 1):
        for i in range(1, width):
            below = any(grid[rr][i] for rr in range(r + 1, len(grid)))
            same_parent = all(grid[pr][i] == grid[pr][i - 1] for pr in range(r))
            if not grid[r][i] and grid[r][i - 1] and below and same_parent:
                grid[r][i] = grid[r][i - 1]
    paths = []
    for i in range(width):
        path = [grid[r][i] for r in range(len(grid)) if grid[r][i]]
        paths.append([t for j, t in enumerate(path) if j == 0 or t != path[j - 1]])
    return paths


def period_from_name(name: str) -> str | None:
    tokens = {header_key(t) for t in re.split(r"[^0-9A-Za-z]+", name) if t}
    for period, spellings in csdl_spec()["period_tokens"].items():
        if tokens & _keys(spellings):
            return period
    return None


def grades_from_name(name: str) -> set[int]:
    """"…-Khoi12-…" means grades 1 and 2; "Khoi3" grade 3."""
    m = re.search(r"khoi(\d+)", header_key(name))
    return {int(d) for d in m.group(1)} if m else set()


class TemplateLoader:
    def __init__(self, settings: Settings, staging: Staging):
        self.settings, self.staging = settings, staging
        self.spec = csdl_spec()

    def problem(self, key: str, row: int | None = None, column: str | None = None, value: Any = None,
                severity: str = "error", **fields: Any) -> Problem:
        return Problem(key=key, file=self.file.label, row=row, column=column, value=report_value(value),
                       severity=severity, fields=fields)

    def load(self, table_file: TableFile) -> Iterator[Problem]:
        self.file = table_file
        for setting in ("school", "nam_hoc"):
            if not getattr(self.settings, setting):
                yield self.problem("csdl_missing_setting", setting=setting)
                return
        self.period = self.settings.period or period_from_name(table_file.path.stem)
        if self.period is None:
            yield self.problem("csdl_period_unknown")
            return
        self.file_grades = grades_from_name(table_file.path.stem)
        try:
            detected = detect(table_file.path, self.settings.encoding) if table_file.kind == "csv" else None
            rows = table_rows(table_file, detected, self.settings.delimiter)
            buffer = list(itertools.islice(rows, self.spec["scan_rows"]))
            header = self._header(buffer)
            if header is None:
                yield self.problem("csv_header_not_found", expected=", ".join(self.spec["anchor"]))
                return
            start, header_rows, data_index = header
            ok, problems = self._map(column_paths(header_rows), start)
            yield from problems
            if not ok:
                return
            file_id = self.staging.add_file(table_file.label, table_file.path.name, sha256_of(table_file.path))
            for number, cells, flag in itertools.chain(buffer[data_index:], rows):
                if cells is None:
                    yield self.problem(flag, number)
                elif any(c not in (None, "") for c in cells):
                    yield from self._row(number, cells, file_id)
        except (EncodingProblem, FileProblem) as exc:
            yield self.problem(exc.key, getattr(exc, "row", None), getattr(exc, "column", None), **exc.fields)

    def _header(self, buffer: list) -> tuple[int, list[list[Any]], int] | None:
        """(row number of the first header row, header rows, index of the first data row)."""
        anchors = _keys(self.spec["anchor"])
        for i, (number, cells, _) in enumerate(buffer):
            if not cells:
                continue
            code_col = next((j for j, c in enumerate(cells) if isinstance(c, str) and header_key(c) in anchors), None)
            if code_col is None:
                continue
            header_rows = [cells]
            j = i + 1
            while j < len(buffer) and len(header_rows) < self.spec["max_header_rows"]:
                nxt = buffer[j][1] or []
                first = nxt[0] if nxt else None
                if (code_col < len(nxt) and nxt[code_col] not in (None, "")) or isinstance(first, str) and first.strip().isdigit():
                    break
                header_rows.append(nxt)
                j += 1
            return number, header_rows, j
        return None

    def _map(self, paths: list[list[str]], header_row: int) -> tuple[bool, list[Problem]]:
        fields = {header_key(h): name for name, headers in self.spec["fields"].items() for h in headers}
        groups = {header_key(h): kind for group, kind in GROUP_KIND.items() for h in self.spec["groups"][group]}
        measures = {header_key(h): m for m, headers in self.spec["measures"].items() for h in headers}
        self.fields: dict[str, tuple[int, str]] = {}
        self.items: list[ItemColumn] = []
        problems = []
        for index, path in enumerate(paths):
            if not path:
                continue
            shown = " / ".join(path)
            top = header_key(path[0])
            if top in fields and fields[top] not in self.fields:
                self.fields[fields[top]] = (index, shown)
            elif top in groups and len(path) >= 2:
                kind = groups[top]
                label = path[1] if kind == "mon" else path[-1]
                measure = measures.get(header_key(path[2]), "muc_dat") if kind == "mon" and len(path) > 2 else "muc_dat"
                key = item_key(kind, label)
                if key is None:
                    problems.append(self.problem("csv_unknown_subject", header_row, shown, label, severity="warning"))
                    key = label
                self.items.append(ItemColumn(index, kind, key, measure, shown))
            else:
                problems.append(self.problem("csv_unknown_column", header_row, shown, severity="warning"))
        missing = [self.spec["fields"][name][0] for name in REQUIRED if name not in self.fields]
        problems += [self.problem("csv_missing_column", header_row, header) for header in missing]
        return not missing, problems

    def _cell(self, cells: list[Any], index: int, parser, number: int, column: str, problems: list[Problem]) -> Any:
        cell = cells[index] if index < len(cells) else None
        try:
            return read_cell(cell, parser)
        except BadValue as exc:
            problems.append(self.problem(exc.key, number, column, cell, **exc.fields))
            return None

    def _row(self, number: int, cells: list[Any], file_id: int) -> Iterator[Problem]:
        problems: list[Problem] = []
        v = {name: self._cell(cells, index, FIELD_PARSERS[name], number, column, problems)
             for name, (index, column) in self.fields.items() if name in FIELD_PARSERS}
        for name in REQUIRED:
            if v.get(name) is None and not any(p.column == self.fields[name][1] for p in problems):
                problems.append(self.problem("csv_required_empty", number, self.fields[name][1]))
        for name in CN_ONLY:
            if self.period != "CN" and v.get(name):
                problems.append(self.problem("csv_value_not_for_period", number, self.fields[name][1],
                                             severity="warning", period=self.period))
        details = []
        for item in self.items:
            parser = parse_score if item.measure == "ktdk" else code(KIND_LIST[item.kind])
            value = self._cell(cells, item.index, parser, number, item.header, problems)
            if value is not None:
                details.append((item, value))
        khoi = self._grade(v.get("ma_lop"))
        if khoi is None and v.get("ma_lop"):
            problems.append(self.problem("csdl_grade_unknown", number, self.fields["ma_lop"][1], v["ma_lop"]))
        yield from problems
        if v.get("ma_hoc_sinh") is None:
            return
        key = (self.settings.school, self.settings.nam_hoc, v["ma_hoc_sinh"])
        data: dict[str, Any] = {"lop": v.get("ma_lop"), "ma_lop": v.get("ma_lop"), "khoi": khoi, "framework": "TT27",
                                "student_fallback": {"ma_hoc_sinh": v["ma_hoc_sinh"], "ho_ten": v.get("ho_ten"),
                                                     "ngay_sinh": v.get("ngay_sinh")}}
        if self.period == "CN":
            data.update(ket_qua=v.get("xep_loai"), hoan_thanh_chuong_trinh_lop=bool(v.get("hoan_thanh")),
                        duoc_len_lop=bool(v.get("len_lop")))
        self.staging.add_year(*key, PERIOD_PART[self.period], file_id, number,
                              {k: val for k, val in data.items() if val is not None})
        if any(p.severity == "error" for p in problems):
            self.staging.mark_bad(key)
            return
        merged: dict[str, dict[str, Any]] = {}  # a subject's Mức and KTĐK columns make one detail row
        for item, value in details:
            merged.setdefault(f"{item.kind}|{item.key}", {})["diem_ktdk" if item.measure == "ktdk" else "muc_dat"] = value
        for item_id, data in merged.items():
            self.staging.add_detail("tt27", key, item_id, self.period, file_id, number, data)

    def _grade(self, ma_lop: str | None) -> int | None:
        if self.settings.khoi:
            return self.settings.khoi
        m = re.match(r"\s*(\d{1,2})", ma_lop or "")
        if m and 1 <= int(m.group(1)) <= 5 and (not self.file_grades or int(m.group(1)) in self.file_grades):
            return int(m.group(1))
        if len(self.file_grades) == 1:
            return next(iter(self.file_grades))
        return None
