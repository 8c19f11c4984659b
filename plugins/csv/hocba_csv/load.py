"""Staging the rows of each bundle table: one handler per table turns a parsed row into staged data.

Error policy (docs/csv-format.md): a row with an error-level problem is not used, and the
student-year it belongs to is not emitted (a học bạ page must never silently lack data). Rows that
cannot even be attributed (no student code) are reported and skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from connector import catalogue
from connector.extract import Problem

from hocba_csv.csdl import TemplateLoader
from hocba_csv.inputs import Input, sha256_of
from hocba_csv.items import KIND_LIST, item_key, subject_key
from hocba_csv.rows import FileProblem
from hocba_csv.settings import Settings
from hocba_csv.staging import Staging
from hocba_csv.tables import ParsedRow, TableReader

BUNDLE_PART = 10  # year rows of the bundle come after CSDL template rows (1–4) and win when merged
MAX_PROBLEMS_PER_FILE = 200
STUDENT_FIELDS = ("ma_hoc_sinh", "ho_ten", "ngay_sinh", "gioi_tinh", "dan_toc", "quoc_tich",
                  "so_dinh_danh_ca_nhan", "ho_ten_cha", "ho_ten_me", "ho_ten_nguoi_giam_ho", "doi_tuong_chinh_sach")
YEAR_KEY = ("ma_truong", "nam_hoc", "student_key")
def year_key(values: dict) -> tuple[str, str, str] | None:
    if all(values.get(f) for f in YEAR_KEY):
        return values["ma_truong"], values["nam_hoc"], values["student_key"]
    return None


class Loader:
    """Stages every input; yields the problems as it goes."""

    def __init__(self, settings: Settings, staging: Staging):
        self.settings, self.staging = settings, staging
        self._warned: set[tuple[str, str]] = set()

    def load(self, inp: Input) -> Iterator[Problem]:
        if inp.is_template:
            yield from self._capped(TemplateLoader(self.settings, self.staging).load(inp.file), inp.file.label)
            return
        reader = TableReader(inp.table, inp.file, self.settings)
        usable, problems = reader.open()
        yield from problems
        if not usable:
            return
        file_id = self.staging.add_file(inp.file.label, inp.file.path.name, sha256_of(inp.file.path))
        handler = getattr(self, f"_{inp.table.name}")
        yield from self._capped(self._rows(reader, file_id, handler), inp.file.label)

    def _rows(self, reader: TableReader, file_id: int, handler: Callable) -> Iterator[Problem]:
        present, count = reader.present, 0
        try:
            for row in reader.rows():
                count += 1
                yield from handler(row, file_id, present, reader)
        except FileProblem as exc:  # a workbook that breaks part-way: what was read is kept
            yield reader.problem(exc.key, exc.row, exc.column, **exc.fields)
        if count == 0 and reader.table.name == "ket_qua_nam":  # empty detail tables are normal
            yield reader.problem("csv_no_data_rows", reader.header_row, severity="warning")

    def _capped(self, problems: Iterator[Problem], label: str) -> Iterator[Problem]:
        """At most MAX_PROBLEMS_PER_FILE problems of a file are listed; then one count."""
        hidden = 0
        for shown, p in enumerate(problems):
            if shown < MAX_PROBLEMS_PER_FILE:
                yield p
            else:
                hidden += 1
        if hidden:
            yield Problem("csv_too_many_problems", file=label, severity="warning", fields={"count": hidden})

    def warn_once(self, reader: TableReader, key: str, row: int, column: str, value: str) -> Iterator[Problem]:
        marker = (reader.label, value)
        if marker not in self._warned and len(self._warned) < 10_000:
            self._warned.add(marker)
            yield reader.problem(key, row, column, value, severity="warning")

    # --- table handlers ----------------------------------------------------------------------------

    def _hoc_sinh(self, row: ParsedRow, file_id: int, present: set[str], reader: TableReader) -> Iterator[Problem]:
        yield from row.problems
        sk = row.values.get("student_key")
        if not sk:
            return
        if row.has_errors:
            self.staging.mark_bad_student(sk)
            return
        self.staging.add_student(sk, file_id, row.number, student_data(row.values, present))

    def _lop(self, row: ParsedRow, file_id: int, present: set[str], reader: TableReader) -> Iterator[Problem]:
        yield from row.problems
        v = row.values
        if row.has_errors or not all(v.get(f) for f in ("ma_truong", "nam_hoc", "lop")):
            return
        data = {k: v[k] for k in ("ten_truong", "ma_so_gd", "ma_lop", "khoi") if k in v}
        self.staging.add_class(v["ma_truong"], v["nam_hoc"], v["lop"], file_id, row.number, data)

    def _ket_qua_nam(self, row: ParsedRow, file_id: int, present: set[str], reader: TableReader) -> Iterator[Problem]:
        yield from row.problems
        key = year_key(row.values)
        if key is None:
            return
        data = {k: v for k, v in row.values.items() if k not in YEAR_KEY and k not in STUDENT_FIELDS}
        if row.values.get("ho_ten"):  # the row carries the student's data for this year itself
            data["student"] = student_data(row.values, present)
        self.staging.add_year(*key, BUNDLE_PART, file_id, row.number, data)
        if row.has_errors:
            self.staging.mark_bad(key)

    def _danh_gia_tieu_hoc(self, row: ParsedRow, file_id: int, present: set[str], reader: TableReader) -> Iterator[Problem]:
        yield from row.problems
        key, v = year_key(row.values), row.values
        if key is None:
            return
        if row.has_errors or not v.get("muc") or not v.get("period"):
            self.staging.mark_bad(key)
            return
        kind, label = v.get("loai"), v["muc"]
        column = reader.header_of("muc")
        if kind:
            item = item_key(kind, label)
            if item is None:
                item = label  # kept as found; the validator reports a subject outside the catalogue
                yield from self.warn_once(reader, "csv_unknown_subject", row.number, column, label)
        else:
            kind, item = next(((k, i) for k in ("mon", "pham_chat", "nang_luc") if (i := item_key(k, label))),
                              (None, None))
            if kind is None:
                yield reader.problem("csv_unknown_item", row.number, column, label)
                self.staging.mark_bad(key)
                return
        data: dict[str, Any] = {}
        if "muc_dat" in v:
            data["muc_dat"] = catalogue.code_list(KIND_LIST[kind]).normalise(v["muc_dat"])
        for name in ("diem_ktdk", "nhan_xet"):
            if name in v:
                data[name] = v[name]
        self.staging.add_detail("tt27", key, f"{kind}|{item}", v["period"], file_id, row.number, data)

    def _diem_thcs_thpt(self, row: ParsedRow, file_id: int, present: set[str], reader: TableReader) -> Iterator[Problem]:
        yield from row.problems
        key, v = year_key(row.values), row.values
        if key is None:
            return
        if row.has_errors or not v.get("mon") or not v.get("hoc_ky"):
            self.staging.mark_bad(key)
            return
        mon = subject_key("secondary", v["mon"])
        if mon is None:
            mon = v["mon"]
            yield from self.warn_once(reader, "csv_unknown_subject", row.number, reader.header_of("mon"), mon)
        data, problems = secondary_row(v, reader, row.number)
        yield from problems
        if any(p.severity == "error" for p in problems):
            self.staging.mark_bad(key)
            return
        self.staging.add_detail("tt22", key, mon, v["hoc_ky"], file_id, row.number, data)

    def _diem_cu(self, row: ParsedRow, file_id: int, present: set[str], reader: TableReader) -> Iterator[Problem]:
        yield from row.problems
        key, v = year_key(row.values), row.values
        if key is None:
            return
        if not row.has_errors and "diem" in v and not v.get("cot"):
            yield reader.problem("csv_required_empty", row.number, reader.header_of("cot"))
            self.staging.mark_bad(key)
            return
        if row.has_errors or not v.get("mon"):
            self.staging.mark_bad(key)
            return
        data = {k: v[k] for k in ("diem", "tb_ca_nam") if k in v}
        self.staging.add_detail("cu", key, v["mon"], v.get("cot") or "", file_id, row.number, data)


def student_data(values: dict, present: set[str]) -> dict:
    data = {k: values[k] for k in STUDENT_FIELDS if k in values}
    if "ma_hoc_sinh" not in present:  # no such column: the linking code is the CSDL ngành code
        data["ma_hoc_sinh"] = values["student_key"]
    return data


def _one(values: list[dict] | None, reader: TableReader, number: int, column: str,
         problems: list[Problem]) -> tuple[str | None, str | None]:
    """At most one score and one Đ/CĐ result from the cells of a single-valued field."""
    scores = [s for v in values or () for s in v["scores"]]
    texts = [t for v in values or () for t in v["texts"]]
    if len(scores) > 1 or len(texts) > 1:
        problems.append(reader.problem("csv_too_many_values", number, reader.header_of(column)))
    return (scores[0] if scores else None), (texts[0] if texts else None)


def secondary_row(v: dict, reader: TableReader, number: int) -> tuple[dict, list[Problem]]:
    """The staged data of one TT22 row: a semester (HK1/HK2) or the year (CN)."""
    problems: list[Problem] = []
    data: dict[str, Any] = {k: v[k] for k in ("so_tiet", "nhan_xet") if k in v}
    averages = [v[c] for c in ("tb_hk", "tb_cn", "ket_qua") if c in v]
    tb, kq = _one(averages, reader, number, "tb_hk" if v["hoc_ky"] != "CN" else "tb_cn", problems)
    ignored = ("tx", "gk", "ck") if v["hoc_ky"] == "CN" else ("kiem_tra_lai",)
    for name in ignored:
        if name in v:
            problems.append(reader.problem("csv_value_not_for_period", number, reader.header_of(name),
                                           severity="warning", period=v["hoc_ky"]))
    if v["hoc_ky"] == "CN":
        data.update(tb_ca_nam=tb, kq_ca_nam=kq)
        data["kiem_tra_lai"], data["kiem_tra_lai_nx"] = _one([v["kiem_tra_lai"]] if "kiem_tra_lai" in v else None,
                                                              reader, number, "kiem_tra_lai", problems)
    else:
        data["tx"] = [s for cell in v.get("tx", ()) for s in cell["scores"]]
        data["tx_nx"] = [t for cell in v.get("tx", ()) for t in cell["texts"]]
        data["gk"], data["gk_nx"] = _one([v["gk"]] if "gk" in v else None, reader, number, "gk", problems)
        data["ck"], data["ck_nx"] = _one([v["ck"]] if "ck" in v else None, reader, number, "ck", problems)
        data["tb"], data["kq_nx"] = tb, kq
    return {k: val for k, val in data.items() if val is not None and val != []}, problems
