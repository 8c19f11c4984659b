"""Golden files of the provisional profile: byte-for-byte output for fixed records, valid for two
independent XSD validators (lxml's bundled libxml2 and the system's xmllint), which must also agree
when a document is broken.

Regenerate after an intended format change, then review the diff:

    HOCBA_UPDATE_GOLDEN=1 .venv/bin/pytest tests/xml -q
"""

from __future__ import annotations

import os
import re

import pytest

from connector.validate import Validator
from connector.validate.packs import identity, tt22, tt27
from tests.xml.conftest import GOLDEN_DIR, xmllint_verdicts
from tests.xml.records import GOLDEN

UPDATE = os.environ.get("HOCBA_UPDATE_GOLDEN") == "1"
REGENERATE = "regenerate with HOCBA_UPDATE_GOLDEN=1 .venv/bin/pytest tests/xml -q and review the diff"


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_serialisation_matches_the_golden_file(profile, name):
    document = profile.serialize(GOLDEN[name]())
    path = GOLDEN_DIR / f"{name}.xml"
    if UPDATE:
        path.write_bytes(document)
    assert path.is_file(), f"{path.name} is missing: {REGENERATE}"
    assert document == path.read_bytes(), f"{path.name} differs from the serialisation: {REGENERATE}"


def test_there_is_no_stale_golden_file():
    assert {p.stem for p in GOLDEN_DIR.glob("*.xml")} == set(GOLDEN)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_records_pass_validation(name):
    """The profile serialises only records without error-level findings; the goldens are such records."""
    validator = Validator([identity.PACK, tt27.PACK, tt22.PACK])
    errors = [f"{f.rule_id}.{f.check}" for f in validator.validate(GOLDEN[name]()) if f.severity == "error"]
    assert errors == []


def test_golden_files_validate_with_lxml_and_xmllint(profile):
    files = sorted(GOLDEN_DIR.glob("*.xml"))
    assert files
    verdicts = xmllint_verdicts(profile.xsd, files)
    for path in files:
        assert profile.validate(path.read_bytes()) == [], path.name
        assert verdicts[path.name] is True, path.name


# Each mutation breaks one rule of the XSD.
BROKEN = {
    "gender_not_in_list": (rb"<GioiTinh>1</GioiTinh>", b"<GioiTinh>5</GioiTinh>"),
    "score_with_two_decimals": (rb"<DiemTX>[0-9.]+</DiemTX>", b"<DiemTX>7.25</DiemTX>"),
    "score_above_ten": (rb"<DiemGK>[0-9.]+</DiemGK>", b"<DiemGK>10.5</DiemGK>"),
    "name_missing": (rb"\s*<HoTen>[^<]*</HoTen>", b""),
    "label_altered": (rb"<GhiChu>[^<]*</GhiChu>", b"<GhiChu>Official format</GhiChu>"),
    "slots_out_of_order": (rb"<GVCN/>(\s*)<HieuTruong/>", rb"<HieuTruong/>\1<GVCN/>"),
    "subject_twice": (rb'MaMon="ngu_van"', b'MaMon="toan"'),
    "personal_data_in_id": (rb'Id="DLHocBa-[0-9a-f]+"', b'Id="HS-7900200004"'),
    "unknown_element": (rb"</XacNhan>", b"<ChuKy>x</ChuKy></XacNhan>"),
    "signature_outside_xmldsig": (rb"<GVCN/>", b"<GVCN><Signature/></GVCN>"),
}


def test_lxml_and_xmllint_agree_on_broken_documents(profile, tmp_path):
    base = (GOLDEN_DIR / "thcs_lop8.xml").read_bytes()
    files = []
    for name, (pattern, replacement) in BROKEN.items():
        broken, count = re.subn(pattern, replacement, base, count=1)
        assert count == 1, name
        path = tmp_path / f"{name}.xml"
        path.write_bytes(broken)
        files.append(path)
    verdicts = xmllint_verdicts(profile.xsd, files)
    for path in files:
        assert profile.validate(path.read_bytes()), f"lxml accepts {path.stem}"
        assert verdicts[path.name] is False, f"xmllint accepts {path.stem}"
