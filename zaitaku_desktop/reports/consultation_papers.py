"""The consultation desk's papers (task オ): 相談受付票 (intake sheet), 紹介状 (referral note to a provider) and
the monthly statistics sheet.

Pure functions of the consultation service's read shapes (``ConsultationDetail``, ``ReferralRead``,
``ConsultationStats``; read by attribute, since reports sit below services). Each ``write_*`` takes a path
or a binary stream and returns the number of pages: A4, the bundled IPAex fonts embedded, 和暦 dates.

Consent decides what leaves the office: the person's and requester's personal fields (names, reading,
phone, contact) are printed only with ``include_personal=True`` — the caller passes
``ConsultationService.shareable(...)`` — and a placeholder stands in their place otherwise. The PDF's
metadata and running header carry the case number only, never a name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path
from typing import Any

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table

from zaitaku_desktop.domain.dates import format_date

from .document import PageSetup, render_pdf
from .fonts import GOTHIC, register_fonts
from .meeting_papers import Out, _emit
from .styles import HEADER_FILL, grid_table_style, make_styles, para

WITHHELD = "（同意がないため記載しません）"
DEFAULT_SENDER = "在宅医療・介護連携 相談窓口"
INTAKE_TITLE = "相談受付票"
REFERRAL_TITLE = "紹介状"
STATS_TITLE = "相談支援の実績（統計）"
CATEGORY_NOTE = "※ 複数の分類にかかわる相談は、それぞれの分類に数えています。"
WITHHELD_NOTE = "※ 個人情報の提供について有効な同意の記録がないため、氏名・連絡先などは記載していません。"
REFERRAL_NOTE = ("下記の方について当窓口にご相談があり、貴事業所をご案内いたしました。"
                 "ご多忙のところ恐縮ですが、ご対応くださいますようお願い申し上げます。")
REFERRAL_NOTE_ANONYMOUS = ("ご本人の氏名・連絡先などは、個人情報の提供について同意をいただいていないため記載していません。"
                           "必要な情報は、ご本人・ご家族または相談者から直接お伝えします。")
FULL_WIDTH_MM = 180.0  # A4 portrait with 15 mm margins
LABEL_MM = 24.0


def _when(stamp: dt.datetime | None, style: str, *, weekday: bool = True) -> str:
    if stamp is None:
        return ""
    return f"{format_date(stamp.date(), style, weekday=weekday)} {stamp:%H:%M}"


Fact = tuple[str, str] | tuple[str, str, bool]  # (label, value[, wide]); a wide fact takes a whole line


def _facts_table(facts: list[Fact], st, *, label_mm: float = LABEL_MM, width_mm: float = FULL_WIDTH_MM,
                 pairs: bool = True) -> Table:
    """Label | value cells with tinted labels, two facts to a line when ``pairs`` (a wide fact gets its own
    line); empty values print as 「—」."""
    per_line = 2 if pairs else 1
    value_mm = width_mm / per_line - label_mm
    style = grid_table_style(header_rows=0)
    lines: list[list] = []
    for fact in facts:
        label, value, wide = (*fact, False)[:3]
        cells = [para(label, st.cell_head), para(value or "—", st.cell)]
        if wide or not lines or len(lines[-1]) >= 2 * per_line or lines[-1][-1] == "":
            lines.append(cells)
        else:
            lines[-1] += cells
        if wide and per_line == 2:
            lines[-1] += ["", ""]
            style.add("SPAN", (1, len(lines) - 1), (3, len(lines) - 1))
    for y, line in enumerate(lines):
        line += [""] * (2 * per_line - len(line))
        for x in range(0, len(line), 2):
            if line[x] != "":
                style.add("BACKGROUND", (x, y), (x, y), HEADER_FILL)
                style.add("VALIGN", (x, y), (x, y), "MIDDLE")
    return Table(lines, colWidths=[label_mm * mm, value_mm * mm] * per_line, style=style, hAlign="LEFT")


def _grid(header: tuple[str, ...], body: list[list[str]], widths_mm: tuple[float, ...], st, *,
          numeric_from: int | None = None, compact: bool = False) -> Table:
    """A header row and body rows of plain text; columns from ``numeric_from`` on are right-aligned;
    ``compact`` tightens the cell padding (the statistics sheet)."""
    right = st.cell.clone("RightCell", alignment=TA_RIGHT)
    rows = [[para(h, st.cell_head) for h in header]]
    for line in body:
        rows.append([para(v, right if numeric_from is not None and i >= numeric_from else st.cell)
                     for i, v in enumerate(line)])
    style = grid_table_style()
    if compact:
        style.add("TOPPADDING", (0, 0), (-1, -1), 0.8)
        style.add("BOTTOMPADDING", (0, 0), (-1, -1), 1.6)
    return Table(rows, colWidths=[w * mm for w in widths_mm], repeatRows=1, style=style, hAlign="LEFT")


def _render(out: Out, story, setup: PageSetup, fonts_dir: Path | str) -> int:
    register_fonts(fonts_dir)
    pdf = io.BytesIO()
    pages = render_pdf(pdf, story, setup)
    _emit(out, pdf.getvalue())
    return pages


def _personal(value: str, shown: bool) -> str:
    """A personal field as printed: itself with consent, else the placeholder (empty stays empty)."""
    return value if shown or not value else WITHHELD


def _person_facts(detail: Any, shown: bool) -> list[Fact]:
    return [("氏名", _personal(detail.row.person_name, shown)), ("ふりがな", _personal(detail.person_reading, shown)),
            ("電話", _personal(detail.person_phone, shown))]


def _area(row: Any) -> str:
    return "・".join(x for x in (row.municipality, row.district) if x)


def _consent_text(detail: Any, style: str) -> str:
    if not detail.consents:
        return "記録なし"
    c = detail.consents[-1]
    if c.withdrawn_on is not None:
        return f"撤回（{format_date(c.withdrawn_on, style, weekday=False)}）"
    if not c.granted:
        return f"同意されなかった（{format_date(c.obtained_on, style, weekday=False)}）"
    return (f"あり（{format_date(c.obtained_on, style, weekday=False)}・{c.method}）"
            + (f"　提供先：{c.recipients}" if c.recipients else "") + (f"　目的：{c.purpose}" if c.purpose else ""))


def _case_header(detail: Any, heading: str, style: str) -> PageSetup:
    row = detail.row
    return PageSetup(header_left=f"{heading}　相談番号 {row.case_no}",
                     header_right=format_date(row.received_at.date(), style, weekday=False),
                     title=f"{heading}（相談番号 {row.case_no}）", subject="在宅医療・介護連携 相談支援")


# --- 相談受付票 ------------------------------------------------------------------------------------

def write_intake_sheet(detail: Any, path: Out, *, include_personal: bool, fonts_dir: Path | str,
                       date_style: str = "wareki") -> int:
    """The intake sheet of one consultation: reception facts, the requester, the person concerned, what was
    asked and answered, referrals and the case's record of contacts."""
    row = detail.row

    def story() -> list:
        st = make_styles(9.5)
        out: list = [para(INTAKE_TITLE, st.title), para(f"相談番号 {row.case_no}　{row.window}", st.subtitle)]
        out.append(_facts_table([
            ("受付日時", _when(row.received_at, date_style)), ("窓口", row.window), ("経路", row.channel),
            ("状況", row.status), ("担当", row.handled_by),
            ("次の対応日", format_date(row.follow_up_due, date_style) if row.follow_up_due else ""),
            ("対応時間", f"{row.minutes_spent} 分" if row.minutes_spent is not None else "")], st))
        shown = include_personal
        out += [para("相談者", st.heading), _facts_table([
            ("種別", row.requester_type), ("所属", detail.requester_affiliation),
            ("氏名", _personal(row.requester_name, shown)), ("連絡先", _personal(detail.requester_contact, shown))], st)]
        out += [para("ご本人（相談の対象者）", st.heading), _facts_table(_person_facts(detail, shown) + [
            ("年齢", row.age_band), ("市町村・地区", _area(row)), ("要介護度", row.care_level),
            ("情報提供の同意", _consent_text(detail, date_style), True)], st)]
        out += [para("相談の内容", st.heading), _facts_table([
            ("分類", "・".join(row.categories), True), ("相談内容", detail.question, True),
            ("回答・助言", detail.answer, True)], st)]
        out.append(para(f"紹介先（{len(detail.referrals)} 件）", st.heading))
        if detail.referrals:
            out.append(_grid(("紹介日", "紹介先", "種別", "方法", "個人情報", "結果"), [
                [format_date(r.referred_on, date_style, weekday=False), r.resource_name, r.resource_category, r.how,
                 "提供" if r.personal_shared else "なし",
                 r.outcome + (f"（{format_date(r.outcome_on, date_style, weekday=False)}）" if r.outcome_on else "")]
                for r in detail.referrals], (28, 46, 26, 16, 16, 48), st))
        else:
            out.append(para("紹介先はまだありません。", st.small))
        out.append(para(f"経過（{len(detail.contacts)} 件）", st.heading))
        if detail.contacts:
            out.append(_grid(("日時", "種類", "内容", "対応者"), [
                [_when(c.at, date_style, weekday=False), c.kind, c.text, c.by] for c in detail.contacts],
                (38, 24, 92, 26), st))
        else:
            out.append(para("経過の記録はまだありません。", st.small))
        if not include_personal:
            out += [Spacer(1, 3 * mm), para(WITHHELD_NOTE, st.small)]
        return out

    return _render(path, story, _case_header(detail, INTAKE_TITLE, date_style), fonts_dir)


