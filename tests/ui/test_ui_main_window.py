"""The main window: tabs, menus, shortcuts, counts and the sample badge."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel

from zaitaku_desktop.ui.resources.form import ResourceDialog

from ui_helpers import open_window


def _shortcut(action) -> str:
    return action.shortcut().toString(QKeySequence.SequenceFormat.PortableText)


def test_four_tabs_and_placeholders(window, tab):
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["資源一覧", "課題ボード", "会議・研修", "相談受付"]
    assert window.tabs.widget(0) is tab
    assert window.findChild(QLabel, "loadingLabel") is None or not window.findChild(QLabel, "loadingLabel").isVisible()
    assert window.tabs.widget(1) is window.issues_tab  # the issue board replaced its placeholder
    assert window.tabs.widget(2) is window.meetings_tab  # so did the meeting calendar
    assert window.tabs.widget(3) is window.consultations_tab  # and the consultation desk


def test_menus_and_shortcuts(window, tab):
    menus = [a.text() for a in window.menuBar().actions()]
    assert [m.split("(")[0] for m in menus] == ["ファイル", "編集", "表示", "出力", "ヘルプ"]
    assert _shortcut(tab.act_new) == "Ctrl+N"
    assert _shortcut(tab.act_find) == "Ctrl+F"
    assert _shortcut(tab.act_export) == "Ctrl+E"
    assert _shortcut(window.act_print) == "Ctrl+P"
    assert _shortcut(window.act_quit) == "Ctrl+Q"
    # The record actions sit in the menus the user looks in.
    assert tab.act_new in window.menu_edit.actions()
    assert tab.act_export in window.menu_file.actions()
    assert tab.act_export in window.menu_output.actions()
    assert window.act_print in window.menu_output.actions()
    assert window.act_quit in window.menu_file.actions()
    # Once the data is attached, every action that needs it is enabled.
    for action in (window.act_settings, window.act_reload, window.act_print, window.act_sample):
        assert action.isEnabled()


def test_ctrl_f_moves_to_search_and_ctrl_n_opens_the_form(qtbot, window, tab, dialogs):
    window.activateWindow()
    qtbot.waitActive(window)
    tab.table.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(tab.search.hasFocus)

    opened = dialogs.drive(ResourceDialog)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert len(opened) == 1
    assert opened[0].windowTitle() == "資源の新規登録"


def test_counts_and_sample_badge(window, tab):
    assert tab.count_label.text() == "129 件 / 129 件"
    assert window.count_label.text() == "資源 129 / 129 件"
    assert window.sample_label.text() == "サンプルデータ（架空）を表示中"
    assert window.sample_label.isVisible()
    assert window.db_label.text() == str(tab.ctx.services.db.path)


def test_empty_database_has_no_badge(qtbot, empty_ctx):
    window = open_window(qtbot, empty_ctx)
    assert window.resources_tab.count_label.text() == "0 件 / 0 件"
    assert window.sample_label.text() == ""


def test_load_sample_from_the_menu(qtbot, empty_ctx):
    window = open_window(qtbot, empty_ctx)
    empty_ctx.messages.answers = [True]
    window.act_sample.trigger()
    assert empty_ctx.messages.shown[0][:2] == ("confirm", "サンプル地域を読み込みますか？")
    assert window.resources_tab.count_label.text() == "129 件 / 129 件"
    assert window.sample_label.text() == "サンプルデータ（架空）を表示中"
    # A second time it is refused politely, with nothing asked.
    window.act_sample.trigger()
    assert empty_ctx.messages.shown[-1][0] == "info"
    assert "1件も登録されていない" in empty_ctx.messages.shown[-1][2]


def test_about_opens_the_version_dialog(window, dialogs):
    from zaitaku_desktop.ui.about_dialog import AboutDialog

    opened = dialogs.drive(AboutDialog)
    window.act_about.trigger()
    assert opened[0].summary_labels["バージョン"].text() == "0.1.0"  # tests/ui/test_ui_about.py covers the rest
