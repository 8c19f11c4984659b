"""``hocba render``: the printable rendering (bản thể hiện) of signed XML files, and its PAdES signatures.

    hocba render SIGNED_XML_OR_FOLDER… --out DIR
    hocba render SIGNED_XML_OR_FOLDER… --out DIR --role gvcn --backend NAME [--set k=v …] [--yes]

Each ``X.xml`` becomes ``DIR/X.pdf``, rendered from the XML bytes. A PDF already there that renders the
same XML bytes (its SHA-256 is recorded in the PDF) is kept, so its signatures are never lost; an unsigned
one rendered from other bytes is rendered again; a signed one rendered from other bytes is refused (move it
away first). With ``--role``/``--backend`` (the same options and backends as ``hocba sign``) the role's
PAdES signature is added to every PDF, in one batch through one ``open()`` of the backend.

Heavy libraries (ReportLab, pyHanko) are imported inside the command: this module is imported at every
``hocba`` start-up.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import click

from connector.cli import config_option, handle_errors, lang_option, parse_sets, progress
from connector.errors import EXIT_FINDINGS, EXIT_OK, HocbaError, InputError
from connector.hookspecs import hookimpl
from connector.i18n import default_lang, t
from connector.log import get_logger
from connector.sign.roles import roles

log = get_logger("hocba.render")


#: Refusals that only mean "not for this signer now" when a whole folder is signed: counted, not errors.
SKIPPED = {
    "render_pdf_already_signed": "render_skipped_done",
    "render_pdf_wrong_order": "render_skipped_waiting",
    "render_xml_role_unsigned": "render_skipped_waiting",
    "render_signer_differs": "render_skipped_other_signer",
}


@dataclass
class Item:
    """One XML file on its way to a PDF."""

    xml: Path
    pdf: Path
    page: object = None  # SignedPage
    document: bytes | None = None  # the PDF bytes (rendered now, or found in DIR)
    rendered: bool = False  # rendered now (not found in DIR)
    changed: bool = False  # to be written
    refused: HocbaError | None = None
    state: object = None  # PdfState: its signature fields, read once


def xml_files(paths: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.xml") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise InputError("render_path_missing", path=raw)
    if not files:
        raise InputError("render_no_files")
    return files


def prepare(item: Item, profiles: list, field_names: list[str]) -> None:
    """Read the XML, then find or render its PDF (see the module docstring for the rules)."""
    from connector.render import pades
    from connector.render.pdf import render_pdf
    from connector.render.reader import RenderError, read_page

    try:
        item.page = read_page(item.xml.read_bytes(), profiles, item.xml.name)
    except OSError:
        item.refused = InputError("render_unreadable", file=item.xml.name)
        return
    except HocbaError as exc:
        item.refused = exc
        return
    if item.pdf.is_file():
        existing = item.pdf.read_bytes()
        try:
            state = pades.inspect_pdf(existing, item.pdf.name)
        except HocbaError as exc:
            item.refused = exc
            return
        if state.keywords.get("xml-sha256") == item.page.xml_sha256:
            item.document, item.state = existing, state
            return
        if state.signed:
            item.refused = RenderError("render_pdf_stale_signed", file=item.pdf.name)
            return
    try:
        item.document = render_pdf(item.page, field_names)
    except HocbaError as exc:
        item.refused = exc
        return
    item.state = pades.PdfState(keywords={}, fields={name: False for name in field_names})  # known: no re-parse
    item.rendered = item.changed = True


def write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


@click.command("render")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True, help="Folder for the PDFs.")
@click.option("--role", "role_key", type=click.Choice([r.key for r in roles()]), default=None,
              help="Also sign the PDFs as: gvcn (homeroom teacher), hieu_truong (principal), don_vi (school seal).")
@click.option("--backend", "backend_name", default=None,
              help="Signer backend, as for `hocba sign`: a [signing.backends.NAME] entry, or pkcs12 / pkcs11 / remote.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Backend setting (repeatable).")
@click.option("--no-timestamp", is_flag=True, help="PAdES B-B only, even when [signing] tsa_url is set.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (the summary is still printed).")
@config_option
@lang_option
@handle_errors
def render(paths, out_dir, role_key, backend_name, sets, no_timestamp, yes, config_path, lang) -> None:
    """Bản thể hiện PDF của học bạ đã ký / render signed XML as PDF (and PAdES-sign it with --role)."""
    from connector.render import pades
    from connector.session import Session
    from connector.sign.workflow import SigningSettings

    lang = lang or default_lang()
    if (role_key is None) != (backend_name is None):
        raise InputError("render_role_backend_together")
    session = Session.load(config_path)
    settings = SigningSettings.from_config(session.config)
    profiles = [cls() for cls in session.registry.all("profile")]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    items = [Item(xml, out / f"{xml.stem}.pdf") for xml in xml_files(paths)]
    with progress("Kết xuất PDF / rendering" if lang == "vi" else "Rendering") as tick:
        for number, item in enumerate(items, start=1):
            prepare(item, profiles, pades.field_names())
            tick(number)
    tally: Counter = Counter()
    if role_key:
        tally.update(sign_items(items, role_key, backend_name, parse_sets(sets), session, settings,
                                tsa_url=None if no_timestamp else settings.tsa_url, yes=yes, lang=lang))
    for item in items:
        if item.refused is not None:
            click.echo(f"{item.xml.name}: {item.refused.message(lang)}", err=True)
            continue
        if item.changed:
            write_atomically(item.pdf, item.document)
    tally["rendered"] = sum(i.rendered and i.refused is None for i in items)
    tally["refused"] = sum(i.refused is not None for i in items)
    tally["kept"] = len(items) - tally["rendered"] - tally["refused"]
    log.info("render_done", files=len(items), rendered=tally["rendered"], signed=tally["signed"],
             refused=tally["refused"])
    click.echo(t("render_done", lang, files=len(items), rendered=tally["rendered"], kept=tally["kept"],
                 signed=tally["signed"], refused=tally["refused"], path=str(out)), err=True)
    click.echo(t("render_label", lang), err=True)
    sys.exit(EXIT_FINDINGS if tally["refused"] else EXIT_OK)


def sign_items(items: list[Item], role_key: str, backend_name: str, sets: dict, session, settings, *,
               tsa_url: str | None, yes: bool, lang: str) -> Counter:
    """One role's PAdES signature on every PDF that can take it now, through one ``open()`` of the
    backend (one PIN entry, one remote authorisation per chunk)."""
    import asyncio

    from connector.render import pades
    from connector.sign.certs import SigningError, common_name, fingerprint
    from connector.sign.cli import open_backend
    from connector.sign.roles import role as find_role

    role = find_role(role_key)
    kind, backend = open_backend(session, settings, backend_name, sets)
    if not yes and not sys.stdin.isatty():
        raise InputError("sign_confirm_needs_yes")
    tally: Counter = Counter()
    signer = backend.open()
    try:
        cert = signer.signing_cert
        if cert is None:
            raise SigningError("sign_no_certificate")
        ready = []
        for item in items:
            if item.refused is not None:
                continue
            try:
                pades.check_order(item.state, role, item.pdf.name)
                pades.check_same_signer(item.page, role, cert, item.pdf.name)
            except HocbaError as exc:
                if exc.key in SKIPPED:  # not this signer's, or not yet, or done: not an error in a batch
                    tally[SKIPPED[exc.key]] += 1
                else:
                    item.refused = exc
                continue
            ready.append(item)
        for key in sorted(k for k in set(SKIPPED.values()) if tally[k]):
            click.echo(t(key, lang, count=tally[key], role=role.label(lang)), err=True)
        if not ready:
            click.echo(t("render_sign_nothing", lang, role=role.label(lang)), err=True)
            return tally
        classes = Counter(item.page.record.lop for item in ready)
        click.echo(t("render_sign_summary", lang, role=role.label(lang), signer=common_name(cert),
                     fingerprint=fingerprint(cert)[:16], backend=kind, count=len(ready),
                     classes=", ".join(f"{lop}: {n}" for lop, n in sorted(classes.items())),
                     level="B-T" if tsa_url else "B-B"), err=True)
        if not yes and not click.confirm(t("render_sign_confirm", lang, count=len(ready)), default=False):
            click.echo(t("sign_cancelled", lang), err=True)
            return tally
        results = asyncio.run(pades.sign_many([(i.pdf.name, i.document) for i in ready], role, signer,
                                              tsa_url=tsa_url))
    finally:
        backend.close()
    for item, result in zip(ready, results, strict=True):
        if isinstance(result, HocbaError):
            item.refused = result
        else:
            item.document, item.changed = result, True
            tally["signed"] += 1
    return tally


@hookimpl
def register_commands(cli):
    cli.add_command(render)
