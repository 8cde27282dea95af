"""The annual report (事業実績報告) as PDF: a cover with the year at a glance, then per task ア〜ク the headings
◎実績 ◎成果 ◎課題 (after Kashiwa's report, seed 002), each with its figures, tables, a bar chart where a table
has one, and the coordinator's saved text.

A pure function of ``domain.annual_report.AnnualReport``: A4 portrait, embedded IPAex, kinsoku line breaking,
和暦 dates with the weekday and 「1 / N」 page numbers.
"""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, PageBreak, Spacer, Table as RLTable

from zaitaku_desktop.domain.annual_report import (
    REPORT_TITLE, SECTIONS, AnnualReport, Figure, Part, Table, TaskSection, task_heading,
)
from zaitaku_desktop.domain.dates import format_date

from .document import PageSetup, render_pdf
from .fonts import GOTHIC, register_fonts
from .meeting_papers import Out, _emit
from .styles import ACCENT, HEADER_FILL, INK, RULE, grid_table_style, make_styles, para

WIDTH_MM = 180.0
NUMBER_MM = 20.0
CHART_BARS = 14  # more categories than this: the largest are drawn
CHART_LABEL = 16  # characters of a category label on the chart
BAR = colors.HexColor("#5b8db8")
EMPTY_TEXT = "記録から集計する項目はありません。"
NUMBERS = ("(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)")


def write_annual_report(report: AnnualReport, path: Out, *, fonts_dir: Path | str, date_style: str = "wareki",
                        max_charts_per_task: int = 2) -> int:
    """Write the report to ``path`` (a path, written through a temporary file, or a binary stream); return
    the page count."""
    register_fonts(fonts_dir)
    title = f"{report.label} {REPORT_TITLE}"
    setup = PageSetup(header_left=title, header_right=report.organisation, title=title, author=report.organisation,
                      subject="在宅医療・介護連携推進事業（ア〜ク）の実績・成果・課題")
    pdf = io.BytesIO()
    pages = render_pdf(pdf, lambda: _story(report, date_style, max_charts_per_task), setup)
    _emit(path, pdf.getvalue())
    return pages


def _fmt(value) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def _story(report: AnnualReport, date_style: str, max_charts: int) -> list:
    st = make_styles(10)
    cover = st.title.clone("Cover", fontSize=22, leading=32, spaceBefore=40 * mm, spaceAfter=6 * mm)
    task_style = st.heading.clone("Task", fontSize=14, leading=20, spaceBefore=4 * mm, spaceAfter=1 * mm)
    mark_style = st.heading.clone("Mark", fontSize=11.5, leading=16, spaceBefore=3 * mm, spaceAfter=1.5 * mm,
                                  textColor=INK)
    right = st.cell.clone("RightCell", alignment=TA_RIGHT)
    period = (f"{format_date(report.start, date_style)}〜{format_date(report.end, date_style)}")
    story: list = [para(report.label, cover), para(REPORT_TITLE, st.title.clone("Cover2", fontSize=18, leading=26)),
                   Spacer(1, 8 * mm), para(f"対象期間：{period}", st.subtitle)]
    if report.organisation:
        story.append(para(report.organisation, st.subtitle))
    if report.created_on:
        story.append(para(f"作成日：{format_date(report.created_on, date_style)}", st.subtitle))
    story += [Spacer(1, 14 * mm), para("事業ごとの主な数値", st.heading), _overview(report, st, right),
              Spacer(1, 4 * mm),
              para("各事業について、◎実績（記録から数えた取り組み）・◎成果（アンケートの結果や解決した課題）・"
                   "◎課題（残っている課題）の順にまとめています。", st.small),
              PageBreak()]
    for number, section in zip(NUMBERS, report.tasks):
        story += [CondPageBreak(70 * mm), para(f"{number} {task_heading(section.task)}", task_style)]
        charts = 0
        for name in SECTIONS:
            part = section.part(name)
            story += [CondPageBreak(30 * mm), para(f"◎{name}", mark_style)]  # never alone at a page foot
            flow, charts = _part(part, st, right, max_charts - charts, charts)
            story += flow
            note = section.notes.get(name, "")
            if note:
                story.append(_note(note, st))
            elif part.empty:
                story.append(para(EMPTY_TEXT, st.small))
        story.append(Spacer(1, 4 * mm))
    return story


def _overview(report: AnnualReport, st, right) -> RLTable:
    rows = [[para("事業", st.cell_head), para("主な数値", st.cell_head)]]
    for section in report.tasks:
        figures = section.results.figures[:3]
        text = "　".join(f"{f.label} {_fmt(f.value)}{f.unit}" for f in figures) or "—"
        rows.append([para(task_heading(section.task), st.cell), para(text, st.cell)])
    return RLTable(rows, colWidths=[72 * mm, 108 * mm], repeatRows=1, style=grid_table_style(), hAlign="LEFT")


def _part(part: Part, st, right, charts_left: int, charts: int) -> tuple[list, int]:
    flow: list = []
    if part.figures:
        flow.append(_figures(part.figures, st, right))
    for table in part.tables:
        block = [para(table.title, st.body.clone("TableTitle", spaceBefore=2.5 * mm, spaceAfter=1 * mm)),
                 _table(table, st, right)]
        if table.note:
            block.append(para(f"※ {table.note}", st.small))
        points = table.chart_points()
        if charts_left > 0 and len(points) >= 2 and any(v for _, v in points):
            block.append(_chart(table, points))
            charts_left -= 1
            charts += 1
        flow.append(KeepTogether(block) if len(table.rows) <= 20 else block[0])
        if len(table.rows) > 20:
            flow += block[1:]
    return flow, charts


