"""The first-run wizard (issue 10), driven as a user would: typed municipalities (a wrong check digit refused, a
5-digit code completed), the sample region, the backup folder, protection with the recovery key, 「あとで設定する」,
a failing step that does not stop the others, and the start-up that shows the wizard only once."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton, QLabel, QLineEdit, QPushButton, QRadioButton, QStyle, QStyleOptionButton, QWizard,
)

from ui_helpers import click_checkbox, open_window, replace_text
from zaitaku_desktop import paths
from zaitaku_desktop.domain.errors import DomainError
from zaitaku_desktop.services import security as sec
from zaitaku_desktop.services.security import file_is_encrypted
from zaitaku_desktop.ui.first_run import FirstRunWizard
from zaitaku_desktop.ui.main_window import MainWindow
from zaitaku_desktop.ui.recovery_key_dialog import RecoveryKeyDialog, key_text
from zaitaku_desktop.ui.tasks import TaskRunner

PASS = "correct horse 1"


def _find(widget, cls, name: str):
    found = widget.findChild(cls, name)
    assert found is not None, name
    return found


def _click(qtbot, widget, name: str) -> None:
    button = _find(widget, QAbstractButton, name)
    assert button.isEnabled(), name
    pos = button.rect().center()
    if isinstance(button, QRadioButton):  # on the round indicator (the button's centre may lie past its text)
        option = QStyleOptionButton()
        option.initFrom(button)
        pos = button.style().subElementRect(QStyle.SubElement.SE_RadioButtonIndicator, option, button).center()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=pos)
    assert not isinstance(button, QRadioButton) or button.isChecked()


def _next(qtbot, wizard: QWizard) -> None:
    _click(qtbot, wizard, "firstRunNext")


def _page(wizard: QWizard) -> str:
    return wizard.currentPage().objectName()


def _type(qtbot, wizard, name: str, text: str) -> None:
    replace_text(qtbot, _find(wizard, QLineEdit, name), text)


def _municipality(qtbot, wizard, name: str, code: str, reading: str = "") -> None:
    _type(qtbot, wizard, "firstRunMunName", name)
    _type(qtbot, wizard, "firstRunMunReading", reading)
    _type(qtbot, wizard, "firstRunMunCode", code)


def _table(wizard) -> list[tuple[str, ...]]:
    table = wizard.municipalities.table
    return [tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())]


def _run_wizard(window, dialogs, action) -> list[FirstRunWizard]:
    opened = dialogs.drive(FirstRunWizard, action)
    window.offer_first_run()
    assert len(opened) == 1 and not opened[0].isVisible()
    return opened


def _keys(qtbot, shown: list[str]):
    """Read the recovery key, tick 書き写した, close."""
    def drive(dialog: RecoveryKeyDialog) -> None:
        shown.append(key_text(dialog.key_label.text()))
        click_checkbox(qtbot, dialog.confirmed)
        qtbot.mouseClick(_find(dialog, QPushButton, "recoveryKeyClose"), Qt.MouseButton.LeftButton)

    return drive


def _municipalities(ctx) -> list[tuple[str, str, str]]:
    return sorted((m.code, m.name, m.reading) for m in ctx.services.vocab.list("municipality"))


def test_municipalities_are_checked_completed_and_saved(qtbot, empty_ctx, dialogs):
    window = open_window(qtbot, empty_ctx)

    def action(wizard: FirstRunWizard) -> None:
        assert _page(wizard) == "firstRunMunicipalities"
        problem = _find(wizard, QLabel, "firstRunMunProblem")
        _municipality(qtbot, wizard, "釜石市", "032116", "かまいしし")
        _click(qtbot, wizard, "firstRunMunAdd")
        assert problem.text() == "団体コード 032116 の検査数字が合いません（正しくは 032115）" and _table(wizard) == []
        _next(qtbot, wizard)  # what is typed is checked before moving on: still refused
        assert _page(wizard) == "firstRunMunicipalities" and "検査数字が合いません" in problem.text()
        _type(qtbot, wizard, "firstRunMunCode", "03211")
        qtbot.keyClick(_find(wizard, QLineEdit, "firstRunMunCode"), Qt.Key.Key_Return)  # Enter adds, stays
        assert _page(wizard) == "firstRunMunicipalities" and problem.text() == ""
        assert _table(wizard) == [("釜石市", "かまいしし", "032115")]
        _municipality(qtbot, wizard, "釜石市", "034614")
        _click(qtbot, wizard, "firstRunMunAdd")
        assert problem.text() == "釜石市（032115） はもう一覧にあります。"
        _municipality(qtbot, wizard, "大槌町", "０３４６１４")  # typed in full width, not yet added: 次へ adds it
        _next(qtbot, wizard)
        assert _page(wizard) == "firstRunSample"
        assert _table(wizard)[1] == ("大槌町", "", "034614")
        _next(qtbot, wizard)
        _next(qtbot, wizard)
        _click(qtbot, wizard, "firstRunNoProtect")
        _next(qtbot, wizard)
        summary = _find(wizard, QLabel, "firstRunSummaryText").text()
        assert "釜石市（032115）、大槌町（034614）" in summary and "サンプル地域：読み込まない" in summary
        _click(qtbot, wizard, "firstRunFinish")

    _run_wizard(window, dialogs, action)
    assert _municipalities(empty_ctx) == [("032115", "釜石市", "かまいしし"), ("034614", "大槌町", "")]
    assert empty_ctx.settings.get("ui/first_run_done") is True
    assert window.resources_tab.model.total == 0 and not empty_ctx.services.security.status().encrypted
    assert not empty_ctx.messages.shown
    assert "はじめての設定が終わりました：市町村を追加しました（釜石市、大槌町）" in window.statusBar().currentMessage()


def test_sample_backup_folder_and_protection_are_applied(qtbot, empty_ctx, dialogs, tmp_path):
    window = open_window(qtbot, empty_ctx)
    folder = tmp_path / "usb" / "zaitaku"
    keys: list[str] = []
    dialogs.drive(RecoveryKeyDialog, _keys(qtbot, keys))

    def action(wizard: FirstRunWizard) -> None:
        _next(qtbot, wizard)
        _click(qtbot, wizard, "firstRunSampleLoad")
        _next(qtbot, wizard)
        assert _find(wizard, QLineEdit, "firstRunBackupFolder").text() == str(paths.backup_dir())
        _type(qtbot, wizard, "firstRunBackupFolder", str(folder))
        _next(qtbot, wizard)  # the folder does not exist (a USB stick not plugged in)
        assert _page(wizard) == "firstRunBackup"
        assert "フォルダが見つかりません" in _find(wizard, QLabel, "firstRunBackupProblem").text()
        folder.mkdir(parents=True)
        _next(qtbot, wizard)
        assert _page(wizard) == "firstRunProtection"
        next_button = wizard.button(QWizard.WizardButton.NextButton)
        assert _find(wizard, QRadioButton, "firstRunProtect").isChecked() and not next_button.isEnabled()
        _type(qtbot, wizard, "firstRunUser", "山田")
        _type(qtbot, wizard, "firstRunPass", PASS)
        _type(qtbot, wizard, "firstRunConfirm", PASS + "x")
        assert "一致しません" in _find(wizard, QLabel, "firstRunProtectionProblem").text()
        assert not next_button.isEnabled()
        _type(qtbot, wizard, "firstRunConfirm", PASS)
        _next(qtbot, wizard)
        summary = _find(wizard, QLabel, "firstRunSummaryText").text()
        assert "サンプル地域：読み込む" in summary and str(folder) in summary and "する（利用者名：山田）" in summary
        _click(qtbot, wizard, "firstRunFinish")
        assert _find(wizard, QLineEdit, "firstRunPass").text() == ""  # the passphrase left the form

    _run_wizard(window, dialogs, action)
    assert not empty_ctx.messages.shown
    assert window.resources_tab.model.total == 129 and window.sample_label.text()
    assert empty_ctx.settings.get("backup/folder") == str(folder)
    assert empty_ctx.services.maintenance.folder == folder
    db = Path(empty_ctx.services.db.path)
    assert keys and file_is_encrypted(db) and empty_ctx.services.security.status().encrypted
    assert any(folder.iterdir())  # the backup made before encrypting went to the chosen folder
    assert window.findChild(QLabel, "encryptionLabel").text() == "暗号化済み"
    # The passphrase opens the file.
    credentials = sec.Gate(db).login("山田", PASS)
    assert credentials.user.name == "山田"


def test_later_sets_the_flag_and_nothing_else(qtbot, empty_ctx, dialogs):
    window = open_window(qtbot, empty_ctx)

    def action(wizard: FirstRunWizard) -> None:
        _municipality(qtbot, wizard, "釜石市", "032115")
        _click(qtbot, wizard, "firstRunMunAdd")
        _next(qtbot, wizard)
        _click(qtbot, wizard, "firstRunSampleLoad")
        _click(qtbot, wizard, "firstRunLater")

    _run_wizard(window, dialogs, action)
    assert empty_ctx.settings.get("ui/first_run_done") is True
    assert _municipalities(empty_ctx) == [] and empty_ctx.services.sample.is_empty()
    assert empty_ctx.settings.get("backup/folder") == "" and not empty_ctx.services.security.status().encrypted
    assert not empty_ctx.messages.shown and "はじめての設定" not in window.statusBar().currentMessage()


def test_a_failing_step_is_said_and_the_others_still_run(qtbot, empty_ctx, dialogs, monkeypatch, tmp_path):
    empty_ctx.services.vocab.add("municipality", "釜石市", code="032115")
    window = open_window(qtbot, empty_ctx)

    def broken_load(*_args, **_kwargs):
        raise DomainError("サンプルデータを読み込めません：テスト")

    monkeypatch.setattr(empty_ctx.services.sample, "load", broken_load)

    def action(wizard: FirstRunWizard) -> None:
        for name, code in (("釜石", "032115"), ("大槌町", "034614")):
            _municipality(qtbot, wizard, name, code)
            _click(qtbot, wizard, "firstRunMunAdd")
        _next(qtbot, wizard)
        _click(qtbot, wizard, "firstRunSampleLoad")
        _next(qtbot, wizard)
        _type(qtbot, wizard, "firstRunBackupFolder", str(tmp_path))
        _next(qtbot, wizard)
        _click(qtbot, wizard, "firstRunNoProtect")
        _next(qtbot, wizard)
        _click(qtbot, wizard, "firstRunFinish")

    _run_wizard(window, dialogs, action)
    assert empty_ctx.messages.shown == [
        ("warning", "市町村を追加できませんでした", "釜石（032115）：団体コード 032115 は「釜石市」として登録済みです。"),
        ("error", "サンプル地域を読み込めません", "サンプルデータを読み込めません：テスト")]
    assert [code for code, _n, _r in _municipalities(empty_ctx)] == ["032115", "034614"]
    assert empty_ctx.settings.get("backup/folder") == str(tmp_path)


def test_without_sqlcipher_the_protection_page_says_so(qtbot, empty_ctx, monkeypatch):
    monkeypatch.setattr(sec, "sqlcipher_available", lambda: False)
    wizard = FirstRunWizard(empty_ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    for _ in range(3):
        _next(qtbot, wizard)
    assert _page(wizard) == "firstRunProtection"
    assert "このパソコンでは暗号化の機能が使えない" in _find(wizard, QLabel, "firstRunProtectionUnavailable").text()
    assert wizard.findChild(QRadioButton, "firstRunProtect") is None
    _next(qtbot, wizard)
    assert "データベースの保護：しない" in _find(wizard, QLabel, "firstRunSummaryText").text()


def _start(qtbot, path: Path, settings, messages, tmp_path: Path):
    """StartUp as the program runs it (the window is ready once the lists load); returns (startup, window)."""
    from zaitaku_desktop.app import StartUp

    window = MainWindow(settings, messages)
    qtbot.addWidget(window)
    window.show()
    runner = TaskRunner(window)
    startup = StartUp(path, window=window, settings=settings, messages=messages, runner=runner,
                      backup_dir=tmp_path / "backups")
    with qtbot.waitSignal(window.ready, timeout=60000):
        startup.begin()  # the wizard (driven by the test) runs inside 'ready'
    runner.wait()
    startup.close()
    return window


def test_the_wizard_appears_on_the_first_start_only(qtbot, settings, messages, dialogs, tmp_path):
    opened = dialogs.drive(FirstRunWizard, lambda wizard: _click(qtbot, wizard, "firstRunLater"))
    path = tmp_path / "new.sqlite3"
    _start(qtbot, path, settings, messages, tmp_path)
    assert len(opened) == 1 and settings.get("ui/first_run_done") is True
    _start(qtbot, path, settings, messages, tmp_path)  # the second start
    _start(qtbot, tmp_path / "other.sqlite3", settings, messages, tmp_path)  # a new file, the wizard done
    assert len(opened) == 1 and not messages.shown  # nor the older offers