# --- 紹介状 ----------------------------------------------------------------------------------------

def write_referral_note(detail: Any, referral: Any, path: Out, *, include_personal: bool, fonts_dir: Path | str,
                        date_style: str = "wareki", sender: str = "") -> int:
    """The note that goes with a referral to the provider: who it is for, from the 在宅医療・介護連携 窓口,
    the reason (the consultation's categories) and — only with consent — the person and what was asked."""
    row = detail.row
    sender = sender or DEFAULT_SENDER

    def story() -> list:
        st = make_styles(11)
        out: list = [para(format_date(referral.referred_on, date_style, weekday=False), st.right),
                     Spacer(1, 4 * mm), para(f"{referral.resource_name}　御中", st.heading),
                     Spacer(1, 2 * mm), para(sender + (f"（{row.window}）" if row.window else ""), st.right)]
        if row.handled_by:
            out.append(para(f"担当：{row.handled_by}", st.right))
        out += [Spacer(1, 6 * mm), para(REFERRAL_TITLE, st.title), Spacer(1, 4 * mm), para(REFERRAL_NOTE, st.body),
                Spacer(1, 2 * mm), para("記", st.center), Spacer(1, 2 * mm)]
        facts: list[Fact] = [
            ("相談番号", row.case_no), ("相談日", format_date(row.received_at.date(), date_style)),
            ("ご紹介の理由", "・".join(row.categories)), ("ご紹介の方法", referral.how), ("相談者", row.requester_type)]
        if include_personal:
            requester = "　".join(x for x in (row.requester_name, detail.requester_affiliation,
                                              detail.requester_contact) if x)
            facts += _person_facts(detail, True) + [
                ("年齢", row.age_band), ("市町村・地区", _area(row)), ("要介護度", row.care_level),
                ("相談者の連絡先", requester), ("相談の内容", detail.question)]
        else:
            facts.append(("ご本人", WITHHELD))
        out.append(_facts_table(facts, st, label_mm=34, pairs=False))
        if not include_personal:
            out += [Spacer(1, 3 * mm), para(REFERRAL_NOTE_ANONYMOUS, st.body)]
        out += [Spacer(1, 8 * mm), para("以上", st.right)]
        return out

    return _render(path, story, _case_header(detail, REFERRAL_TITLE, date_style), fonts_dir)


