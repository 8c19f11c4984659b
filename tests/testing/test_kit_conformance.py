"""The conformance kit catches what it promises to catch, and nothing else.

kit_cases.py holds a source that conforms and variants that each break one rule, with a test class per
case. It runs once, in a separate pytest process (as a plugin author runs the kit); each test here reads
the outcome of one case from the JUnit report and compares the kit tests that failed with the ones that
must.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from connector.testing import SourceConformance, SourceMetadataConformance

CASES = Path(__file__).with_name("kit_cases.py")
BAD = "test_check_fails_clearly_with_bad_config[unknown_dataset]"
EXPORT = "test_export_round_trips"
# The kit tests that need records or schools from the good fixture.
NEEDS_DATA = {
    "test_discover_lists_schools_years_and_classes", "test_extract_yields_records",
    "test_records_match_the_canonical_json_schema", "test_records_round_trip_through_canonical_json",
    "test_record_text_is_nfc", "test_record_keys_are_unique", "test_records_have_a_source_record_id",
    "test_records_belong_to_discovered_schools_and_years", "test_school_filter_yields_only_that_school",
}

# case -> the kit tests that must fail (every other kit test must pass or, for export, skip)
MUST_FAIL = {
    "TestGood": set(),
    "TestUnmarkedSecret": {"test_config_schema_marks_secrets"},
    "TestBadSchema": {"test_config_schema_is_valid_json_schema", "test_good_config_passes_the_config_schema", BAD},
    "TestNameless": {"test_name_is_a_lowercase_identifier", "test_description_is_set"},
    "TestRaisingCheck": {BAD},
    "TestUnknownMessageKey": {BAD},
    "TestLeakyCheck": {BAD},
    "TestListExtract": {"test_extract_is_a_stream"},
    "TestNfdText": {"test_record_text_is_nfc", "test_records_round_trip_through_canonical_json"},
    "TestSchemaBreaking": {"test_records_match_the_canonical_json_schema",
                           "test_records_round_trip_through_canonical_json"},
    "TestDuplicateKeys": {"test_record_keys_are_unique"},
    "TestNondeterministic": {"test_extraction_is_deterministic"},
    "TestIgnoresState": {"test_far_future_state_yields_no_records"},
    "TestIgnoresSchoolFilter": {"test_school_filter_yields_only_that_school"},
    "TestUndiscoveredSchool": {"test_records_belong_to_discovered_schools_and_years"},
    "TestNaiveCursor": {"test_new_cursor_is_iso_8601_with_timezone_or_none"},
    "TestBadProblem": {"test_problems_and_removals_are_well_formed"},
    "TestEmptyAllowed": set(),
    "TestEmptyNotAllowed": NEEDS_DATA,
    "TestEmptyAllowedWithoutReason": NEEDS_DATA,
    "TestMaxRecords": set(),
    "TestExporting": set(),
    "TestExportingWithoutConfig": {EXPORT},
    "TestBadConfigsAsList": set(),
    "TestBadConfigsFixture": set(),
    "TestBadConfigRejectedBySchema": {"test_check_fails_clearly_with_bad_config[missing_dataset]"},
    "TestNoBadConfigs": {"test_check_fails_clearly_with_bad_config[none_declared]"},
}
# case -> the kit tests that must be skipped (default: export, as the sources have no export())
MUST_SKIP = {
    "TestEmptyAllowed": NEEDS_DATA | {EXPORT},
    "TestExporting": set(),
    "TestExportingWithoutConfig": set(),
}


@dataclass
class Case:
    outcomes: dict[str, str] = field(default_factory=dict)  # test name -> passed/failed/skipped
    messages: dict[str, str] = field(default_factory=dict)  # test name -> failure text

    def named(self, outcome: str) -> set[str]:
        return {name for name, o in self.outcomes.items() if o == outcome}


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> dict[str, Case]:
    """Run kit_cases.py in its own pytest process; outcomes per case (test class)."""
    folder = tmp_path_factory.mktemp("kit")
    shutil.copy(CASES, folder / CASES.name)
    report = folder / "report.xml"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", CASES.name, "-q", "-p", "no:cacheprovider", f"--junitxml={report}"],
        cwd=folder, env={**env, "HOCBA_LOAD_PLUGINS": ""}, capture_output=True, text=True, timeout=300,
    )
    assert report.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    out: dict[str, Case] = {}
    for testcase in ET.parse(report).iter("testcase"):
        case = out.setdefault(testcase.get("classname").rsplit(".", 1)[-1], Case())
        name = testcase.get("name")
        problem = testcase.find("failure") if testcase.find("failure") is not None else testcase.find("error")
        if problem is not None:
            case.outcomes[name] = "failed"
            case.messages[name] = f"{problem.get('message', '')}\n{problem.text or ''}"
        elif testcase.find("skipped") is not None:
            case.outcomes[name] = "skipped"
        else:
            case.outcomes[name] = "passed"
    return out


@pytest.mark.parametrize("case", sorted(MUST_FAIL))
def test_the_kit_fails_exactly_the_broken_rule(cases, case):
    outcome = cases[case]
    assert outcome.named("failed") == MUST_FAIL[case]
    assert outcome.named("skipped") == MUST_SKIP.get(case, {EXPORT})


def test_a_conforming_source_runs_every_kit_test(cases):
    kit_tests = {n for n in dir(SourceConformance) if n.startswith("test_")}
    ran = {name.split("[")[0] for name in cases["TestGood"].outcomes}
    assert ran == kit_tests
    assert len(kit_tests) > len({n for n in dir(SourceMetadataConformance) if n.startswith("test_")}) >= 9


@pytest.mark.parametrize("case, test, phrases", [
    ("TestUnmarkedSecret", "test_config_schema_marks_secrets", ["db_password", '"secret": true, "writeOnly": true']),
    ("TestRaisingCheck", BAD, ["check() raised ConnectionError", "CheckResult(ok=False"]),
    ("TestUnknownMessageKey", BAD, ["'no_such_message_key' is not in connector/data/messages.toml"]),
    ("TestLeakyCheck", BAD, ["shows a secret value"]),
    ("TestSchemaBreaking", "test_records_match_the_canonical_json_schema",
     ["record HS0000|2024-2025|79000701", "$.student.gioi_tinh", "'enum'"]),
    ("TestNfdText", "test_record_text_is_nfc", ["$.student.ho_ten is not NFC"]),
    ("TestNondeterministic", "test_extraction_is_deterministic", ["first difference at #0", "record HS0000"]),
    ("TestEmptyNotAllowed", "test_extract_yields_records", ["allow_empty = 'why it is empty'"]),
    ("TestEmptyAllowedWithoutReason", "test_extract_yields_records", ["allow_empty needs a reason"]),
    ("TestExportingWithoutConfig", EXPORT, ["define export_config(self, destination)"]),
    ("TestBadConfigRejectedBySchema", "test_check_fails_clearly_with_bad_config[missing_dataset]",
     ["config_schema already rejects it", "'required'"]),
    ("TestNoBadConfigs", "test_check_fails_clearly_with_bad_config[none_declared]", ["declare bad_configs"]),
    ("TestNoGoodConfig", "test_check_succeeds_with_good_config", ["define a good_config fixture"]),
])
def test_failures_say_what_to_fix(cases, case, test, phrases):
    message = cases[case].messages[test]
    for phrase in phrases:
        assert phrase in message


def test_failure_messages_never_show_values(cases):
    """Complaints name paths and keys: a vendor may run the kit on a copy of real data."""
    everything = "\n".join(m for case in cases.values() for m in case.messages.values())
    for value in ("Nguyễn", "Nguye\u0302", "tok-SEKRET-42"):
        assert value not in everything


def test_bad_configs_may_be_a_list_or_a_fixture(cases):
    assert cases["TestBadConfigsAsList"].named("passed") >= {
        "test_check_fails_clearly_with_bad_config[bad_config_0]",
        "test_check_fails_clearly_with_bad_config[bad_config_1]",
    }
    assert "test_check_fails_clearly_with_bad_config[from_fixture]" in cases["TestBadConfigsFixture"].named("passed")


def test_max_records_stops_reading_early(cases):
    """The same source fails without max_records (it raises after the first record) and passes with it."""
    assert not cases["TestMaxRecords"].named("failed")
    assert "test_extraction_is_deterministic" in cases["TestExplodesWithoutMaxRecords"].named("failed")


def test_a_missing_good_config_fails_only_the_tests_that_need_it(cases):
    outcome = cases["TestNoGoodConfig"]
    metadata = {n for n in dir(SourceMetadataConformance) if n.startswith("test_")}
    assert outcome.named("passed") == metadata
