"""The 課題ボード tab: filters, the profession × layer board, the kanban, needs matching and a detail pane."""

from __future__ import annotations

import datetime as dt
import html
import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMenu,
    QSplitter, QStackedWidget, QTextBrowser, QToolBar, QToolButton, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.dates import era_of, fiscal_year
from zaitaku_desktop.domain.errors import DomainError, ValidationError
from zaitaku_desktop.domain.issues import (
    FEEDBACK_METHODS, LAYER_KEYS, LAYER_LABELS, STATUS_COLOURS, STATUSES, IssueInput,
)
from zaitaku_desktop.models import VocabItem
from zaitaku_desktop.services.issues import IssueDetail, IssueFilter, IssueRow, filter_issue_rows

from ..context import AppContext
from ..widgets.date_field import read_typed_date
from ..icons import icon
from .issue_form import ERROR_STYLE, history_lines
from .kanban import KanbanBoard
from .layer_board import LayerBoard
from .needs import NeedsPanel

log = logging.getLogger(__name__)

VIEW_BOARD, VIEW_KANBAN, VIEW_NEEDS = 0, 1, 2


class MoveReasonDialog(QDialog):
    """Asked when a card goes to another layer: why (required; cancel = no move)."""

    def __init__(self, title: str, from_layer: str, to_layer: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("moveReasonDialog")
        self.setWindowTitle("層を移す理由")
        self.resize(480, 170)
        layout = QVBoxLayout(self)
        label = QLabel(f"「{title}」を {from_layer}連携 から {to_layer}連携 へ移します。\n理由を入力してください。", self)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.reason = QLineEdit(self)
        self.reason.setObjectName("moveReason")
        self.reason.setPlaceholderText("例：他の職種との話し合いが必要とわかったため")
        layout.addWidget(self.reason)
        self.buttons = QDialogButtonBox(self)
        self.ok = self.buttons.addButton("移す", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("okButton")
        cancel = self.buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("cancelButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.reason.textChanged.connect(lambda t: self.ok.setEnabled(bool(t.strip())))
        self.ok.setEnabled(False)

    def value(self) -> str:
        return self.reason.text().strip()


def ask_move_reason(parent: QWidget, title: str, from_layer: str, to_layer: str) -> str | None:
    dialog = MoveReasonDialog(title, from_layer, to_layer, parent)
    if dialog.exec() and dialog.value():
        return dialog.value()
    return None


class FeedbackDialog(QDialog):
    """フィードバック記録: when and how the issue was fed back to the association."""

    def __init__(self, row: IssueRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("feedbackDialog")
        self.setWindowTitle("フィードバックの記録")
        self.resize(440, 180)
        form = QFormLayout(self)
        who = row.source_association or "職能団体"
        form.addRow(QLabel(f"「{row.title}」を{who}へ返した日と方法を記録します。", self))
        self.day = QLineEdit(dt.date.today().strftime("%Y/%m/%d"), self)
        self.day.setObjectName("feedbackDate")
        form.addRow("日付", self.day)
        self.day_error = QLabel("", self)
        self.day_error.setObjectName("error_feedbackDate")
        self.day_error.setStyleSheet(ERROR_STYLE)
        self.day_error.hide()
        form.addRow("", self.day_error)
        self.how = QComboBox(self)
        self.how.setObjectName("feedbackHow")
        self.how.setEditable(True)
        self.how.addItems(list(FEEDBACK_METHODS))
        form.addRow("方法", self.how)
        buttons = QDialogButtonBox(self)
        ok = buttons.addButton("記録", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("okButton")
        cancel = buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("cancelButton")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.date: dt.date | None = None

    def _accept(self) -> None:
        self.date = read_typed_date(self.day, self.day_error, "日付を 2026/11/22 や 令和8年11月22日 の形で入力してください")
        if self.date is not None:
            self.accept()


def fiscal_year_label(year: int) -> str:
    era, n = era_of(dt.date(year, 4, 1))
    return f"{year}年度（{era}{'元' if n == 1 else n}年度）"


class IssueBoardTab(QWidget):
    status_message = Signal(str)
    counts_changed = Signal(int, int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("issueBoardTab")
        self.vocab: dict[str, list[VocabItem]] = {}
        self.all_rows: list[IssueRow] = []
        self.shown_rows: list[IssueRow] = []
        self.selected_id: str | None = None
        self._build_actions()
        self._build_ui()
        self._update_actions()
        self.restore_layout()

    # --- remembered layout ---------------------------------------------------------------------------------------
    def restore_layout(self) -> None:
        """The view (層×職種 / カンバン / ニーズ) and the detail pane's width, as the user left them."""
        view = self.ctx.settings.get("issues/view")
        if 0 <= view < self.stack.count() and view != self.stack.currentIndex():
            self.show_view(view)
        state = self.ctx.settings.get_state("issue_splitter")
        if state is not None:
            self.splitter.restoreState(state)

    def save_layout(self) -> None:
        self.ctx.settings.set_state("issue_splitter", self.splitter.saveState())

    @property
    def service(self):
        return self.ctx.services.issues

    # --- construction -------------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        def act(name: str, text: str, icon_name: str, slot, tip: str) -> QAction:
            action = QAction(icon(icon_name), text, self)
            action.setObjectName(name)
            action.setStatusTip(tip)
            action.triggered.connect(slot)
            return action

        self.act_new = act("actNewIssue", "新規…", "add", self.new_issue, "新しい課題を登録します（Ctrl+N）")
        self.act_new.setShortcut(QKeySequence(QKeySequence.StandardKey.New))
        self.act_edit = act("actEditIssue", "編集…", "edit", self.edit_selected, "選んだ課題を開きます")
        self.act_archive = act("actArchiveIssue", "アーカイブ", "archive", self.toggle_archive_selected,
                               "選んだ課題をボードから外します（削除はしません）")
        self.act_feedback = act("actFeedbackIssue", "フィードバック記録…", "history", self.record_feedback,
                                "団体へ返した日と方法を記録します")
        self.addAction(self.act_new)
        from . import outputs

        self.act_export = act("actExportIssues", "Excelに書き出し…", "excel",
                              lambda: outputs.export_issues_xlsx(self.ctx, self), "課題・対応策・集計をExcelに書き出します")
        self.act_feedback_pdf = act("actFeedbackPdf", "フィードバックシート（PDF）…", "pdf",
                                    lambda: outputs.feedback_pdf(self.ctx, self),
                                    "職能団体に渡す、その団体の職種の課題と対応策の一覧")
        self.act_list_pdf = act("actIssueListPdf", "課題リスト（PDF）…", "print",
                                lambda: outputs.issue_list_pdf(self.ctx, self), "職種を並べた課題リスト（A4横1枚）")

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)

        top = QHBoxLayout()
        self.toolbar = QToolBar("課題", self)
        self.toolbar.setObjectName("issueToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (self.act_new, self.act_edit, self.act_archive, self.act_feedback, None,
                  self.act_export, self.act_feedback_pdf, self.act_list_pdf):
            if a is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(a)
        top.addWidget(self.toolbar)
        top.addStretch(1)
        self.view_buttons: list[QToolButton] = []
        for i, (name, text) in enumerate((("showBoard", "層×職種"), ("showKanban", "カンバン"),
                                          ("showNeeds", "ニーズのマッチング"))):
            button = QToolButton(self)
            button.setObjectName(name)
            button.setText(text)
            button.setCheckable(True)
            button.setAutoExclusive(True)
            button.clicked.connect(lambda _c=False, v=i: self.show_view(v))
            top.addWidget(button)
            self.view_buttons.append(button)
        self.view_buttons[0].setChecked(True)
        layout.addLayout(top)

        self.filter_bar = QWidget(self)
        self.filter_bar.setObjectName("issueFilterBar")
        bar = QHBoxLayout(self.filter_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit(self)
        self.search.setObjectName("issueSearch")
        self.search.setPlaceholderText("検索：題名・内容・対応策（ひらがな・カタカナどちらでも）")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.textChanged.connect(self.refresh)
        self.search.setMinimumWidth(260)
        bar.addWidget(self.search, 3)
        self.status_button = QToolButton(self)
        self.status_button.setObjectName("statusFilter")
        self.status_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.status_menu = QMenu(self.status_button)
        self.status_actions: dict[str, QAction] = {}
        for status in STATUSES:
            action = self.status_menu.addAction(status)
            action.setObjectName(f"statusFilter_{status}")
            action.setCheckable(True)
            action.toggled.connect(self._status_toggled)
            self.status_actions[status] = action
        self.status_menu.addSeparator()
        clear = self.status_menu.addAction("すべての状態")
        clear.setObjectName("statusFilterAll")
        clear.triggered.connect(self.clear_status_filter)
        self.status_button.setMenu(self.status_menu)
        self._status_label()
        bar.addWidget(self.status_button)
        self.municipality_filter = QComboBox(self)
        self.municipality_filter.setObjectName("issueMunicipalityFilter")
        self.theme_filter = QComboBox(self)
        self.theme_filter.setObjectName("issueThemeFilter")
        self.year_filter = QComboBox(self)
        self.year_filter.setObjectName("issueYearFilter")
        for combo in (self.municipality_filter, self.theme_filter, self.year_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumWidth(130)
            combo.currentIndexChanged.connect(self.refresh)
            bar.addWidget(combo)
        self.not_fed_back = QCheckBox("未フィードバックのみ", self)
        self.not_fed_back.setObjectName("notFedBackFilter")
        self.show_all = QCheckBox("すべての職種を表示", self)
        self.show_all.setObjectName("showAllProfessions")
        self.archived_filter = QCheckBox("アーカイブも表示", self)
        self.archived_filter.setObjectName("issueArchivedFilter")
        for box in (self.not_fed_back, self.show_all, self.archived_filter):
            box.toggled.connect(self.refresh)
            bar.addWidget(box)
        bar.addStretch(1)
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("issueCount")
        bar.addWidget(self.count_label)
        layout.addWidget(self.filter_bar)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("issueSplitter")
        self.stack = QStackedWidget(self.splitter)
        self.stack.setObjectName("issueViewStack")
        self.board = LayerBoard(self.stack)
        self.kanban = KanbanBoard(self.stack)
        self.needs = NeedsPanel(self.ctx, self.stack)
        self.needs.status_message.connect(self.status_message)
        for view in (self.board, self.kanban):
            view.card_clicked.connect(self.select_id)
            view.card_activated.connect(self.open_issue)
            view.card_menu.connect(self.show_card_menu)
        self.board.dropped.connect(self.handle_board_drop)
        self.kanban.dropped.connect(self.handle_kanban_drop)
        self.stack.addWidget(self.board)
        self.stack.addWidget(self.kanban)
        self.stack.addWidget(self.needs)
        self.detail = QTextBrowser(self.splitter)
        self.detail.setObjectName("issueDetail")
        self.detail.setMinimumWidth(250)
        self.detail.setStyleSheet("QTextBrowser { color: #212121; background: #ffffff; }")
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([1000, 280])
        layout.addWidget(self.splitter, 1)

    def show_view(self, view: int) -> None:
        self.ctx.settings.set("issues/view", view)
        self.stack.setCurrentIndex(view)
        self.view_buttons[view].setChecked(True)
        self.detail.setVisible(view != VIEW_NEEDS)
        self.filter_bar.setVisible(view != VIEW_NEEDS)
        if view == VIEW_NEEDS:
            self.needs.load()

    # --- vocabularies and data --------------------------------------------------------------------------------
    def set_vocab(self, vocab: dict[str, list[VocabItem]]) -> None:
        self.vocab = vocab

        def refill(combo: QComboBox, first: str, items: list[tuple[str, object]]) -> None:
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(first, None)
            for text, data in items:
                combo.addItem(text, data)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)

        refill(self.municipality_filter, "すべての市町村",
               [(m.name, m.id) for m in vocab.get("municipality", []) if not m.archived])
        refill(self.theme_filter, "すべてのテーマ", [(t.name, t.id) for t in vocab.get("theme", []) if not t.archived])
        self.needs.set_vocab(vocab)
        if self.all_rows:
            self.refresh()

    def load(self, on_loaded=None) -> None:
        """Read every issue on the worker, then show the board."""
        service = self.service

        def done(rows: list[IssueRow]) -> None:
            self.set_rows(rows)
            if self.stack.currentIndex() == VIEW_NEEDS:
                self.needs.load()
            if on_loaded:
                on_loaded()

        self.ctx.runner.run(lambda: service.list_rows(include_archived=True), on_done=done,
                            on_error=lambda exc: self.ctx.messages.failure("課題を読み込めません", exc))

    def set_rows(self, rows: list[IssueRow]) -> None:
        self.all_rows = list(rows)
        self._refill_years()
        self.refresh()

    def replace_row(self, row: IssueRow) -> None:
        for i, old in enumerate(self.all_rows):
            if old.id == row.id:
                self.all_rows[i] = row
                break
        else:
            self.all_rows.append(row)
        self._refill_years()
        self.refresh()

    def _refill_years(self) -> None:
        years = sorted({fiscal_year(r.raised_on) for r in self.all_rows if r.raised_on}, reverse=True)
        current = self.year_filter.currentData()
        self.year_filter.blockSignals(True)
        self.year_filter.clear()
        self.year_filter.addItem("すべての年度", None)
        for y in years:
            self.year_filter.addItem(fiscal_year_label(y), y)
        self.year_filter.setCurrentIndex(max(0, self.year_filter.findData(current)))
        self.year_filter.blockSignals(False)

    # --- filters ----------------------------------------------------------------------------------------------
    def _status_toggled(self, *_args) -> None:
        self._status_label()
        self.refresh()

    def _status_label(self) -> None:
        chosen = [s for s, a in self.status_actions.items() if a.isChecked()]
        self.status_button.setText("状態：" + ("すべて" if not chosen else "・".join(chosen)))

    def clear_status_filter(self) -> None:
        for action in self.status_actions.values():
            action.blockSignals(True)
            action.setChecked(False)
            action.blockSignals(False)
        self._status_toggled()

    def set_status_filter(self, statuses: set[str]) -> None:
        for status, action in self.status_actions.items():
            action.blockSignals(True)
            action.setChecked(status in statuses)
            action.blockSignals(False)
        self._status_toggled()

    def current_filter(self) -> IssueFilter:
        return IssueFilter(
            text=self.search.text(),
            statuses=frozenset(s for s, a in self.status_actions.items() if a.isChecked()),
            municipality_id=self.municipality_filter.currentData(),
            theme_id=self.theme_filter.currentData(),
            year=self.year_filter.currentData(),
            include_archived=self.archived_filter.isChecked(),
            not_fed_back_only=self.not_fed_back.isChecked(),
        )

    def refresh(self, *_args) -> None:
        """Apply the filters and rebuild the board and the kanban."""
        self.shown_rows = filter_issue_rows(self.all_rows, self.current_filter())
        if self.selected_id and not any(r.id == self.selected_id for r in self.shown_rows):
            self.selected_id = None
        associations = {a.id: a.name for a in self.vocab.get("association", [])}
        self.board.set_data(self.shown_rows, self.vocab.get("profession", []), associations,
                            show_all=self.show_all.isChecked(), selected_id=self.selected_id)
        self.kanban.set_rows(self.shown_rows, self.selected_id)
        total = sum(1 for r in self.all_rows if not r.archived)
        self.count_label.setText(f"{len(self.shown_rows):,} 件 / {total:,} 件")
        self.counts_changed.emit(len(self.shown_rows), total)
        self._update_actions()
        self._show_detail()

    # --- selection and detail -----------------------------------------------------------------------------------
    def current_row(self) -> IssueRow | None:
        if self.selected_id is None:
            return None
        return next((r for r in self.all_rows if r.id == self.selected_id), None)

    def select_id(self, issue_id: str | None) -> None:
        self.selected_id = issue_id
        self.board.set_selected(issue_id)
        self.kanban.set_selected(issue_id)
        self._update_actions()
        self._show_detail()

    def _update_actions(self) -> None:
        row = self.current_row()
        for a in (self.act_edit, self.act_archive, self.act_feedback):
            a.setEnabled(row is not None)
        self.act_archive.setText("アーカイブから戻す" if row and row.archived else "アーカイブ")

    def _show_detail(self) -> None:
        row = self.current_row()
        if row is None:
            if not self.all_rows:
                self.detail.setHtml(
                    "<p><b>まだ課題が登録されていません。</b></p>"
                    "<p>職能団体との打ち合わせ会（一次連携）で出た課題を「新規」（Ctrl+N）で登録し、"
                    "層（一次・二次・三次）と職種に分けて整理します。</p>")
            else:
                self.detail.setHtml("<p style='color:#777'>カードを選ぶと、ここに課題の詳しい内容が表示されます。"
                                    "ダブルクリックで編集、ドラッグで層・職種・状態を移せます。</p>")
            return
        try:
            detail = self.service.get(row.id)
        except DomainError as exc:
            self.detail.setHtml(f"<p style='color:#b00'>{html.escape(exc.message)}</p>")
            return
        self.detail.setHtml(self.detail_html(detail))

    def detail_html(self, detail: IssueDetail) -> str:
        e = html.escape
        row = detail.row
        colour = STATUS_COLOURS.get(row.status, "#bdbdbd")
        parts = [f"<h3 style='margin-bottom:2px'>{e(row.title)}</h3>",
                 f"<p><span style='background:{colour}'>&nbsp;{e(row.status)}&nbsp;</span>　"
                 f"{e(LAYER_LABELS.get(row.layer, row.layer))}　優先度 {e(row.priority)}</p>"]
        if row.archived:
            parts.append("<p style='color:#b00'>アーカイブ済み</p>")
        if row.is_sample:
            parts.append("<p style='color:#795548'>【サンプル】架空のデータです</p>")
        if row.description:
            parts.append("<p>" + e(row.description).replace("\n", "<br>") + "</p>")
        table = [("職種", "、".join(row.professions)), ("テーマ", "、".join(row.themes)),
                 ("出どころ", "　".join(x for x in (row.source_association, row.source_text) if x)),
                 ("抽出日", self.ctx.format_date(row.raised_on, weekday=False) if row.raised_on else ""),
                 ("市町村", row.municipality), ("担当", row.owner), ("次の対応", row.next_action),
                 ("期限", self.ctx.format_date(row.next_due) if row.next_due else "")]
        parts.append("<table cellspacing=2>" + "".join(
            f"<tr><td style='color:#555;padding-right:8px'>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in table if v)
            + "</table>")
        if row.fed_back_on:
            parts.append(f"<p style='color:#2e7d32'>フィードバック済み：{e(self.ctx.format_date(row.fed_back_on))}"
                         f"{('（' + e(row.fed_back_how) + '）') if row.fed_back_how else ''}</p>")
        else:
            parts.append("<p style='color:#e65100'>⚑ まだ団体へフィードバックしていません</p>")
        if detail.responses:
            parts.append("<p><b>対応策</b><br>" + "<br>".join(
                f"・{e(r.actor)}：{e(r.action)}（{e(r.state)}）" for r in detail.responses if not r.archived) + "</p>")
        meetings = getattr(self.ctx.services, "meetings", None)
        links = meetings.meetings_for_issue(row.id) if meetings is not None else []
        if links:
            parts.append("<p><b>会議・研修</b><br>" + "<br>".join(
                f"・{e(self.ctx.format_date(link.meeting_date, weekday=False) if link.meeting_date else '日付未定')}"
                f" {e(link.meeting_title)}（{e(link.role)}）" for link in links) + "</p>")
        if detail.history:
            parts.append("<p><b>履歴</b><br>" + "<br>".join(
                e(line) for line in history_lines(self.ctx, detail.history)[:12]) + "</p>")
        return "".join(parts)

    # --- the card menu: the same moves as drag and drop, for mouse and keyboard users ----------------------------
    def card_menu(self, issue_id: str, key: object) -> QMenu:
        row = next(r for r in self.all_rows if r.id == issue_id)
        profession = key[0] if isinstance(key, tuple) else (row.profession_ids[0] if row.profession_ids else "")
        payload = {"id": row.id, "profession_id": profession, "layer": row.layer, "status": row.status,
                   "title": row.title}
        menu = QMenu(self)
        menu.setObjectName("cardMenu")
        for action in (self.act_edit, self.act_feedback, self.act_archive):
            menu.addAction(action)
        menu.addSeparator()
        layers = menu.addMenu("層を移す")
        for layer in LAYER_KEYS:
            action = layers.addAction(f"{LAYER_LABELS[layer]}へ")
            action.setObjectName(f"moveLayer_{layer}")
            action.setEnabled(layer != row.layer)
            action.triggered.connect(lambda _c=False, to=layer: self.handle_board_drop(payload, (profession, to)))
        statuses = menu.addMenu("状態を変える")
        for status in STATUSES:
            action = statuses.addAction(status)
            action.setObjectName(f"moveStatus_{status}")
            action.setEnabled(status != row.status)
            action.triggered.connect(lambda _c=False, to=status: self.handle_kanban_drop(payload, to))
        return menu

    def show_card_menu(self, issue_id: str, key: object, where) -> None:
        self._menu = self.card_menu(issue_id, key)
        self._menu.popup(where)

    # --- drag and drop ------------------------------------------------------------------------------------------
    def handle_board_drop(self, payload: dict, key: tuple[str, str]) -> None:
        """A card dropped on a board cell: another layer (asks why) and/or another profession row."""
        to_profession, to_layer = key
        from_profession = payload.get("profession_id") or ""
        from_layer = payload.get("layer") or ""
        issue_id = payload["id"]
        layer_changes = to_layer != from_layer
        profession_changes = to_profession != from_profession
        if not layer_changes and not profession_changes:
            return
        reason = ""
        if layer_changes:
            answer = ask_move_reason(self, payload.get("title", ""), from_layer, to_layer)
            if answer is None:
                return
            reason = answer
        kwargs: dict = {"reason": reason}
        if layer_changes:
            kwargs["layer"] = to_layer
        if profession_changes:
            kwargs["from_profession_id"] = from_profession or None
            kwargs["to_profession_id"] = to_profession or None
        self._move(issue_id, kwargs)

    def handle_kanban_drop(self, payload: dict, status: str) -> None:
        if payload.get("status") == status:
            return
        self._move(payload["id"], {"status": status})

    def _move(self, issue_id: str, kwargs: dict) -> None:
        try:
            row = self.service.move(issue_id, **kwargs)
        except ValidationError as exc:
            self.ctx.messages.warning("移動できません", "\n".join(i.message for i in exc.issues) or exc.message)
            return
        except DomainError as exc:
            self.ctx.messages.failure("移動できません", exc)
            return
        self.selected_id = row.id
        self.replace_row(row)
        if "layer" in kwargs:
            self.status_message.emit(f"「{row.title}」を{row.layer}連携へ移しました")
        elif "status" in kwargs:
            self.status_message.emit(f"「{row.title}」を「{row.status}」にしました")
        else:
            self.status_message.emit(f"「{row.title}」の職種を変えました")

    # --- record actions ----------------------------------------------------------------------------------------
    def new_issue(self) -> None:
        from .issue_form import IssueDialog

        defaults = IssueInput()
        mun = self.municipality_filter.currentData()
        if mun:
            defaults.municipality_id = mun
        dialog = IssueDialog(self.ctx, self.vocab, defaults=defaults, parent=self)
        accepted = dialog.exec()
        if accepted and dialog.saved is not None:
            self.selected_id = dialog.saved.id
            self.replace_row(dialog.saved)
            self.status_message.emit(f"「{dialog.saved.title}」を登録しました")
        elif dialog.detail is not None:  # created, then a later step failed: show what was saved
            self.load()

    def open_issue(self, issue_id: str) -> None:
        self.select_id(issue_id)
        self.edit_selected()

    def edit_selected(self) -> None:
        row = self.current_row()
        if row is None:
            return
        from .issue_form import IssueDialog

        try:
            detail = self.service.get(row.id)
        except DomainError as exc:
            self.ctx.messages.failure("課題を開けません", exc)
            return
        dialog = IssueDialog(self.ctx, self.vocab, detail=detail, parent=self)
        accepted = dialog.exec()
        if accepted and dialog.saved is not None:
            self.replace_row(dialog.saved)
            self.status_message.emit(f"「{dialog.saved.title}」を保存しました")
        elif dialog.responses_changed:
            self.load()

    def toggle_archive_selected(self) -> None:
        row = self.current_row()
        if row is None:
            return
        if not row.archived and not self.ctx.messages.confirm(
                "アーカイブの確認", f"「{row.title}」をボードから外しますか？\n\n記録は削除されず、"
                "「アーカイブも表示」でいつでも確認・復元できます。", ok="アーカイブする", cancel="やめる"):
            return
        try:
            saved = self.service.set_archived(row.id, not row.archived)
        except DomainError as exc:
            self.ctx.messages.failure("アーカイブできません", exc)
            return
        self.replace_row(saved)
        self.status_message.emit(f"「{saved.title}」を" + ("アーカイブしました" if saved.archived else "ボードに戻しました"))

    def record_feedback(self) -> None:
        row = self.current_row()
        if row is None:
            return
        dialog = FeedbackDialog(row, self)
        if not dialog.exec() or dialog.date is None:
            return
        try:
            saved = self.service.record_feedback(row.id, dialog.date, dialog.how.currentText().strip())
        except DomainError as exc:
            self.ctx.messages.failure("フィードバックを記録できません", exc)
            return
        self.replace_row(saved)
        self.status_message.emit(f"「{saved.title}」のフィードバックを記録しました")



