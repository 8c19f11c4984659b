"""export → extract gives back exactly the same canonical records (CSV folder and XLSX workbook)."""

from __future__ import annotations

import csv
import random

import pytest
from connector import catalogue
from connector.model import PrimaryAssessment, PrimaryRating, PrimarySubject, SecondaryAssessment, SecondarySubject

from csv_helpers import (
    TRICKY_TEXTS, canonical_set, errors, every_field_records, extract, legacy_record, primary_record, secondary_record,
)
from hocba_csv.source import CsvSource

FORMATS = ["bundle", "bundle.xlsx"]


@pytest.mark.parametrize("name", FORMATS)
def test_every_field_round_trips_exactly(tmp_path, name):
    records = every_field_records()
    CsvSource.export(records, str(tmp_path / name))
    got, problems = extract(tmp_path / name, include_personal_id=True)
    assert canonical_set(got) == canonical_set(records)
    # the only note: the subject outside the catalogue, kept as found
    assert [p.key for p in problems] == ["csv_unknown_subject"]


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize("kind", ["primary", "secondary", "legacy"])
def test_each_framework_round_trips(tmp_path, name, kind):
    build = {"primary": primary_record, "secondary": secondary_record, "legacy": legacy_record}[kind]
    records = [build(n) for n in range(1, 6)]
    CsvSource.export(records, str(tmp_path / name))
    got, problems = extract(tmp_path / name, include_personal_id=True)
    assert canonical_set(got) == canonical_set(records)
    assert not errors(problems)


@pytest.mark.parametrize("name", FORMATS)
def test_formula_like_and_multiline_texts_round_trip(tmp_path, name):
    records = [primary_record(i, nhan_xet_gvcn=text, chuc_vu_giam_hieu=text.strip(), dia_danh_phat_hanh=text.strip())
               for i, text in enumerate(TRICKY_TEXTS, start=10)]
    CsvSource.export(records, str(tmp_path / name))
    got, _ = extract(tmp_path / name, include_personal_id=True)
    assert canonical_set(got) == canonical_set(records)


def test_exported_csv_cells_are_protected_against_formula_injection(tmp_path):
    CsvSource.export([primary_record(10, nhan_xet_gvcn="=HYPERLINK(\"x\")", dia_danh_phat_hanh="@SUM(1)")], str(tmp_path))
    with (tmp_path / "ket_qua_nam.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    cells = [c for row in rows[1:] for c in row]
    assert "'=HYPERLINK(\"x\")" in cells and "'@SUM(1)" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)


