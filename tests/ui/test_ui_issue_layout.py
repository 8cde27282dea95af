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


def test_cards_can_be_reached_and_opened_with_the_keyboard(qtbot, ctx, monkeypatch):
    from PySide6.QtCore import Qt

    from zaitaku_desktop.ui.issues.issue_form import IssueDialog
    from zaitaku_desktop.ui.issues.layer_board import CardCell

    opened: list[str] = []

    def record(dialog) -> int:  # the issue form, closed at once
        opened.append(dialog.detail.row.id)
        return 0

    monkeypatch.setattr(IssueDialog, "exec", record)
    window = open_window(qtbot, ctx)
    window.tabs.setCurrentIndex(1)
    board = window.issues_tab
    cell = next(c for c in board.board.findChildren(CardCell) if len(c.cards) >= 2)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    cell.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(cell.hasFocus)
    assert board.selected_id == cell.cards[0].id  # Tab into a cell picks its first card
    qtbot.keyClick(cell, Qt.Key.Key_Down)
    assert board.selected_id == cell.cards[1].id
    qtbot.keyClick(cell, Qt.Key.Key_End)
    assert board.selected_id == cell.cards[-1].id
    qtbot.keyClick(cell, Qt.Key.Key_Return)
    assert opened == [cell.cards[-1].id]


def test_detail_pane_lists_the_meetings_where_an_issue_was_raised(qtbot, ctx):
    window = open_window(qtbot, ctx)
    window.tabs.setCurrentIndex(1)
    board = window.issues_tab
    linked = next(r for r in board.all_rows if ctx.services.meetings.meetings_for_issue(r.id))
    link = ctx.services.meetings.meetings_for_issue(linked.id)[0]
    board.select_id(linked.id)
    text = board.detail.toPlainText()
    assert "会議・研修" in text and link.meeting_title in text and f"（{link.role}）" in text
