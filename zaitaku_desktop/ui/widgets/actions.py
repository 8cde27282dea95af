"""Small shared builders for a tab's actions and its day-change timer."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction

from ..icons import icon


def make_action(parent: QObject, name: str, text: str, icon_name: str, slot: Callable[[], object], tip: str) -> QAction:
    """A named action with an icon and a status-bar tip; ``slot`` is called without the checked flag."""
    action = QAction(icon(icon_name), text, parent)
    action.setObjectName(name)
    action.setStatusTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    return action


def day_timer(parent: QObject, name: str, on_tick: Callable[[], object], *, live: bool) -> QTimer:
    """A one-minute timer for tabs that show 「今日」: it runs only on the real clock (``live``), so a test's
    fixed date never moves on."""
    timer = QTimer(parent)
    timer.setObjectName(name)
    timer.setInterval(60_000)
    timer.timeout.connect(lambda: on_tick())
    if live:
        timer.start()
    return timer
