"""One runner for database and file work started from the GUI.

Work runs on a single worker thread (so database access is serialised), and the
callbacks run back on the main thread. ``SyncTaskRunner`` does the same inline,
for tests.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)
    progress = Signal(int, int)


class _Job(QRunnable):
    def __init__(self, fn: Callable[..., Any], with_progress: bool) -> None:
        super().__init__()
        self.fn = fn
        self.with_progress = with_progress
        self.signals = _Signals()
        self.setAutoDelete(False)

    @Slot()
    def run(self) -> None:
        try:
            if self.with_progress:
                result = self.fn(lambda done, total: self.signals.progress.emit(done, total))
            else:
                result = self.fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


class TaskRunner(QObject):
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._jobs: set[_Job] = set()

    def run(self, fn: Callable[..., Any], *, on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None,
            on_progress: Callable[[int, int], None] | None = None) -> None:
        """Run ``fn`` on the worker; with ``on_progress`` it is called as fn(progress)."""
        job = _Job(fn, on_progress is not None)
        self._jobs.add(job)

        def finish() -> None:
            self._jobs.discard(job)
            if not self._jobs:
                self.busy_changed.emit(False)

        def done(result: object) -> None:
            finish()
            if on_done:
                on_done(result)

        def failed(exc: BaseException) -> None:
            finish()
            if on_error:
                on_error(exc)
            else:
                raise exc

        job.signals.done.connect(done)
        job.signals.failed.connect(failed)
        if on_progress:
            job.signals.progress.connect(on_progress)
        self.busy_changed.emit(True)
        self.pool.start(job)

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def wait(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)


class SyncTaskRunner(QObject):
    """Runs work inline on the calling thread: ops finish inside a test."""

    busy_changed = Signal(bool)

    def run(self, fn: Callable[..., Any], *, on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None,
            on_progress: Callable[[int, int], None] | None = None) -> None:
        try:
            result = fn(on_progress) if on_progress is not None else fn()
        except Exception as exc:  # noqa: BLE001
            if on_error is None:
                raise
            on_error(exc)
        else:
            if on_done:
                on_done(result)

    @property
    def busy(self) -> bool:
        return False

    def wait(self, msecs: int = 0) -> bool:
        return True
