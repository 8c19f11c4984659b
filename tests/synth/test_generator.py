"""The synthetic school generator: deterministic, the requested size, realistic, NFC, bounded memory,
and every derived value exactly what connector/compute.py gives."""

from __future__ import annotations

import hashlib
import re
import tracemalloc
import unicodedata
from collections import Counter, defaultdict
from decimal import Decimal
from importlib import resources

import pytest

from connector import catalogue, compute
from connector.model import StudentYear, canonical_json
from connector.synth import LEVELS, generate_school
from connector.synth.people import century_gender_digit

from .conftest import school


def digest(records) -> str:
    h = hashlib.sha256()
    for r in records:
        h.update(canonical_json(r).encode("utf-8") + b"\n")
    return h.hexdigest()


# --- determinism ----------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_records_and_errors():
    first = school(42, "secondary", 70, 0.2, years=2)
    second = school(42, "secondary", 70, 0.2, years=2)
    assert digest(r for r, _ in first) == digest(r for r, _ in second)
    assert [e for _, e in first] == [e for _, e in second]
    assert any(e is not None for _, e in first)


def test_another_seed_gives_another_school():
    a = digest(generate_school(1, level="primary", students=60))
    b = digest(generate_school(2, level="primary", students=60))
    assert a != b


def test_errors_change_only_the_injected_records():
    clean = school(8, "thcs", 200)
    dirty = school(8, "thcs", 200, 0.3)
    assert len(clean) == len(dirty)
    changed = 0
    for (c, _), (d, error) in zip(clean, dirty):
        if error is None:
            assert canonical_json(c) == canonical_json(d)
        else:
            changed += 1
            assert canonical_json(c) != canonical_json(d)
            assert (error.student_key, error.nam_hoc) == (d.student_key, d.nam_hoc)
    assert 30 < changed < 90  # about 30 % of 200


# --- size and shape -------------------------------------------------------------------------------


@pytest.mark.parametrize("level,students", [("primary", 1), ("primary", 37), ("thcs", 250), ("thpt", 99),
                                            ("secondary", 123)])
def test_one_year_gives_exactly_the_requested_students(level, students):
    records = list(generate_school(3, level=level, students=students))
    assert len(records) == students
    assert len({r.student_key for r in records}) == students
    assert {r.khoi for r in records} <= set(LEVELS[level])
    assert {r.nam_hoc for r in records} == {"2025-2026"}


@pytest.mark.parametrize("level", ["primary", "thcs", "thpt"])
def test_classes_and_grade_mix(large_schools, level):
    records = large_schools[level]
    grades = LEVELS[level]
    per_grade = Counter(r.khoi for r in records)
    assert set(per_grade) == set(grades)
    for count in per_grade.values():  # an even share, give or take a few per cent
        assert abs(count - len(records) / len(grades)) < 0.12 * len(records) / len(grades)
    classes = Counter(r.lop for r in records)
    for lop, size in classes.items():
        m = re.fullmatch(r"(\d{1,2})A(\d+)", lop)
        assert m and int(m[1]) in grades, lop
        assert 30 <= size <= 45, (lop, size)
    assert all(r.lop.startswith(f"{r.khoi}A") for r in records)
    assert all(r.nhom_cap_hoc == catalogue.level_group(r.khoi) for r in records)


def test_bad_arguments_are_refused():
    for kwargs in ({"level": "mam_non"}, {"nam_hoc": "2025-2027"}, {"nam_hoc": "2025"},
                   {"error_share": 1.5}, {"students": 0}, {"years": 0}):
        with pytest.raises(ValueError):
            next(generate_school(1, **kwargs))


# --- text and identity ----------------------------------------------------------------------------


def test_all_text_is_nfc_and_names_have_diacritics(large_schools):
    records = large_schools["primary"][:600] + large_schools["thpt"][:600]
    for r in records:
        line = canonical_json(r)
        assert unicodedata.is_normalized("NFC", line)
    names = [r.student.ho_ten for r in records]
    assert all(len(n.split()) >= 2 for n in names)
    with_diacritics = [n for n in names if any(ord(ch) > 127 for ch in n)]
    assert len(with_diacritics) > 0.9 * len(names)
    families = Counter(n.split()[0] for n in names)
    assert "Nguyễn" in dict(families.most_common(5))
    assert len(families) > 15
    parents = [r.student.ho_ten_me for r in records if r.student.ho_ten_me]
    assert len(parents) > 0.9 * len(records)


