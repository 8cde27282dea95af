"""The tri-fold pamphlet (三つ折り) on 在宅医療 for citizens: A4 landscape, two pages printed on both sides
(flip on the long edge), three panels a side.

Side 1 (outside), left to right: the flap that folds in (在宅医療を始めるには), the back (相談窓口 with the
contacts) and the cover. Side 2 (inside): 在宅医療とは, 在宅でできること, the team. The flap and the inside
panel behind it are 3 mm narrower so the flap folds in cleanly; short dashed marks at the top and bottom
edges show where to fold. A pure function of PamphletText and the contacts.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO, Sequence

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Spacer, Table

from zaitaku_desktop.domain.handouts import PAMPHLET_HEADINGS, ConsultationContact, PamphletText, colour_hex

from .flyer import SCALES, fit, grid_style, hex_of, ps
from .fonts import GOTHIC, register_fonts
from .meeting_papers import _emit
from .styles import INK, MUTED, RULE, para, tint

Out = Path | str | BinaryIO
PAGE_W, PAGE_H = landscape(A4)
FLAP_MM, PANEL_MM = 97.0, 100.0  # 97 + 100 + 100 = 297
PAD = 8 * mm
PANEL_SCALES = (1.35, 1.25, 1.15, 1.08) + SCALES  # short texts grow to fill their panel


def panel_edges(side: int) -> list[tuple[float, float]]:
    """(x, width) of the three panels of side 1 (outside) or side 2 (inside), left to right."""
    widths = [FLAP_MM, PANEL_MM, PANEL_MM] if side == 1 else [PANEL_MM, PANEL_MM, FLAP_MM]
    out, x = [], 0.0
    for w in widths:
        out.append((x * mm, w * mm))
        x += w
    return out


def body_story(text: str, colour, scale: float) -> list:
    """Plain text to flowables: 「■」 lines are small headings, 「・」 lines bullets, blank lines space."""
    size = 10.5 * scale
    out: list = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            out.append(Spacer(1, size * 0.5))
        elif line.startswith("■"):
            out.append(para(line[1:].strip(), ps(size * 1.1, colour=colour, before=size * 0.2, after=size * 0.15)))
        elif line.startswith("・"):
            style = ps(size, leading=1.55)
            style.leftIndent, style.firstLineIndent = size, -size
            out.append(para(line, style))
        else:
            out.append(para(line, ps(size, leading=1.6)))
    return out


def heading(c: Canvas, text: str, x: float, top: float, width: float, colour) -> float:
    """A panel heading with a colour bar under it; returns the y below it."""
    used = fit(c, lambda s: [para(text, ps(15 * s, colour=colour, leading=1.3))], x, top, width, 18 * mm,
               what="見出し")
    y = top - used - 1.5 * mm
    c.setFillColor(colour)
    c.rect(x, y, 16 * mm, 1.2 * mm, stroke=0, fill=1)
    c.setFillColor(tint(hex_of(colour), 0.35))
    c.rect(x + 16 * mm, y, width - 16 * mm, 1.2 * mm, stroke=0, fill=1)
    return y - 5 * mm


def text_panel(c: Canvas, edge: tuple[float, float], title: str, text: str, colour) -> None:
    x, width = edge[0] + PAD, edge[1] - 2 * PAD
    y = heading(c, title, x, PAGE_H - 12 * mm, width, colour)
    fit(c, lambda s: body_story(text, colour, s), x, y, width, y - 14 * mm, PANEL_SCALES, what=f"「{title}」")


def contacts_story(note: str, contacts: Sequence[ConsultationContact], colour, width: float, scale: float) -> list:
    out: list = [para(note, ps(10.5 * scale, leading=1.6, after=5 * scale))] if note else []
    for contact in contacts:
        rows = [[para(contact.name, ps(12 * scale, colour=colour))]]
        if contact.for_whom:
            rows.append([para(f"（{contact.for_whom}）", ps(9 * scale, colour=MUTED))])
        lines = [x for x in (contact.detail or "").splitlines() if x.strip()]
        if lines:
            rows += [[para(line, ps(10.5 * scale, leading=1.5))] for line in lines]
        else:  # nothing known yet: lines to write on by hand
            rows += [[para(label, ps(10 * scale, colour=MUTED))] for label in ("☎", "受付時間")]
        style = [("BOX", (0, 0), (-1, -1), 0.8, colour), ("LEFTPADDING", (0, 0), (-1, -1), 5),
                 ("TOPPADDING", (0, 0), (-1, -1), 1.5 * scale), ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * scale),
                 ("BACKGROUND", (0, 0), (-1, 0), tint(hex_of(colour), 0.15))]
        if not lines:
            style.append(("LINEBELOW", (0, -2), (-1, -1), 0.4, RULE))
        out += [Table(rows, colWidths=[width], style=grid_style(style)), Spacer(1, 5 * scale)]
    return out


def draw_house(c: Canvas, cx: float, base: float, size: float, ink) -> None:
    """A simple house with a heart in its window: the cover's picture, drawn in lines."""
    c.saveState()
    c.setStrokeColor(ink)
    c.setFillColor(ink)
    c.setLineWidth(size * 0.045)
    c.setLineJoin(1)
    half = size * 0.42
    wall = size * 0.55
    c.rect(cx - half, base, 2 * half, wall, stroke=1, fill=0)
    roof = c.beginPath()
    roof.moveTo(cx - half - size * 0.12, base + wall)
    roof.lineTo(cx, base + wall + size * 0.42)
    roof.lineTo(cx + half + size * 0.12, base + wall)
    c.drawPath(roof, stroke=1, fill=0)
    c.rect(cx + half * 0.35, base, half * 0.45, wall * 0.6, stroke=1, fill=0)  # the door
    r = size * 0.07  # a heart in the window
    hx, hy = cx - half * 0.45, base + wall * 0.5
    heart = c.beginPath()
    heart.moveTo(hx, hy - r * 1.3)
    heart.curveTo(hx - r * 2.2, hy, hx - r * 0.9, hy + r * 1.6, hx, hy + r * 0.5)
    heart.curveTo(hx + r * 0.9, hy + r * 1.6, hx + r * 2.2, hy, hx, hy - r * 1.3)
    c.drawPath(heart, stroke=0, fill=1)
    c.restoreState()


