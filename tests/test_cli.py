"""The command line as users meet it: exit codes, languages, configuration errors, no tracebacks."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_hocba


def assert_clean_failure(proc, code=2):
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stdout + proc.stderr


def test_plugins_json_lists_the_three_sources():
    proc = run_hocba("plugins", "--json")
    assert proc.returncode == 0, proc.stderr
    plugins = {p["name"]: p for p in json.loads(proc.stdout)}
    for name in ("csv", "vnedu", "smas"):
        assert plugins[name]["kind"] == "source", plugins[name]
        assert plugins[name]["version"] == "0.1.0"
        assert plugins[name]["error"] is None
        assert "register_sources" in plugins[name]["hooks"]
    core = plugins["hocba"]
    assert {"sink:jsonl", "rule_pack:tt22", "rule_pack:tt27", "rule_pack:identity"} <= set(core["components"])
    assert any("modelled" in note for note in plugins["vnedu"]["notes"])


def test_blocked_plugins_are_not_loaded():
    proc = run_hocba("plugins", "--json", env={"HOCBA_LOAD_PLUGINS": "csv"})
    names = {p["name"] for p in json.loads(proc.stdout)}
    assert names == {"hocba", "csv"}


def test_no_source_is_a_usage_error_in_both_languages():
    vi = run_hocba("validate")
    assert_clean_failure(vi)
    assert "Chưa chọn nguồn dữ liệu" in vi.stderr
    en = run_hocba("validate", "--lang", "en")
    assert_clean_failure(en)
    assert "No source chosen" in en.stderr


def test_missing_config_file(tmp_path):
    proc = run_hocba("validate", "--config", str(tmp_path / "nope.toml"), "--source", "x")
    assert_clean_failure(proc)
    assert "nope.toml" in proc.stderr


def test_broken_toml_names_the_file(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[sources.a\nplugin=", encoding="utf-8")
    proc = run_hocba("check", "--config", str(cfg), "--source", "a", "--lang", "en")
    assert_clean_failure(proc)
    assert "c.toml" in proc.stderr and "TOML" in proc.stderr


def test_unknown_source_lists_configured_ones(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[sources.truong_a]\nplugin = "csv"\npath = "x"\n', encoding="utf-8")
    proc = run_hocba("check", "--config", str(cfg), "--source", "truong_b", "--lang", "en")
    assert_clean_failure(proc)
    assert "truong_b" in proc.stderr and "truong_a" in proc.stderr


def test_unknown_plugin_lists_available(tmp_path):
    proc = run_hocba("check", "--plugin", "misa", "--lang", "en")
    assert_clean_failure(proc)
    assert "misa" in proc.stderr and "csv" in proc.stderr


def test_secret_written_in_the_file_is_refused(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[sources.v]\nplugin = "vnedu"\nurl = "mysql+pymysql://u@h/db"\npassword = "hunter2-secret"\n',
                   encoding="utf-8")
    proc = run_hocba("check", "--config", str(cfg), "--source", "v", "--lang", "en")
    assert_clean_failure(proc)
    assert "password_env" in proc.stderr
    assert "hunter2-secret" not in proc.stdout + proc.stderr


def test_secret_env_variable_must_exist(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[sources.v]\nplugin = "vnedu"\nurl = "mysql+pymysql://u@h/db"\npassword_env = "HOCBA_T_PW"\n',
                   encoding="utf-8")
    proc = run_hocba("check", "--config", str(cfg), "--source", "v", "--lang", "en")
    assert_clean_failure(proc)
    assert "HOCBA_T_PW" in proc.stderr


def test_bad_set_option():
    proc = run_hocba("check", "--plugin", "csv", "--set", "novalue", "--lang", "en")
    assert_clean_failure(proc)
    assert "key=value" in proc.stderr


@pytest.mark.parametrize("command", ["plugins", "check", "discover", "extract", "validate", "generate", "new-plugin"])
def test_every_command_has_help(command):
    proc = run_hocba(command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert "Usage:" in proc.stdout