def test_gender_and_names_agree(large_schools):
    records = large_schools["thcs"]
    genders = Counter(r.student.gioi_tinh for r in records)
    assert set(genders) == {1, 2}
    assert 0.4 < genders[1] / len(records) < 0.6
    # "Thị" is a girl's middle name; boys' tables never use it.
    assert not [r for r in records if r.student.gioi_tinh == 1 and " Thị " in f" {r.student.ho_ten} "]
    assert [r for r in records if r.student.gioi_tinh == 2 and " Thị " in f" {r.student.ho_ten} "]
    fathers = [r for r in records if r.student.ho_ten_cha]
    # A child takes the father's family name.
    assert all(r.student.ho_ten.split()[0] == r.student.ho_ten_cha.split()[0] for r in fathers)


def test_student_codes_are_opaque_and_permanent_by_default(large_schools):
    records = large_schools["primary"]
    assert all(r.student.ma_hoc_sinh == r.student_key for r in records)
    assert all(re.fullmatch(r"\d{10}", r.student_key) for r in records)
    assert all(r.student.so_dinh_danh_ca_nhan is None for r in records)  # opt-in only


def test_temporary_codes_only_when_asked():
    records = list(generate_school(6, level="primary", students=150, temporary_codes=0.2))
    temporary = [r for r in records if r.student.ma_hoc_sinh.startswith("TAM-")]
    assert 15 < len(temporary) < 45
    assert all(r.student_key == r.student.ma_hoc_sinh for r in temporary)


def test_personal_ids_are_consistent_when_asked():
    records = list(generate_school(6, level="thpt", students=120, personal_ids=True, years=2))
    for r in records:
        pid, born = r.student.so_dinh_danh_ca_nhan, r.student.ngay_sinh
        assert re.fullmatch(r"\d{12}", pid)
        assert int(pid[3]) == century_gender_digit(born.year, r.student.gioi_tinh)
        assert pid[4:6] == f"{born.year % 100:02d}"
    by_student = defaultdict(set)
    for r in records:
        by_student[r.student_key].add(r.student.so_dinh_danh_ca_nhan)
    assert all(len(ids) == 1 for ids in by_student.values())  # never changes
    assert len({r.student.so_dinh_danh_ca_nhan[:3] for r in records}) > 1  # some born in another province


def test_ages_fit_the_grade():
    records = list(generate_school(9, level="secondary", students=150, years=4))
    offsets = Counter(int(r.nam_hoc[:4]) - r.student.ngay_sinh.year - r.khoi for r in records)
    assert set(offsets) <= set(range(4, 10))  # ID-3
    assert offsets[5] > 0.8 * len(records)  # most are on time


def test_canary_name_goes_to_one_student():
    records = list(generate_school(4, level="thcs", students=80, years=2, canary="Nguyễn Văn Canary"))
    named = {r.student_key for r in records if r.student.ho_ten == "Nguyễn Văn Canary"}
    assert len(named) == 1


# --- realism --------------------------------------------------------------------------------------


def test_primary_results_are_realistic(large_schools):
    records = large_schools["primary"]
    results = Counter(r.danh_gia.ket_qua for r in records)
    n = len(records)
    assert 0.15 < results["HTXS"] / n < 0.5
    assert 0.05 < results["HTT"] / n < 0.4
    assert 0.2 < results["HT"] / n < 0.7
    assert 0 < results["CHT"] / n < 0.05
    assert any("HSTB" in r.danh_gia.khen_thuong for r in records)
    scores = [v for r in records for s in r.danh_gia.mon_hoc for v in s.diem_ktdk.values()]
    assert all(v == v.to_integral_value() and 1 <= v <= 10 for v in scores)  # whole marks, never the disputed 0


