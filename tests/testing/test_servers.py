"""The real-server test infrastructure (connector/testing/servers.py and its fixtures): servers start and
stop without leftovers, users get exactly the privileges asked for, a connection killed server-side is
gone, pyodbc reaches both servers through the private unixODBC configuration, text survives byte-exact."""

from __future__ import annotations

import unicodedata

import psutil
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from connector.testing import servers
from connector.testing.servers import MariaDBServer, OdbcConfig, PostgresServer, ServerUnavailable

NAME = unicodedata.normalize("NFC", "Nguyễn Thị Ánh Tuyết — Đặng Ữ Ỹ")


def _processes_using(path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if any(str(path) in part for part in proc.info["cmdline"] or ()):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


@pytest.fixture(scope="module", params=["mariadb", "postgresql"])
def server(request):
    return request.getfixturevalue({"mariadb": "mariadb_server", "postgresql": "postgres_server"}[request.param])


@pytest.fixture(scope="module")
def database(server, odbc_config):
    name = server.create_database("infra_check")
    server.create_user("infra_rw", "rw-pass", name)
    server.create_user("infra_ro", "ro-pass", name, read_only=True)
    engine = create_engine(server.url("infra_rw", "rw-pass", name, driver="pyodbc"))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE hoc_sinh (id INTEGER PRIMARY KEY, ho_ten VARCHAR(100))"))
        conn.execute(text("INSERT INTO hoc_sinh VALUES (1, :name)"), {"name": NAME})
    engine.dispose()
    yield name
    server.drop_database(name)
    for user in ("infra_rw", "infra_ro"):
        server.drop_user(user)


def test_odbc_config_names_the_debian_drivers_by_path(odbc_config):
    pyodbc = servers.require_pyodbc()
    ini = (odbc_config.directory / "odbcinst.ini").read_text()
    for name, path in odbc_config.drivers.items():
        assert f"[{name}]" in ini and f"Driver={path}" in ini
        assert name in pyodbc.drivers()


def test_read_only_user_reads_text_byte_exact_through_pyodbc(server, database):
    engine = create_engine(server.url("infra_ro", "ro-pass", database, driver="pyodbc"))
    with engine.connect() as conn:
        found = conn.execute(text("SELECT ho_ten FROM hoc_sinh WHERE id = 1")).scalar()
    engine.dispose()
    assert found.encode("utf-8") == NAME.encode("utf-8")


def test_read_only_user_cannot_write(server, database):
    engine = create_engine(server.url("infra_ro", "ro-pass", database, driver="pyodbc"))
    with engine.connect() as conn, pytest.raises(DBAPIError) as refused:
        conn.execute(text("INSERT INTO hoc_sinh VALUES (2, 'x')"))
    engine.dispose()
    assert "denied" in str(refused.value).lower()


def test_wrong_password_is_refused(server, database):
    engine = create_engine(server.url("infra_ro", "not-the-password", database, driver="pyodbc"))
    with pytest.raises(DBAPIError):
        engine.connect()
    engine.dispose()


def test_kill_connection_ends_that_connection_server_side(server, database):
    engine = create_engine(server.url("infra_ro", "ro-pass", database, driver="pyodbc"))
    conn = engine.connect()
    conn.execute(text("SELECT 1")).scalar()
    ids = server.connection_ids("infra_ro")
    assert len(ids) == 1
    server.kill_connection(ids[0])
    with pytest.raises(DBAPIError) as gone:
        conn.execute(text("SELECT ho_ten FROM hoc_sinh")).all()
    # SQLSTATE of a dropped connection: MariaDB 08S01 (server has gone away), PostgreSQL 57P01 (terminated)
    assert gone.value.orig.args[0] in ("08S01", "57P01")
    conn.invalidate()  # a rollback on the dead connection would raise again
    conn.close()
    engine.dispose()
    assert server.connection_ids("infra_ro") == []


@pytest.mark.parametrize("server_class", [MariaDBServer, PostgresServer], ids=["mariadb", "postgresql"])
def test_stop_leaves_no_process_and_no_directory(server_class):
    started = server_class.start()
    root = started.root
    assert started.running and _processes_using(root)
    started.stop()
    assert not started.running
    assert _processes_using(root) == []
    assert not root.exists()


def test_missing_binary_names_the_debian_package(monkeypatch):
    monkeypatch.setattr(servers.shutil, "which", lambda name: None)
    with pytest.raises(ServerUnavailable, match="mariadb-server"):
        MariaDBServer.start()


def test_missing_odbc_driver_names_the_debian_package(monkeypatch):
    monkeypatch.setattr(servers.glob, "glob", lambda pattern: [])
    with pytest.raises(ServerUnavailable, match="odbc-mariadb"):
        OdbcConfig.create()


def test_odbc_values_with_separators_are_braced():
    assert servers.odbc_string(DRIVER="X", PWD="a;b}c", UID="u") == "DRIVER={X};PWD={a;b}}c};UID=u"
