"""The terminal report: Vietnamese by default, one line per finding, grouped by class and student."""

from __future__ import annotations

from typing import IO

from connector.i18n import t

SEVERITY_LABEL = {
    "vi": {"error": "LỖI", "warning": "CẢNH BÁO", "review": "CẦN XEM XÉT"},
    "en": {"error": "ERROR", "warning": "WARNING", "review": "NEEDS REVIEW"},
}


def _label(f: dict, lang: str) -> str:
    key = "review" if f["needs_review"] else f["severity"]
    return SEVERITY_LABEL[lang][key]


def write_text(outcome, out: IO[str], lang: str = "vi", limit: int | None = None) -> None:
    out.write(t("report_title", lang) + "\n")
    out.write(t("provisional_notice", lang) + "\n\n")
    for p in outcome.input_problems():
        out.write(f"[{SEVERITY_LABEL[lang]['error'] if p['severity'] == 'error' else SEVERITY_LABEL[lang]['warning']}]"
                  f" {p['message']}" + (f" («{p['value']}»)" if p.get("value") not in (None, "") else "") + "\n")
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
        out.write(f"  [{_label(f, lang)}] {f['rule_id']} {f['field']}: {f['message']}\n")
        shown += 1
    total = outcome.errors + outcome.warnings
    if limit is not None and total > shown:
        more = total - shown
        out.write(f"\n… {more} " + ("phát hiện khác (xem báo cáo --report)" if lang == "vi" else "more findings (see --report)") + "\n")
    out.write("\n" + t("report_summary", lang, records=outcome.records, errors=outcome.errors,
                       warnings=outcome.warnings, review=outcome.needs_review, problems=outcome.problems) + "\n")
    if outcome.errors == 0 and outcome.problem_errors == 0:
        out.write(t("report_clean", lang) + "\n")
