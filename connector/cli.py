"""The ``hocba`` command line.

Exit codes (docs/cli.md): 0 clean; 1 validation found error-level findings; 2 usage, configuration or
input error. Errors print one clear sentence (Vietnamese by default, ``--lang en``), never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from contextlib import contextmanager
from functools import wraps
from typing import Any

import click

from connector import __version__
from connector import log as logging_setup
from connector.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, ConfigError, HocbaError
from connector.extract import Problem, Run
from connector.i18n import default_lang, t
from connector.log import get_logger, mask_secrets
from connector.model import Envelope, RemovalNotice
from connector.session import Session

log = get_logger("hocba.cli")

lang_option = click.option(
    "--lang", type=click.Choice(["vi", "en"]), default=None, help="Message language (default: vi, or $HOCBA_LANG)."
)
config_option = click.option(
    "--config", "-c", "config_path", type=click.Path(dir_okay=False), default=None, envvar="HOCBA_CONFIG",
    help="Configuration file (TOML). Default: $HOCBA_CONFIG.",
)


def source_options(fn: Callable) -> Callable:
    """--source NAME (from the configuration) | --plugin NAME --set key=value … | PATH (csv shortcut)."""
    fn = click.argument("path", required=False, type=click.Path())(fn)
    fn = click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Source setting (repeatable).")(fn)
    fn = click.option("--plugin", "-p", default=None, help="Source plugin to use without a configuration entry.")(fn)
    fn = click.option("--source", "-s", default=None, help="Source name from [sources.NAME] in the configuration.")(fn)
    return fn


def parse_sets(items: tuple[str, ...]) -> dict[str, Any]:
    """``key=value`` pairs; a value that is a TOML literal (true, 45, [1, 2]) keeps its type, as it
    would in the configuration file; anything else is text."""
    import tomllib

    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError("config_bad_set", item=item)
        try:
            out[key.strip()] = tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError:
            out[key.strip()] = value
    return out


def handle_errors(fn: Callable) -> Callable:
    """Turn expected errors into one sentence and an exit code; unexpected ones into a short notice
    (type only: messages of unknown errors may carry data and stay out of service logs)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        lang = kwargs.get("lang") or default_lang()
        try:
            return fn(*args, **kwargs)
        except HocbaError as exc:
            log.info("command_failed", error=exc.key)
            click.echo(mask_secrets(exc.message(lang)), err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Đã dừng." if lang == "vi" else "Interrupted.", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 — the last net: no traceback for users
            log.error("unexpected_error", error_type=type(exc).__name__)
            msg = ("Lỗi không mong đợi ({kind}). Chạy lại với HOCBA_DEBUG=1 để xem chi tiết, và báo lỗi cho nhóm phát triển."
                   if lang == "vi" else
                   "Unexpected error ({kind}). Run again with HOCBA_DEBUG=1 for details, and report it to the developers.")
            click.echo(msg.format(kind=type(exc).__name__), err=True)
            import os

            if os.environ.get("HOCBA_DEBUG"):
                raise
            sys.exit(EXIT_USAGE)

    return wrapper


@contextmanager
def progress(label: str, enabled: bool | None = None):
    """A live counter with rate on a terminal; nothing when output is piped or logged. Redrawn from the
    caller's ticks (at most 10 times a second), not by a thread of its own: a command may fork (parallel
    signing), and a thread caught writing to the terminal would leave its lock held in the child."""
    enabled = sys.stderr.isatty() if enabled is None else enabled
    if not enabled:
        yield lambda n: None
        return
    import time

    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed:,}"),
                  TimeElapsedColumn(), transient=True, auto_refresh=False) as bar:
        task = bar.add_task(label, total=None)
        last = [0.0]

        def tick(n: int) -> None:
            bar.update(task, completed=n)
            if time.monotonic() - last[0] >= 0.1:
                last[0] = time.monotonic()
                bar.refresh()

        yield tick


class HocbaGroup(click.Group):
    """Loads plugin commands (``register_commands``) before listing or dispatching."""

    _loaded = False

    def _load_plugin_commands(self) -> None:
        if not self._loaded:
            HocbaGroup._loaded = True
            try:
                Session.load().registry.pm.hook.register_commands(cli=self)
            except HocbaError:
                pass  # a broken configuration is reported by the command itself

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        self._load_plugin_commands()
        return super().get_command(ctx, name)


