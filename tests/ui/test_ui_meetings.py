"""The 会議・研修 tab: month grid, list, 次の予定, the meeting form with warnings and validation, copy."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QPushButton

from zaitaku_desktop.domain.meetings import MeetingInput
from zaitaku_desktop.ui.meetings.calendar_tab import VIEW_LIST, CalendarTab
from zaitaku_desktop.ui.meetings.meeting_form import CopyMeetingDialog, MeetingDialog
from zaitaku_desktop.ui.meetings.models import WEEKDAY_HEADERS, HolidayRole, MeetingsRole, month_grid
from zaitaku_desktop.ui.meetings.month_view import PADDING, line_height

from ui_helpers import choose, open_window, replace_text, type_text

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


def _titles_on(tab: CalendarTab, day: dt.date) -> list[str]:
    model = tab.month_view.month_model
    return [r.title for r in model.index_of(day).data(MeetingsRole)]


def _click_ok(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)


def test_month_grid_shows_meetings_on_their_days_and_holidays(cal, ctx):
    assert [cal.month_view.month_model.headerData(i, Qt.Orientation.Horizontal) for i in range(7)] == list(
        WEEKDAY_HEADERS)
    assert cal.month_label.text().startswith("2026年11月")
    cal.show_month(2025, 5)
    assert cal.month_label.text() == "2025年5月（令和7年）"
    model = cal.month_view.month_model
    assert model.days[0] == D(2025, 4, 27) and model.days[0].weekday() == 6  # Sunday first
    assert _titles_on(cal, D(2025, 5, 7)) == ["歯科医師会 打ち合わせ会（一次連携）"]
    assert _titles_on(cal, D(2025, 5, 21)) == ["介護支援専門員協議会 打ち合わせ会（一次連携）"]
    shown = {r.id for day in model.days for r in model.index_of(day).data(MeetingsRole)}
    assert shown == {r.id for r in ctx.services.meetings.month(2025, 5)}
    assert model.index_of(D(2025, 5, 5)).data(HolidayRole) == "こどもの日"
    assert model.index_of(D(2025, 5, 6)).data(HolidayRole) == "みどりの日 振替休日"
    assert model.index_of(D(2025, 5, 7)).data(HolidayRole) == ""
    # The list shows the same month with 和暦 dates.
    cal.show_view(VIEW_LIST)
    proxy = cal.table.model()
    assert proxy.rowCount() == 2
    assert proxy.index(0, 0).data() == ctx.format_date(D(2025, 5, 7))
    assert [proxy.index(0, c).data() for c in range(1, 8)] == [
        "18:30〜20:00", "歯科医師会 打ち合わせ会（一次連携）", "打ち合わせ会", "一次",
        "釜石市保健福祉センター 小会議室", "開催済", proxy.index(0, 7).data()]


def test_navigation(qtbot, cal):
    qtbot.mouseClick(cal.findChild(QPushButton, "prevMonth"), Qt.MouseButton.LeftButton)
    assert (cal.year, cal.month) == (2026, 10)
    assert cal.month_label.text().startswith("2026年10月")
    for _ in range(3):
        qtbot.mouseClick(cal.findChild(QPushButton, "nextMonth"), Qt.MouseButton.LeftButton)
    assert (cal.year, cal.month) == (2027, 1)
    assert cal.month_view.month_model.days == month_grid(2027, 1)
    qtbot.mouseClick(cal.findChild(QPushButton, "thisMonth"), Qt.MouseButton.LeftButton)
    assert (cal.year, cal.month) == (2026, 11)
    assert cal.month_view.selected_date() == TODAY


def test_upcoming_lists_today_and_next(qtbot, ctx, cal):
    today_id = ctx.services.meetings.create(MeetingInput(title="今日の打ち合わせ", type_id=None, date=TODAY,
                                                         start_time="10:00")).id
    ctx.services.meetings.create(MeetingInput(title="来月の研修会", type_id=None, date=D(2026, 12, 3)))
    cal.load()
    texts = [cal.upcoming.item(i).text() for i in range(cal.upcoming.count())]
    assert texts[0].startswith("今日 10:00") and "今日の打ち合わせ" in texts[0]
    assert "来月の研修会" in texts[1]
    assert cal.upcoming.item(0).data(Qt.ItemDataRole.UserRole) == today_id


def test_new_meeting_from_a_day_double_click(qtbot, ctx, cal, dialogs):
    cal.show_month(2025, 9)
    day = next(d for d in cal.month_view.month_model.days if d.month == 9 and not _titles_on(cal, d))
    view = cal.month_view
    rect = view.visualRect(view.month_model.index_of(day))

    def fill(dialog: MeetingDialog) -> None:
        assert dialog.date.text() == day.strftime("%Y/%m/%d")
        type_text(qtbot, dialog.title, "医師会 打ち合わせ会")
        type_text(qtbot, dialog.start_time, "18:30")
        choose(dialog.type, "打ち合わせ会（一次）")
        assert dialog.end_time.text() == "20:00"  # 90 minutes
        assert dialog.agenda.toPlainText().startswith("1. 近況の共有")
        _click_ok(qtbot, dialog)

    opened = dialogs.drive(MeetingDialog, fill)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.center().x(), rect.bottom() - 4))
    assert len(opened) == 1 and opened[0].saved is not None
    assert _titles_on(cal, day) == ["医師会 打ち合わせ会"]
    titles = [cal.list_model.rows[i].title for i in range(cal.list_model.rowCount())]
    assert "医師会 打ち合わせ会" in titles
    assert cal.current_row().title == "医師会 打ち合わせ会"
    assert "医師会 打ち合わせ会" in cal.detail.toPlainText()


def test_double_click_a_meeting_opens_it(qtbot, cal, dialogs):
    cal.show_month(2025, 5)
    view = cal.month_view
    rect = view.visualRect(view.month_model.index_of(D(2025, 5, 21)))
    y = rect.top() + PADDING + line_height(view.font()) + line_height(view.font()) // 2
    opened = dialogs.drive(MeetingDialog)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.center().x(), y))
    assert len(opened) == 1
    assert opened[0].title.text() == "介護支援専門員協議会 打ち合わせ会（一次連携）"
    assert opened[0].windowTitle() == "会議・研修の編集"


def test_warning_for_a_double_booked_venue(qtbot, ctx):
    venue = next(v for v in ctx.services.meetings.list_venues() if v.name == "釜石市保健福祉センター 小会議室")
    dialog = MeetingDialog(ctx, on_date=D(2025, 5, 21))
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(qtbot, dialog.title, "WG")
    type_text(qtbot, dialog.start_time, "19:00")
    type_text(qtbot, dialog.end_time, "20:00")
    assert not dialog.warnings_label.isVisible()
    dialog.venue.setCurrentIndex(dialog.venue.findData(venue.id))
    assert dialog.warnings_label.isVisible()
    assert "同じ時間に「釜石市保健福祉センター 小会議室」で「介護支援専門員協議会 打ち合わせ会（一次連携）」があります" in \
        dialog.warnings_label.text()
    # A warning never blocks saving.
    _click_ok(qtbot, dialog)
    assert dialog.saved is not None and dialog.result() == MeetingDialog.DialogCode.Accepted.value


def test_validation_messages_under_the_fields(qtbot, ctx):
    before = ctx.services.meetings.count()
    dialog = MeetingDialog(ctx, on_date=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    _click_ok(qtbot, dialog)
    error = dialog.findChild(QLabel, "error_title")
    assert error.isVisible() and error.text() == "会議・研修の名前を入力してください"
    assert dialog.saved is None and ctx.services.meetings.count() == before
    type_text(qtbot, dialog.title, "研修会")
    assert not error.isVisible()
    replace_text(qtbot, dialog.start_time, "20:00")
    replace_text(qtbot, dialog.end_time, "19:00")
    _click_ok(qtbot, dialog)
    assert dialog.findChild(QLabel, "error_start_time").text() == "終了時刻は開始時刻より後にしてください"
    replace_text(qtbot, dialog.date, "abc")
    _click_ok(qtbot, dialog)
    assert "開催日を正しく入力してください" in dialog.findChild(QLabel, "error_date").text()
    assert ctx.services.meetings.count() == before


def test_edit_keeps_fields_not_on_the_form(qtbot, ctx, cal, dialogs):
    cal.show_month(2015, 3)
    row = next(r for r in cal.rows if r.title == "薬剤師会主催多職種連携研修会")
    before = ctx.services.meetings.get(row.id)

    def edit(dialog: MeetingDialog) -> None:
        replace_text(qtbot, dialog.title, "薬剤師会主催 多職種連携研修会")
        _click_ok(qtbot, dialog)

    dialogs.drive(MeetingDialog, edit)
    cal.open_meeting(row.id)
    after = ctx.services.meetings.get(row.id)
    assert after.row.title == "薬剤師会主催 多職種連携研修会" and after.row.version == before.row.version + 1
    assert after.speakers == before.speakers and after.row.co_organisers == before.row.co_organisers
    assert after.minutes == before.minutes and after.row.attended == 87


def test_copy_a_past_meeting(qtbot, ctx, cal, dialogs):
    cal.show_month(2015, 3)
    row = next(r for r in cal.rows if r.title == "薬剤師会主催多職種連携研修会")
    cal.select_id(row.id)
    assert cal.act_copy.isEnabled()

    def ask(dialog: CopyMeetingDialog) -> None:
        _click_ok(qtbot, dialog)
        assert dialog.findChild(QLabel, "error_copyDate").isVisible()
        type_text(qtbot, dialog.day, "令和8年12月3日")
        _click_ok(qtbot, dialog)

    dialogs.drive(CopyMeetingDialog, ask)
    cal.act_copy.trigger()
    assert (cal.year, cal.month) == (2026, 12)
    copy = cal.current_row()
    assert copy is not None and copy.id != row.id
    assert copy.title == row.title and copy.date == D(2026, 12, 3) and copy.status == "計画中"
    assert _titles_on(cal, D(2026, 12, 3)) == [row.title]


def test_main_window_hosts_the_calendar(qtbot, ctx):
    window = open_window(qtbot, ctx)
    tab = window.meetings_tab
    assert window.tabs.widget(2) is tab and window.tabs.tabText(2) == "会議・研修"
    assert not tab.act_new.isVisible()
    window.tabs.setCurrentIndex(2)
    assert tab.act_new.isVisible() and not window.issues_tab.act_new.isVisible()
    assert tab.act_new.shortcut().toString() == "Ctrl+N"
    assert window.resources_tab.act_new.shortcut().isEmpty()
    assert window.count_label.text().startswith("会議・研修")
    window.tabs.setCurrentIndex(0)
    assert not tab.act_copy.isVisible() and tab.act_new.shortcut().isEmpty()


def test_models_pass_the_model_tester_and_a_busy_month_paints(qtbot, qtmodeltester, ctx, cal):
    service = ctx.services.meetings
    for i in range(60):
        service.create(MeetingInput(title=f"会議{i:02d}", type_id=None, date=D(2026, 11, 1 + i % 30),
                                    start_time=f"{9 + i % 10:02d}:00"))
    cal.load()
    model = cal.month_view.month_model
    assert sum(len(model.index_of(d).data(MeetingsRole)) for d in model.days) == 60
    qtmodeltester.check(model)
    qtmodeltester.check(cal.list_model)
    assert cal.list_model.rowCount() == 60
    image = cal.month_view.grab()  # paints every day, including the 「ほか N件」 lines
    assert not image.isNull()
