"""The recovery key, shown once: large and grouped, with what it is for, 印刷… / 保存… as a one-page PDF
(reports/recovery_key.py), and a check box the user ticks (書き写した) before 閉じる is enabled.

The key is never logged, and the program writes it nowhere by itself: printing renders the PDF from memory;
only 保存… writes a file, where the user chooses."""

from __future__ import annotations

import datetime as dt
import io
import logging
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QFontDatabase, QPageSize
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QCheckBox, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from zaitaku_desktop import paths
from zaitaku_desktop.exports.atomic import write_atomically
from zaitaku_desktop.reports.recovery_key import GROUPS_PER_ROW, RecoveryKeyData, key_groups, write_recovery_key

from .context import AppContext
from .handouts.preview import print_document
from .issues.outputs import _ask_save_path
from .widgets.form_rows import ERROR_STYLE

log = logging.getLogger(__name__)

PURPOSE = ("パスフレーズを忘れたときに、このキーでデータベースを開けます。紙に書き写すか印刷し、パソコンとは別の"
           "鍵のかかる場所に保管してください。画面を閉じると二度と表示されません。")
CONFIRM = "書き写した（または印刷した）"
NOT_YET = f"閉じる前に、キーを書き写すか印刷して、「{CONFIRM}」にチェックを入れてください。"


def recovery_key_pdf(data: RecoveryKeyData) -> bytes:
    """The one-page sheet as PDF bytes, in memory."""
    buffer = io.BytesIO()
    write_recovery_key(data, buffer, fonts_dir=paths.fonts_dir())
    return buffer.getvalue()


def key_text(shown: str) -> str:
    """The key as format_recovery_key writes it, from however it is shown (spaces, line breaks)."""
    return "-".join(key_groups(shown))


def display_text(key: str) -> str:
    groups = key_groups(key)
    return "\n".join("  ".join(groups[i:i + GROUPS_PER_ROW]) for i in range(0, len(groups), GROUPS_PER_ROW))


class RecoveryKeyDialog(QDialog):
    def __init__(self, ctx: AppContext, key: str, parent: QWidget | None = None, *, user: str = "",
                 database_name: str | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data = RecoveryKeyData(key=key, database_name=database_name or Path(ctx.services.db.path).name,
                                    issued_on=dt.date.today(), user=user)
        self.setObjectName("recoveryKeyDialog")
        self.setWindowTitle("回復キー")
        layout = QVBoxLayout(self)
        intro = QLabel(PURPOSE, self)
        intro.setObjectName("recoveryKeyPurpose")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.key_label = QLabel(display_text(key), self)
        self.key_label.setObjectName("recoveryKey")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # The theme styles every widget's font, so the key's own font goes in its style sheet too.
        self.key_label.setStyleSheet(f"font-family:'{mono}'; font-size:22pt; font-weight:bold; color:#1f4e79;"
                                     "border:2px solid #1f4e79; padding:14px; background:white;")
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        layout.addWidget(self.key_label)
        layout.addWidget(QLabel(f"データベース：{self.data.database_name}", self))

        outputs = QHBoxLayout()
        self.print_button = QPushButton("印刷…", self)
        self.print_button.setObjectName("recoveryKeyPrint")
        self.print_button.clicked.connect(self.print_sheet)
        self.save_button = QPushButton("PDFで保存…", self)
        self.save_button.setObjectName("recoveryKeySave")
        self.save_button.setToolTip("USBメモリなど、パソコンとは別の場所に保存してください")
        self.save_button.clicked.connect(lambda: self.save_pdf())
        outputs.addWidget(self.print_button)
        outputs.addWidget(self.save_button)
        outputs.addStretch(1)
        layout.addLayout(outputs)

        self.confirmed = QCheckBox(CONFIRM, self)
        self.confirmed.setObjectName("recoveryKeyConfirmed")
        layout.addWidget(self.confirmed)
        self.hint = QLabel("", self)
        self.hint.setObjectName("recoveryKeyHint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.hint)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        self.close_button = QPushButton("閉じる", self)
        self.close_button.setObjectName("recoveryKeyClose")
        self.close_button.setEnabled(False)
        self.close_button.clicked.connect(self.accept)
        bottom.addWidget(self.close_button)
        layout.addLayout(bottom)
        self.confirmed.toggled.connect(self._confirmed)
        self.resize(620, 0)

    def _confirmed(self, ticked: bool) -> None:
        self.close_button.setEnabled(ticked)
        if ticked:
            self.hint.setText("")

    def reject(self) -> None:
        """Esc or the window's ✕ close only once the key is written down."""
        if not self.confirmed.isChecked():
            self.hint.setText(NOT_YET)
            return
        super().reject()

    def done(self, result: int) -> None:
        super().done(result)
        self.key_label.setText("")  # shown once: nothing of it stays on screen
        self.data = RecoveryKeyData(key="", database_name=self.data.database_name, issued_on=self.data.issued_on)

    # --- outputs ------------------------------------------------------------------------------------
    def _with_pdf(self, then) -> None:
        data = self.data
        self.ctx.runner.run(lambda: recovery_key_pdf(data), on_done=then,
                            on_error=lambda exc: self.ctx.messages.failure("回復キーのPDFを作れませんでした", exc))

    def print_sheet(self) -> None:
        """Through the system print dialog, from memory (no file is written)."""
        self._with_pdf(self._print)

    def _print(self, pdf: bytes) -> None:
        buffer = QBuffer(self)
        buffer.setData(QByteArray(pdf))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        document = QPdfDocument(self)
        document.load(buffer)
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setDocName("回復キー")
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("回復キーの印刷")
        try:
            if dialog.exec() != QPrintDialog.DialogCode.Accepted:
                return
            print_document(document, printer)
        except OSError:
            self.ctx.messages.error("印刷できませんでした",
                                    "プリンターに接続できませんでした。プリンターの電源と接続を確かめてから、"
                                    "もう一度お試しください。")
        finally:
            document.close()
            buffer.close()
            buffer.setData(QByteArray())

    def save_pdf(self, target: Path | None = None) -> None:
        target = target or _ask_save_path(self, "回復キーをPDFで保存", "回復キー.pdf", "PDF (*.pdf)")
        if target is None:
            return
        if target.suffix.lower() != ".pdf":
            target = target.with_suffix(".pdf")
        data = self.data

        def work() -> Path:
            pdf = recovery_key_pdf(data)
            write_atomically(target, lambda handle: handle.write(pdf))
            return target

        self.ctx.runner.run(work, on_done=self._saved,
                            on_error=lambda exc: self.ctx.messages.failure("保存できませんでした", exc))

    def _saved(self, path: Path) -> None:
        log.info("recovery key sheet saved where the user chose")
        self.ctx.messages.info("回復キーを保存しました",
                               f"回復キーのPDFを保存しました。\n{path}\n\n"
                               "このファイルがあれば誰でもデータベースを開けます。USBメモリなどに移して鍵のかかる場所に"
                               "保管し、このパソコンからは削除してください。")


def show_recovery_key(ctx: AppContext, key: str, parent: QWidget | None = None, *, user: str = "") -> None:
    RecoveryKeyDialog(ctx, key, parent, user=user).exec()
