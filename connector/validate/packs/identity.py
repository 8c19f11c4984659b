"""Identity, code and framework rules that apply to every level: FRAME-1, GEN-*, ID-1 … ID-4."""

from __future__ import annotations

from connector import catalogue
from connector.hookspecs import hookimpl
from connector.validate.rules import RulePack, check, collect_checks, load_rule_defs


@check("FRAME-1")
def framework_matches_roadmap(rec, ctx):
    expected = catalogue.framework_for(rec.khoi, rec.nam_hoc)
    if rec.framework != expected:
        yield ctx.finding("FRAME-1", "framework", rec, found=rec.framework, expected=expected)


@check("ID-3")
def grade_level_year(rec, ctx):
    expected = catalogue.level_group(rec.khoi)
    if rec.nhom_cap_hoc != expected:
        yield ctx.finding("ID-3", "level_group", rec, found=rec.nhom_cap_hoc, expected=expected)
    start, end = (int(x) for x in rec.nam_hoc.split("-"))
    if end != start + 1:
        yield ctx.finding("ID-3", "school_year", rec, found=rec.nam_hoc, expected=f"{start}-{start + 1}")


PACK = RulePack(
    name="identity",
    rules=load_rule_defs("connector.data", "rules_identity.toml"),
    checks=collect_checks(globals()),
    description="Framework selection, text and code lists, identifiers (brief 03 §1, 04 §8)",
)


@hookimpl
def register_rule_packs(register):
    register(PACK)
