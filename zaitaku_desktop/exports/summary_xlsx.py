"""Kamaishi's summary table (種別 × 市町村) and the capability counts, as .xlsx.

Takes any object shaped like ``services.resources.SummaryData`` (this layer does not
import services).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO, Protocol, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .atomic import write_atomically

UNASSIGNED = "市町村未設定"
TOTAL = "合計"

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill(fill_type="solid", start_color="FFDDEBF7", end_color="FFDDEBF7")
_TOTAL_FILL = PatternFill(fill_type="solid", start_color="FFF2F2F2", end_color="FFF2F2F2")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_THIN = Side(style="thin", color="FF808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


class SummaryLike(Protocol):
    municipalities: Sequence[str]
    categories: Sequence[str]
    counts: dict[tuple[str, str], int]
    capability_counts: Sequence[tuple[str, str, int]]

    @property
    def has_unassigned(self) -> bool: ...


def summary_table(summary: SummaryLike) -> list[list[Any]]:
    """The first sheet as plain rows: header, one row per category, then 合計."""
    columns = list(summary.municipalities) + ([""] if summary.has_unassigned else [])
    header = ["種別", *summary.municipalities, *([UNASSIGNED] if summary.has_unassigned else []), TOTAL]
    rows: list[list[Any]] = [header]
    column_totals = [0] * len(columns)
    for category in summary.categories:
        counts = [summary.counts.get((category, m), 0) for m in columns]
        for i, n in enumerate(counts):
            column_totals[i] += n
        rows.append([category, *counts, sum(counts)])
    rows.append([TOTAL, *column_totals, sum(column_totals)])
    return rows


def capability_table(summary: SummaryLike) -> list[list[Any]]:
    return [["種別", "サービス・対応", "件数"], *([c, cap, n] for c, cap, n in summary.capability_counts)]


def _style_table(ws: Any, n_rows: int, n_cols: int, *, total_row: bool, total_col: bool) -> None:
    for col in range(1, n_cols + 1):
        head = ws.cell(row=1, column=col)
        head.font = _BOLD
        head.fill = _HEADER_FILL
        head.alignment = _CENTER
    for row in ws.iter_rows(min_row=1, max_row=n_rows, max_col=n_cols):
        for cell in row:
            cell.border = _BOX
    for row in range(2, n_rows + 1):
        ws.cell(row=row, column=1).font = _BOLD
        if total_col:
            ws.cell(row=row, column=n_cols).font = _BOLD
    if total_row and n_rows > 1:
        for col in range(1, n_cols + 1):
            cell = ws.cell(row=n_rows, column=col)
            cell.font = _BOLD
            cell.fill = _TOTAL_FILL


def write_summary_xlsx(summary: SummaryLike, out: Path) -> None:
    """Write both sheets to ``out`` atomically."""
    wb = Workbook()
    ws = wb.active
    ws.title = "種別×市町村"
    table = summary_table(summary)
    for row in table:
        ws.append(row)
    n_cols = len(table[0])
    _style_table(ws, len(table), n_cols, total_row=True, total_col=True)
    ws.column_dimensions["A"].width = 26
    for col in range(2, n_cols + 1):
        ws.column_dimensions[get_column_letter(col)].width = 12
    ws.freeze_panes = "B2"

    caps = wb.create_sheet("対応状況")
    cap_rows = capability_table(summary)
    for row in cap_rows:
        caps.append(row)
    _style_table(caps, len(cap_rows), 3, total_row=False, total_col=False)
    caps.column_dimensions["A"].width = 26
    caps.column_dimensions["B"].width = 30
    caps.column_dimensions["C"].width = 8
    caps.freeze_panes = "A2"
    if len(cap_rows) > 1:
        caps.auto_filter.ref = f"A1:C{len(cap_rows)}"

    def write(handle: BinaryIO) -> None:
        wb.save(handle)

    write_atomically(out, write)
