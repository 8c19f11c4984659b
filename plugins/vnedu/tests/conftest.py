"""Fixtures of the vnedu tests: vnEdu tenant databases on the real MariaDB that the suite starts itself
(``mariadb_server``, connector/testing/servers.py). See vnedu_db.py for what the tenant holds."""

from __future__ import annotations

import pytest

from vnedu_db import PASSWORD_ENV, new_tenant, shared_tenant


@pytest.fixture(scope="session")
def tenant(mariadb_server):
    """The shared tenant (several schools and years, legacy year, soft deletes, class change). Read-only:
    tests that change data use ``fresh_tenant``."""
    made = shared_tenant(mariadb_server)
    yield made
    mariadb_server.drop_database(made.database)


@pytest.fixture
def fresh_tenant(mariadb_server):
    """Factory: ``fresh_tenant(records)`` loads a database of its own, dropped after the test."""
    made = []

    def make(records, **kw):
        made.append(new_tenant(mariadb_server, records, **kw))
        return made[-1]

    yield make
    for t in made:
        mariadb_server.drop_database(t.database)


@pytest.fixture
def password_env(monkeypatch, tenant):
    """The tenant's password in the environment variable a configuration file names (password_env)."""
    monkeypatch.setenv(PASSWORD_ENV, tenant.password)
    return PASSWORD_ENV


@pytest.fixture(scope="session")
def no_grant_user(mariadb_server, tenant):
    """An account that can log in but was granted nothing on the tenant database."""
    name = f"vn_nogrant_{tenant.database}"[:32]
    mariadb_server.admin(f"CREATE USER `{name}`@'%' IDENTIFIED BY 'khong-quyen'")
    return name


@pytest.fixture(scope="session")
def renamed_column_tenant(mariadb_server, tenant):
    """A database whose schema is another version: hoc_sinh.ho_ten renamed."""
    made = new_tenant(mariadb_server, [next(iter(tenant.expected.values()))])
    made.execute("ALTER TABLE hoc_sinh RENAME COLUMN ho_ten TO ho_va_ten")
    yield made
    mariadb_server.drop_database(made.database)


@pytest.fixture(scope="session")
def partial_grant_user(mariadb_server, tenant):
    """An account with SELECT on every table but ket_qua_nam (a DBA who forgot one)."""
    name = f"vn_part_{tenant.database}"[:32]
    tables = [r[0] for r in mariadb_server.admin("SHOW TABLES", tenant.database) if r[0] != "ket_qua_nam"]
    grants = "; ".join(f"GRANT SELECT ON `{tenant.database}`.`{t}` TO `{name}`@'%'" for t in tables)
    mariadb_server.admin(f"CREATE USER `{name}`@'%' IDENTIFIED BY 'mot-phan'; {grants}")
    return name