def test_secondary_outcomes_are_realistic(large_schools):
    records = large_schools["thcs"] + large_schools["thpt"]
    n = len(records)
    a = [r.danh_gia for r in records]
    learning = Counter(x.hoc_tap.ca_nam for x in a)
    assert 0.1 < learning["T"] / n < 0.45 and 0.25 < learning["K"] / n < 0.65
    assert 0 < learning["CĐ"] / n < 0.06
    titles = Counter(x.danh_hieu for x in a)
    assert titles["HSXS"] > 0 and 0.05 < titles["HSG"] / n < 0.4
    assert 0 < sum(x.kiem_tra_lai for x in a) < 0.06 * n  # re-tests
    assert 0 < sum(x.ren_luyen_he for x in a) < 0.03 * n  # summer training
    assert 0 < sum(not r.duoc_len_lop for r in records) < 0.05 * n
    statuses = Counter(r.trang_thai for r in records)
    assert set(statuses) == {"dang_hoc", "chuyen_den", "chuyen_di"}
    assert statuses["dang_hoc"] > 0.95 * n
    disabled = [r for r in records if r.co_khuyet_tat_khong_danh_gia]
    assert disabled and all(r.danh_gia.hoc_tap.ca_nam is None for r in disabled)  # TT22-11
    assert any(r.nghi_co_phep + r.nghi_khong_phep > 45 for r in records)


def test_raw_scores_have_at_most_one_decimal_and_ties_occur(large_schools):
    ties = 0
    for r in large_schools["thcs"]:
        for s in r.danh_gia.mon_hoc:
            for hk in (s.hk1, s.hk2):
                raw = [*hk.tx, hk.gk, hk.ck] if hk.tx else []
                assert all(Decimal(0) <= v <= 10 and -v.as_tuple().exponent <= 1 for v in raw)
                if len(hk.tx) == 3:  # divisor 8: an exact .x5 average is possible (brief 03 §3)
                    exact = (sum(hk.tx) + 2 * hk.gk + 3 * hk.ck) / 8
                    ties += exact != compute.half_up(exact) and (exact * 100) % 10 == 5
    assert ties > 0


# --- every derived value comes from compute.py ------------------------------------------------------


def _check_secondary(r: StudentYear) -> None:
    a = r.danh_gia
    table = catalogue.subjects("secondary")
    scored = [s for s in a.mon_hoc if table[s.mon].mode == "score"]
    commented = [s for s in a.mon_hoc if table[s.mon].mode == "comment"]
    for s in a.mon_hoc:
        assert table[s.mon].taught_in(r.khoi)
        needed = catalogue.regular_assessments(table[s.mon].mode, table[s.mon].periods[r.khoi])
        for hk in (s.hk1, s.hk2):
            if s in scored:
                assert len(hk.tx) == needed and hk.tb == compute.semester_average(hk.tx, hk.gk, hk.ck)
            else:
                assert len(hk.tx_nx) == needed
                assert hk.kq_nx == compute.comment_semester(hk.tx_nx, hk.gk_nx, hk.ck_nx, needed)
        if s in scored:
            assert s.tb_ca_nam == compute.year_average(s.hk1.tb, s.hk2.tb)
        else:
            assert s.kq_ca_nam == s.hk2.kq_nx
    assert a.ren_luyen.ca_nam == compute.conduct_year(a.ren_luyen.hk1, a.ren_luyen.hk2)
    assert a.ren_luyen_he == (a.ren_luyen.ca_nam == "CĐ") == (a.ren_luyen.sau_he is not None)
    if r.co_khuyet_tat_khong_danh_gia:
        return
    year_scores = [s.tb_ca_nam for s in scored]
    year_comments = [s.kq_ca_nam for s in commented]
    assert a.hoc_tap.ca_nam == compute.learning_result(year_scores, year_comments)
    assert a.hoc_tap.hk1 == compute.learning_result([s.hk1.tb for s in scored], [s.hk1.kq_nx for s in commented])
    assert a.kiem_tra_lai == compute.retest_allowed(a.hoc_tap.ca_nam, a.ren_luyen.ca_nam)
    for s in scored:
        assert (s.kiem_tra_lai is not None) == (a.kiem_tra_lai and compute.retest_subject(s.tb_ca_nam, None))
    if a.kiem_tra_lai:
        after = compute.learning_result(
            [s.kiem_tra_lai if s.kiem_tra_lai is not None else s.tb_ca_nam for s in scored],
            [s.kiem_tra_lai_nx or s.kq_ca_nam for s in commented])
        assert a.hoc_tap.sau_he == after
    absences = r.nghi_co_phep + r.nghi_khong_phep
    assert r.duoc_len_lop == compute.promoted(a.ren_luyen.sau_he or a.ren_luyen.ca_nam,
                                              a.hoc_tap.sau_he or a.hoc_tap.ca_nam, absences)
    assert a.danh_hieu == compute.title(a.ren_luyen.ca_nam, a.hoc_tap.ca_nam, year_scores)


