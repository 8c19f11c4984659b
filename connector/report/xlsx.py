"""The clerk's spreadsheet: one row per finding (student, class, field, stored, expected, rule, message).

Written with openpyxl in write-only mode (streaming), every text cell guarded against formula injection."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from connector.i18n import t
from connector.report.columns import FINDING_COLUMNS, PROBLEM_COLUMNS, finding_row, headers, problem_row
from connector.text import spreadsheet_safe


def _append(ws, values) -> None:
    ws.append([spreadsheet_safe(v) for v in values])


def write_xlsx(outcome, path: Path, lang: str = "vi") -> None:
    wb = Workbook(write_only=True)
    bold = Font(bold=True)

    summary = wb.create_sheet("Tổng hợp" if lang == "vi" else "Summary")
    summary.append([t("report_title", lang)])
    summary.append([t("provisional_notice", lang)])
    s = outcome.summary()
    summary.append([t("report_summary", lang, records=s["records"], errors=s["errors"], warnings=s["warnings"],
                      review=s["needs_review"], problems=s["input_problems"])])
    summary.append([])
    summary.append(["Rule", "Số phát hiện" if lang == "vi" else "Findings"])
    for rule, count in s["by_rule"].items():
        summary.append([rule, count])

    ws = wb.create_sheet("Phát hiện" if lang == "vi" else "Findings")
    ws.freeze_panes = "A2"
    from openpyxl.cell import WriteOnlyCell

    ws.append([_bold(WriteOnlyCell(ws, value=h), bold) for h in headers(FINDING_COLUMNS, lang)])
    for f in outcome.findings():
        _append(ws, finding_row(f, lang))

    pr = wb.create_sheet("Lỗi đầu vào" if lang == "vi" else "Input problems")
    pr.append([_bold(WriteOnlyCell(pr, value=h), bold) for h in headers(PROBLEM_COLUMNS, lang)])
    for p in outcome.input_problems():
        _append(pr, problem_row(p))
    wb.save(path)


def _bold(cell, font):
    cell.font = font
    return cell
