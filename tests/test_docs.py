"""The plugin documentation keeps up with the code (datasette's test_plugin_hooks_are_documented)."""

from __future__ import annotations

import inspect
import re
import textwrap
from pathlib import Path

import pytest

from connector import hookspecs

DOCS = Path(__file__).resolve().parents[1] / "docs"
HOOK_HEADING = re.compile(r"^## (\w+)\((.*)\)\s*$")


def hookspecs_by_name() -> dict[str, object]:
    marker = f"{hookspecs.hookspec.project_name}_spec"
    return {name: fn for name, fn in vars(hookspecs).items() if callable(fn) and hasattr(fn, marker)}


def hook_sections() -> dict[str, str]:
    """``## name(args)`` headings of plugin-hooks.md: hook name -> documented arguments."""
    sections = {}
    for line in (DOCS / "plugin-hooks.md").read_text("utf-8").splitlines():
        if line.startswith("## "):
            match = HOOK_HEADING.match(line)
            assert match, f"every ## section of plugin-hooks.md documents one hook as '## name(args)': {line!r}"
            sections[match[1]] = match[2]
    return sections


def python_blocks(page: str) -> list[str]:
    """The ```python blocks of a page (dedented: a block may sit inside a list item)."""
    blocks = re.findall(r"```python\n(.*?)```", (DOCS / page).read_text("utf-8"), flags=re.S)
    return [textwrap.dedent(b) for b in blocks]


def test_there_are_hookspecs():
    assert {"register_sources", "register_commands"} <= set(hookspecs_by_name())


@pytest.mark.parametrize("name", sorted(hookspecs_by_name()))
def test_every_hookspec_has_a_docstring(name):
    assert (inspect.getdoc(hookspecs_by_name()[name]) or "").strip()


@pytest.mark.parametrize("name", sorted(hookspecs_by_name()))
def test_every_hookspec_is_documented_with_its_arguments(name):
    sections = hook_sections()
    assert name in sections, f"docs/plugin-hooks.md needs a section '## {name}(…)'"
    arguments = ", ".join(inspect.signature(hookspecs_by_name()[name]).parameters)
    assert sections[name] == arguments


def test_no_section_documents_a_hook_that_does_not_exist():
    assert set(hook_sections()) - set(hookspecs_by_name()) == set()


@pytest.mark.parametrize("page", ["plugin-hooks.md", "writing-a-plugin.md"])
def test_python_examples_compile(page):
    blocks = python_blocks(page)
    assert blocks
    for number, block in enumerate(blocks, start=1):
        compile(block, f"{page} python block {number}", "exec")
