"""The 相談受付 tab: 今日の対応 (due and overdue follow-ups) above the consultation list, a detail pane with the
case's record, referrals and consent, and the actions of the desk (受付, 紹介先, 経過, 同意, 統計, 課題ボードへ).

Names are masked (domain.consultations.mask_name) until 「氏名を表示」 is switched on; switching it on is
written to the access log by the service, switching it off is free."""

from __future__ import annotations

import datetime as dt
import html
import logging
from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLineEdit, QListWidget,
    QListWidgetItem, QMenu, QSplitter, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTableView, QTextBrowser,
    QToolBar, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.consultations import NEXT_STATUSES, STATUSES, WINDOWS, mask_name
from zaitaku_desktop.domain.errors import DomainError
from zaitaku_desktop.domain.text import search_key
from zaitaku_desktop.services.consultations import ConsultationDetail, ConsultationRow

from ..context import AppContext
from ..icons import icon
from ..widgets.actions import day_timer, make_action
from . import badge_html, consent_state

log = logging.getLogger(__name__)

OVERDUE = QColor("#c62828")
CLOSED = QColor("#9e9e9e")
Index = QModelIndex | QPersistentModelIndex


class ColouredTextDelegate(QStyledItemDelegate):
    """Draws an item's text in its ForegroundRole colour (overdue in red) even where the theme's style sheet
    would paint every item in one colour."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        colour = index.data(Qt.ItemDataRole.ForegroundRole)
        if colour is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is None:
            super().paint(painter, option, index)
            return
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        painter.save()
        painter.setPen(colour.color() if isinstance(colour, QBrush) else QColor(colour))
        painter.setFont(opt.font)
        elided = opt.fontMetrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width() - 4)
        painter.drawText(rect.adjusted(2, 0, -2, 0), int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                         elided)
        painter.restore()


class ConsultationListModel(QAbstractTableModel):
    """The consultation list over plain rows; filtering and sorting are done here in bulk, in Python."""

    HEADERS = ("受付日時", "窓口", "相談者種別", "対象者", "分類", "状況", "次回対応日", "担当")

    def __init__(self, format_date: Callable[[dt.date | None], str], parent=None) -> None:
        super().__init__(parent)
        self.format_date = format_date
        self.all_rows: list[ConsultationRow] = []
        self.rows: list[ConsultationRow] = []  # shown, in order
        self._keys: list[str] = []
        self._named_keys: list[str] | None = None
        self.revealed = False
        self.today = dt.date.today()
        self._filter: tuple[str, str, str] = ("", "", "")
        self._sort = (0, Qt.SortOrder.DescendingOrder)

    @staticmethod
    def search_text(row: ConsultationRow) -> str:
        """What the search box looks in (folded once per load, not per keystroke); names only when revealed."""
        return search_key(" ".join((row.case_no, row.requester_type, row.window, row.channel, row.status,
                                    row.handled_by, row.municipality, row.district, *row.categories)))

    def set_rows(self, rows: Sequence[ConsultationRow], today: dt.date, keys: Sequence[str] | None = None) -> None:
        self.all_rows, self.today = list(rows), today
        self._keys = list(keys) if keys is not None else [self.search_text(r) for r in self.all_rows]
        self._named_keys: list[str] | None = None
        self._refresh()

    def set_filter(self, window: str, status: str, text: str) -> None:
        self._filter = (window, status, search_key(text))
        self._refresh()

    def set_revealed(self, on: bool) -> None:
        self.revealed = on
        self._refresh()

    def name(self, row: ConsultationRow) -> str:
        return row.person_name if self.revealed else mask_name(row.person_name)

    def _search_keys(self) -> list[str]:
        if not self.revealed:
            return self._keys
        if self._named_keys is None:
            self._named_keys = [f"{k} {search_key(r.person_name)}" for k, r in zip(self._keys, self.all_rows)]
        return self._named_keys

    def _refresh(self) -> None:
        window, status, text = self._filter
        rows, keys = self.all_rows, self._search_keys()
        shown = [i for i in range(len(rows)) if (not window or rows[i].window == window)
                 and (not status or rows[i].status == status)]
        for term in text.split():
            shown = [i for i in shown if term in keys[i]]
        column, order = self._sort
        chosen = [rows[i] for i in shown]
        chosen.sort(key=self.sort_key(column), reverse=order == Qt.SortOrder.DescendingOrder)
        self.beginResetModel()
        self.rows = chosen
        self.endResetModel()

    def sort_key(self, column: int) -> Callable[[ConsultationRow], Any]:
        """The key a column sorts by; ties keep the order received."""
        status_order = {s: i for i, s in enumerate(STATUSES)}
        return (lambda r: r.received_at,
                lambda r: (r.window, r.received_at),
                lambda r: (r.requester_type, r.received_at),
                lambda r: (self.name(r), r.received_at),
                lambda r: ("、".join(r.categories), r.received_at),
                lambda r: (status_order.get(r.status, 99), r.received_at),
                lambda r: (r.follow_up_due or dt.date.max, r.received_at),
                lambda r: (r.handled_by, r.received_at))[column]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(self.HEADERS):
            self._sort = (column, order)
            self._refresh()

    def row_at(self, index: Index) -> ConsultationRow | None:
        return self.rows[index.row()] if index.isValid() and 0 <= index.row() < len(self.rows) else None

    def row_of(self, consultation_id: str | None) -> int:
        return next((i for i, r in enumerate(self.rows) if r.id == consultation_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def text(self, row: ConsultationRow, column: int) -> str:
        return (row.received_at.strftime("%Y/%m/%d %H:%M"), row.window, row.requester_type, self.name(row),
                "、".join(row.categories), row.status, self.format_date(row.follow_up_due, weekday=False),
                row.handled_by)[column]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, index.column())
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.status == "終了":
                return CLOSED
            if index.column() == 6 and row.follow_up_due and row.follow_up_due < self.today:
                return OVERDUE
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 3 and not self.revealed and row.person_name:
            return "氏名は「氏名を表示」で表示できます（表示したことは記録されます）"
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None


class ConsultationTab(QWidget):
    status_message = Signal(str)
    counts_changed = Signal(int, int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("consultationTab")
        self.today = today or dt.date.today()
        self.due_rows: list[ConsultationRow] = []
        self.detail: ConsultationDetail | None = None
        self.model = ConsultationListModel(ctx.format_date, self)
        self._build_actions()
        self._build_ui()
        self._update_actions()
        self.restore_layout()
        self.day_timer = day_timer(self, "consultationDayTimer", self.check_today, live=today is None)

    @property
    def service(self):
        return self.ctx.services.consultations

    # --- construction -------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        def act(name: str, text: str, icon_name: str, slot, tip: str) -> QAction:
            return make_action(self, name, text, icon_name, slot, tip)

        self.act_new = act("actNewConsultation", "受付…", "phone", self.new_consultation,
                           "新しい相談を受け付けます（Ctrl+N）")
        self.act_new.setShortcut(QKeySequence(QKeySequence.StandardKey.New))
        self.addAction(self.act_new)
        self.act_edit = act("actEditConsultation", "開く…", "edit", self.edit_selected, "選んだ相談を開いて編集します")
        self.act_referral = act("actConsultationReferral", "紹介先を追加…", "resources", self.open_referral,
                                "資源一覧から紹介先を選び、紹介の結果を記録します")
        self.act_contact = act("actConsultationContact", "経過を記録…", "history", self.open_contact,
                               "折り返しの電話や紹介先からの返事などを、この相談の経過に書き加えます")
        self.act_consent = act("actConsultationConsent", "同意を記録…", "person", self.open_consent,
                               "本人の情報を紹介先に伝えることへの同意（または撤回）を記録します")
        self.act_reveal = QAction(icon("people"), "氏名を表示", self)
        self.act_reveal.setObjectName("actRevealNames")
        self.act_reveal.setCheckable(True)
        self.act_reveal.setStatusTip("一覧で対象者の氏名を表示します（表示したことはアクセス記録に残ります）")
        self.act_reveal.toggled.connect(self.set_revealed)
        self.act_stats = act("actConsultationStats", "統計…", "summary", self.open_stats,
                             "期間の相談件数を窓口・相談者・分類・経路・状況ごとに集計し、グラフにします")
        self.act_promote = act("actConsultationPromote", "課題ボードへ…", "issues", self.open_promote,
                               "繰り返し寄せられる相談のテーマを、課題ボードの課題にします（個人情報は含みません）")
        self.act_print_intake = act("actPrintIntake", "相談受付票（PDF）…", "pdf", lambda: self.print_paper("intake"),
                                    "選んだ相談の相談受付票をPDFにします")
        self.act_print_referral = act("actPrintReferral", "紹介状（PDF）…", "pdf", lambda: self.print_paper("referral"),
                                      "選んだ相談の紹介先への紹介状をPDFにします")
        self.act_export_stats = act("actConsultationStatsExcel", "相談の統計をExcelに書き出し…", "excel",
                                    lambda: self._period_output("export_stats"),
                                    "期間の相談件数の集計を、名前を含まない形でExcelに書き出します")
        self.act_print_stats = act("actConsultationStatsPdf", "相談の統計表（PDF）…", "pdf",
                                   lambda: self._period_output("print_stats"),
                                   "期間の相談件数の集計を1枚の統計表（PDF）にします")
        self.act_export_list = act("actConsultationListExcel", "相談一覧をExcelに書き出し…", "excel",
                                   lambda: self._period_output("export_case_list"),
                                   "期間の相談の一覧を書き出します（氏名は、選んだときだけ含めます）")

    def record_actions(self) -> list[QAction]:
        return [self.act_new, self.act_edit, self.act_referral, self.act_contact, self.act_consent, self.act_reveal]

    def output_actions(self) -> list[QAction]:
        return [self.act_stats, self.act_promote, self.act_print_intake, self.act_print_referral,
                self.act_print_stats, self.act_export_stats, self.act_export_list]

    def toolbar_actions(self) -> list[QAction]:
        """What the main toolbar shows for this tab (the rest is in the 編集 and 出力 menus)."""
        return [*self.record_actions(), self.act_stats, self.act_promote, self.act_print_intake]

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.toolbar = QToolBar("相談受付", self)
        self.toolbar.setObjectName("consultationToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (*self.record_actions(), *self.output_actions()):
            self.toolbar.addAction(a)
        layout.addWidget(self.toolbar)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("consultationSplitter")
        left = QWidget(self.splitter)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        self.due_heading = QLabel("今日の対応", left)
        self.due_heading.setObjectName("dueHeading")
        self.due_heading.setStyleSheet("font-weight:bold;")
        column.addWidget(self.due_heading)
        self.due_list = QListWidget(left)
        self.due_list.setObjectName("dueList")
        self.due_list.setMaximumHeight(140)
        self.due_list.setItemDelegate(ColouredTextDelegate(self.due_list))
        self.due_list.currentItemChanged.connect(lambda item, _old: self._due_picked(item))
        self.due_list.itemActivated.connect(lambda item: self.edit_selected(item.data(Qt.ItemDataRole.UserRole)))
        column.addWidget(self.due_list)

        bar = QHBoxLayout()
        self.window_filter = self._filter_combo("windowFilter", "すべての窓口", WINDOWS)
        self.status_filter = self._filter_combo("statusFilter", "すべての状況", STATUSES)
        self.search = QLineEdit(left)
        self.search.setObjectName("consultationSearch")
        self.search.setPlaceholderText("検索：番号・分類・相談者種別・担当・地区")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.apply_filter)
        bar.addWidget(self.window_filter)
        bar.addWidget(self.status_filter)
        bar.addWidget(self.search, 1)
        self.count_label = QLabel("", left)
        self.count_label.setObjectName("consultationCount")
        bar.addWidget(self.count_label)
        column.addLayout(bar)

        self.table = QTableView(left)
        self.table.setObjectName("consultationTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.setItemDelegate(ColouredTextDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionsMovable(True)
        for col, width in enumerate((150, 90, 120, 110, 220, 70, 130, 90)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._selection_changed())
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(lambda pos: self.context_menu().popup(
            self.table.viewport().mapToGlobal(pos)))
        column.addWidget(self.table, 1)

        self.detail_view = QTextBrowser(self.splitter)
        self.detail_view.setObjectName("consultationDetail")
        self.detail_view.setMinimumWidth(280)
        self.detail_view.setStyleSheet("QTextBrowser { color: #212121; background: #ffffff; }")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail_view)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([800, 420])
        layout.addWidget(self.splitter, 1)

    def _filter_combo(self, name: str, first: str, values: Sequence[str]) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.addItem(first, "")
        for value in values:
            combo.addItem(value, value)
        combo.currentIndexChanged.connect(self.apply_filter)
        return combo

    # --- data ------------------------------------------------------------------------------------------
    def load(self, on_loaded=None, *, select: str | None = None) -> None:
        """Read the list and 今日の対応 on the worker, then show them (keeping the selection)."""
        service, today = self.service, self.today
        keep = select or self.current_id()

        def work():
            rows = service.list_rows()
            return rows, [ConsultationListModel.search_text(r) for r in rows], service.due(today)

        def done(result) -> None:
            rows, keys, due = result
            self.set_rows(rows, due, select=keep, keys=keys)
            if on_loaded:
                on_loaded()

        self.ctx.runner.run(work, on_done=done,
                            on_error=lambda exc: self.ctx.messages.failure("相談の一覧を読み込めません", exc))

    def set_rows(self, rows: Sequence[ConsultationRow], due: Sequence[ConsultationRow], *,
                 select: str | None = None, keys: Sequence[str] | None = None) -> None:
        self.model.set_rows(rows, self.today, keys)
        self._fill_due(due)
        self.apply_filter()
        if select:
            self.select_id(select)

    def _fill_due(self, rows: Sequence[ConsultationRow]) -> None:
        self.due_rows = list(rows)
        overdue = sum(1 for r in rows if r.follow_up_due and r.follow_up_due < self.today)
        extra = f"（{len(rows)}件　うち期限切れ {overdue}件）" if overdue else f"（{len(rows)}件）"
        self.due_heading.setText("今日の対応" + extra)
        self.due_list.blockSignals(True)
        self.due_list.clear()
        if not rows:
            item = QListWidgetItem("今日までに対応する相談はありません")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.due_list.addItem(item)
        for row in rows:
            late = row.follow_up_due is not None and row.follow_up_due < self.today
            when = "今日" if row.follow_up_due == self.today else self.ctx.format_date(row.follow_up_due)
            item = QListWidgetItem(f"{'【期限切れ】' if late else ''}{when}　{row.case_no}　{self.model.name(row)}"
                                   f"　{'、'.join(row.categories)}（{row.status}）")
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            if late:
                item.setForeground(OVERDUE)
            self.due_list.addItem(item)
        self.due_list.blockSignals(False)

    def due_count(self) -> int:
        return len(self.due_rows)

    def apply_filter(self, *_args) -> None:
        keep = self.current_id()
        self.model.set_filter(self.window_filter.currentData() or "", self.status_filter.currentData() or "",
                              self.search.text())
        shown, total = len(self.model.rows), len(self.model.all_rows)
        self.count_label.setText(f"{shown:,} 件 / {total:,} 件")
        self.counts_changed.emit(shown, total)
        if keep:
            self.select_id(keep)
        self._selection_changed()

    def set_revealed(self, on: bool) -> None:
        """Show the real names; the service writes the reveal to the access log (hiding again is free)."""
        if on:
            try:
                self.service.reveal_names(len(self.model.rows))
            except DomainError as exc:
                self.ctx.messages.failure("氏名を表示できません", exc)
                self.act_reveal.blockSignals(True)
                self.act_reveal.setChecked(False)
                self.act_reveal.blockSignals(False)
                return
        keep = self.current_id()
        self.model.set_revealed(on)
        self._fill_due(self.due_rows)
        self.select_id(keep)
        self._show_detail()
        self.status_message.emit("一覧に氏名を表示しています（記録しました）" if on else "氏名を伏せました")

    # --- selection -------------------------------------------------------------------------------------
    def current_row(self) -> ConsultationRow | None:
        selected = self.table.selectionModel().selectedRows()
        return self.model.row_at(selected[0]) if selected else None

    def current_id(self) -> str | None:
        row = self.current_row()
        return row.id if row else None

    def select_id(self, consultation_id: str | None) -> bool:
        pos = self.model.row_of(consultation_id)
        if pos < 0:
            return False
        self.table.selectRow(pos)
        self.table.scrollTo(self.model.index(pos, 0))
        return True

    def _due_picked(self, item: QListWidgetItem | None) -> None:
        consultation_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not consultation_id:
            return
        if not self.select_id(consultation_id):  # hidden by the filter: clear it to show the case
            for combo in (self.window_filter, self.status_filter):
                combo.setCurrentIndex(0)
            self.search.clear()
            self.select_id(consultation_id)

    def _selection_changed(self) -> None:
        row = self.current_row()
        if row is None:
            self.detail = None
        elif self.detail is None or self.detail.row.id != row.id or self.detail.row.version != row.version:
            try:
                self.detail = self.service.get(row.id)  # the service logs this view of personal fields
            except DomainError as exc:
                self.detail = None
                self.detail_view.setHtml(f"<p style='color:#b00'>{html.escape(exc.message)}</p>")
                self._update_actions()
                return
        self._update_actions()
        self._show_detail()

    def _update_actions(self) -> None:
        on = self.current_row() is not None
        for action in (self.act_edit, self.act_referral, self.act_contact, self.act_consent, self.act_print_intake):
            action.setEnabled(on)
        self.act_print_referral.setEnabled(on and self.detail is not None and bool(self.detail.referrals))

    def context_menu(self) -> QMenu:
        """Right click on a consultation: its actions and 「状況を変更」 with the moves allowed from its status."""
        menu = QMenu(self)
        menu.setObjectName("consultationMenu")
        for action in (self.act_edit, self.act_referral, self.act_contact, self.act_consent):
            menu.addAction(action)
        row = self.current_row()
        statuses = menu.addMenu("状況を変更")
        statuses.setObjectName("statusMenu")
        for status in NEXT_STATUSES.get(row.status, ()) if row is not None else ():
            action = statuses.addAction(status)
            action.setObjectName(f"status_{status}")
            action.triggered.connect(lambda _c=False, s=status: self.set_status(s))
        statuses.setEnabled(bool(statuses.actions()))
        return menu

    def set_status(self, status: str) -> None:
        row = self.current_row()
        if row is None:
            return
        try:
            self.service.set_status(row.id, status)
        except DomainError as exc:
            self.ctx.messages.failure("状況を変更できませんでした", exc)
            return
        self._saved(row.id, f"相談 {row.case_no} を「{status}」にしました")

    # --- detail pane -----------------------------------------------------------------------------------
    def _show_detail(self) -> None:
        if self.detail is None:
            empty = not self.model.all_rows
            self.detail_view.setHtml(
                "<p><b>まだ相談が登録されていません。</b></p><p>電話や窓口で相談を受けたら「受付…」（Ctrl+N）で"
                "記録します。</p>" if empty else
                "<p style='color:#777'>一覧や「今日の対応」から相談を選ぶと、ここに経過・紹介先・同意が表示されます。</p>")
            return
        self.detail_view.setHtml(self.detail_html(self.detail))

    def detail_html(self, detail: ConsultationDetail) -> str:
        e = html.escape
        row = detail.row
        fmt = self.ctx.format_date
        name = self.model.name(row) or "（氏名なし）"
        parts = [f"<h3 style='margin-bottom:2px'>{e(row.case_no)}　{e(name)}</h3>",
                 f"<p>{badge_html(consent_state(detail.consents))}　<b>{e(row.status)}</b>　{e(row.window)}</p>"]
        if row.is_sample:
            parts.append("<p style='color:#795548'>【サンプル】架空のデータです</p>")
        table = [("受付", f"{row.received_at:%Y/%m/%d %H:%M}　{row.channel}"),
                 ("相談者", "　".join(p for p in (row.requester_type, detail.requester_affiliation) if p)),
                 ("分類", "、".join(row.categories)),
                 ("地域", "・".join(p for p in (row.municipality, row.district) if p)),
                 ("対象者", "　".join(p for p in (row.age_band, row.care_level) if p)),
                 ("次回対応日", fmt(row.follow_up_due) if row.follow_up_due else ""),
                 ("担当", row.handled_by),
                 ("対応時間", f"{row.minutes_spent}分" if row.minutes_spent is not None else "")]
        parts.append("<table cellspacing=2>" + "".join(
            f"<tr><td style='color:#555;padding-right:8px'>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in table if v)
            + "</table>")
        for title, text in (("相談内容", detail.question), ("回答・対応", detail.answer)):
            if text:
                parts.append(f"<p><b>{title}</b><br>{e(text).replace(chr(10), '<br>')}</p>")
        if detail.referrals:
            items = []
            for r in detail.referrals:
                outcome = (f"→ {e(r.outcome)}" + (f"（{e(fmt(r.outcome_on, weekday=False))}）" if r.outcome_on else "")
                           if r.outcome else "<span style='color:#9a6700'>結果未確認</span>")
                shared = "　本人情報あり" if r.personal_shared else ""
                items.append(f"・{e(fmt(r.referred_on, weekday=False))} {e(r.resource_name)}"
                             f"（{e(r.resource_category)}・{e(r.how)}{shared}）{outcome}")
            parts.append("<p><b>紹介先</b><br>" + "<br>".join(items) + "</p>")
        if detail.contacts:
            parts.append("<p><b>経過</b><br>" + "<br>".join(
                f"{c.at:%Y/%m/%d %H:%M}　[{e(c.kind)}] {e(c.text)}" + (f"（{e(c.by)}）" if c.by else "")
                for c in detail.contacts) + "</p>")
        if detail.consents:
            lines = []
            for c in detail.consents:
                state = "同意" if c.granted else "同意しない"
                withdrawn = f"　{fmt(c.withdrawn_on)} 撤回" if c.withdrawn_on else ""
                lines.append(f"・{e(fmt(c.obtained_on))} {state}（{e(c.method)}）{e(c.recipients)}　{e(c.purpose)}"
                             f"{e(withdrawn)}")
            parts.append("<p><b>同意</b><br>" + "<br>".join(lines) + "</p>")
        if len(detail.case_rows) > 1:
            parts.append(f"<p style='color:#555'>同じ方の相談：{len(detail.case_rows)}件（最初の受付 "
                         f"{detail.case_rows[0].received_at:%Y/%m/%d}）</p>")
        return "".join(parts)

    # --- record actions ----------------------------------------------------------------------------------
    def new_consultation(self) -> None:
        from .intake_form import IntakeDialog

        dialog = IntakeDialog(self.ctx, parent=self)
        if dialog.exec() and dialog.saved is not None:
            self._saved(dialog.saved.id, f"相談 {dialog.saved.case_no} を受け付けました")

    def edit_selected(self, consultation_id: str | None = None) -> None:
        consultation_id = consultation_id or self.current_id()
        if not consultation_id:
            return
        from .intake_form import IntakeDialog

        try:
            detail = self.service.get(consultation_id)
        except DomainError as exc:
            self.ctx.messages.failure("相談を開けません", exc)
            return
        dialog = IntakeDialog(self.ctx, detail=detail, parent=self)
        if dialog.exec() and dialog.saved is not None:
            self._saved(dialog.saved.id, f"相談 {dialog.saved.case_no} を保存しました")

    def open_referral(self) -> None:
        row = self.current_row()
        if row is None:
            return
        from .referral_dialog import ReferralDialog

        dialog = ReferralDialog(self.ctx, row.id, self, detail=self.detail)
        dialog.exec()
        if dialog.changed:
            self._saved(row.id, "紹介先を記録しました")

    def open_contact(self) -> None:
        row = self.current_row()
        if row is None:
            return
        from .contact_dialog import ContactDialog

        dialog = ContactDialog(self.ctx, row.id, self)
        if dialog.exec() and dialog.saved is not None:
            self._saved(row.id, "経過を記録しました")

    def open_consent(self) -> None:
        row = self.current_row()
        if row is None:
            return
        from .consent_dialog import ConsentDialog

        consents = self.detail.consents if self.detail is not None else ()
        dialog = ConsentDialog(self.ctx, row.case_id, self, consents=consents)
        dialog.exec()
        if dialog.changed:
            self._saved(row.id, "同意を記録しました")

    def open_stats(self) -> None:
        from .stats_dialog import StatsDialog

        StatsDialog(self.ctx, self, today=self.today).exec()

    def open_promote(self) -> None:
        from .promote_dialog import PromoteDialog

        dialog = PromoteDialog(self.ctx, self, today=self.today)
        if dialog.exec() and dialog.issue_id:
            self.status_message.emit(f"課題ボードに「{dialog.issue_title}」を作りました")

    def print_paper(self, kind: str) -> None:
        """The 相談受付票 of the selected consultation, or the 紹介状 of one of its referrals (ui.consultations.outputs)."""
        row = self.current_row()
        if row is None:
            return
        from . import outputs  # type: ignore[attr-defined]

        if kind == "intake":
            outputs.print_intake(self.ctx, self, row.id)
            return
        referrals = list(self.detail.referrals) if self.detail is not None else []
        if not referrals:
            return
        chosen = referrals[0]
        if len(referrals) > 1:
            labels = [f"{r.resource_name}（{self.ctx.format_date(r.referred_on)}）" for r in referrals]
            text, ok = QInputDialog.getItem(self, "紹介状", "どの紹介先への紹介状ですか？", labels, 0, False)
            if not ok:
                return
            chosen = referrals[labels.index(text)]
        outputs.print_referral(self.ctx, self, chosen.id, consultation_id=row.id)

    def _period_output(self, name: str) -> None:
        """The period outputs of ui.consultations.outputs (they ask the period themselves)."""
        from . import outputs

        getattr(outputs, name)(self.ctx, self)

    def _saved(self, consultation_id: str, message: str) -> None:
        self.detail = None
        self.load(select=consultation_id)
        self.status_message.emit(message)

    # --- remembered layout and the date of today ---------------------------------------------------------
    def restore_layout(self) -> None:
        state = self.ctx.settings.get_state("consultation_splitter")
        if state is not None:
            self.splitter.restoreState(state)
        state = self.ctx.settings.get_state("consultation_columns")
        if state is not None:
            self.table.horizontalHeader().restoreState(state)

    def save_layout(self) -> None:
        self.ctx.settings.set_state("consultation_splitter", self.splitter.saveState())
        self.ctx.settings.set_state("consultation_columns", self.table.horizontalHeader().saveState())

    def check_today(self, today: dt.date | None = None) -> bool:
        """Move 「今日」 on when the date has changed (the program runs all day)."""
        today = today or dt.date.today()
        if today == self.today:
            return False
        self.today = today
        self.load()
        return True
