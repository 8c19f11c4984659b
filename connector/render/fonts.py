"""The embedded font of the rendering: a TrueType family with full Vietnamese coverage.

PDF's standard 14 fonts have no Vietnamese glyphs (ệ, ữ, ơ …), and a font that is not embedded prints
differently on every machine. ReportLab embeds a subset of each TrueType font it uses (with a ToUnicode map,
so the text layer stays searchable and copyable). Which family: the first one of ``render.toml [[fonts]]``
whose four files exist on this machine (Debian: fonts-liberation2, fonts-dejavu-core; see
scripts/system-packages.txt).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from connector.errors import ConfigError

STYLES = ("regular", "bold", "italic", "bold_italic")
FAMILY = "HocbaSerif"  # the name ReportLab knows the chosen family by
#: Characters every candidate must have (a font without them would print boxes).
VIETNAMESE_SAMPLE = ("ĂăÂâĐđÊêÔôƠơƯưẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệ"
                     "ỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ")


@dataclass(frozen=True)
class FontFamily:
    name: str  # e.g. "Liberation Serif"
    files: dict[str, Path]  # style -> file

    def face(self, style: str = "regular") -> str:
        """The ReportLab font name of one style."""
        return FAMILY if style == "regular" else f"{FAMILY}-{style}"


def find_family(candidates: list[dict]) -> FontFamily:
    """The first candidate with all four styles present (each style lists alternative paths)."""
    for spec in candidates:
        files = {}
        for style in STYLES:
            found = next((Path(p) for p in spec[style] if Path(p).is_file()), None)
            if found is None:
                break
            files[style] = found
        else:
            return FontFamily(spec["name"], files)
    raise ConfigError("render_font_missing", fonts=", ".join(c["name"] for c in candidates))


_registered: dict[str, FontFamily] = {}


def register(family: FontFamily) -> FontFamily:
    """Register the family with ReportLab once per process (bold/italic markup maps to its styles)."""
    if FAMILY in _registered:
        return _registered[FAMILY]
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for style in STYLES:
        font = TTFont(family.face(style), str(family.files[style]))
        missing = [c for c in VIETNAMESE_SAMPLE if ord(c) not in font.face.charToGlyph]
        if missing:
            raise ConfigError("render_font_no_vietnamese", font=str(family.files[style]), count=len(missing))
        pdfmetrics.registerFont(font)
    for (bold, italic), style in {(0, 0): "regular", (1, 0): "bold", (0, 1): "italic", (1, 1): "bold_italic"}.items():
        addMapping(FAMILY, bold, italic, family.face(style))
    _registered[FAMILY] = family
    return family
