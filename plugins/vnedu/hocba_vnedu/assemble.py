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
from connector.extract.sqlmapping import MEMO_MAX
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
    return _CODES[list_name](value)


class _CodeLists(dict):
    """Per code list, its normaliser remembering each spelling met (a column holds a handful)."""

    def __missing__(self, name: str):
        code_list, seen = catalogue.code_list(name), {}

        def normalise(value: Any) -> str:
            try:
                return seen[value]
            except KeyError:
                result = code_list.normalise(str(value))
                if len(seen) < MEMO_MAX and type(value) is str:
                    seen[value] = result
                return result

        self[name] = normalise
        return normalise


_CODES = _CodeLists()


def assemble(item: Item) -> StudentYear:
    r = item.row
    framework = r["enrolment.framework"]
    build = FRAMEWORKS.get(framework)
    if build is None:
        raise BadValue("source_value_invalid", column="enrolment.framework", value=framework)
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
        "duoc_len_lop": r["result.duoc_len_lop"],
        "hoan_thanh_chuong_trinh_lop": r["result.hoan_thanh_chuong_trinh_lop"],
        "nhan_xet_gvcn": r["result.nhan_xet_gvcn"],
        "chuc_vu_giam_hieu": r["transcript.chuc_vu_giam_hieu"],
        "dia_danh_phat_hanh": r["transcript.dia_danh_phat_hanh"],
        "ngay_ky": r["transcript.ngay_ky"],
        "danh_gia": build(item, r),
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


# --- TT27 -----------------------------------------------------------------------------------------------


def _primary(item: Item, r: dict[str, Any]) -> dict[str, Any]:
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
    rewards = [_code("tt27_khen_thuong", part.strip()) for part in (r["result.khen_thuong"] or "").split(separator)
               if part.strip()]
    return {
        "framework": "TT27",
        **lists,
        "ket_qua": _code("tt27_ket_qua", r["result.ket_qua"]),
        "khen_thuong": rewards,
        "hoan_thanh_chuong_trinh_tieu_hoc": r["result.hoan_thanh_chuong_trinh_tieu_hoc"],
    }


# --- TT22 -----------------------------------------------------------------------------------------------


class _Numbers(dict):
    """JSON number text → Decimal with its digits as written ("8.0" stays 8.0), each text converted once:
    grade books repeat a few dozen scores."""

    def __missing__(self, text: str) -> Decimal:
        value = Decimal(text)
        if len(self) < MEMO_MAX:
            self[text] = value
        return value


_NUMBERS = _Numbers()
#: One decoder reused; its numbers go through the dict above.
_BOOKS = json.JSONDecoder(parse_float=_NUMBERS.__getitem__, parse_int=_NUMBERS.__getitem__)


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
    for v in values:
        if type(v) is not Decimal:
            break
    else:  # the usual case: scores only
        return values, []
    scores, comments = [], []
    for v in values:
        if type(v) is dict:
            v = v.get(field)
        if type(v) is Decimal:
            scores.append(v)
        elif isinstance(v, str):
            is_score, value = _mark(v)
            (scores if is_score else comments).append(value)
        else:
            raise _bad_book(v)
    return scores, comments


def _mark(text: str) -> tuple[bool, Any]:
    """(True, score) for a score written as text ("7,5"), else (False, Đ/CĐ code); remembered per text."""
    try:
        return _MARKS[text]
    except KeyError:
        found = (True, score(text)) if is_score_text(text.strip()) else (False, _code("tt22_nhan_xet", text))
        if len(_MARKS) < MEMO_MAX:
            _MARKS[text] = found
        return found


_MARKS: dict[str, tuple[bool, Any]] = {}


def _semester(row: dict[str, Any], book: Any, keys: dict[str, str], field: str) -> dict[str, Any]:
    """One semester: numbers to tx/gk/ck, Đ/CĐ to tx_nx/gk_nx/ck_nx (each kept where it was found).
    Only what was found is set: the model's defaults (no score, no comment) fill the rest."""
    if type(book) is not dict:
        raise _bad_book()
    out: dict[str, Any] = {"tb": row["semester.tb"]}
    kq_nx = row["semester.kq_nx"]
    if kq_nx is not None:
        out["kq_nx"] = _code("tt22_nhan_xet", kq_nx)
    for key, values in book.items():
        name = keys.get(key)
        if name is None:  # a legacy key (M, P, V, HK) in a TT22 year
            raise _bad_book(key)
        scores, comments = _split(values, field)
        if name == "tx":
            out["tx"] = scores
            if comments:
                out["tx_nx"] = comments
        elif len(scores) > 1 or len(comments) > 1:
            raise _bad_book(key)
        else:
            if scores:
                out[name] = scores[0]
            if comments:
                out[_COMMENT_FIELD[name]] = comments[0]
    return out


_COMMENT_FIELD = {"gk": "gk_nx", "ck": "ck_nx"}


def _subjects(item: Item) -> dict[str, dict[str, Any]]:
    """Subjects in the school's order (year summary first, then any subject with only a grade book),
    each with its semesters' (term, row, parsed grade book)."""
    subjects: dict[str, dict[str, Any]] = {}
    for row in item.children["subject_year"]:
        subjects[row["subject.mon"]] = {"mon": row["subject.mon"], "_year": row, "_terms": []}
    rows = item.children["semester"]
    for row, book in zip(rows, _books(rows)):
        mon = row["subject.mon"]
        subject = subjects.get(mon)
        if subject is None:
            subject = subjects[mon] = {"mon": mon, "_year": None, "_terms": []}
        term = row["semester.hoc_ky"]
        if term != "hk1" and term != "hk2":
            raise BadValue("source_value_invalid", column="semester.hoc_ky", value=term)
        subject["_terms"].append((term, row, book))
    return subjects


_NO_YEAR_ROW: dict[str, Any] = {}


def _secondary(item: Item, r: dict[str, Any]) -> dict[str, Any]:
    options = item.mapping.options
    keys, field = options["score_keys"], options.get("score_field", "diem")
    subjects = []
    for subject in _subjects(item).values():
        year = subject["_year"] or _NO_YEAR_ROW
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
        return {"hk1": _code("tt22_ket_qua", r[prefix + "_hk1"]), "hk2": _code("tt22_ket_qua", r[prefix + "_hk2"]),
                "ca_nam": _code("tt22_ket_qua", r[prefix + "_ca_nam"]),
                "sau_he": _code("tt22_ket_qua", r[prefix + "_sau_he"])}

    return {
        "framework": "TT22",
        "mon_hoc": subjects,
        "hoc_tap": terms("result.hoc_tap"),
        "ren_luyen": terms("result.ren_luyen"),
        "kiem_tra_lai": bool(r["result.kiem_tra_lai"]),
        "ren_luyen_he": bool(r["result.ren_luyen_he"]),
        "danh_hieu": _code("tt22_danh_hieu", r["result.danh_hieu"]),
    }


# --- legacy (read for history only) ----------------------------------------------------------------------


def _legacy(item: Item, r: dict[str, Any]) -> dict[str, Any]:
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
        "hoc_luc": r["result.hoc_tap_ca_nam"],
        "hanh_kiem": r["result.ren_luyen_ca_nam"],
        "danh_hieu": r["result.danh_hieu"],
    }


FRAMEWORKS = {"TT27": _primary, "TT22": _secondary, "LEGACY": _legacy}
