"""Report columns, shared by the XLSX and HTML reports so both say the same thing."""

from __future__ import annotations

FINDING_COLUMNS = [
    ("severity", "Mức độ", "Severity"),
    ("rule_id", "Quy tắc", "Rule"),
    ("nam_hoc", "Năm học", "School year"),
    ("lop", "Lớp", "Class"),
    ("ma_hoc_sinh", "Mã học sinh", "Student code"),
    ("ho_ten", "Họ và tên", "Name"),
    ("subject", "Môn / mục", "Subject / item"),
    ("field", "Trường dữ liệu", "Field"),
    ("found", "Giá trị đã lưu", "Stored value"),
    ("expected", "Giá trị đúng theo quy định", "Expected value"),
    ("message", "Nội dung", "Message"),
]
PROBLEM_COLUMNS = [
    ("file", "Tệp", "File"),
    ("row", "Dòng", "Row"),
    ("column", "Cột", "Column"),
    ("value", "Giá trị", "Value"),
    ("message", "Nội dung", "Message"),
]
SEVERITY = {
    "vi": {"error": "Lỗi", "warning": "Cảnh báo", "review": "Cần xem xét"},
    "en": {"error": "Error", "warning": "Warning", "review": "Needs review"},
}


def headers(columns, lang: str) -> list[str]:
    return [vi if lang == "vi" else en for _, vi, en in columns]


def severity_label(f: dict, lang: str) -> str:
    return SEVERITY[lang]["review" if f["needs_review"] else f["severity"]]


def finding_row(f: dict, lang: str) -> list:
    row = []
    for key, _, _ in FINDING_COLUMNS:
        if key == "severity":
            row.append(severity_label(f, lang))
        elif key == "ma_hoc_sinh":
            row.append(f["ma_hoc_sinh"] or f["student_key"])
        else:
            row.append(f.get(key))
    return row


def problem_row(p: dict) -> list:
    return [p.get(key) for key, _, _ in PROBLEM_COLUMNS]
