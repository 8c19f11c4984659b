"""The kit's individual checks (connector.testing.checks) on small inputs."""

from __future__ import annotations

import unicodedata

import pytest

from connector.extract import CheckResult, Problem, Removal
from connector.testing import checks


@pytest.mark.parametrize("name", [
    "password", "db_password", "dbPassword", "DB-PASSWD", "api_token", "accessToken", "client_secret",
    "pin", "sim_pin", "pwd", "api_key", "privateKey", "passphrase", "credentials",
])
def test_names_that_look_secret(name):
    assert checks.looks_secret(name)


@pytest.mark.parametrize("name", ["path", "host", "shipping", "spinner", "schools", "keyword", "user", "url"])
def test_names_that_do_not_look_secret(name):
    assert not checks.looks_secret(name)


def test_secrets_are_found_in_nested_and_combined_schemas():
    schema = {
        "type": "object",
        "properties": {
            "password": {"type": "string", "secret": True, "writeOnly": True},
            "server": {"type": "object", "properties": {"token": {"type": "string"}}},
            "pin": {"type": "string", "secret": True},
            "api_key": {"type": "string", "secret": True, "writeOnly": True, "default": "abc"},
        },
        "anyOf": [{"properties": {"client_secret": {"type": "string"}}}],
    }
    complaints = checks.unmarked_secrets(schema)
    assert [c.split(":")[0] for c in complaints] == ["server.token", "pin", "api_key", "client_secret"]


def test_a_fully_marked_schema_has_no_complaints():
    schema = {"type": "object", "properties": {
        "user": {"type": "string"}, "password": {"type": "string", "secret": True, "writeOnly": True}}}
    assert checks.unmarked_secrets(schema) == [] and checks.config_schema_problems(schema) == []


@pytest.mark.parametrize("schema, phrase", [
    ({"type": "objekt"}, "not valid JSON Schema"),
    ({"properties": {"x": {"type": "string"}}}, '"type": "object"'),
    ([], "must be a dict"),
])
def test_invalid_config_schemas_are_named(schema, phrase):
    assert phrase in checks.config_schema_problems(schema)[0]


def test_config_problems_name_the_setting_not_the_value():
    schema = {"type": "object", "properties": {"port": {"type": "integer"}}, "required": ["host"]}
    complaints = checks.config_problems(schema, {"port": "sekret-port"})
    assert any("at port: fails 'type'" in c for c in complaints)
    assert any("fails 'required'" in c for c in complaints)
    assert not any("sekret-port" in c for c in complaints)


def test_non_nfc_paths_include_keys_and_list_items():
    nfd = unicodedata.normalize("NFD", "Lê")
    found = list(checks.non_nfc_paths({"a": [nfd, "ok"], nfd: 1, "b": {"c": "Lê"}}))
    assert found == ["$.a[0]", "$ (key)"]


def test_check_results_must_be_rendered_in_both_languages_and_hide_secrets():
    assert checks.check_result_problems(CheckResult(True, "check_ok"), expect_ok=True) == []
    assert "ok=False" in checks.check_result_problems(CheckResult(True, "check_ok"), expect_ok=False)[0]
    missing_field = checks.check_result_problems(CheckResult(False, "source_path_not_found"), expect_ok=False)
    assert "needs field 'path'" in missing_field[0]
    leaking = CheckResult(False, "source_path_not_found", {"path": "/srv/mat-khau-123"})
    assert checks.check_result_problems(leaking, expect_ok=False, secrets=["mat-khau-123"])
    assert "must return a CheckResult" in checks.check_result_problems(None, expect_ok=True)[0]


def test_problems_and_removals_need_known_keys_severities_and_reasons():
    assert checks.problem_problems(Problem("source_value_invalid", file="a.csv", row=2, column="x")) == []
    assert checks.problem_problems(Problem("source_value_invalid", severity="fatal"))
    assert checks.problem_problems(Problem("no_such_key"))
    assert checks.removal_problems(Removal("k", "chuyen_di")) == []
    assert checks.removal_problems(Removal("k", "gone"))


def test_duplicate_keys_are_listed_once():
    assert checks.duplicate_keys(["a", "b", "a", "a", "c", "b"]) == ["a", "b"]


def test_the_version_of_an_installed_plugin_comes_from_its_distribution():
    from importlib.metadata import version

    from connector.deliver.jsonl import JsonlSink

    assert checks.plugin_version(JsonlSink) == version("hocba")
