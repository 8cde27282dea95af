"""The main window: four tabs, menus, toolbar, status bar, remembered layout."""

from __future__ import annotations

import html
import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QTextDocument
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QTabWidget, QToolBar, QToolButton

from zaitaku_desktop import APP_TITLE
from zaitaku_desktop.domain.errors import DomainError

from .icons import icon
from .placeholder import PlaceholderPage

log = logging.getLogger(__name__)

TAB_TITLES = ("資源一覧", "課題ボード", "会議・研修", "相談受付")
PLACEHOLDERS = {
    1: ("課題ボード（イ）", "職能団体との打ち合わせで出た課題を、一次・二次・三次連携の層と職種ごとに整理します。"),
    2: ("会議・研修（イ・ウ・カ・キ）", "打ち合わせ会・研修会・市民公開講座などの日程、出欠、アンケートを管理します。"),
    3: ("相談受付（オ）", "多職種向け・一般向けの相談を受け付け、資源一覧から紹介先を選び、対応を記録します。"),
}


class MainWindow(QMainWindow):
    """Shown at once (with a 'loading' page); the tabs are attached when the database is open."""

    ready = Signal()

    def __init__(self, settings, messages) -> None:
        super().__init__()
        self.settings = settings
        self.messages = messages
        self.ctx = None
        self.resources_tab = None
        self.issues_tab = None
        self.meetings_tab = None
        self.consultations_tab = None
        self._resource_actions: list = []
        self._issue_actions: list = []
        self._meeting_actions: list = []
        self._consultation_actions: list = []
        self._counts: dict[str, tuple[int, int]] = {}
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_TITLE)
        self.setWindowIcon(icon("app"))
        self.resize(1280, 800)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.loading = QLabel("データベースを開いています…", self)
        self.loading.setObjectName("loadingLabel")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.tabs.addTab(self.loading, icon("resources"), TAB_TITLES[0])
        for index in (1, 2, 3):
            title, text = PLACEHOLDERS[index]
            self.tabs.addTab(PlaceholderPage(title, text, self), icon(("issues", "meetings", "consultations")[index - 1]),
                             TAB_TITLES[index])
        self.stack = QStackedWidget(self)  # page 0: the tabs; page 1: the lock page (ui/lock.py)
        self.stack.setObjectName("mainStack")
        self.stack.addWidget(self.tabs)
        self.setCentralWidget(self.stack)
        self.lock_controller = None
        self.db_label = QLabel("", self)
        self.db_label.setObjectName("dbLabel")
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("statusCount")
        self.sample_label = QLabel("", self)
        self.sample_label.setObjectName("sampleBadge")
        self.sample_label.setStyleSheet("color:#795548; font-weight:bold;")
        self.statusBar().addPermanentWidget(self.sample_label)
        self.statusBar().addPermanentWidget(self.count_label)
        self.statusBar().addPermanentWidget(self.db_label)
        self._build_menus_shell()
        self._restore_geometry()

    # --- menus ------------------------------------------------------------------------------
    def _action(self, name: str, text: str, icon_name: str | None, slot, shortcut=None) -> QAction:
        action = QAction(icon(icon_name), text, self) if icon_name else QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus_shell(self) -> None:
        bar = self.menuBar()
        self.menu_file = bar.addMenu("ファイル(&F)")
        self.menu_edit = bar.addMenu("編集(&E)")
        self.menu_view = bar.addMenu("表示(&V)")
        self.menu_output = bar.addMenu("出力(&O)")
        self.menu_help = bar.addMenu("ヘルプ(&H)")
        self.act_quit = self._action("actQuit", "終了", "quit", self.close, QKeySequence.StandardKey.Quit)
        self.act_quit.setShortcut(QKeySequence("Ctrl+Q"))
        self.act_settings = self._action("actSettings", "設定…", "settings", self.open_settings, "Ctrl+,")
        self.act_reload = self._action("actReload", "最新の状態に更新", "refresh", self.reload, QKeySequence.StandardKey.Refresh)
        self.act_print = self._action("actPrint", "一覧を印刷…", "print", self.print_list, QKeySequence.StandardKey.Print)
        self.act_print.setShortcut(QKeySequence("Ctrl+P"))
        self.act_sample = self._action("actLoadSample", "サンプル地域を読み込む", "demo", lambda: self.offer_sample())
        self.act_sample_issues = self._action("actLoadSampleIssues", "サンプルの課題を追加する", "demo",
                                              self.add_sample_issues)
        self.act_sample_issues.setVisible(False)
        self.act_about = self._action("actAbout", "バージョン情報", "info", self.about)
        self.act_backup = self._action("actBackup", "バックアップと復元…", "backup", self.open_backups)
        self.act_check = self._action("actCheckData", "データの検査", "help", self.check_data)
        self.act_studio = self._action("actHandoutStudio", "配布物スタジオ…", "print", lambda: self.open_studio())
        self.act_emergency = self._action("actEmergencySheet", "災害時連絡先一覧（PDF）", "print",
                                          lambda: self.open_studio("emergency"))
        for a in (self.act_studio, self.act_emergency):
            a.setEnabled(False)
        self.auto_backup = None
        for a in (self.act_backup, self.act_check):
            a.setEnabled(False)
        for a in (self.act_settings, self.act_reload, self.act_print, self.act_sample):
            a.setEnabled(False)
        self.toolbar = QToolBar("ツールバー", self)
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(self.toolbar)
        self.menu_help.addAction(self.act_check)
        self.menu_help.addAction(self.act_about)

    def _fill_menus(self) -> None:
        t = self.resources_tab
        self.menu_file.addAction(t.act_import)
        self.menu_file.addAction(t.act_export)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_sample)
        self.menu_file.addAction(self.act_sample_issues)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_backup)
        from .audit_dialog import open_audit_dialog

        self.act_audit = self._action("actAuditLog", "監査ログ…", "history", lambda: open_audit_dialog(self.ctx, self))
        self.menu_file.addAction(self.act_audit)
        from .sync_dialog import add_sync_menu

        self.menu_sync = add_sync_menu(self.menu_file, self.ctx, self)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_quit)
        for a in (t.act_new, t.act_edit, t.act_archive, t.act_history):
            self.menu_edit.addAction(a)
        self.menu_edit.addSeparator()
        self.menu_edit.addAction(t.act_find)
        self.menu_edit.addSeparator()
        self.menu_edit.addAction(self.act_settings)
        self.menu_view.addAction(t.act_columns)
        self.menu_view.addAction(self.act_reload)
        self.theme_menu = self.menu_view.addMenu("配色")
        from zaitaku_desktop.settings import THEMES

        for key, label in THEMES.items():
            action = self.theme_menu.addAction(label)
            action.setObjectName(f"theme_{key}")
            action.setCheckable(True)
            action.setChecked(key == self.settings.theme)
            action.triggered.connect(lambda _c=False, k=key: self.set_theme(k))
        for a in (self.act_studio, self.act_emergency):  # handouts: whichever tab is in front
            self.menu_output.addAction(a)
            a.setEnabled(True)
        self.menu_output.addSeparator()
        self.menu_output.addAction(t.act_export)
        self.menu_output.addAction(t.act_summary)
        self.menu_output.addAction(self.act_print)
        self.menu_output.addSeparator()
        for a in t.map.export_actions():
            self.menu_output.addAction(a)
        # 資源情報確認票: print the forms, see who has not answered, record a returned one. (The directory booklet
        # and the emergency sheet are in the handout studio, reached from every tab.)
        from .resources.handouts import add_handout_actions

        add_handout_actions(t)
        forms = [t.act_update_forms, t.act_unanswered, t.act_confirm_returned]
        self.menu_output.addSeparator()
        for a in forms:
            self.menu_output.addAction(a)
        for a in (t.act_new, t.act_edit, t.act_archive, t.act_history, None, t.act_import, t.act_export,
                  t.act_summary, self.act_print, None, self.act_settings):
            if a is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(a)
        # Window-wide shortcuts work whichever widget has focus.
        for a in (t.act_new, t.act_find, t.act_export, t.act_import):
            self.addAction(a)
        for a in (self.act_settings, self.act_reload, self.act_print, self.act_sample):
            a.setEnabled(True)
        self._resource_actions = [t.act_new, t.act_edit, t.act_archive, t.act_history, t.act_find, t.act_import,
                                  t.act_export, t.act_summary, t.act_columns, self.act_print,
                                  *t.map.export_actions(), *forms]
        self._issue_actions = []
        if self.issues_tab is not None:
            b = self.issues_tab
            self._issue_actions = [b.act_new, b.act_edit, b.act_archive, b.act_feedback, b.act_export,
                                   b.act_feedback_pdf, b.act_list_pdf]
            edit_first = self.menu_edit.actions()[0]
            for a in (b.act_new, b.act_edit, b.act_archive, b.act_feedback):
                self.menu_edit.insertAction(edit_first, a)
            self.menu_output.addSeparator()
            for a in (b.act_export, b.act_feedback_pdf, b.act_list_pdf):
                self.menu_output.addAction(a)
            settings_action = self.act_settings
            for a in (b.act_new, b.act_edit, b.act_archive, b.act_feedback, None, b.act_export,
                      b.act_feedback_pdf, b.act_list_pdf):
                if a is None:
                    self._issue_actions.append(self.toolbar.insertSeparator(settings_action))
                else:
                    self.toolbar.insertAction(settings_action, a)
        self._meeting_actions = []
        if self.meetings_tab is not None:
            c = self.meetings_tab
            editing = [c.act_new, c.act_edit, c.act_copy, c.act_attendance, c.act_questionnaire, c.act_groups,
                       c.act_persons]
            outputs = [c.act_print_menu, c.act_export_xlsx, c.act_export_ics, c.act_totals]
            self._meeting_actions = [*editing, *outputs]
            edit_first = self.menu_edit.actions()[0]
            for a in editing:
                self.menu_edit.insertAction(edit_first, a)
            self._meeting_actions.append(self.menu_output.addSeparator())
            for a in outputs:
                self.menu_output.addAction(a)
            self._meeting_actions.append(self.toolbar.insertSeparator(self.act_settings))
            for a in (c.act_new, c.act_edit, c.act_copy, None, c.act_attendance, c.act_questionnaire, c.act_groups,
                      c.act_print_menu, c.act_export_xlsx):
                if a is None:
                    self._meeting_actions.append(self.toolbar.insertSeparator(self.act_settings))
                else:
                    self.toolbar.insertAction(self.act_settings, a)
            print_button = self.toolbar.widgetForAction(c.act_print_menu)
            if isinstance(print_button, QToolButton):
                print_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._consultation_actions = []
        if self.consultations_tab is not None:
            self._add_tab_actions(self.consultations_tab, self._consultation_actions)
        self.tabs.currentChanged.connect(self._sync_context_actions)
        self._sync_context_actions()

    def _add_tab_actions(self, tab, shown: list) -> None:
        """A tab's record actions go first in 編集, its outputs at the end of 出力, both on the toolbar (before
        設定); ``shown`` collects them (and their separators) to show only while the tab is in front."""
        editing, outputs = tab.record_actions(), tab.output_actions()
        shown += [*editing, *outputs]
        edit_first = self.menu_edit.actions()[0]
        for a in editing:
            self.menu_edit.insertAction(edit_first, a)
        shown.append(self.menu_output.addSeparator())
        for a in outputs:
            self.menu_output.addAction(a)
        shown.append(self.toolbar.insertSeparator(self.act_settings))
        on_toolbar = tab.toolbar_actions() if hasattr(tab, "toolbar_actions") else [*editing, *outputs]
        for a in on_toolbar:
            self.toolbar.insertAction(self.act_settings, a)

    def _sync_context_actions(self, *_args) -> None:
        """Menus and the toolbar offer the actions of the tab in front only, so 「新規」 or
        「Excelに書き出し」 never acts on a list the user isn't looking at."""
        current = self.tabs.currentWidget()
        for action in self._resource_actions:
            action.setVisible(current is self.resources_tab)
        for action in self._issue_actions:
            action.setVisible(current is self.issues_tab)
        for action in self._meeting_actions:
            action.setVisible(current is self.meetings_tab)
        for action in self._consultation_actions:
            action.setVisible(current is self.consultations_tab)
        key = ("resources" if current is self.resources_tab else "issues" if current is self.issues_tab
               else "meetings" if current is self.meetings_tab
               else "consultations" if current is self.consultations_tab else "")
        shown, total = self._counts.get(key, (None, None))
        label = {"resources": "資源", "issues": "課題", "meetings": "会議・研修（この月）", "consultations": "相談"}.get(key)
        self.count_label.setText(f"{label} {shown:,} / {total:,} 件" if label and shown is not None else "")

    def _set_counts(self, key: str, shown: int, total: int) -> None:
        """The status bar counts what the tab in front shows."""
        self._counts[key] = (shown, total)
        self._sync_context_actions()

    # --- attaching the data ---------------------------------------------------------------------
    def attach(self, ctx) -> None:
        from .resources.tab import ResourcesTab

        self.ctx = ctx
        self.resources_tab = ResourcesTab(ctx, self)
        self.resources_tab.status_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.resources_tab.counts_changed.connect(lambda shown, total: self._set_counts("resources", shown, total))
        current = self.tabs.currentIndex()
        self.tabs.removeTab(0)
        self.tabs.insertTab(0, self.resources_tab, icon("resources"), TAB_TITLES[0])
        self.tabs.setCurrentIndex(current)
        self.loading.deleteLater()
        self._attach_issues(ctx)
        self._attach_meetings(ctx)
        self._attach_consultations(ctx)
        self._fill_menus()
        from .security_page import attach_security

        attach_security(self, ctx)  # status-bar labels; a 閲覧者's edit actions disabled
        self._start_backups(ctx)
        from .lock import LockController

        self.lock_controller = LockController(self, ctx)
        self.menu_file.insertAction(self.act_quit, self.lock_controller.action)
        self.menu_file.insertSeparator(self.act_quit)
        self.db_label.setText(str(ctx.services.db.path))
        self.db_label.setToolTip("データベースのファイル")
        self.refresh_vocab()
        state = self.settings.get_state("resource_columns")
        self.resources_tab.restore_state(state)
        self._route_new_shortcut()
        # The resource list first (what the user sees), then the board and the calendar; 'ready' when all are in.
        def load_meetings() -> None:
            if self.meetings_tab is not None:
                self.meetings_tab.load(on_loaded=self._load_consultations)
            else:
                self._load_consultations()

        if self.issues_tab is not None:
            self.resources_tab.load(on_loaded=lambda: self.issues_tab.load(on_loaded=load_meetings))
        else:
            self.resources_tab.load(on_loaded=load_meetings)

    def _attach_issues(self, ctx) -> None:
        """The 課題ボード tab at index 1 (when the issue service is there)."""
        if getattr(ctx.services, "issues", None) is None:
            return
        from .issues.board_tab import IssueBoardTab

        self.issues_tab = IssueBoardTab(ctx, self)
        self.issues_tab.status_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.issues_tab.counts_changed.connect(lambda shown, total: self._set_counts("issues", shown, total))
        # In the main window the board's actions live in the main toolbar (shown while it is in front).
        self.issues_tab.toolbar.hide()
        current = self.tabs.currentIndex()
        old = self.tabs.widget(1)
        self.tabs.removeTab(1)
        old.deleteLater()
        self.tabs.insertTab(1, self.issues_tab, icon("issues"), TAB_TITLES[1])
        self.tabs.setCurrentIndex(current)
        self.tabs.currentChanged.connect(self._route_new_shortcut)

    def _attach_meetings(self, ctx) -> None:
        """The 会議・研修 calendar at index 2 (when the meeting service is there)."""
        if getattr(ctx.services, "meetings", None) is None:
            return
        from .meetings.calendar_tab import CalendarTab

        self.meetings_tab = CalendarTab(ctx, self)
        self.meetings_tab.status_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.meetings_tab.counts_changed.connect(lambda shown, total: self._set_counts("meetings", shown, total))
        # Like the board: its actions live in the main toolbar while it is in front.
        self.meetings_tab.toolbar.hide()
        current = self.tabs.currentIndex()
        old = self.tabs.widget(2)
        self.tabs.removeTab(2)
        old.deleteLater()
        self.tabs.insertTab(2, self.meetings_tab, icon("meetings"), TAB_TITLES[2])
        self.tabs.setCurrentIndex(current)
        if self.issues_tab is None:
            self.tabs.currentChanged.connect(self._route_new_shortcut)

    def _attach_consultations(self, ctx) -> None:
        """The 相談受付 tab at index 3 (when the consultation service is there)."""
        if getattr(ctx.services, "consultations", None) is None:
            return
        if not getattr(ctx.services, "can_see_personal", True):  # a 閲覧者 never sees a consultation
            old = self.tabs.widget(3)
            self.tabs.removeTab(3)
            old.deleteLater()
            return
        from .consultations.tab import ConsultationTab

        self.consultations_tab = ConsultationTab(ctx, self)
        self.consultations_tab.status_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.consultations_tab.counts_changed.connect(
            lambda shown, total: self._set_counts("consultations", shown, total))
        self.consultations_tab.toolbar.hide()
        current = self.tabs.currentIndex()
        old = self.tabs.widget(3)
        self.tabs.removeTab(3)
        old.deleteLater()
        self.tabs.insertTab(3, self.consultations_tab, icon("consultations"), TAB_TITLES[3])
        self.tabs.setCurrentIndex(current)
        if self.issues_tab is None and self.meetings_tab is None:
            self.tabs.currentChanged.connect(self._route_new_shortcut)

    def _load_consultations(self) -> None:
        """Load the consultations last; when follow-ups are due the status bar says so."""
        if self.consultations_tab is None:
            self._loaded()
            return

        def loaded() -> None:
            due = self.consultations_tab.due_count()
            if due:
                self.statusBar().showMessage(f"今日の対応：{due}件")
            self._loaded()

        self.consultations_tab.load(on_loaded=loaded)

    def _route_new_shortcut(self, *_args) -> None:
        """Ctrl+N makes a new record of the tab in front (resources, issues or meetings)."""
        if self.resources_tab is None:
            return
        current = self.tabs.currentWidget()
        tabs = [t for t in (self.issues_tab, self.meetings_tab, self.consultations_tab) if t is not None]
        if not tabs:
            return
        new = QKeySequence(QKeySequence.StandardKey.New)
        in_front = next((t for t in tabs if current is t), None)
        self.resources_tab.act_new.setShortcut(QKeySequence() if in_front is not None else new)
        for t in tabs:
            t.act_new.setShortcut(new if t is in_front else QKeySequence())

    def _loaded(self) -> None:
        self._update_sample_badge()
        self.ready.emit()

    def _update_sample_badge(self) -> None:
        if self.ctx is None:
            return
        # A sample database made before the issue board can still gain the sample issues.
        sample = self.ctx.services.sample
        self.act_sample_issues.setVisible(self.issues_tab is not None and sample.can_load_issues())
        rows = self.resources_tab.model.all_rows
        self.sample_label.setText("サンプルデータ（架空）を表示中" if any(r.is_sample for r in rows) else "")

    def refresh_vocab(self) -> None:
        vocab = self.ctx.services.vocab.all()
        self.resources_tab.set_vocab(vocab)
        if self.issues_tab is not None:
            self.issues_tab.set_vocab(vocab)

    def reload(self) -> None:
        if self.ctx is None:
            return
        self.refresh_vocab()
        self.resources_tab.load(on_loaded=self._update_sample_badge)
        if self.issues_tab is not None:
            self.issues_tab.load()
        if self.meetings_tab is not None:
            self.meetings_tab.load()
        if self.consultations_tab is not None:
            self.consultations_tab.load()

    # --- actions ----------------------------------------------------------------------------------
    def open_settings(self) -> None:
        from .settings_dialog import SettingsDialog

        old_theme, old_style = self.settings.theme, self.settings.date_style
        dialog = SettingsDialog(self.ctx, self)
        accepted = dialog.exec()
        self.security_status.update()  # the セキュリティ page may have protected the database or changed users
        logged_in = self.ctx.services.security is not None and self.ctx.services.security.current is not None
        if accepted and self.settings.get("user/name") and not logged_in:  # a log-in names the user itself
            self.ctx.services.set_user(self.settings.get("user/name"))
        if accepted and self.settings.theme != old_theme:
            self.set_theme(self.settings.theme)
        if dialog.vocab_changed or (accepted and self.settings.date_style != old_style) or accepted:
            self.reload()

    def set_theme(self, key: str) -> None:
        from PySide6.QtWidgets import QApplication

        from .theme import apply_theme

        self.settings.set("ui/theme", key)
        app = QApplication.instance()
        if app is not None:
            apply_theme(app, key)  # type: ignore[arg-type]
        for action in self.theme_menu.actions():
            action.setChecked(action.objectName() == f"theme_{key}")

    def offer_first_run(self) -> None:
        """The first-run wizard (ui/first_run.py), once, when the program has just created the database."""
        from .first_run import open_first_run

        open_first_run(self)

    def offer_sample_on_first_start(self) -> None:
        """Asked once on an empty database; a 'no' is remembered (the menu entry stays)."""
        self.offer_sample(first_start=True)

    def offer_sample(self, first_start: bool = False) -> None:
        if self.ctx is None:
            return
        sample = self.ctx.services.sample
        if not sample.is_empty():
            self.messages.info("サンプル地域", "サンプル地域は、資源が1件も登録されていないデータベースにだけ読み込めます。")
            return
        if not self.messages.confirm(
                "サンプル地域を読み込みますか？",
                "釜石市・大槌町の架空の事業所（129件、釜石保健医療圏の平成27年の表と同じ件数）を読み込みます。\n"
                "練習用のサンプルデータで、実在の施設・人物とは関係ありません。",
                ok="読み込む", cancel="読み込まない"):
            if first_start:
                self.settings.set("ui/offer_sample", False)
                self.statusBar().showMessage("サンプル地域は「ファイル → サンプル地域を読み込む」からいつでも読み込めます", 15000)
            return
        self.ctx.runner.run(sample.load, on_done=lambda result: self._sample_loaded(result),
                            on_error=lambda exc: self.messages.failure("サンプル地域を読み込めません", exc))

    def add_sample_issues(self) -> None:
        if self.ctx is None or not self.messages.confirm(
                "サンプルの課題を追加しますか？",
                "このサンプル地域のデータベースに、釜石市の資料にある課題・対応策・ニーズ（架空の記録として）を追加します。",
                ok="追加する", cancel="やめる"):
            return
        self.ctx.runner.run(self.ctx.services.sample.load_issues,
                            on_done=lambda r: (self.statusBar().showMessage(
                                f"サンプルの課題 {r.issues} 件・ニーズ {r.needs} 件を追加しました", 8000), self.reload()),
                            on_error=lambda exc: self.messages.failure("サンプルの課題を追加できません", exc))

    def _sample_loaded(self, result) -> None:
        self.statusBar().showMessage(f"サンプル地域を読み込みました（{result.resources} 件）", 8000)
        self.reload()

    def print_list(self) -> None:
        """Print (or save as PDF) the list as it is shown: filter, sort and visible columns."""
        if self.resources_tab is None:
            return
        from PySide6.QtPrintSupport import QPrintPreviewDialog, QPrinter

        document = self.list_document()
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        preview = QPrintPreviewDialog(printer, self)
        preview.setWindowTitle("一覧の印刷プレビュー")
        preview.paintRequested.connect(document.print_)
        preview.exec()

    def list_document(self) -> QTextDocument:
        tab = self.resources_tab
        table = tab.table
        columns = [i for i in range(tab.model.columnCount())
                   if not table.isColumnHidden(i)]
        columns.sort(key=table.horizontalHeader().visualIndex)
        e = html.escape
        head = "".join(f"<th>{e(tab.model.columns[i].header)}</th>" for i in columns)
        body = []
        for row in tab.model.visible_rows():
            body.append("<tr>" + "".join(f"<td>{e(tab.model.columns[i].text(row))}</td>" for i in columns) + "</tr>")
        document = QTextDocument()
        document.setDefaultFont(self.font())
        document.setHtml(
            f"<h3>資源一覧（{len(body):,} 件）</h3>"
            "<table border=1 cellspacing=0 cellpadding=3 style='border-collapse:collapse;font-size:8pt'>"
            f"<thead><tr>{head}</tr></thead>{''.join(body)}</table>")
        return document

    def open_studio(self, kind: str | None = None, meeting_id: str | None = None) -> None:
        """出力 → 配布物スタジオ (ui/handouts/studio.py), optionally on one handout."""
        from .handouts.studio import open_studio

        open_studio(self.ctx, self, kind=kind, meeting_id=meeting_id)

    def about(self) -> None:
        from .about_dialog import AboutDialog

        AboutDialog(self.ctx, self).exec()

    # --- backups (ui/backup_dialog.py) -------------------------------------------------------------
    def _start_backups(self, ctx) -> None:
        from .backup_dialog import AutoBackup

        for a in (self.act_backup, self.act_check):
            a.setEnabled(True)
        if getattr(ctx.services.db, "server", False):  # the server's administrator backs it up (pg_dump)
            from zaitaku_desktop.services.maintenance import SERVER_BACKUP_MESSAGE

            self.act_backup.setEnabled(False)
            self.act_backup.setToolTip(SERVER_BACKUP_MESSAGE)
            return
        self.auto_backup = AutoBackup(ctx, self)
        self.auto_backup.status.connect(lambda text: self.statusBar().showMessage(text, 8000))

    def open_backups(self) -> None:
        from .backup_dialog import BackupDialog

        dialog = BackupDialog(self.ctx, self)
        dialog.restored.connect(self._restored)
        dialog.exec()

    def _restored(self, _path) -> None:
        """The services reconnect to the restored file by themselves; an older file gets the starter data it
        lacks (e.g. categories added since), then every tab reads it afresh."""
        try:
            self.ctx.services.ensure_starter_data()
        except DomainError as exc:
            self.messages.failure("復元したデータの準備ができませんでした", exc)
        self.statusBar().showMessage("バックアップから復元しました", 15000)
        self.reload()

    def check_data(self) -> None:
        from .backup_dialog import show_check

        show_check(self.ctx)

    # --- layout memory -----------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = self.settings.get_state("main_geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.get_state("main_state")
        if state is not None:
            self.restoreState(state)
        last = self.settings.get("ui/last_tab")
        if 0 <= last < self.tabs.count():
            self.tabs.setCurrentIndex(last)

    def save_layout(self) -> None:
        self.settings.set_state("main_geometry", self.saveGeometry())
        self.settings.set_state("main_state", self.saveState())
        self.settings.set("ui/last_tab", self.tabs.currentIndex())
        if self.resources_tab is not None:
            self.settings.set_state("resource_columns", self.resources_tab.saveable_state())
        if self.issues_tab is not None:
            self.issues_tab.save_layout()
        if self.meetings_tab is not None:
            self.meetings_tab.save_layout()
        if self.consultations_tab is not None:
            self.consultations_tab.save_layout()
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.ctx is not None and self.ctx.runner.busy:
            if not self.messages.confirm("処理中です", "まだ処理が終わっていません。終わるのを待ってから終了しますか？",
                                         ok="待って終了", cancel="終了しない"):
                event.ignore()
                return
            self.ctx.runner.wait(60000)
        if self.auto_backup is not None and not (self.lock_controller and self.lock_controller.locked):
            self.auto_backup.on_exit()  # (locked: the key is gone; the last automatic backup stands)
        self.save_layout()
        event.accept()
