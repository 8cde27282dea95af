"""Resource directory booklet (在宅医療・介護 資源マップ冊子): cover, 目次, one section per category with
the entries in 五十音 order (address, phone, FAX, key services, the ○/△/× matrix, 最終確認日), and an
index of names.

Built in ONE pass for speed (2,000 providers): the cell texts are wrapped here with the kinsoku rule into
plain-string table cells (no Paragraph per cell); the page numbers that are only known at the end (the
total in the footer, the 目次) are PDF form XObjects drawn where needed and defined after the last page;
the index is laid out after the sections, from the pages recorded while they were placed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, PageBreak, Spacer, Table, TableStyle

from zaitaku_desktop.domain.dates import format_date
from zaitaku_desktop.domain.text import reading_sort_key
from zaitaku_desktop.domain.vocab import MARKS

from .document import PageSetup, _Doc
from .fonts import GOTHIC, register_fonts
from .kinsoku import _can_break_before, break_position
from .styles import ACCENT, HEADER_FILL, INK, MUTED, RULE, STRIPE_FILL, make_styles, para

TITLE = "在宅医療・介護 資源一覧"
FRAME_W = 180 * mm


@dataclass(frozen=True)
class DirectoryEntry:
    name: str
    reading: str = ""
    municipality: str = ""
    district: str = ""
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    fax: str = ""
    services: tuple[str, ...] = ()
    marks: tuple[str, ...] = ()  # one per DirectoryData.matrix_columns: ○ / △ / × / ""
    last_confirmed: dt.date | None = None


@dataclass(frozen=True)
class DirectorySection:
    category: str
    entries: tuple[DirectoryEntry, ...]


@dataclass(frozen=True)
class DirectoryData:
    sections: tuple[DirectorySection, ...]
    matrix_columns: tuple[str, ...]
    issued_on: dt.date
    scope: str = ""  # the filters in words (釜石市・病院), empty for everything
    publisher: str = ""
    title: str = TITLE
    date_style: str = "wareki"

    @property
    def entry_count(self) -> int:
        return sum(len(s.entries) for s in self.sections)

    def index(self) -> list[tuple[str, str, int, int]]:
        """(name, category, section no., entry no.) for every entry, in 五十音 order of the reading."""
        items = [(reading_sort_key(e.reading, e.name), e.name, s.category, i, j)
                 for i, s in enumerate(self.sections) for j, e in enumerate(s.entries)]
        items.sort(key=lambda t: t[:2])
        return [(name, cat, i, j) for _k, name, cat, i, j in items]


# --- plain-text wrapping (fast; kinsoku rule from reports.kinsoku) -----------------------------------
_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}


def wrap_text(text: str, width: float, size: float, font: str = GOTHIC) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points (line starts/ends follow 禁則)."""
    cache = _WIDTHS.setdefault((font, size), {})
    lines: list[str] = []
    for part in (text or "").splitlines() or [""]:
        chars = list(part)
        start, used, i = 0, 0.0, 0
        while i < len(chars):
            w = cache.get(chars[i])
            if w is None:
                w = cache[chars[i]] = stringWidth(chars[i], font, size)
            if used + w > width and i > start:
                b = break_position(chars, start, i)
                if b == i:  # forced (a long number or word): rather break before it, if it can start a line
                    b = next((k for k in range(i - 1, start, -1) if _can_break_before(chars, k)), i)
                lines.append("".join(chars[start:b]))
                start, i, used = b, b, 0.0
                continue
            used += w
            i += 1
        lines.append("".join(chars[start:]))
    return lines


def wrapped(text: str, width: float, size: float) -> str:
    return "\n".join(wrap_text(text, width, size))


def vertical_label(name: str) -> str:
    """A column heading written top to bottom (the long vowel mark turns upright: ー → ｜)."""
    return "\n".join(name.replace("ー", "｜").replace("（", "︵").replace("）", "︶"))


