"""The settings dialog: vocabularies (districts, municipalities) and display preferences."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from zaitaku_desktop.services.resource_query import months_before
from zaitaku_desktop.ui.resources.history import HistoryDialog
from zaitaku_desktop.ui.settings_dialog import SettingsDialog

from ui_helpers import choose, click_checkbox, column_texts, replace_text, type_text, visible_names


def _button(dialog, name: str) -> QPushButton:
    button = dialog.findChild(QPushButton, name)
    assert button is not None, name
    return button


def _ok(qtbot, dialog) -> None:
    qtbot.mouseClick(_button(dialog, "settingsOk"), Qt.MouseButton.LeftButton)


def _area_items(tab) -> list[str]:
    return [tab.area_filter.itemText(i) for i in range(tab.area_filter.count())]


def test_add_district_appears_in_the_area_filter(qtbot, window, tab, dialogs, ctx):
    def add_district(dialog):
        page = dialog.pages["district"]
        dialog.tabs.setCurrentWidget(page)
        before = page.table.rowCount()
        type_text(qtbot, page.name, "大只越")
        type_text(qtbot, page.reading, "おおただこえ")
        choose(page.parent_combo, "釜石市")
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
        assert page.error.text() == ""
        assert page.table.rowCount() == before + 1
        assert page.selected().name == "大只越"
        _ok(qtbot, dialog)

    opened = dialogs.drive(SettingsDialog, add_district)
    assert "　釜石市・大只越" not in _area_items(tab)
    window.act_settings.trigger()
    assert len(opened) == 1 and opened[0].vocab_changed
    items = _area_items(tab)
    assert items.index("　釜石市・唐丹") < items.index("　釜石市・大只越") < items.index("大槌町")
    choose(tab.area_filter, "　釜石市・大只越")
    assert visible_names(tab) == []
    assert tab.count_label.text() == "0 件 / 129 件"


def test_vocab_change_shows_even_when_cancelled(qtbot, window, tab, dialogs):
    def add_and_cancel(dialog):
        page = dialog.pages["district"]
        type_text(qtbot, page.name, "新町")
        choose(page.parent_combo, "大槌町")
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(_button(dialog, "settingsCancel"), Qt.MouseButton.LeftButton)

    dialogs.drive(SettingsDialog, add_and_cancel)
    window.act_settings.trigger()
    assert "　大槌町・新町" in _area_items(tab)


def test_duplicate_district_is_refused(qtbot, window, dialogs, ctx):
    def duplicate(dialog):
        page = dialog.pages["district"]
        before = page.table.rowCount()
        type_text(qtbot, page.name, "甲子")
        choose(page.parent_combo, "釜石市")
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
        assert "すでに登録されています" in page.error.text()
        assert page.table.rowCount() == before

    dialogs.drive(SettingsDialog, duplicate)
    window.act_settings.trigger()


def test_municipality_with_wrong_check_digit_is_refused(qtbot, window, tab, dialogs, ctx):
    count = len(ctx.services.vocab.list("municipality", include_archived=True))

    def wrong_code(dialog):
        page = dialog.pages["municipality"]
        dialog.tabs.setCurrentWidget(page)
        before = page.table.rowCount()
        type_text(qtbot, page.name, "遠野市")
        type_text(qtbot, page.code, "032086")
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
        assert "検査数字" in page.error.text()
        assert "032085" in page.error.text()  # it tells the right code
        assert page.error.isVisible()
        assert page.table.rowCount() == before
        assert not dialog.vocab_changed

        # Five digits: the check digit is added.
        replace_text(qtbot, page.code, "03208")
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
        assert page.error.text() == ""
        assert page.table.rowCount() == before + 1
        assert page.selected().code == "032085"
        _ok(qtbot, dialog)

    dialogs.drive(SettingsDialog, wrong_code)
    window.act_settings.trigger()
    municipalities = ctx.services.vocab.list("municipality", include_archived=True)
    assert len(municipalities) == count + 1
    assert [m.code for m in municipalities if m.name == "遠野市"] == ["032085"]
    assert "遠野市" in _area_items(tab)


def test_western_date_style(qtbot, window, tab, dialogs, ctx):
    name = "はまなす内科クリニック"
    row = visible_names(tab).index(name)
    assert column_texts(tab, "last_confirmed")[row] == "令和8年3月4日（水）"

    def seireki(dialog):
        choose(dialog.date_style, "西暦（2026/12/05（土））")
        _ok(qtbot, dialog)

    dialogs.drive(SettingsDialog, seireki)
    window.act_settings.trigger()
    assert ctx.settings.date_style == "seireki"
    dates = column_texts(tab, "last_confirmed")
    assert dates[visible_names(tab).index(name)].startswith("2026/03/04")
    assert all(d[:5] in ("2024/", "2025/", "2026/") for d in dates)
    tab.select_id(tab.model.row_at(visible_names(tab).index(name)).id)
    assert "最終確認日：2026/03/04" in tab.detail.toPlainText()


def test_stale_months_changes_which_rows_are_stale(qtbot, window, tab, dialogs, ctx, rows):
    today = dt.date.today()

    def stale_ids(months: int) -> set[str]:
        cutoff = months_before(today, months)
        return {r.id for r in rows if r.last_confirmed is None or r.last_confirmed < cutoff}

    click_checkbox(qtbot, tab.stale_filter)
    assert {r.id for r in tab.model.visible_rows()} == stale_ids(12)

    def six_months(dialog):
        replace_text(qtbot, dialog.stale.lineEdit(), "6")
        assert dialog.stale.value() == 6
        _ok(qtbot, dialog)

    dialogs.drive(SettingsDialog, six_months)
    window.act_settings.trigger()
    assert ctx.settings.stale_months == 6
    assert len(stale_ids(6)) > len(stale_ids(12))
    assert {r.id for r in tab.model.visible_rows()} == stale_ids(6)
    assert tab.count_label.text() == f"{len(stale_ids(6))} 件 / 129 件"


def test_user_name_goes_into_the_history(qtbot, window, tab, dialogs, ctx, messages):
    def user(dialog):
        type_text(qtbot, dialog.user, "連携 花子")
        _ok(qtbot, dialog)

    dialogs.drive(SettingsDialog, user)
    window.act_settings.trigger()
    target = tab.model.row_at(0)
    tab.select_id(target.id)
    messages.answers = [True]
    tab.act_archive.trigger()
    click_checkbox(qtbot, tab.archived_filter)
    tab.select_id(target.id)
    history = dialogs.drive(HistoryDialog)
    tab.act_history.trigger()
    assert history[0].table.item(0, 1).text() == "連携 花子"
    assert history[0].table.item(0, 0).text().startswith("令和")


def test_hub_contacts_are_set_once_and_filled_into_the_update_forms(qtbot, window, tab, dialogs, ctx):
    from zaitaku_desktop.ui.resources.handouts import UpdateFormDialog

    def contacts(dialog):
        replace_text(qtbot, dialog.hub["hub_name"], "在宅医療連携拠点チームかまいし")
        replace_text(qtbot, dialog.hub["hub_fax"], "0193-22-1111")
        replace_text(qtbot, dialog.hub["hub_phone"], "0193-22-0000")
        _ok(qtbot, dialog)

    dialogs.drive(SettingsDialog, contacts)
    window.act_settings.trigger()
    assert ctx.settings.get("handouts/hub_fax") == "0193-22-1111"
    form = UpdateFormDialog(ctx)
    qtbot.addWidget(form)
    assert (form.hub_name.text(), form.hub_fax.text(), form.hub_phone.text()) == (
        "在宅医療連携拠点チームかまいし", "0193-22-1111", "0193-22-0000")
    # The resource tab's 出力 menu offers the forms, the unanswered list and the return.
    shown = [a.text() for a in window.menu_output.actions() if a.isVisible()]
    assert {"資源情報確認票（PDF）…", "確認票の未回答…", "確認票の返送を記録…"} <= set(shown)
