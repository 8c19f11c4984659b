"""The declarative vendor mapping of the SQL-source layer: one TOML file per vendor schema version.

It names the vendor's tables and columns under stable *logical* names (the canonical field names where
one exists), the keys, the change-time and soft-delete columns, how the tables join into one row per
student-year (the root) and which tables hold many rows per student-year (children), and the value
lookups. Adapting hocba to a real vendor schema version is a change of this file; the Python assembler
named in ``[schema]`` (the escape hatch) only ever sees logical names. Format: docs/sql-sources.md.
"""

from __future__ import annotations

import importlib
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Column, MetaData, Table, and_, bindparam, or_, select, true
from sqlalchemy.sql import ColumnElement, Select

from connector.normalise import NORMALISERS


class MappingError(ValueError):
    """The mapping file itself is wrong (a developer's mistake, reported with the file and the place)."""


@dataclass(frozen=True)
class ColumnSpec:
    logical: str
    vendor: str
    lookup: str | None = None
    normalise: str | None = None


@dataclass(frozen=True)
class TableSpec:
    logical: str
    name: str
    schema: str | None
    columns: dict[str, ColumnSpec]
    key: str | None = None
    changed: str | None = None
    deleted: str | None = None
    deleted_when: Any = True  # the value of ``deleted`` that means "soft-deleted" (1 = True for TINYINT/BIT)


@dataclass(frozen=True)
class Join:
    table: str  # logical table joined in
    left: tuple[str, str]  # (logical table, logical column) already in the query
    right: tuple[str, str]  # (table, column) of the joined table
    outer: bool = False


@dataclass(frozen=True)
class ChildSpec:
    name: str
    table: str
    parent: str  # logical column of ``table`` holding the root key
    order: tuple[str, ...]
    joins: tuple[Join, ...] = ()
    #: ("table", "column") the assembler reads; None = every mapped column of the table and its joins.
    read: tuple[tuple[str, str], ...] | None = None


