"""The audit log for the privacy officer: an Excel workbook (the log with every column, seq and hashes, and a
検証結果 sheet) or a CSV of the log (UTF-8 with a BOM, CRLF, so Excel opens it as is). Pure and atomic."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook

from zaitaku_desktop.domain.audit import (
    PROBLEM_LABELS, AuditEntry, AuditProblem, ClockNote, action_label, entity_label, local_time,
)

from .atomic import write_atomically
from .issues_xlsx import _append, _finish, _header, _text

COLUMNS: tuple[tuple[str, float], ...] = (
    ("通番", 8), ("日時（日本時間）", 19), ("記録された日時（UTC）", 26), ("利用者", 14), ("役割", 9), ("操作", 18),
    ("操作（記録値）", 11), ("対象", 16), ("対象ID", 38), ("内容", 36), ("前の検証値", 68), ("検証値", 68),
)
RESULT_SHEET = "検証結果"
OK_TEXT = "正常（改ざんは見つかりませんでした）"


def _values(e: AuditEntry) -> list:
    try:
        when: object = local_time(e.at)
    except ValueError:
        when = None
    return [e.seq, when, e.at, e.user, e.role, action_label(e.action), e.action, entity_label(e.entity),
            e.entity_id, e.detail, e.prev_hash, e.hash]


def write_audit_xlsx(entries: Sequence[AuditEntry], out: Path, *, problems: Sequence[AuditProblem],
                     clock_notes: Sequence[ClockNote], checked_at: dt.datetime) -> None:
    """The log (oldest first) on 監査ログ and the verifier's result on 検証結果; ``checked_at`` is local time."""
    write_atomically(Path(out), lambda handle: _write_xlsx(handle, entries, problems, clock_notes, checked_at))


def _write_xlsx(handle: BinaryIO, entries: Sequence[AuditEntry], problems: Sequence[AuditProblem],
                notes: Sequence[ClockNote], checked_at: dt.datetime) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "監査ログ"
    _header(ws, COLUMNS)
    for e in entries:
        _append(ws, [_text(v) if isinstance(v, str) else v for v in _values(e)])
    _finish(ws, COLUMNS, len(entries), datetime_columns=(2,))
    for row in range(2, len(entries) + 2):
        ws.cell(row=row, column=2).number_format = "yyyy/mm/dd hh:mm:ss"
    result = wb.create_sheet(RESULT_SHEET)
    lines: list[list] = [["検証した日時", checked_at.replace(microsecond=0)], ["記録の件数", len(entries)],
                         ["結果", OK_TEXT if not problems else f"改ざんの疑いがあります（{len(problems)}件）"], []]
    lines.append(["通番", "種類", "内容"])
    lines += [[p.seq, PROBLEM_LABELS.get(p.kind, p.kind), p.message_ja] for p in problems]
    lines += [[n.seq, "時計の逆戻り（参考）", n.message_ja] for n in notes]
    for line in lines:
        _append(result, line)
    result.cell(row=1, column=2).number_format = "yyyy/mm/dd hh:mm:ss"
    for column, width in (("A", 14), ("B", 22), ("C", 90)):
        result.column_dimensions[column].width = width
    wb.save(handle)


def write_audit_csv(entries: Sequence[AuditEntry], out: Path) -> None:
    """The log (oldest first) as CSV with the same columns as the workbook."""
    def write(handle: BinaryIO) -> None:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([c[0] for c in COLUMNS])
        for e in entries:
            values = _values(e)
            values[1] = values[1].strftime("%Y/%m/%d %H:%M:%S") if values[1] else ""
            writer.writerow(values)
        text.flush()
        text.detach()  # the caller still owns (and syncs) the binary file

    write_atomically(Path(out), write)
