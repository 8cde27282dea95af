"""The month grid: a QTableView over ``MonthModel`` with a delegate that paints each day
(number, holiday name, weekend tint, today) and its meetings as short coloured lines."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView, QHeaderView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTableView, QWidget,
)

from zaitaku_desktop.services.meetings import MeetingRow

from .models import (
    LAYER_COLOURS, MUTED_STATUSES, DateRole, HolidayRole, InMonthRole, MeetingsRole, MonthModel, TodayRole,
    short_title,
)

SUNDAY_RED = QColor("#c62828")
SATURDAY_BLUE = QColor("#1565c0")
PADDING = 3


def line_height(font: QFont) -> int:
    return QFontMetrics(font).height() + 1


def meeting_slot(cell: QRect, pos: QPoint, font: QFont) -> int:
    """Which meeting line of a cell lies under ``pos`` (-1 for the day's header line)."""
    y = pos.y() - cell.top() - PADDING - line_height(font)
    return -1 if y < 0 else y // line_height(font)


def visible_lines(cell: QRect, font: QFont) -> int:
    return max(0, (cell.height() - 2 * PADDING - line_height(font)) // line_height(font))


class DayDelegate(QStyledItemDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        painter.save()
        rect = option.rect
        day: dt.date = index.data(DateRole)
        in_month = bool(index.data(InMonthRole))
        holiday: str = index.data(HolidayRole) or ""
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        background = QColor("#ffffff")
        if holiday or day.weekday() == 6:
            background = QColor("#fdeeee")
        elif day.weekday() == 5:
            background = QColor("#eef3fb")
        if not in_month:
            background = QColor("#f2f2f2")
        if index.data(TodayRole):
            background = QColor("#fff6cc")
        painter.fillRect(rect, background)
        if selected:
            painter.setPen(QPen(QColor("#1976d2"), 2))
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        font = QFont(option.font)
        metrics = QFontMetrics(font)
        lh = line_height(font)
        x, y = rect.left() + PADDING, rect.top() + PADDING
        colour = SUNDAY_RED if (holiday or day.weekday() == 6) else SATURDAY_BLUE if day.weekday() == 5 else QColor("#212121")
        if not in_month:
            colour = QColor("#9e9e9e")
        bold = QFont(font)
        bold.setBold(bool(index.data(TodayRole)))
        painter.setFont(bold)
        painter.setPen(colour)
        number = str(day.day) if in_month else f"{day.month}/{day.day}"
        painter.drawText(QRect(x, y, rect.width() - 2 * PADDING, lh), Qt.AlignmentFlag.AlignLeft, number)
        painter.setFont(font)
        if holiday:
            left = x + QFontMetrics(bold).horizontalAdvance(number) + 6
            painter.setPen(SUNDAY_RED)
            text = metrics.elidedText(holiday, Qt.TextElideMode.ElideRight, rect.right() - PADDING - left)
            painter.drawText(QRect(left, y, rect.right() - left, lh), Qt.AlignmentFlag.AlignLeft, text)
        rows: list[MeetingRow] = index.data(MeetingsRole) or []
        room = visible_lines(rect, font)
        shown = rows if len(rows) <= room else rows[: max(0, room - 1)]
        y += lh
        width = rect.width() - 2 * PADDING
        for row in shown:
            muted = row.status in MUTED_STATUSES or not in_month
            bar = QColor(LAYER_COLOURS.get(row.layer, "#757575"))
            if muted:
                bar = QColor("#bdbdbd")
            painter.fillRect(QRect(x, y + 2, 3, lh - 4), bar)
            painter.setPen(QColor("#9e9e9e") if muted else QColor("#212121"))
            label = f"{row.start_time or ''} {short_title(row.title, 40)}".strip()
            text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, width - 6)
            f = QFont(font)
            f.setStrikeOut(row.status == "中止")
            painter.setFont(f)
            painter.drawText(QRect(x + 6, y, width - 6, lh), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             text)
            painter.setFont(font)
            y += lh
        if len(shown) < len(rows):
            painter.setPen(QColor("#616161"))
            painter.drawText(QRect(x + 6, y, width - 6, lh), Qt.AlignmentFlag.AlignLeft,
                             f"ほか{len(rows) - len(shown)}件")
        painter.setPen(QColor("#d0d0d0"))
        painter.drawLine(rect.topRight(), rect.bottomRight())
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.restore()


class MonthView(QTableView):
    """Click a day to select it (or a meeting line to select that meeting); double-click a
    meeting to open it, an empty part of a day to plan a new meeting on that date."""

    day_clicked = Signal(object)  # dt.date
    meeting_clicked = Signal(str)
    meeting_activated = Signal(str)
    new_requested = Signal(object)  # dt.date

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monthView")
        self.month_model = MonthModel(self)
        self.setModel(self.month_model)
        self.setItemDelegate(DayDelegate(self))
        self.setShowGrid(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setHighlightSections(False)
        self.setMinimumSize(560, 420)
        self.selectionModel().currentChanged.connect(self._current_changed)

    def meeting_at(self, pos: QPoint) -> MeetingRow | None:
        index = self.indexAt(pos)
        if not index.isValid():
            return None
        rect = self.visualRect(index)
        slot = meeting_slot(rect, pos, self.font())
        rows: list[MeetingRow] = index.data(MeetingsRole) or []
        room = visible_lines(rect, self.font())
        shown = rows if len(rows) <= room else rows[: max(0, room - 1)]
        return shown[slot] if 0 <= slot < len(shown) else None

    def select_date(self, day: dt.date) -> None:
        index = self.month_model.index_of(day)
        if index.isValid():
            self.setCurrentIndex(index)

    def selected_date(self) -> dt.date | None:
        return self.month_model.date_at(self.currentIndex())

    def _current_changed(self, index: QModelIndex, _previous: QModelIndex) -> None:
        day = self.month_model.date_at(index)
        if day is None:
            return
        self.day_clicked.emit(day)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        super().mousePressEvent(event)
        row = self.meeting_at(event.position().toPoint())
        if row is not None and event.button() == Qt.MouseButton.LeftButton:
            self.meeting_clicked.emit(row.id)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        index = self.indexAt(pos)
        if not index.isValid() or event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        row = self.meeting_at(pos)
        if row is not None:
            self.meeting_activated.emit(row.id)
        else:
            self.new_requested.emit(self.month_model.date_at(index))
        event.accept()
