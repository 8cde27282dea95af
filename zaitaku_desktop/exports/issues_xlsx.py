"""The issue board as an Excel workbook: 課題 (every field), 対応策 (responses), 集計 (counts).

Pure: it takes the service's read shapes (IssueRow, ResponseRead, IssueCount) and writes them;
nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from zaitaku_desktop.domain.issues import LAYER_KEYS, LAYER_SHORT, STATUSES

from .atomic import write_atomically

DATE_FORMAT = "yyyy/mm/dd"
DATETIME_FORMAT = "yyyy/mm/dd hh:mm"
NO_PROFESSION = "（職種なし）"

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill(fill_type="solid", start_color="FFDDEBF7", end_color="FFDDEBF7")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEADER_BORDER = Border(bottom=Side(style="thin", color="FF808080"))
TOTAL_FONT = Font(bold=True)

# (header, width); the order of the 課題 sheet.
ISSUE_COLUMNS: tuple[tuple[str, float], ...] = (
    ("ID", 12), ("見出し", 40), ("内容", 50), ("階層", 8), ("状況", 9), ("優先度", 7), ("職種", 28),
    ("テーマ", 24), ("出どころの団体", 20), ("出どころ（会議など）", 30), ("抽出日", 12), ("市町村", 10),
    ("担当", 14), ("次の対応", 30), ("次の対応の期限", 12), ("フィードバックした日", 12),
    ("フィードバックの方法", 16), ("対応策の数", 8), ("未完了の対応策", 8), ("アーカイブ", 8), ("サンプル", 8),
    ("更新日時", 17),
)
RESPONSE_COLUMNS: tuple[tuple[str, float], ...] = (
    ("課題ID", 12), ("課題の見出し", 40), ("階層", 8), ("実施主体の種類", 12), ("実施主体", 24),
    ("対応策", 50), ("進み具合", 9), ("結果", 40), ("アーカイブ", 8),
)
_ILLEGAL_RE = re.compile(r"[\000-\010\013\014\016-\037]")
_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


def write_issues_xlsx(out: Path, rows: Sequence[Any], responses: Sequence[Any], counts: Iterable[Any]) -> None:
    """Write the three sheets to ``out`` atomically."""
    write_atomically(Path(out), lambda handle: _write(handle, rows, responses, list(counts)))


def _write(handle: BinaryIO, rows: Sequence[Any], responses: Sequence[Any], counts: list[Any]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "課題"
    _header(ws, ISSUE_COLUMNS)
    for r in rows:
        _append(ws, [
            r.id, _text(r.title), _text(r.description), r.layer, r.status, r.priority, "、".join(r.professions),
            "、".join(r.themes), r.source_association or None, _text(r.source_text), r.raised_on,
            r.municipality or None, _text(r.owner), _text(r.next_action), r.next_due, r.fed_back_on,
            _text(r.fed_back_how), r.response_count, r.open_response_count, "○" if r.archived else None,
            "○" if r.is_sample else None, _local(r.updated_at),
        ])
    _finish(ws, ISSUE_COLUMNS, len(rows), date_columns=(11, 15, 16), datetime_columns=(22,),
            wrap_columns=(2, 3, 14))

    titles = {r.id: (r.title, r.layer) for r in rows}
    ws = wb.create_sheet("対応策")
    _header(ws, RESPONSE_COLUMNS)
    written = 0
    for x in responses:
        title, layer = titles.get(x.issue_id, ("", ""))
        _append(ws, [x.issue_id, _text(title), layer or None, x.actor_kind, _text(x.actor), _text(x.action), x.state,
                   _text(x.result), "○" if x.archived else None])
        written += 1
    _finish(ws, RESPONSE_COLUMNS, written, wrap_columns=(2, 6, 8))

    _write_counts(wb.create_sheet("集計"), counts)
    wb.save(handle)


def _write_counts(ws: Any, counts: list[Any]) -> None:
    """One line per layer × profession, one column per status, with totals."""
    statuses = list(STATUSES)
    columns = [("階層", 16), ("職種", 24)] + [(s, 8) for s in statuses] + [("計", 8)]
    _header(ws, columns)
    table: dict[tuple[str, str], dict[str, int]] = {}
    for c in counts:
        table.setdefault((c.layer, c.profession), {})
        table[(c.layer, c.profession)][c.status] = table[(c.layer, c.profession)].get(c.status, 0) + c.count
    lines = 0
    for layer in LAYER_KEYS:
        keys = [k for k in table if k[0] == layer]
        for key in keys:
            per = table[key]
            ws.append([f"{layer}（{LAYER_SHORT[layer]}）", key[1] or NO_PROFESSION]
                      + [per.get(s, 0) for s in statuses] + [sum(per.values())])
            lines += 1
    status_totals = [sum(per.get(s, 0) for per in table.values()) for s in statuses]
    total_row = ["計", None] + status_totals + [sum(status_totals)]
    ws.append(total_row)
    for cell in ws[ws.max_row]:
        cell.font = TOTAL_FONT
    note = "※ 複数の職種にかかわる課題は、それぞれの職種の行に数えています。"
    ws.append([])
    ws.append([note])
    _finish(ws, columns, lines)


def _header(ws: Any, columns: Sequence[tuple[str, float]]) -> None:
    ws.append([c[0] for c in columns])
    for index, (_, width) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGNMENT
        cell.border = HEADER_BORDER
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "A2"


def _finish(ws: Any, columns: Sequence[tuple[str, float]], n_rows: int, *, date_columns: Sequence[int] = (),
            datetime_columns: Sequence[int] = (), wrap_columns: Sequence[int] = ()) -> None:
    """Number formats for dates, wrapping for long text, and the autofilter over the data."""
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in range(2, n_rows + 2):
        for col in date_columns:
            ws.cell(row=row, column=col).number_format = DATE_FORMAT
        for col in datetime_columns:
            ws.cell(row=row, column=col).number_format = DATETIME_FORMAT
        for col in wrap_columns:
            ws.cell(row=row, column=col).alignment = wrap
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{n_rows + 1}"


def _text(value: str | None) -> str | None:
    """Plain text without the control characters Excel refuses."""
    if not value:
        return None
    return _ILLEGAL_RE.sub("", value) or None


def _append(ws: Any, values: list[Any]) -> None:
    ws.append(values)
    for cell in ws[ws.max_row]:
        value = cell.value
        if isinstance(value, str) and ((len(value) > 1 and value[0] == "=") or value in _ERROR_CODES):
            cell.data_type = "s"  # text, not a formula or an error value


def _local(stamp: dt.datetime | None) -> dt.datetime | None:
    if stamp is None:
        return None
    return stamp.astimezone().replace(tzinfo=None) if stamp.tzinfo else stamp


__all__ = ["write_issues_xlsx", "DATE_FORMAT"]
