"""``csv`` source: a folder of CSV files, a bundle workbook, or CSDL ngành templates (docs/csv-format.md)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import Any

from connector.extract import (
    CheckResult, ClassInfo, Message, Problem, Record, SchoolInfo, SchoolYearInfo, Source, SourceState,
)
from connector.log import get_logger
from connector.model import StudentYear, record_key

from hocba_csv.assemble import build
from hocba_csv.inputs import find_inputs, input_files
from hocba_csv.load import Loader
from hocba_csv.settings import CONFIG_SCHEMA, Settings
from hocba_csv.staging import Staging
from hocba_csv.tables import TableReader

log = get_logger("hocba_csv")


class FileCheckResult(CheckResult):
    """A failed check that names the file, row and column like an extraction problem does."""

    def __init__(self, problem: Problem):
        super().__init__(ok=False, key=problem.key, fields=problem.fields)
        object.__setattr__(self, "problem", problem)

    def message(self, lang: str | None = None) -> str:
        return self.problem.message(lang)


class CsvSource(Source):
    name = "csv"
    description = "CSV/XLSX bundle (hoc_sinh, lop, ket_qua_nam, …) and CSDL ngành primary results templates"
    config_schema = CONFIG_SCHEMA

    def __init__(self, config: dict[str, Any]):
        super().__init__(config)
        self.settings = Settings.from_config(config)
        self._staging: Staging | None = None
        self.school_names: dict[str, str] = {}

    # --- check / discover ----------------------------------------------------------------------------

    def check(self) -> CheckResult:
        from connector.errors import InputError

        try:
            inputs, notes = find_inputs(self.settings)
        except InputError as exc:
            return CheckResult(False, exc.key, exc.fields)
        for note in notes:
            if note.severity == "error":
                return FileCheckResult(note)
        if not inputs:
            return CheckResult(False, "csv_no_tables", {"path": str(self.settings.path)})
        for inp in inputs:
            if inp.is_template:
                missing = [s for s in ("school", "nam_hoc") if not getattr(self.settings, s)]
                if missing:
                    return FileCheckResult(Problem("csdl_missing_setting", file=inp.file.label,
                                                   fields={"setting": missing[0]}))
                continue
            usable, problems = TableReader(inp.table, inp.file, self.settings).open()
            errors = [p for p in problems if p.severity == "error"]
            if errors or not usable:
                return FileCheckResult((errors or problems)[0])
        if not any(inp.is_template or inp.table.name == "ket_qua_nam" for inp in inputs):
            return CheckResult(False, "csv_no_year_table", {"path": str(self.settings.path)})
        tables = ", ".join(inp.file.label + (f" ({inp.table.name})" if inp.table else " (CSDL)") for inp in inputs)
        return CheckResult(True, "csv_check_ok", {"files": len(inputs), "tables": tables})

    def discover(self) -> list[SchoolInfo]:
        """Schools, years and classes with student counts, from the records themselves."""
        counts: dict[str, dict[str, dict[tuple, int]]] = {}
        for message in self.extract():
            if isinstance(message, Record):
                p = message.payload
                year = counts.setdefault(p.ma_truong, {}).setdefault(p.nam_hoc, {})
                key = (p.ma_lop, p.lop, p.khoi)
                year[key] = year.get(key, 0) + 1
        return [SchoolInfo(school, self.school_names.get(school), [
            SchoolYearInfo(nam_hoc, [ClassInfo(ma_lop, lop, khoi, n) for (ma_lop, lop, khoi), n in sorted(
                classes.items(), key=lambda kv: (kv[0][2], kv[0][1]))])
            for nam_hoc, classes in sorted(years.items())]) for school, years in sorted(counts.items())]

    # --- extract ---------------------------------------------------------------------------------------

    def new_cursor(self) -> str | None:
        """The newest modification time of the input files (ISO, UTC): nothing changed, nothing to read."""
        try:
            newest = max(p.stat().st_mtime for p in input_files(self.settings))
        except Exception:  # the path problem is reported by extract
            return None
        return datetime.fromtimestamp(newest, timezone.utc).isoformat()

    def _unchanged(self, state: SourceState | None) -> bool:
        if not state or not state.cursor:
            return False
        cursor = self.new_cursor()
        try:
            return cursor is not None and state.cursor_time() >= datetime.fromisoformat(cursor)
        except (TypeError, ValueError):
            return False

    def extract(self, *, school: str | None = None, state: SourceState | None = None) -> Iterator[Message]:
        if self._unchanged(state):
            return
        inputs, notes = find_inputs(self.settings)
        yield from notes
        self.close()
        staging = self._staging = Staging()
        try:
            loader = Loader(self.settings, staging)
            for inp in inputs:
                yield from loader.load(inp)
            staging.finish()
            self.school_names = staging.school_names()
            yield from self._checks(staging)
            count = 0
            for key in staging.year_keys(school):
                record, anchor, problems = build(staging, self.settings, key)
                yield from problems
                if record is not None:
                    _, name, sha = staging.files[anchor.file]
                    count += 1
                    yield Record(record, record_key(key[2], key[1], key[0]), name, sha)
            log.info("csv_extracted", records=count, files=len(inputs))
        finally:
            self.close()

    def _checks(self, staging: Staging) -> Iterator[Problem]:
        """Duplicates and orphans, once every file is staged (files may come in any order)."""
        for dup in staging.duplicates():
            file = staging.files[dup.file][0]
            first = f"{staging.files[dup.first_file][0]}:{dup.first_rownum}"
            column = "Tên lớp" if dup.table == "lop" else "Mã học sinh"
            if dup.identical:
                yield Problem("csv_duplicate_row", file=file, row=dup.rownum, column=column, severity="warning",
                              fields={"first": first})
                continue
            yield Problem("csv_duplicate_key", file=file, row=dup.rownum, column=column, fields={"first": first})
            if dup.table == "hs":
                staging.mark_bad_student(dup.key[0])
            elif dup.table in ("kq", "detail"):  # keys start with (mt, nh, sk); a class keeps its first row
                staging.mark_bad(dup.key[:3])
        for _table, _key, file, rownum in staging.orphans():
            yield Problem("csv_orphan_rows", file=staging.files[file][0], row=rownum, column="Mã học sinh")
        staging.flush()

    def close(self) -> None:
        if self._staging is not None:
            self._staging.close()
            self._staging = None

    # --- export ----------------------------------------------------------------------------------------

    @classmethod
    def export(cls, records: Iterable[StudentYear], destination: str) -> None:
        from hocba_csv.export import export

        export(records, destination)
