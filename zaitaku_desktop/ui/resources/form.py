"""Add / edit one provider, with inline validation under each field."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout, QGroupBox,
    QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QScrollArea, QTableWidget,
    QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.errors import ConflictError, DomainError, FieldIssue, ValidationError
from zaitaku_desktop.domain.resource import KeyPerson, ResourceInput, validate_resource
from zaitaku_desktop.models import ResourceDetail, ResourceRow, VocabItem
from zaitaku_desktop.services.resources import input_from_row

from ..conflict_dialog import resolve_conflict
from ..context import AppContext
from ..widgets.form_rows import add_field_row
from ..widgets.date_field import with_today_button

ERROR_STYLE = "color:#c62828;"
WARNING_STYLE = "color:#9a6700;"
MARK_CHOICES = [("", "未確認"), ("○", "○ 可"), ("△", "△ 要相談"), ("×", "× 不可")]
CONFIRM_SOURCES = ["電話確認", "訪問時確認", "FAX回答", "メール回答", "調査票", "事業所からの連絡", "公開情報"]


class ResourceDialog(QDialog):
    def __init__(self, ctx: AppContext, vocab: dict[str, list[VocabItem]], *,
                 detail: ResourceDetail | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.vocab = vocab
        self.detail = detail
        self.saved: ResourceRow | None = None
        self.setObjectName("resourceDialog")
        self.setWindowTitle("資源の編集" if detail else "資源の新規登録")
        self.resize(760, 640)
        self.error_labels: dict[str, QLabel] = {}
        self._build()
        if detail is not None:
            self._fill(input_from_row(detail))
        self._validate()

    # --- building -------------------------------------------------------------------------
    def _line(self, name: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(f"field_{name}")
        edit.setPlaceholderText(placeholder)
        edit.textChanged.connect(self._validate)
        return edit

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
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("resourceFormTabs")
        outer.addWidget(self.tabs, 1)

        # 基本情報
        page = QWidget(self)
        form = QFormLayout(page)
        self.name = self._line("name", "例：はまなす内科クリニック")
        self._row(form, "名称（必須）", self.name, "name")
        self.reading = self._line("reading", "例：はまなすないかくりにっく（並べ替えに使います）")
        self._row(form, "読み", self.reading, "reading")
        self.category = QComboBox(self)
        self.category.setObjectName("field_category")
        self.category.addItem("（選んでください）", None)
        for c in self.vocab.get("category", []):
            if not c.archived or (self.detail and self.detail.row.category_id == c.id):
                self.category.addItem(c.name, c.id)
        self.category.currentIndexChanged.connect(self._validate)
        self._row(form, "種別（必須）", self.category, "category_id")
        self.municipality = QComboBox(self)
        self.municipality.setObjectName("field_municipality")
        self.municipality.addItem("（未設定）", None)
        for m in self.vocab.get("municipality", []):
            if not m.archived or (self.detail and self.detail.row.municipality_id == m.id):
                self.municipality.addItem(m.name, m.id)
        self.municipality.currentIndexChanged.connect(self._refill_districts)
        self._row(form, "市町村", self.municipality, "municipality_id")
        self.district = QComboBox(self)
        self.district.setObjectName("field_district")
        self.district.currentIndexChanged.connect(self._validate)
        self._row(form, "地区", self.district, "district_id")
        self._refill_districts()
        self.postal = self._line("postal_code", "例：026-0025")
        self._row(form, "郵便番号", self.postal, "postal_code")
        self.address = self._line("address", "例：岩手県釜石市只越町1丁目4-4")
        self._row(form, "住所", self.address, "address")
        self.phone = self._line("phone", "例：0193-22-1234")
        self._row(form, "電話番号", self.phone, "phone")
        self.fax = self._line("fax", "例：0193-22-1235")
        self._row(form, "FAX番号", self.fax, "fax")
        self.email = self._line("email", "例：info@example.jp")
        self._row(form, "メール", self.email, "email")
        self.url = self._line("url", "例：https://www.example.jp/")
        self._row(form, "URL", self.url, "url")
        coords = QWidget(self)
        crow = QHBoxLayout(coords)
        crow.setContentsMargins(0, 0, 0, 0)
        self.lat = self._line("lat", "緯度 例：39.2755")
        self.lon = self._line("lon", "経度 例：141.8857")
        crow.addWidget(self.lat)
        crow.addWidget(self.lon)
        self._row(form, "緯度・経度", coords, "lat")
        self.error_labels["lon"] = self.error_labels["lat"]
        self.tabs.addTab(self._scroll(page), "基本情報")

        # サービス・医療処置
        page = QWidget(self)
        col = QVBoxLayout(page)
        group = QGroupBox("サービス・対応", page)
        grid = QGridLayout(group)
        self.capability_boxes: dict[str, QCheckBox] = {}
        caps = [c for c in self.vocab.get("capability", []) if not c.archived or
                (self.detail and c.id in self.detail.row.capability_ids)]
        for i, cap in enumerate(caps):
            box = QCheckBox(cap.name, group)
            box.setObjectName(f"cap_{cap.name}")
            self.capability_boxes[cap.id] = box
            grid.addWidget(box, i // 3, i % 3)
        col.addWidget(group)
        short = QGroupBox("ショートステイ空き", page)
        sform = QFormLayout(short)
        self.vacancies = self._line("shortstay_vacancies", "空き床数（例：2）")
        self._row(sform, "空き数", self.vacancies, "shortstay_vacancies")
        self.vacancies_date = self._line("shortstay_as_of", "いつ時点か（空欄なら今日）")
        self._row(sform, "時点", self.vacancies_date, "shortstay_as_of")
        col.addWidget(short)
        proc_group = QGroupBox("医療処置への対応（○ 可・△ 要相談・× 不可・空欄 未確認）", page)
        pgrid = QGridLayout(proc_group)
        self.procedure_combos: dict[str, QComboBox] = {}
        procs = [p for p in self.vocab.get("procedure", []) if not p.archived or
                 (self.detail and p.id in self.detail.procedure_ids)]
        for i, proc in enumerate(procs):
            label = QLabel(proc.name, proc_group)
            combo = QComboBox(proc_group)
            combo.setObjectName(f"proc_{proc.name}")
            for mark, text in MARK_CHOICES:
                combo.addItem(text, mark)
            self.procedure_combos[proc.id] = combo
            pgrid.addWidget(label, i // 2, (i % 2) * 2)
            pgrid.addWidget(combo, i // 2, (i % 2) * 2 + 1)
        col.addWidget(proc_group)
        err = QLabel("", page)
        err.setObjectName("error_procedures")
        err.hide()
        self.error_labels["procedures"] = err
        col.addWidget(err)
        col.addStretch(1)
        self.tabs.addTab(self._scroll(page), "サービス・医療処置")

        # キーパーソン
        page = QWidget(self)
        col = QVBoxLayout(page)
        col.addWidget(QLabel("連携のキーパーソン（氏名・役割・直通電話）", page))
        self.persons = QTableWidget(0, 3, page)
        self.persons.setObjectName("keyPersons")
        self.persons.setHorizontalHeaderLabels(["氏名", "役割", "直通電話"])
        self.persons.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.persons.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.persons.itemChanged.connect(self._validate)
        col.addWidget(self.persons, 1)
        buttons = QHBoxLayout()
        add = QPushButton("行を追加", page)
        add.setObjectName("addPerson")
        add.clicked.connect(lambda: self._add_person(KeyPerson()))
        remove = QPushButton("選んだ行を削除", page)
        remove.setObjectName("removePerson")
        remove.clicked.connect(self._remove_person)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        col.addLayout(buttons)
        err = QLabel("", page)
        err.setObjectName("error_key_persons")
        err.setWordWrap(True)
        err.hide()
        self.error_labels["key_persons"] = err
        col.addWidget(err)
        self.tabs.addTab(page, "キーパーソン")

        # 営業・備考・確認
        page = QWidget(self)
        form = QFormLayout(page)
        self.hours = self._line("opening_hours", "例：月〜金 9:00〜17:30、土 9:00〜12:00")
        self._row(form, "営業日・時間", self.hours, "opening_hours")
        self.visit_area = self._line("visit_area", "例：釜石市全域、大槌町")
        self._row(form, "訪問エリア", self.visit_area, "visit_area")
        self.notes = QPlainTextEdit(self)
        self.notes.setObjectName("field_notes")
        self.notes.textChanged.connect(self._validate)
        self._row(form, "備考", self.notes, "notes")
        self.confirmed = self._line("last_confirmed", "例：2026/11/22 または 令和8年11月22日")
        self._row(form, "最終確認日", with_today_button(self.confirmed, "confirmedToday", self), "last_confirmed")
        self.source = QComboBox(self)
        self.source.setObjectName("field_confirmed_source")
        self.source.setEditable(True)
        self.source.addItems([""] + CONFIRM_SOURCES)
        self._row(form, "確認方法", self.source, "confirmed_source")
        self.tabs.addTab(self._scroll(page), "営業・備考・確認")

        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        cancel = self.buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("cancelButton")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)

    def _scroll(self, page: QWidget) -> QScrollArea:
        area = QScrollArea(self)
        area.setWidgetResizable(True)
        area.setWidget(page)
        return area

    def _refill_districts(self, *_args) -> None:
        current = self.district.currentData()
        mun = self.municipality.currentData()
        self.district.blockSignals(True)
        self.district.clear()
        self.district.addItem("（未設定）", None)
        for d in self.vocab.get("district", []):
            if d.parent_id == mun and mun is not None and (
                    not d.archived or (self.detail and self.detail.row.district_id == d.id)):
                self.district.addItem(d.name, d.id)
        self.district.setCurrentIndex(max(0, self.district.findData(current)))
        self.district.blockSignals(False)
        self._validate()

    def _add_person(self, person: KeyPerson) -> None:
        self.persons.blockSignals(True)
        row = self.persons.rowCount()
        self.persons.insertRow(row)
        for col, value in enumerate((person.name, person.role, person.phone)):
            self.persons.setItem(row, col, QTableWidgetItem(value))
        self.persons.blockSignals(False)
        self._validate()

    def _remove_person(self) -> None:
        rows = sorted({i.row() for i in self.persons.selectedIndexes()}, reverse=True)
        if not rows and self.persons.rowCount():
            rows = [self.persons.rowCount() - 1]
        for row in rows:
            self.persons.removeRow(row)
        self._validate()

    # --- values ---------------------------------------------------------------------------------
    def _fill(self, data: ResourceInput) -> None:
        self.name.setText(data.name)
        self.reading.setText(data.reading)
        self.category.setCurrentIndex(max(0, self.category.findData(data.category_id)))
        self.municipality.setCurrentIndex(max(0, self.municipality.findData(data.municipality_id)))
        self._refill_districts()
        self.district.setCurrentIndex(max(0, self.district.findData(data.district_id)))
        self.postal.setText(data.postal_code)
        self.address.setText(data.address)
        self.phone.setText(data.phone)
        self.fax.setText(data.fax)
        self.email.setText(data.email)
        self.url.setText(data.url)
        self.lat.setText("" if data.lat is None else str(data.lat))
        self.lon.setText("" if data.lon is None else str(data.lon))
        for cid, box in self.capability_boxes.items():
            box.setChecked(cid in data.capability_ids)
        self.vacancies.setText("" if data.shortstay_vacancies is None else str(data.shortstay_vacancies))
        as_of = data.shortstay_as_of
        self.vacancies_date.setText(as_of.strftime("%Y/%m/%d") if isinstance(as_of, dt.date) else (as_of or ""))
        for pid, combo in self.procedure_combos.items():
            combo.setCurrentIndex(max(0, combo.findData(data.procedure_marks.get(pid, ""))))
        for person in data.key_persons:
            self._add_person(person)
        self.hours.setText(data.opening_hours)
        self.visit_area.setText(data.visit_area)
        self.notes.setPlainText(data.notes)
        confirmed = data.last_confirmed
        self.confirmed.setText(confirmed.strftime("%Y/%m/%d") if isinstance(confirmed, dt.date) else (confirmed or ""))
        self.source.setCurrentText(data.confirmed_source)

    def current_input(self) -> ResourceInput:
        persons = []
        for row in range(self.persons.rowCount()):
            cells = [self.persons.item(row, c).text() if self.persons.item(row, c) else "" for c in range(3)]
            persons.append(KeyPerson(*cells))
        return ResourceInput(
            name=self.name.text(), reading=self.reading.text(), category_id=self.category.currentData(),
            municipality_id=self.municipality.currentData(), district_id=self.district.currentData(),
            postal_code=self.postal.text(), address=self.address.text(), phone=self.phone.text(),
            fax=self.fax.text(), email=self.email.text(), url=self.url.text(), lat=self.lat.text(),
            lon=self.lon.text(), opening_hours=self.hours.text(), visit_area=self.visit_area.text(),
            notes=self.notes.toPlainText(), last_confirmed=self.confirmed.text(),
            confirmed_source=self.source.currentText(), shortstay_vacancies=self.vacancies.text(),
            shortstay_as_of=self.vacancies_date.text(),
            capability_ids=[cid for cid, box in self.capability_boxes.items() if box.isChecked()],
            procedure_marks={pid: combo.currentData() for pid, combo in self.procedure_combos.items()
                             if combo.currentData()},
            key_persons=persons,
        )

    # --- validation and saving ---------------------------------------------------------------------
    def _validate(self, *_args) -> list[FieldIssue]:
        if not hasattr(self, "source"):
            return []  # still building
        _clean, issues = validate_resource(self.current_input())
        self.show_issues(issues, quiet_required=not self.summary_label.isVisible())
        return issues

    def show_issues(self, issues: list[FieldIssue], *, quiet_required: bool = False) -> None:
        """Show each issue under its field. Before the first save attempt, 'required'
        messages for fields the user hasn't reached yet stay hidden."""
        by_field: dict[str, list[FieldIssue]] = {}
        for issue in issues:
            if quiet_required and issue.field in ("name", "category_id") and issue.message.endswith(("入力してください", "選んでください")):
                continue
            by_field.setdefault(issue.field, []).append(issue)
        for label in set(self.error_labels.values()):
            label.hide()
            label.setText("")
        for field, found in by_field.items():
            label = self.error_labels.get(field)
            if label is None:
                continue
            label.setText("\n".join(i.message for i in found))
            label.setStyleSheet(ERROR_STYLE if any(i.is_error for i in found) else WARNING_STYLE)
            label.show()

    def save(self, *, version: int | None = None) -> None:
        """Save; ``version`` (after 「自分の入力で上書きする」) replaces the version the form loaded."""
        data = self.current_input()
        _clean, issues = validate_resource(data)
        errors = [i for i in issues if i.is_error]
        if errors:
            self._show_errors(issues)
            return
        try:
            if self.detail is None:
                self.saved = self.ctx.services.resources.create(data)
            else:
                self.saved = self.ctx.services.resources.update(
                    self.detail.row.id, data, expected_version=version or self.detail.row.version)
        except ValidationError as exc:
            self._show_errors(exc.issues)
            return
        except ConflictError as exc:
            resolve_conflict(self, exc, overwrite=lambda version: self.save(version=version),
                             reload=self._load_stored)
            return
        except DomainError as exc:
            self.ctx.messages.failure("保存できませんでした", exc)
            return
        self.accept()

    def _load_stored(self) -> None:
        """「相手の変更を読み込む」: the form shows the stored record (and its version) instead of the input."""
        assert self.detail is not None
        try:
            self.detail = self.ctx.services.resources.get(self.detail.row.id)
        except DomainError as exc:
            self.ctx.messages.failure("読み込めませんでした", exc)
            return
        self.persons.setRowCount(0)
        self._fill(input_from_row(self.detail))
        self.summary_label.hide()
        self._validate()

    def _show_errors(self, issues: list[FieldIssue]) -> None:
        errors = [i for i in issues if i.is_error]
        self.summary_label.setText("保存できません。赤字の項目を確認してください（入力した内容はそのまま残っています）。\n"
                                   + "\n".join(f"・{i.message}" for i in errors))
        self.summary_label.show()
        self.show_issues(issues)
        first = errors[0].field if errors else ""
        tab_of = {"capabilities": 1, "procedures": 1, "shortstay_vacancies": 1, "shortstay_as_of": 1,
                  "key_persons": 2, "opening_hours": 3, "visit_area": 3, "notes": 3, "last_confirmed": 3,
                  "confirmed_source": 3}
        self.tabs.setCurrentIndex(tab_of.get(first, 0))
        widget = self.findChild(QWidget, f"field_{first.removesuffix('_id')}")
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
