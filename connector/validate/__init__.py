"""Validation stage: rule registry, rule packs (TT27, TT22, identity) and the engine."""

from connector.validate.engine import Validator
from connector.validate.rules import Context, Finding, RuleDef, RulePack, check, collect_checks, load_rule_defs

__all__ = ["Context", "Finding", "RuleDef", "RulePack", "Validator", "check", "collect_checks", "load_rule_defs"]
