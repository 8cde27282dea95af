"""The lock (issue 9): after N idle minutes or on Ctrl+L personal data leaves the screen and the database key
is dropped; the user's password (or the recovery key) opens the window again, with every form as it was.

- :class:`IdleWatcher` notes the last keyboard/mouse input anywhere in the program (an application event
  filter) and a timer asks every few seconds whether the idle time has passed; its clock is injectable.
- :class:`LockController` locks and unlocks the main window: the central area switches to a lock page
  (``window.stack`` page 1), the toolbar, status bar and menus go away, non-modal windows are hidden, and
  every modal dialog (a form being typed) is covered by its own lock page. A dialog running ``exec()`` cannot
  be hidden: ``QDialog.hide()`` ends its event loop and the caller would take the half-typed form for a
  cancel. So a covered dialog keeps all its widgets and text; they are disabled and out of sight until
  the unlock. Timers that read the database (automatic backup, the 今日 timers, a form's own timers) are
  stopped while locked and started again after.
"""

from __future__ import annotations

import time
from typing import Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QPainter
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QToolBar, QToolTip, QVBoxLayout, QWidget

from zaitaku_desktop import APP_TITLE
from zaitaku_desktop.domain.errors import StorageError

from .login_dialog import SecretInput, busy_cursor

IDLE_SETTING = "security/idle_minutes"
CHECK_MS = 5000
LOCK_KEYS = QKeySequence("Ctrl+L")
DB_TIMERS = ("autoBackupTimer", "consultationDayTimer", "meetingDayTimer")  # the main window's database timers
HOW_TO_ENABLE = ("このデータベースにはパスワードが設定されていないため、ロックできません。\n"
                 "ロックを使うには、設定 → セキュリティ で利用者とパスワードを登録するか、データベースを保護してください。")
QWIDGETSIZE_MAX = (1 << 24) - 1
_INPUT = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick,
                    QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress})


class IdleWatcher(QObject):
    """Emits ``idle`` when nobody has touched the keyboard or mouse for ``minutes`` (0 = never)."""

    idle = Signal()

    def __init__(self, parent: QObject, minutes: int, clock: Callable[[], float] = time.monotonic, *,
                 check_ms: int = CHECK_MS, watching: bool = True) -> None:
        super().__init__(parent)
        self.clock = clock
        self.minutes = max(0, int(minutes))
        self.last = clock()
        self.watching = False
        self.watch(watching)
        self.timer = QTimer(self)
        self.timer.setObjectName("idleTimer")
        self.timer.setInterval(check_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def watch(self, on: bool) -> None:
        """Note input application-wide (a Python filter sees every event, so it is on only when it matters)."""
        if on != self.watching:
            app = QCoreApplication.instance()
            app.installEventFilter(self) if on else app.removeEventFilter(self)
            self.watching = on
            self.reset()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in _INPUT:
            self.last = self.clock()
        return False

    def set_minutes(self, minutes: int) -> None:
        self.minutes = max(0, int(minutes))
        self.reset()

    def reset(self) -> None:
        self.last = self.clock()

    def check(self) -> bool:
        due = self.minutes > 0 and self.clock() - self.last >= self.minutes * 60
        if due:
            self.idle.emit()
        return due


class LockPage(QWidget):
    """「ロック中」, who is logged in, and the password (or recovery key) that opens the window again."""

    unlock_requested = Signal(object)  # the page: read its ``secret``

    def __init__(self, user_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockPage")
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)  # nothing behind it shows through
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QWidget(self)
        box.setMinimumWidth(420)
        box.setMaximumWidth(520)
        column = QVBoxLayout(box)
        title = QLabel("ロック中", box)
        title.setObjectName("lockTitle")
        title.setStyleSheet("font-size: 20pt; font-weight: bold;")
        column.addWidget(title)
        self.user_label = QLabel(f"利用者：{user_name}" if user_name else "", box)
        self.user_label.setObjectName("lockUser")
        column.addWidget(self.user_label)
        hint = QLabel("画面を保護しています。続けるにはパスワードを入力して「解除」を押してください。", box)
        hint.setWordWrap(True)
        column.addWidget(hint)
        self.secret = SecretInput(box, recovery_text="回復キーで解除")
        self.secret.submitted.connect(lambda: self.unlock_requested.emit(self))
        column.addWidget(self.secret)
        self.unlock_button = QPushButton("解除", box)
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.clicked.connect(lambda: self.unlock_requested.emit(self))
        column.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignRight)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        QPainter(self).fillRect(self.rect(), self.palette().window())  # the theme's style sheet paints no background


