"""Printing the list: what is shown (filter, sort, visible columns in their order) is printed."""

from __future__ import annotations

import re

from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

from ui_helpers import choose


def _cells(document) -> list[list[str]]:
    """The document's table as rows of cell texts."""
    from PySide6.QtGui import QTextTable

    frame = document.rootFrame()
    for child in frame.childFrames():
        if isinstance(child, QTextTable):
            table = child
            break
    else:
        raise AssertionError("no table in the document")
    return [[table.cellAt(r, c).firstCursorPosition().block().text() for c in range(table.columns())]
            for r in range(table.rows())]


def test_document_holds_the_visible_rows_and_columns(window, tab):
    choose(tab.category_filter, "病院")
    document = window.list_document()
    text = document.toPlainText()
    assert "資源一覧（6 件）" in text
    cells = _cells(document)
    header, body = cells[0], cells[1:]
    shown = [tab.model.columns[i].header for i in range(tab.model.columnCount())
             if not tab.table.isColumnHidden(i)]
    assert header == shown
    assert "読み" not in header and "FAX番号" not in header
    assert [row[0] for row in body] == [r.name for r in tab.model.visible_rows()]
    assert "はまなす内科クリニック" not in text


def test_hidden_and_moved_columns(qtbot, window, tab):
    address = tab.model.column_index("address")
    phone = tab.model.column_index("phone")
    tab.table.setColumnHidden(address, True)
    header_view = tab.table.horizontalHeader()
    header_view.moveSection(header_view.visualIndex(phone), 0)  # the user drags 電話番号 first
    qtbot.keyClicks(tab.search, "0193-23-8814")
    cells = _cells(window.list_document())
    assert cells[0][0] == "電話番号" and cells[0][1] == "名称"
    assert "住所" not in cells[0]
    assert cells[1][:2] == ["0193-23-8814", "はまなす内科クリニック"]
    assert len(cells) == 2


def test_names_with_markup_are_printed_as_text(qtbot, window, tab, ctx):
    from zaitaku_desktop.domain.resource import ResourceInput

    category = next(c.id for c in ctx.services.vocab.list("category") if c.name == "病院")
    ctx.services.resources.create(ResourceInput(name="<b>A&B</b> 病院", category_id=category))
    window.reload()
    qtbot.keyClicks(tab.search, "A&B")
    cells = _cells(window.list_document())
    assert cells[1][0] == "<b>A&B</b> 病院"


def test_print_action_renders_to_pdf(qtbot, window, tab, monkeypatch, tmp_path):
    out = tmp_path / "list.pdf"
    shown = []

    def fake_exec(preview: QPrintPreviewDialog) -> int:
        shown.append(preview.windowTitle())
        printer = preview.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        preview.paintRequested.emit(printer)
        return 0

    monkeypatch.setattr(QPrintPreviewDialog, "exec", fake_exec)
    choose(tab.area_filter, "大槌町")
    window.act_print.trigger()
    assert shown == ["一覧の印刷プレビュー"]
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 1
