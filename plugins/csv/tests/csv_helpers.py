"""Shared helpers of the csv plugin tests: synthetic records covering every field, the CSDL ngành
template built with openpyxl, and running the source. Synthetic data only."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal as D
from pathlib import Path

from connector.extract import Problem, Record
from connector.model import (
    LegacyAssessment, LegacySubject, PrimaryAssessment, PrimaryRating, PrimarySubject, SecondaryAssessment,
    SecondarySubject, Semester, Student, StudentYear, TermResults, canonical_json,
)

from hocba_csv.source import CsvSource

TRICKY_TEXTS = ["=1+1", "+84 mẹ", "-giỏi", "@tag", "'trích", "''hai", "\tđầu tab", "dấu, phẩy; chấm \"kép\"",
                "dòng 1\ndòng 2", "dòng\r\nCRLF"]


def student(n: int, **kw) -> Student:
    base = dict(ma_hoc_sinh=f"HS{n:05d}", ho_ten=f"Nguyễn Thị Học Sinh {n}", ngay_sinh=date(2015, 1 + n % 12, 1 + n % 28),
                gioi_tinh=1 + n % 2, dan_toc="Kinh", quoc_tich="Việt Nam", ho_ten_cha=f"Nguyễn Văn Cha {n}",
                ho_ten_me=f"Trần Thị Mẹ {n}", ho_ten_nguoi_giam_ho=None, doi_tuong_chinh_sach=None,
                so_dinh_danh_ca_nhan=f"07930{n:07d}")
    base.update(kw)
    return Student(**base)


def primary_record(n: int = 1, khoi: int = 3, nam_hoc: str = "2025-2026", school: str = "79000001", **kw) -> StudentYear:
    periods = ("GHKI", "CHKI", "GHKII", "CN")
    base = dict(
        student_key=f"HS{n:05d}", student=student(n), ma_so_gd="79", ma_truong=school, nam_hoc=nam_hoc, khoi=khoi,
        nhom_cap_hoc="02", ma_lop=f"{khoi}A", lop=f"{khoi}A", trang_thai="dang_hoc", nghi_co_phep=n % 3,
        nghi_khong_phep=0, co_khuyet_tat_khong_danh_gia=False, duoc_len_lop=True, hoan_thanh_chuong_trinh_lop=True,
        nhan_xet_gvcn=TRICKY_TEXTS[n % len(TRICKY_TEXTS)], chuc_vu_giam_hieu="KT. Hiệu trưởng",
        dia_danh_phat_hanh="Thái Sơn", ngay_ky=date(2026, 5, 25),
        danh_gia=PrimaryAssessment(
            mon_hoc=[
                PrimarySubject(mon="tieng_viet", muc_dat={p: "T" for p in periods},
                               diem_ktdk={"CHKI": D("9"), "CN": D("10")}, nhan_xet="Đọc to, rõ ràng."),
                PrimarySubject(mon="toan", muc_dat={"CHKI": "H", "CN": "T"}, diem_ktdk={"CHKI": D("7"), "CN": D("8")}),
                PrimarySubject(mon="tin_hoc", muc_dat={"CN": "H"}, diem_ktdk={"CN": D("0")}),
                PrimarySubject(mon="khoa_hoc", muc_dat={}),  # an item without any value yet
                PrimarySubject(mon="mon_la", muc_dat={"CN": "x"}),  # outside the catalogue: kept as found
            ],
            pham_chat=[PrimaryRating(ma="pc_yeu_nuoc", muc_dat={"CN": "T"}, nhan_xet="-Yêu quê hương"),
                       PrimaryRating(ma="pc_cham_chi", muc_dat={"CHKI": "H", "CN": "Đ"})],  # H: kept for TT27-1
            nang_luc=[PrimaryRating(ma="nl_khoa_hoc", muc_dat={"CN": "C"}),
                      PrimaryRating(ma="nl_tin_hoc", muc_dat={"CN": "Đ"})],
            ket_qua="HTT", khen_thuong=["HSTB", "HSXS"], hoan_thanh_chuong_trinh_tieu_hoc=None,
        ),
    )
    base.update(kw)
    return StudentYear(**base)


def secondary_record(n: int = 2, khoi: int = 7, nam_hoc: str = "2025-2026", school: str = "79000002", **kw) -> StudentYear:
    base = dict(
        student_key=f"HS{n:05d}", student=student(n, ma_hoc_sinh=None, gioi_tinh=0), ma_so_gd=None,
        ma_truong=school, nam_hoc=nam_hoc, khoi=khoi, nhom_cap_hoc="03" if khoi <= 9 else "04", ma_lop=None,
        lop=f"{khoi}A{n % 3}", trang_thai="chuyen_den", nghi_co_phep=None, nghi_khong_phep=4,
        co_khuyet_tat_khong_danh_gia=True, duoc_len_lop=False, hoan_thanh_chuong_trinh_lop=None,
        nhan_xet_gvcn="Cần cố gắng hơn.", ngay_ky=None,
        danh_gia=SecondaryAssessment(
            mon_hoc=[
                SecondarySubject(mon="toan", so_tiet=140,
                                 hk1=Semester(tx=[D("7.5"), D("8"), D("6.25"), D("10.0"), D("9")], gk=D("7"), ck=D("8.5"), tb=D("7.9")),
                                 hk2=Semester(tx=[D("5"), D("6")], gk=D("4"), ck=D("5"), tb=D("5.0")),
                                 tb_ca_nam=D("6.0"), kiem_tra_lai=D("6.5"), nhan_xet="Tiến bộ."),
                SecondarySubject(mon="gdtc", hk1=Semester(tx_nx=["Đ", "CĐ"], gk_nx="Đ", ck_nx="Đ", kq_nx="Đ"),
                                 hk2=Semester(), kq_ca_nam="CĐ", kiem_tra_lai_nx="Đ"),
                # wrong families kept where found (TT22-1): a score in a comment subject and the reverse
                SecondarySubject(mon="nghe_thuat", hk1=Semester(tx=[D("8")], tx_nx=["Đ"], gk=D("6"), gk_nx="CĐ", tb=D("7"), kq_nx="Đ")),
                SecondarySubject(mon="ngu_van", hk1=None, hk2=None, tb_ca_nam=D("-1"), kiem_tra_lai=D("5"), kiem_tra_lai_nx="CĐ"),
            ],
            hoc_tap=TermResults(hk1="K", hk2="Đ", ca_nam="Đ", sau_he="K"),
            ren_luyen=TermResults(hk1="T", hk2="T", ca_nam="T", sau_he=None),
            kiem_tra_lai=True, ren_luyen_he=False, danh_hieu="HSG",
        ),
    )
    base.update(kw)
    return StudentYear(**base)


def legacy_record(n: int = 3, **kw) -> StudentYear:
    base = dict(
        student_key=f"TAM-{n:05d}", student=student(n, ma_hoc_sinh=None), ma_truong="79000002", nam_hoc="2019-2020",
        khoi=9, nhom_cap_hoc="03", lop="9A",
        danh_gia=LegacyAssessment(
            mon_hoc=[LegacySubject(mon="Vật lý", diem={"M": [D("7"), D("8")], "P": [D("6.5")], "HK": []}, tb_ca_nam=D("7.2")),
                     LegacySubject(mon="toan", diem={}, tb_ca_nam=None)],
            hoc_luc="Khá", hanh_kiem="Tốt", danh_hieu="Học sinh tiên tiến"),
    )
    base.update(kw)
    return StudentYear(**base)


def every_field_records() -> list[StudentYear]:
    """Primary, secondary and legacy records; a student in two years with different data; a transfer."""
    first = primary_record(1, khoi=3, nam_hoc="2024-2025")
    later = primary_record(1, khoi=4, nam_hoc="2025-2026",
                           student=student(1, ho_ten="Nguyễn Thị Học Sinh Một", ngay_sinh=None, dan_toc=None),
                           hoan_thanh_chuong_trinh_lop=None, duoc_len_lop=None,
                           danh_gia=PrimaryAssessment(ket_qua="CHT", khen_thuong=[], hoan_thanh_chuong_trinh_tieu_hoc=False))
    fifth = primary_record(4, khoi=5, danh_gia=primary_record().danh_gia.model_copy(
        update={"hoan_thanh_chuong_trinh_tieu_hoc": True}))
    moved = secondary_record(2, school="79000009", lop="7B", trang_thai="chuyen_di",
                             student=student(2, ho_ten_nguoi_giam_ho="Lê Văn Giám Hộ", doi_tuong_chinh_sach="Con thương binh"))
    moved.danh_gia.ren_luyen_he = True
    nfd = secondary_record(5, khoi=11, student=student(5, ho_ten=unicodedata.normalize("NFD", "Phạm Thị Ngọc Ánh")))
    return [first, later, fifth, secondary_record(2), moved, nfd, legacy_record(3)]


def extract(path, **config) -> tuple[list[StudentYear], list[Problem]]:
    source = CsvSource({"path": str(path), **config})
    records, problems = [], []
    try:
        for message in source.extract():
            if isinstance(message, Record):
                records.append(message.payload)
            elif isinstance(message, Problem):
                message.message("vi")  # every problem must render
                message.message("en")
                problems.append(message)
    finally:
        source.close()
    return records, problems


def canonical_set(records) -> dict[str, str]:
    return {r.key: canonical_json(r) for r in records}


def errors(problems) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


# --- the CSDL ngành primary results template ----------------------------------------------------------

TEMPLATE_SUBJECTS = [("Toán", True), ("Tiếng Việt", True), ("Đạo đức", False), ("Tự nhiên và xã hội", False),
                     ("Ngoại ngữ", False), ("Tiếng dân tộc", False), ("TH-CN (Tin học)", False),
                     ("Nghệ thuật (Âm nhạc)", False), ("Nghệ thuật (Mĩ thuật)", False), ("Hoạt động trải nghiệm", False),
                     ("Giáo dục thể chất", False)]
GENERAL = ["Tự chủ và tự học", "Giao tiếp và hợp tác", "Giải quyết vấn đề và sáng tạo"]
SPECIFIC = ["Ngôn ngữ", "Tính toán", "Khoa học", "Thẩm mĩ", "Thể chất"]
QUALITIES = ["Yêu nước", "Nhân ái", "Chăm chỉ", "Trung thực", "Trách nhiệm"]


def template_layout(nfd: bool = True) -> tuple[list[list], list[tuple[int, int, int, int]]]:
    """The 3 header rows (35 columns A–AI) and merged ranges (row1, col1, row2, col2; 1-based)."""
    def h(text: str) -> str:
        return unicodedata.normalize("NFD", text) if nfd else text

    r1, r2, r3, merges = [], [], [], []
    for title in ("STT", "Mã lớp", "Mã học sinh", "Họ tên", "Ngày sinh"):
        merges.append((1, len(r1) + 1, 3, len(r1) + 1))
        r1.append(h(title)), r2.append(None), r3.append(None)
    start = len(r1) + 1
    for name, tested in TEMPLATE_SUBJECTS:
        if tested:
            merges.append((2, len(r1) + 1, 2, len(r1) + 2))
            r2 += [h(name), None]
            r3 += [h("Mức đạt\nđược"), h("Điểm KTĐK")]
            r1 += [None, None]
        else:
            merges.append((2, len(r1) + 1, 3, len(r1) + 1))
            r2.append(h(name)), r3.append(None), r1.append(None)
    r1[start - 1] = h("Môn học và hoạt động\ngiáo dục")
    merges.append((1, start, 1, len(r1)))
    start = len(r1) + 1
    for group, names in (("Năng lực chung", GENERAL), ("Năng lực đặc thù", SPECIFIC)):
        merges.append((2, len(r1) + 1, 2, len(r1) + len(names)))
        r2 += [h(group)] + [None] * (len(names) - 1)
        r3 += [h(n) for n in names]
        r1 += [None] * len(names)
    r1[start - 1] = h("Năng lực cốt lõi")
    merges.append((1, start, 1, len(r1)))
    start = len(r1) + 1
    for name in QUALITIES:
        merges.append((2, len(r1) + 1, 3, len(r1) + 1))
        r2.append(h(name)), r3.append(None), r1.append(None)
    r1[start - 1] = h("Phẩm chất chủ yếu")
    merges.append((1, start, 1, len(r1)))
    for title in ("Hoàn thành chương trình lớp học", "Lên lớp", "Xếp loại"):
        merges.append((1, len(r1) + 1, 3, len(r1) + 1))
        r1.append(h(title)), r2.append(None), r3.append(None)
    r1.append(None), r2.append(None), r3.append(None)  # AI: no header
    assert len(r1) == 35
    return [r1, r2, r3], merges


def template_row(stt: int, ma_lop: str, code: str, name: str, birth, levels: str = "T", score=9, quality: str = "Đ",
                 done: str = "x", result: str = "HTT") -> list:
    row = [stt, ma_lop, code, name, birth]
    for _, tested in TEMPLATE_SUBJECTS:
        row += [levels, score] if tested else [levels]
    row += [quality] * (len(GENERAL) + len(SPECIFIC) + len(QUALITIES))
    row += [done, done, result, None]
    return row


def write_template_xlsx(path: Path, rows: list[list], nfd: bool = True) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    header, merges = template_layout(nfd)
    for r in header + rows:
        ws.append(r)
    for r1, c1, r2, c2 in merges:
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    wb.save(path)
    return path


# --- legacy encodings for the encoding tests ---------------------------------------------------------

TONE_MARKS = {"\u0301": 0, "\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0323": 4}  # sắc huyền hỏi ngã nặng


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: letters with a tone are base + combining tone."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in TONE_MARKS))
        tone = "".join(c for c in d if c in TONE_MARKS)
        out.append(base.encode("cp1258") + tone.encode("cp1258"))
    return b"".join(out)


# VNI-Windows (font encoding, not supported by hocba): base letter + a mark byte per diacritic.
_VNI_TONE = b"\xf9\xf8\xfb\xf5\xef"  # ù ø û õ ï
_VNI_CIRC_TONE = b"\xe1\xe0\xe5\xe3\xe4"  # á à å ã ä (circumflex + tone)
_VNI_BREVE_TONE = b"\xe9\xe8\xfa\xfc\xeb"  # é è ú ü ë (breve + tone)
_VNI_I = b"\xed\xec\xe6\xf3\xf2"  # í ì æ ó ò


def to_vni(text: str) -> bytes:
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch.isascii():
            out += ch.encode()
            continue
        if ch in "đĐ":
            out += b"\xf1" if ch == "đ" else b"\xd1"
            continue
        d = unicodedata.normalize("NFD", ch.lower())
        base, marks = d[0], d[1:]
        tone = next((TONE_MARKS[m] for m in marks if m in TONE_MARKS), None)
        if base == "i" and tone is not None:
            out += _VNI_I[tone:tone + 1]
            continue
        if "\u031b" in marks:  # horn: ơ = ô byte, ư = ö byte
            out += b"\xf4" if base == "o" else b"\xf6"
        else:
            out += base.encode()
            if "\u0302" in marks:
                out += _VNI_CIRC_TONE[tone:tone + 1] if tone is not None else b"\xe2"
                continue
            if "\u0306" in marks:
                out += _VNI_BREVE_TONE[tone:tone + 1] if tone is not None else b"\xea"
                continue
        if tone is not None:
            out += _VNI_TONE[tone:tone + 1]
    return bytes(out)
