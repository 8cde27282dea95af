"""Layout memory: window geometry, current tab and the table's columns survive a restart."""

from __future__ import annotations

from PySide6.QtCore import QDataStream, QPoint
from PySide6.QtWidgets import QMenu

from ui_helpers import open_window


def _column_action(tab, header: str):
    tab.show_column_menu(QPoint(10, 10))
    menu: QMenu = tab.column_menu
    action = next(a for a in menu.actions() if a.text() == header)
    return menu, action


def test_columns_and_geometry_are_restored(qtbot, ctx):
    first = open_window(qtbot, ctx)
    tab = first.resources_tab
    address = tab.model.column_index("address")
    fax = tab.model.column_index("fax")
    assert not tab.table.isColumnHidden(address) and tab.table.isColumnHidden(fax)

    # The user hides 住所 and shows FAX番号 from the column menu, widens 名称, moves to 相談受付.
    menu, action = _column_action(tab, "住所")
    assert action.isChecked()
    action.trigger()
    menu.close()
    assert tab.table.isColumnHidden(address)
    menu, action = _column_action(tab, "FAX番号")
    action.trigger()
    menu.close()
    assert not tab.table.isColumnHidden(fax)
    menu, action = _column_action(tab, "名称")
    assert not action.isEnabled()  # the name always stays
    menu.close()
    tab.table.horizontalHeader().resizeSection(0, 333)
    first.resize(1400, 900)
    qtbot.waitUntil(lambda: (first.width(), first.height()) == (1400, 900))
    first.tabs.setCurrentIndex(3)
    first.close()  # closing saves the layout

    second = open_window(qtbot, ctx)
    tab2 = second.resources_tab
    assert tab2.table.isColumnHidden(address)
    assert not tab2.table.isColumnHidden(fax)
    assert tab2.table.horizontalHeader().sectionSize(0) == 333
    # The geometry is saved as it was; Qt fits it into the offscreen 800×800 screen on restore,
    # so read the saved normal geometry rather than the clamped window.
    assert _saved_normal_size(ctx.settings) == (1400, 900)
    assert second.width() < 1400 and second.height() < 900  # proof the geometry was applied at all
    assert second.tabs.currentIndex() == 3
    assert second.tabs.widget(0) is tab2

    # 初期の列に戻す puts the defaults back.
    menu, _ = _column_action(tab2, "住所")
    reset = next(a for a in menu.actions() if a.text() == "初期の列に戻す")
    reset.trigger()
    menu.close()
    assert not tab2.table.isColumnHidden(address) and tab2.table.isColumnHidden(fax)
    assert tab2.table.horizontalHeader().sectionSize(0) == tab2.model.columns[0].width


def _saved_normal_size(settings) -> tuple[int, int]:
    """The window size inside a QWidget.saveGeometry() blob (magic, version, frame, normal)."""
    stream = QDataStream(settings.get_state("main_geometry"))
    assert stream.readUInt32() == 0x1D9D0CB
    stream.readUInt16(), stream.readUInt16()
    for _ in range(4):  # the frame rectangle, not needed
        stream.readInt32()
    left, top, right, bottom = (stream.readInt32() for _ in range(4))
    return right - left + 1, bottom - top + 1


def test_maximised_window_is_restored(qtbot, ctx):
    first = open_window(qtbot, ctx)
    first.showMaximized()
    qtbot.waitUntil(first.isMaximized)
    first.close()
    second = open_window(qtbot, ctx)
    assert second.isMaximized()


def test_save_layout_without_closing(qtbot, ctx):
    first = open_window(qtbot, ctx)
    tab = first.resources_tab
    phone = tab.model.column_index("phone")
    tab.table.setColumnHidden(phone, True)
    first.save_layout()
    second = open_window(qtbot, ctx)
    assert second.resources_tab.table.isColumnHidden(phone)
    assert ctx.settings.get_state("resource_columns") is not None


def _header_consistent(tab) -> bool:
    header = tab.table.horizontalHeader()
    return header.length() == sum(header.sectionSize(i) for i in range(header.count()))


def test_layout_survives_a_new_procedure_column(qtbot, ctx):
    """The layout is kept per column: adding a procedure column keeps the user's choices
    for the existing columns, and the new column starts with its defaults."""
    first = open_window(qtbot, ctx)
    phone = first.resources_tab.model.column_index("phone")
    first.resources_tab.table.setColumnHidden(phone, True)
    first.close()

    ctx.services.vocab.add("procedure", "テスト処置")
    second = open_window(qtbot, ctx)
    tab2 = second.resources_tab
    assert tab2.model.columnCount() == first.resources_tab.model.columnCount() + 1
    assert _header_consistent(tab2)
    assert tab2.table.isColumnHidden(phone)  # the user's choice survived the new column
    new_column = tab2.model.column_index("proc:テスト処置")
    assert new_column >= 0 and tab2.table.isColumnHidden(new_column)  # procedure columns start hidden
    tab2.table.setColumnHidden(new_column, False)
    second.reload()  # reloading keeps the layout
    assert tab2.table.isColumnHidden(phone) and not tab2.table.isColumnHidden(new_column)
    assert _header_consistent(tab2)
    second.close()

    third = open_window(qtbot, ctx)
    assert third.resources_tab.table.isColumnHidden(phone)
    assert not third.resources_tab.table.isColumnHidden(new_column)
    assert _header_consistent(third.resources_tab)
