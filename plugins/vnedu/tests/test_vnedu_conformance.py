"""The hocba conformance kit against the vnedu source on a real MariaDB (SELECT-only account)."""

from __future__ import annotations

import pytest

from connector.extract import Record
from connector.model import canonical_json
from connector.testing import SourceConformance

from hocba_vnedu.plugin import VneduSource
from vnedu_db import DELETED_SCHOOL, extract


class TestVneduSource(SourceConformance):
    source_class = VneduSource

    @pytest.fixture
    def good_config(self, tenant):
        return tenant.config()

    @pytest.fixture
    def bad_configs(self, tenant, no_grant_user, partial_grant_user, renamed_column_tenant):
        from connector.testing.servers import free_port

        closed = f"mysql+pymysql://{tenant.ro_user}@127.0.0.1:{free_port()}/{tenant.database}"
        return {
            "wrong_host": {"url": closed, "password": tenant.password, "connect_timeout": 3},
            "wrong_password": {**tenant.config(), "password": "sai-mat-khau"},
            "unknown_database": {**tenant.config(), "url": tenant.url(password=False).replace(tenant.database, "khong_co")},
            "no_access_to_database": {"url": tenant.url(password=False).replace(tenant.ro_user, no_grant_user),
                                      "password": "khong-quyen"},
            "missing_table_privilege": {"url": tenant.url(password=False).replace(tenant.ro_user, partial_grant_user),
                                        "password": "mot-phan"},
            "unknown_schema_version": renamed_column_tenant.config(),
            "empty_school": {**tenant.config(), "schools": [DELETED_SCHOOL]},
            "unknown_school": {**tenant.config(), "schools": ["79999999"]},
        }

    def test_export_round_trips(self, records, fresh_tenant):
        """export() writes into a database (a SQLAlchemy URL), not a folder: the kit's round trip, on a
        database of its own."""
        copy = fresh_tenant([r.payload for r in records])
        again, _, problems = extract(copy.config())
        assert not problems
        before = {r.payload.key: canonical_json(r.payload) for r in records}
        after = {k: canonical_json(r.payload) for k, r in again.items()}
        assert before == after
        assert all(isinstance(r, Record) for r in again.values())
