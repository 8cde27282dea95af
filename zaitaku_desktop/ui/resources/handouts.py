"""Printed handouts of the resource list: the directory booklet, the emergency contact sheet (one click),
the provider update forms (資源情報確認票) and their round trip — keying in a returned form, and the list
of providers that have not answered. The PDFs are written on the worker; the window stays usable.

The lead wires :func:`add_handout_actions` (the tab's QActions) into the 出力 menu and the toolbar.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QGridLayout, QGroupBox, QLabel,
    QLineEdit, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.errors import DomainError, ValidationError
from zaitaku_desktop.services.directory import DirectoryService, directory_service
from zaitaku_desktop.settings import DECLARED

from ..context import AppContext
from ..icons import icon
from ..issues.outputs import _done as offer_to_open
from ..widgets.date_field import read_typed_date, with_today_button
from ..widgets.form_rows import add_field_row
from ..widgets.progress import run_with_progress

# Settings the lead declares (settings.py); read only when declared, so this works before that.
HUB_NAME_KEY, HUB_FAX_KEY, HUB_PHONE_KEY = "handouts/hub_name", "handouts/hub_fax", "handouts/hub_phone"


def _setting(ctx: AppContext, key: str) -> str:
    return str(ctx.settings.get(key) or "") if key in DECLARED else ""


def _service(ctx: AppContext) -> DirectoryService:
    return directory_service(ctx.services)


def documents_dir() -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder) if folder and Path(folder).is_dir() else Path.home()


def ask_pdf_path(parent: QWidget, title: str, default_name: str) -> Path | None:
    """A save dialog opening in the documents folder with ``default_name``; always a .pdf path."""
    path, _ = QFileDialog.getSaveFileName(parent, title, str(documents_dir() / default_name), "PDF (*.pdf)")
    if not path:
        return None
    path = Path(path)
    return path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")


def _stamp() -> str:
    return f"{dt.date.today():%Y%m%d}"


class _ScopeDialog(QDialog):
    """Municipality (or 地区) and categories: what the booklet or the forms cover."""

    def __init__(self, ctx: AppContext, title: str, intro: str, name: str, *, districts: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.with_districts = districts
        self.layout_ = QVBoxLayout(self)
        text = QLabel(intro, self)
        text.setWordWrap(True)
        self.layout_.addWidget(text)
        self.form = QFormLayout()
        self.area = QComboBox(self)
        self.area.setObjectName("handoutArea")
        self.area.addItem("すべての市町村", None)
        vocab = ctx.services.vocab
        for m in vocab.list("municipality"):
            self.area.addItem(m.name, ("m", m.id))
            for d in (vocab.list("district") if districts else []):
                if d.parent_id == m.id:
                    self.area.addItem(f"　{m.name} {d.name}", ("d", d.id))
        self.form.addRow("市町村・地区" if districts else "市町村", self.area)
        self.layout_.addLayout(self.form)
        group = QGroupBox("種別（選ばなければすべて）", self)
        grid = QGridLayout(group)
        self.categories: dict[str, QCheckBox] = {}
        for i, item in enumerate(vocab.list("category")):
            box = QCheckBox(item.name, group)
            box.setObjectName(f"handoutCategory_{item.name}")
            self.categories[item.id] = box
            grid.addWidget(box, i // 3, i % 3)
        self.layout_.addWidget(group)
        self.buttons = QDialogButtonBox(self)
        ok = self.buttons.addButton("PDFを作る…", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("handoutOk")
        self.buttons.addButton("やめる", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def finish(self) -> None:
        self.layout_.addWidget(self.buttons)

    def scope(self) -> dict:
        area = self.area.currentData()
        return {"municipality_id": area[1] if area and area[0] == "m" else None,
                "category_ids": [cid for cid, box in self.categories.items() if box.isChecked()],
                **({"district_id": area[1] if area and area[0] == "d" else None} if self.with_districts else {})}

    def scope_words(self) -> str:
        cats = [box.text() for box in self.categories.values() if box.isChecked()]
        area = self.area.currentText().strip() if self.area.currentData() else ""
        return "・".join(x for x in [area, *cats] if x) or "全件"


class DirectoryDialog(_ScopeDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "資源一覧の冊子（PDF）", "表紙・目次・種別ごとの一覧（五十音順）・名称の索引からなる冊子です。",
                         "directoryDialog", districts=True, parent=parent)
        self.publisher = QLineEdit(_setting(ctx, HUB_NAME_KEY), self)
        self.publisher.setObjectName("directoryPublisher")
        self.publisher.setPlaceholderText("例：在宅医療連携拠点チームかまいし（空欄可）")
        self.form.addRow("発行元", self.publisher)
        self.finish()


class UpdateFormDialog(_ScopeDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "資源情報確認票（PDF）", "事業所に送って内容を確かめてもらう確認票です（1事業所1ページ）。"
                         "FAXで返送してもらう宛先を入れてください。", "updateFormDialog", districts=False, parent=parent)
        self.errors: dict[str, QLabel] = {}
        self.hub_name = QLineEdit(_setting(ctx, HUB_NAME_KEY), self)
        self.hub_name.setObjectName("formHubName")
        self.hub_fax = QLineEdit(_setting(ctx, HUB_FAX_KEY), self)
        self.hub_fax.setObjectName("formHubFax")
        self.hub_fax.setPlaceholderText("例：0193-22-0000")
        self.hub_phone = QLineEdit(_setting(ctx, HUB_PHONE_KEY), self)
        self.hub_phone.setObjectName("formHubPhone")
        self.reply_by = QLineEdit(self)
        self.reply_by.setObjectName("formReplyBy")
        self.reply_by.setPlaceholderText("例：2026/12/25（空欄可）")
        add_field_row(self.form, "返送先の名前", self.hub_name, "hub_name", self.errors)
        add_field_row(self.form, "返送先のFAX", self.hub_fax, "hub_fax", self.errors)
        add_field_row(self.form, "問い合わせ電話", self.hub_phone, "hub_phone", self.errors)
        add_field_row(self.form, "返送の期限", self.reply_by, "reply_by", self.errors)
        self.record_sent = QCheckBox("送付したことを記録する（未回答の一覧に出ます）", self)
        self.record_sent.setObjectName("formRecordSent")
        self.record_sent.setChecked(True)
        self.layout_.addWidget(self.record_sent)
        self.finish()

    def accept(self) -> None:
        for label in self.errors.values():
            label.hide()
        if not self.hub_fax.text().strip():
            self.errors["hub_fax"].setText("返送先のFAX番号を入れてください。")
            self.errors["hub_fax"].show()
            return
        if self.reply_by.text().strip() and self.reply_date() is None:
            return
        super().accept()

    def reply_date(self) -> dt.date | None:
        if not self.reply_by.text().strip():
            return None
        return read_typed_date(self.reply_by, self.errors["reply_by"], "日付は 2026/12/25 や 令和8年12月25日 のように入れてください。")

    def options(self) -> dict:
        return {"hub_name": self.hub_name.text().strip(), "hub_fax": self.hub_fax.text().strip(),
                "hub_phone": self.hub_phone.text().strip(), "reply_by": self.reply_date()}


def _pdf_job(ctx: AppContext, parent: QWidget, label: str, work, done_text) -> None:
    run_with_progress(ctx, label, lambda _p: work(), on_done=lambda r: offer_to_open(ctx, done_text(r), r.path),
                      error_title="PDFを作れませんでした", parent=parent)


def print_directory(ctx: AppContext, parent: QWidget, *, dialog_factory=DirectoryDialog,
                    path: Path | None = None) -> None:
    dialog = dialog_factory(ctx, parent)
    if not dialog.exec():
        return
    scope, publisher = dialog.scope(), dialog.publisher.text().strip()
    path = path or ask_pdf_path(parent, "資源一覧の冊子を保存", f"資源一覧_{dialog.scope_words()}_{_stamp()}.pdf")
    if path is None:
        return
    _pdf_job(ctx, parent, "資源一覧の冊子を作っています…",
             lambda: _service(ctx).directory_pdf(path, publisher=publisher, date_style=ctx.settings.date_style,
                                                 **scope),
             lambda r: f"資源一覧の冊子（{r.entries:,} 件・{r.pages} ページ）を作りました。")


def print_emergency(ctx: AppContext, parent: QWidget, *, path: Path | None = None) -> None:
    """One click: choose where to save (documents folder, dated name) and write the sheet."""
    path = path or ask_pdf_path(parent, "災害時連絡先一覧を保存", f"災害時連絡先一覧_{_stamp()}.pdf")
    if path is None:
        return
    _pdf_job(ctx, parent, "災害時連絡先一覧を作っています…",
             lambda: _service(ctx).emergency_pdf(path, publisher=_setting(ctx, HUB_NAME_KEY),
                                                 hub_phone=_setting(ctx, HUB_PHONE_KEY),
                                                 date_style=ctx.settings.date_style),
             lambda r: f"災害時連絡先一覧（{r.entries} 件・{r.pages} ページ）を作りました。")


def print_update_forms(ctx: AppContext, parent: QWidget, *, dialog_factory=UpdateFormDialog,
                       path: Path | None = None, on_sent=None) -> None:
    dialog = dialog_factory(ctx, parent)
    if not dialog.exec():
        return
    scope = dialog.scope()
    options, record = dialog.options(), dialog.record_sent.isChecked()
    path = path or ask_pdf_path(parent, "資源情報確認票を保存", f"資源情報確認票_{dialog.scope_words()}_{_stamp()}.pdf")
    if path is None:
        return

    def done(result) -> None:
        if on_sent:
            on_sent()
        sent = "送付を記録しました。" if record else ""
        offer_to_open(ctx, f"資源情報確認票（{result.entries:,} 事業所・{result.pages} ページ）を作りました。{sent}",
                      result.path)

    run_with_progress(ctx, "資源情報確認票を作っています…",
                      lambda _p: _service(ctx).update_forms_pdf(path, record_sent=record,
                                                                date_style=ctx.settings.date_style,
                                                                **scope, **options),
                      on_done=done, error_title="PDFを作れませんでした", parent=parent)


class ConfirmReturnedDialog(QDialog):
    """A returned 確認票 was keyed in: mark the record confirmed on the date it came back."""

    def __init__(self, ctx: AppContext, resource_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.resource_id, self.result_row = ctx, resource_id, None
        self.setObjectName("confirmReturnedDialog")
        self.setWindowTitle("確認票の返送を記録")
        self.setMinimumWidth(440)
        row = ctx.services.resources.get(resource_id).row
        layout = QVBoxLayout(self)
        text = QLabel(f"<b>{row.name}</b>（{row.category}）<br>返送された確認票の訂正は「編集」で入力してください。"
                      "ここでは最終確認日を返送日にし、確認方法を「確認票」にします。", self)
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(text)
        form = QFormLayout()
        self.errors: dict[str, QLabel] = {}
        self.returned_on = QLineEdit(dt.date.today().strftime("%Y/%m/%d"), self)
        self.returned_on.setObjectName("returnedOn")
        add_field_row(form, "返送された日", with_today_button(self.returned_on, "returnedToday", self), "returned_on",
                      self.errors)
        layout.addLayout(form)
        buttons = QDialogButtonBox(self)
        ok = buttons.addButton("確認済みにする", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("confirmReturnedOk")
        buttons.addButton("やめる", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        error = self.errors["returned_on"]
        error.hide()
        day = read_typed_date(self.returned_on, error, "日付は 2026/12/05 や 令和8年12月5日 のように入れてください。")
        if day is None:
            return
        try:
            self.result_row = _service(self.ctx).mark_confirmed(self.resource_id, day)
        except ValidationError as exc:
            error.setText("\n".join(i.message for i in exc.issues) or exc.message)
            error.show()
            return
        except DomainError as exc:
            self.ctx.messages.failure("記録できませんでした", exc)
            return
        super().accept()


class UnansweredDialog(QDialog):
    """Providers sent a 確認票 that have not answered yet (not confirmed since it was sent)."""

    COLUMNS = ("送付日", "種別", "名称", "市町村", "最終確認日")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, on_changed=None) -> None:
        super().__init__(parent)
        self.ctx, self.on_changed = ctx, on_changed
        self.setObjectName("unansweredDialog")
        self.setWindowTitle("確認票の未回答")
        self.resize(900, 480)
        layout = QVBoxLayout(self)
        self.summary = QLabel("", self)
        self.summary.setObjectName("unansweredSummary")
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setObjectName("unansweredTable")
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.doubleClicked.connect(lambda _i: self.confirm_selected())
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(self)
        self.confirm_button = QPushButton("返送を記録…", self)
        self.confirm_button.setObjectName("unansweredConfirm")
        self.confirm_button.clicked.connect(self.confirm_selected)
        buttons.addButton(self.confirm_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton("閉じる", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        self.pending = _service(self.ctx).unanswered()
        self.table.setRowCount(len(self.pending))
        fmt = self.ctx.format_date
        for r, f in enumerate(self.pending):
            values = (fmt(f.sent_on), f.category, f.name, f.municipality,
                      fmt(f.last_confirmed) if f.last_confirmed else "未確認")
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        self.summary.setText(f"確認票を送って、まだ回答のない事業所：{len(self.pending):,} 件" if self.pending
                             else "回答を待っている確認票はありません。")
        self.confirm_button.setEnabled(bool(self.pending))

    def confirm_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.ctx.messages.info("確認票の未回答", "返送を記録する事業所を一覧から選んでください。")
            return
        dialog = ConfirmReturnedDialog(self.ctx, self.pending[rows[0].row()].resource_id, self)
        if dialog.exec():
            self.reload()
            if self.on_changed:
                self.on_changed()


def add_handout_actions(tab) -> list[QAction]:
    """Create the handout actions on the resource tab (``tab.act_directory`` …) and return them in menu order.

    The lead puts them in 出力 (and act_emergency on the toolbar: one click from the main window).
    """
    ctx = tab.ctx

    def act(name: str, text: str, icon_name: str, slot, tip: str) -> QAction:
        action = QAction(icon(icon_name), text, tab)
        action.setObjectName(name)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        tab.addAction(action)
        return action

    def confirm_current() -> None:
        row = tab.current_row()
        if row is None:
            ctx.messages.info("確認票の返送", "返送された確認票の事業所を一覧から選んでください。")
            return
        if ConfirmReturnedDialog(ctx, row.id, tab).exec():
            tab.load()

    tab.act_directory = act("actDirectoryPdf", "資源一覧の冊子（PDF）…", "summary", lambda: print_directory(ctx, tab),
                            "表紙・目次・種別ごとの一覧・索引の冊子を作ります")
    tab.act_emergency = act("actEmergencyPdf", "災害時連絡先一覧（PDF）", "summary", lambda: print_emergency(ctx, tab),
                            "停電・災害時の連絡先一覧（24時間対応・人工呼吸器・在宅酸素・透析）を作ります")
    tab.act_update_forms = act("actUpdateFormsPdf", "資源情報確認票（PDF）…", "summary",
                               lambda: print_update_forms(ctx, tab), "事業所に送る確認票（1事業所1ページ）を作ります")
    tab.act_confirm_returned = act("actConfirmReturned", "確認票の返送を記録…", "edit", confirm_current,
                                   "選んだ資源を、返送された日付で確認済みにします")
    tab.act_unanswered = act("actUnansweredForms", "確認票の未回答…", "history",
                             lambda: UnansweredDialog(ctx, tab, on_changed=tab.load).exec(),
                             "確認票を送って、まだ回答のない事業所の一覧")
    return [tab.act_directory, tab.act_emergency, tab.act_update_forms, tab.act_confirm_returned, tab.act_unanswered]
