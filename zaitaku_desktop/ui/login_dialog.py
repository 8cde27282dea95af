"""Log-in before a protected database is opened, and the password / recovery-key input it shares with the
lock page (ui/lock.py).

The password is only handed to the security core (``Gate.login``) and never kept: not in the settings, not in
the log. The settings remember the last user's *name* only (``security/last_user``).
"""

from __future__ import annotations

from contextlib import contextmanager

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout,
    QWidget,
)

from zaitaku_desktop import APP_TITLE
from zaitaku_desktop.domain.errors import StorageError

from .widgets.form_rows import ERROR_STYLE

LAST_USER_SETTING = "security/last_user"


@contextmanager
def busy_cursor():
    """The hourglass while the key derivation runs (a fraction of a second)."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


class SecretInput(QWidget):
    """A password field that switches to a recovery-key field, with a red error line below.

    ``form`` is the layout, so a dialog can put its own rows (the user name) above the fields."""

    submitted = Signal()
    mode_changed = Signal(bool)  # True = recovery key

    def __init__(self, parent: QWidget | None = None, *, recovery_text: str = "回復キーで開く") -> None:
        super().__init__(parent)
        self.recovery_text = recovery_text
        self.recovery_mode = False
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.password = QLineEdit(self)
        self.password.setObjectName("passwordField")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow("パスワード", self.password)
        self.recovery = QLineEdit(self)
        self.recovery.setObjectName("recoveryKeyField")
        self.recovery.setPlaceholderText("例：7K3Q-ABCD-…（ハイフン・空白はあってもなくても可）")
        self.recovery.setMinimumWidth(360)
        self.form.addRow("回復キー", self.recovery)
        self.form.setRowVisible(self.recovery, False)
        self.toggle = QPushButton(recovery_text, self)
        self.toggle.setObjectName("recoveryToggle")
        self.toggle.setFlat(True)
        self.toggle.setCursor(Qt.CursorShape.PointingHandCursor)
        self.toggle.setStyleSheet("color:#1565c0; text-decoration: underline; text-align: left;")
        self.toggle.clicked.connect(lambda: self.set_recovery_mode(not self.recovery_mode))
        self.form.addRow("", self.toggle)
        self.error = QLabel("", self)
        self.error.setObjectName("authError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.form.addRow(self.error)
        for edit in (self.password, self.recovery):
            edit.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Enter in a field submits, once: the key goes no further (not to a dialog's default button)."""
        enter = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if event.type() == QEvent.Type.KeyPress and event.key() in enter:  # type: ignore[attr-defined]
            self.submitted.emit()
            return True
        return False

    def field(self) -> QLineEdit:
        return self.recovery if self.recovery_mode else self.password

    def text(self) -> str:
        return self.field().text()

    def set_recovery_mode(self, on: bool) -> None:
        self.recovery_mode = on
        self.form.setRowVisible(self.password, not on)
        self.form.setRowVisible(self.recovery, on)
        self.toggle.setText("パスワードで開く" if on else self.recovery_text)
        self.error.clear()
        self.field().setFocus()
        self.mode_changed.emit(on)

    def missing(self) -> str:
        """The message for an empty field, or ""."""
        if self.text().strip():
            return ""
        return "回復キーを入力してください。" if self.recovery_mode else "パスワードを入力してください。"

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        field = self.field()
        field.setFocus()
        field.selectAll()

    def clear(self) -> None:
        self.password.clear()
        self.recovery.clear()
        self.error.clear()
        if self.recovery_mode:
            self.set_recovery_mode(False)


