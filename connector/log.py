"""Logging with structlog: console for people, JSON lines for services, redaction for everyone.

Personal data (names, birth dates, personal ID numbers, scores) must never reach a log line. The
first defence is discipline: log opaque keys and counts only. The second is here, central and
last in the chain: values under sensitive key names are replaced, and registered secret values
(passwords, PINs, tokens) are masked wherever they appear, longest first. Tracebacks are never
rendered with local variables.

Environment: ``HOCBA_LOG_LEVEL`` (default ``warning``; services use ``info``),
``HOCBA_LOG_FORMAT`` (``console`` or ``json``), ``HOCBA_LOG_FILE`` (append to a file instead of
standard error).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from typing import Any

import structlog

REDACTED = "[redacted]"
# Key names whose values are personal data or secrets, wherever they appear in an event.
SENSITIVE_KEYS = frozenset(
    {
        "ho_ten", "hovaten", "name", "student_name", "ngay_sinh", "birth_date", "dob",
        "so_dinh_danh_ca_nhan", "cccd", "personal_id", "ho_ten_cha", "ho_ten_me", "ho_ten_nguoi_giam_ho",
        "diem", "score", "scores", "value", "found", "expected", "tx", "gk", "ck", "tb", "nhan_xet",
        "password", "passwd", "pin", "secret", "token", "api_key", "dsn", "url", "connection_string",
        "authorization", "cookie", "row_data", "record", "payload",
    }
)

_secrets: list[str] = []
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Mask this value in every later log line (and in error texts shown by the CLI)."""
    if value and len(value) >= 3:
        with _lock:
            if value not in _secrets:
                _secrets.append(value)
                _secrets.sort(key=len, reverse=True)


def mask_secrets(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, "***")
    return text


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return mask_secrets(value)
    if isinstance(value, dict):
        return {k: REDACTED if str(k).lower() in SENSITIVE_KEYS else _scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_scrub(v) for v in value)
    return value


def redact(_logger: Any, _method: str, event_dict: dict) -> dict:
    """structlog processor: the last line of defence for personal data and secrets."""
    return _scrub(event_dict)


def _level() -> int:
    return getattr(logging, os.environ.get("HOCBA_LOG_LEVEL", "warning").upper(), logging.WARNING)


def configure(fmt: str | None = None, level: str | None = None, file: str | None = None) -> None:
    fmt = fmt or os.environ.get("HOCBA_LOG_FORMAT") or ("console" if sys.stderr.isatty() else "json")
    file = file or os.environ.get("HOCBA_LOG_FILE")
    stream = open(file, "a", encoding="utf-8") if file else sys.stderr  # noqa: SIM115 (lives as long as the process)
    renderer = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=stream.isatty(), exception_formatter=structlog.dev.plain_traceback)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            getattr(logging, level.upper()) if level else _level()
        ),
        logger_factory=structlog.WriteLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
