"""ヘルプ → バージョン情報: the program and its version, where the data lives, whether the database is
encrypted, and a 「ライセンス」 tab listing the bundled fonts and libraries with their licences.

Versions and licence names are read from each package's metadata at run time (installer.spec ships the
metadata in the bundle); the short notices come from resources/licenses/ and the full IPA Font License
text from resources/fonts/.
"""

from __future__ import annotations

import platform
import struct
from dataclasses import dataclass
from importlib import metadata

from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QFormLayout, QHeaderView, QLabel, QPlainTextEdit, QPushButton,
    QSplitter, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from zaitaku_desktop import APP_NAME, APP_TITLE, __version__, paths

from .context import AppContext

FONT_LICENCE = ("resources", "fonts", "IPA_Font_License_Agreement_v1.0.txt")
NOT_BUNDLED = "（同梱されていません）"


@dataclass(frozen=True)
class Component:
    """One bundled font or library: ``dist`` names its package (None: not a Python package),
    ``licence`` is shown when the metadata names none, ``notice`` is its file under resources/licenses/."""

    name: str
    use: str
    dist: str | None
    licence: str
    notice: str


COMPONENTS: tuple[Component, ...] = (
    Component("IPAexゴシック・IPAex明朝", "画面と帳票の日本語フォント", None, "IPA Font License v1.0", ""),
    Component("Python", "プログラムの実行環境", None, "PSF-2.0", "python.txt"),
    Component("Qt / PySide6", "画面", "PySide6", "LGPL-3.0", "pyside6.txt"),
    Component("SQLCipher (sqlcipher3)", "データベースの暗号化", "sqlcipher3", "BSD-style (SQLCipher), zlib (sqlcipher3)",
              "sqlcipher.txt"),
    Component("SQLAlchemy", "データベース", "SQLAlchemy", "MIT", "sqlalchemy.txt"),
    Component("SQLModel", "データベース", "sqlmodel", "MIT", "sqlalchemy.txt"),
    Component("Alembic", "データベースの形式の更新", "alembic", "MIT", "alembic.txt"),
    Component("ReportLab", "PDFの作成", "reportlab", "BSD", "reportlab.txt"),
    Component("openpyxl", "Excelファイルの読み書き", "openpyxl", "MIT", "openpyxl.txt"),
    Component("qt-material", "画面の配色（テーマ）", "qt-material", "BSD-2-Clause", "qt-material.txt"),
    Component("platformdirs", "データフォルダの場所", "platformdirs", "MIT", "platformdirs.txt"),
    Component("jaconv", "かな・全角半角の変換", "jaconv", "MIT", "jaconv.txt"),
    Component("jpholiday", "祝日", "jpholiday", "MIT", "jpholiday.txt"),
    Component("icalendar", "予定表ファイル（.ics）", "icalendar", "BSD-2-Clause", "icalendar.txt"),
    Component("Segno", "QRコード", "segno", "BSD-3-Clause", "segno.txt"),
    Component("cryptography", "パスワードと鍵の保護", "cryptography", "Apache-2.0 OR BSD-3-Clause", "cryptography.txt"),
    Component("pyzipper", "パスワード付きZIP", "pyzipper", "MIT", "pyzipper.txt"),
    Component("PyCryptodome (pycryptodomex)", "パスワード付きZIPの暗号", "pycryptodomex", "BSD, Public Domain",
              "pycryptodomex.txt"),
    Component("psycopg", "共有サーバー（PostgreSQL）への接続", "psycopg", "LGPL-3.0-only", "psycopg.txt"),
)


def font_version(path) -> str:
    """The fontRevision of a TrueType file's head table ("4.01"), or "" when it cannot be read."""
    try:
        with open(path, "rb") as font:
            count = struct.unpack(">H", font.read(12)[4:6])[0]
            for _ in range(count):
                tag, _checksum, offset, _length = struct.unpack(">4sIII", font.read(16))
                if tag == b"head":
                    font.seek(offset + 4)
                    return f"{struct.unpack('>i', font.read(4))[0] / 65536:.2f}"
    except (OSError, struct.error):
        pass
    return ""


def component_version(component: Component) -> str:
    if component.dist is None:
        if component.name == "Python":
            return platform.python_version()
        return font_version(paths.fonts_dir() / "ipaexg.ttf") or NOT_BUNDLED
    try:
        return metadata.version(component.dist)
    except metadata.PackageNotFoundError:
        return NOT_BUNDLED


def component_licence(component: Component) -> str:
    """The licence the package's metadata declares (License-Expression, a short License field, or the
    classifiers), else the one written in COMPONENTS."""
    if component.dist is None:
        return component.licence
    try:
        meta = metadata.metadata(component.dist)
    except metadata.PackageNotFoundError:
        return component.licence
    expression = (meta.get("License-Expression") or "").strip()
    field = (meta.get("License") or "").strip()
    if expression:
        return expression
    if field and "\n" not in field and len(field) <= 60 and "see " not in field.lower():
        return field
    classifiers = [c.rsplit("::", 1)[-1].strip() for c in meta.get_all("Classifier") or []
                   if c.startswith("License ::") and c.count("::") >= 2]
    return ", ".join(classifiers) or component.licence


