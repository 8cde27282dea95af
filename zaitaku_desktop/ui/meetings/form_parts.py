"""The editors the meeting form is built from: organiser, target professions by association, speakers,
issue links (with a search picker), the recurrence rule with its live preview, and the question
「この回だけ / シリーズ全体」 asked when a meeting of a series is saved."""

from __future__ import annotations

import datetime as dt
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QButtonGroup, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout,
    QHBoxLayout, QHeaderView, QLabel, QLineEdit, QListWidget, QListWidgetItem, QMessageBox,
    QPushButton, QRadioButton, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.dates import parse_date
from zaitaku_desktop.domain.errors import FieldIssue
from zaitaku_desktop.domain.meetings import (
    ISSUE_ROLES, MAX_OCCURRENCES, ORGANISER_KINDS, RecurrenceRule, Speaker, describe_rule, expand, rule_issues,
)
from zaitaku_desktop.domain.text import search_key
from zaitaku_desktop.models import VocabItem
from zaitaku_desktop.services.issues import IssueRow

from ..widgets.form_rows import add_field_row
from ..issues.issue_form import CheckGrid

WEEKDAY_NAMES = "月火水木金土日"
PREVIEW_STYLE = "color:#1b5e20;"
PREVIEW_ERROR_STYLE = "color:#c62828;"


def _buttons(parent: QWidget, specs: list[tuple[str, str, Callable[[], None]]]) -> QHBoxLayout:
    """A row of push buttons (text, objectName, slot) followed by a stretch."""
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    for text, name, slot in specs:
        button = QPushButton(text, parent)
        button.setObjectName(name)
        button.clicked.connect(slot)
        row.addWidget(button)
    row.addStretch(1)
    return row


def _shown(items: list[VocabItem], keep: set[str]) -> list[VocabItem]:
    return [v for v in items if not v.archived or v.id in keep]


# --- organiser ----------------------------------------------------------------------------------

