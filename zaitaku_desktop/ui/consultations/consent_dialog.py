"""Record the person's consent (同意) to passing their details on — or their refusal — and withdraw it.

Health information about a person is 要配慮個人情報: nothing personal leaves the program for a referral, a
print or an export without an active consent on the case. Recording and withdrawing are written to the
access log by the service."""

from __future__ import annotations

import datetime as dt
import html
from typing import Sequence

from PySide6.QtWidgets import (
    QButtonGroup, QDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QRadioButton,
    QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.consultations import CONSENT_METHODS
from zaitaku_desktop.domain.errors import DomainError, FieldIssue, ValidationError
from zaitaku_desktop.services.consultations import ConsentRead

from ..context import AppContext
from ..widgets.date_field import with_today_button
from ..widgets.form_rows import add_field_row
from . import badge_html, consent_state, dialog_buttons, keyed_combo, read_day

DEFAULT_PURPOSE = "適切な医療・介護サービスにつなぐため（紹介先との情報共有）"
DATE_HINT = "を 2026/12/05 や 令和8年12月5日 の形で入力してください"


class ConsentDialog(QDialog):
    def __init__(self, ctx: AppContext, case_id: str, parent: QWidget | None = None, *,
                 consents: Sequence[ConsentRead] = (), reason: str = "", recipients: str = "",
                 today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_id = case_id
        self.consents = list(consents)
        self.today = today or dt.date.today()
        self.changed = False
        self.recorded: ConsentRead | None = None
        self.error_labels: dict[str, QLabel] = {}
        self.setObjectName("consentDialog")
        self.setWindowTitle("本人の同意（個人情報の提供）")
        self.resize(600, 440)
        layout = QVBoxLayout(self)
        if reason:
            note = QLabel(reason, self)
            note.setObjectName("consentReason")
            note.setWordWrap(True)
            note.setStyleSheet("color:#9a6700; background:#fff8e1; padding:4px;")
            layout.addWidget(note)
        self.state_label = QLabel("", self)
        self.state_label.setObjectName("consentState")
        self.state_label.setWordWrap(True)
        layout.addWidget(self.state_label)
        self.active = next((c for c in self.consents if c.active), None)
        if self.active is not None:
            layout.addWidget(self._withdraw_box())
        layout.addWidget(self._record_box(recipients))
        buttons, ok = dialog_buttons(self, "記録する", cancel_text="閉じる")
        ok.setObjectName("recordConsent")
        buttons.accepted.connect(self.record)
        layout.addWidget(buttons)
        self._show_state()

    def _show_state(self) -> None:
        e = html.escape
        text = badge_html(consent_state(self.consents))
        if self.active is not None:
            c = self.active
            text += (f"　{e(self.ctx.format_date(c.obtained_on))}に{e(c.method)}で同意<br>"
                     f"提供先：{e(c.recipients)}<br>目的：{e(c.purpose)}")
        self.state_label.setText(text)

    def _withdraw_box(self) -> QGroupBox:
        box = QGroupBox("同意の撤回", self)
        form = QFormLayout(box)
        self.withdraw_on = QLineEdit(self.today.strftime("%Y/%m/%d"), box)
        self.withdraw_on.setObjectName("field_withdrawn_on")
        line = QWidget(box)
        row = QHBoxLayout(line)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.withdraw_on, 1)
        self.withdraw_button = QPushButton("同意を撤回する", line)
        self.withdraw_button.setObjectName("withdrawConsent")
        self.withdraw_button.clicked.connect(self.withdraw)
        row.addWidget(self.withdraw_button)
        add_field_row(form, "撤回の日", line, "withdrawn_on", self.error_labels)
        return box

    def _record_box(self, recipients: str) -> QGroupBox:
        box = QGroupBox("新しく記録する", self)
        form = QFormLayout(box)
        choice = QWidget(box)
        row = QHBoxLayout(choice)
        row.setContentsMargins(0, 0, 0, 0)
        self.granted = QRadioButton("同意あり", choice)
        self.granted.setObjectName("consentGranted")
        self.refused = QRadioButton("同意しない", choice)
        self.refused.setObjectName("consentRefused")
        group = QButtonGroup(self)
        for button in (self.granted, self.refused):
            group.addButton(button)
            row.addWidget(button)
        row.addStretch(1)
        self.granted.setChecked(True)
        add_field_row(form, "本人の答え", choice, "granted", self.error_labels)
        self.recipients = QLineEdit(recipients, box)
        self.recipients.setObjectName("field_recipients")
        self.recipients.setPlaceholderText("例：紹介先の医療機関・介護事業所、担当ケアマネジャー")
        add_field_row(form, "提供先（誰に）", self.recipients, "recipients", self.error_labels)
        self.purpose = QLineEdit(DEFAULT_PURPOSE, box)
        self.purpose.setObjectName("field_purpose")
        add_field_row(form, "目的（何のために）", self.purpose, "purpose", self.error_labels)
        self.obtained_on = QLineEdit(self.today.strftime("%Y/%m/%d"), box)
        self.obtained_on.setObjectName("field_obtained_on")
        add_field_row(form, "同意を得た日", with_today_button(self.obtained_on, "consentToday", box), "obtained_on",
                      self.error_labels)
        self.method = keyed_combo("method", CONSENT_METHODS, box)
        add_field_row(form, "方法", self.method, "method", self.error_labels)
        return box

    def _show_issues(self, exc: ValidationError) -> None:
        for issue in exc.issues:
            label = self.error_labels.get(issue.field)
            if label is None:
                self.ctx.messages.failure("記録できませんでした", exc)
                return
            label.setText(issue.message)
            label.show()

    def _clear(self) -> None:
        for label in self.error_labels.values():
            label.hide()

    def record(self) -> None:
        self._clear()
        day, readable = read_day(self.obtained_on.text())
        if not readable:
            self._show_issues(_issue("obtained_on", "同意を得た日" + DATE_HINT))
            return
        try:
            self.recorded = self.ctx.services.consultations.record_consent(
                self.case_id, granted=self.granted.isChecked(), recipients=self.recipients.text().strip(),
                purpose=self.purpose.text().strip(), obtained_on=day, method=self.method.currentData())
        except ValidationError as exc:
            self._show_issues(exc)
            return
        except DomainError as exc:
            self.ctx.messages.failure("同意を記録できませんでした", exc)
            return
        self.changed = True
        self.accept()

    def withdraw(self) -> None:
        if self.active is None:
            return
        self._clear()
        day, readable = read_day(self.withdraw_on.text())
        if not readable or day is None:
            self._show_issues(_issue("withdrawn_on", "撤回の日" + DATE_HINT))
            return
        if not self.ctx.messages.confirm("同意の撤回", "この同意を撤回しますか？　撤回した後は、本人の情報を紹介先に伝える"
                                         "ことも、印刷や書き出しに含めることもできなくなります。",
                                         ok="撤回する", cancel="やめる"):
            return
        try:
            self.ctx.services.consultations.withdraw_consent(self.active.id, day)
        except ValidationError as exc:
            self._show_issues(exc)
            return
        except DomainError as exc:
            self.ctx.messages.failure("撤回を記録できませんでした", exc)
            return
        self.changed = True
        self.accept()


def _issue(field: str, message: str) -> ValidationError:
    return ValidationError(issues=[FieldIssue(field, message)])
