"""The annual report's pure parts: fiscal years, labels, sheet names, note checks and the read shapes."""

from __future__ import annotations

import datetime as dt

import pytest

from zaitaku_desktop.domain.annual_report import (
    NOTE_MAX, TASK_SHORT, AnnualReport, Figure, Part, Table, TaskSection, check_note, fiscal_year_label,
    fiscal_year_range, last_finished_fiscal_year, share_percent, sheet_name, with_total,
)
from zaitaku_desktop.domain.errors import ValidationError
from zaitaku_desktop.domain.meetings import TASK_LETTERS


def test_fiscal_year_runs_april_to_march() -> None:
    assert fiscal_year_range(2025) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    assert fiscal_year_range(2027) == (dt.date(2027, 4, 1), dt.date(2028, 3, 31))  # 2028 is a leap year: still 3/31


@pytest.mark.parametrize("year, label", [(2025, "令和7年度"), (2019, "令和元年度"), (2018, "平成30年度"),
                                         (2020, "令和2年度"), (1988, "昭和63年度")])
def test_fiscal_year_labels_follow_office_usage(year: int, label: str) -> None:
    assert fiscal_year_label(year) == label


@pytest.mark.parametrize("today, year", [(dt.date(2026, 11, 22), 2025), (dt.date(2026, 4, 1), 2025),
                                         (dt.date(2026, 3, 31), 2024)])
def test_the_last_finished_fiscal_year(today: dt.date, year: int) -> None:
    assert last_finished_fiscal_year(today) == year


def test_sheet_names_are_short_and_legal_for_excel() -> None:
    names = [sheet_name(t) for t in TASK_LETTERS]
    assert names[0] == "ア 地域資源"
    assert len(set(names)) == 8 and set(TASK_SHORT) == set(TASK_LETTERS)
    for name in names:
        assert len(name) <= 31 and not set(name) & set('[]:*?/\\')


def test_notes_are_trimmed_and_bad_ones_refused() -> None:
    assert check_note(2025, "ア", "実績", "一行目\r\n二行目\n\n") == "一行目\n二行目"
    assert check_note(2025, "ク", "課題", "あ" * NOTE_MAX) == "あ" * NOTE_MAX
    with pytest.raises(ValidationError) as caught:
        check_note(2025, "ケ", "反省", "あ" * (NOTE_MAX + 1))
    text = caught.value.message
    assert "事業「ケ」" in text and "項目「反省」" in text and "4,000文字以内" in text


def test_shares_totals_and_chart_points() -> None:
    assert share_percent(2, 3) == 66.7 and share_percent(0, 0) == 0.0
    rows = with_total([("一次", 1, "a"), ("二次", 2, "b")])
    assert rows[-1] == ("計", 3, "")
    table = Table("t", ("階層", "件数", "メモ"), rows, chart_column=1, total_row=True)
    assert table.chart_points() == (("一次", 1.0), ("二次", 2.0))  # the 計 line is not a bar
    assert with_total([]) == ()


def test_a_section_finds_figures_and_tables_in_any_heading() -> None:
    section = TaskSection("イ", "課題", Part((Figure("抽出", 3, "件"),)), Part(tables=(Table("解決", ("a",), ()),)),
                          Part((Figure("未解決", 2, "件"),)), notes={"成果": "よかった"})
    report = AnnualReport(2025, *fiscal_year_range(2025), (section,))
    assert report.label == "令和7年度"
    assert report.section("イ").figure("未解決") == 2 and section.figures == (Figure("抽出", 3, "件"),)
    assert section.table("解決").title == "解決" and section.part("成果").tables
    with pytest.raises(KeyError):
        section.figure("ない")
