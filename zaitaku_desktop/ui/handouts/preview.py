"""A PDF preview inside the program: pages, zoom, 「印刷…」 through the system print dialog and 「保存…」."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QButtonGroup, QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget,
)

from zaitaku_desktop.exports.atomic import FileWriteError, write_atomically

from ..issues.outputs import _ask_save_path, _done

log = logging.getLogger(__name__)

POINTS_PER_INCH = 72.0
MAX_RENDER_DPI = 300  # a HighResolution printer reports 1200 dpi: an A4 page would be half a gigabyte


def _orientation(size_pt) -> QPageLayout.Orientation:
    return QPageLayout.Orientation.Landscape if size_pt.width() > size_pt.height() else \
        QPageLayout.Orientation.Portrait


def print_document(document: QPdfDocument, printer: QPrinter) -> int:
    """Print ``document`` on ``printer`` page by page (each page rendered to an image at the printer's
    resolution, at most 300 dpi, centred and scaled to fit the printable area). Honours the print range chosen in the
    dialog; returns the number of pages sent."""
    count = document.pageCount()
    first, last = 0, count - 1
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first, last = printer.fromPage() - 1, min(count, printer.toPage() or count) - 1
    pages = list(range(first, last + 1))
    if not pages:
        return 0
    printer.setPageOrientation(_orientation(document.pagePointSize(pages[0])))
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("the printer could not be opened")
    try:
        dpi = min(printer.resolution(), MAX_RENDER_DPI)
        for n, page in enumerate(pages):
            size_pt = document.pagePointSize(page)
            if n:
                printer.setPageOrientation(_orientation(size_pt))
                printer.newPage()
            scale = dpi / POINTS_PER_INCH
            image = document.render(page, QSize(round(size_pt.width() * scale), round(size_pt.height() * scale)))
            area = painter.viewport()
            fitted = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(area.x() + (area.width() - fitted.width()) // 2,
                           area.y() + (area.height() - fitted.height()) // 2, fitted.width(), fitted.height())
            painter.drawImage(target, image)
    finally:
        painter.end()
    return len(pages)


class PdfPreview(QWidget):
    """Shows one PDF: 前へ/次へ, 「n / m ページ」, 幅に合わせる / ページ全体, 印刷…, 保存….

    ``load(path)`` shows a file; ``show_message(text)`` replaces the pages by a line of text (作成中…,
    an error). ``suggested_name`` is offered by 「保存…」."""

    loaded = Signal(int)  # page count
    output_done = Signal(str)  # "print" or "save": the shown PDF went to paper or to a file

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.path: Path | None = None
        self.suggested_name = "配布物.pdf"
        self.setObjectName("pdfPreview")
        self.document = QPdfDocument(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.prev_button = self._tool("◀", "previewPrev", "前のページ", lambda: self.go(-1), bar)
        self.page_label = QLabel("", self)
        self.page_label.setObjectName("previewPages")
        self.page_label.setMinimumWidth(90)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        bar.addWidget(self.page_label)
        self.next_button = self._tool("▶", "previewNext", "次のページ", lambda: self.go(1), bar)
        bar.addSpacing(12)
        self.zoom_group = QButtonGroup(self)
        self.fit_width = self._tool("幅に合わせる", "previewFitWidth", "ページの幅を画面の幅に合わせます",
                                    lambda: self.set_zoom(QPdfView.ZoomMode.FitToWidth), bar)
        self.fit_page = self._tool("ページ全体", "previewFitPage", "1ページ全体が見えるようにします",
                                   lambda: self.set_zoom(QPdfView.ZoomMode.FitInView), bar)
        for button in (self.fit_width, self.fit_page):
            button.setCheckable(True)
            self.zoom_group.addButton(button)
        self.fit_page.setChecked(True)
        bar.addStretch(1)
        self.print_button = self._button("印刷…", "previewPrint", self.print_pdf, bar)
        self.save_button = self._button("保存…", "previewSave", self.save_copy, bar)
        layout.addLayout(bar)
        self.stack = QStackedWidget(self)
        self.message = QLabel("", self)
        self.message.setObjectName("previewMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color:#555; font-size:14px; background:#e8e8e8;")
        self.view = QPdfView(self)
        self.view.setObjectName("previewView")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self.view.setPageSpacing(12)
        self.view.pageNavigator().currentPageChanged.connect(self._update_controls)
        self.stack.addWidget(self.message)
        self.stack.addWidget(self.view)
        layout.addWidget(self.stack, 1)
        self.show_message("")

    def _tool(self, text: str, name: str, tip: str, slot, bar: QHBoxLayout) -> QPushButton:
        button = self._button(text, name, slot, bar)
        button.setToolTip(tip)
        return button

    def _button(self, text: str, name: str, slot, bar: QHBoxLayout) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        bar.addWidget(button)
        return button

    # --- showing ---------------------------------------------------------------------------------
    @property
    def page_count(self) -> int:
        return self.document.pageCount() if self.path is not None else 0

    @property
    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def load(self, path: Path, *, suggested_name: str | None = None) -> bool:
        """Show ``path``; False (and a message in place of the pages) when it cannot be read."""
        self.document.close()
        self.path = None
        if suggested_name:
            self.suggested_name = suggested_name
        error = self.document.load(str(path))
        if error != QPdfDocument.Error.None_ or self.document.pageCount() == 0:
            log.warning("preview cannot read a PDF: %s", error)
            self.show_message("PDFを表示できませんでした。もう一度作り直してください。")
            return False
        self.path = Path(path)
        self.stack.setCurrentWidget(self.view)
        self.view.pageNavigator().jump(0, QPointF(), self.view.pageNavigator().currentZoom())
        self._update_controls()
        self.loaded.emit(self.document.pageCount())
        return True

    def show_message(self, text: str) -> None:
        """Put ``text`` where the pages go; keeps the last PDF loaded (print/save stay off)."""
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)
        self._update_controls()

    def clear(self) -> None:
        self.document.close()
        self.path = None
        self.show_message("")

    def showing_pages(self) -> bool:
        return self.stack.currentWidget() is self.view and self.path is not None

    def _update_controls(self, *_args) -> None:
        ready = self.showing_pages()
        count = self.page_count if ready else 0
        page = self.current_page + 1 if ready else 0
        self.page_label.setText(f"{page} / {count} ページ" if ready else "")
        self.prev_button.setEnabled(ready and page > 1)
        self.next_button.setEnabled(ready and page < count)
        for button in (self.fit_width, self.fit_page, self.print_button, self.save_button):
            button.setEnabled(ready)

    def go(self, step: int) -> None:
        page = max(0, min(self.page_count - 1, self.current_page + step))
        self.view.pageNavigator().jump(page, QPointF(), self.view.pageNavigator().currentZoom())
        self._update_controls()

    def set_zoom(self, mode: QPdfView.ZoomMode) -> None:
        self.view.setZoomMode(mode)
        (self.fit_width if mode == QPdfView.ZoomMode.FitToWidth else self.fit_page).setChecked(True)

    # --- printing and saving ------------------------------------------------------------------------
    def print_pdf(self) -> None:
        if not self.showing_pages():
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        size = self.document.pagePointSize(0)  # the paper named portrait (A4, A3); orientation is set per page
        short, long = sorted((round(size.width()), round(size.height())))
        printer.setPageSize(QPageSize(QSize(short, long)))
        printer.setDocName(self.suggested_name)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("印刷")
        dialog.setMinMax(1, self.page_count)
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return
        try:
            sent = print_document(self.document, printer)
        except OSError:
            self.ctx.messages.error("印刷できませんでした",
                                    "プリンターに接続できませんでした。プリンターの電源と接続を確かめてから、"
                                    "もう一度お試しください。")
            return
        log.info("printed %d pages", sent)
        self.output_done.emit("print")

    def save_copy(self, target: Path | None = None) -> None:
        """Copy the shown PDF to a path the user chooses (written atomically)."""
        if not self.showing_pages():
            return
        target = target or _ask_save_path(self, "PDFを保存", self.suggested_name, "PDF (*.pdf)")
        if target is None:
            return
        if target.suffix.lower() != ".pdf":
            target = target.with_suffix(".pdf")
        source, pages = self.path, self.page_count

        def copy() -> Path:
            try:
                data = source.read_bytes()
            except OSError as exc:
                raise FileWriteError("プレビューのPDFが見つかりません。作り直してから保存してください。") from exc
            write_atomically(target, lambda handle: handle.write(data))
            return target

        def saved(path: Path) -> None:
            self.output_done.emit("save")
            _done(self.ctx, f"PDF（{pages} ページ）を保存しました。", path)

        self.ctx.runner.run(copy, on_done=saved,
                            on_error=lambda exc: self.ctx.messages.failure("保存できませんでした", exc))
