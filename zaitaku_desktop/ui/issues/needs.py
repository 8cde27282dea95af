"""Needs matching (ニーズのマッチング): associations' needs, suggested matches, planned 二次連携 events."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView,
    QLabel, QLineEdit, QPlainTextEdit, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.errors import DomainError
from zaitaku_desktop.domain.issues import NeedInput
from zaitaku_desktop.models import VocabItem
from zaitaku_desktop.services.issues import MatchSuggestion

from ..context import AppContext
from .issue_form import ERROR_STYLE, checkable_list, checked_ids
from .models import NeedsModel, PlannedEventsModel, SuggestionsModel

HUB = "連携拠点"


def _table(name: str, model, parent: QWidget, stretch: int, widths: tuple[int, ...] = ()) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    # Needs and suggestions are sentences: wrap them and let rows grow to fit.
    view.setWordWrap(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header = view.horizontalHeader()
    for i, width in enumerate(widths):
        header.resizeSection(i, width)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


class PlanEventDialog(QDialog):
    """Title and description of the planned 二次連携 event (pre-filled from the suggestion)."""

    def __init__(self, suggestion: MatchSuggestion, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("planEventDialog")
        self.setWindowTitle("二次連携の企画にする")
        self.resize(560, 300)
        form = QFormLayout(self)
        form.addRow(QLabel("組み合わせるニーズ：\n" + "\n".join(f"・{n.association}「{n.text}」"
                                                           for n in suggestion.needs), self))
        self.title = QLineEdit(suggestion.suggested_title, self)
        self.title.setObjectName("field_event_title")
        form.addRow("企画名", self.title)
        self.title_error = QLabel("", self)
        self.title_error.setObjectName("error_event_title")
        self.title_error.setStyleSheet(ERROR_STYLE)
        self.title_error.hide()
        form.addRow("", self.title_error)
        self.description = QPlainTextEdit(self)
        self.description.setObjectName("field_event_description")
        self.description.setPlainText("共通のテーマ：" + "・".join(suggestion.shared_themes))
        form.addRow("内容", self.description)
        buttons = QDialogButtonBox(self)
        ok = buttons.addButton("企画にする", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("okButton")
        cancel = buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("cancelButton")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _accept(self) -> None:
        if not self.title.text().strip():
            self.title_error.setText("企画名を入力してください")
            self.title_error.show()
            return
        self.accept()


class NeedsPanel(QWidget):
    status_message = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("needsPanel")
        self.vocab: dict[str, list[VocabItem]] = {}
        self.needs_model = NeedsModel(self)
        self.suggestions_model = SuggestionsModel(self)
        self.events_model = PlannedEventsModel(lambda d: ctx.format_date(d, weekday=False), self)
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        layout.addWidget(splitter, 1)

        left = QWidget(splitter)
        col = QVBoxLayout(left)
        col.setContentsMargins(0, 0, 0, 0)
        needs_box = QGroupBox("団体・連携拠点のニーズ", left)
        nb = QVBoxLayout(needs_box)
        self.needs = _table("needsTable", self.needs_model, needs_box, 1, (120, 200, 150, 70))
        nb.addWidget(self.needs, 1)
        col.addWidget(needs_box, 1)
        add_box = QGroupBox("ニーズを追加", left)
        form = QFormLayout(add_box)
        self.association = QComboBox(add_box)
        self.association.setObjectName("needAssociation")
        form.addRow("団体", self.association)
        self.text = QLineEdit(add_box)
        self.text.setObjectName("needText")
        self.text.setPlaceholderText("例：薬剤師の職能を他職種に理解してもらいたい")
        self.text.textChanged.connect(lambda _t: self.text_error.hide())
        form.addRow("ニーズ", self.text)
        self.text_error = QLabel("", add_box)
        self.text_error.setObjectName("error_needText")
        self.text_error.setStyleSheet(ERROR_STYLE)
        self.text_error.setWordWrap(True)
        self.text_error.hide()
        form.addRow("", self.text_error)
        self.themes_holder = QVBoxLayout()
        self.themes = checkable_list("needThemes", [], set(), add_box)
        self.themes_holder.addWidget(self.themes)
        form.addRow("テーマ", self.themes_holder)
        self.add_button = QPushButton("ニーズを追加", add_box)
        self.add_button.setObjectName("addNeed")
        self.add_button.clicked.connect(self.add_need)
        form.addRow("", self.add_button)
        col.addWidget(add_box)

        right = QWidget(splitter)
        col = QVBoxLayout(right)
        col.setContentsMargins(0, 0, 0, 0)
        match_box = QGroupBox("マッチングの提案（テーマが重なる、異なる団体のニーズ）", right)
        mb = QVBoxLayout(match_box)
        self.suggestions = _table("suggestionsTable", self.suggestions_model, match_box, 2, (300, 110))
        self.suggestions.selectionModel().selectionChanged.connect(self._update_buttons)
        self.suggestions.doubleClicked.connect(lambda _i: self.plan_selected())
        mb.addWidget(self.suggestions, 1)
        bar = QHBoxLayout()
        self.plan_button = QPushButton("二次連携の企画にする", match_box)
        self.plan_button.setObjectName("planEvent")
        self.plan_button.clicked.connect(self.plan_selected)
        bar.addStretch(1)
        bar.addWidget(self.plan_button)
        mb.addLayout(bar)
        col.addWidget(match_box, 1)
        events_box = QGroupBox("企画（会議・研修で採用予定）", right)
        eb = QVBoxLayout(events_box)
        self.events = _table("plannedEvents", self.events_model, events_box, 0, (300, 70, 130, 100))
        eb.addWidget(self.events, 1)
        col.addWidget(events_box, 1)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        self._update_buttons()

    def set_vocab(self, vocab: dict[str, list[VocabItem]]) -> None:
        self.vocab = vocab
        current = self.association.currentData()
        self.association.clear()
        self.association.addItem(HUB, None)
        for a in vocab.get("association", []):
            if not a.archived:
                self.association.addItem(a.name, a.id)
        self.association.setCurrentIndex(max(0, self.association.findData(current)))
        old = self.themes
        self.themes = checkable_list("needThemes", [t for t in vocab.get("theme", []) if not t.archived], set(),
                                     old.parentWidget())
        self.themes_holder.replaceWidget(old, self.themes)
        old.deleteLater()

    def load(self) -> None:
        service = self.ctx.services.issues

        def work():
            return service.list_needs(), service.suggest_matches(), service.list_planned_events()

        def done(result) -> None:
            needs, suggestions, events = result
            self.needs_model.set_rows(needs)
            self.suggestions_model.set_rows(suggestions)
            self.events_model.set_rows(events)
            self._update_buttons()

        self.ctx.runner.run(work, on_done=done,
                            on_error=lambda exc: self.ctx.messages.failure("ニーズを読み込めません", exc))

    def _update_buttons(self, *_args) -> None:
        self.plan_button.setEnabled(self.current_suggestion() is not None)

    def current_suggestion(self) -> MatchSuggestion | None:
        selected = self.suggestions.selectionModel().selectedRows()
        if not selected or selected[0].row() >= self.suggestions_model.rowCount():
            return None
        return self.suggestions_model.row_at(selected[0].row())

    def add_need(self) -> None:
        text = self.text.text().strip()
        if not text:
            self.text_error.setText("ニーズの内容を入力してください")
            self.text_error.show()
            self.text.setFocus()
            return
        data = NeedInput(association_id=self.association.currentData(), text=text, theme_ids=checked_ids(self.themes))
        try:
            need = self.ctx.services.issues.add_need(data)
        except DomainError as exc:
            self.ctx.messages.failure("ニーズを追加できません", exc)
            return
        self.text.clear()
        self.themes.set_checked([])
        self.status_message.emit(f"{need.association}のニーズを追加しました")
        self.load()

    def plan_selected(self) -> None:
        suggestion = self.current_suggestion()
        if suggestion is None:
            return
        dialog = PlanEventDialog(suggestion, self)
        if not dialog.exec():
            return
        try:
            event = self.ctx.services.issues.plan_event(
                [n.id for n in suggestion.needs], dialog.title.text().strip(),
                dialog.description.toPlainText().strip())
        except DomainError as exc:
            self.ctx.messages.failure("企画にできません", exc)
            return
        self.status_message.emit(f"「{event.title}」を二次連携の企画にしました")
        self.load()
