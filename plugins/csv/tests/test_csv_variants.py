"""The spellings and encodings real exports use all read to the same canonical values."""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date, datetime
from decimal import Decimal

import pytest

from csv_helpers import errors, extract, to_cp1258, to_vni
from hocba_csv.encoding import TCVN3

HEADER = ["Mã học sinh", "Họ và tên", "Ngày sinh", "Giới tính", "Mã trường", "Năm học", "Lớp", "Khối",
          "Nhận xét của giáo viên chủ nhiệm"]
ROWS = [["HS1", "Nguyễn Thị Phương", "05/09/2016", "Nữ", "79000001", "2025-2026", "3A", "3", "Chăm ngoan, học giỏi."],
        ["HS2", "Trần Văn Trường", "06/10/2016", "Nam", "79000001", "2025-2026", "3A", "3", "Tiếng Việt tiến bộ."],
        ["HS3", "Lê Hoàng Quỳnh", "07/11/2016", "Nữ", "79000001", "2025-2026", "3A", "3", "Đọc tốt."]]


def write(path, rows, delimiter=",", encode=lambda s: s.encode("utf-8"), newline="\r\n"):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(rows)
    path.write_bytes(encode(out.getvalue()))
    return path


def names(records):
    return [(r.student.ho_ten, r.nhan_xet_gvcn) for r in records]


EXPECTED = [(r[1], r[8]) for r in ROWS]


@pytest.mark.parametrize("encoding, encode", [
    ("utf-8", lambda s: s.encode("utf-8")),
    ("utf-8 with BOM", lambda s: s.encode("utf-8-sig")),
    ("utf-16 with BOM", lambda s: s.encode("utf-16")),
    ("utf-16-be with BOM", lambda s: "\ufeff".encode("utf-16-be") + s.encode("utf-16-be")),
    ("utf-16-le without BOM", lambda s: s.encode("utf-16-le")),
    ("windows-1258", to_cp1258),
    ("tcvn3", lambda s: s.encode(TCVN3)),
])
def test_encodings_are_detected(tmp_path, encoding, encode):
    got, problems = extract(write(tmp_path / "ket_qua_nam.csv", [HEADER, *ROWS], encode=encode))
    assert names(got) == EXPECTED
    assert not problems


def test_configured_encoding_wins(tmp_path):
    path = write(tmp_path / "ket_qua_nam.csv", [HEADER, *ROWS], encode=to_cp1258)
    got, _ = extract(path, encoding="windows-1258")
    assert names(got) == EXPECTED


def test_tcvn3_capital_words_written_with_the_capital_font(tmp_path):
    # ABC's capital font reuses the lower-case codes: "NGUYỄN THỊ" is stored as "NGUY" + ễ + "N TH" + ị
    text = ",".join(HEADER) + "\r\nHS1,NGUY\u1ec5N TH\u1ecb AN,,,79000001,2025-2026,3A,3,\r\n"
    (tmp_path / "ket_qua_nam.csv").write_bytes(text.encode(TCVN3))
    got, _ = extract(tmp_path / "ket_qua_nam.csv")
    assert got[0].student.ho_ten == "NGUYỄN THỊ AN"


def test_vni_is_refused_with_a_clear_problem(tmp_path):
    got, problems = extract(write(tmp_path / "ket_qua_nam.csv", [HEADER, *ROWS], encode=to_vni))
    assert got == []
    assert [(p.key, p.file) for p in problems] == [("csv_encoding_unknown", "ket_qua_nam.csv")]
    assert "VNI" in problems[0].message("en")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_detected(tmp_path, delimiter):
    got, problems = extract(write(tmp_path / "ket_qua_nam.csv", [HEADER, *ROWS], delimiter=delimiter))
    assert [r.student.ho_ten for r in got] == [r[1] for r in ROWS] and not problems


def test_configured_delimiter(tmp_path):
    got, _ = extract(write(tmp_path / "data.txt", [HEADER, *ROWS], delimiter="\t"), delimiter="tab")
    assert len(got) == 3


@pytest.mark.parametrize("cell, expected", [
    ("05/09/2016", date(2016, 9, 5)), ("5/9/2016", date(2016, 9, 5)), ("05-09-2016", date(2016, 9, 5)),
    ("05.09.2016", date(2016, 9, 5)), ("2016-09-05", date(2016, 9, 5)), ("42618", date(2016, 9, 5)),
    ("2016-09-05 00:00:00", date(2016, 9, 5)),
])
def test_date_spellings(tmp_path, cell, expected):
    rows = [HEADER, ["HS1", "An", cell, "Nam", "79000001", "2025-2026", "3A", "3", ""]]
    got, problems = extract(write(tmp_path / "ket_qua_nam.csv", rows))
    assert got[0].student.ngay_sinh == expected and not problems


