"""Import an Excel/CSV list: read it, show what will change, then write on confirmation."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout,
)

from zaitaku_desktop.services.transfer import ImportPreview, ImportResult

from ..widgets.progress import run_with_progress

ACTION_LABELS = {"add": "追加", "update": "変更", "skip": "変更なし"}


class ImportPreviewDialog(QDialog):
    """Shows additions, changes, skipped rows and every row error before anything is written."""

    def __init__(self, preview: ImportPreview, parent=None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.accept_partial = False
        self.setObjectName("importPreviewDialog")
        self.setWindowTitle(f"取り込みの確認 — {preview.path.name}")
        self.resize(820, 560)
        layout = QVBoxLayout(self)
        lines = [f"ファイル：{preview.path.name}（{preview.format_label}、{preview.total_rows:,} 行）",
                 f"追加 {preview.to_add:,} 件・変更 {preview.to_update:,} 件・変更なし {preview.to_skip:,} 件"
                 + (f"・エラー {preview.error_rows:,} 行" if preview.errors else "")]
        if preview.ignored_columns:
            lines.append("使わない列：" + "、".join(preview.ignored_columns))
        self.summary = QLabel("\n".join(lines), self)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        if preview.errors:
            warn = QLabel("エラーのある行があります。このままでは何も取り込みません。"
                          "エラーの行を除いて取り込むこともできます。", self)
            warn.setStyleSheet("color:#c62828;")
            warn.setWordWrap(True)
            layout.addWidget(warn)

        tabs = QTabWidget(self)
        tabs.setObjectName("importTabs")
        layout.addWidget(tabs, 1)
        changes = [c for c in preview.changes if c.action != "skip"] + [c for c in preview.changes if c.action == "skip"]
        self.change_table = self._table(["行", "名称", "処理", "変わる項目"], [
            (str(c.row), c.name, ACTION_LABELS.get(c.action, c.action), "、".join(c.changed_fields))
            for c in changes])
        self.change_table.setObjectName("importChanges")
        tabs.addTab(self.change_table, f"取り込む内容（{len(changes):,}）")
        self.error_table = self._table(["行", "列", "内容"], [(str(e.row), e.column, e.message) for e in preview.errors])
        self.error_table.setObjectName("importErrors")
        tabs.addTab(self.error_table, f"エラー（{len(preview.errors):,}）")
        self.warning_table = self._table(["行", "列", "内容"],
                                         [(str(e.row), e.column, e.message) for e in preview.warnings])
        self.warning_table.setObjectName("importWarnings")
        tabs.addTab(self.warning_table, f"注意（{len(preview.warnings):,}）")
        if preview.errors:
            tabs.setCurrentIndex(1)

        buttons = QDialogButtonBox(self)
        nothing = preview.to_add + preview.to_update == 0
        if preview.errors:
            self.partial_button = buttons.addButton("エラーの行を除いて取り込む", QDialogButtonBox.ButtonRole.AcceptRole)
            self.partial_button.setObjectName("importPartial")
            self.partial_button.clicked.connect(self._accept_partial)
            self.partial_button.setEnabled(not nothing)
        else:
            self.ok_button = buttons.addButton("取り込む", QDialogButtonBox.ButtonRole.AcceptRole)
            self.ok_button.setObjectName("importConfirm")
            self.ok_button.clicked.connect(self.accept)
            self.ok_button.setEnabled(not nothing)
        cancel = buttons.addButton("やめる", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("importCancel")
        cancel.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def _accept_partial(self) -> None:
        self.accept_partial = True
        self.accept()

    def _table(self, headers: list[str], rows: list[tuple[str, ...]]) -> QTableWidget:
        table = QTableWidget(len(rows), len(headers), self)
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().setVisible(False)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                table.setItem(r, c, QTableWidgetItem(value))
        table.horizontalHeader().setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
        table.resizeColumnsToContents()
        return table


def run_import(ctx, path: Path, *, parent=None, on_finished: Callable[[], None] | None = None,
               dialog_factory=ImportPreviewDialog) -> None:
    """Preview on the worker, ask, then apply on the worker; the window stays responsive."""

    def previewed(preview: ImportPreview) -> None:
        dialog = dialog_factory(preview, parent)
        ctx.extras["last_import_dialog"] = dialog
        if not dialog.exec():
            return
        partial = dialog.accept_partial
        run_with_progress(
            ctx, "取り込んでいます…",
            lambda progress: ctx.services.transfer.apply_import(preview, accept_partial=partial, progress=progress),
            on_done=applied, error_title="取り込めませんでした", parent=parent,
        )

    def applied(result: ImportResult) -> None:
        ctx.messages.info("取り込み完了",
                          f"追加 {result.added:,} 件・変更 {result.updated:,} 件・変更なし {result.skipped:,} 件"
                          + (f"・取り込まなかった行 {result.rejected:,} 行" if result.rejected else ""))
        if on_finished:
            on_finished()

    run_with_progress(ctx, "ファイルを読んでいます…",
                      lambda progress: ctx.services.transfer.preview_import(path, progress=progress),
                      on_done=previewed, error_title="ファイルを読み込めませんでした", parent=parent)
