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
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, Sequence

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from zaitaku_desktop.domain.attendance import ABBREVIATIONS
from zaitaku_desktop.domain.dates import format_date
from zaitaku_desktop.domain.errors import DomainError, StorageError, describe_write_error
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
    @property
    def profession_ids(self) -> tuple[str, ...]: ...  # the target professions (sign-in sheet columns)


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
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        tmp = Path(name)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise StorageError(describe_write_error(exc, path)) from exc
    finally:
        if tmp is not None:
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

MAX_TICK_COLUMNS = 9  # profession columns besides 「その他」
OTHER_COLUMN = "その他"
SIGNIN_WIDTH_MM = 180.0  # the A4 frame (PageSetup: 15 mm margins)
NO_MM, TICK_MM, OTHER_MM = 8.0, 6.5, 17.0
TEXT_SHARES = (0.34, 0.36, 0.30)  # 氏名, 所属, 受付・署名 share what the tick columns leave
BOX_MM = 3.6  # the tick box
TICK = "\u2713"  # ✓ — present in IPAex Gothic (checked by the tests)
LABEL_SIZE, LABEL_PITCH = 7.5, 8.2  # the stacked (縦書き) column labels
LABEL_MAX_HEIGHT = 6 * LABEL_PITCH  # longer labels are set smaller
TURNED = frozenset("ー－―‐-〜～")  # drawn turned by 90° in vertical text


@dataclass(frozen=True)
class TickColumn:
    """One profession tick-box column of the sign-in sheet."""

    profession_id: str
    name: str
    label: str  # what the column header prints (short: ケアマネ, PT, 包括...)


def short_label(name: str) -> str:
    """A column label for a profession: the name itself up to 4 characters, else the abbreviation people
    write on sign-in sheets (domain.attendance.ABBREVIATIONS), a Japanese one first (ケアマネ before CM)."""
    if len(name) <= 4:
        return name
    found = [abbr for abbr, names in ABBREVIATIONS.items() if name in names]
    japanese = [abbr for abbr in found if not abbr.isascii()]
    return (japanese or found or [name])[0]


def signin_columns(paper: PaperData) -> list[TickColumn]:
    """The profession columns of the sign-in sheet, in vocabulary order: the meeting's target professions
    when 1–9 are set; otherwise the professions of the people expected (most of them first when there are
    more than 9), topped up with the first professions of the vocabulary, up to 9 columns in all."""
    names = dict(paper.professions)  # the active vocabulary, in its order
    people = on_the_day(paper)
    for p in people:  # an archived profession someone still has
        if p.profession_id and p.profession:
            names.setdefault(p.profession_id, p.profession)
    rank = {pid: i for i, pid in enumerate(names)}
    targets = [pid for pid in dict.fromkeys(getattr(paper.row, "profession_ids", ()) or ()) if pid in names]
    if 1 <= len(targets) <= MAX_TICK_COLUMNS:
        chosen = targets
    else:
        counts = Counter(p.profession_id for p in people if p.profession_id in names)
        chosen = sorted(counts, key=lambda pid: (-counts[pid], rank[pid]))[:MAX_TICK_COLUMNS]
        chosen += [pid for pid, _ in paper.professions if pid not in chosen][:MAX_TICK_COLUMNS - len(chosen)]
    return [TickColumn(pid, names[pid], short_label(names[pid])) for pid in sorted(chosen, key=rank.__getitem__)]


def signin_widths(columns: int) -> list[float]:
    """Column widths in points: No, 氏名, 所属, one per profession, その他, 受付・署名."""
    rest = SIGNIN_WIDTH_MM - NO_MM - TICK_MM * columns - OTHER_MM
    name, affiliation, signature = (rest * share for share in TEXT_SHARES)
    return [w * mm for w in (NO_MM, name, affiliation, *([TICK_MM] * columns), OTHER_MM, signature)]


class _ColumnLabel(Flowable):
    """A tick column's header: the label's characters stacked top to bottom (縦書き, ー turned), or a short
    Latin label (PT, MSW) across. The last line sits on ``baseline`` so it lines up with the other headers."""

    def __init__(self, label: str, baseline: float) -> None:
        super().__init__()
        self.label, self.baseline = label, baseline
        self.across = label.isascii()
        self.size = LABEL_SIZE if self.across else min(LABEL_SIZE, LABEL_MAX_HEIGHT / max(len(label), 1) / 1.1)
        self.pitch = self.size * LABEL_PITCH / LABEL_SIZE

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        if self.across:
            self.size = _fit(self.label, GOTHIC, avail_width, LABEL_SIZE, 4)
        lines = 1 if self.across else len(self.label)
        self.height = self.baseline + (lines - 1) * self.pitch + self.size * 0.9
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.setFillColor(INK)
        c.setFont(GOTHIC, self.size)
        if self.across:
            c.drawCentredString(self.width / 2, self.baseline, self.label)
            return
        for i, ch in enumerate(self.label):
            y = self.baseline + (len(self.label) - 1 - i) * self.pitch
            if ch in TURNED:
                middle = y + self.size * 0.38  # the middle of the em box
                c.saveState()
                c.translate(self.width / 2, middle)
                c.rotate(-90)
                c.drawCentredString(0, -self.size * 0.38, ch)
                c.restoreState()
            else:
                c.drawCentredString(self.width / 2, y, ch)


