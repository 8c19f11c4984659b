"""Writing canonical records as a bundle, the exact inverse of reading one (docs/csv-format.md).

A destination ending in ``.xlsx`` gets one workbook with a sheet per table; anything else is a folder
of CSV files (UTF-8 with a byte-order mark, comma-separated, CRLF: what Excel opens correctly).
Streaming: rows are written as records arrive; only the class list and the TT22 rows (whose number of
ĐĐGtx columns is known at the end) wait, in memory per class and in a temporary file respectively.
Every text cell goes through the formula-injection guard; the reader undoes exactly that guard.
"""

from __future__ import annotations

import csv
import hashlib
import json
import tempfile
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from connector import catalogue
from connector.errors import InputError
from connector.model import PRIMARY_PERIODS, StudentYear, canonical_json
from connector.text import spreadsheet_safe

from hocba_csv.load import STUDENT_FIELDS
from hocba_csv.spec import Column, export_words, tables

TABLE_ORDER = ("hoc_sinh", "lop", "ket_qua_nam", "danh_gia_tieu_hoc", "diem_thcs_thpt", "diem_cu")
DEFERRED = ("lop", "diem_thcs_thpt")  # written at the end
MIN_TX_COLUMNS = 4
SEMESTER_ROWS = (("hk1", "HK1"), ("hk2", "HK2"))


def protect(text: str) -> str:
    """spreadsheet_safe, plus an apostrophe before a leading apostrophe, so that the reader's rule
    "drop one leading apostrophe" gives back exactly the original text."""
    safe = spreadsheet_safe(text)
    return "'" + text if safe == text and text.startswith("'") else safe


def cell(value: Any) -> str:
    """The text of a cell (every cell is text: scores keep their exact decimal digits)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return export_words()["bool"]["true" if value else "false"]
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (int, Decimal)):
        return str(value)
    return protect(str(value))


def joined(values: Iterable[Any]) -> str | None:
    """Several values in one cell ("7.5; Đ"); the reader splits on ";"."""
    return export_words()["list_separator"].join(str(v) for v in values if v is not None) or None


def plain(value: Any) -> Any:
    """JSON-able form of a value for the TT22 spool (cell() is applied when the row is written)."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    return None if value is None else str(value) if isinstance(value, (Decimal, int)) else value


@cache
def headers(table: str, tx_columns: int = 0) -> tuple[tuple[str, ...], tuple[Column, ...]]:
    """Header texts and columns of a table as written (the numbered ĐĐGtx columns expanded)."""
    out, cols = [], []
    for col in tables()[table].columns:
        if col.numbered:
            for n in range(1, tx_columns + 1):
                out.append(col.numbered_header(n))
                cols.append(col)
        else:
            out.append(col.header)
            cols.append(col)
    return tuple(out), tuple(cols)


def _row(table: str, values: dict[str, Any], tx_columns: int = 0) -> list[str]:
    row = []
    seen_numbered = 0
    for col in headers(table, tx_columns)[1]:
        if col.numbered:
            items = values.get(col.field, [])
            row.append(cell(items[seen_numbered]) if seen_numbered < len(items) else "")
            seen_numbered += 1
        else:
            value = values.get(col.field)
            row.append("" if col.type == "flag" and value is False else cell(value))  # empty flag = no
    return row


# --- writers -----------------------------------------------------------------------------------------


class CsvWriter:
    def __init__(self, folder: Path):
        if folder.exists() and not folder.is_dir():
            raise InputError("csv_export_destination", path=str(folder))
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self._files: dict[str, Any] = {}
        self._writers: dict[str, Any] = {}

    def start(self, table: str, header: tuple[str, ...]) -> None:
        f = (self.folder / f"{table}.csv").open("w", encoding="utf-8-sig", newline="")
        self._files[table] = f
        self._writers[table] = csv.writer(f, lineterminator="\r\n")
        self._writers[table].writerow([protect(h) for h in header])

    def write(self, table: str, row: list[str]) -> None:
        self._writers[table].writerow(row)

    def close(self) -> None:
        for f in self._files.values():
            f.close()


