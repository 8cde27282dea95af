"""設定 → セキュリティ: encryption at rest, users and roles, the idle lock — and what the roles mean in the window.

- :class:`SecurityPage`: the state in plain words, 保護する / 保護を解除する / パスフレーズの変更, the user table
  (追加・削除・役割の変更・パスワードの再設定) and 自動ロックまでの時間. Only a 担当者 sees it enabled.
- :class:`PassphraseDialog`: the one small form behind every password question, with the problem shown live.
- :func:`attach_security` (called by the main window): the status-bar labels 「暗号化済み」/「暗号化なし」 and
  「山田（担当者）」, and for a 閲覧者 every action that changes data disabled.

Passphrases stay in the dialog's fields only until the service has them; they are never logged or stored."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView,
    QLabel, QLineEdit, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from zaitaku_desktop.services import security as sec

from .context import AppContext
from .widgets.form_rows import ERROR_STYLE, password_edit
from .widgets.progress import run_with_progress

VIEWER_TIP = "閲覧者は変更できません"
STAFF_ONLY = "セキュリティの設定は、担当者だけが変更できます。"
ENCRYPTED = "このデータベースは暗号化されています（SQLCipher）"
PLAIN = "暗号化されていません"
UNAVAILABLE = "このパソコンでは暗号化の機能が使えないため、データは暗号化されずに保存されます"
PLAIN_TIP = ("データベースは暗号化されていません。パソコンをなくすと、相談記録などを読まれるおそれがあります。\n"
             "設定 → セキュリティ の「データベースを保護する…」でパスフレーズを設定すると暗号化できます。")
ENCRYPTED_TIP = "データベースはパスフレーズで暗号化されています（SQLCipher）。"
PROTECT_INTRO = ("データベースをパスフレーズで暗号化します。変換の前にバックアップを作って確認します。\n"
                 "この利用者名とパスフレーズで、次からプログラムを開きます。終わると回復キーを一度だけ表示します。")
UNPROTECT_WARNING = ("保護を解除すると、データベースは暗号化されずに保存されます。パソコンをなくしたとき、"
                     "相談記録などの個人情報を誰でも読めるようになります。")


def is_viewer(services) -> bool:
    return getattr(services, "role", sec.ROLE_STAFF) == sec.ROLE_VIEWER


def unavailable_text(status) -> str:
    return status.unavailable_reason or "暗号化に必要な部品（SQLCipher）を読み込めませんでした。"


# --- the password form ---------------------------------------------------------------------------------------


class PassphraseDialog(QDialog):
    """利用者名 / 役割 / 今のパスワード / 新しいパスワード twice — whichever the caller asks for. OK stays disabled
    while something is missing; the first problem of what has been typed is shown in red as the user types."""

    def __init__(self, parent: QWidget | None, *, title: str, intro: str, ok: str, word: str = "パスワード",
                 name: str | None = None, roles: bool = False, current: bool = False, new: bool = True,
                 new_label: str | None = None, warning: str = "") -> None:
        super().__init__(parent)
        self.word = word
        self.setObjectName("passphraseDialog")
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        text = QLabel(intro, self)
        text.setWordWrap(True)
        layout.addWidget(text)
        form = QFormLayout()
        self.name_edit = self.role_combo = self.current_edit = self.new_edit = self.confirm_edit = None
        if name is not None:
            self.name_edit = QLineEdit(name, self)
            self.name_edit.setObjectName("secName")
            form.addRow("利用者名", self.name_edit)
        if roles:
            self.role_combo = QComboBox(self)
            self.role_combo.setObjectName("secRole")
            self.role_combo.addItems(list(sec.ROLES))
            self.role_combo.setToolTip("担当者：すべての操作ができます。\n閲覧者：資源一覧などを見るだけで、相談記録は見られません。")
            form.addRow("役割", self.role_combo)
        if current:
            self.current_edit = password_edit(self, "secCurrent")
            form.addRow(f"今の{word}", self.current_edit)
        if new:
            self.new_edit = password_edit(self, "secNew")
            self.new_edit.setPlaceholderText(f"{sec.PASSPHRASE_MIN}文字以上")
            self.confirm_edit = password_edit(self, "secConfirm")
            form.addRow(new_label or f"新しい{word}", self.new_edit)
            form.addRow("もう一度（確認）", self.confirm_edit)
        layout.addLayout(form)
        if warning:
            caution = QLabel(warning, self)
            caution.setObjectName("secWarning")
            caution.setWordWrap(True)
            caution.setStyleSheet("color:#b00020; font-weight:bold;")
            layout.addWidget(caution)
        self.problem = QLabel("", self)
        self.problem.setObjectName("secProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.setMinimumHeight(self.problem.fontMetrics().lineSpacing() * 3)  # room for a long message
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(self)
        self.ok_button = buttons.addButton(ok, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("secOk")
        buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole).setObjectName("secCancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._touched: set[QLineEdit] = set()
        for edit in self._edits():
            edit.textChanged.connect(lambda _t, e=edit: self._changed(e))
        self._check()
        self.resize(460, 0)

    def _edits(self) -> list[QLineEdit]:
        return [e for e in (self.name_edit, self.current_edit, self.new_edit, self.confirm_edit) if e is not None]

    def _changed(self, edit: QLineEdit) -> None:
        self._touched.add(edit)
        self._check()

    def problems(self) -> list[tuple[QLineEdit, str]]:
        """(field, Japanese problem) for every field that is not yet right, in the form's order."""
        found = []
        if self.name_edit is not None and not self.name_edit.text().strip():
            found.append((self.name_edit, "利用者名を入力してください。"))
        if self.current_edit is not None and not self.current_edit.text():
            found.append((self.current_edit, f"今の{self.word}を入力してください。"))
        if self.new_edit is not None:
            if (problem := sec.validate_passphrase(self.new_edit.text())) is not None:
                found.append((self.new_edit, problem))
            if self.confirm_edit.text() != self.new_edit.text():
                found.append((self.confirm_edit, f"2つの{self.word}が一致しません。同じものをもう一度入力してください。"
                              if self.confirm_edit.text() else f"確認のため、同じ{self.word}をもう一度入力してください。"))
        return found

    def _check(self) -> None:
        found = self.problems()
        self.ok_button.setEnabled(not found)
        shown = [text for edit, text in found if edit in self._touched]
        self.problem.setText(shown[0] if shown else "")

    def name(self) -> str:
        return self.name_edit.text().strip() if self.name_edit is not None else ""

    def role(self) -> str:
        return self.role_combo.currentText() if self.role_combo is not None else sec.ROLE_STAFF

    def current(self) -> str:
        return self.current_edit.text() if self.current_edit is not None else ""

    def new(self) -> str:
        return self.new_edit.text() if self.new_edit is not None else ""

    def done(self, result: int) -> None:
        super().done(result)
        if result != QDialog.DialogCode.Accepted.value:
            self.clear_secrets()

    def clear_secrets(self) -> None:
        for edit in (self.current_edit, self.new_edit, self.confirm_edit):
            if edit is not None:
                edit.clear()


