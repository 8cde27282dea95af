"""The filter bar: category, area (municipality and district), capability, stale, archived."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from zaitaku_desktop.services.resource_query import months_before
from zaitaku_desktop.ui.resources.history import HistoryDialog

from ui_helpers import choose, click_checkbox, visible_names


def _ids_shown(tab) -> set[str]:
    return {r.id for r in tab.model.visible_rows()}


def test_category_filter(tab):
    choose(tab.category_filter, "医科診療所")
    assert len(visible_names(tab)) == 19
    assert {r.category for r in tab.model.visible_rows()} == {"医科診療所"}
    assert tab.count_label.text() == "19 件 / 129 件"
    choose(tab.category_filter, "すべての種別")
    assert tab.count_label.text() == "129 件 / 129 件"


def test_municipality_and_district_filters(tab, rows):
    choose(tab.area_filter, "大槌町")
    expected = {r.id for r in rows if r.municipality == "大槌町"}
    assert len(expected) == 33
    assert _ids_shown(tab) == expected
    assert tab.count_label.text() == "33 件 / 129 件"

    # Districts are listed, indented, under their municipality.
    items = [tab.area_filter.itemText(i) for i in range(tab.area_filter.count())]
    assert items.index("釜石市") < items.index("　釜石市・甲子") < items.index("大槌町") < items.index("　大槌町・吉里吉里")
    choose(tab.area_filter, "　釜石市・甲子")
    expected = {r.id for r in rows if r.municipality == "釜石市" and r.district == "甲子"}
    assert expected and _ids_shown(tab) == expected


def test_capability_with_category(tab):
    choose(tab.capability_filter, "在宅看取り")
    with_cap = len(visible_names(tab))
    choose(tab.category_filter, "医科診療所")
    assert len(visible_names(tab)) == 11 < with_cap
    for row in tab.model.visible_rows():
        assert "在宅看取り" in row.capabilities and row.category == "医科診療所"


def test_filters_and_search_combine(qtbot, tab):
    choose(tab.area_filter, "大槌町")
    qtbot.keyClicks(tab.search, "0193-4")
    shown = tab.model.visible_rows()
    assert shown and all(r.municipality == "大槌町" and r.phone.startswith("0193-4") for r in shown)


def test_stale_checkbox(qtbot, tab, rows):
    cutoff = months_before(dt.date.today(), 12)
    expected = {r.id for r in rows if r.last_confirmed is None or r.last_confirmed < cutoff}
    assert 0 < len(expected) < 129
    click_checkbox(qtbot, tab.stale_filter)
    assert tab.stale_filter.isChecked()
    assert _ids_shown(tab) == expected
    assert tab.count_label.text() == f"{len(expected)} 件 / 129 件"
    click_checkbox(qtbot, tab.stale_filter)
    assert len(visible_names(tab)) == 129


def test_archive_restore_and_history(qtbot, tab, messages, dialogs, sample_services):
    target = next(r for r in tab.model.visible_rows() if r.name == "はまなす内科クリニック")
    assert tab.select_id(target.id)
    assert tab.act_archive.text() == "アーカイブ"

    # Answering "no" changes nothing.
    messages.answers = [False]
    tab.act_archive.trigger()
    assert messages.shown[-1][:2] == ("confirm", "アーカイブの確認")
    assert "はまなす内科クリニック" in messages.shown[-1][2]
    assert target.id in _ids_shown(tab)

    messages.answers = [True]
    tab.act_archive.trigger()
    assert target.id not in _ids_shown(tab)
    assert tab.count_label.text() == "128 件 / 128 件"
    assert sample_services.resources.get(target.id).row.archived

    click_checkbox(qtbot, tab.archived_filter)
    assert target.id in _ids_shown(tab)
    assert tab.count_label.text() == "129 件 / 128 件"
    pos = tab.model.visible_row_of(target.id)
    assert tab.model.index(pos, 0).data(Qt.ItemDataRole.ForegroundRole) is not None  # greyed out
    assert tab.model.index(pos, 0).data(Qt.ItemDataRole.FontRole).italic()

    tab.select_id(target.id)
    assert tab.act_archive.text() == "アーカイブから戻す"
    asked = len([m for m in messages.shown if m[0] == "confirm"])
    tab.act_archive.trigger()  # restoring needs no confirmation
    assert len([m for m in messages.shown if m[0] == "confirm"]) == asked
    assert not sample_services.resources.get(target.id).row.archived
    click_checkbox(qtbot, tab.archived_filter)
    assert target.id in _ids_shown(tab)
    assert tab.count_label.text() == "129 件 / 129 件"

    opened = dialogs.drive(HistoryDialog)
    tab.select_id(target.id)
    tab.act_history.trigger()
    assert len(opened) == 1
    table = opened[0].table
    actions = [table.item(r, 2).text() for r in range(table.rowCount())]
    assert actions == ["復元", "アーカイブ", "登録"]  # newest first
    assert table.item(0, 1).text() == "tester"
    assert "アーカイブ：はい → いいえ" in table.item(0, 3).text()
    assert "アーカイブ：いいえ → はい" in table.item(1, 3).text()
    assert "はまなす内科クリニック" in opened[0].windowTitle()