class XlsxWriter:
    def __init__(self, path: Path):
        from openpyxl import Workbook

        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.book = Workbook(write_only=True)
        self.sheets = {name: self.book.create_sheet(name) for name in TABLE_ORDER}

    def start(self, table: str, header: tuple[str, ...]) -> None:
        self.sheets[table].append([protect(h) for h in header])

    def write(self, table: str, row: list[str]) -> None:
        try:
            self.sheets[table].append([c if c != "" else None for c in row])
        except Exception as exc:  # openpyxl refuses control characters that XML cannot hold
            raise InputError("csv_export_bad_text", table=table, kind=type(exc).__name__) from None

    def close(self) -> None:
        self.book.save(self.path)


# --- what a record becomes ---------------------------------------------------------------------------


def student_values(student) -> dict[str, Any]:
    values = {name: getattr(student, name) for name in STUDENT_FIELDS}
    values["gioi_tinh"] = export_words()["gender"].get(str(student.gioi_tinh))
    return values


def subject_label(level: str, key: str) -> str:
    subject = catalogue.subjects(level).get(key)
    return subject.vi if subject else key


def rating_label(kind: str, key: str) -> str:
    entry = catalogue.ratings("quality" if kind == "pham_chat" else "competence").get(key)
    return entry.vi if entry else key


