"""The conformance kit (connector.testing) on the smas plugin, against the tenant on MariaDB through the
MariaDB ODBC driver and on PostgreSQL through psqlODBC."""

from __future__ import annotations

import pytest

from connector.testing import SourceConformance
from connector.testing.servers import free_port

from hocba_smas.plugin import SmasSource
from smas_data import EMPTY_SCHOOL


def _wrong_password(config: dict) -> dict:
    return {**config, "password": "not-the-password"}


def _closed_port(config: dict) -> dict:
    return {"driver": "hocba-test FreeTDS", "server": f"127.0.0.1,{free_port()}", "database": "SMAS",
            "user": "hocba_reader", "password": "x", "encrypt": False}


class _SmasKit(SourceConformance):
    source_class = SmasSource
    max_records = 40  # the kit reads many times; 40 records cover every framework of the tenant
    bad_configs = {
        "wrong_password": _wrong_password,
        "unknown_school": lambda config: {**config, "schools": ["79999999"]},
        "empty_school": lambda config: {**config, "schools": [EMPTY_SCHOOL]},
        "sql_server_not_reachable": _closed_port,
    }

    def export_config(self, destination: str) -> dict:
        return {"url": f"sqlite:///{destination}"}  # export() writes a SQLite file for a path


class TestSmasConformanceMariaDB(_SmasKit):
    @pytest.fixture
    def good_config(self, smas_mariadb):
        return smas_mariadb.config()


class TestSmasConformancePostgreSQL(_SmasKit):
    @pytest.fixture
    def good_config(self, smas_postgres):
        return smas_postgres.config()
