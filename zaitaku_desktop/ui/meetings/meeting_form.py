"""Add / edit one meeting (会議・研修), and the small 「前回をコピー」 dialog that asks the new date.

Warnings from ``draft_warnings`` (venue double-booked, association clash, holiday, over capacity)
are shown in amber under the form and never block saving."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout,
    QWidget,
)

from zaitaku_desktop.domain.dates import parse_date
from zaitaku_desktop.domain.errors import DomainError, FieldIssue, ValidationError
from zaitaku_desktop.domain.meetings import STATUSES, MeetingInput, add_minutes, parse_time
from zaitaku_desktop.services.meetings import MeetingDetail, MeetingRow, MeetingTypeRead, VenueRead

from ..context import AppContext
from ..widgets.form_rows import add_field_row
from ..widgets.date_field import with_today_button, read_typed_date

ERROR_STYLE = "color:#c62828;"
WARNING_STYLE = "color:#9a6700; background:#fff8e1; padding:4px;"
FORM_FIELDS = ("title", "type", "date", "start_time", "end_time", "venue", "capacity", "status", "agenda", "notes")


def _date_text(value: dt.date | None) -> str:
    return value.strftime("%Y/%m/%d") if value else ""


def input_from_detail(detail: MeetingDetail) -> MeetingInput:
    """Everything a saved meeting holds, so fields not on this form survive an edit."""
    row = detail.row
    return MeetingInput(
        title=row.title, type_id=row.type_id, date=row.date, start_time=row.start_time, end_time=row.end_time,
        venue_id=row.venue_id, organiser_kind=row.organiser_kind, organiser_association_id=row.organiser_association_id,
        organiser_text=row.organiser_text, co_organiser_ids=list(row.co_organiser_ids),
        profession_ids=list(row.profession_ids), speakers=list(detail.speakers), capacity=row.capacity,
        agenda=detail.agenda, status=row.status, minutes=detail.minutes, notes=detail.notes,
        municipality_id=row.municipality_id)


class MeetingDialog(QDialog):
    def __init__(self, ctx: AppContext, *, detail: MeetingDetail | None = None, on_date: dt.date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.detail = detail
        self.saved: MeetingRow | None = None
        self.error_labels: dict[str, QLabel] = {}
        self._auto_end = ""  # the end time this form filled in itself (replaced when the type changes)
        self.setObjectName("meetingDialog")
        self.setWindowTitle("会議・研修の編集" if detail else "会議・研修の新規登録")
        self.resize(640, 640)
        service = ctx.services.meetings
        keep_type = detail.row.type_id if detail else None
        keep_venue = detail.row.venue_id if detail else None
        self.types: list[MeetingTypeRead] = [t for t in service.list_types(include_archived=True)
                                             if not t.archived or t.id == keep_type]
        self.venues: list[VenueRead] = [v for v in service.list_venues(include_archived=True)
                                        if not v.archived or v.id == keep_venue]
        self._build()
        if detail is not None:
            self.base = input_from_detail(detail)
        else:
            self.base = MeetingInput(title="", type_id=None, date=on_date or dt.date.today())
        self._fill(self.base)
        self._connect()
        self.refresh_warnings()

    # --- building --------------------------------------------------------------------------------
    def _row(self, form: QFormLayout, label: str, widget: QWidget, field: str) -> None:
        add_field_row(form, label, widget, field, self.error_labels)

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.summary_label = QLabel("", self)
        self.summary_label.setObjectName("formSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setStyleSheet(ERROR_STYLE)
        self.summary_label.hide()
        outer.addWidget(self.summary_label)
        form = QFormLayout()
        outer.addLayout(form, 1)
        self.title = QLineEdit(self)
        self.title.setObjectName("field_title")
        self.title.setPlaceholderText("例：薬剤師会 打ち合わせ会")
        self._row(form, "名前（必須）", self.title, "title")
        self.type = QComboBox(self)
        self.type.setObjectName("field_type")
        self.type.addItem("（選ばない）", None)
        for t in self.types:
            self.type.addItem(f"{t.name}（{t.layer}）", t.id)
        self._row(form, "種類", self.type, "type")
        self.date = QLineEdit(self)
        self.date.setObjectName("field_date")
        self.date.setPlaceholderText("例：2026/12/05 または 令和8年12月5日")
        self._row(form, "開催日（必須）", with_today_button(self.date, "dateToday", self), "date")
        times = QWidget(self)
        row = QHBoxLayout(times)
        row.setContentsMargins(0, 0, 0, 0)
        self.start_time = QLineEdit(self)
        self.start_time.setObjectName("field_start_time")
        self.start_time.setPlaceholderText("18:45")
        self.end_time = QLineEdit(self)
        self.end_time.setObjectName("field_end_time")
        self.end_time.setPlaceholderText("20:15")
        row.addWidget(self.start_time)
        row.addWidget(QLabel("〜", times))
        row.addWidget(self.end_time)
        row.addStretch(1)
        self._row(form, "時間", times, "start_time")
        self.error_labels["end_time"] = self.error_labels["start_time"]
        self.venue = QComboBox(self)
        self.venue.setObjectName("field_venue")
        self.venue.addItem("（未定）", None)
        for v in self.venues:
            self.venue.addItem(v.name + (f"（定員{v.capacity}人）" if v.capacity else ""), v.id)
        self._row(form, "会場", self.venue, "venue")
        self.capacity = QLineEdit(self)
        self.capacity.setObjectName("field_capacity")
        self.capacity.setPlaceholderText("人数（空欄可）")
        self.capacity.setMaximumWidth(120)
        self._row(form, "定員", self.capacity, "capacity")
        self.status = QComboBox(self)
        self.status.setObjectName("field_status")
        self.status.addItems(list(STATUSES))
        self._row(form, "状況", self.status, "status")
        self.agenda = QPlainTextEdit(self)
        self.agenda.setObjectName("field_agenda")
        self.agenda.setPlaceholderText("種類を選ぶと、その種類の次第のひな形が入ります")
        self._row(form, "次第", self.agenda, "agenda")
        self.notes = QPlainTextEdit(self)
        self.notes.setObjectName("field_notes")
        self.notes.setFixedHeight(60)
        self._row(form, "備考", self.notes, "notes")
        self.warnings_label = QLabel("", self)
        self.warnings_label.setObjectName("meetingWarnings")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setStyleSheet(WARNING_STYLE)
        self.warnings_label.hide()
        outer.addWidget(self.warnings_label)
        buttons = QDialogButtonBox(self)
        ok = buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("okButton")
        cancel = buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("cancelButton")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)

    def _fill(self, data: MeetingInput) -> None:
        self.title.setText(data.title)
        self.type.setCurrentIndex(max(0, self.type.findData(data.type_id)))
        day = parse_date(data.date) if not isinstance(data.date, dt.date) else data.date
        self.date.setText(_date_text(day))
        self.start_time.setText(str(data.start_time or ""))
        self.end_time.setText(str(data.end_time or ""))
        self.venue.setCurrentIndex(max(0, self.venue.findData(data.venue_id)))
        self.capacity.setText("" if data.capacity is None else str(data.capacity))
        self.status.setCurrentText(data.status)
        self.agenda.setPlainText(data.agenda)
        self.notes.setPlainText(data.notes)

    def _connect(self) -> None:
        self.type.currentIndexChanged.connect(self._type_changed)
        for edit, field in ((self.title, "title"), (self.date, "date"), (self.start_time, "start_time"),
                            (self.end_time, "start_time"), (self.capacity, "capacity")):
            edit.textChanged.connect(lambda _t, f=field: self._clear_error(f))
        for edit in (self.date, self.start_time, self.end_time):
            edit.textChanged.connect(self.refresh_warnings)
        for combo in (self.venue, self.status):
            combo.currentIndexChanged.connect(self.refresh_warnings)

    # --- behaviour --------------------------------------------------------------------------------
    def chosen_type(self) -> MeetingTypeRead | None:
        type_id = self.type.currentData()
        return next((t for t in self.types if t.id == type_id), None)

    def _type_changed(self, *_args) -> None:
        """A type fills the end time from its default length and an empty agenda from its template."""
        kind = self.chosen_type()
        if kind is None:
            return
        try:
            start = parse_time(self.start_time.text())
            end = parse_time(self.end_time.text())
        except ValueError:
            start = end = None
        if start and (not end or self.end_time.text() == self._auto_end):
            self._auto_end = add_minutes(start, kind.default_minutes)
            self.end_time.setText(self._auto_end)
        if not self.agenda.toPlainText().strip() and kind.agenda_template:
            self.agenda.setPlainText(kind.agenda_template)

    def current_input(self) -> MeetingInput:
        base = self.base
        text = self.capacity.text().strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        capacity: object = int(text) if text.isdigit() else (None if not text else text)
        return MeetingInput(
            title=self.title.text().strip(), type_id=self.type.currentData(), date=self.date.text().strip(),
            start_time=self.start_time.text().strip(), end_time=self.end_time.text().strip(),
            venue_id=self.venue.currentData(), organiser_kind=base.organiser_kind,
            organiser_association_id=base.organiser_association_id, organiser_text=base.organiser_text,
            co_organiser_ids=list(base.co_organiser_ids), profession_ids=list(base.profession_ids),
            speakers=list(base.speakers), capacity=capacity,  # type: ignore[arg-type]
            agenda=self.agenda.toPlainText(), status=self.status.currentText(), minutes=base.minutes,
            notes=self.notes.toPlainText(), municipality_id=base.municipality_id)

    def refresh_warnings(self, *_args) -> list[str]:
        """Ask the service for the warnings of the form as typed; nothing when it is not valid yet."""
        data = self.current_input()
        if not data.title:
            data.title = "（仮）"  # warnings do not depend on the name
        if not isinstance(data.capacity, int):
            data.capacity = None
        try:
            found = self.ctx.services.meetings.draft_warnings(
                data, meeting_id=self.detail.row.id if self.detail else None)
        except DomainError:
            found = []
        texts = [w.message for w in found]
        self.warnings_label.setText("\n".join(f"⚠ {t}" for t in texts))
        self.warnings_label.setVisible(bool(texts))
        return texts

    def _clear_error(self, field: str) -> None:
        label = self.error_labels.get(field)
        if label is not None and label.isVisible():
            label.hide()
            label.setText("")

    def show_issues(self, issues: list[FieldIssue]) -> None:
        for label in self.error_labels.values():
            label.hide()
            label.setText("")
        by_label: dict[int, tuple[QLabel, list[str]]] = {}
        unplaced: list[str] = []
        for issue in issues:
            field = {"type_id": "type", "venue_id": "venue"}.get(issue.field, issue.field)
            label = self.error_labels.get(field)
            if label is None:
                unplaced.append(issue.message)
                continue
            by_label.setdefault(id(label), (label, []))[1].append(issue.message)
        for label, texts in by_label.values():
            label.setText("\n".join(texts))
            label.show()
        self.summary_label.setText("保存できません。赤字の項目を確認してください（入力した内容はそのまま残っています）。"
                                   + "".join(f"\n・{t}" for t in unplaced))
        self.summary_label.show()
        first = next((f for f in FORM_FIELDS if self.error_labels.get(f) is not None
                      and self.error_labels[f].text()), None)
        widget = getattr(self, first, None) if first else None
        if isinstance(widget, QWidget):
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def _local_issues(self, data: MeetingInput) -> list[FieldIssue]:
        issues = []
        if not data.title:
            issues.append(FieldIssue("title", "会議・研修の名前を入力してください"))
        if data.capacity is not None and not isinstance(data.capacity, int):
            issues.append(FieldIssue("capacity", "定員は0以上の整数で入力してください"))
        return issues

    def save(self) -> None:
        data = self.current_input()
        local = self._local_issues(data)
        if local:
            self.show_issues(local)
            return
        service = self.ctx.services.meetings
        try:
            if self.detail is None:
                self.saved = service.create(data)
            else:
                self.saved = service.update(self.detail.row.id, data, expected_version=self.detail.row.version)
        except ValidationError as exc:
            self.show_issues(exc.issues or [FieldIssue("", exc.message)])
            return
        except DomainError as exc:
            self.ctx.messages.failure("保存できませんでした", exc)
            return
        self.accept()


class CopyMeetingDialog(QDialog):
    """「前回をコピー」: asks the date of the next meeting planned from a past one."""

    def __init__(self, row: MeetingRow, format_date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("copyMeetingDialog")
        self.setWindowTitle("前回をコピーして次回を計画")
        self.resize(460, 170)
        form = QFormLayout(self)
        source = QLabel(f"「{row.title}」（{format_date(row.date)}）の内容で、新しい日付の会議・研修を作ります。"
                        "出欠・記録はコピーしません。", self)
        source.setWordWrap(True)
        form.addRow(source)
        self.day = QLineEdit(self)
        self.day.setObjectName("copyDate")
        self.day.setPlaceholderText("例：2026/12/05 または 令和8年12月5日")
        form.addRow("新しい開催日", with_today_button(self.day, "copyDateToday", self))
        self.day_error = QLabel("", self)
        self.day_error.setObjectName("error_copyDate")
        self.day_error.setStyleSheet(ERROR_STYLE)
        self.day_error.hide()
        form.addRow("", self.day_error)
        buttons = QDialogButtonBox(self)
        ok = buttons.addButton("コピーして作成", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("okButton")
        cancel = buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("cancelButton")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.date: dt.date | None = None

    def _accept(self) -> None:
        self.date = read_typed_date(self.day, self.day_error, "開催日を 2026/12/05 や 令和8年12月5日 の形で入力してください")
        if self.date is not None:
            self.accept()
