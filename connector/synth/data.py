"""The generator's data (``data/names.toml``, ``data/synth.toml``) and seeded random helpers.

Only integer arithmetic and ``random.Random`` seeded with strings (hashed with SHA-512 by Python, so the
same seed gives the same school on every machine and every run, whatever PYTHONHASHSEED is).
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from itertools import accumulate
from typing import TypeVar

from connector.catalogue import load_data
from connector.text import nfc

T = TypeVar("T")


def seeded(*parts: object) -> random.Random:
    """An independent random stream for one purpose (school, student, student-year …)."""
    return random.Random("|".join(str(p) for p in parts))


@dataclass(frozen=True)
class Weighted:
    """A weighted choice table, built once: keys and their cumulative weights."""

    keys: tuple[str, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, weights: Mapping[str, float]) -> "Weighted":
        keys = tuple(nfc(k) for k, w in weights.items() if w > 0)
        return cls(keys, tuple(accumulate(w for w in weights.values() if w > 0)))

    def pick(self, rng: random.Random) -> str:
        return self.keys[bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


def pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[rng.randrange(len(items))]


def spread(rng: random.Random, width: int, draws: int = 4) -> int:
    """A roughly normal integer noise: the sum of ``draws`` uniform integers in [-width, width].

    (``int(random() * n)`` rather than ``randint``: the same distribution, many times faster.)"""
    span, draw, total = 2 * width + 1, rng.random, 0
    for _ in range(draws):
        total += int(draw() * span)
    return total - width * draws


def clamp(value: int, low: int, high: int) -> int:
    return low if value < low else high if value > high else value


# Scores as exact Decimals: "7.5" from 75 tenths, "8" for a whole mark (teachers write both).
_TENTHS = tuple(Decimal(i).scaleb(-1) for i in range(101))
_WHOLE = tuple(Decimal(i) for i in range(11))


def tenths(value: int) -> Decimal:
    return _TENTHS[value]


def whole(value: int) -> Decimal:
    return _WHOLE[value]


@cache
def synth() -> dict:
    return load_data("synth.toml")


@cache
def names() -> dict:
    return load_data("names.toml")


@dataclass(frozen=True)
class Province:
    name: str
    id_prefix: str
    so: str
    region: str
    places: tuple[str, ...]
    ethnicity: Weighted


@cache
def provinces() -> tuple[Province, ...]:
    return tuple(
        Province(nfc(p["name"]), p["id_prefix"], p["so"], p["region"], tuple(nfc(x) for x in p["places"]),
                 Weighted.of(p["ethnicity"]))
        for p in names()["province"]
    )


@cache
def family_names(region: str) -> Weighted:
    """Family names weighted for a region (Hoàng/Huỳnh, Vũ/Võ are spelled by region)."""
    return Weighted.of({k: (w[region] if isinstance(w, dict) else w) for k, w in names()["family"].items()})


@cache
def name_table(*path: str) -> Weighted:
    """A weighted table of ``names.toml`` at ``path`` (e.g. "middle", "male")."""
    table = names()
    for key in path:
        table = table[key]
    return Weighted.of(table)


@cache
def ethnic_table(ethnicity: str, part: str) -> Weighted | None:
    """An ethnic group's own table (family, middle_male, given_female …), or None to use the general one."""
    spec = names().get("ethnic", {}).get(ethnicity, {})
    return Weighted.of(spec[part]) if part in spec else None


@cache
def weighted(*path: str) -> Weighted:
    """A weighted table of ``synth.toml`` at ``path``."""
    table = synth()
    for key in path:
        table = table[key]
    return Weighted.of(table)