@pytest.mark.parametrize("cell, expected", [
    ("Nam", 1), ("nam", 1), ("NỮ", 2), (unicodedata.normalize("NFD", "Nữ"), 2), ("1", 1), ("2", 2), ("01", 1),
    ("02", 2), ("0", 0), ("", 0),
])
def test_gender_spellings(tmp_path, cell, expected):
    rows = [HEADER, ["HS1", "An", "", cell, "79000001", "2025-2026", "3A", "3", ""]]
    got, problems = extract(write(tmp_path / "ket_qua_nam.csv", rows))
    assert got[0].student.gioi_tinh == expected and not problems


@pytest.mark.parametrize("cell", ["2025-2026", "2025 - 2026", "2025–2026", "2025—2026", "2025/2026", "2025"])
def test_school_year_spellings(tmp_path, cell):
    rows = [HEADER, ["HS1", "An", "", "", "79000001", cell, "3A", "3", ""]]
    got, problems = extract(write(tmp_path / "ket_qua_nam.csv", rows))
    assert got[0].nam_hoc == "2025-2026" and not problems


def test_nfd_text_and_headers_become_nfc(tmp_path):
    nfd = [unicodedata.normalize("NFD", c) for c in HEADER]
    rows = [nfd, *[[unicodedata.normalize("NFD", c) for c in r] for r in ROWS]]
    got, problems = extract(write(tmp_path / "ket_qua_nam.csv", rows))
    assert names(got) == EXPECTED and not problems


def test_header_spellings_title_rows_and_column_order(tmp_path):
    header = ["Ghi chú", "LỚP", "ma_hoc_sinh", "Họ tên\nhọc sinh", "Năm  học", "Mã trường (*)", "KHỐI"]
    rows = [["TRƯỜNG TIỂU HỌC THÁI SƠN"], ["DANH SÁCH HỌC SINH"], [], header,
            ["x", "3A", "HS1", "Lê Thị Một", "2025", "79000001", "Khối 3"]]
    got, problems = extract(write(tmp_path / "ket_qua_nam.csv", rows, delimiter=";"))
    assert [(r.student.ho_ten, r.lop, r.khoi, r.nam_hoc) for r in got] == [("Lê Thị Một", "3A", 3, "2025-2026")]
    assert [(p.key, p.column, p.row) for p in problems] == [("csv_unknown_column", "Ghi chú", 4)]


def test_scores_decimal_comma_and_values(tmp_path):
    (tmp_path / "ket_qua_nam.csv").write_text(
        "Mã học sinh,Họ và tên,Mã trường,Năm học,Lớp,Khối\nHS1,An,T1,2025-2026,7A,7\n", encoding="utf-8")
    (tmp_path / "diem_thcs_thpt.csv").write_text(
        "Mã học sinh;Mã trường;Năm học;Môn học;Học kỳ;TX1;TX2;TX3;GK;CK;ĐTBmhk;Kết quả\n"
        "HS1;T1;2025-2026;Toán;HK I;7,5;8;8.25;6,0;9;7,9;\n"
        "HS1;T1;2025-2026;Giáo dục thể chất;Học kỳ 1;đạt;CD;;Đ;;;Đạt\n"
        "HS1;T1;2025-2026;TOÁN;Cả năm;;;;;;;\n", encoding="utf-8")
    got, problems = extract(tmp_path)
    assert not problems
    toan, gdtc = got[0].danh_gia.mon_hoc
    assert toan.hk1.tx == [Decimal("7.5"), Decimal("8"), Decimal("8.25")]
    assert (str(toan.hk1.gk), str(toan.hk1.ck), str(toan.hk1.tb)) == ("6.0", "9", "7.9")
    assert (gdtc.mon, gdtc.hk1.tx_nx, gdtc.hk1.gk_nx, gdtc.hk1.kq_nx) == ("gdtc", ["Đ", "CĐ"], "Đ", "Đ")


