"""Which text encoding a CSV file uses.

Order: a byte-order mark; the ``encoding`` setting; UTF-8 (checked over the whole file, and accepted
with a few broken bytes, which then become row problems); UTF-16 without a mark; else the legacy
Vietnamese encodings (Windows-1258, TCVN3/ABC) and charset-normalizer's guess, each decoded and scored
by the share of its words that are Vietnamese syllables. VNI is a font encoding with two bytes per letter and is
not supported: such a file fails the score and the user is told to save it as UTF-8.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from hocba_csv.spec import load_toml

TCVN3 = "hocba-tcvn3"
SAMPLE_BYTES = 256 * 1024
CHUNK = 1 << 20
MIN_PLAUSIBLE = 0.75  # share of words with non-ASCII letters that must be Vietnamese syllables
ALIASES = {"tcvn3": TCVN3, "tcvn": TCVN3, "abc": TCVN3, "tcvn5712": TCVN3, "vn3": TCVN3,
           "windows1258": "cp1258", "utf8bom": "utf-8-sig"}
UNSUPPORTED = {"vni", "vniwindows", "vni-windows"}
MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b")


class EncodingProblem(Exception):
    """The file cannot be read as text: ``key`` is the message key."""

    def __init__(self, key: str, **fields: object):
        super().__init__(key)
        self.key, self.fields = key, fields


@dataclass(frozen=True)
class Detected:
    encoding: str
    # Bytes the encoding cannot decode (a damaged file, a truncated UTF-16 file) become U+FFFD and
    # the rows holding them are reported: never an exception half-way through a file.
    errors: str = "replace"

    @property
    def label(self) -> str:
        return "TCVN3" if self.encoding == TCVN3 else self.encoding


# --- TCVN3 as a Python codec -------------------------------------------------------------------------


@cache
def _tcvn3_table() -> str:
    upper = load_toml("tcvn3.toml")["decode"]
    return "".join(chr(i) for i in range(128)) + "".join(upper[f"0x{b:02X}"] for b in range(0x80, 0x100))


def _search(name: str):
    if name.replace("_", "-") != TCVN3:
        return None
    table = _tcvn3_table()
    encoding_table = codecs.charmap_build(table)

    def decode(data, errors="strict"):
        return codecs.charmap_decode(data, errors, table)

    def encode(text, errors="strict"):
        return codecs.charmap_encode(text, errors, encoding_table)

    class IncrementalDecoder(codecs.IncrementalDecoder):
        def decode(self, data, final=False):
            return codecs.charmap_decode(data, self.errors, table)[0]

    class IncrementalEncoder(codecs.IncrementalEncoder):
        def encode(self, text, final=False):
            return codecs.charmap_encode(text, self.errors, encoding_table)[0]

    class StreamReader(codecs.StreamReader):
        def decode(self, data, errors="strict"):
            return codecs.charmap_decode(data, errors, table)

    class StreamWriter(codecs.StreamWriter):
        def encode(self, text, errors="strict"):
            return codecs.charmap_encode(text, errors, encoding_table)

    return codecs.CodecInfo(name=TCVN3, encode=encode, decode=decode,
                            incrementalencoder=IncrementalEncoder, incrementaldecoder=IncrementalDecoder,
                            streamreader=StreamReader, streamwriter=StreamWriter)


codecs.register(_search)

_WORD = re.compile(r"\w+")


def fix_tcvn3_case(text: str) -> str:
    """ABC fonts write upper-case toned letters with a separate capital font using the lower-case
    codes, so "NGUYỄN" decodes as "NGUYễN". A word whose plain letters are all capitals (at least
    two of them) is upper-cased. A capital word without two plain letters ("ĐỖ") cannot be told
    apart and stays as decoded (docs/csv-format.md)."""
    def fix(m: re.Match) -> str:
        word = m.group(0)
        plain = [c for c in word if c.isascii() and c.isalpha()]
        if len(plain) >= 2 and all(c.isupper() for c in plain) and not word.isupper():
            return word.upper()
        return word

    return _WORD.sub(fix, text) if not text.isascii() else text


# --- detection --------------------------------------------------------------------------------------


TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
INITIALS = "b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x".split()
NUCLEI = ("a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ôô ua uâ uê ui uô uơ "
          "uy ưa ưi ươ ưu yê iêu oai oao oay oeo uây uôi ươi ươu uyê uya uyu yêu").split()
FINALS = "c ch m n ng nh p t".split()


def _alternatives(items: list[str]) -> str:
    return "|".join(sorted(items, key=len, reverse=True))


_SYLLABLE = re.compile(f"^(?:{_alternatives(INITIALS)})?(?:{_alternatives(NUCLEI)})(?:{_alternatives(FINALS)})?$")
_LETTERS = re.compile(r"[^\W\d_]{3,}")


def is_syllable(word: str) -> bool:
    """A Vietnamese syllable: initial consonant, vowel nucleus, final consonant, at most one tone."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(c in TONES for c in decomposed) > 1:
        return False
    toneless = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
    return bool(_SYLLABLE.match(toneless))


