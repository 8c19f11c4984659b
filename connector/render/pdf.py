"""Draw one signed Học bạ page as a PDF in the layout of the ministry's paper học bạ (bản thể hiện).

Input: a :class:`~connector.render.reader.SignedPage`, read from the signed XML bytes. Texts, section order
and column headers come from ``connector/data/render.toml``; this module only knows how to draw each kind
of section. Every page carries a footer saying it is a rendering of the signed XML in a provisional format,
with the document id and the SHA-256 of the XML file. The signature blocks print who signed the XML
(name from the certificate, time from SigningTime); the PDF gets one empty, invisible signature field per
role for the PAdES signatures (``connector.render.pades``).

The output is deterministic (ReportLab's ``invariant`` mode): the same XML gives the same PDF bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from connector import __version__, catalogue
from connector.catalogue import load_data
from connector.model import PrimaryAssessment, SecondaryAssessment, Semester, StudentYear
from connector.render import fonts
from connector.render.reader import RenderError, SignedPage, Signer
from connector.sign.xmldsig import VN_TZ
from connector.xml.mapping import score10, whole

SIGNATURE_BLUE = colors.HexColor("#1F3A93")  # a personal signature's stamp
SEAL_RED = colors.HexColor("#B22222")  # the school seal's stamp, red as ink seals are
RULE_GREY = colors.HexColor("#555555")
FONT = ("FONTNAME", (0, 0), (-1, -1), fonts.FAMILY)  # plain-string cells too (ReportLab's default: Helvetica)
KEYWORD_PREFIX = "hocba-"  # PDF /Keywords: hocba-document:<id> hocba-xml-sha256:<hex> hocba-profile:<id>/<v>


@cache
def layout() -> dict:
    return load_data("render.toml")


class Styles:
    """Paragraph styles in the embedded family, sized from ``[page]``."""

    def __init__(self, spec: dict, family: fonts.FontFamily):
        size, small = spec["font_size"], spec["table_font_size"]
        regular, bold, italic = family.face(), family.face("bold"), family.face("italic")
        self.body = ParagraphStyle("body", fontName=regular, fontSize=size, leading=size * 1.3)
        self.title = ParagraphStyle("title", fontName=bold, fontSize=size + 3, leading=(size + 3) * 1.3,
                                    alignment=TA_CENTER)
        self.subtitle = ParagraphStyle("subtitle", fontName=italic, fontSize=size, leading=size * 1.3,
                                       alignment=TA_CENTER, spaceAfter=4)
        self.section = ParagraphStyle("section", fontName=bold, fontSize=size, leading=size * 1.3, spaceBefore=7,
                                      spaceAfter=3)
        self.cell = ParagraphStyle("cell", fontName=regular, fontSize=small, leading=small * 1.22)
        self.cell_center = ParagraphStyle("cell_center", parent=self.cell, alignment=TA_CENTER)
        self.head = ParagraphStyle("head", parent=self.cell, fontName=bold, alignment=TA_CENTER)
        self.note = ParagraphStyle("note", fontName=italic, fontSize=small - 0.5, leading=(small - 0.5) * 1.25,
                                   spaceBefore=2)
        self.sub_note = ParagraphStyle("sub_note", parent=self.cell, fontName=italic, fontSize=small - 1,
                                       leading=(small - 1) * 1.2, textColor=RULE_GREY)
        self.center = ParagraphStyle("center", parent=self.body, alignment=TA_CENTER)
        self.center_bold = ParagraphStyle("center_bold", parent=self.center, fontName=bold)
        self.center_italic = ParagraphStyle("center_italic", parent=self.center, fontName=italic)
        self.stamp = ParagraphStyle("stamp", parent=self.cell, alignment=TA_CENTER, fontSize=small - 0.5,
                                    leading=(small - 0.5) * 1.25)
        self.footer_size = spec["footer_font_size"]
        self.regular, self.bold, self.italic = regular, bold, italic


def text(value: object) -> str:
    """Escape document text for ReportLab's paragraph markup (a name with "<" or "&" stays text)."""
    return escape(str(value)).replace("\n", "<br/>")


