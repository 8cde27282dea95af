"""The annual report PDF, read back with poppler: cover, every task with ◎実績 ◎成果 ◎課題, figures, charts'
fonts, the saved notes, 和暦 dates with the weekday, page numbers and Japanese line breaking."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from pdf_tools import (FORBIDDEN_LINE_STARTS, assert_fonts_embedded, assert_in_order, line_starts, page_count,
                       page_size, pdf_text, requires_poppler, squeeze)
from zaitaku_desktop import paths
from zaitaku_desktop.domain.annual_report import (
    AnnualReport, Figure, Part, Table, TaskSection, fiscal_year_range, task_heading,
)
from zaitaku_desktop.domain.meetings import TASK_LETTERS
from zaitaku_desktop.domain.vocab import TASKS
from zaitaku_desktop.reports.annual_report import write_annual_report

pytestmark = requires_poppler
FONTS = paths.fonts_dir()
NOTE = ("８割以上の参加者から、会議の内容が「役に立った」との回答を得た。多職種による活発な議論を展開することができ、"
        "顔の見える関係が広がった。（記録より）、。」ー）が行頭に来ないように、長い文章を何度も折り返して確かめる。") * 4


def _made_up(notes: bool = True) -> AnnualReport:
    sections = []
    for n, task in enumerate(TASK_LETTERS):
        rows = tuple((f"区分{k}", k * (n + 1), k) for k in range(1, 6))
        sections.append(TaskSection(
            task, TASKS[task],
            Part((Figure(f"数値{task}", 1234 + n, "件"), Figure("割合", 66.7, "％")),
                 (Table(f"表{task}", ("区分", "件数", "回数"), rows, chart_column=1),)),
            Part(tables=(Table("解決した課題と対応策", ("課題", "階層", "対応策（実施主体：内容）", "結果"),
                               (("退院が急で在宅側の準備が整っていない" * 2, "二次", "連携拠点：意見交換会を開く" * 3,
                                 "退院前カンファレンスが増えた"),)),) if task == "イ" else ()),
            Part(), notes={"成果": NOTE, "課題": f"{task}の課題の記述"} if notes else {}))
    return AnnualReport(2025, *fiscal_year_range(2025), tuple(sections), created_on=dt.date(2026, 5, 8),
                        organisation="釜石市 在宅医療連携拠点チームかまいし")


def test_every_task_has_its_three_headings_figures_and_notes(tmp_path: Path) -> None:
    out = tmp_path / "annual.pdf"
    pages = write_annual_report(_made_up(), out, fonts_dir=FONTS)
    text = pdf_text(out)
    assert pages == page_count(out) > 2
    assert page_size(out) == pytest.approx((595.28, 841.89), abs=0.5)
    assert_fonts_embedded(out)  # the charts' labels too: no unembedded Helvetica
    cover = pdf_text(out, page=1)
    assert_in_order(cover, ["令和7年度", "在宅医療・介護連携推進事業 実績報告", "令和7年4月1日（火）〜令和8年3月31日（火）",
                            "釜石市 在宅医療連携拠点チームかまいし", "作成日：令和8年5月8日（金）", "事業ごとの主な数値"])
    expected: list[str] = []
    for n, task in enumerate(TASK_LETTERS):
        expected += [task_heading(task), "◎実績", f"数値{task}", f"{1234 + n:,}件", f"表{task}", "◎成果", "◎課題",
                     f"{task}の課題の記述"]
    assert_in_order("".join(pdf_text(out, page=p) for p in range(2, pages + 1)), expected)
    assert squeeze(text).count(squeeze(NOTE)) == 8
    assert "66.7％" in squeeze(text)
    assert f"1/{pages}" in squeeze(pdf_text(out, page=1)) and f"{pages}/{pages}" in squeeze(pdf_text(out, page=pages))
    assert not [c for c in line_starts(text) if c in FORBIDDEN_LINE_STARTS]


def test_sections_without_numbers_or_notes_say_so(tmp_path: Path) -> None:
    out = io.BytesIO()
    write_annual_report(_made_up(notes=False), out, fonts_dir=FONTS)
    path = tmp_path / "plain.pdf"
    path.write_bytes(out.getvalue())
    assert squeeze(pdf_text(path)).count("記録から集計する項目はありません。") == 7 + 8  # 成果 (all but イ) + 課題


def test_the_sample_region_report_with_saved_notes(sample_services, tmp_path: Path) -> None:
    service = sample_services.annual_report
    service.save_note(2025, "イ", "成果", "一次連携の打ち合わせ会で、職種ごとの課題を抽出できた。")
    out = tmp_path / "令和7年度.pdf"
    pages = service.write_pdf(2025, out, organisation="釜石市")
    text = pdf_text(out)
    report = service.build(2025)
    raised = report.section("イ").figure("年度内に抽出した課題")
    assert raised > 0
    assert_in_order(text, ["イ 在宅医療・介護連携の課題の抽出と対応策の検討", "◎実績", f"年度内に抽出した課題 {raised} 件",
                           "◎成果", "一次連携の打ち合わせ会で、職種ごとの課題を抽出できた。", "◎課題",
                           "オ 在宅医療・介護連携に関する相談支援", f"相談件数 {report.section('オ').figure('相談件数')} 件"])
    assert pages == page_count(out)
    assert_fonts_embedded(out)
    assert not [c for c in line_starts(text) if c in FORBIDDEN_LINE_STARTS]


def test_a_note_longer_than_a_page_continues_on_the_next(tmp_path: Path) -> None:
    long = "\n\n".join(f"第{k}段落。" + "在宅医療と介護の連携について、関係者と検討を重ねた。" * 12 for k in range(1, 30))
    report = _made_up()
    first = report.tasks[0]
    report = AnnualReport(2025, report.start, report.end,
                          (TaskSection(first.task, first.title, first.results, first.outcomes, first.open_issues,
                                       notes={"実績": long}),) + report.tasks[1:])
    out = tmp_path / "long.pdf"
    write_annual_report(report, out, fonts_dir=FONTS)
    assert_in_order(pdf_text(out), ["第1段落。", "第15段落。", "第29段落。"])
