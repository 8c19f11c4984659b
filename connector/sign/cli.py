"""Signing commands: ``hocba pki init|serve`` (TEST PKI), ``hocba freeze``, ``hocba sign``, ``hocba verify``,
``hocba sign-status``. Registered through ``register_commands`` like a plugin's commands.

Heavy libraries (pyHanko, cryptography) are imported inside the commands: this module is imported at every
``hocba`` start-up.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sys
from collections import Counter
from pathlib import Path

import click

from connector.cli import config_option, handle_errors, lang_option, parse_sets, progress, source_options
from connector.errors import EXIT_FINDINGS, EXIT_OK, ConfigError, InputError
from connector.hookspecs import hookimpl
from connector.i18n import default_lang, t
from connector.log import get_logger
from connector.sign.roles import roles

log = get_logger("hocba.sign.cli")


# --- pki ----------------------------------------------------------------------------------------------


@click.group("pki")
def pki() -> None:
    """PKI THỬ NGHIỆM — KHÔNG DÙNG THẬT / a TEST PKI for development and demos only."""


@pki.command("init")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True, help="Output folder.")
@click.option("--class", "classes", multiple=True, metavar="LỚP",
              help="A class whose homeroom teacher (GVCN) gets a certificate (repeatable).")
@click.option("--all-classes", is_flag=True,
              help="Every class with frozen documents in the signing state (needs the configuration).")
@click.option("--school", default=None, help="School name in the seal certificate.")
@click.option("--school-id", default=None, help="School identifier in the seal certificate, e.g. MST:0101234567.")
@click.option("--url", default=None, help="Base URL of `hocba pki serve` (OCSP, CRL, TSA), on 127.0.0.1.")
@click.option("--key-type", type=click.Choice(["rsa", "ec"]), default="rsa", show_default=True,
              help="Key type of the signers (teachers, principal, seal).")
@click.option("--days", type=click.IntRange(1, 36500), default=730, show_default=True,
              help="Validity of the signers' certificates.")
@config_option
@lang_option
@handle_errors
def pki_init(out_dir, classes, all_classes, school, school_id, url, key_type, days, config_path, lang) -> None:
    """Tạo PKI THỬ NGHIỆM (không dùng thật) / create a TEST PKI (development and demo only)."""
    from connector.sign import pki as testpki

    classes = list(classes)
    if all_classes:
        classes += [c for c in _frozen_classes(config_path) if c not in classes]
    if not classes:
        raise ConfigError("pki_no_class")
    made = testpki.create_test_pki(
        Path(out_dir), classes, school_name=school or testpki.DEFAULT_SCHOOL,
        school_id=school_id or testpki.DEFAULT_SCHOOL_ID, url=url or testpki.DEFAULT_URL, key_type=key_type,
        days=days)
    click.echo(t("pki_done", lang, path=out_dir, label=testpki.TEST_LABEL, classes=len(classes), url=made.url,
                 config=str(Path(out_dir) / testpki.CONFIG_SNIPPET)))
    if not os.environ.get(testpki.PASSWORD_ENV):
        click.echo(t("pki_password_file", lang, file=str(Path(out_dir) / testpki.PASSWORD_FILE),
                     env=testpki.PASSWORD_ENV))


def _frozen_classes(config_path: str | None) -> list[str]:
    from connector.session import Session
    from connector.sign.workflow import Selection

    store, _ = _signing_store(Session.load(config_path))
    return sorted({lop for lop, _ in store.counts(Selection())})


@pki.command("serve")
@click.option("--dir", "directory", type=click.Path(file_okay=False, exists=True), required=True,
              help="Folder made by `hocba pki init`.")
@lang_option
@handle_errors
def pki_serve(directory, lang) -> None:
    """Chạy TSA + OCSP + CRL thử nghiệm trên 127.0.0.1 / run the TEST TSA, OCSP and CRL on loopback."""
    from connector.sign.pki import TEST_LABEL
    from connector.sign.pki_server import server_for

    server = server_for(Path(directory))
    click.echo(t("pki_serving", lang, url=server.url, label=TEST_LABEL), err=True)
    try:
        server.serve_forever()
    finally:
        server.stop()


# --- freeze -------------------------------------------------------------------------------------------


def _signing_store(session):
    from connector.sign.workflow import SigningSettings, SigningStore
    from connector.state import StateStore

    settings = SigningSettings.from_config(session.config)
    return SigningStore(StateStore(session.config.state_url)), settings


def _profile(session, profile_id: str):
    cls = session.registry.get("profile", profile_id)
    return cls()


@click.command("freeze")
@source_options
@click.option("--school", default=None, help="Only this school code (ma_truong).")
@config_option
@lang_option
@handle_errors
def freeze(source, plugin, sets, path, school, config_path, lang) -> None:
    """Chốt dữ liệu để ký / freeze validated records as unsigned documents awaiting the GVCN."""
    from connector.extract import Problem, Run
    from connector.model import Envelope
    from connector.session import Session

    lang = lang or default_lang()
    session = Session.load(config_path)
    store, settings = _signing_store(session)
    profile = _profile(session, settings.profile)
    validator = session.validator(lang)
    source_id, plugin_name, settings_ = session.source_settings(source, plugin, parse_sets(sets), path)
    src = session.open_source(source_id, plugin_name, settings_)
    name, version = session.plugin_of("source", plugin_name)
    run = Run(src, source_id=source_id, plugin=name, plugin_version=version, school=school)
    tally: Counter = Counter()
    try:
        with progress("Chốt / freezing" if lang == "vi" else "Freezing") as tick:
            for message in run:
                if isinstance(message, Problem):
                    tally["problems"] += 1
                if not isinstance(message, Envelope):
                    continue
                tally[_freeze_one(message.payload, store, profile, validator)] += 1
                tick(sum(tally.values()))
    finally:
        src.close()
    log.info("freeze_done", **tally)
    click.echo(t("freeze_done", lang, frozen=tally["frozen"] + tally["replaced"], unchanged=tally["unchanged"],
                 refused=tally["refused_findings"] + tally["refused_schema"] + tally["refused_profile"],
                 locked=tally["locked"], problems=tally["problems"], profile=f"{profile.id} {profile.version}"),
               err=True)
    sys.exit(EXIT_FINDINGS if tally["refused_findings"] + tally["refused_schema"] + tally["locked"] else EXIT_OK)


def _freeze_one(record, store, profile, validator) -> str:
    """SIG-6: nothing with an error-level finding or an XSD problem is frozen."""
    from connector.errors import HocbaError

    if any(f.severity == "error" for f in validator.validate(record)):
        return "refused_findings"
    try:
        document = profile.serialize(record)
    except HocbaError:
        return "refused_profile"
    if profile.validate(document):
        return "refused_schema"
    return store.freeze(record, document, profile.id, profile.version)


# --- sign ---------------------------------------------------------------------------------------------


def open_backend(session, settings, name: str, sets: dict):
    """A backend from ``[signing.backends.NAME]`` (``type`` = the backend kind, default NAME) or the
    backend kind NAME itself, with ``--set`` overrides; secrets come from the environment."""
    from connector.config import resolve_source_config

    spec = dict(settings.raw.get("backends", {}).get(name, {}))
    kind = spec.pop("type", name)
    spec.update(sets)
    cls = session.registry.get("signer", kind)
    return kind, cls(resolve_source_config(cls.config_schema, spec, where=f"[signing.backends.{name}]"))


@click.command("sign")
@click.option("--role", "role_key", type=click.Choice([r.key for r in roles()]), required=True,
              help="gvcn (homeroom teacher), hieu_truong (principal), don_vi (school seal).")
@click.option("--backend", "backend_name", required=True,
              help="Signer backend: a [signing.backends.NAME] entry, or pkcs12 / pkcs11 / remote with --set.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Backend setting (repeatable).")
@click.option("--class", "classes", multiple=True, metavar="LỚP", help="Only this class (repeatable).")
@click.option("--school", default=None, help="Only this school code (ma_truong).")
@click.option("--nam-hoc", default=None, help="Only this school year.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (the summary is still printed).")
@config_option
@lang_option
@handle_errors
def sign(role_key, backend_name, sets, classes, school, nam_hoc, yes, config_path, lang) -> None:
    """Ký học bạ với vai trò của mình / sign the documents awaiting your role, in one batch."""
    from connector.session import Session
    from connector.sign.certs import SigningError, check_role_fit, common_name, fingerprint
    from connector.sign.roles import role as find_role
    from connector.sign.workflow import Selection, sign_rows

    lang = lang or default_lang()
    session = Session.load(config_path)
    store, settings = _signing_store(session)
    role = find_role(role_key)
    if role is roles()[-1] and settings.evidence == "cades" and not settings.tsa_url:
        raise ConfigError("sign_tsa_unset")  # before any PIN is asked for
    kind, backend = open_backend(session, settings, backend_name, parse_sets(sets))
    if not yes and not sys.stdin.isatty():
        raise InputError("sign_confirm_needs_yes")
    signer = backend.open()
    try:
        cert = signer.signing_cert
        if cert is None:
            raise SigningError("sign_no_certificate")
        check_role_fit(role, cert, settings.rules)  # the GVCN's classes are checked per document
        _check_trusted_now(signer, settings)
        selected = list(classes)
        if role.key == "gvcn" and not selected:
            selected = settings.rules.classes_of(cert)
            if not selected:
                raise SigningError("sign_cert_no_class", subject=cert.subject.human_friendly)
        selection = Selection(selected or None, school, nam_hoc)
        rows = store.awaiting(role, selection)
        early = store.earlier(role, selection)
        if not rows:
            if early:  # e.g. the principal before the GVCN: refused
                raise SigningError("sign_wrong_order_batch", role=role.label(lang), count=sum(early.values()))
            click.echo(t("sign_nothing", lang, role=role.label(lang)), err=True)
            sys.exit(EXIT_OK)
        if early:
            click.echo(t("sign_not_yet", lang, count=sum(early.values()), states=", ".join(
                f"{state}: {n}" for state, n in sorted(early.items())), role=role.label(lang)), err=True)
        _show_summary(store, rows, role, cert, kind, lang)
        if not yes and not click.confirm(t("sign_confirm", lang, count=len(rows)), default=False):
            click.echo(t("sign_cancelled", lang), err=True)
            sys.exit(EXIT_OK)
        with progress("Ký / signing" if lang == "vi" else "Signing") as tick:
            result = sign_rows(store, rows, role, signer, settings, backend=kind, workers=backend.workers(),
                               tick=tick)
    finally:
        backend.close()
    click.echo(t("sign_done", lang, signed=result.signed, role=role.label(lang), evidence=result.evidence,
                 pending=result.pending, conflicts=result.conflicts, refused=result.refused_total,
                 fingerprint=fingerprint(cert)[:16], signer=common_name(cert)), err=True)
    for key, count in sorted(result.refused.items()):
        click.echo(t("sign_refused_count", lang, count=count, reason=t(key, lang, **_blank_fields(key))), err=True)
    sys.exit(EXIT_FINDINGS if result.refused_total or result.conflicts else EXIT_OK)


def _blank_fields(key: str) -> dict:
    """Fill a message's fields with "…" when it is shown as a count (details are in the log by doc id)."""
    import string

    from connector.i18n import catalogue

    names = {f for text in catalogue()[key].values() for _, f, _, _ in string.Formatter().parse(text) if f}
    return {n: "…" for n in names}


