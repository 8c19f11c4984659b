"""TT27/TT22 item labels as exports write them ("Tiếng Việt", "TH-CN (Tin học)", "Thẩm mỹ") to hocba keys."""

from __future__ import annotations

from functools import cache, lru_cache

from connector import catalogue

from hocba_csv.spec import csdl_spec, header_key

KIND_LIST = {"mon": "tt27_muc_dat_mon", "pham_chat": "tt27_muc_dat_pc_nl", "nang_luc": "tt27_muc_dat_pc_nl"}
KIND_CATALOGUE = {"pham_chat": "quality", "nang_luc": "competence"}


@cache
def rating_index(kind: str) -> dict[str, str]:
    """Folded label -> key of the qualities or competences, with the template's extra spellings."""
    entries = catalogue.ratings(KIND_CATALOGUE[kind])
    index = {header_key(r.key): r.key for r in entries.values()}
    index.update({header_key(r.vi): r.key for r in entries.values()})
    index.update({header_key(label): key for label, key in csdl_spec()["aliases"].items() if key in entries})
    return index


@cache
def extra_subject_spellings() -> dict[str, str]:
    subjects = catalogue.subjects("primary")
    return {header_key(label): key for label, key in csdl_spec()["aliases"].items() if key in subjects}


@lru_cache(maxsize=4096)
def subject_key(level: str, label: str) -> str | None:
    return catalogue.subject_key(level, label)


@lru_cache(maxsize=4096)
def item_key(kind: str, label: str) -> str | None:
    """The hocba key of a TT27 subject, quality or competence label, or None if unknown."""
    if kind == "mon":
        return subject_key("primary", label) or extra_subject_spellings().get(header_key(label))
    return rating_index(kind).get(header_key(label))
