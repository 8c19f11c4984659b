"""The ``smas`` source: SMAS (Viettel) school databases on SQL Server through ODBC (pyodbc).

MODELLED from public information, not vendor-official: SQL Server over ODBC is a project assumption and
the tables are modelled (hocba_smas/schema.py, mapping/smas-modelled-1.toml, README). Everything about
reading — timeouts, read-only session, schema-version detection, streaming with keyset resume, retries,
incremental cursors, soft deletes — comes from the shared SQL-source layer (connector/extract/sql.py);
this module only says how to reach a SMAS database and where its mapping is.

The production connection is ``mssql+pyodbc`` built from driver/server/database/user (the password
always from ``password_env``). ``odbc_connect`` (a full ODBC connection string) or ``url`` (any
SQLAlchemy URL) override it: tests run the same statements through the MariaDB and PostgreSQL ODBC
drivers with ``url``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

from sqlalchemy.engine import URL

from connector.extract.sql import SqlSource, sql_config_schema
from connector.extract.sqlmapping import Mapping
from connector.hookspecs import hookimpl
from connector.model import StudentYear

from hocba_smas import export as exporter
from hocba_smas.schema import DB_SCHEMA

MAPPINGS = Path(__file__).with_name("mapping")
DEFAULT_DRIVER = "ODBC Driver 18 for SQL Server"
_SHARED = sql_config_schema(default_port=1433, url_example="mssql+pyodbc://hocba_reader@sql-so/SMAS?driver=…")
#: Settings of the shared SQL layer that SMAS takes as they are (schools, timeouts, chunk size, retries, time
#: zone, personal-ID switch …); the connection settings are SMAS's own (ODBC).
SHARED_SETTINGS = {k: v for k, v in _SHARED["properties"].items()
                   if k not in ("url", "host", "port", "database", "user", "password")}
NOT_WITH = {"not": {}}  # jsonschema then names the setting that is in the way


def odbc_value(value: str) -> str:
    """An ODBC connection-string value, braced when it holds a separator (``;``, braces, ``=``)."""
    if any(c in value for c in ";{}=") or value != value.strip():
        return "{" + value.replace("}", "}}") + "}"
    return value


def is_freetds(driver: str) -> bool:
    return "freetds" in driver.casefold() or "libtdsodbc" in driver.casefold()


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


class SmasSource(SqlSource):
    name = "smas"
    description = "SMAS (Viettel) on SQL Server via ODBC — modelled schema, read-only, incremental"
    notes = (
        "schema: modelled from public information, not vendor-official",
        "SQL Server path: SQL verified by compiled T-SQL golden tests; CI runs it through ODBC on MariaDB and "
        "PostgreSQL, not against a live SQL Server (opt-in test: HOCBA_TEST_MSSQL_URL)",
    )
    config_schema = {
        "type": "object",
        "description": "Either driver/server/database/user, or odbc_connect, or url; the password always from "
                       "password_env.",
        "properties": {
            "driver": {
                "type": "string", "minLength": 1, "default": DEFAULT_DRIVER,
                "description": "ODBC driver name as installed (odbcinst -q -d), e.g. FreeTDS",
            },
            "server": {"type": "string", "minLength": 1, "description": "host, host,port or host\\instance"},
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
            "odbc_connect": {
                "type": "string", "minLength": 1,
                "description": "A complete ODBC connection string instead of driver/server/database/user "
                               "(without PWD: the password still comes from password_env)",
            },
            "url": {
                "type": "string", "minLength": 1,
                "description": "A SQLAlchemy URL instead of the ODBC settings (tests: mysql+pyodbc, postgresql+pyodbc)",
            },
            "db_schema": {
                "type": "string",
                "description": "Database schema of the SMAS tables (default dbo; \"\" = the login's default)",
            },
            **SHARED_SETTINGS,
        },
        "allOf": [
            {"if": {"not": {"anyOf": [{"required": ["url"]}, {"required": ["odbc_connect"]}]}},
             "then": {"required": ["server", "database", "user"]}},
        ],
        "dependentSchemas": {
            "url": {"properties": {k: NOT_WITH for k in ("driver", "server", "database", "user", "encrypt",
                                                         "trust_server_certificate", "odbc_connect")}},
            "odbc_connect": {"properties": {k: NOT_WITH for k in ("driver", "server", "user", "encrypt",
                                                                  "trust_server_certificate")}},
        },
        "additionalProperties": False,
    }
    mappings = (MAPPINGS / "smas-modelled-1.toml",)
    default_driver = "mssql+pyodbc"
    default_port = 1433

    # --- connection -------------------------------------------------------------------------------------

    def odbc_connect(self) -> str:
        """The ODBC connection string for SQL Server (password added from password_env)."""
        c = self.config
        if c.get("odbc_connect"):
            return self._with_password(c["odbc_connect"])
        driver = c.get("driver", DEFAULT_DRIVER)
        parts = [f"DRIVER={{{driver.replace('}', '}}')}}}"]
        server = c["server"]
        if is_freetds(driver):
            # FreeTDS wants the port apart, a TDS version that carries NVARCHAR, and UTF-8 on the client side.
            host, _, port = server.partition(",")
            parts += [f"SERVER={odbc_value(host.strip())}", f"PORT={odbc_value(port.strip() or '1433')}",
                      "TDS_Version=7.4", "ClientCharset=UTF-8",
                      f"Encryption={'require' if c.get('encrypt', True) else 'off'}"]
        else:
            parts += [f"SERVER={odbc_value(server)}", f"Encrypt={_yes_no(c.get('encrypt', True))}",
                      f"TrustServerCertificate={_yes_no(c.get('trust_server_certificate', False))}",
                      "ApplicationIntent=ReadOnly"]
        parts += [f"DATABASE={odbc_value(c['database'])}", f"UID={odbc_value(c['user'])}", "APP=hocba"]
        return self._with_password(";".join(parts))

    def _with_password(self, connection_string: str) -> str:
        password = self.config.get("password")
        if password is None or re.search(r"(?i)(^|;)\s*PWD\s*=", connection_string):
            return connection_string
        return connection_string.rstrip(";") + f";PWD={odbc_value(password)}"

    @cached_property
    def url(self) -> URL:
        if self.config.get("url"):
            url = super().url
            odbc = url.query.get("odbc_connect")
            if odbc:  # an ODBC URL: the password goes into the ODBC string; the database named for messages
                if self.config.get("password") is not None:
                    url = url.update_query_dict({"odbc_connect": self._with_password(str(odbc))})
                    url = url._replace(password=None)  # URL.set() cannot clear a field; URL is a NamedTuple
                url = url.set(database=url.database or _odbc_attribute(str(odbc), "DATABASE"),
                              username=url.username or _odbc_attribute(str(odbc), "UID"))
            return url
        # With odbc_connect, pyodbc uses only the ODBC string; database and user are set for messages.
        odbc = self.config.get("odbc_connect", "")
        return URL.create(self.default_driver, query={"odbc_connect": self.odbc_connect()},
                          database=self.config.get("database") or _odbc_attribute(odbc, "DATABASE"),
                          username=self.config.get("user") or _odbc_attribute(odbc, "UID"))

    # --- mapping: the schema the tables live in --------------------------------------------------------

    def db_schema(self) -> str | None:
        configured = self.config.get("db_schema")
        if configured is not None:
            return configured or None
        return exporter.db_schema_for(self.dialect)

    def load_mapping(self, path: Path) -> Mapping:
        mapping = Mapping.load(path)
        target = self.db_schema()
        mapping.specs = {name: dataclasses.replace(spec, schema=target) if spec.schema == DB_SCHEMA else spec
                         for name, spec in mapping.specs.items()}
        return mapping

    # --- export: the inverse of extraction (tests, demo databases, hand-over) ---------------------------

    @classmethod
    def export(cls, records: Iterable[StudentYear], destination: str) -> None:
        """Write canonical records into a SMAS database (tables created when missing): ``destination`` is a
        SQLAlchemy URL (SQL Server, MariaDB, PostgreSQL) or a file path (a SQLite file is written)."""
        exporter.export(records, destination, mapping=Mapping.load(cls.mappings[0]))


def _odbc_attribute(connection_string: str, name: str) -> str | None:
    found = re.search(rf"(?i)(?:^|;)\s*{name}\s*=\s*([^;]*)", connection_string)
    return found[1].strip("{} ") if found else None


@hookimpl
def register_sources(register):
    register(SmasSource)
