"""期間の集計: attendance by profession summed over a period (default: this fiscal year, April–March),
with the number of meetings, broken down by meeting layer — the figures the annual report needs."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.attendance import PeriodBreakdown
from zaitaku_desktop.domain.dates import fiscal_year

from ..context import AppContext
from ..widgets.date_field import read_typed_date
from ..widgets.form_rows import ERROR_STYLE

NO_LAYER = "種類なし"


def fiscal_year_range(today: dt.date) -> tuple[dt.date, dt.date]:
    year = fiscal_year(today)
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


class PeriodTotalsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result_data: PeriodBreakdown | None = None
        self.setObjectName("periodTotalsDialog")
        self.setWindowTitle("期間の集計（職種別の参加者数）")
        self.resize(820, 600)
        outer = QVBoxLayout(self)
        row = QHBoxLayout()
        self.start_edit = QLineEdit(self)
        self.start_edit.setObjectName("fromDate")
        self.end_edit = QLineEdit(self)
        self.end_edit.setObjectName("toDate")
        for edit in (self.start_edit, self.end_edit):
            edit.setPlaceholderText("例：令和7年4月1日 または 2025/04/01")
            edit.returnPressed.connect(self.run)
        run = QPushButton("集計", self)
        run.setObjectName("runButton")
        run.setAutoDefault(False)
        run.clicked.connect(self.run)
        row.addWidget(QLabel("期間", self))
        row.addWidget(self.start_edit, 1)
        row.addWidget(QLabel("〜", self))
        row.addWidget(self.end_edit, 1)
        row.addWidget(run)
        outer.addLayout(row)
        self.error = QLabel("", self)
        self.error.setObjectName("periodError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        outer.addWidget(self.error)
        self.headline = QLabel("", self)
        self.headline.setObjectName("periodHeadline")
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet("font-weight:bold;")
        outer.addWidget(self.headline)
        self.table = QTableWidget(0, 0, self)
        self.table.setObjectName("totalsTable")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        outer.addWidget(self.table, 1)
        note = QLabel("参加者数は「出席」の人と「人数のみ」の人数の合計です（中止・延期の会議は数えません）。"
                      "開催回数は状況が「開催済」の会議・研修の数です。", self)
        note.setWordWrap(True)
        outer.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText("閉じる")
        close.setAutoDefault(False)  # Enter in a date field runs the totals, it does not close
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        start, end = fiscal_year_range(today or dt.date.today())
        self.start_edit.setText(ctx.format_date(start, weekday=False))
        self.end_edit.setText(ctx.format_date(end, weekday=False))
        self.run()

    def run(self) -> None:
        self.error.hide()
        message = "日付は 令和7年4月1日 や 2025/04/01 のように入力してください"
        start = read_typed_date(self.start_edit, self.error, "開始日：" + message)
        end = read_typed_date(self.end_edit, self.error, "終了日：" + message) if start else None
        if start is None or end is None:
            return
        if start > end:
            self.error.setText("開始日が終了日より後になっています")
            self.error.show()
            return
        self.ctx.runner.run(lambda: self.ctx.services.meetings.period_breakdown(start, end),
                            on_done=lambda data: self._show(start, end, data),
                            on_error=lambda exc: self.ctx.messages.failure("期間の集計", exc))

    def _show(self, start: dt.date, end: dt.date, data: PeriodBreakdown) -> None:
        self.result_data = data
        layers = [layer or NO_LAYER for layer in data.layers]
        self.table.clear()
        self.table.setColumnCount(len(layers) + 2)
        self.table.setHorizontalHeaderLabels(["職種・区分", *layers, "合計"])
        lines = [("開催回数（開催済）", data.held, sum(data.held))]
        lines += [(label, cells, total) for label, cells, total in data.rows]
        lines.append(("参加者 合計", data.people, sum(data.people)))
        self.table.setRowCount(len(lines))
        for r, (label, cells, total) in enumerate(lines):
            for c, value in enumerate([label, *cells, total]):
                item = QTableWidgetItem(str(value) if c else value)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if r in (0, len(lines) - 1):
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        fmt = self.ctx.format_date
        self.headline.setText(f"{fmt(start, weekday=False)}〜{fmt(end, weekday=False)}：会議・研修 {sum(data.meetings)}回"
                              f"（開催済 {sum(data.held)}回）、参加者 延べ {sum(data.people)}人")

    def cell(self, label: str, column: str) -> str:
        """The figure shown for a row label and a column header (for tests and copy-out)."""
        headers = [self.table.horizontalHeaderItem(c).text() for c in range(self.table.columnCount())]
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).text() == label:
                return self.table.item(r, headers.index(column)).text()
        raise KeyError(label)