def _check_trusted_now(signer, settings) -> None:
    """Refuse a certificate that does not chain to the configured anchors or is not valid now (no network)."""
    if not settings.trust:
        return
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

    from connector.sign.certs import SigningError, load_pem_certificates

    chain = list(signer.cert_registry or ())
    vc = ValidationContext(trust_roots=load_pem_certificates(settings.trust), other_certs=chain,
                           allow_fetching=False, revocation_mode="soft-fail")
    try:
        asyncio.run(CertificateValidator(signer.signing_cert, intermediate_certs=chain,
                                         validation_context=vc).async_validate_usage({"digital_signature"}))
    except PathBuildingError:
        raise SigningError("sign_cert_untrusted", subject=signer.signing_cert.subject.human_friendly) from None
    except PathValidationError as exc:
        raise SigningError("sign_cert_invalid_now", subject=signer.signing_cert.subject.human_friendly,
                           kind=type(exc).__name__) from None


def _show_summary(store, rows, role, cert, backend: str, lang: str) -> None:
    """What the signer is about to sign: one line per student (their own class: names are fine on their
    terminal, never in logs), then totals per class."""
    from connector.sign.certs import common_name, fingerprint
    from connector.sign.workflow import summarise

    out = [t("sign_summary_head", lang, role=role.label(lang), signer=common_name(cert),
             fingerprint=fingerprint(cert)[:16], backend=backend, count=len(rows))]
    per_class: Counter = Counter()
    results: Counter = Counter()
    for row in rows:
        s = summarise(store.read(row))
        per_class[row.lop] += 1
        results[s.result or "-"] += 1
        out.append(t("sign_summary_line", lang, lop=s.class_name or row.lop, name=s.name or "?",
                     code=s.student_code or "-", year=s.school_year or row.nam_hoc, subjects=s.subjects,
                     result=s.result or "-", conduct=s.conduct or "-"))
    for lop, n in sorted(per_class.items()):
        out.append(t("sign_summary_class", lang, lop=lop, count=n))
    out.append(t("sign_summary_results", lang, results=", ".join(f"{k}: {v}" for k, v in sorted(results.items()))))
    out.append(t("sign_provisional", lang))
    click.echo("\n".join(out), err=True)


