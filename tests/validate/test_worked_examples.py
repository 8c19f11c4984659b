"""The worked examples of domain brief 03 §6 (1–16), each as StudentYear records through the validator."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from connector import catalogue, compute
from connector.model import Semester
from tests.validate import builders as b
from tests.validate.test_checks import example_9_record


def findings_of(validator, rec, check: str):
    return [f for f in validator.validate(rec) if f"{f.rule_id}.{f.check}" == check]


def set_semester(rec, key: str, hk: int, tx: list[str], gk: str, ck: str) -> None:
    setattr(b.subject(rec, key), f"hk{hk}", Semester(tx=[D(x) for x in tx], gk=D(gk), ck=D(ck)))


# --- averages (TT22-3, NUM-*) ------------------------------------------------------------------------


def test_example_1_four_regular_assessments(validator, fired):
    rec = b.secondary(khoi=7)  # Toán: 140 periods → 4 ĐĐGtx
    set_semester(rec, "toan", 1, ["8", "7.5", "9", "6.5"], "7.0", "8.5")
    b.finish_secondary(rec)
    assert b.subject(rec, "toan").hk1.tb == D("7.8")  # 70.5 / 9 = 7.833…
    assert fired(rec) == set()
    b.subject(rec, "toan").hk1.tb = D("7.9")
    (f,) = findings_of(validator, rec, "TT22-3.semester_average")
    assert (f.subject, f.found, f.expected) == ("toan", "7.9", "7.8")


def test_example_2_divide_by_count_plus_five_not_six(validator):
    rec = b.secondary(khoi=6)  # Tin học: 35 periods → 2 ĐĐGtx
    set_semester(rec, "tin_hoc", 1, ["7.5", "8.5"], "6.8", "7.3")
    b.finish_secondary(rec)
    assert b.subject(rec, "tin_hoc").hk1.tb == D("7.4")  # 51.5 / 7 = 7.357…
    wrong = compute.half_up((D("8.0") + 2 * D("6.8") + 3 * D("7.3")) / 6)  # the "÷ 6" formula
    assert wrong == D("7.3")
    b.subject(rec, "tin_hoc").hk1.tb = wrong
    (f,) = findings_of(validator, rec, "TT22-3.semester_average")
    assert (f.found, f.expected) == ("7.3", "7.4")


def test_example_3_exact_tie_rounds_half_up(validator):
    rec = b.secondary(khoi=8)  # Công nghệ: 52 periods → 3 ĐĐGtx
    set_semester(rec, "cong_nghe", 1, ["7", "8", "6"], "6.5", "8")
    b.finish_secondary(rec)
    assert b.subject(rec, "cong_nghe").hk1.tb == D("7.3")  # 58.0 / 8 = 7.25 exactly
    b.subject(rec, "cong_nghe").hk1.tb = D("7.25").quantize(D("0.1"))  # half-even: 7.2
    (f,) = findings_of(validator, rec, "TT22-3.semester_average")
    assert (f.found, f.expected) == ("7.2", "7.3")


def test_example_4_float_error_at_nine(validator):
    rec = b.secondary(khoi=8)
    set_semester(rec, "cong_nghe", 2, ["9", "9", "9"], "8.8", "9")
    b.finish_secondary(rec)
    assert b.subject(rec, "cong_nghe").hk2.tb == D("9.0")  # 71.6 / 8 = 8.95 exactly
    assert round(71.6 / 8, 1) == 8.9  # what float code stores
    b.subject(rec, "cong_nghe").hk2.tb = D("8.9")
    (f,) = findings_of(validator, rec, "TT22-3.semester_average")
    assert (f.found, f.expected) == ("8.9", "9.0")


def test_example_5_year_average_from_rounded_semesters(validator, fired):
    rec = b.secondary(khoi=8)
    set_semester(rec, "cong_nghe", 1, ["7", "8", "6"], "6.5", "8")  # 7.25 → 7.3
    set_semester(rec, "cong_nghe", 2, ["8", "8", "8"], "7.8", "8")  # 7.95 → 8.0
    b.finish_secondary(rec)
    assert b.subject(rec, "cong_nghe").tb_ca_nam == D("7.8")  # 23.3 / 3 = 7.766…
    assert fired(rec) == set()
    b.subject(rec, "cong_nghe").tb_ca_nam = D("7.7")  # from unrounded or banker's-rounded semesters
    (f,) = findings_of(validator, rec, "TT22-3.year_average")
    assert (f.found, f.expected) == ("7.7", "7.8")


def test_example_6_incomplete_semester_has_no_average(validator, fired):
    rec = b.secondary(khoi=9)  # Toán: 4 ĐĐGtx
    set_semester(rec, "toan", 1, ["8", "9", "7"], "8", "9")
    b.subject(rec, "toan").hk1.tb = D("8.4")  # "divide by what is there": 67 / 8 = 8.375
    findings = validator.validate(rec)
    assert [(f.rule_id, f.check, f.found, f.expected) for f in findings] == [("TT22-2", "tx_missing", "3", "4")]
    b.subject(rec, "toan").hk1.tb = D("8.5")  # the "÷ 6" formula with mean 8: 51 / 6
    assert fired(rec) == {"TT22-2.tx_missing"}
    b.subject(rec, "toan").hk1.tx.append(D("6"))
    assert compute.semester_average(b.subject(rec, "toan").hk1.tx, D("8"), D("9")) == D("8.1")  # 73 / 9
    (f,) = findings_of(validator, rec, "TT22-3.semester_average")
    assert (f.found, f.expected) == ("8.5", "8.1")


def test_example_7_comment_only_subject(validator, fired):
    rec = b.secondary(khoi=8)
    art = b.subject(rec, "nghe_thuat")
    art.hk2.tx_nx = ["Đ", "CĐ"]
    b.finish_secondary(rec)
    assert (art.hk1.kq_nx, art.hk2.kq_nx, art.kq_ca_nam) == ("Đ", "CĐ", "CĐ")
    assert fired(rec) == set()
    art.kq_ca_nam = "Đ"  # 7 of 8 assessments were Đạt, but the year is the HKII result
    (f,) = findings_of(validator, rec, "TT22-4.comment_year")
    assert (f.found, f.expected) == ("Đ", "CĐ")


# --- learning, re-test, conduct, promotion, titles ---------------------------------------------------

EXAMPLE_8 = {"ngu_van": "8.0", "toan": "9.1", "ngoai_ngu_1": "8.0", "gdcd": "8.5", "lich_su_dia_li": "7.9",
             "khtn": "8.0", "cong_nghe": "6.5", "tin_hoc": "8.2"}


@pytest.mark.parametrize(("change", "expected"), [
    ({}, "T"),
    ({"cong_nghe": "6.4"}, "K"),  # variant A: lowest below 6.5
    ({"khtn": "7.9"}, "K"),  # variant B: only 5 subjects ≥ 8.0
])
def test_example_8_good_or_fairly_good_at_the_boundaries(change, expected, validator, fired):
    rec = b.secondary(khoi=8, scores={**EXAMPLE_8, **change})
    assert rec.danh_gia.hoc_tap.ca_nam == expected
    assert fired(rec) == set()
    rec.danh_gia.hoc_tap.ca_nam = "K" if expected == "T" else "T"
    (f,) = findings_of(validator, rec, "TT22-5.learning_year")
    assert f.expected == expected


def test_example_9_floor_retest_and_promotion(validator, fired):
    rec = example_9_record()
    a = rec.danh_gia
    assert a.hoc_tap.ca_nam == "CĐ"  # Toán 3.4 < 3.5
    assert compute.retest_allowed(a.hoc_tap.ca_nam, a.ren_luyen.ca_nam)
    assert [s.mon for s in a.mon_hoc if compute.retest_subject(s.tb_ca_nam, s.kq_ca_nam)] == ["toan", "nghe_thuat"]
    assert a.hoc_tap.sau_he == "Đ" and rec.duoc_len_lop is True
    assert fired(rec) == set()
    with_toan_at_floor = b.secondary(conduct=("K", "K"), scores={"toan": "3.5", "ngu_van": "5.0"})
    assert with_toan_at_floor.danh_gia.hoc_tap.ca_nam == "Đ"
    rec.duoc_len_lop = False
    (f,) = findings_of(validator, rec, "TT22-7.promotion")
    assert (f.found, f.expected) == ("0", "1")


@pytest.mark.parametrize(("hk1", "hk2", "year", "check"), [
    ("T", "Đ", "K", "TT22-6.conduct_year_inferred"),
    ("CĐ", "K", "Đ", "TT22-6.conduct_year"),
    ("Đ", "T", "K", "TT22-6.conduct_year"),
    ("K", "T", "T", "TT22-6.conduct_year"),
    ("K", "CĐ", "CĐ", "TT22-6.conduct_year_inferred"),
])
def test_example_10_year_conduct(hk1, hk2, year, check, validator):
    assert compute.conduct_year(hk1, hk2) == year
    rec = b.secondary(conduct=(hk1, hk2))
    rec.danh_gia.ren_luyen.ca_nam = "T" if year != "T" else "K"
    (f,) = [f for f in validator.validate(rec) if f.rule_id == "TT22-6"]
    assert (f"{f.rule_id}.{f.check}", f.expected) == (check, year)


def test_example_10_chua_dat_conduct_needs_summer_training(fired):
    rec = b.secondary(conduct=("K", "CĐ"))
    assert fired(rec) == {"TT22-10.summer_missing"}
    rec.danh_gia.ren_luyen.sau_he = "Đ"
    b.finish_secondary(rec)
    assert rec.duoc_len_lop is True and fired(rec) == set()


def test_example_11_absences(validator, fired):
    rec = b.secondary()
    rec.nghi_co_phep, rec.nghi_khong_phep = 30, 16
    (f,) = findings_of(validator, rec, "TT22-7.promotion")  # stored 1, 46 buổi > 45
    assert (f.found, f.expected) == ("1", "0")
    rec.nghi_khong_phep = 15
    assert fired(rec) == set()


EXAMPLE_12 = {"ngu_van": "9.0", "toan": "9.6", "ngoai_ngu_1": "9.2", "gdcd": "9.4", "lich_su_dia_li": "9.0",
              "cong_nghe": "9.0", "khtn": "8.7", "tin_hoc": "8.8"}


def test_example_12_title_lost_to_a_float(validator, fired):
    rec = b.secondary(khoi=8, scores=EXAMPLE_12)
    set_semester(rec, "cong_nghe", 2, ["9", "9", "9"], "8.8", "9")  # 8.95 → 9.0
    b.finish_secondary(rec)
    assert b.subject(rec, "cong_nghe").tb_ca_nam == D("9.0")
    assert (rec.danh_gia.hoc_tap.ca_nam, rec.danh_gia.danh_hieu) == ("T", "HSXS")
    assert fired(rec) == set()
    # What a float implementation stores: HKII 8.9, ĐTBmcn 8.9, only 5 subjects ≥ 9.0 → Học sinh Giỏi.
    cn = b.subject(rec, "cong_nghe")
    cn.hk2.tb, cn.tb_ca_nam, rec.danh_gia.danh_hieu = D("8.9"), D("8.9"), "HSG"
    assert fired(rec) == {"TT22-3.semester_average", "TT22-3.year_average", "TT22-8.title_count"}


# --- primary (TT27) ----------------------------------------------------------------------------------


def test_example_13_primary_htt(validator, fired):
    rec = b.primary(khoi=4, score=9)
    b.subject(rec, "toan").diem_ktdk["CN"] = D("10")
    b.subject(rec, "khoa_hoc").diem_ktdk["CN"] = D("8")
    b.finish_primary(rec)
    assert (rec.danh_gia.ket_qua, rec.hoan_thanh_chuong_trinh_lop) == ("HTT", True)
    assert fired(rec) == set()
    rec.danh_gia.khen_thuong = ["HSTB"]  # allowed with HTT (the class's recognition is not checkable)
    assert fired(rec) == set()
    rec.danh_gia.khen_thuong = ["HSXS"]
    (f,) = findings_of(validator, rec, "TT27-4.reward_not_allowed")
    assert (f.found, f.expected) == ("HSXS", "HTXS")


def example_14_record():
    rec = b.primary(khoi=2, nam_hoc="2024-2025")
    for key in ("toan", "tu_nhien_xa_hoi", "mi_thuat"):
        b.subject(rec, key).muc_dat = {p: "H" for p in b.PRIMARY_PERIODS}
    b.rating(rec, "pc_cham_chi").muc_dat = {p: "Đ" for p in b.PRIMARY_PERIODS}
    b.subject(rec, "tieng_viet").diem_ktdk["CN"] = D("6")
    b.subject(rec, "toan").diem_ktdk["CN"] = D("5")
    return b.finish_primary(rec)


@pytest.mark.parametrize("change", ["toan_test_4", "cham_chi_c"])
def test_example_14_primary_ht_and_cht(change, validator, fired):
    rec = example_14_record()
    assert {s.mon for s in rec.danh_gia.mon_hoc} == {
        s.key for s in catalogue.subjects_for("primary", 2) if s.required_in(2)}
    assert rec.danh_gia.ket_qua == "HT" and fired(rec) == set()
    if change == "toan_test_4":
        b.subject(rec, "toan").diem_ktdk["CN"] = D("4")
    else:
        b.rating(rec, "pc_cham_chi").muc_dat["CN"] = "C"
    (f,) = findings_of(validator, rec, "TT27-3.result")
    assert (f.found, f.expected) == ("HT", "CHT")


@pytest.mark.parametrize(("change", "check", "severity"), [
    (lambda r: b.subject(r, "toan").diem_ktdk.update(CN=D("8.5")), "TT27-2.score_decimal", "error"),
    (lambda r: b.subject(r, "toan").diem_ktdk.update(CN=D("0")), "TT27-2.score_zero", "warning"),
    (lambda r: b.subject(r, "toan").diem_ktdk.update(CN=D("11")), "TT27-2.score_range", "error"),
    (lambda r: b.rating(r, "pc_nhan_ai").muc_dat.update(CN="H"), "TT27-1.rating_h", "error"),
    (lambda r: b.subject(r, "dao_duc").diem_ktdk.update(CN=D("9")), "TT27-2.score_unexpected", "warning"),
], ids=["decimal", "zero", "eleven", "quality_h", "ethics_score"])
def test_example_15_primary_input_errors(change, check, severity, validator):
    rec = b.primary(khoi=4)
    change(rec)
    (f,) = findings_of(validator, rec, check)
    assert f.severity == severity and f.needs_review == (check == "TT27-2.score_zero")


def test_example_15_grade_3_informatics_test_missing(validator):
    rec = b.primary(khoi=3)
    del b.subject(rec, "tin_hoc").diem_ktdk["CN"]
    (f,) = findings_of(validator, rec, "TT27-2.score_missing")
    assert (f.subject, f.severity) == ("tin_hoc", "error")


def test_example_15_history_row_in_grade_2(validator):
    from connector.model import PrimarySubject

    rec = b.primary(khoi=2)
    rec.danh_gia.mon_hoc.append(PrimarySubject(mon="lich_su_dia_li", muc_dat={"CN": "T"}))
    (f,) = findings_of(validator, rec, "TT27-7.subject_not_in_grade")
    assert (f.subject, f.needs_review) == ("lich_su_dia_li", True)


# --- framework (FRAME-1) -----------------------------------------------------------------------------


@pytest.mark.parametrize(("khoi", "nam_hoc", "framework"), [
    (9, "2023-2024", "LEGACY"),
    (5, "2023-2024", "LEGACY"),
    (10, "2022-2023", "TT22"),
    (3, "2025-2026", "TT27"),
])
def test_example_16_framework_selection(khoi, nam_hoc, framework, validator, fired):
    assert catalogue.framework_for(khoi, nam_hoc) == framework
    rec = b.primary(khoi=khoi, nam_hoc=nam_hoc) if khoi <= 5 else b.secondary(khoi=khoi, nam_hoc=nam_hoc)
    if framework == "LEGACY":
        (f,) = findings_of(validator, rec, "FRAME-1.framework")
        assert (f.found, f.expected) == (rec.framework, "LEGACY")
    else:
        assert fired(rec) == set()
