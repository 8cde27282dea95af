"""Qt models of the calendar tab: the month grid (weeks × 7 days) and the meeting list, both over
plain ``MeetingRow``s and ``DayMark``s."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from zaitaku_desktop.services.meetings import DayMark, MeetingRow

WEEKDAY_HEADERS = ("日", "月", "火", "水", "木", "金", "土")  # the grid starts on Sunday
LAYER_COLOURS = {"一次": "#1565c0", "二次": "#2e7d32", "三次": "#e65100", "住民向け": "#6a1b9a"}
MUTED_STATUSES = ("中止", "延期")

DateRole = Qt.ItemDataRole.UserRole + 1
MeetingsRole = Qt.ItemDataRole.UserRole + 2
HolidayRole = Qt.ItemDataRole.UserRole + 3
InMonthRole = Qt.ItemDataRole.UserRole + 4
TodayRole = Qt.ItemDataRole.UserRole + 5
RowRole = Qt.ItemDataRole.UserRole + 6

Index = QModelIndex | QPersistentModelIndex


def month_grid(year: int, month: int) -> list[dt.date]:
    """The 42 days (6 weeks, Sunday first) that show ``year-month``."""
    first = dt.date(year, month, 1)
    start = first - dt.timedelta(days=(first.weekday() + 1) % 7)
    return [start + dt.timedelta(days=i) for i in range(42)]


def time_text(row: MeetingRow) -> str:
    if row.start_time and row.end_time:
        return f"{row.start_time}〜{row.end_time}"
    return row.start_time or ""


def short_title(title: str, limit: int = 14) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


class MonthModel(QAbstractTableModel):
    """6 weeks × 7 days. DisplayRole is the day number; the roles above carry the rest."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        today = dt.date.today()
        self.year, self.month = today.year, today.month
        self.today = today
        self.days: list[dt.date] = month_grid(self.year, self.month)
        self.marks: dict[dt.date, DayMark] = {}
        self.by_day: dict[dt.date, list[MeetingRow]] = {}

    def set_month(self, year: int, month: int, rows: Sequence[MeetingRow], marks: Sequence[DayMark], *,
                  today: dt.date | None = None) -> None:
        self.beginResetModel()
        self.year, self.month = year, month
        self.today = today or dt.date.today()
        self.days = month_grid(year, month)
        self.marks = {m.date: m for m in marks}
        self.by_day = {}
        for row in rows:
            self.by_day.setdefault(row.date, []).append(row)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else 6

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else 7

    def date_at(self, index: Index) -> dt.date | None:
        if not index.isValid():
            return None
        return self.days[index.row() * 7 + index.column()]

    def index_of(self, day: dt.date) -> QModelIndex:
        try:
            i = self.days.index(day)
        except ValueError:
            return QModelIndex()
        return self.index(i // 7, i % 7)

    def meetings_on(self, day: dt.date) -> list[MeetingRow]:
        return self.by_day.get(day, [])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        day = self.date_at(index)
        if day is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return str(day.day)
        if role == DateRole:
            return day
        if role == MeetingsRole:
            return self.by_day.get(day, [])
        if role == HolidayRole:
            mark = self.marks.get(day)
            return mark.holiday if mark else ""
        if role == InMonthRole:
            return day.month == self.month
        if role == TodayRole:
            return day == self.today
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"{day.month}月{day.day}日"]
            holiday = self.marks.get(day)
            if holiday and holiday.holiday:
                lines[0] += f"（{holiday.holiday}）"
            lines += [f"{time_text(r)} {r.title}".strip() for r in self.by_day.get(day, [])]
            return "\n".join(lines)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            count = len(self.by_day.get(day, []))
            return f"{day.month}月{day.day}日 {count}件"
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < 7:
            return WEEKDAY_HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def month_title(self) -> str:
        from zaitaku_desktop.domain.dates import era_of

        era, n = era_of(dt.date(self.year, self.month, 1))
        return f"{self.year}年{self.month}月（{era}{'元' if n == 1 else n}年）"

    @staticmethod
    def last_day(year: int, month: int) -> int:
        return calendar.monthrange(year, month)[1]


def attendance_text(row: MeetingRow) -> str:
    """Held meetings count who came; planned ones count who registered."""
    if row.status == "開催済":
        return f"{row.attended:,}名" if row.attended else ""
    return f"申込{row.registered:,}名" if row.registered else ""


class MeetingListModel(QAbstractTableModel):
    HEADERS = ("日付", "時間", "会議名", "種類", "層", "会場", "状況", "参加")

    def __init__(self, format_date: Callable[[dt.date], str], parent=None) -> None:
        super().__init__(parent)
        self.format_date = format_date
        self.rows: list[MeetingRow] = []

    def set_rows(self, rows: Sequence[MeetingRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_at(self, index: Index) -> MeetingRow | None:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        return self.rows[index.row()]

    def row_of(self, meeting_id: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.id == meeting_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def text(self, row: MeetingRow, column: int) -> str:
        return (self.format_date(row.date), time_text(row), row.title, row.type_name, row.layer, row.venue,
                row.status, attendance_text(row))[column]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, column)
        if role == RowRole:
            return row
        if role == Qt.ItemDataRole.UserRole:  # sort key
            return (f"{row.date.isoformat()} {row.start_time or ''}", row.start_time or "", row.title, row.type_name,
                    row.layer, row.venue, row.status, row.attended if row.status == "開催済" else row.registered
                    )[column]
        if role == Qt.ItemDataRole.ForegroundRole:
            from PySide6.QtGui import QColor

            if row.status in MUTED_STATUSES:
                return QColor("#9e9e9e")
            if column == 4 and row.layer in LAYER_COLOURS:
                return QColor(LAYER_COLOURS[row.layer])
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 7:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None
