"""What every command needs: configuration, the plugin registry, and an opened source.

Kept apart from the CLI so tests, the conformance kit and (later) the district service open sources
exactly the way ``hocba`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connector.config import Config, load_config, resolve_source_config
from connector.errors import ConfigError
from connector.extract import Source
from connector.plugins import Registry, load_registry
from connector.validate import Validator


@dataclass
class Session:
    config: Config
    registry: Registry

    @classmethod
    def load(cls, config_path: str | None = None) -> "Session":
        config = load_config(config_path)
        return cls(config, load_registry(config.plugins_allow, config.plugins_block))

    def source_settings(
        self, source: str | None = None, plugin: str | None = None, sets: dict[str, Any] | None = None,
        path: str | None = None,
    ) -> tuple[str, str, dict[str, Any]]:
        """(source id, plugin name, raw settings) from ``--source``, ``--plugin/--set`` or a bare path."""
        sets = dict(sets or {})
        if source:
            if source not in self.config.sources:
                raise ConfigError(
                    "config_source_unknown", source=source, available=", ".join(self.config.sources) or "-"
                )
            settings = {**self.config.sources[source], **sets}
            return source, settings["plugin"], settings
        if path and not plugin:
            plugin = "csv"
        if not plugin:
            raise ConfigError("config_no_source")
        if path:
            sets["path"] = str(Path(path))
        return f"{plugin}:{sets.get('path') or sets.get('school') or 'default'}", plugin, sets

    def open_source(self, source_id: str, plugin: str, settings: dict[str, Any]) -> Source:
        cls = self.registry.get("source", plugin)
        resolved = resolve_source_config(cls.config_schema, settings, where=f"[sources.{source_id}]")
        if "include_personal_id" in cls.config_schema.get("properties", {}):
            resolved.setdefault("include_personal_id", self.config.include_personal_id)
        return cls(resolved)

    def plugin_of(self, kind: str, name: str) -> tuple[str, str]:
        """(plugin name, version) that registered a component."""
        component = self.registry.components[kind][name]
        info = self.registry.plugins[component.plugin]
        return info.name, info.version

    def validator(self, lang: str = "vi") -> Validator:
        return Validator(self.registry.all("rule_pack"), self.config.validation, lang)
