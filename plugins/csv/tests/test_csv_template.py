"""The CSDL ngành primary results template (.xlsx built here, .xls committed fixture)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from csv_helpers import GENERAL, QUALITIES, SPECIFIC, TEMPLATE_SUBJECTS, errors, extract, template_row, write_template_xlsx
from hocba_csv.csdl import column_paths, grades_from_name, period_from_name
from hocba_csv.source import CsvSource

XLS_FIXTURE = Path(__file__).parent / "fixtures" / "FlieMau-KQHT-C1-CN-Khoi12-TT27_2020.xls"
NAME = "FlieMau-KQHT-C1-{period}-Khoi12-TT27_2020.xlsx"
SETTINGS = {"school": 79000001, "nam_hoc": 2025, "ma_so_gd": "79"}  # numbers, as unquoted TOML gives them


def rows():
    return [template_row(1, "1A", "HS1", "Lê Thị Một", date(2019, 3, 4)),
            template_row(2, "1A", "HS2", "Lê Văn Hai", "05/06/2019", levels="H", score="7", done=None, result="HT"),
            template_row(3, "2B", "HS3", "Phạm Thị Ba", 43500, levels="hoàn thành tốt", score=10, quality="Tốt")]


@pytest.mark.parametrize("nfd", [True, False])
def test_xlsx_template_with_merged_nfd_headers(tmp_path, nfd):
    path = write_template_xlsx(tmp_path / NAME.format(period="CN"), rows(), nfd=nfd)
    got, problems = extract(path, **SETTINGS)
    assert not problems
    first, second, third = got
    assert (first.ma_truong, first.nam_hoc, first.ma_so_gd, first.khoi, first.lop, first.nhom_cap_hoc) == (
        "79000001", "2025-2026", "79", 1, "1A", "02")
    assert (third.khoi, third.student.ngay_sinh) == (2, date(2019, 2, 4))  # Excel serial 43500
    a = first.danh_gia
    assert [s.mon for s in a.mon_hoc] == ["toan", "tieng_viet", "dao_duc", "tu_nhien_xa_hoi", "ngoai_ngu_1",
                                          "tieng_dan_toc", "tin_hoc", "am_nhac", "mi_thuat",
                                          "hoat_dong_trai_nghiem", "giao_duc_the_chat"]
    assert len(a.mon_hoc) == len(TEMPLATE_SUBJECTS)
    assert (a.mon_hoc[0].muc_dat, {k: str(v) for k, v in a.mon_hoc[0].diem_ktdk.items()}) == ({"CN": "T"}, {"CN": "9"})
    assert [r.ma for r in a.nang_luc] == ["nl_tu_chu_tu_hoc", "nl_giao_tiep_hop_tac", "nl_giai_quyet_van_de",
                                          "nl_ngon_ngu", "nl_tinh_toan", "nl_khoa_hoc", "nl_tham_mi", "nl_the_chat"]
    assert len(a.nang_luc) == len(GENERAL) + len(SPECIFIC) and len(a.pham_chat) == len(QUALITIES)
    assert (a.ket_qua, first.hoan_thanh_chuong_trinh_lop, first.duoc_len_lop) == ("HTT", True, True)
    assert (second.danh_gia.ket_qua, second.hoan_thanh_chuong_trinh_lop, second.duoc_len_lop) == ("HT", False, False)
    assert third.danh_gia.mon_hoc[0].muc_dat == {"CN": "T"} and third.danh_gia.pham_chat[0].muc_dat == {"CN": "T"}


def test_xls_template_fixture():
    got, problems = extract(XLS_FIXTURE, school="79000001", nam_hoc="2025-2026")
    assert not problems
    assert [(r.student_key, r.student.ho_ten, r.student.ngay_sinh, r.khoi, r.danh_gia.ket_qua, len(r.danh_gia.mon_hoc),
             len(r.danh_gia.nang_luc), len(r.danh_gia.pham_chat)) for r in got] == [
        ("HSX01", "Đỗ Thị Xuân", date(2019, 2, 3), 1, "HTT", 11, 8, 5),
        ("HSX02", "Hoàng Văn Hạ", date(2018, 8, 15), 2, "HT", 11, 8, 5)]


def test_templates_of_several_points_merge_into_one_record(tmp_path):
    for period, level in (("GHKI", "H"), ("CHKI", "T"), ("CN", "T")):
        write_template_xlsx(tmp_path / NAME.format(period=period),
                            [template_row(1, "1A", "HS1", "Lê Thị Một", date(2019, 3, 4), levels=level,
                                          done=None if period != "CN" else "x", result=None if period != "CN" else "HTT")])
    got, problems = extract(tmp_path, **SETTINGS)
    assert not problems
    assert got[0].danh_gia.mon_hoc[0].muc_dat == {"GHKI": "H", "CHKI": "T", "CN": "T"}
    assert (got[0].danh_gia.ket_qua, got[0].hoan_thanh_chuong_trinh_lop) == ("HTT", True)


def test_template_with_bundle_student_data(tmp_path):
    write_template_xlsx(tmp_path / NAME.format(period="CN"), rows()[:1])
    (tmp_path / "hoc_sinh.csv").write_text("Mã học sinh,Họ và tên,Giới tính\nHS1,Lê Thị Một,Nữ\n", encoding="utf-8")
    got, problems = extract(tmp_path, **SETTINGS)
    assert not problems and got[0].student.gioi_tinh == 2


def test_period_setting_and_results_outside_the_year_end(tmp_path):
    path = write_template_xlsx(tmp_path / "ket_qua_lop_1A.xlsx", rows()[:1])
    got, problems = extract(path, **SETTINGS)
    assert got == [] and [p.key for p in problems] == ["csdl_period_unknown"]
    got, problems = extract(path, period="Giữa học kỳ I", **SETTINGS)
    assert got[0].danh_gia.mon_hoc[0].muc_dat == {"GHKI": "T"} and got[0].danh_gia.ket_qua is None
    assert sorted(p.column.split(" / ")[0] for p in problems) == ["Hoàn thành chương trình lớp học", "Lên lớp", "Xếp loại"]
    assert {p.severity for p in problems} == {"warning"}


def test_template_needs_school_and_year(tmp_path):
    path = write_template_xlsx(tmp_path / NAME.format(period="CN"), rows())
    got, problems = extract(path, nam_hoc="2025")
    assert got == [] and [(p.key, p.fields) for p in problems] == [("csdl_missing_setting", {"setting": "school"})]
    result = CsvSource({"path": str(path), "nam_hoc": "2025"}).check()
    assert not result.ok and result.key == "csdl_missing_setting" and "school" in result.message("en")
    assert CsvSource({"path": str(path), **SETTINGS}).check().ok


def test_grade_from_setting_class_code_or_file_name(tmp_path):
    row = template_row(1, "Lớp Một", "HS1", "An", None)
    path = write_template_xlsx(tmp_path / NAME.format(period="CN"), [row])
    _, problems = extract(path, **SETTINGS)
    assert [(p.key, p.row, p.column) for p in problems] == [("csdl_grade_unknown", 4, "Mã lớp")]
    got, _ = extract(path, khoi="2", **SETTINGS)
    assert got[0].khoi == 2
    single = write_template_xlsx(tmp_path / "FlieMau-KQHT-C1-CN-Khoi3-TT27_2020.xlsx", [row])
    got, _ = extract(single, **SETTINGS)
    assert got[0].khoi == 3


def test_bad_cells_drop_only_their_pupil(tmp_path):
    bad = template_row(2, "1A", "HS2", "Lê Văn Hai", "31/02/2019", score="mười")
    path = write_template_xlsx(tmp_path / NAME.format(period="CN"), [rows()[0], bad])
    got, problems = extract(path, **SETTINGS)
    assert [r.student_key for r in got] == ["HS1"]
    assert {(p.row, p.column, p.key) for p in errors(problems)} == {
        (5, "Ngày sinh", "csv_bad_date"),
        (5, "Môn học và hoạt động giáo dục / Toán / Điểm KTĐK", "csv_bad_score"),
        (5, "Môn học và hoạt động giáo dục / Tiếng Việt / Điểm KTĐK", "csv_bad_score")}


def test_header_paths_fill_merged_cells():
    header = [["STT", "Môn học", None, None, "Xếp loại", None],
              [None, "Toán", None, "Đạo đức", None, None],
              [None, "Mức đạt được", "Điểm KTĐK", None, None, None]]
    assert column_paths(header) == [["STT"], ["Môn học", "Toán", "Mức đạt được"], ["Môn học", "Toán", "Điểm KTĐK"],
                                    ["Môn học", "Đạo đức"], ["Xếp loại"], []]


@pytest.mark.parametrize("name, period, grades", [
    ("FlieMau-KQHT-C1-CN-Khoi12-TT27_2020", "CN", {1, 2}), ("KQHT_GHKI_Khoi4", "GHKI", {4}),
    ("kqht-chki-khoi5", "CHKI", {5}), ("KQHT-C1-GHKII", "GHKII", set()), ("bang_diem", None, set()),
])
def test_file_name_tokens(name, period, grades):
    assert period_from_name(name) == period and grades_from_name(name) == grades
