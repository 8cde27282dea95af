"""The 相談受付 tab (task オ) and its dialogs, with the small helpers they share."""

from __future__ import annotations

import datetime as dt
import re
from typing import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialogButtonBox, QGridLayout, QLabel, QPushButton, QWidget

from zaitaku_desktop.domain.dates import parse_date
from zaitaku_desktop.domain.errors import DomainError
from zaitaku_desktop.domain.meetings import parse_time

# Consent state of a case → (badge text, colour).
CONSENT_BADGES: dict[str, tuple[str, str]] = {
    "granted": ("同意あり", "#2e7d32"),
    "none": ("同意なし", "#757575"),
    "refused": ("同意しない", "#c62828"),
    "withdrawn": ("撤回済", "#e65100"),
}
WHEN_FORMAT = "%Y/%m/%d %H:%M"


def keyed_combo(name: str, values: Sequence[str], parent: QWidget, *, blank: str | None = None) -> QComboBox:
    """A list whose entries are numbered 「1 本人」「2 家族」…: typing the number picks the entry (type-ahead),
    so a phone call can be taken without the mouse. The item data is the plain value."""
    combo = QComboBox(parent)
    combo.setObjectName(f"field_{name}")
    shown = [v for v in values if v]
    if blank is not None:
        combo.addItem(blank, "")
    for i, value in enumerate(shown, 1):
        combo.addItem(f"{i} {value}", value)
    combo.setToolTip("数字キーで選べます")
    return combo


def select_data(combo: QComboBox, value: object) -> None:
    combo.setCurrentIndex(max(0, combo.findData(value)))


def when_text(value: dt.datetime | None) -> str:
    return value.strftime(WHEN_FORMAT) if value else ""


def parse_when(text: str) -> dt.datetime | None:
    """「2026/11/20 14:30」「令和8年11月20日 9:05」 → a datetime; a date alone means 0:00; None when unreadable."""
    parts = (text or "").strip().rsplit(None, 1)
    date_part, time_part = parts if len(parts) == 2 and re.search("[:：]", parts[1]) else (" ".join(parts), "")
    try:
        day = parse_date(date_part)
        hhmm = parse_time(time_part) or "00:00"
    except (ValueError, DomainError):
        return None
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time(int(hhmm[:2]), int(hhmm[3:])))


def read_day(text: str) -> tuple[dt.date | None, bool]:
    """(the date typed, whether it was readable); an empty field is readable and gives None."""
    try:
        return parse_date(text.strip()), True
    except (ValueError, DomainError):
        return None, False


def read_period(start_text: str, end_text: str, error, *, required: bool) -> tuple | None:
    """(start, end) from two typed dates, or None with the problem shown in ``error``; with ``required`` False an
    empty field means "no limit" on that side."""
    start, ok_start = read_day(start_text)
    end, ok_end = read_day(end_text)
    if not (ok_start and ok_end) or required and (start is None or end is None):
        show_error(error, "期間を 2026/04/01 や 令和8年4月1日 の形で入力してください" + ("" if required else "（空欄ならすべて）"))
        return None
    if start and end and end < start:
        show_error(error, "期間の終わりは始まりより後にしてください")
        return None
    show_error(error, "")
    return start, end


def category_items(ctx) -> list:
    """The consultation categories (an editable vocabulary), in their order, archived ones left out."""
    return ctx.services.consultations.list_categories()


def consent_state(consents) -> str:
    """granted / withdrawn / refused / none — the latest consent decides."""
    if not consents:
        return "none"
    active = [c for c in consents if c.active]
    if active:
        return "granted"
    latest = max(consents, key=lambda c: (c.obtained_on, c.withdrawn_on or dt.date.min))
    return "withdrawn" if latest.withdrawn_on else "refused"


def badge_html(state: str) -> str:
    text, colour = CONSENT_BADGES[state]
    return (f"<span style='background:{colour}; color:#ffffff; padding:2px 6px; "
            f"font-weight:bold'>&nbsp;{text}&nbsp;</span>")


def error_label(name: str, parent: QWidget) -> QLabel:
    label = QLabel("", parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet("color:#c62828;")
    label.hide()
    return label


def show_error(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def dialog_buttons(parent: QWidget, ok_text: str, *,
                   cancel_text: str = "キャンセル") -> tuple[QDialogButtonBox, QPushButton]:
    buttons = QDialogButtonBox(parent)
    ok = buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
    ok.setObjectName("okButton")
    cancel = buttons.addButton(cancel_text, QDialogButtonBox.ButtonRole.RejectRole)
    cancel.setObjectName("cancelButton")
    buttons.rejected.connect(parent.reject)  # type: ignore[attr-defined]
    return buttons, ok


class CheckList(QWidget):
    """Several choices as a grid of check boxes that is ONE stop for Tab: Tab enters at the first box and
    leaves to the next field; the arrow keys move between boxes and Space ticks one."""

    changed = Signal()
    MOVES = {Qt.Key.Key_Right: 1, Qt.Key.Key_Left: -1}

    def __init__(self, name: str, items: Sequence[tuple[str, str]], parent: QWidget | None = None, *,
                 columns: int = 2) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.columns = columns
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(0)
        self.boxes: list[QCheckBox] = []
        self.ids: list[str] = []
        for i, (text, value) in enumerate(items):
            box = QCheckBox(text, self)
            box.setObjectName(f"{name}_{text}")
            box.setFocusPolicy(Qt.FocusPolicy.StrongFocus if i == 0 else Qt.FocusPolicy.ClickFocus)
            box.installEventFilter(self)
            box.toggled.connect(lambda _on: self.changed.emit())
            grid.addWidget(box, i // columns, i % columns)
            self.boxes.append(box)
            self.ids.append(value)
        if self.boxes:
            self.setFocusProxy(self.boxes[0])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and watched in self.boxes:
            key = event.key()  # type: ignore[attr-defined]
            step = self.MOVES.get(key) or {Qt.Key.Key_Down: self.columns, Qt.Key.Key_Up: -self.columns}.get(key)
            if step:
                target = self.boxes.index(watched) + step  # type: ignore[arg-type]
                if 0 <= target < len(self.boxes):
                    self.boxes[target].setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return super().eventFilter(watched, event)

    def checked(self) -> list[str]:
        return [value for box, value in zip(self.boxes, self.ids) if box.isChecked()]

    def set_checked(self, values) -> None:
        wanted = set(values)
        for box, value in zip(self.boxes, self.ids):
            box.setChecked(value in wanted)

    def box(self, text: str) -> QCheckBox:
        return next(b for b in self.boxes if b.text() == text)
