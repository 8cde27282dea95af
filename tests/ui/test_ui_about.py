"""ヘルプ → バージョン情報 (ui/about_dialog.py): version, data folder, database, encryption, licences."""

from __future__ import annotations

import ast
import re
import tomllib
from importlib import metadata
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from zaitaku_desktop import paths
from zaitaku_desktop.ui.about_dialog import COMPONENTS, AboutDialog, font_version, notice_text

STAFF_NAME, STAFF_PASSWORD = "山田", "correct horse 1"  # the encrypted_db fixture (tests/conftest.py)
from ui_helpers import open_window

ROOT = Path(__file__).resolve().parents[2]


def _open_about(window, dialogs) -> AboutDialog:
    """Open the dialog as a user would: ヘルプ menu → バージョン情報."""
    opened = dialogs.drive(AboutDialog)
    action = next(a for a in window.menu_help.actions() if a.text() == "バージョン情報")
    action.trigger()
    assert len(opened) == 1
    return opened[0]


def _summary(dialog: AboutDialog) -> dict[str, str]:
    return {label: widget.text() for label, widget in dialog.summary_labels.items()}


def _row(dialog: AboutDialog, name: str) -> dict[str, str]:
    table = dialog.licences
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    for row in range(table.rowCount()):
        if table.item(row, 0).text() == name:
            return {h: table.item(row, c).text() for c, h in enumerate(headers)}
    raise AssertionError(f"no row {name}")


def _click_row(qtbot, dialog: AboutDialog, name: str) -> str:
    table = dialog.licences
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == name)
    rect = table.visualItemRect(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    return dialog.notice.toPlainText()


def test_the_summary_names_the_version_the_data_folder_and_the_database(window, dialogs, ctx) -> None:
    dialog = _open_about(window, dialogs)
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == ["概要", "ライセンス"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    summary = _summary(dialog)
    assert summary["バージョン"] == project["version"]
    assert summary["名前"] == "zaitaku-desktop"
    assert summary["データフォルダ"] == str(paths.data_dir())
    assert Path(summary["データフォルダ"]).is_relative_to(Path(paths.data_dir()))
    assert summary["データベース"] == str(ctx.services.db.path)
    assert summary["暗号化"] == "暗号化されていません"
    assert re.match(r"Python 3\.\d+\.\d+・Qt 6\.", summary["動作環境"])


def test_copy_puts_the_summary_on_the_clipboard(qtbot, window, dialogs, ctx) -> None:
    dialog = _open_about(window, dialogs)
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    text = QGuiApplication.clipboard().text()
    assert f"データベース：{ctx.services.db.path}" in text
    assert "バージョン：0.1.0" in text
    assert dialog.copy_button.text() == "コピーしました"


def test_an_encrypted_database_is_shown_as_encrypted(qtbot, encrypted_db, settings, messages, dialogs) -> None:
    from zaitaku_desktop.services import open_services
    from zaitaku_desktop.services.security import Gate
    from zaitaku_desktop.ui.context import AppContext
    from zaitaku_desktop.ui.tasks import SyncTaskRunner

    path, _recovery = encrypted_db
    services = open_services(path, credentials=Gate(path).login(STAFF_NAME, STAFF_PASSWORD))
    try:
        ctx = AppContext(services=services, settings=settings, runner=SyncTaskRunner(), messages=messages)
        window = open_window(qtbot, ctx)
        summary = _summary(_open_about(window, dialogs))
        assert summary["暗号化"] == "暗号化されています（SQLCipher）"
        assert summary["データベース"] == str(path)
    finally:
        services.close()


def test_before_the_database_is_open_the_dialog_says_so(qtbot) -> None:
    dialog = AboutDialog(None)
    qtbot.addWidget(dialog)
    summary = _summary(dialog)
    assert summary["データベース"] == summary["暗号化"] == "（データベースを開いていません）"
    assert summary["バージョン"] == "0.1.0"


LIBRARIES = [  # (row, distribution, what its licence column must say)
    ("Qt / PySide6", "PySide6", "LGPL-3.0"),
    ("SQLCipher (sqlcipher3)", "sqlcipher3", "BSD-style (SQLCipher)"),  # its metadata names no licence
    ("SQLAlchemy", "SQLAlchemy", "MIT"),
    ("ReportLab", "reportlab", "BSD"),
    ("openpyxl", "openpyxl", "MIT"),
    ("qt-material", "qt-material", "BSD-2-Clause"),
    ("Alembic", "alembic", "MIT"),
    ("platformdirs", "platformdirs", "MIT"),
    ("jaconv", "jaconv", "MIT"),
    ("jpholiday", "jpholiday", "MIT"),
    ("icalendar", "icalendar", "BSD"),
    ("Segno", "segno", "BSD"),
    ("cryptography", "cryptography", "Apache-2.0"),
    ("pyzipper", "pyzipper", "MIT"),
    ("PyCryptodome (pycryptodomex)", "pycryptodomex", "Public Domain"),
]


def test_the_licence_tab_lists_each_library_with_its_installed_version(window, dialogs) -> None:
    dialog = _open_about(window, dialogs)
    for name, dist, licence in LIBRARIES:
        row = _row(dialog, name)
        assert row["バージョン"] == metadata.version(dist), name
        assert licence in row["ライセンス"], (name, row)


def test_selecting_a_row_shows_its_licence_text(qtbot, window, dialogs) -> None:
    dialog = _open_about(window, dialogs)
    dialog.tabs.setCurrentIndex(1)
    assert "IPA Font License Agreement v1.0" in dialog.notice.toPlainText()  # the first row, the fonts
    font = _row(dialog, "IPAexゴシック・IPAex明朝")
    assert (font["ライセンス"], font["バージョン"]) == ("IPA Font License v1.0", "4.01")
    assert "GNU Lesser General Public License v3" in _click_row(qtbot, dialog, "Qt / PySide6")
    assert "Zetetic" in _click_row(qtbot, dialog, "SQLCipher (sqlcipher3)")
    assert "Apache License 2.0" in _click_row(qtbot, dialog, "cryptography")


def _dist_key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_dependency_has_a_row_and_a_notice_file() -> None:
    """A dependency added to pyproject.toml without a licence notice fails here."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    listed = {_dist_key(c.dist) for c in COMPONENTS if c.dist}
    wanted = {_dist_key(re.split(r"[<>=!~;\[ ]", dep, maxsplit=1)[0]) for dep in deps}
    assert wanted <= listed, wanted - listed
    for component in COMPONENTS:
        if component.notice:  # the fonts' notice is the full IPA licence beside them
            assert paths.resource_path("resources", "licenses", component.notice).is_file(), component
            assert component.name.split()[0].lower() in notice_text(component).lower(), component


def test_the_bundle_ships_the_metadata_the_dialog_reads() -> None:
    """installer.spec's METADATA (copied into the bundle) names every package of COMPONENTS."""
    tree = ast.parse((ROOT / "installer.spec").read_text(encoding="utf-8"))
    shipped = next(ast.literal_eval(node.value) for node in tree.body
                   if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "METADATA")
    assert {_dist_key(c.dist) for c in COMPONENTS if c.dist} == {_dist_key(d) for d in shipped} - {"shiboken6"}


def test_font_version_reads_the_head_table(tmp_path: Path) -> None:
    assert font_version(paths.fonts_dir() / "ipaexm.ttf") == "4.01"
    (tmp_path / "x.ttf").write_bytes(b"not a font")
    assert font_version(tmp_path / "x.ttf") == ""
    assert font_version(tmp_path / "missing.ttf") == ""
