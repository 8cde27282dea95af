"""Take (or open) one consultation — built for a phone call typed from the keyboard.

The fields come in the order of a call: 窓口 and 相談者種別 (number keys pick an entry), 受付日時 (now, editable:
entering a call days later is normal), 方法, who is calling, the person concerned (optional), what it is about,
what was asked and answered, and when to follow up. Tab moves on; Ctrl+Enter saves from anywhere.
When the person's reading and area, or phone number, match an earlier case, a banner offers to attach this
consultation to that case (the duplicate check)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox, QDialog, QFormLayout, QFrame, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
    QPlainTextEdit, QPushButton, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.consultations import (
    AGE_BANDS, CARE_LEVELS, CHANNELS, CITIZEN_REQUESTERS, NEXT_STATUSES, REQUESTER_TYPES, STATUSES, WINDOWS,
)
from zaitaku_desktop.domain.errors import ConflictError, DomainError, FieldIssue, ValidationError
from zaitaku_desktop.services.consultations import (
    ConsultationDetail, ConsultationInput, ConsultationRow, DuplicateCandidate,
)

from ..conflict_dialog import resolve_conflict
from ..context import AppContext
from ..widgets.form_rows import add_field_row
from . import CheckList, category_items, dialog_buttons, keyed_combo, parse_when, read_day, select_data, when_text

BANNER_STYLE = "QFrame#duplicateBanner { background:#fff8e1; border:1px solid #ffb300; }"
# Service / domain field names → the form's error line.
FIELD_ALIASES = {"category_ids": "categories", "minutes_spent": "minutes", "municipality_id": "municipality",
                 "district_id": "district", "case_id": "person_name"}
FIELD_ORDER = ("window", "requester_type", "received_at", "channel", "requester_name", "requester_affiliation",
               "requester_contact", "person_name", "person_reading", "person_phone", "age_band", "municipality",
               "district", "care_level", "categories", "question", "answer", "minutes", "status", "handled_by",
               "follow_up_due")


def _line(name: str, placeholder: str, parent: QWidget) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(f"field_{name}")
    edit.setPlaceholderText(placeholder)
    return edit


def _text(name: str, placeholder: str, parent: QWidget) -> QPlainTextEdit:
    edit = QPlainTextEdit(parent)
    edit.setObjectName(f"field_{name}")
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    return edit


class IntakeDialog(QDialog):
    def __init__(self, ctx: AppContext, *, detail: ConsultationDetail | None = None,
                 parent: QWidget | None = None, now: dt.datetime | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.detail = detail
        self.now = now or dt.datetime.now().replace(second=0, microsecond=0)
        self.saved: ConsultationRow | None = None
        self.case_id: str | None = detail.row.case_id if detail else None
        self.candidates: list[DuplicateCandidate] = []
        self.error_labels: dict[str, QLabel] = {}
        self._window_touched = detail is not None
        self.setObjectName("intakeDialog")
        self.setWindowTitle(f"相談 {detail.row.case_no}" if detail else "相談の受付")
        self.resize(980, 720)
        vocab = ctx.services.vocab
        self.municipalities = [m for m in vocab.list("municipality")]
        self.districts = vocab.list("district")
        self.categories = category_items(ctx)
        self._build()
        self._fill()
        self._connect()
        self.window_box.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- building --------------------------------------------------------------------------------
    def _row(self, form: QFormLayout, label: str, widget: QWidget, field: str) -> None:
        add_field_row(form, label, widget, field, self.error_labels)

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.summary_label = QLabel("", self)
        self.summary_label.setObjectName("formSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setStyleSheet("color:#c62828;")
        self.summary_label.hide()
        outer.addWidget(self.summary_label)
        outer.addWidget(self._build_banner())
        columns = QHBoxLayout()
        left = QVBoxLayout()
        intake = QGroupBox("受付", self)
        form = QFormLayout(intake)
        self.window_box = keyed_combo("window", WINDOWS, self)
        self._row(form, "窓口", self.window_box, "window")
        self.requester_type = keyed_combo("requester_type", REQUESTER_TYPES, self)
        self._row(form, "相談者種別", self.requester_type, "requester_type")
        self.received_at = _line("received_at", "例：2026/11/20 14:30", self)
        self._row(form, "受付日時", self.received_at, "received_at")
        self.channel = keyed_combo("channel", CHANNELS, self)
        self._row(form, "方法", self.channel, "channel")
        self.requester_name = _line("requester_name", "相談してきた人の名前（空欄可）", self)
        self._row(form, "相談者名", self.requester_name, "requester_name")
        self.requester_affiliation = _line("requester_affiliation", "例：○○居宅介護支援事業所", self)
        self._row(form, "所属", self.requester_affiliation, "requester_affiliation")
        self.requester_contact = _line("requester_contact", "折り返しの電話番号など", self)
        self._row(form, "連絡先", self.requester_contact, "requester_contact")
        left.addWidget(intake)
        person = QGroupBox("対象者（わかる範囲で）", self)
        form = QFormLayout(person)
        self.person_name = _line("person_name", "例：釜石 花子", self)
        self._row(form, "氏名", self.person_name, "person_name")
        self.person_reading = _line("person_reading", "例：かまいし はなこ", self)
        self._row(form, "読み", self.person_reading, "person_reading")
        self.person_phone = _line("person_phone", "例：0193-22-0000", self)
        self._row(form, "電話", self.person_phone, "person_phone")
        self.age_band = keyed_combo("age_band", AGE_BANDS, self, blank="（未記入）")
        self._row(form, "年齢", self.age_band, "age_band")
        self.municipality = QComboBox(self)
        self.municipality.setObjectName("field_municipality")
        self.municipality.addItem("（未記入）", None)
        for m in self.municipalities:
            self.municipality.addItem(m.name, m.id)
        self._row(form, "市町村", self.municipality, "municipality")
        self.district = QComboBox(self)
        self.district.setObjectName("field_district")
        self._row(form, "地区", self.district, "district")
        self.care_level = keyed_combo("care_level", CARE_LEVELS, self, blank="（未記入）")
        self._row(form, "要介護度", self.care_level, "care_level")
        left.addWidget(person)
        left.addStretch(1)
        columns.addLayout(left, 2)

        content = QGroupBox("相談の内容", self)
        form = QFormLayout(content)
        self.category_list = CheckList("field_categories", [(c.name, c.id) for c in self.categories], self)
        self._row(form, "分類（複数可）", self.category_list, "categories")
        self.question = _text("question", "何を聞かれたか", self)
        self._row(form, "相談内容", self.question, "question")
        self.answer = _text("answer", "何を答えたか・どこを案内したか", self)
        self._row(form, "回答・対応", self.answer, "answer")
        line = QWidget(self)
        row = QHBoxLayout(line)
        row.setContentsMargins(0, 0, 0, 0)
        self.minutes = _line("minutes", "分", self)
        self.minutes.setMaximumWidth(80)
        self.status = QComboBox(self)
        self.status.setObjectName("field_status")
        row.addWidget(self.minutes)
        row.addWidget(QLabel("分　　状況", line))
        row.addWidget(self.status)
        row.addStretch(1)
        self._row(form, "対応時間", line, "minutes")
        self.error_labels["status"] = self.error_labels["minutes"]
        self.handled_by = _line("handled_by", "担当者名", self)
        self._row(form, "担当", self.handled_by, "handled_by")
        due = QWidget(self)
        row = QHBoxLayout(due)
        row.setContentsMargins(0, 0, 0, 0)
        self.follow_up = _line("follow_up_due", "例：2026/12/05（空欄可）", self)
        row.addWidget(self.follow_up, 1)
        self.quick_buttons: list[QPushButton] = []
        for name, text, days in (("dueTomorrow", "明日", 1), ("dueWeek", "1週間後", 7)):
            button = QPushButton(text, due)
            button.setObjectName(name)
            button.clicked.connect(lambda _c=False, d=days: self.follow_up.setText(
                (self.now.date() + dt.timedelta(days=d)).strftime("%Y/%m/%d")))
            row.addWidget(button)
            self.quick_buttons.append(button)
        self._row(form, "次回対応日", due, "follow_up_due")
        columns.addWidget(content, 3)
        outer.addLayout(columns, 1)
        hint = QLabel("Tab（またはEnter）で次の項目へ、Ctrl+Enterで保存します。", self)
        hint.setStyleSheet("color:#666;")
        buttons, self.ok_button = dialog_buttons(self, "保存")
        self.ok_button.setToolTip("保存（Ctrl+Enter）")
        buttons.accepted.connect(self.save)
        bottom = QHBoxLayout()
        bottom.addWidget(hint, 1)
        bottom.addWidget(buttons)
        outer.addLayout(bottom)
        order = [self.window_box, self.requester_type, self.received_at, self.channel, self.requester_name,
                 self.requester_affiliation, self.requester_contact, self.person_name, self.person_reading,
                 self.person_phone, self.age_band, self.municipality, self.district, self.care_level,
                 self.category_list, self.question, self.answer, self.minutes, self.status, self.handled_by,
                 self.follow_up, *self.quick_buttons, self.ok_button]
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)
        for widget in (*order, *self.category_list.boxes):  # Ctrl+Enter saves from any field; Enter moves on
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            key, modifiers = event.key(), event.modifiers()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and modifiers & Qt.KeyboardModifier.ControlModifier:
                self.save()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and isinstance(watched, (QLineEdit, QComboBox)):
                self.focusNextChild()  # Enter in a one-line field moves on, as in the office's other programs
                return True
        return super().eventFilter(watched, event)

    def _build_banner(self) -> QFrame:
        self.banner = QFrame(self)
        self.banner.setObjectName("duplicateBanner")
        self.banner.setStyleSheet(BANNER_STYLE)
        row = QHBoxLayout(self.banner)
        self.banner_text = QLabel("", self.banner)
        self.banner_text.setObjectName("duplicateText")
        self.banner_text.setWordWrap(True)
        row.addWidget(self.banner_text, 1)
        self.attach_button = QPushButton("この相談に紐づける", self.banner)
        self.attach_button.setObjectName("attachCase")
        self.attach_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the call goes on: the banner never takes focus
        self.attach_button.clicked.connect(self.toggle_attach)
        self.dismiss_button = QPushButton("別の方です", self.banner)
        self.dismiss_button.setObjectName("dismissDuplicate")
        self.dismiss_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.dismiss_button.clicked.connect(self.dismiss_banner)
        row.addWidget(self.attach_button)
        row.addWidget(self.dismiss_button)
        self.banner.hide()
        self._dismissed: set[str] = set()
        return self.banner

    def _load_stored(self) -> None:
        """「相手の変更を読み込む」: the form shows the stored consultation (and its version) instead of the input."""
        assert self.detail is not None
        try:
            self.detail = self.ctx.services.consultations.get(self.detail.row.id)
        except DomainError as exc:
            self.ctx.messages.failure("読み込めませんでした", exc)
            return
        self._fill()

    def _fill(self) -> None:
        detail = self.detail
        if detail is None:
            self.received_at.setText(when_text(self.now))
            self.handled_by.setText(self.ctx.settings.get("user/name"))
            self._fill_statuses("受付", new=True)
            self._requester_changed()
            self._municipality_changed()
            return
        row = detail.row
        select_data(self.window_box, row.window)
        select_data(self.requester_type, row.requester_type)
        self.received_at.setText(when_text(row.received_at))
        select_data(self.channel, row.channel)
        self.requester_name.setText(row.requester_name)
        self.requester_affiliation.setText(detail.requester_affiliation)
        self.requester_contact.setText(detail.requester_contact)
        self.person_name.setText(row.person_name)
        self.person_reading.setText(detail.person_reading)
        self.person_phone.setText(detail.person_phone)
        select_data(self.age_band, row.age_band)
        municipality = next((m.id for m in self.municipalities if m.name == row.municipality), None)
        select_data(self.municipality, municipality)
        self._municipality_changed()
        district = next((d.id for d in self.districts if d.name == row.district and d.parent_id == municipality), None)
        select_data(self.district, district)
        select_data(self.care_level, row.care_level)
        self.category_list.set_checked(row.category_ids)
        self.question.setPlainText(detail.question)
        self.answer.setPlainText(detail.answer)
        self.minutes.setText("" if row.minutes_spent is None else str(row.minutes_spent))
        self._fill_statuses(row.status, new=False)
        self.handled_by.setText(row.handled_by)
        self.follow_up.setText(row.follow_up_due.strftime("%Y/%m/%d") if row.follow_up_due else "")

    def _fill_statuses(self, current: str, *, new: bool) -> None:
        """A new consultation may start in any state; an open one moves along the allowed steps."""
        allowed = STATUSES if new else (current, *NEXT_STATUSES.get(current, ()))
        for status in STATUSES:
            if status in allowed:
                self.status.addItem(status, status)
        select_data(self.status, current)

    def _connect(self) -> None:
        self.requester_type.currentIndexChanged.connect(self._requester_changed)
        self.window_box.activated.connect(self._window_chosen)
        self.municipality.currentIndexChanged.connect(self._municipality_changed)
        # The duplicate check runs when typing pauses (and when the field is left), not on every key.
        self.duplicate_timer = QTimer(self)
        self.duplicate_timer.setSingleShot(True)
        self.duplicate_timer.setInterval(400)
        self.duplicate_timer.timeout.connect(self.check_duplicates)
        for edit in (self.person_name, self.person_reading, self.person_phone):
            edit.textChanged.connect(lambda _t: self.duplicate_timer.start())
            edit.editingFinished.connect(self.check_duplicates)
        for combo in (self.municipality, self.district):
            combo.currentIndexChanged.connect(lambda _i: self.check_duplicates())
        for edit, field in ((self.received_at, "received_at"), (self.minutes, "minutes"),
                            (self.follow_up, "follow_up_due"), (self.person_name, "person_name")):
            edit.textChanged.connect(lambda _t, f=field: self._clear_error(f))
        self.category_list.changed.connect(lambda: self._clear_error("categories"))

    # --- behaviour --------------------------------------------------------------------------------
    def _window_chosen(self, _index: int) -> None:
        self._window_touched = True

    def _requester_changed(self, *_args) -> None:
        """Citizens (本人・家族・民生委員) go to the 一般向け window, professionals to 多職種向け — unless the
        window was chosen by hand."""
        if self._window_touched:
            return
        citizen = self.requester_type.currentData() in CITIZEN_REQUESTERS
        select_data(self.window_box, WINDOWS[1] if citizen else WINDOWS[0])

    def _municipality_changed(self, *_args) -> None:
        municipality = self.municipality.currentData()
        self.district.blockSignals(True)
        self.district.clear()
        self.district.addItem("（未記入）", None)
        for d in self.districts:
            if municipality and d.parent_id == municipality:
                self.district.addItem(d.name, d.id)
        self.district.setEnabled(municipality is not None)
        self.district.blockSignals(False)

    def check_duplicates(self) -> list[DuplicateCandidate]:
        """Ask the service for earlier cases of the same person (reading + area, or phone)."""
        reading, phone = self.person_reading.text().strip(), self.person_phone.text().strip()
        if not reading and not phone:
            self.candidates = []
        else:
            try:
                found = self.ctx.services.consultations.find_duplicates(
                    person_reading=reading, person_name=self.person_name.text().strip(),
                    municipality_id=self.municipality.currentData(), district_id=self.district.currentData(),
                    phone=phone, exclude_case_id=self.detail.row.case_id if self.detail else None)
            except DomainError:
                found = []
            self.candidates = [c for c in found if c.case_id not in self._dismissed]
        self._show_banner()
        return self.candidates

    def _show_banner(self) -> None:
        attached = next((c for c in self.candidates if c.case_id == self.case_id), None)
        if attached is not None and (self.detail is None or attached.case_id != self.detail.row.case_id):
            self.banner_text.setText(f"{attached.case_no}（{attached.masked_name}）と同じ方の相談として記録します。"
                                     f"（{attached.reason}）")
            self.attach_button.setText("紐づけを外す")
            self.dismiss_button.hide()
            self.banner.show()
            return
        if not self.candidates:
            self.banner.hide()
            return
        first = self.candidates[0]
        others = f"（ほかに候補 {len(self.candidates) - 1}件）" if len(self.candidates) > 1 else ""
        count = f"・相談{first.consultation_count}件" if first.consultation_count else ""
        self.banner_text.setText(f"以前の相談と同じ方かもしれません：{first.case_no}（{first.masked_name}）"
                                 f"…{first.reason}{count}{others}")
        self.attach_button.setText("この相談に紐づける")
        self.dismiss_button.show()
        self.banner.show()

    def toggle_attach(self) -> None:
        own = self.detail.row.case_id if self.detail else None
        if self.case_id is not None and self.case_id != own:
            self.case_id = own  # 紐づけを外す
        elif self.candidates:
            self.case_id = self.candidates[0].case_id
        self._show_banner()

    def dismiss_banner(self) -> None:
        if self.candidates:
            self._dismissed.add(self.candidates[0].case_id)
            self.candidates = self.candidates[1:]
        self._show_banner()

    def _clear_error(self, field: str) -> None:
        label = self.error_labels.get(field)
        if label is not None and label.text():
            label.hide()
            label.setText("")

    def show_issues(self, issues: list[FieldIssue]) -> None:
        """Each message under its field; the first field with one gets the focus. Nothing typed is lost."""
        for label in self.error_labels.values():
            label.hide()
            label.setText("")
        unplaced: list[str] = []
        for issue in issues:
            label = self.error_labels.get(FIELD_ALIASES.get(issue.field, issue.field))
            if label is None:
                unplaced.append(issue.message)
                continue
            label.setText("\n".join(t for t in (label.text(), issue.message) if t))
            label.show()
        self.summary_label.setText("保存できません。赤字の項目を確認してください（入力した内容はそのまま残っています）。"
                                   + "".join(f"\n・{t}" for t in unplaced))
        self.summary_label.show()
        first = next((f for f in FIELD_ORDER if self.error_labels.get(f) is not None
                      and self.error_labels[f].text()), None)
        widget = {"categories": self.category_list, "follow_up_due": self.follow_up, "window": self.window_box}.get(
            first or "", getattr(self, first or "", None))
        if isinstance(widget, QWidget):
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def current_input(self) -> tuple[ConsultationInput, list[FieldIssue]]:
        issues: list[FieldIssue] = []
        received = parse_when(self.received_at.text())
        if received is None:
            issues.append(FieldIssue("received_at", "受付日時を 2026/11/20 14:30 の形で入力してください"))
        text = self.minutes.text().strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        minutes: int | None = int(text) if text.isdigit() else None
        if text and minutes is None:
            issues.append(FieldIssue("minutes", "対応時間は分の数（例：15）で入力してください"))
        due, readable = read_day(self.follow_up.text())
        if not readable:
            issues.append(FieldIssue("follow_up_due", "次回対応日を 2026/12/05 や 令和8年12月5日 の形で入力してください"))
        data = ConsultationInput(
            window=self.window_box.currentData(), received_at=received or self.received_at.text().strip(),
            channel=self.channel.currentData(), requester_type=self.requester_type.currentData(),
            requester_name=self.requester_name.text().strip(),
            requester_affiliation=self.requester_affiliation.text().strip(),
            requester_contact=self.requester_contact.text().strip(), person_name=self.person_name.text().strip(),
            person_reading=self.person_reading.text().strip(), person_phone=self.person_phone.text().strip(),
            age_band=self.age_band.currentData() or "", municipality_id=self.municipality.currentData(),
            district_id=self.district.currentData(), care_level=self.care_level.currentData() or "",
            category_ids=self.category_list.checked(), question=self.question.toPlainText().strip(),
            answer=self.answer.toPlainText().strip(), minutes_spent=minutes, status=self.status.currentData(),
            handled_by=self.handled_by.text().strip(), follow_up_due=due, case_id=self.case_id)
        return data, issues

    def save(self, *, version: int | None = None) -> None:
        """Save; ``version`` (after 「自分の入力で上書きする」) replaces the version the form loaded."""
        data, issues = self.current_input()
        if issues:
            self.show_issues(issues)
            return
        service = self.ctx.services.consultations
        try:
            if self.detail is None:
                self.saved = service.create(data)
            else:
                self.saved = service.update(self.detail.row.id, data,
                                            expected_version=version or self.detail.row.version)
        except ValidationError as exc:
            self.show_issues(exc.issues or [FieldIssue("", exc.message)])
            return
        except ConflictError as exc:
            resolve_conflict(self, exc, overwrite=lambda version: self.save(version=version),
                             reload=self._load_stored)
            return
        except DomainError as exc:
            self.ctx.messages.failure("保存できませんでした", exc)
            return
        self.accept()
