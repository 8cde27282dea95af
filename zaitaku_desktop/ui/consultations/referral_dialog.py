"""Refer a consultation to providers from the resource list, and record what came of a referral.

The search is the resource tab's (text, 種別, 地域) plus several サービス・対応 at once — "a clinic that does
訪問診療 and 在宅看取り in 地区 X". Passing the person's details to the provider needs an active consent:
when there is none, the consent form opens first and the referral is saved only after it."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QPushButton, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.consultations import REFERRAL_HOWS
from zaitaku_desktop.domain.errors import DomainError, ValidationError
from zaitaku_desktop.models import ResourceRow
from zaitaku_desktop.services.consultations import ConsultationDetail, ReferralRead
from zaitaku_desktop.services.resource_query import ResourceFilter, filter_indices

from ..context import AppContext
from . import CheckList, dialog_buttons, error_label, keyed_combo, read_day, show_error

MAX_SHOWN = 300
CHECK_STYLE = ("QTableWidget::indicator:unchecked { width: 13px; height: 13px; border: 1px solid #757575;"
               " background: #ffffff; }")
CONSENT_FIRST = ("紹介先に本人の情報を伝えるには、先に本人の同意を記録してください。"
                 "同意を記録すると、そのまま紹介を保存します。")


def _table(name: str, headers: list[str], parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.setWordWrap(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    table.setStyleSheet(CHECK_STYLE)
    return table


class ReferralDialog(QDialog):
    def __init__(self, ctx: AppContext, consultation_id: str, parent: QWidget | None = None, *,
                 detail: ConsultationDetail | None = None, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.consultation_id = consultation_id
        self.service = ctx.services.consultations
        self.detail = detail if detail is not None and detail.row.id == consultation_id else self.service.get(
            consultation_id)
        self.today = today or dt.date.today()
        self.changed = False
        self.saved: list[ReferralRead] = []
        self.picked: dict[str, ResourceRow] = {}
        self.rows = [r for r in ctx.services.resources.list_rows() if not r.archived]
        self.texts = [r.search_text for r in self.rows]
        self.setObjectName("referralDialog")
        self.setWindowTitle(f"紹介先 — 相談 {self.detail.row.case_no}")
        self.resize(1000, 680)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("referralTabs")
        self.tabs.addTab(self._pick_page(), "紹介先を選ぶ")
        self.tabs.addTab(self._outcome_page(), "紹介の結果")
        layout.addWidget(self.tabs, 1)
        buttons, self.ok_button = dialog_buttons(self, "紹介を記録", cancel_text="閉じる")
        buttons.accepted.connect(self.save)
        layout.addWidget(buttons)
        self.tabs.currentChanged.connect(lambda i: self.ok_button.setVisible(i == 0))
        self.refilter()
        self._fill_referrals()

    # --- choosing providers ---------------------------------------------------------------------------
    def _pick_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        vocab = self.ctx.services.vocab
        bar = QHBoxLayout()
        self.search = QLineEdit(page)
        self.search.setObjectName("referralSearch")
        self.search.setPlaceholderText("検索：名称・読み・住所・電話番号（ひらがな・カタカナどちらでも）")
        self.search.setClearButtonEnabled(True)
        bar.addWidget(self.search, 2)
        self.category = QComboBox(page)
        self.category.setObjectName("referralCategory")
        self.category.addItem("すべての種別", None)
        for c in vocab.list("category"):
            self.category.addItem(c.name, c.id)
        self.area = QComboBox(page)
        self.area.setObjectName("referralArea")
        self.area.addItem("すべての地域", None)
        districts = vocab.list("district")
        for m in vocab.list("municipality"):
            self.area.addItem(m.name, ("m", m.id))
            for d in districts:
                if d.parent_id == m.id:
                    self.area.addItem(f"　{m.name}・{d.name}", ("d", d.id))
        for combo in (self.category, self.area):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self.refilter)
            bar.addWidget(combo)
        layout.addLayout(bar)
        layout.addWidget(QLabel("サービス・対応（チェックしたものをすべて満たす所）", page))
        self.capabilities = CheckList("referralCapabilities",
                                      [(c.name, c.id) for c in vocab.list("capability")], page, columns=4)
        layout.addWidget(self.capabilities)
        self.search.textChanged.connect(self.refilter)
        self.capabilities.changed.connect(self.refilter)
        self.results = _table("referralResults", ["名称", "種別", "地域", "電話番号", "サービス・対応"], page)
        for col, width in enumerate((260, 140, 140, 120)):
            self.results.setColumnWidth(col, width)
        self.results.itemChanged.connect(self._check_changed)
        layout.addWidget(self.results, 1)
        self.result_count = QLabel("", page)
        self.result_count.setObjectName("referralCount")
        layout.addWidget(self.result_count)
        form = QFormLayout()
        self.picked_label = QLabel("まだ選んでいません（一覧の名称にチェックを入れます）", page)
        self.picked_label.setObjectName("pickedLabel")
        self.picked_label.setWordWrap(True)
        form.addRow("選んだ紹介先", self.picked_label)
        self.referred_on = QLineEdit(self.today.strftime("%Y/%m/%d"), page)
        self.referred_on.setObjectName("field_referred_on")
        self.referred_on.setMaximumWidth(160)
        form.addRow("紹介した日", self.referred_on)
        self.how = keyed_combo("how", REFERRAL_HOWS, page)
        self.how.setMaximumWidth(200)
        form.addRow("方法", self.how)
        self.share = QCheckBox("本人の情報を紹介先に伝える", page)
        self.share.setObjectName("sharePersonal")
        self.share.setToolTip("本人の同意が記録されていないときは、先に同意の記録を求めます")
        form.addRow("", self.share)
        layout.addLayout(form)
        self.pick_error = error_label("error_pick", page)
        layout.addWidget(self.pick_error)
        return page

    def current_filter(self) -> ResourceFilter:
        area = self.area.currentData()
        return ResourceFilter(text=self.search.text(), category_id=self.category.currentData(),
                              municipality_id=area[1] if area and area[0] == "m" else None,
                              district_id=area[1] if area and area[0] == "d" else None)

    def matching(self) -> list[ResourceRow]:
        wanted = set(self.capabilities.checked())
        found = (self.rows[i] for i in filter_indices(self.rows, self.texts, self.current_filter(), dt.date.min))
        return [r for r in found if wanted <= r.capability_ids]

    def refilter(self, *_args) -> None:
        rows = self.matching()
        shown = rows[:MAX_SHOWN]
        self.results.blockSignals(True)
        self.results.setRowCount(len(shown))
        for i, r in enumerate(shown):
            name = QTableWidgetItem(r.name)
            name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
            name.setCheckState(Qt.CheckState.Checked if r.id in self.picked else Qt.CheckState.Unchecked)
            name.setData(Qt.ItemDataRole.UserRole, r.id)
            self.results.setItem(i, 0, name)
            area = "・".join(p for p in (r.municipality, r.district) if p)
            for col, text in enumerate((r.category, area, r.phone, "・".join(r.capabilities)), 1):
                self.results.setItem(i, col, QTableWidgetItem(text))
        self.results.blockSignals(False)
        more = f"（先頭の{MAX_SHOWN}件を表示）" if len(rows) > MAX_SHOWN else ""
        self.result_count.setText(f"{len(rows):,} 件が条件に合います{more}")

    def _check_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != 0:
            return
        resource_id = item.data(Qt.ItemDataRole.UserRole)
        row = next((r for r in self.rows if r.id == resource_id), None)
        if row is None:
            return
        if item.checkState() == Qt.CheckState.Checked:
            self.picked[resource_id] = row
        else:
            self.picked.pop(resource_id, None)
        show_error(self.pick_error, "")
        self.picked_label.setText("、".join(r.name for r in self.picked.values())
                                  or "まだ選んでいません（一覧の名称にチェックを入れます）")

    def pick(self, name: str) -> None:
        """Tick a provider shown in the results by its name (as a click on its check box does)."""
        for i in range(self.results.rowCount()):
            item = self.results.item(i, 0)
            if item.text() == name:
                item.setCheckState(Qt.CheckState.Checked)
                return
        raise LookupError(name)

    # --- saving ---------------------------------------------------------------------------------------------
    def _consent_first(self) -> bool:
        """No active consent: ask for it (the consent form); True when there is one afterwards."""
        if self.service.shareable(self.consultation_id):
            return True
        from .consent_dialog import ConsentDialog

        dialog = ConsentDialog(self.ctx, self.detail.row.case_id, self, consents=self.detail.consents,
                               reason=CONSENT_FIRST, recipients="、".join(r.name for r in self.picked.values()))
        dialog.exec()
        if dialog.changed:
            self.changed = True
        if self.service.shareable(self.consultation_id):
            return True
        self.ctx.messages.warning(
            "紹介を保存していません",
            "本人の同意が記録されていないため、本人の情報を伝える紹介は保存できません。\n"
            "「本人の情報を紹介先に伝える」のチェックを外すと、本人の情報を伝えずに紹介を記録できます。")
        return False

    def save(self) -> None:
        if not self.picked:
            show_error(self.pick_error, "紹介先を一覧から選んでください（名称にチェックを入れます）")
            return
        day, readable = read_day(self.referred_on.text())
        if not readable or day is None:
            show_error(self.pick_error, "紹介した日を 2026/12/05 や 令和8年12月5日 の形で入力してください")
            return
        share = self.share.isChecked()
        if share and not self._consent_first():
            return
        try:
            for resource_id in list(self.picked):
                self.saved.append(self.service.add_referral(self.consultation_id, resource_id, day,
                                                            self.how.currentData(), share_personal=share))
                self.picked.pop(resource_id)
                self.changed = True
        except ValidationError as exc:
            show_error(self.pick_error, "\n".join(i.message for i in exc.issues) or exc.message)
            return
        except DomainError as exc:
            self.ctx.messages.failure("紹介を記録できませんでした", exc)
            return
        self.accept()

    # --- outcomes of earlier referrals -------------------------------------------------------------------------
    def _outcome_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.referral_table = _table("referralList", ["紹介した日", "紹介先", "方法", "本人の情報", "結果", "結果の日"], page)
        for col, width in enumerate((170, 240, 80, 110, 240)):
            self.referral_table.setColumnWidth(col, width)
        self.referral_table.currentCellChanged.connect(lambda *_a: self._referral_picked())
        layout.addWidget(self.referral_table, 1)
        form = QFormLayout()
        self.outcome = QLineEdit(page)
        self.outcome.setObjectName("field_outcome")
        self.outcome.setPlaceholderText("例：受け入れ可、12/3から訪問診療開始")
        form.addRow("結果", self.outcome)
        line = QHBoxLayout()
        self.outcome_on = QLineEdit(self.today.strftime("%Y/%m/%d"), page)
        self.outcome_on.setObjectName("field_outcome_on")
        self.outcome_on.setMaximumWidth(160)
        line.addWidget(self.outcome_on)
        self.outcome_button = QPushButton("結果を保存", page)
        self.outcome_button.setObjectName("saveOutcome")
        self.outcome_button.clicked.connect(self.save_outcome)
        line.addWidget(self.outcome_button)
        line.addStretch(1)
        form.addRow("結果の日", line)
        layout.addLayout(form)
        self.outcome_error = error_label("error_outcome", page)
        layout.addWidget(self.outcome_error)
        self.outcome_note = QLabel("", page)
        self.outcome_note.setObjectName("outcomeNote")
        self.outcome_note.setStyleSheet("color:#2e7d32;")
        layout.addWidget(self.outcome_note)
        return page

    def _fill_referrals(self) -> None:
        fmt = self.ctx.format_date
        referrals = self.detail.referrals
        self.referral_table.setRowCount(len(referrals))
        for i, r in enumerate(referrals):
            texts = (fmt(r.referred_on, weekday=False), r.resource_name, r.how, "伝えた" if r.personal_shared else "なし",
                     r.outcome, fmt(r.outcome_on, weekday=False) if r.outcome_on else "")
            for col, text in enumerate(texts):
                self.referral_table.setItem(i, col, QTableWidgetItem(text))
        self.outcome_button.setEnabled(bool(referrals))
        if referrals:
            self.referral_table.setCurrentCell(0, 0)

    def _referral_picked(self) -> None:
        row = self.referral_table.currentRow()
        if 0 <= row < len(self.detail.referrals):
            self.outcome.setText(self.detail.referrals[row].outcome)

    def save_outcome(self) -> None:
        row = self.referral_table.currentRow()
        if not 0 <= row < len(self.detail.referrals):
            return
        day, readable = read_day(self.outcome_on.text())
        if not readable:
            show_error(self.outcome_error, "結果の日を 2026/12/05 や 令和8年12月5日 の形で入力してください")
            return
        try:
            self.service.set_referral_outcome(self.detail.referrals[row].id, self.outcome.text().strip(), day)
        except ValidationError as exc:
            show_error(self.outcome_error, "\n".join(i.message for i in exc.issues) or exc.message)
            return
        except DomainError as exc:
            self.ctx.messages.failure("結果を記録できませんでした", exc)
            return
        show_error(self.outcome_error, "")
        self.changed = True
        self.detail = self.service.get(self.consultation_id)
        self._fill_referrals()
        self.referral_table.setCurrentCell(row, 0)
        self.outcome_note.setText(f"「{self.detail.referrals[row].resource_name}」の結果を記録しました。")
