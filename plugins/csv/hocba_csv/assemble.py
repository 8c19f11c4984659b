"""One student-year from its staged rows: year row(s), student, class and detail rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connector import catalogue
from connector.extract import Problem
from connector.model import StudentYear
from pydantic import ValidationError

from hocba_csv.settings import Settings
from hocba_csv.spec import tables
from hocba_csv.staging import Staged, Staging

DETAIL_TABLE_OF = {"TT27": "tt27", "TT22": "tt22", "LEGACY": "cu"}
DETAIL_FILE = {"tt27": "danh_gia_tieu_hoc", "tt22": "diem_thcs_thpt", "cu": "diem_cu"}
SEMESTER_FIELDS = ("tx", "gk", "ck", "tb", "tx_nx", "gk_nx", "ck_nx", "kq_nx")
YEAR_FIELDS = ("tb_ca_nam", "kq_ca_nam", "kiem_tra_lai", "kiem_tra_lai_nx")


class Reject(Exception):
    """The student-year cannot be built; the problem says why."""

    def __init__(self, problem: Problem):
        super().__init__(problem.key)
        self.problem = problem


@dataclass
class Assembly:
    staging: Staging
    settings: Settings
    key: tuple[str, str, str]
    anchor: Staged  # the year row problems point at
    warnings: list[Problem] = field(default_factory=list)

    def problem(self, key: str, at: Staged | None = None, column: str | None = None, severity: str = "error",
                **fields: Any) -> Problem:
        at = at or self.anchor
        return Problem(key=key, file=self.staging.files[at.file][0], row=at.rownum, column=column,
                       severity=severity, fields=fields)

    def header(self, table: str, name: str) -> str:
        return tables()[table].column(name).header


def build(staging: Staging, settings: Settings, key: tuple[str, str, str]) -> tuple[StudentYear | None, Staged, list[Problem]]:
    """(record or None, the year row it came from, problems). Never raises for bad data."""
    rows = staging.years(key)
    anchor = rows[-1]
    asm = Assembly(staging, settings, key, anchor)
    try:
        payload = _payload(asm, rows)
        return StudentYear.model_validate(payload), anchor, asm.warnings
    except Reject as exc:
        return None, anchor, [*asm.warnings, exc.problem]
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0]["loc"])
        return None, anchor, [*asm.warnings, asm.problem("csv_record_invalid", field=where)]


def _merge(rows: list[Staged]) -> dict[str, Any]:
    """Year rows of one student-year: CSDL template periods first, a bundle row last; later values win."""
    data: dict[str, Any] = {}
    for row in rows:
        data.update(row.data)
    return data


def _payload(asm: Assembly, rows: list[Staged]) -> dict[str, Any]:
    mt, nh, sk = asm.key
    y = _merge(rows)
    student = y.get("student")
    if student is None:  # a CSDL template row names the student only when hoc_sinh does not
        found = asm.staging.student(sk)
        student = found.data if found else y.get("student_fallback")
        if student is None:
            raise Reject(asm.problem("csv_student_missing", column=asm.header("ket_qua_nam", "student_key")))
    if not asm.settings.include_personal_id:
        student = {k: v for k, v in student.items() if k != "so_dinh_danh_ca_nhan"}
    cls = asm.staging.school_class(mt, nh, y["lop"])
    c = cls.data if cls else {}
    khoi = y.get("khoi") or c.get("khoi") or asm.settings.khoi
    if not khoi:
        raise Reject(asm.problem("csv_required_empty", column=asm.header("ket_qua_nam", "khoi")))
    framework = y.get("framework") or catalogue.framework_for(khoi, nh)
    asm.warnings += _misplaced_year_values(asm, y, framework)
    payload = {
        "student_key": sk,
        "student": {"gioi_tinh": 0, **student},
        "ma_so_gd": y.get("ma_so_gd") or c.get("ma_so_gd") or asm.settings.ma_so_gd,
        "ma_truong": mt,
        "nam_hoc": nh,
        "khoi": khoi,
        "nhom_cap_hoc": y.get("nhom_cap_hoc") or catalogue.level_group(khoi),
        "ma_lop": y.get("ma_lop") or c.get("ma_lop"),
        "lop": y["lop"],
        "trang_thai": y.get("trang_thai") or "dang_hoc",
        "co_khuyet_tat_khong_danh_gia": bool(y.get("co_khuyet_tat_khong_danh_gia", False)),
    }
    for name in ("nghi_co_phep", "nghi_khong_phep", "duoc_len_lop", "hoan_thanh_chuong_trinh_lop",
                 "nhan_xet_gvcn", "chuc_vu_giam_hieu", "dia_danh_phat_hanh", "ngay_ky"):
        payload[name] = y.get(name)
    details = asm.staging.details(asm.key)
    for tbl, found in details.items():
        if tbl != DETAIL_TABLE_OF[framework]:
            asm.warnings.append(asm.problem("csv_detail_framework_mismatch", found[0][2], severity="warning",
                                            table=DETAIL_FILE[tbl], framework=framework))
    rows_of = details.get(DETAIL_TABLE_OF[framework], [])
    payload["danh_gia"] = {"TT27": _primary, "TT22": _secondary, "LEGACY": _legacy}[framework](asm, y, rows_of, khoi)
    return payload


def _misplaced_year_values(asm: Assembly, y: dict, framework: str) -> list[Problem]:
    """Year values of another framework (a TT22 result on a TT27 record) are reported and ignored."""
    out = []
    for col in tables()["ket_qua_nam"].columns:
        if col.frameworks and framework not in col.frameworks and col.field in y:
            out.append(asm.problem("csv_value_not_for_framework", column=col.header, severity="warning",
                                   framework=framework))
    return out


def _set_once(asm: Assembly, target: dict, name: str, value: Any, row: Staged, column: str) -> None:
    """Subject-level values may sit on any of the subject's rows, but must agree."""
    if value is None:
        return
    if target.get(name) is not None and target[name] != value:
        raise Reject(asm.problem("csv_conflicting_value", row, column))
    target[name] = value


