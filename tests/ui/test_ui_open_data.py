"""Importing official open data from the GUI: groups, ticks, diffs, region count, new categories."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit, QPushButton

from zaitaku_desktop.ui.resources.import_dialog import ImportPreviewDialog

from open_data_files import KAIGO_HEADER, NAVII_HEADER, kaigo_row, navii_row, write_csv


def _texts(table, column: int) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]


def test_open_data_preview_lists_groups_and_untick_skips_a_row(qtbot, tab, dialogs, tmp_path, messages, ctx):
    path = write_csv(tmp_path / "jigyosho_550.csv", KAIGO_HEADER, [
        kaigo_row(service="介護医療院", number="03B0000001", name="テスト医療院 一"),
        kaigo_row(service="介護医療院", number="03B0000002", name="テスト医療院 二"),
        kaigo_row(service="介護医療院", number="0110000001", code="011011", name="札幌の医療院"),
    ])
    seen = {}

    def confirm(dialog):
        seen["summary"] = dialog.summary.text()
        table = dialog.change_table
        seen["names"] = _texts(table, 3)
        seen["groups"] = _texts(table, 1)
        row = seen["names"].index("テスト医療院 二")
        assert table.item(row, 0).checkState() == Qt.CheckState.Checked
        dialog.set_ticked(row, False)
        qtbot.mouseClick(dialog.findChild(QPushButton, "importConfirm"), Qt.MouseButton.LeftButton)

    dialogs.drive(ImportPreviewDialog, confirm)
    tab.import_path(path)
    assert not [t for t in messages.texts() if "予期しないエラー" in t]
    assert "新規 2 件" in seen["summary"] and "地域外の行（取り込みません） 1 行" in seen["summary"]
    assert "新しく作る種別：介護医療院" in seen["summary"]
    assert seen["groups"] == ["新規（新しい種別を作ります）"] * 2
    assert messages.shown[-1][:2] == ("info", "取り込み完了")
    assert "新しく作った種別：介護医療院" in messages.shown[-1][2]
    names = {r.name for r in ctx.services.resources.list_rows()}
    assert "テスト医療院 一" in names and "テスト医療院 二" not in names


def test_name_match_is_unticked_and_shows_the_diff(qtbot, tab, dialogs, tmp_path, messages, ctx):
    stored = next(r for r in ctx.services.resources.list_rows() if r.name == "医療法人 潮音会 しおさい病院")
    path = write_csv(tmp_path / "01-1_hospital_facility_info_20260601.csv", NAVII_HEADER, [
        navii_row(id_="0312110000090", name="医療法人　潮音会　しおさい病院",
                  address="岩手県釜石市中妻町３丁目２５－１１", lat="39.2808", lon="141.86456"),
    ])
    seen = {}

    def look(dialog):
        table = dialog.change_table
        seen["group"] = table.item(0, 1).text()
        seen["ticked"] = table.item(0, 0).checkState()
        seen["tooltip"] = table.item(0, 3).toolTip()
        table.setCurrentCell(0, 3)
        seen["detail"] = dialog.findChild(QPlainTextEdit, "importDetail").toPlainText()
        dialog.set_ticked(0, True)
        qtbot.mouseClick(dialog.findChild(QPushButton, "importConfirm"), Qt.MouseButton.LeftButton)

    dialogs.drive(ImportPreviewDialog, look)
    tab.import_path(path)
    assert seen["group"] == "名称・住所で一致（要確認）"
    assert seen["ticked"] == Qt.CheckState.Unchecked
    assert "名称：医療法人 潮音会 しおさい病院 → 医療法人　潮音会　しおさい病院" in seen["tooltip"]
    assert "navii:hospital 0312110000090" in seen["detail"]
    row = ctx.services.resources.get(stored.id).row
    assert row.external_id == "0312110000090" and row.phone == stored.phone


def test_own_list_dialog_has_no_tick_column(qtbot, tab, dialogs, tmp_path, messages):
    out = tmp_path / "own.xlsx"
    tab.export_path(out)
    seen = {}

    def look(dialog):
        seen["headers"] = [dialog.change_table.horizontalHeaderItem(c).text()
                           for c in range(dialog.change_table.columnCount())]
        qtbot.mouseClick(dialog.findChild(QPushButton, "importCancel"), Qt.MouseButton.LeftButton)

    dialogs.drive(ImportPreviewDialog, look)
    tab.import_path(out)
    assert seen["headers"] == ["行", "名称", "処理", "変わる項目"]
