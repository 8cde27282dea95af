"""The printed papers of a meeting: 次第 (agenda), 受付名簿 (sign-in sheet), 名札 (folded name tents),
参加証明書 (attendance certificates) and グループ表 (group-work table lists).

Pure functions of the service's ``MeetingPaper`` (read through :class:`PaperData`, so this module does
not import the service layer): data in, an A4 PDF with the bundled IPAex fonts embedded out. Each
``write_*`` takes a path or a binary stream and returns the number of pages.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from typing import BinaryIO, Protocol, Sequence

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Spacer, Table

from zaitaku_desktop.domain.dates import format_date
from zaitaku_desktop.domain.errors import DomainError
from zaitaku_desktop.domain.groups import Participant, by_reading, mix_text, seated_tables
from zaitaku_desktop.domain.meetings import Speaker

from .document import PageSetup, render_pdf
from .fonts import GOTHIC, MINCHO, register_fonts
from .styles import INK, MUTED, RULE, grid_table_style, make_styles, para

Out = Path | str | BinaryIO
REGISTERED = ("申込", "出席")


NO_PEOPLE = "名札を作る参加者（申込・出席）がいません。先に「出欠」で参加者を登録してください。"
NO_ATTENDED = ("出席の記録がある参加者がいないため、参加証明書は作れません。"
               "「出欠」で「出席」を記録してから、もう一度お試しください。")
NO_TABLES = ("テーブルの振り分けがまだ保存されていません。"
             "「グループワーク」で振り分けて保存してから、もう一度お試しください。")


class NothingToPrintError(DomainError):
    """The paper would be empty (no attended participants, no tables saved...)."""


class RowData(Protocol):
    """The part of services.meetings.MeetingRow the papers print."""

    @property
    def title(self) -> str: ...
    @property
    def type_name(self) -> str: ...
    @property
    def date(self) -> dt.date: ...
    @property
    def start_time(self) -> str | None: ...
    @property
    def end_time(self) -> str | None: ...


class PaperData(Protocol):
    """What the reports read from services.meeting_papers.MeetingPaper."""

    @property
    def row(self) -> RowData: ...
    @property
    def agenda(self) -> str: ...
    @property
    def speakers(self) -> Sequence[Speaker]: ...
    @property
    def organisers(self) -> tuple[str, ...]: ...  # the organiser first
    @property
    def venue(self) -> str: ...
    @property
    def venue_address(self) -> str: ...
    @property
    def participants(self) -> tuple[Participant, ...]: ...
    @property
    def professions(self) -> tuple[tuple[str, str], ...]: ...  # (id, name)
    @property
    def fonts_dir(self) -> Path: ...


# --- shared pieces --------------------------------------------------------------------------------

def when_text(paper: PaperData, date_style: str = "wareki") -> str:
    """「令和8年5月20日（水）13:30〜15:30」."""
    row = paper.row
    times = "〜".join(t for t in (row.start_time, row.end_time) if t)
    return format_date(row.date, date_style) + (f"　{times}" if times else "")


def on_the_day(paper: PaperData) -> list[Participant]:
    """Who is expected on the day (sign-in sheet, name tents): registered or attended, staff left out."""
    return [p for p in paper.participants if p.status in REGISTERED and p.role != "スタッフ"]


def attended(paper: PaperData) -> list[Participant]:
    """Who gets a certificate: participants recorded as 出席."""
    return [p for p in paper.participants if p.status == "出席" and p.role == "参加者"]


def _name_with_role(p: Participant) -> str:
    return p.name if p.role == "参加者" else f"{p.name}（{p.role}）"


def _emit(out: Out, data: bytes) -> None:
    """Write to a stream, or to a path through a temporary file and one rename (never half a file).
    The service passes a stream from exports.atomic, which also turns OS errors into plain messages."""
    if not isinstance(out, (str, Path)):
        out.write(data)
        return
    path = Path(out)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _platypus(paper: PaperData, out: Out, story, setup: PageSetup) -> int:
    register_fonts(paper.fonts_dir)
    pdf = io.BytesIO()
    pages = render_pdf(pdf, story, setup)
    _emit(out, pdf.getvalue())
    return pages


def _title_block(paper: PaperData, heading: str, st, date_style: str) -> list:
    return [para(heading, st.title), para(paper.row.title, st.subtitle),
            para(f"{when_text(paper, date_style)}　{paper.venue}".strip(), st.center), Spacer(1, 4 * mm)]


def _setup(paper: PaperData, heading: str, date_style: str) -> PageSetup:
    return PageSetup(header_left=f"{heading}　{paper.row.title}",
                     header_right=format_date(paper.row.date, date_style),
                     title=f"{heading}（{paper.row.title}）", subject="在宅医療・介護連携")


# --- 次第 ---------------------------------------------------------------------------------------

def write_agenda(paper: PaperData, path: Out, *, date_style: str = "wareki") -> int:
    row = paper.row

    def story() -> list:
        st = make_styles(11)
        out: list = [para(row.title, st.title)]
        if row.type_name:
            out.append(para(row.type_name, st.subtitle))
        facts = [("日時", when_text(paper, date_style)),
                 ("会場", "　".join(x for x in (paper.venue, paper.venue_address) if x)),
                 ("主催", paper.organisers[0] if paper.organisers else ""),
                 ("共催", "・".join(paper.organisers[1:]))]
        rows = [[para(k, st.cell_head), para(v, st.cell)] for k, v in facts if v]
        if rows:
            out += [Spacer(1, 3 * mm), Table(rows, colWidths=[25 * mm, 140 * mm], style=grid_table_style(header_rows=0))]
        out += [Spacer(1, 6 * mm), para("次　　第", st.title)]
        lines = [line for line in (paper.agenda or "").splitlines() if line.strip()]
        out += [para(line, st.body) for line in lines] or [para("（次第は未記入です）", st.small)]
        if paper.speakers:
            out += [Spacer(1, 6 * mm), para("講師", st.heading)]
            for sp in paper.speakers:
                talk = f"「{sp.talk_title}」" if sp.talk_title else ""
                out.append(para(f"{sp.name}" + (f"（{sp.affiliation}）" if sp.affiliation else "") + talk, st.body))
        return out

    return _platypus(paper, path, story, _setup(paper, "次第", date_style))


# --- 受付名簿 -------------------------------------------------------------------------------------

SIGNIN_COLS_MM = (10, 44, 52, 30, 44)  # No, 氏名, 所属, 職種, 受付・署名 (180 mm)


def profession_codes(paper: PaperData) -> dict[str, int]:
    """The number each profession has in the sign-in sheet's printed list (walk-ins write the number)."""
    return {pid: i for i, (pid, _) in enumerate(paper.professions, start=1)}


