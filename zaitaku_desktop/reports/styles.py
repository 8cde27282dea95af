"""Shared paragraph and table styles for every PDF (IPAex fonts, Japanese line breaking).

Every paragraph style has ``wordWrap='CJK'``; build paragraphs with :func:`para`, which escapes the
user's text, keeps its line breaks and uses the kinsoku-aware :class:`~.kinsoku.Paragraph`.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import TableStyle

from .fonts import GOTHIC, MINCHO
from .kinsoku import Paragraph

INK = colors.HexColor("#212121")
MUTED = colors.HexColor("#616161")
RULE = colors.HexColor("#9e9e9e")
HEADER_FILL = colors.HexColor("#e3ecf5")
STRIPE_FILL = colors.HexColor("#f7f7f7")
ACCENT = colors.HexColor("#1f4e79")


def _style(name: str, size: float, *, leading: float | None = None, font: str = GOTHIC,
           align: int = TA_LEFT, color=INK, space_before: float = 0, space_after: float = 0,
           **extra) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or round(size * 1.45, 2),
                          alignment=align, textColor=color, spaceBefore=space_before, spaceAfter=space_after,
                          wordWrap="CJK", allowWidows=0, allowOrphans=0, bulletFontName=font, **extra)


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    body_mincho: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_small: ParagraphStyle
    cell_head: ParagraphStyle
    right: ParagraphStyle
    center: ParagraphStyle


def make_styles(base_size: float = 10.0) -> Styles:
    """The shared styles scaled from ``base_size`` (body text size in points)."""
    s = base_size
    return Styles(
        title=_style("Title", s * 1.7, font=GOTHIC, align=TA_CENTER, space_after=s * 0.4, color=ACCENT),
        subtitle=_style("Subtitle", s * 1.15, align=TA_CENTER, color=MUTED, space_after=s * 0.6),
        heading=_style("Heading", s * 1.25, space_before=s * 0.9, space_after=s * 0.4, color=ACCENT),
        body=_style("Body", s),
        body_mincho=_style("BodyMincho", s, font=MINCHO),
        small=_style("Small", s * 0.82, color=MUTED),
        cell=_style("Cell", s * 0.92),
        cell_small=_style("CellSmall", s * 0.8, color=MUTED),
        cell_head=_style("CellHead", s * 0.92, align=TA_CENTER),
        right=_style("Right", s, align=TA_RIGHT),
        center=_style("Center", s, align=TA_CENTER),
    )


def markup(text: str) -> str:
    """The user's plain text as paragraph markup: escaped, with its line breaks kept."""
    return escape(text or "").replace("\r\n", "\n").replace("\n", "<br/>")


def para(text: str, style: ParagraphStyle, *, bullet: str | None = None) -> Paragraph:
    """A kinsoku-aware paragraph of plain (unescaped) text."""
    return Paragraph(markup(text), style, bulletText=bullet)


def para_markup(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of markup the program wrote itself (already escaped)."""
    return Paragraph(text, style)


def grid_table_style(*, header_rows: int = 1, font: str = GOTHIC, stripes: bool = False) -> TableStyle:
    """Thin grid, a tinted header, cells aligned to the top."""
    cmds = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        cmds += [("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_FILL),
                 ("VALIGN", (0, 0), (-1, header_rows - 1), "MIDDLE")]
    if stripes:
        cmds.append(("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, STRIPE_FILL]))
    return TableStyle(cmds)


def tint(hex_colour: str, amount: float = 0.35) -> colors.Color:
    """A light version of a status colour, for cell backgrounds behind black text."""
    c = colors.HexColor(hex_colour)
    return colors.Color(1 - (1 - c.red) * amount, 1 - (1 - c.green) * amount, 1 - (1 - c.blue) * amount)
