"""The fixed records behind the golden files: one per situation the XML must carry.

Built on the validator tests' builders (every derived value comes from connector/compute.py, so the
records pass validation), then given the page's other content: comments, the signature block, family
names, a re-test. Synthetic names only; nothing here is random.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from connector.model import Student, StudentYear, TermResults
from tests.validate.builders import finish_primary, finish_secondary, primary, secondary, subject

D = Decimal


def identity(rec: StudentYear, code: str, ho_ten: str, gioi_tinh: int, born: date, **family: str) -> StudentYear:
    rec.student_key = code
    rec.student = Student(ma_hoc_sinh=code, ho_ten=ho_ten, ngay_sinh=born, gioi_tinh=gioi_tinh, dan_toc="Kinh",
                          quoc_tich="Việt Nam", **family)
    return rec


def page(rec: StudentYear, lop: str, signed: date, comment: str, title: str = "Hiệu trưởng",
         place: str = "Thủ Đức") -> StudentYear:
    """Class, the GVCN's comment and the signature block, as printed on the page."""
    rec.lop, rec.ma_lop = lop, f"{rec.ma_truong}.{rec.nam_hoc[:4]}.{lop}"
    rec.nhan_xet_gvcn = comment
    rec.chuc_vu_giam_hieu = title
    rec.dia_danh_phat_hanh = place
    rec.ngay_ky = signed
    return rec


def primary_grade_1() -> StudentYear:
    rec = primary(khoi=1, nam_hoc="2024-2025", level="H", rating="Đ", score=8)
    rec.danh_gia.mon_hoc[0].nhan_xet = "Đọc trơn, viết đúng chính tả; cần luyện thêm chữ hoa."
    rec.danh_gia.pham_chat[0].nhan_xet = "Kính trọng thầy cô, yêu quý bạn bè."
    identity(rec, "7900100001", "Nguyễn Ngọc Ánh", 2, date(2018, 9, 2), ho_ten_me="Phạm Thị Thu Hà")
    return page(rec, "1A1", date(2025, 5, 26), "Em ngoan, chăm học, tiến bộ rõ trong học kỳ II.")


def primary_grade_4() -> StudentYear:
    rec = primary(khoi=4, nam_hoc="2024-2025", level="T", rating="T", score=9)
    subject(rec, "toan").nhan_xet = "Tính nhanh, trình bày bài sạch đẹp."
    rec.nghi_co_phep, rec.nghi_khong_phep = 1, 0
    identity(rec, "7900100002", "Trần Minh Khôi", 1, date(2015, 1, 20), ho_ten_cha="Trần Văn Hưng",
             ho_ten_me="Lê Thị Mỹ Dung")
    return page(rec, "4A2", date(2025, 5, 27), "Học tốt các môn, tích cực tham gia hoạt động của lớp.",
                title="KT. Hiệu trưởng - Phó Hiệu trưởng")


def primary_grade_5() -> StudentYear:
    rec = primary(khoi=5, nam_hoc="2024-2025", level="H", rating="T", score=7)
    identity(rec, "7900100003", "Đặng Thị Thùy Dương", 2, date(2014, 11, 3), ho_ten_nguoi_giam_ho="Đặng Văn Tài")
    rec.student.doi_tuong_chinh_sach = "Con hộ nghèo"
    return page(rec, "5A1", date(2025, 5, 28), "Hoàn thành chương trình tiểu học; mạnh dạn, tự tin.")


def thcs_grade_8() -> StudentYear:
    rec = secondary(khoi=8, nam_hoc="2024-2025", score="7.5", conduct=("K", "T"),
                    scores={"toan": "8.8", "ngu_van": "6.5", "khtn": "9.0"})
    subject(rec, "toan").nhan_xet = "Có năng khiếu, cần cẩn thận khi trình bày."
    identity(rec, "7900200004", "Võ Hoàng Phúc", 1, date(2011, 6, 14), ho_ten_me="Huỳnh Thị Lan")
    rec.ma_so_gd, rec.ma_truong = "79", "79000802"
    return page(rec, "8A3", date(2025, 5, 24), "Ngoan, có ý thức học tập; cần mạnh dạn phát biểu hơn.",
                place="Quận 7")


def thpt_grade_11_retest() -> StudentYear:
    """A weak subject (year average below 3.5) leaves learning at CĐ; the summer re-test lifts it."""
    rec = secondary(khoi=11, nam_hoc="2024-2025", score="6.0", conduct=("Đ", "K"), scores={"hoa_hoc": "3.0"})
    a = rec.danh_gia
    a.kiem_tra_lai = True
    subject(rec, "hoa_hoc").kiem_tra_lai = D("6.5")
    finish_secondary(rec)
    identity(rec, "7900300005", "Lý Gia Hân", 2, date(2008, 2, 29), ho_ten_cha="Lý Quốc Bảo")
    rec.ma_so_gd, rec.ma_truong = "79", "79000903"
    return page(rec, "11A5", date(2025, 8, 15), "Cần cố gắng hơn ở môn Hóa học; đã đạt sau kiểm tra lại.",
                place="Bình Thạnh")


def thcs_disabled_not_assessed() -> StudentYear:
    """TT22-11: assessed against an individual plan; no learning result is recorded."""
    rec = secondary(khoi=7, nam_hoc="2024-2025", score="5.0", conduct=("T", "T"))
    rec.co_khuyet_tat_khong_danh_gia = True
    rec.danh_gia.hoc_tap, rec.danh_gia.kiem_tra_lai, rec.danh_gia.danh_hieu = TermResults(), False, None
    rec.duoc_len_lop = True
    identity(rec, "7900200006", "Hồ Thanh Tùng", 1, date(2012, 4, 8), ho_ten_me="Ngô Thị Bích")
    rec.ma_so_gd, rec.ma_truong = "79", "79000802"
    return page(rec, "7A2", date(2025, 5, 24), "Em tiến bộ theo kế hoạch giáo dục cá nhân.",
                place="Quận 7")


def primary_transferred_in() -> StudentYear:
    """Transferred in over the summer: the year's page belongs to the new school."""
    rec = primary(khoi=3, nam_hoc="2024-2025", level="H", rating="Đ", score=8)
    rec.trang_thai = "chuyen_den"
    finish_primary(rec)
    identity(rec, "0100400007", "Bùi Khánh Linh", 2, date(2016, 7, 30), ho_ten_me="Bùi Thị Hạnh")
    rec.ma_so_gd, rec.ma_truong = "01", "01000404"
    return page(rec, "3A4", date(2025, 5, 29), "Hòa nhập tốt với lớp mới.", place="Cầu Giấy")


#: golden file name (without .xml) → builder
GOLDEN = {
    "tieuhoc_lop1": primary_grade_1,
    "tieuhoc_lop4": primary_grade_4,
    "tieuhoc_lop5": primary_grade_5,
    "thcs_lop8": thcs_grade_8,
    "thpt_lop11_kiem_tra_lai": thpt_grade_11_retest,
    "thcs_khuyet_tat_khong_danh_gia": thcs_disabled_not_assessed,
    "tieuhoc_chuyen_den": primary_transferred_in,
}
