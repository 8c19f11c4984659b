"""Runs every registered rule pack over a stream of records; one record at a time, bounded memory."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from connector.model import StudentYear
from connector.validate.rules import Context, Finding, RuleDef, RulePack, iter_active, rules_date


@dataclass
class Validator:
    packs: list[RulePack]
    settings: dict = field(default_factory=dict)
    lang: str = "vi"

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        for pack in self.packs:
            for d in pack.rules:
                other = seen.setdefault(d.id, pack.name)
                if other != pack.name:
                    raise ValueError(f"rule {d.id} defined by both {other} and {pack.name}")
        self._cache: dict[tuple[str, str], tuple[Context, list]] = {}

    def _plan(self, framework: str, nam_hoc: str) -> tuple[Context, list]:
        """Active rule definitions and their check functions for one framework and school year."""
        key = (framework, nam_hoc)
        if key not in self._cache:
            on = rules_date(nam_hoc)
            rules: dict[str, RuleDef] = {}
            fns = []
            for pack in self.packs:
                for d in iter_active(pack.rules, on):
                    if d.framework in (framework, "ALL"):
                        rules[d.id] = d
                        if d.id in pack.checks:
                            fns.append(pack.checks[d.id])
            self._cache[key] = (Context(rules, self.settings, self.lang), fns)
        return self._cache[key]

    def validate(self, record: StudentYear) -> list[Finding]:
        ctx, fns = self._plan(record.framework, record.nam_hoc)
        ctx.memo.clear()
        findings: list[Finding] = []
        for fn in fns:
            findings.extend(fn(record, ctx))
        return findings

    def validate_all(self, records: Iterable[StudentYear]) -> Iterator[tuple[StudentYear, list[Finding]]]:
        for record in records:
            yield record, self.validate(record)
