"""バックアップと復元, the automatic backups and ヘルプ → データの検査, driven as a user would."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMenu

from zaitaku_desktop import paths
from zaitaku_desktop.storage.backup import our_backups
from zaitaku_desktop.ui.backup_dialog import AUTO_CHECK_MS, BackupDialog


@pytest.fixture
def dialog(qtbot, ctx) -> BackupDialog:
    dlg = BackupDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def _table(dlg: BackupDialog) -> list[list[str]]:
    t = dlg.table
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def _towns(ctx) -> set[str]:
    return {m.name for m in ctx.services.vocab.list("municipality", include_archived=True)}


def _menu_texts(menu: QMenu) -> list[str]:
    return [a.text() for a in menu.actions() if a.isVisible() and not a.isSeparator()]


def test_backup_now_lists_a_checked_backup(qtbot, ctx, dialog: BackupDialog) -> None:
    assert dialog.folder_edit.text() == f"{paths.backup_dir()}（既定）"
    assert dialog.table.rowCount() == 0
    qtbot.mouseClick(dialog.now_button, Qt.MouseButton.LeftButton)
    made = our_backups(paths.backup_dir())
    assert len(made) == 1
    assert dialog.status.text().startswith("作成しました（検査済み") and made[0][1].name in dialog.status.text()
    rows = _table(dialog)
    assert len(rows) == 1 and rows[0][1:] != [] and rows[0][1] == "手動" and rows[0][3] == "OK"
    assert rows[0][0].startswith("令和") and rows[0][0].endswith(made[0][0].strftime("%H:%M"))
    assert dialog.space_label.text().startswith("空き容量：")
    assert not ctx.messages.shown


def test_choosing_a_folder_is_remembered_and_a_missing_one_is_said_plainly(qtbot, ctx, dialog, monkeypatch, tmp_path):
    usb = tmp_path / "USBメモリ"
    usb.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(usb))
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    assert ctx.settings.get("backup/folder") == str(usb)
    assert dialog.folder_edit.text() == str(usb) and dialog.default_button.isEnabled()
    qtbot.mouseClick(dialog.now_button, Qt.MouseButton.LeftButton)
    assert len(our_backups(usb)) == 1 and dialog.table.rowCount() == 1
    usb.rename(tmp_path / "抜いた")  # the stick is pulled out
    dialog.refresh()
    assert "フォルダが見つかりません" in dialog.space_label.text()
    assert dialog.table.rowCount() == 0
    qtbot.mouseClick(dialog.now_button, Qt.MouseButton.LeftButton)
    assert ctx.messages.shown[-1][:2] == ("error", "バックアップを作成できません")
    assert "バックアップ先のフォルダが見つかりません" in ctx.messages.shown[-1][2]
    assert dialog.status.text() == "作成できませんでした" and dialog.now_button.isEnabled()
    qtbot.mouseClick(dialog.default_button, Qt.MouseButton.LeftButton)
    assert ctx.settings.get("backup/folder") == "" and ctx.services.maintenance.folder is None


def test_keep_counts_are_saved_and_used(qtbot, ctx, dialog) -> None:
    spin = dialog.keep["weekly"]
    spin.setValue(9)
    assert ctx.settings.get("backup/keep_weekly") == 9
    assert ctx.services.maintenance.policy.weekly == 9


def test_restore_after_confirming_what_will_be_lost(qtbot, ctx, dialog) -> None:
    qtbot.mouseClick(dialog.now_button, Qt.MouseButton.LeftButton)
    ctx.services.vocab.add("municipality", "遠野市", reading="とおのし", code="032085")
    assert "遠野市" in _towns(ctx)
    assert not dialog.restore_button.isEnabled()  # nothing chosen yet
    dialog.table.selectRow(0)
    ctx.messages.answers = [False]
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    kind, title, text = ctx.messages.shown[-1]
    assert kind == "confirm" and "失われます" in text and f"「{_table(dialog)[0][0]}」の時点" in text
    assert "遠野市" in _towns(ctx)  # "やめる": nothing happened
    ctx.messages.answers = [True]
    with qtbot.waitSignal(dialog.restored) as signal:
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert signal.args[0] == next(p for _, p in our_backups(paths.backup_dir()) if p.name.startswith("zaitaku-"))
    assert ctx.messages.shown[-1][:2] == ("info", "復元しました")
    assert "遠野市" not in _towns(ctx)
    kinds = [row[1] for row in _table(dialog)]
    assert sorted(kinds) == sorted(["手動", "復元前の控え"])


def test_restore_from_a_file_that_is_not_a_backup_is_refused(qtbot, ctx, dialog, monkeypatch, tmp_path) -> None:
    bad = tmp_path / "名簿.sqlite3"
    bad.write_text("氏名,電話\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    ctx.messages.answers = [True]
    before = _towns(ctx)
    qtbot.mouseClick(dialog.restore_file_button, Qt.MouseButton.LeftButton)
    assert f"ファイル「{bad.name}」の内容" in ctx.messages.shown[-2][2]
    assert ctx.messages.shown[-1][:2] == ("error", "復元できません")
    assert "データベースではありません" in ctx.messages.shown[-1][2]
    assert _towns(ctx) == before and dialog.table.rowCount() == 0


def test_window_menus_open_the_dialog_and_reload_after_a_restore(qtbot, window, ctx, dialogs) -> None:
    assert "バックアップと復元…" in _menu_texts(window.menu_file)
    assert _menu_texts(window.menu_help)[0] == "データの検査"
    ctx.services.maintenance.backup_now()
    ctx.services.vocab.add("municipality", "遠野市", reading="とおのし", code="032085")

    def restore(dlg: BackupDialog) -> None:
        dlg.table.selectRow(0)
        ctx.messages.answers = [True]
        qtbot.mouseClick(dlg.restore_button, Qt.MouseButton.LeftButton)
        dlg.reject()

    opened = dialogs.drive(BackupDialog, restore)
    window.act_backup.trigger()
    assert len(opened) == 1
    assert window.statusBar().currentMessage() == "バックアップから復元しました"
    assert "遠野市" not in _towns(ctx)


def test_check_from_the_help_menu(qtbot, window, ctx) -> None:
    window.act_check.trigger()
    kind, title, text = ctx.messages.shown[-1]
    assert (kind, title) == ("info", "データの検査") and "すべての検査に合格しました" in text
    assert "OK　参加者の統合" in text
    conn = sqlite3.connect(ctx.services.db.path)
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("UPDATE resource SET category_id = 'gone' WHERE id = (SELECT id FROM resource LIMIT 1)")
    conn.commit()
    conn.close()
    window.act_check.trigger()
    kind, title, text = ctx.messages.shown[-1]
    assert kind == "warning" and "NG　資源の種別" in text and "問題が見つかりました" in text


def test_automatic_backups_every_five_minutes_and_on_exit(qtbot, window, ctx, tmp_path) -> None:
    auto = window.auto_backup
    assert auto.timer.isActive() and auto.timer.interval() == AUTO_CHECK_MS == 300_000
    auto.tick()
    assert our_backups(paths.backup_dir()) == []  # nothing changed: no backup
    ctx.services.vocab.add("municipality", "遠野市", reading="とおのし", code="032085")
    auto.tick()
    made = our_backups(paths.backup_dir())
    assert len(made) == 1 and made[0][1].name.startswith("auto-")
    assert window.statusBar().currentMessage() == f"自動バックアップを作成しました：{made[0][1].name}"
    ctx.services.vocab.add("municipality", "花巻市", reading="はなまきし", code="032051")
    auto.tick()
    assert len(our_backups(paths.backup_dir())) == 1  # changed, but not 30 minutes yet
    window.close()
    assert len(our_backups(paths.backup_dir())) == 2  # on exit the change is saved


def test_a_failing_automatic_backup_is_said_once(qtbot, window, ctx, tmp_path) -> None:
    ctx.settings.set("backup/folder", str(tmp_path / "外れたUSB"))
    from zaitaku_desktop.ui.backup_dialog import configure_maintenance

    configure_maintenance(ctx)
    ctx.services.vocab.add("municipality", "遠野市", reading="とおのし", code="032085")
    window.auto_backup.tick()
    window.auto_backup.tick()
    errors = [m for m in ctx.messages.shown if m[0] == "error"]
    assert len(errors) == 1 and "バックアップ先のフォルダが見つかりません" in errors[0][2]
    assert "自動バックアップを作成できませんでした" in window.statusBar().currentMessage()
