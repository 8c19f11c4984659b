"""XSD validation of profile documents, offline.

Two levels, same schema files:
- :func:`problems` — lxml's compiled ``XMLSchema``, loaded once per schema file: the hot path (a document
  is checked right after it is serialised, before anything is frozen or signed);
- :func:`explain` — xmlschema, much slower, for reports people read: each message names the element by
  its path (``/HocBa/DLHocBa/HocSinh/GioiTinh``), the line, and what is wrong.

Messages may quote values from the document (a score, a name): they go to reports, never to logs.
Neither level touches the network: schemas import local copies (``schemas/w3c/``), documents are parsed
without DTDs or entity expansion. A compiled lxml schema is not safe to share between threads.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

from lxml import etree

from connector.errors import ConfigError

SCHEMAS_ENV = "HOCBA_SCHEMAS_DIR"
MAX_EXPLAINED = 50


def schemas_dir() -> Path:
    """The ``schemas/`` folder of the repository (or ``$HOCBA_SCHEMAS_DIR``)."""
    configured = os.environ.get(SCHEMAS_ENV)
    path = Path(configured) if configured else Path(__file__).resolve().parents[2] / "schemas"
    if not path.is_dir():
        raise ConfigError("xml_schemas_missing", path=str(path), env=SCHEMAS_ENV)
    return path


def _parser() -> etree.XMLParser:
    """For documents and schemas alike: no network, no DTD loading, no entity expansion."""
    return etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False, huge_tree=False)


@cache
def lxml_schema(xsd: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(xsd), _parser()))


@cache
def readable_schema(xsd: Path):
    import xmlschema  # slow to import and to build: only when a report needs it

    return xmlschema.XMLSchema10(str(xsd), allow="local")


def _parse(document: bytes) -> tuple[etree._Element | None, list[str]]:
    try:
        return etree.fromstring(document, _parser()), []
    except etree.XMLSyntaxError as exc:
        return None, [f"line {exc.lineno}: {exc.msg}"]


def problems(document: bytes, xsd: Path) -> list[str]:
    """lxml's findings for ``document`` against ``xsd`` (empty when valid)."""
    root, broken = _parse(document)
    if root is None:
        return broken
    schema = lxml_schema(xsd)
    if schema.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def explain(document: bytes, xsd: Path, limit: int = MAX_EXPLAINED) -> list[str]:
    """Readable findings (xmlschema): ``/path/of/Element (line N): what is wrong``."""
    root, broken = _parse(document)
    if root is None:
        return broken
    schema = readable_schema(xsd)
    namespace = re.escape(schema.target_namespace)
    own_prefixes = [p for p, ns in schema.namespaces.items() if p and ns == schema.target_namespace]
    out = []
    for error in schema.iter_errors(root):
        reason = re.sub(r"\{" + namespace + r"\}", "", error.reason or error.message)
        for prefix in own_prefixes:
            reason = reason.replace(f"'{prefix}:", "'")
        out.append(f"{error.path} (line {error.sourceline}): {reason}")
        if len(out) >= limit:
            break
    return out
