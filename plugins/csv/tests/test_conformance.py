"""The hocba conformance kit run against the csv source (a bundle exported into tmp_path)."""

from __future__ import annotations

import pytest
from connector.testing import SourceConformance

from csv_helpers import every_field_records
from hocba_csv.source import CsvSource


class TestCsvSourceConformance(SourceConformance):
    source_class = CsvSource
    bad_configs = {
        "missing_path": {"path": "/nowhere/hocba-csv-missing"},
        "no_year_table": lambda good: {"path": good["path"] + "/hoc_sinh.csv"},
        "wrong_delimiter": lambda good: {**good, "delimiter": ";"},
    }

    @pytest.fixture
    def good_config(self, tmp_path):
        CsvSource.export(every_field_records(), str(tmp_path / "bundle"))
        return {"path": str(tmp_path / "bundle"), "include_personal_id": True}

    def export_config(self, destination: str) -> dict:
        return {"path": destination, "include_personal_id": True}
