"""Built-in rule packs. Each module registers one :class:`~connector.validate.RulePack` through the
``register_rule_packs`` hook, exactly as a third-party rule pack would."""
