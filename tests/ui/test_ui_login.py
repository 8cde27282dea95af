"""Log-in at start-up (issue 9): a protected database asks who is there before it is opened. A wrong password
says so and changes no byte of the file; the right one (or the recovery key) opens the window on the data;
「終了」 quits cleanly; five wrong tries make the next one wait, counted down on screen."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from zaitaku_desktop.storage.instance_lock import InstanceLock
from zaitaku_desktop.storage.keyfile import keyfile_path
from zaitaku_desktop.ui.login_dialog import LoginDialog

from test_ui_lock import PASSWORD, USER
from ui_helpers import replace_text, type_text


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def protected_path(encrypted_db) -> Path:
    return encrypted_db[0]


def _ok(qtbot, dialog: LoginDialog) -> None:
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def test_wrong_password_changes_nothing_and_the_right_one_opens_the_data(qtbot, start, protected_path, dialogs,
                                                                         settings, tmp_path):
    before = {p: _digest(p) for p in (protected_path, keyfile_path(protected_path))}
    seen = {}

    def log_in(d: LoginDialog) -> None:
        assert d.name.isEditable() and d.name.currentText() == USER  # the only user, already chosen
        assert d.secret.password.echoMode() == d.secret.password.EchoMode.Password
        d.secret.password.setFocus()
        qtbot.keyClicks(d.secret.password, "not the password")
        _ok(qtbot, d)
        seen["error"] = d.secret.error.text()
        seen["selected"] = d.secret.password.selectedText()
        seen["open"] = d.isVisible()
        seen["bytes"] = {p: _digest(p) for p in before}
        replace_text(qtbot, d.secret.password, PASSWORD)
        _ok(qtbot, d)

    opened = dialogs.drive(LoginDialog, log_in)
    startup = start(protected_path)
    assert len(opened) == 1
    assert "パスワードが違います" in seen["error"] and seen["open"]
    assert seen["selected"] == "not the password"  # selected: the next try types over it
    assert seen["bytes"] == before  # the wrong password left every byte as it was
    window = startup.window
    assert window.resources_tab.count_label.text().startswith("129 件")
    assert startup.services.security.status().current.name == USER
    assert startup.services.resources.user == USER  # the change history names who logged in
    assert settings.get("security/last_user") == USER
    stored = (tmp_path / "s.ini").read_text(encoding="utf-8", errors="replace")
    assert PASSWORD not in stored and "correct horse" not in stored  # the name is kept, never the password


def test_the_recovery_key_opens_it(qtbot, start, protected_path, encrypted_db, dialogs):
    recovery = encrypted_db[1]

    def with_key(d: LoginDialog) -> None:
        qtbot.mouseClick(d.secret.toggle, Qt.MouseButton.LeftButton)
        assert d.secret.recovery.isVisible() and not d.secret.password.isVisible() and not d.name.isVisible()
        qtbot.keyClicks(d.secret.recovery, recovery.lower().replace("-", " "))  # as a person copies it from paper
        _ok(qtbot, d)

    dialogs.drive(LoginDialog, with_key)
    startup = start(protected_path)
    assert startup.window.resources_tab.count_label.text().startswith("129 件")
    assert startup.services.security.status().current.name == "回復キー"


def test_cancel_quits_cleanly(qtbot, start, protected_path, dialogs):
    dialogs.drive(LoginDialog, lambda d: qtbot.mouseClick(d.cancel_button, Qt.MouseButton.LeftButton))
    startup = start(protected_path)
    assert not startup.window.isVisible() and startup.services is None
    assert startup.window.resources_tab is None  # nothing was opened
    other = InstanceLock(protected_path)
    assert other.acquire()  # the program let go of the file
    other.release()


def test_five_wrong_tries_make_the_next_one_wait(qtbot, protected_path):
    from zaitaku_desktop.services.security import Gate

    dialog = LoginDialog(Gate(protected_path))
    qtbot.addWidget(dialog)
    dialog.show()
    for attempt in range(LoginDialog.LOCKOUT_AFTER):
        assert dialog.ok_button.isEnabled(), attempt
        replace_text(qtbot, dialog.secret.password, f"wrong {attempt}")
        qtbot.keyClick(dialog.secret.password, Qt.Key.Key_Return)
    assert not dialog.ok_button.isEnabled() and dialog.wait_label.isVisible()
    assert "あと 30 秒" in dialog.wait_label.text()
    replace_text(qtbot, dialog.secret.password, PASSWORD)
    qtbot.keyClick(dialog.secret.password, Qt.Key.Key_Return)  # Enter does not get round the wait
    assert dialog.credentials is None and dialog.isVisible()
    dialog.countdown.setInterval(1)  # a second is a second in the program; here the countdown runs fast
    qtbot.waitUntil(lambda: dialog.ok_button.isEnabled())
    assert not dialog.wait_label.isVisible()
    _ok(qtbot, dialog)
    assert dialog.credentials is not None and dialog.credentials.user.name == USER


def test_empty_fields_are_named_and_a_plain_database_needs_no_log_in(qtbot, start, sample_db_path, dialogs,
                                                                     protected_path):
    from zaitaku_desktop.services.security import Gate

    dialog = LoginDialog(Gate(protected_path))
    qtbot.addWidget(dialog)
    dialog.show()
    _ok(qtbot, dialog)
    assert dialog.secret.error.text() == "パスワードを入力してください。"
    replace_text(qtbot, dialog.name.lineEdit(), "")
    type_text(qtbot, dialog.secret.password, "x")
    _ok(qtbot, dialog)
    assert dialog.secret.error.text() == "利用者名を入力してください。" and dialog.failures == 0

    opened = dialogs.drive(LoginDialog)
    startup = start(sample_db_path)
    assert opened == [] and startup.services is not None


def test_a_lost_key_file_asks_for_the_recovery_key_and_can_go_on_without_one(qtbot, start, protected_path,
                                                                             encrypted_db, dialogs, messages):
    keyfile_path(protected_path).unlink()  # the key file was lost; the database itself is fine
    seen = {}

    def with_key(d: LoginDialog) -> None:
        seen["recovery_mode"] = d.secret.recovery_mode and d.secret.recovery.isVisible()
        seen["cancel"] = d.cancel_button.text()
        qtbot.keyClicks(d.secret.recovery, encrypted_db[1])
        _ok(qtbot, d)

    dialogs.drive(LoginDialog, with_key)
    startup = start(protected_path)
    assert seen == {"recovery_mode": True, "cancel": "回復キーなしで進む"}
    assert startup.window.resources_tab.count_label.text().startswith("129 件")
    assert startup.services.db.encrypted
    startup.close()
    # Without the recovery key the program goes on as with any file it cannot read: it says so and leaves the
    # file exactly as it was (a recovery key found later still opens it).
    before = _digest(protected_path)
    dialogs.drive(LoginDialog, lambda d: qtbot.mouseClick(d.cancel_button, Qt.MouseButton.LeftButton))
    quitter = start(protected_path)
    assert quitter.services is None
    assert "データベースではありません" in messages.texts("error")[-1]
    assert _digest(protected_path) == before and not list(protected_path.parent.glob("*.damaged-*"))
