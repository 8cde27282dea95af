"""The side-by-side issue list (like Kamaishi's slide「一次連携で抽出された課題リスト」): two to four
professions, one column each, their issues as bullet text — always on one A4 landscape page.

The font shrinks until every item fits. Only when even the smallest size cannot hold a column are its
last items replaced by 「ほか N 件」, and the result says so (never silently).
A pure function of :class:`IssueListData`: data in, PDF bytes out.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from zaitaku_desktop.domain.dates import format_wareki

from .document import PageSetup, render_pdf
from .fonts import register_fonts
from .styles import grid_table_style, make_styles, para

DEFAULT_TITLE = "一次連携で抽出された課題リスト"
MIN_COLUMNS, MAX_COLUMNS = 1, 4
MAX_SIZE, MIN_SIZE, STEP = 14.0, 6.0, 0.5


@dataclass(frozen=True)
class IssueListColumn:
    heading: str  # the profession, e.g. 介護支援専門員
    items: tuple[str, ...]


@dataclass(frozen=True)
class IssueListData:
    columns: tuple[IssueListColumn, ...]
    title: str = DEFAULT_TITLE
    issued_on: dt.date | None = None
    subtitle: str = ""  # e.g. the region or the meetings the issues came from


@dataclass(frozen=True)
class IssueListResult:
    font_size: float
    shown: tuple[int, ...]  # items shown per column
    omitted: tuple[int, ...]  # items folded into 「ほか N 件」 per column (all 0 when everything fits)

    @property
    def complete(self) -> bool:
        return not any(self.omitted)


_SETUP = PageSetup(landscape=True, margin_mm=12, top_mm=12, bottom_mm=12)
_CELL_PAD = 4.0  # points, left/right and top/bottom inside a cell


def _item_style(base: ParagraphStyle, size: float) -> ParagraphStyle:
    return ParagraphStyle(f"Item{size}", parent=base, fontSize=size, leading=size * 1.4,
                          leftIndent=size, firstLineIndent=-size, spaceAfter=size * 0.45)


class _Layout:
    def __init__(self, data: IssueListData) -> None:
        self.data = data
        self.st = make_styles(11)
        frame_w, frame_h = _SETUP.frame_size()
        self.col_width = frame_w / len(data.columns)
        self.inner_width = self.col_width - 2 * _CELL_PAD
        self.head = self._head()
        self._room = frame_h - sum(self._height(f, frame_w) for f in self.head) - 2 * _CELL_PAD - 4  # 4 pt safety
        self._cache: dict[tuple[int, float], list[float]] = {}

    @staticmethod
    def _height(flowable, width: float) -> float:
        _, h = flowable.wrap(width, 10_000)
        return h + flowable.getSpaceBefore() + flowable.getSpaceAfter()

    def header_row(self, size: float) -> list:
        style = ParagraphStyle(f"Head{size}", parent=self.st.cell_head, fontSize=max(size, 9.0),
                               leading=max(size, 9.0) * 1.35)
        return [para(self._heading(c), style) for c in self.data.columns]

    def body_height(self, size: float) -> float:
        """Room left for the items under the column headings at this font size."""
        header_h = max(self._height(p, self.inner_width) for p in self.header_row(size)) + 2 * _CELL_PAD
        return self._room - header_h

    def _heading(self, column: IssueListColumn) -> str:
        return f"{column.heading}（{len(column.items)} 件）"

    def _head(self) -> list:
        title = self.data.title or DEFAULT_TITLE
        flow = [para(title, self.st.title)]
        sub = "　".join(x for x in (self.data.subtitle,
                                      f"{format_wareki(self.data.issued_on)}現在" if self.data.issued_on else "") if x)
        if sub:
            flow.append(para(sub, self.st.subtitle))
        flow.append(Spacer(1, 2 * mm))
        return flow

    def items(self, column: IssueListColumn, size: float, shown: int) -> list:
        style = _item_style(self.st.cell, size)
        flow = [para("・" + text, style) for text in column.items[:shown]]
        rest = len(column.items) - shown
        if rest > 0:
            flow.append(para(f"ほか {rest} 件", style))
        if not column.items:
            flow.append(para("（課題なし）", style))
        return flow

    def _item_heights(self, column: IssueListColumn, size: float) -> list[float]:
        key = (id(column), size)
        if key not in self._cache:
            self._cache[key] = [self._height(p, self.inner_width)
                                for p in self.items(column, size, len(column.items))]
        return self._cache[key]

    def column_height(self, column: IssueListColumn, size: float, shown: int) -> float:
        heights = self._item_heights(column, size)
        if not column.items:
            return heights[0]
        total = sum(heights[:shown])
        if shown < len(column.items):  # the 「ほか N 件」 line is one line of the same style
            total += self._height(para("ほか 0 件", _item_style(self.st.cell, size)), self.inner_width)
        return total

    def fits(self, size: float, shown: tuple[int, ...]) -> bool:
        room = self.body_height(size)
        return all(self.column_height(c, size, n) <= room for c, n in zip(self.data.columns, shown))

    def story(self, size: float, shown: tuple[int, ...]) -> list:
        header = self.header_row(size)
        body = [self.items(c, size, n) for c, n in zip(self.data.columns, shown)]
        style = grid_table_style()
        for edge in ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING"):
            style.add(edge, (0, 0), (-1, -1), _CELL_PAD)
        table = Table([header, body], colWidths=[self.col_width] * len(header), repeatRows=1, style=style)
        return [*self._head(), table]


def _pages(layout: _Layout, size: float, shown: tuple[int, ...]) -> int:
    return render_pdf(io.BytesIO(), lambda: layout.story(size, shown), _SETUP)


def choose_layout(data: IssueListData, layout: _Layout | None = None) -> IssueListResult:
    """The largest font size at which every item fits; failing that, the fewest items folded away."""
    layout = layout or _Layout(data)
    full = tuple(len(c.items) for c in data.columns)
    sizes = [MAX_SIZE - i * STEP for i in range(int((MAX_SIZE - MIN_SIZE) / STEP) + 1)]
    # heights grow with the size: binary search for the first (largest) size that fits
    lo, hi = 0, len(sizes)
    while lo < hi:
        mid = (lo + hi) // 2
        if layout.fits(sizes[mid], full):
            hi = mid
        else:
            lo = mid + 1
    if lo < len(sizes):
        return IssueListResult(sizes[lo], full, (0,) * len(full))
    shown = []
    for column in data.columns:
        heights = layout._item_heights(column, MIN_SIZE)
        n, total = 0, 0.0
        rest_line = layout.column_height(column, MIN_SIZE, 0) if column.items else 0.0
        room = layout.body_height(MIN_SIZE)
        while n < len(heights) and total + heights[n] + (rest_line if n + 1 < len(heights) else 0) <= room:
            total += heights[n]
            n += 1
        shown.append(n)
    return IssueListResult(MIN_SIZE, tuple(shown), tuple(a - b for a, b in zip(full, shown)))


def write_issue_list(data: IssueListData, out: BinaryIO, *, fonts_dir: Path | str) -> IssueListResult:
    """Write the one-page list as PDF to ``out``; the result tells the font size and any folded items."""
    if not MIN_COLUMNS <= len(data.columns) <= MAX_COLUMNS:
        raise ValueError(f"columns must be {MIN_COLUMNS}..{MAX_COLUMNS}, got {len(data.columns)}")
    register_fonts(fonts_dir)
    layout = _Layout(data)
    result = choose_layout(data, layout)
    # Guard against measuring error: step down until ReportLab really lays it out on one page.
    size, shown = result.font_size, result.shown
    while _pages(layout, size, shown) > 1:
        if size - STEP >= MIN_SIZE:
            size -= STEP
        elif any(shown):
            widest = max(range(len(shown)), key=lambda i: layout.column_height(data.columns[i], size, shown[i]))  # noqa: B023
            shown = tuple(n - 1 if i == widest else n for i, n in enumerate(shown))
        else:  # pragma: no cover - headings alone cannot overflow a page
            break
    result = IssueListResult(size, shown, tuple(len(c.items) - n for c, n in zip(data.columns, shown)))
    setup = PageSetup(landscape=True, margin_mm=12, top_mm=12, bottom_mm=12, title=data.title or DEFAULT_TITLE,
                      subject="在宅医療・介護連携の課題")
    pdf = io.BytesIO()
    render_pdf(pdf, lambda: layout.story(size, shown), setup)
    out.write(pdf.getvalue())
    return result
