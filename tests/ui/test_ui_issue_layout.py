"""The issue board opens the way it was left: view and detail-pane width."""

from __future__ import annotations

from ui_helpers import open_window


def test_board_view_and_splitter_are_remembered(qtbot, ctx):
    first = open_window(qtbot, ctx)
    board = first.issues_tab
    board.view_buttons[1].click()  # カンバン
    assert board.stack.currentIndex() == 1
    board.splitter.setSizes([700, 420])
    wanted = board.splitter.sizes()
    first.close()

    second = open_window(qtbot, ctx)
    again = second.issues_tab
    assert again.stack.currentIndex() == 1 and again.view_buttons[1].isChecked()
    assert again.splitter.sizes() == wanted
