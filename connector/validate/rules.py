"""The rule registry: rule definitions are data (``data/rules*.toml``), checks are small functions.

A rule is keyed by (framework, rule id, effective-from date) and has one or more *checks*, each with
its own severity, field path and Vietnamese/English message. A rule whose legal basis the brief marks
[inferred] has checks with ``needs_review = true``: they report a warning tagged needs-review, never an
error, until someone checks the circular's text and changes the data.

A check function takes a record and a :class:`Context` and yields findings made with
:meth:`Context.finding`, which fills severity and messages from the definition. Check functions never
fix anything: they compare what the school system stored with what the circular gives.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Any

from connector import catalogue
from connector.model import StudentYear

SEVERITIES = ("error", "warning")
STATUSES = ("confirmed", "secondary", "inferred", "engineering")


@dataclass(frozen=True)
class CheckDef:
    rule_id: str
    name: str
    severity: str
    needs_review: bool
    field: str
    vi: str
    en: str


@dataclass(frozen=True)
class RuleDef:
    id: str
    framework: str  # "TT27", "TT22" or "ALL"
    effective_from: date
    status: str
    basis: str
    title_vi: str
    title_en: str
    checks: dict[str, CheckDef]
    enforced_by: str = ""  # for a rule with no checks: what enforces it instead (model, parser …)


def load_rule_defs(package: str, filename: str) -> list[RuleDef]:
    """Read rule definitions from a TOML file shipped in ``package``."""
    data = tomllib.loads(resources.files(package).joinpath(filename).read_text("utf-8"))
    defs = []
    for r in data["rule"]:
        checks = {
            name: CheckDef(
                r["id"], name, c["severity"], bool(c.get("needs_review", False)), c["field"], c["vi"], c["en"]
            )
            for name, c in r.get("checks", {}).items()
        }
        for c in checks.values():
            assert c.severity in SEVERITIES, (r["id"], c.name)
            assert not (c.needs_review and c.severity == "error"), (r["id"], c.name)
        assert r["status"] in STATUSES, r["id"]
        # A rule without checks must say what enforces it, so the catalogue never has a silent rule.
        assert checks or r.get("enforced_by"), r["id"]
        defs.append(
            RuleDef(r["id"], r["framework"], r["effective_from"], r["status"], r.get("basis", ""),
                    r["title"]["vi"], r["title"]["en"], checks, r.get("enforced_by", ""))
        )
    return defs


CheckFn = Callable[[StudentYear, "Context"], Iterable["Finding"]]


@dataclass
class RulePack:
    """What a ``register_rule_packs`` hook registers: definitions plus the functions that check them."""

    name: str
    rules: list[RuleDef]
    checks: dict[str, CheckFn]  # rule id -> function
    description: str = ""
    notes: tuple[str, ...] = ()


def check(rule_id: str) -> Callable[[CheckFn], CheckFn]:
    """Mark a function as the check of ``rule_id`` (collected by :func:`collect_checks`)."""

    def mark(fn: CheckFn) -> CheckFn:
        fn.rule_id = rule_id  # type: ignore[attr-defined]
        return fn

    return mark


def collect_checks(namespace: dict[str, Any]) -> dict[str, CheckFn]:
    return {fn.rule_id: fn for fn in namespace.values() if callable(fn) and hasattr(fn, "rule_id")}


@dataclass(frozen=True)
class Label:
    """A message parameter that reads differently per language (a subject, a field, a period name).

    Findings are rendered later, in whatever language the report asks for, so checks pass both."""

    vi: str
    en: str

    def text(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en

    def __str__(self) -> str:
        return self.vi


# How a message shows a value the record does not hold.
BLANK = Label("(trống)", "(blank)")


@dataclass
class Finding:
    """One disagreement between the stored data and the circulars, for the operator's report.

    Holds personal data (name, values): it goes to reports, never to logs."""

    rule_id: str
    check: str
    severity: str
    needs_review: bool
    field: str
    student_key: str
    ma_hoc_sinh: str | None
    ho_ten: str
    nam_hoc: str
    ma_truong: str
    lop: str
    khoi: int
    subject: str | None = None
    found: str | None = None
    expected: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    vi: str = ""
    en: str = ""

    def message(self, lang: str = "vi") -> str:
        template = self.vi if lang == "vi" else self.en
        return template.format(**{k: v.text(lang) if isinstance(v, Label) else v for k, v in self.params.items()})

    def as_dict(self, lang: str = "vi") -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "check": self.check,
            "severity": self.severity,
            "needs_review": self.needs_review,
            "student_key": self.student_key,
            "ma_hoc_sinh": self.ma_hoc_sinh,
            "ho_ten": self.ho_ten,
            "nam_hoc": self.nam_hoc,
            "ma_truong": self.ma_truong,
            "lop": self.lop,
            "khoi": self.khoi,
            "subject": self.subject,
            "field": self.field,
            "found": self.found,
            "expected": self.expected,
            "message": self.message(lang),
        }


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass
class Context:
    """What a check may consult besides the record: settings and the active rule definitions."""

    rules: dict[str, RuleDef]
    settings: dict[str, Any] = field(default_factory=dict)
    lang: str = "vi"
    # Values a pack's checks share for the record being validated (one record at a time); the engine
    # clears it before each record so a record changed in place is never judged by stale values.
    memo: dict[str, tuple[StudentYear, Any]] = field(default_factory=dict)

    def shared(self, key: str, record: StudentYear, make: Callable[[], Any]) -> Any:
        """``make()`` computed once for ``record`` and shared by the checks that ask for ``key``."""
        hit = self.memo.get(key)
        if hit is None or hit[0] is not record:
            hit = self.memo[key] = (record, make())
        return hit[1]

    def periods(self, subject: catalogue.Subject, grade: int, declared: int | None = None) -> int:
        """Periods per year: the record's own figure, else ``[validation.periods]``, else the default."""
        if declared is not None:
            return declared
        override = self.settings.get("periods", {}).get(subject.key, {})
        return int(override.get(str(grade), subject.periods[grade]))

    def finding(
        self,
        rule_id: str,
        check_name: str,
        record: StudentYear,
        *,
        subject: str | None = None,
        found: Any = None,
        expected: Any = None,
        **params: Any,
    ) -> Finding:
        c = self.rules[rule_id].checks[check_name]
        fields = {"subject": subject_label(record, subject), "found": _text(found) or BLANK,
                  "expected": _text(expected) or BLANK, "khoi": record.khoi, "nam_hoc": record.nam_hoc, **params}
        path = c.field.format(**{"subject": subject or "", **params})
        return Finding(
            rule_id=rule_id, check=check_name, severity=c.severity, needs_review=c.needs_review, field=path,
            student_key=record.student_key, ma_hoc_sinh=record.student.ma_hoc_sinh, ho_ten=record.student.ho_ten,
            nam_hoc=record.nam_hoc, ma_truong=record.ma_truong, lop=record.lop, khoi=record.khoi,
            subject=subject, found=_text(found), expected=_text(expected), params=fields, vi=c.vi, en=c.en,
        )


def subject_label(record: StudentYear, key: str | None) -> Label | str:
    """A subject, quality or competence key as the school names it; an unknown key as found."""
    if key is None:
        return ""
    level = "primary" if record.khoi <= 5 else "secondary"
    entry = catalogue.subjects(level).get(key) or catalogue.ratings("quality").get(key) \
        or catalogue.ratings("competence").get(key)
    return Label(entry.vi, entry.en) if entry else key


def rules_date(nam_hoc: str) -> date:
    """The date a school year's rules are taken at: 31 May of the year after its start, when the
    year's results are decided. A circular in force by then governs the year, as TT27 (in force
    20/10/2020) governs grade 1 in 2020-2021. Taken from the start year so a malformed end year
    (reported by ID-3) cannot move it."""
    return date(int(nam_hoc[:4]) + 1, 5, 31)


def iter_active(defs: Iterable[RuleDef], on: date) -> Iterator[RuleDef]:
    """The newest definition of each rule id that is in force on ``on``."""
    best: dict[str, RuleDef] = {}
    for d in defs:
        if d.effective_from <= on and (d.id not in best or d.effective_from > best[d.id].effective_from):
            best[d.id] = d
    return iter(best.values())