# --- flowables ---------------------------------------------------------------------------------------
class _Mark(Flowable):
    """Zero-size marker: the document records the page it lands on."""

    def __init__(self, kind: str, value: int = 0) -> None:
        super().__init__()
        self.mark = (kind, value)

    def wrap(self, *_args):
        return 0, 0

    def draw(self) -> None:
        pass


class _FormNumber(Flowable):
    """A page number known only at the end: a form XObject drawn right-aligned in a box."""

    def __init__(self, form: str, width: float, size: float) -> None:
        super().__init__()
        # as tall as a one-line paragraph of that size, with the baseline where the paragraph puts it
        self.form, self.width, self.height, self.size = form, width, round(size * 1.45, 2), size

    def wrap(self, *_args):
        return self.width, self.height

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.translate(self.width, self.height - self.size)
        self.canv.doForm(self.form)
        self.canv.restoreState()


class _IndexColumns(Flowable):
    """The index of names in two columns a page, drawn as plain text lines (fast for thousands of names).

    ``lines`` are (text, page) with the page only on an entry's last line; ``make`` builds them the first
    time the index is laid out, when the pages of the entries are known.
    """

    SIZE, LEADING, GAP, PAGE_W = 8.0, 11.0, 8 * mm, 9 * mm

    def __init__(self, make=None, lines: list[tuple[str, str]] | None = None) -> None:
        super().__init__()
        self._make, self._lines = make, lines

    @property
    def lines(self) -> list[tuple[str, str]]:
        if self._lines is None:
            self._lines = self._make(self.column_width(FRAME_W) - self.PAGE_W)
        return self._lines

    def column_width(self, aw: float) -> float:
        return (aw - self.GAP) / 2

    def wrap(self, aw, ah):
        self.width = aw
        self.height = -(-len(self.lines) // 2) * self.LEADING
        return aw, self.height

    def split(self, aw, ah):
        per = int(ah // self.LEADING)
        if per < 1:
            return []
        return [_IndexColumns(lines=self.lines[:2 * per]), _IndexColumns(lines=self.lines[2 * per:])]

    def draw(self) -> None:
        c, rows = self.canv, -(-len(self.lines) // 2)
        width = self.column_width(self.width)
        c.setFillColor(INK)
        for col in range(2):
            x = col * (width + self.GAP)
            chunk = self.lines[col * rows:(col + 1) * rows]
            text = c.beginText(x, self.height - self.SIZE)
            text.setFont(GOTHIC, self.SIZE, self.LEADING)
            for line, _page in chunk:
                text.textLine(line)
            c.drawText(text)
            c.setFont(GOTHIC, self.SIZE)
            for k, (_line, page) in enumerate(chunk):
                if page:
                    c.drawRightString(x + width, self.height - self.SIZE - k * self.LEADING, page)
            c.setStrokeColor(RULE)
            c.setLineWidth(0.3)
        c.line(width + self.GAP / 2, 0, width + self.GAP / 2, self.height)


# --- layout ------------------------------------------------------------------------------------------
NAME_PT, BODY_PT, MARK_PT = 8.5, 7.5, 7.5
PAD = 2.5


@dataclass(frozen=True)
class _Columns:
    widths: tuple[float, ...]  # name, contact, services, then one per matrix column

    @classmethod
    def for_matrix(cls, n: int) -> "_Columns":
        mark = min(4.6 * mm, 62 * mm / n) if n else 0
        rest = FRAME_W - n * mark
        return cls((rest * 0.33, rest * 0.42, rest * 0.25) + (mark,) * n)


def _entry_row(e: DirectoryEntry, cols: _Columns, style: str) -> list:
    w = [x - 2 * PAD for x in cols.widths[:3]]
    name = wrapped(e.name, w[0], NAME_PT)
    if e.district or e.municipality:
        name += "\n" + wrapped("（" + "・".join(x for x in (e.municipality, e.district) if x) + "）", w[0], BODY_PT)
    contact = [f"〒{e.postal_code} {e.address}" if e.postal_code else e.address]
    contact += [f"TEL {e.phone}" if e.phone else "", f"FAX {e.fax}" if e.fax else ""]
    confirmed = format_date(e.last_confirmed, style) if e.last_confirmed else "未確認"
    contact_text = wrapped("\n".join(x for x in contact if x), w[1], BODY_PT) + "\n" + \
        wrapped(f"確認日 {confirmed}", w[1], BODY_PT)
    services = wrapped("・".join(e.services), w[2], BODY_PT) if e.services else "－"
    return [name, contact_text, services, *e.marks]


def _section_table(section: DirectorySection, data: DirectoryData, cols: _Columns) -> Table:
    n = len(data.matrix_columns)
    head = ["名称", "所在地・連絡先・最終確認日", "主なサービス", *(vertical_label(c) for c in data.matrix_columns)]
    rows = [head] + [_entry_row(e, cols, data.date_style) for e in section.entries]
    cmds = [
        ("FONTNAME", (0, 0), (-1, -1), GOTHIC),
        ("FONTSIZE", (0, 0), (-1, -1), BODY_PT), ("LEADING", (0, 0), (-1, -1), BODY_PT * 1.25),
        ("FONTSIZE", (0, 1), (0, -1), NAME_PT), ("LEADING", (0, 1), (0, -1), NAME_PT * 1.25),
        ("FONTSIZE", (3, 0), (-1, 0), 6.5), ("LEADING", (3, 0), (-1, 0), 7),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [None, STRIPE_FILL]),
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("ALIGN", (3, 0), (-1, -1), "CENTER"), ("ALIGN", (0, 0), (2, 0), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD), ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("LEFTPADDING", (3, 0), (-1, -1), 0.5), ("RIGHTPADDING", (3, 0), (-1, -1), 0.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if n == 0:
        cmds = [c for c in cmds if not (isinstance(c[1], tuple) and c[1][0] == 3)]
    return Table(rows, colWidths=list(cols.widths), repeatRows=1, style=TableStyle(cmds), hAlign="LEFT")


def _legend(data: DirectoryData, st) -> list:
    marks = "　".join(f"{m or '空欄'} {label}" for m, label in MARKS.items())
    return [para(f"医療処置の欄：{marks}", st.small)] if data.matrix_columns else []


class _DirectoryDoc(_Doc):
    def __init__(self, out: BinaryIO, setup: PageSetup, data: DirectoryData) -> None:
        super().__init__(out, setup, None)
        self.data = data
        self.section_pages: dict[int, int] = {}
        self.entry_pages: dict[tuple[int, int], int] = {}
        self.index_page = 0
        self._cursor: list[int] | None = None  # [section, next entry]

    def afterFlowable(self, flowable) -> None:  # noqa: N802 - ReportLab's name
        mark = getattr(flowable, "mark", None)
        if mark is not None:
            kind, value = mark
            if kind == "section":
                self.section_pages[value] = self.page
                self._cursor = [value, 0]
            else:
                self.index_page = self.page
                self._cursor = None
        elif isinstance(flowable, Table) and self._cursor is not None:
            section, start = self._cursor
            count = len(flowable._cellvalues) - flowable.repeatRows
            for k in range(start, start + count):
                self.entry_pages[(section, k)] = self.page
            self._cursor[1] = start + count

    def _decorate(self, canvas, doc) -> None:
        page = canvas.getPageNumber()
        if page == 1:  # the cover
            return
        super()._decorate(canvas, doc)
        width = self.setup.pagesize[0]
        y = self.setup.bottom_mm * mm / 2
        canvas.saveState()
        canvas.setFont(GOTHIC, 9)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(width / 2 + 1 * mm, y, f"{page} / ")
        canvas.translate(width / 2 + 1 * mm, y)
        canvas.doForm("dirTotal")
        canvas.restoreState()

    def define_numbers(self) -> None:
        """The forms the 目次 and the footer refer to, now that every page is placed."""
        def form(name: str, text: str, *, right: bool) -> None:
            c = self.canv
            c.beginForm(name, lowerx=-30 * mm, lowery=-3 * mm, upperx=30 * mm, uppery=8 * mm)
            c.setFont(GOTHIC, 9 if name == "dirTotal" else 10)
            c.setFillColor(MUTED if name == "dirTotal" else ACCENT)
            (c.drawRightString if right else c.drawString)(0, 0, text)
            c.endForm()

        form("dirTotal", str(self.page), right=False)
        for i in range(len(self.data.sections)):
            form(f"dirSec{i}", str(self.section_pages.get(i, "")), right=True)
        form("dirIndex", str(self.index_page), right=True)


def _toc_row(label: str, count: str, form: str, st) -> list:
    return [para(label, st.body), para(count, st.right), _FormNumber(form, 18 * mm, 10)]


def build_story(data: DirectoryData, doc: _DirectoryDoc) -> list:
    st = make_styles(10)
    cover = [Spacer(1, 60 * mm), para(data.title, make_styles(18).title)]
    if data.scope:
        cover.append(para(data.scope, st.subtitle))
    cover += [Spacer(1, 10 * mm), para(f"掲載 {data.entry_count:,} 件", st.center),
              Spacer(1, 70 * mm), para(format_date(data.issued_on, data.date_style) + " 発行", st.center)]
    if data.publisher:
        cover.append(para(data.publisher, st.center))
    story: list = [*cover, PageBreak(), para("目次", st.heading)]
    toc = [_toc_row(f"{i + 1}．{s.category}", f"{len(s.entries):,} 件", f"dirSec{i}", st)
           for i, s in enumerate(data.sections)]
    toc.append(_toc_row("名称の索引（五十音順）", "", "dirIndex", st))
    story.append(Table(toc, colWidths=[130 * mm, 25 * mm, 25 * mm], hAlign="LEFT", style=TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), GOTHIC),  # a table without it sets Helvetica (not embedded)
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)])))
    story += [Spacer(1, 6 * mm), *_legend(data, st),
              para("各欄の「確認日」は、その内容を事業所に確認した日（最終確認日）です。変更がありましたら、"
                   "発行元までお知らせください。", st.small)]
    cols = _Columns.for_matrix(len(data.matrix_columns))
    for i, section in enumerate(data.sections):
        story += [PageBreak() if i == 0 else CondPageBreak(60 * mm), _Mark("section", i),
                  para(f"{i + 1}．{section.category}（{len(section.entries):,} 件）", st.heading)]
        if section.entries:
            story.append(_section_table(section, data, cols))
        else:
            story.append(para("該当する資源はありません。", st.body))
    story += [PageBreak(), _Mark("index"), para("名称の索引（五十音順）", st.heading),
              _IndexColumns(lambda width: _index_lines(data, doc, width))]
    return story


def _index_lines(data: DirectoryData, doc: _DirectoryDoc, width: float) -> list[tuple[str, str]]:
    """「name（category）」 wrapped to ``width``, the entry's page on its last line."""
    lines: list[tuple[str, str]] = []
    for name, cat, i, j in data.index():
        parts = wrap_text(f"{name}（{cat}）", width, _IndexColumns.SIZE)
        lines += [(part, "") for part in parts[:-1]] + [(parts[-1], str(doc.entry_pages.get((i, j), "")))]
    return lines or [("（掲載なし）", "")]


def write_directory(data: DirectoryData, out: BinaryIO, *, fonts_dir: Path | str) -> int:
    """Write the booklet as PDF to ``out``; return the number of pages."""
    register_fonts(fonts_dir)
    setup = PageSetup(header_left=data.title + (f"（{data.scope}）" if data.scope else ""),
                      header_right=format_date(data.issued_on, data.date_style), title=data.title,
                      author=data.publisher, subject="在宅医療・介護の資源一覧")
    doc = _DirectoryDoc(out, setup, data)
    doc._doSave = 0  # the forms are defined after the last page, then the file is saved
    doc.build(build_story(data, doc))
    doc.define_numbers()
    doc.canv.save()
    return doc.page
