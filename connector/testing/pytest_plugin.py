"""pytest plugin (entry point ``pytest11: hocba``): loaded in every pytest run where hocba is installed.

It stays small and passive (no autouse fixtures): a header line naming the hocba version the kit
comes from, and the ``hocba_registry`` fixture. The test classes live in :mod:`connector.testing`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest


def pytest_report_header(config) -> str:
    from connector import __version__

    return f"hocba conformance kit: hocba {__version__}"


@pytest.fixture
def hocba_registry(monkeypatch) -> Callable:
    """Factory: ``hocba_registry("myvendor")`` loads a fresh plugin registry with hocba's built-ins and
    only the named installed plugins (as ``HOCBA_LOAD_PLUGINS=myvendor`` would); no names = built-ins only.
    """
    from connector.plugins import load_registry

    def load(*names: str):
        monkeypatch.setenv("HOCBA_LOAD_PLUGINS", ",".join(names))
        return load_registry()

    return load


# --- real database servers (connector/testing/servers.py) ------------------------------------------------
# Session-scoped: one server per test process (each pytest-xdist worker starts its own, on its own free
# port and temp dir), stopped in teardown. A missing binary or driver fails the test with the Debian package
# to install; it never skips silently.


def _provide(start: Callable):
    from connector.testing.servers import ServerUnavailable

    try:
        return start()
    except ServerUnavailable as e:
        pytest.fail(f"test server unavailable: {e}", pytrace=False)


@pytest.fixture(scope="session")
def mariadb_server():
    """A :class:`~connector.testing.servers.MariaDBServer` for the whole session (mariadb-install-db +
    mariadbd in a temp dir, free port on 127.0.0.1). Create your own database and users on it."""
    from connector.testing.servers import MariaDBServer

    server = _provide(MariaDBServer.start)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server():
    """A :class:`~connector.testing.servers.PostgresServer` for the whole session (initdb + pg_ctl in a temp
    dir, as the postgres OS user when root). Create your own database and users on it."""
    from connector.testing.servers import PostgresServer

    server = _provide(PostgresServer.start)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def odbc_config():
    """A private unixODBC configuration (odbcinst.ini in a temp dir naming the Debian MariaDB, PostgreSQL
    and FreeTDS drivers by path), active through ODBCSYSINI for the session; pyodbc importable."""
    from connector.testing.servers import OdbcConfig, require_pyodbc

    config = _provide(OdbcConfig.create)
    _provide(require_pyodbc)
    config.activate()
    yield config
    config.remove()
