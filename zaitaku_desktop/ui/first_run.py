"""The first-run wizard (issue 10): shown once, on a database the program has just created.

Five pages — 担当する市町村 (name, reading and 団体コード, the check digit verified), サンプル地域, バックアップの保存先,
データベースの保護, a summary — with 戻る / 次へ / 完了 and 「あとで設定する」. Nothing is written while the user
moves between pages: at 完了 the choices are applied in order (municipalities → sample region → backup folder →
protection), each on the runner; a step that fails is said in Japanese and the next one still runs.
Either button sets ``ui/first_run_done`` so the wizard is not shown again.

No bundled list of all municipalities exists yet, so the 団体コード is typed (a 5-digit code is completed).
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QButtonGroup, QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QPushButton, QRadioButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget, QWizard, QWizardPage,
)

from zaitaku_desktop import paths
from zaitaku_desktop.domain.codes import complete_lg_code, lg_code_issue
from zaitaku_desktop.domain.errors import DomainError
from zaitaku_desktop.services import security as sec

from .backup_dialog import configure_maintenance
from .context import AppContext
from .security_page import run_security, show_key, unavailable_text
from .widgets.form_rows import ERROR_STYLE
from .widgets.progress import run_with_progress

log = logging.getLogger(__name__)

DONE_KEY = "ui/first_run_done"
STYLE = "QLabel, QLineEdit, QRadioButton, QPushButton, QTableWidget { font-size: 12pt; }"
SAMPLE_TEXT = ("釜石市・大槌町の架空の事業所（129件、釜石保健医療圏の平成27年の表と同じ件数）と、課題・会議・相談の"
               "記録例を読み込みます。練習用のサンプルデータで、実在の施設・人物とは関係ありません。")


@dataclass(frozen=True)
class Municipality:
    name: str
    reading: str
    code: str

    def label(self) -> str:
        return f"{self.name}（{self.code}）"


def folder_problem(folder: Path) -> str | None:
    """A plain Japanese message when backups cannot be written to ``folder`` (the default one is created)."""
    try:
        if folder == paths.backup_dir():
            folder.mkdir(parents=True, exist_ok=True)
        if not folder.is_dir():
            return f"フォルダが見つかりません。USBメモリなどが外れていないか確認するか、別のフォルダを選んでください。\n{folder}"
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError:
        return f"このフォルダには書き込めません（書き込みが許可されていません）。別のフォルダを選んでください。\n{folder}"
    return None


def _label(text: str, parent: QWidget, name: str = "", *, error: bool = False) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    if error:
        label.setStyleSheet(ERROR_STYLE)
    return label


def _radio_pair(page: QWizardPage, layout: QVBoxLayout, yes: tuple[str, str], no: tuple[str, str],
                checked_yes: bool) -> tuple[QRadioButton, QRadioButton]:
    group = QButtonGroup(page)
    buttons = []
    for (text, name), checked in ((yes, checked_yes), (no, not checked_yes)):
        button = QRadioButton(text, page)
        button.setObjectName(name)
        button.setChecked(checked)
        group.addButton(button)
        layout.addWidget(button)
        buttons.append(button)
    return buttons[0], buttons[1]


class MunicipalityPage(QWizardPage):
    """Type a name, its reading and the 団体コード, press 追加 (or Enter); the list below can hold several."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunMunicipalities")
        self.setTitle("担当する市町村")
        self.rows: list[Municipality] = []
        layout = QVBoxLayout(self)
        layout.addWidget(_label("担当する市町村の名前と団体コード（全国地方公共団体コード・6桁）を入力して「追加」を押して"
                                "ください。5桁で入力すると、最後の検査数字を補います。いくつかの市町村を担当するときは、"
                                "続けて追加してください。（例：釜石市 032115、大槌町 034614）", self))
        form = QFormLayout()
        self.name_edit = self._edit("firstRunMunName", "例：釜石市")
        self.reading_edit = self._edit("firstRunMunReading", "例：かまいしし（省略できます）")
        self.code_edit = self._edit("firstRunMunCode", "例：032115")
        self.code_edit.setMaxLength(12)
        form.addRow("市町村名", self.name_edit)
        form.addRow("読み（ひらがな）", self.reading_edit)
        row = QHBoxLayout()
        row.addWidget(self.code_edit, 1)
        self.add_button = QPushButton("追加", self)
        self.add_button.setObjectName("firstRunMunAdd")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add)
        row.addWidget(self.add_button)
        form.addRow("団体コード", row)
        layout.addLayout(form)
        self.problem = _label("", self, "firstRunMunProblem", error=True)
        layout.addWidget(self.problem)
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("firstRunMunTable")
        self.table.setHorizontalHeaderLabels(["市町村名", "読み", "団体コード"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.remove_button = QPushButton("選んだ市町村を一覧から外す", self)
        self.remove_button.setObjectName("firstRunMunRemove")
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self.remove_selected)
        layout.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(_label("あとから 設定 → 市町村 でも追加・変更できます。", self))

    def _edit(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.installEventFilter(self)
        return edit

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Enter in a field adds the municipality (instead of moving on to the next page)."""
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.add()
            return True
        return super().eventFilter(obj, event)

    def pending(self) -> bool:
        return any(e.text().strip() for e in (self.name_edit, self.reading_edit, self.code_edit))

    def check(self) -> Municipality | str:
        """The typed municipality, or the first problem with it (Japanese)."""
        name, code = self.name_edit.text().strip(), complete_lg_code(self.code_edit.text())
        if not name:
            return "市町村名を入力してください。"
        if not code:
            return "団体コードを入力してください（6桁。5桁で入力すると検査数字を補います）。"
        if (problem := lg_code_issue(code)) is not None:
            return problem
        for other in self.rows:
            if other.code == code or other.name == name:
                return f"{other.label()} はもう一覧にあります。"
        return Municipality(name, self.reading_edit.text().strip(), code)

    def add(self) -> bool:
        found = self.check()
        if isinstance(found, str):
            self.problem.setText(found)
            return False
        self.rows.append(found)
        self.problem.setText("")
        for edit in (self.name_edit, self.reading_edit, self.code_edit):
            edit.clear()
        self.name_edit.setFocus()
        self._fill()
        return True

    def remove_selected(self) -> None:
        for r in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            del self.rows[r]
        self._fill()

    def _fill(self) -> None:
        self.table.setRowCount(len(self.rows))
        for r, m in enumerate(self.rows):
            for c, text in enumerate((m.name, m.reading, m.code)):
                self.table.setItem(r, c, QTableWidgetItem(text))

    def validatePage(self) -> bool:  # noqa: N802 - Qt's name
        """What is typed but not yet added is added now (or the page says why it cannot be)."""
        return not self.pending() or self.add()


class SamplePage(QWizardPage):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunSample")
        self.setTitle("サンプル地域を読み込みますか？")
        layout = QVBoxLayout(self)
        layout.addWidget(_label(SAMPLE_TEXT + "\n\n操作を試してみたいときにお勧めです。サンプルの市町村（釜石市・大槌町）"
                                "も追加されます。", self))
        self.load, self.skip = _radio_pair(self, layout, ("読み込む（練習用）", "firstRunSampleLoad"),
                                           ("読み込まない（自分の地域のデータを入力する）", "firstRunSampleSkip"), False)
        self.available = ctx.services.sample.is_empty()
        if not self.available:
            self.load.setEnabled(False)
            layout.addWidget(_label("資源がすでに登録されているため、サンプル地域は読み込めません。", self))
        layout.addStretch(1)

    def chosen(self) -> bool:
        return self.available and self.load.isChecked()


class BackupPage(QWizardPage):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunBackup")
        self.setTitle("バックアップの保存先")
        layout = QVBoxLayout(self)
        layout.addWidget(_label("データベースのバックアップを、変更があれば30分ごとと終了時に自動で作ります。"
                                "パソコンの故障や災害に備えて、USBメモリや別のドライブのフォルダを選ぶこともできます。", self))
        row = QHBoxLayout()
        self.folder_edit = QLineEdit(ctx.settings.get("backup/folder") or str(paths.backup_dir()), self)
        self.folder_edit.setObjectName("firstRunBackupFolder")
        self.folder_edit.textChanged.connect(lambda _t: self.problem.setText(""))
        row.addWidget(self.folder_edit, 1)
        for text, name, slot in (("参照…", "firstRunBackupChoose", self.choose),
                                 ("既定に戻す", "firstRunBackupDefault", self.use_default)):
            button = QPushButton(text, self)
            button.setObjectName(name)
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            row.addWidget(button)
        layout.addLayout(row)
        layout.addWidget(_label(f"既定の保存先：{paths.backup_dir()}", self))
        self.problem = _label("", self, "firstRunBackupProblem", error=True)
        layout.addWidget(self.problem)
        layout.addStretch(1)

    def folder(self) -> Path:
        return Path(self.folder_edit.text().strip() or paths.backup_dir()).expanduser()

    def choose(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "バックアップの保存先", str(self.folder()))
        if chosen:
            self.folder_edit.setText(str(Path(chosen)))

    def use_default(self) -> None:
        self.folder_edit.setText(str(paths.backup_dir()))

    def validatePage(self) -> bool:  # noqa: N802 - Qt's name
        problem = folder_problem(self.folder())
        self.problem.setText(problem or "")
        return problem is None


class ProtectionPage(QWizardPage):
    """保護する: 利用者名 and the passphrase twice (次へ waits until they are right); without SQLCipher it says so."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunProtection")
        self.setTitle("データベースをパスフレーズで保護しますか？")
        security = getattr(ctx.services, "security", None)
        status = security.status() if security is not None else None
        self.available = status is not None and status.available and not status.encrypted
        layout = QVBoxLayout(self)
        self.name_edit = self.pass_edit = self.confirm_edit = None
        self._touched: set[QLineEdit] = set()
        if not self.available:
            text = ("このデータベースはすでに暗号化されています。" if status is not None and status.encrypted else
                    "このパソコンでは暗号化の機能が使えないため、データベースは保護できません。データは暗号化されずに"
                    f"保存されます。\n\n{unavailable_text(status) if status is not None else ''}")
            layout.addWidget(_label(text, self, "firstRunProtectionUnavailable"))
            layout.addStretch(1)
            return
        layout.addWidget(_label("相談記録などの個人情報を扱う場合は、保護をお勧めします。保護すると、データベースのファイルが"
                                "暗号化され、次からはこの利用者名とパスフレーズで開きます。終わると回復キー（パスフレーズを"
                                "忘れたときに使うキー）を一度だけ表示します。", self))
        self.protect, self.skip = _radio_pair(self, layout, ("保護する（お勧め）", "firstRunProtect"),
                                              ("保護しない（あとから 設定 → セキュリティ でも保護できます）",
                                               "firstRunNoProtect"), True)
        form = QFormLayout()
        self.name_edit = QLineEdit(ctx.settings.get("user/name"), self)
        self.pass_edit, self.confirm_edit = QLineEdit(self), QLineEdit(self)
        self.pass_edit.setPlaceholderText(f"{sec.PASSPHRASE_MIN}文字以上")
        for edit, name, label in ((self.name_edit, "firstRunUser", "利用者名"),
                                  (self.pass_edit, "firstRunPass", "パスフレーズ"),
                                  (self.confirm_edit, "firstRunConfirm", "もう一度（確認）")):
            edit.setObjectName(name)
            if edit is not self.name_edit:
                edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.textChanged.connect(lambda _t, e=edit: self._changed(e))
            form.addRow(label, edit)
        layout.addLayout(form)
        self.problem = _label("", self, "firstRunProtectionProblem", error=True)
        self.problem.setMinimumHeight(self.problem.fontMetrics().lineSpacing() * 2)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        self.protect.toggled.connect(self._toggled)
        self._toggled(True)

    def chosen(self) -> bool:
        return self.available and self.protect.isChecked()

    def user(self) -> str:
        return self.name_edit.text().strip() if self.chosen() else ""

    def passphrase(self) -> str:
        return self.pass_edit.text() if self.chosen() else ""

    def problems(self) -> list[tuple[QLineEdit, str]]:
        if not self.chosen():
            return []
        found = []
        if not self.user():
            found.append((self.name_edit, "利用者名を入力してください。"))
        if (problem := sec.validate_passphrase(self.pass_edit.text())) is not None:
            found.append((self.pass_edit, problem))
        if self.confirm_edit.text() != self.pass_edit.text():
            found.append((self.confirm_edit, "2つのパスフレーズが一致しません。同じものをもう一度入力してください。"
                          if self.confirm_edit.text() else "確認のため、同じパスフレーズをもう一度入力してください。"))
        return found

    def _changed(self, edit: QLineEdit) -> None:
        self._touched.add(edit)
        shown = [text for e, text in self.problems() if e in self._touched]
        self.problem.setText(shown[0] if shown else "")
        self.completeChanged.emit()

    def _toggled(self, protect: bool) -> None:
        for edit in (self.name_edit, self.pass_edit, self.confirm_edit):
            edit.setEnabled(protect)
        self.problem.setText("")
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        return not self.problems()

    def clear_secrets(self) -> None:
        for edit in (self.pass_edit, self.confirm_edit):
            if edit is not None:
                edit.clear()


class SummaryPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunSummary")
        self.setTitle("この内容で設定します")
        layout = QVBoxLayout(self)
        self.text = _label("", self, "firstRunSummaryText")
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.text)
        layout.addStretch(1)
        layout.addWidget(_label("「完了」を押すと、上から順に設定します。どれも、あとから変更できます。", self))

    def initializePage(self) -> None:  # noqa: N802 - Qt's name
        self.text.setText(self.wizard().summary())