# --- verify -------------------------------------------------------------------------------------------


def _parse_at(ctx, param, value):
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(t("verify_bad_time", None, value=value)) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


@click.command("verify")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--trust", multiple=True, type=click.Path(dir_okay=False),
              help="Trust anchor certificate (PEM), repeatable; added to [signing] trust.")
@click.option("--revocation", type=click.Choice(["soft-fail", "hard-fail", "require", "off"]), default="soft-fail",
              show_default=True, help="OCSP/CRL checking; soft-fail: unreachable responders only warn.")
@click.option("--offline", is_flag=True, help="No network: the same as --revocation off.")
@click.option("--at", "at", default=None, callback=_parse_at,
              help="Pin the validation time (ISO 8601), e.g. to check as of a past date.")
@click.option("--require-evidence", is_flag=True, help="A missing .p7s beside a file is an error.")
@click.option("--json", "as_json", is_flag=True, help="JSON report on standard output.")
@config_option
@lang_option
@handle_errors
def verify(files, trust, revocation, offline, at, require_evidence, as_json, config_path, lang) -> None:
    """Kiểm tra chữ ký số của học bạ / verify every signature of signed Học bạ files."""
    from connector.config import load_config
    from connector.sign.certs import load_pem_certificates
    from connector.sign.verify import VerifyOptions, render_text, verify_files
    from connector.sign.workflow import SigningSettings
    from connector.sign.xmldsig import parse_offset

    config = load_config(config_path)
    settings = SigningSettings.from_config(config)
    options = VerifyOptions(
        trust_roots=load_pem_certificates([*trust, *settings.trust]),
        revocation="off" if offline else revocation, at=at, rules=settings.rules,
        timezone=parse_offset(settings.raw.get("timezone", "+07:00")), require_evidence=require_evidence,
    )
    reports = asyncio.run(verify_files([Path(f) for f in files], options))
    if as_json:
        click.echo(json.dumps([r.as_dict(lang) for r in reports], ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(reports, lang))
    log.info("verify_done", files=len(reports), valid=sum(r.status == "valid" for r in reports))
    sys.exit(EXIT_OK if all(r.status == "valid" for r in reports) else EXIT_FINDINGS)


# --- status and export --------------------------------------------------------------------------------


@click.command("sign-status")
@click.option("--class", "classes", multiple=True, metavar="LỚP", help="Only this class (repeatable).")
@click.option("--school", default=None, help="Only this school code (ma_truong).")
@click.option("--nam-hoc", default=None, help="Only this school year.")
@click.option("--export", "export_dir", type=click.Path(file_okay=False), default=None,
              help="Copy every finished (sealed) document and its .p7s evidence to this folder.")
@click.option("--json", "as_json", is_flag=True, help="JSON on standard output.")
@config_option
@lang_option
@handle_errors
def sign_status(classes, school, nam_hoc, export_dir, as_json, config_path, lang) -> None:
    """Tiến độ ký theo lớp / signing progress per class; export the finished documents."""
    from connector.session import Session
    from connector.sign.roles import done_state
    from connector.sign.workflow import Selection

    lang = lang or default_lang()
    session = Session.load(config_path)
    store, _ = _signing_store(session)
    selection = Selection(list(classes) or None, school, nam_hoc)
    counts = store.counts(selection)
    exported = 0
    if export_dir:
        out = Path(export_dir)
        out.mkdir(parents=True, exist_ok=True)
        for row in store.rows([done_state()], selection):
            _write_new(out / f"{row.doc_id}.xml", store.read(row))  # read() checks the bytes against their hash
            evidence = store.evidence(row)
            if evidence is not None:
                _write_new(out / f"{row.doc_id}.xml.p7s", evidence)
            exported += 1
    if as_json:
        click.echo(json.dumps([{"class": lop, "state": state, "documents": n}
                               for (lop, state), n in sorted(counts.items())], ensure_ascii=False, indent=2))
    else:
        for (lop, state), n in sorted(counts.items()):
            click.echo(f"{lop:<12} {state:<16} {n:>6}")
    if export_dir:
        click.echo(t("sign_exported", lang, count=exported, path=export_dir), err=True)
    sys.exit(EXIT_OK)


def _write_new(path: Path, data: bytes) -> None:
    """Write a file atomically (a reader never sees half a document)."""
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)


@hookimpl
def register_commands(cli):
    cli.add_command(pki)
    cli.add_command(freeze)
    cli.add_command(sign)
    cli.add_command(verify)
    cli.add_command(sign_status)