# --- values --------------------------------------------------------------------------------------------


def fmt_date(value: dt.date | None, spec: dict) -> str:
    if value is None:
        return "—"
    return spec["page"]["date_format"].format(d=value.day, m=value.month, y=value.year)


def fmt_score(value: Decimal | None, spec: dict, primary: bool = False) -> str:
    """A score as the XML writes it (TT22 one decimal, TT27 whole), with the Vietnamese decimal comma."""
    if value is None:
        return ""
    shown = whole(value) if primary else score10(value)
    return shown.replace(".", spec["page"]["decimal_separator"])


def label(list_name: str, code: str | None) -> str:
    if not code:
        return "—"
    return catalogue.code_list(list_name).label(code, "vi")


def legend(list_name: str) -> str:
    codes = catalogue.code_list(list_name).codes.values()
    return "; ".join(f"{c.code} – {c.vi}" for c in codes) + "."


def semester_value(semester: Semester | None, spec: dict) -> str:
    if semester is None:
        return ""
    return fmt_score(semester.tb, spec) if semester.tb is not None else (semester.kq_nx or "")


# --- building blocks -----------------------------------------------------------------------------------


def grid_table(rows: list[list], widths: list[float], header_rows: int = 1, spans=(), extra=()) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=header_rows)
    table.setStyle(TableStyle([
        FONT,
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        *(("SPAN", tuple(a), tuple(b)) for a, b in spans),
        *extra,
    ]))
    return table


def column_widths(fractions: list[float], width: float) -> list[float]:
    return [f * width for f in fractions]