def write_signin_sheet(paper: PaperData, path: Out, *, date_style: str = "wareki", blank_rows: int = 10) -> int:
    """No, 氏名 (registered participants in 五十音 order), 所属, 職種, 受付・署名, then ``blank_rows`` empty
    rows for walk-ins; the header row repeats on every page."""
    people = by_reading(on_the_day(paper))
    codes = profession_codes(paper)

    def story() -> list:
        st = make_styles(10)
        out = _title_block(paper, "受付名簿", st, date_style)
        legend = "　".join(f"{codes[pid]} {name}" for pid, name in paper.professions)
        if legend:
            out += [para("職種番号（当日参加の方は職種欄に番号を記入）：" + legend, st.small), Spacer(1, 2 * mm)]
        rows = [[para(h, st.cell_head) for h in ("No.", "氏名", "所属", "職種", "受付・署名")]]
        for p in people:
            code = codes.get(p.profession_id or "")
            rows.append([para(str(len(rows)), st.center), para(_name_with_role(p), st.cell), para(p.affiliation, st.cell),
                         para(f"{code} {p.profession}" if code else p.profession, st.cell), ""])
        rows += [[para(str(len(rows) + i), st.center), "", "", "", ""] for i in range(max(blank_rows, 0))]
        heights = [None] + [9 * mm] * (len(rows) - 1)
        return out + [Table(rows, colWidths=[w * mm for w in SIGNIN_COLS_MM], rowHeights=heights, repeatRows=1,
                            style=grid_table_style(), hAlign="LEFT")]

    return _platypus(paper, path, story, _setup(paper, "受付名簿", date_style))


# --- グループ表 -----------------------------------------------------------------------------------

def write_group_lists(paper: PaperData, path: Out, *, date_style: str = "wareki") -> int:
    """One section per table: members with affiliation and profession, and the table's profession mix."""
    tables = seated_tables(paper.participants, profession_order=[pid for pid, _ in paper.professions])
    if not tables:
        raise NothingToPrintError(NO_TABLES)

    def story() -> list:
        st = make_styles(10)
        total = sum(len(m) for _, m in tables)
        out = _title_block(paper, "グループ表", st, date_style)
        out.append(para(f"{len(tables)} テーブル・{total} 人", st.center))
        for no, members in tables:
            rows = [[para(h, st.cell_head) for h in ("No.", "氏名", "所属", "職種")]]
            rows += [[para(str(i), st.center), para(p.name, st.cell), para(p.affiliation, st.cell),
                      para(p.profession_label, st.cell)] for i, p in enumerate(members, start=1)]
            out.append(KeepTogether([
                para(f"第{no}テーブル（{len(members)} 人）", st.heading), para("職種：" + mix_text(members), st.small),
                Spacer(1, 1.5 * mm),
                Table(rows, colWidths=[10 * mm, 55 * mm, 75 * mm, 40 * mm], repeatRows=1, style=grid_table_style(),
                      hAlign="LEFT")]))
        return out

    return _platypus(paper, path, story, _setup(paper, "グループ表", date_style))


# --- 名札 (folded tents) and 参加証明書: fixed one-page layouts drawn on the canvas --------------------

def _fit(text: str, font: str, width: float, largest: float, smallest: float) -> float:
    """The largest font size (≤ largest, ≥ smallest) at which ``text`` fits ``width``."""
    size = largest
    while size > smallest and stringWidth(text, font, size) > width:
        size -= 1
    return size


