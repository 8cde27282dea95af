"""Before a file with personal data is written: a warning, and the choice of an encrypted ZIP (AES-256, with a
password typed twice) or the plain file; then the save dialog — the user always chooses the place.

``choose_personal_target`` runs the whole conversation and returns an ``ExportTarget`` (exports/secure_zip.py)
whose ``write`` builds the file in memory and writes the ZIP, or writes the plain file."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import (
    QButtonGroup, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QRadioButton, QVBoxLayout, QWidget,
)

from zaitaku_desktop.exports.secure_zip import PASSWORD_MIN, ExportTarget, validate_zip_password

from .context import AppContext
from .widgets.form_rows import ERROR_STYLE, add_field_row, password_edit

WARNING = "個人情報を含むファイルを書き出します。USBメモリなどで持ち出す場合は、暗号化ZIPで保存してください。"
ZIP = ("暗号化ZIP (*.zip)", ".zip")
ZIP_NOTE = (f"パスワードは{PASSWORD_MIN}文字以上の半角の英字・数字・記号です。ファイルとは別の方法（電話など）で"
            "相手に伝えてください。開くには 7-Zip など、AES暗号化に対応した解凍ソフトが必要です。")
ZIP_DONE = "暗号化ZIP（パスワード付き）で保存しました。パスワードはファイルとは別の方法で伝えてください。"

# (file name without suffix, (filter, suffix)) -> the path the user chose in the save dialog, or None
AskPath = Callable[[str, tuple[str, str]], "Path | None"]


def database_encrypted(ctx: AppContext) -> bool:
    """Whether the open database is encrypted (then the encrypted ZIP is the default)."""
    security = ctx.services.security
    return security is not None and security.status().encrypted


class PersonalExportDialog(QDialog):
    """The warning and the choice: 暗号化ZIP（パスワード付き）で保存 or そのまま保存."""

    def __init__(self, parent: QWidget | None, *, encrypted_default: bool, what: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("personalExportDialog")
        self.setWindowTitle("個人情報を含むファイルの保存")
        self.setMinimumWidth(500)
        layout = QVBoxLayout(self)
        warning = QLabel(f"{what}\n{WARNING}".strip(), self)
        warning.setObjectName("personalWarning")
        warning.setWordWrap(True)
        warning.setStyleSheet(ERROR_STYLE + "font-weight:bold;")
        layout.addWidget(warning)
        self.zip = QRadioButton("暗号化ZIP（パスワード付き）で保存", self)
        self.zip.setObjectName("personalZip")
        self.plain = QRadioButton("そのまま保存（暗号化しない）", self)
        self.plain.setObjectName("personalPlain")
        group = QButtonGroup(self)
        group.addButton(self.zip)
        group.addButton(self.plain)
        (self.zip if encrypted_default else self.plain).setChecked(True)
        layout.addWidget(self.zip)
        self.password_box = QWidget(self)
        form = QFormLayout(self.password_box)
        form.setContentsMargins(24, 0, 0, 0)
        self.errors: dict[str, QLabel] = {}
        self.password = self._password_edit(form, "パスワード", "zipPassword")
        self.again = self._password_edit(form, "もう一度", "zipPasswordAgain")
        note = QLabel(ZIP_NOTE, self.password_box)
        note.setWordWrap(True)
        form.addRow(note)
        layout.addWidget(self.password_box)
        layout.addWidget(self.plain)
        buttons = QDialogButtonBox(self)
        ok = buttons.addButton("保存先を選ぶ…", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("personalOk")
        buttons.addButton("やめる", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.zip.toggled.connect(self._sync)
        self._sync()

    def _password_edit(self, form: QFormLayout, label: str, name: str) -> QLineEdit:
        edit = password_edit(self.password_box, name)
        add_field_row(form, label, edit, name, self.errors)
        return edit

    def _sync(self, *_args) -> None:
        self.password_box.setEnabled(self.zip.isChecked())
        if self.zip.isChecked():
            self.password.setFocus()

    @property
    def chosen_password(self) -> str | None:
        """The password for the ZIP, or None for the plain file (valid after the dialog was accepted)."""
        return self.password.text() if self.zip.isChecked() else None

    def accept(self) -> None:
        for error in self.errors.values():
            error.hide()
        if self.zip.isChecked():
            problem = validate_zip_password(self.password.text())
            if problem is None and self.again.text() != self.password.text():
                self._show("zipPasswordAgain", "同じパスワードをもう一度入力してください（1回目と違っています）。")
                return
            if problem is not None:
                self._show("zipPassword", problem)
                return
        super().accept()

    def _show(self, field: str, text: str) -> None:
        self.errors[field].setText(text)
        self.errors[field].show()
        edit = self.findChild(QLineEdit, field)
        edit.setFocus()
        edit.selectAll()


def choose_personal_target(ctx: AppContext, parent: QWidget | None, *, name: str, kind: tuple[str, str],
                           ask_path: AskPath, what: str = "") -> ExportTarget | None:
    """Warn, let the user choose the encrypted ZIP or the plain file, then the place (``ask_path``, called with
    the suggested name and the file kind — ZIP for the encrypted choice). None when the user cancels.
    The file inside the ZIP is named after the ZIP (with ``kind``'s suffix)."""
    dialog = PersonalExportDialog(parent, encrypted_default=database_encrypted(ctx), what=what)
    if not dialog.exec():
        return None
    password = dialog.chosen_password
    dialog.password.clear()
    dialog.again.clear()
    path = ask_path(name, ZIP if password is not None else kind)
    if path is None:
        return None
    return ExportTarget(path, password, f"{path.stem}{kind[1]}" if password is not None else "")


__all__ = ["WARNING", "ZIP", "ZIP_DONE", "PersonalExportDialog", "choose_personal_target", "database_encrypted"]
