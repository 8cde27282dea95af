"""The calendar tab's own behaviour around the meeting tools: which actions need a selection, the menus
that follow the tab, the remembered layout, 「今日」 moving on past midnight and the detail pane's counts."""

from __future__ import annotations

import datetime as dt

import pytest

from zaitaku_desktop.ui.meetings.calendar_tab import PAPERS, VIEW_LIST, VIEW_MONTH, CalendarTab

from ui_helpers import open_window

D = dt.date


def _tab(qtbot, ctx, today: dt.date) -> CalendarTab:
    tab = CalendarTab(ctx, today=today)
    qtbot.addWidget(tab)
    tab.resize(1300, 800)
    tab.load()
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def _select(tab: CalendarTab, title: str, year: int, month: int) -> str:
    tab.show_month(year, month)
    row = next(r for r in tab.rows if r.title == title)
    tab.select_id(row.id)
    return row.id


def _meeting_tools(tab: CalendarTab) -> list:
    return [tab.act_edit, tab.act_copy, tab.act_attendance, tab.act_questionnaire, tab.act_groups,
            tab.act_print_menu, *tab.paper_actions.values()]


def test_meeting_tools_need_a_selected_meeting(qtbot, ctx):
    tab = _tab(qtbot, ctx, D(2015, 3, 1))
    assert not any(a.isEnabled() for a in _meeting_tools(tab))
    assert tab.act_persons.isEnabled() and tab.act_totals.isEnabled() and tab.act_export_xlsx.isEnabled()
    _select(tab, "薬剤師会主催多職種連携研修会", 2015, 3)
    assert all(a.isEnabled() for a in _meeting_tools(tab))
    assert [a.text() for a in tab.print_menu.actions()] == [text for _kind, text, _tip in PAPERS]
    tab.select_date(D(2015, 3, 2))  # a day, no meeting
    assert not tab.act_attendance.isEnabled()


def test_detail_pane_shows_attendance_by_profession(qtbot, ctx):
    tab = _tab(qtbot, ctx, D(2015, 3, 1))
    _select(tab, "薬剤師会主催多職種連携研修会", 2015, 3)
    text = tab.detail.toPlainText()
    assert "職種別の参加者" in text
    assert "薬剤師 24" in text and "（計 87人）" in text


def test_main_window_menus_follow_the_calendar(qtbot, ctx):
    window = open_window(qtbot, ctx)
    tab = window.meetings_tab
    output_texts = lambda: [a.text() for a in window.menu_output.actions() if a.isVisible()]  # noqa: E731
    window.tabs.setCurrentIndex(0)
    assert "会議の印刷" not in output_texts()
    window.tabs.setCurrentIndex(2)
    shown = output_texts()
    for text in ("会議の印刷", "会議・研修をExcelに書き出し…", "カレンダー(.ics)に書き出し…", "期間の集計…"):
        assert text in shown
    assert "Excelに書き出し…" not in shown  # the resource list's export stays hidden here
    edit_texts = [a.text() for a in window.menu_edit.actions() if a.isVisible()]
    assert {"出欠入力…", "アンケート…", "グループ分け…", "参加者の名寄せ…"} <= set(edit_texts)
    assert tab.act_attendance.isVisible() and not window.resources_tab.act_new.isVisible()


def test_view_splitter_and_columns_are_remembered(qtbot, ctx):
    first = _tab(qtbot, ctx, D(2026, 11, 22))
    first.show_view(VIEW_LIST)
    first.splitter.setSizes([700, 600])
    first.table.setColumnWidth(2, 333)
    sizes = first.splitter.sizes()
    first.save_layout()
    second = _tab(qtbot, ctx, D(2026, 11, 22))
    assert second.stack.currentIndex() == VIEW_LIST and second.view_buttons[VIEW_LIST].isChecked()
    assert second.splitter.sizes() == sizes
    assert second.table.columnWidth(2) == 333
    second.show_view(VIEW_MONTH)
    second.save_layout()
    assert _tab(qtbot, ctx, D(2026, 11, 22)).stack.currentIndex() == VIEW_MONTH


@pytest.mark.parametrize("month_shown", ["this", "other"])
def test_today_moves_on_after_midnight(qtbot, ctx, month_shown):
    tab = _tab(qtbot, ctx, D(2026, 11, 30))
    if month_shown == "other":
        tab.show_month(2025, 5)
    assert not tab.check_today(D(2026, 11, 30))  # same day: nothing to do
    assert tab.check_today(D(2026, 12, 1))
    assert tab.today == D(2026, 12, 1)
    assert tab.month_view.month_model.today == D(2026, 12, 1)
    if month_shown == "this":  # the user was looking at "this month": it becomes the new month
        assert tab.month_label.text().startswith("2026年12月")
    else:  # the user was looking elsewhere: stay there
        assert tab.month_label.text().startswith("2025年5月")
    upcoming = [tab.upcoming.item(i).text() for i in range(tab.upcoming.count())]
    assert all(ctx.format_date(D(2026, 11, 30)) not in line for line in upcoming)


def test_the_day_timer_runs_only_on_the_real_clock(qtbot, ctx):
    fixed = _tab(qtbot, ctx, D(2026, 11, 22))
    assert not fixed.day_timer.isActive()
    live = CalendarTab(ctx)
    qtbot.addWidget(live)
    assert live.day_timer.isActive() and live.day_timer.interval() == 60_000
