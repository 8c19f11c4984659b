"""`make demo`'s signing half, scripts/demo-sign.sh, run as the demo runs it (the real CLI in subprocesses,
`hocba pki serve` in the background, `hocba verify`, xmlsec1 and pdfsig on every signature) on a tiny school,
so the script cannot rot: the demo's own school (160 students) takes minutes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "demo-sign.sh"
HOCBA = Path(sys.executable).with_name("hocba")


def run_script(work: Path, school: Path, hocba: Path = HOCBA) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOCBA_BIN": str(hocba), "HOCBA_PYTHON": sys.executable, "HOCBA_LANG": "vi"}
    return subprocess.run(["bash", str(SCRIPT), str(school), str(work)], capture_output=True, text=True, env=env,
                          timeout=600)


@pytest.fixture(scope="module")
def school(tmp_path_factory) -> Path:
    """Three students in 6A1, 7A1 and 8A1; seed 1 gives the 6A1 student a deliberate error (FRAME-1)."""
    out = tmp_path_factory.mktemp("demo") / "truong"
    subprocess.run([str(HOCBA), "generate", "--seed", "1", "--level", "thcs", "--students", "3", "--errors", "0.34",
                    "--format", "csv", "--out", str(out)], check=True, capture_output=True)
    return out


def services_answer(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        opener.open(f"{url}/crl/issuing.crl", timeout=2).read()
        return True
    except OSError:
        return False


def assert_services_stopped(output: str) -> None:
    """The script started `hocba pki serve` (it prints its address and pid) and must have stopped it."""
    url = re.search(r"running on (http://127\.0\.0\.1:\d+) \(pid (\d+);", output)
    assert url, output
    if services_answer(url.group(1)):
        os.kill(int(url.group(2)), signal.SIGTERM)  # still answering: the pid is still the server's
        pytest.fail("scripts/demo-sign.sh left `hocba pki serve` running")


@pytest.mark.slow
def test_the_demo_signs_renders_and_verifies_everything(school, tmp_path):
    work = tmp_path / "ky-so"
    result = run_script(work, school)
    assert_services_stopped(result.stdout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "Đã chốt 2 học bạ" in out and "bị từ chối (lỗi kiểm tra hoặc XSD): 1" in out  # the error is not frozen
    assert "xmlsec1 --verify: 6 chữ ký hợp lệ" in out and "pdfsig: 6 chữ ký PDF hợp lệ" in out
    assert "2 tệp: 2 hợp lệ" in out  # hocba verify, revocation required

    xml = sorted((work / "hoc-ba").glob("*/*.xml"))
    assert [p.parent.name for p in xml] == ["7A1", "8A1"]
    assert all(p.with_name(p.name + ".p7s").is_file() for p in xml)  # the CMS evidence beside each
    assert sorted(p.stem for p in (work / "pdf").glob("*.pdf")) == sorted(p.stem for p in xml)

    again = run_script(work, school)  # the demo removes its output first; the script refuses to mix runs
    assert again.returncode == 2 and "is not empty" in again.stderr


@pytest.mark.slow
def test_a_failing_step_stops_the_demo_and_its_services(school, tmp_path):
    failing = tmp_path / "hocba"
    failing.write_text(  # the real hocba, except that `hocba sign` fails
        f'#!/bin/sh\n[ "$1" = sign ] && {{ echo "injected failure" >&2; exit 3; }}\nexec "{HOCBA}" "$@"\n')
    failing.chmod(0o755)
    result = run_script(tmp_path / "ky-so", school, hocba=failing)
    assert_services_stopped(result.stdout)
    assert result.returncode != 0
    assert "injected failure" in result.stderr and "THẤT BẠI / FAILED" in result.stderr
