"""One vnEdu student-year's rows → a canonical :class:`~connector.model.StudentYear`.

The escape hatch named in the mapping (``[schema] assembler``): it sees logical names only
("student.ho_ten", "semester.diem"), never vnEdu's table or column names, so a changed vendor schema
is a change of the mapping file. Lookups and normalisers (school year "2022" → "2022-2023", gender,
statuses, scores as Decimal) were applied by the shared layer; here the rows become one nested dict
that pydantic validates in one call (fast, and the model NFC-normalises every text).

Frameworks, from the enrolment's assessment regulation (``che_do_danh_gia``):
- TT27 (primary): the primary book, one row per subject/quality/competence with one column per point;
- TT22 (secondary): semester grade books with score arrays keyed TX/GK/CK plus the year summary;
- LEGACY (pre-TT22/TT27 years): the same grade books keyed M/P/V/HK (or whatever the year used); the
  semesters' arrays are concatenated per key (HK1 then HK2) into a LegacyAssessment, kept for history
  and never emitted as a new Học bạ số (the validator's FRAME-1 and the XML profile refuse it).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from connector import catalogue
from connector.extract.sql import Item
from connector.model import PRIMARY_PERIODS, StudentYear, record_key as make_record_key
from connector.normalise import BadValue, is_score_text, score


def student_key(row: dict[str, Any]) -> str:
    """The CSDL ngành code once assigned; before that a provisional key of this system (brief 04 §2)."""
    return row["student.ma_hoc_sinh"] or f"vnedu:{row['student.id']}"


def record_key(row: dict[str, Any]) -> str:
    return make_record_key(student_key(row), row["klass.nam_hoc"], row["school.ma_truong"])


def _code(list_name: str, value: Any) -> str | None:
    """A code normalised through its code list (kept as found when unknown); blank is no value."""
    if value is None or value == "":
        return None
    return _CODES[list_name].normalise(str(value))


class _CodeLists(dict):
    """catalogue.code_list by name, looked up once."""

    def __missing__(self, name: str):
        self[name] = catalogue.code_list(name)
        return self[name]


_CODES = _CodeLists()


def assemble(item: Item) -> StudentYear:
    r = item.row
    framework = r["enrolment.framework"]
    build = FRAMEWORKS.get(framework)
    if build is None:
        raise BadValue("source_value_invalid", column="enrolment.framework", value=framework)
    result = _result(r)
    data = {
        "student_key": student_key(r),
        "student": _student(r, item.options.get("include_personal_id", False)),
        "ma_so_gd": r["school.ma_so_gd"],
        "ma_truong": r["school.ma_truong"],
        "nam_hoc": r["klass.nam_hoc"],
        "khoi": r["klass.khoi"],
        "nhom_cap_hoc": r["klass.nhom_cap_hoc"],
        "ma_lop": r["klass.ma_lop"],
        "lop": r["klass.lop"],
        "trang_thai": r["enrolment.trang_thai"],
        "nghi_co_phep": r["enrolment.nghi_co_phep"],
        "nghi_khong_phep": r["enrolment.nghi_khong_phep"],
        "co_khuyet_tat_khong_danh_gia": bool(r["enrolment.co_khuyet_tat_khong_danh_gia"]),
        "duoc_len_lop": result["duoc_len_lop"],
        "hoan_thanh_chuong_trinh_lop": result["hoan_thanh_chuong_trinh_lop"],
        "nhan_xet_gvcn": result["nhan_xet_gvcn"],
        "chuc_vu_giam_hieu": r["transcript.chuc_vu_giam_hieu"],
        "dia_danh_phat_hanh": r["transcript.dia_danh_phat_hanh"],
        "ngay_ky": r["transcript.ngay_ky"],
        "danh_gia": build(item, result),
    }
    return StudentYear.model_validate(data)


def _student(r: dict[str, Any], include_personal_id: bool) -> dict[str, Any]:
    gender = r["student.gioi_tinh"]
    return {
        "ma_hoc_sinh": r["student.ma_hoc_sinh"],
        "ho_ten": r["student.ho_ten"],
        "ngay_sinh": r["student.ngay_sinh"],
        "gioi_tinh": 0 if gender is None else gender,
        "dan_toc": r["student.dan_toc"],
        "quoc_tich": r["student.quoc_tich"],
        "so_dinh_danh_ca_nhan": r["student.so_dinh_danh_ca_nhan"] if include_personal_id else None,
        "ho_ten_cha": r["student.ho_ten_cha"],
        "ho_ten_me": r["student.ho_ten_me"],
        "ho_ten_nguoi_giam_ho": r["student.ho_ten_nguoi_giam_ho"],
        "doi_tuong_chinh_sach": r["student.doi_tuong_chinh_sach"],
    }


def _result(r: dict[str, Any]) -> dict[str, Any]:
    """The year-result row without its table prefix (all None when the system has none yet)."""
    return {k.removeprefix("result."): v for k, v in r.items() if k.startswith("result.")}


# --- TT27 -----------------------------------------------------------------------------------------------


def _primary(item: Item, result: dict[str, Any]) -> dict[str, Any]:
    kinds = item.mapping.options["criteria_kinds"]
    lists: dict[str, list] = {"mon_hoc": [], "pham_chat": [], "nang_luc": []}
    for row in item.children["primary"]:
        kind = kinds.get(row["subject.loai"])
        if kind is None:
            raise BadValue("source_value_invalid", column="subject.loai", value=row["subject.loai"])
        levels = "tt27_muc_dat_mon" if kind == "mon_hoc" else "tt27_muc_dat_pc_nl"
        muc_dat = {p: _code(levels, row[f"primary.muc_dat_{p}"]) for p in PRIMARY_PERIODS
                   if row[f"primary.muc_dat_{p}"] not in (None, "")}
        if kind == "mon_hoc":
            tests = {p: row[f"primary.diem_ktdk_{p}"] for p in PRIMARY_PERIODS if row[f"primary.diem_ktdk_{p}"] is not None}
            lists[kind].append({"mon": row["subject.mon"], "muc_dat": muc_dat, "diem_ktdk": tests,
                                "nhan_xet": row["primary.nhan_xet"]})
        else:
            lists[kind].append({"ma": row["subject.mon"], "muc_dat": muc_dat, "nhan_xet": row["primary.nhan_xet"]})
    separator = item.mapping.options.get("list_separator", ";")
    rewards = [_code("tt27_khen_thuong", part.strip()) for part in (result["khen_thuong"] or "").split(separator)
               if part.strip()]
    return {
        "framework": "TT27",
        **lists,
        "ket_qua": _code("tt27_ket_qua", result["ket_qua"]),
        "khen_thuong": rewards,
        "hoan_thanh_chuong_trinh_tieu_hoc": result["hoan_thanh_chuong_trinh_tieu_hoc"],
    }


# --- TT22 -----------------------------------------------------------------------------------------------


#: JSON numbers straight into Decimal with their digits as written ("8.0" stays 8.0); one decoder reused.
_BOOKS = json.JSONDecoder(parse_float=Decimal, parse_int=Decimal)


def _books(rows: list[dict[str, Any]]) -> list[Any]:
    """The semesters' JSON grade books, {"TX": [8, 7.5], "GK": [8], …} → {"TX": [Decimal("8"),
    Decimal("7.5")], …}, parsed in one call per student-year (a call costs more than the parsing)."""
    if not rows:
        return []
    try:
        return _BOOKS.decode("[" + ",".join(row["semester.diem"] or "{}" for row in rows) + "]")
    except ValueError:
        raise BadValue("source_value_invalid", column="semester.diem", value=None) from None


def _bad_book(value: Any = None) -> BadValue:
    return BadValue("source_value_invalid", column="semester.diem", value=value)


def _split(values: Any, field: str) -> tuple[list[Decimal], list[str]]:
    """Scores and Đ/CĐ comment results of one array, each in the order found. JSON numbers are scores
    (always finite); texts are comment results, or scores a vendor wrote as text ("7,5"); an element
    written as an object ({"diem": 8}, the API's shape) is read through ``field``."""
    if type(values) is not list:
        raise _bad_book()
    if all(type(v) is Decimal for v in values):  # the usual case
        return values, []
    scores, comments = [], []
    for v in values:
        if type(v) is dict:
            v = v.get(field)
        if type(v) is Decimal:
            scores.append(v)
        elif isinstance(v, str) and is_score_text(v.strip()):
            scores.append(score(v))
        elif isinstance(v, str):
            comments.append(_code("tt22_nhan_xet", v))
        else:
            raise _bad_book(v)
    return scores, comments


def _semester(row: dict[str, Any], book: Any, keys: dict[str, str], field: str) -> dict[str, Any]:
    """One semester: numbers to tx/gk/ck, Đ/CĐ to tx_nx/gk_nx/ck_nx (each kept where it was found)."""
    if type(book) is not dict:
        raise _bad_book()
    kq_nx = row["semester.kq_nx"]
    out: dict[str, Any] = {"tx": [], "tx_nx": [], "gk": None, "gk_nx": None, "ck": None, "ck_nx": None,
                           "tb": row["semester.tb"], "kq_nx": kq_nx if kq_nx is None else _code("tt22_nhan_xet", kq_nx)}
    for key, values in book.items():
        name = keys.get(key)
        if name is None:  # a legacy key (M, P, V, HK) in a TT22 year
            raise _bad_book(key)
        scores, comments = _split(values, field)
        if name == "tx":
            out["tx"], out["tx_nx"] = scores, comments
        elif len(scores) > 1 or len(comments) > 1:
            raise _bad_book(key)
        else:
            out[name] = scores[0] if scores else None
            out[f"{name}_nx"] = comments[0] if comments else None
    return out


def _subjects(item: Item) -> dict[str, dict[str, Any]]:
    """Subjects in the school's order (year summary first, then any subject with only a grade book),
    each with its semesters' (term, row, parsed grade book)."""
    subjects: dict[str, dict[str, Any]] = {}
    for row in item.children["subject_year"]:
        subjects[row["subject.mon"]] = {"mon": row["subject.mon"], "_year": row, "_terms": []}
    rows = item.children["semester"]
    for row, book in zip(rows, _books(rows)):
        subject = subjects.setdefault(row["subject.mon"], {"mon": row["subject.mon"], "_year": None, "_terms": []})
        term = row["semester.hoc_ky"]
        if term not in ("hk1", "hk2"):
            raise BadValue("source_value_invalid", column="semester.hoc_ky", value=term)
        subject["_terms"].append((term, row, book))
    return subjects


def _secondary(item: Item, result: dict[str, Any]) -> dict[str, Any]:
    keys, field = item.mapping.options["score_keys"], item.mapping.options.get("score_field", "diem")
    subjects = []
    for subject in _subjects(item).values():
        year = subject["_year"] or {}
        entry = {
            "mon": subject["mon"],
            "so_tiet": year.get("subject_year.so_tiet"),
            "hk1": None, "hk2": None,
            "tb_ca_nam": year.get("subject_year.tb_ca_nam"),
            "kq_ca_nam": _code("tt22_nhan_xet", year.get("subject_year.kq_ca_nam")),
            "kiem_tra_lai": year.get("subject_year.kiem_tra_lai"),
            "kiem_tra_lai_nx": _code("tt22_nhan_xet", year.get("subject_year.kiem_tra_lai_nx")),
            "nhan_xet": year.get("subject_year.nhan_xet"),
        }
        for term, row, book in subject["_terms"]:
            entry[term] = _semester(row, book, keys, field)
        subjects.append(entry)

    def terms(prefix: str) -> dict[str, Any]:
        return {part: _code("tt22_ket_qua", result[f"{prefix}_{part}"]) for part in ("hk1", "hk2", "ca_nam", "sau_he")}

    return {
        "framework": "TT22",
        "mon_hoc": subjects,
        "hoc_tap": terms("hoc_tap"),
        "ren_luyen": terms("ren_luyen"),
        "kiem_tra_lai": bool(result["kiem_tra_lai"]),
        "ren_luyen_he": bool(result["ren_luyen_he"]),
        "danh_hieu": _code("tt22_danh_hieu", result["danh_hieu"]),
    }


# --- legacy (read for history only) ----------------------------------------------------------------------


def _legacy(item: Item, result: dict[str, Any]) -> dict[str, Any]:
    field = item.mapping.options.get("score_field", "diem")
    subjects = []
    for subject in _subjects(item).values():
        marks: dict[str, list[Decimal]] = {}
        for _term, _row, book in subject["_terms"]:  # HK1 then HK2: the rows come ordered by semester
            if type(book) is not dict:
                raise _bad_book()
            for key, values in book.items():
                scores, comments = _split(values, field)
                if comments:
                    raise _bad_book(key)  # a legacy mark is a score
                marks.setdefault(key, []).extend(scores)
        year = subject["_year"] or {}
        subjects.append({"mon": subject["mon"], "diem": marks, "tb_ca_nam": year.get("subject_year.tb_ca_nam")})
    return {
        "framework": "LEGACY",
        "mon_hoc": subjects,
        "hoc_luc": result["hoc_tap_ca_nam"],
        "hanh_kiem": result["ren_luyen_ca_nam"],
        "danh_hieu": result["danh_hieu"],
    }


FRAMEWORKS = {"TT27": _primary, "TT22": _secondary, "LEGACY": _legacy}
