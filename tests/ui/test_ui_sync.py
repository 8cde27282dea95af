"""ファイル → 交換ファイル → 書き出し… / 取り込み…: driven as a user would — the counts, a conflict set to 相手,
取り込む, and the resource list read back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from zaitaku_desktop.services import open_services
from zaitaku_desktop.ui import sync_dialog
from zaitaku_desktop.ui.sync_dialog import SyncExportDialog, SyncImportDialog

from tests.services.test_sync import age_everything, copy_database, rename
from ui_helpers import choose, replace_text, type_text, visible_names

TODAY = dt.date.today()


@pytest.fixture
def their_file(ctx, sample_db_path: Path, tmp_path: Path):
    """Laptop A (a copy of ours made when we parted) renamed two resources we also renamed, and wrote a file."""
    age_everything(ctx.services)
    other = open_services(copy_database(sample_db_path, tmp_path / "a.sqlite3"), user="other")
    rows = sorted(ctx.services.resources.list_rows(include_archived=False), key=lambda r: r.name)[:2]
    try:
        for i, row in enumerate(rows, 1):
            rename(other, row.id, name=f"相手の名称{i}")
            rename(ctx.services, row.id, name=f"こちらの名称{i}")
        yield other.sync.export(tmp_path / "a.zip", TODAY, password="secret-pass").path
    finally:
        other.close()


def trigger(window, name: str) -> None:
    action = window.findChild(type(window.act_backup), name)
    assert action in window.menu_sync.actions() and window.menu_sync.menuAction() in window.menu_file.actions()
    action.trigger()


def test_import_with_one_conflict_set_to_theirs(qtbot, window, ctx, dialogs, monkeypatch, their_file) -> None:
    monkeypatch.setattr(sync_dialog, "ask_open_path", lambda parent: their_file)
    seen: dict = {}

    def use(dialog: SyncImportDialog) -> None:
        assert dialog.password_box.isVisible() and "パスワードで保護" in dialog.error.text()
        assert not dialog.ok.isEnabled()
        type_text(qtbot, dialog.password, "wrong-pass")
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        assert dialog.error.text() == "交換ファイルのパスワードが違います。"
        replace_text(qtbot, dialog.password, "secret-pass")
        qtbot.mouseClick(dialog.findChild(type(dialog.ok), "syncReadButton"), Qt.MouseButton.LeftButton)
        seen["summary"] = dialog.summary.text()
        table = dialog.table
        seen["rows"] = [[table.item(r, c).text() for c in range(7)] for r in range(table.rowCount())]
        qtbot.mouseClick(dialog.findChild(type(dialog.ok), "syncAll_theirs"), Qt.MouseButton.LeftButton)
        assert [c.currentText() for c in dialog.choices] == ["相手", "相手"]
        qtbot.mouseClick(dialog.findChild(type(dialog.ok), "syncAll_ours"), Qt.MouseButton.LeftButton)
        row = next(r for r, cells in enumerate(seen["rows"]) if cells[1] == "こちらの名称1")
        choose(dialog.findChild(type(dialog.choices[0]), f"syncChoice_{row}"), "相手")
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    opened = dialogs.drive(SyncImportDialog, use)
    trigger(window, "actSyncImport")
    assert len(opened) == 1 and opened[0].result() == SyncImportDialog.DialogCode.Accepted
    assert "取り込むと：追加 0件・更新 0件・競合 2件・変更なし 0件" in seen["summary"]
    assert sorted(cells[1:5] for cells in seen["rows"]) == [
        ["こちらの名称1", "名称", "こちらの名称1", "相手の名称1"], ["こちらの名称2", "名称", "こちらの名称2", "相手の名称2"]]
    assert all(cells[0] == "資源" and cells[5] and cells[6] for cells in seen["rows"])
    assert "取り込みました。" in ctx.messages.texts("info")[-1] and "バックアップ" in ctx.messages.texts("info")[-1]
    names = visible_names(window.resources_tab)  # the list was reloaded
    assert "相手の名称1" in names and "こちらの名称2" in names
    assert "こちらの名称1" not in names and "相手の名称2" not in names


def test_export_checks_the_date_and_the_password_then_writes(qtbot, ctx, dialogs, monkeypatch, tmp_path) -> None:
    out = tmp_path / "x.zip"
    monkeypatch.setattr(sync_dialog, "ask_save_path", lambda parent, name: out)
    age_everything(ctx.services)
    rename(ctx.services, ctx.services.resources.list_rows()[0].id, phone="0193-11-1111")
    dialog = SyncExportDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    replace_text(qtbot, dialog.since, "きのう")
    type_text(qtbot, dialog.password, "short")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.errors["syncSince"].text().startswith("日付を") and "8文字以上" in dialog.errors["syncPassword"].text()
    assert not out.exists()
    replace_text(qtbot, dialog.since, TODAY.strftime("%Y/%m/%d"))
    replace_text(qtbot, dialog.password, "")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert out.is_file() and dialog.result() == SyncExportDialog.DialogCode.Accepted
    assert ctx.messages.texts("info") == [f"1 件の記録を書き出しました。\n{out}"]


def test_a_protected_database_needs_a_password(qtbot, ctx, monkeypatch) -> None:
    monkeypatch.setattr(ctx.services.db, "encrypted", True)
    dialog = SyncExportDialog(ctx)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.errors["syncPassword"].text() == "パスワードを入力してください。"
    assert "個人情報が含まれます" in dialog.findChild(type(dialog.errors["syncPassword"]), "syncPasswordNote").text()


def test_a_file_from_this_database_is_refused(qtbot, ctx, dialogs, tmp_path) -> None:
    out = ctx.services.sync.export(tmp_path / "own.zip", TODAY).path
    dialog = SyncImportDialog(ctx, out)
    qtbot.addWidget(dialog)
    assert "このデータベース自身" in dialog.error.text() and not dialog.ok.isEnabled()