def plausibility(text: str) -> float:
    """Share of the words with non-ASCII letters (3+ letters) that are Vietnamese syllables: a wrong
    legacy decoding turns syllables into letter salad ("Nguyờịn", "Ng÷êi"). 1.0 when there are none."""
    words = [w for w in _LETTERS.findall(unicodedata.normalize("NFC", text)) if not w.isascii()]
    if not words:
        return 1.0
    return sum(is_syllable(w) for w in words) / len(words)


def resolve_name(name: str) -> str:
    """The Python codec for an ``encoding`` setting; unknown or unsupported names raise LookupError."""
    key = re.sub(r"[\s_]+", "", name.strip().lower())
    if key.replace("-", "") in {u.replace("-", "") for u in UNSUPPORTED}:
        raise LookupError(name)
    codec = ALIASES.get(key.replace("-", ""), name.strip())
    codecs.lookup(codec)
    return codec


def _bom(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _utf16_without_bom(head: bytes) -> str | None:
    even, odd = head[0::2], head[1::2]
    if len(head) >= 4 and odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if len(head) >= 4 and even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _looks_binary(head: bytes) -> bool:
    if head.startswith(MAGIC):
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls > max(2, 0.02 * len(head))


_LEAD_BYTES = bytes(range(0xC2, 0xF5))  # first bytes of multi-byte UTF-8 characters


def _utf8_damage(path: Path) -> tuple[int, int]:
    """(broken bytes, well-formed non-ASCII characters) over the whole file."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    broken = leads = 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            if chunk.isascii():
                continue
            broken += decoder.decode(chunk).count("\ufffd")
            leads += len(chunk) - len(chunk.translate(None, _LEAD_BYTES))
        broken += decoder.decode(b"", final=True).count("\ufffd")
    return broken, max(leads - broken, 0)


def _charset_normalizer_guess(head: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a dependency of hocba
        return None
    best = from_bytes(head[:65536]).best()
    return best.encoding if best else None


def detect(path: Path, configured: str | None = None) -> Detected:
    """The encoding to read ``path`` with, or EncodingProblem (empty, binary, undecidable)."""
    with path.open("rb") as f:
        head = f.read(SAMPLE_BYTES)
    if not head.strip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n"):
        raise EncodingProblem("csv_file_empty")
    if bom := _bom(head):
        return Detected(bom)
    if configured:
        return Detected(resolve_name(configured))
    if utf16 := _utf16_without_bom(head):
        return Detected(utf16)
    if _looks_binary(head):
        raise EncodingProblem("csv_file_binary")
    broken, good = _utf8_damage(path)
    if broken == 0:
        return Detected("utf-8")
    if good >= 20 * broken:
        return Detected("utf-8")  # a few damaged bytes: those rows are reported
    candidates = ["cp1258", TCVN3]
    guess = _charset_normalizer_guess(head)
    if guess and guess not in candidates and not guess.startswith("utf"):
        candidates.append(guess)
    scored = [(plausibility(head.decode(c, errors="replace")), c) for c in candidates]
    score, best = max(scored, key=lambda s: s[0])
    if score < MIN_PLAUSIBLE:
        raise EncodingProblem("csv_encoding_unknown")
    return Detected(best)
