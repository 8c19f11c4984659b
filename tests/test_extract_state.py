"""The extraction runner and the state store: envelopes, incremental runs, state only after success."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connector.extract import Problem, Record, Removal, Run, SchoolInfo, Source
from connector.model import Envelope, RemovalNotice, SecondaryAssessment, Semester, SecondarySubject, Student, StudentYear
from connector.state import StateStore


def year(i: int, lop: str = "8A1") -> StudentYear:
    return StudentYear(
        student_key=f"HS{i:04d}", student=Student(ho_ten=f"Học Sinh {i}", gioi_tinh=1), ma_so_gd="79",
        ma_truong="79000001", nam_hoc="2025-2026", khoi=8, nhom_cap_hoc="03", lop=lop,
        danh_gia=SecondaryAssessment(mon_hoc=[SecondarySubject(mon="toan", hk1=Semester(gk=Decimal("7")))]),
    )


class ListSource(Source):
    """A source over an in-memory list, to exercise the runner (the csv plugin tests the real thing)."""

    name = "list"
    rows: list[StudentYear] = []
    removed: list[Removal] = []
    fail_after: int | None = None

    def discover(self):
        return [SchoolInfo("79000001", None)]

    def extract(self, *, school=None, state=None):
        for n, rec in enumerate(self.rows):
            if self.fail_after is not None and n == self.fail_after:
                raise RuntimeError("connection lost")
            yield Record(rec, source_record_id=str(n))
        yield from self.removed
        yield Problem("where", file="x.csv", row=3, column="Điểm")


def run(store, rows, **kw):
    ListSource.rows = rows
    r = Run(ListSource({}), source_id="list:test", plugin="test", plugin_version="0", store=store, **kw)
    out = list(r)
    r.commit()
    return r, [m for m in out if isinstance(m, Envelope)]


@pytest.fixture
def store(tmp_path):
    return StateStore(f"sqlite:///{tmp_path}/state.db")


def test_envelopes_carry_provenance_beside_the_payload(store):
    r, envs = run(None, [year(1)])
    p = envs[0].provenance
    assert (p.plugin, p.source_record_id, p.source_system) == ("test", "0", "list")
    assert len(p.content_sha256) == 64 and envs[0].payload == year(1)
    assert r.stats.problems == 1


def test_second_run_without_changes_extracts_nothing(store):
    rows = [year(i) for i in range(50)]
    _, first = run(store, rows)
    _, second = run(store, rows)
    assert len(first) == 50 and second == []


def test_only_changed_records_come_again(store):
    rows = [year(i) for i in range(20)]
    run(store, rows)
    rows[3], rows[7], rows[11] = year(3, "8A2"), year(7, "8A2"), year(11, "8A2")
    _, again = run(store, rows)
    assert sorted(e.payload.student_key for e in again) == ["HS0003", "HS0007", "HS0011"]


def test_full_refresh_forgets_state(store):
    rows = [year(i) for i in range(5)]
    run(store, rows)
    _, again = run(store, rows, full_refresh=True)
    assert len(again) == 5


def test_failed_run_does_not_advance_state(store):
    rows = [year(i) for i in range(10)]
    ListSource.rows, ListSource.fail_after = rows, 6
    r = Run(ListSource({}), source_id="list:test", plugin="test", plugin_version="0", store=store)
    with pytest.raises(RuntimeError):
        list(r)
    r.abandon()
    ListSource.fail_after = None
    _, after = run(store, rows)
    assert len(after) == 10  # nothing of the failed run counts as delivered


def test_state_holds_no_personal_data(store, tmp_path):
    run(store, [year(1)])
    raw = (tmp_path / "state.db").read_bytes()
    assert "Học Sinh".encode() not in raw


def test_jsonl_sink_writes_into_a_device_without_replacing_it(tmp_path):
    import os
    import stat

    from connector.deliver.jsonl import JsonlSink

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    sink = JsonlSink({"path": str(fifo)})
    import threading

    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text("utf-8")))
    reader.start()
    _, envs = run(None, [year(1)])
    sink.open()
    sink.write(envs[0])
    sink.close(ok=True)
    reader.join(10)
    assert stat.S_ISFIFO(fifo.stat().st_mode), "the FIFO was replaced by a regular file"
    assert received and '"HS0001"' in received[0]


def test_jsonl_sink_file_appears_only_when_the_run_succeeds(tmp_path):
    from connector.deliver.jsonl import JsonlSink

    out = tmp_path / "records.jsonl"
    _, envs = run(None, [year(1)])
    failed = JsonlSink({"path": str(out)})
    failed.open()
    failed.write(envs[0])
    failed.close(ok=False)
    assert not out.exists() and not list(tmp_path.glob("*.partial"))
    good = JsonlSink({"path": str(out)})
    good.open()
    good.write(envs[0])
    good.close(ok=True)
    assert out.read_text("utf-8").count("\n") == 1


def test_removals_become_notices_and_a_deleted_record_is_forgotten(store):
    """A deletion comes out as a notice, and the record's hash is forgotten, so it comes out again when the
    source restores it; a student who left keeps their (partial-year) record's hash."""
    rows = [year(i) for i in range(4)]
    run(store, rows)
    ListSource.removed = [Removal(rows[1].key, "deleted"), Removal(rows[2].key, "chuyen_di")]
    try:
        r = Run(ListSource({}), source_id="list:test", plugin="test", plugin_version="0", store=store)
        notices = [m for m in r if isinstance(m, RemovalNotice)]
        r.commit()
    finally:
        ListSource.removed = []
    assert [(n.record_key, n.reason, n.kind, n.plugin) for n in notices] == [
        (rows[1].key, "deleted", "removal", "test"), (rows[2].key, "chuyen_di", "removal", "test")]
    assert r.stats.removals == 2
    assert store.known_hash("list:test", rows[1].key) is None
    assert store.known_hash("list:test", rows[2].key) is not None
    _, again = run(store, rows)
    assert [e.payload.key for e in again] == [rows[1].key]


def test_jsonl_sink_writes_removal_notices_as_lines_of_their_own_kind(tmp_path):
    import json
    from datetime import datetime, timezone

    from connector.deliver.jsonl import JsonlSink

    out = tmp_path / "out.jsonl"
    sink = JsonlSink({"path": str(out)})
    sink.open()
    sink.remove(RemovalNotice(record_key="HS1|2025-2026|79000001", reason="thoi_hoc", source_system="x",
                              plugin="x", plugin_version="0", extracted_at=datetime.now(timezone.utc)))
    sink.close(True)
    [line] = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert (line["kind"], line["reason"], line["record_key"]) == ("removal", "thoi_hoc", "HS1|2025-2026|79000001")
