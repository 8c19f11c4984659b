"""Code lists, subjects and the framework roadmap, loaded once from ``connector/data/*.toml``.

Everything here is data; the functions only look things up. A later circular or the official
ministry code lists change the TOML files, not this module.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from connector.text import fold


def load_data(name: str) -> dict:
    return tomllib.loads(resources.files("connector.data").joinpath(name).read_text("utf-8"))


# --- code lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Code:
    code: str
    vi: str
    en: str


@dataclass(frozen=True)
class CodeList:
    name: str
    field: str
    codes: dict[str, Code]
    by_alias: dict[str, str]

    def normalise(self, value: str) -> str:
        """Return the code for a spelling seen in an export, or the value unchanged if unknown."""
        if value in self.codes:
            return value
        return self.by_alias.get(fold(value), value)

    def label(self, code: str, lang: str = "vi") -> str:
        entry = self.codes.get(code)
        return getattr(entry, lang) if entry else code


@cache
def code_lists() -> dict[str, CodeList]:
    lists = {}
    for name, spec in load_data("codes.toml")["lists"].items():
        codes = {c["code"]: Code(c["code"], c["vi"], c["en"]) for c in spec["codes"]}
        by_alias: dict[str, str] = {}
        for c in spec["codes"]:
            for spelling in (c["code"], c["vi"], *c.get("aliases", ())):
                by_alias.setdefault(fold(spelling), c["code"])
        lists[name] = CodeList(name, spec["field"], codes, by_alias)
    return lists


def code_list(name: str) -> CodeList:
    return code_lists()[name]


# --- subjects ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    key: str
    level: str  # "primary" or "secondary"
    vi: str
    en: str
    periods: dict[int, int]
    aliases: tuple[str, ...] = ()
    mode: str = "level"  # primary: "level"; secondary: "score" or "comment"
    optional: frozenset[int] = frozenset()
    elective: frozenset[int] = frozenset()
    ktdk: frozenset[int] = frozenset()
    ktdk_giua: frozenset[int] = frozenset()
    ktdk_status: str = "secondary"

    def taught_in(self, grade: int) -> bool:
        return grade in self.periods

    def required_in(self, grade: int) -> bool:
        return self.taught_in(grade) and grade not in self.optional and grade not in self.elective

    def label(self, lang: str = "vi") -> str:
        return self.vi if lang == "vi" else self.en


@dataclass(frozen=True)
class Rated:
    """A TT27 quality or competence."""

    key: str
    kind: str  # "quality" or "competence"
    vi: str
    en: str
    grades: frozenset[int] = field(default_factory=lambda: frozenset(range(1, 6)))
    group: str | None = None

    def label(self, lang: str = "vi") -> str:
        return self.vi if lang == "vi" else self.en


@cache
def _subjects_data() -> dict:
    return load_data("subjects.toml")


def _subject(key: str, level: str, spec: dict) -> Subject:
    return Subject(
        key=key,
        level=level,
        vi=spec["vi"],
        en=spec["en"],
        periods={int(g): int(p) for g, p in spec["periods"].items()},
        aliases=tuple(spec.get("aliases", ())),
        mode=spec.get("mode", "level"),
        optional=frozenset(spec.get("optional", ())),
        elective=frozenset(spec.get("elective", ())),
        ktdk=frozenset(spec.get("ktdk", ())),
        ktdk_giua=frozenset(spec.get("ktdk_giua", ())),
        ktdk_status=spec.get("ktdk_status", "secondary"),
    )


@cache
def subjects(level: str) -> dict[str, Subject]:
    """Subjects of ``"primary"`` (TT27) or ``"secondary"`` (TT22), keyed by hocba subject key."""
    return {k: _subject(k, level, v) for k, v in _subjects_data()[level].items()}


@cache
def ratings(kind: str) -> dict[str, Rated]:
    """TT27 ``"quality"`` (phẩm chất) or ``"competence"`` (năng lực) entries."""
    table = "qualities" if kind == "quality" else "competences"
    out = {}
    for key, spec in _subjects_data()[table].items():
        grades = frozenset(spec.get("grades", range(1, 6)))
        out[key] = Rated(key, kind, spec["vi"], spec["en"], grades, spec.get("group"))
    return out


def subjects_for(level: str, grade: int) -> list[Subject]:
    return [s for s in subjects(level).values() if s.taught_in(grade)]


@cache
def _subject_alias_index(level: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for s in subjects(level).values():
        for spelling in (s.key, s.vi, *s.aliases):
            index.setdefault(fold(spelling), s.key)
    return index


def subject_key(level: str, label: str) -> str | None:
    """Map a subject name as written in an export ("Tiếng  Anh", "TOÁN") to its key."""
    return _subject_alias_index(level).get(fold(label).replace("_", " ")) or (
        label if label in subjects(level) else None
    )


@cache
def _rating_alias_index() -> dict[str, str]:
    index = {}
    for kind in ("quality", "competence"):
        for r in ratings(kind).values():
            for spelling in (r.key, r.vi):
                index.setdefault(fold(spelling), r.key)
    return index


def rating_key(label: str) -> str | None:
    return _rating_alias_index().get(fold(label)) or (label if label in {**ratings("quality"), **ratings("competence")} else None)


def regular_assessments(mode: str, periods_per_year: int) -> int:
    """TT22-2: how many ĐĐGtx a semester needs for a subject with this many periods per year."""
    table = _subjects_data()["tt22_regular_assessments"]
    if mode == "comment":
        return int(table["comment"])
    for step in table["score"]:
        if periods_per_year <= step["max_periods"]:
            return int(step["count"])
    raise ValueError(periods_per_year)


# --- frameworks (FRAME-1) -------------------------------------------------------------------------


def level_group(grade: int) -> str:
    """ID-3: grade 1–5 → "02", 6–9 → "03", 10–12 → "04"."""
    return "02" if grade <= 5 else "03" if grade <= 9 else "04"


def framework_for(grade: int, nam_hoc: str) -> str:
    """FRAME-1: "TT27", "TT22" or "LEGACY" for a grade in a school year "YYYY-YYYY"."""
    start = int(nam_hoc[:4])
    name = "TT27" if grade <= 5 else "TT22"
    first = _subjects_data()["frameworks"][name]["first_start_year"][str(grade)]
    return name if start >= first else "LEGACY"
