"""出欠入力: a paper sign-in sheet keyed in with the keyboard only (名簿入力), counts-only entry for big
lectures (人数のみ), and a summary strip that always shows the figures.

The grid walks its cells with Enter/Tab; 氏名 offers people met before (picking one fills 所属 and 職種);
職種, 役割 and 出欠 take short codes (domain.attendance); Delete clears a row. 「保存」 writes the sheet and
the counts in one transaction (MeetingService.save_attendance_sheet)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QInputMethodEvent, QKeyEvent, QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView, QApplication, QCompleter, QDialog, QDialogButtonBox, QHeaderView, QLabel, QLineEdit, QStyledItemDelegate,
    QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.attendance import (
    Choice, Match, SheetRow, match_profession, match_role, match_status, sheet_summary, yes_no,
)
from zaitaku_desktop.domain.meetings import CITIZENS_LABEL, HELD_STATUS
from zaitaku_desktop.domain.text import nfkc, search_key
from zaitaku_desktop.services.meetings import AttendanceRead, CountEntry, PersonRead

from ..context import AppContext

COLUMNS = ("氏名", "所属", "職種", "役割", "出欠", "当日参加")
NAME, AFFILIATION, PROFESSION, ROLE, STATUS, WALK_IN = range(len(COLUMNS))
PERSON_ROLE = Qt.ItemDataRole.UserRole + 1  # on a 氏名 item: the person's id (picked or loaded)
ID_ROLE = Qt.ItemDataRole.UserRole + 2  # on a 職種 item / counts row: the profession's id
NAME_ROLE = Qt.ItemDataRole.UserRole + 3  # in the completer: the name alone
ERROR_BRUSH = QBrush(QColor("#ffcdd2"))
ERROR_STYLE = "color:#c62828;"
SUMMARY_STYLE = "background:#e8f0fe; padding:6px; font-weight:bold;"
HINT = ("キーボードだけで入力できます：Enter・Tabで次の欄へ、Deleteで行を消去。職種は略号か最初の文字"
        "（Dr・Ns・PT・OT・ST・ケアマネ・MSW・薬 など）、役割は 1講師 2参加者 3スタッフ 4来賓、"
        "出欠は 1申込 2出席 3欠席 4取消、当日参加は Space か 1/0。")


def person_label(p: PersonRead) -> str:
    detail = "・".join(x for x in (p.affiliation, p.profession) if x)
    return f"{p.name}（{detail}）" if detail else p.name


class PersonCompleter(QCompleter):
    """Offers people met before (MeetingService.find_persons) under the 氏名 editor."""

    picked = Signal(object)  # PersonRead

    def __init__(self, ctx: AppContext, editor: QLineEdit) -> None:
        super().__init__(editor)
        self.ctx = ctx
        self.people: list[PersonRead] = []
        self.items = QStandardItemModel(self)
        self.setModel(self.items)
        self.setCompletionRole(NAME_ROLE)
        self.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.setWidget(editor)
        self.popup().setObjectName("personPopup")
        editor.textEdited.connect(self.refresh)
        self.activated[QModelIndex].connect(self._activated)

    def refresh(self, text: str) -> None:
        self.people = self.ctx.services.meetings.find_persons(text, limit=15) if text.strip() else []
        self.items.clear()
        for p in self.people:
            item = QStandardItem(person_label(p))
            item.setData(p.name, NAME_ROLE)
            self.items.appendRow(item)
        if self.people:  # wide enough for 氏名（所属・職種）, not just the 氏名 column
            area = self.widget().rect()
            area.setWidth(max(area.width(), self.popup().sizeHintForColumn(0) + 30))
            self.complete(area)
        else:
            self.popup().hide()

    def _activated(self, index: QModelIndex) -> None:
        person = self.people[index.row()]
        editor = self.widget()
        assert isinstance(editor, QLineEdit)
        editor.setText(person.name)
        self.picked.emit(person)


class SheetDelegate(QStyledItemDelegate):
    """Line-edit editors; Enter and Tab commit and walk on (``walk``) to the next cell. On the grid
    (``grid``) the 氏名 editor offers earlier people and each commit goes through the dialog."""

    def __init__(self, dialog: AttendanceDialog, walk, *, grid: bool) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.walk = walk
        self.grid = grid
        self.picked: PersonRead | None = None

    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget:
        editor = QLineEdit(parent)
        editor.setObjectName(f"cellEditor{index.column()}")
        self.picked = None
        if self.grid and index.column() == NAME:
            completer = PersonCompleter(self.dialog.ctx, editor)
            completer.picked.connect(lambda p: setattr(self, "picked", p))
            self.dialog.completer = completer
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:
        assert isinstance(editor, QLineEdit)
        editor.setText(index.data(Qt.ItemDataRole.EditRole) or "")

    def setModelData(self, editor: QWidget, model, index: QModelIndex) -> None:
        assert isinstance(editor, QLineEdit)
        if not self.grid:
            model.setData(index, editor.text().strip())
            return
        picked = self.picked if self.picked is not None and self.picked.name == editor.text() else None
        self.dialog.commit_cell(index.row(), index.column(), editor.text(), picked)

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.key() in (
                Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab):
            assert isinstance(editor, QWidget)
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.NoHint)
            self.walk()
            return True
        return super().eventFilter(editor, event)


class TypingTable(QTableWidget):
    """A table where Japanese typed on a cell (an input method's commit) opens its editor with that text:
    Qt opens the editor on a key press only, and would drop the word."""

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:
        item = self.currentItem()
        if (self.state() != QAbstractItemView.State.EditingState and event.commitString() and item is not None
                and item.flags() & Qt.ItemFlag.ItemIsEditable):
            self.editItem(item)
            editor = self.indexWidget(self.currentIndex())
            if isinstance(editor, QLineEdit):
                editor.selectAll()
                QApplication.sendEvent(editor, event)
                return
        super().inputMethodEvent(event)


class SheetTable(TypingTable):
    """The grid: keys the delegate does not see (no editor open) are handled here."""

    def __init__(self, dialog: AttendanceDialog) -> None:
        super().__init__(0, len(COLUMNS), dialog)
        self.dialog = dialog

    def event(self, event: QEvent) -> bool:
        if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Tab:
            self.keyPressEvent(event)  # Tab walks the cells instead of leaving the grid
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.state() != QAbstractItemView.State.EditingState:
            key, row, col = event.key(), self.currentRow(), self.currentColumn()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab):
                self.dialog.walk_on()
                return
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and row >= 0:
                self.dialog.clear_row(row)
                return
            if col == WALK_IN and row >= 0 and event.text().strip():
                ticked = yes_no(event.text())
                if ticked is not None:
                    self.item(row, WALK_IN).setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
                return
        super().keyPressEvent(event)


class AttendanceDialog(QDialog):
    def __init__(self, ctx: AppContext, meeting_id: str, parent: QWidget | None = None, *,
                 today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.meeting_id = meeting_id
        self.completer: PersonCompleter | None = None
        self.saved: list[AttendanceRead] | None = None
        self.dirty = False
        self._filling = False
        service = ctx.services.meetings
        self.meeting = service.get(meeting_id).row
        today = today or dt.date.today()
        self.default_status = "出席" if self.meeting.date < today or self.meeting.status == HELD_STATUS else "申込"
        self.professions = [Choice(p.id, p.name, p.reading) for p in ctx.services.vocab.list("profession")]
        self.profession_names = {p.id: p.name for p in ctx.services.vocab.list("profession", include_archived=True)}
        self.setObjectName("attendanceDialog")
        self.setWindowTitle("出欠入力")
        self.resize(900, 640)
        self._build()
        self._load(service.list_attendance(meeting_id), service.counts(meeting_id))

    # --- building --------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        title = QLabel(f"{self.meeting.title}　{self.ctx.format_date(self.meeting.date)}", self)
        title.setObjectName("meetingTitle")
        title.setStyleSheet("font-size:15px; font-weight:bold;")
        outer.addWidget(title)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("attendanceTabs")
        outer.addWidget(self.tabs, 1)
        sheet = QWidget(self.tabs)
        column = QVBoxLayout(sheet)
        hint = QLabel(HINT, sheet)
        hint.setWordWrap(True)
        column.addWidget(hint)
        self.table = SheetTable(self)
        self.table.setObjectName("attendanceGrid")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setItemDelegate(SheetDelegate(self, self.walk_on, grid=True))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                                   | QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        for col, width in ((NAME, 150), (PROFESSION, 150), (ROLE, 80), (STATUS, 70), (WALK_IN, 96)):
            self.table.setColumnWidth(col, width)
        header.setSectionResizeMode(AFFILIATION, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._changed)
        column.addWidget(self.table, 1)
        self.grid_message = QLabel("", sheet)
        self.grid_message.setObjectName("gridMessage")
        self.grid_message.setWordWrap(True)
        self.grid_message.setStyleSheet(ERROR_STYLE)
        column.addWidget(self.grid_message)
        self.tabs.addTab(sheet, "名簿入力")
        counts = QWidget(self.tabs)
        column = QVBoxLayout(counts)
        note = QLabel("名前を残さない大きな講演会などで、職種ごとの人数だけを入力します。"
                      "一覧にない区分（他職種・内訳なし など）は下の空欄に名前を書いて入力します。", counts)
        note.setWordWrap(True)
        column.addWidget(note)
        self.counts_table = TypingTable(0, 2, counts)
        self.counts_table.setObjectName("countsTable")
        self.counts_table.setHorizontalHeaderLabels(["区分", "人数"])
        self.counts_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.counts_table.setColumnWidth(1, 100)
        self.counts_table.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                                          | QAbstractItemView.EditTrigger.DoubleClicked
                                          | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.counts_table.setItemDelegate(SheetDelegate(self, self._next_count, grid=False))
        self.counts_table.itemChanged.connect(self._count_changed)
        column.addWidget(self.counts_table, 1)
        self.counts_total = QLabel("", counts)
        self.counts_total.setObjectName("countsTotal")
        self.counts_total.setStyleSheet("font-weight:bold;")
        column.addWidget(self.counts_total)
        self.counts_message = QLabel("", counts)
        self.counts_message.setObjectName("countsMessage")
        self.counts_message.setWordWrap(True)
        self.counts_message.setStyleSheet(ERROR_STYLE)
        column.addWidget(self.counts_message)
        self.tabs.addTab(counts, "人数のみ")
        self.summary = QLabel("", self)
        self.summary.setObjectName("attendanceSummary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(SUMMARY_STYLE)
        outer.addWidget(self.summary)
        buttons = QDialogButtonBox(self)
        ok = buttons.addButton("保存（Ctrl+S）", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("okButton")
        ok.setAutoDefault(False)
        cancel = buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("cancelButton")
        cancel.setAutoDefault(False)
        buttons.accepted.connect(self.save)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)

    def _load(self, entries: list[AttendanceRead], counts: list[CountEntry]) -> None:
        self._filling = True
        for a in entries:
            self._append_row(a.name, a.affiliation, a.profession, a.profession_id, a.role, a.status, a.walk_in,
                             a.person_id)
        self._append_row()
        names = {p.id: p.name for p in self.professions}
        have = {c.profession_id: c.count for c in counts if c.profession_id}
        labels = [(c.label, c.count) for c in counts if not c.profession_id]
        for pid in have:  # an archived profession still counted keeps its row
            names.setdefault(pid, self.profession_names.get(pid, ""))
        for pid, name in names.items():
            self._append_count(name, have.get(pid), pid)
        if CITIZENS_LABEL not in names.values() and CITIZENS_LABEL not in dict(labels):
            labels.insert(0, (CITIZENS_LABEL, 0))
        for label, n in labels:
            self._append_count(label, n or None, None)
        self._append_count("", None, None)
        self._filling = False
        self.refresh_summary()
        self.table.setCurrentCell(self.table.rowCount() - 1, NAME)
        self.table.setFocus()

    def _append_row(self, name: str = "", affiliation: str = "", profession: str = "", profession_id: str | None = None,
                    role: str = "参加者", status: str | None = None, walk_in: bool = False,
                    person_id: str | None = None) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, text in ((NAME, name), (AFFILIATION, affiliation), (PROFESSION, profession), (ROLE, role),
                          (STATUS, status or self.default_status)):
            self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.item(row, NAME).setData(PERSON_ROLE, person_id)
        self.table.item(row, NAME).setData(Qt.ItemDataRole.UserRole, name)
        self.table.item(row, PROFESSION).setData(ID_ROLE, profession_id)
        check = QTableWidgetItem("当日")
        check.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
        check.setCheckState(Qt.CheckState.Checked if walk_in else Qt.CheckState.Unchecked)
        self.table.setItem(row, WALK_IN, check)

    def _append_count(self, label: str, n: int | None, profession_id: str | None) -> None:
        row = self.counts_table.rowCount()
        self.counts_table.insertRow(row)
        item = QTableWidgetItem(label)
        item.setData(ID_ROLE, profession_id)
        if profession_id:  # a profession's name is not edited here
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.counts_table.setItem(row, 0, item)
        self.counts_table.setItem(row, 1, QTableWidgetItem("" if n is None else str(n)))

    # --- the grid ----------------------------------------------------------------------------------
    def text(self, row: int, col: int) -> str:
        item = self.table.item(row, col)
        return item.text().strip() if item else ""

    def row_is_empty(self, row: int) -> bool:
        return not any(self.text(row, col) for col in (NAME, AFFILIATION, PROFESSION))

    def commit_cell(self, row: int, col: int, text: str, picked: PersonRead | None = None) -> None:
        """What the user typed into a cell, resolved: a picked person fills 所属 and 職種, codes become names."""
        item = self.table.item(row, col)
        text = text.strip()
        if col == NAME:
            item.setText(text)
            if picked is not None:
                item.setData(PERSON_ROLE, picked.id)
                item.setData(Qt.ItemDataRole.UserRole, picked.name)
                self.table.item(row, AFFILIATION).setText(picked.affiliation)
                prof = self.table.item(row, PROFESSION)
                prof.setText(picked.profession)
                prof.setData(ID_ROLE, picked.profession_id)
                self._mark(row, PROFESSION, "")
            elif item.data(PERSON_ROLE) and search_key(text) != search_key(item.data(Qt.ItemDataRole.UserRole) or ""):
                item.setData(PERSON_ROLE, None)  # another name typed over a known person: not a rename
        elif col == PROFESSION:
            self._resolve(row, col, text, match_profession(text, self.professions), "職種")
        elif col == ROLE:
            self._resolve(row, col, text or "参加者", match_role(text or "参加者"), "役割")
        elif col == STATUS:
            self._resolve(row, col, text or self.default_status, match_status(text or self.default_status), "出欠")
        else:
            item.setText(text)
        self.dirty = True
        if row == self.table.rowCount() - 1 and not self.row_is_empty(row):
            self._append_row()
        self.refresh_summary()

    def _resolve(self, row: int, col: int, text: str, match: Match, what: str) -> None:
        item = self.table.item(row, col)
        item.setText(match.choice.name if match.choice else text)
        if col == PROFESSION:
            item.setData(ID_ROLE, match.choice.id if match.choice else None)
        self._mark(row, col, match.problem(what))

    def _mark(self, row: int, col: int, problem: str) -> None:
        item = self.table.item(row, col)
        item.setBackground(ERROR_BRUSH if problem else QBrush())
        item.setToolTip(problem)
        self.grid_message.setText("\n".join(self.grid_problems()))

    def grid_problems(self) -> list[str]:
        return [f"{row + 1}行目：{self.table.item(row, col).toolTip()}" for row in range(self.table.rowCount())
                for col in (PROFESSION, ROLE, STATUS) if self.table.item(row, col).toolTip()]

    def walk_on(self) -> None:
        """Move to the next cell (the next row's 氏名 after 当日参加) and open its editor."""
        row, col = self.table.currentRow(), self.table.currentColumn()
        row, col = (row, col + 1) if col < WALK_IN else (row + 1, NAME)
        if row >= self.table.rowCount():
            self._append_row()
        self.table.setCurrentCell(row, col)
        if col != WALK_IN:
            self.table.editItem(self.table.item(row, col))

    def clear_row(self, row: int) -> None:
        self._filling = True
        for col, text in ((NAME, ""), (AFFILIATION, ""), (PROFESSION, ""), (ROLE, "参加者"),
                          (STATUS, self.default_status)):
            self.table.item(row, col).setText(text)
            self._mark(row, col, "")
        self.table.item(row, NAME).setData(PERSON_ROLE, None)
        self.table.item(row, PROFESSION).setData(ID_ROLE, None)
        self.table.item(row, WALK_IN).setCheckState(Qt.CheckState.Unchecked)
        self._filling = False
        self.dirty = True
        self.refresh_summary()

    def _changed(self, _item: QTableWidgetItem) -> None:
        if not self._filling:
            self.dirty = True
            self.refresh_summary()

    def sheet_rows(self) -> list[SheetRow]:
        out = []
        for row in range(self.table.rowCount()):
            if self.row_is_empty(row):
                continue
            name = self.table.item(row, NAME)
            out.append(SheetRow(
                name=self.text(row, NAME), affiliation=self.text(row, AFFILIATION),
                profession_id=self.table.item(row, PROFESSION).data(ID_ROLE), role=self.text(row, ROLE),
                status=self.text(row, STATUS), person_id=name.data(PERSON_ROLE),
                walk_in=self.table.item(row, WALK_IN).checkState() == Qt.CheckState.Checked))
        return out

    # --- counts ------------------------------------------------------------------------------------
    def _count_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        self.dirty = True
        last = self.counts_table.rowCount() - 1
        if item.row() == last and any(self.counts_table.item(last, c).text().strip() for c in (0, 1)):
            self._filling = True
            self._append_count("", None, None)
            self._filling = False
        self.refresh_summary()

    def _next_count(self) -> None:
        """Enter on a count moves down to the next row's count (and opens it); on a label, to its count."""
        row, col = self.counts_table.currentRow(), self.counts_table.currentColumn()
        row, col = (row, 1) if col == 0 else (row + 1, 1)
        if row < self.counts_table.rowCount():
            self.counts_table.setCurrentCell(row, col)
            self.counts_table.editItem(self.counts_table.item(row, col))

    def count_entries(self) -> tuple[list[CountEntry], list[str]]:
        """The counts typed, and a Japanese message per cell that is not a whole number."""
        entries, problems = [], []
        for row in range(self.counts_table.rowCount()):
            label_item, number = self.counts_table.item(row, 0), self.counts_table.item(row, 1)
            raw = nfkc(number.text()).strip().replace(",", "").removesuffix("人")
            label = label_item.text().strip()
            bad = bool(raw) and not raw.isdigit()
            number.setBackground(ERROR_BRUSH if bad else QBrush())
            if bad:
                problems.append(f"「{label or '区分なし'}」の人数「{number.text()}」は0以上の整数で入力してください")
            elif raw and int(raw):
                entries.append(CountEntry(label_item.data(ID_ROLE), int(raw),
                                          "" if label_item.data(ID_ROLE) else label))
        return entries, problems

    # --- summary and saving ------------------------------------------------------------------------
    def refresh_summary(self) -> None:
        counts, problems = self.count_entries()
        labelled = [(self.profession_names.get(c.profession_id, "") if c.profession_id else c.label, c.count)
                    for c in counts]
        summary = sheet_summary(
            [(self.text(r, PROFESSION) if self.table.item(r, PROFESSION).data(ID_ROLE) else "", self.text(r, STATUS))
             for r in range(self.table.rowCount()) if not self.row_is_empty(r)],
            labelled, [p.name for p in self.professions])
        self.summary.setText(summary.text())
        self.counts_total.setText(f"人数のみ 合計 {summary.counted}人")
        self.counts_message.setText("\n".join(problems))

    def save(self) -> None:
        for table in (self.table, self.counts_table):  # what is still in an open editor counts too
            editor = table.indexWidget(table.currentIndex())
            if editor is not None:
                table.itemDelegate().commitData.emit(editor)
                table.itemDelegate().closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.NoHint)
        counts, count_problems = self.count_entries()
        problems = self.grid_problems() + count_problems
        if problems:
            self.ctx.messages.warning("出欠入力", "入力内容を確認してください。\n" + "\n".join(f"・{p}" for p in problems))
            return
        self._compact()
        rows = self.sheet_rows()
        self.ctx.runner.run(lambda: self.ctx.services.meetings.save_attendance_sheet(self.meeting_id, rows,
                                                                                     counts=counts),
                            on_done=self._saved, on_error=lambda exc: self.ctx.messages.failure("出欠入力", exc))

    def _compact(self) -> None:
        """Drop empty rows in the middle so the row numbers in messages match the grid."""
        for row in reversed(range(self.table.rowCount() - 1)):
            if self.row_is_empty(row):
                self.table.removeRow(row)

    def _saved(self, result: list[AttendanceRead]) -> None:
        self.saved = result
        self.dirty = False
        self.accept()

    def reject(self) -> None:
        if self.dirty and not self.ctx.messages.confirm(
                "出欠入力", "保存していない入力があります。入力を捨てて閉じますか？", ok="捨てて閉じる", cancel="入力に戻る"):
            return
        super().reject()