def _canvas_pdf(paper: PaperData, out: Out, pagesize, title: str, draw_pages, *, font: str = GOTHIC) -> int:
    register_fonts(paper.fonts_dir)
    pdf = io.BytesIO()
    canvas = Canvas(pdf, pagesize=pagesize, pageCompression=1, initialFontName=font)
    canvas.setTitle(title)
    canvas.setCreator("zaitaku-desktop")
    pages = draw_pages(canvas)
    canvas.save()
    _emit(out, pdf.getvalue())
    return pages


def write_name_tents(paper: PaperData, path: Out) -> int:
    """One A4 landscape sheet per person, folded along the middle: the name, large, with the affiliation
    above it, on both faces (the upper face printed upside down)."""
    people = by_reading(on_the_day(paper))
    if not people:
        raise NothingToPrintError(NO_PEOPLE)
    width, height = landscape(A4)
    half = height / 2

    def face(c: Canvas, p: Participant) -> None:
        size = _fit(p.name, GOTHIC, width - 40 * mm, 96, 24)
        c.setFillColor(INK)
        c.setFont(GOTHIC, size)
        c.drawCentredString(width / 2, half * 0.42, p.name)
        if p.affiliation:
            c.setFont(GOTHIC, _fit(p.affiliation, GOTHIC, width - 40 * mm, 26, 10))
            c.drawCentredString(width / 2, half * 0.42 + size * 0.95 + 6 * mm, p.affiliation)
        c.setFillColor(MUTED)
        c.setFont(GOTHIC, 9)
        c.drawCentredString(width / 2, 10 * mm, paper.row.title)

    def draw(c: Canvas) -> int:
        for p in people:
            face(c, p)
            c.saveState()
            c.translate(width, height)
            c.rotate(180)
            face(c, p)
            c.restoreState()
            c.setStrokeColor(RULE)
            c.setDash(3, 3)
            c.line(10 * mm, half, width - 10 * mm, half)  # the fold
            c.showPage()
        return len(people)

    return _canvas_pdf(paper, path, landscape(A4), f"名札（{paper.row.title}）", draw)


CERTIFICATE_TEXT = "あなたは下記の研修に参加されたことを証明します。"


def write_certificates(paper: PaperData, path: Out, *, issuer: str = "", issued_on: dt.date | None = None,
                       date_style: str = "wareki") -> int:
    """One A4 page per participant who attended (出席): 参加証明書, name, meeting, date, venue, issuer.
    ``issuer`` defaults to the organiser, ``issued_on`` to the meeting's date."""
    people = by_reading(attended(paper))
    if not people:
        raise NothingToPrintError(NO_ATTENDED)
    row = paper.row
    issuer = issuer.strip() or (paper.organisers[0] if paper.organisers else "")
    width, height = A4
    st = make_styles(14)
    detail = st.body_mincho.clone("Detail", fontSize=14, leading=21)

    def block(c: Canvas, text: str, style, x: float, top: float, w: float) -> float:
        p = para(text, style)
        _, h = p.wrapOn(c, w, height)
        p.drawOn(c, x, top - h)
        return top - h

    def page(c: Canvas, p: Participant) -> None:
        c.setStrokeColor(INK)
        c.setLineWidth(2)
        c.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
        c.setLineWidth(0.6)
        c.rect(18 * mm, 18 * mm, width - 36 * mm, height - 36 * mm)
        c.setFillColor(INK)
        c.setFont(MINCHO, 34)
        c.drawCentredString(width / 2, height - 62 * mm, "参 加 証 明 書")
        name = f"{p.name}　様"
        c.setFont(MINCHO, _fit(name, MINCHO, width - 70 * mm, 28, 12))
        c.drawCentredString(width / 2, height - 95 * mm, name)
        if p.affiliation:
            c.setFont(MINCHO, 12)
            c.drawCentredString(width / 2, height - 105 * mm, p.affiliation)
        top = block(c, CERTIFICATE_TEXT, detail.clone("Lead", alignment=TA_CENTER), 30 * mm, height - 125 * mm,
                    width - 60 * mm) - 12 * mm
        c.setFont(MINCHO, 14)
        c.drawCentredString(width / 2, top, "記")
        top -= 12 * mm
        venue = "　".join(x for x in (paper.venue, paper.venue_address) if x)
        for label, value in (("研修名", row.title), ("開催日", when_text(paper, date_style)),
                             ("会　場", venue)):
            if value:
                c.setFont(MINCHO, 14)
                c.drawString(35 * mm, top - 14, label)
                top = block(c, value, detail, 62 * mm, top, width - 100 * mm) - 5 * mm
        c.setFont(MINCHO, 14)
        c.drawRightString(width - 35 * mm, 75 * mm, format_date(issued_on or row.date, date_style,
                                                                 weekday=False))
        if issuer:
            c.setFont(MINCHO, _fit(issuer, MINCHO, width - 70 * mm, 16, 9))
            c.drawRightString(width - 35 * mm, 62 * mm, issuer)

    def draw(c: Canvas) -> int:
        for p in people:
            page(c, p)
            c.showPage()
        return len(people)

    return _canvas_pdf(paper, path, A4, f"参加証明書（{row.title}）", draw, font=MINCHO)