def ask(parent: QWidget | None, **options) -> PassphraseDialog | None:
    """Show a PassphraseDialog; the dialog when the user confirmed (call clear_secrets() once read)."""
    dialog = PassphraseDialog(parent, **options)
    return dialog if dialog.exec() == QDialog.DialogCode.Accepted.value else None


def run_security(ctx: AppContext, parent: QWidget | None, label: str, work: Callable[[], Any], *, title: str,
                 on_done: Callable[[Any], None], after: Callable[[], None] | None = None) -> None:
    """Run a security operation on the worker behind a busy dialog; ``after`` runs whether it worked or not."""
    def done(result: Any) -> None:
        on_done(result)
        if after:
            after()

    def failed(exc: BaseException) -> None:
        ctx.messages.failure(title, exc)
        if after:
            after()

    run_with_progress(ctx, label, lambda _progress: work(), on_done=done, on_error=failed, parent=parent)


def show_key(ctx: AppContext, parent: QWidget | None, key: str | None, user: str = "") -> None:
    if key:
        from .recovery_key_dialog import RecoveryKeyDialog

        RecoveryKeyDialog(ctx, key, parent, user=user).exec()


def protect_database(ctx: AppContext, parent: QWidget | None, after: Callable[[], None] | None = None) -> None:
    """利用者名 and the passphrase twice → SecurityService.protect on the worker → the recovery key, once."""
    dialog = ask(parent, title="データベースを保護する", intro=PROTECT_INTRO, ok="保護する", word="パスフレーズ",
                 name=ctx.settings.get("user/name"), new_label="パスフレーズ")
    if dialog is None:
        return
    name, passphrase = dialog.name(), dialog.new()
    dialog.clear_secrets()
    run_security(ctx, parent, "データベースを暗号化しています…",
                 lambda: ctx.services.security.protect(name, passphrase), title="データベースを保護できませんでした",
                 on_done=lambda key: show_key(ctx, parent, key, name), after=after)


# --- the page ------------------------------------------------------------------------------------------------

