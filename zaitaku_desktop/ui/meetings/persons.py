"""参加者の名寄せ: search the people met at meetings, correct one, find likely duplicates (the same name
written with a different affiliation) and 「統合」 one into another."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout,
    QHeaderView, QLabel, QLineEdit, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.attendance import duplicate_groups
from zaitaku_desktop.domain.errors import ValidationError
from zaitaku_desktop.domain.text import search_key
from zaitaku_desktop.services.meetings import PersonRead

from ..context import AppContext
from ..widgets.form_rows import add_field_row
from .attendance import person_label

COLUMNS = ("氏名", "読み", "所属", "職種")


class PersonsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.people: list[PersonRead] = []
        self.shown: list[PersonRead] = []
        self.duplicates: set[str] = set()
        self.error_labels: dict[str, QLabel] = {}
        self.setObjectName("personsDialog")
        self.setWindowTitle("参加者の名寄せ")
        self.resize(900, 640)
        self._build()
        self.reload()

    # --- building --------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        row = QHBoxLayout()
        self.search = QLineEdit(self)
        self.search.setObjectName("personSearch")
        self.search.setPlaceholderText("氏名・読み・所属で検索（ひらがなでも探せます）")
        self.search.textChanged.connect(self.apply_filter)
        self.duplicates_only = QCheckBox("重複の候補だけ表示（同じ氏名で所属の書き方が違う人）", self)
        self.duplicates_only.setObjectName("duplicatesOnly")
        self.duplicates_only.toggled.connect(self.apply_filter)
        row.addWidget(self.search, 1)
        row.addWidget(self.duplicates_only)
        outer.addLayout(row)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("personsTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 140)
        self.table.setColumnWidth(1, 160)
        self.table.setColumnWidth(3, 160)
        self.table.currentCellChanged.connect(lambda *_: self._fill_form())
        outer.addWidget(self.table, 1)
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("personCount")
        outer.addWidget(self.count_label)

        edit_box = QGroupBox("選んだ人の訂正", self)
        form = QFormLayout(edit_box)
        self.name = QLineEdit(edit_box)
        self.name.setObjectName("field_name")
        self.reading = QLineEdit(edit_box)
        self.reading.setObjectName("field_reading")
        self.affiliation = QLineEdit(edit_box)
        self.affiliation.setObjectName("field_affiliation")
        self.profession = QComboBox(edit_box)
        self.profession.setObjectName("field_profession")
        self.profession.addItem("（なし）", None)
        for p in self.ctx.services.vocab.list("profession"):
            self.profession.addItem(p.name, p.id)
        self.contact = QLineEdit(edit_box)
        self.contact.setObjectName("field_contact")
        for label, widget, field in (("氏名", self.name, "name"), ("読み", self.reading, "reading"),
                                     ("所属", self.affiliation, "affiliation"),
                                     ("職種", self.profession, "profession_id"), ("連絡先", self.contact, "contact")):
            add_field_row(form, label, widget, field, self.error_labels)
        self.save_button = QPushButton("訂正を保存", edit_box)
        self.save_button.setObjectName("saveButton")
        self.save_button.clicked.connect(self.save)
        form.addRow("", self.save_button)

        merge_box = QGroupBox("統合（同じ人が二重に登録されているとき）", self)
        merge = QVBoxLayout(merge_box)
        explain = QLabel("下で選んだ人の出欠の記録を、上の表で選んでいる人に移し、下の人を一覧から外します。", merge_box)
        explain.setWordWrap(True)
        merge.addWidget(explain)
        self.merge_combo = QComboBox(merge_box)
        self.merge_combo.setObjectName("mergeCombo")
        merge.addWidget(self.merge_combo)
        self.merge_button = QPushButton("統合…", merge_box)
        self.merge_button.setObjectName("mergeButton")
        self.merge_button.clicked.connect(self.merge)
        merge.addWidget(self.merge_button)
        merge.addStretch(1)
        lower = QHBoxLayout()
        lower.addWidget(edit_box, 3)
        lower.addWidget(merge_box, 2)
        outer.addLayout(lower)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("閉じる")
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        for button in self.findChildren(QPushButton):  # Enter in a field must not press a button
            button.setAutoDefault(False)

    # --- list ---------------------------------------------------------------------------------------
    def reload(self, select_id: str | None = None) -> None:
        self.people = self.ctx.services.meetings.list_persons()
        self.duplicates = {pid for group in duplicate_groups((p.id, p.name) for p in self.people) for pid in group}
        self.apply_filter(select_id=select_id)

    def apply_filter(self, *_args, select_id: str | None = None) -> None:
        key = search_key(self.search.text())
        shown = [p for p in self.people if (not key or key in search_key(p.name + p.reading + p.affiliation))
                 and (not self.duplicates_only.isChecked() or p.id in self.duplicates)]
        if self.duplicates_only.isChecked():  # the same names next to each other
            shown.sort(key=lambda p: (search_key(p.name), search_key(p.affiliation)))
        self.shown = shown
        self.table.setRowCount(len(shown))
        for r, p in enumerate(shown):
            for c, text in enumerate((p.name, p.reading, p.affiliation, p.profession)):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.count_label.setText(f"{len(shown)}人（登録 {len(self.people)}人・重複の候補 {len(self.duplicates)}人）")
        row = next((r for r, p in enumerate(shown) if p.id == select_id), 0 if shown else -1)
        self.table.setCurrentCell(row, 0)
        self._fill_form()

    def current(self) -> PersonRead | None:
        row = self.table.currentRow()
        return self.shown[row] if 0 <= row < len(self.shown) else None

    def select(self, person_id: str) -> None:
        self.table.setCurrentCell(next(r for r, p in enumerate(self.shown) if p.id == person_id), 0)

    def _fill_form(self) -> None:
        person = self.current()
        for label in self.error_labels.values():
            label.hide()
        self.name.setText(person.name if person else "")
        self.reading.setText(person.reading if person else "")
        self.affiliation.setText(person.affiliation if person else "")
        self.profession.setCurrentIndex(max(0, self.profession.findData(person.profession_id if person else None)))
        self.contact.setText(person.contact if person else "")
        self.merge_combo.clear()
        if person is not None:
            same = search_key(person.name)
            others = sorted((p for p in self.people if p.id != person.id),
                            key=lambda p: (search_key(p.name) != same, search_key(p.reading or p.name)))
            for p in others:
                mark = "【重複の候補】" if search_key(p.name) == same else ""
                self.merge_combo.addItem(mark + person_label(p), p.id)
        for widget in (self.save_button, self.merge_button, self.merge_combo):
            widget.setEnabled(person is not None and (widget is self.save_button or self.merge_combo.count() > 0))

    # --- actions ------------------------------------------------------------------------------------
    def save(self) -> None:
        person = self.current()
        if person is None:
            return
        try:
            saved = self.ctx.services.meetings.update_person(
                person.id, self.name.text(), reading=self.reading.text(), affiliation=self.affiliation.text(),
                profession_id=self.profession.currentData(), contact=self.contact.text())
        except ValidationError as exc:
            for issue in exc.issues:
                label = self.error_labels.get(issue.field)
                if label is not None:
                    label.setText(issue.message)
                    label.show()
            return
        except Exception as exc:  # noqa: BLE001 - shown plainly or as a bug by Messages
            self.ctx.messages.failure("参加者の訂正", exc)
            return
        self.reload(select_id=saved.id)

    def merge(self) -> None:
        keep = self.current()
        dup_id = self.merge_combo.currentData()
        dup = next((p for p in self.people if p.id == dup_id), None)
        if keep is None or dup is None:
            return
        text = (f"「{person_label(dup)}」を「{person_label(keep)}」に統合します。\n\n"
                f"・「{person_label(dup)}」の出欠の記録は、すべて「{person_label(keep)}」に移ります"
                "（同じ会議に両方の記録があるときは1件にまとめ、出席を残します）。\n"
                f"・「{person_label(dup)}」は一覧から外れます（記録は残りますが、名簿入力の候補には出なくなります）。\n"
                "・統合は元に戻せません。\n\n統合しますか？")
        if not self.ctx.messages.confirm("参加者の統合", text, ok="統合する", cancel="やめる"):
            return
        try:
            kept = self.ctx.services.meetings.merge_persons(keep.id, dup.id)
        except Exception as exc:  # noqa: BLE001
            self.ctx.messages.failure("参加者の統合", exc)
            return
        self.reload(select_id=kept.id)
        self.ctx.messages.info("参加者の統合", f"「{person_label(dup)}」を「{person_label(kept)}」に統合しました。")
