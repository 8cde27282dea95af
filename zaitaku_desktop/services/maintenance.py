"""Backups (on demand, automatic, before risky steps), restore, and the data check.

Settings-independent: the GUI and the CLI pass the backup folder and the generation policy in.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy import text

from zaitaku_desktop import paths
from zaitaku_desktop.domain.errors import StorageError
from zaitaku_desktop.storage import backup as store
from zaitaku_desktop.storage import migrations
from zaitaku_desktop.storage.backup import KeepPolicy
from zaitaku_desktop.storage.crypto import DbKey
from zaitaku_desktop.storage.database import Database

log = logging.getLogger(__name__)

AUTO_INTERVAL = dt.timedelta(minutes=30)
Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    checked: bool  # opened and passed PRAGMA integrity_check before it was renamed into place
    pruned: int = 0


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: dt.datetime
    size: int
    verified: bool
    problem: str = ""


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    taken_at: dt.datetime | None
    safety_copy: Path | None  # the file as it was before the restore (a backup, or the damaged file moved aside)


@dataclass(frozen=True)
class CheckItem:
    name: str
    ok: bool
    detail: str


@dataclass
class CheckReport:
    items: list[CheckItem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(item.ok for item in self.items)

    def text(self) -> str:
        return "\n".join(f"{'OK' if i.ok else 'NG'}　{i.name}：{i.detail}" for i in self.items)


TABLE_LABELS = {"resource": "資源", "resource_category": "種別", "municipality": "市町村", "district": "地区",
                "profession": "職種", "association": "職能団体", "meeting": "会議・研修", "meeting_series": "繰り返し設定",
                "attendance": "出欠", "person": "参加者", "collab_issue": "課題", "issue_response": "対応策",
                "consultation": "相談", "consultation_case": "相談者", "consultation_referral": "紹介"}

# The program's own rules: (name, SQL counting the rows that break it, what a break means).
CONSISTENCY_RULES: tuple[tuple[str, str, str], ...] = (
    ("資源の種別", "SELECT count(*) FROM resource r LEFT JOIN resource_category c ON c.id = r.category_id "
                 "WHERE c.id IS NULL", "件の資源に、存在する種別がありません"),
    ("資源の市町村・地区",
     "SELECT count(*) FROM resource r WHERE (r.municipality_id IS NOT NULL AND r.municipality_id NOT IN "
     "(SELECT id FROM municipality)) OR (r.district_id IS NOT NULL AND r.district_id NOT IN (SELECT id FROM district))",
     "件の資源が、存在しない市町村・地区を指しています"),
    ("地区の市町村", "SELECT count(*) FROM district d LEFT JOIN municipality m ON m.id = d.municipality_id "
                   "WHERE m.id IS NULL", "件の地区に、存在する市町村がありません"),
    ("会議のシリーズ", "SELECT count(*) FROM meeting m WHERE m.series_id IS NOT NULL AND m.series_id NOT IN "
                     "(SELECT id FROM meeting_series)", "件の会議・研修が、存在しない繰り返し設定を指しています"),
    ("会議の種類・会場", "SELECT count(*) FROM meeting m WHERE (m.type_id IS NOT NULL AND m.type_id NOT IN "
                       "(SELECT id FROM meeting_type)) OR (m.venue_id IS NOT NULL AND m.venue_id NOT IN "
                       "(SELECT id FROM venue))", "件の会議・研修が、存在しない種類・会場を指しています"),
    ("参加者の統合", "SELECT count(*) FROM attendance a JOIN person p ON p.id = a.person_id "
                   "WHERE p.merged_into_id IS NOT NULL", "件の出欠が、ほかの人に統合済みの参加者を指しています"),
    ("統合先の参加者", "SELECT count(*) FROM person p WHERE p.merged_into_id IS NOT NULL AND p.merged_into_id NOT IN "
                     "(SELECT id FROM person)", "人の参加者の統合先が見つかりません"),
    ("相談と相談者", "SELECT count(*) FROM consultation c LEFT JOIN consultation_case k ON k.id = c.case_id "
                   "WHERE k.id IS NULL", "件の相談に、相談者（ケース）がありません"),
    ("紹介先の資源", "SELECT count(*) FROM consultation_referral r LEFT JOIN resource s ON s.id = r.resource_id "
                   "WHERE s.id IS NULL", "件の紹介が、存在しない資源を指しています"),
    ("職種の職能団体", "SELECT count(*) FROM profession p WHERE p.association_id IS NOT NULL AND p.association_id "
                     "NOT IN (SELECT id FROM association)", "件の職種が、存在しない職能団体を指しています"),
)


SERVER_BACKUP_MESSAGE = (
    "このデータベースはサーバー（PostgreSQL）にあります。バックアップと復元は、サーバーの管理者がサーバー側で"
    "行います（pg_dump など）。このプログラムからのバックアップ・自動バックアップは行いません。")


class MaintenanceService:
    def __init__(self, db: Database, *, folder: Path | None = None, policy: KeepPolicy | None = None,
                 clock: Clock = dt.datetime.now) -> None:
        self.db = db
        self.folder = folder  # None: the default backups folder in the user's data folder
        self.policy = policy or KeepPolicy()
        self.clock = clock
        self._last_auto: dt.datetime | None = None
        self._baseline = self._fingerprint()

    # --- where -------------------------------------------------------------------------------------
    def backup_folder(self, folder: Path | None = None) -> Path:
        return Path(folder) if folder is not None else (self.folder or paths.backup_dir())

    def _ready_folder(self, folder: Path | None) -> Path:
        """The folder to write into; a plain message when it is missing, read-only or too full."""
        target = self.backup_folder(folder)
        if folder is None and self.folder is None:
            try:
                target.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(store.describe_backup_error(exc, target)) from exc
        if not target.is_dir():
            raise StorageError("バックアップ先のフォルダが見つかりません。USBメモリなどが外れていないか確認するか、"
                               f"設定でバックアップ先を選び直してください。\n{target}")
        if not os.access(target, os.W_OK | os.X_OK):
            raise StorageError(f"バックアップ先に書き込めません（書き込みが許可されていません）。別のフォルダを選んでください。\n{target}")
        need = self.db.path.stat().st_size if self.db.path.exists() else 0
        free = free_space(target)
        if free is not None and free < need + 1_000_000:
            raise StorageError(store.describe_backup_error(OSError(28, "No space left on device"), target))
        return target

    # --- backups -------------------------------------------------------------------------------------
    def backup_now(self, folder: Path | None = None, *, prefix: str = "zaitaku",
                   now: dt.datetime | None = None) -> BackupResult:
        """Copy the database (backup API), check the copy, rename it into place."""
        self._refuse_on_server()
        target = self._ready_folder(folder)
        now = now or self.clock()
        path = target / store.timestamped_name(prefix, now)
        if path.exists():  # two backups within one second
            path = target / store.timestamped_name(prefix, now + dt.timedelta(seconds=1))
        fingerprint = self._fingerprint()
        store.backup_database(self.db.path, path, self.db.key)
        self._baseline = fingerprint
        log.info("backup written (%s, %d bytes)", prefix, path.stat().st_size)
        return BackupResult(path, path.stat().st_size, True)

    def backup_before(self, step: str) -> BackupResult | None:
        """The backup taken before a risky step (import, repair...) into the usual folder; none on a server,
        whose own backups (pg_dump) apply."""
        return None if self.db.server else self.backup_now(prefix=f"before-{step}")

    def changed_since_backup(self) -> bool:
        return self._fingerprint() != self._baseline

    def auto_backup_due(self, now: dt.datetime | None = None) -> bool:
        """True when the data changed since the last backup and the last automatic one is 30 minutes old."""
        now = now or self.clock()
        if self.db.server or not self.changed_since_backup():
            return False
        last = self._last_auto or self._newest_backup_time()
        return last is None or now - last >= AUTO_INTERVAL or last > now

    def run_auto_backup(self, now: dt.datetime | None = None, *, on_exit: bool = False) -> BackupResult | None:
        """The automatic backup (every 30 minutes while there are changes, or on exit), then the prune."""
        now = now or self.clock()
        if self.db.server or not (self.changed_since_backup() if on_exit else self.auto_backup_due(now)):
            return None
        result = self.backup_now(prefix="auto", now=now)
        self._last_auto = now
        removed = self.prune(now=now)
        return BackupResult(result.path, result.size, result.checked, len(removed))

    def prune(self, folder: Path | None = None, now: dt.datetime | None = None) -> list[Path]:
        return store.prune_backups(self.backup_folder(folder), now or self.clock(), self.policy)

    def list_backups(self, folder: Path | None = None) -> list[BackupInfo]:
        """Our backups in the folder, newest first, each opened and quickly checked."""
        found = []
        for when, path in store.our_backups(self.backup_folder(folder)):
            check = store.verify(path, quick=True, key=self.db.key)
            found.append(BackupInfo(path, when, path.stat().st_size, check.ok, check.message))
        return found

    def _newest_backup_time(self) -> dt.datetime | None:
        backups = store.our_backups(self.backup_folder())
        return backups[0][0] if backups else None

    def _fingerprint(self) -> tuple:
        """Changes to the file (a commit touches the WAL, a checkpoint the main file); none on a server."""
        if self.db.server:
            return ()
        parts = []
        for p in (self.db.path, self.db.path.with_name(self.db.path.name + "-wal")):
            try:
                st = p.stat()
                parts.append((st.st_mtime_ns, st.st_size))
            except OSError:
                parts.append(None)
        return tuple(parts)

    # --- restore -------------------------------------------------------------------------------------
    def restore(self, source: Path) -> RestoreResult:
        """Replace the database with ``source``: back up the current file, check the chosen one, swap,
        then migrate. Every connection is closed first; the engine reconnects to the new file."""
        self._refuse_on_server()
        folder = self._ready_folder(None)  # the copy of the current file goes here: it must be usable
        self.db.close()
        safety = store.restore_database(Path(source), self.db.path, folder, self.clock(), key=self.db.key)
        migrations.upgrade(self.db.engine, self.db.path, folder, key=self.db.key)
        self._baseline = self._fingerprint()
        return RestoreResult(Path(source), store.backup_time(Path(source)), safety)

    def _refuse_on_server(self) -> None:
        if self.db.server:
            raise StorageError(SERVER_BACKUP_MESSAGE)

    # --- the data check ------------------------------------------------------------------------------
    def check(self) -> CheckReport:
        report = CheckReport()
        with self.db.engine.connect() as conn:
            if self.db.server:  # the server keeps its files sound and enforces every foreign key itself
                report.items += [CheckItem("ファイルの整合性", True, "サーバー（PostgreSQL）が管理しています"),
                                 CheckItem("データの参照（外部キー）", True, "サーバーが常に確認しています")]
            else:
                self._check_file(conn, report)
            for name, sql, meaning in CONSISTENCY_RULES:
                count = conn.execute(text(sql)).scalar_one()
                report.items.append(CheckItem(name, count == 0, "問題ありません" if count == 0 else f"{count}{meaning}"))
        revision, head = migrations.current_revision(self.db.engine), migrations.head_revision()
        report.items.insert(2, CheckItem("データベースの版", revision == head, "最新です" if revision == head
                                         else f"古い版（{revision}）です。プログラムで開くと更新されます"))
        log.info("data check: %d of %d rules pass", sum(i.ok for i in report.items), len(report.items))
        return report

    @staticmethod
    def _check_file(conn, report: CheckReport) -> None:
        """SQLite's own checks of the file: integrity and foreign keys."""
        rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
        report.items.append(CheckItem("ファイルの整合性", rows == ["ok"], "問題ありません" if rows == ["ok"]
                                      else f"{len(rows)} か所の異常があります（バックアップからの復元をおすすめします）"))
        broken = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
        by_table: dict[str, int] = {}
        for row in broken:
            by_table[row[0]] = by_table.get(row[0], 0) + 1
        report.items.append(CheckItem(
            "データの参照（外部キー）", not broken,
            "問題ありません" if not broken else "参照先のない行があります：" +
            "、".join(f"{TABLE_LABELS.get(t, t)}（{t}）{n} 行" for t, n in sorted(by_table.items()))))


def free_space(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def format_size(size: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} バイト"


def restore_file(source: Path, live_db: Path, backup_folder: Path, clock: Clock = dt.datetime.now,
                 key: DbKey | None = None) -> RestoreResult:
    """Restore without an open database (the CLI, or a live file too damaged to open), then migrate.
    ``key``: the live database's key when it is encrypted (the restored file is encrypted under it)."""
    backup_folder.mkdir(parents=True, exist_ok=True)
    safety = store.restore_database(source, live_db, backup_folder, clock(), key=key)
    Database.open(live_db, backup_dir=backup_folder, key=key.copy() if key else None).close()
    return RestoreResult(source, store.backup_time(source), safety)
