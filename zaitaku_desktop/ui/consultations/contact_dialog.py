"""Add one entry to a case's record (経過): a call-back, a call to the family, the answer of a provider …"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from zaitaku_desktop.domain.consultations import CONTACT_KINDS
from zaitaku_desktop.domain.errors import DomainError, ValidationError
from zaitaku_desktop.services.consultations import ContactRead

from ..context import AppContext
from ..widgets.form_rows import add_field_row
from . import dialog_buttons, keyed_combo, parse_when, select_data, when_text


class ContactDialog(QDialog):
    def __init__(self, ctx: AppContext, consultation_id: str, parent: QWidget | None = None, *,
                 now: dt.datetime | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.consultation_id = consultation_id
        self.saved: ContactRead | None = None
        self.error_labels: dict[str, QLabel] = {}
        self.setObjectName("contactDialog")
        self.setWindowTitle("経過を記録")
        self.resize(560, 320)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.at = QLineEdit(when_text(now or dt.datetime.now().replace(second=0, microsecond=0)), self)
        self.at.setObjectName("field_at")
        add_field_row(form, "日時", self.at, "at", self.error_labels)
        self.kind = keyed_combo("kind", CONTACT_KINDS, self)
        select_data(self.kind, "折り返し")
        add_field_row(form, "種類", self.kind, "kind", self.error_labels)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("field_text")
        self.text.setPlaceholderText("例：ケアマネに折り返し、訪問診療の受け入れ先を伝えた")
        self.text.setTabChangesFocus(True)
        add_field_row(form, "内容", self.text, "text", self.error_labels)
        layout.addLayout(form)
        buttons, _ok = dialog_buttons(self, "記録する")
        buttons.accepted.connect(self.save)
        layout.addWidget(buttons)

    def _error(self, field: str, text: str) -> None:
        label = self.error_labels.get(field) or self.error_labels["text"]
        label.setText(text)
        label.show()

    def save(self) -> None:
        for label in self.error_labels.values():
            label.hide()
        at = parse_when(self.at.text())
        if at is None:
            self._error("at", "日時を 2026/11/20 14:30 の形で入力してください")
            return
        try:
            self.saved = self.ctx.services.consultations.add_contact(
                self.consultation_id, at, self.kind.currentData(), self.text.toPlainText().strip())
        except ValidationError as exc:
            for issue in exc.issues:
                self._error(issue.field, issue.message)
            return
        except DomainError as exc:
            self.ctx.messages.failure("経過を記録できませんでした", exc)
            return
        self.accept()
