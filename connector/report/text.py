"""The terminal report: Vietnamese by default, one line per finding, grouped by class and student."""

from __future__ import annotations

from typing import IO

from connector.i18n import t
from connector.report.columns import SEVERITY, severity_label


def _short(value: str, width: int = 60) -> str:
    """A cell value as a terminal can show it: control characters escaped, long text cut."""
    shown = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(value)[: width + 1])
    return shown if len(shown) <= width else shown[:width] + "…"


def write_text(outcome, out: IO[str], lang: str = "vi", limit: int | None = None) -> None:
    out.write(t("report_title", lang) + "\n")
    out.write(t("provisional_notice", lang) + "\n\n")
    for p in outcome.input_problems():
        label = SEVERITY[lang][p["severity"]].upper()
        value = f" («{_short(p['value'])}»)" if p.get("value") not in (None, "") else ""
        out.write(f"[{label}] {p['message']}{value}\n")
    shown = 0
    last = None
    for f in outcome.findings():
        if limit is not None and shown >= limit:
            break
        who = (f["nam_hoc"], f["lop"], f["student_key"])
        if who != last:
            name = f"{f['ho_ten']} ({f['ma_hoc_sinh'] or f['student_key']})"
            out.write(f"\n{f['nam_hoc']} · {f['lop']} · {name}\n")
            last = who
        out.write(f"  [{severity_label(f, lang).upper()}] {f['rule_id']} {f['field']}: {f['message']}\n")
        shown += 1
    total = outcome.errors + outcome.warnings
    if limit is not None and total > shown:
        more = total - shown
        out.write(f"\n… {more} " + ("phát hiện khác (xem báo cáo --report)" if lang == "vi" else "more findings (see --report)") + "\n")
    out.write("\n" + t("report_summary", lang, records=outcome.records, errors=outcome.errors,
                       warnings=outcome.warnings, review=outcome.needs_review, problems=outcome.problems) + "\n")
    if outcome.errors == 0 and outcome.problem_errors == 0:
        out.write(t("report_clean", lang) + "\n")
