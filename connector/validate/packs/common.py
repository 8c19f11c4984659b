"""Small helpers shared by the built-in rule packs: message labels, blanks, code-list membership."""

from __future__ import annotations

from functools import cache
from typing import Any

from connector import catalogue
from connector.validate.rules import Label


@cache
def _labels() -> dict:
    return catalogue.load_data("rule_labels.toml")


@cache  # the same few names are asked for over and over
def label(section: str, key: str, **fmt: Any) -> Label:
    """A name from ``data/rule_labels.toml`` in both languages, with ``{fields}`` filled (a field may
    itself be a :class:`Label`: each language takes its own text)."""
    entry = _labels()[section][str(key)]

    def render(lang: str) -> str:
        return entry[lang].format(**{k: v.text(lang) if isinstance(v, Label) else v for k, v in fmt.items()})

    return Label(render("vi"), render("en"))


def code_label(list_name: str, code: str | None, none: Label | None = None) -> Label | str:
    """A code's label ("HSG" → "Học sinh Giỏi"); an unknown code as found."""
    if code is None:
        return none or "∅"
    entry = catalogue.code_list(list_name).codes.get(code)
    return Label(entry.vi, entry.en) if entry else code


def joined(labels: list[Label]) -> Label:
    return Label("; ".join(x.vi for x in labels), "; ".join(x.en for x in labels))


def yes_no(value: bool | None) -> Label:
    return label("yes_no", "none" if value is None else int(value))


def blank(value: Any) -> bool:
    """Missing as a school system writes it: None or empty text (never a code, never a value)."""
    return value is None or (isinstance(value, str) and not value.strip())


def present(value: Any) -> list:
    """The non-blank values of a field, whether it holds one value or a list."""
    if value is None:
        return []
    if isinstance(value, list):
        return [v for v in value if not blank(v)]
    return [] if blank(value) else [value]


@cache
def codes(list_name: str) -> tuple[str, ...]:
    """The codes of a list, in the list's own order (T, H, C), for membership and for messages."""
    return tuple(catalogue.code_list(list_name).codes)


def is_code(value: str | None, list_name: str) -> bool:
    return value in codes(list_name)


def stored_code(value: str | None, list_name: str) -> tuple[bool, str | None]:
    """(comparable, value) for a stored result: a blank reads as None (compared, reported missing);
    a value outside its code list is GEN-2's finding, so comparisons skip it (never reported twice)."""
    if blank(value):
        return True, None
    return is_code(value, list_name), value