class OrganiserEditor(QWidget):
    """主催: kind (団体 / 連携拠点 / 市町村), the association when it is 団体, and a free text."""

    def __init__(self, associations: list[VocabItem], keep: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.kind = QComboBox(self)
        self.kind.setObjectName("field_organiser_kind")
        self.kind.addItems(list(ORGANISER_KINDS))
        self.association = QComboBox(self)
        self.association.setObjectName("field_organiser_association")
        self.association.addItem("（団体を選ぶ）", None)
        for a in _shown(associations, {keep} if keep else set()):
            self.association.addItem(a.name, a.id)
        self.text = QLineEdit(self)
        self.text.setObjectName("field_organiser_text")
        self.text.setPlaceholderText("例：釜石市在宅医療連携拠点チームかまいし")
        row.addWidget(self.kind)
        row.addWidget(self.association)
        row.addWidget(self.text, 1)
        self.kind.currentTextChanged.connect(self._kind_changed)
        self._kind_changed(self.kind.currentText())

    def _kind_changed(self, kind: str) -> None:
        self.association.setEnabled(kind == "団体")

    def set_values(self, kind: str, association_id: str | None, text: str) -> None:
        self.kind.setCurrentText(kind)
        self.association.setCurrentIndex(max(0, self.association.findData(association_id)))
        self.text.setText(text)

    def values(self) -> tuple[str, str | None, str]:
        kind = self.kind.currentText()
        return kind, self.association.currentData() if kind == "団体" else None, self.text.text().strip()


# --- target professions ---------------------------------------------------------------------------

class ProfessionPicker(QWidget):
    """Target professions as check boxes grouped by their association, each group with 「すべて」."""

    def __init__(self, professions: list[VocabItem], associations: list[VocabItem], selected: set[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("field_professions")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        self.boxes: dict[str, QCheckBox] = {}
        names = {a.id: a.name for a in associations}
        groups: dict[str, list[VocabItem]] = {}
        for p in _shown(professions, selected):
            groups.setdefault(names.get(p.parent_id or "", "その他の職種"), []).append(p)
        row = 0
        for group, items in groups.items():
            every = QCheckBox(group, self)
            every.setObjectName(f"professionGroup_{group}")
            every.setToolTip("この団体の職種をまとめて選ぶ・外す")
            font = every.font()
            font.setBold(True)
            every.setFont(font)
            every.clicked.connect(lambda on, ids=[p.id for p in items]: self._set_group(ids, on))
            grid.addWidget(every, row, 0)
            for i, p in enumerate(items):
                box = QCheckBox(p.name, self)
                box.setObjectName(f"profession_{p.name}")
                self.boxes[p.id] = box
                box.toggled.connect(lambda _on, g=every, ids=[p.id for p in items]: g.setChecked(
                    all(self.boxes[i].isChecked() for i in ids if i in self.boxes)))
                grid.addWidget(box, row + i // 2, 1 + i % 2)
            row += (len(items) + 1) // 2
        grid.setColumnStretch(3, 1)
        self.set_checked(selected)

    def _set_group(self, ids: list[str], on: bool) -> None:
        for pid in ids:
            self.boxes[pid].setChecked(on)

    def set_checked(self, ids) -> None:
        wanted = set(ids)
        for pid, box in self.boxes.items():
            box.setChecked(pid in wanted)

    def checked_ids(self) -> list[str]:
        return [pid for pid, box in self.boxes.items() if box.isChecked()]


def association_checks(associations: list[VocabItem], selected: set[str], parent: QWidget) -> CheckGrid:
    """共催: the associations as a grid of check boxes."""
    return CheckGrid("field_co_organisers", associations, selected, parent, columns=3)


# --- editable tables ------------------------------------------------------------------------------

class RowTable(QWidget):
    """A small table with 追加 / 削除 (and 上へ / 下へ) buttons; rows are edited in place with the keyboard."""

    changed = Signal()

    def __init__(self, name: str, headers: list[str], parent: QWidget | None = None, *,
                 add_text: str = "行を追加", movable: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, len(headers), self)
        self.table.setObjectName(f"{name}Table")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        column.addWidget(self.table, 1)
        specs = [(add_text, f"{name}Add", self.add_clicked), ("削除", f"{name}Remove", self.remove_current)]
        if movable:
            specs += [("↑ 上へ", f"{name}Up", lambda: self.move_current(-1)),
                      ("↓ 下へ", f"{name}Down", lambda: self.move_current(1))]
        column.addLayout(_buttons(self, specs))

    def add_clicked(self) -> None:
        self.append_row([""] * self.table.columnCount())
        row = self.table.rowCount() - 1
        self.table.setCurrentCell(row, 0)
        self.table.setFocus()
        self.table.editItem(self.table.item(row, 0))

    def append_row(self, texts: list[str], data: object = None) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, text in enumerate(texts):
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, data)
            self.table.setItem(row, col, item)
        self.changed.emit()

    def remove_current(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.changed.emit()

    def move_current(self, offset: int) -> None:
        row = self.table.currentRow()
        target = row + offset
        if row < 0 or not 0 <= target < self.table.rowCount():
            return
        for col in range(self.table.columnCount()):
            a, b = self.table.takeItem(row, col), self.table.takeItem(target, col)
            self.table.setItem(row, col, b)
            self.table.setItem(target, col, a)
        self.table.setCurrentCell(target, self.table.currentColumn())
        self.changed.emit()

    def texts(self, row: int) -> list[str]:
        return [(self.table.item(row, c).text() if self.table.item(row, c) else "").strip()
                for c in range(self.table.columnCount())]

    def clear_rows(self) -> None:
        self.table.setRowCount(0)


class SpeakersEditor(RowTable):
    """講師: 氏名・所属・演題, in the order they speak."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("speakers", ["氏名", "所属", "演題"], parent, add_text="講師を追加")
        header = self.table.horizontalHeader()
        for col, width in ((0, 150), (1, 200)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(col, width)
        self.table.setWordWrap(True)

    def set_speakers(self, speakers) -> None:
        self.clear_rows()
        for s in speakers:
            self.append_row([s.name, s.affiliation, s.talk_title])

    def speakers(self) -> list[Speaker]:
        return [Speaker(*self.texts(r)) for r in range(self.table.rowCount()) if any(self.texts(r))]

    def issues(self) -> list[FieldIssue]:
        """A row with an affiliation or talk but no name would be dropped silently: say so."""
        if any(t[0] == "" for t in (self.texts(r) for r in range(self.table.rowCount())) if any(t)):
            return [FieldIssue("speakers", "講師の氏名が空欄の行があります（不要な行は「削除」で消してください）")]
        return []


# --- issue links --------------------------------------------------------------------------------

class IssuePickerDialog(QDialog):
    """「課題を追加…」: search the issue board by words and pick one issue and its role."""

    def __init__(self, rows: list[IssueRow], exclude: set[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("issuePickerDialog")
        self.setWindowTitle("課題を選ぶ")
        self.resize(560, 420)
        self.rows = [r for r in rows if r.id not in exclude and not r.archived]
        column = QVBoxLayout(self)
        self.search = QLineEdit(self)
        self.search.setObjectName("issueSearch")
        self.search.setPlaceholderText("題名や内容の言葉で絞り込み（例：退院）")
        self.search.setClearButtonEnabled(True)
        column.addWidget(self.search)
        self.list = QListWidget(self)
        self.list.setObjectName("issueList")
        column.addWidget(self.list, 1)
        form = QFormLayout()
        self.role = QComboBox(self)
        self.role.setObjectName("issueRole")
        self.role.addItems(list(ISSUE_ROLES))
        self.role.setCurrentText("検討")
        form.addRow("この会議での扱い", self.role)
        column.addLayout(form)
        buttons = QDialogButtonBox(self)
        self.ok = buttons.addButton("追加", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("okButton")
        buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole).setObjectName("cancelButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.search.textChanged.connect(self.refilter)
        self.list.itemDoubleClicked.connect(lambda _i: self.accept())
        self.list.currentRowChanged.connect(lambda _r: self.ok.setEnabled(self.chosen() is not None))
        self.refilter()

    def refilter(self, *_args) -> None:
        words = search_key(self.search.text()).split()
        self.list.clear()
        for r in self.rows:
            haystack = r.search_text or search_key(r.title + " " + r.description)
            if all(w in haystack for w in words):
                item = QListWidgetItem(f"{r.title}　〔{r.layer}・{r.status}〕", self.list)
                item.setData(Qt.ItemDataRole.UserRole, r.id)
        if self.list.count():
            self.list.setCurrentRow(0)
        self.ok.setEnabled(self.chosen() is not None)

    def chosen(self) -> IssueRow | None:
        item = self.list.currentItem()
        issue_id = item.data(Qt.ItemDataRole.UserRole) if item else None
        return next((r for r in self.rows if r.id == issue_id), None)


class IssueLinksEditor(RowTable):
    """課題: the issue board's issues raised, discussed or decided at this meeting, each with its role."""

    def __init__(self, load_issues: Callable[[], list[IssueRow]], parent: QWidget | None = None) -> None:
        super().__init__("issueLinks", ["課題", "この会議での扱い"], parent, add_text="課題を追加…",
                         movable=False)
        self.load_issues = load_issues
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)

    def add_clicked(self) -> None:
        dialog = IssuePickerDialog(self.load_issues(), set(self.links()), self)
        chosen = dialog.chosen() if dialog.exec() else None
        dialog.setParent(None)  # gone with this call, so that its buttons are never found again
        if chosen is not None:
            self.add_link(chosen.id, chosen.title, dialog.role.currentText())

    def add_link(self, issue_id: str, title: str, role: str) -> None:
        self.append_row([title, ""], issue_id)
        combo = QComboBox(self.table)
        combo.setObjectName("issueLinkRole")
        combo.addItems(list(ISSUE_ROLES))
        combo.setCurrentText(role)
        self.table.setCellWidget(self.table.rowCount() - 1, 1, combo)

    def set_links(self, links) -> None:
        self.clear_rows()
        for link in links:
            self.add_link(link.issue_id, link.issue_title, link.role)

    def links(self) -> dict[str, str]:
        """issue id → role, in the table's order."""
        return {self.table.item(r, 0).data(Qt.ItemDataRole.UserRole): self.table.cellWidget(r, 1).currentText()
                for r in range(self.table.rowCount())}


# --- recurrence ---------------------------------------------------------------------------------

class RecurrenceEditor(QWidget):
    """「繰り返し」 for a new meeting: none / 毎週 (weekdays, interval) / 毎月 (day, or 第n 曜日),
    ending on a date or after N times, with a live preview of the dates."""

    changed = Signal()

    def __init__(self, format_date: Callable[[dt.date], str], error_labels: dict[str, QLabel],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.format_date = format_date
        self.start: dt.date | None = None
        column = QVBoxLayout(self)
        freq_row = QHBoxLayout()
        self.freq_group = QButtonGroup(self)
        self.freq_buttons: dict[str, QRadioButton] = {}
        for key, text in (("", "繰り返さない"), ("weekly", "毎週"), ("monthly", "毎月")):
            button = QRadioButton(text, self)
            button.setObjectName(f"repeat_{key or 'none'}")
            self.freq_group.addButton(button)
            self.freq_buttons[key] = button
            freq_row.addWidget(button)
        freq_row.addStretch(1)
        self.freq_buttons[""].setChecked(True)
        column.addLayout(freq_row)
        self.error_freq = error_labels.setdefault("freq", self._error_label("error_freq"))
        column.addWidget(self.error_freq)

        self.form = form = QFormLayout()
        column.addLayout(form)
        self.interval = QSpinBox(self)
        self.interval.setObjectName("repeatInterval")
        self.interval.setRange(1, 12)
        self.interval.setMaximumWidth(140)
        add_field_row(form, "間隔", self.interval, "interval", error_labels)

        self.weekly_box = QWidget(self)
        days = QHBoxLayout(self.weekly_box)
        days.setContentsMargins(0, 0, 0, 0)
        self.weekday_boxes: list[QCheckBox] = []
        for i, name in enumerate(WEEKDAY_NAMES):
            box = QCheckBox(name, self.weekly_box)
            box.setObjectName(f"repeatWeekday{i}")
            self.weekday_boxes.append(box)
            days.addWidget(box)
        days.addStretch(1)
        add_field_row(form, "曜日", self.weekly_box, "weekdays", error_labels)

        self.monthly_box = QWidget(self)
        monthly = QGridLayout(self.monthly_box)
        monthly.setContentsMargins(0, 0, 0, 0)
        self.by_day = QRadioButton("日にち", self.monthly_box)
        self.by_day.setObjectName("repeatByDay")
        self.by_weekday = QRadioButton("曜日", self.monthly_box)
        self.by_weekday.setObjectName("repeatByWeekday")
        self.by_day.setChecked(True)
        self.month_day = QSpinBox(self.monthly_box)
        self.month_day.setObjectName("repeatMonthDay")
        self.month_day.setRange(1, 31)
        self.month_day.setSuffix(" 日")
        self.month_week = QComboBox(self.monthly_box)
        self.month_week.setObjectName("repeatMonthWeek")
        for n in (1, 2, 3, 4, 5):
            self.month_week.addItem(f"第{n}", n)
        self.month_week.addItem("最終", -1)
        self.month_weekday = QComboBox(self.monthly_box)
        self.month_weekday.setObjectName("repeatMonthWeekday")
        self.month_weekday.addItems([f"{n}曜日" for n in WEEKDAY_NAMES])
        monthly.addWidget(self.by_day, 0, 0)
        monthly.addWidget(self.month_day, 0, 1)
        monthly.addWidget(self.by_weekday, 1, 0)
        monthly.addWidget(self.month_week, 1, 1)
        monthly.addWidget(self.month_weekday, 1, 2)
        monthly.setColumnStretch(3, 1)
        add_field_row(form, "毎月の日", self.monthly_box, "month_week", error_labels)
        error_labels["month_day"] = error_labels["month_week"]

        end = QWidget(self)
        ends = QGridLayout(end)
        ends.setContentsMargins(0, 0, 0, 0)
        self.by_count = QRadioButton("回数", end)
        self.by_count.setObjectName("repeatByCount")
        self.by_until = QRadioButton("この日まで", end)
        self.by_until.setObjectName("repeatByUntil")
        self.by_count.setChecked(True)
        self.count = QSpinBox(end)
        self.count.setObjectName("repeatCount")
        self.count.setRange(1, MAX_OCCURRENCES)
        self.count.setValue(10)
        self.count.setSuffix(" 回")
        self.until = QLineEdit(end)
        self.until.setObjectName("repeatUntil")
        self.until.setPlaceholderText("例：2027/03/31 または 令和9年3月31日")
        self.until.setMinimumWidth(300)
        ends.addWidget(self.by_count, 0, 0)
        ends.addWidget(self.count, 0, 1)
        ends.addWidget(self.by_until, 1, 0)
        ends.addWidget(self.until, 1, 1)
        ends.setColumnStretch(2, 1)
        add_field_row(form, "終わり", end, "until", error_labels)
        error_labels["count"] = error_labels["until"]

        self.preview = QLabel("", self)
        self.preview.setObjectName("repeatPreview")
        self.preview.setWordWrap(True)
        column.addWidget(self.preview)
        column.addStretch(1)
        self.detail_rows = [self.interval, self.weekly_box, self.monthly_box, end]

        for signal in (self.freq_group.buttonToggled, self.interval.valueChanged, self.by_day.toggled,
                       self.month_day.valueChanged, self.month_week.currentIndexChanged,
                       self.month_weekday.currentIndexChanged, self.by_count.toggled, self.count.valueChanged,
                       self.until.textChanged, *(b.toggled for b in self.weekday_boxes)):
            signal.connect(self._changed)
        self.freq_group.buttonToggled.connect(self._freq_changed)
        self._freq_changed()

    def _error_label(self, name: str) -> QLabel:
        label = QLabel("", self)
        label.setObjectName(name)
        label.setStyleSheet(PREVIEW_ERROR_STYLE)
        label.hide()
        return label

    def freq(self) -> str:
        return next(k for k, b in self.freq_buttons.items() if b.isChecked())

    def _freq_changed(self, *_args) -> None:
        freq = self.freq()
        for widget in self.detail_rows:
            self.form.setRowVisible(widget.parentWidget(), bool(freq))
        self.form.setRowVisible(self.weekly_box.parentWidget(), freq == "weekly")
        self.form.setRowVisible(self.monthly_box.parentWidget(), freq == "monthly")
        self.interval.setSuffix(" 週ごと" if freq == "weekly" else " か月ごと")
        if freq == "weekly" and self.start and not any(b.isChecked() for b in self.weekday_boxes):
            self.weekday_boxes[self.start.weekday()].setChecked(True)

    def set_start(self, start: dt.date | None) -> None:
        """The first date (the form's 開催日): the defaults follow it and the preview counts from it."""
        if start is not None and start != self.start:
            self.month_day.setValue(start.day)
            self.month_weekday.setCurrentIndex(start.weekday())
            self.month_week.setCurrentIndex(min((start.day - 1) // 7, 4))
        self.start = start
        self._changed()

    def rule(self) -> tuple[RecurrenceRule | None, list[FieldIssue]]:
        """The rule as chosen (None for 繰り返さない) and what is wrong with it."""
        freq = self.freq()
        if not freq:
            return None, []
        until, problems = None, []
        if self.by_until.isChecked():
            try:
                until = parse_date(self.until.text().strip())
            except ValueError:
                problems.append(FieldIssue("until", "終わりの日付を 2027/03/31 や 令和9年3月31日 の形で入力してください"))
        by_weekday = freq == "monthly" and self.by_weekday.isChecked()
        rule = RecurrenceRule(
            freq=freq, interval=self.interval.value(),
            weekdays=tuple(i for i, b in enumerate(self.weekday_boxes) if b.isChecked()) if freq == "weekly" else (),
            month_day=self.month_day.value() if freq == "monthly" and not by_weekday else None,
            month_week=self.month_week.currentData() if by_weekday else None,
            month_weekday=self.month_weekday.currentIndex() if by_weekday else None,
            until=until, count=self.count.value() if self.by_count.isChecked() else None)
        if not problems:
            problems = rule_issues(rule)
        if not problems and self.start and not expand(rule, self.start):
            problems.append(FieldIssue("until", "この条件では開催日が1日もありません"))
        return rule, problems

    def _changed(self, *_args) -> None:
        rule, problems = self.rule()
        if rule is None:
            self.preview.setText("")
        elif problems:
            self.preview.setStyleSheet(PREVIEW_ERROR_STYLE)
            self.preview.setText("\n".join(p.message for p in problems))
        elif self.start is None:
            self.preview.setStyleSheet(PREVIEW_ERROR_STYLE)
            self.preview.setText("「基本」の開催日を入力すると、日程がここに表示されます")
        else:
            dates = expand(rule, self.start)
            self.preview.setStyleSheet(PREVIEW_STYLE)
            self.preview.setText(f"{describe_rule(rule)}：全{len(dates)}回（{self.format_date(dates[0])} 〜 "
                                 f"{self.format_date(dates[-1])}）")
        self.changed.emit()


# --- the series question ---------------------------------------------------------------------------

class SeriesScopeBox(QMessageBox):
    """Asked when a meeting of a series is saved: this occurrence only, or it and the later ones."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(QMessageBox.Icon.Question, "繰り返しの会議・研修",
                         "この会議・研修は繰り返し（シリーズ）の1回です。どこまで変更しますか？\n"
                         "シリーズ全体を選ぶと、この回以降でまだ開催していない回の内容（日付・状況・記録を除く）も"
                         "同じに変わります。", parent=parent)
        self.setObjectName("seriesScopeBox")
        self.one_button = self.addButton("この回だけ変更", QMessageBox.ButtonRole.AcceptRole)
        self.one_button.setObjectName("scopeOne")
        self.series_button = self.addButton("この回以降のシリーズ全体を変更", QMessageBox.ButtonRole.AcceptRole)
        self.series_button.setObjectName("scopeSeries")
        cancel = self.addButton("キャンセル", QMessageBox.ButtonRole.RejectRole)
        cancel.setObjectName("scopeCancel")
        self.setDefaultButton(self.one_button)
        self.setEscapeButton(cancel)

    def ask(self) -> str | None:
        """"one", "series", or None when cancelled."""
        self.exec()
        self.setParent(None)
        return {id(self.one_button): "one", id(self.series_button): "series"}.get(id(self.clickedButton()))
