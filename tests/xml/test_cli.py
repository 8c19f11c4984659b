"""``hocba xml`` as a user runs it: a generated school exported by the csv plugin, rendered to files."""

from __future__ import annotations

import json
import re

from connector.xml.hocba_profile import HocbaProfile
from tests.conftest import run_hocba
from tests.xml.conftest import xmllint_verdicts

LABEL_EN = "PROVISIONAL: the XML format hocba-xmldsig-dscks 0.1 is hocba's own, not the official QĐ 3016/QĐ-BGDĐT format."
DONE = re.compile(r"Wrote (\d+) unsigned XML documents to .+\. Refused (\d+) records \((\d+) with validation errors, "
                  r"(\d+) failing the XSD, (\d+) not representable\); (\d+) input problems\.")


def generate(tmp_path, name: str, errors: str) -> str:
    out = tmp_path / name
    proc = run_hocba("generate", "--level", "thcs", "--students", "16", "--seed", "5", "--errors", errors,
                     "--format", "csv", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return str(out)


def render(source: str, out, *extra: str):
    proc = run_hocba("xml", source, "--out", str(out), "--lang", "en", *extra)
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc, DONE.search(proc.stdout)


def test_a_clean_school_becomes_one_valid_document_per_record(tmp_path):
    source = generate(tmp_path, "clean", "0")
    out = tmp_path / "xml"
    proc, done = render(source, out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith(LABEL_EN)
    assert done and int(done[1]) >= 16 and int(done[2]) == 0
    files = sorted(out.glob("*"))
    assert len(files) == int(done[1])
    assert all(re.fullmatch(r"[0-9a-f]{24}\.xml", f.name) for f in files)  # opaque names only
    profile = HocbaProfile()
    assert all(profile.validate(f.read_bytes()) == [] for f in files)
    assert all(xmllint_verdicts(profile.xsd, files).values())
    assert all(b"PROVISIONAL" in f.read_bytes() for f in files)


def test_records_with_validation_errors_are_refused_and_counted(tmp_path):
    source = generate(tmp_path, "errors", "0.5")
    out = tmp_path / "xml"
    proc, done = render(source, out)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    written, refused, findings = int(done[1]), int(done[2]), int(done[3])
    assert refused >= 1 and findings >= 1
    assert len(list(out.glob("*.xml"))) == written
    refusals = [line for line in proc.stderr.splitlines() if line.startswith("Record ")]
    assert len(refusals) == refused
    assert all(re.match(r"Record [0-9a-f]{24} \(class \w+, \d{4}-\d{4}\): ", line) for line in refusals)
    names = {row.split(",")[2] for row in (tmp_path / "errors" / "hoc_sinh.csv").read_text("utf-8-sig")
             .splitlines()[1:] if row.count(",") >= 2}
    assert not any(name and name in proc.stdout + proc.stderr for name in names)  # counts and ids, no names


def test_an_unknown_profile_is_a_usage_error(tmp_path):
    proc = run_hocba("xml", str(tmp_path), "--out", str(tmp_path / "x"), "--profile", "moet-qd3016", "--lang", "en")
    assert proc.returncode == 2 and "moet-qd3016" in proc.stderr and "hocba-xmldsig-dscks" in proc.stderr


def test_the_command_help_says_provisional():
    proc = run_hocba("xml", "--help")
    assert proc.returncode == 0 and "TẠM THỜI" in proc.stdout and "PROVISIONAL" in proc.stdout


def test_the_profile_is_listed_by_hocba_plugins():
    proc = run_hocba("plugins", "--json")
    assert proc.returncode == 0, proc.stderr
    core = next(p for p in json.loads(proc.stdout) if p["name"] == "hocba")
    assert "profile" in core["kinds"]
    assert "profile:hocba-xmldsig-dscks" in core["components"]
    assert "register_profiles" in core["hooks"]
    assert any("PROVISIONAL" in note for note in core["notes"])
