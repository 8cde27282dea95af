"""Add / edit one meeting (会議・研修), and the small 「前回をコピー」 dialog that asks the new date.

The form has tabs 「基本」「主催・対象」「講師」「次第・記録」「課題」 and, for a new meeting, 「繰り返し」.
Warnings from ``draft_warnings`` (venue double-booked, association clash, holiday, over capacity)
are shown in amber under the tabs and never block saving. Saving a meeting of a series asks whether
the change is for this occurrence only or for the rest of the series."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QScrollArea,
    QWidget,
)

from zaitaku_desktop.domain.dates import parse_date
from zaitaku_desktop.domain.errors import ConflictError, DomainError, FieldIssue, ValidationError
from zaitaku_desktop.domain.meetings import STATUSES, MeetingInput, add_minutes, parse_time
from zaitaku_desktop.services.meetings import MeetingDetail, MeetingRow, MeetingTypeRead, VenueRead

from ..conflict_dialog import resolve_conflict
from ..context import AppContext
from ..widgets.form_rows import ERROR_STYLE, add_field_row, tabbed_form_shell
from ..widgets.date_field import with_today_button, read_typed_date
from .form_parts import (
    IssueLinksEditor, OrganiserEditor, ProfessionPicker, RecurrenceEditor, SeriesScopeBox, SpeakersEditor,
    association_checks,
)

WARNING_STYLE = "color:#9a6700; background:#fff8e1; padding:4px;"
# Error line of each field, in the order the form shows them (the first one with an error gets the focus).
FORM_FIELDS = ("title", "type", "date", "start_time", "end_time", "venue", "capacity", "status", "municipality",
               "organiser", "co_organisers", "professions", "speakers", "agenda", "minutes", "notes",
               "freq", "interval", "weekdays", "month_week", "until")
# Service / domain field names → the form's error line.
FIELD_ALIASES = {
    "type_id": "type", "venue_id": "venue", "municipality_id": "municipality", "organiser_kind": "organiser",
    "organiser_association_id": "organiser", "organiser_text": "organiser", "co_organiser_ids": "co_organisers",
    "profession_ids": "professions", "month_day": "month_week", "count": "until",
}


def _date_text(value: dt.date | None) -> str:
    return value.strftime("%Y/%m/%d") if value else ""


def input_from_detail(detail: MeetingDetail) -> MeetingInput:
    """Everything a saved meeting holds."""
    row = detail.row
    return MeetingInput(
        title=row.title, type_id=row.type_id, date=row.date, start_time=row.start_time, end_time=row.end_time,
        venue_id=row.venue_id, organiser_kind=row.organiser_kind, organiser_association_id=row.organiser_association_id,
        organiser_text=row.organiser_text, co_organiser_ids=list(row.co_organiser_ids),
        profession_ids=list(row.profession_ids), speakers=list(detail.speakers), capacity=row.capacity,
        agenda=detail.agenda, status=row.status, minutes=detail.minutes, notes=detail.notes,
        municipality_id=row.municipality_id)


def _text_edit(name: str, placeholder: str, parent: QWidget) -> QPlainTextEdit:
    edit = QPlainTextEdit(parent)
    edit.setObjectName(f"field_{name}")
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    return edit


class MeetingDialog(QDialog):
    def __init__(self, ctx: AppContext, *, detail: MeetingDetail | None = None, on_date: dt.date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.detail = detail
        self.saved: MeetingRow | None = None
        self.saved_rows: list[MeetingRow] = []  # every occurrence when a series was created
        self.error_labels: dict[str, QLabel] = {}
        self._auto_end = ""  # the end time this form filled in itself (replaced when the type changes)
        self.setObjectName("meetingDialog")
        self.setWindowTitle("会議・研修の編集" if detail else "会議・研修の新規登録")
        self.resize(780, 660)
        service = ctx.services.meetings
        keep_type = detail.row.type_id if detail else None
        keep_venue = detail.row.venue_id if detail else None
        self.types: list[MeetingTypeRead] = [t for t in service.list_types(include_archived=True)
                                             if not t.archived or t.id == keep_type]
        self.venues: list[VenueRead] = [v for v in service.list_venues(include_archived=True)
                                        if not v.archived or v.id == keep_venue]
        self.vocab = ctx.services.vocab.all()
        if detail is not None:
            self.base = input_from_detail(detail)
        else:
            self.base = MeetingInput(title="", type_id=None, date=on_date or dt.date.today())
        self._build()
        self._fill(self.base)
        self._connect()
        self.refresh_warnings()

    # --- building --------------------------------------------------------------------------------
    def _row(self, form: QFormLayout, label: str, widget: QWidget, field: str) -> None:
        add_field_row(form, label, widget, field, self.error_labels)

    def _page(self, name: str, *, scroll: bool = False) -> QFormLayout:
        page = QWidget()
        form = QFormLayout(page)
        if scroll:
            area = QScrollArea(self.tabs)
            area.setWidgetResizable(True)
            area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            area.setWidget(page)
            self.tabs.addTab(area, name)
        else:
            self.tabs.addTab(page, name)
        return form

    def _combo(self, name: str, items: list[tuple[str, object]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(f"field_{name}")
        for text, data in items:
            combo.addItem(text, data)
        return combo

    def _build(self) -> None:
        outer, self.summary_label, self.tabs = tabbed_form_shell(self, "meetingTabs")
        self._build_basic(self._page("基本"))
        self._build_organiser(self._page("主催・対象", scroll=True))
        self.speakers = SpeakersEditor(self)
        self._row(self._page("講師"), "講師（話す順）", self.speakers, "speakers")
        form = self._page("次第・記録")
        self.agenda = _text_edit("agenda", "種類を選ぶと、その種類の次第のひな形が入ります", self)
        self._row(form, "次第", self.agenda, "agenda")
        self.minutes = _text_edit("minutes", "決まったこと、出た意見、次回までの宿題など", self)
        self._row(form, "記録", self.minutes, "minutes")
        self.notes = _text_edit("notes", "", self)
        self._row(form, "備考", self.notes, "notes")
        self.issue_links = IssueLinksEditor(lambda: self.ctx.services.issues.list_rows(include_archived=False), self)
        issues_form = self._page("課題")
        hint = QLabel("この会議・研修で出た（提起）、話し合った（検討）、決めた（決定）課題ボードの課題です。"
                      "課題ボードの側からも、この会議・研修が見えます。", self)
        hint.setWordWrap(True)
        issues_form.addRow(hint)
        self._row(issues_form, "課題", self.issue_links, "issue")
        self.recurrence: RecurrenceEditor | None = None
        if self.detail is None:
            self.recurrence = RecurrenceEditor(self.ctx.format_date, self.error_labels, self)
            self.recurrence.setObjectName("recurrence")
            self.tabs.addTab(self.recurrence, "繰り返し")
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

    def _build_basic(self, form: QFormLayout) -> None:
        self.basic_form = form
        self.title = QLineEdit(self)
        self.title.setObjectName("field_title")
        self.title.setPlaceholderText("例：薬剤師会 打ち合わせ会")
        self._row(form, "名前（必須）", self.title, "title")
        self.type = self._combo("type", [("（選ばない）", None)] + [(f"{t.name}（{t.layer}）", t.id) for t in self.types])
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
        self.venue = self._combo("venue", [("（未定）", None)] + [
            (v.name + (f"（定員{v.capacity}人）" if v.capacity else ""), v.id) for v in self.venues])
        self._row(form, "会場", self.venue, "venue")
        self.venue_info = QLabel("", self)
        self.venue_info.setObjectName("venueInfo")
        self.venue_info.setStyleSheet("color:#555;")
        form.addRow("", self.venue_info)
        self.capacity = QLineEdit(self)
        self.capacity.setObjectName("field_capacity")
        self.capacity.setPlaceholderText("人数（空欄可）")
        self.capacity.setMaximumWidth(120)
        self._row(form, "定員", self.capacity, "capacity")
        self.status = self._combo("status", [(s, s) for s in STATUSES])
        self._row(form, "状況", self.status, "status")
        keep = {self.base.municipality_id} if self.base.municipality_id else set()
        self.municipality = self._combo("municipality", [("（未設定）", None)] + [
            (m.name, m.id) for m in self.vocab.get("municipality", []) if not m.archived or m.id in keep])
        self._row(form, "市町村", self.municipality, "municipality")
        self.series_label = QLabel("", self)
        self.series_label.setObjectName("seriesInfo")
        self.series_label.setWordWrap(True)
        if self.detail is not None and self.detail.row.series_id:
            total = len(self.ctx.services.meetings.series_rows(self.detail.row.series_id))
            self.series_label.setText(f"繰り返し（全{total}回）の1回です。保存するとき、この回だけか、"
                                      "この回以降のシリーズ全体かを選べます。")
            form.addRow("繰り返し", self.series_label)

    def _build_organiser(self, form: QFormLayout) -> None:
        associations = self.vocab.get("association", [])
        self.organiser = OrganiserEditor(associations, self.base.organiser_association_id, self)
        self._row(form, "主催", self.organiser, "organiser")
        self.co_organisers = association_checks(associations, set(self.base.co_organiser_ids), self)
        self._row(form, "共催（複数可）", self.co_organisers, "co_organisers")
        self.professions = ProfessionPicker(self.vocab.get("profession", []), associations,
                                            set(self.base.profession_ids), self)
        self._row(form, "対象職種（複数可）", self.professions, "professions")

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
        self.municipality.setCurrentIndex(max(0, self.municipality.findData(data.municipality_id)))
        self.organiser.set_values(data.organiser_kind, data.organiser_association_id, data.organiser_text)
        self.co_organisers.set_checked(data.co_organiser_ids)
        self.professions.set_checked(data.profession_ids)
        self.speakers.set_speakers(data.speakers)
        self.agenda.setPlainText(data.agenda)
        self.minutes.setPlainText(data.minutes)
        self.notes.setPlainText(data.notes)
        if self.detail is not None:
            self.issue_links.set_links(self.detail.issues)
        self._venue_changed()
        self._date_changed()

    def _load_stored(self) -> None:
        """「相手の変更を読み込む」: the form shows the stored meeting (and its version) instead of the input."""
        assert self.detail is not None
        try:
            self.detail = self.ctx.services.meetings.get(self.detail.row.id)
        except DomainError as exc:
            self.ctx.messages.failure("読み込めませんでした", exc)
            return
        self.base = input_from_detail(self.detail)
        self._fill(self.base)
        self.refresh_warnings()

    def _connect(self) -> None:
        self.type.currentIndexChanged.connect(self._type_changed)
        self.venue.currentIndexChanged.connect(self._venue_changed)
        self.date.textChanged.connect(self._date_changed)
        for edit, field in ((self.title, "title"), (self.date, "date"), (self.start_time, "start_time"),
                            (self.end_time, "start_time"), (self.capacity, "capacity"),
                            (self.organiser.text, "organiser")):
            edit.textChanged.connect(lambda _t, f=field: self._clear_error(f))
        self.organiser.association.currentIndexChanged.connect(lambda _i: self._clear_error("organiser"))
        for edit in (self.date, self.start_time, self.end_time):
            edit.textChanged.connect(self.refresh_warnings)
        for combo in (self.venue, self.status, self.organiser.kind, self.organiser.association):
            combo.currentIndexChanged.connect(self.refresh_warnings)
        for box in self.co_organisers.boxes.values():
            box.toggled.connect(self.refresh_warnings)
        if self.recurrence is not None:
            self.recurrence.changed.connect(self._clear_rule_errors)

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

    def _venue_changed(self, *_args) -> None:
        """Show the chosen venue's address and capacity under it."""
        venue = next((v for v in self.venues if v.id == self.venue.currentData()), None)
        parts = [venue.address, f"収容{venue.capacity}人" if venue.capacity else ""] if venue else []
        self.venue_info.setText("　".join(p for p in parts if p))
        self.basic_form.setRowVisible(self.venue_info, bool(self.venue_info.text()))

    def _date_changed(self, *_args) -> None:
        if self.recurrence is not None:
            try:
                day = parse_date(self.date.text().strip())
            except ValueError:
                day = None
            self.recurrence.set_start(day)

    def _clear_rule_errors(self) -> None:
        for field in ("freq", "interval", "weekdays", "month_week", "until"):
            self._clear_error(field)

    def current_input(self) -> MeetingInput:
        text = self.capacity.text().strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        capacity: object = int(text) if text.isdigit() else (None if not text else text)
        kind, association, organiser_text = self.organiser.values()
        return MeetingInput(
            title=self.title.text().strip(), type_id=self.type.currentData(), date=self.date.text().strip(),
            start_time=self.start_time.text().strip(), end_time=self.end_time.text().strip(),
            venue_id=self.venue.currentData(), organiser_kind=kind, organiser_association_id=association,
            organiser_text=organiser_text, co_organiser_ids=self.co_organisers.checked_ids(),
            profession_ids=self.professions.checked_ids(), speakers=self.speakers.speakers(),
            capacity=capacity,  # type: ignore[arg-type]
            agenda=self.agenda.toPlainText(), status=self.status.currentText(), minutes=self.minutes.toPlainText(),
            notes=self.notes.toPlainText(), municipality_id=self.municipality.currentData())

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
        if label is not None and label.text():
            label.hide()
            label.setText("")

    def show_issues(self, issues: list[FieldIssue]) -> None:
        """Each message under its field; the first field with one is shown (its tab) and focused."""
        for label in self.error_labels.values():
            label.hide()
            label.setText("")
        by_label: dict[int, tuple[QLabel, list[str]]] = {}
        unplaced: list[str] = []
        for issue in issues:
            label = self.error_labels.get(FIELD_ALIASES.get(issue.field, issue.field))
            if label is None:
                unplaced.append(issue.message)
                continue
            by_label.setdefault(id(label), (label, []))[1].append(issue.message)
        for label, texts in by_label.values():
            label.setText("\n".join(texts))
            label.show()
        pages = [i for i in range(self.tabs.count())
                 if any(self.tabs.widget(i).isAncestorOf(label) for label, _ in by_label.values())]
        for i in range(self.tabs.count()):
            self.tabs.tabBar().setTabTextColor(i, QColor("#c62828") if i in pages else QColor())
        where = "「" + "」「".join(self.tabs.tabText(i) for i in pages) + "」の" if pages else ""
        self.summary_label.setText(f"保存できません。{where}赤字の項目を確認してください（入力した内容はそのまま残っています）。"
                                   + "".join(f"\n・{t}" for t in unplaced))
        self.summary_label.show()
        first = next((f for f in FORM_FIELDS if self.error_labels.get(f) is not None
                      and self.error_labels[f].text()), None)
        if first is None:
            return
        label = self.error_labels[first]
        page = next((i for i in range(self.tabs.count()) if self.tabs.widget(i).isAncestorOf(label)), None)
        if page is not None:
            self.tabs.setCurrentIndex(page)
        widget = getattr(self, first, None)
        if isinstance(widget, QWidget):
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def _local_issues(self, data: MeetingInput) -> list[FieldIssue]:
        issues = []
        if not data.title:
            issues.append(FieldIssue("title", "会議・研修の名前を入力してください"))
        if data.capacity is not None and not isinstance(data.capacity, int):
            issues.append(FieldIssue("capacity", "定員は0以上の整数で入力してください"))
        if data.organiser_kind == "団体" and not data.organiser_association_id:
            issues.append(FieldIssue("organiser", "主催の団体を選んでください"))
        return issues + self.speakers.issues()

    def save(self, *, version: int | None = None, scope: str | None = None) -> None:
        """Save; after 「自分の入力で上書きする」 ``version`` replaces the loaded one and ``scope`` is not asked again."""
        data = self.current_input()
        rule, problems = self.recurrence.rule() if self.recurrence is not None else (None, [])
        problems = self._local_issues(data) + problems
        if problems:
            self.show_issues(problems)
            return
        service = self.ctx.services.meetings
        links = self.issue_links.links()  # saved with the meeting, in the same transaction
        try:
            if self.detail is None and rule is not None:
                self.saved_rows = service.create_series(data, rule, issue_links=links)
                self.saved = self.saved_rows[0]
            elif self.detail is None:
                self.saved = service.create(data, issue_links=links)
            else:
                scope = scope or (SeriesScopeBox(self).ask() if self.detail.row.series_id else "one")
                if scope is None:
                    return
                self.saved = service.update(self.detail.row.id, data,
                                            expected_version=version or self.detail.row.version,
                                            scope=scope, issue_links=links)
        except ValidationError as exc:
            self.show_issues(exc.issues or [FieldIssue("", exc.message)])
            return
        except ConflictError as exc:
            resolve_conflict(self, exc, overwrite=lambda version: self.save(version=version, scope=scope),
                             reload=self._load_stored)
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
