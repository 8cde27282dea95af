"""Fonts and the qt-material theme."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from PySide6.QtCore import QDir
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from zaitaku_desktop import paths
from zaitaku_desktop.domain.errors import DomainError
from zaitaku_desktop.exports.atomic import write_atomically

log = logging.getLogger(__name__)
UI_FONT_FAMILY = "IPAexGothic"


def register_fonts() -> list[str]:
    """Register the bundled IPAex fonts so Japanese renders on any machine."""
    families: list[str] = []
    for name in ("ipaexg.ttf",):  # the UI uses Gothic; reports embed their fonts themselves
        path = paths.fonts_dir() / name
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("could not load bundled font %s", name)
            continue
        families.extend(QFontDatabase.applicationFontFamilies(font_id))
    return families


_EXTRA_QSS = """
    QHeaderView::section { text-transform: none; }
    QTabBar::tab { text-transform: none; }
    QPushButton { text-transform: none; }
    QTableView { font-size: 13px; }
    QToolBar QToolButton:disabled { color: #a0a0a0; }
"""
_QSS_EXTRA = {"font_family": UI_FONT_FAMILY, "font_size": "13px", "density_scale": "-1"}


def _cache_files(theme: str) -> tuple[Path, Path]:
    try:
        from importlib.metadata import version

        qm_version = version("qt-material")
    except Exception:  # noqa: BLE001 - any failure just means no cache
        qm_version = "unknown"
    folder = paths.cache_dir() / "themes"
    stem = f"{theme.removesuffix('.xml')}-{qm_version}-v1"
    return folder / f"{stem}.qss", folder / f"{stem}.json"


def apply_theme(app: QApplication, theme: str) -> None:
    """Apply a qt-material theme, or the plain native look for 'native'.

    qt-material renders its style sheet from a template and writes icon files at
    every start (~0.2 s); the rendered sheet and the icon folders are cached so
    later starts only read one file.
    """
    font = QFont(UI_FONT_FAMILY, 10)
    app.setFont(font)
    if theme == "native":
        app.setStyleSheet("")
        return
    qss_file, meta_file = _cache_files(theme)
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        search_paths = [p for p in meta["icon_paths"] if Path(p).is_dir()]
        if len(search_paths) == len(meta["icon_paths"]) and search_paths:
            app.setStyle("Fusion")
            QDir.setSearchPaths("icon", search_paths)
            app.setStyleSheet(qss_file.read_text(encoding="utf-8") + _EXTRA_QSS)
            return
    except (OSError, ValueError, KeyError):
        pass
    try:
        from qt_material import apply_stylesheet
    except ImportError:  # pragma: no cover - qt-material is a dependency
        log.warning("qt-material missing; using the native look")
        return
    palette = app.palette()
    apply_stylesheet(app, theme=theme, invert_secondary=theme.startswith("light"), extra=dict(_QSS_EXTRA))
    # qt-material tints all text with the theme colour; keep plain dark text.
    app.setPalette(palette)
    sheet = app.styleSheet()
    app.setStyleSheet(sheet + _EXTRA_QSS)
    try:
        qss_file.parent.mkdir(parents=True, exist_ok=True)
        for out, text in ((qss_file, sheet), (meta_file, json.dumps({"icon_paths": QDir.searchPaths("icon")}))):
            write_atomically(out, lambda handle, t=text: handle.write(t.encode("utf-8")))
    except (OSError, DomainError) as exc:
        log.info("theme cache not written: %s", type(exc).__name__)