@dataclass
class Mapping:
    """A loaded mapping file. SQLAlchemy ``Table`` objects mirror the vendor tables with logical keys
    (``tables["student"].c.ho_ten`` is the vendor's column, whatever it is called)."""

    id: str
    label: str
    path: Path
    specs: dict[str, TableSpec]
    root: str
    school: tuple[str, str]
    identity: tuple[tuple[str, str], ...]
    joins: tuple[Join, ...]
    children: dict[str, ChildSpec]
    discover: dict[str, tuple[str, str]]
    lookups: dict[str, dict[str, Any]]
    options: dict[str, Any]
    assembler_ref: str
    record_key_ref: str
    metadata: MetaData = field(default_factory=MetaData)

    # --- loading ----------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> "Mapping":
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text("utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise MappingError(f"{path.name}: cannot read the mapping ({exc})") from None
        return _parse(path, data)

    # --- SQLAlchemy objects ------------------------------------------------------------------------

    @cached_property
    def tables(self) -> dict[str, Table]:
        return {name: Table(spec.name, self.metadata,
                            *[Column(c.vendor, key=c.logical) for c in spec.columns.values()],
                            schema=spec.schema)
                for name, spec in self.specs.items()}

    def col(self, ref: tuple[str, str]):
        return self.tables[ref[0]].c[ref[1]]

    @property
    def root_spec(self) -> TableSpec:
        return self.specs[self.root]

    @property
    def root_key(self):
        return self.tables[self.root].c[self.root_spec.key]

    def inner_tables(self) -> list[str]:
        return [self.root] + [j.table for j in self.joins if not j.outer]

    def root_from(self, *, outer: bool = True):
        """FROM clause of the root: the root table and its joins (outer joins leave out soft-deleted rows)."""
        clause = self.tables[self.root]
        for j in self.joins:
            if j.outer and not outer:
                continue
            on = self.col(j.left) == self.col(j.right)
            if j.outer and self.specs[j.table].deleted:
                on = and_(on, self.not_deleted(j.table))
            clause = clause.join(self.tables[j.table], on, isouter=j.outer)
        return clause

    @property
    def school_link(self) -> tuple[tuple[str, str], tuple[str, str]] | None:
        """(root-side column, school-side column) of the join that brings in the school table. The root
        is then filtered on the root-side column (an index range in key order, no sort) after the school
        code is resolved on its own table."""
        table = self.school[0]
        for j in self.joins:
            if j.right[0] == table and j.left[0] == self.root:
                return j.left, j.right
        return None

    def not_deleted(self, table: str) -> ColumnElement:
        spec = self.specs[table]
        if not spec.deleted:
            return true()
        column = self.tables[table].c[spec.deleted]
        return or_(column.is_(None), column != bindparam(None, spec.deleted_when))

    def is_deleted(self, table: str, value: Any) -> bool:
        """The Python side of :meth:`not_deleted`, for a value read from the table's ``deleted`` column."""
        if value is None:
            return False
        if isinstance(value, bytes):  # a BIT column through some drivers
            value = int.from_bytes(value, "big")
        return value == self.specs[table].deleted_when

    def root_columns(self) -> list[tuple[str, Any]]:
        """("table.column", column) the root query reads: every mapped column of the root and its joins,
        in a fixed order, except change times (used in WHERE only) and the deleted flags of outer joins
        (filtered in their ON clause)."""
        inner = set(self.inner_tables())
        out = []
        for t in [self.root] + [j.table for j in self.joins]:
            skip = {self.specs[t].changed} | (set() if t in inner else {self.specs[t].deleted})
            out += [(f"{t}.{c}", self.tables[t].c[c]) for c in self.specs[t].columns if c not in skip]
        return out

    def child_columns(self, child: ChildSpec) -> list[tuple[str, Any]]:
        """What a child query reads: the columns its ``read`` list names (default: its mapped columns and
        its joins'), always the parent column (rows are grouped by it), never change times and deleted
        flags (both only filter)."""
        wanted = None if child.read is None else {*child.read, (child.table, child.parent)}
        out = []
        for t in [child.table] + [j.table for j in child.joins]:
            skip = {self.specs[t].changed, self.specs[t].deleted}
            out += [(f"{t}.{c}", self.tables[t].c[c]) for c in self.specs[t].columns
                    if c not in skip and (wanted is None or (t, c) in wanted)]
        return out

    def child_from(self, child: ChildSpec):
        clause = self.tables[child.table]
        for j in child.joins:
            clause = clause.join(self.tables[j.table], self.col(j.left) == self.col(j.right), isouter=j.outer)
        return clause

    def changed_since(self, since) -> ColumnElement:
        """A root row whose student-year changed at or after ``since`` (any table that feeds it)."""
        conditions = [self.tables[t].c[self.specs[t].changed] >= since
                      for t in self.inner_tables() if self.specs[t].changed]
        for j in self.joins:
            if j.outer and self.specs[j.table].changed:
                changed = self.tables[j.table].c[self.specs[j.table].changed]
                conditions.append(self.col(j.left).in_(select(self.col(j.right)).where(changed >= since)))
        for child in self.children.values():
            parent = self.tables[child.table].c[child.parent]
            own = self.specs[child.table].changed
            if own:
                conditions.append(self.root_key.in_(
                    select(parent).where(self.tables[child.table].c[own] >= since)))
            for j in child.joins:  # e.g. a renamed subject changes every record that uses it
                jc = self.specs[j.table].changed
                if jc:
                    conditions.append(self.root_key.in_(
                        select(parent).select_from(self.child_from(child))
                        .where(self.tables[j.table].c[jc] >= since)))
        return or_(*conditions) if conditions else true()

    def changed_columns(self) -> Iterator[Any]:
        for name, spec in self.specs.items():
            if spec.changed:
                yield self.tables[name].c[spec.changed]

    def school_list(self) -> Select:
        """Schools (code, name) from the table that holds the school code, soft-deleted ones left out."""
        table, column = self.school
        name = self.discover.get("school_name")
        cols = [self.col(self.school)] + ([self.col(name)] if name and name[0] == table else [])
        return select(*cols).where(self.not_deleted(table)).order_by(self.col(self.school))

    # --- declared columns (schema-version detection) ------------------------------------------------

    def required(self) -> Iterator[tuple[TableSpec, ColumnSpec]]:
        for spec in self.specs.values():
            for column in spec.columns.values():
                yield spec, column

    # --- value conversion ----------------------------------------------------------------------------

    def converter(self, column: ColumnSpec) -> Callable[[Any], Any] | None:
        steps: list[Callable[[Any], Any]] = []
        if column.lookup:
            steps.append(_lookup(self.lookups[column.lookup]))
        if column.normalise:
            steps.append(NORMALISERS[column.normalise])
        if not steps:
            return None
        if len(steps) == 1:
            return _memoised(steps[0])
        first, second = steps
        return _memoised(lambda value: second(first(value)))

    def vendor_name(self, logical: str) -> tuple[str, str | None]:
        """("hoc_sinh", "ngay_sinh") for "student.ngay_sinh" (what a Problem names)."""
        table, _, column = logical.partition(".")
        spec = self.specs.get(table)
        if spec is None:
            return table, column or None
        return spec.name, spec.columns[column].vendor if column in spec.columns else column or None

    def reverse_lookup(self, name: str, canonical: Any) -> str | None:
        """The first vendor value that maps to ``canonical`` (used by loaders that write the schema)."""
        for vendor, value in self.lookups[name].items():
            if value == canonical:
                return vendor
        return None

    # --- escape hatch ---------------------------------------------------------------------------------

    @cached_property
    def assembler(self) -> Callable:
        return _import(self.assembler_ref, self.path)

    @cached_property
    def record_key(self) -> Callable:
        return _import(self.record_key_ref, self.path)


def _lookup(table: dict[str, Any]) -> Callable[[Any], Any]:
    """Vendor value → canonical; a value the table does not know is kept as found (as text), so the
    validator reports it instead of hocba guessing."""

    def convert(value: Any) -> Any:
        if value is None:
            return None
        text = str(value)
        return table.get(text, text)

    return convert


#: Distinct values a converter remembers (a column of codes, years or scores holds few of them).
MEMO_MAX = 4096


def _memoised(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert`` remembering its result per raw text or integer: a column holds few distinct codes,
    years and scores, and each row would otherwise parse them again. Only ``str`` and ``int`` values are
    remembered, keyed by their exact type: other values could be equal without being the same (the
    Decimals 8.0 and 8, the integer 1 and True), and normalisers keep a value's exact form. A value that
    cannot be converted raises each time it is met."""
    seen: dict[type, dict[Any, Any]] = {str: {}, int: {}}

    def memo(value: Any) -> Any:
        known = seen.get(type(value))
        if known is None:
            return convert(value)
        try:
            return known[value]
        except KeyError:
            result = convert(value)
            if len(known) < MEMO_MAX:
                known[value] = result
            return result

    return memo


def _import(ref: str, path: Path) -> Callable:
    module, _, attr = ref.partition(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise MappingError(f"{path.name}: cannot import {ref} ({exc})") from None


# --- parsing ------------------------------------------------------------------------------------------


def _ref(text: str, where: str, path: Path) -> tuple[str, str]:
    table, dot, column = str(text).partition(".")
    if not dot or not table or not column:
        raise MappingError(f"{path.name}: {where}: expected \"table.column\", got {text!r}")
    return table, column


def _column(logical: str, raw: Any, where: str, path: Path) -> ColumnSpec:
    if isinstance(raw, str):
        return ColumnSpec(logical, raw)
    if isinstance(raw, dict) and isinstance(raw.get("column"), str):
        extra = set(raw) - {"column", "lookup", "normalise"}
        if extra:
            raise MappingError(f"{path.name}: {where}.{logical}: unknown keys {sorted(extra)}")
        if raw.get("normalise") and raw["normalise"] not in NORMALISERS:
            raise MappingError(f"{path.name}: {where}.{logical}: unknown normaliser {raw['normalise']!r}"
                               f" (known: {', '.join(NORMALISERS)})")
        return ColumnSpec(logical, raw["column"], raw.get("lookup"), raw.get("normalise"))
    raise MappingError(f"{path.name}: {where}.{logical}: a column is \"vendor_name\" or "
                       "{ column = \"vendor_name\", lookup = …, normalise = … }")


def _joins(raw: list, where: str, path: Path) -> tuple[Join, ...]:
    out = []
    for i, j in enumerate(raw or []):
        on = j.get("on")
        if not isinstance(on, list) or len(on) != 2:
            raise MappingError(f"{path.name}: {where}[{i}]: on = [\"left.column\", \"right.column\"]")
        out.append(Join(j["table"], _ref(on[0], where, path), _ref(on[1], where, path), bool(j.get("outer"))))
    return tuple(out)


def _parse(path: Path, data: dict) -> Mapping:
    schema = data.get("schema", {})
    for needed in ("id", "assembler", "record_key"):
        if not schema.get(needed):
            raise MappingError(f"{path.name}: [schema] needs {needed} = …")
    db_schema = schema.get("db_schema") or None
    specs: dict[str, TableSpec] = {}
    for logical, raw in data.get("tables", {}).items():
        where = f"[tables.{logical}]"
        columns = {name: _column(name, c, where + ".columns", path) for name, c in raw.get("columns", {}).items()}
        for role in ("key", "changed", "deleted"):
            if raw.get(role) and raw[role] not in columns:
                raise MappingError(f"{path.name}: {where}: {role} = {raw[role]!r} is not among its columns")
        specs[logical] = TableSpec(logical, raw["table"], raw.get("schema", db_schema), columns,
                                   raw.get("key"), raw.get("changed"), raw.get("deleted"),
                                   raw.get("deleted_when", True))
    root = data.get("root", {})
    children = {
        name: ChildSpec(name, c["table"], c["parent"], tuple(c.get("order", ())),
                        _joins(c.get("joins"), f"[children.{name}].joins", path),
                        None if c.get("read") is None else
                        tuple(_ref(r, f"[children.{name}].read", path) for r in c["read"]))
        for name, c in data.get("children", {}).items()
    }
    mapping = Mapping(
        id=schema["id"],
        label=schema.get("label", ""),
        path=path,
        specs=specs,
        root=root.get("table", ""),
        school=_ref(root.get("school", ""), "[root].school", path),
        identity=tuple(_ref(r, "[root].identity", path) for r in root.get("identity", [])),
        joins=_joins(root.get("joins"), "[root].joins", path),
        children=children,
        discover={k: _ref(v, f"[discover].{k}", path) for k, v in data.get("discover", {}).items()},
        lookups={name: {str(k): v for k, v in table.items()} for name, table in data.get("lookups", {}).items()},
        options=data.get("options", {}),
        assembler_ref=schema["assembler"],
        record_key_ref=schema["record_key"],
    )
    _check_references(mapping)
    return mapping


def _check_references(m: Mapping) -> None:
    """Every table, column and lookup a mapping names exists in it: a typo fails at load time."""
    name = m.path.name

    def need(ref: tuple[str, str], where: str) -> None:
        table, column = ref
        if table not in m.specs or column not in m.specs[table].columns:
            raise MappingError(f"{name}: {where}: {table}.{column} is not a mapped column")

    if m.root not in m.specs or not m.root_spec.key:
        raise MappingError(f"{name}: [root].table must be a mapped table with a key")
    need(m.school, "[root].school")
    for ref in m.identity:
        need(ref, "[root].identity")
    for j in m.joins:
        need(j.left, "[root].joins")
        need(j.right, "[root].joins")
    for child in m.children.values():
        need((child.table, child.parent), f"[children.{child.name}].parent")
        for o in child.order:
            need((child.table, o), f"[children.{child.name}].order")
        for j in child.joins:
            need(j.left, f"[children.{child.name}].joins")
            need(j.right, f"[children.{child.name}].joins")
        for ref in child.read or ():
            need(ref, f"[children.{child.name}].read")
            if ref[0] not in {child.table, *(j.table for j in child.joins)}:
                raise MappingError(f"{name}: [children.{child.name}].read: {ref[0]}.{ref[1]} is not a column of "
                                   f"{child.table} or a table it joins")
    for key, ref in m.discover.items():
        need(ref, f"[discover].{key}")
    for spec in m.specs.values():
        for column in spec.columns.values():
            if column.lookup and column.lookup not in m.lookups:
                raise MappingError(f"{name}: [tables.{spec.logical}].{column.logical}: no [lookups.{column.lookup}]")
