"""The meeting form's tabs: organiser and targets, speakers, record, issue links, recurring series
and the 「この回だけ / シリーズ全体」 question, driven from the keyboard and mouse."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QCheckBox, QLabel, QLineEdit, QPushButton, QRadioButton, QToolButton

from zaitaku_desktop.domain.meetings import MeetingInput, RecurrenceRule, Speaker
from zaitaku_desktop.ui.meetings.calendar_tab import VIEW_LIST, CalendarTab
from zaitaku_desktop.ui.meetings.form_parts import IssuePickerDialog, SeriesScopeBox
from zaitaku_desktop.ui.meetings.meeting_form import MeetingDialog
from zaitaku_desktop.ui.meetings.models import MeetingsRole

from ui_helpers import choose, click_checkbox, replace_text, type_text

D = dt.date
TODAY = D(2026, 11, 22)


@pytest.fixture
def cal(qtbot, ctx) -> CalendarTab:
    tab = CalendarTab(ctx, today=TODAY)
    qtbot.addWidget(tab)
    tab.resize(1300, 800)
    tab.load()
    tab.show()
    qtbot.waitExposed(tab)
    return tab


@pytest.fixture
def new_dialog(qtbot, ctx):
    def make(on_date: dt.date = D(2027, 1, 5)) -> MeetingDialog:
        dialog = MeetingDialog(ctx, on_date=on_date)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog
    return make


def _click(qtbot, dialog, name: str, cls=QPushButton) -> None:
    qtbot.mouseClick(dialog.findChild(cls, name), Qt.MouseButton.LeftButton)


def _tab(dialog: MeetingDialog, name: str) -> None:
    dialog.tabs.setCurrentIndex([dialog.tabs.tabText(i) for i in range(dialog.tabs.count())].index(name))


def _tab_name(dialog: MeetingDialog) -> str:
    return dialog.tabs.tabText(dialog.tabs.currentIndex())


def _titles_on(tab: CalendarTab, day: dt.date) -> list[str]:
    return [r.title for r in tab.month_view.month_model.index_of(day).data(MeetingsRole)]


def _vocab_id(ctx, kind: str, name: str) -> str:
    return next(v.id for v in ctx.services.vocab.list(kind) if v.name == name)


def _type_in_cell(qtbot, dialog, text: str, key=Qt.Key.Key_Tab) -> None:
    """Type into the cell editor that has the focus and leave it with ``key``."""
    editor = dialog.focusWidget()
    assert isinstance(editor, QLineEdit)
    type_text(qtbot, editor, text)
    table = dialog.speakers.table
    qtbot.keyClick(editor, key)
    if key == Qt.Key.Key_Return:  # the commit is queued
        qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)


def test_create_a_meeting_from_the_calendar(qtbot, ctx, window, dialogs):
    tab = window.meetings_tab
    window.tabs.setCurrentIndex(window.tabs.indexOf(tab))
    button = next(b for b in window.findChildren(QToolButton) if b.defaultAction() is tab.act_new)

    def fill(dialog: MeetingDialog) -> None:
        assert dialog.windowTitle() == "会議・研修の新規登録" and _tab_name(dialog) == "基本"
        type_text(qtbot, dialog.title, "医師会 打ち合わせ会")
        replace_text(qtbot, dialog.date, "令和8年12月10日")
        type_text(qtbot, dialog.start_time, "18:30")
        type_text(qtbot, dialog.end_time, "20:00")
        qtbot.keyClick(dialog.end_time, Qt.Key.Key_Return)  # Enter saves, as the 保存 button

    opened = dialogs.drive(MeetingDialog, fill)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert len(opened) == 1 and opened[0].saved is not None
    assert (tab.year, tab.month) == (2026, 12)
    assert _titles_on(tab, D(2026, 12, 10)) == ["医師会 打ち合わせ会"]
    tab.show_view(VIEW_LIST)
    proxy = tab.table.model()
    titles = [proxy.index(r, 2).data() for r in range(proxy.rowCount())]
    assert "医師会 打ち合わせ会" in titles
    saved = ctx.services.meetings.get(opened[0].saved.id).row
    assert (saved.start_time, saved.end_time, saved.status) == ("18:30", "20:00", "計画中")


def test_every_field_is_saved_and_read_back(qtbot, ctx, new_dialog, dialogs):
    service = ctx.services.meetings
    issue = next(r for r in ctx.services.issues.list_rows(include_archived=False) if "退院調整" in r.title)
    dialog = new_dialog(D(2026, 12, 3))
    type_text(qtbot, dialog.title, "薬剤師会 多職種研修会")
    choose(dialog.type, "研修会（二次）")
    type_text(qtbot, dialog.start_time, "18:45")
    replace_text(qtbot, dialog.end_time, "20:15")
    venue = next(v for v in service.list_venues() if v.capacity)
    choose(dialog.venue, f"{venue.name}（定員{venue.capacity}人）")
    assert venue.address and venue.address in dialog.venue_info.text()
    type_text(qtbot, dialog.capacity, "８０")
    choose(dialog.status, "案内済")
    choose(dialog.municipality, "大槌町")

    _tab(dialog, "主催・対象")
    organiser = dialog.organiser
    assert not organiser.association.isEnabled()
    choose(organiser.kind, "団体")
    assert organiser.association.isEnabled()
    choose(organiser.association, "薬剤師会")
    type_text(qtbot, organiser.text, "釜石薬剤師会 研修委員会")
    click_checkbox(qtbot, dialog.co_organisers.box("医師会"))
    click_checkbox(qtbot, dialog.findChild(QCheckBox, "professionGroup_歯科医師会"))  # the whole group
    assert dialog.findChild(QCheckBox, "profession_歯科衛生士").isChecked()
    click_checkbox(qtbot, dialog.findChild(QCheckBox, "profession_看護師"))

    _tab(dialog, "講師")
    _click(qtbot, dialog, "speakersAdd")
    _type_in_cell(qtbot, dialog, "山田 花子")
    _type_in_cell(qtbot, dialog, "県立釜石病院")
    _type_in_cell(qtbot, dialog, "在宅での服薬管理", Qt.Key.Key_Return)
    _click(qtbot, dialog, "speakersAdd")
    _type_in_cell(qtbot, dialog, "佐藤 一郎")
    _type_in_cell(qtbot, dialog, "釜石薬剤師会", Qt.Key.Key_Return)
    _click(qtbot, dialog, "speakersUp")  # 佐藤 speaks first

    _tab(dialog, "次第・記録")
    type_text(qtbot, dialog.minutes, "次回は事例検討を行う。")
    type_text(qtbot, dialog.notes, "駐車場あり")

    _tab(dialog, "課題")

    def pick(picker: IssuePickerDialog) -> None:
        everything = picker.list.count()
        type_text(qtbot, picker.search, "退院調整")
        assert 1 <= picker.list.count() < everything  # titles, descriptions and responses are searched
        picker.list.setCurrentRow(next(i for i in range(picker.list.count())
                                       if picker.list.item(i).text().startswith(issue.title)))
        choose(picker.role, "提起")
        _click(qtbot, picker, "okButton")

    dialogs.drive(IssuePickerDialog, pick)
    _click(qtbot, dialog, "issueLinksAdd")
    assert dialog.issue_links.links() == {issue.id: "提起"}

    _click(qtbot, dialog, "okButton")
    assert dialog.saved is not None
    got = service.get(dialog.saved.id)
    row = got.row
    assert (row.title, row.type_name, row.date, row.start_time, row.end_time) == (
        "薬剤師会 多職種研修会", "研修会", D(2026, 12, 3), "18:45", "20:15")
    assert (row.venue_id, row.capacity, row.status, row.municipality) == (venue.id, 80, "案内済", "大槌町")
    assert (row.organiser_kind, row.organiser, row.organiser_text) == ("団体", "薬剤師会", "釜石薬剤師会 研修委員会")
    assert row.co_organisers == ("医師会",)
    assert set(row.profession_ids) == {_vocab_id(ctx, "profession", n) for n in ("歯科医師", "歯科衛生士", "看護師")}
    assert got.speakers == (Speaker("佐藤 一郎", "釜石薬剤師会", ""),
                            Speaker("山田 花子", "県立釜石病院", "在宅での服薬管理"))
    assert got.minutes == "次回は事例検討を行う。" and got.notes == "駐車場あり"
    assert got.agenda.startswith("1. 開会")  # the type's template
    assert [(link.meeting_id, link.role) for link in service.meetings_for_issue(issue.id)
            if link.meeting_id == row.id] == [(row.id, "提起")]

    # Opened again, the form shows it all; the link can be changed and removed.
    again = MeetingDialog(ctx, detail=got)
    qtbot.addWidget(again)
    again.show()
    assert again.organiser.values() == ("団体", row.organiser_association_id, "釜石薬剤師会 研修委員会")
    assert again.speakers.speakers() == list(got.speakers)
    assert again.issue_links.links() == {issue.id: "提起"}
    _tab(again, "課題")
    again.issue_links.table.selectRow(0)
    _click(qtbot, again, "issueLinksRemove")
    _click(qtbot, again, "okButton")
    assert again.saved is not None
    assert all(link.meeting_id != row.id for link in service.meetings_for_issue(issue.id))


def test_a_weekly_series_of_34_from_the_form(qtbot, ctx, cal, dialogs):
    cal.show_month(2027, 1)
    cal.month_view.setCurrentIndex(cal.month_view.month_model.index_of(D(2027, 1, 5)))

    def fill(dialog: MeetingDialog) -> None:
        assert dialog.date.text() == "2027/01/05"
        type_text(qtbot, dialog.title, "連携WG")
        type_text(qtbot, dialog.start_time, "18:00")
        _tab(dialog, "繰り返し")
        assert dialog.recurrence.preview.text() == ""
        _click(qtbot, dialog, "repeat_weekly", QRadioButton)
        assert dialog.findChild(QCheckBox, "repeatWeekday1").isChecked()  # the date's weekday, Tuesday
        replace_text(qtbot, dialog.recurrence.count.lineEdit(), "34")
        preview = dialog.recurrence.preview.text()
        assert preview.startswith("毎週火曜日・34回：全34回")
        assert ctx.format_date(D(2027, 1, 5)) in preview and ctx.format_date(D(2027, 8, 24)) in preview
        _click(qtbot, dialog, "okButton")

    opened = dialogs.drive(MeetingDialog, fill)
    cal.act_new.trigger()
    dialog = opened[0]
    assert len(dialog.saved_rows) == 34 and dialog.saved.date == D(2027, 1, 5)
    rows = ctx.services.meetings.series_rows(dialog.saved.series_id)
    assert [r.date for r in rows] == [D(2027, 1, 5) + dt.timedelta(weeks=i) for i in range(34)]
    assert all(r.title == "連携WG" and r.start_time == "18:00" for r in rows)
    cal.show_view(VIEW_LIST)
    proxy = cal.table.model()
    assert [proxy.index(r, 2).data() for r in range(proxy.rowCount())].count("連携WG") == 4  # Tuesdays of January
    cal.show_month(2027, 8)
    assert [r.date.day for r in cal.rows if r.title == "連携WG"] == [3, 10, 17, 24]


def test_monthly_by_weekday_preview(qtbot, new_dialog):
    dialog = new_dialog(D(2027, 1, 21))  # the third Thursday
    _tab(dialog, "繰り返し")
    _click(qtbot, dialog, "repeat_monthly", QRadioButton)
    _click(qtbot, dialog, "repeatByWeekday", QRadioButton)
    replace_text(qtbot, dialog.recurrence.count.lineEdit(), "12")
    rule, problems = dialog.recurrence.rule()
    assert problems == [] and (rule.month_week, rule.month_weekday, rule.count) == (3, 3, 12)
    assert dialog.recurrence.preview.text().startswith("毎月第3木曜日・12回：全12回")


@pytest.fixture
def series(ctx) -> list:
    return ctx.services.meetings.create_series(
        MeetingInput(title="連携WG", type_id=None, date=D(2027, 2, 2), start_time="18:00", end_time="19:00"),
        RecurrenceRule("weekly", count=5))


def _edit_title(qtbot, ctx, meeting_id: str, title: str, answer: str | None, dialogs) -> MeetingDialog:
    asked: list[SeriesScopeBox] = dialogs.drive(
        SeriesScopeBox, (lambda box: qtbot.mouseClick(box.findChild(QPushButton, answer), Qt.MouseButton.LeftButton))
        if answer else None)
    dialog = MeetingDialog(ctx, detail=ctx.services.meetings.get(meeting_id))
    qtbot.addWidget(dialog)
    dialog.show()
    assert "全5回" in dialog.series_label.text()
    assert dialog.findChild(QRadioButton, "repeat_weekly") is None  # no 繰り返し tab when editing
    replace_text(qtbot, dialog.title, title)
    _click(qtbot, dialog, "okButton")
    assert len(asked) == 1 and asked[0].windowTitle() == "繰り返しの会議・研修"
    return dialog


def test_edit_one_occurrence_or_the_whole_series(qtbot, ctx, series, dialogs):
    service = ctx.services.meetings

    def titles() -> list[str]:
        return [r.title for r in service.series_rows(series[0].series_id)]

    dialog = _edit_title(qtbot, ctx, series[2].id, "連携WG（拡大）", "scopeOne", dialogs)
    assert dialog.saved is not None
    assert titles() == ["連携WG", "連携WG", "連携WG（拡大）", "連携WG", "連携WG"]

    dialog = _edit_title(qtbot, ctx, series[1].id, "在宅連携WG", "scopeSeries", dialogs)
    assert dialog.saved is not None
    assert titles() == ["連携WG"] + ["在宅連携WG"] * 4

    # Cancel saves nothing and keeps the form open with what was typed.
    dialog = _edit_title(qtbot, ctx, series[3].id, "変更しない", "scopeCancel", dialogs)
    assert dialog.saved is None and dialog.isVisible() and dialog.title.text() == "変更しない"
    assert titles() == ["連携WG"] + ["在宅連携WG"] * 4


def test_a_rule_without_an_end_shows_the_message_and_saves_nothing(qtbot, ctx, new_dialog):
    service = ctx.services.meetings
    before = service.count()
    dialog = new_dialog()
    type_text(qtbot, dialog.title, "連携WG")
    _tab(dialog, "繰り返し")
    _click(qtbot, dialog, "repeat_weekly", QRadioButton)
    _click(qtbot, dialog, "repeatByUntil", QRadioButton)
    assert dialog.recurrence.preview.text() == "終わりの日付か回数を入力してください"
    _tab(dialog, "基本")
    _click(qtbot, dialog, "okButton")
    error = dialog.findChild(QLabel, "error_until")
    assert _tab_name(dialog) == "繰り返し"
    assert error.isVisible() and error.text() == "終わりの日付か回数を入力してください"
    assert dialog.saved is None and dialog.isVisible() and service.count() == before
    # An end before the start date has no meeting at all.
    type_text(qtbot, dialog.recurrence.until, "2026/12/01")
    assert not error.isVisible()
    _click(qtbot, dialog, "okButton")
    assert error.text() == "この条件では開催日が1日もありません" and service.count() == before
    replace_text(qtbot, dialog.recurrence.until, "令和9年1月31日")
    _click(qtbot, dialog, "okButton")
    assert dialog.saved is not None and len(dialog.saved_rows) == 4 and service.count() == before + 4


def test_problems_on_other_tabs_switch_to_them(qtbot, ctx, new_dialog):
    before = ctx.services.meetings.count()
    dialog = new_dialog()
    type_text(qtbot, dialog.title, "研修会")
    _tab(dialog, "主催・対象")
    choose(dialog.organiser.kind, "団体")
    _tab(dialog, "講師")
    _click(qtbot, dialog, "speakersAdd")
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)  # no name, only the affiliation
    _type_in_cell(qtbot, dialog, "県立釜石病院", Qt.Key.Key_Return)
    _tab(dialog, "基本")
    _click(qtbot, dialog, "okButton")
    assert _tab_name(dialog) == "主催・対象"
    assert dialog.summary_label.text().startswith("保存できません。「主催・対象」「講師」の赤字の項目を確認してください")
    assert dialog.findChild(QLabel, "error_organiser").text() == "主催の団体を選んでください"
    assert "講師の氏名が空欄の行があります" in dialog.findChild(QLabel, "error_speakers").text()
    assert dialog.saved is None and ctx.services.meetings.count() == before
    choose(dialog.organiser.association, "医師会")
    _tab(dialog, "講師")
    _click(qtbot, dialog, "speakersRemove")
    _click(qtbot, dialog, "okButton")
    assert dialog.saved is not None and dialog.saved.organiser == "医師会"
