"""Which files and sheets the configured path holds, and what each one is.

A folder holds CSV files and/or workbooks; a file may be one table, a bundle workbook (one sheet per
table) or a CSDL ngành template. Tables are recognised by file or sheet name first
(``ket_qua_nam.csv``, sheet "Kết quả năm học"), else by their header row.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from connector.errors import InputError
from connector.extract import Problem

from hocba_csv.encoding import EncodingProblem, detect
from hocba_csv.rows import FileProblem, TableFile, sheet_names, table_rows
from hocba_csv.settings import Settings
from hocba_csv.spec import Table, csdl_spec, header_key, table_for_name
from hocba_csv.tables import HEADER_SCAN_ROWS, MAX_HEADER_CHARS, classify

CSV_EXT = {".csv", ".tsv", ".txt"}
XLSX_EXT = {".xlsx", ".xlsm"}
XLS_EXT = {".xls"}
SUPPORTED = CSV_EXT | XLSX_EXT | XLS_EXT


@dataclass(frozen=True)
class Input:
    file: TableFile
    table: Table | None  # None: a CSDL ngành template

    @property
    def is_template(self) -> bool:
        return self.table is None


@cache
def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _is_data_file(p: Path) -> bool:
    """Table files of a folder; hidden files, Excel lock files (~$…) and READMEs beside the data are not."""
    return (p.suffix.lower() in SUPPORTED and not p.name.startswith((".", "~$"))
            and not p.stem.lower().startswith("readme"))


def input_files(settings: Settings) -> list[Path]:
    """The data files under the configured path (raises InputError when there is nothing to read)."""
    path = settings.path
    if not path.exists():
        raise InputError("csv_path_missing", path=str(path))
    if path.is_file():
        if path.suffix.lower() not in SUPPORTED:
            raise InputError("csv_path_unsupported", path=str(path))
        return [path]
    files = sorted(p for p in path.iterdir() if p.is_file() and _is_data_file(p))
    if not files:
        raise InputError("csv_no_tables", path=str(path))
    return files


def _peek(table_file: TableFile, settings: Settings) -> list:
    detected = detect(table_file.path, settings.encoding) if table_file.kind == "csv" else None
    return list(itertools.islice(table_rows(table_file, detected, settings.delimiter), HEADER_SCAN_ROWS))


def looks_like_template(buffer: list) -> bool:
    """A CSDL ngành template: the student-code anchor and at least one of its group headers."""
    spec = csdl_spec()
    anchors = {header_key(a) for a in spec["anchor"]}
    groups = {header_key(g) for names in spec["groups"].values() for g in names}
    keys = {header_key(c) for _, cells, _ in buffer if cells for c in cells
            if isinstance(c, str) and len(c) <= MAX_HEADER_CHARS}
    return bool(keys & anchors) and bool(keys & groups)


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    return "csv" if suffix in CSV_EXT else "xlsx" if suffix in XLSX_EXT else "xls"


def _by_content(table_file: TableFile, settings: Settings) -> Input | None:
    buffer = _peek(table_file, settings)
    if looks_like_template(buffer):
        return Input(table_file, None)
    table = classify(buffer, settings)
    return Input(table_file, table) if table else None


def classify_file(path: Path, settings: Settings, explicit: bool) -> tuple[list[Input], list[Problem]]:
    """The inputs one file holds. ``explicit``: the user named this file (not just found in a folder),
    so a file that is nothing hocba knows is an error rather than a note."""
    severity = "error" if explicit else "warning"
    kind = _kind(path)
    try:
        if kind == "csv":
            table = table_for_name(path.stem)
            found = Input(TableFile(path, "csv"), table) if table else _by_content(TableFile(path, "csv"), settings)
            if found:
                return [found], []
            return [], [Problem("csv_table_unknown", file=path.name, severity=severity)]
        sheets = sheet_names(path, kind)
        named = [Input(TableFile(path, kind, s), t) for s in sheets if (t := table_for_name(s))]
        if named:
            ignored = [Problem("csv_sheet_ignored", file=f"{path.name}[{s}]", severity="warning")
                       for s in sheets if not table_for_name(s)]
            return named, ignored
        stem_table = table_for_name(path.stem)
        if stem_table and sheets:
            return [Input(TableFile(path, kind, sheets[0]), stem_table)], []
        found = [i for s in sheets if (i := _by_content(TableFile(path, kind, s), settings))]
        if found:
            return found, []
        return [], [Problem("csv_sheet_not_found", file=path.name, severity=severity, fields={"sheets": ", ".join(sheets)})]
    except (EncodingProblem, FileProblem) as exc:
        return [], [Problem(exc.key, file=path.name, row=getattr(exc, "row", None),
                            column=getattr(exc, "column", None), fields=exc.fields)]


def find_inputs(settings: Settings) -> tuple[list[Input], list[Problem]]:
    files = input_files(settings)
    inputs: list[Input] = []
    problems: list[Problem] = []
    for path in files:
        found, notes = classify_file(path, settings, explicit=settings.path.is_file())
        inputs += found
        problems += notes
    return inputs, problems
