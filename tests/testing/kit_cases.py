"""Cases for the conformance kit's self-tests: a source that conforms and variants that each break one
rule, with a test class per case.

Not collected by the main test run (the name does not start with ``test_``): test_kit_conformance.py
copies this file into a temporary folder, runs pytest on it in a separate process and compares, case by
case, which kit tests failed with the ones that must.
"""

from __future__ import annotations

import itertools
import json
import unicodedata
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from connector.extract import (
    CheckResult, ClassInfo, Problem, Record, SchoolInfo, SchoolYearInfo, Source, SourceState,
)
from connector.hookspecs import hookimpl
from connector.model import PrimaryAssessment, PrimarySubject, Student, StudentYear, canonical_json
from connector.testing import SourceConformance

__version__ = "1.0.0"  # the kit finds a version for sources that are not installed here

NAMES = ("Nguyễn Thị An", "Trần Minh Khôi", "Lê Văn Bình", "Phạm Gia Hân")
ROWS = (("79000701", "3A"), ("79000701", "3A"), ("79000702", "3B"), ("79000702", "3B"))
CHANGED = "2025-05-20T10:00:00+07:00"
TOKEN = "tok-SEKRET-42"


def student_year(i: int, school: str, lop: str) -> StudentYear:
    return StudentYear(
        student_key=f"HS{i:04d}",
        student=Student(ho_ten=NAMES[i], gioi_tinh=1 + i % 2),
        ma_truong=school, nam_hoc="2024-2025", khoi=3, nhom_cap_hoc="02", lop=lop,
        danh_gia=PrimaryAssessment(
            mon_hoc=[PrimarySubject(mon="toan", muc_dat={"CN": "T"}, diem_ktdk={"CN": Decimal("9")})],
        ),
    )


class GoodSource(Source):
    name = "kit_good"
    description = "A source that conforms"
    config_schema = {
        "type": "object",
        "properties": {
            "dataset": {"type": "string"},
            "api_token": {"type": "string", "secret": True, "writeOnly": True},
        },
        "required": ["dataset"],
        "additionalProperties": False,
    }

    def check(self) -> CheckResult:
        if self.config["dataset"] != "fixture":
            return CheckResult(False, "source_path_not_found", {"path": self.config["dataset"]})
        return CheckResult(True, "check_ok")

    def discover(self) -> list[SchoolInfo]:
        schools = sorted({school for school, _ in ROWS})
        return [SchoolInfo(s, None, [SchoolYearInfo("2024-2025", [
            ClassInfo(None, lop, 3, sum(1 for r in ROWS if r == (s, lop))) for lop in sorted({c for x, c in ROWS if x == s})
        ])]) for s in schools]

    def extract(self, *, school=None, state=None):
        since = (state or SourceState()).cursor_time()
        for i, (code, lop) in self.rows():
            if school and code != school:
                continue
            if since and datetime.fromisoformat(CHANGED) < since:
                continue
            yield Record(self.payload(i, code, lop), source_record_id=str(i))

    def rows(self):
        return list(enumerate(ROWS))

    def payload(self, i: int, code: str, lop: str) -> StudentYear:
        return student_year(i, code, lop)

    def new_cursor(self) -> str:
        return "2025-06-01T00:00:00+00:00"


# --- variants, each breaking one rule ------------------------------------------------------------


class UnmarkedSecret(GoodSource):
    config_schema = {
        "type": "object",
        "properties": {**GoodSource.config_schema["properties"], "db_password": {"type": "string"}},
        "required": ["dataset"],
    }


class BadSchema(GoodSource):
    config_schema = {"type": "objekt"}


class Nameless(GoodSource):
    name = "Kit-Bad"
    description = ""


class RaisingCheck(GoodSource):
    def check(self):
        if self.config["dataset"] != "fixture":
            raise ConnectionError("cannot connect")
        return super().check()


class UnknownMessageKey(GoodSource):
    def check(self):
        result = super().check()
        return result if result.ok else CheckResult(False, "no_such_message_key")


class LeakyCheck(GoodSource):
    def check(self):
        result = super().check()
        return result if result.ok else CheckResult(False, "source_path_not_found", {"path": self.config["api_token"]})


class ListExtract(GoodSource):
    def extract(self, *, school=None, state=None):
        return list(super().extract(school=school, state=state))


class NfdText(GoodSource):
    def payload(self, i, code, lop):
        payload = super().payload(i, code, lop)
        payload.student.ho_ten = unicodedata.normalize("NFD", payload.student.ho_ten)  # assignment skips validation
        return payload


class SchemaBreaking(GoodSource):
    def payload(self, i, code, lop):
        payload = super().payload(i, code, lop)
        payload.student.gioi_tinh = 5
        return payload


class DuplicateKeys(GoodSource):
    def payload(self, i, code, lop):
        return student_year(0, "79000701", "3A")


class Nondeterministic(GoodSource):
    instances = itertools.count()

    def __init__(self, config):
        super().__init__(config)
        self.reverse = next(self.instances) % 2 == 1

    def rows(self):
        return sorted(super().rows(), reverse=self.reverse)


class IgnoresState(GoodSource):
    def extract(self, *, school=None, state=None):
        return super().extract(school=school, state=None)


class IgnoresSchoolFilter(GoodSource):
    def extract(self, *, school=None, state=None):
        return super().extract(school=None, state=state)


