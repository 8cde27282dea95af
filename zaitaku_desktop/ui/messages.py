"""The only place that opens message boxes. Tests swap in ``RecordingMessages``."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from PySide6.QtWidgets import QMessageBox, QWidget

from zaitaku_desktop.domain.errors import DomainError, ValidationError

log = logging.getLogger(__name__)


class Messages:
    # Set by ui/crash_dialog.CrashReporter.install: unexpected errors go to the one crash dialog.
    on_unexpected = None

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def info(self, title: str, text: str) -> None:
        QMessageBox.information(self.parent, title, text)

    def warning(self, title: str, text: str) -> None:
        QMessageBox.warning(self.parent, title, text)

    def error(self, title: str, text: str) -> None:
        QMessageBox.critical(self.parent, title, text)

    def confirm(self, title: str, text: str, *, ok: str = "はい", cancel: str = "いいえ") -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self.parent)
        yes = box.addButton(ok, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(cancel, QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is yes

    def failure(self, title: str, exc: BaseException) -> None:
        """Show an expected failure plainly; anything else is a bug for the crash dialog."""
        if isinstance(exc, ValidationError):
            self.warning(title, exc.message)
        elif isinstance(exc, DomainError):
            self.error(title, exc.message)
        elif self.on_unexpected is not None:
            self.on_unexpected(exc)
        else:
            log.error("unexpected error: %s\n%s", exc, getattr(exc, "__traceback_text__", ""))
            self.error(title, "予期しないエラーが発生しました。作業内容は保存されていない可能性があります。\n"
                              "ログファイルに詳細を記録しました。\n\n"
                              f"（{type(exc).__name__}）")


@dataclass
class RecordingMessages(Messages):
    """Records every message instead of showing it; ``answers`` feeds confirm()."""

    shown: list[tuple[str, str, str]] = field(default_factory=list)
    answers: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.parent = None

    def info(self, title: str, text: str) -> None:
        self.shown.append(("info", title, text))

    def warning(self, title: str, text: str) -> None:
        self.shown.append(("warning", title, text))

    def error(self, title: str, text: str) -> None:
        self.shown.append(("error", title, text))

    def confirm(self, title: str, text: str, *, ok: str = "はい", cancel: str = "いいえ") -> bool:
        self.shown.append(("confirm", title, text))
        return self.answers.pop(0) if self.answers else False

    def texts(self, kind: str | None = None) -> list[str]:
        return [t for k, _, t in self.shown if kind is None or k == kind]
