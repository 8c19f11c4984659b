"""TT27 rules (brief 03)."""

from __future__ import annotations

from connector.hookspecs import hookimpl
from connector.validate.rules import RulePack, check, collect_checks, load_rule_defs

PACK = RulePack(
    name="tt27",
    rules=load_rule_defs("connector.data", "rules_tt27.toml"),
    checks=collect_checks(globals()),
    description="TT27 assessment rules (brief 03)",
)


@hookimpl
def register_rule_packs(register):
    register(PACK)
