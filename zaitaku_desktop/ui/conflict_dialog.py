"""Two people edited the same record: show what the other person changed and let the user choose.

Generic: the dialog takes field labels, their (stored) values, yours (typed), who and when. Forms call
``ask_conflict(parent, exc)`` from their ``except ConflictError`` and act on the choice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.errors import ConflictError

LOAD_THEIRS, OVERWRITE, KEEP_EDITING = "theirs", "mine", "cancel"
EMPTY = "（空欄）"
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def display_value(value: object) -> str:
    """A stored or typed value as a person reads it (lists joined, ISO dates with slashes, blanks named)."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, Mapping):
        return "、".join(f"{k}：{v}" for k, v in value.items())
    if isinstance(value, (list, tuple, set)):
        return "、".join(str(v) for v in value)
    if isinstance(value, dt.date):
        return value.strftime("%Y/%m/%d")
    text = str(value)
    return _ISO_DAY.sub(r"\1/\2/\3", text)


def who_and_when(who: str, when: dt.datetime | None, *, now: dt.datetime | None = None) -> str:
    """「山田・14:05」 (today), 「山田・11/20 14:05」 (another day); the parts that are known."""
    from zaitaku_desktop.domain.consultations import local_now, to_local

    parts = [who] if who else []
    if when is not None:
        local = to_local(when)  # stored UTC → Japan time, whatever the computer's own time zone
        today = (now or local_now()).date()
        day = "" if local.date() == today else f"{local.month}/{local.day} "
        parts.append(f"{day}{local:%H:%M}")
    return "・".join(parts)


class ConflictDialog(QDialog):
    """「この記録は、あなたが編集している間にほかの人（山田・14:05）が変更しました。」 with a table of the
    changed fields (their value vs yours) and three choices; ``choice`` says which one was taken."""

    def __init__(self, labels: Mapping[str, str], theirs: Mapping[str, object], yours: Mapping[str, object],
                 who: str = "", when: dt.datetime | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice = KEEP_EDITING
        self.setObjectName("conflictDialog")
        self.setWindowTitle("ほかの人が変更しました")
        self.resize(720, 380)
        layout = QVBoxLayout(self)
        stamp = who_and_when(who, when)
        self.headline = QLabel("この記録は、あなたが編集している間にほかの人" + (f"（{stamp}）" if stamp else "")
                               + "が変更しました。", self)
        self.headline.setObjectName("conflictHeadline")
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet("font-weight:bold;")
        layout.addWidget(self.headline)
        hint = ("ほかの人が変更した項目と、あなたの入力を並べています。どうするか選んでください。"
                if labels else "どの項目が変更されたかは分かりません。どうするか選んでください。")
        layout.addWidget(QLabel(hint, self))
        self.table = QTableWidget(len(labels), 3, self)
        self.table.setObjectName("conflictTable")
        self.table.setHorizontalHeaderLabels(["項目", "ほかの人の変更（保存済み）", "あなたの入力"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for col in (1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        for row, (key, label) in enumerate(labels.items()):
            for col, text in enumerate((label, display_value(theirs.get(key)), display_value(yours.get(key)))):
                self.table.setItem(row, col, QTableWidgetItem(text))
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())  # wrap to the final widths
        self.table.setVisible(bool(labels))
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for name, text, choice in (("loadTheirs", "相手の変更を読み込む（自分の入力は破棄）", LOAD_THEIRS),
                                   ("overwriteMine", "自分の入力で上書きする", OVERWRITE),
                                   ("keepEditing", "キャンセル（入力は残す）", KEEP_EDITING)):
            button = QPushButton(text, self)
            button.setObjectName(name)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, c=choice: self._choose(c))
            self.buttons[choice] = button
            buttons.addWidget(button)
        layout.addLayout(buttons)

    @classmethod
    def for_error(cls, exc: ConflictError, parent: QWidget | None = None) -> ConflictDialog:
        """The dialog for a refused save; a bare ConflictError (no details) still offers the three choices."""
        info = getattr(exc, "info", None)
        if info is None:  # the stored version is unknown: overwriting could not be checked
            dialog = cls({}, {}, {}, parent=parent)
            dialog.buttons[OVERWRITE].setEnabled(False)
            return dialog
        labels = {key: info.labels.get(key, key) for key in info.fields}
        return cls(labels, info.theirs, info.yours, info.who, info.when, parent=parent)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept() if choice != KEEP_EDITING else self.reject()

    def rows(self) -> list[tuple[str, str, str]]:
        """The table as shown: (label, theirs, yours)."""
        return [tuple(self.table.item(r, c).text() for c in range(3))  # type: ignore[misc]
                for r in range(self.table.rowCount())]


def ask_conflict(parent: QWidget | None, exc: ConflictError) -> tuple[str, int | None]:
    """Show the dialog; (choice, the stored version to pass as expected_version when overwriting)."""
    dialog = ConflictDialog.for_error(exc, parent)
    dialog.exec()
    info = getattr(exc, "info", None)
    return dialog.choice, (info.version if info is not None else None)


def resolve_conflict(parent: QWidget | None, exc: ConflictError, *, overwrite, reload) -> None:
    """A form's answer to a stale save: ``overwrite(stored_version)`` saves the typed input again over the stored
    record, ``reload()`` shows the stored record instead; keeping on editing does nothing."""
    choice, stored = ask_conflict(parent, exc)
    if choice == OVERWRITE:
        overwrite(stored)
    elif choice == LOAD_THEIRS:
        reload()
