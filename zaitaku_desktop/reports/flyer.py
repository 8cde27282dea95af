"""The lecture flyer (講座のチラシ): one page, three layouts, a colour, A4 or A3, an optional 申込書.

* ``poster`` — a bold poster: a full-width colour band with a large title, the date in big type, an
  information grid and a footer band. Printed on A3 for a notice board.
* ``leaflet`` — a two-column leaflet: the talk and the speakers on the left, a tinted box with the
  facts (日時・会場・対象…) and the QR code on the right.
* ``notice`` — a plain A4 notice as a city office writes it (明朝, 「記」 with numbered items, 「以上」).

A pure function of :class:`~zaitaku_desktop.domain.handouts.FlyerContent` and ``FlyerStyle``. Text is
laid out with the kinsoku-aware paragraphs; each text area is set at the largest scale that fits its box,
so long titles or many speakers shrink instead of running off the page. Everything is drawn in A4
points; an A3 page is the same drawing scaled by √2. The QR code is drawn as vector squares from segno.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO, Callable

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A3, A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, Spacer, Table, TableStyle

from zaitaku_desktop.domain.dates import format_date
from zaitaku_desktop.domain.errors import DomainError
from zaitaku_desktop.domain.handouts import FlyerContent, FlyerStyle, check_flyer, colour_hex

from .fonts import GOTHIC, MINCHO, register_fonts
from .meeting_papers import _emit
from .styles import INK, MUTED, RULE, para, tint

Out = Path | str | BinaryIO
PAGE_W, PAGE_H = A4
SCALES = (1.0, 0.92, 0.85, 0.78, 0.7, 0.62)  # smaller than 0.62 (body text under 7 pt) is not printed
GROW = (1.5, 1.4, 1.3, 1.2, 1.1) + SCALES  # for boxes that should fill their space
SLIP_H = 64 * mm  # the tear-off 申込書
SLIP_FIELDS = ("氏名", "所属", "電話", "参加人数")
PRIVACY = "ご記入いただいた個人情報は、この講座の受付と連絡のためだけに使います。"
CUT_LINE = "キ　リ　ト　リ　線"


# --- small helpers ------------------------------------------------------------------------------------

def ps(size: float, *, font: str = GOTHIC, colour=INK, align: int = TA_LEFT, leading: float = 1.35,
       before: float = 0, after: float = 0) -> ParagraphStyle:
    """A CJK paragraph style (kinsoku paragraphs are built with styles.para)."""
    return ParagraphStyle(f"flyer{size:.1f}", fontName=font, fontSize=size, leading=size * leading,
                          textColor=colour, alignment=align, wordWrap="CJK", spaceBefore=before, spaceAfter=after)


def story_height(story: list, width: float) -> float:
    return sum(f.wrap(width, 10_000)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in story)


class OverfullError(DomainError):
    """The text does not fit its box even at the smallest size; nothing is written."""


def overfull_message(what: str) -> str:
    return (f"{what}の文字が多すぎて紙面に収まりません。文章や講師の紹介を短くするか、"
            "申込書・画像を外してから、もう一度お試しください。")


def choose(build: Callable[[float], list], width: float, height: float,
           scales: tuple[float, ...] = SCALES) -> tuple[list, float]:
    """The story at the largest scale that fits the box (the smallest one when none does), and its height
    (compare it with ``height`` to know whether it fits)."""
    for scale in scales:
        story = build(scale)
        need = story_height(story, width)
        if need <= height:
            break
    return story, need


def draw_story(c: Canvas, story: list, x: float, top: float, width: float) -> float:
    """Draw the flowables top-down from (x, top); centred ones are centred. Returns the height used."""
    y = top
    for f in story:
        w, h = f.wrap(width, 10_000)
        y -= f.getSpaceBefore()
        shift = {"CENTER": (width - w) / 2, "RIGHT": width - w}.get(getattr(f, "hAlign", ""), 0)
        f.drawOn(c, x + shift, y - h)
        y -= h + f.getSpaceAfter()
    return top - y


def fit(c: Canvas, build: Callable[[float], list], x: float, top: float, width: float, height: float,
        scales: tuple[float, ...] = SCALES, *, what: str = "チラシ") -> float:
    """Draw ``build(scale)`` top-down in the box at the largest scale that fits; return the height used.
    Raises OverfullError (naming ``what``) rather than draw over other parts of the page."""
    story, need = choose(build, width, height, scales)
    if need > height + 0.5:
        raise OverfullError(overfull_message(what))
    return draw_story(c, story, x, top, width)


def when_text(content: FlyerContent, sep: str = "　") -> str:
    """「令和8年5月20日（水）　13:30〜15:30」."""
    return sep.join(x for x in (format_date(content.date, "wareki") if content.date else "", content.when_times()) if x)


def speaker_line(name: str, affiliation: str) -> str:
    return f"{name} 氏" + (f"（{affiliation}）" if affiliation else "")


def apply_text(content: FlyerContent) -> str:
    if content.apply_how == "不要":
        return "申込不要（当日、直接会場へお越しください）"
    number = content.apply_contact or ""
    text = f"{content.apply_how}でお申し込みください" + (f"（{content.apply_how}：{number}）" if number else "")
    if content.tear_off:
        text += "。下の申込書をお使いいただけます"
    return text + (f"。締切：{content.apply_deadline}" if content.apply_deadline else "")


def facts(content: FlyerContent, *, with_when: bool = True, with_venue: bool = True) -> list[tuple[str, str]]:
    rows = [("日時", when_text(content, "\n")) if with_when else ("", ""),
            ("会場", "\n".join(x for x in (content.venue, content.venue_access) if x)) if with_venue else ("", ""),
            ("対象", content.target), ("参加費", content.fee), ("定員", content.capacity),
            ("申込", apply_text(content))]
    return [(k, v) for k, v in rows if k and v]


class QRCode(Flowable):
    """The QR code of ``url`` with its caption below (see draw_qr_block), as a flowable."""

    def __init__(self, url: str, size: float, caption: str, *, h_align: str = "RIGHT") -> None:
        super().__init__()
        self.url, self.size, self.caption, self.hAlign = url, size, caption, h_align

    def wrap(self, *_args):
        return self.size, self.size + 9

    def draw(self) -> None:
        draw_qr_block(self.canv, self.url, 0, 0, self.size, self.caption)


def draw_qr(c: Canvas, qr: segno.QRCode, x: float, y: float, size: float) -> None:
    """Dark modules as merged runs per row; a white square (with the 4-module quiet zone) behind them."""
    rows = [list(r) for r in qr.matrix]
    n = len(rows) + 8
    cell = size / n
    c.saveState()
    c.setFillColor(colors.white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColor(colors.black)
    for r, row in enumerate(rows):
        top = y + size - (r + 4) * cell
        col = 0
        while col < len(row):
            if row[col]:
                start = col
                while col < len(row) and row[col]:
                    col += 1
                c.rect(x + (start + 4) * cell, top - cell, (col - start) * cell, cell, stroke=0, fill=1)
            else:
                col += 1
    c.restoreState()


def grid_style(cmds: list) -> TableStyle:
    """A table style whose cells use the embedded font (ReportLab's default would add Helvetica)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), GOTHIC), *cmds])


def picture(path: str, width: float, height: float) -> Image:
    """The image scaled into width × height keeping its aspect ratio."""
    image = Image(path, width=width, height=height, kind="proportional")
    image.hAlign = "CENTER"
    return image


def facts_table(rows: list[tuple[str, str]], colour, width: float, scale: float, *, label_w: float = 22 * mm,
                font: str = GOTHIC, filled: bool = True) -> Table:
    """Label | text rows; labels on the colour (white type) or in the colour (plain)."""
    size = 11.5 * scale
    label_w = max(label_w, 3 * size + 12)  # 「参加費」 on one line
    label = ps(size, font=font, colour=colors.white if filled else colour, align=TA_CENTER)
    body = ps(size, font=font)
    data = [[para(k, label), para(v, body)] for k, v in rows]
    cmds = [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 3 * scale),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4 * scale), ("LEFTPADDING", (0, 0), (-1, -1), 5),
            ("LINEBELOW", (0, 0), (-1, -1), 0.6, colors.white if filled else RULE)]
    if filled:
        cmds.append(("BACKGROUND", (0, 0), (0, -1), colour))
    return Table(data, colWidths=[label_w, width - label_w], style=grid_style(cmds), hAlign="LEFT")


