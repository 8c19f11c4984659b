"""``hocba new-plugin``: the skeleton it writes installs, registers and passes the conformance kit."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import connector
from connector.errors import PluginError
from connector.scaffold import PluginNames, create_plugin, template_files
from connector.testing import SourceConformance

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = Path(connector.__file__).parent / "data" / "new_plugin"


@pytest.fixture(scope="module")
def plugin(tmp_path_factory) -> Path:
    return create_plugin("acme_edu", tmp_path_factory.mktemp("plugins"))


def test_the_skeleton_has_package_entry_point_tests_and_readme(plugin):
    assert plugin.name == "hocba-acme-edu"
    files = {p.relative_to(plugin).as_posix() for p in plugin.rglob("*") if p.is_file()}
    assert files == {
        ".gitignore", "README.md", "pyproject.toml", "hocba_acme_edu/__init__.py", "hocba_acme_edu/plugin.py",
        "tests/test_conformance.py", "tests/fixtures/school.jsonl", "tests/fixtures/broken.jsonl",
    }
    project = tomllib.loads((plugin / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["name"] == "hocba-acme-edu"
    assert project["project"]["entry-points"]["hocba"] == {"acme_edu": "hocba_acme_edu.plugin"}
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "hocba_acme_edu.__version__"}
    assert f"hocba>={connector.__version__}" in project["project"]["dependencies"]
    plugin_py = (plugin / "hocba_acme_edu" / "plugin.py").read_text("utf-8")
    assert "class AcmeEduSource(Source):" in plugin_py and 'name = "acme_edu"' in plugin_py


def test_no_template_syntax_is_left_in_the_skeleton(plugin):
    for path in plugin.rglob("*"):
        if path.is_file():
            text = path.read_text("utf-8")
            assert "{{" not in text and "{%" not in text, path


def test_the_generated_plugin_passes_the_conformance_kit(plugin, tmp_path):
    """The vendor's first `pytest` after `hocba new-plugin`: a separate process, from the plugin's folder."""
    report = tmp_path / "report.xml"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}"],
        cwd=plugin, env={**env, "HOCBA_LOAD_PLUGINS": ""}, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    cases = list(ET.parse(report).iter("testcase"))
    passed = {c.get("name").split("[")[0] for c in cases
              if c.get("classname").endswith("TestAcmeEduSource") and len(c) == 0}
    assert passed == {n for n in dir(SourceConformance) if n.startswith("test_")}  # export included: nothing skipped
    assert {c.get("name") for c in cases} >= {"test_a_bad_row_is_a_problem_and_the_good_rows_go_through"}


@pytest.mark.parametrize("name", ["Acme", "1acme", "acme-edu", "acme edu", "ácme", "", "_acme", "acme.edu"])
def test_a_bad_name_is_refused_and_nothing_is_written(tmp_path, name):
    with pytest.raises(PluginError) as refused:
        create_plugin(name, tmp_path)
    assert refused.value.key == "plugin_bad_name"
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(tmp_path):
    existing = tmp_path / "hocba-acme"
    existing.mkdir()
    (existing / "mine.txt").write_text("keep")
    with pytest.raises(PluginError) as refused:
        create_plugin("acme", tmp_path)
    assert refused.value.key == "plugin_exists"
    assert [p.name for p in existing.iterdir()] == ["mine.txt"]


def test_the_command_line_creates_the_plugin_and_explains_errors(hocba, tmp_path):
    made = hocba("new-plugin", "misa", "--dir", str(tmp_path))
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "hocba-misa" / "hocba_misa" / "plugin.py").is_file()
    assert "hocba_misa" in made.stdout and "pip install -e" in made.stdout

    bad = hocba("new-plugin", "MISA", "--dir", str(tmp_path), "--lang", "en")
    assert bad.returncode == 2 and "lower-case ASCII" in bad.stderr and "Traceback" not in bad.stderr
    again = hocba("new-plugin", "misa", "--dir", str(tmp_path))
    assert again.returncode == 2 and "đã tồn tại" in again.stderr


def test_names_are_spelt_for_python_and_pypi():
    names = PluginNames("vn_edu2")
    assert (names.package, names.dist, names.class_name) == ("hocba_vn_edu2", "hocba-vn-edu2", "VnEdu2Source")
    assert names.target_path("package/plugin.py.jinja") == "hocba_vn_edu2/plugin.py"
    assert names.target_path("_gitignore") == ".gitignore"
    assert names.target_path("tests/fixtures/school.jsonl") == "tests/fixtures/school.jsonl"


def test_every_template_file_ships_as_package_data():
    """setuptools' package-data globs skip dotfiles, so the template has none (``_gitignore`` is renamed)."""
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["package-data"]
    package_dir = Path(connector.__file__).parent
    shipped = {Path(p).resolve() for pattern in patterns["connector"]
               for p in glob.glob(str(package_dir / pattern), recursive=True) if Path(p).is_file()}
    in_template = {(TEMPLATE / rel).resolve() for rel, _ in template_files()}
    assert in_template and in_template <= shipped
    assert not [p for p in TEMPLATE.rglob(".*")]
