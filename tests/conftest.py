"""Shared test helpers: run the real ``hocba`` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HOCBA = str(Path(sys.executable).with_name("hocba"))
REPO = Path(__file__).resolve().parents[1]


def run_hocba(*args: str, env: dict | None = None, cwd: str | Path | None = None, timeout: int = 300):
    """Run ``hocba ARGS…``; returns the CompletedProcess (text mode, never raises on exit code)."""
    full_env = {**os.environ, "HOCBA_LANG": "vi", **(env or {})}
    return subprocess.run([HOCBA, *args], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=timeout)


@pytest.fixture
def hocba():
    return run_hocba
