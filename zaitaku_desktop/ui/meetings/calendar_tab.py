"""The 会議・研修 tab: a month calendar and a list of the same month, 「次の予定」 and a detail pane."""

from __future__ import annotations

import datetime as dt
import html
import logging

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QListWidget, QListWidgetItem, QMenu, QPushButton,
    QSplitter, QStackedWidget, QTableView, QTextBrowser, QToolBar, QToolButton, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.errors import DomainError
from zaitaku_desktop.services.meetings import MeetingDetail, MeetingRow

from ..context import AppContext
from ..icons import icon
from ..widgets.actions import day_timer, make_action
from .models import LAYER_COLOURS, MeetingListModel, attendance_text, time_text
from .month_view import MonthView

log = logging.getLogger(__name__)

VIEW_MONTH, VIEW_LIST = 0, 1
# The printed papers of one meeting: (kind for ui.meetings.papers.make_paper, menu text, status tip).
PAPERS: tuple[tuple[str, str, str], ...] = (
    ("agenda", "次第（PDF）…", "会議の次第をA4のPDFにします"),
    ("signin", "受付名簿（PDF）…", "申込者の名前入りの受付名簿（当日参加用の空欄つき）をPDFにします"),
    ("tents", "名札・席札（PDF）…", "参加者の名札・席札をPDFにします"),
    ("certificates", "参加証明書（PDF）…", "出席した人ごとの参加証明書をPDFにします"),
    ("groups", "グループ表（PDF）…", "グループワークのテーブルごとの名簿をPDFにします"),
)


