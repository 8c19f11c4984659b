"""Killing the database connection server-side mid-extraction: the run completes, every record once."""

from __future__ import annotations

from collections import Counter

import pytest
from click.testing import CliRunner

from connector.cli import cli
from connector.errors import SourceError
from connector.extract import Record, SourceState
from connector.extract import sql as sql_layer
from connector.model import canonical_json

from hocba_vnedu.plugin import VneduSource
from vnedu_db import PASSWORD_ENV


def kill_reader_connections(tenant) -> int:
    ids = tenant.server.connection_ids(tenant.ro_user)
    for connection in ids:
        tenant.server.kill_connection(connection)
    return len(ids)


def read(config: dict, between=None) -> list:
    """Every message of a full extraction; ``between(n)`` is called after the n-th record."""
    source = VneduSource(config)
    out, seen = [], 0
    try:
        for message in source.extract(state=SourceState()):
            out.append(message)
            if isinstance(message, Record):
                seen += 1
                if between:
                    between(seen)
    finally:
        source.close()
    return out


def payloads(messages) -> list[tuple[str, str]]:
    return [(m.payload.key, canonical_json(m.payload)) for m in messages if isinstance(m, Record)]


@pytest.fixture(scope="module")
def clean(tenant):
    return payloads(read(tenant.config(chunk_size=25)))


def test_killed_between_pages_the_run_completes_with_every_record_once(tenant, clean):
    kills = []

    def kill_at(n):
        if n in (30, 140):  # the generator waits at a yield; the next page finds its connection dead
            kills.append(kill_reader_connections(tenant))

    got = payloads(read(tenant.config(chunk_size=25), between=kill_at))
    assert len(kills) == 2 and all(kills)  # each time the live connection was killed
    assert not [k for k, n in Counter(k for k, _ in got).items() if n > 1]
    assert got == clean


def test_killed_in_the_middle_of_a_page_the_page_is_read_again_whole(tenant, clean, monkeypatch):
    """The connection dies after a page's student-years were read and before their grade books: nothing
    of that page was handed out; it is read again from the same key."""
    real = sql_layer._SchoolStream._children
    pages = Counter()

    def children_then_die(stream, keys):
        pages["seen"] += 1
        if pages["seen"] in (2, 5):
            pages["killed"] += kill_reader_connections(tenant)
        return real(stream, keys)

    monkeypatch.setattr(sql_layer._SchoolStream, "_children", children_then_die)
    got = payloads(read(tenant.config(chunk_size=25)))
    assert pages["seen"] >= 5 and pages["killed"] >= 2
    assert got == clean


def test_a_connection_that_keeps_dying_stops_with_a_clear_error(tenant, monkeypatch):
    real = sql_layer._SchoolStream._children

    def always_die(stream, keys):
        kill_reader_connections(tenant)
        return real(stream, keys)

    monkeypatch.setattr(sql_layer._SchoolStream, "_children", always_die)
    with pytest.raises(SourceError) as raised:
        read(tenant.config(chunk_size=25, retries=2))
    assert raised.value.key == "sql_connection_lost" and raised.value.fields["attempts"] == 3
    assert "3" in raised.value.message("en") and "127.0.0.1" in raised.value.message("en")


def test_the_command_exits_2_when_the_connection_is_lost_for_good(tenant, monkeypatch, tmp_path):
    real = sql_layer._SchoolStream._children

    def always_die(stream, keys):
        kill_reader_connections(tenant)
        return real(stream, keys)

    monkeypatch.setattr(sql_layer._SchoolStream, "_children", always_die)
    monkeypatch.setenv(PASSWORD_ENV, tenant.password)
    config = tmp_path / "hocba.toml"
    config.write_text(f'[sources.vn]\nplugin = "vnedu"\nurl = "{tenant.url(password=False)}"\n'
                      f'password_env = "{PASSWORD_ENV}"\nretries = 1\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", "--source", "vn", "--config", str(config), "-o", str(tmp_path / "o.jsonl"),
                                      "--lang", "en"])
    assert result.exit_code == 2 and "Lost the connection" in result.output and tenant.password not in result.output


def test_a_stalled_read_times_out_and_is_retried(tenant, clean, monkeypatch):
    """The server stops answering (a table locked by a long write): after read_timeout the read is
    abandoned and retried; when the lock goes, the extraction completes, every record once."""
    import threading

    from sqlalchemy import text

    engine = tenant.engine()
    locked, release = threading.Event(), threading.Event()
    retried = []
    real_log = sql_layer.SqlSource._log_retry
    monkeypatch.setattr(sql_layer.SqlSource, "_log_retry", lambda self, state: (retried.append(
        sql_layer.classify(state.outcome.exception(), "mysql").code), real_log(self, state)))

    def hold_lock():
        with engine.connect() as conn:
            conn.execute(text("LOCK TABLES hoc_sinh_lop WRITE"))
            locked.set()
            release.wait(30)
            conn.execute(text("UNLOCK TABLES"))

    holder = threading.Thread(target=hold_lock)
    holder.start()
    locked.wait(30)
    threading.Timer(3.0, release.set).start()  # the "long write" ends after 3 s
    try:
        got = payloads(read(tenant.config(chunk_size=25, read_timeout=1, retries=8)))
    finally:
        release.set()
        holder.join(30)
        engine.dispose()
    assert got == clean
    assert retried and set(retried) <= {2013}  # "Lost connection … (timed out)": pymysql's read timeout
