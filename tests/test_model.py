"""The canonical model: JSON Schema in sync with the code, NFC, exact decimals, tagged variants."""

from __future__ import annotations

import json
import unicodedata
from decimal import Decimal

import jsonschema
import pytest
from pydantic import ValidationError

from connector.model import (
    Envelope, PrimaryAssessment, SecondaryAssessment, Semester, SecondarySubject, Student, StudentYear,
    canonical_json, content_hash, json_schema,
)
from tests.conftest import REPO


def make_year(**over) -> StudentYear:
    base = dict(
        student_key="HS001", student=Student(ho_ten="Nguyễn Văn An", gioi_tinh=1), ma_so_gd="79",
        ma_truong="79000001", nam_hoc="2025-2026", khoi=8, nhom_cap_hoc="03", lop="8A1",
        danh_gia=SecondaryAssessment(mon_hoc=[SecondarySubject(mon="cong_nghe", hk1=Semester(
            tx=[Decimal("7"), Decimal("8"), Decimal("6")], gk=Decimal("6.5"), ck=Decimal("8"), tb=Decimal("7.3")))]),
    )
    base.update(over)
    return StudentYear(**base)


def test_exported_schema_matches_code():
    committed = json.loads((REPO / "schemas" / "canonical-0.1.json").read_text("utf-8"))
    assert committed == json_schema(), (
        "schemas/canonical-0.1.json is stale: .venv/bin/python -m connector.model > schemas/canonical-0.1.json"
    )


def test_text_is_nfc_whatever_the_input():
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung")
    year = make_year(student=Student(ho_ten=nfd, gioi_tinh=2), lop=unicodedata.normalize("NFD", "8Ạ1"))
    assert year.student.ho_ten == unicodedata.normalize("NFC", nfd) != nfd
    assert unicodedata.is_normalized("NFC", year.lop)


def test_scores_are_exact_decimal_strings_in_json():
    data = json.loads(canonical_json(make_year()))
    sem = data["danh_gia"]["mon_hoc"][0]["hk1"]
    assert sem["tx"] == ["7", "8", "6"] and sem["tb"] == "7.3"
    back = StudentYear.model_validate(data)
    assert back.danh_gia.mon_hoc[0].hk1.gk == Decimal("6.5")
    assert canonical_json(back) == canonical_json(make_year())


def test_float_is_never_needed_and_nan_is_refused():
    with pytest.raises(ValidationError):
        Semester(tx=[Decimal("NaN")])


def test_framework_variant_is_tagged():
    data = json.loads(canonical_json(make_year()))
    assert data["danh_gia"]["framework"] == "TT22"
    primary = make_year(khoi=3, nhom_cap_hoc="02", danh_gia=PrimaryAssessment())
    assert StudentYear.model_validate_json(canonical_json(primary)).framework == "TT27"


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError):
        StudentYear.model_validate({**json.loads(canonical_json(make_year())), "so_dien_thoai": "0900000000"})


def test_content_hash_changes_with_content_only():
    a, b = make_year(), make_year()
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash(make_year(lop="8A2"))


def test_records_validate_against_exported_schema():
    from datetime import datetime, timezone

    from connector.model import Provenance

    env = Envelope(provenance=Provenance(source_system="t", plugin="t", plugin_version="0", source_record_id="1",
                                         extracted_at=datetime.now(timezone.utc), content_sha256="0" * 64),
                   payload=make_year())
    jsonschema.validate(json.loads(canonical_json(env)), json_schema())
    bad = json.loads(canonical_json(env))
    bad["payload"]["khoi"] = 13
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json_schema())
