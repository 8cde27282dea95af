"""GUI fixtures: a context built from fakes (synchronous runner, recorded messages) and the
main window on a fresh copy of the sample region."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from zaitaku_desktop.app import StartUp
from zaitaku_desktop.settings import Settings
from zaitaku_desktop.ui.context import AppContext
from zaitaku_desktop.ui.main_window import MainWindow
from zaitaku_desktop.ui.messages import RecordingMessages
from zaitaku_desktop.ui.tasks import SyncTaskRunner

from ui_helpers import DialogDriver, open_window


@pytest.fixture
def settings(qapp, tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def messages() -> RecordingMessages:
    return RecordingMessages()


def _context(services, settings: Settings, messages: RecordingMessages) -> AppContext:
    return AppContext(services=services, settings=settings, runner=SyncTaskRunner(), messages=messages)


@pytest.fixture
def ctx(sample_services, settings, messages) -> AppContext:
    return _context(sample_services, settings, messages)


@pytest.fixture
def empty_ctx(services, settings, messages) -> AppContext:
    """A context on a migrated database that holds no resources."""
    return _context(services, settings, messages)


@pytest.fixture
def window(qtbot, ctx):
    return open_window(qtbot, ctx)


@pytest.fixture
def tab(window):
    return window.resources_tab


@pytest.fixture
def rows(sample_services):
    """The sample rows as the service returns them (archived included)."""
    return sample_services.resources.list_rows()


@pytest.fixture
def dialogs(monkeypatch, qtbot) -> DialogDriver:
    return DialogDriver(monkeypatch, qtbot)


@pytest.fixture
def start(qtbot, settings, messages, tmp_path):
    """Start the program on a path the way run_gui does, with the test's runner and messages."""
    started: list[StartUp] = []

    def run(db: Path, backups: Path | None = None) -> StartUp:
        window = MainWindow(settings, messages)
        qtbot.addWidget(window)
        window.show()
        startup = StartUp(db, window=window, settings=settings, messages=messages, runner=SyncTaskRunner(),
                          backup_dir=backups or tmp_path / "backups")
        started.append(startup)
        startup.begin()
        return startup

    yield run
    for startup in started:
        startup.close()
