"""Fonts and the qt-material theme."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from zaitaku_desktop import paths

log = logging.getLogger(__name__)
UI_FONT_FAMILY = "IPAexGothic"


def register_fonts() -> list[str]:
    """Register the bundled IPAex fonts so Japanese renders on any machine."""
    families: list[str] = []
    for name in ("ipaexg.ttf", "ipaexm.ttf"):
        path = paths.fonts_dir() / name
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("could not load bundled font %s", name)
            continue
        families.extend(QFontDatabase.applicationFontFamilies(font_id))
    return families


def apply_theme(app: QApplication, theme: str) -> None:
    """Apply a qt-material theme, or the plain native look for 'native'."""
    font = QFont(UI_FONT_FAMILY, 10)
    app.setFont(font)
    if theme == "native":
        app.setStyleSheet("")
        return
    try:
        from qt_material import apply_stylesheet
    except ImportError:  # pragma: no cover - qt-material is a dependency
        log.warning("qt-material missing; using the native look")
        return
    invert = theme.startswith("light")
    apply_stylesheet(app, theme=theme, invert_secondary=invert,
                     extra={"font_family": UI_FONT_FAMILY, "font_size": "13px", "density_scale": "-1"})
    # qt-material shouts headers in capitals and uses a large font; keep the office look calm.
    app.setStyleSheet(app.styleSheet() + """
        QHeaderView::section { text-transform: none; }
        QTabBar::tab { text-transform: none; }
        QPushButton { text-transform: none; }
        QTableView { font-size: 13px; }
    """)
