"""Bounded memory: peak RSS of an extraction barely grows with the number of students."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import resource, sys
sys.path.insert(0, {tests!r})
from csv_helpers import secondary_record
from hocba_csv.source import CsvSource
from connector.extract import Record
n, path = int(sys.argv[1]), sys.argv[2]
proto = secondary_record(1)
CsvSource.export((proto.model_copy(update={{"student_key": f"S{{i:06d}}", "lop": f"7A{{i % 40}}"}})
                  for i in range(n)), path)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
count = sum(isinstance(m, Record) for m in CsvSource({{"path": path}}).extract())
assert count == n, count
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss_kib(students: int, folder: Path) -> int:
    code = SCRIPT.format(tests=str(Path(__file__).parent))
    out = subprocess.run([sys.executable, "-c", code, str(students), str(folder)], capture_output=True, text=True,
                         check=True)
    return int(out.stdout.split()[-1])


@pytest.mark.slow
def test_peak_memory_is_flat_from_400_to_4000_students(tmp_path):
    small = peak_rss_kib(400, tmp_path / "small")
    large = peak_rss_kib(4000, tmp_path / "large")  # ~44,000 score rows
    assert large < small * 1.15, (small, large)
