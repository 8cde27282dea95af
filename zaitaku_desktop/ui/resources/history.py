"""Who changed what and when, for one record."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout

from zaitaku_desktop.models import ChangeRead
from zaitaku_desktop.services.resources import FIELD_LABELS

ACTIONS = {"create": "登録", "update": "変更", "archive": "アーカイブ", "restore": "復元", "import": "取り込み",
           "form_sent": "確認票の送付"}


def _value(value: object) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "（空欄）"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "、".join(f"{k}{v}" for k, v in value.items())
    if value is True:
        return "はい"
    if value is False:
        return "いいえ"
    return str(value)


def describe(entry: ChangeRead) -> str:
    lines = []
    for field, (old, new) in entry.changes.items():
        label = FIELD_LABELS.get(field, field)
        if entry.action == "create":
            lines.append(f"{label}：{_value(new)}")
        else:
            lines.append(f"{label}：{_value(old)} → {_value(new)}")
    if entry.note:
        lines.append(f"（{entry.note}）")
    return "\n".join(lines)


class HistoryDialog(QDialog):
    def __init__(self, ctx, name: str, entries: list[ChangeRead], parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("historyDialog")
        self.setWindowTitle(f"変更履歴 — {name}")
        self.resize(760, 480)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"「{name}」の変更履歴（新しい順）", self))
        self.table = QTableWidget(len(entries), 4, self)
        self.table.setObjectName("historyTable")
        self.table.setHorizontalHeaderLabels(["日時", "担当者", "操作", "内容"])
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        for row, entry in enumerate(entries):
            when = entry.changed_at
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.timezone.utc)
            local = when.astimezone()
            values = [f"{ctx.format_date(local.date(), weekday=False)} {local:%H:%M}", entry.changed_by or "—",
                      ACTIONS.get(entry.action, entry.action), describe(entry)]
            for col, value in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
