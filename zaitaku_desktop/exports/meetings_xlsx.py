"""Meetings and attendance as an Excel workbook, for one meeting or a period:
「会議・研修一覧」 (one line per meeting), 「職種別参加者数」 (meeting × profession, with a total
line) and, for one meeting, 「参加者名簿」.

``write_meetings_xlsx`` is a pure function of :class:`MeetingsWorkbookData`. ``gather`` fills that
data from the meeting service (passed in, not imported: exports sit below services), and
``gather_calendar`` does the same for the .ics export (meetings_ics.write_ics).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook

from zaitaku_desktop.domain.dates import format_date
from zaitaku_desktop.domain.errors import DomainError

from .atomic import write_atomically
from .issues_xlsx import DATE_FORMAT, TOTAL_FONT, _append, _finish, _header, _text

NOT_COUNTED = ("中止", "延期")  # the statuses MeetingService.period_totals leaves out
MEETING_COLUMNS: tuple[tuple[str, float], ...] = (
    ("開催日", 22), ("開始", 7), ("終了", 7), ("名前", 40), ("種類", 16), ("階層", 9), ("事業", 8),
    ("会場", 28), ("主催", 24), ("状況", 8), ("申込・出席", 10), ("出席", 8),
    ("ID", 38),  # what `meetings signin ID` and `--meeting ID` take
)
ROSTER_COLUMNS: tuple[tuple[str, float], ...] = (
    ("氏名", 18), ("所属", 32), ("職種", 18), ("役割", 9), ("出欠", 8), ("当日参加", 9),
)
TOTALS_NOTE = "※ 出席の記録と人数のみの記録の合計です。中止・延期の会議は含みません。"


@dataclass(frozen=True)
class MeetingsWorkbookData:
    rows: Sequence[Any]  # MeetingRow, by date
    totals: Mapping[str, Sequence[Any]]  # meeting id → its ProfessionTotal list (meetings in the 職種別 sheet)
    grand_total: Sequence[Any]  # ProfessionTotal for the total line (meeting_totals / period_totals)
    roster: Sequence[Any] | None = None  # AttendanceRead of the one meeting; None for a period
    date_style: str = "wareki"


def write_meetings_xlsx(data: MeetingsWorkbookData, out: Path) -> None:
    """Write the workbook to ``out`` atomically."""
    write_atomically(Path(out), lambda handle: _write(handle, data))


def _write(handle: BinaryIO, data: MeetingsWorkbookData) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "会議・研修一覧"
    _header(ws, MEETING_COLUMNS)
    for r in data.rows:
        _append(ws, [_day(r.date, data.date_style), r.start_time, r.end_time, _text(r.title), r.type_name or None,
                     r.layer or None, r.tasks or None, _text(r.venue), _text(r.organiser), r.status, r.registered,
                     r.attended, r.id])
    seireki = data.date_style == "seireki"
    _finish(ws, MEETING_COLUMNS, len(data.rows), date_columns=(1,) if seireki else (), wrap_columns=(4,))
    _write_totals(wb.create_sheet("職種別参加者数"), data)
    if data.roster is not None:
        ws = wb.create_sheet("参加者名簿")
        _header(ws, ROSTER_COLUMNS)
        for a in data.roster:
            _append(ws, [_text(a.name), _text(a.affiliation), a.profession or None, a.role, a.status,
                         "○" if a.walk_in else None])
        _finish(ws, ROSTER_COLUMNS, len(data.roster))
    wb.save(handle)


def _write_totals(ws: Any, data: MeetingsWorkbookData) -> None:
    """One line per meeting, one column per profession (or counts-only label), totals at the end."""
    keys: list[tuple[str | None, str]] = []
    for entries in (data.grand_total, *data.totals.values()):
        for t in entries:
            if (t.profession_id, t.profession) not in keys:
                keys.append((t.profession_id, t.profession))
    columns = [("開催日", 22), ("名前", 40)] + [(name, max(8.0, 2.2 * len(name) + 2)) for _, name in keys]
    columns.append(("計", 8))
    _header(ws, columns)
    lines = [r for r in data.rows if r.id in data.totals]
    for r in lines:
        per = {(t.profession_id, t.profession): t.count for t in data.totals[r.id]}
        values = [per.get(k, 0) for k in keys]
        _append(ws, [_day(r.date, data.date_style), _text(r.title), *values, sum(values)])
    grand = {(t.profession_id, t.profession): t.count for t in data.grand_total}
    values = [grand.get(k, 0) for k in keys]
    ws.append(["計", None, *values, sum(values)])
    for cell in ws[ws.max_row]:
        cell.font = TOTAL_FONT
    ws.append([])
    ws.append([TOTALS_NOTE])
    _finish(ws, columns, len(lines), date_columns=(1,) if data.date_style == "seireki" else (), wrap_columns=(2,))


def _day(day: dt.date, style: str) -> dt.date | str:
    """A real date cell for 西暦 (sortable, shown yyyy/mm/dd); the office's 和暦 text otherwise."""
    return day if style == "seireki" else format_date(day, "wareki")


# --- gathering the data from the meeting service ----------------------------------------------

def chosen_rows(meetings: Any, *, meeting_id: str | None = None, start: dt.date | None = None,
                end: dt.date | None = None) -> list[Any]:
    """The MeetingRows of one meeting or of a period; a clear message when there are none."""
    if meeting_id is not None:
        return [meetings.get(meeting_id).row]  # NotFoundError with its own message
    if start is None or end is None:
        raise DomainError("書き出す会議・研修か、期間（開始日と終了日）を指定してください。")
    if start > end:
        raise DomainError("期間の終了日が開始日より前になっています。")
    rows = meetings.period(start, end)
    if not rows:
        raise DomainError(f"{format_date(start)}から{format_date(end)}までに会議・研修はありません。")
    return rows


def gather(meetings: Any, *, meeting_id: str | None = None, start: dt.date | None = None,
           end: dt.date | None = None, date_style: str = "wareki") -> MeetingsWorkbookData:
    """Everything the workbook shows, read through ``meetings`` (a MeetingService)."""
    rows = chosen_rows(meetings, meeting_id=meeting_id, start=start, end=end)
    if meeting_id is not None:
        totals = {meeting_id: meetings.meeting_totals(meeting_id)}
        return MeetingsWorkbookData(rows, totals, totals[meeting_id], meetings.list_attendance(meeting_id),
                                    date_style)
    counted = [r for r in rows if r.status not in NOT_COUNTED]
    by_meeting = meetings.totals_by_meeting(start, end)
    totals = {r.id: by_meeting.get(r.id, []) for r in counted}
    return MeetingsWorkbookData(rows, totals, meetings.period_totals(start, end), None, date_style)


def gather_calendar(meetings: Any, *, meeting_id: str | None = None, start: dt.date | None = None,
                    end: dt.date | None = None) -> tuple[list[Any], dict[str, str], dict[str, str]]:
    """(rows, venue id → address, meeting id → agenda) for meetings_ics.write_ics."""
    rows = chosen_rows(meetings, meeting_id=meeting_id, start=start, end=end)
    addresses = {v.id: v.address for v in meetings.list_venues(include_archived=True) if v.address}
    agendas = {r.id: meetings.get(r.id).agenda for r in rows}
    return rows, addresses, {k: v for k, v in agendas.items() if v}


__all__ = ["MeetingsWorkbookData", "write_meetings_xlsx", "gather", "gather_calendar", "chosen_rows", "DATE_FORMAT"]
