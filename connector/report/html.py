"""The clerk's web page: the same columns as the spreadsheet, rendered with an autoescaping template."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from connector.i18n import t
from connector.report.columns import FINDING_COLUMNS, PROBLEM_COLUMNS, finding_row, headers, problem_row


def _css(f: dict) -> str:
    return "review" if f["needs_review"] else f["severity"]


def write_html(outcome, path: Path, lang: str = "vi") -> None:
    env = Environment(loader=PackageLoader("connector", "data/templates"), autoescape=select_autoescape(["j2", "html"]))
    s = outcome.summary()
    page = env.get_template("report.html.j2").generate(
        lang=lang,
        title=t("report_title", lang),
        notice=t("provisional_notice", lang),
        summary=t("report_summary", lang, records=s["records"], errors=s["errors"], warnings=s["warnings"],
                  review=s["needs_review"], problems=s["input_problems"]),
        problems_title="Lỗi đầu vào" if lang == "vi" else "Input problems",
        findings_title="Các phát hiện" if lang == "vi" else "Findings",
        problem_headers=headers(PROBLEM_COLUMNS, lang),
        finding_headers=headers(FINDING_COLUMNS, lang),
        problems=(problem_row(p) for p in outcome.input_problems()),
        findings=((_css(f), finding_row(f, lang)) for f in outcome.findings()),
    )
    with open(path, "w", encoding="utf-8") as out:
        for chunk in page:
            out.write(chunk)
