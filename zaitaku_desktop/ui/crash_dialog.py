"""Unexpected errors (bugs): logged with their traceback, then shown once, plainly.

Personal data stays out of the log: an exception's message text can carry what the user typed
(a name in a KeyError, a note in a ValueError, a DomainError's Japanese text), so the log gets the
exception's type, its errno for OS errors, and the stack frames (file, line, function, source
line), for the whole chain of causes, but never the message itself.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, QtMsgType, Signal, qInstallMessageHandler

log = logging.getLogger("zaitaku_desktop.crash")

CRASH_TITLE = "予期しないエラー"
REPEAT_QUIET_S = 60.0


def crash_text(log_path: Path | None) -> str:
    where = str(log_path) if log_path else "（記録できませんでした）"
    return f"予期しないエラーが発生しました。入力済みのデータは保存されています。\n詳しい記録：{where}"


def safe_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` and its causes with every exception message left out."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current)
        label = f"{kind.__module__}.{kind.__qualname__}"
        if isinstance(current, OSError) and current.errno is not None:
            label += f" (errno {current.errno})"
        orig = getattr(current, "orig", None)  # SQLAlchemy wraps the driver's error
        if orig is not None:
            label += f" from {type(orig).__qualname__} {getattr(orig, 'sqlite_errorname', '')}".rstrip()
        frames = "".join(traceback.format_tb(current.__traceback__)) if current.__traceback__ else ""
        parts.append(f"Traceback (most recent call last):\n{frames}{label}: <message not logged>\n")
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return "\nCaused by / during handling of:\n".join(reversed(parts))


class CrashReporter(QObject):
    """Installs the hooks; every unexpected error ends in :meth:`report` on the main thread."""

    _crashed = Signal(object)

    def __init__(self, messages, log_path: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.messages = messages
        self.log_path = log_path
        self._showing = False
        self._recent: dict[tuple, float] = {}
        self._crashed.connect(self.report)  # queued when emitted from another thread

    def install(self) -> None:
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_hook
        self.previous_qt_handler = qInstallMessageHandler(_qt_message)
        self.messages.on_unexpected = self.report

    def _excepthook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        self._crashed.emit(exc)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self._crashed.emit(args.exc_value)

    def report(self, exc: BaseException) -> None:
        """Log ``exc`` and show one dialog (not a second while one is open, nor the same error again soon)."""
        log.error("unexpected error\n%s", safe_traceback(exc))
        tb = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        key = (type(exc), tuple((f.filename, f.lineno) for f in tb))
        now = time.monotonic()
        if self._showing or now - self._recent.get(key, -REPEAT_QUIET_S) < REPEAT_QUIET_S:
            return
        self._recent[key] = now
        self._showing = True
        try:
            self.messages.error(CRASH_TITLE, crash_text(self.log_path))
        finally:
            self._showing = False


_QT_LEVELS = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}


def _qt_message(mode: QtMsgType, context, message: str) -> None:
    logging.getLogger("qt").log(_QT_LEVELS.get(mode, logging.WARNING), "%s", message)
