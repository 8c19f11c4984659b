"""The ``smas`` source: SMAS (Viettel) school databases on SQL Server through ODBC (pyodbc). Skeleton.

The configuration schema is final enough to be written and checked today; ``check()`` says clearly that
extraction is not implemented yet, and ``discover()``/``extract()`` raise a :class:`SourceError` (one
sentence on the command line, no traceback). Extraction arrives with the vendor-plugin issue.
"""

from __future__ import annotations

from collections.abc import Iterator

from connector.errors import SourceError
from connector.extract import CheckResult, Message, SchoolInfo, Source, SourceState
from connector.hookspecs import hookimpl

SCHOOL_CODE = {"type": "string", "pattern": "^[0-9A-Za-z]+$", "description": "School code (ma_truong)"}


class SmasSource(Source):
    name = "smas"
    description = "SMAS (Viettel) on SQL Server via ODBC — modelled schema; extraction not implemented yet"
    config_schema = {
        "type": "object",
        "properties": {
            "driver": {
                "type": "string", "minLength": 1, "default": "ODBC Driver 18 for SQL Server",
                "description": "ODBC driver name as installed (odbcinst -q -d), e.g. FreeTDS",
            },
            "server": {
                "type": "string", "minLength": 1,
                "description": "host, host,port or host\\instance",
            },
            "database": {"type": "string", "minLength": 1, "description": "Database name"},
            "user": {"type": "string", "minLength": 1, "description": "A read-only SQL Server login"},
            "password": {
                "type": "string", "secret": True, "writeOnly": True,
                "description": "Login password; configure password_env = \"ENV_VAR\", never the value",
            },
            "encrypt": {"type": "boolean", "default": True, "description": "Encrypt the connection (TLS)"},
            "trust_server_certificate": {
                "type": "boolean", "default": False,
                "description": "Accept a self-signed server certificate (test servers only)",
            },
            "schools": {
                "type": "array", "items": SCHOOL_CODE, "uniqueItems": True,
                "description": "School codes to read; omit to read every school the login can see",
            },
        },
        "required": ["server", "database", "user"],
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
    register(SmasSource)
