"""Qt's own buttons and dialogs speak Japanese, and the bundled IPAex font is registered."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from zaitaku_desktop.app import install_translator
from zaitaku_desktop.ui.theme import UI_FONT_FAMILY, register_fonts


def test_qt_standard_buttons_are_japanese(qapp: QApplication) -> None:
    install_translator(qapp)
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
    texts = {b.text() for b in box.buttons()}
    assert texts == {"開く", "キャンセル"}


def test_bundled_font_is_registered(qapp: QApplication) -> None:
    families = register_fonts()
    assert UI_FONT_FAMILY in families
    assert UI_FONT_FAMILY in QFontDatabase.families()
