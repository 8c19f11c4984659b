"""Validation stage: rule registry, rule packs (TT27, TT22, identity) and the engine."""

from connector.validate.engine import Validator
from connector.validate.rules import (Context, Finding, Label, RuleDef, RulePack, check, collect_checks,
                                      load_rule_defs)

__all__ = ["Context", "Finding", "Label", "RuleDef", "RulePack", "Validator", "check", "collect_checks",
           "load_rule_defs"]
