"""Add / edit one issue (課題): the record, its responses (対応策), feedback and history."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout, QHBoxLayout,
    QHeaderView, QLabel, QLineEdit, QListWidget, QPlainTextEdit, QPushButton, QScrollArea, QTableView,
    QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.errors import ConflictError, DomainError, FieldIssue, ValidationError
from zaitaku_desktop.domain.issues import (
    ACTOR_KINDS, FEEDBACK_METHODS, LAYER_KEYS, LAYER_LABELS, PRIORITIES, RESPONSE_STATES, STATUSES, IssueInput,
    ResponseInput,
)
from zaitaku_desktop.models import ChangeRead, VocabItem
from zaitaku_desktop.services.issues import IssueDetail, IssueRow, ResponseRead

from ..conflict_dialog import resolve_conflict
from ..context import AppContext
from ..widgets.form_rows import ERROR_STYLE, add_field_row, tabbed_form_shell
from ..widgets.date_field import with_today_button
from .models import ResponsesModel

WARNING_STYLE = "color:#9a6700;"
RESOLVED = "解決"
FIELD_LABELS = {
    "title": "題名", "description": "内容", "layer": "層", "status": "状態", "priority": "優先度",
    "source_association_id": "出どころの団体", "source_text": "出どころ（会議など）", "raised_on": "抽出日",
    "municipality_id": "市町村", "profession_ids": "職種", "professions": "職種", "theme_ids": "テーマ",
    "themes": "テーマ", "owner": "担当", "next_action": "次の対応", "next_due": "期限",
    "fed_back_on": "フィードバック日", "fed_back_how": "フィードバックの方法", "archived": "アーカイブ",
    "response": "対応策",
}


def _date_text(value: object) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%Y/%m/%d")
    return str(value or "")


def input_from_row(row: IssueRow) -> IssueInput:
    return IssueInput(
        title=row.title, description=row.description, layer=row.layer, status=row.status, priority=row.priority,
        source_association_id=row.source_association_id, source_text=row.source_text, raised_on=row.raised_on,
        municipality_id=row.municipality_id, profession_ids=list(row.profession_ids), theme_ids=list(row.theme_ids),
        owner=row.owner, next_action=row.next_action, next_due=row.next_due, fed_back_on=row.fed_back_on,
        fed_back_how=row.fed_back_how,
    )


def _value(value: object) -> str:
    if value is None or value == "" or value == []:
        return "（空欄）"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if value is True:
        return "はい"
    if value is False:
        return "いいえ"
    return str(value)


def describe_change(entry: ChangeRead) -> str:
    """One history line: a layer move reads 「一次 → 二次：理由」."""
    parts: list[str] = []
    note = entry.note or ""
    for field, pair in (entry.changes or {}).items():
        old, new = (list(pair) + [None, None])[:2] if isinstance(pair, (list, tuple)) else (None, pair)
        label = FIELD_LABELS.get(field, field)
        if entry.action == "create":
            if field in ("title", "layer", "status"):
                parts.append(f"{label}：{_value(new)}")
            continue
        if field == "response":
            parts.append(f"対応策を追加：{_value(new)}" if old in (None, "") else f"対応策：{_value(old)} → {_value(new)}")
        elif field == "layer" and old and new:
            text = f"{old} → {new}"
            if note and text not in note:
                text += f"：{note}"
                note = ""
            elif note:
                text, note = note, ""
            parts.append(text)
        else:
            parts.append(f"{label}：{_value(old)} → {_value(new)}")
    if note:
        parts.append(note if "→" in note else f"（{note}）")
    if entry.action == "create":
        parts.insert(0, "登録")
    return "　".join(parts) if parts else {"archive": "アーカイブ", "restore": "アーカイブから復元"}.get(entry.action,
                                                                                                      entry.action)


def history_lines(ctx: AppContext, entries: list[ChangeRead]) -> list[str]:
    lines = []
    for entry in entries:
        when = entry.changed_at
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        local = when.astimezone()
        who = f"（{entry.changed_by}）" if entry.changed_by else ""
        lines.append(f"{ctx.format_date(local.date(), weekday=False)} {local:%H:%M}{who}　{describe_change(entry)}")
    return lines


class CheckGrid(QWidget):
    """A vocabulary as a grid of check boxes (professions, themes): several can be chosen."""

    def __init__(self, name: str, items: list[VocabItem], selected: set[str], parent: QWidget | None = None, *,
                 columns: int = 4) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        self.boxes: dict[str, QCheckBox] = {}
        shown = [v for v in items if not v.archived or v.id in selected]
        for i, v in enumerate(shown):
            box = QCheckBox(v.name, self)
            box.setObjectName(f"{name}_{v.name}")
            box.setChecked(v.id in selected)
            self.boxes[v.id] = box
            grid.addWidget(box, i // columns, i % columns)

    def checked_ids(self) -> list[str]:
        return [vid for vid, box in self.boxes.items() if box.isChecked()]

    def set_checked(self, ids) -> None:
        wanted = set(ids)
        for vid, box in self.boxes.items():
            box.setChecked(vid in wanted)

    def box(self, name: str) -> QCheckBox:
        for box in self.boxes.values():
            if box.text() == name:
                return box
        raise KeyError(name)


def checkable_list(name: str, items: list[VocabItem], selected: set[str], parent: QWidget, *,
                   columns: int = 4) -> CheckGrid:
    return CheckGrid(name, items, selected, parent, columns=columns)


def checked_ids(widget: CheckGrid) -> list[str]:
    return widget.checked_ids()


def check_by_name(widget: CheckGrid, name: str, on: bool = True) -> None:
    widget.box(name).setChecked(on)


class ResponseDialog(QDialog):
    """One response (対応策): who acts, what, its state and result."""

    def __init__(self, vocab: dict[str, list[VocabItem]], data: ResponseInput | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("responseDialog")
        self.setWindowTitle("対応策の編集" if data else "対応策の追加")
        self.resize(520, 380)
        data = data or ResponseInput()
        form = QFormLayout(self)
        self.actor_kind = QComboBox(self)
        self.actor_kind.setObjectName("field_actor_kind")
        self.actor_kind.addItems(list(ACTOR_KINDS))
        self.actor_kind.setCurrentText(data.actor_kind)
        form.addRow("主体の種類", self.actor_kind)
        self.association = QComboBox(self)
        self.association.setObjectName("field_actor_association")
        self.association.addItem("（選ばない）", None)
        for a in vocab.get("association", []):
            if not a.archived or a.id == data.actor_association_id:
                self.association.addItem(a.name, a.id)
        self.association.setCurrentIndex(max(0, self.association.findData(data.actor_association_id)))
        form.addRow("職能団体", self.association)
        self.actor_text = QLineEdit(data.actor_text, self)
        self.actor_text.setObjectName("field_actor_text")
        self.actor_text.setPlaceholderText("例：連携拠点、推進協議会、○○病院 地域連携室")
        form.addRow("主体（団体以外）", self.actor_text)
        box = QWidget(self)
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        self.action = QPlainTextEdit(data.action, box)
        self.action.setObjectName("field_action")
        self.action.setPlaceholderText("例：退院前カンファレンスの開催ルールを病院連携室と作る")
        col.addWidget(self.action)
        self.action_error = QLabel("", box)
        self.action_error.setObjectName("error_action")
        self.action_error.setStyleSheet(ERROR_STYLE)
        self.action_error.hide()
        col.addWidget(self.action_error)
        form.addRow("対応策（必須）", box)
        self.state = QComboBox(self)
        self.state.setObjectName("field_state")
        self.state.addItems(list(RESPONSE_STATES))
        self.state.setCurrentText(data.state)
        form.addRow("状態", self.state)
        self.result_edit = QLineEdit(data.result, self)
        self.result_edit.setObjectName("field_result")
        form.addRow("結果", self.result_edit)
        buttons = QDialogButtonBox(self)
        ok = buttons.addButton("OK", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("okButton")
        cancel = buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("cancelButton")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.actor_kind.currentTextChanged.connect(self._kind_changed)
        self._kind_changed(self.actor_kind.currentText())

    def _kind_changed(self, kind: str) -> None:
        self.association.setEnabled(kind == "職能団体")

    def value(self) -> ResponseInput:
        return ResponseInput(
            actor_kind=self.actor_kind.currentText(),
            actor_association_id=self.association.currentData() if self.actor_kind.currentText() == "職能団体" else None,
            actor_text=self.actor_text.text().strip(), action=self.action.toPlainText().strip(),
            state=self.state.currentText(), result=self.result_edit.text().strip())

    def _accept(self) -> None:
        if not self.action.toPlainText().strip():
            self.action_error.setText("対応策の内容を入力してください")
            self.action_error.show()
            self.action.setFocus()
            return
        self.accept()


class IssueDialog(QDialog):
    """The issue form. Saving a new issue also saves the responses added before the first save."""

    def __init__(self, ctx: AppContext, vocab: dict[str, list[VocabItem]], *, detail: IssueDetail | None = None,
                 defaults: IssueInput | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.vocab = vocab
        self.detail = detail
        self.saved: IssueRow | None = None
        self.responses_changed = False
        self.base_version = detail.row.version if detail else None  # the version the fields were filled from
        self.pending: list[ResponseInput] = []
        self.error_labels: dict[str, QLabel] = {}
        self.setObjectName("issueDialog")
        self.setWindowTitle("課題の編集" if detail else "課題の新規登録")
        self.resize(820, 680)
        self._build()
        data = input_from_row(detail.row) if detail else (defaults or IssueInput())
        self._fill(data)
        if detail is not None:
            self.responses_model.set_rows(detail.responses)
            self._show_history(detail.history)
        self._layer_changed()

    # --- building ---------------------------------------------------------------------------------------
    def _row(self, form: QFormLayout, label: str, widget: QWidget, field: str) -> None:
        add_field_row(form, label, widget, field, self.error_labels)

    def _line(self, name: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(f"field_{name}")
        edit.setPlaceholderText(placeholder)
        return edit

    def _combo(self, name: str, items: list[tuple[str, object]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(f"field_{name}")
        for text, data in items:
            combo.addItem(text, data)
        return combo

    def _vocab(self, kind: str, keep: set[str] | None = None) -> list[VocabItem]:
        keep = keep or set()
        return [v for v in self.vocab.get(kind, []) if not v.archived or v.id in keep]

    def _build(self) -> None:
        outer, self.summary_label, self.tabs = tabbed_form_shell(self, "issueFormTabs")
        row = self.detail.row if self.detail else None

        # 課題
        page = QWidget(self)
        form = QFormLayout(page)
        self.title = self._line("title", "例：病院からの退院が急で、在宅側の準備が整っていない")
        self.title.textChanged.connect(lambda _t: self._clear_error("title"))
        self._row(form, "題名（必須）", self.title, "title")
        self.description = QPlainTextEdit(self)
        self.description.setObjectName("field_description")
        self.description.setPlaceholderText("出された言葉のまま記録します")
        self.description.setFixedHeight(80)
        self._row(form, "内容", self.description, "description")
        self.layer = self._combo("layer", [(LAYER_LABELS[k], k) for k in LAYER_KEYS])
        self.layer.currentIndexChanged.connect(self._layer_changed)
        self._row(form, "層", self.layer, "layer")
        self.status = self._combo("status", [(s, s) for s in STATUSES])
        self.status.currentIndexChanged.connect(self._layer_changed)
        self.status.currentIndexChanged.connect(lambda _i: self._clear_error("status"))
        self._row(form, "状態", self.status, "status")
        self.reason = self._line("reason", "例：他の職種との話し合いが必要とわかったため")
        self._row(form, "変更の理由", self.reason, "reason")
        self.reason_row_label = form.labelForField(self.reason.parentWidget())
        self.priority = self._combo("priority", [(p, p) for p in PRIORITIES])
        self._row(form, "優先度", self.priority, "priority")
        professions = self._vocab("profession", set(row.profession_ids) if row else set())
        self.professions = checkable_list("field_professions", professions, set(), self, columns=3)
        self._row(form, "職種（複数可）", self.professions, "profession_ids")
        themes = self._vocab("theme", set(row.theme_ids) if row else set())
        self.themes = checkable_list("field_themes", themes, set(), self, columns=4)
        self._row(form, "テーマ", self.themes, "theme_ids")
        assoc_keep = {row.source_association_id} if row and row.source_association_id else set()
        self.source_association = self._combo(
            "source_association", [("（選ばない）", None)] + [(a.name, a.id) for a in self._vocab("association", assoc_keep)])
        self._row(form, "出どころの団体", self.source_association, "source_association_id")
        self.source_text = self._line("source_text", "例：薬剤師会との打ち合わせ会")
        self._row(form, "出どころ（会議など）", self.source_text, "source_text")
        self.raised_on = self._line("raised_on", "例：2026/11/22 または 令和8年11月22日")
        self._row(form, "抽出日", self.raised_on, "raised_on")
        mun_keep = {row.municipality_id} if row and row.municipality_id else set()
        self.municipality = self._combo(
            "municipality", [("（未設定）", None)] + [(m.name, m.id) for m in self._vocab("municipality", mun_keep)])
        self._row(form, "市町村", self.municipality, "municipality_id")
        self.owner = self._line("owner", "例：連携拠点 佐藤")
        self._row(form, "担当", self.owner, "owner")
        self.next_action = self._line("next_action", "例：次回の打ち合わせ会で病院連携室に相談")
        self._row(form, "次の対応", self.next_action, "next_action")
        self.next_due = self._line("next_due", "例：2026/12/20")
        self._row(form, "期限", self.next_due, "next_due")
        area = QScrollArea(self)
        area.setWidgetResizable(True)
        area.setWidget(page)
        self.tabs.addTab(area, "課題")

        # 対応策・フィードバック
        page = QWidget(self)
        col = QVBoxLayout(page)
        col.addWidget(QLabel("対応策（誰が・何を・状態・結果）", page))
        self.responses_model = ResponsesModel(self)
        self.responses = QTableView(page)
        self.responses.setObjectName("responsesTable")
        self.responses.setModel(self.responses_model)
        self.responses.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.responses.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.responses.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.responses.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.responses.verticalHeader().setVisible(False)
        self.responses.doubleClicked.connect(lambda _i: self.edit_response())
        col.addWidget(self.responses, 1)
        bar = QHBoxLayout()
        self.add_response_button = QPushButton("対応策を追加…", page)
        self.add_response_button.setObjectName("addResponse")
        self.add_response_button.clicked.connect(self.add_response)
        self.edit_response_button = QPushButton("編集…", page)
        self.edit_response_button.setObjectName("editResponse")
        self.edit_response_button.clicked.connect(self.edit_response)
        self.archive_response_button = QPushButton("アーカイブ／戻す", page)
        self.archive_response_button.setObjectName("archiveResponse")
        self.archive_response_button.setToolTip("選んだ対応策を一覧から外します（削除はしません）")
        self.archive_response_button.clicked.connect(self.toggle_response_archived)
        bar.addWidget(self.add_response_button)
        bar.addWidget(self.edit_response_button)
        bar.addWidget(self.archive_response_button)
        bar.addStretch(1)
        col.addLayout(bar)
        feedback = QFormLayout()
        self.fed_back_on = self._line("fed_back_on", "団体へ返した日（空欄なら未フィードバック）")
        self._row(feedback, "フィードバック日", with_today_button(self.fed_back_on, "fedBackToday", page), "fed_back_on")
        self.fed_back_how = QComboBox(self)
        self.fed_back_how.setObjectName("field_fed_back_how")
        self.fed_back_how.setEditable(True)
        self.fed_back_how.addItems([""] + list(FEEDBACK_METHODS))
        self._row(feedback, "方法", self.fed_back_how, "fed_back_how")
        col.addWidget(QLabel("団体へのフィードバック", page))
        col.addLayout(feedback)
        self.tabs.addTab(page, "対応策・フィードバック")

        # 履歴
        page = QWidget(self)
        col = QVBoxLayout(page)
        col.addWidget(QLabel("層・状態・担当などの変更履歴（新しい順）", page))
        self.history = QListWidget(page)
        self.history.setObjectName("issueHistory")
        self.history.setWordWrap(True)
        col.addWidget(self.history, 1)
        self.tabs.addTab(page, "履歴")
        self.tabs.setTabEnabled(2, self.detail is not None)

        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        cancel = self.buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("cancelButton")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)

    # --- values ------------------------------------------------------------------------------------------
    def _fill(self, data: IssueInput) -> None:
        self.title.setText(data.title)
        self.description.setPlainText(data.description)
        self.layer.setCurrentIndex(max(0, self.layer.findData(data.layer)))
        self.status.setCurrentIndex(max(0, self.status.findData(data.status)))
        self.priority.setCurrentIndex(max(0, self.priority.findData(data.priority)))
        self.professions.set_checked(data.profession_ids)
        self.themes.set_checked(data.theme_ids)
        self.source_association.setCurrentIndex(max(0, self.source_association.findData(data.source_association_id)))
        self.source_text.setText(data.source_text)
        self.raised_on.setText(_date_text(data.raised_on))
        self.municipality.setCurrentIndex(max(0, self.municipality.findData(data.municipality_id)))
        self.owner.setText(data.owner)
        self.next_action.setText(data.next_action)
        self.next_due.setText(_date_text(data.next_due))
        self.fed_back_on.setText(_date_text(data.fed_back_on))
        self.fed_back_how.setCurrentText(data.fed_back_how)

    def current_input(self) -> IssueInput:
        return IssueInput(
            title=self.title.text().strip(), description=self.description.toPlainText().strip(),
            layer=self.layer.currentData(), status=self.status.currentData(), priority=self.priority.currentData(),
            source_association_id=self.source_association.currentData(), source_text=self.source_text.text().strip(),
            raised_on=self.raised_on.text().strip() or None, municipality_id=self.municipality.currentData(),
            profession_ids=checked_ids(self.professions), theme_ids=checked_ids(self.themes),
            owner=self.owner.text().strip(), next_action=self.next_action.text().strip(),
            next_due=self.next_due.text().strip() or None, fed_back_on=self.fed_back_on.text().strip() or None,
            fed_back_how=self.fed_back_how.currentText().strip(),
        )

    def _layer_changed(self, *_args) -> None:
        """The reason field shows when an existing issue changes layer or status."""
        if self.detail is None:
            changed = False
        else:
            changed = (self.layer.currentData() != self.detail.row.layer
                       or self.status.currentData() != self.detail.row.status)
        self.reason.parentWidget().setVisible(changed)
        if self.reason_row_label is not None:
            self.reason_row_label.setVisible(changed)
        if self.detail is not None and self.layer.currentData() != self.detail.row.layer:
            self.reason.setPlaceholderText("層を変える理由（必須）")
        else:
            self.reason.setPlaceholderText("変更の理由（任意）")

    def _load_stored(self) -> None:
        """「相手の変更を読み込む」: the fields show the stored issue (and its version) instead of the input."""
        assert self.detail is not None
        try:
            self.detail = self.ctx.services.issues.get(self.detail.row.id)
        except DomainError as exc:
            self.ctx.messages.failure("読み込めませんでした", exc)
            return
        self.base_version = self.detail.row.version
        self._fill(input_from_row(self.detail.row))
        self.responses_model.set_rows(self.detail.responses)
        self._show_history(self.detail.history)
        self._layer_changed()

    def _show_history(self, entries: list[ChangeRead]) -> None:
        self.history.clear()
        self.history.addItems(history_lines(self.ctx, entries))

    # --- responses ----------------------------------------------------------------------------------------
    def _pending_rows(self) -> list[ResponseRead]:
        names = {a.id: a.name for a in self.vocab.get("association", [])}
        return [ResponseRead(id="", issue_id="", actor_kind=p.actor_kind, actor_association_id=p.actor_association_id,
                             actor=names.get(p.actor_association_id or "", "") or p.actor_text or p.actor_kind,
                             action=p.action, state=p.state, result=p.result, archived=False)
                for p in self.pending]

    def _refresh_responses(self) -> None:
        if self.detail is None:
            self.responses_model.set_rows(self._pending_rows())
            return
        try:
            self.detail = self.ctx.services.issues.get(self.detail.row.id)
        except DomainError as exc:
            self.ctx.messages.failure("対応策を読み込めません", exc)
            return
        self.responses_model.set_rows(self.detail.responses)
        self._show_history(self.detail.history)

    def add_response(self) -> None:
        dialog = ResponseDialog(self.vocab, parent=self)
        if not dialog.exec():
            return
        data = dialog.value()
        if self.detail is None:
            self.pending.append(data)
        else:
            try:
                self.ctx.services.issues.add_response(self.detail.row.id, data)
            except DomainError as exc:
                self.ctx.messages.failure("対応策を保存できません", exc)
                return
            self.responses_changed = True
        self._refresh_responses()
        self._clear_error("status")

    def edit_response(self) -> None:
        selected = self.responses.selectionModel().selectedRows()
        if not selected:
            return
        pos = selected[0].row()
        current = self.responses_model.row_at(pos)
        data = ResponseInput(actor_kind=current.actor_kind, actor_association_id=current.actor_association_id,
                             actor_text="" if current.actor_association_id else
                             ("" if current.actor == current.actor_kind else current.actor),
                             action=current.action, state=current.state, result=current.result)
        if self.detail is None:
            data = self.pending[pos]
        dialog = ResponseDialog(self.vocab, data, parent=self)
        if not dialog.exec():
            return
        if self.detail is None:
            self.pending[pos] = dialog.value()
        else:
            try:
                self.ctx.services.issues.update_response(current.id, dialog.value())
            except DomainError as exc:
                self.ctx.messages.failure("対応策を保存できません", exc)
                return
            self.responses_changed = True
        self._refresh_responses()

    def toggle_response_archived(self) -> None:
        selected = self.responses.selectionModel().selectedRows()
        if not selected:
            return
        pos = selected[0].row()
        if self.detail is None:  # not saved yet: just drop it
            del self.pending[pos]
            self._refresh_responses()
            return
        current = self.responses_model.row_at(pos)
        try:
            self.ctx.services.issues.set_response_archived(current.id, not current.archived)
        except DomainError as exc:
            self.ctx.messages.failure("対応策を変更できません", exc)
            return
        self.responses_changed = True
        self._refresh_responses()

    # --- validation and saving -----------------------------------------------------------------------------
    def _clear_error(self, field: str) -> None:
        label = self.error_labels.get(field)
        if label is not None and label.isVisible():
            label.hide()
            label.setText("")

    def show_issues(self, issues: list[FieldIssue]) -> None:
        for label in self.error_labels.values():
            label.hide()
            label.setText("")
        by_field: dict[str, list[FieldIssue]] = {}
        for issue in issues:
            field = issue.field
            if field not in self.error_labels:
                field = "status" if "対応策" in issue.message or "解決" in issue.message else field
            if field.endswith("s") and field[:-1] + "_ids" in self.error_labels:
                field = field[:-1] + "_ids"
            by_field.setdefault(field, []).append(issue)
        unplaced = []
        for field, found in by_field.items():
            label = self.error_labels.get(field)
            if label is None:
                unplaced.extend(found)
                continue
            label.setText("\n".join(i.message for i in found))
            label.setStyleSheet(ERROR_STYLE if any(i.is_error for i in found) else WARNING_STYLE)
            label.show()
        errors = [i for i in issues if i.is_error]
        if errors:
            self.summary_label.setText("保存できません。赤字の項目を確認してください（入力した内容はそのまま残っています）。"
                                       + "".join(f"\n・{i.message}" for i in unplaced))
            self.summary_label.show()
            first = next((f for f, found in by_field.items() if f in self.error_labels
                          and any(i.is_error for i in found)), "")
            page = 1 if first in ("fed_back_on", "fed_back_how") else 0
            self.tabs.setCurrentIndex(page)
            widget = self.findChild(QWidget, f"field_{first.removesuffix('_id')}")
            if widget is not None:
                widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def _local_issues(self, data: IssueInput) -> list[FieldIssue]:
        issues = []
        if not data.title:
            issues.append(FieldIssue("title", "題名を入力してください"))
        if self.detail is not None and data.layer != self.detail.row.layer and not self.reason.text().strip():
            issues.append(FieldIssue("reason", "層を変える理由を入力してください"))
        return issues

    def save(self, *, version: int | None = None) -> None:
        """Save; ``version`` (after 「自分の入力で上書きする」) replaces the version the fields were filled from."""
        data = self.current_input()
        local = self._local_issues(data)
        if local:
            self.show_issues(local)
            return
        service = self.ctx.services.issues
        try:
            if self.detail is None:
                resolve_later = data.status == RESOLVED and bool(self.pending)
                if resolve_later:  # responses are saved once the issue exists
                    data.status = "対応中"
                saved = service.create(data)
                if self.pending or resolve_later:
                    # From here on the issue exists: a later failure leaves the form editing it.
                    for response in self.pending:
                        service.add_response(saved.id, response)
                    self.pending = []
                    self.detail = service.get(saved.id)
                    self.base_version = self.detail.row.version
                    self.responses_changed = True
                    if resolve_later:
                        data.status = RESOLVED
                        saved = service.update(saved.id, data)
                    else:
                        saved = self.detail.row
                self.saved = saved
            else:
                self.saved = service.update(self.detail.row.id, data, expected_version=version or self.base_version,
                                            reason=self.reason.text().strip())
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
