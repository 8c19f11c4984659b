"""Every check of CHECKS.md: a valid record gives no finding, one mutation fires exactly that check.

Each case mutates a valid record (tests/validate/builders.py) and names the only checks it may fire:
the check under test plus, rarely, a listed companion. So a case also shows that a problem is reported
once and that dependent checks stay silent instead of repeating it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from connector.model import PrimaryRating, PrimarySubject, SecondarySubject
from tests.validate import builders as b
from tests.validate.conftest import make_validator

CASES: list[tuple[str, object, set[str]]] = []


def case(check_id: str, *also: str):
    def add(fn):
        CASES.append((check_id, fn, set(also)))
        return fn

    return add


# --- identity ---------------------------------------------------------------------------------------


@case("FRAME-1.framework")
def tt22_record_in_a_legacy_year():
    return b.secondary(khoi=9, nam_hoc="2023-2024")  # TT22 reached grade 9 in 2024-2025


@case("FRAME-1.framework")
def tt27_record_before_tt27():
    return b.primary(khoi=5, nam_hoc="2023-2024")


@case("GEN-2.code")
def primary_result_as_a_label():
    rec = b.primary()
    rec.danh_gia.ket_qua = "Hoàn thành xuất sắc"  # the parser should have normalised it to HTXS
    return rec


@case("GEN-2.code")
def unknown_reward():
    rec = b.primary()
    rec.danh_gia.khen_thuong = ["HSXS", "Giấy khen"]
    return rec


@case("GEN-2.code")
def secondary_learning_label():
    rec = b.secondary()
    rec.danh_gia.hoc_tap.hk1 = "Giỏi"  # a pre-TT22 label
    return rec


@case("GEN-2.code")
def comment_value_outside_list():
    rec = b.secondary()
    b.subject(rec, "gdtc").hk1.tx_nx[0] = "A"
    return rec


@case("GEN-2.code")
def unknown_title():
    rec = b.secondary()
    rec.danh_gia.danh_hieu = "HSTT"  # "Học sinh tiên tiến", dropped by TT22
    return rec


@case("GEN-2.code")
def unknown_status():
    rec = b.secondary()
    rec.trang_thai = "nghỉ ốm"
    return rec


@case("ID-1.format")
def personal_id_too_short():
    rec = b.primary()
    rec.student.so_dinh_danh_ca_nhan = "07931500012"
    return rec


@case("ID-1.format")
def personal_id_unknown_province():
    rec = b.primary()
    rec.student.so_dinh_danh_ca_nhan = "003315000123"
    return rec


@case("ID-1.consistency")
def personal_id_gender_differs():
    rec = b.primary()
    rec.student.gioi_tinh = 1
    return rec


@case("ID-1.consistency")
def personal_id_birth_year_differs():
    rec = b.primary()
    rec.student.ngay_sinh = date(2014, 3, 15)  # the number says 2015
    return rec


@case("ID-2.student_code")
def no_student_code():
    rec = b.primary()
    rec.student.ma_hoc_sinh = None
    return rec


@case("ID-2.student_code")
def temporary_student_code():
    rec = b.primary()
    rec.student.ma_hoc_sinh = "TAM-079315000123"
    return rec


@case("ID-3.level_group")
def level_group_of_another_level():
    rec = b.primary()
    rec.nhom_cap_hoc = "03"
    return rec


@case("ID-3.school_year")
def school_year_spanning_two_years():
    rec = b.primary()
    rec.nam_hoc = "2024-2026"
    return rec


@case("ID-3.age")
def birth_date_implausible_for_grade():
    rec = b.primary()
    rec.student.so_dinh_danh_ca_nhan = None
    rec.student.ngay_sinh = date(2022, 1, 1)  # a two-year-old in grade 4
    return rec


@case("ID-4.school")
def no_so_code():
    rec = b.secondary()
    rec.ma_so_gd = None
    return rec


@case("ID-4.school")
def blank_school_code():
    rec = b.primary()
    rec.ma_truong = " "
    return rec


# --- TT27 (grade 4 unless stated) -------------------------------------------------------------------


@case("TT27-1.subject_level_missing")
def subject_level_missing_mid_year():
    rec = b.primary()
    del b.subject(rec, "toan").muc_dat["GHKII"]
    return rec


@case("TT27-1.subject_level_missing")
def subject_level_missing_at_year_end():
    rec = b.primary()
    del b.subject(rec, "dao_duc").muc_dat["CN"]
    return rec


@case("TT27-1.subject_level_invalid")
def subject_level_with_rating_code():
    rec = b.primary()
    b.subject(rec, "toan").muc_dat["CN"] = "Đ"
    return rec


@case("TT27-1.rating_level_missing")
def rating_level_missing():
    rec = b.primary()
    del b.rating(rec, "nl_tinh_toan").muc_dat["CHKI"]
    return rec


@case("TT27-1.rating_level_missing")
def quality_absent():
    rec = b.primary()
    rec.danh_gia.pham_chat = [r for r in rec.danh_gia.pham_chat if r.ma != "pc_trung_thuc"]
    return rec


@case("TT27-1.rating_h")
def quality_rated_h():
    rec = b.primary()
    b.rating(rec, "pc_cham_chi").muc_dat["CN"] = "H"
    return rec


@case("TT27-1.rating_level_invalid")
def competence_rated_x():
    rec = b.primary()
    b.rating(rec, "nl_ngon_ngu").muc_dat["GHKI"] = "X"
    return rec


@case("TT27-2.score_decimal")
def ktdk_score_with_decimals():
    rec = b.primary()
    b.subject(rec, "toan").diem_ktdk["CN"] = D("8.5")
    return rec


@case("TT27-2.score_range")
def ktdk_score_above_ten():
    rec = b.primary()
    b.subject(rec, "tieng_viet").diem_ktdk["CHKI"] = D("11")
    return rec


@case("TT27-2.score_zero")
def ktdk_score_zero():
    rec = b.primary()
    b.subject(rec, "toan").diem_ktdk["GHKI"] = D("0")
    return rec


@case("TT27-2.score_missing")
def year_end_test_missing():
    rec = b.primary()
    del b.subject(rec, "lich_su_dia_li").diem_ktdk["CN"]
    return rec


@case("TT27-2.score_missing")
def mid_term_test_missing_in_grade_4():
    rec = b.primary()
    del b.subject(rec, "toan").diem_ktdk["GHKII"]
    return rec


@case("TT27-2.score_missing_inferred")
def science_test_missing():
    rec = b.primary()
    del b.subject(rec, "khoa_hoc").diem_ktdk["CN"]
    return rec


@case("TT27-2.score_unexpected")
def score_for_an_untested_subject():
    rec = b.primary()
    b.subject(rec, "dao_duc").diem_ktdk["CN"] = D("9")
    return rec


@case("TT27-2.score_unexpected")
def mid_term_score_in_grade_3():
    rec = b.primary(khoi=3, nam_hoc="2024-2025")
    b.subject(rec, "toan").diem_ktdk["GHKI"] = D("9")
    return rec


@case("TT27-3.result")
def stored_result_differs():
    rec = b.primary()
    rec.danh_gia.ket_qua = "HTT"
    return rec


@case("TT27-3.result")
def stored_result_missing():
    rec = b.primary()
    rec.danh_gia.ket_qua = None
    return rec


@case("TT27-4.reward_not_allowed")
def excellence_reward_for_htt():
    rec = b.primary()
    b.subject(rec, "khoa_hoc").diem_ktdk["CN"] = D("8")
    b.finish_primary(rec)  # HTT
    rec.danh_gia.khen_thuong = ["HSXS"]
    return rec


@case("TT27-4.hsxs_missing")
def htxs_without_reward():
    rec = b.primary()
    rec.danh_gia.khen_thuong = []
    return rec


@case("TT27-5.completion")
def completion_flag_off():
    rec = b.primary()
    rec.hoan_thanh_chuong_trinh_lop = False
    return rec


@case("TT27-5.completion")
def primary_completion_flag_missing_in_grade_5():
    rec = b.primary(khoi=5)
    rec.danh_gia.hoan_thanh_chuong_trinh_tieu_hoc = None
    return rec


@case("TT27-6.promotion")
def not_promoted_although_completed():
    rec = b.primary()
    rec.duoc_len_lop = False
    return rec


@case("TT27-6.promotion")
def promoted_with_cht():
    rec = b.primary(level="C")
    rec.duoc_len_lop = True
    return rec


@case("TT27-7.subject_not_in_grade")
def history_row_in_grade_2():
    rec = b.primary(khoi=2)
    rec.danh_gia.mon_hoc.append(PrimarySubject(mon="lich_su_dia_li", muc_dat={p: "T" for p in b.PRIMARY_PERIODS}))
    return rec


@case("TT27-7.subject_missing")
def ethics_missing():
    rec = b.primary()
    rec.danh_gia.mon_hoc = [s for s in rec.danh_gia.mon_hoc if s.mon != "dao_duc"]
    return rec


@case("TT27-7.competence_grade")
def informatics_competence_in_grade_2():
    rec = b.primary(khoi=2)
    rec.danh_gia.nang_luc.append(PrimaryRating(ma="nl_tin_hoc", muc_dat={p: "T" for p in b.PRIMARY_PERIODS}))
    return rec


@case("TT27-7.competence_grade")
def technology_competence_missing_in_grade_4():
    rec = b.primary()
    rec.danh_gia.nang_luc = [r for r in rec.danh_gia.nang_luc if r.ma != "nl_cong_nghe"]
    return rec


@case("TT27-7.competence_grade")
def weak_competence_left_out():
    rec = b.primary()
    b.rating(rec, "nl_cong_nghe").muc_dat["CN"] = "C"
    b.finish_primary(rec)  # CHT
    rec.danh_gia.nang_luc = [r for r in rec.danh_gia.nang_luc if r.ma != "nl_cong_nghe"]
    return rec  # no TT27-3: the result is not recomputed without it


# --- TT22 (grade 8, every scored subject 8.0 unless stated) ------------------------------------------


@case("TT22-1.score_in_comment_subject")
def score_in_physical_education():
    rec = b.secondary()
    b.subject(rec, "gdtc").hk1.tx = [D("7.0")]
    return rec


@case("TT22-1.score_in_comment_subject")
def year_average_on_arts():
    rec = b.secondary()
    b.subject(rec, "nghe_thuat").tb_ca_nam = D("8.0")
    return rec


@case("TT22-1.score_in_comment_subject")
def comment_subject_entered_as_scores():
    rec = b.secondary()
    sem = b.subject(rec, "gdtc").hk1
    sem.tx, sem.tx_nx = [D("7.0"), D("8.0")], []  # no TT22-2 finding for the "missing" Đ/CĐ values
    return rec


@case("TT22-1.comment_in_score_subject")
def comment_in_maths():
    rec = b.secondary()
    b.subject(rec, "toan").hk2.tx_nx = ["Đ"]
    return rec


@case("TT22-1.score_range")
def score_above_ten():
    rec = b.secondary()
    b.subject(rec, "toan").hk1.tx[0] = D("11")
    return rec


@case("TT22-1.score_precision")
def score_with_two_decimals():
    rec = b.secondary()
    b.subject(rec, "ngu_van").hk1.tx[1] = D("7.25")
    return rec


@case("TT22-1.unknown_subject")
def subject_not_taught_in_grade():
    rec = b.secondary()
    rec.danh_gia.mon_hoc.append(SecondarySubject(mon="vat_li", hk1=b.scored_semester(D("8"), 3)))
    return rec


@case("TT22-1.unknown_subject")
def subject_not_in_catalogue():
    rec = b.secondary()
    rec.danh_gia.mon_hoc.append(SecondarySubject(mon="tin_hoc_van_phong"))
    return rec


@case("TT22-2.tx_missing")
def regular_assessment_missing():
    rec = b.secondary()
    b.subject(rec, "toan").hk1.tx.pop()
    return rec


@case("TT22-2.tx_missing")
def comment_regular_assessment_missing():
    rec = b.secondary()
    b.subject(rec, "gddp").hk2.tx_nx.pop()
    return rec


@case("TT22-2.tx_extra")
def regular_assessment_extra():
    rec = b.secondary()
    b.subject(rec, "gdcd").hk2.tx.append(D("9"))
    return rec


@case("TT22-2.gk_missing")
def mid_term_missing():
    rec = b.secondary()
    b.subject(rec, "khtn").hk1.gk = None
    return rec


@case("TT22-2.ck_missing")
def end_of_term_missing():
    rec = b.secondary()
    b.subject(rec, "hdtn_hn").hk2.ck_nx = None
    return rec


@case("TT22-2.semester_missing")
def second_semester_missing():
    rec = b.secondary()
    b.subject(rec, "toan").hk2 = None
    return rec


@case("TT22-2.subject_missing")
def compulsory_subject_missing():
    rec = b.secondary()
    rec.danh_gia.mon_hoc = [s for s in rec.danh_gia.mon_hoc if s.mon != "gddp"]
    return rec


@case("TT22-3.semester_average")
def semester_average_differs():
    rec = b.secondary()
    b.subject(rec, "toan").hk1.tb = D("7.9")
    return rec


@case("TT22-3.semester_average")
def semester_average_missing():
    rec = b.secondary()
    b.subject(rec, "toan").hk2.tb = None
    return rec


@case("TT22-3.year_average")
def year_average_differs():
    rec = b.secondary()
    b.subject(rec, "ngoai_ngu_1").tb_ca_nam = D("8.1")
    return rec


@case("TT22-4.comment_semester")
def comment_semester_differs():
    rec = b.secondary()
    b.subject(rec, "gdtc").hk1.kq_nx = "CĐ"
    return rec


@case("TT22-4.comment_year")
def comment_year_differs():
    rec = b.secondary()
    b.subject(rec, "nghe_thuat").kq_ca_nam = "CĐ"
    return rec


@case("TT22-5.learning_semester")
def learning_semester_differs():
    rec = b.secondary()
    rec.danh_gia.hoc_tap.hk2 = "K"
    return rec


@case("TT22-5.learning_year")
def learning_year_differs():
    rec = b.secondary()
    rec.danh_gia.hoc_tap.ca_nam = "K"
    return rec


@case("TT22-5.learning_adjusted")
def learning_raised_for_one_subject():
    rec = b.secondary(scores={"toan": "3.0"})  # Chưa đạt only because of Toán (3.0 < 3.5)
    rec.danh_gia.hoc_tap.ca_nam = "Đ"
    return rec


@case("TT22-6.conduct_year")
def conduct_year_confirmed_part():
    rec = b.secondary(conduct=("K", "T"))  # → Tốt
    rec.danh_gia.ren_luyen.ca_nam = "K"
    return rec


@case("TT22-6.conduct_year_inferred")
def conduct_year_inferred_part():
    rec = b.secondary(conduct=("T", "Đ"))  # → Khá, from the [inferred] HKII Đạt row
    rec.danh_gia.ren_luyen.ca_nam = "Đ"
    return rec


@case("TT22-7.promotion")
def not_promoted_although_everything_passed():
    rec = b.secondary()
    rec.duoc_len_lop = False
    return rec


@case("TT22-7.promotion")
def promoted_with_too_many_absences():
    rec = b.secondary()
    rec.nghi_co_phep, rec.nghi_khong_phep = 40, 6
    return rec


@case("TT22-8.title")
def good_student_title_missing():
    rec = b.secondary()
    rec.danh_gia.danh_hieu = None
    return rec


@case("TT22-8.title")
def title_without_good_conduct():
    rec = b.secondary(conduct=("K", "K"))
    rec.danh_gia.danh_hieu = "HSG"
    return rec


@case("TT22-8.title_count")
def excellent_stored_as_good():
    rec = b.secondary(score="9.0")
    rec.danh_gia.danh_hieu = "HSG"
    return rec


def example_9_record():
    """Brief 03 example 9: Chưa đạt because of Toán 3.4; re-test Toán 5.5, Nghệ thuật still CĐ → Đạt."""
    rec = b.secondary(conduct=("K", "K"), scores={"ngu_van": "5.0", "toan": "3.4", "ngoai_ngu_1": "5.5",
                                                  "gdcd": "6.0", "lich_su_dia_li": "5.0", "khtn": "5.2",
                                                  "cong_nghe": "6.1", "tin_hoc": "7.0"})
    b.subject(rec, "nghe_thuat").hk2.tx_nx[1] = "CĐ"
    rec.nghi_co_phep, rec.nghi_khong_phep = 15, 5
    rec.danh_gia.kiem_tra_lai = True
    b.subject(rec, "toan").kiem_tra_lai = D("5.5")
    b.subject(rec, "nghe_thuat").kiem_tra_lai_nx = "CĐ"
    return b.finish_secondary(rec)


@case("TT22-9.retest_not_allowed")
def retest_flag_on_a_good_student():
    rec = b.secondary()
    rec.danh_gia.kiem_tra_lai = True
    return rec


@case("TT22-9.retest_subject")
def retest_of_a_passed_subject():
    rec = example_9_record()
    b.subject(rec, "gdcd").kiem_tra_lai = D("2.0")  # and it does not replace GDCD's 6.0 in the result
    return rec


@case("TT22-9.after_retest")
def result_after_retest_differs():
    rec = example_9_record()
    rec.danh_gia.hoc_tap.sau_he = "CĐ"
    return rec


@case("TT22-10.summer_not_allowed")
def summer_training_for_good_conduct():
    rec = b.secondary()
    rec.danh_gia.ren_luyen_he = True
    return rec


@case("TT22-10.summer_missing")
def summer_training_result_missing():
    return b.secondary(conduct=("K", "CĐ"))


# --- the tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [b.primary, b.secondary, example_9_record], ids=["primary", "secondary", "example9"])
def test_valid_record_gives_no_finding(make, fired):
    assert fired(make()) == set()


@pytest.mark.parametrize("khoi", range(1, 13))
def test_valid_record_of_every_grade_gives_no_finding(khoi, fired):
    rec = b.primary(khoi=khoi) if khoi <= 5 else b.secondary(khoi=khoi)
    assert fired(rec) == set()


@pytest.mark.parametrize(("check_id", "make", "also"), CASES, ids=[f"{c}-{fn.__name__}" for c, fn, _ in CASES])
def test_mutation_fires_its_check_only(check_id, make, also, fired):
    assert fired(make()) == {check_id, *also}


def test_a_problem_is_reported_once(validator):
    rec = b.secondary()
    b.subject(rec, "toan").hk1.tx.pop()  # also leaves a stale stored average and learning result
    findings = validator.validate(rec)
    assert [(f.rule_id, f.check, f.subject) for f in findings] == [("TT22-2", "tx_missing", "toan")]


def test_minimum_count_policy_accepts_extra_regular_assessments(fired):
    rec = b.secondary()
    b.subject(rec, "gdcd").hk2.tx.append(D("9"))
    b.finish_secondary(rec)
    assert fired(rec) == {"TT22-2.tx_extra"}
    assert fired(rec, make_validator(tt22_count_policy="minimum")) == set()


def test_periods_from_settings_change_the_required_count(fired):
    rec = b.secondary()  # Tin học grade 8: 35 periods → 2 ĐĐGtx
    v = make_validator(periods={"tin_hoc": {"8": 52}})  # → 3
    assert {(f.check, f.expected) for f in v.validate(rec) if f.subject == "tin_hoc"} == {
        ("tx_missing", "3")}


def test_periods_declared_by_the_record_win(fired):
    rec = b.secondary()
    b.subject(rec, "tin_hoc").so_tiet = 70  # → 3 ĐĐGtx
    assert fired(rec) == {"TT22-2.tx_missing"}


def test_disabled_student_not_assessed_is_checked_by_tt22_1_only(fired):
    rec = b.secondary()
    rec.co_khuyet_tat_khong_danh_gia = True
    rec.danh_gia.hoc_tap.ca_nam = None
    rec.danh_gia.ren_luyen.ca_nam = None
    rec.duoc_len_lop = None
    b.subject(rec, "toan").hk2 = None
    b.subject(rec, "ngu_van").hk1.tx[0] = D("7.25")
    assert fired(rec) == {"TT22-1.score_precision"}


def test_revalidating_a_record_changed_in_place_uses_fresh_values(validator):
    rec = b.secondary()
    assert validator.validate(rec) == []
    b.subject(rec, "toan").hk1.tb = D("7.9")
    assert [f.check for f in validator.validate(rec)] == ["semester_average"]


def test_finding_names_subject_field_and_values(validator):
    rec = b.secondary()
    b.subject(rec, "toan").hk1.tb = D("7.9")
    (f,) = validator.validate(rec)
    assert (f.rule_id, f.check, f.severity, f.needs_review) == ("TT22-3", "semester_average", "error", False)
    assert (f.subject, f.field, f.found, f.expected) == ("toan", "danh_gia.mon_hoc[toan].hk1.tb", "7.9", "8.0")
    assert f.message("vi") == ("ĐTBmhk môn Toán học kỳ I: hệ thống lưu 7.9, "
                               "theo Thông tư 22 phải là 8.0.")
    assert f.message("en") == ("Semester I average (ĐTBmhk) of Mathematics: the system stores 7.9; under "
                               "Circular 22 it must be 8.0.")


def test_personal_id_never_appears_whole_in_a_finding(validator):
    rec = b.primary()
    rec.student.gioi_tinh = 1
    (f,) = validator.validate(rec)
    number = rec.student.so_dinh_danh_ca_nhan
    text = " ".join(str(v) for v in f.as_dict("vi").values()) + f.message("en")
    assert number not in text and "079*******23" in text


def test_temporary_code_is_not_shown(validator):
    rec = b.primary()
    rec.student.ma_hoc_sinh = "TAM-079315000123"
    (f,) = validator.validate(rec)
    assert "079315000123" not in f.message("vi") and f.found == "TAM…"


def test_tt27_rules_govern_the_first_tt27_year(fired):
    rec = b.primary(khoi=1, nam_hoc="2020-2021")  # TT27 in force from 20/10/2020
    rec.danh_gia.ket_qua = "HT"
    assert fired(rec) == {"TT27-3.result"}


def test_legacy_record_gets_identity_rules_only(fired):
    from connector.model import LegacyAssessment

    rec = b.secondary(khoi=9, nam_hoc="2019-2020")
    rec.danh_gia = LegacyAssessment()
    assert fired(rec) == set()
    rec.ma_so_gd = None
    rec.danh_gia = b.secondary().danh_gia  # a TT22 record in a legacy year
    assert fired(rec) == {"FRAME-1.framework", "ID-4.school"}


def test_every_message_renders_in_both_languages(validator):
    for _, make, _ in CASES:
        for f in validator.validate(make()):
            for lang in ("vi", "en"):
                text = f.message(lang)
                assert text and "{" not in text and "Label(" not in text, (f.rule_id, f.check, lang)


def test_missing_subject_stops_the_learning_result(fired):
    rec = b.secondary()
    gddp = b.subject(rec, "gddp")
    gddp.hk2.ck_nx = "CĐ"
    b.finish_secondary(rec)  # one comment subject Chưa đạt → learning Đạt
    assert rec.danh_gia.hoc_tap.ca_nam == "Đ"
    rec.danh_gia.mon_hoc.remove(gddp)  # without it the rest would give Tốt: never judged on part
    assert fired(rec) == {"TT22-2.subject_missing"}


def test_stored_two_levels_above_is_an_error_not_an_adjustment(validator):
    rec = b.secondary(scores={"toan": "3.0"})
    rec.danh_gia.hoc_tap.ca_nam = "K"  # the clause raises one level only
    assert [(f.check, f.severity) for f in validator.validate(rec)] == [("learning_year", "error")]


def test_no_adjustment_when_no_single_subject_explains_it(validator):
    rec = b.secondary(scores={"toan": "3.0", "ngu_van": "3.0"})
    rec.danh_gia.hoc_tap.ca_nam = "Đ"
    assert [(f.check, f.severity) for f in validator.validate(rec)] == [("learning_year", "error")]


@pytest.mark.parametrize("decision", [None, True, False])
def test_record_waiting_for_summer_training_reports_it_once(decision, fired):
    rec = b.secondary(conduct=("K", "CĐ"))
    rec.duoc_len_lop = decision  # cannot be judged before the summer training result
    assert fired(rec) == {"TT22-10.summer_missing"}


def test_primary_record_with_year_end_values_only(fired):
    rec = b.primary(khoi=4)
    for s in rec.danh_gia.mon_hoc:
        s.muc_dat = {"CN": s.muc_dat["CN"]}
        s.diem_ktdk = {p: v for p, v in s.diem_ktdk.items() if p == "CN"}
    for r in (*rec.danh_gia.pham_chat, *rec.danh_gia.nang_luc):
        r.muc_dat = {"CN": r.muc_dat["CN"]}
    assert fired(rec) == set()
    b.subject(rec, "toan").muc_dat["CHKI"] = "T"  # CHKI is now in use: every value is due there
    assert "TT27-2.score_missing" in fired(rec) and "TT27-1.subject_level_missing" in fired(rec)


def test_retest_value_outside_the_scale_is_not_used(fired):
    rec = example_9_record()
    b.subject(rec, "toan").kiem_tra_lai = D("-5.5")  # a stray minus sign
    assert fired(rec) == {"TT22-1.score_range"}


def test_a_missing_stored_value_reads_as_blank(validator):
    rec = b.primary()
    rec.danh_gia.ket_qua = None
    (f,) = validator.validate(rec)
    assert f.message("vi") == ("Kết quả đánh giá cuối năm: hệ thống lưu (trống), "
                               "theo Thông tư 27 (Điều 9) phải là HTXS.")
    assert f.found is None and f.expected == "HTXS"
