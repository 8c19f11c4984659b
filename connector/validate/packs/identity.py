"""Identity, code and framework rules that apply to every level: FRAME-1, GEN-*, ID-1 … ID-4.

NUM-* and GEN-1 have no checks here: the model and the parsers enforce them (see rules_identity.toml).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from connector import catalogue
from connector.hookspecs import hookimpl
from connector.model import StudentYear
from connector.validate.packs.common import blank, code_label, codes, label
from connector.validate.rules import Label, RulePack, check, collect_checks, load_rule_defs, subject_label


@cache
def identifiers() -> dict:
    return catalogue.load_data("identifiers.toml")


@check("FRAME-1")
def framework_matches_roadmap(rec, ctx):
    expected = catalogue.framework_for(rec.khoi, rec.nam_hoc)
    if rec.framework != expected:
        yield ctx.finding("FRAME-1", "framework", rec, found=rec.framework, expected=expected,
                          found_name=label("frameworks", rec.framework),
                          expected_name=label("frameworks", expected))


# --- GEN-2: every coded field holds a code of its own list ---------------------------------------


def coded_fields(rec: StudentYear) -> Iterator[tuple[str, str, str, str | tuple]]:
    """(path, code list, value, place) for each non-blank coded field of the record. ``place`` names
    the field for a message: a key of [fields] in rule_labels.toml, or (subject, semester, part).

    TT27 levels (muc_dat) are left to TT27-1, which also knows the "H for a quality" slip; gioi_tinh and
    nhom_cap_hoc are typed by the model."""
    a = rec.danh_gia
    fields = [("trang_thai", "trang_thai", rec.trang_thai)]
    if a.framework == "TT27":
        fields.append(("danh_gia.ket_qua", "tt27_ket_qua", a.ket_qua))
        fields += [(f"danh_gia.khen_thuong[{i}]", "tt27_khen_thuong", r) for i, r in enumerate(a.khen_thuong)]
    elif a.framework == "TT22":
        for result in ("hoc_tap", "ren_luyen"):
            for term in ("hk1", "hk2", "ca_nam", "sau_he"):
                fields.append((f"danh_gia.{result}.{term}", "tt22_ket_qua", getattr(getattr(a, result), term)))
        fields.append(("danh_gia.danh_hieu", "tt22_danh_hieu", a.danh_hieu))
    for path, list_name, value in fields:
        if not blank(value):
            yield path, list_name, value, re.sub(r"\[\d+\]$", "", path)
    if a.framework == "TT22":
        for s in a.mon_hoc:
            yield from subject_comment_fields(s)


def subject_comment_fields(s) -> Iterator[tuple[str, str, str, tuple]]:
    base = f"danh_gia.mon_hoc[{s.mon}]"
    for hk, sem in ((1, s.hk1), (2, s.hk2)):
        if sem is None:
            continue
        for i, value in enumerate(sem.tx_nx):
            if not blank(value):
                yield f"{base}.hk{hk}.tx_nx[{i}]", "tt22_nhan_xet", value, (s.mon, hk, "tx_nx")
        for part in ("gk_nx", "ck_nx", "kq_nx"):
            if not blank(value := getattr(sem, part)):
                yield f"{base}.hk{hk}.{part}", "tt22_nhan_xet", value, (s.mon, hk, part)
    for part in ("kq_ca_nam", "kiem_tra_lai_nx"):
        if not blank(value := getattr(s, part)):
            yield f"{base}.{part}", "tt22_nhan_xet", value, (s.mon, None, part)


def place_label(rec: StudentYear, place: str | tuple) -> Label:
    if isinstance(place, str):
        return label("fields", place)
    subject, hk, part = place
    if hk is None:
        return label("places", "subject_part", subject=subject_label(rec, subject), part=label("parts", part))
    return label("places", "subject_semester_part", subject=subject_label(rec, subject),
                 hk=label("semesters", hk), part=label("parts", part))


@check("GEN-2")
def codes_in_their_lists(rec, ctx):
    for path, list_name, value, place in coded_fields(rec):
        if value not in codes(list_name):
            yield ctx.finding("GEN-2", "code", rec, found=value, expected=codes(list_name),
                              path=path, where=place_label(rec, place))


# --- ID-1: personal identification number ----------------------------------------------------------


def masked(number: str) -> str:
    """079308000123 → 079*******23: enough to find the row, not enough to reuse the number."""
    return number[:3] + "*" * (len(number) - 5) + number[-2:] if len(number) > 5 else "*" * len(number)


def id_format_problem(number: str) -> Label | None:
    spec = identifiers()["personal_id"]
    if not re.fullmatch(spec["pattern"], number):
        return label("reasons", "id_length")
    if number[:3] not in spec["provinces"] and number[:3] not in spec["countries"]:
        return label("reasons", "id_prefix", prefix=number[:3])
    return None


def id_birth(number: str) -> tuple[int, int]:
    """(gender code, birth year) that a well-formed number encodes."""
    entry = next(e for e in identifiers()["personal_id"]["century_gender"] if e["digit"] == number[3])
    return entry["gender"], entry["century"] + int(number[4:6])


@check("ID-1")
def personal_id(rec, ctx):
    if blank(rec.student.so_dinh_danh_ca_nhan):
        return
    number = rec.student.so_dinh_danh_ca_nhan.strip()
    problem = id_format_problem(number)
    if problem:
        yield ctx.finding("ID-1", "format", rec, found=masked(number), reason=problem)
        return
    id_gender, id_year = id_birth(number)
    gender = rec.student.gioi_tinh
    birth_year = rec.student.ngay_sinh.year if rec.student.ngay_sinh else None
    gender_differs = gender in (1, 2) and gender != id_gender
    year_differs = birth_year is not None and birth_year != id_year
    if gender_differs or year_differs:
        yield ctx.finding(
            "ID-1", "consistency", rec, found=f"{gender}/{birth_year or '?'}", expected=f"{id_gender}/{id_year}",
            masked=masked(number), id_gender=code_label("gioi_tinh", str(id_gender)), id_year=id_year,
            gender=code_label("gioi_tinh", str(gender)),
            birth_year=birth_year or label("reasons", "unknown_birth_year"),
        )


# --- ID-2 … ID-4 -----------------------------------------------------------------------------------


@check("ID-2")
def student_code(rec, ctx):
    code = rec.student.ma_hoc_sinh
    if blank(code):
        yield ctx.finding("ID-2", "student_code", rec, found=None)
        return
    for prefix in identifiers()["student_code"]["temporary_prefixes"]:
        if code.strip().upper().startswith(prefix.upper()):
            # A temporary code may embed the personal ID number: show only its prefix.
            yield ctx.finding("ID-2", "student_code", rec, found=f"{prefix}…")
            return


@check("ID-3")
def grade_level_year(rec, ctx):
    expected = catalogue.level_group(rec.khoi)
    if rec.nhom_cap_hoc != expected:
        yield ctx.finding("ID-3", "level_group", rec, found=rec.nhom_cap_hoc, expected=expected)
    start, end = (int(x) for x in rec.nam_hoc.split("-"))
    if end != start + 1:
        yield ctx.finding("ID-3", "school_year", rec, found=rec.nam_hoc, expected=f"{start}-{start + 1}")
    if rec.student.ngay_sinh is not None:
        age = identifiers()["age"]
        birth_year = rec.student.ngay_sinh.year
        if not age["min_offset"] <= start - birth_year - rec.khoi <= age["max_offset"]:
            first, last = start - rec.khoi - age["max_offset"], start - rec.khoi - age["min_offset"]
            yield ctx.finding("ID-3", "age", rec, found=birth_year, expected=f"{first}–{last}",
                              age=start - birth_year)


@check("ID-4")
def school_codes(rec, ctx):
    for path in ("ma_truong", "ma_so_gd"):
        if blank(getattr(rec, path)):
            yield ctx.finding("ID-4", "school", rec, path=path, what=label("fields", path))


PACK = RulePack(
    name="identity",
    rules=load_rule_defs("connector.data", "rules_identity.toml"),
    checks=collect_checks(globals()),
    description="Framework selection, text and code lists, identifiers (brief 03 §1, 04 §8)",
)


@hookimpl
def register_rule_packs(register):
    register(PACK)
