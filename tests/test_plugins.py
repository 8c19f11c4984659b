"""The plugin host with real installed distributions (dist-info on PYTHONPATH), not mocks."""

from __future__ import annotations

import json
import textwrap

from tests.conftest import run_hocba


def install_fake_dist(root, name: str, module_source: str, version: str = "1.2.3") -> None:
    """A minimal installed distribution: dist-info with an entry point, plus its module."""
    dist = root / f"hocba_{name}-{version}.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: hocba-{name}\nVersion: {version}\n")
    (dist / "entry_points.txt").write_text(f"[hocba]\n{name} = hocba_{name}_mod\n")
    (root / f"hocba_{name}_mod.py").write_text(textwrap.dedent(module_source))


def test_a_broken_plugin_is_reported_and_the_others_still_load(tmp_path):
    install_fake_dist(tmp_path, "broken", "raise ImportError('needs a library that is missing')\n")
    proc = run_hocba("plugins", "--json", env={"PYTHONPATH": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    plugins = {p["name"]: p for p in json.loads(proc.stdout)}
    assert "ImportError" in plugins["broken"]["error"]
    assert plugins["csv"]["error"] is None and plugins["csv"]["kind"] == "source"


def test_third_party_source_registers_like_the_builtin_ones(tmp_path):
    install_fake_dist(tmp_path, "acme", """
        from connector.extract import Source, CheckResult
        from connector.hookspecs import hookimpl

        class Acme(Source):
            name = "acme"
            description = "ACME school software"
            def check(self):
                return CheckResult(True, "check_ok")

        @hookimpl
        def register_sources(register):
            register(Acme)
    """)
    env = {"PYTHONPATH": str(tmp_path)}
    listed = {p["name"]: p for p in json.loads(run_hocba("plugins", "--json", env=env).stdout)}
    assert listed["acme"]["version"] == "1.2.3" and listed["acme"]["components"] == ["source:acme"]
    proc = run_hocba("check", "--plugin", "acme", "--lang", "en", env=env)
    assert proc.returncode == 0 and "can be reached" in proc.stdout


def test_two_plugins_cannot_claim_one_name(tmp_path):
    install_fake_dist(tmp_path, "clash", """
        from connector.extract import Source
        from connector.hookspecs import hookimpl

        class Clash(Source):
            name = "csv"

        @hookimpl
        def register_sources(register):
            register(Clash)
    """)
    proc = run_hocba("plugins", "--json", env={"PYTHONPATH": str(tmp_path), "HOCBA_LANG": "en"})
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    plugins = {p["name"]: p for p in json.loads(proc.stdout)}
    # Entry points load in name order: the second claimant is reported, not silently shadowed.
    assert '"csv"' in plugins["csv"]["error"] and "clash" in plugins["csv"]["error"]
    assert plugins["clash"]["components"] == ["source:csv"]


def test_plugin_commands_join_the_cli(tmp_path):
    install_fake_dist(tmp_path, "cmd", """
        import click
        from connector.hookspecs import hookimpl

        @hookimpl
        def register_commands(cli):
            @cli.command()
            def hello():
                "Say hello."
                click.echo("xin chào")
    """)
    proc = run_hocba("hello", env={"PYTHONPATH": str(tmp_path)})
    assert proc.returncode == 0 and "xin chào" in proc.stdout
