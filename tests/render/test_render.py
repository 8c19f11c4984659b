"""The PDF looks like a học bạ page and says what it is: checked with poppler, not with our own code."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from connector.catalogue import load_data
from connector.errors import ConfigError
from connector.render import fonts, pades
from connector.render.pdf import pdf_keywords, render_pdf
from connector.render.reader import read_page
from tests.render.conftest import PAGES, SCHOOL, golden, poppler, write
from tests.xml.records import GOLDEN, primary_grade_1

LAYOUT = load_data("render.toml")
NAMES = {"tieuhoc_lop4": "Trần Minh Khôi", "thpt_lop11_kiem_tra_lai": "Lý Gia Hân"}
LEVEL = {"tieuhoc_lop4": "primary", "thpt_lop11_kiem_tra_lai": "secondary"}


def section_titles(level: str) -> list[str]:
    spec = LAYOUT[level]
    return [spec[s]["title"] for s in spec["sections"] if isinstance(spec.get(s), dict) and "title" in spec[s]]


def page_texts(path) -> list[str]:
    """The text layer, page by page (pdftotext separates pages with a form feed)."""
    proc = poppler("pdftotext", "-layout", "-enc", "UTF-8", str(path), "-")
    assert proc.returncode == 0, proc.stderr
    return [p for p in proc.stdout.split("\f") if p.strip()]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_text_layer_has_the_student_the_sections_and_the_label_on_every_page(name, rendered, tmp_path):
    page, pdf = rendered[name]
    pages = page_texts(write(tmp_path, pdf))
    everything = flat(" ".join(pages))
    assert NAMES[name] in everything  # diacritics intact, from the embedded font's ToUnicode map
    for title in section_titles(LEVEL[name]):
        assert title in everything, title
    assert SCHOOL in everything and page.signer("GVCN").name in everything
    assert page.signer("HieuTruong").name in everything
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        text = flat(text)
        assert LAYOUT["label"]["vi"] in text and LAYOUT["label"]["en"] in text
        assert page.document_id in text and page.xml_sha256 in text
        assert f"Trang {number}/{len(pages)}" in text


def test_secondary_page_shows_averages_retest_and_decision(rendered, tmp_path):
    _, pdf = rendered["thpt_lop11_kiem_tra_lai"]
    text = flat(" ".join(page_texts(write(tmp_path, pdf))))
    assert re.search(r"Hóa học 3,0 3,0 3,0 6,5", text)  # ĐTBmhkI, ĐTBmhkII, ĐTBmcn, after the re-test
    assert re.search(r"Giáo dục thể chất Đ Đ Đ", text)  # a comment-only subject: Đ/CĐ
    assert "Kiểm tra lại trong hè; Được lên lớp" in text
    assert "Sau rèn luyện hoặc kiểm tra lại trong hè" in text


def test_primary_page_shows_levels_scores_and_results(rendered, tmp_path):
    _, pdf = rendered["tieuhoc_lop4"]
    text = flat(" ".join(page_texts(write(tmp_path, pdf))))
    assert re.search(r"Toán T 9 Tính nhanh, trình bày bài sạch đẹp\.", text)
    assert "Những năng lực đặc thù" in text and "Giải quyết vấn đề và sáng tạo" in text
    assert "Đánh giá kết quả giáo dục: Hoàn thành xuất sắc" in text
    assert "Khen thưởng: Học sinh Xuất sắc" in text
    assert "Thủ Đức, ngày 27 tháng 05 năm 2025" in text
    assert "KT. HIỆU TRƯỞNG" in text and "PHÓ HIỆU TRƯỞNG" in text


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_font_is_embedded(name, rendered, tmp_path):
    proc = poppler("pdffonts", str(write(tmp_path, rendered[name][1])))
    rows = [line.split() for line in proc.stdout.splitlines()[2:] if line.strip()]
    assert rows, proc.stdout
    for row in rows:  # name type encoding emb sub uni object-id gen: emb, sub and uni are "yes"
        assert row[-5:-2] == ["yes", "yes", "yes"], row


@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages_are_printed_not_blank(name, rendered, tmp_path):
    path = write(tmp_path, rendered[name][1])
    proc = poppler("pdftoppm", "-r", "50", "-gray", "-png", str(path), str(tmp_path / "png"))
    assert proc.returncode == 0, proc.stderr
    images = sorted(tmp_path.glob("png*.png"))
    assert len(images) == len(page_texts(path))
    for image_path in images:
        image = Image.open(image_path).convert("L")
        width, height = image.size
        ink = ink_share(image)
        assert 0.01 < ink < 0.35, (image_path.name, ink)
        # the label footer is printed at the foot of every page, inside the bottom margin
        assert ink_share(image.crop((0, int(height * 0.9), width, height))) > 0.005


def ink_share(image: Image.Image) -> float:
    histogram = image.histogram()
    return sum(histogram[:160]) / sum(histogram)


def test_same_xml_gives_the_same_pdf(signed_xml, profile, rendered):
    page = read_page(signed_xml["tieuhoc_lop4"], [profile])
    assert render_pdf(page, pades.field_names()) == rendered["tieuhoc_lop4"][1]


def test_pdf_records_which_xml_it_renders(rendered):
    page, pdf = rendered["tieuhoc_lop4"]
    assert pdf_keywords(pdf) == {"document": page.document_id, "xml-sha256": page.xml_sha256,
                                 "profile": "hocba-xmldsig-dscks/0.1"}
    assert page.record.student.ho_ten.encode() not in pdf  # metadata carries ids, not names (text is subset-encoded)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_every_golden_page_renders_unsigned(name, profile, tmp_path):
    page = read_page(golden(name), [profile], name)
    text = flat(" ".join(page_texts(write(tmp_path, render_pdf(page, pades.field_names())))))
    assert page.record.student.ho_ten in text
    assert text.count(LAYOUT["signatures"]["not_signed"]) == 3  # GVCN, principal, seal: not signed yet


def test_document_text_is_text_not_markup(profile, tmp_path):
    record = primary_grade_1()
    record.nhan_xet_gvcn = "Em <b>ngoan</b> & chăm"
    record.danh_gia.mon_hoc[0].nhan_xet = "Viết <font size=40>to</font>"
    page = read_page(profile.serialize(record), [profile])
    text = flat(" ".join(page_texts(write(tmp_path, render_pdf(page, pades.field_names())))))
    assert "Viết <font size=40>to</font>" in text


def test_a_missing_font_is_a_clear_configuration_error(tmp_path):
    candidate = {"name": "Nowhere Serif", **{style: [str(tmp_path / f"{style}.ttf")] for style in fonts.STYLES}}
    with pytest.raises(ConfigError) as caught:
        fonts.find_family([candidate])
    assert caught.value.key == "render_font_missing"
    assert "Nowhere Serif" in caught.value.message("en")


def test_the_font_family_covers_vietnamese():
    family = fonts.find_family(LAYOUT["fonts"])
    assert fonts.register(family).files["regular"].is_file()


def test_png_of_the_first_page_reads_back(rendered, tmp_path):
    """pdftoppm's PNG is a real image of A4 proportions (what a person looking at the page sees)."""
    path = write(tmp_path, rendered["thpt_lop11_kiem_tra_lai"][1])
    proc = subprocess_png(path, tmp_path)
    image = Image.open(io.BytesIO(proc))
    assert abs(image.size[1] / image.size[0] - 297 / 210) < 0.01


def subprocess_png(path, tmp_path) -> bytes:
    poppler("pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", "-singlefile", str(path), str(tmp_path / "first"))
    return (tmp_path / "first.png").read_bytes()