class _TickBox(Flowable):
    """□ drawn with lines, ✓ printed in it when ``ticked``; centred in its cell, or on the left in the
    その他 column (``other``), where ``note`` (a profession without a column) is written small beside it."""

    def __init__(self, ticked: bool = False, note: str = "", *, other: bool = False) -> None:
        super().__init__()
        self.ticked, self.note, self.other = ticked, note, other

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width, self.height = avail_width, BOX_MM * mm
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        box = BOX_MM * mm
        x = 0.0 if self.other else (self.width - box) / 2
        c.setStrokeColor(INK)
        c.setLineWidth(0.6)
        c.rect(x, 0, box, box)
        c.setFillColor(INK)
        if self.ticked:
            c.setFont(GOTHIC, box * 1.5)
            c.setLineWidth(0.4)
            c.drawCentredString(x + box / 2, box * 0.05, TICK, mode=2)  # filled and stroked: a bolder tick
        if self.note:
            left = x + box + 1.2 * mm
            size, lines = _wrap_small(self.note, self.width - left)
            c.setFont(GOTHIC, size)
            top = box / 2 + len(lines) * size * 1.1 / 2
            for i, line in enumerate(lines):
                c.drawString(left, top - (i + 1) * size * 1.1 + size * 0.15, line)


def _wrap_small(text: str, width: float, *, largest: float = 6.5, smallest: float = 4.0) -> tuple[float, list[str]]:
    """``text`` broken by characters into lines of ``width``: two at most, at the largest size that fits
    (more only when even ``smallest`` is too large)."""
    size = largest
    while True:
        lines, line = [], ""
        for ch in text:
            if line and stringWidth(line + ch, GOTHIC, size) > width:
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
        if len(lines) <= 2 or size <= smallest:
            return size, lines
        size -= 0.5


def write_signin_sheet(paper: PaperData, path: Out, *, date_style: str = "wareki", blank_rows: int = 10) -> int:
    """No, 氏名 (registered participants in 五十音 order), 所属, one tick box per profession (signin_columns)
    and 「その他」, 受付・署名, then ``blank_rows`` empty rows for walk-ins; the header row repeats on every
    page. A registered participant's own profession is ticked; one without a column gets その他 ticked with
    the profession written beside it."""
    people = by_reading(on_the_day(paper))
    columns = signin_columns(paper)
    where = {col.profession_id: i for i, col in enumerate(columns)}
    first_tick, other = 3, 3 + len(columns)

    def ticks(p: Participant | None) -> list[_TickBox]:
        cells = [_TickBox() for _ in columns] + [_TickBox(other=True)]
        if p is not None and p.profession_id and p.profession_id in where:
            cells[where[p.profession_id]] = _TickBox(ticked=True)
        elif p is not None and p.profession_id:
            cells[-1] = _TickBox(ticked=True, note=p.profession, other=True)
        return cells

    def story() -> list:
        st = make_styles(10)
        out = _title_block(paper, "受付名簿", st, date_style)
        note = ("当日参加の方は、空欄に氏名・所属を記入し、職種の□に印をつけてください"
                f"（該当がなければ「{OTHER_COLUMN}」に印をつけ、職種名を記入）。")
        short = [f"{col.label}＝{col.name}" for col in columns if col.label != col.name]
        out += [para(note + ("　略称：" + "、".join(short) if short else ""), st.small), Spacer(1, 2 * mm)]
        baseline = st.cell_head.leading - st.cell_head.fontSize  # where a one-line header paragraph sits
        rows: list[list] = [[para("No.", st.cell_head), para("氏名", st.cell_head), para("所属", st.cell_head),
                             *(_ColumnLabel(col.label, baseline) for col in columns),
                             para(OTHER_COLUMN, st.cell_head), para("受付・署名", st.cell_head)]]
        for p in people:
            rows.append([para(str(len(rows)), st.center), para(_name_with_role(p), st.cell),
                         para(p.affiliation, st.cell), *ticks(p), ""])
        rows += [[para(str(len(rows) + i), st.center), "", "", *ticks(None), ""] for i in range(max(blank_rows, 0))]
        style = grid_table_style()
        style.add("VALIGN", (0, 0), (-1, 0), "BOTTOM")
        style.add("VALIGN", (first_tick, 1), (other, -1), "MIDDLE")
        style.add("LEFTPADDING", (first_tick, 0), (other - 1, -1), 1)
        style.add("RIGHTPADDING", (first_tick, 0), (other - 1, -1), 1)
        style.add("LEFTPADDING", (other, 1), (other, -1), 2)
        style.add("LINEBEFORE", (first_tick, 0), (first_tick, -1), 0.9, INK)  # the tick block stands out
        style.add("LINEAFTER", (other, 0), (other, -1), 0.9, INK)
        heights = [None] + [9 * mm] * (len(rows) - 1)
        return out + [Table(rows, colWidths=signin_widths(len(columns)), rowHeights=heights, repeatRows=1,
                            style=style, hAlign="LEFT")]

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