def test_exported_workbook_has_no_formula_cells(tmp_path):
    from openpyxl import load_workbook

    CsvSource.export([primary_record(10, nhan_xet_gvcn="=1+1"), secondary_record(2)], str(tmp_path / "b.xlsx"))
    wb = load_workbook(tmp_path / "b.xlsx", read_only=True)
    assert wb.sheetnames == ["hoc_sinh", "lop", "ket_qua_nam", "danh_gia_tieu_hoc", "diem_thcs_thpt", "diem_cu"]
    kinds = {c.data_type for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
    wb.close()
    assert kinds == {"s"}  # text only: never a formula, scores keep their digits


def test_personal_id_is_read_only_when_opted_in(tmp_path):
    records = [primary_record(1)]
    CsvSource.export(records, str(tmp_path))
    got, problems = extract(tmp_path)
    assert got[0].student.so_dinh_danh_ca_nhan is None
    assert [p.key for p in problems if p.key == "csv_personal_id_ignored"] == ["csv_personal_id_ignored"]
    got, _ = extract(tmp_path, include_personal_id="true")
    assert got[0].student.so_dinh_danh_ca_nhan == records[0].student.so_dinh_danh_ca_nhan


def test_rows_in_any_order_give_the_same_records(tmp_path):
    records = [primary_record(n) for n in range(1, 8)] + [secondary_record(n) for n in range(8, 12)]
    CsvSource.export(records, str(tmp_path))
    rng = random.Random(7)
    for name in ("hoc_sinh", "ket_qua_nam", "danh_gia_tieu_hoc", "diem_thcs_thpt"):
        path = tmp_path / f"{name}.csv"
        with path.open(encoding="utf-8-sig", newline="") as f:
            header, *rows = list(csv.reader(f))
        # shuffle students, keep each student-year's detail rows in order (their order is the list order)
        groups: dict[tuple, list] = {}
        for row in rows:
            groups.setdefault(tuple(row[:3]), []).append(row)
        keys = list(groups)
        rng.shuffle(keys)
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows([header, *[r for k in keys for r in groups[k]]])
    got, _ = extract(tmp_path, include_personal_id=True)
    assert canonical_set(got) == canonical_set(records)


def test_school_filter(tmp_path):
    records = [primary_record(1, school="A1"), primary_record(2, school="B2")]
    CsvSource.export(records, str(tmp_path))
    source = CsvSource({"path": str(tmp_path)})
    keys = [m.payload.ma_truong for m in source.extract(school="B2") if hasattr(m, "payload")]
    assert keys == ["B2"]


def test_every_catalogue_label_reads_back_as_its_key(tmp_path):
    subjects = [PrimarySubject(mon=k, muc_dat={"CN": "T"}) for k in catalogue.subjects("primary")]
    qualities = [PrimaryRating(ma=k, muc_dat={"CN": "Đ"}) for k in catalogue.ratings("quality")]
    competences = [PrimaryRating(ma=k, muc_dat={"CN": "Đ"}) for k in catalogue.ratings("competence")]
    primary = primary_record(1, danh_gia=PrimaryAssessment(mon_hoc=subjects, pham_chat=qualities, nang_luc=competences))
    secondary = secondary_record(2, danh_gia=SecondaryAssessment(
        mon_hoc=[SecondarySubject(mon=k, kq_ca_nam="Đ") for k in catalogue.subjects("secondary")]))
    CsvSource.export([primary, secondary], str(tmp_path))
    got, problems = extract(tmp_path, include_personal_id=True)
    assert canonical_set(got) == canonical_set([primary, secondary])
    assert not problems


def test_flat_year_file_alone_is_a_complete_source(tmp_path):
    """One ket_qua_nam file with the student columns on each row, as a school's own export."""
    path = tmp_path / "ket_qua_nam_lop_3A.csv"
    path.write_text(
        "Mã học sinh;Họ và tên;Ngày sinh;Giới tính;Mã trường;Năm học;Lớp;Khối\n"
        "HS1;Lê Thị Một;05/09/2016;Nữ;79000001;2025-2026;3A;3\n"
        "HS2;Lê Văn Hai;06/09/2016;Nam;79000001;2025 - 2026;3A;3\n", encoding="utf-8")
    got, problems = extract(path)
    assert not problems
    assert [(r.student.ho_ten, r.student.ma_hoc_sinh, r.student.gioi_tinh, r.danh_gia.framework) for r in got] == [
        ("Lê Thị Một", "HS1", 2, "TT27"), ("Lê Văn Hai", "HS2", 1, "TT27")]


def filled_fields(obj, seen: set[str]) -> set[str]:
    """``Class.field`` for every field holding something other than its default, recursively."""
    from pydantic import BaseModel

    if isinstance(obj, BaseModel):
        for name, info in type(obj).model_fields.items():
            value = getattr(obj, name)
            default = info.get_default(call_default_factory=True)
            if value != default:
                seen.add(f"{type(obj).__name__}.{name}")
            filled_fields(value, seen)
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            filled_fields(item, seen)
    elif isinstance(obj, dict):
        for item in obj.values():
            filled_fields(item, seen)
    return seen


def model_fields() -> set[str]:
    from connector import model

    classes = [model.StudentYear, model.Student, model.PrimaryAssessment, model.PrimarySubject, model.PrimaryRating,
               model.SecondaryAssessment, model.SecondarySubject, model.Semester, model.TermResults,
               model.LegacyAssessment, model.LegacySubject]
    constants = {"StudentYear.schema_version", "PrimaryAssessment.framework", "SecondaryAssessment.framework",
                 "LegacyAssessment.framework"}
    return {f"{c.__name__}.{name}" for c in classes for name in c.model_fields} - constants


def test_round_trip_records_fill_every_model_field():
    """A field added to the canonical model fails here until the bundle format carries it (and the
    fixture fills it, so the round-trip tests above prove it is written and read back)."""
    missing = model_fields() - filled_fields(every_field_records(), set())
    assert not missing, sorted(missing)
