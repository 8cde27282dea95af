"""The kanban view: one column per status (抽出 → … → 取り下げ); dropping a card changes its status."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from zaitaku_desktop.domain.issues import STATUS_COLOURS, STATUSES
from zaitaku_desktop.services.issues import IssueRow

from .layer_board import CardCell, make_column_header
from .models import group_statuses


class KanbanBoard(QScrollArea):
    card_clicked = Signal(str)
    card_activated = Signal(str)
    card_menu = Signal(str, object, object)
    dropped = Signal(object, object)  # payload, status

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kanbanBoard")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        page = QWidget()
        page.setObjectName("kanbanPage")
        row = QHBoxLayout(page)
        row.setContentsMargins(4, 4, 4, 4)
        row.setSpacing(6)
        self.columns: dict[str, CardCell] = {}
        self.headers: dict[str, QLabel] = {}
        for status in STATUSES:
            column = QVBoxLayout()
            column.setSpacing(3)
            header = make_column_header(status, STATUS_COLOURS.get(status, "#bdbdbd"), page)
            header.setObjectName(f"kanbanHeader_{status}")
            column.addWidget(header)
            cell = CardCell(status, source="kanban", show_layer=True, parent=page)
            cell.setObjectName(f"kanban_{status}")
            cell.setMinimumWidth(150)
            cell.card_clicked.connect(self.card_clicked)
            cell.card_activated.connect(self.card_activated)
            cell.card_menu.connect(self.card_menu)
            cell.dropped.connect(self.dropped)
            column.addWidget(cell, 0, Qt.AlignmentFlag.AlignTop)
            column.addStretch(1)
            row.addLayout(column, 1)
            self.columns[status] = cell
            self.headers[status] = header
        self.setWidget(page)

    def set_rows(self, rows: Sequence[IssueRow], selected_id: str | None = None) -> None:
        grouped = group_statuses(rows)
        for status, cell in self.columns.items():
            cards = grouped.get(status, [])
            cell.set_cards(cards, selected_id)
            self.headers[status].setText(f"{status}（{len(cards)}件）")

    def set_selected(self, issue_id: str | None) -> None:
        for cell in self.columns.values():
            cell.set_selected(issue_id)

    def column_of(self, issue_id: str) -> str | None:
        for status, cell in self.columns.items():
            if any(r.id == issue_id for r in cell.cards):
                return status
        return None
