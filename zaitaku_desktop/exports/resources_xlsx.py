"""The resource list as an Excel workbook (.xlsx), written in openpyxl's write-only mode.

Only the header row is styled cell by cell; data cells are appended as plain values,
except dates (which need their yyyy/mm/dd format) and the rare text that Excel would
otherwise take for a formula.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, BinaryIO, Callable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError

from .atomic import write_atomically
from .resource_list import HEAD_COLUMNS, TAIL_COLUMNS, ResourceListData, iter_row_values

Progress = Callable[[int, int], None]

DATE_FORMAT = "yyyy/mm/dd"
DATETIME_FORMAT = "yyyy/mm/dd hh:mm"
PROGRESS_EVERY = 200

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill(fill_type="solid", start_color="FFDDEBF7", end_color="FFDDEBF7")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEADER_BORDER = Border(bottom=Side(style="thin", color="FF808080"))

# Column widths in Excel's character units (a Japanese character is about 2).
_WIDTHS: dict[str, float] = {
    "ID": 12, "名称": 32, "読み": 26, "種別": 20, "市町村": 10, "地区": 10, "郵便番号": 10, "住所": 38,
    "電話番号": 15, "FAX番号": 15, "メール": 28, "URL": 30, "緯度": 11, "経度": 11, "営業日・時間": 30,
    "訪問エリア": 20, "キーパーソン": 40, "ショートステイ空き": 10, "空き状況の日付": 12, "備考": 40,
    "最終確認日": 12, "確認方法": 14, "更新日時": 17,
}
_MARK_WIDTH = 9.5  # capability / procedure columns: a ○ under a wrapped header

# Text Excel would read as something else: formulas and error codes.
_ERROR_CODES = frozenset(('#NULL!', '#DIV/0!', '#VALUE!', '#REF!', '#NAME?', '#NUM!', '#N/A'))
_ILLEGAL_RE = re.compile(r"[\000-\010\013\014\016-\037]")


def write_resources_xlsx(data: ResourceListData, out: Path, progress: Progress | None = None) -> int:
    """Write the list to ``out`` atomically; returns the number of data rows."""
    try:
        write_atomically(out, lambda handle: _write(handle, data, progress, clean=False))
    except IllegalCharacterError:
        # Control characters pasted into a text field: write again, dropping them.
        write_atomically(out, lambda handle: _write(handle, data, progress, clean=True))
    return len(data.rows)


def _header_cells(ws: Any, headers: list[str]) -> list[WriteOnlyCell]:
    cells = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGNMENT
        cell.border = HEADER_BORDER
        cells.append(cell)
    return cells


def _write(handle: BinaryIO, data: ResourceListData, progress: Progress | None, *, clean: bool) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(data.sheet_title)
    headers = data.headers()
    fixed = set(HEAD_COLUMNS) | set(TAIL_COLUMNS)
    n_fixed_head = len(HEAD_COLUMNS)
    n_vocab = len(data.capabilities) + len(data.procedures)
    for index, text in enumerate(headers):
        in_vocab = n_fixed_head <= index < n_fixed_head + n_vocab
        width = _MARK_WIDTH if in_vocab or text not in fixed else _WIDTHS[text]
        ws.column_dimensions[get_column_letter(index + 1)].width = width
    ws.row_dimensions[1].height = 45 if n_vocab else 20
    ws.freeze_panes = "A2"
    ws.append(_header_cells(ws, headers))

    try:
        total = _append_rows(ws, data, progress, clean)
    except BaseException:
        _abandon(ws)
        raise
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{total + 1}"
    wb.save(handle)
    if progress is not None:
        progress(total, total)


def _abandon(ws: Any) -> None:
    """Finish openpyxl's half-written sheet part now and remove its temporary file.

    Left to the garbage collector, its generators would later write into a closed file.
    """
    try:
        ws.close()
    except Exception:  # noqa: BLE001 - best effort after the real failure
        pass
    writer = getattr(ws, "_writer", None)
    if writer is not None:
        try:
            writer.cleanup()
        except Exception:  # noqa: BLE001
            pass


def _append_rows(ws: Any, data: ResourceListData, progress: Progress | None, clean: bool) -> int:
    date_a, date_b = data.date_columns()
    updated = data.updated_column()
    text_columns = data.text_columns()
    total = len(data.rows)
    done = 0
    for values in iter_row_values(data):
        # Dates need their own number format; everything else goes in as a bare value.
        for index in (date_a, date_b):
            day = values[index]
            if day is not None:
                cell = WriteOnlyCell(ws, value=day)
                cell.number_format = DATE_FORMAT
                values[index] = cell
        stamp = values[updated]
        if stamp is not None:
            cell = WriteOnlyCell(ws, value=stamp)
            cell.number_format = DATETIME_FORMAT
            values[updated] = cell
        for index in text_columns:
            text = values[index]
            if text is not None and (text[:1] == "=" or text[:1] == "#" or clean):
                values[index] = _as_text_cell(ws, text, clean)
        ws.append(values)
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
    return done


def _as_text_cell(ws: Any, text: str, clean: bool) -> Any:
    """Keep text as text: '=…' stays a string, not a formula, and '#N/A' not an error."""
    if clean:
        text = _ILLEGAL_RE.sub("", text)
    if (len(text) > 1 and text[0] == "=") or text in _ERROR_CODES:
        cell = WriteOnlyCell(ws, value=text)
        cell.data_type = "s"
        return cell
    return text


__all__ = ["write_resources_xlsx", "DATE_FORMAT", "DATETIME_FORMAT"]
