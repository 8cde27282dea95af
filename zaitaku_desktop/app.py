"""Composition root for the GUI: logging, QApplication, translations, fonts, theme,
the main window, then the database (checked and migrated on a worker) and the services.

The window is painted before the database is opened so that start-up feels
instant even on a large file; heavy modules are imported only after that.

Start-up safety (:class:`StartUp`): one program per database (a second copy may open it
read-only, clearly labelled) → ``Database.open`` runs ``quick_check`` → a damaged file is moved
aside as ``<name>.damaged-<timestamp>`` and the newest verified backup is offered (with its date:
later changes are lost) → restored, or an empty database, or quit. Unexpected errors go to
ui/crash_dialog.CrashReporter: traceback (without message texts) to the rotating log, one dialog.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from zaitaku_desktop import APP_NAME, paths

log = logging.getLogger("zaitaku_desktop")


def setup_logging() -> Path | None:
    """A rotating log file in the log folder; returns its path (None when only stderr is possible)."""
    folder = paths.log_dir()
    path: Path | None = folder / "zaitaku.log"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        handler, path = logging.StreamHandler(sys.stderr), None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def install_translator(app) -> None:
    """Qt's own buttons and dialogs in Japanese (qtbase_ja ships with PySide6)."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan), "qtbase", "_", folder):
        app.installTranslator(translator)
    else:
        log.warning("qtbase_ja translation not found in %s", folder)
    QLocale.setDefault(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan))


def run_gui(db_path: Path | str, *, argv: list[str] | None = None, quit_after_ms: int | None = None) -> int:
    """Start the GUI. ``quit_after_ms`` (smoke tests) closes the window that long after the list is shown."""
    log_path = setup_logging()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from zaitaku_desktop.settings import Settings
    from zaitaku_desktop.ui.crash_dialog import CrashReporter
    from zaitaku_desktop.ui.main_window import MainWindow
    from zaitaku_desktop.ui.messages import Messages
    from zaitaku_desktop.ui.tasks import TaskRunner
    from zaitaku_desktop.ui.theme import apply_theme, register_fonts

    app = QApplication.instance() or QApplication(argv or [APP_NAME])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    install_translator(app)
    register_fonts()
    settings = Settings()
    apply_theme(app, settings.theme)
    messages = Messages()
    window = MainWindow(settings, messages)
    messages.parent = window
    runner = TaskRunner(window)
    CrashReporter(messages, log_path, parent=window).install()
    window.show()
    log.info("window shown; opening database")

    startup = StartUp(db_path, window=window, settings=settings, messages=messages, runner=runner,
                      quit_after_ms=quit_after_ms)
    app.aboutToQuit.connect(startup.close)
    # Open the database once the window has painted: importing and building the services on the worker holds
    # the interpreter for a while, and the user should see the window first (a timer covers a missed paint).
    first_paint = _OnFirstPaint(window, startup.begin)
    QTimer.singleShot(1000, first_paint.fire)
    code = app.exec()
    runner.wait(60000)
    return code


def _on_first_paint_class():
    from PySide6.QtCore import QEvent, QObject, QTimer

    class OnFirstPaint(QObject):
        """Calls ``callback`` once, right after ``window`` first paints (or when ``fire`` is called)."""

        def __init__(self, window, callback) -> None:
            super().__init__(window)
            self.window, self.callback, self.done = window, callback, False
            window.installEventFilter(self)

        def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint and not self.done:
                QTimer.singleShot(0, self.fire)
            return False

        def fire(self) -> None:
            if self.done:
                return
            self.done = True
            self.window.removeEventFilter(self)
            self.callback()

    return OnFirstPaint


def _OnFirstPaint(window, callback):  # noqa: N802 - builds the Qt object lazily (the core of app.py has no Qt)
    return _on_first_paint_class()(window, callback)


