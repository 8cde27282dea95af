"""The page frame every PDF shares: A4, margins, a running header and 「1 / 3」 page numbers.

ReportLab's platypus chain (DocTemplate → PageTemplate → Frame → Flowables). Page numbers need the
total, so the story is built twice from a factory (story lists are consumed by a build): once to count
pages, once for real. Page numbers appear only when there is more than one page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import BinaryIO, Callable

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from .fonts import GOTHIC
from .styles import MUTED, RULE

StoryFactory = Callable[[], list]


@dataclass(frozen=True)
class PageSetup:
    landscape: bool = False
    margin_mm: float = 15.0
    top_mm: float = 18.0
    bottom_mm: float = 16.0
    header_left: str = ""  # running header, drawn from page 2 on (page 1 carries the title)
    header_right: str = ""
    header_on_first_page: bool = False
    title: str = ""  # PDF metadata
    author: str = ""
    subject: str = ""

    @property
    def pagesize(self) -> tuple[float, float]:
        return landscape(A4) if self.landscape else A4

    def frame_size(self) -> tuple[float, float]:
        width, height = self.pagesize
        return width - 2 * self.margin_mm * mm, height - (self.top_mm + self.bottom_mm) * mm


class _Doc(BaseDocTemplate):
    def __init__(self, stream, setup: PageSetup, total_pages: int | None) -> None:
        super().__init__(stream, pagesize=setup.pagesize, leftMargin=setup.margin_mm * mm,
                         rightMargin=setup.margin_mm * mm, topMargin=setup.top_mm * mm,
                         bottomMargin=setup.bottom_mm * mm, title=setup.title, author=setup.author,
                         subject=setup.subject, creator="zaitaku-desktop", lang="ja-JP",
                         initialFontName=GOTHIC, initialFontSize=10)
        self.setup = setup
        self.total_pages = total_pages
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._decorate)])

    def _decorate(self, canvas, doc) -> None:
        setup = self.setup
        page = canvas.getPageNumber()
        width, height = setup.pagesize
        canvas.saveState()
        canvas.setFillColor(MUTED)
        if (setup.header_left or setup.header_right) and (page > 1 or setup.header_on_first_page):
            y = height - setup.top_mm * mm + 5 * mm
            canvas.setFont(GOTHIC, 8)
            canvas.drawString(self.leftMargin, y, setup.header_left)
            canvas.drawRightString(width - self.rightMargin, y, setup.header_right)
            canvas.setStrokeColor(RULE)
            canvas.setLineWidth(0.4)
            canvas.line(self.leftMargin, y - 1.5 * mm, width - self.rightMargin, y - 1.5 * mm)
        if self.total_pages and self.total_pages > 1:
            canvas.setFont(GOTHIC, 9)
            canvas.drawCentredString(width / 2, setup.bottom_mm * mm / 2, f"{page} / {self.total_pages}")
        canvas.restoreState()


def render_pdf(out: BinaryIO, make_story: StoryFactory, setup: PageSetup) -> int:
    """Lay out ``make_story()`` on A4 pages and write the PDF to ``out``; return the page count."""
    probe = _Doc(io.BytesIO(), setup, None)
    probe.build(make_story())
    total = probe.page
    doc = _Doc(out, setup, total)
    doc.build(make_story())
    return doc.page
