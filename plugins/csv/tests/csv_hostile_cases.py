"""Broken and hostile inputs for the csv source, as code (synthetic data only).

Each case writes its files under a folder and says what ``hocba validate`` must report: a problem
naming the file (and the row and column where the fault is in a cell), and how many good records still
come through. ``python csv_hostile_cases.py DIR`` writes them all to DIR to try by hand.
"""

from __future__ import annotations

import csv
import io
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from csv_helpers import template_row, to_cp1258, to_vni, write_template_xlsx  # noqa: E402

YEAR_HEADER = ["Mã học sinh", "Họ và tên", "Ngày sinh", "Giới tính", "Mã trường", "Năm học", "Lớp", "Khối",
               "Được lên lớp", "Nhận xét của giáo viên chủ nhiệm"]


def year_row(n: int, **change) -> list[str]:
    row = dict(zip(YEAR_HEADER, [f"HS{n}", f"Nguyễn Thị Hostile {n}", f"0{n}/09/2016", "Nữ", "79000001", "2025-2026",
                                 "7A", "7", "Có", f"Nhận xét {n}"]))
    row.update(change)
    return list(row.values())


def text(rows: list[list], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def year_file(folder: Path, bad: dict | None = None, name: str = "ket_qua_nam.csv", header=YEAR_HEADER) -> Path:
    rows = [header, year_row(1), year_row(2, **(bad or {})), year_row(3)]
    path = folder / name
    path.write_text(text(rows), encoding="utf-8")
    return path


SCORE_HEADER = ["Mã học sinh", "Mã trường", "Năm học", "Môn học", "Học kỳ", "ĐĐGtx1", "ĐĐGtx2", "ĐĐGgk", "ĐĐGck",
                "ĐTBmhk", "Nhận xét"]


def score_rows(n: int) -> list[list[str]]:
    return [[f"HS{n}", "79000001", "2025-2026", "Toán", "HK1", "7", "8", "7,5", "8", "7.8", ""],
            [f"HS{n}", "79000001", "2025-2026", "Toán", "CN", "", "", "", "", "", "Khá"]]


def scores_file(folder: Path, bad_rows: list[list[str]]) -> Path:
    rows = [SCORE_HEADER, *score_rows(1), *bad_rows, *score_rows(3)]
    (folder / "diem_thcs_thpt.csv").write_text(text(rows), encoding="utf-8")
    return folder


@dataclass
class Case:
    name: str
    build: Callable[[Path], Path]  # writes the files under the case folder, returns the path to validate
    file: str  # the file (label) the problem must name
    row: int | None = None  # the row it must name (None: a file-level problem)
    column: str | None = None  # the column it must name
    key: str | None = None  # the problem's message key
    records: int = 2  # good records that must still come through
    settings: dict = field(default_factory=dict)
    cli: bool = True  # also run through the command line (each run costs about a second)


def _bad_year(column: str, value: str, key: str) -> Case:
    slug = key.removeprefix("csv_") + "_" + unicodedata.normalize("NFD", column).encode("ascii", "ignore").decode().replace(" ", "_")
    return Case(slug.lower(), lambda d: year_file(d, {column: value}).parent, "ket_qua_nam.csv", 3, column, key)


def _bad_score(cell: str, value: str, key: str, slug: str, cli: bool = True) -> Case:
    def build(d: Path) -> Path:
        year_file(d)
        row = score_rows(2)[0]
        row[SCORE_HEADER.index(cell)] = value
        return scores_file(d, [row, score_rows(2)[1]])

    return Case(slug, build, "diem_thcs_thpt.csv", 4, cell, key, cli=cli)


def _write(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        (d / name).write_bytes(data)
        return d / name

    return build


def _duplicate_key(d: Path) -> Path:
    rows = [YEAR_HEADER, year_row(1), year_row(2), year_row(3), year_row(2, **{"Lớp": "7B"})]
    (d / "ket_qua_nam.csv").write_text(text(rows), encoding="utf-8")
    return d


def _duplicate_detail(d: Path) -> Path:
    year_file(d)
    changed = score_rows(2)[0][:]
    changed[SCORE_HEADER.index("ĐĐGck")] = "9"
    return scores_file(d, [*score_rows(2), changed])


def _conflicting_comment(d: Path) -> Path:
    year_file(d)
    first, cn = score_rows(2)
    first[SCORE_HEADER.index("Nhận xét")] = "Giỏi"
    return scores_file(d, [first, cn])


def _orphans(d: Path) -> Path:
    year_file(d)
    return scores_file(d, score_rows(9))


def _student_missing(d: Path) -> Path:
    rows = [YEAR_HEADER, year_row(1), year_row(2, **{"Họ và tên": ""}), year_row(3)]
    (d / "ket_qua_nam.csv").write_text(text(rows), encoding="utf-8")
    return d


def _missing_column(d: Path) -> Path:
    rows = [YEAR_HEADER, year_row(1), year_row(2, **{"Họ và tên": ""}), year_row(3)]
    (d / "ket_qua_nam.csv").write_text(text(rows), encoding="utf-8")
    (d / "hoc_sinh.csv").write_text("Mã học sinh,Ngày sinh\nHS2,01/01/2016\n", encoding="utf-8")
    return d


def _unquoted_decimal_comma(d: Path) -> Path:
    rows = [YEAR_HEADER + ["Nghỉ có phép"], year_row(1) + ["1"], year_row(3) + ["2"]]
    body = text(rows) + ",".join(year_row(2) + ["7,5"]) + "\r\n"  # 7,5 not in quotes: one cell too many
    (d / "ket_qua_nam.csv").write_text(body, encoding="utf-8")
    return d


def _truncated(d: Path) -> Path:
    rows = [YEAR_HEADER, year_row(1), year_row(3)]
    body = text(rows) + ",".join(year_row(2)[:5])  # the file stops in the middle of its last row
    (d / "ket_qua_nam.csv").write_text(body, encoding="utf-8")
    return d


def _unterminated_quote(d: Path) -> Path:
    rows = [YEAR_HEADER, year_row(1), year_row(3)]
    body = text(rows) + ",".join(year_row(2)[:9]) + ',"Nhận xét bị cắt'
    (d / "ket_qua_nam.csv").write_text(body, encoding="utf-8")
    return d


def _nul(d: Path) -> Path:
    return year_file(d, {"Họ và tên": "Nguyễn\x00Thị"}).parent


def _huge_field(d: Path) -> Path:
    return year_file(d, {"Nhận xét của giáo viên chủ nhiệm": "rất dài " * 1_300_000}).parent  # ~10 MB


def _mixed_encoding(d: Path) -> Path:
    rows = [YEAR_HEADER, year_row(1), year_row(3)]
    good = text(rows).encode("utf-8")
    bad = text([year_row(2, **{"Họ và tên": "Trần Văn Đức"})]).encode("utf-8").replace(
        "Trần".encode(), to_cp1258("Trần"))
    (d / "ket_qua_nam.csv").write_bytes(good + bad)
    return d


def _utf16_odd_bytes(d: Path) -> Path:
    data = text([YEAR_HEADER, year_row(1), year_row(3), year_row(2)]).encode("utf-16")
    (d / "ket_qua_nam.csv").write_bytes(data[:-3])  # cut inside the last character of row 4
    return d


def _vni(d: Path) -> Path:
    year_file(d)
    rows = [["Mã học sinh", "Mã trường", "Năm học", "Môn học", "Học kỳ", "Nhận xét"],
            ["HS1", "79000001", "2025-2026", "Toán", "CN", "Học tốt, chăm chỉ, tiến bộ nhiều trong năm học."]] * 3
    (d / "diem_thcs_thpt.csv").write_bytes(to_vni(text(rows)))
    return d


def _workbook(d: Path, rows: list[list], title: str = "ket_qua_nam") -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    wb.save(d / "bundle.xlsx")
    return d / "bundle.xlsx"


def _formula(d: Path) -> Path:
    return _workbook(d, [YEAR_HEADER, year_row(1), year_row(2, **{"Khối": "=3+4"}), year_row(3)])


def _error_cell(d: Path) -> Path:
    path = _workbook(d, [YEAR_HEADER, year_row(1), year_row(2), year_row(3)])
    # openpyxl writes "#N/A" as an error cell
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.active.cell(row=3, column=3).value = "#N/A"
    wb.save(path)
    return path


def _wrong_sheet(d: Path) -> Path:
    return _workbook(d, [["Tên", "Điểm"], ["An", 7]], title="Trang tính 1")


def _template_formula(d: Path) -> Path:
    bad = template_row(2, "1A", "HS2", "Lê Văn Hai", date(2019, 1, 2))
    bad[5] = "=IF(1,\"T\",\"H\")"
    rows = [template_row(1, "1A", "HS1", "An", date(2019, 1, 1)), bad, template_row(3, "1A", "HS3", "Ba", date(2019, 1, 3))]
    return write_template_xlsx(d / "FlieMau-KQHT-C1-CN-Khoi12-TT27_2020.xlsx", rows)


def _too_many_problems(d: Path) -> Path:
    rows = [YEAR_HEADER, year_row(1), *[year_row(100 + i, **{"Ngày sinh": "không rõ"}) for i in range(400)], year_row(3)]
    (d / "ket_qua_nam.csv").write_text(text(rows), encoding="utf-8")
    return d


def _duplicate_column(d: Path) -> Path:
    return year_file(d, {"Khối": "x"}, header=[*YEAR_HEADER[:7], "Họ tên", "Được lên lớp", "Nhận xét"]).parent


def _garbage_table(d: Path) -> Path:
    year_file(d)
    (d / "danh_gia_tieu_hoc.csv").write_bytes(bytes(range(256)) * 40)
    return d


def _wrong_delimiter(d: Path) -> Path:
    return year_file(d).parent


def _unknown_item(d: Path) -> Path:
    rows = [YEAR_HEADER, year_row(1, **{"Lớp": "3A", "Khối": "3"}), year_row(2, **{"Lớp": "3A", "Khối": "3"}),
            year_row(3, **{"Lớp": "3A", "Khối": "3"})]
    (d / "ket_qua_nam.csv").write_text(text(rows), encoding="utf-8")
    (d / "danh_gia_tieu_hoc.csv").write_text(text([
        ["Mã học sinh", "Mã trường", "Năm học", "Môn học", "Thời điểm", "Mức đạt được"],
        ["HS1", "79000001", "2025-2026", "Toán", "CN", "T"],
        ["HS2", "79000001", "2025-2026", "Bơi lội", "CN", "T"],
        ["HS3", "79000001", "2025-2026", "Toán", "Cuối tuần", "T"]]), encoding="utf-8")
    return d


CASES: list[Case] = [
    _bad_year("Ngày sinh", "31/02/2016", "csv_bad_date"),
    Case("month_first_date", lambda d: year_file(d, {"Ngày sinh": "12/25/2016"}).parent, "ket_qua_nam.csv", 3,
         "Ngày sinh", "csv_bad_date", cli=False),
    _bad_year("Giới tính", "X", "csv_bad_gender"),
    _bad_year("Năm học", "2025-26", "csv_bad_school_year"),
    _bad_year("Khối", "13", "csv_bad_grade"),
    _bad_year("Được lên lớp", "có lẽ", "csv_bad_bool"),
    _bad_year("Lớp", "", "csv_required_empty"),
    _bad_score("ĐĐGck", "abc", "csv_bad_score_or_result", "bad_score_letters"),
    _bad_score("ĐĐGtx1", "7..5", "csv_bad_score_or_result", "bad_score_two_dots", cli=False),
    _bad_score("ĐĐGgk", "7; 8", "csv_too_many_values", "two_scores_in_one_cell"),
    _bad_score("Học kỳ", "HK3", "csv_bad_semester", "bad_semester"),
    _bad_score("Môn học", "", "csv_required_empty", "subject_missing"),
    Case("unknown_item_and_bad_period", _unknown_item, "danh_gia_tieu_hoc.csv", 3, "Môn học", "csv_unknown_item", 1),
    Case("duplicate_key", _duplicate_key, "ket_qua_nam.csv", 5, "Mã học sinh", "csv_duplicate_key"),
    Case("duplicate_detail_rows", _duplicate_detail, "diem_thcs_thpt.csv", 6, "Mã học sinh", "csv_duplicate_key"),
    Case("conflicting_subject_comment", _conflicting_comment, "diem_thcs_thpt.csv", 5, "Nhận xét",
         "csv_conflicting_value"),
    Case("orphan_score_rows", _orphans, "diem_thcs_thpt.csv", 4, "Mã học sinh", "csv_orphan_rows", 3),
    Case("student_data_missing", _student_missing, "ket_qua_nam.csv", 3, "Mã học sinh", "csv_student_missing"),
    Case("required_column_missing", _missing_column, "hoc_sinh.csv", 1, "Họ và tên", "csv_missing_column"),
    Case("duplicate_column", _duplicate_column, "ket_qua_nam.csv", 1, "Họ tên", "csv_duplicate_column", 3,
         {"khoi": "7"}),
    Case("unquoted_decimal_comma", _unquoted_decimal_comma, "ket_qua_nam.csv", 4, "L", "csv_row_too_many_cells"),
    Case("truncated_last_row", _truncated, "ket_qua_nam.csv", 4, "Năm học", "csv_truncated"),
    Case("unterminated_quote", _unterminated_quote, "ket_qua_nam.csv", 4, None, "csv_row_malformed"),
    Case("nul_byte", _nul, "ket_qua_nam.csv", 3, "Họ và tên", "csv_nul_byte"),
    Case("huge_field_10mb", _huge_field, "ket_qua_nam.csv", 3, "Nhận xét của giáo viên chủ nhiệm", "csv_cell_too_long"),
    Case("mixed_encoding_row", _mixed_encoding, "ket_qua_nam.csv", 4, "Họ và tên", "csv_undecodable"),
    Case("utf16_cut_mid_character", _utf16_odd_bytes, "ket_qua_nam.csv", 4, "Nhận xét của giáo viên chủ nhiệm",
         "csv_undecodable"),
    Case("vni_encoded_table", _vni, "diem_thcs_thpt.csv", None, None, "csv_encoding_unknown", 3),
    Case("binary_garbage_table", _garbage_table, "danh_gia_tieu_hoc.csv", None, None, "csv_file_binary", 3),
    Case("binary_garbage_file", _write("ket_qua_nam.csv", bytes(range(256)) * 100), "ket_qua_nam.csv", None, None,
         "csv_file_binary", 0),
    Case("empty_file", _write("ket_qua_nam.csv", b""), "ket_qua_nam.csv", None, None, "csv_file_empty", 0),
    Case("bom_and_blank_lines_only", _write("ket_qua_nam.csv", b"\xef\xbb\xbf\r\n\r\n  \r\n"), "ket_qua_nam.csv",
         None, None, "csv_file_empty", 0, cli=False),
    Case("zip_renamed_csv", _write("ket_qua_nam.csv", b"PK\x03\x04" + bytes(300)), "ket_qua_nam.csv", None, None,
         "csv_file_binary", 0, cli=False),
    Case("garbage_xlsx", _write("bundle.xlsx", b"not a workbook at all" * 50), "bundle.xlsx", None, None,
         "csv_file_unreadable", 0),
    Case("empty_xlsx_file", _write("bundle.xlsx", b""), "bundle.xlsx", None, None, "csv_file_unreadable", 0, cli=False),
    Case("garbage_xls", _write("FlieMau-KQHT-C1-CN-Khoi12.xls", b"\xd0\xcf\x11\xe0" + bytes(600)),
         "FlieMau-KQHT-C1-CN-Khoi12.xls", None, None, "csv_file_unreadable", 0, cli=False),
    Case("formula_cell", _formula, "bundle.xlsx[ket_qua_nam]", 3, "Khối", "csv_formula_cell"),
    Case("excel_error_cell", _error_cell, "bundle.xlsx[ket_qua_nam]", 3, "Ngày sinh", "csv_error_cell"),
    Case("wrong_sheet", _wrong_sheet, "bundle.xlsx", None, None, "csv_sheet_not_found", 0),
    Case("wrong_delimiter_setting", _wrong_delimiter, "ket_qua_nam.csv", None, None, "csv_header_not_found", 0,
         {"delimiter": ";"}),
    Case("template_formula_cell", _template_formula, "FlieMau-KQHT-C1-CN-Khoi12-TT27_2020.xlsx[Sheet1]", 5,
         "Môn học và hoạt động giáo dục / Toán / Mức đạt được", "csv_formula_cell", 2,
         {"school": "79000001", "nam_hoc": "2025-2026"}),
    Case("template_without_settings", _template_formula, "FlieMau-KQHT-C1-CN-Khoi12-TT27_2020.xlsx[Sheet1]", None,
         None, "csdl_missing_setting", 0),
    Case("hundreds_of_bad_rows", _too_many_problems, "ket_qua_nam.csv", 3, "Ngày sinh", "csv_bad_date", 2, cli=False),
]


def build_all(root: Path) -> dict[str, Path]:
    out = {}
    for case in CASES:
        folder = root / case.name
        folder.mkdir(parents=True, exist_ok=True)
        out[case.name] = case.build(folder)
    return out


if __name__ == "__main__":
    for name, path in build_all(Path(sys.argv[1])).items():
        print(name, path)
