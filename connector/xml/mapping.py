"""A data-driven writer: canonical model objects → XML elements, following a profile's mapping file.

The mapping (``schemas/<profile>/profile.toml``, format documented at its top) lists per model class, in
document order, which element or attribute each field becomes. It is compiled once into :class:`Item`
tuples; :meth:`Mapping.write` then walks a record in one pass with ``etree.SubElement`` (no
intermediate tree, no re-parse). A second profile with a similar shape is a new mapping file, not new code.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from lxml import etree
from pydantic import BaseModel

from connector.xml.profile import ProfileError

ONE_DECIMAL = -1  # exponent of a value with one fraction digit


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def score10(value: Decimal) -> str:
    """TT22 score with exactly one decimal: 8 → "8.0", 7.50 → "7.5". Never rounds: a value with more
    decimals keeps them and the XSD refuses it (the validator reports it first, TT22-1)."""
    text = str(value)  # the fast path reads the decimal's own text: "8", "8.5"
    dot = text.find(".")
    if "E" not in text and (dot == -1 or dot == len(text) - 2):
        return text + ".0" if dot == -1 else text
    value = value.normalize()  # "7.50", "1E+1"
    if value.as_tuple().exponent >= ONE_DECIMAL:
        return f"{value:.1f}"
    return str(value)


def whole(value: Decimal) -> str:
    """TT27 test score as a whole number: 9, 9.0 → "9". A fraction is kept and refused by the XSD."""
    if value == value.to_integral_value():
        return str(int(value))
    return str(value)


FORMATS: dict[str, Callable[[Any], str]] = {"score10": score10, "whole": whole}


def plain(value: Any) -> str:
    """Lexical form of a value by its Python type (bool before int: bool is an int)."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        raise ProfileError("xml_type_not_mapped", type=type(value).__name__)
    raise TypeError(f"no XML form for {type(value).__name__}: give the mapping item a format")


@dataclass(frozen=True)
class Item:
    """One compiled mapping entry. Exactly one of: a field as element, as attribute, or a group."""

    field: str | None
    tag: str | None  # qualified element name, "{namespace}Name"
    attribute: str | None = None
    key: str | None = None  # dicts: attribute holding the key
    order: tuple[str, ...] = ()  # dicts: key order
    fmt: Callable[[Any], str] = plain
    items: tuple["Item", ...] = ()  # groups


@dataclass(frozen=True)
class TypeMap:
    tag: str | None
    items: tuple[Item, ...]
    omit: frozenset[str]


class Mapping:
    """The compiled ``[types]`` of a profile mapping file."""

    def __init__(self, spec: dict, namespace: str):
        self.namespace = namespace
        orders = {name: tuple(keys) for name, keys in spec.get("orders", {}).items()}
        self.types: dict[str, TypeMap] = {
            name: TypeMap(
                tag=self.qname(t["element"]) if "element" in t else None,
                items=tuple(self._item(i, orders) for i in t["items"]),
                omit=frozenset(t.get("omit", ())),
            )
            for name, t in spec["types"].items()
        }

    def qname(self, name: str) -> str:
        return f"{{{self.namespace}}}{name}"

    def _item(self, raw: dict, orders: dict[str, tuple[str, ...]]) -> Item:
        if "items" in raw:
            return Item(None, self.qname(raw["element"]), items=tuple(self._item(i, orders) for i in raw["items"]))
        return Item(
            field=raw["field"],
            tag=self.qname(raw["element"]) if "element" in raw else None,
            attribute=raw.get("attribute"),
            key=raw.get("key"),
            order=orders[raw["order"]] if "order" in raw else (),
            fmt=FORMATS[raw["format"]] if "format" in raw else plain,
        )

    def mapped_fields(self, type_name: str) -> set[str]:
        """Fields a class's entry writes or deliberately omits (for the completeness test)."""
        t = self.types[type_name]

        def walk(items: tuple[Item, ...]) -> set[str]:
            out: set[str] = set()
            for i in items:
                out |= walk(i.items) if i.items else {i.field}
            return out

        return walk(t.items) | t.omit

    # --- writing ------------------------------------------------------------------------------------

    def write(self, parent: etree._Element, obj: BaseModel, items: tuple[Item, ...] | None = None) -> None:
        """Append ``obj``'s mapped fields to ``parent`` (attributes of ``obj`` go on ``parent``).

        One pass, one ``SubElement`` per value; dispatch on the value's exact type (cheap) rather than on
        isinstance checks against pydantic's metaclass (not cheap, and this runs for every value)."""
        types = self.types
        for item in types[type(obj).__name__].items if items is None else items:
            if item.items:
                self.write(etree.SubElement(parent, item.tag), obj, item.items)
                continue
            value = getattr(obj, item.field)
            if value is None:
                continue
            try:
                if item.attribute:
                    parent.set(item.attribute, item.fmt(value))
                elif type(value) is list:
                    for entry in value:
                        self._value(parent, item, entry)
                elif type(value) is dict:
                    for key in item.order:
                        if key in value:
                            self._value(parent, item, value[key]).set(item.key, key)
                else:
                    self._value(parent, item, value)
            except ValueError:  # lxml refuses control characters, NUL, lone surrogates
                raise ProfileError("xml_text_not_representable",
                                   field=f"{type(obj).__name__}.{item.field}") from None

    def _value(self, parent: etree._Element, item: Item, value: Any) -> etree._Element:
        own = self.types.get(type(value).__name__)  # a nested model with its own entry
        if own is not None:
            element = etree.SubElement(parent, item.tag or own.tag)
            self.write(element, value, own.items)
            return element
        element = etree.SubElement(parent, item.tag)
        element.text = item.fmt(value)
        return element
