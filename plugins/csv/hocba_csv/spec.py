"""Column specifications (``columns.toml``, ``csdl_tt27.toml``) and header matching.

Headers are matched by :func:`header_key`: the text folded like every label in hocba
(:func:`connector.text.fold`) and stripped of everything but letters and digits, so line breaks,
NFD, case, punctuation and "(*)" markers in real exports do not matter. Never by position.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from importlib import resources

from connector.text import fold

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=16384)  # the same labels ("HK1", "Toán", "Đ") repeat on every row
def header_key(text: str) -> str:
    return _NOT_ALNUM.sub("", fold(text))


def load_toml(name: str) -> dict:
    return tomllib.loads(resources.files("hocba_csv").joinpath(name).read_text("utf-8"))


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    type: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    config: str | None = None
    numbered: bool = False
    frameworks: frozenset[str] = frozenset()
    personal_id: bool = False

    def header_keys(self) -> list[str]:
        return [header_key(h) for h in (self.header, *self.aliases)]

    def numbered_header(self, n: int) -> str:
        return self.header.replace("{n}", str(n))

    @cached_property
    def pattern(self) -> re.Pattern:
        """For numbered columns: the header keys with the running number captured."""
        keys = [header_key(h.replace("{n}", "NUMBER")) for h in (self.header, *self.aliases)]
        return re.compile("^(?:" + "|".join(k.replace("number", r"(\d+)") for k in keys) + ")$")


@dataclass(frozen=True)
class Table:
    name: str
    vi: str
    names: tuple[str, ...]
    columns: tuple[Column, ...]
    required_fields: frozenset[str] = frozenset()
    _index: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)

    def match(self, header: str) -> tuple[Column, int | None] | None:
        """The column a header means (and its running number for numbered columns)."""
        key = header_key(header)
        if not key:
            return None
        if key in self._index:
            return self._index[key], None
        for col in self.columns:
            if col.numbered:
                m = col.pattern.match(key)
                if m:
                    number = next(g for g in m.groups() if g is not None)
                    return col, int(number)
        return None

    def is_required(self, col: Column, config: dict) -> bool:
        """A required column can be left out when the setting it names supplies the value."""
        return (col.required or col.field in self.required_fields) and not (col.config and config.get(col.config))


def _column(spec: dict) -> Column:
    return Column(
        field=spec["field"],
        header=spec["header"],
        type=spec["type"],
        aliases=tuple(spec.get("aliases", ())),
        required=bool(spec.get("required", False)),
        config=spec.get("config"),
        numbered=bool(spec.get("numbered", False)),
        frameworks=frozenset(spec.get("framework", ())),
        personal_id=bool(spec.get("personal_id", False)),
    )


@cache
def tables() -> dict[str, Table]:
    data = load_toml("columns.toml")
    groups = {name: [_column(c) for c in cols] for name, cols in data["groups"].items()}
    out = {}
    for name, spec in data["tables"].items():
        columns = [c for g in spec.get("groups", ()) for c in groups[g]]
        columns += [_column(c) for c in spec["columns"]]
        columns += [c for g in spec.get("tail_groups", ()) for c in groups[g]]
        table = Table(name, spec["vi"], tuple(header_key(n) for n in (name, *spec["names"])), tuple(columns),
                      frozenset(spec.get("required_fields", ())))
        for col in columns:
            if not col.numbered:
                for key in col.header_keys():
                    if table._index.setdefault(key, col) is not col:
                        raise ValueError(f"columns.toml: header {key!r} is used twice in table {name}")
        out[name] = table
    return out


def table_for_name(stem: str) -> Table | None:
    """The table a file name (without extension) or a sheet name stands for."""
    key = header_key(stem)
    return next((t for t in tables().values() if key in t.names), None)


@cache
def vocab() -> dict[str, dict[str, str]]:
    """Folded spelling -> value for the period, semester, framework, kind and bool types."""
    out: dict[str, dict[str, str]] = {}
    for name, entries in load_toml("columns.toml")["vocab"].items():
        out[name] = {header_key(spelling): value for value, spellings in entries.items()
                     for spelling in (value, *spellings)}
    return out


@cache
def export_words() -> dict:
    return load_toml("columns.toml")["export"]


@cache
def csdl_spec() -> dict:
    return load_toml("csdl_tt27.toml")
