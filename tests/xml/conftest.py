from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from connector.xml.hocba_profile import HocbaProfile

HERE = Path(__file__).resolve().parent
GOLDEN_DIR = HERE / "golden"


@pytest.fixture(scope="session")
def profile() -> HocbaProfile:
    return HocbaProfile()


def xmllint_verdicts(xsd: Path, files: list[Path]) -> dict[str, bool]:
    """``xmllint --noout --nonet --schema XSD FILE…`` (libxml2's own command-line validator, a separate
    build from lxml's): file name → valid."""
    xmllint = shutil.which("xmllint")
    assert xmllint, "xmllint is missing: apt-get install libxml2-utils (scripts/system-packages.txt)"
    proc = subprocess.run([xmllint, "--noout", "--nonet", "--schema", str(xsd), *map(str, files)],
                          capture_output=True, text=True, timeout=120)
    verdicts = {}
    for line in proc.stderr.splitlines():
        match = re.fullmatch(r"(.+) (validates|fails to validate)", line)
        if match:
            verdicts[Path(match[1]).name] = match[2] == "validates"
    assert set(verdicts) == {f.name for f in files}, proc.stderr[-2000:]
    return verdicts
