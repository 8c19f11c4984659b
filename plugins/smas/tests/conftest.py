"""Fixtures of the smas tests: the SMAS tenant database loaded on the real MariaDB and PostgreSQL servers
that connector/testing/servers.py starts (fixtures ``mariadb_server``, ``postgres_server``, ``odbc_config``),
read through pyodbc + unixODBC with each server's ODBC driver."""

from __future__ import annotations

import itertools

import pytest

from smas_data import load_tenant, read, tenant_records

_names = itertools.count(1)


@pytest.fixture(scope="session")
def tenant_data():
    return tenant_records()


@pytest.fixture(scope="session")
def smas_mariadb(mariadb_server, odbc_config, tenant_data):
    """The tenant on MariaDB, read through the MariaDB ODBC driver (mysql+pyodbc). Do not change it:
    tests that change data use ``fresh_tenant``."""
    tenant = load_tenant(mariadb_server, "smas_shared", tenant_data)
    yield tenant
    tenant.drop()


@pytest.fixture(scope="session")
def smas_postgres(postgres_server, odbc_config, tenant_data):
    """The tenant on PostgreSQL (schema dbo), read through psqlODBC (postgresql+pyodbc)."""
    tenant = load_tenant(postgres_server, "smas_shared", tenant_data)
    yield tenant
    tenant.drop()


@pytest.fixture(params=["mariadb", "postgresql"])
def tenant(request):
    """The shared tenant on each server in turn."""
    return request.getfixturevalue({"mariadb": "smas_mariadb", "postgresql": "smas_postgres"}[request.param])


@pytest.fixture
def fresh_tenant(request, odbc_config):
    """Factory: ``fresh_tenant("mariadb", records)`` loads a database of its own (changed by the test)."""
    made = []

    def make(kind: str, data, *, realism: bool = False):
        server = request.getfixturevalue({"mariadb": "mariadb_server", "postgresql": "postgres_server"}[kind])
        tenant = load_tenant(server, f"smas_t{next(_names)}", list(data), realism=realism)
        made.append(tenant)
        return tenant

    yield make
    for tenant in made:
        tenant.drop()


_extractions: dict[tuple[str, str], tuple] = {}


@pytest.fixture
def extracted(tenant):
    """(records, removals, problems) of one full extraction of the shared tenant, read once per server
    (the tests that only look at the result share it)."""
    key = (tenant.server.kind, tenant.database)
    if key not in _extractions:
        _extractions[key] = read(tenant.config())
    return _extractions[key]