def test_primary_detail_rows_without_kind_column(tmp_path):
    (tmp_path / "ket_qua_nam.csv").write_text(
        "Mã học sinh,Họ và tên,Mã trường,Năm học,Lớp,Khối\nHS1,An,T1,2025-2026,3A,3\n", encoding="utf-8")
    (tmp_path / "danh_gia_tieu_hoc.csv").write_text(
        "Mã học sinh,Mã trường,Năm học,Môn học,Thời điểm,Mức đạt được,Điểm KTĐK\n"
        "HS1,T1,2025-2026,Tiếng Việt,Cuối năm,Hoàn thành tốt,\"9,0\"\n"
        "HS1,T1,2025-2026,Trung thực,CN,đạt,\n"
        "HS1,T1,2025-2026,Thẩm mĩ,Giữa học kỳ I,t,\n", encoding="utf-8")
    got, problems = extract(tmp_path)
    assert not problems
    a = got[0].danh_gia
    assert (a.mon_hoc[0].mon, a.mon_hoc[0].muc_dat, str(a.mon_hoc[0].diem_ktdk["CN"])) == ("tieng_viet", {"CN": "T"}, "9.0")
    assert (a.pham_chat[0].ma, a.pham_chat[0].muc_dat) == ("pc_trung_thuc", {"CN": "Đ"})
    assert (a.nang_luc[0].ma, a.nang_luc[0].muc_dat) == ("nl_tham_mi", {"GHKI": "T"})


def test_workbook_cells_of_every_type(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Kết quả năm học"
    ws.append(["Mã học sinh", "Họ và tên", "Ngày sinh", "Giới tính", "Mã trường", "Năm học", "Lớp", "Khối",
               "Nghỉ có phép", "Được lên lớp"])
    ws.append([1001, "An", datetime(2016, 9, 5), 2, 79000001, 2025, "3A", 3, 2.0, True])
    ws.append(["1002", "Bình", 42618, "1", "79000001", "2025-2026", "3A", "3", "0", "x"])
    wb.save(tmp_path / "book.xlsx")
    got, problems = extract(tmp_path / "book.xlsx")
    assert not problems
    assert [(r.student_key, r.student.ngay_sinh, r.student.gioi_tinh, r.ma_truong, r.nghi_co_phep, r.duoc_len_lop)
            for r in got] == [("1001", date(2016, 9, 5), 2, "79000001", 2, True),
                              ("1002", date(2016, 9, 5), 1, "79000001", 0, True)]


def test_missing_school_and_year_columns_come_from_settings(tmp_path):
    rows = [["Mã học sinh", "Họ và tên", "Lớp", "Khối"], ["HS1", "An", "3A", "3"]]
    got, problems = extract(write(tmp_path / "ket_qua_nam.csv", rows), school="79000001", nam_hoc="2025",
                            ma_so_gd="79")
    assert [(r.ma_truong, r.nam_hoc, r.ma_so_gd) for r in got] == [("79000001", "2025-2026", "79")]
    _, problems = extract(tmp_path / "ket_qua_nam.csv")
    assert sorted(p.column for p in errors(problems)) == ["Mã trường", "Năm học"]


def test_values_of_another_framework_or_period_are_noted_and_ignored(tmp_path):
    (tmp_path / "ket_qua_nam.csv").write_text(
        "Mã học sinh,Họ và tên,Mã trường,Năm học,Lớp,Khối,Kết quả học tập HKI,Kết quả giáo dục\n"
        "HS1,An,T1,2025-2026,3A,3,T,HTT\n"
        "HS2,Bình,T1,2025-2026,7A,7,K,\n", encoding="utf-8")
    (tmp_path / "diem_thcs_thpt.csv").write_text(
        "Mã học sinh,Mã trường,Năm học,Môn học,Học kỳ,TX1,Kiểm tra lại\n"
        "HS1,T1,2025-2026,Toán,HK1,8,\n"
        "HS2,T1,2025-2026,Toán,CN,7,\n"
        "HS2,T1,2025-2026,Toán,HK1,8,6\n", encoding="utf-8")
    got, problems = extract(tmp_path)
    assert [(r.student_key, r.danh_gia.framework) for r in got] == [("HS1", "TT27"), ("HS2", "TT22")]
    assert got[0].danh_gia.ket_qua == "HTT" and got[1].danh_gia.hoc_tap.hk1 == "K"
    assert got[1].danh_gia.mon_hoc[0].hk1.tx == [Decimal("8")] and got[1].danh_gia.mon_hoc[0].kiem_tra_lai is None
    assert {(p.key, p.file, p.row, p.column) for p in problems} == {
        ("csv_value_not_for_framework", "ket_qua_nam.csv", 2, "Kết quả học tập HKI"),
        ("csv_detail_framework_mismatch", "diem_thcs_thpt.csv", 2, None),
        ("csv_value_not_for_period", "diem_thcs_thpt.csv", 3, "TX1"),
        ("csv_value_not_for_period", "diem_thcs_thpt.csv", 4, "Kiểm tra lại"),
    }
    assert {p.severity for p in problems} == {"warning"}
