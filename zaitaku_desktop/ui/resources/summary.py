"""Kamaishi's table: categories × municipalities with totals, and capability counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFileDialog, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QTabWidget,
    QVBoxLayout,
)

from zaitaku_desktop.services.resources import SummaryData


class SummaryDialog(QDialog):
    def __init__(self, ctx, data: SummaryData, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data = data
        self.setObjectName("summaryDialog")
        self.setWindowTitle("資源の集計表")
        self.resize(720, 560)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"医療・介護資源の集計（アーカイブを除く {data.total:,} 件、"
                                f"{ctx.format_date(dt.date.today())}現在）", self))
        tabs = QTabWidget(self)
        layout.addWidget(tabs, 1)

        columns = list(data.municipalities) + (["市町村未設定"] if data.has_unassigned else []) + ["合計"]
        self.table = QTableWidget(len(data.categories) + 1, len(columns), self)
        self.table.setObjectName("summaryTable")
        self.table.setHorizontalHeaderLabels(columns)
        self.table.setVerticalHeaderLabels(list(data.categories) + ["合計"])
        bold = QFont()
        bold.setBold(True)
        for r, cat in enumerate(list(data.categories) + ["合計"]):
            for c, mun in enumerate(columns):
                key = "" if mun == "市町村未設定" else mun
                if cat == "合計" and mun == "合計":
                    value = data.total
                elif cat == "合計":
                    value = data.column_total(key)
                elif mun == "合計":
                    value = data.row_total(cat)
                else:
                    value = data.counts.get((cat, key), 0)
                item = QTableWidgetItem(f"{value:,}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if cat == "合計" or mun == "合計":
                    item.setFont(bold)
                self.table.setItem(r, c, item)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        tabs.addTab(self.table, "種別×市町村")

        self.caps = QTableWidget(len(data.capability_counts), 3, self)
        self.caps.setObjectName("capabilityTable")
        self.caps.setHorizontalHeaderLabels(["種別", "サービス・対応", "件数"])
        for r, (cat, cap, n) in enumerate(data.capability_counts):
            for c, value in enumerate((cat, cap, f"{n:,}")):
                self.caps.setItem(r, c, QTableWidgetItem(value))
        self.caps.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.caps.verticalHeader().setVisible(False)
        tabs.addTab(self.caps, "対応状況")

        buttons = QDialogButtonBox(self)
        export = buttons.addButton("Excelに書き出し…", QDialogButtonBox.ButtonRole.ActionRole)
        export.setObjectName("exportSummary")
        export.clicked.connect(self.export)
        buttons.addButton("閉じる", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def export(self) -> None:
        default = Path.home() / f"資源集計_{dt.date.today():%Y%m%d}.xlsx"
        path, _ = QFileDialog.getSaveFileName(self, "集計表を書き出す", str(default), "Excel (*.xlsx)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        if path.suffix.lower() != ".xlsx":
            path = path.with_suffix(".xlsx")
        try:
            self.ctx.services.transfer.export_summary(path)
        except Exception as exc:  # noqa: BLE001
            self.ctx.messages.failure("書き出せませんでした", exc)
            return
        self.ctx.messages.info("書き出し完了", f"集計表を書き出しました。\n{path}")
