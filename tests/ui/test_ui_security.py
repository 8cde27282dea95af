"""設定 → セキュリティ, the recovery key, roles in the window and the status-bar labels (issue 9), driven as a
user would: the settings dialog opened from the window, passphrases typed, buttons clicked, files read back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QGroupBox, QLabel, QLineEdit, QPushButton

from pdf_tools import assert_fonts_embedded, assert_in_order, pdf_text, requires_poppler
from ui_helpers import click_checkbox, open_window, replace_text, type_text
from zaitaku_desktop.domain.errors import PermissionDeniedError
from zaitaku_desktop.services import build_services
from zaitaku_desktop.services import security as sec
from zaitaku_desktop.storage.database import Database
from zaitaku_desktop.ui.context import AppContext
from zaitaku_desktop.ui.recovery_key_dialog import RecoveryKeyDialog, key_text
from zaitaku_desktop.ui.security_page import ENCRYPTED, UNAVAILABLE, VIEWER_TIP, PassphraseDialog, SecurityPage
from zaitaku_desktop.ui.settings_dialog import SettingsDialog
from zaitaku_desktop.ui.tasks import SyncTaskRunner

PASS = "correct horse 1"
NEW_PASS = "battery staple 2"
VIEWER_PASS = "viewer pass 3"
MAGIC = b"SQLite format 3"


def _file(ctx) -> Path:
    return Path(ctx.services.db.path)


def _find(dialog, cls, name):
    widget = dialog.findChild(cls, name)
    assert widget is not None, name
    return widget


def _click(qtbot, dialog, name: str) -> None:
    button = _find(dialog, QPushButton, name)
    assert button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _type(qtbot, dialog, name: str, text: str) -> None:
    replace_text(qtbot, _find(dialog, QLineEdit, name), text)


def _problem(dialog) -> str:
    return _find(dialog, QLabel, "secProblem").text()


def _settings_page(window, dialogs, action) -> None:
    """Open 設定 from the window, bring the セキュリティ page to the front and run ``action(page)``."""
    def drive(dialog):
        page = dialog.security_page
        dialog.tabs.setCurrentWidget(page)
        action(page)

    dialogs.drive(SettingsDialog, drive)
    window.act_settings.trigger()


def _remember_key(qtbot, shown: list[str]):
    """A RecoveryKeyDialog driver: read the key, tick 書き写した, close."""
    def drive(dialog: RecoveryKeyDialog) -> None:
        close = _find(dialog, QPushButton, "recoveryKeyClose")
        assert not close.isEnabled()
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # not yet written down: the dialog stays
        assert dialog.isVisible() and "チェックを入れて" in _find(dialog, QLabel, "recoveryKeyHint").text()
        shown.append(key_text(_find(dialog, QLabel, "recoveryKey").text()))
        click_checkbox(qtbot, dialog.confirmed)
        assert close.isEnabled()
        qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
        assert not dialog.isVisible() and dialog.key_label.text() == ""  # shown once

    return drive


def test_protect_from_the_page_by_typing(qtbot, window, ctx, dialogs):
    ctx.settings.set("user/name", "山田")
    path = _file(ctx)
    assert path.read_bytes().startswith(MAGIC)
    assert window.findChild(QLabel, "encryptionLabel").text() == "暗号化なし"
    keys: list[str] = []

    def passphrase(dialog: PassphraseDialog) -> None:
        assert _find(dialog, QLineEdit, "secName").text() == "山田"  # the 担当者名 setting
        ok = _find(dialog, QPushButton, "secOk")
        _type(qtbot, dialog, "secNew", "short")
        assert "8文字以上" in _problem(dialog) and not ok.isEnabled()
        _type(qtbot, dialog, "secNew", PASS)
        _type(qtbot, dialog, "secConfirm", "correct horse 2")
        assert "一致しません" in _problem(dialog) and not ok.isEnabled()
        _type(qtbot, dialog, "secConfirm", PASS)
        assert _problem(dialog) == "" and ok.isEnabled()
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    def on_page(page: SecurityPage) -> None:
        assert page.state.text() == "暗号化されていません" and page.isEnabled()
        _click(qtbot, page, "securityProtect")
        assert page.state.text() == ENCRYPTED
        assert [page.table.item(0, c).text() for c in (0, 1)] == ["山田", "担当者"]

    dialogs.drive(PassphraseDialog, passphrase)
    dialogs.drive(RecoveryKeyDialog, _remember_key(qtbot, keys))
    _settings_page(window, dialogs, on_page)

    assert len(keys) == 1 and len(keys[0].replace("-", "")) == 56
    label = window.findChild(QLabel, "encryptionLabel")
    assert label.text() == "暗号化済み" and "2e7d32" in label.styleSheet()
    assert window.findChild(QLabel, "securityUser").text() == "山田（担当者）"
    assert not path.read_bytes().startswith(MAGIC)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT count(*) FROM sqlite_master").fetchone()
    assert sec.Gate(path).login_with_recovery_key(keys[0]).key is not None  # the key shown opens the file
    assert ctx.services.resources.list_rows()  # the window keeps working on the encrypted file


def test_change_passphrase_shows_a_new_key(qtbot, window, ctx, dialogs):
    first = ctx.services.security.protect("山田", PASS)
    keys: list[str] = []

    def passphrase(dialog: PassphraseDialog) -> None:
        _type(qtbot, dialog, "secCurrent", PASS)
        _type(qtbot, dialog, "secNew", NEW_PASS)
        _type(qtbot, dialog, "secConfirm", NEW_PASS)
        _click(qtbot, dialog, "secOk")

    dialogs.drive(PassphraseDialog, passphrase)
    dialogs.drive(RecoveryKeyDialog, _remember_key(qtbot, keys))
    _settings_page(window, dialogs, lambda page: _click(qtbot, page, "securityChangePassword"))
    assert len(keys) == 1 and key_text(keys[0]) != key_text(first)
    assert sec.Gate(_file(ctx)).login("山田", NEW_PASS).key is not None


def test_wrong_passphrase_on_change_is_reported_and_nothing_changes(qtbot, window, ctx, dialogs):
    ctx.services.security.protect("山田", PASS)

    def passphrase(dialog: PassphraseDialog) -> None:
        _type(qtbot, dialog, "secCurrent", "not the passphrase")
        _type(qtbot, dialog, "secNew", NEW_PASS)
        _type(qtbot, dialog, "secConfirm", NEW_PASS)
        _click(qtbot, dialog, "secOk")

    dialogs.drive(PassphraseDialog, passphrase)
    shown = dialogs.drive(RecoveryKeyDialog)
    _settings_page(window, dialogs, lambda page: _click(qtbot, page, "securityChangePassword"))
    assert not shown
    assert ctx.messages.shown[-1][:2] == ("error", "パスフレーズを変更できませんでした")
    assert sec.Gate(_file(ctx)).login("山田", PASS).key is not None  # the old passphrase still opens it


def _add_viewer(qtbot, window, ctx, dialogs) -> None:
    def user(dialog: PassphraseDialog) -> None:
        type_text(qtbot, _find(dialog, QLineEdit, "secName"), "佐藤")
        dialog.role_combo.setCurrentText(sec.ROLE_VIEWER)
        _type(qtbot, dialog, "secNew", VIEWER_PASS)
        _type(qtbot, dialog, "secConfirm", VIEWER_PASS)
        _click(qtbot, dialog, "secOk")

    def on_page(page: SecurityPage) -> None:
        _click(qtbot, page, "securityAddUser")
        rows = [(page.table.item(r, 0).text(), page.table.item(r, 1).text()) for r in range(page.table.rowCount())]
        assert rows == [("山田", "担当者"), ("佐藤", "閲覧者")]

    dialogs.drive(PassphraseDialog, user)
    _settings_page(window, dialogs, on_page)


def test_last_staff_member_cannot_be_demoted_or_removed(qtbot, window, ctx, dialogs):
    ctx.services.security.protect("山田", PASS)
    _add_viewer(qtbot, window, ctx, dialogs)
    ctx.messages.answers = [True, True]

    def on_page(page: SecurityPage) -> None:
        page.table.selectRow(0)
        _click(qtbot, page, "securityChangeRole")
        _click(qtbot, page, "securityRemoveUser")
        assert [page.table.item(r, 1).text() for r in range(2)] == ["担当者", "閲覧者"]

    _settings_page(window, dialogs, on_page)
    errors = ctx.messages.texts("error")
    assert any("最後の担当者を閲覧者にはできません" in t for t in errors)
    assert any("最後の担当者は削除できません" in t for t in errors)


def test_a_viewer_sees_no_consultation_and_cannot_change_anything(qtbot, window, ctx, dialogs, settings, messages):
    ctx.services.security.protect("山田", PASS)
    _add_viewer(qtbot, window, ctx, dialogs)
    path = _file(ctx)
    credentials = sec.Gate(path).login("佐藤", VIEWER_PASS)
    db = Database.open(path, key=credentials.key, query_only=True)
    services = build_services(db, credentials=credentials)
    try:
        viewer = open_window(qtbot, AppContext(services=services, settings=settings, runner=SyncTaskRunner(),
                                               messages=messages))
        titles = [viewer.tabs.tabText(i) for i in range(viewer.tabs.count())]
        assert titles == ["資源一覧", "課題ボード", "会議・研修"] and viewer.consultations_tab is None
        assert viewer.findChild(QLabel, "securityUser").text() == "佐藤（閲覧者）"
        assert viewer.findChild(QLabel, "encryptionLabel").text() == "暗号化済み"
        tab = viewer.resources_tab
        shown = dialogs.drive(QDialog)  # a double-click on a row opens no form: the status bar says why
        row = tab.table.visualRect(tab.table.model().index(0, 0))
        qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=row.center())  # selects: 編集 would enable
        qtbot.mouseDClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=row.center())
        assert not shown and viewer.statusBar().currentMessage() == VIEWER_TIP
        edits = [tab.act_new, tab.act_edit, tab.act_archive, tab.act_import, viewer.issues_tab.act_new,
                 viewer.meetings_tab.act_new, viewer.meetings_tab.act_attendance, viewer.act_sample, viewer.act_backup]
        assert all(not a.isEnabled() and a.toolTip() == VIEWER_TIP for a in edits)
        assert not viewer.toolbar.widgetForAction(tab.act_new).isEnabled()
        assert not viewer.menu_sync.isEnabled() and not viewer.menu_sync.menuAction().isEnabled()
        assert tab.act_export.isEnabled() and tab.act_find.isEnabled()  # looking things up still works
        assert not any("相談" in a.text() for a in viewer.menu_edit.actions() + viewer.menu_output.actions()
                       if a.isVisible() and a.isEnabled())
        assert not messages.texts("error")  # opening as a 閲覧者 (query_only) raised nothing
        with pytest.raises(PermissionDeniedError):
            services.consultations.list_rows()
        with pytest.raises(PermissionDeniedError):
            services.consultations.due(__import__("datetime").date.today())

        def on_page(page: SecurityPage) -> None:
            assert page.staff_only.isVisible()
            assert not any(box.isEnabled() for box in page.findChildren(QGroupBox))

        def settings_dialog(dialog: SettingsDialog) -> None:
            assert not dialog.pages["profession"].isEnabled()  # vocabularies are written to the database
            dialog.tabs.setCurrentWidget(dialog.security_page)
            on_page(dialog.security_page)

        dialogs.drive(SettingsDialog, settings_dialog)
        viewer.act_settings.trigger()
    finally:
        services.close()


def test_unprotect_returns_a_plain_file_with_the_data(qtbot, window, ctx, dialogs):
    count = len(ctx.services.resources.list_rows())
    ctx.services.security.protect("山田", PASS)
    assert not _file(ctx).read_bytes().startswith(MAGIC)

    def passphrase(dialog: PassphraseDialog) -> None:
        assert "誰でも読める" in _find(dialog, QLabel, "secWarning").text()
        _type(qtbot, dialog, "secCurrent", PASS)
        _click(qtbot, dialog, "secOk")

    dialogs.drive(PassphraseDialog, passphrase)
    _settings_page(window, dialogs, lambda page: _click(qtbot, page, "securityUnprotect"))
    assert _file(ctx).read_bytes().startswith(MAGIC)
    conn = sqlite3.connect(_file(ctx))
    try:
        assert conn.execute("SELECT count(*) FROM resource").fetchone()[0] == count
    finally:
        conn.close()
    assert window.findChild(QLabel, "encryptionLabel").text() == "暗号化なし"


def test_without_sqlcipher_the_page_and_the_status_bar_say_so(qtbot, ctx, dialogs, monkeypatch):
    monkeypatch.setattr(sec, "sqlcipher_available", lambda: False)
    window = open_window(qtbot, ctx)
    label = window.findChild(QLabel, "encryptionLabel")
    assert label.text() == "暗号化なし" and UNAVAILABLE in label.toolTip()

    def on_page(page: SecurityPage) -> None:
        assert page.state.text() == UNAVAILABLE and page.reason.text()
        assert not page.protect_button.isEnabled()

    _settings_page(window, dialogs, on_page)


def test_idle_minutes_are_saved_with_ok_and_passed_to_the_lock(qtbot, window, ctx, dialogs, monkeypatch):
    set_to: list[int] = []
    if getattr(window, "lock_controller", None) is None:
        monkeypatch.setattr(window, "lock_controller", type("FakeLock", (), {"locked": False})(), raising=False)
    monkeypatch.setattr(window.lock_controller, "set_idle_minutes", set_to.append, raising=False)
    assert ctx.settings.get("security/idle_minutes") == 5

    def on_page(page: SecurityPage) -> None:
        page.idle.setValue(0)
        assert page.idle.text() == "しない"
        page.idle.setValue(15)
        page.window().accept()

    _settings_page(window, dialogs, on_page)
    assert ctx.settings.get("security/idle_minutes") == 15 and set_to == [15]


@requires_poppler
def test_recovery_key_pdf_is_saved_where_the_user_chooses(qtbot, ctx, tmp_path):
    key = ctx.services.security.protect("山田", PASS)
    dialog = RecoveryKeyDialog(ctx, key, user="山田")
    qtbot.addWidget(dialog)
    assert key_text(dialog.key_label.text()) == key_text(key)
    out = tmp_path / "回復キー"
    dialog.save_pdf(out)
    saved = out.with_suffix(".pdf")
    text = pdf_text(saved)
    assert_in_order(text, key.split("-"))
    assert _file(ctx).name in text and "保管場所" in text.replace(" ", "")
    assert_fonts_embedded(saved, "IPAexGothic")
    assert ctx.messages.shown[-1][:2] == ("info", "回復キーを保存しました")


def test_print_sends_the_one_page_sheet_from_memory(qtbot, ctx, monkeypatch):
    from PySide6.QtGui import QPageSize
    from PySide6.QtPrintSupport import QPrintDialog

    from zaitaku_desktop.ui import recovery_key_dialog

    key = ctx.services.security.protect("山田", PASS)
    printed: list[tuple[int, object]] = []
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QPrintDialog.DialogCode.Accepted)
    monkeypatch.setattr(recovery_key_dialog, "print_document", lambda document, printer: printed.append(
        (document.pageCount(), printer.pageLayout().pageSize().id())) or 1)
    dialog = RecoveryKeyDialog(ctx, key)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert printed == [(1, QPageSize.PageSizeId.A4)]
    assert not ctx.messages.shown  # nothing saved, nothing to report


def test_on_a_shared_server_the_status_bar_says_so_and_backups_step_aside(qtbot, pg_url, settings, messages):
    """On PostgreSQL the server's administrator backs up and protects the data (runs when .ci/run started a server)."""
    from zaitaku_desktop.services import open_services

    services = open_services(pg_url, user="tester")
    try:
        window = open_window(qtbot, AppContext(services=services, settings=settings, runner=SyncTaskRunner(),
                                               messages=messages))
        label = window.findChild(QLabel, "encryptionLabel")
        assert label.text() == "共有サーバー" and "サーバーの管理者" in label.toolTip()
        assert not window.act_backup.isEnabled() and "pg_dump" in window.act_backup.toolTip()
        assert window.auto_backup is None
        from sqlalchemy.engine import make_url

        shown = [w.text() for w in window.statusBar().findChildren(QLabel)]
        assert any("postgresql://" in text and "***" in text for text in shown)  # where the data is, without
        assert not any(make_url(pg_url).password in text for text in shown)  # the server's password
    finally:
        services.close()
