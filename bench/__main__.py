"""``make bench`` — throughput and peak memory of the pipeline, measured side by side in one run.

The machine is noisy (brief 11): figures are printed as ratios of runs made in the same invocation, and
differences under ~20 % are noise. Each measured command runs in its own process; its peak RSS comes from
``wait4`` (the kernel's own figure), its time from a monotonic clock.

Now measured:
- ``hocba extract`` and ``hocba validate`` on generated secondary schools of 10,000 and 100,000 students
  (one school year each, CSV bundle): student-years per second and peak RSS; the goal is streaming, i.e.
  peak RSS growing by less than 15 % from 10,000 to 100,000 students.
- signing with pkcs12 keys, 3 signatures per document, as a ratio to ``openssl speed -seconds 3 rsa2048``
  sign/s ÷ 3 measured in the same run (goal ≥ 0.5; ``bench/pkcs12_signing.py``, its own process);
- signing with SoftHSM2 through the ``pkcs11`` backend as a ratio to the raw PKCS#11 sign rate ÷ 3 (goal
  ≥ 0.7), and the effect of pipelining (``bench/pkcs11_signing.py``, its own process);
- the vnedu source on a MariaDB the bench starts: extraction rate for 100,000 student-years as a ratio to a
  raw pymysql ``SSCursor`` fetch of the same rows (goal ≥ 0.7), and its peak RSS at 10,000 vs 100,000
  student-years (goal < +15 %) (``bench/vnedu_extraction.py``, its own process; ``HOCBA_BENCH_VNEDU=2000``
  for a quicker run).

Environment: ``HOCBA_BENCH_SIZES=2000,20000`` for a quicker run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOCBA = str(Path(sys.executable).with_name("hocba"))
SIZES = [int(x) for x in os.environ.get("HOCBA_BENCH_SIZES", "10000,100000").split(",")]


def measure(args: list[str]) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in MiB, exit code) of ``hocba ARGS`` in its own process."""
    start = time.monotonic()
    with open(os.devnull, "w") as devnull:
        proc = subprocess.Popen([HOCBA, *args], stdout=devnull, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        sys.exit(f"bench: hocba {' '.join(args)} failed ({proc.returncode}): {proc.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss // 1024, proc.returncode


def generate(students: int, out: Path) -> float:
    start = time.monotonic()
    subprocess.run([HOCBA, "generate", "--seed", "11", "--level", "thcs", "--students", str(students),
                    "--format", "csv", "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - start


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="hocba-bench-"))
    rows = []
    try:
        for n in SIZES:
            school = work / f"school-{n}"
            gen = generate(n, school)
            print(f"generated {n:,} students in {gen:.1f} s", flush=True)
            ex_wall, ex_rss, _ = measure(["extract", str(school), "-o", os.devnull])
            va_wall, va_rss, _ = measure(["validate", str(school), "--json"])
            rows.append((n, ex_wall, ex_rss, va_wall, va_rss))
            shutil.rmtree(school)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print()
    print(f"{'students':>10} {'extract sy/s':>13} {'extract RSS':>12} {'validate sy/s':>14} {'validate RSS':>13}")
    for n, ex_wall, ex_rss, va_wall, va_rss in rows:
        print(f"{n:>10,} {n / ex_wall:>13,.0f} {ex_rss:>9} MiB {n / va_wall:>14,.0f} {va_rss:>10} MiB")
    if len(rows) >= 2:
        (n0, _, ex0, _, va0), (n1, _, ex1, _, va1) = rows[0], rows[-1]
        print()
        print(f"peak RSS growth {n0:,} → {n1:,} students: extract {ex1 / ex0 - 1:+.1%}, "
              f"validate {va1 / va0 - 1:+.1%}   (goal: < +15 %)")
        print(f"validate throughput ratio {n1:,} / {n0:,}: {(n1 / rows[-1][3]) / (n0 / rows[0][3]):.2f}"
              "   (≈1.0 means linear scaling)")
    bench_pkcs12_signing()
    bench_pkcs11_signing()
    bench_vnedu_extraction()


def bench_vnedu_extraction() -> None:
    """vnedu on a MariaDB the bench starts itself: extraction rate for 100,000 student-years as a ratio to a
    raw pymysql SSCursor fetch of the same rows (goal ≥ 0.7), peak RSS at 10,000 vs 100,000 (goal < +15 %)
    (bench/vnedu_extraction.py, its own process)."""
    print(flush=True)
    subprocess.run([sys.executable, "-m", "bench.vnedu_extraction"], check=False,
                   cwd=Path(__file__).resolve().parents[1])


def bench_pkcs12_signing() -> None:
    """pkcs12 keys through `hocba sign`'s batch path vs openssl speed rsa2048 ÷ 3 (bench/pkcs12_signing.py)."""
    print(flush=True)
    subprocess.run([sys.executable, "-m", "bench.pkcs12_signing"], check=False,
                   cwd=Path(__file__).resolve().parents[1])


def bench_pkcs11_signing() -> None:
    """SoftHSM2 through the pkcs11 backend vs the raw PKCS#11 sign rate ÷ 3 (bench/pkcs11_signing.py),
    in its own process: the token library and SOFTHSM2_CONF stay out of this one."""
    print(flush=True)
    subprocess.run([sys.executable, "-m", "bench.pkcs11_signing"], check=False,
                   cwd=Path(__file__).resolve().parents[1])


if __name__ == "__main__":
    main()
