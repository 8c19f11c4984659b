"""``hocba new-plugin NAME``: a vendor's plugin skeleton from the template in data/new_plugin/.

The template is a folder of files (cookiecutter-style): ``*.jinja`` files are rendered with the
plugin's names, the others are copied as they are; the folder ``package`` becomes ``hocba_<name>``
and ``_gitignore`` becomes ``.gitignore`` (a dotfile would not ship as package data).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import jinja2

from connector import __version__
from connector.errors import PluginError
from connector.hookspecs import hookimpl

TEMPLATE = "new_plugin"
RENDERED_SUFFIX = ".jinja"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
SKIPPED = ("__pycache__", ".pyc")


@dataclass(frozen=True)
class PluginNames:
    """Every spelling of a plugin's name the template uses."""

    name: str  # plugin name in configuration and entry point: "my_vendor"

    @property
    def package(self) -> str:  # import name
        return f"hocba_{self.name}"

    @property
    def dist(self) -> str:  # PyPI distribution and folder name
        return f"hocba-{self.name.replace('_', '-')}"

    @property
    def class_name(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("_") if part) + "Source"

    def context(self) -> dict[str, str]:
        return {"name": self.name, "package": self.package, "dist": self.dist, "class_name": self.class_name,
                "hocba_version": __version__}

    def target_path(self, template_path: str) -> str:
        """Where a template file goes in the new plugin."""
        parts = [self.package if p == "package" else ".gitignore" if p == "_gitignore" else p
                 for p in template_path.split("/")]
        path = "/".join(parts)
        return path.removesuffix(RENDERED_SUFFIX)


def check_name(name: str) -> None:
    if not NAME_PATTERN.match(name):
        raise PluginError("plugin_bad_name", name=name)


def template_files(root: Traversable | None = None, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    """(relative path with /, file) for every file of the template, sorted."""
    root = root or resources.files("connector.data").joinpath(TEMPLATE)
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(SKIPPED):
            continue
        if entry.is_dir():
            yield from template_files(entry, f"{prefix}{entry.name}/")
        else:
            yield f"{prefix}{entry.name}", entry


def create_plugin(name: str, directory: str | Path = ".") -> Path:
    """Write the plugin skeleton into ``directory/hocba-<name>`` and return that folder."""
    check_name(name)
    names = PluginNames(name)
    target = Path(directory) / names.dist
    if target.exists():
        raise PluginError("plugin_exists", path=str(target))
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    context = names.context()
    try:
        for template_path, source in template_files():
            out = target / names.target_path(template_path)
            out.parent.mkdir(parents=True, exist_ok=True)
            if template_path.endswith(RENDERED_SUFFIX):
                text = env.from_string(source.read_text("utf-8")).render(context)
                out.write_text(text, encoding="utf-8", newline="\n")
            else:
                out.write_bytes(source.read_bytes())
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # no half-written plugin left behind
        raise
    return target


@hookimpl
def register_commands(cli):
    import click

    from connector.cli import handle_errors, lang_option  # here: the CLI module imports the plugin host
    from connector.i18n import t

    @cli.command("new-plugin")
    @click.argument("name")
    @click.option("--dir", "directory", default=".", show_default=True, type=click.Path(file_okay=False),
                  help="Folder in which the plugin folder hocba-NAME is created.")
    @lang_option
    @handle_errors
    def new_plugin(name: str, directory: str, lang: str | None) -> None:
        """Create a source plugin skeleton: package, entry point, example source, conformance tests.

        NAME is the plugin name (lower-case letters, digits, underscores), e.g. "misa".
        """
        target = create_plugin(name, directory)
        click.echo(t("plugin_created", lang, package=PluginNames(name).package, path=str(target)))
