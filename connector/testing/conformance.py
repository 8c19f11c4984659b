"""Conformance test classes for source plugins (modelled on Meltano's ``get_tap_test_class`` and
Airbyte's acceptance tests). Subclass one in your plugin's test suite::

    from connector.testing import SourceConformance

    class TestMySource(SourceConformance):
        source_class = MySource
        bad_configs = {"missing_file": {"path": "/nowhere/school.json"}}

        @pytest.fixture
        def good_config(self, tmp_path):
            return {"path": str(make_fixture(tmp_path))}

Every check is its own test method with a readable name, so ``pytest -v`` reads as a checklist.
See docs/writing-a-plugin.md ("The conformance kit") for the options.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from importlib.metadata import entry_points
from typing import Any, ClassVar

import pluggy
import pytest

from connector import hookspecs
from connector.config import secret_fields
from connector.errors import HocbaError
from connector.extract import (
    ClassInfo, Message, Problem, Record, Removal, SchoolInfo, SchoolYearInfo, Source, SourceState,
)
from connector.model import canonical_json
from connector.plugins import ENTRY_POINT_GROUP
from connector.testing import checks

#: A state no real change can be at or after: a source given it must yield no records.
FAR_FUTURE_STATE = "9999-12-31T00:00:00+00:00"
SCHOOL_YEAR = re.compile(r"^\d{4}-\d{4}$")


def _complain(complaints: list[str], header: str) -> None:
    """One failure listing every complaint, so a single run shows all there is to fix."""
    if complaints:
        shown = complaints[:20] + ([f"… and {len(complaints) - 20} more"] if len(complaints) > 20 else [])
        pytest.fail(header + "\n  - " + "\n  - ".join(shown), pytrace=False)


class SourceMetadataConformance:
    """The part of the kit that needs only the class: metadata, configuration schema, registration.

    Use it alone for a plugin that cannot extract yet (a skeleton); :class:`SourceConformance` adds
    the checks that run the source against a fixture.
    """

    #: The Source subclass under test.
    source_class: ClassVar[type[Source]]
    #: Module holding the ``@hookimpl register_sources``; default: see :meth:`plugin_modules`.
    plugin_module: ClassVar[str | None] = None

    def test_source_class_is_a_source(self):
        cls = getattr(self, "source_class", None)
        assert isinstance(cls, type) and issubclass(cls, Source), (
            "set source_class = YourSource (a subclass of connector.extract.Source) on the test class"
        )

    def test_name_is_a_lowercase_identifier(self):
        name = getattr(self.source_class, "name", None)
        assert isinstance(name, str) and checks.NAME_PATTERN.match(name), (
            f"Source.name must be a lower-case ASCII identifier (used in configuration files), got {name!r}"
        )

    def test_description_is_set(self):
        description = self.source_class.description
        assert isinstance(description, str) and description.strip(), (
            "set Source.description: one line shown by `hocba plugins`"
        )

    def test_version_is_known(self):
        found = checks.plugin_version(self.source_class)
        assert found, (
            "no version found for the plugin: install it (pip install -e .) or set __version__ in its package"
        )

    def test_notes_are_text(self):
        notes = self.source_class.notes
        assert isinstance(notes, tuple) and all(isinstance(n, str) and n.strip() for n in notes), (
            "Source.notes must be a tuple of non-empty strings"
        )

    def test_config_schema_is_valid_json_schema(self):
        _complain(checks.config_schema_problems(self.source_class.config_schema), "config_schema:")

    def test_config_schema_marks_secrets(self):
        _complain(checks.unmarked_secrets(self.source_class.config_schema), "config_schema secrets:")

    def test_source_methods_are_implemented(self):
        missing = [m for m in ("check", "discover", "extract")
                   if getattr(self.source_class, m) is getattr(Source, m)]
        assert not missing, f"implement {', '.join(missing)} (the base class only raises NotImplementedError)"

    def test_plugin_module_registers_the_source(self):
        names = self.plugin_modules()
        pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
        pm.add_hookspecs(hookspecs)
        for name in names:
            pm.register(importlib.import_module(name))
        pm.check_pending()  # a misspelt hook name fails here
        registered: list[Any] = []
        pm.hook.register_sources(register=registered.append)
        assert self.source_class in registered, (
            f"{' or '.join(names)} must define @hookimpl register_sources(register) calling "
            f"register({self.source_class.__name__}); if the hook is in another module, set plugin_module"
        )

    def plugin_modules(self) -> list[str]:
        """Where the hook should be: ``plugin_module``, else the ``hocba`` entry points of the installed
        package (what hocba itself loads), else the module of ``source_class`` (an uninstalled checkout)."""
        if self.plugin_module:
            return [self.plugin_module]
        top = self.source_class.__module__.split(".", 1)[0]
        installed = sorted({ep.module for ep in entry_points(group=ENTRY_POINT_GROUP)
                            if ep.module.split(".", 1)[0] == top})
        return installed or [self.source_class.__module__]


class SourceConformance(SourceMetadataConformance):
    """The whole kit: metadata, then check/discover/extract against a fixture the test class provides.

    Provide a ``good_config`` fixture and ``bad_configs``; set the options below when needed.
    """

    #: Configurations that pass the config schema but cannot work: ``check()`` must say so clearly.
    #: A dict ``{id: config}`` (ids show in the test names), a list of configs, or a fixture named
    #: ``bad_configs`` returning either. A value may be a callable ``good_config -> config``.
    bad_configs: ClassVar[Mapping[str, Any] | list[Any]] = {}
    #: Read at most this many records in each test (a large fixture stays fast). None: all.
    max_records: ClassVar[int | None] = None
    #: A reason why the fixture may hold no records or schools (Airbyte's ``bypass_reason``). Without
    #: a reason, an empty extraction fails.
    allow_empty: ClassVar[str | None] = None

    # --- fixtures and helpers ---------------------------------------------------------------------

    @pytest.fixture
    def good_config(self):
        pytest.fail("define a good_config fixture on the test class: a configuration that works against "
                    "a fixture (e.g. a file written into tmp_path)", pytrace=False)

    @pytest.fixture
    def open_source(self) -> Iterator[Callable[[dict], Source]]:
        """Factory: ``open_source(config)`` constructs a source and closes it after the test."""
        opened: list[Source] = []

        def open_(config: dict) -> Source:
            source = self.source_class(dict(config))
            opened.append(source)
            return source

        yield open_
        for source in opened:
            source.close()

    @pytest.fixture
    def source(self, open_source, good_config) -> Source:
        return open_source(good_config)

    @pytest.fixture
    def messages(self, source) -> list[Message]:
        return self.read(source)

    @pytest.fixture
    def records(self, messages) -> list[Record]:
        return [m for m in messages if isinstance(m, Record)]

    @pytest.fixture
    def schools(self, source) -> list[SchoolInfo]:
        return source.discover()

    def read(self, source: Source, *, school: str | None = None, state: SourceState | None = None) -> list[Message]:
        """The messages of one extraction, stopping after ``max_records`` records."""
        stream = source.extract(school=school, state=state or SourceState())
        out: list[Message] = []
        seen = 0
        try:
            for message in stream:
                out.append(message)
                seen += isinstance(message, Record)
                if self.max_records is not None and seen >= self.max_records:
                    break
        finally:
            close = getattr(stream, "close", None)
            if close:
                close()  # a generator stopped early releases its cursor or file now
        return out

    def require_some(self, items: list, what: str) -> None:
        """Fail (or skip, with ``allow_empty``) when the good fixture produced nothing."""
        reason = self.allow_empty
        if reason is not None and not (isinstance(reason, str) and reason.strip()):
            pytest.fail("allow_empty needs a reason (a sentence), not a flag", pytrace=False)
        if not items:
            if reason:
                pytest.skip(f"no {what} (allowed: {reason})")
            pytest.fail(f"the good_config fixture gave no {what}; give the fixture data, or set "
                        f"allow_empty = 'why it is empty'", pytrace=False)

    def pytest_generate_tests(self, metafunc):
        """One test per bad configuration, named by its id."""
        if "bad_config_id" not in metafunc.fixturenames:
            return
        declared = getattr(type(self), "bad_configs", {})
        if isinstance(declared, Mapping):
            ids = [str(k) for k in declared]
        elif isinstance(declared, (list, tuple)):
            ids = [f"bad_config_{i}" for i in range(len(declared))]
        else:  # a bad_configs fixture: its configs are only known when the test runs
            ids = ["from_fixture"]
        metafunc.parametrize("bad_config_id", ids or ["none_declared"])

    def bad_config_cases(self, bad_config_id: str, request, good_config: dict) -> list[tuple[str, dict]]:
        declared = getattr(type(self), "bad_configs", {})
        if bad_config_id == "from_fixture":
            declared = request.getfixturevalue("bad_configs")
        if isinstance(declared, Mapping):
            cases = [(str(k), v) for k, v in declared.items()]
        else:
            cases = [(f"bad_config_{i}", v) for i, v in enumerate(declared)]
        if bad_config_id != "from_fixture":
            cases = [c for c in cases if c[0] == bad_config_id]
        return [(name, value(good_config) if callable(value) else value) for name, value in cases]

    # --- configuration and check() -----------------------------------------------------------------

    def test_good_config_passes_the_config_schema(self, good_config):
        _complain(checks.config_problems(self.source_class.config_schema, good_config),
                  "good_config is rejected by config_schema:")

    def test_check_succeeds_with_good_config(self, source, good_config):
        secrets = [str(good_config[k]) for k in secret_fields(self.source_class.config_schema) if k in good_config]
        _complain(checks.check_result_problems(source.check(), expect_ok=True, secrets=secrets),
                  "check() with good_config:")

    def test_check_fails_clearly_with_bad_config(self, bad_config_id, request, good_config, open_source):
        cases = self.bad_config_cases(bad_config_id, request, good_config)
        if not cases:
            pytest.fail("declare bad_configs: configurations that pass the schema but cannot work (a missing "
                        "file, a wrong host or password), so check() is shown to fail clearly", pytrace=False)
        complaints: list[str] = []
        for name, config in cases:
            complaints += [f"[{name}] {c}" for c in self._bad_config_complaints(config, open_source)]
        _complain(complaints, "check() with a bad configuration must return CheckResult(ok=False) with a "
                              "message, without raising:")

    def _bad_config_complaints(self, config: dict, open_source) -> list[str]:
        schema = self.source_class.config_schema
        rejected = checks.config_problems(schema, config)
        if rejected:
            return [f"config_schema already rejects it ({rejected[0]}); a bad config here must pass the "
                    "schema and fail in check() (wrong path, host or password)"]
        try:
            result = open_source(config).check()
        except HocbaError as exc:
            return [f"check() raised {type(exc).__name__}({exc.key!r}); return CheckResult(ok=False, key=...)"]
        except Exception as exc:  # noqa: BLE001 — the point of the test: no traceback for the clerk
            return [f"check() raised {type(exc).__name__}; catch it and return CheckResult(ok=False, key=...)"]
        secrets = [str(config[k]) for k in secret_fields(schema) if k in config]
        return checks.check_result_problems(result, expect_ok=False, secrets=secrets)

    # --- discover() --------------------------------------------------------------------------------

    def test_discover_lists_schools_years_and_classes(self, schools):
        assert isinstance(schools, list), f"discover() must return a list, not {type(schools).__name__}"
        self.require_some(schools, "schools from discover()")
        complaints = []
        for school in schools:
            if not isinstance(school, SchoolInfo) or not school.ma_truong:
                complaints.append(f"{school!r:.60}: expected SchoolInfo with ma_truong")
                continue
            if not school.years:
                complaints.append(f"school {school.ma_truong}: no school years")
            for year in school.years:
                if not isinstance(year, SchoolYearInfo) or not _is_school_year(year.nam_hoc):
                    complaints.append(f"school {school.ma_truong}: expected SchoolYearInfo with nam_hoc 'YYYY-YYYY'")
                    continue
                if not year.classes:
                    complaints.append(f"school {school.ma_truong} {year.nam_hoc}: no classes")
                for c in year.classes:
                    if not (isinstance(c, ClassInfo) and c.lop and 1 <= c.khoi <= 12 and c.students >= 0):
                        complaints.append(f"school {school.ma_truong} {year.nam_hoc}: class {getattr(c, 'lop', c)!r}"
                                          " needs lop, khoi 1–12 and students ≥ 0")
        _complain(complaints, "discover():")

    # --- extract() ---------------------------------------------------------------------------------

    def test_extract_is_a_stream(self, source):
        stream = source.extract(school=None, state=SourceState())
        try:
            assert isinstance(stream, Iterator), (
                f"extract() must return an iterator (write it as a generator: yield as you read), "
                f"not {type(stream).__name__}; a list holds every student in memory"
            )
        finally:
            getattr(stream, "close", lambda: None)()

    def test_extract_yields_only_records_problems_and_removals(self, messages):
        wrong = sorted({type(m).__name__ for m in messages if not isinstance(m, (Record, Problem, Removal))})
        assert not wrong, f"extract() yielded {', '.join(wrong)}; yield Record, Problem or Removal only"

    def test_extract_yields_records(self, records):
        self.require_some(records, "records from extract()")

    def test_problems_and_removals_are_well_formed(self, messages):
        complaints: list[str] = []
        for m in messages:
            if isinstance(m, Problem):
                complaints += checks.problem_problems(m)
            elif isinstance(m, Removal):
                complaints += checks.removal_problems(m)
        _complain(complaints, "problems and removals:")

    def test_records_match_the_canonical_json_schema(self, records):
        self.require_some(records, "records")
        complaints = [c for r in records for c in checks.payload_schema_problems(r.payload)]
        _complain(complaints, "payloads that fail the canonical JSON Schema (connector.model.json_schema()):")

    def test_records_round_trip_through_canonical_json(self, records):
        self.require_some(records, "records")
        _complain([c for r in records for c in checks.round_trip_problems(r.payload)], "round trip:")

    def test_record_text_is_nfc(self, records):
        self.require_some(records, "records")
        _complain([c for r in records for c in checks.nfc_problems(r.payload)],
                  "text must be Unicode NFC (normalise with connector.text.nfc):")

    def test_record_keys_are_unique(self, records):
        self.require_some(records, "records")
        duplicates = checks.duplicate_keys(r.payload.key for r in records)
        assert not duplicates, (
            f"record keys (student_key|nam_hoc|ma_truong) repeat: {', '.join(duplicates[:10])}"
        )

    def test_records_have_a_source_record_id(self, records):
        self.require_some(records, "records")
        missing = [r.payload.key for r in records if not (isinstance(r.source_record_id, str) and r.source_record_id)]
        assert not missing, f"records without source_record_id: {', '.join(missing[:10])}"

    def test_records_belong_to_discovered_schools_and_years(self, records, schools):
        self.require_some(records, "records")
        discovered = {(s.ma_truong, y.nam_hoc) for s in schools for y in s.years}
        unknown = sorted({(r.payload.ma_truong, r.payload.nam_hoc) for r in records} - discovered)
        assert not unknown, (
            "extract() gave records for school/year pairs discover() does not list: "
            + ", ".join(f"{s} {y}" for s, y in unknown[:10])
        )

    def test_extraction_is_deterministic(self, open_source, good_config):
        first, second = self.read(open_source(good_config)), self.read(open_source(good_config))
        if [_signature(m) for m in first] != [_signature(m) for m in second]:
            index = next((i for i, (a, b) in enumerate(zip(first, second)) if _signature(a) != _signature(b)),
                         min(len(first), len(second)))
            pytest.fail(
                f"two extractions differ ({len(first)} and {len(second)} messages; first difference at #{index}: "
                f"{_describe(first, index)} / {_describe(second, index)}). Sort what you read (ORDER BY a stable "
                "key) and avoid sets, clocks and random ids.",
                pytrace=False,
            )

    def test_school_filter_yields_only_that_school(self, source, schools):
        self.require_some(schools, "schools from discover()")
        code = schools[0].ma_truong
        others = sorted({m.payload.ma_truong for m in self.read(source, school=code)
                         if isinstance(m, Record) and m.payload.ma_truong != code})
        assert not others, f"extract(school={code!r}) also gave records of {', '.join(others)}"

    def test_far_future_state_yields_no_records(self, source):
        state = SourceState(cursor=FAR_FUTURE_STATE)
        found = [m for m in self.read(source, state=state) if isinstance(m, (Record, Removal))]
        assert not found, (
            f"extract(state=SourceState(cursor={FAR_FUTURE_STATE!r})) gave {len(found)} records/removals; "
            "yield only what changed at or after state.cursor"
        )

    def test_new_cursor_is_iso_8601_with_timezone_or_none(self, source):
        cursor = source.new_cursor()
        if cursor is None:
            return
        try:
            parsed = datetime.fromisoformat(cursor)
        except (TypeError, ValueError):
            pytest.fail(f"new_cursor() must return an ISO-8601 timestamp or None, got {cursor!r}", pytrace=False)
        assert parsed.tzinfo is not None, f"new_cursor() {cursor!r} needs a timezone (e.g. +00:00)"

    # --- export() ----------------------------------------------------------------------------------

    def export_config(self, destination: str) -> dict | None:
        """Override when the source implements ``export()``: the configuration that reads back what
        ``export(records, destination)`` wrote."""
        return None

    def test_export_round_trips(self, records, open_source, tmp_path):
        if getattr(self.source_class.export, "__func__", None) is Source.export.__func__:
            pytest.skip("the source does not implement export()")
        self.require_some(records, "records")
        destination = str(tmp_path / "export")
        config = self.export_config(destination)
        if config is None:
            pytest.fail("the source implements export(): define export_config(self, destination) on the test "
                        "class, returning the configuration that reads the export back", pytrace=False)
        self.source_class.export((r.payload for r in records), destination)
        again = [m for m in self.read(open_source(config)) if isinstance(m, Record)]
        before = {r.payload.key: canonical_json(r.payload) for r in records}
        after = {r.payload.key: canonical_json(r.payload) for r in again}
        differ = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        assert not differ, f"export() then extract() changes or loses records: {', '.join(differ[:10])}"


def _is_school_year(value: Any) -> bool:
    return isinstance(value, str) and SCHOOL_YEAR.match(value) is not None


def _describe(messages: list[Message], index: int) -> str:
    """Which message it is, by opaque key only."""
    if index >= len(messages):
        return "nothing"
    m = messages[index]
    if isinstance(m, Record):
        return f"record {m.payload.key}"
    if isinstance(m, Problem):
        return f"problem {m.key} (row {m.row})"
    return type(m).__name__


def _signature(message: Message) -> tuple:
    if isinstance(message, Record):
        return ("record", message.source_record_id, canonical_json(message.payload))
    if isinstance(message, Problem):
        return ("problem", message.key, message.file, message.row, message.column, message.severity,
                tuple(sorted((k, str(v)) for k, v in message.fields.items())))
    if isinstance(message, Removal):
        return ("removal", message.record_key, message.reason)
    return ("other", type(message).__name__)


__all__ = ["FAR_FUTURE_STATE", "SourceConformance", "SourceMetadataConformance"]