class Exporter:
    def __init__(self, writer):
        self.writer = writer
        self.students: dict[str, bytes] = {}
        self.classes: dict[tuple[str, str, str], dict[str, set]] = {}
        self.tt22 = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.tx_columns = MIN_TX_COLUMNS
        for table in TABLE_ORDER:
            if table not in DEFERRED:
                writer.start(table, headers(table)[0])

    def add(self, r: StudentYear) -> None:
        key = {"student_key": r.student_key, "ma_truong": r.ma_truong, "nam_hoc": r.nam_hoc}
        digest = hashlib.blake2b(canonical_json(r.student).encode(), digest_size=16).digest()
        year = self._year(r)
        if r.student_key not in self.students:
            self.students[r.student_key] = digest
            self.writer.write("hoc_sinh", _row("hoc_sinh", {"student_key": r.student_key, **student_values(r.student)}))
        elif self.students[r.student_key] != digest:
            year.update(student_values(r.student))  # this year's student data differs: carried on the row
        self.writer.write("ket_qua_nam", _row("ket_qua_nam", year))
        c = self.classes.setdefault((r.ma_truong, r.nam_hoc, r.lop), {"ma_so_gd": set(), "ma_lop": set(), "khoi": set()})
        c["ma_so_gd"].add(r.ma_so_gd)
        c["ma_lop"].add(r.ma_lop)
        c["khoi"].add(r.khoi)
        a = r.danh_gia
        if a.framework == "TT27":
            self._primary(key, a)
        elif a.framework == "TT22":
            self._secondary(key, a)
        else:
            self._legacy(key, a)

    def _year(self, r: StudentYear) -> dict[str, Any]:
        a = r.danh_gia
        v: dict[str, Any] = {name: getattr(r, name) for name in (
            "student_key", "ma_truong", "nam_hoc", "lop", "ma_lop", "ma_so_gd", "khoi", "nhom_cap_hoc",
            "nghi_co_phep", "nghi_khong_phep", "co_khuyet_tat_khong_danh_gia", "duoc_len_lop",
            "hoan_thanh_chuong_trinh_lop", "nhan_xet_gvcn", "chuc_vu_giam_hieu", "dia_danh_phat_hanh", "ngay_ky")}
        v["framework"] = a.framework
        v["trang_thai"] = catalogue.code_list("trang_thai").label(r.trang_thai)
        if a.framework == "TT27":
            v.update(ket_qua=a.ket_qua, khen_thuong=joined(a.khen_thuong),
                     hoan_thanh_chuong_trinh_tieu_hoc=a.hoan_thanh_chuong_trinh_tieu_hoc)
        elif a.framework == "TT22":
            for part in ("hk1", "hk2", "ca_nam", "sau_he"):
                v[f"hoc_tap_{part}"] = getattr(a.hoc_tap, part)
                v[f"ren_luyen_{part}"] = getattr(a.ren_luyen, part)
            v.update(kiem_tra_lai=a.kiem_tra_lai, ren_luyen_he=a.ren_luyen_he, danh_hieu=a.danh_hieu)
        else:
            v.update(hoc_luc=a.hoc_luc, hanh_kiem=a.hanh_kiem, danh_hieu=a.danh_hieu)
        return v

    def _primary(self, key: dict, a) -> None:
        kinds = export_words()["kind"]
        entries = [("mon", s.mon, s.muc_dat, s.diem_ktdk, s.nhan_xet) for s in a.mon_hoc]
        entries += [(kind, x.ma, x.muc_dat, {}, x.nhan_xet) for kind, group in (("pham_chat", a.pham_chat),
                                                                              ("nang_luc", a.nang_luc)) for x in group]
        for kind, item, muc_dat, diem, nhan_xet in entries:
            label = subject_label("primary", item) if kind == "mon" else rating_label(kind, item)
            periods = [p for p in PRIMARY_PERIODS if p in muc_dat or p in diem] or ["CN"]
            for i, period in enumerate(periods):
                self.writer.write("danh_gia_tieu_hoc", _row("danh_gia_tieu_hoc", {
                    **key, "loai": kinds[kind], "muc": label, "period": period, "muc_dat": muc_dat.get(period),
                    "diem_ktdk": diem.get(period), "nhan_xet": nhan_xet if i == 0 else None}))

    def _secondary(self, key: dict, a) -> None:
        for s in a.mon_hoc:
            base = {**key, "mon": subject_label("secondary", s.mon)}
            for attr, label in SEMESTER_ROWS:
                sem = getattr(s, attr)
                if sem is None:
                    continue
                tx = [*sem.tx, *sem.tx_nx]
                self.tx_columns = max(self.tx_columns, len(tx))
                self._spool({**base, "hoc_ky": label, "tx": tx, "gk": joined([sem.gk, sem.gk_nx]),
                             "ck": joined([sem.ck, sem.ck_nx]), "tb_hk": sem.tb, "ket_qua": sem.kq_nx})
            self._spool({**base, "hoc_ky": "CN", "so_tiet": s.so_tiet, "nhan_xet": s.nhan_xet,
                         "tb_cn": s.tb_ca_nam, "ket_qua": s.kq_ca_nam,
                         "kiem_tra_lai": joined([s.kiem_tra_lai, s.kiem_tra_lai_nx])})

    def _spool(self, values: dict[str, Any]) -> None:
        self.tt22.write(json.dumps({k: plain(v) for k, v in values.items()}, ensure_ascii=False) + "\n")

    def _legacy(self, key: dict, a) -> None:
        for s in a.mon_hoc:
            columns = list(s.diem.items()) or [(None, [])]
            for i, (column, scores) in enumerate(columns):
                self.writer.write("diem_cu", _row("diem_cu", {
                    **key, "mon": s.mon, "cot": column, "diem": joined(scores),
                    "tb_ca_nam": s.tb_ca_nam if i == 0 else None}))

    def finish(self) -> None:
        self.writer.start("lop", headers("lop")[0])
        for (mt, nh, lop), c in self.classes.items():
            agreed = {name: next(iter(vals)) if len(vals) == 1 else None for name, vals in c.items()}
            self.writer.write("lop", _row("lop", {"ma_truong": mt, "nam_hoc": nh, "lop": lop, **agreed}))
        self.writer.start("diem_thcs_thpt", headers("diem_thcs_thpt", self.tx_columns)[0])
        self.tt22.seek(0)
        for line in self.tt22:
            self.writer.write("diem_thcs_thpt", _row("diem_thcs_thpt", json.loads(line), self.tx_columns))
        self.tt22.close()
        self.writer.close()


def export(records: Iterable[StudentYear], destination: str) -> None:
    path = Path(destination)
    writer = XlsxWriter(path) if path.suffix.lower() == ".xlsx" else CsvWriter(path)
    exporter = Exporter(writer)
    for record in records:
        exporter.add(record)
    exporter.finish()