# --- 統計 ------------------------------------------------------------------------------------------

def with_totals(table: Any, label: str) -> tuple[tuple[str, ...], list[list[Any]]]:
    """A CrossTable as a header (``label`` over the row labels) and body lines with a 計 column and a 計 line."""
    header = (label, *table.column_labels, "計")
    body = [[name, *cells, sum(cells)] for name, cells in zip(table.row_labels, table.cells)]
    columns = [sum(line[i] for line in table.cells) for i in range(len(table.column_labels))]
    body.append(["計", *columns, sum(columns)])
    return header, body


def _cross(table: Any, label: str, st, width_mm: float) -> list:
    """The table's title as a heading, then the counts with totals."""
    header, body = with_totals(table, label)
    counts = (*([17.0] * (len(header) - 2)), 12.0)
    grid = _grid(header, [[f"{v:,}" if isinstance(v, int) else v for v in line] for line in body],
                 (width_mm - sum(counts), *counts), st, numeric_from=1, compact=True)
    grid.setStyle([("BACKGROUND", (0, len(body)), (-1, len(body)), "#f2f2f2")])
    return [para(table.title, st.heading), grid]


def _side_by_side(left: list, right: list) -> Table:
    return Table([[left, right]], colWidths=[89 * mm, 91 * mm], hAlign="LEFT",
                 style=[("FONTNAME", (0, 0), (-1, -1), GOTHIC), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("RIGHTPADDING", (0, 0), (0, -1), 2 * mm), ("RIGHTPADDING", (1, 0), (1, -1), 0)])


