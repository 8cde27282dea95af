"""Sorting: names in 五十音 order by reading; a header click reverses."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from zaitaku_desktop.domain.text import reading_sort_key


def _keys(tab) -> list[tuple[str, str]]:
    return [reading_sort_key(r.reading, r.name) for r in tab.model.visible_rows()]


def _click_header(qtbot, tab, column: int) -> None:
    header = tab.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_names_sort_by_reading(tab):
    keys = _keys(tab)
    assert keys == sorted(keys)
    readings = [r.reading for r in tab.model.visible_rows()]
    # Readings decide, not the names' code points: 医療法人 (いりょうほうじん) sorts under い.
    assert readings[0].startswith("あ")
    first_i = next(i for i, r in enumerate(readings) if r.startswith("い"))
    assert readings[first_i].startswith("いりょうほうじん")
    names = [r.name for r in tab.model.visible_rows()]
    assert names != sorted(names)


def test_header_click_reverses_and_other_columns_sort(qtbot, tab):
    header = tab.table.horizontalHeader()
    assert header.sortIndicatorSection() == 0
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    _click_header(qtbot, tab, 0)
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    keys = _keys(tab)
    assert keys == sorted(keys, reverse=True)

    phone = tab.model.column_index("phone")
    _click_header(qtbot, tab, phone)
    assert header.sortIndicatorSection() == phone
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    phones = [r.phone for r in tab.model.visible_rows()]
    assert phones == sorted(phones)
    _click_header(qtbot, tab, phone)
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert [r.phone for r in tab.model.visible_rows()] == list(reversed(phones))


def test_sort_survives_filtering_and_edits(qtbot, tab):
    tab.model.sort(0, Qt.SortOrder.DescendingOrder)
    qtbot.keyClicks(tab.search, "0193-2")
    keys = _keys(tab)
    assert len(keys) < 129 and keys == sorted(keys, reverse=True)
    tab.search.clear()
    keys = _keys(tab)
    assert len(keys) == 129 and keys == sorted(keys, reverse=True)
