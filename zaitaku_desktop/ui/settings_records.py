"""Settings pages for the scheduler's own lists: meeting types (layer, tasks ア〜ク, default length,
agenda template) and venues (address, capacity). The same shape as the vocabulary pages: a table and
an editor below it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPlainTextEdit,
    QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.errors import DomainError
from zaitaku_desktop.domain.meetings import MEETING_LAYERS

from .context import AppContext


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = "line"  # line / combo / spin / text
    choices: tuple[str, ...] = ()
    placeholder: str = ""
    maximum: int = 0


class RecordPage(QWidget):
    """A list of records with add / update / archive, driven by ``Field`` specs and service calls."""

    changed = Signal()

    def __init__(self, name: str, fields: list[Field], columns: list[tuple[str, str]],
                 load: Callable[[], list[Any]], add: Callable[..., Any], update: Callable[..., Any],
                 archive: Callable[[str, bool], Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"records_{name}")
        self.fields = fields
        self.columns = columns
        self._load, self._add, self._update, self._archive = load, add, update, archive
        self.items: list[Any] = []
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, len(columns) + 1, self)
        self.table.setObjectName(f"recordsTable_{name}")
        self.table.setHorizontalHeaderLabels([h for _k, h in columns] + ["状態"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.itemSelectionChanged.connect(self._selected)
        layout.addWidget(self.table, 1)
        form = QFormLayout()
        self.editors: dict[str, QWidget] = {}
        for field in fields:
            editor = self._editor(field)
            editor.setObjectName(f"record_{name}_{field.key}")
            self.editors[field.key] = editor
            form.addRow(field.label, editor)
        layout.addLayout(form)
        self.error = QLabel("", self)
        self.error.setObjectName(f"recordsError_{name}")
        self.error.setStyleSheet("color:#c62828;")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        for text, slot, key in (("追加", self.add, "Add"), ("選んだ項目を更新", self.update_selected, "Update"),
                                ("使わなくする／戻す", self.toggle_archive, "Archive")):
            button = QPushButton(text, self)
            button.setObjectName(f"records{key}_{name}")
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.reload()

    def _editor(self, field: Field) -> QWidget:
        if field.kind == "combo":
            combo = QComboBox(self)
            combo.addItems(list(field.choices))
            return combo
        if field.kind == "spin":
            spin = QSpinBox(self)
            spin.setRange(0, field.maximum or 100000)
            spin.setSpecialValueText("（未設定）")
            return spin
        if field.kind == "text":
            text = QPlainTextEdit(self)
            text.setPlaceholderText(field.placeholder)
            text.setFixedHeight(70)
            return text
        line = QLineEdit(self)
        line.setPlaceholderText(field.placeholder)
        return line

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field in self.fields:
            editor = self.editors[field.key]
            if isinstance(editor, QComboBox):
                out[field.key] = editor.currentText()
            elif isinstance(editor, QSpinBox):
                out[field.key] = editor.value() or None
            elif isinstance(editor, QPlainTextEdit):
                out[field.key] = editor.toPlainText()
            else:
                out[field.key] = editor.text()
        return out

    def reload(self, select_id: str | None = None) -> None:
        self.items = self._load()
        self.table.setRowCount(len(self.items))
        for r, item in enumerate(self.items):
            values = [getattr(item, key) for key, _h in self.columns] + ["使わない" if item.archived else "使用中"]
            for c, value in enumerate(values):
                cell = QTableWidgetItem("" if value is None else str(value))
                if item.archived:
                    cell.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(r, c, cell)
            if item.id == select_id:
                self.table.selectRow(r)
        for c in range(1, self.table.columnCount()):
            self.table.resizeColumnToContents(c)

    def selected(self) -> Any | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        return self.items[rows.pop()] if len(rows) == 1 else None

    def _selected(self) -> None:
        item = self.selected()
        if item is None:
            return
        for field in self.fields:
            editor, value = self.editors[field.key], getattr(item, field.key)
            if isinstance(editor, QComboBox):
                editor.setCurrentText(value or "")
            elif isinstance(editor, QSpinBox):
                editor.setValue(value or 0)
            elif isinstance(editor, QPlainTextEdit):
                editor.setPlainText(value or "")
            else:
                editor.setText("" if value is None else str(value))
        self.error.setText("")

    def _run(self, fn) -> Any | None:
        try:
            result = fn()
        except DomainError as exc:
            self.error.setText(exc.message)
            return None
        self.error.setText("")
        self.changed.emit()
        return result

    def add(self) -> None:
        values = self.values()
        item = self._run(lambda: self._add(values.pop("name"), **values))
        if item:
            self.reload(item.id)

    def update_selected(self) -> None:
        current = self.selected()
        if current is None:
            self.error.setText("更新する項目を一覧から選んでください")
            return
        values = self.values()
        item = self._run(lambda: self._update(current.id, values.pop("name"), **values))
        if item:
            self.reload(item.id)

    def toggle_archive(self) -> None:
        current = self.selected()
        if current is None:
            self.error.setText("項目を一覧から選んでください")
            return
        item = self._run(lambda: self._archive(current.id, not current.archived))
        if item:
            self.reload(item.id)


def meeting_type_page(ctx: AppContext, parent: QWidget | None = None) -> RecordPage:
    service = ctx.services.meetings
    fields = [
        Field("name", "名前"), Field("reading", "読み", placeholder="ひらがな（並べ替えに使います）"),
        Field("layer", "層", "combo", MEETING_LAYERS),
        Field("tasks", "数える事業（ア〜ク）", placeholder="例：イカ（当てはまる文字を並べる）"),
        Field("default_minutes", "標準の長さ（分）", "spin", maximum=24 * 60),
        Field("agenda_template", "次第のひな形", "text", placeholder="1行に1項目"),
    ]
    columns = [("name", "名前"), ("layer", "層"), ("tasks", "事業"), ("default_minutes", "長さ（分）")]
    page = RecordPage("meetingType", fields, columns,
                      lambda: service.list_types(include_archived=True),
                      lambda name, **v: service.add_type(name, **{**v, "default_minutes": v["default_minutes"] or 90}),
                      lambda tid, name, **v: service.update_type(
                          tid, name, **{**v, "default_minutes": v["default_minutes"] or 90}),
                      service.set_type_archived, parent)
    return page


def venue_page(ctx: AppContext, parent: QWidget | None = None) -> RecordPage:
    service = ctx.services.meetings
    fields = [
        Field("name", "名前"), Field("reading", "読み", placeholder="ひらがな"),
        Field("address", "住所"), Field("capacity", "定員", "spin", maximum=100000),
        Field("notes", "メモ", "text", placeholder="駐車場・バリアフリー・鍵の受け取りなど"),
    ]
    columns = [("name", "名前"), ("address", "住所"), ("capacity", "定員")]
    return RecordPage("venue", fields, columns, lambda: service.list_venues(include_archived=True),
                      service.add_venue, service.update_venue, service.set_venue_archived, parent)
