"""The annual report (事業実績報告) as Excel: a 概要 sheet, then one sheet per task 「ア 地域資源」 with ◎実績 ◎成果
◎課題 — each figure on a line (numbers as numbers), each table under its title, the coordinator's notes.

Pure: takes ``domain.annual_report.AnnualReport`` and writes atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from zaitaku_desktop.domain.annual_report import REPORT_TITLE, SECTIONS, AnnualReport, Table, sheet_name
from zaitaku_desktop.domain.dates import format_date

from .atomic import write_atomically
from .issues_xlsx import HEADER_ALIGNMENT, HEADER_BORDER, HEADER_FILL, HEADER_FONT, TOTAL_FONT, _append, _text

TITLE_FONT = Font(bold=True, size=14)
SECTION_FONT = Font(bold=True, size=12, color="FF1F4E79")
TABLE_FONT = Font(bold=True)
PERCENT_FORMAT = "0.0"
WRAP = Alignment(wrap_text=True, vertical="top")
WIDTHS = (34, 14, 14, 14, 14, 14)


def write_annual_report_xlsx(report: AnnualReport, path: Path | str, *, date_style: str = "wareki") -> None:
    write_atomically(Path(path), lambda handle: _write(handle, report, date_style))


def _write(handle: BinaryIO, report: AnnualReport, date_style: str) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "概要"
    _widths(ws)
    ws.append([f"{report.label} {REPORT_TITLE}"])
    ws["A1"].font = TITLE_FONT
    period = f"{format_date(report.start, date_style, weekday=False)}〜{format_date(report.end, date_style, weekday=False)}"
    for line in (("対象期間", period), ("作成日", format_date(report.created_on, date_style) if report.created_on else None),
                 ("作成者", _text(report.organisation))):
        if line[1]:
            ws.append(list(line))
    ws.append([])
    ws.append(["事業", "シート"])
    _head_row(ws)
    for section in report.tasks:
        ws.append([f"{section.task} {section.title}", sheet_name(section.task)])
    for section in report.tasks:
        ws = wb.create_sheet(sheet_name(section.task))
        _widths(ws)
        ws.append([f"{section.task} {section.title}"])
        ws.cell(row=ws.max_row, column=1).font = TITLE_FONT
        for name in SECTIONS:
            part = section.part(name)
            ws.append([])
            ws.append([f"◎{name}"])
            ws.cell(row=ws.max_row, column=1).font = SECTION_FONT
            for figure in part.figures:
                ws.append([figure.label, figure.value, figure.unit])
                if isinstance(figure.value, float):
                    ws.cell(row=ws.max_row, column=2).number_format = PERCENT_FORMAT
            for table in part.tables:
                _table(ws, table)
            note = section.notes.get(name, "")
            if note:
                ws.append([])
                ws.append(["記述"])
                ws.cell(row=ws.max_row, column=1).font = TABLE_FONT
                ws.append([_text(note)])
                ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(WIDTHS))
                ws.cell(row=ws.max_row, column=1).alignment = WRAP
                ws.row_dimensions[ws.max_row].height = min(400, 15 * (note.count("\n") + 1 + len(note) // 60))
            if part.empty and not note:
                ws.append(["（記録から集計する項目はありません）"])
    wb.save(handle)


def _table(ws: Any, table: Table) -> None:
    ws.append([])
    ws.append([table.title])
    ws.cell(row=ws.max_row, column=1).font = TABLE_FONT
    ws.append(list(table.headers))
    _head_row(ws)
    for row in table.rows:
        _append(ws, [_text(v) if isinstance(v, str) else v for v in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, float):
                cell.number_format = PERCENT_FORMAT
            elif isinstance(cell.value, str) and len(cell.value) > 20:
                cell.alignment = WRAP
    if table.total_row and table.rows:
        for cell in ws[ws.max_row]:
            cell.font = TOTAL_FONT
    if table.note:
        ws.append([f"※ {table.note}"])


def _head_row(ws: Any) -> None:
    for cell in ws[ws.max_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGNMENT
        cell.border = HEADER_BORDER


def _widths(ws: Any) -> None:
    for index, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
