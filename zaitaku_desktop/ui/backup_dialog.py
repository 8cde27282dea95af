"""バックアップと復元: the backup folder (with its free space), 「今すぐバックアップ」, the list of backups,
restore from one of them or from any file; the automatic backups (every 5 minutes the runner asks
whether one is due) and 「データの検査」."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from zaitaku_desktop import paths
from zaitaku_desktop.services.maintenance import BackupInfo, KeepPolicy, format_size, free_space

from .context import AppContext

log = logging.getLogger(__name__)

AUTO_CHECK_MS = 5 * 60 * 1000
KIND_LABELS = (("auto", "自動"), ("zaitaku", "手動"), ("before-restore", "復元前の控え"), ("before-upgrade", "形式の更新前"),
               ("before-", "作業前の控え"))


def configure_maintenance(ctx: AppContext) -> None:
    """Hand the backup settings (folder, generations) to the maintenance service."""
    settings, service = ctx.settings, ctx.services.maintenance
    folder = settings.get("backup/folder")
    service.folder = Path(folder) if folder else None
    service.policy = KeepPolicy(daily=max(1, settings.get("backup/keep_daily")),
                                weekly=max(0, settings.get("backup/keep_weekly")),
                                monthly=max(0, settings.get("backup/keep_monthly")))


def kind_label(path: Path) -> str:
    return next(label for prefix, label in KIND_LABELS if path.name.startswith(prefix))


def when_text(ctx: AppContext, info: BackupInfo) -> str:
    return f"{ctx.format_date(info.taken_at.date())} {info.taken_at:%H:%M}"


class BackupDialog(QDialog):
    """``restored`` carries the file the database was restored from; the window reloads everything."""

    restored = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.backups: list[BackupInfo] = []
        configure_maintenance(ctx)
        self.setObjectName("backupDialog")
        self.setWindowTitle("バックアップと復元")
        self.resize(720, 520)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        row = QHBoxLayout()
        self.folder_edit = QLineEdit(self)
        self.folder_edit.setObjectName("backupFolder")
        self.folder_edit.setReadOnly(True)
        row.addWidget(self.folder_edit, 1)
        self.choose_button = self._button("backupChooseFolder", "変更…", self.choose_folder, row)
        self.default_button = self._button("backupDefaultFolder", "既定に戻す", self.use_default_folder, row)
        form.addRow("保存先", row)
        self.space_label = QLabel(self)
        self.space_label.setObjectName("backupFreeSpace")
        form.addRow("", self.space_label)
        keep = QHBoxLayout()
        self.keep: dict[str, QSpinBox] = {}
        for key, label, top in (("daily", "日ごと", 60), ("weekly", "週ごと", 52), ("monthly", "月ごと", 120)):
            spin = QSpinBox(self)
            spin.setObjectName(f"backupKeep_{key}")
            spin.setRange(1 if key == "daily" else 0, top)
            spin.setValue(ctx.settings.get(f"backup/keep_{key}"))
            spin.setSuffix(" 世代")
            spin.valueChanged.connect(lambda value, k=key: self._keep_changed(k, value))
            self.keep[key] = spin
            keep.addWidget(QLabel(label, self))
            keep.addWidget(spin)
        keep.addStretch(1)
        form.addRow("残す数", keep)
        layout.addLayout(form)
        note = QLabel("自動のバックアップは、変更があれば30分ごとと終了時に作ります。"
                      "古いものは「残す数」を超えた分から削除します（このプログラムが作ったファイルだけ）。", self)
        note.setWordWrap(True)
        layout.addWidget(note)
        now_row = QHBoxLayout()
        self.now_button = self._button("backupNow", "今すぐバックアップ", self.backup_now, now_row)
        self.status = QLabel(self)
        self.status.setObjectName("backupStatus")
        self.status.setWordWrap(True)
        now_row.addWidget(self.status, 1)
        layout.addLayout(now_row)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("backupTable")
        self.table.setHorizontalHeaderLabels(["日時", "種類", "大きさ", "検査"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.restore_button = self._button("backupRestore", "このバックアップから復元…", self.restore_selected, buttons)
        self.restore_file_button = self._button("backupRestoreFile", "別のファイルから復元…", self.restore_from_file,
                                                buttons)
        buttons.addStretch(1)
        self._button("backupClose", "閉じる", self.reject, buttons)
        layout.addLayout(buttons)
        self.refresh()

    def _button(self, name: str, text: str, slot, row: QHBoxLayout) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    # --- folder ------------------------------------------------------------------------------------
    def folder(self) -> Path:
        return self.ctx.services.maintenance.backup_folder()

    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "バックアップの保存先", str(self.folder()))
        if chosen:
            self.set_folder(Path(chosen))

    def use_default_folder(self) -> None:
        self.set_folder(None)

    def set_folder(self, folder: Path | None) -> None:
        self.ctx.settings.set("backup/folder", str(folder) if folder else "")
        configure_maintenance(self.ctx)
        self.refresh()

    def _keep_changed(self, key: str, value: int) -> None:
        self.ctx.settings.set(f"backup/keep_{key}", value)
        configure_maintenance(self.ctx)

    def refresh(self) -> None:
        folder = self.folder()
        self.folder_edit.setText(str(folder) + ("（既定）" if not self.ctx.settings.get("backup/folder") else ""))
        self.default_button.setEnabled(bool(self.ctx.settings.get("backup/folder")))
        free = free_space(folder) if folder.is_dir() else None
        if free is not None:
            self.space_label.setText(f"空き容量：{format_size(free)}")
            self.space_label.setStyleSheet("")
        elif folder == paths.backup_dir():
            self.space_label.setText("最初のバックアップのときにフォルダを作ります")
            self.space_label.setStyleSheet("")
        else:
            self.space_label.setText("フォルダが見つかりません（USBメモリなどが外れていませんか？）")
            self.space_label.setStyleSheet("color:#c62828; font-weight:bold;")
        self.backups = self.ctx.services.maintenance.list_backups()
        self.table.setRowCount(len(self.backups))
        for row, info in enumerate(self.backups):
            cells = (when_text(self.ctx, info), kind_label(info.path), format_size(info.size),
                     "OK" if info.verified else "異常")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(info.path) if info.verified else info.problem)
                if col == 3 and not info.verified:
                    item.setForeground(Qt.GlobalColor.red)
                self.table.setItem(row, col, item)
        self._selection_changed()

    def _selection_changed(self) -> None:
        info = self.selected()
        self.restore_button.setEnabled(info is not None and info.verified)

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    # --- backup and restore ------------------------------------------------------------------------
    def backup_now(self) -> None:
        self.now_button.setEnabled(False)

        def done(result) -> None:
            self.now_button.setEnabled(True)
            self.status.setText(f"作成しました（検査済み・{format_size(result.size)}）：{result.path.name}")
            self.refresh()

        def failed(exc: BaseException) -> None:
            self.now_button.setEnabled(True)
            self.status.setText("作成できませんでした")
            self.ctx.messages.failure("バックアップを作成できません", exc)

        self.status.setText("作成しています…")
        self.ctx.runner.run(self.ctx.services.maintenance.backup_now, on_done=done, on_error=failed)

    def restore_selected(self) -> None:
        info = self.selected()
        if info is not None:
            self.restore(info.path, when_text(self.ctx, info))

    def restore_from_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "復元するバックアップ", str(self.folder()),
                                              "バックアップ (*.sqlite3 *.db);;すべてのファイル (*)")
        if path:
            self.restore(Path(path), None)

    def restore(self, path: Path, when: str | None) -> None:
        point = f"「{when}」の時点" if when else f"ファイル「{path.name}」の内容"
        if not self.ctx.messages.confirm(
                "バックアップから復元しますか？",
                f"データベースを{point}に戻します。\n"
                "その後に入力・変更した内容は、すべて失われます。\n\n"
                "いまのデータは、念のため「復元前の控え」としてバックアップの保存先に残します。",
                ok="復元する", cancel="やめる"):
            return

        def done(result) -> None:
            self.ctx.messages.info("復元しました", f"{point}に戻しました。\n"
                                   + (f"復元前の控え：{result.safety_copy}" if result.safety_copy else ""))
            self.refresh()
            self.restored.emit(path)

        self.ctx.runner.run(lambda: self.ctx.services.maintenance.restore(path), on_done=done,
                            on_error=lambda exc: self.ctx.messages.failure("復元できません", exc))


class AutoBackup(QObject):
    """Every 5 minutes asks (on the runner) whether a backup is due: changes and 30 minutes since the last.
    A failure is shown once; later ones go to the status bar only, so the user is not nagged."""

    status = Signal(str)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.warned = False
        self.timer = QTimer(self)
        self.timer.setObjectName("autoBackupTimer")
        self.timer.setInterval(AUTO_CHECK_MS)
        self.timer.timeout.connect(self.tick)
        configure_maintenance(ctx)
        self.timer.start()

    def tick(self) -> None:
        if self.ctx.runner.busy:
            return
        self.ctx.runner.run(self.ctx.services.maintenance.run_auto_backup, on_done=self._done, on_error=self._failed)

    def _done(self, result) -> None:
        if result is not None:
            self.status.emit(f"自動バックアップを作成しました：{result.path.name}")

    def _failed(self, exc: BaseException) -> None:
        log.warning("automatic backup failed: %s", type(exc).__name__)
        if not self.warned:
            self.warned = True
            self.ctx.messages.failure("自動バックアップを作成できません", exc)
        else:
            self.status.emit("自動バックアップを作成できませんでした（バックアップと復元の画面で保存先を確認してください）")

    def on_exit(self) -> None:
        """The backup on exit (when anything changed); a failure is said once and never blocks the exit."""
        self.timer.stop()
        try:
            self.ctx.services.maintenance.run_auto_backup(on_exit=True)
        except Exception as exc:  # noqa: BLE001 - an exit must not fail
            log.warning("backup on exit failed: %s", type(exc).__name__)
            self.ctx.messages.failure("終了時のバックアップを作成できませんでした", exc)


def show_check(ctx: AppContext) -> None:
    """ヘルプ → データの検査: run every check on the runner and show the report."""
    def done(report) -> None:
        if report.ok:
            ctx.messages.info("データの検査", "すべての検査に合格しました。\n\n" + report.text())
        else:
            ctx.messages.warning("データの検査", "問題が見つかりました（NG の項目）。バックアップからの復元を"
                                 "検討してください。\n\n" + report.text())

    ctx.runner.run(ctx.services.maintenance.check, on_done=done,
                   on_error=lambda exc: ctx.messages.failure("データの検査ができません", exc))
