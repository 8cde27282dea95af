"""Per-association feedback sheet (課題フィードバックシート): what the coordinator hands back after a
一次連携 meeting — the issues raised by the association's professions, by layer, with their responses.

A pure function of :class:`IssueFeedbackData`: data in, PDF bytes out (A4 portrait, embedded IPAex).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Spacer, Table
from reportlab.platypus.doctemplate import LayoutError

from zaitaku_desktop.domain.dates import format_wareki
from zaitaku_desktop.domain.issues import LAYER_KEYS, LAYER_LABELS, STATUS_COLOURS

from .document import PageSetup, render_pdf
from .fonts import register_fonts
from .styles import grid_table_style, markup, para, para_markup, make_styles, tint


@dataclass(frozen=True)
class FeedbackResponse:
    actor: str
    action: str
    state: str
    result: str = ""


@dataclass(frozen=True)
class FeedbackIssue:
    title: str
    layer: str  # one of domain.issues.LAYER_KEYS
    status: str
    description: str = ""
    priority: str = ""
    professions: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    raised_on: dt.date | None = None
    source: str = ""  # the association or meeting it came from
    next_action: str = ""
    next_due: dt.date | None = None
    responses: tuple[FeedbackResponse, ...] = ()


@dataclass(frozen=True)
class IssueFeedbackData:
    association: str
    issued_on: dt.date
    issues: tuple[FeedbackIssue, ...]
    professions: tuple[str, ...] = ()
    sender: str = ""  # e.g. 在宅医療・介護連携支援センター
    note: str = ""  # a covering sentence; a default is used when empty
    extra: dict[str, str] = field(default_factory=dict)  # reserved


TITLE = "課題フィードバックシート"
DEFAULT_NOTE = ("先日の一次連携（職種ごとの意見交換）で出された課題を、一次（職種内）・二次（職種間）・"
                "三次（地域全体）に分けて整理しました。現在の状況と対応策をお知らせします。"
                "追加や訂正があれば、お知らせください。")

# column widths in mm for A4 portrait with 15 mm margins (180 mm)
_COLS_MM = (9, 84, 17, 70)


def layer_counts(issues: tuple[FeedbackIssue, ...] | list[FeedbackIssue]) -> dict[str, int]:
    counts = {key: 0 for key in LAYER_KEYS}
    for issue in issues:
        counts[issue.layer] = counts.get(issue.layer, 0) + 1
    return counts


def _issue_cell(issue: FeedbackIssue, st) -> list:
    cell = [para(issue.title, st.cell)]
    facts = []
    if issue.professions:
        facts.append("職種：" + "・".join(issue.professions))
    if issue.themes:
        facts.append("テーマ：" + "・".join(issue.themes))
    if issue.raised_on:
        facts.append("出された日：" + format_wareki(issue.raised_on))
    if issue.source:
        facts.append("出典：" + issue.source)
    if issue.priority:
        facts.append("優先度：" + issue.priority)
    if facts:
        cell.append(para("／".join(facts), st.cell_small))
    if issue.description and issue.description.strip() != issue.title.strip():
        cell.append(para("「" + issue.description.strip() + "」", st.cell_small))
    if issue.next_action:
        due = f"（期限 {format_wareki(issue.next_due)}）" if issue.next_due else ""
        cell.append(para(f"次の一手：{issue.next_action}{due}", st.cell_small))
    return cell


def _responses_cell(issue: FeedbackIssue, st) -> list:
    if not issue.responses:
        return [para("対応策は検討中です。", st.cell_small)]
    cell = []
    for r in issue.responses:
        head = f"<b>{markup(r.actor)}</b>：{markup(r.action)}" + (f"（{markup(r.state)}）" if r.state else "")
        cell.append(para_markup(head, st.cell))
        if r.result:
            cell.append(para("結果：" + r.result, st.cell_small))
    return cell


def _layer_table(issues: list[FeedbackIssue], start_no: int, st, split_in_row: bool) -> Table:
    rows = [[para("No.", st.cell_head), para("課題", st.cell_head), para("状況", st.cell_head),
             para("対応策（実施主体：内容（状況））", st.cell_head)]]
    style = grid_table_style()
    for offset, issue in enumerate(issues):
        rows.append([para(str(start_no + offset), st.center), _issue_cell(issue, st),
                     para(issue.status, st.cell_head), _responses_cell(issue, st)])
        colour = STATUS_COLOURS.get(issue.status)
        if colour:
            style.add("BACKGROUND", (2, offset + 1), (2, offset + 1), tint(colour))
    return Table(rows, colWidths=[w * mm for w in _COLS_MM], repeatRows=1, splitInRow=int(split_in_row), style=style,
                 hAlign="LEFT")


def build_story(data: IssueFeedbackData, *, split_in_row: bool = False) -> list:
    """The flowables; ``split_in_row`` lets one issue's row continue on the next page (needed only when
    a single issue is taller than a page)."""
    st = make_styles(10)
    story: list = [para(TITLE, st.title), para(f"{data.association} 御中", st.subtitle)]
    sender = f"　{data.sender}" if data.sender else ""
    story.append(para(f"{format_wareki(data.issued_on)}{sender}", st.right))
    story.append(Spacer(1, 3 * mm))
    story.append(para(data.note or DEFAULT_NOTE, st.body))
    counts = layer_counts(data.issues)
    summary = f"課題 {len(data.issues)} 件（" + "・".join(f"{k} {counts[k]}" for k in LAYER_KEYS) + "）"
    if data.professions:
        summary += "　対象の職種：" + "・".join(data.professions)
    story.append(Spacer(1, 2 * mm))
    story.append(para(summary, st.body))
    if not data.issues:
        story.append(Spacer(1, 6 * mm))
        story.append(para("この団体から出された課題は、まだ記録されていません。", st.body))
        return story
    number = 1
    for layer in LAYER_KEYS:
        issues = [i for i in data.issues if i.layer == layer]
        if not issues:
            continue
        story.append(CondPageBreak(40 * mm))  # a heading never sits alone at the foot of a page
        story.append(para(f"{LAYER_LABELS[layer]}（{len(issues)} 件）", st.heading))
        story.append(_layer_table(issues, number, st, split_in_row))
        number += len(issues)
    others = [i for i in data.issues if i.layer not in LAYER_KEYS]
    if others:  # never drop an issue with an unexpected layer
        story.append(CondPageBreak(40 * mm))
        story.append(para(f"その他の課題（{len(others)} 件）", st.heading))
        story.append(_layer_table(others, number, st, split_in_row))
    return story


def write_issue_feedback(data: IssueFeedbackData, out: BinaryIO, *, fonts_dir: Path | str) -> int:
    """Write the feedback sheet as PDF to ``out``; return the number of pages."""
    register_fonts(fonts_dir)
    setup = PageSetup(header_left=f"{TITLE}　{data.association} 御中", header_right=format_wareki(data.issued_on),
                      title=f"{TITLE}（{data.association}）", author=data.sender, subject="在宅医療・介護連携の課題")
    try:
        pdf = io.BytesIO()
        pages = render_pdf(pdf, lambda: build_story(data), setup)
    except LayoutError:  # one issue taller than a page: let its row continue on the next page
        pdf = io.BytesIO()
        pages = render_pdf(pdf, lambda: build_story(data, split_in_row=True), setup)
    out.write(pdf.getvalue())
    return pages
