"""vnedu extraction against a raw driver, on a MariaDB this module starts itself (``make bench`` part).

Measured, in the same run and interleaved (the machine is noisy, brief 11; medians of
``HOCBA_BENCH_VNEDU_REPEATS``, default 3):
- a raw pymysql ``SSCursor`` + ``fetchmany`` streaming of exactly the same rows the source reads: the very
  statements the source sends (compiled by SQLAlchemy), the same chunking, no conversion, no records;
- the vnedu source extracting one school of 100,000 student-years (canonical records, everything included:
  SQLAlchemy Core, keyset pages, child rows, lookups, assembly, pydantic validation), with pymysql and
  with the C driver mysqlclient (when installed), each with one thread and with the next page read on a
  second thread (``read_ahead``).
The figures are the ratio of the rates (goal ≥ 0.7; also the ratio of the client CPU times, steadier on a
busy machine), and the peak RSS at 10,000 and 100,000 student-years (goal: < 15 % growth). Each
measurement runs in its own process; peak RSS from ``wait4``.

The 100,000 school is the 10,000 generated one copied ten times inside the database (INSERT … SELECT
with shifted ids and student codes): generating 100,000 students would take minutes and measures the
generator, not the extraction.

Standalone: ``python -m bench.vnedu_extraction`` (``HOCBA_BENCH_VNEDU=2000`` for a quicker run).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SMALL = int(os.environ.get("HOCBA_BENCH_VNEDU", "10000"))
FACTOR = 10
REPEATS = int(os.environ.get("HOCBA_BENCH_VNEDU_REPEATS", "3"))
SEED = 11
ROOT = Path(__file__).resolve().parents[1]

# Tables of the modelled schema with their id column and the per-copy columns that must change. The
# copies get ids shifted by a multiple of OFFSET and student codes suffixed "-k".
OFFSET = 10_000_000


def _clone_statements(school_from: int, school_to: int, k: int) -> list[str]:
    """SQL that copies school ``school_from``'s students, classes and records into ``school_to`` (copy k).
    Bench-only SQL on a throw-away database, written out in full so nothing is hidden."""
    o = k * OFFSET
    enrolments = f"SELECT hoc_sinh_lop_id FROM hoc_sinh_lop WHERE truong_id = {school_from}"
    return [
        f"""INSERT INTO hoc_sinh (hoc_sinh_id, truong_id, ma_hoc_sinh, ho_ten, ngay_sinh, gioi_tinh, dan_toc, quoc_tich,
              so_dinh_danh, ho_ten_cha, ho_ten_me, ho_ten_nguoi_giam_ho, doi_tuong_chinh_sach)
            SELECT hoc_sinh_id + {o}, {school_to}, CONCAT(ma_hoc_sinh, '-{k}'), ho_ten, ngay_sinh, gioi_tinh, dan_toc,
              quoc_tich, so_dinh_danh, ho_ten_cha, ho_ten_me, ho_ten_nguoi_giam_ho, doi_tuong_chinh_sach
            FROM hoc_sinh WHERE truong_id = {school_from}""",
        f"""INSERT INTO lop (lop_id, truong_id, nam_hoc, khoi, cap, ma_lop, ten_lop)
            SELECT lop_id + {o}, {school_to}, nam_hoc, khoi, cap, CONCAT(ma_lop, '-{k}'), CONCAT(ten_lop, '-{k}')
            FROM lop WHERE truong_id = {school_from}""",
        f"""INSERT INTO hoc_sinh_lop (hoc_sinh_lop_id, truong_id, hoc_sinh_id, lop_id, trang_thai, che_do_danh_gia,
              khong_danh_gia_khuyet_tat, nghi_co_phep, nghi_khong_phep)
            SELECT hoc_sinh_lop_id + {o}, {school_to}, hoc_sinh_id + {o}, lop_id + {o}, trang_thai, che_do_danh_gia,
              khong_danh_gia_khuyet_tat, nghi_co_phep, nghi_khong_phep
            FROM hoc_sinh_lop WHERE truong_id = {school_from}""",
        f"""INSERT INTO ket_qua_nam SELECT hoc_sinh_lop_id + {o}, hoc_luc_hk1, hoc_luc_hk2, hoc_luc_cn,
              hoc_luc_sau_thi_lai, hanh_kiem_hk1, hanh_kiem_hk2, hanh_kiem_cn, hanh_kiem_sau_he, thi_lai, ren_luyen_he,
              danh_hieu, ket_qua_tieu_hoc, khen_thuong, len_lop, hoan_thanh_ct_lop, hoan_thanh_ct_tieu_hoc,
              nhan_xet_gvcn, da_xoa, updated_at
            FROM ket_qua_nam WHERE hoc_sinh_lop_id IN ({enrolments})""",
        f"""INSERT INTO hoc_ba SELECT hoc_sinh_lop_id + {o}, ma_dinh_danh_hoc_ba, chuc_vu_nguoi_ky, dia_danh, ngay_ky,
              da_xoa, updated_at
            FROM hoc_ba WHERE hoc_sinh_lop_id IN ({enrolments})""",
        f"""INSERT INTO diem_hoc_ky SELECT hoc_sinh_lop_id + {o}, mon_hoc_id, hoc_ky, stt, diem, tbm, ket_qua_nx,
              da_xoa, updated_at
            FROM diem_hoc_ky WHERE hoc_sinh_lop_id IN ({enrolments})""",
        f"""INSERT INTO tong_ket_mon SELECT hoc_sinh_lop_id + {o}, mon_hoc_id, stt, so_tiet, tb_ca_nam, kq_ca_nam,
              diem_thi_lai, kq_thi_lai, nhan_xet, da_xoa, updated_at
            FROM tong_ket_mon WHERE hoc_sinh_lop_id IN ({enrolments})""",
        f"""INSERT INTO danh_gia_tieu_hoc SELECT hoc_sinh_lop_id + {o}, mon_hoc_id, stt, muc_dat_gk1, muc_dat_ck1,
              muc_dat_gk2, muc_dat_cn, diem_gk1, diem_ck1, diem_gk2, diem_cn, nhan_xet, da_xoa, updated_at
            FROM danh_gia_tieu_hoc WHERE hoc_sinh_lop_id IN ({enrolments})""",
    ]


def prepare(server, small: int = SMALL, factor: int = FACTOR) -> dict:
    """A database with school A (``small`` student-years, generated) and school B (A copied ``factor``
    times). Returns the URLs and school codes."""
    from connector.synth import generate_school
    from hocba_vnedu.plugin import VneduSource

    db = server.create_database("vnedu_bench")
    server.create_user("bench_rw", "bench-rw", db)
    server.create_user("bench_ro", "bench-ro", db, read_only=True)
    start = time.monotonic()
    VneduSource.export(generate_school(SEED, level="thcs", students=small, nam_hoc="2024-2025", ma_truong="79000001"),
                       server.url("bench_rw", "bench-rw", db))
    loaded = time.monotonic() - start
    server.admin("INSERT INTO truong (truong_id, ma_truong, ten_truong, ma_so) "
                 "SELECT 2, '79000002', 'Trường 79000002', ma_so FROM truong WHERE ma_truong = '79000001'", db)
    school_a = int(server.admin("SELECT truong_id FROM truong WHERE ma_truong = '79000001'", db)[0][0])
    start = time.monotonic()
    for k in range(1, factor + 1):
        server.admin(";\n".join(_clone_statements(school_a, 2, k)), db)
    cloned = time.monotonic() - start
    return {"url": server.url("bench_ro", "bench-ro", db), "small": "79000001", "large": "79000002",
            "load_seconds": loaded, "clone_seconds": cloned}


# --- the two measured programs (each run in a child process: python -m bench.vnedu_extraction MODE URL SCHOOL)


def run_source(url: str, school: str, read_ahead: bool) -> dict:
    from connector.extract import Record
    from hocba_vnedu.plugin import VneduSource

    source = VneduSource({"url": url, "read_ahead": read_ahead})
    source.mapping()  # schema detection is not part of the streaming rate
    start, cpu, records = time.monotonic(), time.process_time(), 0
    for message in source.extract(school=school):
        records += isinstance(message, Record)
    seconds, cpu = time.monotonic() - start, time.process_time() - cpu
    source.close()
    return {"seconds": seconds, "cpu": cpu, "records": records}


def run_raw(url: str, school: str) -> dict:
    """The same statements through pymysql's SSCursor, fetchmany in the source's chunk size."""
    import pymysql
    from sqlalchemy.engine import make_url

    from hocba_vnedu.plugin import VneduSource

    source = VneduSource({"url": url})
    queries, chunk = source.queries, int(source.settings["chunk_size"])
    dialect = source.engine().dialect
    first, first_params = _raw_sql(queries.root_variants[(False, False)], dialect, chunk)
    page, page_params = _raw_sql(queries.root_variants[(False, True)], dialect, chunk)
    children = [_raw_sql(statement, dialect, chunk) for statement in queries.children.values()]
    school_sql, school_params = _raw_sql(queries.school_id, dialect, chunk)
    u = make_url(url)
    conn = pymysql.connect(host=u.host, port=u.port, user=u.username, password=u.password, database=u.database,
                           charset="utf8mb4")
    start, cpu, rows, after = time.monotonic(), time.process_time(), 0, None
    with conn.cursor() as cursor:
        cursor.execute(school_sql, {**school_params, "code": school})
        school_key = cursor.fetchone()[0]
    while True:
        cursor = conn.cursor(pymysql.cursors.SSCursor)
        if after is None:
            cursor.execute(first, {**first_params, "school": school_key})
        else:
            cursor.execute(page, {**page_params, "school": school_key, "after": after})
        batch = []
        while part := cursor.fetchmany(chunk):
            batch += part
        cursor.close()
        if not batch:
            break
        rows += len(batch)
        ids = [r[queries.key_index] for r in batch]
        for sql, params in children:
            for i in range(0, len(ids), 500):
                cursor = conn.cursor(pymysql.cursors.SSCursor)
                cursor.execute(sql, {**params, "ids": ids[i:i + 500]})
                while part := cursor.fetchmany(chunk):
                    rows += len(part)
                cursor.close()
        conn.rollback()
        after = ids[-1]
    seconds, cpu = time.monotonic() - start, time.process_time() - cpu
    conn.close()
    source.close()
    return {"seconds": seconds, "cpu": cpu, "rows": rows}


def _raw_sql(statement, dialect, limit: int) -> tuple[str, dict]:
    """SQL text and default parameters exactly as SQLAlchemy sends them (pyformat); the expanding IN
    list becomes one parameter that pymysql renders as (1,2,3)."""
    compiled = statement.compile(dialect=dialect)
    sql = compiled.string.replace("(__[POSTCOMPILE_ids])", "%(ids)s")
    return sql, dict(compiled.params)


def measure(mode: str, url: str, school: str) -> dict:
    """Run one program in its own process; adds its peak RSS (MiB). Modes: ``raw``; ``source-1`` (one
    thread) and ``source-2`` (the next page read on a second thread)."""
    proc = subprocess.Popen([sys.executable, "-m", "bench.vnedu_extraction", mode, url, school],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                            env={**os.environ, "HOCBA_LOG_LEVEL": "warning"})
    _, status, usage = os.wait4(proc.pid, 0)
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{mode} failed: {err[-2000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result["rss_mib"] = usage.ru_maxrss / 1024
    return result


def c_driver_available() -> bool:
    """mysqlclient (``mysql+mysqldb://``, C): the optional faster driver brief 11 suggests measuring."""
    try:
        import MySQLdb  # noqa: F401
    except ImportError:
        return False
    return True


def variants(url: str) -> dict[str, tuple[str, str]]:
    """label → (mode, URL) of the source configurations measured beside the raw fetch."""
    out = {"pymysql, 1 thread": ("source-1", url), "pymysql, 2 threads": ("source-2", url)}
    if c_driver_available():
        c_url = url.replace("mysql+pymysql://", "mysql+mysqldb://")
        out.update({"mysqlclient, 1 thread": ("source-1", c_url), "mysqlclient, 2 threads": ("source-2", c_url)})
    return out


def main() -> None:
    from connector.testing.servers import MariaDBServer

    print(f"vnedu extraction vs raw pymysql SSCursor (MariaDB started here; {SMALL:,} and {SMALL * FACTOR:,} "
          f"student-years; medians of {REPEATS})", flush=True)
    with MariaDBServer.start() as server:
        setup = prepare(server)
        print(f"  loaded {SMALL:,} generated student-years in {setup['load_seconds']:.1f} s; "
              f"copied ×{FACTOR} in {setup['clone_seconds']:.1f} s", flush=True)
        programs = {"raw pymysql SSCursor": ("raw", setup["url"]), **variants(setup["url"])}
        runs: dict[str, list[dict]] = {label: [] for label in programs}
        for _ in range(REPEATS):  # interleaved: a slow spell hits every program
            for label, (mode, url) in programs.items():
                runs[label].append(measure(mode, url, setup["large"]))
        # Memory at 10× fewer student-years, in the configuration a user gets by default: the C driver when
        # installed, reading ahead (two pages held); else pymysql, one thread.
        default = "mysqlclient, 2 threads" if c_driver_available() else "pymysql, 1 thread"
        small = [measure(programs[default][0], programs[default][1], setup["small"]) for _ in range(REPEATS)]

    def median(label: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[label])

    n = runs[default][0]["records"]
    raw = "raw pymysql SSCursor"
    print(f"  {'':24}{'student-years/s':>16}{'ratio':>7}{'CPU ms/s-y':>12}{'CPU ratio':>11}{'peak RSS':>10}")
    for label in programs:
        seconds, cpu = median(label, "seconds"), median(label, "cpu")
        print(f"  {label:24}{n / seconds:>16,.0f}{median(raw, 'seconds') / seconds:>7.2f}"
              f"{cpu / n * 1000:>12.3f}{median(raw, 'cpu') / cpu:>11.2f}{median(label, 'rss_mib'):>7.0f} MiB")
    print(f"  (ratio: the raw fetch's time over the source's, goal ≥ 0.7; the raw fetch reads the same "
          f"{runs[raw][0]['rows']:,} rows and builds no records; CPU: client process only)")
    if not c_driver_available():
        print("  mysqlclient: not measured (pip install 'hocba-vnedu[c-driver]'; needs libmariadb-dev, pkg-config)")
    rss_small, rss_large = statistics.median(r["rss_mib"] for r in small), median(default, "rss_mib")
    print(f"  vnedu ({default}) peak RSS {small[0]['records']:,} → {n:,} student-years: {rss_small:.0f} → "
          f"{rss_large:.0f} MiB ({rss_large / rss_small - 1:+.1%}; goal < +15 %)")


if __name__ == "__main__":
    if len(sys.argv) == 4:
        from connector import log

        log.configure(level="warning")  # the JSON result is the only thing on standard output
        mode, url, school = sys.argv[1:]
        if mode == "raw":
            print(json.dumps(run_raw(url, school)))
        else:
            print(json.dumps(run_source(url, school, read_ahead=mode == "source-2")))
    else:
        main()