class _Cover(QObject):
    """A modal dialog under a lock page: its own widgets disabled and hidden behind the page."""

    def __init__(self, dialog: QWidget, page: LockPage) -> None:
        super().__init__(page)
        self.dialog, self.page = dialog, page
        dialog.installEventFilter(self)
        self.title = dialog.windowTitle()
        self.size, self.limits = dialog.size(), (dialog.minimumSize(), dialog.maximumSize())
        self.widgets = [(w, w.isEnabled()) for w in dialog.findChildren(
            QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly) if w is not page and not w.isWindow()]
        for widget, _ in self.widgets:
            widget.setEnabled(False)
        dialog.setWindowTitle("ロック中")
        need = page.minimumSizeHint().expandedTo(dialog.size())  # a small box (a QMessageBox) grows for a while
        dialog.setMinimumSize(need)
        dialog.setMaximumSize(QSize(QWIDGETSIZE_MAX, QWIDGETSIZE_MAX))
        dialog.resize(need)
        page.setGeometry(dialog.rect())
        page.show()
        page.raise_()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind == QEvent.Type.Resize:
            self.page.setGeometry(self.dialog.rect())
        escape = kind == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape  # type: ignore[attr-defined]
        if kind == QEvent.Type.Close or escape:
            event.ignore()  # Esc or the title bar's × would cancel the form behind the lock
            return True
        # No re-layout while covered: a QMessageBox would shrink itself back to its own size.
        return kind == QEvent.Type.LayoutRequest

    def remove(self) -> None:
        self.dialog.removeEventFilter(self)
        for widget, enabled in self.widgets:
            widget.setEnabled(enabled)
        self.dialog.setWindowTitle(self.title)
        self.dialog.setMinimumSize(self.limits[0])
        self.dialog.setMaximumSize(self.limits[1])
        self.dialog.resize(self.size)
        self.page.hide()
        self.page.deleteLater()
        QCoreApplication.postEvent(self.dialog, QEvent(QEvent.Type.LayoutRequest))


