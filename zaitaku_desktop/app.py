"""Composition root for the GUI: logging, QApplication, translations, fonts, theme,
the main window, then the database (migrated on a worker) and the services.

The window is painted before the database is opened so that start-up feels
instant even on a large file; heavy modules are imported only after that.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import traceback
from pathlib import Path

from zaitaku_desktop import APP_NAME, paths

log = logging.getLogger("zaitaku_desktop")


def setup_logging() -> None:
    folder = paths.log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            folder / "zaitaku.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


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


def run_gui(db_path: Path, *, argv: list[str] | None = None, quit_after_ms: int | None = None) -> int:
    """Start the GUI. ``quit_after_ms`` (smoke tests) closes the window that long after the list is shown."""
    setup_logging()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from zaitaku_desktop.settings import Settings
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
    install_excepthook(messages)
    window.show()
    log.info("window shown; opening database")

    def open_database() -> None:
        def work():
            from zaitaku_desktop.paths import backup_dir
            from zaitaku_desktop.services import open_services

            user = settings.get("user/name") or None
            return open_services(db_path, backup_dir=backup_dir(), user=user)

        def opened(services) -> None:
            from zaitaku_desktop.ui.context import AppContext

            ctx = AppContext(services=services, settings=settings, runner=runner, messages=messages)
            app.aboutToQuit.connect(services.close)
            window.attach(ctx)
            migration = services.db.last_migration
            if migration and migration.backup:
                window.statusBar().showMessage(
                    f"データベースを新しい形式に更新しました（更新前のバックアップ：{migration.backup.name}）", 15000)
            if quit_after_ms is None and settings.get("ui/offer_sample") and services.sample.is_empty():
                window.ready.connect(window.offer_sample_on_first_start, type=_single_shot())
            if quit_after_ms is not None:  # smoke tests: close once the list is on screen
                window.ready.connect(lambda: QTimer.singleShot(quit_after_ms, window.close), type=_single_shot())

        def failed(exc: BaseException) -> None:
            messages.failure("データベースを開けません", exc)
            window.loading.setText(f"データベースを開けませんでした。\n{db_path}\n\n"
                                   "ファイルの場所を確認し、プログラムを起動し直してください。")
            if quit_after_ms is not None:
                QTimer.singleShot(quit_after_ms, window.close)

        runner.run(work, on_done=opened, on_error=failed)

    QTimer.singleShot(0, open_database)
    code = app.exec()
    runner.wait(60000)
    return code


def _single_shot():
    from PySide6.QtCore import Qt

    return Qt.ConnectionType.SingleShotConnection


def install_excepthook(messages) -> None:
    """Unexpected errors are logged with their traceback and shown once, plainly."""
    def hook(exc_type, exc, tb) -> None:
        log.error("unhandled error:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        try:
            messages.failure("エラー", exc)
        except Exception:  # noqa: BLE001 - never fail inside the hook
            pass

    sys.excepthook = hook
