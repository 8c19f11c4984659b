"""The vnedu plugin's configuration, listing and check() answers (real MariaDB for the last)."""

from __future__ import annotations

import pytest

from connector.config import resolve_source_config
from connector.errors import ConfigError
from connector.i18n import t

from hocba_vnedu.plugin import VneduSource
from vnedu_db import DELETED_SCHOOL

URL = "mysql+pymysql://hocba_reader@10.0.0.5:3306/vnedu?charset=utf8mb4"
WHERE = "[sources.vnedu_test]"


def resolve(settings: dict) -> dict:
    return resolve_source_config(VneduSource.config_schema, settings, where=WHERE)


@pytest.fixture(autouse=True)
def env_password(monkeypatch):
    monkeypatch.setenv("HOCBA_TEST_VNEDU_PW", "mat-khau-thu-nghiem")


@pytest.mark.parametrize("settings", [
    {"url": URL, "password_env": "HOCBA_TEST_VNEDU_PW"},
    {"host": "10.0.0.5", "port": 3307, "database": "vnedu", "user": "hocba_reader",
     "password_env": "HOCBA_TEST_VNEDU_PW", "schools": ["79000701", "79000702"]},
    {"url": URL, "password_env": "HOCBA_TEST_VNEDU_PW", "connect_timeout": 5, "read_timeout": 60.5,
     "chunk_size": 200, "retries": 2, "timezone": "UTC", "lookback": 0, "include_personal_id": True},
], ids=["url", "host_database_user", "tuning"])
def test_url_or_host_settings_are_accepted(settings):
    resolved = resolve(settings)
    assert resolved["password"] == "mat-khau-thu-nghiem" and "password_env" not in resolved


@pytest.mark.parametrize("settings, field", [
    ({"host": "10.0.0.5", "user": "hocba_reader"}, "database"),
    ({}, "host"),
    ({"url": URL, "host": "10.0.0.5"}, "host"),
    ({"url": URL, "schools": ["79 000"]}, "schools.0"),
    ({"url": URL, "sever": "typo"}, "sever"),
    ({"url": URL, "chunk_size": 0}, "chunk_size"),
], ids=["host_without_database", "nothing", "url_and_host", "bad_school_code", "unknown_setting", "chunk_zero"])
def test_incomplete_or_mixed_settings_are_refused_by_name(settings, field):
    with pytest.raises(ConfigError) as refused:
        resolve(settings)
    assert field.split(".")[0] in refused.value.message("en")


def test_a_password_written_in_the_file_is_refused():
    with pytest.raises(ConfigError) as refused:
        resolve({"url": URL, "password": "mat-khau-thu-nghiem"})
    assert refused.value.key == "config_secret_in_file"


def test_an_unknown_time_zone_is_refused_by_name():
    with pytest.raises(ConfigError) as refused:
        VneduSource({"url": URL, "timezone": "Sao_Hoa/Thu_Do"})
    assert "timezone" in refused.value.message("en")


def test_listed_as_a_source_with_version_and_modelled_schema_note(hocba_registry):
    registry = hocba_registry("vnedu")
    assert registry.get("source", "vnedu") is VneduSource
    info = registry.plugins["vnedu"].as_dict()
    assert info["kind"] == "source" and info["version"] and info["error"] is None
    assert "schema: modelled from public information, not vendor-official" in info["notes"]
    assert any("vnedu-modelled-1" in note for note in info["notes"])


def test_the_ddl_and_the_mapping_say_they_are_modelled():
    from hocba_vnedu.plugin import DDL, MAPPINGS

    assert "MODELLED from public information, not vendor-official" in DDL.read_text("utf-8")
    assert DDL.read_text("utf-8").count("COMMENT='MODELLED from public information, not vendor-official") == 10
    assert "MODELLED from public information, not vendor-official" in MAPPINGS[0].read_text("utf-8")


# --- check(): one distinct, actionable answer per failure ------------------------------------------------


def check_configs(tenant, no_grant_user, partial_grant_user, renamed_column_tenant):
    from connector.testing.servers import free_port

    closed = f"mysql+pymysql://{tenant.ro_user}@127.0.0.1:{free_port()}/{tenant.database}"
    return {
        "sql_unreachable": {"url": closed, "password": tenant.password, "connect_timeout": 3},
        "sql_login_failed": {**tenant.config(), "password": "sai-mat-khau"},
        "sql_database_denied": {"url": tenant.url(password=False).replace(tenant.ro_user, no_grant_user),
                                "password": "khong-quyen"},
        "sql_no_privilege": {"url": tenant.url(password=False).replace(tenant.ro_user, partial_grant_user),
                             "password": "mot-phan"},
        "sql_schema_unknown_column": renamed_column_tenant.config(),
        "sql_school_empty": {**tenant.config(), "schools": [DELETED_SCHOOL]},
        "sql_school_not_found": {**tenant.config(), "schools": ["79999999"]},
    }


@pytest.mark.parametrize("expected", ["sql_unreachable", "sql_login_failed", "sql_database_denied",
                                      "sql_no_privilege", "sql_schema_unknown_column", "sql_school_empty",
                                      "sql_school_not_found"])
def test_check_names_each_failure_distinctly(expected, tenant, no_grant_user, partial_grant_user,
                                             renamed_column_tenant):
    config = check_configs(tenant, no_grant_user, partial_grant_user, renamed_column_tenant)[expected]
    source = VneduSource(config)
    try:
        result = source.check()
    finally:
        source.close()
    assert not result.ok and result.key == expected
    vi, en = result.message("vi"), result.message("en")
    assert vi != en and config["password"] not in vi + en
    if expected == "sql_unreachable":
        assert "127.0.0.1" in en and "firewall" in en
    if expected == "sql_database_denied":
        assert no_grant_user in en and tenant.database in en
    if expected == "sql_no_privilege":
        assert partial_grant_user in en and "ket_qua_nam" in en and "SELECT" in en
    if expected == "sql_schema_unknown_column":
        assert "hoc_sinh" in en and "ho_ten" in en and "vnedu-modelled-1" in en
    if expected in ("sql_school_empty", "sql_school_not_found"):
        assert config["schools"][0] in en


def test_check_ok_names_the_schema_version_and_counts(tenant):
    source = VneduSource(tenant.config())
    try:
        result = source.check()
    finally:
        source.close()
    assert result.ok and result.key == "sql_check_ok"
    assert result.fields["schema"] == "vnedu-modelled-1" and result.fields["schools"] == 3
    assert result.fields["records"] == len(tenant.expected)
    assert "MODELLED" in result.message("vi")


def test_all_sql_messages_exist_in_both_languages():
    from connector.extract.sql import KIND_MESSAGES

    keys = set(KIND_MESSAGES.values()) | {"sql_check_ok", "sql_schema_unknown_table", "sql_schema_unknown_column",
                                          "sql_school_not_found", "sql_school_empty", "sql_source_empty", "sql_database_denied",
                                          "sql_driver_missing", "sql_error"}
    fields = dict(server="s", user="u", database="d", table="t", column="c", expected="e", missing=1, school="x",
                  seconds=1, attempts=2, code=9, schema="v", label="l", schools=1, records=2, driver="dr")
    for key in keys:
        assert t(key, "vi", **fields) != t(key, "en", **fields)