class LoginDialog(QDialog):
    """利用者名 and パスワード (or the recovery key) for a protected database; ``credentials`` when accepted.

    Five wrong tries in a row make the next one wait ``LOCKOUT_S`` seconds, counted down on screen."""

    LOCKOUT_AFTER = 5
    LOCKOUT_S = 30

    def __init__(self, gate, parent: QWidget | None = None, *, settings=None) -> None:
        super().__init__(parent)
        self.gate = gate
        self.settings = settings
        self.credentials = None
        self.failures = 0
        self.wait_left = 0
        self.setObjectName("loginDialog")
        self.setWindowTitle(f"ログイン — {APP_TITLE}")
        layout = QVBoxLayout(self)
        intro = QLabel("このデータベースは保護されています。\n利用者名とパスワードを入力して「開く」を押してください。", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        where = QLabel(f"ファイル：{gate.db_path.name}", self)
        where.setStyleSheet("color:#666;")
        layout.addWidget(where)
        self.name = QComboBox(self)
        self.name.setObjectName("loginUser")
        self.name.setEditable(True)
        self.name.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.name.addItems(gate.user_names())
        last = settings.get(LAST_USER_SETTING) if settings is not None else ""
        if last:
            self.name.setCurrentText(last)
        self.secret = SecretInput(self)
        self.secret.form.insertRow(0, "利用者名", self.name)
        self.secret.mode_changed.connect(lambda on: self.secret.form.setRowVisible(self.name, not on))
        self.secret.submitted.connect(self.try_login)
        layout.addWidget(self.secret)
        self.wait_label = QLabel("", self)
        self.wait_label.setObjectName("loginWait")
        self.wait_label.setStyleSheet(ERROR_STYLE)
        self.wait_label.hide()
        layout.addWidget(self.wait_label)
        buttons = QDialogButtonBox(self)
        self.ok_button = buttons.addButton("開く", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("loginOk")
        self.ok_button.setDefault(True)
        self.cancel_button = buttons.addButton("終了", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setObjectName("loginCancel")
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.countdown = QTimer(self)
        self.countdown.setObjectName("loginCountdown")
        self.countdown.setInterval(1000)
        self.countdown.timeout.connect(self.tick)
        self.setMinimumWidth(460)
        (self.secret.password if self.name.currentText() else self.name).setFocus()
        if getattr(gate, "key_file_missing", False):
            intro.setText(f"鍵ファイル（{gate.db_path.name}.keys.json）が見つかりません。暗号化されたデータベースなら、"
                          "回復キーで開けます。\n回復キーがない場合は「回復キーなしで進む」を押してください"
                          "（ファイルを調べ、開けなければバックアップからの復元をご案内します）。")
            self.secret.set_recovery_mode(True)
            self.cancel_button.setText("回復キーなしで進む")

    def try_login(self) -> None:
        if self.wait_left:
            return
        name = self.name.currentText().strip()
        problem = self.secret.missing() or (
            "" if self.secret.recovery_mode or name else "利用者名を入力してください。")
        if problem:
            self.secret.show_error(problem)
            return
        try:
            with busy_cursor():
                if self.secret.recovery_mode:
                    credentials = self.gate.login_with_recovery_key(self.secret.text())
                else:
                    credentials = self.gate.login(name, self.secret.text())
        except StorageError as exc:  # AuthError, or a key file that cannot be read
            self.failed(exc.message)
            return
        self.credentials = credentials
        if self.settings is not None and not self.secret.recovery_mode:
            self.settings.set(LAST_USER_SETTING, name)
        self.secret.clear()
        self.accept()

    def failed(self, message: str) -> None:
        self.failures += 1
        self.secret.show_error(message)
        if self.failures >= self.LOCKOUT_AFTER:
            self.failures = 0
            self.wait_left = self.LOCKOUT_S
            self.ok_button.setEnabled(False)
            self.wait_label.show()
            self._show_wait()
            self.countdown.start()

    def tick(self) -> None:
        """One second of the wait after too many wrong tries."""
        self.wait_left = max(0, self.wait_left - 1)
        self._show_wait()
        if not self.wait_left:
            self.countdown.stop()
            self.wait_label.hide()
            self.ok_button.setEnabled(True)
            self.secret.field().setFocus()

    def _show_wait(self) -> None:
        self.wait_label.setText(f"{self.LOCKOUT_AFTER}回続けて間違えたため、あと {self.wait_left} 秒お待ちください。")