def notice_text(component: Component) -> str:
    parts = FONT_LICENCE if not component.notice else ("resources", "licenses", component.notice)
    try:
        return paths.resource_path(*parts).read_text(encoding="utf-8")
    except OSError:
        return f"{component.name}：{component_licence(component)}"


def encryption_text(ctx: AppContext | None) -> str:
    if ctx is None:
        return "（データベースを開いていません）"
    security = getattr(ctx.services, "security", None)
    if security is not None:
        status = security.status()
        if status.encrypted:
            return "暗号化されています（SQLCipher）"
        return "暗号化されていません" + ("" if status.available else f"\n{status.unavailable_reason}")
    return "暗号化されています（SQLCipher）" if getattr(ctx.services.db, "encrypted", False) else "暗号化されていません"


def summary_lines(ctx: AppContext | None) -> list[tuple[str, str]]:
    """(label, value) rows of the 概要 tab; also what 「情報をコピー」 puts on the clipboard."""
    db_path = str(ctx.services.db.path) if ctx is not None else "（データベースを開いていません）"
    return [("プログラム", APP_TITLE), ("名前", APP_NAME), ("バージョン", __version__),
            ("データフォルダ", str(paths.data_dir())), ("データベース", db_path), ("暗号化", encryption_text(ctx)),
            ("動作環境", f"Python {platform.python_version()}・Qt {qVersion()}・{platform.system()} {platform.release()}")]


class AboutDialog(QDialog):
    """ヘルプ → バージョン情報. ``ctx`` is None before the database is open."""

    def __init__(self, ctx: AppContext | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("aboutDialog")
        self.setWindowTitle("バージョン情報")
        self.resize(900, 580)
        layout = QVBoxLayout(self)
        title = QLabel(f"<b style='font-size:14pt'>{APP_TITLE}</b><br>{APP_NAME} バージョン {__version__}")
        title.setObjectName("aboutTitle")
        layout.addWidget(title)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("aboutTabs")
        self.tabs.addTab(self._summary_tab(), "概要")
        self.tabs.addTab(self._licence_tab(), "ライセンス")
        layout.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton("情報をコピー", self)
        self.copy_button.setObjectName("copyInfo")
        self.copy_button.setToolTip("問い合わせのときに、バージョンやデータの場所を貼り付けて伝えられます")
        self.copy_button.clicked.connect(self.copy_info)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _summary_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.summary_labels: dict[str, QLabel] = {}
        for label, value in summary_lines(self.ctx):
            text = QLabel(value, page)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{label}：", text)
            self.summary_labels[label] = text
        note = QLabel("在宅医療・介護連携推進事業（ア〜ク）のための、ネットワークなしで動くデスクトップアプリです。\n"
                      "データはこのパソコンの利用者ごとのデータフォルダに保存され、プログラムのフォルダには保存されません。",
                      page)
        note.setWordWrap(True)
        form.addRow(note)
        return page

    def _licence_tab(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        intro = QLabel("このプログラムは次のフォントとライブラリを同梱し、それぞれのライセンスに従って配布しています。"
                       "行を選ぶと、ライセンスの説明が下に表示されます。", page)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        splitter = QSplitter(Qt.Orientation.Vertical, page)
        self.licences = QTableWidget(len(COMPONENTS), 4, splitter)
        self.licences.setObjectName("licenceTable")
        self.licences.setHorizontalHeaderLabels(["名前", "用途", "バージョン", "ライセンス"])
        self.licences.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.licences.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.licences.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.licences.verticalHeader().hide()
        for row, component in enumerate(COMPONENTS):
            values = (component.name, component.use, component_version(component), component_licence(component))
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)  # a long licence expression is cut at the column's edge
                self.licences.setItem(row, col, item)
        header = self.licences.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.notice = QPlainTextEdit(splitter)
        self.notice.setObjectName("licenceText")
        self.notice.setReadOnly(True)
        splitter.setSizes([300, 200])
        layout.addWidget(splitter, 1)
        self.licences.currentCellChanged.connect(lambda row, *_: self.show_notice(row))
        self.licences.selectRow(0)
        return page

    def show_notice(self, row: int) -> None:
        if 0 <= row < len(COMPONENTS):
            self.notice.setPlainText(notice_text(COMPONENTS[row]))

    def copy_info(self) -> None:
        text = "\n".join(f"{label}：{value}" for label, value in summary_lines(self.ctx))
        QGuiApplication.clipboard().setText(text)
        self.copy_button.setText("コピーしました")