class CalendarTab(QWidget):
    status_message = Signal(str)
    counts_changed = Signal(int, int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("calendarTab")
        self.today = today or dt.date.today()
        self.year, self.month = self.today.year, self.today.month
        self.rows: list[MeetingRow] = []
        self.selected_id: str | None = None
        self.selected_date: dt.date | None = None
        self._build_actions()
        self._build_ui()
        self._update_actions()
        self.restore_layout()
        self.day_timer = day_timer(self, "meetingDayTimer", self.check_today, live=today is None)

    @property
    def service(self):
        return self.ctx.services.meetings

    # --- construction -------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        def act(name: str, text: str, icon_name: str, slot, tip: str) -> QAction:
            return make_action(self, name, text, icon_name, slot, tip)

        self.act_new = act("actNewMeeting", "新規…", "add", self.new_meeting,
                           "選んだ日に新しい会議・研修を登録します（Ctrl+N）")
        self.act_edit = act("actEditMeeting", "開く…", "edit", self.edit_selected, "選んだ会議・研修を開きます")
        self.act_copy = act("actCopyMeeting", "前回をコピー…", "calendar", self.copy_selected,
                            "選んだ会議・研修の内容で、次回を新しい日付に作ります")
        self.act_new.setShortcut(QKeySequence(QKeySequence.StandardKey.New))
        self.addAction(self.act_new)
        self.act_attendance = act("actMeetingAttendance", "出欠入力…", "people", self.open_attendance,
                                  "選んだ会議・研修の参加者（受付名簿）や職種別の人数を入力します")
        self.act_questionnaire = act("actMeetingQuestionnaire", "アンケート…", "questionnaire", self.open_questionnaire,
                                     "アンケートの回答を入力し、集計やグラフを見ます")
        self.act_groups = act("actMeetingGroups", "グループ分け…", "groups", self.open_groups,
                              "参加者を職種が偏らないようにテーブルへ振り分けます")
        self.act_persons = act("actMeetingPersons", "参加者の名寄せ…", "person", self.open_persons,
                               "これまでの参加者を検索・修正し、同じ人の重複を統合します")
        self.act_totals = act("actMeetingTotals", "期間の集計…", "summary", self.open_period_totals,
                              "期間を指定して、開催回数と職種別の参加者数を集計します")
        self.act_export_xlsx = act("actMeetingExcel", "会議・研修をExcelに書き出し…", "excel", self.export_excel,
                                   "選んだ会議の名簿、または期間の会議一覧と職種別の参加者数をExcelに書き出します")
        self.act_export_ics = act("actMeetingIcs", "カレンダー(.ics)に書き出し…", "calendar", self.export_ics,
                                  "OutlookやGoogleカレンダーに取り込める形式で予定を書き出します")
        self.paper_actions: dict[str, QAction] = {}
        for kind, text, tip in PAPERS:
            self.paper_actions[kind] = act(f"actPaper_{kind}", text, "print",
                                           lambda k=kind: self.print_paper(k), tip)
        self.print_menu = QMenu("会議の印刷", self)
        self.print_menu.setObjectName("meetingPrintMenu")
        for action in self.paper_actions.values():
            self.print_menu.addAction(action)
        self.act_print_menu = self.print_menu.menuAction()
        self.act_print_menu.setIcon(icon("print"))
        self.act_print_menu.setObjectName("actMeetingPrint")
        self.act_print_menu.setStatusTip("次第・受付名簿・名札・参加証明書・グループ表をPDFにします")

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        top = QHBoxLayout()
        self.toolbar = QToolBar("会議・研修", self)
        self.toolbar.setObjectName("meetingToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (self.act_new, self.act_edit, self.act_copy, self.act_attendance, self.act_questionnaire,
                  self.act_groups, self.act_print_menu):
            self.toolbar.addAction(a)
        top.addWidget(self.toolbar)
        top.addStretch(1)
        self.prev_button = QPushButton("‹", self)
        self.prev_button.setObjectName("prevMonth")
        self.prev_button.setToolTip("前の月")
        self.prev_button.setFixedWidth(36)
        self.prev_button.clicked.connect(lambda: self.shift_month(-1))
        self.month_label = QLabel("", self)
        self.month_label.setObjectName("monthLabel")
        self.month_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.month_label.setMinimumWidth(200)
        font = self.month_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.month_label.setFont(font)
        self.next_button = QPushButton("›", self)
        self.next_button.setObjectName("nextMonth")
        self.next_button.setToolTip("次の月")
        self.next_button.setFixedWidth(36)
        self.next_button.clicked.connect(lambda: self.shift_month(1))
        self.this_month_button = QPushButton("今月", self)
        self.this_month_button.setObjectName("thisMonth")
        self.this_month_button.clicked.connect(self.go_this_month)
        for w in (self.prev_button, self.month_label, self.next_button, self.this_month_button):
            top.addWidget(w)
        top.addStretch(1)
        self.view_buttons: list[QToolButton] = []
        for i, (name, text) in enumerate((("showMonth", "月"), ("showList", "一覧"))):
            button = QToolButton(self)
            button.setObjectName(name)
            button.setText(text)
            button.setCheckable(True)
            button.setAutoExclusive(True)
            button.clicked.connect(lambda _c=False, v=i: self.show_view(v))
            top.addWidget(button)
            self.view_buttons.append(button)
        self.view_buttons[0].setChecked(True)
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("meetingCount")
        top.addWidget(self.count_label)
        layout.addLayout(top)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("meetingSplitter")
        self.stack = QStackedWidget(self.splitter)
        self.stack.setObjectName("meetingViewStack")
        self.month_view = MonthView(self.stack)
        self.month_view.day_clicked.connect(self.select_date)
        self.month_view.meeting_clicked.connect(self.select_id)
        self.month_view.meeting_activated.connect(self.open_meeting)
        self.month_view.new_requested.connect(self.new_meeting)
        self.stack.addWidget(self.month_view)
        self.list_model = MeetingListModel(self.ctx.format_date, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.list_model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.table = QTableView(self.stack)
        self.table.setObjectName("meetingTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for col, width in enumerate((190, 110, 260, 120, 70, 150, 70, 80)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().currentRowChanged.connect(self._table_current)
        self.table.doubleClicked.connect(lambda index: self.open_meeting(self._table_row_id(index)))
        self.stack.addWidget(self.table)

        side = QWidget(self.splitter)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("次の予定", side)
        heading.setObjectName("upcomingHeading")
        heading.setStyleSheet("font-weight:bold;")
        side_layout.addWidget(heading)
        self.upcoming = QListWidget(side)
        self.upcoming.setObjectName("upcomingList")
        self.upcoming.setMaximumHeight(150)
        self.upcoming.itemClicked.connect(lambda item: self.show_meeting_from_list(item))
        self.upcoming.itemActivated.connect(lambda item: self.open_meeting(item.data(Qt.ItemDataRole.UserRole)))
        side_layout.addWidget(self.upcoming)
        self.detail = QTextBrowser(side)
        self.detail.setObjectName("meetingDetail")
        self.detail.setMinimumWidth(260)
        self.detail.setStyleSheet("QTextBrowser { color: #212121; background: #ffffff; }")
        side_layout.addWidget(self.detail, 1)
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([1000, 300])
        layout.addWidget(self.splitter, 1)

    def show_view(self, view: int) -> None:
        self.stack.setCurrentIndex(view)
        self.view_buttons[view].setChecked(True)

    # --- data ------------------------------------------------------------------------------------------
    def load(self, on_loaded=None) -> None:
        """Read the shown month and the next meetings on the worker, then show them."""
        year, month, today = self.year, self.month, self.today
        service = self.service

        def work():
            return service.month(year, month), service.upcoming(today), service.count()

        def done(result) -> None:
            rows, upcoming, total = result
            self.set_rows(rows, upcoming, total)
            if on_loaded:
                on_loaded()

        self.ctx.runner.run(work, on_done=done,
                            on_error=lambda exc: self.ctx.messages.failure("会議・研修を読み込めません", exc))

    def set_rows(self, rows: list[MeetingRow], upcoming: list[MeetingRow], total: int) -> None:
        self.rows = list(rows)
        days = self.month_view.month_model
        grid_start = dt.date(self.year, self.month, 1) - dt.timedelta(days=40)
        marks = self.service.day_marks(grid_start, grid_start + dt.timedelta(days=90))
        days.set_month(self.year, self.month, self.rows, marks, today=self.today)
        self.list_model.set_rows(self.rows)
        self.month_label.setText(days.month_title())
        self._fill_upcoming(upcoming)
        if self.selected_date is not None:
            self.month_view.blockSignals(True)  # a programmatic selection, not the user's click
            self.month_view.select_date(self.selected_date)
            self.month_view.blockSignals(False)
        if self.selected_id and not any(r.id == self.selected_id for r in self.rows):
            self.selected_id = None
        self._select_in_table(self.selected_id)
        self.count_label.setText(f"この月 {len(self.rows):,} 件")
        self.counts_changed.emit(len(self.rows), total)
        self._update_actions()
        self._show_detail()

    def _fill_upcoming(self, rows: list[MeetingRow]) -> None:
        self.upcoming.clear()
        if not rows:
            item = QListWidgetItem("予定されている会議・研修はありません")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.upcoming.addItem(item)
            return
        for row in rows:
            when = "今日" if row.date == self.today else self.ctx.format_date(row.date)
            item = QListWidgetItem(f"{when} {row.start_time or ''}　{row.title}")
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            item.setToolTip(f"{row.type_name} {row.venue}".strip())
            if row.date == self.today:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.upcoming.addItem(item)

    # --- navigation ------------------------------------------------------------------------------------
    def show_month(self, year: int, month: int) -> None:
        self.year, self.month = year, month
        if self.selected_date and (self.selected_date.year, self.selected_date.month) != (year, month):
            self.selected_date = None
        self.load()

    def shift_month(self, step: int) -> None:
        index = self.year * 12 + (self.month - 1) + step
        self.show_month(index // 12, index % 12 + 1)

    def go_this_month(self) -> None:
        self.selected_date = self.today
        self.show_month(self.today.year, self.today.month)

    # --- selection -------------------------------------------------------------------------------------
    def current_row(self) -> MeetingRow | None:
        if self.selected_id is None:
            return None
        return next((r for r in self.rows if r.id == self.selected_id), None)

    def select_date(self, day: dt.date) -> None:
        self.selected_date = day
        self.selected_id = None
        if (day.year, day.month) != (self.year, self.month):
            self.show_month(day.year, day.month)
            return
        self._update_actions()
        self._show_detail()

    def select_id(self, meeting_id: str | None) -> None:
        self.selected_id = meeting_id
        row = self.current_row()
        if row is not None and self.selected_date != row.date:
            self.selected_date = row.date
            self.month_view.blockSignals(True)
            self.month_view.select_date(row.date)
            self.month_view.blockSignals(False)
        self._select_in_table(meeting_id)
        self._update_actions()
        self._show_detail()

    def show_meeting_from_list(self, item: QListWidgetItem) -> None:
        meeting_id = item.data(Qt.ItemDataRole.UserRole)
        if not meeting_id:
            return
        if not any(r.id == meeting_id for r in self.rows):
            try:
                row = self.service.get(meeting_id).row
            except DomainError as exc:
                self.ctx.messages.failure("会議・研修を開けません", exc)
                return
            self.selected_id = meeting_id
            self.selected_date = row.date
            self.show_month(row.date.year, row.date.month)
            return
        self.select_id(meeting_id)

    def _table_row_id(self, index) -> str | None:
        row = self.list_model.row_at(self.proxy.mapToSource(index))
        return row.id if row else None

    def _table_current(self, index, _previous) -> None:
        meeting_id = self._table_row_id(index)
        if meeting_id and meeting_id != self.selected_id:
            self.select_id(meeting_id)

    def _select_in_table(self, meeting_id: str | None) -> None:
        row = self.list_model.row_of(meeting_id) if meeting_id else -1
        model = self.table.selectionModel()
        model.blockSignals(True)
        if row < 0:
            self.table.clearSelection()
        else:
            index = self.proxy.mapFromSource(self.list_model.index(row, 0))
            self.table.setCurrentIndex(index)
            self.table.selectRow(index.row())
        model.blockSignals(False)

    def _update_actions(self) -> None:
        row = self.current_row()
        for action in (self.act_edit, self.act_copy, self.act_attendance, self.act_questionnaire, self.act_groups,
                       self.act_print_menu, *self.paper_actions.values()):
            action.setEnabled(row is not None)

    # --- detail pane -----------------------------------------------------------------------------------
    def _show_detail(self) -> None:
        e = html.escape
        row = self.current_row()
        if row is not None:
            try:
                detail = self.service.get(row.id)
                warnings = self.service.warnings(row.id)
                totals = self.service.meeting_totals(row.id)
            except DomainError as exc:
                self.detail.setHtml(f"<p style='color:#b00'>{e(exc.message)}</p>")
                return
            self.detail.setHtml(self.detail_html(detail, [w.message for w in warnings], totals))
            return
        if self.selected_date is not None:
            day = self.selected_date
            rows = self.month_view.month_model.meetings_on(day)
            mark = self.month_view.month_model.marks.get(day)
            parts = [f"<h3>{e(self.ctx.format_date(day))}</h3>"]
            if mark and mark.holiday:
                parts.append(f"<p style='color:#c62828'>祝日：{e(mark.holiday)}</p>")
            if rows:
                parts.append("<p>" + "<br>".join(
                    f"・{e(time_text(r))} {e(r.title)}（{e(r.status)}）" for r in rows) + "</p>")
                parts.append("<p style='color:#777'>会議の行をクリックで詳細、ダブルクリックで開きます。</p>")
            else:
                parts.append("<p style='color:#777'>この日の会議・研修はありません。"
                             "日付の空いた所をダブルクリックすると、この日に新しく登録できます。</p>")
            self.detail.setHtml("".join(parts))
            return
        self.detail.setHtml("<p style='color:#777'>日付や会議を選ぶと、ここに詳しい内容が表示されます。"
                            "空いた日をダブルクリックすると、その日に新しい会議・研修を登録できます。</p>")

    def detail_html(self, detail: MeetingDetail, warnings: list[str], totals=()) -> str:
        e = html.escape
        row = detail.row
        colour = LAYER_COLOURS.get(row.layer, "#757575")
        parts = [f"<h3 style='margin-bottom:2px'>{e(row.title)}</h3>",
                 f"<p><span style='color:{colour}'>■</span> {e(row.type_name or '種類なし')}"
                 f"{('（' + e(row.layer) + '）') if row.layer else ''}　<b>{e(row.status)}</b></p>"]
        if row.is_sample:
            parts.append("<p style='color:#795548'>【サンプル】架空のデータです</p>")
        table = [("開催日", self.ctx.format_date(row.date)), ("時間", time_text(row)), ("会場", row.venue),
                 ("主催", row.organiser), ("共催", "、".join(row.co_organisers)),
                 ("定員", f"{row.capacity}人" if row.capacity else ""), ("参加", attendance_text(row)),
                 ("課題", f"{row.issue_count}件" if row.issue_count else "")]
        parts.append("<table cellspacing=2>" + "".join(
            f"<tr><td style='color:#555;padding-right:8px'>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in table if v)
            + "</table>")
        if totals:
            parts.append("<p><b>職種別の参加者</b><br>" + "、".join(
                f"{e(t.profession)} {t.count:,}" for t in totals) + f"（計 {sum(t.count for t in totals):,}人）</p>")
        if warnings:
            parts.append("<p style='color:#9a6700'>" + "<br>".join(f"⚠ {e(w)}" for w in warnings) + "</p>")
        if detail.agenda:
            parts.append("<p><b>次第</b><br>" + e(detail.agenda).replace("\n", "<br>") + "</p>")
        if detail.notes:
            parts.append("<p><b>備考</b><br>" + e(detail.notes).replace("\n", "<br>") + "</p>")
        return "".join(parts)

    # --- record actions ----------------------------------------------------------------------------------
    def new_meeting(self, on_date: dt.date | None = None) -> None:
        from .meeting_form import MeetingDialog

        day = on_date or self.selected_date or self.today
        dialog = MeetingDialog(self.ctx, on_date=day, parent=self)
        if dialog.exec() and dialog.saved is not None:
            self._saved(dialog.saved, f"「{dialog.saved.title}」を登録しました")

    def open_meeting(self, meeting_id: str | None) -> None:
        if not meeting_id:
            return
        self.selected_id = meeting_id
        self.edit_selected(meeting_id)

    def edit_selected(self, meeting_id: str | None = None) -> None:
        meeting_id = meeting_id or self.selected_id
        if not meeting_id:
            return
        from .meeting_form import MeetingDialog

        try:
            detail = self.service.get(meeting_id)
        except DomainError as exc:
            self.ctx.messages.failure("会議・研修を開けません", exc)
            return
        dialog = MeetingDialog(self.ctx, detail=detail, parent=self)
        if dialog.exec() and dialog.saved is not None:
            self._saved(dialog.saved, f"「{dialog.saved.title}」を保存しました")

    def copy_selected(self) -> None:
        row = self.current_row()
        if row is None:
            return
        from .meeting_form import CopyMeetingDialog

        dialog = CopyMeetingDialog(row, self.ctx.format_date, self)
        if not dialog.exec() or dialog.date is None:
            return
        try:
            saved = self.service.copy(row.id, dialog.date)
        except DomainError as exc:
            self.ctx.messages.failure("コピーできませんでした", exc)
            return
        self._saved(saved, f"「{saved.title}」を{self.ctx.format_date(saved.date)}に作りました")

    # --- attendance, questionnaires, papers and files of the selected meeting ------------------------------
    def _month_period(self) -> tuple[dt.date, dt.date]:
        first = dt.date(self.year, self.month, 1)
        return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)

    def _reload_keeping(self, meeting_id: str | None) -> None:
        self.selected_id = meeting_id
        self.load()

    def open_attendance(self) -> None:
        row = self.current_row()
        if row is None:
            return
        from .attendance import AttendanceDialog

        AttendanceDialog(self.ctx, row.id, self).exec()
        self._reload_keeping(row.id)

    def open_questionnaire(self) -> None:
        row = self.current_row()
        if row is None:
            return
        from .questionnaires import QuestionnaireDialog

        QuestionnaireDialog(self.ctx, row.id, self).exec()
        self._reload_keeping(row.id)

    def open_groups(self) -> None:
        row = self.current_row()
        if row is None:
            return
        from .papers import GroupsDialog

        GroupsDialog(self.ctx, row.id, self).exec()
        self._reload_keeping(row.id)

    def open_persons(self) -> None:
        from .persons import PersonsDialog

        PersonsDialog(self.ctx, self).exec()
        self._reload_keeping(self.selected_id)

    def open_period_totals(self) -> None:
        from .period_totals import PeriodTotalsDialog

        PeriodTotalsDialog(self.ctx, self).exec()

    def print_paper(self, kind: str) -> None:
        row = self.current_row()
        if row is None:
            return
        from .papers import make_paper

        make_paper(self.ctx, self, row.id, kind)

    def export_excel(self) -> None:
        from .exports import export_excel

        start, end = self._month_period()
        export_excel(self.ctx, self, meeting_id=self.selected_id, start=start, end=end)

    def export_ics(self) -> None:
        from .exports import export_ics

        start, end = self._month_period()
        export_ics(self.ctx, self, meeting_id=self.selected_id, start=start, end=end)

    # --- remembered layout and the date of today ---------------------------------------------------------
    def restore_layout(self) -> None:
        """The view (月 / 一覧), the detail pane's width and the list's columns, as the user left them."""
        view = self.ctx.settings.get("meetings/view")
        if view in (VIEW_MONTH, VIEW_LIST):
            self.show_view(view)
        state = self.ctx.settings.get_state("meeting_splitter")
        if state is not None:
            self.splitter.restoreState(state)
        state = self.ctx.settings.get_state("meeting_columns")
        if state is not None:
            self.table.horizontalHeader().restoreState(state)

    def save_layout(self) -> None:
        self.ctx.settings.set("meetings/view", self.stack.currentIndex())
        self.ctx.settings.set_state("meeting_splitter", self.splitter.saveState())
        self.ctx.settings.set_state("meeting_columns", self.table.horizontalHeader().saveState())

    def check_today(self, today: dt.date | None = None) -> bool:
        """Move 「今日」 on when the date has changed (the program runs all day, and past midnight)."""
        today = today or dt.date.today()
        if today == self.today:
            return False
        showing_today = (self.year, self.month) == (self.today.year, self.today.month)
        self.today = today
        if showing_today:
            self.year, self.month = today.year, today.month
        self.load()
        return True

    def _saved(self, row: MeetingRow, message: str) -> None:
        """Show the month of the saved meeting with it selected."""
        self.selected_id = row.id
        self.selected_date = row.date
        self.year, self.month = row.date.year, row.date.month
        self.load()
        self.status_message.emit(message)

