"""``hocba generate``: registered through the same register_commands hook as a plugin's command.

Writes a synthetic school to ``--out DIR``: the records (canonical JSON lines, or the csv plugin's
CSV/XLSX bundle), ``injected_errors.jsonl`` and a ``README.txt`` saying the data is synthetic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import click

from connector.cli import handle_errors, progress
from connector.errors import PluginError
from connector.hookspecs import hookimpl
from connector.i18n import t
from connector.log import get_logger
from connector.model import StudentYear, canonical_json
from connector.synth.data import synth
from connector.synth.injected import InjectedErrorWriter
from connector.synth.school import LEVELS, generate_school, valid_school_year

log = get_logger("hocba.synth")

JSONL_NAME = "records.jsonl"
XLSX_NAME = "truong.xlsx"
ERRORS_NAME = "injected_errors.jsonl"


def write_jsonl(records: Iterable[StudentYear], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for record in records:
            f.write(canonical_json(record) + "\n")


def exporter(fmt: str) -> Callable[[Iterable[StudentYear], str], None]:
    """The csv source plugin's ``export`` classmethod (it writes both CSV and XLSX)."""
    from connector.extract import Source
    from connector.session import Session

    try:
        cls = Session.load().registry.get("source", "csv")
    except PluginError:
        raise PluginError("synth_export_unavailable", format=fmt) from None
    if getattr(cls.export, "__func__", None) is Source.export.__func__:
        raise PluginError("synth_export_unavailable", format=fmt)  # the base class's "cannot write"
    return cls.export


def destination(out: Path, fmt: str) -> Path:
    """jsonl: one file; csv: the folder itself (a bundle of CSV files); xlsx: one workbook."""
    return {"jsonl": out / JSONL_NAME, "csv": out, "xlsx": out / XLSX_NAME}[fmt]


class Counted:
    """Passes records through, counting them and updating the progress display."""

    def __init__(self, records: Iterable[StudentYear], tick: Callable[[int], None]):
        self.records, self.tick, self.total = records, tick, 0

    def __iter__(self) -> Iterator[StudentYear]:
        for record in self.records:
            self.total += 1
            self.tick(self.total)
            yield record


def write_readme(out: Path, data: Path, fmt: str, **params: object) -> None:
    name = data.name if data != out else "*.csv"
    listed = f"{name:<23}dữ liệu / the records"
    text = synth()["readme"]["text"].format(data=listed, format=fmt, **params)
    (out / "README.txt").write_text(text.lstrip("\n"), encoding="utf-8")


def _school_year(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not valid_school_year(value):
        raise click.BadParameter(t("synth_bad_school_year", None, value=value))
    return value


@click.command("generate")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same school.")
@click.option("--level", type=click.Choice(list(LEVELS)), default="primary", show_default=True,
              help="primary (grades 1–5), thcs (6–9), thpt (10–12), secondary (6–12, a combined school).")
@click.option("--students", type=click.IntRange(1, 1_000_000), default=400, show_default=True,
              help="Students per school year.")
@click.option("--years", type=click.IntRange(1, 12), default=1, show_default=True,
              help="School years of history, ending with --nam-hoc.")
@click.option("--nam-hoc", default="2025-2026", show_default=True, callback=_school_year,
              help="The last (current) school year.")
@click.option("--errors", "error_share", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Share of student-years with one deliberate error (listed in injected_errors.jsonl).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "xlsx"]), default="jsonl", show_default=True,
              help="jsonl: canonical records; csv/xlsx: the csv plugin's bundle.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True, help="Output folder.")
@click.option("--canary", default=None, help="Give this name to one student (log-leak tests).")
@click.option("--personal-ids", is_flag=True, help="Add synthetic personal ID numbers (off by default).")
@click.option("--temporary-codes", type=click.FloatRange(0, 1), default=0.0,
              help="Share of students with a temporary TAM-… student code (ID-2 warns).")
@click.option("--ma-truong", default=None, help="School code (default: derived from the seed).")
@click.option("--ma-so-gd", default=None, help="Sở GDĐT code (default: the school's province).")
@click.option("--lang", type=click.Choice(["vi", "en"]), default=None, help="Message language.")
@handle_errors
def generate(seed, level, students, years, nam_hoc, error_share, fmt, out_dir, canary, personal_ids,
             temporary_codes, ma_truong, ma_so_gd, lang) -> None:
    """Tạo một trường học TỔNG HỢP (không phải dữ liệu thật) / generate a SYNTHETIC school."""
    write = write_jsonl if fmt == "jsonl" else exporter(fmt)  # fails before anything is written
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = destination(out, fmt)
    with InjectedErrorWriter(out / ERRORS_NAME) as errors, progress("Tạo dữ liệu / generating") as tick:
        records = generate_school(seed, level=level, students=students, nam_hoc=nam_hoc, years=years,
                                  error_share=error_share, ma_truong=ma_truong, ma_so_gd=ma_so_gd,
                                  personal_ids=personal_ids, temporary_codes=temporary_codes, canary=canary,
                                  on_error=errors)
        stream = Counted(records, tick)
        try:
            write(stream, data if fmt == "jsonl" else str(data))
        except NotImplementedError:  # a csv plugin whose exporter cannot write this format
            raise PluginError("synth_export_unavailable", format=fmt) from None
    write_readme(out, data, fmt, seed=seed, level=level, students=students, years=years, nam_hoc=nam_hoc,
                 errors=error_share, personal_ids="có / yes" if personal_ids else "không / no")
    log.info("generate_done", level=level, records=stream.total, injected=errors.count, format=fmt)
    click.echo(t("synth_done", lang, records=stream.total, errors=errors.count, path=out), err=True)


@hookimpl
def register_commands(cli):
    cli.add_command(generate)
