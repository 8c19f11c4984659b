"""What every pluggable component has: a name, a one-line description, a configuration schema, notes.

Sources, sinks and signer backends are components; ``hocba plugins`` shows these fields, and the
configuration loader checks settings against ``config_schema`` before constructing one."""

from __future__ import annotations

from typing import Any, ClassVar


class Component:
    #: Unique name within its kind, used in configuration and on the command line.
    name: ClassVar[str]
    #: One line for ``hocba plugins``.
    description: ClassVar[str] = ""
    #: JSON Schema of the settings. Mark secrets with ``"secret": true, "writeOnly": true``; their values
    #: come from environment variables (``password_env = "VAR"``), never from files.
    config_schema: ClassVar[dict] = {"type": "object"}
    #: Facts shown by ``hocba plugins`` (e.g. "schema: modelled, not vendor-official").
    notes: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: dict[str, Any]):
        self.config = config
