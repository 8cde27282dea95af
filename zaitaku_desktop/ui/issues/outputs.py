"""出力 for the issue board: Excel export, the per-association feedback sheet and the
side-by-side issue list (PDF). The files are written on the worker; the window stays usable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QGridLayout, QGroupBox, QLabel,
    QLineEdit, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.issues import LAYER_KEYS, LAYER_SHORT

from ..context import AppContext
from ..widgets.progress import run_with_progress


def _ask_save_path(parent: QWidget, title: str, default_name: str, file_filter: str) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, str(Path.home() / default_name), file_filter)
    return Path(path) if path else None


def _done(ctx: AppContext, text: str, path: Path) -> None:
    if ctx.messages.confirm("書き出し完了", f"{text}\n{path}\n\nファイルを開きますか？", ok="開く", cancel="閉じる"):
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class FeedbackDialog(QDialog):
    """Which association the feedback sheet is for."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("feedbackPdfDialog")
        self.setWindowTitle("フィードバックシート（PDF）")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("一次連携の打ち合わせのあとに職能団体へ渡す、その団体の職種の課題と対応策の一覧です。", self))
        form = QFormLayout()
        self.association = QComboBox(self)
        self.association.setObjectName("feedbackAssociation")
        for item in ctx.services.vocab.list("association"):
            self.association.addItem(item.name, item.id)
        form.addRow("職能団体", self.association)
        self.sender = QLineEdit(self)
        self.sender.setObjectName("feedbackSender")
        self.sender.setPlaceholderText("例：釜石市 在宅医療連携拠点チームかまいし（空欄可）")
        form.addRow("差出人", self.sender)
        layout.addLayout(form)
        buttons = QDialogButtonBox(self)
        ok = buttons.addButton("PDFを作る…", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("feedbackOk")
        ok.setEnabled(self.association.count() > 0)
        buttons.addButton("やめる", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class IssueListDialog(QDialog):
    """Which professions (2–4) and layers the side-by-side list shows."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("issueListPdfDialog")
        self.setWindowTitle("課題リスト（PDF・A4横1枚）")
        layout = QVBoxLayout(self)
        group = QGroupBox("並べる職種（2〜4つ）", self)
        grid = QGridLayout(group)
        self.professions: dict[str, QCheckBox] = {}
        for i, item in enumerate(ctx.services.vocab.list("profession")):
            box = QCheckBox(item.name, group)
            box.setObjectName(f"listProfession_{item.name}")
            box.toggled.connect(self._check)
            self.professions[item.id] = box
            grid.addWidget(box, i // 3, i % 3)
        layout.addWidget(group)
        layers = QGroupBox("層", self)
        row = QGridLayout(layers)
        self.layers: dict[str, QCheckBox] = {}
        for i, key in enumerate(LAYER_KEYS):
            box = QCheckBox(f"{key}（{LAYER_SHORT[key]}）", layers)
            box.setObjectName(f"listLayer_{key}")
            box.setChecked(key == "一次")
            box.toggled.connect(self._check)
            self.layers[key] = box
            row.addWidget(box, 0, i)
        layout.addWidget(layers)
        form = QFormLayout()
        self.title = QLineEdit(self)
        self.title.setObjectName("listTitle")
        self.title.setPlaceholderText("空欄なら「一次連携で抽出された課題リスト」")
        form.addRow("表題", self.title)
        layout.addLayout(form)
        self.error = QLabel("", self)
        self.error.setObjectName("listError")
        self.error.setStyleSheet("color:#c62828;")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(self)
        self.ok = buttons.addButton("PDFを作る…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("listOk")
        buttons.addButton("やめる", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._check()

    def chosen_professions(self) -> list[str]:
        return [pid for pid, box in self.professions.items() if box.isChecked()]

    def chosen_layers(self) -> list[str]:
        return [key for key, box in self.layers.items() if box.isChecked()]

    def _check(self, *_args) -> None:
        n = len(self.chosen_professions())
        message = ""
        if not 2 <= n <= 4:
            message = f"職種を2〜4つ選んでください（いま {n} つ）"
        elif not self.chosen_layers():
            message = "層を1つ以上選んでください"
        self.error.setText(message)
        self.ok.setEnabled(not message)


def export_issues_xlsx(ctx: AppContext, parent: QWidget, path: Path | None = None) -> None:
    path = path or _ask_save_path(parent, "課題をExcelに書き出す", f"課題一覧_{dt.date.today():%Y%m%d}.xlsx",
                                  "Excel (*.xlsx)")
    if path is None:
        return
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    run_with_progress(ctx, "課題を書き出しています…", lambda _p: ctx.services.issues.export_xlsx(path),
                      on_done=lambda n: _done(ctx, f"課題 {n:,} 件（対応策・集計つき）を書き出しました。", path),
                      error_title="書き出せませんでした", parent=parent)


def feedback_pdf(ctx: AppContext, parent: QWidget, *, dialog_factory=FeedbackDialog, path: Path | None = None) -> None:
    dialog = dialog_factory(ctx, parent)
    if not dialog.exec():
        return
    association = dialog.association.currentText()
    sender = dialog.sender.text().strip()
    path = path or _ask_save_path(parent, "フィードバックシートを保存",
                                  f"フィードバックシート_{association}_{dt.date.today():%Y%m%d}.pdf", "PDF (*.pdf)")
    if path is None:
        return
    if path.suffix.lower() != ".pdf":
        path = path.with_suffix(".pdf")
    run_with_progress(
        ctx, "フィードバックシートを作っています…",
        lambda _p: ctx.services.issue_reports.feedback_pdf(association, path, sender=sender),
        on_done=lambda r: _done(ctx, f"{r.association}へのフィードバックシート（課題 {r.issues} 件・{r.pages} ページ）"
                                     "を作りました。", path),
        error_title="PDFを作れませんでした", parent=parent)


def issue_list_pdf(ctx: AppContext, parent: QWidget, *, dialog_factory=IssueListDialog, path: Path | None = None) -> None:
    dialog = dialog_factory(ctx, parent)
    if not dialog.exec():
        return
    professions = dialog.chosen_professions()
    layers = dialog.chosen_layers()
    title = dialog.title.text().strip()
    path = path or _ask_save_path(parent, "課題リストを保存", f"課題リスト_{dt.date.today():%Y%m%d}.pdf", "PDF (*.pdf)")
    if path is None:
        return
    if path.suffix.lower() != ".pdf":
        path = path.with_suffix(".pdf")
    options = {"layers": layers} | ({"title": title} if title else {})

    def done(result) -> None:
        folded = result.omitted_total
        note = f"（入りきらない {folded} 件は「ほか」として省きました）" if folded else ""
        _done(ctx, f"課題リスト（{'｜'.join(result.professions)}）を作りました。{note}", path)

    run_with_progress(ctx, "課題リストを作っています…",
                      lambda _p: ctx.services.issue_reports.issue_list_pdf(professions, path, **options),
                      on_done=done, error_title="PDFを作れませんでした", parent=parent)
