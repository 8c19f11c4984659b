"""The ``vnedu`` source: vnEdu (VNPT) school databases on MySQL/MariaDB. Skeleton.

The configuration schema is final enough to be written and checked today; ``check()`` says clearly that
extraction is not implemented yet, and ``discover()``/``extract()`` raise a :class:`SourceError` (one
sentence on the command line, no traceback). Extraction arrives with the vendor-plugin issue.
"""

from __future__ import annotations

from collections.abc import Iterator

from connector.errors import SourceError
from connector.extract import CheckResult, Message, SchoolInfo, Source, SourceState
from connector.hookspecs import hookimpl

# ({"not": {}} rather than false: jsonschema then reports which setting is in the way.)
NOT_WITH_URL = {"not": {}}
SCHOOL_CODE = {"type": "string", "pattern": "^[0-9A-Za-z]+$", "description": "School code (ma_truong)"}


class VneduSource(Source):
    name = "vnedu"
    description = "vnEdu (VNPT) on MySQL/MariaDB — modelled schema; extraction not implemented yet"
    config_schema = {
        "type": "object",
        "description": "Either url, or host/database/user; the password always from password_env.",
        "properties": {
            "url": {
                "type": "string",
                "description": "SQLAlchemy URL with the user, never the password (password_env), "
                               "e.g. mysql+pymysql://hocba_reader@10.0.0.5:3306/vnedu?charset=utf8mb4",
            },
            "host": {"type": "string", "minLength": 1, "description": "Database server name or address"},
            "port": {"type": "integer", "minimum": 1, "maximum": 65535, "default": 3306},
            "database": {"type": "string", "minLength": 1, "description": "Database name"},
            "user": {"type": "string", "minLength": 1, "description": "A read-only database account"},
            "password": {
                "type": "string", "secret": True, "writeOnly": True,
                "description": "Database password; configure password_env = \"ENV_VAR\", never the value",
            },
            "schools": {
                "type": "array", "items": SCHOOL_CODE, "uniqueItems": True,
                "description": "School codes to read; omit to read every school the account can see",
            },
        },
        # Either url, or host + database + user. Written with if/then and dependentSchemas rather than
        # oneOf: their error messages name the missing or extra setting instead of quoting the whole
        # configuration (which holds the password) back to the user.
        "if": {"not": {"required": ["url"]}},
        "then": {"required": ["host", "database", "user"]},
        "dependentSchemas": {"url": {"properties": {k: NOT_WITH_URL for k in ("host", "port", "database", "user")}}},
        "additionalProperties": False,
    }
    notes = (
        "schema: modelled from public information, not vendor-official",
        "skeleton: extraction arrives with the vendor-plugin issue",
    )

    def check(self) -> CheckResult:
        return CheckResult(False, "source_not_implemented", {"plugin": self.name})

    def discover(self) -> list[SchoolInfo]:
        raise SourceError("source_not_implemented", plugin=self.name)

    def extract(self, *, school: str | None = None, state: SourceState | None = None) -> Iterator[Message]:
        raise SourceError("source_not_implemented", plugin=self.name)


@hookimpl
def register_sources(register):
    register(VneduSource)