def _check_primary(r: StudentYear) -> None:
    a = r.danh_gia
    result = compute.primary_result([s.muc_dat["CN"] for s in a.mon_hoc],
                                    [x.muc_dat["CN"] for x in (*a.pham_chat, *a.nang_luc)],
                                    [s.diem_ktdk["CN"] for s in a.mon_hoc if "CN" in s.diem_ktdk])
    assert a.ket_qua == result
    assert set(a.khen_thuong) <= compute.rewards_allowed(result)
    assert ("HSXS" in a.khen_thuong) == (result == "HTXS")
    assert r.hoan_thanh_chuong_trinh_lop == compute.completes_class(result) == r.duoc_len_lop
    assert a.hoan_thanh_chuong_trinh_tieu_hoc == (compute.completes_class(result) if r.khoi == 5 else None)
    for s in a.mon_hoc:
        subject = catalogue.subjects("primary")[s.mon]
        assert subject.taught_in(r.khoi) and set(s.muc_dat) == {"GHKI", "CHKI", "GHKII", "CN"}
        tested = r.khoi in subject.ktdk
        assert bool(s.diem_ktdk) == tested
    present = {s.mon for s in a.mon_hoc}
    assert {s.key for s in catalogue.subjects_for("primary", r.khoi) if s.required_in(r.khoi)} <= present
    assert {x.ma for x in a.nang_luc} == {c.key for c in catalogue.ratings("competence").values()
                                          if r.khoi in c.grades}


def test_derived_values_are_those_of_compute(large_schools):
    for r in large_schools["primary"][:800]:
        _check_primary(r)
    for level in ("thcs", "thpt"):
        for r in large_schools[level]:
            _check_secondary(r)


# --- several school years ---------------------------------------------------------------------------


def test_years_follow_the_computed_decisions():
    records = list(generate_school(12, level="primary", students=250, years=4))
    years = ["2022-2023", "2023-2024", "2024-2025", "2025-2026"]
    assert {r.nam_hoc for r in records} == set(years)
    assert all(r.framework == catalogue.framework_for(r.khoi, r.nam_hoc) for r in records)
    assert any(r.framework == "LEGACY" for r in records)  # grade 5 before 2024-2025
    by_student = defaultdict(list)
    for r in records:
        by_student[r.student_key].append(r)
    repeaters = 0
    for history in by_student.values():
        assert [r.nam_hoc for r in history] == years[years.index(history[0].nam_hoc):][:len(history)]
        assert len({r.student.ho_ten for r in history}) == 1
        for before, after in zip(history, history[1:]):
            assert before.trang_thai != "chuyen_di"
            assert after.khoi == before.khoi + (1 if before.duoc_len_lop else 0)
            repeaters += not before.duoc_len_lop
    assert repeaters > 0
    per_year = Counter(r.nam_hoc for r in records)
    assert all(abs(c - 250) < 40 for c in per_year.values())  # new pupils replace those who leave
    first_years = Counter(h[0].nam_hoc for h in by_student.values())
    assert first_years["2023-2024"] > 25  # a new grade-1 intake every year


# --- memory -----------------------------------------------------------------------------------------


def _peak(students: int) -> int:
    tracemalloc.start()
    try:
        for _ in generate_school(21, level="primary", students=students):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_school():
    """Consuming ten times more students must not need ten times more memory: nothing is kept."""
    _peak(20)  # load data tables and caches first
    small, large = _peak(100), _peak(1000)
    assert large < 1.5 * small
    assert large < 2_000_000  # bytes: a thousand retained records would take tens of megabytes


def test_data_files_are_nfc_and_names_never_repeat_a_word(large_schools):
    for name in ("names.toml", "synth.toml"):
        text = resources.files("connector.data").joinpath(name).read_text("utf-8")
        assert unicodedata.is_normalized("NFC", text)
    for r in large_schools["thcs"]:
        words = r.student.ho_ten.split()
        assert words[-1] != words[-2] or len(words) == 2