class StartUp:
    """Lock → open and check (on the runner) → attach; a damaged file → move aside → offer a backup."""

    def __init__(self, db_path: Path | str, *, window, settings, messages, runner, backup_dir: Path | None = None,
                 quit_after_ms: int | None = None) -> None:
        self.db_path = db_path
        # A PostgreSQL server (issue 10): no file lock, key file, move-aside or backups; the server does those.
        self.server = paths.is_server_url(db_path)
        self.window, self.settings, self.messages, self.runner = window, settings, messages, runner
        self.backup_dir = backup_dir or Path(settings.get("backup/folder") or paths.backup_dir())
        self.quit_after_ms = quit_after_ms
        self.read_only = False
        self.recovered = False
        self.new_file = not self.server and not (db_path.is_file() and db_path.stat().st_size > 0)  # we create it
        self.services = None
        self.lock = None
        self.credentials = None  # services.security.Credentials after a log-in

    def begin(self) -> None:
        from zaitaku_desktop.domain.errors import InstanceLockedError
        from zaitaku_desktop.storage.instance_lock import InstanceLock

        if self.server:
            self.open()
            return
        self.lock = InstanceLock(self.db_path)
        try:
            self.lock.acquire()  # False in a folder that cannot be written: Database.open then opens read-only
        except InstanceLockedError as exc:
            if not self.messages.confirm(
                    "二重起動", f"{exc.message}\n\n読み取り専用で開きますか？\n（見ることはできますが、変更は保存できません）",
                    ok="読み取り専用で開く", cancel="終了する"):
                self.window.close()
                return
            self.read_only = True
        if self.log_in():
            self.open()

    def log_in(self) -> bool:
        """A protected database (encrypted, or with users) asks who is there before anything is opened;
        「終了」 quits. False when the program is closing."""
        from zaitaku_desktop.services.security import Gate

        gate = Gate(self.db_path)
        if not gate.needs_login:
            return True
        from zaitaku_desktop.ui.login_dialog import LoginDialog

        dialog = LoginDialog(gate, self.window, settings=self.settings)
        accepted = dialog.exec()
        if not accepted and gate.key_file_missing:
            return True  # no recovery key: open as usual (a damaged file is then moved aside and a backup offered)
        if not accepted or dialog.credentials is None:
            self.close()
            self.window.close()
            return False
        self.credentials = dialog.credentials
        return True

    def open(self) -> None:
        def work():
            from zaitaku_desktop.services import build_services
            from zaitaku_desktop.storage.database import Database

            from zaitaku_desktop.services.security import ROLE_VIEWER

            who = self.credentials.user if self.credentials is not None else None
            db = Database.open(self.db_path, backup_dir=self.backup_dir, read_only=self.read_only, key=self.key,
                               query_only=who is not None and who.role == ROLE_VIEWER)
            try:
                return build_services(db, user=who.name if who is not None else self.settings.get("user/name") or None,
                                      credentials=self.credentials)
            except BaseException:
                db.close()
                raise

        self.runner.run(work, on_done=self.opened, on_error=self.failed)

    def opened(self, services) -> None:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QLabel

        from zaitaku_desktop.storage.engine import is_network_path
        from zaitaku_desktop.ui.context import AppContext

        self.services = services
        window = self.window
        ctx = AppContext(services=services, settings=self.settings, runner=self.runner, messages=self.messages)
        window.attach(ctx)
        if services.db.read_only:
            window.setWindowTitle(f"{window.windowTitle()}【読み取り専用】")
            label = QLabel("読み取り専用：変更は保存できません")
            label.setObjectName("readOnlyLabel")
            label.setStyleSheet("color: #b00020; font-weight: bold; padding: 0 8px;")
            window.statusBar().addPermanentWidget(label)
        migration = services.db.last_migration
        if migration and migration.backup:
            window.statusBar().showMessage(
                f"データベースを新しい形式に更新しました（更新前のバックアップ：{migration.backup.name}）", 15000)
        if not self.server and is_network_path(self.db_path):
            self.messages.warning("ネットワーク上のデータベース", NETWORK_WARNING + f"\n{self.db_path}")
        first_run = self.quit_after_ms is None and not services.db.read_only \
            and not self.settings.get("ui/first_run_done")
        if first_run and self.new_file:  # the first-run wizard (ui/first_run.py) asks everything once
            window.ready.connect(window.offer_first_run, type=_single_shot())
        elif first_run and self.settings.get("ui/offer_sample") and services.sample.is_empty():
            window.ready.connect(window.offer_sample_on_first_start, type=_single_shot())
        if self.quit_after_ms is not None:  # smoke tests: close once the list is on screen
            window.ready.connect(lambda: QTimer.singleShot(self.quit_after_ms, window.close), type=_single_shot())

    def failed(self, exc: BaseException) -> None:
        from PySide6.QtCore import QTimer

        from zaitaku_desktop.domain.errors import DatabaseDamagedError
        from zaitaku_desktop.storage.engine import display_url

        if isinstance(exc, DatabaseDamagedError) and not self.read_only and not self.recovered and not self.server:
            self.recover()
            return
        self.messages.failure("データベースを開けません", exc)
        where = display_url(self.db_path) if self.server else self.db_path
        self.window.loading.setText(f"データベースを開けませんでした。\n{where}\n\n"
                                    + ("サーバーの状態と接続先を確認し、" if self.server else "ファイルの場所を確認し、")
                                    + "プログラムを起動し直してください。")
        if self.quit_after_ms is not None:
            QTimer.singleShot(self.quit_after_ms, self.window.close)

    def recover(self) -> None:
        self.recovered = True
        from zaitaku_desktop.storage.database import move_aside, newest_verified_backup

        self.runner.run(lambda: (move_aside(self.db_path), newest_verified_backup(self.backup_dir)),
                        on_done=self.offer_backup, on_error=self.failed_for_good)

    def offer_backup(self, found) -> None:
        from zaitaku_desktop.domain.dates import format_date

        moved, backup = found
        kept = f"壊れたファイルは消さずに、次の名前で残しました：\n{moved}"
        text = f"データベースのファイルが壊れていたため、開けませんでした。\n{kept}\n\n"
        if backup is not None:
            path, when = backup
            day = format_date(when.date(), self.settings.date_style)
            if self.messages.confirm(
                    "データベースの復元",
                    text + f"{day} {when:%H:%M} に作成したバックアップから\n復元しますか？\n"
                           "このバックアップより後に入力・変更した内容は失われます。",
                    ok="バックアップから復元する", cancel="復元しない"):
                self.restore(path)
                return
        else:
            text += "復元に使えるバックアップが見つかりませんでした。\n"
        if self.messages.confirm("データベースの復元", text + "\n空のデータベースで始めますか？",
                                 ok="空のデータベースで始める", cancel="終了する"):
            self.open()
        else:
            self.close()
            self.window.close()

    def restore(self, backup: Path) -> None:
        from zaitaku_desktop.storage.backup import restore_database

        def work():
            restore_database(backup, self.db_path, self.backup_dir, key=self.key)
            log.info("database restored from backup %s", backup.name)

        self.runner.run(work, on_done=lambda _result: self.open(), on_error=self.failed_for_good)

    @property
    def key(self):
        """The database key from the log-in (None for a plain database)."""
        return self.credentials.key if self.credentials is not None else None

    def failed_for_good(self, exc: BaseException) -> None:
        self.recovered = True  # never move aside twice
        self.failed(exc)

    def close(self) -> None:
        if self.services is not None:
            self.services.close()
            self.services = None
        if self.lock is not None:
            self.lock.release()


NETWORK_WARNING = ("データベースがネットワーク上の場所（共有フォルダなど）にあります。接続が切れると"
                   "データが壊れるおそれがあるため、パソコン内のフォルダに置くことをお勧めします。")


def _single_shot():
    from PySide6.QtCore import Qt

    return Qt.ConnectionType.SingleShotConnection