def _figures(figures: tuple[Figure, ...], st, right) -> RLTable:
    """Figures two to a line: label | value unit."""
    cells = [[para(f.label, st.cell), para(f"{_fmt(f.value)} {f.unit}".strip(), right)] for f in figures]
    lines = [cells[i] + (cells[i + 1] if i + 1 < len(cells) else ["", ""]) for i in range(0, len(cells), 2)]
    style = grid_table_style(header_rows=0)
    for y, line in enumerate(lines):
        for x in (0, 2):
            if line[x] != "":
                style.add("BACKGROUND", (x, y), (x, y), HEADER_FILL)
    return RLTable(lines, colWidths=[62 * mm, 28 * mm] * 2, style=style, hAlign="LEFT")


def _numeric(table: Table, column: int) -> bool:
    return all(isinstance(r[column], (int, float)) or r[column] == "" for r in table.rows) and bool(table.rows)


def _widths(table: Table) -> list[float]:
    numeric = [_numeric(table, i) for i in range(len(table.headers))]
    text_cols = [i for i, n in enumerate(numeric) if not n]
    short = [i for i in text_cols if i and max((len(str(r[i])) for r in table.rows), default=0) <= 4]
    free = WIDTH_MM - NUMBER_MM * sum(numeric) - 14 * len(short)
    wide = [i for i in text_cols if i not in short]
    weight = {i: max(4, min(40, max((len(str(r[i])) for r in table.rows), default=4))) for i in wide}
    total = sum(weight.values()) or 1
    widths = [NUMBER_MM if numeric[i] else 14 if i in short else free * weight[i] / total
              for i in range(len(table.headers))]
    if len(wide) == 1 and sum(numeric) <= 3:  # a short table: do not stretch the label column across the page
        widths[wide[0]] = min(widths[wide[0]], 70)
    return [w * mm for w in widths]


def _table(table: Table, st, right) -> RLTable:
    rows = [[para(h, st.cell_head) for h in table.headers]]
    for row in table.rows:
        rows.append([para(_fmt(v), right if isinstance(v, (int, float)) else st.cell) for v in row])
    style = grid_table_style()
    style.add("TOPPADDING", (0, 0), (-1, -1), 1.2)
    style.add("BOTTOMPADDING", (0, 0), (-1, -1), 2)
    if table.total_row and table.rows:
        style.add("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), colors.HexColor("#f2f2f2"))
    return RLTable(rows, colWidths=_widths(table), repeatRows=1, style=style, hAlign="LEFT")


def _chart(table: Table, points: tuple[tuple[str, float], ...]) -> Drawing:
    """A horizontal bar chart of the table's chart column (largest categories when there are many)."""
    if len(points) > CHART_BARS:
        points = tuple(sorted(points, key=lambda p: -p[1])[:CHART_BARS])
    labels = [p[0] if len(p[0]) <= CHART_LABEL else p[0][: CHART_LABEL - 1] + "…" for p in points]
    bar_h = 5.2 * mm
    width, left = 170 * mm, 60 * mm
    height = bar_h * len(points) + 16 * mm
    drawing = Drawing(width, height, initialFontName=GOTHIC)  # no reference to an unembedded Helvetica
    chart = HorizontalBarChart()
    chart.x, chart.y = left, 8 * mm
    chart.width, chart.height = width - left - 14 * mm, bar_h * len(points)
    chart.data = [[p[1] for p in reversed(points)]]
    chart.categoryAxis.categoryNames = list(reversed(labels))
    chart.categoryAxis.labels.fontName = GOTHIC
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -2
    chart.categoryAxis.strokeColor = RULE
    chart.valueAxis.labels.fontName = GOTHIC
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.strokeColor = RULE
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e0e0e0")
    top = max(p[1] for p in points)
    if top <= 5 and all(float(p[1]).is_integer() for p in points):
        chart.valueAxis.valueMax = 5
        chart.valueAxis.valueStep = 1
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    chart.barLabels.fontName = GOTHIC
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    chart.barLabelFormat = "%.1f" if any(not float(p[1]).is_integer() for p in points) else "%d"
    drawing.add(chart)
    drawing.add(String(left, height - 5 * mm, f"{table.title}（{table.headers[table.chart_column or 1]}）",
                       fontName=GOTHIC, fontSize=8.5, fillColor=ACCENT))
    return drawing


def _note(text: str, st) -> RLTable:
    """The coordinator's text in a light box, a row per paragraph (a long text continues on the next page)."""
    lines = [[para(line, st.body)] for line in text.split("\n\n") if line.strip()] or [[para(text, st.body)]]
    box = RLTable(lines, colWidths=[WIDTH_MM * mm], hAlign="LEFT", splitInRow=1,
                  style=[("BOX", (0, 0), (-1, -1), 0.5, RULE), ("LEFTPADDING", (0, 0), (-1, -1), 6),
                         ("RIGHTPADDING", (0, 0), (-1, -1), 6), ("TOPPADDING", (0, 0), (-1, -1), 3),
                         ("BOTTOMPADDING", (0, 0), (-1, -1), 4), ("FONTNAME", (0, 0), (-1, -1), GOTHIC)])
    box.spaceBefore = 1.5 * mm
    return box


__all__ = ["write_annual_report", "TaskSection"]