def speaker_story(content: FlyerContent, colour, scale: float, *, font: str = GOTHIC, big: float = 17) -> list:
    out: list = []
    for sp in content.speakers:
        out.append(para(f"{sp.name} 氏", ps(big * scale, font=font, colour=INK, before=3 * scale)))
        if sp.affiliation:
            out.append(para(sp.affiliation, ps(9.5 * scale, font=font, colour=MUTED)))
        if sp.talk_title:
            out.append(para(f"演題「{sp.talk_title}」", ps(11.5 * scale, font=font, colour=colour, before=2 * scale)))
    return out


def with_picture(story: list, content: FlyerContent, width: float, side: float) -> list:
    """The story with the image beside it (right), when there is an image."""
    if not content.image_path:
        return story
    table = Table([[story, picture(content.image_path, side, side)]], colWidths=[width - side - 4 * mm, side + 4 * mm],
                  style=grid_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                    ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0), ("ALIGN", (1, 0), (1, 0), "RIGHT")]))
    return [table]


def draw_badge(c: Canvas, text: str, x: float, y: float, size: float, fill, ink) -> float:
    """A rounded label; returns its width."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    w = stringWidth(text, GOTHIC, size) + size * 1.2
    c.saveState()
    c.setFillColor(fill)
    c.roundRect(x, y - size * 0.45, w, size * 1.7, size * 0.5, stroke=0, fill=1)
    c.setFillColor(ink)
    c.setFont(GOTHIC, size)
    c.drawString(x + size * 0.6, y, text)
    c.restoreState()
    return w


def draw_qr_block(c: Canvas, url: str, x: float, y: float, size: float, caption: str = "詳しくはこちら") -> None:
    """The QR code with its caption below, (x, y) = bottom left of the caption."""
    c.saveState()
    c.setFont(GOTHIC, 7.5)
    c.setFillColor(MUTED)
    c.drawCentredString(x + size / 2, y, caption)
    c.restoreState()
    draw_qr(c, segno.make(url, error="m", micro=False), x, y + 9, size)


def draw_slip(c: Canvas, content: FlyerContent, colour, *, font: str = GOTHIC) -> None:
    """The tear-off 申込書 in the bottom SLIP_H of the page: a dashed cut line and the form."""
    top = SLIP_H
    c.saveState()
    c.setStrokeColor(MUTED)
    c.setDash(4, 3)
    c.setLineWidth(0.7)
    c.line(8 * mm, top, PAGE_W - 8 * mm, top)
    c.setDash()
    c.setFillColor(colors.white)
    c.rect(PAGE_W / 2 - 22 * mm, top - 2.5 * mm, 44 * mm, 5 * mm, stroke=0, fill=1)
    c.setFillColor(MUTED)
    c.setFont(GOTHIC, 8)
    c.drawCentredString(PAGE_W / 2, top - 1.1 * mm, CUT_LINE)
    c.restoreState()
    x, width = 14 * mm, PAGE_W - 28 * mm
    send = f"{content.apply_how}：{content.apply_contact}" if content.apply_how != "不要" and content.apply_contact else ""
    first = "　".join(x for x in (content.title, when_text(content)) if x)
    second = "　".join(x for x in (send, f"締切：{content.apply_deadline}" if content.apply_deadline else "") if x)
    fit(c, lambda s: [para("申込書", ps(15 * s, font=font, colour=colour)), para(first, ps(9 * s, font=font)),
                      para(second, ps(10 * s, font=font, colour=colour))], x, top - 5 * mm, width, 18 * mm,
        what="申込書")
    label = ps(10, font=font, align=TA_CENTER)
    unit = ps(10, font=font, align=TA_RIGHT)
    rows = [[para("氏名", label), "", para("参加人数", label), para("名", unit)],
            [para("所属", label), "", "", ""],
            [para("電話", label), "", "", ""]]
    grid = Table(rows, colWidths=[22 * mm, 92 * mm, 24 * mm, width - 138 * mm], rowHeights=[9 * mm] * 3,
                 style=grid_style([("FONTNAME", (0, 0), (-1, -1), font), ("GRID", (0, 0), (-1, -1), 0.6, INK),
                                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                   ("BACKGROUND", (0, 0), (0, -1), tint(hex_of(colour), 0.18)),
                                   ("BACKGROUND", (2, 0), (2, 0), tint(hex_of(colour), 0.18)),
                                   ("SPAN", (1, 1), (3, 1)), ("SPAN", (1, 2), (3, 2))]))
    grid.wrap(width, 40 * mm)
    grid.drawOn(c, x, 12 * mm)
    c.saveState()
    c.setFont(font, 7.5)
    c.setFillColor(MUTED)
    c.drawString(x, 7 * mm, PRIVACY)
    c.restoreState()


def hex_of(colour) -> str:
    return "#" + colour.hexval()[2:]


def footer_story(content: FlyerContent, scale: float, *, font: str = GOTHIC, ink=INK) -> list:
    out = []
    if content.organiser:
        out.append(para(f"主催：{content.organiser}", ps(11 * scale, font=font, colour=ink)))
    if content.contact:
        out.append(para(f"問い合わせ：{content.contact}", ps(10 * scale, font=font, colour=ink, before=1.5 * scale)))
    return out


# --- the three layouts --------------------------------------------------------------------------------

def _poster(c: Canvas, content: FlyerContent, colour) -> None:
    bottom = SLIP_H + 4 * mm if content.tear_off else 0
    margin = 14 * mm
    width = PAGE_W - 2 * margin

    def title(scale: float) -> list:
        out = []
        if content.catch:
            out.append(para(content.catch, ps(19 * scale, colour=colors.white, after=4 * scale)))
        out.append(para(content.title, ps(46 * scale, colour=colors.white, leading=1.2)))
        return out

    def body(scale: float) -> list:
        out: list = []
        if content.date or content.start_time:
            date = format_date(content.date, "wareki") if content.date else ""
            out.append(para(date, ps(30 * scale, colour=colour, leading=1.2)))
            if content.when_times():
                out.append(para(content.when_times(), ps(22 * scale, colour=colour, leading=1.2, after=3 * scale)))
        if content.venue:
            out.append(facts_table([("会場", "\n".join(x for x in (content.venue, content.venue_access) if x))],
                                   colour, width, scale * 1.15, label_w=24 * mm))
        talk: list = []
        if content.speakers:
            talk.append(para("講師", ps(11 * scale, colour=colour, before=5 * scale)))
            talk += speaker_story(content, colour, scale, big=19)
        if content.about:
            talk.append(para(content.about, ps(11.5 * scale, before=5 * scale)))
        out += with_picture(talk, content, width, 52 * mm * scale) if talk or content.image_path else []
        rows = facts(content, with_when=False, with_venue=False)
        qr = QRCode(content.qr_url, 30 * mm * min(scale, 1.0), "詳しくはこちら") if content.qr_url else None
        if rows and qr:  # the facts with the QR code beside them
            side = qr.size + 6 * mm
            out += [Spacer(1, 5 * scale), Table(
                [[facts_table(rows, colour, width - side, scale * 1.05), qr]], colWidths=[width - side, side],
                style=grid_style([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                                  *[(k, (0, 0), (-1, -1), 0) for k in ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING",
                                                                        "BOTTOMPADDING")]]))]
        elif rows or qr:
            out += [Spacer(1, 5 * scale), facts_table(rows, colour, width, scale * 1.05) if rows else qr]
        return out

    label_h = 9 * mm if content.label else 0
    footer_h = 24 * mm if (content.organiser or content.contact) else 0
    floor = bottom + footer_h + 3 * mm
    # a long title gives up band height before the body shrinks below the smallest size
    for cap in ((82 if content.tear_off else 100) * mm, 62 * mm, 44 * mm):
        heading, need = choose(title, width, cap - label_h)
        band_h = max(need + label_h + 22 * mm, 50 * mm)
        top = PAGE_H - band_h - 7 * mm
        story, body_need = choose(body, width, top - floor, GROW)
        if need <= cap - label_h and body_need <= top - floor + 0.5:
            break
    else:
        raise OverfullError(overfull_message("チラシ"))
    c.setFillColor(colour)
    c.rect(0, PAGE_H - band_h, PAGE_W, band_h, stroke=0, fill=1)
    y = PAGE_H - 14 * mm
    if content.label:
        draw_badge(c, content.label, margin, y, 13, colors.white, colour)
        y -= label_h
    draw_story(c, heading, margin, y - 2 * mm, width)
    if footer_h:
        c.setFillColor(tint(hex_of(colour), 0.16))
        c.rect(0, bottom, PAGE_W, footer_h, stroke=0, fill=1)
        fit(c, lambda s: footer_story(content, s), margin, bottom + footer_h - 4 * mm, width, footer_h - 6 * mm)
    draw_story(c, story, margin, top, width)


def _leaflet(c: Canvas, content: FlyerContent, colour) -> None:
    bottom = SLIP_H + 4 * mm if content.tear_off else 10 * mm
    margin = 15 * mm
    width = PAGE_W - 2 * margin
    c.setFillColor(colour)
    c.rect(0, PAGE_H - 9 * mm, PAGE_W, 9 * mm, stroke=0, fill=1)
    y = PAGE_H - 20 * mm
    if content.label:
        draw_badge(c, content.label, margin, y, 11, colour, colors.white)
        y -= 7 * mm

    def head(scale: float) -> list:
        out = []
        if content.catch:
            out.append(para(content.catch, ps(14 * scale, colour=MUTED, after=2)))
        out.append(para(content.title, ps(32 * scale, colour=colour, leading=1.22)))
        return out

    used = fit(c, head, margin, y, width, 48 * mm)
    y -= used + 4 * mm
    c.setStrokeColor(colour)
    c.setLineWidth(2)
    c.line(margin, y, PAGE_W - margin, y)
    top = y - 6 * mm
    # footer: organiser and contact in a thin box
    footer_h = 20 * mm if (content.organiser or content.contact) else 0
    if footer_h:
        c.setStrokeColor(colour)
        c.setLineWidth(0.8)
        c.rect(margin, bottom, width, footer_h, stroke=1, fill=0)
        fit(c, lambda s: footer_story(content, s), margin + 4 * mm, bottom + footer_h - 3 * mm, width - 8 * mm,
            footer_h - 5 * mm)
    floor = bottom + footer_h + 5 * mm
    gap = 7 * mm
    left_w = width * 0.56
    right_w = width - left_w - gap

    def left(scale: float) -> list:
        out: list = []
        if content.image_path:
            out += [picture(content.image_path, left_w, 70 * mm * scale), Spacer(1, 4 * scale)]
        if content.about:
            out.append(para(content.about, ps(11 * scale, after=4 * scale)))
        if content.speakers:
            out.append(para("■ 講師", ps(12 * scale, colour=colour, before=3 * scale)))
            out += speaker_story(content, colour, scale, big=15)
        return out

    fit(c, left, margin, top, left_w, top - floor, GROW[2:])
    # the right column: a tinted box with the facts, the QR code at its foot
    rx = margin + left_w + gap
    c.setFillColor(tint(hex_of(colour), 0.13))
    c.roundRect(rx, floor, right_w, top - floor, 3 * mm, stroke=0, fill=1)
    qr = 28 * mm if content.qr_url else 0
    if qr:
        draw_qr_block(c, content.qr_url, rx + (right_w - qr) / 2, floor + 4 * mm, qr)

    def right(scale: float) -> list:
        out: list = []
        for k, v in facts(content):
            out.append(para(f"■ {k}", ps(11 * scale, colour=colour, before=5 * scale)))
            out.append(para(v, ps((12.5 if k == "日時" else 10.5) * scale, leading=1.4)))
        return out

    pad = 5 * mm
    fit(c, right, rx + pad, top - 3 * mm, right_w - 2 * pad, top - floor - (qr + 18 * mm if qr else 6 * mm), GROW[2:])


def _notice(c: Canvas, content: FlyerContent, colour) -> None:
    bottom = SLIP_H + 6 * mm if content.tear_off else 16 * mm
    margin = 25 * mm
    width = PAGE_W - 2 * margin
    top = PAGE_H - 22 * mm
    items = [("日　時", when_text(content)),
             ("会　場", "\n".join(x for x in (content.venue, content.venue_access) if x)),
             ("講　師", "\n".join(speaker_line(s.name, s.affiliation) + (f"\n演題「{s.talk_title}」" if s.talk_title else "")
                                 for s in content.speakers)),
             ("対　象", content.target), ("参加費", content.fee), ("定　員", content.capacity),
             ("申込み", apply_text(content)), ("問合せ", content.contact)]
    items = [(k, v) for k, v in items if v]

    def story(scale: float) -> list:
        body = ps(11 * scale, font=MINCHO, leading=1.6)
        out: list = []
        if content.organiser:
            out.append(para(content.organiser, ps(11 * scale, font=MINCHO, align=TA_RIGHT, after=10 * scale)))
        if content.label:
            out.append(para(content.label, ps(12 * scale, font=MINCHO, colour=colour, align=TA_CENTER)))
        out.append(para(content.title, ps(20 * scale, font=MINCHO, colour=colour, align=TA_CENTER, leading=1.35,
                                           after=2 * scale)))
        out.append(Rule(colour, 0.8 * width, after=8 * scale))
        if content.catch:
            out.append(para(content.catch, ps(12 * scale, font=MINCHO, align=TA_CENTER, after=6 * scale)))
        lead = content.about or "下記のとおり開催いたします。多くの皆さまのご参加をお待ちしております。"
        out += with_picture([para(lead, body)], content, width, 40 * mm * scale)
        out.append(para("記", ps(12 * scale, font=MINCHO, align=TA_CENTER, before=10 * scale, after=6 * scale)))
        label = ps(11 * scale, font=MINCHO, leading=1.6)
        rows = [[para(f"{i}．{k}", label), para(v, body)] for i, (k, v) in enumerate(items, 1)]
        if rows:
            out.append(Table(rows, colWidths=[30 * mm, width - 30 * mm], style=grid_style([
                ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5 * scale), ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * scale)])))
        out.append(para("以上", ps(11 * scale, font=MINCHO, align=TA_RIGHT, before=6 * scale)))
        if content.qr_url:
            out += [Spacer(1, 6 * scale), QRCode(content.qr_url, 24 * mm * min(scale, 1.0), "詳しくはホームページへ")]
        return out

    fit(c, story, margin, top, width, top - bottom, GROW[3:])


class Rule(Flowable):
    """A centred horizontal line."""

    def __init__(self, colour, width: float, *, after: float = 0) -> None:
        super().__init__()
        self.colour, self.line_w, self.spaceAfter = colour, width, after

    def wrap(self, avail_w, _avail_h):
        self.avail_w = avail_w
        return avail_w, 2

    def draw(self) -> None:
        self.canv.setStrokeColor(self.colour)
        self.canv.setLineWidth(1.2)
        x = (self.avail_w - self.line_w) / 2
        self.canv.line(x, 1, x + self.line_w, 1)


LAYOUT_DRAWERS = {"poster": _poster, "leaflet": _leaflet, "notice": _notice}


def write_flyer(content: FlyerContent, style: FlyerStyle, path: Out, *, fonts_dir: Path | str) -> int:
    """Write the flyer as a one-page PDF to ``path`` (a path, written through a temporary file, or a binary
    stream); return the number of pages. Raises ValidationError (Japanese messages) for bad content."""
    check_flyer(content, style)
    register_fonts(fonts_dir)
    pdf = io.BytesIO()
    size = A3 if style.paper == "A3" else A4
    c = Canvas(pdf, pagesize=size, initialFontName=GOTHIC, initialFontSize=10, lang="ja-JP")
    c.setTitle(content.title)
    c.setSubject("講座のご案内")
    c.setCreator("zaitaku-desktop")
    k = size[0] / PAGE_W
    c.scale(k, k)
    colour = colors.HexColor(colour_hex(style.colour))
    font = MINCHO if style.layout == "notice" else GOTHIC
    LAYOUT_DRAWERS[style.layout](c, content, colour)
    if content.tear_off:
        draw_slip(c, content, colour, font=font)
    c.showPage()
    c.save()
    _emit(path, pdf.getvalue())
    return 1
