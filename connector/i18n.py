"""Vietnamese first, English available: every user-facing message is a key in ``data/messages.toml``.

Messages are templates with named fields. Callers pass only the fields the template names; templates
that end up in logs never contain personal data (names, birth dates, ID numbers, scores).
"""

from __future__ import annotations

import os
from functools import cache

from connector.catalogue import load_data

LANGS = ("vi", "en")


def default_lang() -> str:
    lang = os.environ.get("HOCBA_LANG", "vi")
    return lang if lang in LANGS else "vi"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    return load_data("messages.toml")


def t(key: str, lang: str | None = None, /, **fields: object) -> str:
    """Render message ``key`` in ``lang`` (default: $HOCBA_LANG or Vietnamese)."""
    entry = catalogue()[key]
    return entry[lang or default_lang()].format(**fields)