class LockController(QObject):
    """Locks the window on idle or Ctrl+L (ファイル → ロック) and unlocks it with the user's password."""

    locked_changed = Signal(bool)

    def __init__(self, window, ctx, *, clock: Callable[[], float] = time.monotonic, check_ms: int = CHECK_MS) -> None:
        super().__init__(window)
        self.window, self.ctx = window, ctx
        self.locked = False
        self._locking = False
        self._hidden: list[QWidget] = []
        self._covers: list[_Cover] = []
        self._timers: list[QTimer] = []
        self._saved: dict = {}
        self._focus: QWidget | None = None
        self.action = QAction("ロック", window)
        self.action.setObjectName("actLock")
        self.action.setShortcut(LOCK_KEYS)
        self.action.setStatusTip("画面をロックして個人情報を隠します（Ctrl+L）")
        self.action.triggered.connect(lambda _checked=False: self.lock_now())
        window.addAction(self.action)
        self.page = self._new_page()
        window.stack.addWidget(self.page)
        self.idle = IdleWatcher(self, ctx.settings.get(IDLE_SETTING), clock, check_ms=check_ms, watching=False)
        self.idle.idle.connect(self._idle)
        self._filtering = False
        self.sync_filters()

    def sync_filters(self) -> None:
        """The application-wide key and input filters run only while there is something to lock with (users
        registered or the file encrypted): every event of the program passes through them."""
        on = self.can_lock
        if on != self._filtering:
            app = QCoreApplication.instance()
            app.installEventFilter(self) if on else app.removeEventFilter(self)
            self._filtering = on
        self.idle.watch(on)

    @property
    def security(self):
        return getattr(self.ctx.services, "security", None)

    @property
    def can_lock(self) -> bool:
        security = self.security
        return bool(security is not None and security.can_lock)

    def set_idle_minutes(self, minutes: int) -> None:
        self.sync_filters()
        self.idle.set_minutes(minutes)

    # --- locking -------------------------------------------------------------------------------------------
    def lock_now(self) -> None:
        """Ctrl+L / ファイル → ロック: lock at once, or say how to make locking possible."""
        self.sync_filters()
        if self.locked:
            return
        if not self.can_lock:
            self.ctx.messages.info("ロック", HOW_TO_ENABLE)
            return
        self.lock()

    def _idle(self) -> None:
        if not self.locked and self.can_lock:
            self.lock()

    def lock(self) -> bool:
        if self.locked or self._locking:
            return self.locked
        self._locking = True
        try:
            if not self._wait_for_jobs():
                self.window.statusBar().showMessage("処理中のため、ロックできませんでした。処理が終わってからもう一度お試しください。", 8000)
                return False
            self._focus = QApplication.focusWidget()
            self._cover_windows()
            self._cover_main()
            self.security.lock()
            self.locked = True
        finally:
            self._locking = False
        self.locked_changed.emit(True)
        return True

    def _wait_for_jobs(self, seconds: float = 120) -> bool:
        """Let running worker jobs (and the callbacks they queue) finish; user input waits meanwhile."""
        runner, deadline = self.ctx.runner, time.monotonic() + seconds
        while runner.busy and time.monotonic() < deadline:
            runner.wait(200)
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        return not runner.busy

    def _user_name(self) -> str:
        current = self.security.status().current if self.security is not None else None
        return current.name if current is not None else ""

    def _new_page(self) -> LockPage:
        page = LockPage(self._user_name() if self.can_lock else "")
        page.unlock_requested.connect(self.try_unlock)
        return page

    def _stop_timers(self, timers) -> None:
        for timer in timers:
            if timer.isActive():
                timer.stop()
                self._timers.append(timer)

    def _cover_windows(self) -> None:
        QToolTip.hideText()
        for widget in QApplication.topLevelWidgets():
            if widget is self.window or not widget.isVisible():
                continue
            if widget.windowType() in (Qt.WindowType.Popup, Qt.WindowType.ToolTip):
                widget.hide()  # menus, completer lists: simply closed
                continue
            self._stop_timers(widget.findChildren(QTimer))
            if widget.isModal():
                page = self._new_page()
                page.setParent(widget)
                self._covers.append(_Cover(widget, page))
            else:
                widget.hide()
                self._hidden.append(widget)

    def _cover_main(self) -> None:
        w = self.window
        toolbars = w.findChildren(QToolBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
        self._saved = {"title": w.windowTitle(), "page": w.stack.currentIndex(), "focus": self._focus,
                       "toolbars": [t for t in toolbars if t.isVisible()], "status": w.statusBar().isVisible()}
        self._stop_timers(t for t in w.findChildren(QTimer) if t.objectName() in DB_TIMERS)
        w.setWindowTitle(f"{APP_TITLE}（ロック中）")
        self.page.user_label.setText(f"利用者：{self._user_name()}")
        w.stack.setCurrentWidget(self.page)
        for toolbar in self._saved["toolbars"]:
            toolbar.hide()
        w.statusBar().clearMessage()
        w.statusBar().hide()
        w.menuBar().setEnabled(False)
        front = QApplication.activeModalWidget()
        pages = [c.page for c in self._covers if c.dialog is front] or [c.page for c in self._covers] or [self.page]
        pages[0].secret.password.setFocus()

    # --- unlocking -----------------------------------------------------------------------------------------
    def try_unlock(self, page: LockPage) -> bool:
        """The 解除 button of any lock page: the current user's password, or the recovery key."""
        secret = page.secret
        problem = secret.missing()
        if problem:
            secret.show_error(problem)
            return False
        try:
            with busy_cursor():
                if secret.recovery_mode:
                    self.security.unlock_with_recovery_key(secret.text())
                else:
                    self.security.unlock(secret.text())
        except StorageError as exc:  # AuthError: wrong password; anything else said as plainly
            secret.show_error(exc.message)
            return False
        self.unlock_done()
        return True

    def unlock_done(self) -> None:
        """Put everything back as it was (the key is already back)."""
        w, saved = self.window, self._saved
        self.page.secret.clear()
        w.menuBar().setEnabled(True)
        w.statusBar().setVisible(saved["status"])
        for toolbar in saved["toolbars"]:
            toolbar.show()
        w.stack.setCurrentIndex(saved["page"])
        w.setWindowTitle(saved["title"])
        for cover in self._covers:
            cover.remove()
        for widget in self._hidden:
            widget.show()
        for timer in self._timers:
            timer.start()
        focus = saved["focus"]
        if focus is not None and shiboken6.isValid(focus):
            focus.window().activateWindow()
            focus.setFocus()
        self._hidden, self._covers, self._timers, self._saved = [], [], [], {}
        self.locked = False
        self.idle.reset()
        self.locked_changed.emit(False)

    # --- keys ----------------------------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if self.locked and kind == QEvent.Type.Shortcut:
            return True  # no menu shortcut (Ctrl+N, Ctrl+E…) reaches the data behind the lock
        if kind == QEvent.Type.KeyPress and not self.locked \
                and QKeySequence(event.keyCombination()) == LOCK_KEYS:  # type: ignore[attr-defined]
            # The ロック action's shortcut does not reach a dialog in front; the key does.
            self.lock_now()
            return True
        return False
