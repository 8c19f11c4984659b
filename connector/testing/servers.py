"""Real database servers for tests: MariaDB and PostgreSQL started in a temporary directory, plus a
unixODBC configuration naming the Debian ODBC drivers (domain brief 09 §1–§4).

Nothing here needs a system service: each server is initialised in its own ``mkdtemp`` directory,
listens on a free port on 127.0.0.1 (and a unix socket in that directory), and is stopped and removed by
:meth:`stop` (the pytest fixtures call it in teardown; an ``atexit`` hook is the safety net when a test
process dies). Any plugin's tests can use the classes directly or the session fixtures that
:mod:`connector.testing.pytest_plugin` exposes (``mariadb_server``, ``postgres_server``, ``odbc_config``).

Administration (databases, users, killing a connection) goes through the servers' own command-line
clients over the unix socket as the superuser, so this module needs no Python database driver.

When a server's binaries are missing, :class:`ServerUnavailable` says which Debian package to install
(``make test`` installs scripts/system-packages.txt first); the fixtures turn it into a test failure,
never a silent skip.
"""

from __future__ import annotations

import atexit
import getpass
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus

READY_TIMEOUT = 30.0  # seconds for a server to accept connections; a cold start takes < 2 s here
STOP_TIMEOUT = 30.0
HOST = "127.0.0.1"


class ServerUnavailable(RuntimeError):
    """A server or driver cannot be provided on this machine (binary missing, failed to start)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until(ready: Callable[[], bool], timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.05)
    tail = _tail(log) if log else ""
    raise ServerUnavailable(f"{what} not ready after {timeout:.0f} s{tail}")


def _tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n--- " + str(log) + " ---\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _require(binary: str, package: str) -> str:
    path = shutil.which(binary)
    if not path:
        raise ServerUnavailable(
            f"{binary} not found: install the Debian package {package} "
            f"(`make test` installs everything in scripts/system-packages.txt)"
        )
    return path


def _run(args: list[str], *, what: str, user: str | None = None, **kw) -> subprocess.CompletedProcess:
    if user:
        args = ["runuser", "-u", user, "--", *args]
    done = subprocess.run(args, capture_output=True, text=True, **kw)
    if done.returncode != 0:
        raise ServerUnavailable(f"{what} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    return done


def _sql_literal(value: str) -> str:
    """A quoted SQL string literal for the few admin statements built here (test-controlled values)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def _userinfo(user: str, password: str | None) -> str:
    """``user:password`` for a URL (``user`` alone when the password is given separately)."""
    return quote(user, safe="") + ("" if password is None else ":" + quote(password, safe=""))


def odbc_value(value: str) -> str:
    """A value for an ODBC connection string: braced when it holds characters that end or start a value."""
    if any(c in value for c in ";{}=") or value != value.strip():
        return "{" + value.replace("}", "}}") + "}"
    return value


def odbc_string(**attrs: object) -> str:
    """``DRIVER={x};SERVER=…`` from keyword arguments, in order, None values left out."""
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        text = str(value)
        parts.append(f"{key}={{{text}}}" if key == "DRIVER" else f"{key}={odbc_value(text)}")
    return ";".join(parts)


# --- the servers -------------------------------------------------------------------------------------