def period_text(stats: Any, style: str) -> str:
    return f"{format_date(stats.start, style, weekday=False)}〜{format_date(stats.end, style, weekday=False)}"


def write_monthly_stats(stats: Any, path: Out, *, fonts_dir: Path | str, date_style: str = "wareki",
                        issued_on: dt.date | None = None) -> int:
    """One A4 sheet of counts (anonymous): totals, month × window, requesters, categories, channels, statuses,
    the referral destinations used most, and the average time spent."""
    period = period_text(stats, date_style)

    def story() -> list:
        st = make_styles(8.5)
        st = dataclasses.replace(st, heading=st.heading.clone("StatsHeading", spaceBefore=5, spaceAfter=2))
        out: list = [para(STATS_TITLE, st.title), para(period, st.subtitle)]
        windows = "・".join(f"{label} {sum(line[i] for line in stats.by_month_window.cells):,} 件"
                            for i, label in enumerate(stats.by_month_window.column_labels))
        average = f"{stats.average_minutes:.1f} 分" if stats.average_minutes is not None else "記録なし"
        out.append(_facts_table([("相談件数", f"{stats.total:,} 件" + (f"（{windows}）" if windows else "")),
                                 ("平均対応時間", average)], st, label_mm=28, pairs=False))
        if not stats.total:
            return out + [Spacer(1, 6 * mm), para("この期間の相談はありません。", st.body)]
        out.append(_side_by_side(
            _cross(stats.by_month_window, "月", st, 87) + _cross(stats.by_channel, "受付方法", st, 87)
            + _cross(stats.by_status, "状況", st, 87),
            _cross(stats.by_requester, "相談者の区分", st, 91) + _cross(stats.by_category, "分類", st, 91)
            + [para(CATEGORY_NOTE, st.small)]))
        refs = [[str(i), name, category, f"{n:,}"] for i, (name, category, n) in enumerate(stats.top_referrals[:10], 1)]
        out.append(KeepTogether([para("よく使った紹介先", st.heading),
                                 _grid(("順位", "紹介先", "種別", "紹介数"), refs, (12, 100, 48, 20), st, numeric_from=3,
                                       compact=True)
                                 if refs else para("この期間の紹介はありません。", st.small)]))
        out += [Spacer(1, 2 * mm), para(f"作成日 {format_date(issued_on or dt.date.today(), date_style)}", st.small)]
        return out

    setup = PageSetup(header_left=f"{STATS_TITLE}　{period}", title=f"{STATS_TITLE}（{period}）",
                      subject="在宅医療・介護連携 相談支援")
    return _render(path, story, setup, fonts_dir)


__all__ = ["write_intake_sheet", "write_referral_note", "write_monthly_stats", "with_totals", "WITHHELD"]
