"""Run long work on the worker with a progress dialog; the window stays responsive."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget


def run_with_progress(ctx, label: str, work: Callable[[Callable[[int, int], None]], Any], *,
                      on_done: Callable[[Any], None] | None = None, error_title: str = "エラー",
                      on_error: Callable[[BaseException], None] | None = None,
                      parent: QWidget | None = None) -> QProgressDialog:
    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setObjectName("progressDialog")
    dialog.setWindowTitle("処理中")
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)

    def progress(done: int, total: int) -> None:
        if total > 0:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))

    def finished(result: Any) -> None:
        dialog.close()
        if on_done:
            on_done(result)

    def failed(exc: BaseException) -> None:
        dialog.close()
        if on_error:
            on_error(exc)
        else:
            ctx.messages.failure(error_title, exc)

    ctx.runner.run(work, on_done=finished, on_error=failed, on_progress=progress)
    return dialog
