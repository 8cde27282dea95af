"""Helpers shared by the GUI tests (imported as a plain module: tests/ui is on sys.path)."""

from __future__ import annotations

import re
from typing import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import (
    QAbstractItemView, QApplication, QCheckBox, QComboBox, QDialog, QLineEdit, QStyle, QStyleOptionButton,
    QTableWidget, QWidget,
)


def open_window(qtbot, ctx):
    """A main window attached to ``ctx`` (the synchronous runner loads the list at once)."""
    from zaitaku_desktop.ui.main_window import MainWindow

    window = MainWindow(ctx.settings, ctx.messages)
    qtbot.addWidget(window)
    window.attach(ctx)
    window.show()
    qtbot.waitExposed(window)
    return window


def visible_names(tab) -> list[str]:
    """Names in the table as the view shows them (column 0, top to bottom)."""
    model = tab.table.model()
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def column_texts(tab, key: str) -> list[str]:
    model = tab.table.model()
    col = tab.model.column_index(key)
    return [model.index(r, col).data() for r in range(model.rowCount())]


def choose(combo: QComboBox, text: str) -> None:
    """Pick an entry of a combo box by its visible text, as a user picking from the list."""
    index = combo.findText(text)
    assert index >= 0, f"{text!r} not in {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)


def ime_commit(widget: QWidget, text: str) -> None:
    """Type text the way a Japanese input method delivers it: one committed string.

    Also the only faithful way to enter characters outside the BMP (emoji), which
    QTest.keyClicks would split into surrogate halves.
    """
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def type_text(qtbot, widget: QWidget, text: str) -> None:
    """Type as a Japanese user does: ASCII on the keyboard, everything else through the
    input method (QTest.keyClicks only knows Latin-1 keys)."""
    for run in re.findall(r"[ -~]+|[^ -~]+", text):
        if run.isascii():
            qtbot.keyClicks(widget, run)
        else:
            ime_commit(widget, run)


def replace_text(qtbot, edit, text: str) -> None:
    """Select everything in a line edit and type over it."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    if text:
        type_text(qtbot, edit, text)


def click_checkbox(qtbot, box: QCheckBox) -> None:
    """Click a check box on its indicator (its centre may lie past the label text)."""
    option = QStyleOptionButton()
    option.initFrom(box)
    rect = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=rect.center())


def edit_cell(qtbot, table: QTableWidget, row: int, col: int, text: str) -> None:
    """Open a table cell's editor, type into it and press Enter (the commit is queued)."""
    table.setCurrentCell(row, col)
    table.editItem(table.item(row, col))
    editor = table.indexWidget(table.currentIndex()) or table.viewport().findChild(QLineEdit)
    assert isinstance(editor, QLineEdit)
    type_text(qtbot, editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)
    assert table.item(row, col).text() == text


class DialogDriver:
    """Replaces ``cls.exec`` so that, instead of a nested event loop, a test function
    drives the dialog (shown, non-modal) and the dialog's own result is returned."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, qtbot) -> None:
        self.monkeypatch = monkeypatch
        self.qtbot = qtbot
        self.opened: list[QDialog] = []

    def drive(self, cls: type[QDialog], action: Callable[[QDialog], object] | None = None) -> list[QDialog]:
        opened: list[QDialog] = []
        qtbot = self.qtbot

        def fake_exec(dialog: QDialog) -> int:
            opened.append(dialog)
            self.opened.append(dialog)
            dialog.show()
            qtbot.waitExposed(dialog)
            if action is not None:
                action(dialog)
            result = dialog.result()
            if dialog.isVisible():  # the test left it open: behave like closing the window
                dialog.reject()
                result = QDialog.DialogCode.Rejected.value
            return result

        self.monkeypatch.setattr(cls, "exec", fake_exec)
        return opened
