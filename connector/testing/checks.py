"""The conformance kit's individual checks as plain functions.

Each function returns a list of human-readable complaints (empty = conforms), so the test classes in
:mod:`connector.testing.conformance` stay one assertion each and the checks can be tested on their own.
Complaints name paths, keys and rule names, never the offending values: a vendor may run the kit
against a copy of real data, and values could be personal data.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from importlib.metadata import PackageNotFoundError, packages_distributions, version
from typing import Any

import jsonschema

from connector.extract import CheckResult, Problem, Removal
from connector.i18n import LANGS, catalogue
from connector.model import StudentYear, canonical_json, json_schema

# A property whose name contains one of these is a secret wherever it appears ("db_password",
# "apiToken", "client_secret") …
SECRET_SUBSTRINGS = ("password", "passwd", "passphrase", "secret", "token")
# … and one whose name has one of these as a whole word ("pin", "pwd", "api_key"; not "shipping").
SECRET_WORDS = frozenset({"pin", "pwd", "apikey", "api_key", "private_key", "privatekey", "credential",
                          "credentials"})
REMOVAL_REASONS = frozenset({"deleted", "chuyen_di", "thoi_hoc"})
SEVERITIES = frozenset({"error", "warning"})
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
TRACEBACK_MARK = "Traceback (most recent call last)"


# --- metadata and configuration schema ---------------------------------------------------------


def name_words(name: str) -> set[str]:
    """Split ``dbPassword`` / ``db_password`` / ``db-password`` into lower-case words (and pairs)."""
    words = [w.lower() for w in re.split(r"[_\-\s.]+|(?<=[a-z0-9])(?=[A-Z])", name) if w]
    pairs = {f"{a}_{b}" for a, b in zip(words, words[1:])}
    return set(words) | pairs


def looks_secret(name: str) -> bool:
    lowered = name.lower()
    return any(s in lowered for s in SECRET_SUBSTRINGS) or bool(name_words(name) & SECRET_WORDS)


def walk_properties(schema: Any, path: str = "") -> Iterator[tuple[str, dict]]:
    """Every (dotted path, property schema) of a JSON Schema, nested objects and combinators included."""
    if not isinstance(schema, dict):
        return
    for name, prop in (schema.get("properties") or {}).items():
        if isinstance(prop, dict):
            yield f"{path}{name}", prop
            yield from walk_properties(prop, f"{path}{name}.")
    for keyword in ("items", "additionalProperties", "not", "if", "then", "else"):
        yield from walk_properties(schema.get(keyword), path)
    for keyword in ("allOf", "anyOf", "oneOf", "prefixItems"):
        for sub in schema.get(keyword) or ():
            yield from walk_properties(sub, path)
    for keyword in ("dependentSchemas", "patternProperties", "$defs"):
        for sub in (schema.get(keyword) or {}).values():
            yield from walk_properties(sub, path)


def config_schema_problems(schema: Any) -> list[str]:
    if not isinstance(schema, dict):
        return [f"config_schema must be a dict (a JSON Schema), not {type(schema).__name__}"]
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(top)"
        return [f"config_schema is not valid JSON Schema (draft 2020-12) at {where}: {exc.message}"]
    if schema.get("type") != "object":
        return ['config_schema must describe an object: add "type": "object"']
    return []


def unmarked_secrets(schema: dict) -> list[str]:
    """Properties named like secrets without ``"secret": true, "writeOnly": true``, and the reverse
    mistake: a secret marked on something other than a string (it comes from an environment variable)."""
    complaints = []
    for path, prop in walk_properties(schema):
        marked = prop.get("secret") is True and prop.get("writeOnly") is True
        if looks_secret(path.rsplit(".", 1)[-1]) and not marked:
            complaints.append(f'{path}: looks like a secret; add "secret": true, "writeOnly": true')
        elif prop.get("secret") and not marked:
            complaints.append(f'{path}: "secret": true needs "writeOnly": true as well')
        if prop.get("secret") and "default" in prop:
            complaints.append(f"{path}: a secret must not have a default value")
    return complaints


def config_problems(schema: dict, config: dict) -> list[str]:
    """Why ``config`` would be rejected by hocba before the source is even constructed."""
    if config_schema_problems(schema):
        return ["config_schema itself is not valid JSON Schema"]
    validator = jsonschema.Draft202012Validator(schema)
    return [
        f"at {'.'.join(str(p) for p in e.absolute_path) or '(top)'}: fails '{e.validator}'"
        f" ({_short(e.validator_value)})"
        for e in validator.iter_errors(config)
    ]


def plugin_version(cls: type) -> str | None:
    """The version of the distribution that ships ``cls`` (or the package's ``__version__`` when the
    plugin runs from a source folder that is not installed)."""
    top = cls.__module__.split(".", 1)[0]
    for dist in packages_distributions().get(top, ()):
        try:
            return version(dist)
        except PackageNotFoundError:
            continue
    module = sys.modules.get(top)
    found = getattr(module, "__version__", None)
    return str(found) if found else None


# --- messages -----------------------------------------------------------------------------------


def message_problems(key: str, fields: dict[str, Any], what: str) -> list[str]:
    """A message key must exist in data/messages.toml and render in every language."""
    if key not in catalogue():
        return [f"{what}: message key {key!r} is not in connector/data/messages.toml"]
    complaints = []
    for lang in LANGS:
        template = catalogue()[key].get(lang)
        if not template:
            complaints.append(f"{what}: message {key!r} has no {lang} text")
            continue
        try:
            text = template.format(**fields)
        except (KeyError, IndexError) as exc:
            complaints.append(f"{what}: message {key!r} ({lang}) needs field {exc} that was not given")
            continue
        if TRACEBACK_MARK in text:
            complaints.append(f"{what}: message {key!r} ({lang}) contains a traceback")
    return complaints


def check_result_problems(result: Any, expect_ok: bool, secrets: Iterable[str] = ()) -> list[str]:
    if not isinstance(result, CheckResult):
        return [f"check() must return a CheckResult, not {type(result).__name__}"]
    complaints = []
    if result.ok is not expect_ok:
        complaints.append(f"check() returned ok={result.ok!r}, expected ok={expect_ok!r} (key {result.key!r})")
    complaints += message_problems(result.key, result.fields, "check()")
    if not complaints:
        rendered = " ".join(result.message(lang) for lang in LANGS)
        if any(s and s in rendered for s in secrets):
            complaints.append("check(): the message shows a secret value from the configuration")
    return complaints


def problem_problems(problem: Problem) -> list[str]:
    what = f"Problem {problem.key!r} (file {problem.file}, row {problem.row}, column {problem.column})"
    complaints = message_problems(problem.key, problem.fields, what)
    if problem.severity not in SEVERITIES:
        complaints.append(f"{what}: severity must be one of {sorted(SEVERITIES)}, not {problem.severity!r}")
    return complaints


def removal_problems(removal: Removal) -> list[str]:
    if removal.reason not in REMOVAL_REASONS:
        return [f"Removal of {removal.record_key}: reason must be one of {sorted(REMOVAL_REASONS)}"]
    return []


# --- records ------------------------------------------------------------------------------------


@cache
def payload_validator() -> jsonschema.Draft202012Validator:
    """Validator for one payload, built from the exported envelope schema (connector.model.json_schema)."""
    envelope = json_schema()
    schema = {"$schema": envelope["$schema"], "$defs": envelope["$defs"], "$ref": "#/$defs/StudentYear"}
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def payload_schema_problems(payload: StudentYear) -> list[str]:
    data = payload.model_dump(mode="json")
    return [
        f"record {payload.key}: at {_json_path(e.absolute_path)} fails '{e.validator}'"
        f" ({_short(e.validator_value)})"
        for e in payload_validator().iter_errors(data)
    ]


def round_trip_problems(payload: StudentYear) -> list[str]:
    text = canonical_json(payload)
    try:
        again = StudentYear.model_validate_json(text)
    except ValueError as exc:
        return [f"record {payload.key}: its canonical JSON does not load back ({type(exc).__name__})"]
    if canonical_json(again) != text or again != payload:
        return [f"record {payload.key}: canonical JSON → model → canonical JSON changes the record"]
    return []


def non_nfc_paths(value: Any, path: str = "$") -> Iterator[str]:
    """JSON paths of strings (keys included) that are not Unicode NFC."""
    if isinstance(value, str):
        if not unicodedata.is_normalized("NFC", value):
            yield path
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and not unicodedata.is_normalized("NFC", k):
                yield f"{path} (key)"
            yield from non_nfc_paths(v, f"{path}.{k}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from non_nfc_paths(v, f"{path}[{i}]")


def nfc_problems(payload: StudentYear) -> list[str]:
    # Dump without validation: model_construct or mutation can smuggle NFD past the validators.
    return [f"record {payload.key}: text at {p} is not NFC" for p in non_nfc_paths(payload.model_dump(mode="json"))]


def duplicate_keys(keys: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    duplicates: list[str] = []
    for key in keys:
        if key in seen and key not in duplicates:
            duplicates.append(key)
        seen.add(key)
    return duplicates


def _json_path(parts: Iterable[Any]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