class UndiscoveredSchool(GoodSource):
    def discover(self):
        return super().discover()[:1]


class NaiveCursor(GoodSource):
    def new_cursor(self):
        return "2025-06-01T00:00:00"


class BadProblem(GoodSource):
    def extract(self, *, school=None, state=None):
        yield Problem("no_such_message_key", file="export.csv", row=2, column="ngay_sinh")
        yield from super().extract(school=school, state=state)


class Empty(GoodSource):
    def rows(self):
        return []

    def discover(self):
        return []


class ExplodesAfterFirst(GoodSource):
    def extract(self, *, school=None, state=None):
        for n, message in enumerate(super().extract(school=school, state=state)):
            if n >= 1:
                raise RuntimeError("read past the first record")
            yield message


class Exporting(GoodSource):
    config_schema = {
        "type": "object",
        "properties": {**GoodSource.config_schema["properties"], "from_file": {"type": "string"}},
        "required": ["dataset"],
        "additionalProperties": False,
    }

    def extract(self, *, school=None, state=None):
        if "from_file" not in self.config:
            yield from super().extract(school=school, state=state)
            return
        with open(self.config["from_file"], encoding="utf-8") as lines:
            for n, line in enumerate(lines):
                yield Record(StudentYear.model_validate_json(line), source_record_id=str(n))

    @classmethod
    def export(cls, records, destination):
        Path(destination).write_text("".join(canonical_json(r) + "\n" for r in records), encoding="utf-8")


SOURCES = (
    GoodSource, UnmarkedSecret, BadSchema, Nameless, RaisingCheck, UnknownMessageKey, LeakyCheck, ListExtract,
    NfdText, SchemaBreaking, DuplicateKeys, Nondeterministic, IgnoresState, IgnoresSchoolFilter,
    UndiscoveredSchool, NaiveCursor, BadProblem, Empty, ExplodesAfterFirst, Exporting,
)


@hookimpl
def register_sources(register):
    for cls in SOURCES:
        register(cls)


# --- the test classes ----------------------------------------------------------------------------


class KitCase(SourceConformance):
    bad_configs = {"unknown_dataset": {"dataset": "nope", "api_token": TOKEN}}

    @pytest.fixture
    def good_config(self):
        return {"dataset": "fixture"}


class TestGood(KitCase):
    source_class = GoodSource


class TestUnmarkedSecret(KitCase):
    source_class = UnmarkedSecret


class TestBadSchema(KitCase):
    source_class = BadSchema


class TestNameless(KitCase):
    source_class = Nameless


class TestRaisingCheck(KitCase):
    source_class = RaisingCheck


class TestUnknownMessageKey(KitCase):
    source_class = UnknownMessageKey


class TestLeakyCheck(KitCase):
    source_class = LeakyCheck


class TestListExtract(KitCase):
    source_class = ListExtract


class TestNfdText(KitCase):
    source_class = NfdText


class TestSchemaBreaking(KitCase):
    source_class = SchemaBreaking


class TestDuplicateKeys(KitCase):
    source_class = DuplicateKeys


class TestNondeterministic(KitCase):
    source_class = Nondeterministic


class TestIgnoresState(KitCase):
    source_class = IgnoresState


class TestIgnoresSchoolFilter(KitCase):
    source_class = IgnoresSchoolFilter


class TestUndiscoveredSchool(KitCase):
    source_class = UndiscoveredSchool


class TestNaiveCursor(KitCase):
    source_class = NaiveCursor


class TestBadProblem(KitCase):
    source_class = BadProblem


class TestEmptyAllowed(KitCase):
    source_class = Empty
    allow_empty = "the school year has not started"


class TestEmptyNotAllowed(KitCase):
    source_class = Empty


class TestEmptyAllowedWithoutReason(KitCase):
    source_class = Empty
    allow_empty = True


class TestMaxRecords(KitCase):
    source_class = ExplodesAfterFirst
    max_records = 1


class TestExplodesWithoutMaxRecords(KitCase):
    source_class = ExplodesAfterFirst


class TestExporting(KitCase):
    source_class = Exporting

    def export_config(self, destination):
        return {"dataset": "fixture", "from_file": destination}


class TestExportingWithoutConfig(KitCase):
    source_class = Exporting


class TestBadConfigsAsList(KitCase):
    source_class = GoodSource
    bad_configs = [{"dataset": "nope"}, lambda good: {**good, "dataset": "other"}]


class TestBadConfigsFixture(KitCase):
    source_class = GoodSource

    @pytest.fixture
    def bad_configs(self, tmp_path):
        return {"in_tmp": {"dataset": str(tmp_path / "missing")}}


class TestBadConfigRejectedBySchema(KitCase):
    source_class = GoodSource
    bad_configs = {"missing_dataset": {}}


class TestNoBadConfigs(KitCase):
    source_class = GoodSource
    bad_configs = {}


class TestNoGoodConfig(SourceConformance):
    source_class = GoodSource
    bad_configs = {"unknown_dataset": {"dataset": "nope"}}


def test_the_payloads_are_json():
    """Sanity for the cases themselves: the good payload is what the model would build."""
    payload = student_year(0, "79000701", "3A")
    assert json.loads(canonical_json(payload))["student"]["ho_ten"] == NAMES[0]
