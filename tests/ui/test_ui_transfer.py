"""Excel/CSV import and export started from the GUI (runs through services.transfer)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPushButton

from zaitaku_desktop.ui.resources.import_dialog import ImportPreviewDialog
from zaitaku_desktop.ui.resources.summary import SummaryDialog

from ui_helpers import choose, visible_names


def _sheet_rows(path: Path) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in wb.active.iter_rows(values_only=True)]
    finally:
        wb.close()


def _save_as(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))


def _open_file(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))


def _no_unexpected_errors(messages) -> None:
    assert not [t for t in messages.texts() if "予期しないエラー" in t], messages.shown


# --- export ---------------------------------------------------------------------------------------

def test_export_everything(window, tab, tmp_path, messages):
    out = tmp_path / "out.xlsx"
    tab.export_path(out)
    _no_unexpected_errors(messages)
    rows = _sheet_rows(out)
    header, body = rows[0], rows[1:]
    assert header[:4] == ("ID", "名称", "読み", "種別")
    assert len(body) == 129
    assert [r[1] for r in body] == visible_names(tab)  # in the table's order
    assert "129 件を書き出しました" in window.statusBar().currentMessage()


def test_export_only_what_the_filter_shows(tab, tmp_path, messages):
    choose(tab.category_filter, "病院")
    tab.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    out = tmp_path / "hospitals.xlsx"
    tab.export_path(out)
    body = _sheet_rows(out)[1:]
    assert [r[1] for r in body] == visible_names(tab)
    assert len(body) == 6
    assert {r[3] for r in body} == {"病院"}


def test_export_from_the_menu_adds_the_extension_and_writes_csv(qtbot, window, tab, tmp_path, monkeypatch):
    _save_as(monkeypatch, tmp_path / "一覧")
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert len(_sheet_rows(tmp_path / "一覧.xlsx")) == 130

    _save_as(monkeypatch, tmp_path / "list.csv")
    tab.act_export.trigger()
    with open(tmp_path / "list.csv", encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0][1] == "名称"
    assert len(lines) == 130


def test_export_cancelled_writes_nothing(tab, tmp_path, monkeypatch, messages):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    tab.act_export.trigger()
    assert messages.shown == []
    assert list(tmp_path.glob("*.xlsx")) == []


def test_export_into_a_missing_folder_reports_plainly(tab, tmp_path, messages):
    tab.export_path(tmp_path / "no" / "such" / "folder" / "out.xlsx")
    assert [k for k, *_ in messages.shown] == ["error"]
    assert messages.shown[0][1] == "書き出せませんでした"
    _no_unexpected_errors(messages)
    assert not (tmp_path / "no").exists()


def test_summary_export_button(qtbot, tab, dialogs, tmp_path, monkeypatch, messages):
    out = tmp_path / "summary.xlsx"
    _save_as(monkeypatch, out)

    def export(dialog):
        qtbot.mouseClick(dialog.findChild(QPushButton, "exportSummary"), Qt.MouseButton.LeftButton)

    dialogs.drive(SummaryDialog, export)
    tab.act_summary.trigger()
    _no_unexpected_errors(messages)
    assert messages.shown[-1][:2] == ("info", "書き出し完了")
    cells = {v for row in _sheet_rows(out) for v in row if v is not None}
    assert {"釜石市", "大槌町", "合計", 129} <= cells


# --- import ---------------------------------------------------------------------------------------

def _edited_export(tab, tmp_path: Path, *, new_rows: list[dict[str, str]], phone: str | None = None) -> Path:
    """Export the list, then edit it as a user would in Excel."""
    out = tmp_path / "edited.xlsx"
    tab.export_path(out)
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    header = [c.value for c in ws[1]]
    col = {name: i + 1 for i, name in enumerate(header)}
    if phone is not None:
        for r in range(2, ws.max_row + 1):
            if ws.cell(r, col["名称"]).value == "はまなす内科クリニック":
                ws.cell(r, col["電話番号"]).value = phone
    for values in new_rows:
        r = ws.max_row + 1
        for name, value in values.items():
            ws.cell(r, col[name]).value = value
    wb.save(out)
    return out


def test_import_shows_a_preview_and_applies(qtbot, tab, dialogs, tmp_path, messages, ctx):
    path = _edited_export(tab, tmp_path, phone="0193-23-0000",
                          new_rows=[{"名称": "取り込み訪問看護ステーション", "種別": "訪問看護ステーション",
                                     "市町村": "釜石市"}])
    seen = {}

    def confirm(dialog):
        seen["summary"] = dialog.summary.text()
        table = dialog.change_table
        seen["changes"] = [(table.item(r, 1).text(), table.item(r, 2).text()) for r in range(table.rowCount())]
        qtbot.mouseClick(dialog.findChild(QPushButton, "importConfirm"), Qt.MouseButton.LeftButton)

    opened = dialogs.drive(ImportPreviewDialog, confirm)
    tab.import_path(path)
    _no_unexpected_errors(messages)
    assert len(opened) == 1
    assert "追加 1 件・変更 1 件・変更なし 128 件" in seen["summary"]
    assert [c for _, c in seen["changes"][:2]] != ["変更なし", "変更なし"]  # changes are listed first
    assert ("取り込み訪問看護ステーション", "追加") in seen["changes"]
    assert ("はまなす内科クリニック", "変更") in seen["changes"]
    assert messages.shown[-1][:2] == ("info", "取り込み完了")
    assert "追加 1 件・変更 1 件" in messages.shown[-1][2]
    assert tab.count_label.text() == "130 件 / 130 件"
    row = next(r for r in tab.model.visible_rows() if r.name == "はまなす内科クリニック")
    assert row.phone == "0193-23-0000"
    assert "取り込み訪問看護ステーション" in visible_names(tab)


def test_import_cancelled_changes_nothing(qtbot, tab, dialogs, tmp_path, messages, ctx):
    path = _edited_export(tab, tmp_path, phone="0193-23-0000", new_rows=[])
    dialogs.drive(ImportPreviewDialog,
                  lambda d: qtbot.mouseClick(d.findChild(QPushButton, "importCancel"), Qt.MouseButton.LeftButton))
    tab.import_path(path)
    assert messages.shown == []
    assert next(r for r in ctx.services.resources.list_rows() if r.name == "はまなす内科クリニック").phone == "0193-23-8814"


def test_import_with_bad_rows_can_take_the_good_ones(qtbot, tab, dialogs, tmp_path, messages, monkeypatch):
    path = _edited_export(tab, tmp_path, new_rows=[
        {"名称": "正しい行の薬局", "種別": "保険調剤薬局"},
        {"名称": "種別の誤った行", "種別": "存在しない種別"},
    ])
    seen = {}

    def partial(dialog):
        seen["errors"] = dialog.error_table.rowCount()
        assert dialog.findChild(QPushButton, "importConfirm") is None
        qtbot.mouseClick(dialog.findChild(QPushButton, "importPartial"), Qt.MouseButton.LeftButton)

    dialogs.drive(ImportPreviewDialog, partial)
    _open_file(monkeypatch, path)
    tab.act_import.trigger()
    _no_unexpected_errors(messages)
    assert seen["errors"] >= 1
    assert messages.shown[-1][:2] == ("info", "取り込み完了")
    assert "取り込まなかった行 1 行" in messages.shown[-1][2]
    names = visible_names(tab)
    assert "正しい行の薬局" in names and "種別の誤った行" not in names
    assert tab.count_label.text() == "130 件 / 130 件"


def test_broken_file_gives_a_plain_error_and_changes_nothing(tab, dialogs, tmp_path, messages, ctx):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"this is not a workbook")
    opened = dialogs.drive(ImportPreviewDialog)
    tab.import_path(broken)
    assert opened == []
    assert [(k, t) for k, t, _ in messages.shown] == [("error", "ファイルを読み込めませんでした")]
    _no_unexpected_errors(messages)
    assert ctx.services.resources.count() == 129
    assert tab.count_label.text() == "129 件 / 129 件"
