"""The source contract: settings, check, discover, cursor, registration, clean-up, docs in step."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from connector.errors import ConfigError, InputError
from connector.extract import SourceState
from connector.plugins import load_registry

from csv_helpers import extract, primary_record, secondary_record
from hocba_csv.source import CsvSource
from hocba_csv.spec import csdl_spec, tables

DOCS = Path(__file__).resolve().parents[3] / "docs" / "csv-format.md"


@pytest.fixture
def bundle(tmp_path):
    CsvSource.export([primary_record(1), primary_record(2), secondary_record(3), secondary_record(4, lop="7B")],
                     str(tmp_path / "bundle"))
    return tmp_path / "bundle"


def test_registered_through_the_entry_point():
    registry = load_registry()
    assert registry.get("source", "csv") is CsvSource
    assert registry.components["source"]["csv"].plugin == "csv"


def test_plugin_uses_only_public_connector_modules():
    allowed = {"connector", "connector.catalogue", "connector.errors", "connector.extract", "connector.hookspecs",
               "connector.log", "connector.model", "connector.text"}
    package = Path(__file__).resolve().parents[1] / "hocba_csv"
    used = {m for f in package.glob("*.py") for m in re.findall(r"^\s*(?:from|import) (connector[\w.]*)",
                                                                   f.read_text(), re.M)}
    assert used <= allowed, used - allowed


@pytest.mark.parametrize("setting, value", [
    ("encoding", "vni"), ("encoding", "klingon"), ("delimiter", ";;"), ("nam_hoc", "năm nay"), ("khoi", "13"),
    ("period", "HK3"), ("include_personal_id", "có lẽ"),
])
def test_bad_settings_are_config_errors(tmp_path, setting, value):
    with pytest.raises(ConfigError) as info:
        CsvSource({"path": str(tmp_path), setting: value})
    assert setting in info.value.message("en") or "VNI" in info.value.message("en") or value in info.value.message("en")


def test_check_ok(bundle):
    result = CsvSource({"path": str(bundle)}).check()
    assert result.ok and result.key == "csv_check_ok" and "ket_qua_nam.csv" in result.message("en")


def test_check_failures_have_distinct_messages(tmp_path):
    def check(**config):
        result = CsvSource({"path": str(tmp_path), **config}).check()
        assert not result.ok
        return result.key, result.message("en")

    assert check(path=str(tmp_path / "nope"))[0] == "csv_path_missing"
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    assert check(path=str(tmp_path / "notes.pdf"))[0] == "csv_path_unsupported"
    assert check()[0] == "csv_no_tables"
    (tmp_path / "hoc_sinh.csv").write_text("Mã học sinh,Họ và tên\nHS1,An\n", encoding="utf-8")
    assert check()[0] == "csv_no_year_table"
    (tmp_path / "ket_qua_nam.csv").write_text("Mã học sinh,Năm học,Lớp\nHS1,2025,3A\n", encoding="utf-8")
    key, message = check()
    assert key == "csv_missing_column" and "ket_qua_nam.csv" in message and "Mã trường" in message
    (tmp_path / "ket_qua_nam.csv").write_bytes(b"")
    key, message = check()
    assert key == "csv_file_empty" and "ket_qua_nam.csv" in message
    (tmp_path / "ket_qua_nam.csv").write_bytes(bytes(range(256)) * 10)
    assert check()[0] == "csv_file_binary"


def test_discover_counts_students_per_class(bundle):
    lop = bundle / "lop.csv"
    lop.write_text(lop.read_text(encoding="utf-8-sig").replace("79000001,,", "79000001,Trường Tiểu học Thái Sơn,"),
                   encoding="utf-8-sig")
    schools = CsvSource({"path": str(bundle)}).discover()
    assert [s.ten for s in schools] == ["Trường Tiểu học Thái Sơn", None]
    summary = {(s.ma_truong, y.nam_hoc, c.lop, c.khoi, c.students) for s in schools for y in s.years for c in y.classes}
    assert summary == {("79000001", "2025-2026", "3A", 3, 2), ("79000002", "2025-2026", "7A0", 7, 1),
                       ("79000002", "2025-2026", "7B", 7, 1)}


def test_cursor_is_the_newest_file_time_and_skips_unchanged_input(bundle):
    source = CsvSource({"path": str(bundle)})
    cursor = source.new_cursor()
    assert cursor and cursor.endswith("+00:00")
    assert list(source.extract(state=SourceState(cursor))) == []
    assert list(source.extract(state=SourceState("9999-12-31T00:00:00+00:00"))) == []
    assert len([m for m in source.extract(state=SourceState("2000-01-01T00:00:00+00:00")) if hasattr(m, "payload")]) == 4
    os.utime(bundle / "lop.csv", None)  # touched after the cursor: read again
    later = os.stat(bundle / "lop.csv").st_mtime + 5
    os.utime(bundle / "lop.csv", (later, later))
    assert len([m for m in source.extract(state=SourceState(cursor)) if hasattr(m, "payload")]) == 4


def test_staging_file_is_deleted(bundle):
    before = set(Path(tempfile.gettempdir()).glob("hocba-csv-*"))
    source = CsvSource({"path": str(bundle)})
    stream = source.extract()
    next(stream)
    staging_dir = source._staging.dir
    assert staging_dir.exists()
    stream.close()  # the consumer stops early
    assert not staging_dir.exists()
    list(source.extract())
    source.close()
    assert set(Path(tempfile.gettempdir()).glob("hocba-csv-*")) <= before


def test_missing_path_is_an_input_error(tmp_path):
    with pytest.raises(InputError):
        list(CsvSource({"path": str(tmp_path / "missing")}).extract())


def test_export_destination_that_is_a_file(tmp_path):
    (tmp_path / "f.csv").write_text("x")
    with pytest.raises(InputError):
        CsvSource.export([primary_record(1)], str(tmp_path / "f.csv"))


def test_header_only_year_table_is_noted(tmp_path):
    (tmp_path / "ket_qua_nam.csv").write_text("Mã học sinh,Họ và tên,Mã trường,Năm học,Lớp,Khối\n", encoding="utf-8")
    records, problems = extract(tmp_path)
    assert records == [] and [(p.key, p.severity) for p in problems] == [("csv_no_data_rows", "warning")]


def test_identical_duplicate_rows_are_a_warning_only(bundle):
    path = bundle / "ket_qua_nam.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    path.write_text("".join(lines + lines[1:2]), encoding="utf-8-sig")
    records, problems = extract(bundle)
    assert len(records) == 4
    assert [(p.key, p.severity, p.row) for p in problems if p.key.startswith("csv_dup")] == [
        ("csv_duplicate_row", "warning", 6)]


def test_problem_messages_carry_no_cell_value(tmp_path):
    (tmp_path / "ket_qua_nam.csv").write_text(
        "Mã học sinh,Họ và tên,Ngày sinh,Mã trường,Năm học,Lớp,Khối\nHS1,Bí Mật,99/99/2016,T,2025,3A,3\n",
        encoding="utf-8")
    _, problems = extract(tmp_path)
    assert problems[0].value == "99/99/2016"
    assert all("99/99" not in p.message(lang) and "Bí Mật" not in p.message(lang) for p in problems
               for lang in ("vi", "en"))


def test_docs_list_every_header_and_message_keys_exist():
    docs = DOCS.read_text(encoding="utf-8")
    for table in tables().values():
        assert f"`{table.name}`" in docs
        for col in table.columns:
            assert (col.numbered_header(1) if col.numbered else col.header) in docs, col.header
    for headers in csdl_spec()["fields"].values():
        assert headers[0] in docs
    from connector.i18n import catalogue

    package = Path(__file__).resolve().parents[1] / "hocba_csv"
    keys = {k for f in package.glob("*.py") for k in re.findall(r'"((?:csv|csdl)_[a-z_0-9]+)"', f.read_text())}
    missing = {k for k in keys if k not in catalogue()} - {"csv_extracted"}
    assert not missing, missing


def test_cli_check_and_discover(bundle):
    hocba = Path(sys.executable).with_name("hocba")
    env = {**os.environ, "HOCBA_LOAD_PLUGINS": "csv"}
    result = subprocess.run([str(hocba), "discover", str(bundle), "--json"], capture_output=True, text=True, env=env)
    assert result.returncode == 0 and '"lop": "3A"' in result.stdout
