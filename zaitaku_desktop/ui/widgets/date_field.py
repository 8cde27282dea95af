"""A typed date field (和暦 or 西暦, see domain.dates.parse_date) with a 「今日」 button."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from zaitaku_desktop.domain.dates import parse_date
from zaitaku_desktop.domain.errors import DomainError


def with_today_button(edit: QLineEdit, button_name: str, parent: QWidget) -> QWidget:
    """Put ``edit`` in a row with a button that types today's date into it."""
    box = QWidget(parent)
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    today = QPushButton("今日", box)
    today.setObjectName(button_name)
    today.clicked.connect(lambda: edit.setText(dt.date.today().strftime("%Y/%m/%d")))
    row.addWidget(edit, 1)
    row.addWidget(today)
    return box


def read_typed_date(edit: QLineEdit, error: QLabel, message: str) -> dt.date | None:
    """The date typed in ``edit`` (和暦 or 西暦); on anything else show ``message`` under it and return None."""
    try:
        day = parse_date(edit.text().strip())
    except (ValueError, DomainError):
        day = None
    if day is None:
        error.setText(message)
        error.show()
    return day
