"""Plugin host: loads built-ins and entry-point plugins into one pluggy manager and collects what
they register (sources, sinks, signers, rule packs).

Selection, as in datasette/llm: ``[plugins] allow``/``block`` in the configuration, or the
``HOCBA_LOAD_PLUGINS`` environment variable (comma-separated names; empty = built-ins only).
``HOCBA_TRACE_PLUGINS=1`` logs every hook call. A plugin that fails to import is reported by
``hocba plugins`` and skipped; it never takes the others down.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

import pluggy

from connector import __version__, hookspecs
from connector.errors import PluginError
from connector.log import get_logger

log = get_logger(__name__)

ENTRY_POINT_GROUP = "hocba"
CORE_PLUGIN = "hocba"
# Built-in components register through the same hooks as third-party plugins.
BUILTIN_MODULES = (
    "connector.deliver.jsonl",
    "connector.validate.packs.identity",
    "connector.validate.packs.tt27",
    "connector.validate.packs.tt22",
    "connector.synth.cli",
    "connector.scaffold",
    "connector.xml.hocba_profile",
    "connector.xml.cli",
    "connector.sign.pkcs11",
    "connector.sign.remote",
    "connector.sign.pkcs12",
    "connector.sign.cli",
    "connector.render.cli",
)
KIND_HOOKS = {
    "source": "register_sources",
    "sink": "register_sinks",
    "signer": "register_signers",
    "rule_pack": "register_rule_packs",
    "profile": "register_profiles",
}


@dataclass
class Component:
    kind: str
    name: str
    obj: Any
    plugin: str


@dataclass
class PluginInfo:
    name: str
    version: str
    package: str
    hooks: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "package": self.package,
            "kind": ",".join(sorted(set(self.kinds))) or None,
            "kinds": sorted(set(self.kinds)),
            "components": self.components,
            "hooks": sorted(self.hooks),
            "notes": self.notes,
            "error": self.error,
        }


@dataclass
class Registry:
    pm: pluggy.PluginManager
    plugins: dict[str, PluginInfo]
    components: dict[str, dict[str, Component]]

    def get(self, kind: str, name: str) -> Any:
        try:
            return self.components[kind][name].obj
        except KeyError:
            raise PluginError(
                "plugin_unknown_component", kind=kind, name=name,
                available=", ".join(sorted(self.components[kind])) or "-",
            ) from None

    def all(self, kind: str) -> list[Any]:
        return [c.obj for c in self.components[kind].values()]


def _selected(name: str, allow: list[str] | None, block: list[str]) -> bool:
    env = os.environ.get("HOCBA_LOAD_PLUGINS")
    if env is not None:
        allow = [n.strip() for n in env.split(",") if n.strip()]
    return name not in block and (allow is None or name in allow)


def load_registry(allow: list[str] | None = None, block: list[str] | tuple = ()) -> Registry:
    pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
    pm.add_hookspecs(hookspecs)
    plugins: dict[str, PluginInfo] = {CORE_PLUGIN: PluginInfo(CORE_PLUGIN, __version__, "hocba")}
    owner: dict[str, str] = {}  # pluggy plugin name -> hocba plugin name

    for module_name in BUILTIN_MODULES:
        pm.register(importlib.import_module(module_name), name=module_name)
        owner[module_name] = CORE_PLUGIN

    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if not _selected(ep.name, allow, list(block)):
            continue
        dist = ep.dist
        info = PluginInfo(ep.name, dist.version if dist else "?", dist.name if dist else "?")
        plugins[ep.name] = info
        try:
            pm.register(ep.load(), name=ep.name)
            owner[ep.name] = ep.name
            pm.check_pending()  # a misspelt hook name is this plugin's error, not everyone's
        except Exception as exc:  # a broken plugin is reported, never fatal
            if pm.has_plugin(ep.name):
                pm.unregister(name=ep.name)
                owner.pop(ep.name, None)
            info.error = f"{type(exc).__name__}: {exc}"
            log.warning("plugin_failed", plugin=ep.name, error_type=type(exc).__name__)
    if os.environ.get("HOCBA_TRACE_PLUGINS"):
        pm.trace.root.setwriter(lambda msg: log.debug("plugin_trace", call=msg.strip()))
        pm.enable_tracing()

    for plugin_name, plugin in pm.list_name_plugin():
        info = plugins[owner[plugin_name]]
        info.hooks.extend(h.name for h in pm.get_hookcallers(plugin) or () if h.name not in info.hooks)

    components: dict[str, dict[str, Component]] = {kind: {} for kind in KIND_HOOKS}
    for kind, hook_name in KIND_HOOKS.items():
        for impl in getattr(pm.hook, hook_name).get_hookimpls():
            plugin = owner[impl.plugin_name]

            def register(obj: Any, *, _kind=kind, _plugin=plugin) -> None:
                name = getattr(obj, "name", None) or getattr(obj, "id", None)
                if not name:
                    raise PluginError("plugin_component_unnamed", plugin=_plugin, kind=_kind)
                if name in components[_kind]:
                    raise PluginError(
                        "plugin_component_duplicate", plugin=_plugin, kind=_kind, name=name,
                        other=components[_kind][name].plugin,
                    )
                components[_kind][name] = Component(_kind, name, obj, _plugin)
                info = plugins[_plugin]
                info.kinds.append(_kind)
                info.components.append(f"{_kind}:{name}")
                info.notes.extend(getattr(obj, "notes", ()))

            try:
                impl.function(register=register)
            except PluginError as exc:  # e.g. a name another plugin already took: report, skip, go on
                plugins[plugin].error = exc.message()
                log.warning("plugin_failed", plugin=plugin, error=exc.key)

    return Registry(pm, plugins, components)
