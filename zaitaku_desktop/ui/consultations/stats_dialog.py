"""統計: anonymous counts of a period (default: this 年度) — month × window, requester types, categories,
channels (経路), statuses, the referral destinations most used and the average time spent — each as a table
and a bar chart that can be saved as a PNG image."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis, QBarSet, QChart, QChartView, QHorizontalBarSeries, QHorizontalStackedBarSeries,
    QStackedBarSeries, QValueAxis,
)
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QSplitter,
    QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.dates import fiscal_year
from zaitaku_desktop.domain.errors import DomainError
from zaitaku_desktop.exports.atomic import write_atomically
from zaitaku_desktop.services.consultations import ConsultationStats, CrossTable

from ..context import AppContext
from . import error_label, read_period

# (key, tab title); the key names the PNG file and the page's widgets.
VIEWS: tuple[tuple[str, str], ...] = (
    ("month", "月×窓口"), ("requester", "相談者種別"), ("category", "分類"), ("channel", "経路"), ("status", "状況"),
    ("referrals", "紹介先"), ("minutes", "平均対応時間"),
)
CROSS_VIEWS = {"month": "by_month_window", "requester": "by_requester", "category": "by_category",
               "channel": "by_channel", "status": "by_status"}


def fiscal_year_range(today: dt.date) -> tuple[dt.date, dt.date]:
    year = fiscal_year(today)
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def bar_chart(title: str, labels: Sequence[str], sets: Sequence[tuple[str, Sequence[float]]], *,
              horizontal: bool, axis_title: str = "") -> QChart:
    """A (stacked, when there are several sets) bar chart; horizontal ones list long labels top to bottom."""
    chart = QChart()
    chart.setTitle(title)
    if horizontal:
        series = QHorizontalStackedBarSeries() if len(sets) > 1 else QHorizontalBarSeries()
        labels, sets = list(reversed(labels)), [(n, list(reversed(v))) for n, v in sets]  # first label on top
    else:
        series = QStackedBarSeries()
    for name, values in sets:
        bar = QBarSet(name)
        bar.append([float(v) for v in values])
        series.append(bar)
    chart.addSeries(series)
    categories = QBarCategoryAxis()
    categories.append(list(labels))
    categories.setTitleText(axis_title)
    values_axis = QValueAxis()
    totals = [sum(v[i] for _n, v in sets) for i in range(len(labels))]
    values_axis.setRange(0, max([1.0, *totals]))
    values_axis.setLabelFormat("%d")
    chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft if horizontal else Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(values_axis, Qt.AlignmentFlag.AlignBottom if horizontal else Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(categories)
    series.attachAxis(values_axis)
    chart.legend().setVisible(len(sets) > 1)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def short_months(labels: Sequence[str]) -> list[str]:
    """「2026年4月」 → 「4」 under the bars (the axis says 月), unless the period repeats a month."""
    short = [label.split("年")[-1].rstrip("月") for label in labels]
    return short if len(set(short)) == len(short) else list(labels)


def cross_rows(table: CrossTable) -> tuple[list[str], list[list[str]]]:
    """Headers and text rows of a cross table, with a 計 column and a 計 row."""
    headers = ["", *table.column_labels, "計"]
    rows = [[label, *map(str, cells), str(sum(cells))] for label, cells in zip(table.row_labels, table.cells)]
    sums = [sum(c[i] for c in table.cells) for i in range(len(table.column_labels))]
    rows.append(["計", *map(str, sums), str(sum(sums))])
    return headers, rows


class StatsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.stats: ConsultationStats | None = None
        self.tables: dict[str, QTableWidget] = {}
        self.charts: dict[str, QChartView] = {}
        self.setObjectName("consultationStatsDialog")
        self.setWindowTitle("相談の統計")
        self.resize(1100, 700)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        start, end = fiscal_year_range(today or dt.date.today())
        self.start = QLineEdit(start.strftime("%Y/%m/%d"), self)
        self.start.setObjectName("statsStart")
        self.end = QLineEdit(end.strftime("%Y/%m/%d"), self)
        self.end.setObjectName("statsEnd")
        for edit in (self.start, self.end):
            edit.setMaximumWidth(150)
            edit.returnPressed.connect(self.refresh)
        self.run_button = QPushButton("集計する", self)
        self.run_button.setObjectName("statsRun")
        self.run_button.clicked.connect(self.refresh)
        for widget in (QLabel("期間", self), self.start, QLabel("〜", self), self.end, self.run_button):
            bar.addWidget(widget)
        self.total_label = QLabel("", self)
        self.total_label.setObjectName("statsTotal")
        bar.addStretch(1)
        bar.addWidget(self.total_label)
        layout.addLayout(bar)
        self.period_error = error_label("error_period", self)
        layout.addWidget(self.period_error)
        note = QLabel("件数だけを数えた匿名の統計です（氏名や相談内容は含みません）。", self)
        note.setStyleSheet("color:#666;")
        layout.addWidget(note)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("statsTabs")
        for key, title in VIEWS:
            self.tabs.addTab(self._page(key), title)
        layout.addWidget(self.tabs, 1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        self.save_button = QPushButton("画像として保存…", self)
        self.save_button.setObjectName("saveChart")
        self.save_button.clicked.connect(lambda: self.save_chart())
        close = QPushButton("閉じる", self)
        close.setObjectName("closeButton")
        close.clicked.connect(self.accept)
        bottom.addWidget(self.save_button)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        self.refresh()

    def _page(self, key: str) -> QWidget:
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        table = QTableWidget(0, 0, splitter)
        table.setObjectName(f"statsTable_{key}")
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view = QChartView(QChart(), splitter)
        view.setObjectName(f"statsChart_{key}")
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.setMinimumWidth(420)
        splitter.addWidget(table)
        splitter.addWidget(view)
        splitter.setSizes([500, 560])
        self.tables[key] = table
        self.charts[key] = view
        return splitter

    # --- computing and showing ---------------------------------------------------------------------------
    def period(self) -> tuple[dt.date, dt.date] | None:
        return read_period(self.start.text(), self.end.text(), self.period_error, required=True)

    def refresh(self) -> None:
        period = self.period()
        if period is None:
            return
        try:
            self.stats = self.ctx.services.consultations.stats(*period)
        except DomainError as exc:
            self.ctx.messages.failure("統計を作れません", exc)
            return
        self.show_stats(self.stats)

    def show_stats(self, stats: ConsultationStats) -> None:
        fmt = self.ctx.format_date
        self.total_label.setText(f"{fmt(stats.start, weekday=False)}〜{fmt(stats.end, weekday=False)}　"
                                 f"相談 {stats.total:,} 件")
        for key, attr in CROSS_VIEWS.items():
            table: CrossTable = getattr(stats, attr)
            headers, rows = cross_rows(table)
            self._fill(key, headers, rows)
            sets = [(column, [r[i] for r in table.cells]) for i, column in enumerate(table.column_labels)]
            labels = short_months(table.row_labels) if key == "month" else table.row_labels
            self._set_chart(key, bar_chart(f"{table.title}（件）", labels, sets, horizontal=key != "month",
                                           axis_title="月" if labels is not table.row_labels else ""))
        top = stats.top_referrals
        self._fill("referrals", ["紹介先", "種別", "紹介件数"], [[n, c, str(k)] for n, c, k in top])
        self._set_chart("referrals", bar_chart("よく紹介した紹介先（件）", [n for n, _c, _k in top],
                                               [("紹介件数", [k for _n, _c, k in top])], horizontal=True))
        average = stats.average_minutes
        self._fill("minutes", ["", "値"], [["相談件数", f"{stats.total:,} 件"],
                                           ["平均対応時間", f"{average:.1f} 分" if average is not None else "記録なし"]])
        self._set_chart("minutes", bar_chart("平均対応時間（分）", ["全体"], [("平均対応時間", [average or 0])],
                                             horizontal=True))

    def _fill(self, key: str, headers: list[str], rows: list[list[str]]) -> None:
        table = self.tables[key]
        table.clear()
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setRowCount(len(rows))
        for r, texts in enumerate(rows):
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if c > 0 and key != "referrals" or key == "referrals" and c == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, c, item)

    def _set_chart(self, key: str, chart: QChart) -> None:
        view = self.charts[key]
        old = view.chart()
        view.setChart(chart)
        old.deleteLater()

    def current_key(self) -> str:
        return VIEWS[self.tabs.currentIndex()][0]

    def save_chart(self, path: Path | None = None) -> Path | None:
        """Write the chart of the tab in front as a PNG (asks where when no path is given); the file appears
        whole or not at all."""
        key, title = VIEWS[self.tabs.currentIndex()]
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, "グラフを画像として保存",
                                                  str(Path.home() / f"相談の統計_{title}.png"), "PNG画像 (*.png)")
            if not name:
                return None
            path = Path(name)
        if path.suffix.lower() != ".png":
            path = path.with_suffix(".png")
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        self.charts[key].grab().save(buffer, "PNG")
        buffer.close()
        try:
            write_atomically(path, lambda f: f.write(bytes(data.data())))
        except DomainError as exc:
            self.ctx.messages.failure("画像を保存できませんでした", exc)
            return None
        self.ctx.messages.info("保存しました", f"グラフを保存しました。\n{path}")
        return path
