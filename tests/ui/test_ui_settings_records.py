"""設定: meeting types and venues, the scheduler's own lists."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from ui_helpers import replace_text

from zaitaku_desktop.ui.settings_dialog import SettingsDialog


def _click(qtbot, page, name: str) -> None:
    qtbot.mouseClick(page.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def _dialog(qtbot, ctx) -> SettingsDialog:
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    return dialog


def test_meeting_types_are_listed_and_a_new_one_is_added(qtbot, ctx):
    dialog = _dialog(qtbot, ctx)
    labels = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert "会議の種類" in labels and "会場" in labels
    page = dialog.tabs.widget(labels.index("会議の種類"))
    names = [page.table.item(r, 0).text() for r in range(page.table.rowCount())]
    assert "市民公開講座" in names and "同行訪問研修" in names
    replace_text(qtbot, page.editors["name"], "在宅医療市民フォーラム")
    page.editors["layer"].setCurrentText("住民向け")
    replace_text(qtbot, page.editors["tasks"], "キ")
    page.editors["default_minutes"].setValue(120)
    _click(qtbot, page, "recordsAdd_meetingType")
    added = next(t for t in ctx.services.meetings.list_types() if t.name == "在宅医療市民フォーラム")
    assert (added.layer, added.tasks, added.default_minutes) == ("住民向け", "キ", 120)
    assert dialog.vocab_changed


def test_meeting_type_errors_are_shown_and_nothing_is_added(qtbot, ctx):
    dialog = _dialog(qtbot, ctx)
    page = dialog.tabs.widget([dialog.tabs.tabText(i) for i in range(dialog.tabs.count())].index("会議の種類"))
    before = len(ctx.services.meetings.list_types(include_archived=True))
    replace_text(qtbot, page.editors["name"], "")
    _click(qtbot, page, "recordsAdd_meetingType")
    assert page.error.text()
    replace_text(qtbot, page.editors["name"], "研修会")  # already there
    _click(qtbot, page, "recordsAdd_meetingType")
    assert "研修会" in page.error.text()
    assert len(ctx.services.meetings.list_types(include_archived=True)) == before


def test_a_venue_with_capacity_is_added_and_archived(qtbot, ctx):
    dialog = _dialog(qtbot, ctx)
    page = dialog.tabs.widget([dialog.tabs.tabText(i) for i in range(dialog.tabs.count())].index("会場"))
    replace_text(qtbot, page.editors["name"], "釜石市民ホール 小ホール")
    replace_text(qtbot, page.editors["address"], "岩手県釜石市大町1丁目1-9")
    page.editors["capacity"].setValue(120)
    _click(qtbot, page, "recordsAdd_venue")
    venue = next(v for v in ctx.services.meetings.list_venues() if v.name == "釜石市民ホール 小ホール")
    assert venue.capacity == 120 and venue.address.startswith("岩手県釜石市")
    row = next(r for r in range(page.table.rowCount()) if page.table.item(r, 0).text() == venue.name)
    page.table.selectRow(row)
    _click(qtbot, page, "recordsArchive_venue")
    assert venue.id not in {v.id for v in ctx.services.meetings.list_venues()}
    assert venue.id in {v.id for v in ctx.services.meetings.list_venues(include_archived=True)}
