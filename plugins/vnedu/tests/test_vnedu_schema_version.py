"""An unknown vnEdu schema version: `hocba check` and `hocba extract` exit 2 and name the table, the
column and the schema version they expected."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from connector.cli import cli
from connector.errors import SourceError
from connector.synth import generate_school

from hocba_vnedu.plugin import VneduSource
from vnedu_db import PASSWORD_ENV


@pytest.fixture(scope="module")
def few_records():
    return list(generate_school(61, level="thcs", students=4, ma_truong="79000601"))


def command(t, tmp_path, monkeypatch, name: str, lang: str) -> tuple[int, str]:
    monkeypatch.setenv(PASSWORD_ENV, t.password)
    config = tmp_path / "hocba.toml"
    config.write_text(f'[sources.vn]\nplugin = "vnedu"\nurl = "{t.url(password=False)}"\n'
                      f'password_env = "{PASSWORD_ENV}"\n', encoding="utf-8")
    args = [name, "--source", "vn", "--config", str(config), "--lang", lang]
    if name == "extract":
        args += ["-o", str(tmp_path / "out.jsonl")]
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.output


@pytest.mark.parametrize("name", ["check", "extract", "discover"])
def test_a_renamed_column_exits_2_naming_table_column_and_expected_version(name, fresh_tenant, few_records,
                                                                           tmp_path, monkeypatch):
    t = fresh_tenant(few_records)
    t.execute("ALTER TABLE diem_hoc_ky RENAME COLUMN tbm TO diem_tb_mon")
    for lang in ("en", "vi"):
        code, output = command(t, tmp_path, monkeypatch, name, lang)
        assert code == 2, output
        assert "diem_hoc_ky" in output and "tbm" in output and "vnedu-modelled-1" in output
        assert "Traceback" not in output and t.password not in output
    assert "column" in command(t, tmp_path, monkeypatch, name, "en")[1]
    assert "cột" in command(t, tmp_path, monkeypatch, name, "vi")[1]


def test_a_missing_table_is_named(fresh_tenant, few_records, tmp_path, monkeypatch):
    t = fresh_tenant(few_records)
    t.execute("RENAME TABLE hoc_ba TO hoc_ba_dien_tu")
    code, output = command(t, tmp_path, monkeypatch, "check", "en")
    assert code == 2 and "hoc_ba" in output and "table" in output and "vnedu-modelled-1" in output


def test_the_healthy_schema_checks_ok_with_exit_0(fresh_tenant, few_records, tmp_path, monkeypatch):
    t = fresh_tenant(few_records)
    code, output = command(t, tmp_path, monkeypatch, "check", "en")
    assert code == 0 and "vnedu-modelled-1" in output and "MODELLED" in output


def test_the_error_names_the_closest_version_among_several(fresh_tenant, few_records, tmp_path):
    """With two supported versions, the message names the one the database is closest to; a database
    matching the second version is read with it."""
    from hocba_vnedu.plugin import MAPPINGS

    text = MAPPINGS[0].read_text("utf-8")
    older = tmp_path / "vnedu-older.toml"
    older.write_text(text.replace('id = "vnedu-modelled-1"', 'id = "vnedu-modelled-0"')
                     .replace('tb = { column = "tbm", normalise = "score" }', 'tb = { column = "tb_mon", normalise = "score" }'),
                     encoding="utf-8")

    class TwoVersions(VneduSource):
        mappings = (MAPPINGS[0], older)

    t = fresh_tenant(few_records)
    t.execute("ALTER TABLE diem_hoc_ky RENAME COLUMN tbm TO tb_mon")
    source = TwoVersions({"url": t.url(password=False), "password": t.password})
    try:
        assert source.mapping().id == "vnedu-modelled-0" and source.check().ok
    finally:
        source.close()
    t.execute("ALTER TABLE diem_hoc_ky RENAME COLUMN ket_qua_nx TO kq")
    source = TwoVersions({"url": t.url(password=False), "password": t.password})
    try:
        with pytest.raises(SourceError) as raised:
            source.mapping()
    finally:
        source.close()
    assert raised.value.fields["expected"] == "vnedu-modelled-0" and raised.value.fields["column"] == "ket_qua_nx"