def _primary(asm: Assembly, y: dict, rows: list, khoi: int) -> dict:
    items: dict[str, dict] = {}
    for item, period, row in rows:
        kind, key = item.split("|", 1)
        entry = items.setdefault(item, {"kind": kind, "key": key, "muc_dat": {}, "diem_ktdk": {}})
        d = row.data
        if "muc_dat" in d:
            entry["muc_dat"][period] = d["muc_dat"]
        if "diem_ktdk" in d:
            entry["diem_ktdk"][period] = d["diem_ktdk"]
        _set_once(asm, entry, "nhan_xet", d.get("nhan_xet"), row, asm.header("danh_gia_tieu_hoc", "nhan_xet"))
    out: dict[str, Any] = {"framework": "TT27", "mon_hoc": [], "pham_chat": [], "nang_luc": []}
    for entry in items.values():
        if entry["kind"] == "mon":
            out["mon_hoc"].append({"mon": entry["key"], "muc_dat": entry["muc_dat"], "diem_ktdk": entry["diem_ktdk"],
                                   "nhan_xet": entry.get("nhan_xet")})
        else:
            out[entry["kind"]].append({"ma": entry["key"], "muc_dat": entry["muc_dat"], "nhan_xet": entry.get("nhan_xet")})
    out["ket_qua"] = y.get("ket_qua")
    out["khen_thuong"] = y.get("khen_thuong", [])
    out["hoan_thanh_chuong_trinh_tieu_hoc"] = y.get("hoan_thanh_chuong_trinh_tieu_hoc")
    return out


def _secondary(asm: Assembly, y: dict, rows: list, khoi: int) -> dict:
    subjects: dict[str, dict] = {}
    nhan_xet = asm.header("diem_thcs_thpt", "nhan_xet")
    so_tiet = asm.header("diem_thcs_thpt", "so_tiet")
    for mon, semester, row in rows:
        subject = subjects.setdefault(mon, {"mon": mon})
        d = row.data
        _set_once(asm, subject, "so_tiet", d.get("so_tiet"), row, so_tiet)
        _set_once(asm, subject, "nhan_xet", d.get("nhan_xet"), row, nhan_xet)
        if semester == "CN":
            for name in YEAR_FIELDS:
                if name in d:
                    subject[name] = d[name]
        else:
            subject["hk1" if semester == "HK1" else "hk2"] = {k: d[k] for k in SEMESTER_FIELDS if k in d}
    return {
        "framework": "TT22",
        "mon_hoc": list(subjects.values()),
        "hoc_tap": {p: y.get(f"hoc_tap_{p}") for p in ("hk1", "hk2", "ca_nam", "sau_he")},
        "ren_luyen": {p: y.get(f"ren_luyen_{p}") for p in ("hk1", "hk2", "ca_nam", "sau_he")},
        "kiem_tra_lai": bool(y.get("kiem_tra_lai", False)),
        "ren_luyen_he": bool(y.get("ren_luyen_he", False)),
        "danh_hieu": _danh_hieu(y.get("danh_hieu")),
    }


def _danh_hieu(value: str | None) -> str | None:
    return catalogue.code_list("tt22_danh_hieu").normalise(value) if value else None


def _legacy(asm: Assembly, y: dict, rows: list, khoi: int) -> dict:
    subjects: dict[str, dict] = {}
    for mon, column, row in rows:  # legacy subject names are history: kept exactly as written
        subject = subjects.setdefault(mon, {"mon": mon, "diem": {}})
        d = row.data
        if column:
            subject["diem"][column] = d.get("diem", [])
        _set_once(asm, subject, "tb_ca_nam", d.get("tb_ca_nam"), row, asm.header("diem_cu", "tb_ca_nam"))
    return {"framework": "LEGACY", "mon_hoc": list(subjects.values()), "hoc_luc": y.get("hoc_luc"),
            "hanh_kiem": y.get("hanh_kiem"), "danh_hieu": y.get("danh_hieu")}

