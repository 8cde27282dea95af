"""ファイル → 監査ログ…: the entries, 検証 (green when intact, red naming the entry when tampered with), the
period filter, 書き出し… and the 担当者-only rule — driven as a user would."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt

from zaitaku_desktop.ui.audit_dialog import AuditDialog

from ui_helpers import replace_text


def open_from_menu(window, dialogs, action) -> list:
    opened = dialogs.drive(AuditDialog, action)
    menu_action = window.findChild(type(window.act_backup), "actAuditLog")
    assert menu_action in window.menu_file.actions()
    assert menu_action.text() == "監査ログ…"
    menu_action.trigger()
    return opened


def table_column(dialog: AuditDialog, column: int) -> list[str]:
    model = dialog.table.model()
    return [model.index(r, column).data() for r in range(model.rowCount())]


def add_entries(ctx, n: int = 3) -> None:
    for i in range(1, n + 1):
        ctx.services.audit.append("print", "consultation", f"c{i}", f"相談受付票 {i}")


def test_the_log_opens_from_the_menu_and_verifies_green(qtbot, window, ctx, dialogs) -> None:
    add_entries(ctx)
    seen: dict = {}

    def look(dialog: AuditDialog) -> None:
        headers = [dialog.table.model().headerData(c, Qt.Orientation.Horizontal) for c in range(6)]
        assert headers == ["通番", "日時", "利用者", "操作", "対象", "内容"]
        seen["seq"] = table_column(dialog, 0)
        seen["action"] = table_column(dialog, 3)
        seen["detail"] = table_column(dialog, 5)
        seen["when"] = table_column(dialog, 1)[0]
        qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
        seen["result"] = dialog.result_label.text()

    assert len(open_from_menu(window, dialogs, look)) == 1
    total = len(seen["seq"])
    assert seen["seq"][:3] == [str(total), str(total - 1), str(total - 2)]  # newest first
    assert seen["action"][:3] == ["印刷"] * 3 and seen["detail"][0] == "相談受付票 3"
    assert seen["when"].startswith("令和")  # 和暦 via ctx.format_date
    assert "正常" in seen["result"] and f"監査ログは正常です（{total}件）" in seen["result"]
    assert "#2e7d32" in seen["result"]


def test_a_tampered_log_shows_the_problem_in_red(qtbot, window, ctx, dialogs) -> None:
    add_entries(ctx, 4)
    last = ctx.services.audit.rows()[0].seq
    with sqlite3.connect(ctx.services.db.path) as raw:
        raw.execute("DROP TRIGGER audit_log_no_update")
        raw.execute("UPDATE audit_log SET detail = '書き換え' WHERE seq = ?", (last - 1,))
    raw.close()
    seen: dict = {}

    def verify(dialog: AuditDialog) -> None:
        qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
        seen["result"] = dialog.result_label.text()

    open_from_menu(window, dialogs, verify)
    assert "異常あり" in seen["result"] and "#c62828" in seen["result"]
    assert f"通番 {last - 1} の記録が書き換えられています" in seen["result"]


def test_the_period_filter_and_a_bad_date(qtbot, ctx) -> None:
    add_entries(ctx, 2)
    dialog = AuditDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    everything = dialog.model.rowCount()
    assert everything >= 2 and dialog.count_label.text() == f"{everything:,} 件"
    replace_text(qtbot, dialog.start, "2099/01/01")
    qtbot.keyClick(dialog.start, Qt.Key.Key_Return)
    assert dialog.model.rowCount() == 0 and dialog.count_label.text() == "0 件"
    replace_text(qtbot, dialog.start, "2020/01/01")
    replace_text(qtbot, dialog.end, "2099/12/31")
    qtbot.mouseClick(dialog.findChild(type(dialog.verify_button), "auditShow"), Qt.MouseButton.LeftButton)
    assert dialog.model.rowCount() == everything
    replace_text(qtbot, dialog.end, "あした")
    qtbot.keyClick(dialog.end, Qt.Key.Key_Return)
    assert dialog.period_error.isVisible() and "2026/04/01" in dialog.period_error.text()
    assert dialog.model.rowCount() == everything  # the table keeps what it showed


def test_export_writes_excel_for_the_privacy_officer(qtbot, ctx, monkeypatch, tmp_path: Path) -> None:
    add_entries(ctx, 2)
    target = tmp_path / "監査ログ.xlsx"
    monkeypatch.setattr("zaitaku_desktop.ui.audit_dialog._ask_save_path", lambda *a: target)
    dialog = AuditDialog(ctx)
    qtbot.addWidget(dialog)
    before = dialog.model.rowCount()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    book = load_workbook(target)
    assert book.sheetnames == ["監査ログ", "検証結果"]
    assert len(list(book["監査ログ"].iter_rows())) == before + 1  # the header and every entry
    assert ctx.messages.shown[-1][:2] == ("confirm", "書き出し完了")
    assert dialog.model.rowCount() == before + 1  # the export is logged and shown
    assert table_column(dialog, 3)[0] == "書き出し"


def test_only_a_staff_member_may_open_it(window, ctx, dialogs, monkeypatch) -> None:
    monkeypatch.setattr(type(ctx.services), "role", property(lambda self: "閲覧者"), raising=False)
    opened = open_from_menu(window, dialogs, None)
    assert opened == []
    assert ctx.messages.shown[-1] == ("warning", "監査ログ", "監査ログを開けるのは担当者だけです。")
