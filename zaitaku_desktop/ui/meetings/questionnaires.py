"""アンケート for one meeting: keyed entry of returned sheets, tallies with a bar chart per item,
a before/after comparison with another meeting, and the template editor.

Entry is keyboard-fast: a scale item takes one digit and moves on, Enter moves to the next field,
Enter on 「次の用紙」 (or Ctrl+Enter anywhere) saves the sheet and starts the next one.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRegularExpression, Qt
from PySide6.QtGui import QKeySequence, QPainter, QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QGridLayout, QHBoxLayout,
    QHeaderView, QLabel, QLineEdit, QListWidget, QPlainTextEdit, QPushButton, QSpinBox, QTableWidget,
    QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.errors import DomainError
from zaitaku_desktop.domain.meetings import CITIZENS_LABEL, OTHERS_LABEL
from zaitaku_desktop.domain.questionnaires import (
    ITEM_KINDS, KIND_LABELS, ItemSpec, PointTally, percent, point_count, points_text, rate_text, split_labels,
    top_caption,
)
from zaitaku_desktop.exports.atomic import write_atomically
from zaitaku_desktop.services.questionnaires import ItemTally, MeetingTally, ResponseRead, SheetInput

from ..context import AppContext

TITLE = "アンケート"
ALL = "全体"
NO_ANSWER = "－"


def _table(parent: QWidget, name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if c:
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            table.setItem(r, c, item)
    for c in range(1, table.columnCount()):
        table.resizeColumnToContents(c)


def _button(text: str, name: str, parent: QWidget, slot) -> QPushButton:
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.setAutoDefault(False)
    button.clicked.connect(slot)
    return button


class PointEdit(QLineEdit):
    """One digit for a scale or yes/no item (1 = best / はい); a valid digit moves to the next field."""

    def __init__(self, kind: str, labels: tuple[str, ...], parent: QWidget) -> None:
        super().__init__(parent)
        self.labels = labels
        self.setMaxLength(1)
        self.setFixedWidth(44)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setValidator(QRegularExpressionValidator(QRegularExpression(f"[1-{point_count(kind)}]"), self))
        self.textEdited.connect(lambda text: text and self.focusNextChild())

    def value(self) -> int | None:
        return int(self.text()) if self.text() else None

    def set_value(self, value) -> None:
        self.setText(str(value) if isinstance(value, int) else "")


class QuestionnaireDialog(QDialog):
    """The アンケート window for one meeting (opened from the calendar tab)."""

    def __init__(self, ctx: AppContext, meeting_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.meeting_id = meeting_id
        self.service = ctx.services.questionnaires
        self.editing: str | None = None  # the response id loaded into the form
        self.responses: list[ResponseRead] = []
        self.current: MeetingTally | None = None
        self.assigned = None
        self.inputs: dict[str, QLineEdit] = {}
        self.setObjectName("questionnaireDialog")
        self.setWindowTitle(TITLE)
        self.resize(1000, 720)
        self.service.ensure_default_templates()
        detail = ctx.services.meetings.get(meeting_id).row
        layout = QVBoxLayout(self)
        heading = QLabel(f"<b>{detail.title}</b>　{ctx.format_date(detail.date)}　出席 {detail.attended}人", self)
        heading.setObjectName("questionnaireHeading")
        layout.addWidget(heading)
        top = QHBoxLayout()
        top.addWidget(QLabel("配ったアンケート", self))
        self.template = QComboBox(self)
        self.template.setObjectName("questionnaireTemplate")
        top.addWidget(self.template, 1)
        top.addWidget(QLabel("配布数", self))
        self.distributed = QSpinBox(self)
        self.distributed.setObjectName("questionnaireDistributed")
        self.distributed.setRange(0, 100_000)
        self.distributed.setSpecialValueText("出席者数")
        self.distributed.setToolTip("0 にすると出席者数を配布数として回収率を計算します")
        top.addWidget(self.distributed)
        top.addWidget(_button("設定", "questionnaireAssign", self, self._assign))
        top.addWidget(_button("アンケートの編集…", "questionnaireTemplates", self, self._edit_templates))
        layout.addLayout(top)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("questionnaireTabs")
        self.tabs.addTab(self._entry_page(), "回答入力")
        self.tabs.addTab(self._tally_page(), "集計")
        self.tabs.addTab(self._compare_page(), "前後比較")
        self.tabs.currentChanged.connect(lambda _i: self._refresh_tab())
        layout.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox(self)
        close = buttons.addButton("閉じる", QDialogButtonBox.ButtonRole.RejectRole)
        close.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self, self._next_sheet)
        self._load_templates()
        self._load_assignment()

    # --- the header: which questionnaire, how many handed out ---------------------------------
    def _load_templates(self) -> None:
        chosen = self.template.currentData()
        self.template.clear()
        for t in self.service.list_templates():
            self.template.addItem(t.name, t.id)
        if chosen is not None and self.template.findData(chosen) >= 0:
            self.template.setCurrentIndex(self.template.findData(chosen))

    def _load_assignment(self) -> None:
        link = self.service.assignment(self.meeting_id)
        if link is not None:
            if self.template.findData(link.template_id) < 0:  # an archived template stays shown
                self.template.addItem(link.template_name, link.template_id)
            self.template.setCurrentIndex(self.template.findData(link.template_id))
            self.distributed.setValue(link.distributed or 0)
        self.assigned = link
        self._build_form()
        self._refresh_tab()

    def _assign(self) -> None:
        if self._try("設定できませんでした", lambda: self.service.assign(
                self.meeting_id, self.template.currentData(), self.distributed.value() or None)):
            self._load_assignment()

    def _edit_templates(self) -> None:
        QuestionnaireTemplatesDialog(self.ctx, self).exec()
        self._load_templates()
        self._load_assignment()

    def _try(self, title: str, action) -> bool:
        try:
            action()
        except DomainError as exc:
            self.ctx.messages.failure(title, exc)
            return False
        return True

    # --- 回答入力 ------------------------------------------------------------------------------
    def _entry_page(self) -> QWidget:
        page = QWidget(self)
        row = QHBoxLayout(page)
        left = QVBoxLayout()
        self.entry_hint = QLabel("", page)
        self.entry_hint.setWordWrap(True)
        left.addWidget(self.entry_hint)
        self.form_box = QWidget(page)
        self.form = QFormLayout(self.form_box)
        left.addWidget(self.form_box)
        self.sheet_no = QSpinBox(page)
        self.sheet_no.setObjectName("sheetNo")
        self.sheet_no.setRange(1, 100_000)
        self.profession = QComboBox(page)
        self.profession.setObjectName("sheetProfession")
        self.profession.addItem("（未記入）", None)
        for p in self.ctx.services.vocab.list("profession"):
            self.profession.addItem(p.name, p.id)
        for label in (CITIZENS_LABEL, OTHERS_LABEL):
            self.profession.addItem(label, label)
        self.form.addRow("用紙番号", self.sheet_no)
        self.form.addRow("職種", self.profession)
        actions = QHBoxLayout()
        self.next_button = QPushButton("次の用紙", page)
        self.next_button.setObjectName("nextSheet")
        self.next_button.setToolTip("この用紙を保存して、次の用紙に進みます（Ctrl+Enter）")
        self.next_button.setAutoDefault(True)
        self.next_button.clicked.connect(self._next_sheet)
        actions.addWidget(self.next_button)
        actions.addWidget(_button("入力を取り消す", "clearSheet", page, self._clear_form))
        actions.addStretch(1)
        left.addLayout(actions)
        left.addStretch(1)
        row.addLayout(left, 3)
        right = QVBoxLayout()
        self.sheet_count = QLabel("", page)
        self.sheet_count.setObjectName("sheetCount")
        right.addWidget(self.sheet_count)
        self.sheets = _table(page, "sheetTable", ["用紙", "職種", "回答"])
        self.sheets.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.sheets.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.sheets.doubleClicked.connect(lambda _i: self._load_sheet())
        right.addWidget(self.sheets, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(_button("選んだ用紙を直す", "editSheet", page, self._load_sheet))
        buttons.addWidget(_button("選んだ用紙を削除", "deleteSheet", page, self._delete_sheet))
        right.addLayout(buttons)
        row.addLayout(right, 2)
        return page

    def _build_form(self) -> None:
        while self.form.rowCount() > 2:  # the sheet number and profession rows stay
            self.form.removeRow(2)
        self.inputs = {}
        self.items = self.service.get_template(self.assigned.template_id).items if self.assigned else ()
        for no, item in enumerate(self.items, start=1):
            if item.kind == "text":
                edit: QLineEdit = QLineEdit(self.form_box)
                edit.setPlaceholderText("自由記述（Enterで次へ）")
                field: QWidget = edit
            else:
                edit = PointEdit(item.kind, item.labels, self.form_box)
                field = QWidget(self.form_box)
                line = QHBoxLayout(field)
                line.setContentsMargins(0, 0, 0, 0)
                line.addWidget(edit)
                hint = QLabel("　".join(f"<span style='white-space:nowrap'>{i}:{label}</span>"
                                       for i, label in enumerate(item.labels, start=1)), field)
                hint.setStyleSheet("color:#555;")
                hint.setWordWrap(True)
                line.addWidget(hint, 1)
            edit.setObjectName(f"answer{no}")
            label = QLabel(f"{no}. {item.text}", self.form_box)
            label.setWordWrap(True)
            self.form.addRow(label, field)
            self.inputs[item.id] = edit
        chain = [self.sheet_no, self.profession, *self.inputs.values(), self.next_button]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)
        self.form_box.setVisible(bool(self.assigned))
        self.next_button.setEnabled(bool(self.assigned))
        self.entry_hint.setText(
            "数字キーで答えを選ぶと次の設問に進みます（空欄＝無回答）。Enterで次の欄、「次の用紙」（Ctrl+Enter）で保存して次の用紙へ。"
            if self.assigned else "配ったアンケートを選んで「設定」を押すと、回答を入力できます。")
        self._load_sheets()
        self._clear_form()

    def _load_sheets(self) -> None:
        self.responses = self.service.list_responses(self.meeting_id) if self.assigned else []
        def summary(r: ResponseRead) -> str:
            parts = []
            for item in self.items:
                value = r.answers.get(item.id)
                if item.kind == "text":
                    parts.append(f"「{value}」" if value else NO_ANSWER)
                else:
                    parts.append(str(value) if value else NO_ANSWER)
            return " ".join(parts)
        _fill(self.sheets, [[str(r.sheet_no), r.profession or "（未記入）", summary(r)] for r in self.responses])
        self.sheet_count.setText(f"入力済み {len(self.responses)}枚")

    def _clear_form(self) -> None:
        self.editing = None
        self.next_button.setText("次の用紙")
        for edit in self.inputs.values():
            edit.clear()
        self.sheet_no.setValue(max((r.sheet_no for r in self.responses), default=0) + 1)
        self.profession.setCurrentIndex(0)
        self.profession.setFocus()

    def _sheet_input(self) -> SheetInput:
        data = self.profession.currentData()
        answers = {item_id: (edit.value() if isinstance(edit, PointEdit) else edit.text())
                   for item_id, edit in self.inputs.items()}
        known = data in (CITIZENS_LABEL, OTHERS_LABEL)
        return SheetInput(self.sheet_no.value(), answers, None if known else data, data if known else "")

    def _next_sheet(self) -> None:
        if not self.assigned:
            return
        sheet = self._sheet_input()
        editing = self.editing
        save = (lambda: self.service.update_response(editing, sheet)) if editing else (
            lambda: self.service.add_response(self.meeting_id, sheet))
        if self._try("用紙を保存できませんでした", save):
            self._load_sheets()
            self._clear_form()

    def _selected_sheet(self) -> ResponseRead | None:
        row = self.sheets.currentRow()
        return self.responses[row] if 0 <= row < len(self.responses) else None

    def _load_sheet(self) -> None:
        sheet = self._selected_sheet()
        if sheet is None:
            return
        self.editing = sheet.id
        self.next_button.setText("直した用紙を保存")
        self.sheet_no.setValue(sheet.sheet_no)
        key = sheet.profession_id or sheet.profession_label or None
        self.profession.setCurrentIndex(max(0, self.profession.findData(key)))
        for item_id, edit in self.inputs.items():
            value = sheet.answers.get(item_id)
            edit.set_value(value) if isinstance(edit, PointEdit) else edit.setText(str(value or ""))
        self.profession.setFocus()

    def _delete_sheet(self) -> None:
        sheet = self._selected_sheet()
        if sheet is None or not self.ctx.messages.confirm(
                "用紙の削除", f"用紙 {sheet.sheet_no} の回答を削除しますか？", ok="削除する", cancel="やめる"):
            return
        if self._try("削除できませんでした", lambda: self.service.delete_response(sheet.id)):
            self._load_sheets()
            self._clear_form()

    def _has_unsaved_sheet(self) -> bool:
        return any(edit.text() for edit in self.inputs.values())

    def reject(self) -> None:
        """Closing with a half-keyed sheet asks first: a keyed sheet is never thrown away silently."""
        if self._has_unsaved_sheet() and not self.ctx.messages.confirm(
                "入力中の用紙", "入力中の用紙はまだ保存されていません。保存せずに閉じますか？", ok="閉じる", cancel="入力に戻る"):
            return
        super().reject()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Enter moves to the next field instead of closing the dialog."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.focusNextChild()
            return
        super().keyPressEvent(event)

    # --- 集計 ----------------------------------------------------------------------------------
    def _tally_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        line = QHBoxLayout()
        self.rate = QLabel("", page)
        self.rate.setObjectName("responseRate")
        line.addWidget(self.rate, 1)
        line.addWidget(QLabel("対象", page))
        self.group = QComboBox(page)
        self.group.setObjectName("tallyGroup")
        self.group.currentIndexChanged.connect(lambda _i: self._show_tally())
        line.addWidget(self.group)
        layout.addLayout(line)
        self.tally_table = _table(page, "tallyTable", ["設問", "回答数", "1", "2", "3", "4", "5", "評価", "平均"])
        self.tally_table.currentCellChanged.connect(lambda *_a: self._show_chart())
        layout.addWidget(self.tally_table, 2)
        self.chart_view = QChartView(QChart(), page)
        self.chart_view.setObjectName("tallyChart")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(240)
        self.texts = QPlainTextEdit(page)
        self.texts.setObjectName("tallyTexts")
        self.texts.setReadOnly(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.chart_view, 3)
        bottom.addWidget(self.texts, 2)
        layout.addLayout(bottom, 3)
        save = QHBoxLayout()
        save.addStretch(1)
        self.save_chart_button = _button("画像として保存…", "saveChart", page, lambda: self.save_chart())
        save.addWidget(self.save_chart_button)
        layout.addLayout(save)
        return page

    def _refresh_tab(self) -> None:
        index = self.tabs.currentIndex()
        if index == 1:
            self._load_tally()
        elif index == 2:
            self._load_compare_choices()

    def _load_tally(self) -> None:
        self.current = self.service.tally(self.meeting_id) if self.assigned else None
        if self.current is None:
            self.rate.setText("アンケートが設定されていません。")
        else:
            note = "（配布数＝出席者数）" if self.current.distributed is None else ""
            self.rate.setText(rate_text(self.current.returned, self.current.base) + note)
        chosen = self.group.currentText() or ALL
        self.group.blockSignals(True)
        self.group.clear()
        self.group.addItem(ALL)
        first = self.current.items[0].by_profession if self.current and self.current.items else ()
        self.group.addItems([name for name, _t in first])  # every item has the same groups
        self.group.setCurrentIndex(max(0, self.group.findText(chosen)))
        self.group.blockSignals(False)
        self._show_tally()

    def _item_tally(self, item: ItemTally) -> PointTally:
        group = self.group.currentText()
        return item.overall if group in ("", ALL) else dict(item.by_profession).get(group, PointTally((), 0))

    def _show_tally(self) -> None:
        rows = []
        for item in self.current.items if self.current else ():
            if item.kind == "text":
                whole = "" if self.group.currentText() in ("", ALL) else "（全体）"
                rows.append([item.text, f"{len(item.texts)}件{whole}", "", "", "", "", "", "自由記述", ""])
                continue
            t = self._item_tally(item)
            counts = [str(c) for c in t.counts] + [""] * (5 - len(t.counts))
            mean = "" if t.mean is None or item.kind == "yesno" else f"{t.mean:.2f}"
            rows.append([item.text, str(t.n), *counts, f"{top_caption(item.kind)} {percent(t.top_share)}", mean])
        row = max(0, self.tally_table.currentRow())
        _fill(self.tally_table, rows)
        if rows:
            self.tally_table.setCurrentCell(min(row, len(rows) - 1), 0)
        self._show_chart()

    def _show_chart(self) -> None:
        chart = QChart()
        chart.legend().hide()
        self.texts.clear()
        items = self.current.items if self.current else ()
        row = self.tally_table.currentRow()
        item = items[row] if 0 <= row < len(items) else None
        if item is not None and item.kind == "text":
            self.texts.setPlainText("\n".join(f"・{text}" for text in item.texts) or "（記入なし）")
        elif item is not None:
            t = self._item_tally(item)
            bars = QBarSet("人数")
            bars.append([float(c) for c in t.counts])
            series = QBarSeries()
            series.append(bars)
            series.setLabelsVisible(True)
            chart.addSeries(series)
            axis_x = QBarCategoryAxis()
            axis_x.append(list(item.labels))
            axis_y = QValueAxis()
            axis_y.setRange(0, max([1, *t.counts]))
            axis_y.setLabelFormat("%d")
            axis_y.applyNiceNumbers()
            chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
            series.attachAxis(axis_x)
            series.attachAxis(axis_y)
            group = self.group.currentText()
            chart.setTitle(f"{item.text}（{group}　n={t.n}　{top_caption(item.kind)} {percent(t.top_share)}）")
        old = self.chart_view.chart()
        self.chart_view.setChart(chart)
        old.deleteLater()
        is_text = item is not None and item.kind == "text"
        self.chart_view.setVisible(not is_text)
        self.texts.setVisible(is_text)
        self.save_chart_button.setEnabled(item is not None and not is_text)

    def save_chart(self, path: Path | None = None) -> Path | None:
        """Write the chart shown as a PNG (asks where when no path is given); the file appears whole or not at all."""
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, "グラフを画像として保存", str(Path.home() / "アンケート集計.png"),
                                                  "PNG画像 (*.png)")
            if not name:
                return None
            path = Path(name)
        if path.suffix.lower() != ".png":
            path = path.with_suffix(".png")
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        self.chart_view.grab().save(buffer, "PNG")
        buffer.close()
        if not self._try("画像を保存できませんでした", lambda: write_atomically(path, lambda f: f.write(bytes(data)))):
            return None
        self.ctx.messages.info("保存しました", f"グラフを保存しました。\n{path}")
        return path

    # --- 前後比較 -------------------------------------------------------------------------------
    def _compare_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        line = QHBoxLayout()
        line.addWidget(QLabel("比べる会議・研修", page))
        self.other = QComboBox(page)
        self.other.setObjectName("compareWith")
        self.other.currentIndexChanged.connect(lambda _i: self._show_compare())
        line.addWidget(self.other, 1)
        layout.addLayout(line)
        self.compare_note = QLabel("", page)
        self.compare_note.setObjectName("compareNote")
        self.compare_note.setWordWrap(True)
        layout.addWidget(self.compare_note)
        self.compare_table = _table(page, "compareTable", ["設問", "前", "後", "差"])
        layout.addWidget(self.compare_table, 1)
        return page

    def _load_compare_choices(self) -> None:
        self.other.blockSignals(True)
        self.other.clear()
        for m in self.service.comparable_meetings(self.meeting_id):
            self.other.addItem(f"{self.ctx.format_date(m.date, weekday=False)}　{m.title}（{m.returned}枚）", m.id)
        self.other.blockSignals(False)
        self._show_compare()

    def _show_compare(self) -> None:
        other = self.other.currentData()
        if other is None:
            self.compare_note.setText("同じアンケートを配ったほかの会議・研修がありません。" if self.assigned
                                      else "アンケートが設定されていません。")
            _fill(self.compare_table, [])
            return
        this = self.ctx.services.meetings.get(self.meeting_id).row
        that = self.ctx.services.meetings.get(other).row
        before, after = (other, self.meeting_id) if (that.date, that.start_time or "") <= (this.date, this.start_time or "") \
            else (self.meeting_id, other)
        try:
            result = self.service.compare(before, after)
        except DomainError as exc:
            self.ctx.messages.failure("比べられませんでした", exc)
            return
        headers = ["設問", f"前：{self.ctx.format_date(result.before.date, weekday=False)}",
                   f"後：{self.ctx.format_date(result.after.date, weekday=False)}", "差"]
        self.compare_table.setHorizontalHeaderLabels(headers)
        self.compare_note.setText(f"前：{result.before.title}（{rate_text(result.before.returned, result.before.base)}）\n"
                                  f"後：{result.after.title}（{rate_text(result.after.returned, result.after.base)}）\n"
                                  "数字は「上位2段階」（はい・いいえの設問は「はい」）と答えた人の割合です。")
        _fill(self.compare_table, [[r.text, f"{percent(r.before)}（n={r.before_n}）", f"{percent(r.after)}（n={r.after_n}）",
                                    points_text(r.diff)] for r in result.rows])


class QuestionnaireTemplatesDialog(QDialog):
    """Add and edit questionnaires: name and items (kind, text, own labels)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.service = ctx.services.questionnaires
        self.template_id: str | None = None
        self.item_ids: list[str | None] = []
        self.setObjectName("questionnaireTemplatesDialog")
        self.setWindowTitle("アンケートの編集")
        self.resize(960, 560)
        self.service.ensure_default_templates()
        layout = QGridLayout(self)
        self.list = QListWidget(self)
        self.list.setObjectName("templateList")
        self.list.currentRowChanged.connect(self._show)
        layout.addWidget(self.list, 0, 0)
        left = QHBoxLayout()
        left.addWidget(_button("新しいアンケート", "newTemplate", self, self._new))
        left.addWidget(_button("使わなくする", "archiveTemplate", self, self._archive))
        layout.addLayout(left, 1, 0)
        right = QVBoxLayout()
        form = QFormLayout()
        self.name = QLineEdit(self)
        self.name.setObjectName("templateName")
        form.addRow("名前", self.name)
        right.addLayout(form)
        self.items = QTableWidget(0, 3, self)
        self.items.setObjectName("templateItems")
        self.items.setHorizontalHeaderLabels(["種類", "設問", "選択肢（良い順に「、」で区切る・空欄＝標準）"])
        self.items.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.items.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.items.verticalHeader().hide()
        right.addWidget(self.items, 1)
        buttons = QHBoxLayout()
        for text, name, slot in (("設問を追加", "addItem", lambda: self._add_row("scale4", "", "", None)),
                                 ("上へ", "itemUp", lambda: self._move(-1)), ("下へ", "itemDown", lambda: self._move(1)),
                                 ("設問を外す", "removeItem", self._remove_row)):
            buttons.addWidget(_button(text, name, self, slot))
        buttons.addStretch(1)
        buttons.addWidget(_button("保存", "saveTemplate", self, self._save))
        right.addLayout(buttons)
        layout.addLayout(right, 0, 1, 2, 1)
        layout.setColumnStretch(0, 1)
        layout.setColumnStretch(1, 3)
        close = QDialogButtonBox(self)
        close.addButton("閉じる", QDialogButtonBox.ButtonRole.RejectRole).setAutoDefault(False)
        close.rejected.connect(self.reject)
        layout.addWidget(close, 2, 0, 1, 2)
        self._reload()

    def _reload(self, select: str | None = None) -> None:
        self.templates = self.service.list_templates()
        self.list.blockSignals(True)
        self.list.clear()
        self.list.addItems([t.name for t in self.templates])
        self.list.blockSignals(False)
        ids = [t.id for t in self.templates]
        self.list.setCurrentRow(ids.index(select) if select in ids else (0 if ids else -1))
        if not ids:
            self._new()

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.templates):
            return
        template = self.templates[row]
        self.template_id = template.id
        self.name.setText(template.name)
        self.items.setRowCount(0)
        self.item_ids = []
        for item in template.items:
            self._add_row(item.kind, item.text, "、".join(split_labels(item.choices)), item.id)

    def _new(self) -> None:
        self.template_id = None
        self.list.clearSelection()
        self.name.clear()
        self.items.setRowCount(0)
        self.item_ids = []
        self._add_row("scale4", "", "", None)
        self.name.setFocus()

    def _add_row(self, kind: str, text: str, choices: str, item_id: str | None) -> None:
        row = self.items.rowCount()
        self.items.insertRow(row)
        combo = QComboBox(self.items)
        for key in ITEM_KINDS:
            combo.addItem(KIND_LABELS[key], key)
        combo.setCurrentIndex(ITEM_KINDS.index(kind))
        self.items.setCellWidget(row, 0, combo)
        self.items.setItem(row, 1, QTableWidgetItem(text))
        self.items.setItem(row, 2, QTableWidgetItem(choices))
        self.item_ids.append(item_id)

    def _specs(self) -> list[ItemSpec]:
        return [ItemSpec(self.items.cellWidget(r, 0).currentData(), self.items.item(r, 1).text(),
                         self.items.item(r, 2).text(), self.item_ids[r]) for r in range(self.items.rowCount())]

    def _rebuild(self, specs: list[ItemSpec], current: int) -> None:
        self.items.setRowCount(0)
        self.item_ids = []
        for spec in specs:
            self._add_row(spec.kind, spec.text, spec.choices, spec.id)
        self.items.setCurrentCell(current, 1)

    def _move(self, step: int) -> None:
        row, specs = self.items.currentRow(), self._specs()
        if 0 <= row < len(specs) and 0 <= row + step < len(specs):
            specs[row], specs[row + step] = specs[row + step], specs[row]
            self._rebuild(specs, row + step)

    def _remove_row(self) -> None:
        row, specs = self.items.currentRow(), self._specs()
        if 0 <= row < len(specs):
            del specs[row]
            self._rebuild(specs, max(0, row - 1))

    def _save(self) -> None:
        specs = self._specs()
        try:
            saved = (self.service.update_template(self.template_id, self.name.text(), specs) if self.template_id
                     else self.service.add_template(self.name.text(), specs))
        except DomainError as exc:
            self.ctx.messages.failure("保存できませんでした", exc)
            return
        self._reload(saved.id)

    def _archive(self) -> None:
        if self.template_id is None or not self.ctx.messages.confirm(
                "アンケートを使わなくする", f"「{self.name.text()}」を一覧から外しますか？入力済みの回答は残ります。",
                ok="外す", cancel="やめる"):
            return
        try:
            self.service.set_template_archived(self.template_id, True)
        except DomainError as exc:
            self.ctx.messages.failure("変更できませんでした", exc)
            return
        self._reload()
