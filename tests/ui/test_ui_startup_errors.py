"""Start-up as the user meets it: a damaged file (moved aside, a backup offered with its date), a
second copy of the program (read-only, labelled, the form keeps what was typed), and an unexpected
error (one dialog naming the log; the traceback in the log without personal data)."""

from __future__ import annotations

import datetime as dt
import logging
import re
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, qInstallMessageHandler
from PySide6.QtWidgets import QLabel, QPushButton

from zaitaku_desktop.app import setup_logging
from zaitaku_desktop.storage.backup import backup_database, timestamped_name
from zaitaku_desktop.storage.instance_lock import InstanceLock
from zaitaku_desktop.ui.crash_dialog import CRASH_TITLE, CrashReporter
from zaitaku_desktop.ui.resources.form import ResourceDialog
from zaitaku_desktop.ui.tasks import SyncTaskRunner

from ui_helpers import choose, replace_text


def _scribble(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for page in range(3, len(data) // 4096, 2):
        data[page * 4096 + 8: page * 4096 + 600] = b"\xa5" * 592
    path.write_bytes(bytes(data))


def test_damaged_database_is_moved_aside_and_the_backup_offered_with_its_date(start, sample_db_path, messages,
                                                                              tmp_path):
    backups = tmp_path / "backups"
    backup_database(sample_db_path, backups / timestamped_name("auto", dt.datetime(2026, 11, 20, 17, 30)))
    _scribble(sample_db_path)
    damaged = sample_db_path.read_bytes()
    messages.answers = [True]  # 「バックアップから復元する」

    startup = start(sample_db_path, backups)

    kind, title, text = messages.shown[0]
    assert (kind, title) == ("confirm", "データベースの復元")
    assert "令和8年11月20日（金） 17:30 に作成したバックアップ" in text
    assert "より後に入力・変更した内容は失われます" in text
    aside = [p for p in sample_db_path.parent.iterdir() if re.search(r"\.damaged-\d{8}-\d{6}$", p.name)]
    assert len(aside) == 1 and aside[0].read_bytes() == damaged  # kept, byte for byte
    assert aside[0].name in text
    assert len(messages.shown) == 1  # nothing else went wrong
    window = startup.window
    assert window.resources_tab is not None and window.resources_tab.count_label.text().startswith("129 件")


def test_damaged_database_without_a_backup_can_start_empty_or_quit(start, sample_db_path, messages, tmp_path):
    _scribble(sample_db_path)
    messages.answers = [False]  # 「終了する」
    quitter = start(sample_db_path)
    assert "復元に使えるバックアップが見つかりませんでした" in messages.texts("confirm")[0]
    assert not quitter.window.isVisible() and quitter.services is None
    assert not sample_db_path.exists()  # moved aside, nothing new made

    messages.answers = [True]  # next start: the file is gone, so a new, empty database opens
    fresh = start(sample_db_path)
    assert fresh.services is not None and fresh.services.sample.is_empty()
    assert len([p for p in sample_db_path.parent.iterdir() if ".damaged-" in p.name]) >= 1


def test_second_copy_opens_read_only_labelled_and_the_form_keeps_its_content(qtbot, start, sample_db_path,
                                                                            messages, dialogs):
    first_copy = InstanceLock(sample_db_path)
    first_copy.acquire()
    try:
        messages.answers = [True]  # 「読み取り専用で開く」
        startup = start(sample_db_path)
        kind, title, text = messages.shown[0]
        assert (kind, title) == ("confirm", "二重起動") and "すでに別のウィンドウ" in text
        window = startup.window
        assert window.windowTitle().endswith("【読み取り専用】")
        label = window.findChild(QLabel, "readOnlyLabel")
        assert label is not None and label.isVisible() and "変更は保存できません" in label.text()

        def fill_and_save(dialog):
            replace_text(qtbot, dialog.name, "みなと訪問看護ステーション")
            choose(dialog.category, "訪問看護ステーション")
            qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

        opened = dialogs.drive(ResourceDialog, fill_and_save)
        window.resources_tab.act_new.trigger()
        assert opened[0].saved is None
        assert opened[0].name.text() == "みなと訪問看護ステーション"  # what was typed is still there
        kind, title, text = messages.shown[-1]
        assert kind == "error" and "読み取り専用" in text and "入力した内容は画面に残っています" in text
    finally:
        first_copy.release()


def test_second_copy_may_decline_and_quit(start, sample_db_path, messages):
    with InstanceLock(sample_db_path):
        startup = start(sample_db_path)  # no answer: 「終了する」
    assert startup.services is None and not startup.window.isVisible()


@pytest.fixture
def crash_hooks(messages, _isolated_home):
    """The crash reporter installed as run_gui does; everything it replaced is put back afterwards."""
    saved = sys.excepthook, threading.excepthook
    root = logging.getLogger()
    handlers = list(root.handlers)
    log_path = setup_logging()
    reporter = CrashReporter(messages, log_path)
    reporter.install()
    yield reporter, log_path
    sys.excepthook, threading.excepthook = saved
    qInstallMessageHandler(reporter.previous_qt_handler)
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()


class PatientRecordError(Exception):
    pass


@pytest.mark.qt_no_exception_capture
def test_unexpected_error_in_a_slot_shows_one_dialog_and_logs_without_personal_data(qtbot, messages, crash_hooks):
    reporter, log_path = crash_hooks
    assert log_path is not None and log_path.parent.name == "logs"

    typed = "".join(["山田", "太郎"])  # what the user typed (not in any source line the traceback shows)

    def broken_slot() -> None:
        raise PatientRecordError(f"{typed} 様の記録")  # personal data in the message

    button = QPushButton("保存")
    qtbot.addWidget(button)
    button.clicked.connect(broken_slot)
    for _ in range(3):  # the same error again: logged again, but not a second dialog
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    assert messages.shown == [("error", CRASH_TITLE,
                               "予期しないエラーが発生しました。入力済みのデータは保存されています。\n"
                               f"詳しい記録：{log_path}")]
    for handler in logging.getLogger().handlers:
        handler.flush()
    logged = log_path.read_text(encoding="utf-8")
    assert logged.count("PatientRecordError: <message not logged>") == 3
    assert "in broken_slot" in logged and "Traceback (most recent call last)" in logged
    assert "山田太郎" not in logged

    worker = threading.Thread(target=lambda: 1 / 0)  # a background thread fails: shown on the main thread
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(messages.shown) == 2)
    assert messages.shown[-1][1] == CRASH_TITLE
    assert "ZeroDivisionError: <message not logged>" in log_path.read_text(encoding="utf-8")


def test_unexpected_error_from_the_runner_goes_to_the_same_dialog(messages, crash_hooks):
    _reporter, log_path = crash_hooks

    typed = "".join(["佐藤", "花子"])

    def failing_work():
        raise KeyError(typed)

    SyncTaskRunner().run(failing_work, on_error=lambda exc: messages.failure("保存できませんでした", exc))
    assert messages.shown == [("error", CRASH_TITLE, messages.shown[0][2])]
    assert str(log_path) in messages.shown[0][2]
    for handler in logging.getLogger().handlers:
        handler.flush()
    logged = log_path.read_text(encoding="utf-8")
    assert "KeyError: <message not logged>" in logged and "佐藤花子" not in logged


def test_database_on_a_network_drive_is_opened_with_a_plain_warning(start, sample_db_path, messages, monkeypatch):
    from zaitaku_desktop.storage import engine

    assert engine.is_network_path(Path("//server/share/zaitaku.sqlite3"))
    assert not engine.is_network_path(sample_db_path)
    monkeypatch.setattr(engine, "is_network_path", lambda path: path == sample_db_path)
    startup = start(sample_db_path)
    assert startup.services is not None
    assert messages.shown == [("warning", "ネットワーク上のデータベース", messages.shown[0][2])]
    assert "パソコン内のフォルダに置くことをお勧めします" in messages.shown[0][2]
