"""Icons from resources/icons (SVG), cached."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QIcon

from zaitaku_desktop import paths


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    path = paths.icons_dir() / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()
