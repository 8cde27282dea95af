"""The lock (issue 9): a fake clock past the idle minutes or Ctrl+L hides personal data and drops the database
key; a wrong password keeps it locked; the right one brings back every window, a half-typed form included."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractListModel, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication

from tests.conftest import STAFF_NAME, STAFF_PASSWORD
from zaitaku_desktop.domain.errors import SessionLockedError
from zaitaku_desktop.services import open_services
from zaitaku_desktop.services.security import Gate
from zaitaku_desktop.ui.consultations.intake_form import IntakeDialog
from zaitaku_desktop.ui.context import AppContext
from zaitaku_desktop.ui.lock import HOW_TO_ENABLE, LockPage
from zaitaku_desktop.ui.resources.form import ResourceDialog
from zaitaku_desktop.ui.tasks import SyncTaskRunner

from ui_helpers import open_window, type_text

USER, PASSWORD = STAFF_NAME, STAFF_PASSWORD


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def protected_path(encrypted_db) -> Path:
    """The sample region encrypted for 山田 (tests/conftest.py), copied for this test."""
    return encrypted_db[0]


@pytest.fixture
def recovery_key(encrypted_db) -> str:
    return encrypted_db[1]


@pytest.fixture
def credentials(protected_path):
    return Gate(protected_path).login(USER, PASSWORD)


@pytest.fixture
def lctx(protected_path, credentials, settings, messages, tmp_path):
    services = open_services(protected_path, credentials=credentials, backup_dir=tmp_path / "backups")
    yield AppContext(services=services, settings=settings, runner=SyncTaskRunner(), messages=messages)
    services.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _with_clock(window, clock: FakeClock):
    controller = window.lock_controller
    controller.idle.clock = clock
    controller.idle.reset()
    controller.idle.timer.setInterval(10)  # the check runs every few seconds in the program
    return controller


@pytest.fixture
def lwindow(qtbot, lctx, clock):
    window = open_window(qtbot, lctx)
    _with_clock(window, clock)
    return window


def _visible_texts() -> set[str]:
    """Every cell text of every table or list a user could see right now."""
    texts = set()
    for view in QApplication.allWidgets():
        if isinstance(view, QAbstractItemView) and view.isVisible() and view.model() is not None:
            model = view.model()
            for r in range(model.rowCount()):
                for c in range(1 if isinstance(model, QAbstractListModel) else model.columnCount()):
                    texts.add(str(model.index(r, c).data() or ""))
    return texts


def _unlock(qtbot, page: LockPage, password: str) -> None:
    page.secret.password.setFocus()
    page.secret.password.selectAll()
    type_text(qtbot, page.secret.password, password)
    qtbot.mouseClick(page.unlock_button, Qt.MouseButton.LeftButton)


def test_idle_lock_hides_the_data_and_a_half_typed_form_survives_it(qtbot, lwindow, lctx, clock):
    window, controller = lwindow, lwindow.lock_controller
    tab = window.consultations_tab
    window.tabs.setCurrentWidget(tab)
    names = {tab.model.name(tab.model.row_at(tab.model.index(r, 0))) for r in range(tab.model.rowCount())} - {""}
    assert names and names <= _visible_texts()  # the citizens' names are on screen before the lock
    failures: list[BaseException] = []
    seen: dict = {}

    def at_the_form() -> None:  # runs inside the form's own exec(), as a user at the keyboard would
        dialog = QApplication.activeModalWidget()
        try:
            assert isinstance(dialog, IntakeDialog)
            seen["dialog"] = dialog
            type_text(qtbot, dialog.requester_name, "居宅 一郎")
            dialog.question.setFocus()
            type_text(qtbot, dialog.question, "退院後の訪問診療先を途中まで")
            clock.advance(4 * 60)
            qtbot.wait(50)
            assert not controller.locked  # four minutes: not yet
            clock.advance(61)
            qtbot.waitUntil(lambda: controller.locked)
            assert not window.tabs.isVisible() and window.stack.currentWidget() is controller.page
            assert not window.toolbar.isVisible() and not window.statusBar().isVisible()
            assert window.windowTitle().endswith("（ロック中）")
            assert not names & _visible_texts()  # no name in any visible table
            # The form is still open (its exec() goes on) but out of sight under its own lock page.
            cover = dialog.findChild(LockPage)
            assert cover is not None and cover.isVisible() and cover.geometry() == dialog.rect()
            assert dialog.windowTitle() == "ロック中" and dialog.isVisible()
            for field in (dialog.requester_name, dialog.question):
                assert field.visibleRegion().isEmpty() and not field.isEnabled()
            qtbot.keyClick(cover.secret.password, Qt.Key.Key_Escape)  # Esc would cancel the form: not now
            dialog.close()  # nor the title bar's ×
            assert dialog.isVisible() and controller.locked
            # A wrong password keeps it locked, with the message next to the field.
            _unlock(qtbot, cover, "wrong password")
            assert controller.locked and "違います" in cover.secret.error.text()
            assert cover.secret.password.selectedText() == "wrong password"
            _unlock(qtbot, cover, PASSWORD)
            assert not controller.locked
            assert dialog.findChild(LockPage) is None or not dialog.findChild(LockPage).isVisible()
            assert dialog.windowTitle() == "相談の受付" and dialog.requester_name.isEnabled()
            assert dialog.requester_name.text() == "居宅 一郎"
            assert dialog.question.toPlainText() == "退院後の訪問診療先を途中まで"
            assert not dialog.question.visibleRegion().isEmpty()
            assert window.tabs.isVisible() and window.windowTitle() == seen["title"]
            # The form goes on where it was: finish the call and save it.
            dialog.category_list.boxes[0].setChecked(True)
            dialog.save()
        except BaseException as exc:  # noqa: BLE001 - re-raised below, once the form's exec() is over
            failures.append(exc)
        finally:
            if dialog is not None and dialog.isVisible() and dialog.saved is None:
                dialog.reject()

    seen["title"] = window.windowTitle()
    QTimer.singleShot(0, at_the_form)
    tab.new_consultation()
    if failures:
        raise failures[0]
    saved = seen["dialog"].saved
    assert saved is not None and saved.requester_name == "居宅 一郎"  # typed before the lock, saved after it
    assert lctx.services.consultations.get(saved.id).question == "退院後の訪問診療先を途中まで"


def test_ctrl_l_locks_at_once_and_drops_the_key(qtbot, lwindow, lctx, credentials, recovery_key, messages, dialogs):
    window, controller = lwindow, lwindow.lock_controller
    backup_timer = window.findChild(QTimer, "autoBackupTimer")
    assert backup_timer.isActive()
    assert controller.action in window.menu_file.actions() and controller.action.text() == "ロック"
    qtbot.keyClick(window.resources_tab.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert controller.locked and not window.tabs.isVisible()
    # The key really left: its bytes are wiped and the services refuse.
    assert credentials.key.wiped
    with pytest.raises(SessionLockedError):
        lctx.services.resources.list_rows()
    assert not backup_timer.isActive()  # the automatic backup waits instead of failing
    assert controller.page.user_label.text() == f"利用者：{USER}"
    # Menu shortcuts do nothing behind the lock (Ctrl+N would open a new resource form).
    opened = dialogs.drive(ResourceDialog)
    qtbot.keyClick(controller.page.secret.password, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert opened == [] and not window.menuBar().isEnabled()
    # The recovery key opens it too.
    qtbot.mouseClick(controller.page.secret.toggle, Qt.MouseButton.LeftButton)
    field = controller.page.secret.recovery
    assert field.isVisible() and not controller.page.secret.password.isVisible()
    qtbot.keyClicks(field, "AAAA-BBBB")
    qtbot.mouseClick(controller.page.unlock_button, Qt.MouseButton.LeftButton)
    assert controller.locked and controller.page.secret.error.text()
    assert not messages.shown  # said on the page, not in a box
    field.clear()
    qtbot.keyClicks(field, recovery_key)
    qtbot.mouseClick(controller.page.unlock_button, Qt.MouseButton.LeftButton)
    assert not controller.locked and window.tabs.isVisible() and window.menuBar().isEnabled()
    assert backup_timer.isActive() and window.statusBar().isVisible()
    assert len(lctx.services.resources.list_rows()) == 129  # the database answers again
    assert not controller.page.secret.recovery.text()  # nothing typed is kept


def test_ctrl_l_in_a_form_window_hides_it_and_unlock_shows_it_again(qtbot, lwindow, dialogs):
    window, controller = lwindow, lwindow.lock_controller
    seen = {}

    def typing(dialog) -> None:
        type_text(qtbot, dialog.name, "みなと訪問看護")
        qtbot.keyClick(dialog.name, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # the key in the form
        seen["locked"], seen["visible"] = controller.locked, dialog.isVisible()
        _unlock(qtbot, controller.page, PASSWORD)
        seen["after"] = (controller.locked, dialog.isVisible(), dialog.name.text())

    dialogs.drive(ResourceDialog, typing)
    window.resources_tab.act_new.trigger()
    assert seen["locked"] and not seen["visible"]  # a window that is not modal is simply hidden
    assert seen["after"] == (False, True, "みなと訪問看護")


def test_a_plain_database_without_users_explains_how_to_enable_the_lock(qtbot, window, messages, clock):
    controller = _with_clock(window, clock)
    assert not controller.can_lock
    qtbot.keyClick(window.resources_tab.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert not controller.locked and window.tabs.isVisible()
    assert messages.texts("info") == [HOW_TO_ENABLE]
    assert "設定 → セキュリティ" in HOW_TO_ENABLE and "データベースを保護" in HOW_TO_ENABLE
    clock.advance(60 * 60)
    qtbot.wait(50)  # the idle timer ticks and does nothing
    assert not controller.locked and len(messages.shown) == 1


def test_idle_minutes_come_from_the_setting_and_zero_turns_the_idle_lock_off(qtbot, lctx, clock):
    lctx.settings.set("security/idle_minutes", 10)
    window = open_window(qtbot, lctx)
    controller = _with_clock(window, clock)
    assert controller.idle.minutes == 10
    clock.advance(9 * 60)
    qtbot.wait(50)
    assert not controller.locked
    qtbot.mouseMove(window.resources_tab.table)  # the user is there: the idle time starts again
    qtbot.keyClick(window.resources_tab.table, Qt.Key.Key_Down)
    clock.advance(9 * 60)
    qtbot.wait(50)
    assert not controller.locked
    controller.set_idle_minutes(0)
    clock.advance(24 * 60 * 60)
    qtbot.wait(50)
    assert not controller.locked
    controller.set_idle_minutes(1)
    clock.advance(61)
    qtbot.waitUntil(lambda: controller.locked)
