"""The annual report (事業実績報告): per task ア〜ク, ◎実績 ◎成果 ◎課題 — the fiscal year and the read shapes.

Pure Python: the service fills these shapes from SQL aggregates; the PDF and Excel writers read them.
Kashiwa's report (seed 002) is the model: per task what was done with counts, its outcomes, what remains.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping

from .dates import era_of
from .errors import FieldIssue, ValidationError
from .meetings import TASK_LETTERS
from .vocab import TASKS

SECTIONS: tuple[str, ...] = ("実績", "成果", "課題")
NOTE_MAX = 4000
REPORT_TITLE = "在宅医療・介護連携推進事業 実績報告"

# Short names for sheet tabs and the task list (「ア 地域資源」).
TASK_SHORT: dict[str, str] = {
    "ア": "地域資源", "イ": "課題の抽出と対応策", "ウ": "提供体制の構築", "エ": "情報共有の支援",
    "オ": "相談支援", "カ": "研修", "キ": "普及啓発", "ク": "市町村の連携",
}


def fiscal_year_range(year: int) -> tuple[dt.date, dt.date]:
    """Fiscal year 2025 → (2025-04-01, 2026-03-31)."""
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def fiscal_year_label(year: int) -> str:
    """2025 → 「令和7年度」; 2019 → 「令和元年度」 (the era the year ends in, as offices write it)."""
    era, number = era_of(dt.date(year + 1, 3, 31))
    number -= 1
    if number < 1:
        era, number = era_of(dt.date(year, 4, 1))
    return f"{era}{'元' if number == 1 else number}年度"


def task_heading(task: str) -> str:
    return f"{task} {TASKS[task]}"


def sheet_name(task: str) -> str:
    """「ア 地域資源」: within Excel's 31 characters and free of []:*?/\\."""
    name = f"{task} {TASK_SHORT.get(task, '')}".strip()
    return "".join(ch for ch in name if ch not in '[]:*?/\\')[:31]


def last_finished_fiscal_year(today: dt.date) -> int:
    return (today.year if today.month >= 4 else today.year - 1) - 1


def check_note(fiscal_year: int, task: str, section: str, text: str) -> str:
    """The note's text as stored (trailing blanks trimmed); ValidationError with a Japanese message otherwise."""
    problems: list[FieldIssue] = []
    if not 1900 <= int(fiscal_year) <= 2200:
        problems.append(FieldIssue("fiscal_year", f"年度「{fiscal_year}」は正しくありません"))
    if task not in TASK_LETTERS or len(task) != 1:
        problems.append(FieldIssue("task", f"事業「{task}」はありません（ア〜クのいずれか）"))
    if section not in SECTIONS:
        problems.append(FieldIssue("section", f"項目「{section}」はありません（実績・成果・課題のいずれか）"))
    clean = (text or "").replace("\r\n", "\n").rstrip()
    if len(clean) > NOTE_MAX:
        problems.append(FieldIssue("text", f"記述は{NOTE_MAX:,}文字以内にしてください（いま{len(clean):,}文字）"))
    if problems:
        raise ValidationError(issues=problems)
    return clean


# --- read shapes ---------------------------------------------------------------------------------

Cell = str | int | float


@dataclass(frozen=True)
class Figure:
    """One count: 「開催回数 12 回」."""

    label: str
    value: int | float
    unit: str = ""


@dataclass(frozen=True)
class Table:
    """Rows of a label and numbers. ``chart_column`` names the column drawn as a bar chart (None = no chart);
    ``total_row`` marks a last 「計」 line that the chart leaves out."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    chart_column: int | None = None
    total_row: bool = False
    note: str = ""

    def chart_points(self) -> tuple[tuple[str, float], ...]:
        if self.chart_column is None:
            return ()
        rows = self.rows[:-1] if self.total_row else self.rows
        return tuple((str(r[0]), float(r[self.chart_column])) for r in rows
                     if isinstance(r[self.chart_column], (int, float)))


@dataclass(frozen=True)
class Part:
    """What one ◎ heading holds."""

    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.figures and not self.tables


@dataclass(frozen=True)
class TaskSection:
    task: str
    title: str
    results: Part  # ◎実績
    outcomes: Part  # ◎成果
    open_issues: Part  # ◎課題
    notes: Mapping[str, str] = field(default_factory=dict)  # section (実績/成果/課題) → the coordinator's text

    def part(self, section: str) -> Part:
        return {"実績": self.results, "成果": self.outcomes, "課題": self.open_issues}[section]

    @property
    def figures(self) -> tuple[Figure, ...]:
        return self.results.figures

    @property
    def tables(self) -> tuple[Table, ...]:
        return self.results.tables

    def figure(self, label: str) -> int | float:
        """The value of the figure named ``label`` in any section (KeyError when absent)."""
        for section in SECTIONS:
            for f in self.part(section).figures:
                if f.label == label:
                    return f.value
        raise KeyError(label)

    def table(self, title: str) -> Table:
        for section in SECTIONS:
            for t in self.part(section).tables:
                if t.title == title:
                    return t
        raise KeyError(title)


@dataclass(frozen=True)
class AnnualReport:
    fiscal_year: int
    start: dt.date
    end: dt.date
    tasks: tuple[TaskSection, ...]
    created_on: dt.date | None = None
    organisation: str = ""  # e.g. 釜石市 在宅医療連携拠点チームかまいし (the cover shows it when given)

    @property
    def label(self) -> str:
        return fiscal_year_label(self.fiscal_year)

    def section(self, task: str) -> TaskSection:
        return next(t for t in self.tasks if t.task == task)


def share_percent(part: int, whole: int) -> float:
    """A share in percent with one decimal (0.0 when nothing was counted)."""
    return round(100.0 * part / whole, 1) if whole else 0.0


def with_total(rows: list[tuple[Cell, ...]], label: str = "計") -> tuple[tuple[Cell, ...], ...]:
    """Rows plus a 計 line summing every numeric column."""
    if not rows:
        return ()
    width = len(rows[0])
    total: list[Cell] = [label]
    for i in range(1, width):
        values = [r[i] for r in rows if isinstance(r[i], (int, float))]
        total.append(sum(values) if len(values) == len(rows) else "")
    return (*rows, tuple(total))
