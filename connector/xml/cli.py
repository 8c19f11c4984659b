"""``hocba xml``: unsigned XML documents for the records of a source, one file per student-year.

Only records without error-level validation findings are rendered (nothing is signed that failed
validation, SIG-6); each document is checked against its XSD before it is written. Files are named by the
opaque document id, never by a name or a code. Every document, and this command's output, says the
format is provisional.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from connector.cli import _open, config_option, handle_errors, lang_option, progress, source_options
from connector.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from connector.extract import Problem, Run
from connector.hookspecs import hookimpl
from connector.i18n import default_lang, t
from connector.log import get_logger
from connector.model import Envelope, StudentYear
from connector.session import Session
from connector.validate import Validator
from connector.xml.hocba_profile import HocbaProfile
from connector.xml.profile import Profile, ProfileError, document_id

log = get_logger("hocba.xml")

MAX_LISTED = 200  # refusals printed one by one; the counts always cover all of them


@dataclass
class Tally:
    records: int = 0
    written: int = 0
    findings: int = 0  # refused: error-level validation findings
    schema: int = 0  # refused: the document failed its XSD
    other: int = 0  # refused: the profile cannot represent the record, or a duplicate key
    problems: int = 0
    problem_errors: int = 0
    seen: set[str] = field(default_factory=set)

    @property
    def refused(self) -> int:
        return self.findings + self.schema + self.other


def write_atomically(path: Path, data: bytes) -> None:
    """A reader never sees half a document: write beside it, then rename."""
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


class Renderer:
    """Validates, serialises and writes one record at a time; says why a record is refused."""

    def __init__(self, profile: Profile, validator: Validator, out: Path, lang: str):
        self.profile, self.validator, self.out, self.lang = profile, validator, out, lang
        self.tally = Tally()
        self.listed = 0

    def refuse(self, key: str, record: StudentYear, doc: str, **fields: object) -> None:
        if self.listed < MAX_LISTED:
            click.echo(t(key, self.lang, doc=doc, lop=record.lop, nam_hoc=record.nam_hoc, **fields), err=True)
        self.listed += 1

    def render(self, record: StudentYear) -> None:
        tally = self.tally
        tally.records += 1
        doc = document_id(record)
        errors = [f for f in self.validator.validate(record) if f.severity == "error"]
        if errors:
            tally.findings += 1
            rules = ", ".join(sorted({f.rule_id for f in errors}))
            return self.refuse("xml_refused_findings", record, doc, count=len(errors), rules=rules)
        if doc in tally.seen:
            tally.other += 1
            return self.refuse("xml_refused_duplicate", record, doc)
        try:
            document = self.profile.serialize(record)
        except ProfileError as exc:
            tally.other += 1
            return self.refuse("xml_refused_profile", record, doc, reason=exc.message(self.lang))
        if self.profile.validate(document):
            tally.schema += 1
            detail = "; ".join(self.profile.explain(document)[:3])  # the slow, readable wording
            return self.refuse("xml_refused_schema", record, doc, detail=detail)
        write_atomically(self.out / f"{doc}.xml", document)
        tally.seen.add(doc)
        tally.written += 1


@click.command("xml")
@source_options
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True,
              help="Folder for the documents (one <opaque id>.xml per student-year).")
@click.option("--profile", "profile_id", default=HocbaProfile.id, show_default=True,
              help="Serialisation profile (see hocba plugins).")
@click.option("--school", default=None, help="Only this school code (ma_truong).")
@config_option
@lang_option
@handle_errors
def xml_command(source, plugin, sets, path, out_dir, profile_id, school, config_path, lang) -> None:
    """Tạo tài liệu XML chưa ký (TẠM THỜI) / render unsigned XML documents (PROVISIONAL format)."""
    lang = lang or default_lang()
    session = Session.load(config_path)
    profile = session.registry.get("profile", profile_id)()
    if profile.provisional:
        click.echo(t("xml_provisional", lang, profile=profile.id, version=profile.version))
    source_id, plugin_name, src = _open(session, source, plugin, sets, path)
    name, version = session.plugin_of("source", plugin_name)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    renderer = Renderer(profile, session.validator(lang), out, lang)
    tally = renderer.tally
    run = Run(src, source_id=source_id, plugin=name, plugin_version=version, school=school)
    try:
        with progress("Tạo XML / rendering XML") as tick:
            for message in run:
                if isinstance(message, Envelope):
                    renderer.render(message.payload)
                    tick(tally.records)
                elif isinstance(message, Problem):
                    tally.problems += 1
                    tally.problem_errors += message.severity == "error"
                    if tally.problems <= MAX_LISTED:
                        click.echo(message.message(lang), err=True)
    finally:
        src.close()
    log.info("xml_done", source=source_id, profile=profile.id, records=tally.records, written=tally.written,
             refused=tally.refused, problems=tally.problems)
    click.echo(t("xml_done", lang, written=tally.written, path=out, refused=tally.refused,
                 findings=tally.findings, schema=tally.schema, other=tally.other, problems=tally.problems))
    if tally.problem_errors:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_FINDINGS if tally.refused else EXIT_OK)


@hookimpl
def register_commands(cli):
    cli.add_command(xml_command)
