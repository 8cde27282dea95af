"""ファイル → 交換ファイル → 書き出し… / 取り込み…: two laptops that worked apart exchange their changes.

書き出し: the changes since a date into one file (with a password when the database is protected: the file then
holds personal data). 取り込み: the counts first (追加・更新・競合・変更なし), each conflict with both values and a
choice (こちら / 相手), then 取り込む — after a backup, in one step.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QMenu, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.sync import CHOICE_LABELS, OURS, THEIRS, SyncFileError, SyncPasswordNeeded
from zaitaku_desktop.exports.secure_zip import validate_zip_password
from zaitaku_desktop.services.sync import ExportResult, SyncPlan

from .consultations import dialog_buttons, error_label, show_error
from .context import AppContext
from .widgets.date_field import read_typed_date, with_today_button
from .widgets.form_rows import add_field_row, password_edit

TITLE = "交換ファイル"
FILE_FILTER = "交換ファイル (*.zip)"
DEFAULT_DAYS = 30
COLUMNS = ("種類", "記録", "項目", "こちら", "相手", "こちらの更新", "相手の更新", "採用")
CHOICE_COLUMN = len(COLUMNS) - 1


def ask_save_path(parent: QWidget, default_name: str) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, "交換ファイルの保存先", str(Path.home() / default_name), FILE_FILTER)
    return Path(path) if path else None


def ask_open_path(parent: QWidget) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, "取り込む交換ファイル", str(Path.home()), FILE_FILTER)
    return Path(path) if path else None


def add_sync_menu(menu: QMenu, ctx: AppContext, parent: QWidget) -> QMenu:
    """ファイル → 交換ファイル → 書き出し… / 取り込み…"""
    sub = menu.addMenu(TITLE)
    sub.setObjectName("menuSync")
    export = sub.addAction("書き出し…")
    export.setObjectName("actSyncExport")
    export.triggered.connect(lambda: SyncExportDialog(ctx, parent).exec())
    imp = sub.addAction("取り込み…")
    imp.setObjectName("actSyncImport")
    imp.triggered.connect(lambda: open_sync_import(ctx, parent))
    return sub


def open_sync_import(ctx: AppContext, parent: QWidget | None = None) -> None:
    path = ask_open_path(parent)
    if path is not None:
        SyncImportDialog(ctx, path, parent).exec()



class SyncExportDialog(QDialog):
    """The date the changes start from, a password (required for a protected database), then the place."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result_: ExportResult | None = None
        self.required = ctx.services.db.encrypted
        self.setObjectName("syncExportDialog")
        self.setWindowTitle(f"{TITLE}の書き出し")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        intro = QLabel("別のパソコンで取り込めるように、指定した日以降に追加・変更した記録を1つのファイルにまとめます。"
                       "前回の交換より前の日を指定すれば、漏れがありません。", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.errors: dict[str, QLabel] = {}
        self.since = QLineEdit((dt.date.today() - dt.timedelta(days=DEFAULT_DAYS)).strftime("%Y/%m/%d"), self)
        self.since.setObjectName("syncSince")
        add_field_row(form, "この日以降の変更", with_today_button(self.since, "syncSinceToday", self), "syncSince",
                      self.errors)
        self.password = password_edit(self, "syncPassword")
        self.again = password_edit(self, "syncPasswordAgain")
        add_field_row(form, "パスワード", self.password, "syncPassword", self.errors)
        add_field_row(form, "もう一度", self.again, "syncPasswordAgain", self.errors)
        layout.addLayout(form)
        note = QLabel("このデータベースは保護されているため、交換ファイルには個人情報が含まれます。パスワードが必要です"
                      "（取り込むときに入力します。ファイルとは別の方法で伝えてください）。" if self.required else
                      "パスワードは空欄でもかまいません。入力すると、パスワード付きのZIPで保存します。", self)
        note.setObjectName("syncPasswordNote")
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons, self.ok = dialog_buttons(self, "書き出す…")
        self.ok.clicked.connect(self.export)
        layout.addWidget(buttons)

    def _error(self, field: str, text: str) -> None:
        show_error(self.errors[field], text)

    def chosen_password(self) -> str | None:
        """The password, None for a plain file; a message under the field (and None) when it cannot be used."""
        for field in ("syncPassword", "syncPasswordAgain"):
            self._error(field, "")
        text = self.password.text()
        if not text and not self.required:
            return None
        problem = validate_zip_password(text) if text else "パスワードを入力してください。"
        if problem:
            self._error("syncPassword", problem)
            return ""
        if self.again.text() != text:
            self._error("syncPasswordAgain", "同じパスワードをもう一度入力してください（1回目と違っています）。")
            return ""
        return text

    def export(self) -> None:
        self._error("syncSince", "")
        since = read_typed_date(self.since, self.errors["syncSince"], "日付を 2026/04/01 や 令和8年4月1日 の形で入力してください")
        password = self.chosen_password()
        if since is None or password == "":
            return
        path = ask_save_path(self, f"交換ファイル_{dt.date.today():%Y%m%d}.zip")
        if path is None:
            return
        self.ok.setEnabled(False)
        self.ctx.runner.run(lambda: self.ctx.services.sync.export(path, since, password), on_done=self._done,
                            on_error=self._failed)

    def _done(self, result: ExportResult) -> None:
        self.result_ = result
        self.ctx.messages.info(f"{TITLE}の書き出し", f"{result.total:,} 件の記録を書き出しました"
                               f"{'（パスワード付き）' if result.encrypted else ''}。\n{result.path}")
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        self.ctx.messages.failure(f"{TITLE}の書き出し", exc)


class SyncImportDialog(QDialog):
    """What the file would change, a choice per conflict, then 取り込む."""

    def __init__(self, ctx: AppContext, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.path = Path(path)
        self.plan: SyncPlan | None = None
        self.choices: list[QComboBox] = []
        self.setObjectName("syncImportDialog")
        self.setWindowTitle(f"{TITLE}の取り込み")
        self.resize(1100, 560)
        layout = QVBoxLayout(self)
        file_label = QLabel(f"ファイル：{self.path.name}", self)
        file_label.setObjectName("syncFile")
        layout.addWidget(file_label)
        self.password_box = QWidget(self)
        row = QHBoxLayout(self.password_box)
        row.setContentsMargins(0, 0, 0, 0)
        self.password = password_edit(self.password_box, "syncPassword")
        self.password.returnPressed.connect(self.load)
        read = QPushButton("読み込む", self.password_box)
        read.setObjectName("syncReadButton")
        read.clicked.connect(self.load)
        for widget in (QLabel("パスワード", self.password_box), self.password, read):
            row.addWidget(widget)
        row.addStretch(1)
        self.password_box.hide()
        layout.addWidget(self.password_box)
        self.error = error_label("syncError", self)
        layout.addWidget(self.error)
        self.summary = QLabel("読み込んでいます…", self)
        self.summary.setObjectName("syncSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("syncConflicts")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for col in range(len(COLUMNS)):  # the two values share the spare width; the rest fit their text
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch if col in (3, 4)
                                        else QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        bar = QHBoxLayout()
        for label, choice in (("すべてこちら", OURS), ("すべて相手", THEIRS)):
            button = QPushButton(label, self)
            button.setObjectName(f"syncAll_{choice}")
            button.clicked.connect(lambda _c=False, v=choice: self.choose_all(v))
            bar.addWidget(button)
        hint = QLabel("競合：両方のパソコンで違う値に変えた項目です。残す値を選んでください（既定：こちら）。", self)
        hint.setWordWrap(True)
        bar.addWidget(hint, 1)
        layout.addLayout(bar)
        buttons, self.ok = dialog_buttons(self, "取り込む")
        self.ok.setEnabled(False)
        self.ok.clicked.connect(self.apply)
        layout.addWidget(buttons)
        self.load()

    # --- preview -------------------------------------------------------------------------------
    def load(self) -> None:
        show_error(self.error, "")
        password = self.password.text() or None
        self.ctx.runner.run(lambda: self.ctx.services.sync.preview(self.path, password), on_done=self.show_plan,
                            on_error=self._preview_failed)

    def _preview_failed(self, exc: BaseException) -> None:
        if isinstance(exc, SyncFileError):
            self.password_box.setVisible(isinstance(exc, SyncPasswordNeeded) or self.password_box.isVisible())
            show_error(self.error, exc.message)
            self.summary.setText("")
            if self.password_box.isVisible():
                self.password.setFocus()
            return
        self.summary.setText("")
        self.ctx.messages.failure(f"{TITLE}の取り込み", exc)

    def show_plan(self, plan: SyncPlan) -> None:
        self.plan = plan
        self.password_box.hide()
        fmt = self.ctx.format_date
        self.summary.setText(f"{fmt(plan.exported_at.astimezone().date(), weekday=False)}に書き出された"
                             f"{fmt(plan.since, weekday=False)}以降の変更です。\n取り込むと：{plan.summary()}"
                             + ("" if plan.changes_anything else "\nこのファイルで変わる記録はありません。"))
        self.table.setRowCount(len(plan.conflicts))
        self.choices = []
        for row, c in enumerate(plan.conflicts):
            stamp = lambda t: f"{fmt(t.astimezone().date(), weekday=False)} {t.astimezone():%H:%M}"  # noqa: E731
            texts = (c.table_label, c.record_label, c.field_label, c.ours, c.theirs, stamp(c.our_updated_at),
                     stamp(c.their_updated_at))
            for col, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, col, item)
            combo = QComboBox(self.table)
            combo.setObjectName(f"syncChoice_{row}")
            for key in (OURS, THEIRS):
                combo.addItem(CHOICE_LABELS[key], key)
            self.table.setCellWidget(row, CHOICE_COLUMN, combo)
            self.choices.append(combo)
        self.ok.setEnabled(True)

    def choose_all(self, choice: str) -> None:
        for combo in self.choices:
            combo.setCurrentIndex(combo.findData(choice))

    def chosen(self) -> dict[str, str]:
        assert self.plan is not None
        return {c.id: combo.currentData() for c, combo in zip(self.plan.conflicts, self.choices)}

    # --- apply ---------------------------------------------------------------------------------
    def apply(self) -> None:
        if self.plan is None:
            return
        plan, choices = self.plan, self.chosen()
        self.ok.setEnabled(False)
        self.ctx.runner.run(lambda: self.ctx.services.sync.apply(plan, choices), on_done=self._applied,
                            on_error=self._apply_failed)

    def _applied(self, result) -> None:
        backup = f"\n取り込む前のバックアップ：{result.backup}" if result.backup else ""
        self.ctx.messages.info(f"{TITLE}の取り込み", f"取り込みました。{result.summary()}{backup}")
        reload = getattr(self.parent(), "reload", None)
        if callable(reload):
            reload()
        self.accept()

    def _apply_failed(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        self.ctx.messages.failure(f"{TITLE}の取り込み", exc)