@dataclass
class DatabaseServer:
    """What both servers share: a temp directory, a process, a port, and a superuser admin channel."""

    root: Path
    port: int
    process: subprocess.Popen | None = None
    _writers: dict[str, list[str]] = field(default_factory=dict)

    kind = "server"
    odbc_driver = ""  # the driver name in the odbcinst.ini written by OdbcConfig

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        raise NotImplementedError

    def _cleanup_dir(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _kill_process(self) -> None:
        """Last resort after a clean stop failed: SIGKILL the server's process group."""
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(STOP_TIMEOUT)


class MariaDBServer(DatabaseServer):
    """``mariadb-install-db`` + ``mariadbd`` in a temp dir (brief 09 §2). ``root`` has no password and
    is reachable over the unix socket only as used here; tests use the users they create."""

    kind = "mariadb"
    odbc_driver = "hocba-test MariaDB"

    @classmethod
    def start(cls) -> "MariaDBServer":
        mariadbd = _require("mariadbd", "mariadb-server")
        install_db = _require("mariadb-install-db", "mariadb-server")
        _require("mariadb", "mariadb-client (comes with mariadb-server)")
        root = Path(tempfile.mkdtemp(prefix="hocba-mariadb-"))
        server = cls(root=root, port=free_port())
        _live.append(server)
        try:
            user = getpass.getuser()
            _run([install_db, "--no-defaults", f"--datadir={root / 'data'}", f"--user={user}",
                  "--auth-root-authentication-method=normal", "--skip-test-db"],
                 what="mariadb-install-db", timeout=120)
            log = root / "err.log"
            (root / "tmp").mkdir()  # private: /tmp is shared with other servers whose temp file names may collide
            server.process = subprocess.Popen(
                [mariadbd, "--no-defaults", f"--datadir={root / 'data'}", f"--socket={server.socket}",
                 f"--port={server.port}", f"--bind-address={HOST}", f"--pid-file={root / 'mysqld.pid'}",
                 f"--user={user}", f"--tmpdir={root / 'tmp'}", "--skip-log-bin", "--skip-name-resolve",
                 "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=8M",
                 "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
                 f"--log-error={log}"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            )
            wait_until(lambda: server._ping() or not server.running, READY_TIMEOUT, "mariadbd", log)
            if not server.running:
                raise ServerUnavailable("mariadbd exited during start-up" + _tail(log))
        except BaseException:
            server.stop()
            raise
        return server

    @property
    def socket(self) -> Path:
        return self.root / "mysqld.sock"

    def _ping(self) -> bool:
        return subprocess.run(["mariadb-admin", "--no-defaults", f"--socket={self.socket}", "-uroot", "ping"],
                              capture_output=True).returncode == 0

    def admin(self, sql: str, database: str | None = None) -> list[list[str]]:
        """Run SQL as root over the socket; rows of the last result as lists of strings."""
        args = ["mariadb", "--no-defaults", f"--socket={self.socket}", "-uroot", "-N", "-B", "-e", sql]
        if database:
            args.append(database)
        out = _run(args, what=f"mariadb admin statement ({sql[:60]}…)").stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def create_database(self, name: str) -> str:
        self.admin(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        return name

    def drop_database(self, name: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS `{name}`")

    def create_user(self, name: str, password: str, database: str, *, read_only: bool = False) -> str:
        """A login for ``database``: every privilege on it, or SELECT only (tables created later too)."""
        privileges = "SELECT" if read_only else "ALL PRIVILEGES"
        self.admin(f"CREATE USER `{name}`@'%' IDENTIFIED BY {_sql_literal(password)};"
                   f" GRANT {privileges} ON `{database}`.* TO `{name}`@'%'")
        return name

    def drop_user(self, name: str, database: str | None = None) -> None:
        """Remove a login made by :meth:`create_user` (``database`` is not needed on MariaDB)."""
        self.admin(f"DROP USER IF EXISTS `{name}`@'%'")

    def connection_ids(self, user: str | None = None) -> list[int]:
        where = f" WHERE USER = {_sql_literal(user)}" if user else ""
        return [int(r[0]) for r in self.admin(f"SELECT ID FROM information_schema.PROCESSLIST{where}")]

    def kill_connection(self, connection_id: int) -> None:
        """End one client connection server-side, as a crash or a DBA would (``KILL CONNECTION``)."""
        self.admin(f"KILL CONNECTION {int(connection_id)}")

    def url(self, user: str, password: str | None, database: str, *, driver: str = "pymysql") -> str:
        """SQLAlchemy URL over TCP: ``pymysql`` or ``pyodbc`` (through the ODBC driver of OdbcConfig).
        ``password=None`` leaves it out (a source configuration then gives it separately)."""
        if driver == "pyodbc":
            return "mysql+pyodbc:///?odbc_connect=" + quote_plus(self.odbc_connect(user, password, database))
        return f"mysql+{driver}://{_userinfo(user, password)}@{HOST}:{self.port}/{database}?charset=utf8mb4"

    def odbc_connect(self, user: str, password: str | None, database: str) -> str:
        return odbc_string(DRIVER=self.odbc_driver, SERVER=HOST, PORT=self.port, DATABASE=database,
                           UID=user, PWD=password, CHARSET="utf8mb4")

    def stop(self) -> None:
        if self.running:
            subprocess.run(["mariadb-admin", "--no-defaults", f"--socket={self.socket}", "-uroot", "shutdown"],
                           capture_output=True, timeout=STOP_TIMEOUT)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._kill_process()
        self._cleanup_dir()
        _forget(self)


def _postgres_bin(name: str) -> str:
    """/usr/lib/postgresql/<newest>/bin/<name> (Debian keeps the server binaries off PATH)."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if candidates:
        return candidates[-1]
    return _require(name, "postgresql")


class PostgresServer(DatabaseServer):
    """``initdb`` + ``pg_ctl`` in a temp dir (brief 09 §4); as root they run as the ``postgres`` OS user.

    Local (socket) connections are trusted, so the superuser administers without a password; TCP logins
    need a password (scram-sha-256), so wrong credentials are refused as on a real server."""

    kind = "postgresql"
    odbc_driver = "hocba-test PostgreSQL"

    os_user: str | None = None

    @classmethod
    def start(cls) -> "PostgresServer":
        initdb, pg_ctl = _postgres_bin("initdb"), _postgres_bin("pg_ctl")
        _require("psql", "postgresql-client (comes with postgresql)")
        os_user = None
        if os.geteuid() == 0:  # initdb refuses to run as root
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise ServerUnavailable("running as root needs the postgres OS user: install the Debian package "
                                        "postgresql (`make test` installs scripts/system-packages.txt)") from None
            os_user = "postgres"
        root = Path(tempfile.mkdtemp(prefix="hocba-pg-"))
        server = cls(root=root, port=free_port())
        server.os_user = os_user
        _live.append(server)
        try:
            if os_user:
                shutil.chown(root, user=os_user, group=os_user)
            _run([initdb, "-D", str(root / "data"), "-U", "postgres", "--auth-local=trust",
                  "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"],
                 what="initdb", user=os_user, timeout=120)
            log = root / "pg.log"
            options = f"-c listen_addresses={HOST} -p {server.port} -k {root} -c fsync=off -c shared_buffers=32MB"
            _run([pg_ctl, "-D", str(root / "data"), "-l", str(log), "-w", "-t", str(int(READY_TIMEOUT)),
                  "-o", options, "start"], what="pg_ctl start", user=os_user, timeout=READY_TIMEOUT + 10)
            wait_until(server._ping, READY_TIMEOUT, "postgres", log)
        except BaseException:
            server.stop()
            raise
        return server

    @property
    def postmaster_pid(self) -> int | None:
        try:
            return int((self.root / "data" / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    @property
    def running(self) -> bool:
        pid = self.postmaster_pid
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    def _psql(self, sql: str, database: str = "postgres") -> subprocess.CompletedProcess:
        return subprocess.run(["psql", "-h", str(self.root), "-p", str(self.port), "-U", "postgres", "-d", database,
                               "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                              capture_output=True, text=True)

    def _ping(self) -> bool:
        return self._psql("SELECT 1").returncode == 0

    def admin(self, sql: str, database: str = "postgres") -> list[list[str]]:
        """Run SQL as the superuser over the socket; rows as lists of strings."""
        done = self._psql(sql, database)
        if done.returncode != 0:
            raise ServerUnavailable(f"postgres admin statement ({sql[:60]}…) failed: {done.stderr.strip()}")
        return [line.split("\t") for line in done.stdout.splitlines() if line]

    def create_database(self, name: str) -> str:
        self.admin(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
        self.admin(f'REVOKE ALL ON DATABASE "{name}" FROM PUBLIC')
        return name

    def drop_database(self, name: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._writers.pop(name, None)

    def create_user(self, name: str, password: str, database: str, *, read_only: bool = False) -> str:
        """A login for ``database``. Read-write users own it (create schemas and tables); a read-only user
        gets CONNECT, USAGE and SELECT, also on schemas and tables the read-write users create later."""
        self.admin(f'CREATE ROLE "{name}" LOGIN PASSWORD {_sql_literal(password)}')
        if read_only:
            self.admin(f'GRANT CONNECT ON DATABASE "{database}" TO "{name}"')
            self.grant_select(name, database)
        else:
            if not self._writers.get(database):
                self.admin(f'ALTER DATABASE "{database}" OWNER TO "{name}"')
            else:
                self.admin(f'GRANT ALL ON DATABASE "{database}" TO "{name}"')
            self.admin(f'GRANT ALL ON SCHEMA public TO "{name}"', database)
            self._writers.setdefault(database, []).append(name)
        return name

    def grant_select(self, user: str, database: str) -> None:
        """SELECT on every existing table, and by default on those the read-write users create later."""
        statements = []
        for (schema,) in self.admin("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
                                    "AND nspname <> 'information_schema'", database):
            statements += [f'GRANT USAGE ON SCHEMA "{schema}" TO "{user}"',
                           f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{user}"']
        for writer in self._writers.get(database, []):
            statements += [f'ALTER DEFAULT PRIVILEGES FOR ROLE "{writer}" GRANT USAGE ON SCHEMAS TO "{user}"',
                           f'ALTER DEFAULT PRIVILEGES FOR ROLE "{writer}" GRANT SELECT ON TABLES TO "{user}"']
        self.admin("; ".join(statements), database)

    def drop_user(self, name: str, database: str | None = None) -> None:
        """Remove a login made by :meth:`create_user`. Drop its database first, or name the database where
        it still holds privileges (they are revoked there first)."""
        if database and self.admin(f"SELECT 1 FROM pg_database WHERE datname = {_sql_literal(database)}"):
            self.admin(f'DROP OWNED BY "{name}"', database)
            self.admin(f'REVOKE ALL ON DATABASE "{database}" FROM "{name}"')
        self.admin(f'DROP ROLE IF EXISTS "{name}"')
        for writers in self._writers.values():
            if name in writers:
                writers.remove(name)

    def connection_ids(self, user: str | None = None) -> list[int]:
        where = f" AND usename = {_sql_literal(user)}" if user else ""
        return [int(r[0]) for r in self.admin(
            f"SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid(){where}")]

    def kill_connection(self, connection_id: int) -> None:
        """End one client connection server-side (``pg_terminate_backend``)."""
        self.admin(f"SELECT pg_terminate_backend({int(connection_id)})")

    def url(self, user: str, password: str | None, database: str, *, driver: str = "pyodbc") -> str:
        """SQLAlchemy URL over TCP. ``pyodbc`` uses :mod:`connector.testing.pg_pyodbc` (SQLAlchemy has no
        PostgreSQL pyodbc dialect); ``psycopg`` needs that driver installed."""
        if driver == "pyodbc":
            from connector.testing import pg_pyodbc

            pg_pyodbc.register()
            return "postgresql+pyodbc:///?odbc_connect=" + quote_plus(self.odbc_connect(user, password, database))
        return f"postgresql+{driver}://{_userinfo(user, password)}@{HOST}:{self.port}/{database}"

    def odbc_connect(self, user: str, password: str | None, database: str) -> str:
        # BoolsAsChar=0: booleans as booleans (psqlODBC's default sends '0'/'1' text);
        # UseDeclareFetch=1: rows come through a server-side cursor in Fetch-sized batches (streaming).
        return odbc_string(DRIVER=self.odbc_driver, SERVER=HOST, PORT=self.port, DATABASE=database,
                           UID=user, PWD=password, BoolsAsChar=0, UseDeclareFetch=1, Fetch=1000)

    def stop(self) -> None:
        if self.running:
            pg_ctl = _postgres_bin("pg_ctl")
            args = [pg_ctl, "-D", str(self.root / "data"), "-m", "fast", "-w", "-t", str(int(STOP_TIMEOUT)), "stop"]
            if self.os_user:
                args = ["runuser", "-u", self.os_user, "--", *args]
            subprocess.run(args, capture_output=True, timeout=STOP_TIMEOUT + 10)
            if self.running:  # did not stop: kill the postmaster (its children follow)
                try:
                    os.kill(self.postmaster_pid, signal.SIGKILL)
                except (ProcessLookupError, TypeError):
                    pass
        self._cleanup_dir()
        _forget(self)


# --- unixODBC ----------------------------------------------------------------------------------------

#: Driver name in the temp odbcinst.ini → (shared object file name, Debian package).
ODBC_DRIVERS = {
    MariaDBServer.odbc_driver: ("libmaodbc.so", "odbc-mariadb"),
    PostgresServer.odbc_driver: ("psqlodbcw.so", "odbc-postgresql"),
    "hocba-test FreeTDS": ("libtdsodbc.so", "tdsodbc"),
}
FREETDS_DRIVER = "hocba-test FreeTDS"


def odbc_driver_path(so_name: str, package: str) -> str:
    """The full path of a Debian ODBC driver (``/usr/lib/<multiarch>/odbc/<so>``)."""
    found = sorted(glob.glob(f"/usr/lib/*/odbc/{so_name}")) + sorted(glob.glob(f"/usr/lib/odbc/{so_name}"))
    if not found:
        raise ServerUnavailable(f"ODBC driver {so_name} not found: install the Debian package {package} "
                                f"(`make test` installs everything in scripts/system-packages.txt)")
    return found[0]


@dataclass
class OdbcConfig:
    """A private unixODBC configuration: ``odbcinst.ini`` in a temp dir naming the drivers by full path.

    :meth:`activate` points ``ODBCSYSINI`` (and an empty ``ODBCINI``) at it for this process, so pyodbc
    connects with DSN-less strings (``DRIVER={hocba-test MariaDB};SERVER=…``) whatever /etc/odbcinst.ini
    says. Set it before the first pyodbc connection: unixODBC reads the file when a driver is looked up."""

    directory: Path
    drivers: dict[str, str]
    _saved: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def create(cls) -> "OdbcConfig":
        drivers = {name: odbc_driver_path(*spec) for name, spec in ODBC_DRIVERS.items()}
        directory = Path(tempfile.mkdtemp(prefix="hocba-odbc-"))
        sections = [f"[{name}]\nDescription={name} (hocba tests)\nDriver={path}\nThreading=0\n"
                    for name, path in drivers.items()]
        (directory / "odbcinst.ini").write_text("\n".join(sections), encoding="utf-8")
        (directory / "odbc.ini").write_text("", encoding="utf-8")
        return cls(directory=directory, drivers=drivers)

    def environ(self) -> dict[str, str]:
        return {"ODBCSYSINI": str(self.directory), "ODBCINI": str(self.directory / "odbc.ini")}

    def activate(self) -> None:
        for key, value in self.environ().items():
            self._saved.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def deactivate(self) -> None:
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved.clear()

    def remove(self) -> None:
        self.deactivate()
        shutil.rmtree(self.directory, ignore_errors=True)


def require_pyodbc():
    """Import pyodbc, or say what is missing (pyodbc links the system libodbc.so.2 from unixodbc)."""
    try:
        import pyodbc
    except ImportError as e:
        raise ServerUnavailable(f"pyodbc cannot be imported ({e}): install the Debian package unixodbc and "
                                f"the Python package pyodbc (`make test` does both)") from e
    return pyodbc


# --- safety net ----------------------------------------------------------------------------------------

_live: list[DatabaseServer] = []


def _forget(server: DatabaseServer) -> None:
    if server in _live:
        _live.remove(server)


@atexit.register
def _stop_leftovers() -> None:
    for server in list(_live):
        try:
            server.stop()
        except Exception:  # noqa: BLE001 — best effort at interpreter exit
            pass