class Page:
    """One page's story (the flowables), built section by section as ``render.toml`` orders them."""

    def __init__(self, signed: SignedPage, spec: dict, styles: Styles, width: float):
        self.signed, self.record, self.spec, self.s, self.width = signed, signed.record, spec, styles, width
        self.level = self._level_spec()

    def _level_spec(self) -> dict:
        return self.spec["primary" if isinstance(self.record.danh_gia, PrimaryAssessment) else "secondary"]

    def story(self) -> list:
        """Each section stays on one page when it fits (a table moves whole to the next page rather than
        leaving its title behind), as on the two-page spread of the paper form."""
        out: list = []
        for section in self.level["sections"]:
            if section in self.level.get("page_break_before", ()):
                out.append(PageBreak())
            out.append(KeepTogether(getattr(self, f"section_{section}")()))
        return out

    def p(self, markup: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(markup, style or self.s.body)

    def heading(self, title: str, value: str | None = None) -> Paragraph:
        """A numbered section title, with its value on the same line for one-line sections."""
        if value is None:
            return self.p(text(title), self.s.section)
        return self.p(f"{text(title)}: <font name='{self.s.regular}'>{value}</font>", self.s.section)

    # --- header (both levels) ----------------------------------------------------------------------------

    def section_header(self) -> list:
        r, h = self.record, self.spec["header"]
        level_name = (self.level["level"] if "level" in self.level
                      else self.level["levels"].get(r.nhom_cap_hoc, r.nhom_cap_hoc))
        school = self.signed.school_name
        school_text = (f"<b>{text(school)}</b> ({text(h['school_code'].format(code=r.ma_truong))})" if school
                       else text(h["school_code"].format(code=r.ma_truong)))
        gender = catalogue.code_list("gioi_tinh").label(str(r.student.gioi_tinh), "vi")

        def field(name: str, value: str, strong: bool = False) -> Paragraph:
            shown = f"<b>{value}</b>" if strong else value
            return self.p(f"{text(h[name])}: {shown}")

        rows = [
            [field("name", text(r.student.ho_ten), True), field("class", text(r.lop), True),
             field("year", text(r.nam_hoc), True)],
            [field("birth", fmt_date(r.student.ngay_sinh, self.spec)), field("gender", text(gender)),
             field("ethnicity", text(r.student.dan_toc or "—"))],
            [self.p(f"{text(h['school'])}: {school_text}"), "",
             field("student_code", text(r.student.ma_hoc_sinh or "—"))],
        ]
        status_row = []
        if r.trang_thai != "dang_hoc":
            status_row = [[field("status", text(label("trang_thai", r.trang_thai))), "", ""]]
        absences = h["absences" if isinstance(r.danh_gia, PrimaryAssessment) else "absences_secondary"]
        total = ("—" if r.nghi_co_phep is None and r.nghi_khong_phep is None
                 else str((r.nghi_co_phep or 0) + (r.nghi_khong_phep or 0)))
        absence_row = [[self.p(text(absences.format(
            total=total, excused=r.nghi_co_phep if r.nghi_co_phep is not None else "—",
            unexcused=r.nghi_khong_phep if r.nghi_khong_phep is not None else "—"))), "", ""]]
        info = Table(rows + status_row + absence_row, colWidths=column_widths([0.46, 0.27, 0.27], self.width))
        last = len(rows) + len(status_row)
        info.setStyle(TableStyle([
            FONT, ("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1), ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("SPAN", (0, 2), (1, 2)),
            *(("SPAN", (0, row), (2, row)) for row in range(len(rows), last + 1)),
        ]))
        out = [self.p(text(h["title"]), self.s.title),
               self.p(text(h["subtitle"].format(level=level_name, nam_hoc=r.nam_hoc)), self.s.subtitle),
               info]
        if r.co_khuyet_tat_khong_danh_gia:
            out.append(self.p(text(h["disabled"]), self.s.note))
        return out

    # --- primary (TT27) ----------------------------------------------------------------------------------

    def section_subjects(self) -> list:
        if isinstance(self.record.danh_gia, PrimaryAssessment):
            return self._primary_subjects()
        return self._secondary_subjects()

    def _primary_subjects(self) -> list:
        spec, s = self.level["subjects"], self.s
        known = catalogue.subjects("primary")
        rows = [[self.p(text(c), s.head) for c in spec["columns"]]]
        for subject in self.record.danh_gia.mon_hoc:
            name = known[subject.mon].vi if subject.mon in known else subject.mon
            rows.append([self.p(text(name), s.cell), self.p(text(subject.muc_dat.get("CN", "")), s.cell_center),
                         self.p(fmt_score(subject.diem_ktdk.get("CN"), self.spec, primary=True), s.cell_center),
                         self.p(text(subject.nhan_xet or ""), s.cell)])
        return [self.heading(spec["title"]), grid_table(rows, column_widths(spec["widths"], self.width)),
                self.p(text(legend(spec["legend_list"])), s.note)]

    def section_qualities(self) -> list:
        spec, s = self.level["qualities"], self.s
        known = catalogue.ratings("quality")
        ratings = self.record.danh_gia.pham_chat
        comments = "<br/>".join(text(r.nhan_xet) for r in ratings if r.nhan_xet)
        rows = [[self.p(text(c), s.head) for c in spec["columns"]]]
        for i, rating in enumerate(ratings):
            name = known[rating.ma].vi if rating.ma in known else rating.ma
            rows.append([self.p(text(name), s.cell), self.p(text(rating.muc_dat.get("CN", "")), s.cell_center),
                         self.p(comments, s.cell) if i == 0 else ""])
        spans = [[[2, 1], [2, len(rows) - 1]]] if len(rows) > 2 else []
        extra = [("VALIGN", (2, 1), (2, -1), "TOP")]
        return [self.heading(spec["title"]),
                grid_table(rows, column_widths(spec["widths"], self.width), spans=spans, extra=extra),
                self.p(text(legend(spec["legend_list"])), s.note)]

    def section_competences(self) -> list:
        spec, s = self.level["competences"], self.s
        known = catalogue.ratings("competence")
        groups: dict[str, list] = {}
        for rating in self.record.danh_gia.nang_luc:
            group = known[rating.ma].group if rating.ma in known else None
            groups.setdefault(group or "", []).append(rating)
        rows = [[self.p(text(c), s.head) for c in spec["columns"]]]
        spans = [[[0, 0], [1, 0]]]
        for group in [g for g in spec["groups"] if g in groups] + [g for g in groups if g not in spec["groups"]]:
            first = len(rows)
            for i, rating in enumerate(groups[group]):
                name = known[rating.ma].vi if rating.ma in known else rating.ma
                rows.append([self.p(text(spec["groups"].get(group, "")), s.cell) if i == 0 else "",
                             self.p(text(name), s.cell),
                             self.p(text(rating.muc_dat.get("CN", "")), s.cell_center),
                             self.p(text(rating.nhan_xet or ""), s.cell)])
            if len(rows) - 1 > first:
                spans.append([[0, first], [0, len(rows) - 1]])
        return [self.heading(spec["title"]),
                grid_table(rows, column_widths(spec["widths"], self.width), spans=spans),
                self.p(text(legend(spec["legend_list"])), s.note)]

    def section_result(self) -> list:
        spec = self.level["result"]
        return [self.heading(spec["title"], f"<b>{text(label(spec['list'], self.record.danh_gia.ket_qua))}</b>")]

    def section_rewards(self) -> list:
        spec = self.level["rewards"]
        rewards = [label(spec["list"], code) for code in self.record.danh_gia.khen_thuong]
        return [self.heading(spec["title"], f"<b>{text('; '.join(rewards) or spec['none'])}</b>")]

    def section_completion(self) -> list:
        spec, r = self.level["completion"], self.record
        if r.khoi == spec["final_grade"] and r.danh_gia.hoan_thanh_chuong_trinh_tieu_hoc:
            value = spec["done_final"]
        elif r.hoan_thanh_chuong_trinh_lop is None:
            value = "—"
        else:
            value = spec["done" if r.hoan_thanh_chuong_trinh_lop else "not_done"].format(khoi=r.khoi)
        return [self.heading(spec["title"], f"<b>{text(value)}</b>")]

    # --- secondary (TT22) --------------------------------------------------------------------------------

    def _secondary_subjects(self) -> list:
        spec, s = self.level["subjects"], self.s
        known = catalogue.subjects("secondary")
        rows = [[self.p(text(c), s.head) if c else "" for c in row] for row in spec["header"]]
        for subject in self.record.danh_gia.mon_hoc:
            name = text(known[subject.mon].vi if subject.mon in known else subject.mon)
            if subject.nhan_xet:  # the subject teacher's comment is signed content too: shown under the name
                name += (f"<br/><font size='{s.sub_note.fontSize}' color='#555555'>"
                         f"<i>{text(subject.nhan_xet)}</i></font>")
            year = fmt_score(subject.tb_ca_nam, self.spec) if subject.tb_ca_nam is not None else subject.kq_ca_nam
            retest = (fmt_score(subject.kiem_tra_lai, self.spec) if subject.kiem_tra_lai is not None
                      else subject.kiem_tra_lai_nx)
            gvbm = self.signed.signer("GVBM", subject.mon)
            rows.append([self.p(name, s.cell), self.p(text(semester_value(subject.hk1, self.spec)), s.cell_center),
                         self.p(text(semester_value(subject.hk2, self.spec)), s.cell_center),
                         self.p(text(year or ""), s.cell_center), self.p(text(retest or ""), s.cell_center),
                         self.p(text(gvbm.name) if gvbm else "", s.cell_center)])
        return [self.heading(spec["title"]),
                grid_table(rows, column_widths(spec["widths"], self.width), header_rows=len(spec["header"]),
                           spans=spec["spans"]),
                self.p(text(legend(spec["legend_list"])), s.note)]

    def section_results(self) -> list:
        spec, s, a = self.level["results"], self.s, self.record.danh_gia
        rows = [[self.p(text(c), s.head) if c else "" for c in spec["columns"]]]
        for key, name in spec["rows"].items():
            conduct, learning = getattr(a.ren_luyen, key), getattr(a.hoc_tap, key)
            if key == "sau_he" and conduct is None and learning is None:
                continue  # no summer re-test or training: the row stays off the page
            rows.append([self.p(text(name), s.cell),
                         self.p(text(label(spec["legend_list"], conduct)), s.cell_center),
                         self.p(text(label(spec["legend_list"], learning)), s.cell_center)])
        return [self.heading(spec["title"]), grid_table(rows, column_widths(spec["widths"], self.width))]

    def section_decision(self) -> list:
        spec, r, a = self.level["decision"], self.record, self.record.danh_gia
        parts = []
        if a.kiem_tra_lai:
            parts.append(spec["retest"])
        if a.ren_luyen_he:
            parts.append(spec["summer"])
        final = spec["final"].get(str(r.khoi))
        if final and (r.hoan_thanh_chuong_trinh_lop or r.duoc_len_lop):
            parts.append(final)
        elif r.duoc_len_lop is not None:
            parts.append(spec["promoted" if r.duoc_len_lop else "not_promoted"])
        return [self.heading(spec["title"], f"<b>{text('; '.join(parts) or spec['unknown'])}</b>")]

    def section_title(self) -> list:
        spec = self.level["title"]
        value = label(spec["list"], self.record.danh_gia.danh_hieu) if self.record.danh_gia.danh_hieu else spec["none"]
        return [self.heading(spec["title"], f"<b>{text(value)}</b>")]

    def section_comment(self) -> list:
        spec = self.level["comment"]
        return [self.heading(spec["title"]), self.p(text(self.record.nhan_xet_gvcn or spec["none"]))]

    # --- signatures (both levels) ------------------------------------------------------------------------

    def section_signatures(self) -> list:
        sig, r, level = self.spec["signatures"], self.record, self.level
        s = self.s
        date_line = (sig["date_line"].format(place=r.dia_danh_phat_hanh or "……", d=r.ngay_ky.day, m=r.ngay_ky.month,
                                             y=r.ngay_ky.year) if r.ngay_ky else "")
        principal_title = r.chuc_vu_giam_hieu or ""
        left = [self.p(text(level["principal_title"]), s.center_bold),
                self.p(text(level["principal_hint"]), s.center_italic)]
        if principal_title:  # "KT. Hiệu trưởng - Phó Hiệu trưởng" is printed on two lines, in capitals
            left.append(self.p("<br/>".join(f"<b>{text(part.strip())}</b>" for part in
                                            principal_title.upper().split(" - ")), s.center))
        left += [self.stamp(self.signed.signer("HieuTruong"), SIGNATURE_BLUE),
                 self.stamp(self.signed.signer("DonVi"), SEAL_RED, seal=True),
                 self.p(f"<b>{text(self._name('HieuTruong'))}</b>", s.center)]
        right = [self.p(text(level["gvcn_title"]), s.center_bold), self.p(text(level["gvcn_hint"]), s.center_italic),
                 self.stamp(self.signed.signer("GVCN"), SIGNATURE_BLUE),
                 self.p(f"<b>{text(self._name('GVCN'))}</b>", s.center)]
        half = self.width / 2
        block = Table([["", self.p(text(date_line), s.center_italic)], [left, right]], colWidths=[half, half])
        block.setStyle(TableStyle([FONT, ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 4),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 4)]))
        return [Spacer(0, 8), block]

    def _name(self, slot: str) -> str:
        signer = self.signed.signer(slot)
        return signer.name if signer else ""

    def stamp(self, signer: Signer | None, color, seal: bool = False) -> Table:
        """A framed "digitally signed" mark in place of the handwritten signature (or the ink seal)."""
        sig, s = self.spec["signatures"], self.s
        if signer is None:
            lines = [self.p(f"<font color='#777777'>{text(sig['seal'] if seal else '')}"
                            f"{'<br/>' if seal else ''}{text(sig['not_signed'])}</font>", s.stamp)]
            frame = colors.HexColor("#BBBBBB")
        else:
            when = signer.signed_at.astimezone(VN_TZ) if signer.signed_at else None  # as the school reads clocks
            time_text = (sig["signed_at"].format(time=sig["time_format"].format(
                H=when.hour, M=when.minute, d=when.day, m=when.month, y=when.year)) if when else "")
            head = sig["seal_signed"].format(name=signer.organisation or signer.name) if seal else sig["signed"]
            lines = [self.p(f"<font color='#{color.hexval()[2:]}'><b>{text(head)}</b> {text(time_text)}<br/>"
                            f"{text(sig['certificate'].format(fingerprint=signer.fingerprint[:16]))}</font>",
                            s.stamp)]
            frame = color
        box = Table([[lines]], colWidths=[self.width / 2 * 0.72])
        box.setStyle(TableStyle([FONT, ("BOX", (0, 0), (-1, -1), 1.1 if signer else 0.5, frame),
                                 ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
        box.hAlign = "CENTER"
        return box


# --- the marks on every page --------------------------------------------------------------------------


class PageMarks:
    """What every page carries outside the flowing content: the footer label (what this PDF is, the
    document id, the XML's SHA-256, the page number) and, from page 2 on, whose page it is."""

    def __init__(self, signed: SignedPage, spec: dict, styles: Styles, margins: dict):
        label_spec = spec["label"]
        r = signed.record
        self.continued = spec["header"]["continued"].format(name=r.student.ho_ten, lop=r.lop, nam_hoc=r.nam_hoc)
        provisional = signed.provisional
        self.lines = [
            label_spec["vi"] if provisional else label_spec["official_vi"],
            label_spec["en"] if provisional else label_spec["official_en"],
            label_spec["identity"].format(document_id=signed.document_id, sha256=signed.xml_sha256),
        ]
        self.profile = label_spec["profile"].format(profile=f"{signed.profile_id} {signed.profile_version}")
        self.page_text = label_spec["page"]
        self.styles, self.margins = styles, margins

    def draw(self, canvas: Canvas, page: int, pages: int) -> None:
        width, height = canvas._pagesize
        left, right = self.margins["left"] * mm, width - self.margins["right"] * mm
        size = self.styles.footer_size
        top = self.margins["bottom"] * mm - 3 * mm
        canvas.saveState()
        if page > 1:
            canvas.setFont(self.styles.italic, size + 1)
            canvas.setFillColor(RULE_GREY)
            canvas.drawRightString(right, height - self.margins["top"] * mm + 3 * mm, self.continued)
        canvas.setStrokeColor(RULE_GREY)
        canvas.setLineWidth(0.6)
        canvas.line(left, top, right, top)
        canvas.setFillColor(colors.black)
        canvas.setFont(self.styles.bold, size + 0.5)
        canvas.drawString(left, top - size - 2, self.lines[0])
        canvas.setFillColor(RULE_GREY)
        canvas.setFont(self.styles.italic, size)
        canvas.drawString(left, top - 2 * size - 4, self.lines[1])
        canvas.drawRightString(right, top - 2 * size - 4, self.profile)
        canvas.setFont(self.styles.regular, size)
        canvas.drawString(left, top - 3 * size - 6, self.lines[2])
        canvas.setFont(self.styles.bold, size + 0.5)
        canvas.drawRightString(right, top - size - 2, self.page_text.format(page=page, pages=pages))
        canvas.restoreState()


def marked_canvas(marks: PageMarks):
    """A canvas class that draws the page marks once the page count is known ("Trang 1/2")."""

    class MarkedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict] = []

        def showPage(self):
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved_pages)
            for number, state in enumerate(self._saved_pages, start=1):
                self.__dict__.update(state)
                marks.draw(self, number, total)
                super().showPage()
            super().save()

    return MarkedCanvas


# --- the document --------------------------------------------------------------------------------------


def keywords(signed: SignedPage) -> str:
    return " ".join([f"{KEYWORD_PREFIX}document:{signed.document_id}",
                     f"{KEYWORD_PREFIX}xml-sha256:{signed.xml_sha256}",
                     f"{KEYWORD_PREFIX}profile:{signed.profile_id}/{signed.profile_version}"])


def pdf_keywords(pdf: bytes, name: str = "") -> dict[str, str]:
    """The hocba entries of a PDF's /Keywords (see :func:`keywords`), e.g. {"xml-sha256": "…"}.
    Empty for a PDF without them; :class:`RenderError` for bytes that are not a readable PDF."""
    from connector.render.pades import inspect_pdf

    return inspect_pdf(pdf, name).keywords


def parse_keywords(value: str) -> dict[str, str]:
    out = {}
    for word in value.split():
        if word.startswith(KEYWORD_PREFIX) and ":" in word:
            key, _, val = word[len(KEYWORD_PREFIX):].partition(":")
            out[key] = val
    return out


def render_pdf(signed: SignedPage, field_names: list[str]) -> bytes:
    """The PDF of one page: the layout, the footer on every page, and an empty invisible signature field
    for each name in ``field_names`` (the roles, in signing order)."""
    record: StudentYear = signed.record
    if not isinstance(record.danh_gia, PrimaryAssessment | SecondaryAssessment):
        raise RenderError("render_framework_not_supported", framework=record.framework)
    spec = layout()
    family = fonts.register(fonts.find_family(spec["fonts"]))
    styles = Styles(spec["page"], family)
    margins = spec["page"]["margin_mm"]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=margins["left"] * mm, rightMargin=margins["right"] * mm,
        topMargin=margins["top"] * mm, bottomMargin=margins["bottom"] * mm,
        # no personal data in the document information: file managers and indexers show it
        title=f"Học bạ — {signed.document_id}", subject=spec["label"]["vi"], author="hocba",
        creator=f"hocba {__version__}", keywords=keywords(signed), lang="vi-VN", invariant=1,
        initialFontName=family.face(), initialFontSize=spec["page"]["font_size"],
    )
    story = Page(signed, spec, styles, doc.width).story()
    doc.build(story, canvasmaker=marked_canvas(PageMarks(signed, spec, styles, margins)))
    return add_signature_fields(buffer.getvalue(), field_names)


def add_signature_fields(pdf: bytes, names: list[str]) -> bytes:
    """Empty, invisible signature fields, created before anyone signs: the first signer certifies the
    document (DocMDP "fill forms"), after which only pre-existing fields may be signed (brief 05 §8)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    class ReproducibleWriter(IncrementalPdfFileWriter):
        """Leaves the document information as ReportLab wrote it (pyHanko would stamp /ModDate with the
        current time): the same XML always gives the same PDF bytes, so anyone can re-render a signed
        XML and compare it with the unsigned revision of its PDF."""

        def _update_meta(self):
            pass

    writer = ReproducibleWriter(io.BytesIO(pdf))
    # pyHanko gives each revision a random second /ID; derive it from the content instead (same reason)
    first_id = writer._document_id[0]
    writer._document_id = generic.ArrayObject([first_id, generic.ByteStringObject(hashlib.sha256(pdf).digest()[:16])])
    for name in names:
        append_signature_field(writer, SigFieldSpec(sig_field_name=name))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