def cover_panel(c: Canvas, edge: tuple[float, float], text: PamphletText, colour) -> None:
    x0, w = edge
    band = PAGE_H * 0.62
    c.setFillColor(colour)
    c.rect(x0, PAGE_H - band, w, band, stroke=0, fill=1)
    x, width = x0 + PAD, w - 2 * PAD
    used = fit(c, lambda s: [para(text.subtitle, ps(13 * s, colour=colors.white, after=5 * s)),
                             para(text.title, ps(25 * s, colour=colors.white, leading=1.3))],
               x, PAGE_H - 18 * mm, width, band * 0.55, what="表紙")
    room = band - used - 18 * mm - 12 * mm
    size = min(room * 0.8, 55 * mm)
    draw_house(c, x0 + w / 2, PAGE_H - band + 10 * mm, size, colors.white)
    note_top = PAGE_H - band - 8 * mm
    fit(c, lambda s: [para(text.cover_note, ps(10.5 * s, leading=1.6))], x, note_top, width,
        note_top - (24 * mm if text.issuer else 10 * mm), PANEL_SCALES[:2] + SCALES, what="表紙")
    if text.issuer:
        fit(c, lambda s: [para(text.issuer, ps(11 * s, colour=colour, align=TA_CENTER))], x, 20 * mm, width, 12 * mm,
            what="発行者")


def fold_marks(c: Canvas, side: int) -> None:
    c.saveState()
    c.setStrokeColor(MUTED)
    c.setLineWidth(0.5)
    c.setDash(2, 2)
    for x, _ in panel_edges(side)[1:]:
        c.line(x, PAGE_H, x, PAGE_H - 6 * mm)
        c.line(x, 0, x, 6 * mm)
    c.restoreState()


def page_number(c: Canvas, side: int) -> None:
    c.saveState()
    c.setFont(GOTHIC, 7)
    c.setFillColor(MUTED)
    x, w = panel_edges(side)[1]
    c.drawCentredString(x + w / 2, 4 * mm, f"{'表面' if side == 1 else '中面'}　{side} / 2")
    c.restoreState()


def write_pamphlet(text: PamphletText, contacts: Sequence[ConsultationContact], path: Out, *,
                   fonts_dir: Path | str, colour: str = "navy") -> int:
    """Write the tri-fold pamphlet (two A4 landscape pages) to ``path``; return 2."""
    register_fonts(fonts_dir)
    ink = colors.HexColor(colour_hex(colour))
    pdf = io.BytesIO()
    c = Canvas(pdf, pagesize=(PAGE_W, PAGE_H), initialFontName=GOTHIC, initialFontSize=10, lang="ja-JP")
    c.setTitle(text.subtitle or "在宅医療のご案内")
    c.setCreator("zaitaku-desktop")
    c.setFillColor(INK)
    flap, back, cover = panel_edges(1)
    text_panel(c, flap, PAMPHLET_HEADINGS["how_to_start"], text.how_to_start, ink)
    x, width = back[0] + PAD, back[1] - 2 * PAD
    y = heading(c, PAMPHLET_HEADINGS["consult_note"], x, PAGE_H - 12 * mm, width, ink)
    fit(c, lambda s: contacts_story(text.consult_note, contacts, ink, width, s), x, y, width, y - 12 * mm, PANEL_SCALES,
        what="「相談窓口」")
    cover_panel(c, cover, text, ink)
    fold_marks(c, 1)
    page_number(c, 1)
    c.showPage()
    for edge, name in zip(panel_edges(2), ("what_is", "can_do", "team")):
        text_panel(c, edge, PAMPHLET_HEADINGS[name], getattr(text, name), ink)
    fold_marks(c, 2)
    page_number(c, 2)
    c.showPage()
    c.save()
    _emit(path, pdf.getvalue())
    return 2