class SecurityPage(QWidget):
    changed = Signal()  # encryption or users changed (the status bar reads them again)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.security = ctx.services.security
        self.setObjectName("securityPage")
        layout = QVBoxLayout(self)
        self.staff_only = QLabel(STAFF_ONLY, self)
        self.staff_only.setObjectName("securityStaffOnly")
        self.staff_only.setStyleSheet("color:#b00020; font-weight:bold;")
        layout.addWidget(self.staff_only)

        box = QGroupBox("データベースの暗号化", self)
        column = QVBoxLayout(box)
        self.state = QLabel("", box)
        self.state.setObjectName("securityState")
        self.state.setWordWrap(True)
        self.state.setStyleSheet("font-weight:bold;")
        self.reason = QLabel("", box)
        self.reason.setObjectName("securityReason")
        self.reason.setWordWrap(True)
        column.addWidget(self.state)
        column.addWidget(self.reason)
        row = QHBoxLayout()
        self.protect_button = self._button("データベースを保護する…", "securityProtect", self.protect, row)
        self.unprotect_button = self._button("保護を解除する…", "securityUnprotect", self.unprotect, row)
        self.password_button = self._button("パスフレーズ（パスワード）の変更…", "securityChangePassword",
                                            self.change_password, row)
        row.addStretch(1)
        column.addLayout(row)
        layout.addWidget(box)

        box = QGroupBox("利用者", self)
        column = QVBoxLayout(box)
        hint = QLabel("担当者はすべての操作ができます。閲覧者は資源一覧などを見るだけで、相談記録は見られません。", box)
        hint.setWordWrap(True)
        column.addWidget(hint)
        self.table = QTableWidget(0, 2, box)
        self.table.setObjectName("securityUsers")
        self.table.setHorizontalHeaderLabels(["名前", "役割"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setMinimumHeight(self.table.verticalHeader().defaultSectionSize() * 4)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        column.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.add_button = self._button("追加…", "securityAddUser", self.add_user, row)
        self.remove_button = self._button("削除", "securityRemoveUser", self.remove_user, row)
        self.role_button = self._button("役割の変更", "securityChangeRole", self.change_role, row)
        self.reset_button = self._button("パスワードの再設定…", "securityResetPassword", self.reset_password, row)
        row.addStretch(1)
        column.addLayout(row)
        layout.addWidget(box, 1)

        box = QGroupBox("自動ロック", self)
        form = QFormLayout(box)
        self.idle = QSpinBox(box)
        self.idle.setObjectName("securityIdleMinutes")
        self.idle.setRange(0, 120)
        self.idle.setSuffix(" 分")
        self.idle.setSpecialValueText("しない")
        self.idle.setValue(ctx.settings.get("security/idle_minutes"))
        self.idle.setToolTip("操作しない時間がこの長さになると画面をロックします（0＝ロックしない）")
        form.addRow("自動ロックまでの時間（分）", self.idle)
        layout.addWidget(box)
        self.users: list = []
        self.refresh()

    def _button(self, text: str, name: str, slot, row: QHBoxLayout) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    # --- state ------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        status = self.security.status()
        staff = not is_viewer(self.ctx.services)
        self.staff_only.setVisible(not staff)
        for child in self.findChildren(QGroupBox):
            child.setEnabled(staff)
        if status.encrypted:
            self.state.setText(ENCRYPTED)
            self.reason.setText("パソコンをなくしても、パスフレーズか回復キーがなければ中身は読めません。")
        elif status.available:
            self.state.setText(PLAIN)
            self.reason.setText("「データベースを保護する…」でパスフレーズを設定すると、ファイルが暗号化されます。")
        else:
            self.state.setText(UNAVAILABLE)
            self.reason.setText(unavailable_text(status))
        self.state.setStyleSheet(f"font-weight:bold; color:{'#2e7d32' if status.encrypted else '#b00020'};")
        self.protect_button.setEnabled(status.available and not status.encrypted)
        self.unprotect_button.setEnabled(status.encrypted)
        self.password_button.setEnabled(status.current is not None)
        self.users = self.security.users()
        self.table.setRowCount(len(self.users))
        for r, user in enumerate(self.users):
            for c, text in enumerate((user.name, user.role)):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self._update_buttons()

    def selected(self):
        rows = {i.row() for i in self.table.selectedIndexes()}
        return self.users[rows.pop()] if len(rows) == 1 else None

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        for button in (self.remove_button, self.role_button, self.reset_button):
            button.setEnabled(chosen)

    def _after(self) -> None:
        self.refresh()
        self.changed.emit()

    def _run(self, label: str, work: Callable[[], Any], title: str, on_done: Callable[[Any], None]) -> None:
        run_security(self.ctx, self, label, work, title=title, on_done=on_done, after=self._after)

    def _done(self, text: str) -> Callable[[Any], None]:
        return lambda _result: self.ctx.messages.info("セキュリティ", text)

    # --- encryption -------------------------------------------------------------------------------------
    def protect(self) -> None:
        protect_database(self.ctx, self, after=self._after)

    def unprotect(self) -> None:
        dialog = ask(self, title="保護を解除する", intro="確認のため、パスフレーズを入力してください。", ok="保護を解除する",
                     word="パスフレーズ", current=True, new=False, warning=UNPROTECT_WARNING)
        if dialog is None:
            return
        passphrase = dialog.current()
        dialog.clear_secrets()
        self._run("暗号化を解除しています…", lambda: self.security.unprotect(passphrase), "保護を解除できませんでした",
                  self._done("保護を解除しました。データベースは暗号化されずに保存されます。"))

    def change_password(self) -> None:
        status = self.security.status()
        dialog = ask(self, title="パスフレーズ（パスワード）の変更",
                     intro=f"{status.current.name if status.current else ''}さんのパスフレーズ（パスワード）を変更します。",
                     ok="変更する", word="パスフレーズ", current=True)
        if dialog is None:
            return
        old, new = dialog.current(), dialog.new()
        dialog.clear_secrets()
        user = status.current.name if status.current else ""

        def changed(key: str | None) -> None:
            if key:
                show_key(self.ctx, self, key, user)
            else:
                self.ctx.messages.info("セキュリティ", "パスフレーズ（パスワード）を変更しました。")

        self._run("パスフレーズを変更しています…", lambda: self.security.change_password(old, new),
                  "パスフレーズを変更できませんでした", changed)

    # --- users ------------------------------------------------------------------------------------------
    def add_user(self) -> None:
        dialog = ask(self, title="利用者の追加", intro="新しい利用者の名前・役割・パスワードを入力してください。",
                     ok="追加する", name="", roles=True, new_label="パスワード")
        if dialog is None:
            return
        name, role, password = dialog.name(), dialog.role(), dialog.new()
        dialog.clear_secrets()
        self._run("利用者を追加しています…", lambda: self.security.add_user(name, role, password),
                  "利用者を追加できませんでした", lambda _r: None)

    def remove_user(self) -> None:
        user = self.selected()
        if user is None or not self.ctx.messages.confirm(
                "利用者の削除", f"{user.name}さん（{user.role}）を利用者から削除しますか？\n"
                               "この名前とパスワードでは、プログラムを開けなくなります。", ok="削除する", cancel="やめる"):
            return
        self._run("利用者を削除しています…", lambda: self.security.remove_user(user.name),
                  "利用者を削除できませんでした", lambda _r: None)

    def change_role(self) -> None:
        user = self.selected()
        if user is None:
            return
        role = sec.ROLE_VIEWER if user.role == sec.ROLE_STAFF else sec.ROLE_STAFF
        if not self.ctx.messages.confirm("役割の変更", f"{user.name}さんの役割を「{user.role}」から「{role}」に変更しますか？",
                                         ok="変更する", cancel="やめる"):
            return
        self._run("役割を変更しています…", lambda: self.security.set_role(user.name, role),
                  "役割を変更できませんでした", lambda _r: None)

    def reset_password(self) -> None:
        user = self.selected()
        if user is None:
            return
        dialog = ask(self, title="パスワードの再設定", intro=f"{user.name}さんの新しいパスワードを入力してください。",
                     ok="再設定する")
        if dialog is None:
            return
        password = dialog.new()
        dialog.clear_secrets()
        self._run("パスワードを再設定しています…", lambda: self.security.reset_password(user.name, password),
                  "パスワードを再設定できませんでした", self._done(f"{user.name}さんのパスワードを再設定しました。"))

    # --- the idle lock (saved with the settings dialog's OK) --------------------------------------------
    def apply(self) -> None:
        minutes = self.idle.value()
        self.ctx.settings.set("security/idle_minutes", minutes)
        owner = self.window().parentWidget()
        controller = getattr(owner, "lock_controller", None)
        if controller is not None:
            controller.set_idle_minutes(minutes)


def add_security_page(dialog) -> SecurityPage | None:
    """The セキュリティ page of the settings dialog; for a 閲覧者 the pages that write to the database are disabled."""
    ctx = dialog.ctx
    if getattr(ctx.services, "security", None) is None:
        return None
    page = SecurityPage(ctx, dialog)
    dialog.tabs.addTab(page, "セキュリティ")
    dialog.accepted.connect(page.apply)
    if is_viewer(ctx.services):
        for index in range(1, dialog.tabs.count() - 1):  # the vocabularies and records (表示 writes no data)
            dialog.tabs.widget(index).setEnabled(False)
            dialog.tabs.setTabToolTip(index, VIEWER_TIP)
    return page


# --- the main window ---------------------------------------------------------------------------------------

class SecurityStatus:
    """Two permanent status-bar labels: 「暗号化済み」 (green) / 「暗号化なし」 (grey), and 「山田（担当者）」."""

    def __init__(self, window, ctx: AppContext) -> None:
        self.ctx, self.window = ctx, window
        bar = window.statusBar()
        self.user_label = QLabel("", window)
        self.user_label.setObjectName("securityUser")
        self.encryption_label = QLabel("", window)
        self.encryption_label.setObjectName("encryptionLabel")
        bar.addPermanentWidget(self.user_label)
        bar.addPermanentWidget(self.encryption_label)
        self.update()

    def update(self) -> None:
        security = getattr(self.ctx.services, "security", None)
        if security is None:
            return
        status = security.status()
        controller = getattr(self.window, "lock_controller", None)
        if controller is not None:  # users or protection may have just been added (or removed)
            controller.sync_filters()
        label = self.encryption_label
        if getattr(security.db, "server", False):  # the server's administrator protects it, not this program
            from zaitaku_desktop.services.security import SERVER_SECURITY_MESSAGE

            label.setText("共有サーバー")
            label.setStyleSheet("color:#1565c0; padding:0 6px;")
            label.setToolTip(SERVER_SECURITY_MESSAGE)
        elif status.encrypted:
            label.setText("暗号化済み")
            label.setStyleSheet("color:#2e7d32; font-weight:bold; padding:0 6px;")
            label.setToolTip(ENCRYPTED_TIP)
        else:
            label.setText("暗号化なし")
            label.setStyleSheet("color:#757575; padding:0 6px;")
            label.setToolTip(PLAIN_TIP if status.available else f"{UNAVAILABLE}。\n{unavailable_text(status)}")
        user = status.current
        self.user_label.setText(f"{user.name}（{user.role}）" if user is not None else "")
        self.user_label.setToolTip("ログインしている利用者" if user is not None else "")


def restrict_for_viewer(window) -> QActionGroup:
    """A 閲覧者 looks but never changes: every action that writes is disabled (through one disabled action group,
    so the tabs' own enable/disable on selection cannot turn them back on), with a tooltip saying why."""
    names = {
        window.resources_tab: ("act_new", "act_edit", "act_archive", "act_import", "act_confirm_returned"),
        window.issues_tab: ("act_new", "act_edit", "act_archive", "act_feedback"),
        window.meetings_tab: ("act_new", "act_edit", "act_copy", "act_attendance", "act_questionnaire", "act_groups",
                              "act_persons"),
        window: ("act_sample", "act_sample_issues", "act_backup"),
    }
    group = QActionGroup(window)
    group.setExclusionPolicy(QActionGroup.ExclusionPolicy.None_)
    for owner, attributes in names.items():
        for action in (getattr(owner, a, None) for a in attributes if owner is not None):
            if action is not None:
                action.setToolTip(VIEWER_TIP)
                group.addAction(action)
    group.setEnabled(False)
    if getattr(window, "menu_sync", None) is not None:  # importing an exchange file writes
        window.menu_sync.menuAction().setToolTip(VIEWER_TIP)
        window.menu_sync.setEnabled(False)
    _redirect_openers(window)
    return group


def _redirect_openers(window) -> None:
    """Double-clicks (and drops on the issue board) that would open a form for editing or move a record only say,
    in the status bar, why nothing happens."""
    signals = [window.resources_tab.table.doubleClicked, window.resources_tab.map.view.point_activated]
    if window.issues_tab is not None:
        board = window.issues_tab
        signals += [board.board.card_activated, board.kanban.card_activated, board.board.dropped, board.kanban.dropped]
    if window.meetings_tab is not None:
        signals += [window.meetings_tab.table.doubleClicked, window.meetings_tab.month_view.meeting_activated]
    for signal in signals:
        signal.disconnect()
        signal.connect(lambda *_args: window.statusBar().showMessage(VIEWER_TIP, 5000))


def attach_security(window, ctx: AppContext) -> None:
    """Called by MainWindow.attach once the menus are filled."""
    window.security_status = SecurityStatus(window, ctx)
    window.viewer_actions = restrict_for_viewer(window) if is_viewer(ctx.services) else None
