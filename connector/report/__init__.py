"""What people read: the validation report as text (terminal), JSON, XLSX and HTML.

Reports hold personal data (names, values): they are the operator's and the clerk's documents, never
log lines. Text written into spreadsheets is protected against formula injection."""

from __future__ import annotations

from pathlib import Path

from connector.report.jsonreport import write_json
from connector.report.text import write_text

__all__ = ["write_json", "write_report_file", "write_text"]


def write_report_file(outcome, path: str | Path, lang: str = "vi") -> Path:
    """Write an ``.xlsx``, ``.html`` or ``.json`` report, chosen by the file's suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from connector.report.xlsx import write_xlsx

        write_xlsx(outcome, path, lang)
    elif suffix in (".html", ".htm"):
        from connector.report.html import write_html

        write_html(outcome, path, lang)
    elif suffix == ".json":
        with open(path, "w", encoding="utf-8") as f:
            write_json(outcome, f, lang)
    else:
        from connector.errors import ConfigError

        raise ConfigError("report_unknown_format", path=str(path))
    return path