@click.group(cls=HocbaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hocba")
@click.option("--log-format", type=click.Choice(["console", "json"]), default=None, envvar="HOCBA_LOG_FORMAT",
              help="Log format: console for people, json for services.")
@click.option("--log-level", default=None, envvar="HOCBA_LOG_LEVEL", help="debug, info, warning, error.")
def cli(log_format: str | None, log_level: str | None) -> None:
    """hocba: học bạ số từ phần mềm quản lý trường học / digital transcripts from school software.

    The XML format is provisional, not the official QĐ 3016/QĐ-BGDĐT format.
    """
    logging_setup.configure(fmt=log_format, level=log_level)


# --- plugins ------------------------------------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@config_option
@lang_option
@handle_errors
def plugins(as_json: bool, config_path: str | None, lang: str | None) -> None:
    """List installed plugins with their kind, version and hooks."""
    session = Session.load(config_path)
    infos = [p.as_dict() for p in session.registry.plugins.values()]
    if as_json:
        click.echo(json.dumps(infos, ensure_ascii=False, indent=2))
        return
    for p in infos:
        status = f"  LỖI/ERROR: {p['error']}" if p["error"] else ""
        click.echo(f"{p['name']} {p['version']}  [{p['kind'] or '-'}]{status}")
        for c in p["components"]:
            click.echo(f"    {c}")
        for note in p["notes"]:
            click.echo(f"    ! {note}")


# --- check / discover ---------------------------------------------------------------------------


def _open(session: Session, source: str | None, plugin: str | None, sets: tuple[str, ...], path: str | None):
    source_id, plugin_name, settings = session.source_settings(source, plugin, parse_sets(sets), path)
    return source_id, plugin_name, session.open_source(source_id, plugin_name, settings)


@cli.command()
@source_options
@config_option
@lang_option
@handle_errors
def check(source, plugin, sets, path, config_path, lang) -> None:
    """Test that a source can be reached and read (connection, credentials, schema)."""
    session = Session.load(config_path)
    _, _, src = _open(session, source, plugin, sets, path)
    try:
        result = src.check()
    finally:
        src.close()
    click.echo(result.message(lang), err=not result.ok)
    sys.exit(EXIT_OK if result.ok else EXIT_USAGE)


@cli.command()
@source_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@config_option
@lang_option
@handle_errors
def discover(source, plugin, sets, path, as_json, config_path, lang) -> None:
    """List the schools, school years and classes a source holds."""
    session = Session.load(config_path)
    _, _, src = _open(session, source, plugin, sets, path)
    try:
        schools = src.discover()
    finally:
        src.close()
    if as_json:
        from dataclasses import asdict

        click.echo(json.dumps([asdict(s) for s in schools], ensure_ascii=False, indent=2))
        return
    for s in schools:
        click.echo(f"{s.ma_truong}  {s.ten or ''}")
        for y in s.years:
            total = sum(c.students for c in y.classes)
            click.echo(f"  {y.nam_hoc}: {len(y.classes)} lớp/classes, {total} học sinh/students")
            for c in y.classes:
                click.echo(f"    {c.lop} (khối {c.khoi}): {c.students}")


# --- extract ------------------------------------------------------------------------------------


@cli.command()
@source_options
@click.option("--output", "-o", default="-", help="Output file (JSON Lines); - for standard output.")
@click.option("--school", default=None, help="Only this school code (ma_truong).")
@click.option("--incremental/--no-incremental", default=False,
              help="Skip records unchanged since the last successful run (state store in the configuration).")
@click.option("--full-refresh", is_flag=True, help="Forget the source's state and extract everything.")
@config_option
@lang_option
@handle_errors
def extract(source, plugin, sets, path, output, school, incremental, full_refresh, config_path, lang) -> None:
    """Extract canonical student-year records as JSON Lines (one envelope per line)."""
    session = Session.load(config_path)
    source_id, plugin_name, src = _open(session, source, plugin, sets, path)
    if incremental or full_refresh:
        from connector.state import StateStore

        store = StateStore(session.config.state_url)
    else:
        store = None
    sink = session.registry.get("sink", "jsonl")({"path": output})
    name, version = session.plugin_of("source", plugin_name)
    run = Run(src, source_id=source_id, plugin=name, plugin_version=version, store=store,
              full_refresh=full_refresh, school=school)
    problems: list[Problem] = []
    sink.open()
    ok = False
    try:
        with progress("Trích xuất / extracting" if (lang or default_lang()) == "vi" else "Extracting") as tick:
            for message in run:
                if isinstance(message, Envelope):
                    sink.write(message)
                    tick(run.stats.records)
                elif isinstance(message, RemovalNotice):
                    sink.remove(message)
                elif isinstance(message, Problem):
                    problems.append(message) if len(problems) < 1000 else None
        ok = True
    finally:
        sink.close(ok)
        src.close()
        (run.commit if ok else run.abandon)()
    for p in problems:
        click.echo(p.message(lang), err=True)
    s = run.stats
    click.echo(t("extract_done", lang, records=s.records, problems=s.problems, skipped=s.skipped,
                 removals=s.removals), err=True)
    sys.exit(EXIT_USAGE if any(p.severity == "error" for p in problems) else EXIT_OK)


# --- validate -----------------------------------------------------------------------------------


@cli.command()
@source_options
@click.option("--json", "as_json", is_flag=True, help="JSON report on standard output.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None,
              help="Also write a report a clerk can open: .xlsx, .html or .json.")
@click.option("--limit", type=int, default=None, help="Show at most this many findings on the terminal.")
@click.option("--school", default=None, help="Only this school code (ma_truong).")
@config_option
@lang_option
@handle_errors
def validate(source, plugin, sets, path, as_json, report_path, limit, school, config_path, lang) -> None:
    """Check every record against TT27/TT22 and report each disagreement (never fixes anything)."""
    from connector.report import write_json, write_report_file, write_text
    from connector.validate.run import validate_run

    lang = lang or default_lang()
    session = Session.load(config_path)
    source_id, plugin_name, src = _open(session, source, plugin, sets, path)
    name, version = session.plugin_of("source", plugin_name)
    run = Run(src, source_id=source_id, plugin=name, plugin_version=version, school=school)
    try:
        with progress("Kiểm tra / validating" if lang == "vi" else "Validating") as tick:
            outcome = validate_run(run, session.validator(lang), lang, progress=tick)
    finally:
        src.close()
    try:
        if as_json:
            write_json(outcome, sys.stdout, lang)
        else:
            write_text(outcome, sys.stdout, lang, limit=limit)
        if report_path:
            written = write_report_file(outcome, report_path, lang)
            click.echo(t("report_written", lang, path=written), err=True)
        log.info("validate_done", source=source_id, **{k: v for k, v in outcome.summary().items() if k != "by_rule"})
    finally:
        outcome.close()
    if outcome.problem_errors:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_FINDINGS if outcome.errors else EXIT_OK)


def main() -> None:
    logging_setup.configure()  # before plugins load, so their warnings are formatted like the rest
    cli(prog_name="hocba")


if __name__ == "__main__":
    main()
