"""The PDF preview: pages and zoom, printing (rendered page by page into a PDF printer) and 「保存…」."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from zaitaku_desktop.ui.handouts.preview import PdfPreview, print_document


def make_pdf(path: Path, pages: int, *, landscape_last: bool = False) -> Path:
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for n in range(1, pages + 1):
        if landscape_last and n == pages:
            pdf.setPageSize(landscape(A4))
        pdf.setFillColorRGB(0, 0, 0)
        pdf.rect(50, 50, 200, 200, fill=1)
        pdf.drawString(300, 400, f"PAGE-{n}")
        pdf.showPage()
    pdf.save()
    return path


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture
def preview(qtbot, ctx):
    widget = PdfPreview(ctx)
    qtbot.addWidget(widget)
    widget.resize(700, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_empty_preview_offers_nothing(preview):
    assert preview.page_count == 0
    assert not preview.print_button.isEnabled()
    assert not preview.save_button.isEnabled()
    assert preview.page_label.text() == ""


def test_load_shows_pages_and_navigates(qtbot, preview, tmp_path):
    with qtbot.waitSignal(preview.loaded) as signal:
        assert preview.load(make_pdf(tmp_path / "a.pdf", 3))
    assert signal.args == [3]
    assert preview.page_count == 3
    assert preview.page_label.text() == "1 / 3 ページ"
    assert not preview.prev_button.isEnabled() and preview.next_button.isEnabled()
    qtbot.mouseClick(preview.next_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(preview.next_button, Qt.MouseButton.LeftButton)
    assert preview.page_label.text() == "3 / 3 ページ"
    assert not preview.next_button.isEnabled()
    qtbot.mouseClick(preview.prev_button, Qt.MouseButton.LeftButton)
    assert preview.page_label.text() == "2 / 3 ページ"
    # A second file replaces the first and starts at its first page.
    assert preview.load(make_pdf(tmp_path / "b.pdf", 1))
    assert preview.page_label.text() == "1 / 1 ページ"
    assert not preview.next_button.isEnabled()


def test_zoom_buttons(qtbot, preview, tmp_path):
    preview.load(make_pdf(tmp_path / "a.pdf", 2))
    qtbot.mouseClick(preview.fit_width, Qt.MouseButton.LeftButton)
    assert preview.view.zoomMode() == QPdfView.ZoomMode.FitToWidth
    assert preview.fit_width.isChecked() and not preview.fit_page.isChecked()
    qtbot.mouseClick(preview.fit_page, Qt.MouseButton.LeftButton)
    assert preview.view.zoomMode() == QPdfView.ZoomMode.FitInView


def test_a_broken_file_shows_a_message(preview, tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    assert not preview.load(bad)
    assert preview.stack.currentWidget() is preview.message
    assert "表示できません" in preview.message.text()
    assert not preview.print_button.isEnabled()


def test_message_hides_pages(preview, tmp_path):
    preview.load(make_pdf(tmp_path / "a.pdf", 2))
    preview.show_message("作成しています…")
    assert preview.message.text() == "作成しています…"
    assert not preview.save_button.isEnabled()


def test_print_document_renders_every_page_into_a_pdf_printer(qapp, tmp_path):
    document = QPdfDocument()
    assert document.load(str(make_pdf(tmp_path / "a.pdf", 3, landscape_last=True))) == QPdfDocument.Error.None_
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    assert print_document(document, printer) == 3
    assert pdf_pages(out) == 3
    # The landscape page came out landscape and each page carries the rendered ink.
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "3", str(out)], capture_output=True, text=True).stdout
    sizes = [line for line in info.splitlines() if line.startswith("Page") and "size" in line]
    widths = [float(line.split()[3]) for line in sizes]
    heights = [float(line.split()[5]) for line in sizes]
    assert widths[0] < heights[0] and widths[2] > heights[2]
    check = QPdfDocument()
    check.load(str(out))
    image = check.render(0, QSize(210, 297))
    dark = sum(1 for x in range(0, 210, 5) for y in range(0, 297, 5) if QColor(image.pixel(x, y)).value() < 60)
    assert dark > 10


def test_print_range_is_honoured(qapp, tmp_path):
    document = QPdfDocument()
    document.load(str(make_pdf(tmp_path / "a.pdf", 4)))
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "part.pdf"))
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    assert print_document(document, printer) == 2
    assert pdf_pages(tmp_path / "part.pdf") == 2


def test_page_render_at_printer_resolution(qapp, tmp_path):
    """The render loop's building block: one page as an image at 300 dpi has A4's pixel size."""
    document = QPdfDocument()
    document.load(str(make_pdf(tmp_path / "a.pdf", 1)))
    size = document.pagePointSize(0)
    image: QImage = document.render(0, QSize(round(size.width() * 300 / 72), round(size.height() * 300 / 72)))
    assert (image.width(), image.height()) == (2480, 3508)


def test_print_button_goes_through_the_print_dialog(qtbot, preview, tmp_path, monkeypatch):
    preview.load(make_pdf(tmp_path / "a.pdf", 2))
    out = tmp_path / "dialog.pdf"
    seen = {}

    def fake_exec(dialog):
        seen["range"] = (dialog.minPage(), dialog.maxPage())
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return QPrintDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", fake_exec)
    qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    assert seen["range"] == (1, 2)
    assert pdf_pages(out) == 2


def test_print_cancelled_prints_nothing(qtbot, preview, tmp_path, monkeypatch):
    preview.load(make_pdf(tmp_path / "a.pdf", 1))
    monkeypatch.setattr(QPrintDialog, "exec", lambda dialog: QPrintDialog.DialogCode.Rejected)
    called = []
    monkeypatch.setattr("zaitaku_desktop.ui.handouts.preview.print_document", lambda *a: called.append(a))
    qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    assert called == []


def test_save_copies_the_pdf(qtbot, preview, ctx, tmp_path, monkeypatch):
    source = make_pdf(tmp_path / "a.pdf", 2)
    preview.load(source, suggested_name="チラシ.pdf")
    target = tmp_path / "out" / "保存先"
    target.parent.mkdir()
    asked = []
    monkeypatch.setattr("zaitaku_desktop.ui.handouts.preview._ask_save_path",
                        lambda parent, title, name, flt: asked.append(name) or target)
    qtbot.mouseClick(preview.save_button, Qt.MouseButton.LeftButton)
    assert asked == ["チラシ.pdf"]
    saved = target.with_suffix(".pdf")
    assert saved.read_bytes() == source.read_bytes()
    assert [p.name for p in target.parent.iterdir()] == ["保存先.pdf"]  # no temp file left
    assert ctx.messages.shown[-1][0] == "confirm" and "2 ページ" in ctx.messages.shown[-1][2]


def test_save_into_a_missing_folder_says_so(qtbot, preview, ctx, tmp_path, monkeypatch):
    preview.load(make_pdf(tmp_path / "a.pdf", 1))
    monkeypatch.setattr("zaitaku_desktop.ui.handouts.preview._ask_save_path",
                        lambda *a: tmp_path / "nowhere" / "x.pdf")
    qtbot.mouseClick(preview.save_button, Qt.MouseButton.LeftButton)
    kind, title, text = ctx.messages.shown[-1]
    assert kind == "error" and "フォルダが見つかりません" in text


def test_save_cancelled_writes_nothing(qtbot, preview, ctx, tmp_path, monkeypatch):
    preview.load(make_pdf(tmp_path / "a.pdf", 1))
    monkeypatch.setattr("zaitaku_desktop.ui.handouts.preview._ask_save_path", lambda *a: None)
    qtbot.mouseClick(preview.save_button, Qt.MouseButton.LeftButton)
    assert ctx.messages.shown == []
