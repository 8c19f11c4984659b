"""The smas plugin without a server: settings, the ODBC connection string it builds for SQL Server, where
its tables are per dialect, the mapping agreeing with the modelled schema, registration and labels."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from connector.config import resolve_source_config
from connector.errors import ConfigError
from connector.extract.sqlmapping import Mapping
from connector.testing import SourceMetadataConformance

from hocba_smas import schema
from hocba_smas.plugin import SmasSource

SETTINGS = {"server": "sql.so-gd.local,1433", "database": "SMAS", "user": "hocba_reader"}
WHERE = "[sources.smas_test]"
SECRET = "mat;khau}bi{mat"


class TestSmasMetadata(SourceMetadataConformance):
    source_class = SmasSource


def resolve(settings: dict) -> dict:
    return resolve_source_config(SmasSource.config_schema, settings, where=WHERE)


@pytest.fixture(autouse=True)
def password_env(monkeypatch):
    monkeypatch.setenv("HOCBA_TEST_SMAS_PASSWORD", SECRET)


# --- settings ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("settings", [
    {**SETTINGS, "password_env": "HOCBA_TEST_SMAS_PASSWORD"},
    {**SETTINGS, "driver": "FreeTDS", "encrypt": False, "trust_server_certificate": True,
     "password_env": "HOCBA_TEST_SMAS_PASSWORD", "schools": ["79000701"], "chunk_size": 500, "db_schema": "smas"},
    {"odbc_connect": "DRIVER={ODBC Driver 18 for SQL Server};SERVER=sql;DATABASE=SMAS;UID=r",
     "password_env": "HOCBA_TEST_SMAS_PASSWORD"},
    {"url": "mysql+pyodbc:///?odbc_connect=DRIVER%3D%7BMariaDB%7D", "password_env": "HOCBA_TEST_SMAS_PASSWORD"},
], ids=["minimal", "every_setting", "odbc_connect", "url"])
def test_settings_are_accepted(settings):
    resolved = resolve(settings)
    assert resolved["password"] == SECRET and "password_env" not in resolved


@pytest.mark.parametrize("settings, field", [
    ({"server": "sql", "user": "hocba_reader"}, "database"),
    ({**SETTINGS, "encrypt": "yes"}, "encrypt"),
    ({**SETTINGS, "schools": ["79-000"]}, "schools"),
    ({**SETTINGS, "host": "typo"}, "host"),
    ({"url": "mssql+pyodbc://x", "server": "sql"}, "server"),
    ({"odbc_connect": "DRIVER={x}", "driver": "FreeTDS"}, "driver"),
], ids=["no_database", "encrypt_not_boolean", "bad_school_code", "unknown_setting", "url_and_server",
        "odbc_connect_and_driver"])
def test_incomplete_or_conflicting_settings_are_refused_by_name(settings, field):
    with pytest.raises(ConfigError) as refused:
        resolve(settings)
    assert field in refused.value.message("en")


def test_a_password_written_in_the_file_is_refused():
    with pytest.raises(ConfigError) as refused:
        resolve({**SETTINGS, "password": SECRET})
    assert refused.value.key == "config_secret_in_file"


# --- the ODBC connection string ---------------------------------------------------------------------


def odbc(config: dict) -> str:
    return make_url(str(SmasSource(config).url)).query["odbc_connect"]


def test_microsoft_driver_connection_string_is_exact():
    assert odbc({**SETTINGS, "password": SECRET}) == (
        "DRIVER={ODBC Driver 18 for SQL Server};SERVER=sql.so-gd.local,1433;Encrypt=yes;"
        "TrustServerCertificate=no;ApplicationIntent=ReadOnly;DATABASE=SMAS;UID=hocba_reader;APP=hocba;"
        "PWD={mat;khau}}bi{mat}")


def test_encryption_switches_are_written_for_the_microsoft_driver():
    found = odbc({**SETTINGS, "encrypt": False, "trust_server_certificate": True})
    assert "Encrypt=no;TrustServerCertificate=yes;" in found and "PWD" not in found


def test_freetds_gets_host_and_port_apart_a_tds_version_and_utf8():
    found = odbc({**SETTINGS, "driver": "FreeTDS", "encrypt": False})
    assert found.startswith("DRIVER={FreeTDS};SERVER=sql.so-gd.local;PORT=1433;TDS_Version=7.4;ClientCharset=UTF-8;"
                            "Encryption=off;")


def test_odbc_connect_gets_the_password_unless_it_has_one():
    base = "DRIVER={ODBC Driver 18 for SQL Server};SERVER=sql;DATABASE=SMAS;UID=r"
    assert odbc({"odbc_connect": base, "password": "p"}) == base + ";PWD=p"
    assert odbc({"odbc_connect": base + ";pwd=own", "password": "p"}) == base + ";pwd=own"


def test_url_with_odbc_connect_gets_the_password_and_names_database_and_user_for_messages():
    source = SmasSource({"url": "mysql+pyodbc:///?odbc_connect=DRIVER%3D%7BX%7D%3BDATABASE%3Dsmas%3BUID%3Dr",
                         "password": SECRET})
    assert source.url.query["odbc_connect"].endswith(";PWD={mat;khau}}bi{mat}")
    assert (source.url.database, source.url.username, source.url.password) == ("smas", "r", None)


def test_messages_name_the_server_never_the_password():
    source = SmasSource({**SETTINGS, "password": SECRET})
    assert source.server == "sql.so-gd.local,1433"
    assert SECRET not in repr(source.url) and "mat;khau" not in source.server


# --- where the tables are ---------------------------------------------------------------------------


@pytest.mark.parametrize("config, expected", [
    (SETTINGS, "dbo"),  # SQL Server
    ({"url": "mysql+pymysql://r@h/smas"}, None),  # MySQL/MariaDB: the connection's database
    ({"url": "postgresql+pyodbc:///?odbc_connect=x"}, "dbo"),
    ({"url": "sqlite:///smas.sqlite"}, None),
    ({**SETTINGS, "db_schema": "smas"}, "smas"),
    ({**SETTINGS, "db_schema": ""}, None),  # the login's default schema
])
def test_database_schema_per_dialect_and_setting(config, expected):
    from connector.testing import pg_pyodbc

    pg_pyodbc.register()
    source = SmasSource(config)
    assert source.db_schema() == expected
    mapping = source.load_mapping(SmasSource.mappings[0])
    assert {spec.schema for spec in mapping.specs.values()} == {expected}


# --- the mapping agrees with the modelled schema ----------------------------------------------------


def test_every_table_and_column_the_mapping_reads_exists_in_the_modelled_schema():
    mapping = Mapping.load(SmasSource.mappings[0])
    tables = {t.name: t for t in schema.TABLES}
    missing = [f"{spec.name}.{column.vendor}" for spec, column in mapping.required()
               if spec.name not in tables or column.vendor not in tables[spec.name].c]
    assert missing == []
    assert {spec.name for spec in mapping.specs.values()} == set(tables)
    assert mapping.id == schema.SCHEMA_ID and mapping.label == schema.LABEL


def test_the_modelled_schema_is_labelled_everywhere():
    for table in schema.TABLES:
        assert table.comment.startswith(schema.LABEL), table.name
        assert table.schema == "dbo"
    assert schema.LABEL in Mapping.load(SmasSource.mappings[0]).path.read_text(encoding="utf-8")


def test_listed_as_a_source_with_version_and_modelled_schema_note(hocba_registry):
    registry = hocba_registry("smas")
    assert registry.get("source", "smas") is SmasSource
    info = registry.plugins["smas"].as_dict()
    assert info["kind"] == "source" and info["version"] and info["error"] is None
    assert "schema: modelled from public information, not vendor-official" in info["notes"]
    assert any("not against a live SQL Server" in note for note in info["notes"])
