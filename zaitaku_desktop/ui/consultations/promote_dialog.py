"""「課題ボードへ」: when a theme recurs (e.g. five 退院調整 consultations in a quarter), make one issue on the
board from those consultations — with the layer and professions chosen, and without any personal data."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
    QPlainTextEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.errors import DomainError, ValidationError
from zaitaku_desktop.domain.issues import LAYER_KEYS
from zaitaku_desktop.domain.vocab import LAYERS
from zaitaku_desktop.services.consultations import PromotionCandidate

from ..context import AppContext
from ..meetings.form_parts import ProfessionPicker
from . import dialog_buttons, error_label, read_day, show_error
from .stats_dialog import fiscal_year_range


class PromoteDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.candidates: list[PromotionCandidate] = []
        self.issue_id: str | None = None
        self.issue_title = ""
        self.setObjectName("promoteDialog")
        self.setWindowTitle("相談のテーマを課題ボードへ")
        self.resize(820, 680)
        layout = QVBoxLayout(self)
        intro = QLabel("同じ分類の相談が四半期に何件も寄せられたテーマを、課題ボードの課題にします。"
                       "課題には件数・分類・期間だけが入り、氏名や相談内容は入りません。", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        bar = QHBoxLayout()
        start, end = fiscal_year_range(today or dt.date.today())
        self.start = QLineEdit(start.strftime("%Y/%m/%d"), self)
        self.start.setObjectName("promoteStart")
        self.end = QLineEdit(end.strftime("%Y/%m/%d"), self)
        self.end.setObjectName("promoteEnd")
        self.min_count = QSpinBox(self)
        self.min_count.setObjectName("promoteMinCount")
        self.min_count.setRange(2, 999)
        self.min_count.setValue(5)
        self.min_count.setSuffix(" 件以上")
        search = QPushButton("探す", self)
        search.setObjectName("promoteSearch")
        search.clicked.connect(self.refresh)
        for widget in (QLabel("期間", self), self.start, QLabel("〜", self), self.end, QLabel("四半期に", self),
                       self.min_count, search):
            bar.addWidget(widget)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.list = QListWidget(self)
        self.list.setObjectName("promoteCandidates")
        self.list.setMaximumHeight(160)
        self.list.currentRowChanged.connect(self._picked)
        layout.addWidget(self.list)
        form = QFormLayout()
        self.title = QLineEdit(self)
        self.title.setObjectName("promoteTitle")
        form.addRow("課題の名前", self.title)
        self.layer = QComboBox(self)
        self.layer.setObjectName("promoteLayer")
        for key in LAYER_KEYS:
            self.layer.addItem(LAYERS[key], key)
        self.layer.setCurrentIndex(1)  # 二次: between professions, where consultations usually point
        form.addRow("層", self.layer)
        vocab = ctx.services.vocab
        self.professions = ProfessionPicker(vocab.list("profession"), vocab.list("association"), set(), self)
        self.professions.setObjectName("promoteProfessions")
        form.addRow("関係する職種", self.professions)
        self.description = QPlainTextEdit(self)
        self.description.setObjectName("promoteDescription")
        self.description.setPlaceholderText("空欄なら、件数・期間・窓口の内訳から説明を作ります")
        self.description.setMaximumHeight(90)
        form.addRow("説明", self.description)
        layout.addLayout(form, 1)
        self.error = error_label("error_promote", self)
        layout.addWidget(self.error)
        buttons, self.ok_button = dialog_buttons(self, "課題を作る")
        buttons.accepted.connect(self.promote)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        start, ok_start = read_day(self.start.text())
        end, ok_end = read_day(self.end.text())
        if not (ok_start and ok_end) or start is None or end is None:
            show_error(self.error, "期間を 2026/04/01 や 令和8年4月1日 の形で入力してください")
            return
        try:
            self.candidates = self.ctx.services.consultations.promote_candidates(
                start, end, min_count=self.min_count.value())
        except DomainError as exc:
            self.ctx.messages.failure("候補を探せません", exc)
            return
        show_error(self.error, "")
        self.list.clear()
        for c in self.candidates:
            item = QListWidgetItem(f"{c.category}　{c.quarter}　{len(c.consultation_ids)}件")
            item.setData(Qt.ItemDataRole.UserRole, c.category_id)
            self.list.addItem(item)
        if not self.candidates:
            item = QListWidgetItem(f"この期間に、四半期に{self.min_count.value()}件以上の分類はありません")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(item)
        else:
            self.list.setCurrentRow(0)
        self.ok_button.setEnabled(bool(self.candidates))

    def current(self) -> PromotionCandidate | None:
        row = self.list.currentRow()
        return self.candidates[row] if 0 <= row < len(self.candidates) else None

    def _picked(self, _row: int) -> None:
        c = self.current()
        if c is not None:
            self.title.setText(f"{c.category}の相談が続いている（{c.quarter}・{len(c.consultation_ids)}件）")

    def promote(self) -> None:
        c = self.current()
        if c is None:
            show_error(self.error, "課題にするテーマを一覧から選んでください")
            return
        title, layer = self.title.text().strip(), self.layer.currentData()
        try:
            self.issue_id = self.ctx.services.consultations.promote_to_issue(
                list(c.consultation_ids), title=title, layer=layer, profession_ids=self.professions.checked_ids(),
                description=self.description.toPlainText().strip())
        except ValidationError as exc:
            show_error(self.error, "\n".join(i.message for i in exc.issues) or exc.message)
            return
        except DomainError as exc:
            self.ctx.messages.failure("課題を作れませんでした", exc)
            return
        self.issue_title = title
        self.ctx.messages.info("課題ボードに追加しました",
                               f"課題ボードの「{LAYERS[layer]}」に、課題「{title}」を「抽出」の状態で作りました。\n"
                               f"もとになった相談 {len(c.consultation_ids)}件とつながっています（個人情報は含みません）。")
        self.accept()
