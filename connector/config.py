"""Configuration: one TOML file (see ``config.example.toml``), secrets from the environment.

A source's settings live under ``[sources.<name>]`` with ``plugin = "<source plugin>"``; they are
checked against the plugin's JSON Schema. A setting the schema marks ``secret`` is never read from
the file: the file names an environment variable (``password_env = "VNEDU_DB_PASSWORD"``) and the
value is taken from there and registered for masking in logs.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from connector.errors import ConfigError
from connector.log import register_secret

ENV_CONFIG = "HOCBA_CONFIG"


@dataclass
class Config:
    path: Path | None = None
    lang: str = "vi"
    plugins_allow: list[str] | None = None
    plugins_block: list[str] = field(default_factory=list)
    state_url: str = "sqlite:///.hocba/state.db"
    validation: dict[str, Any] = field(default_factory=dict)
    privacy: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    signing: dict[str, Any] = field(default_factory=dict)  # [signing], read by connector/sign (docs/signing.md)

    @property
    def include_personal_id(self) -> bool:
        return bool(self.privacy.get("include_personal_id", False))


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Read the configuration file (``--config``, else $HOCBA_CONFIG, else built-in defaults)."""
    path = path or os.environ.get(ENV_CONFIG)
    if not path:
        return Config()
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError("config_not_found", file=str(p)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("config_invalid_toml", file=str(p), detail=str(exc)) from None
    except UnicodeDecodeError:
        raise ConfigError("config_not_utf8", file=str(p)) from None
    general = data.get("general", {})
    plugins = data.get("plugins", {})
    sources = data.get("sources", {})
    for name, spec in sources.items():
        if not isinstance(spec, dict) or "plugin" not in spec:
            raise ConfigError("config_source_no_plugin", file=str(p), source=name)
    return Config(
        path=p,
        lang=general.get("lang", "vi"),
        plugins_allow=plugins.get("allow"),
        plugins_block=plugins.get("block", []),
        state_url=data.get("state", {}).get("url", Config.state_url),
        validation=data.get("validation", {}),
        privacy=data.get("privacy", {}),
        sources=sources,
        signing=data.get("signing", {}),
    )


def secret_fields(schema: dict) -> set[str]:
    return {k for k, v in schema.get("properties", {}).items() if v.get("secret")}


def resolve_source_config(schema: dict, settings: dict[str, Any], where: str) -> dict[str, Any]:
    """Check ``settings`` against a source's JSON Schema and fill secrets from the environment."""
    settings = {k: v for k, v in settings.items() if k != "plugin"}
    secrets: dict[str, str] = {}
    for name in secret_fields(schema):
        if name in settings:
            raise ConfigError("config_secret_in_file", where=where, key=name, env_key=f"{name}_env")
        env_name = settings.pop(f"{name}_env", None)
        if env_name is not None:
            value = os.environ.get(env_name)
            if value is None:
                raise ConfigError("config_secret_env_missing", where=where, key=name, env=env_name)
            register_secret(value)
            secrets[name] = value
    try:
        # Validated with placeholders: a schema error message may quote the whole settings object.
        jsonschema.validate({**settings, **{k: "***" for k in secrets}}, schema)
    except jsonschema.ValidationError as exc:
        field_path = ".".join(str(x) for x in exc.absolute_path) or "-"
        raise ConfigError("config_source_invalid", where=where, field=field_path, detail=exc.message) from None
    settings.update(secrets)
    return settings