class FirstRunWizard(QWizard):
    """``applied`` carries one Japanese line per step done at 完了 (failures were shown as they happened)."""

    applied = Signal(list)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("firstRunWizard")
        self.setWindowTitle("はじめての設定")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setStyleSheet(STYLE)
        self.setOption(QWizard.WizardOption.NoCancelButton, True)
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        for which, text in ((QWizard.WizardButton.BackButton, "< 戻る"), (QWizard.WizardButton.NextButton, "次へ >"),
                            (QWizard.WizardButton.FinishButton, "完了"),
                            (QWizard.WizardButton.CustomButton1, "あとで設定する")):
            self.setButtonText(which, text)
        self.button(QWizard.WizardButton.CustomButton1).setObjectName("firstRunLater")
        self.button(QWizard.WizardButton.NextButton).setObjectName("firstRunNext")
        self.button(QWizard.WizardButton.BackButton).setObjectName("firstRunBack")
        self.button(QWizard.WizardButton.FinishButton).setObjectName("firstRunFinish")
        self.setButtonLayout([QWizard.WizardButton.CustomButton1, QWizard.WizardButton.Stretch,
                              QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton,
                              QWizard.WizardButton.FinishButton])
        self.customButtonClicked.connect(lambda _which: self.reject())
        self.municipalities = MunicipalityPage(self)
        self.sample = SamplePage(ctx, self)
        self.backup = BackupPage(ctx, self)
        self.protection = ProtectionPage(ctx, self)
        for page in (self.municipalities, self.sample, self.backup, self.protection, SummaryPage(self)):
            page.setTitle(f"<span style='font-size:16pt'>{page.title()}</span>")  # big and clear
            self.addPage(page)
        self.setTitleFormat(Qt.TextFormat.RichText)
        self.resize(760, 580)
        self.steps: list[Callable[[], None]] = []
        self.report: list[str] = []

    def summary(self) -> str:
        rows = self.municipalities.rows
        lines = ["担当する市町村：" + ("、".join(m.label() for m in rows) if rows else "なし（あとで追加）"),
                 "サンプル地域：" + ("読み込む" if self.sample.chosen() else "読み込まない"),
                 f"バックアップの保存先：{self.backup.folder()}",
                 "データベースの保護：" + (f"する（利用者名：{self.protection.user()}）" if self.protection.chosen()
                                           else "しない")]
        return "\n\n".join(f"・{line}" for line in lines)

    def done(self, result: int) -> None:
        """完了 and 「あとで設定する」 (or closing the window) both mean: do not show the wizard again."""
        self.ctx.settings.set(DONE_KEY, True)
        self.ctx.settings.sync()
        super().done(result)
        if result == QWizard.DialogCode.Accepted.value:
            self.apply()
        else:
            self.protection.clear_secrets()

    # --- applying, in order; each step calls next_step() when it is over, whether it worked or not --------
    def apply(self) -> None:
        self.steps = [self._add_municipalities, self._load_sample, self._set_backup_folder, self._protect]
        self.report = []
        self.next_step()

    def next_step(self) -> None:
        if self.steps:
            self.steps.pop(0)()
        else:
            log.info("first-run settings applied: %d steps", len(self.report))
            self.applied.emit(self.report)

    def _failed(self, title: str) -> Callable[[BaseException], None]:
        def failed(exc: BaseException) -> None:
            self.ctx.messages.failure(title, exc)
            self.next_step()
        return failed

    def _add_municipalities(self) -> None:
        rows = list(self.municipalities.rows)
        if not rows:
            self.next_step()
            return
        vocab = self.ctx.services.vocab

        def work() -> tuple[list[str], list[str]]:
            known = {m.code: m.name for m in vocab.list("municipality", include_archived=True)}
            added, problems = [], []
            for m in rows:
                if m.code in known:
                    problems.append(f"{m.label()}：団体コード {m.code} は「{known[m.code]}」として登録済みです。")
                    continue
                try:
                    vocab.add("municipality", m.name, reading=m.reading, code=m.code)
                    added.append(m.name)
                except DomainError as exc:
                    problems.append(f"{m.label()}：{exc.message}")
            return added, problems

        def done(result: tuple[list[str], list[str]]) -> None:
            added, problems = result
            if added:
                self.report.append(f"市町村を追加しました（{'、'.join(added)}）")
            if problems:
                self.ctx.messages.warning("市町村を追加できませんでした", "\n".join(problems))
            self.next_step()

        self.ctx.runner.run(work, on_done=done, on_error=self._failed("市町村を追加できませんでした"))

    def _load_sample(self) -> None:
        if not self.sample.chosen():
            self.next_step()
            return

        def done(result) -> None:
            self.report.append(f"サンプル地域を読み込みました（{result.resources} 件）")
            self.next_step()

        run_with_progress(self.ctx, "サンプル地域を読み込んでいます…", lambda _progress: self.ctx.services.sample.load(),
                          on_done=done, on_error=self._failed("サンプル地域を読み込めません"), parent=self.parentWidget())

    def _set_backup_folder(self) -> None:
        folder = self.backup.folder()
        if (problem := folder_problem(folder)) is not None:  # e.g. the USB stick was pulled out meanwhile
            self.ctx.messages.warning("バックアップの保存先を設定できませんでした", problem)
        else:
            self.ctx.settings.set("backup/folder", "" if folder == paths.backup_dir() else str(folder))
            configure_maintenance(self.ctx)
            self.report.append(f"バックアップの保存先：{folder}")
        self.next_step()

    def _protect(self) -> None:
        page = self.protection
        if not page.chosen():
            self.next_step()
            return
        name, passphrase = page.user(), page.passphrase()
        page.clear_secrets()
        security = self.ctx.services.security

        def done(key: str) -> None:
            self.report.append("データベースを保護しました")
            show_key(self.ctx, self.parentWidget(), key, name)

        run_security(self.ctx, self.parentWidget(), "データベースを暗号化しています…",
                     lambda: security.protect(name, passphrase), title="データベースを保護できませんでした",
                     on_done=done, after=self.next_step)


def open_first_run(window) -> FirstRunWizard:
    """Show the wizard over the main window; afterwards the window reads everything afresh."""
    wizard = FirstRunWizard(window.ctx, window)

    def applied(report: list[str]) -> None:
        status = getattr(window, "security_status", None)
        if status is not None:
            status.update()
        window.reload()
        window.statusBar().showMessage("はじめての設定が終わりました" + (f"：{'／'.join(report)}" if report else ""),
                                       15000)

    wizard.applied.connect(applied)
    wizard.exec()
    return wizard
