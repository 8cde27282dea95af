"""Copies of the database, made only through SQLite's online backup API.

A backup of an encrypted database is encrypted under the same key, and the key file is copied beside it
(``<backup>.keys.json``) so the passwords of that day open it; the recovery key opens it without one.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from zaitaku_desktop.domain.errors import StorageError

from .crypto import DbKey, connect, database_errors, has_sqlite_header
from .keyfile import keyfile_path

log = logging.getLogger(__name__)

# Our backup files: "<kind>-YYYYMMDD-HHMMSS.sqlite3"; nothing else in a backup folder is ever deleted.
BACKUP_NAME = re.compile(r"^(?P<kind>zaitaku|auto|before-[A-Za-z0-9_.-]+?)-(?P<stamp>\d{8}-\d{6})\.sqlite3$")
# Tables every zaitaku database has, whatever its revision.
CORE_TABLES = frozenset({"alembic_version", "resource", "resource_category", "municipality", "change_log"})


_SAME = object()


def copy_database(src: Path, dest: Path, key: DbKey | None = None, *, dest_key: "DbKey | None | object" = _SAME,
                  read_only_source: bool = True) -> Path:
    """Copy ``src`` (plain, or encrypted under ``key``) to the new file ``dest`` — under the same key through the
    online backup API, else (encrypting, decrypting, re-keying) through ``sqlcipher_export`` — and check the copy
    with ``integrity_check`` and per-table row counts before it is renamed into place. The plain bytes of
    an encrypted copy never reach the disk.
    """
    same = dest_key is _SAME or dest_key == key or (dest_key is None and key is None)
    target_key = key if dest_key is _SAME else dest_key
    tmp = dest.with_name(dest.name + ".part")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        _remove_quietly(tmp)
        if same:
            _backup_api_copy(src, tmp, key, read_only_source)
        else:
            _export_copy(src, key, tmp, target_key)  # type: ignore[arg-type]
        _fsync(tmp)
        os.replace(tmp, dest)
    except (*database_errors(), OSError) as exc:
        _remove_quietly(tmp)
        log.warning("copy failed: %s (errno %s)", type(exc).__name__, getattr(exc, "errno", None))
        raise StorageError(describe_backup_error(exc, dest.parent)) from exc
    except BaseException:
        _remove_quietly(tmp)
        raise
    return dest


def _backup_api_copy(src: Path, tmp: Path, key: DbKey | None, read_only_source: bool) -> None:
    source = connect(src, key, read_only=read_only_source)
    try:
        target = connect(tmp, key)
        try:
            source.backup(target)
            _check(target)
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    finally:
        source.close()


def _export_copy(src: Path, key: DbKey | None, tmp: Path, dest_key: DbKey | None) -> None:
    """Encrypt, decrypt or re-key into ``tmp`` with SQLCipher's ``sqlcipher_export`` (ATTACH … KEY)."""
    from .crypto import apply_key, sqlcipher_module

    module = sqlcipher_module()
    source = module.connect(src.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        if key is not None:
            apply_key(source, key)
        attach_key = f"x'{dest_key.raw().hex()}'" if dest_key is not None else ""
        source.execute(f"ATTACH DATABASE ? AS copy KEY \"{attach_key}\"", (str(tmp),))
        source.execute("SELECT sqlcipher_export('copy')")
        counts = {t: source.execute(f'SELECT count(*) FROM main."{t}"').fetchone()[0] for t in _tables(source, "main")}
        copied = {t: source.execute(f'SELECT count(*) FROM copy."{t}"').fetchone()[0] for t in _tables(source, "copy")}
        source.execute("DETACH DATABASE copy")
    finally:
        source.close()
    if counts != copied:
        raise StorageError("コピーの検査に失敗しました（件数が一致しません）。")
    target = connect(tmp, dest_key)
    try:
        _check(target)
    finally:
        target.close()


def _tables(conn, schema: str) -> list[str]:
    return [r[0] for r in conn.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]


def _check(conn) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchone()
    if not result or result[0] != "ok":
        raise StorageError(f"コピーの検査に失敗しました：{result}")


def backup_database(src: Path, dest: Path, key: DbKey | None = None) -> Path:
    """Copy the live database ``src`` to ``dest`` (a new file) and verify the copy (see :func:`copy_database`).

    For an encrypted database the key file goes beside the copy, so the passwords of today open it.
    """
    copy_database(src, dest, key)
    if key is not None:
        copy_keyfile(src, dest)
    return dest


def copy_keyfile(src_db: Path, dest_db: Path) -> None:
    """Put the key file of ``src_db`` beside ``dest_db`` (when there is one)."""
    if not keyfile_path(src_db).exists():
        return
    try:
        _copy_small(keyfile_path(src_db), keyfile_path(dest_db))
    except OSError as exc:
        raise StorageError(describe_backup_error(exc, dest_db.parent)) from exc


def _copy_small(src: Path, dest: Path) -> None:
    """Copy a small file atomically (temporary name, fsync, rename)."""
    tmp = dest.with_name(dest.name + ".part")
    try:
        tmp.write_bytes(src.read_bytes())
        _fsync(tmp)
        os.replace(tmp, dest)
    except BaseException:
        _remove_quietly(tmp)
        raise


def describe_backup_error(exc: BaseException, folder: Path) -> str:
    """A plain Japanese message for a failed backup write."""
    code = getattr(exc, "errno", None)
    text = str(exc).lower()
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)) or "disk is full" in text:
        return (f"バックアップ先の空き容量が足りません。不要なファイルを削除するか、別のフォルダ（USBメモリなど）を"
                f"選んでください。\n{folder}")
    if isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM, errno.EROFS) or "readonly" in text:
        return f"バックアップ先に書き込めません（書き込みが許可されていません）。別のフォルダを選んでください。\n{folder}"
    if isinstance(exc, database_errors()):
        return f"バックアップを作成できませんでした。\n{exc}"
    return f"バックアップを書き込めませんでした：{folder}\n（{getattr(exc, 'strerror', None) or exc}）"


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:  # pragma: no cover - only when the folder vanished meanwhile
        log.warning("could not remove %s: %s", path.name, type(exc).__name__)


def timestamped_name(prefix: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now()
    return f"{prefix}-{now.strftime('%Y%m%d-%H%M%S')}.sqlite3"


def backup_time(path: Path) -> dt.datetime | None:
    """When one of our backups was taken (from its name); None for any other file."""
    match = BACKUP_NAME.match(path.name)
    if not match:
        return None
    try:
        return dt.datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S")
    except ValueError:
        return None


def our_backups(folder: Path) -> list[tuple[dt.datetime, Path]]:
    """Our backup files in ``folder``, newest first (foreign files are ignored)."""
    if not folder.is_dir():
        return []
    found = [(when, p) for p in folder.iterdir() if p.is_file() and (when := backup_time(p)) is not None]
    return sorted(found, key=lambda item: (item[0], item[1].name), reverse=True)


# --- generations ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class KeepPolicy:
    """How many generations survive a prune: the newest backup of each of the ``daily`` most recent days
    that have backups, likewise ``weekly`` ISO weeks and ``monthly`` months, plus everything of the last
    ``recent_hours`` hours (by the clock). The newest backup is always kept; a long pause thins nothing."""

    daily: int = 7
    weekly: int = 4
    monthly: int = 12
    recent_hours: int = 24


def _period_of(kind: str, when: dt.datetime) -> object:
    if kind == "d":
        return when.date()
    if kind == "w":
        return tuple(when.date().isocalendar()[:2])
    return (when.year, when.month)


def backups_to_keep(backups: list[tuple[dt.datetime, Path]], now: dt.datetime,
                    policy: KeepPolicy) -> set[Path]:
    """Which of ``backups`` (newest first) the policy keeps. Files dated in the future are kept."""
    keep = {p for when, p in backups if when > now or now - when < dt.timedelta(hours=policy.recent_hours)}
    if backups:
        keep.add(backups[0][1])
    for kind, count in (("d", policy.daily), ("w", policy.weekly), ("m", policy.monthly)):
        seen: set[object] = set()
        for when, path in backups:
            period = _period_of(kind, when)
            if when > now or period in seen:
                continue
            if len(seen) >= count:
                break
            seen.add(period)
            keep.add(path)
    return keep


def prune_backups(folder: Path, now: dt.datetime, policy: KeepPolicy) -> list[Path]:
    """Delete our backups in ``folder`` that the policy does not keep; returns the deleted files."""
    backups = our_backups(folder)
    keep = backups_to_keep(backups, now, policy)
    removed = []
    for _when, path in backups:
        if path not in keep:
            try:
                path.unlink()
            except OSError as exc:
                log.warning("could not prune backup %s: %s", path.name, type(exc).__name__)
                continue
            _remove_quietly(keyfile_path(path))
            removed.append(path)
    if removed:
        log.info("pruned %d old backups", len(removed))
    return removed


# --- checking and restoring -----------------------------------------------------------------------

@dataclass(frozen=True)
class BackupCheck:
    path: Path
    ok: bool
    message: str  # Japanese: what is wrong, or "" when ok
    revision: str | None = None


def verify(path: Path, *, quick: bool = False, key: DbKey | None = None) -> BackupCheck:
    """Is ``path`` an intact zaitaku database this program can open? Read-only; never changes the file.

    A plain file is checked as it is; an encrypted one needs ``key``.
    """
    if not path.is_file():
        return BackupCheck(path, False, f"ファイルが見つかりません。\n{path}")
    plain = has_sqlite_header(path)
    if not plain and (key is None or key.wiped):
        if keyfile_path(path).exists():
            return BackupCheck(path, False, f"暗号化されたファイルのため、このままでは検査できません。\n{path}")
        return BackupCheck(path, False, f"ファイルが壊れているか、データベースではありません。\n{path}")
    try:
        conn = connect(path, None if plain else key, read_only=True)
        try:
            result = conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check").fetchall()
            if [r[0] for r in result] != ["ok"]:
                return BackupCheck(path, False, f"ファイルが壊れています（検査で異常が見つかりました）。\n{path}")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not CORE_TABLES <= tables:
                return BackupCheck(path, False, f"このファイルは本プログラムのデータベースではありません。\n{path}")
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except (*database_errors(), UnicodeDecodeError):  # a damaged schema may not even decode as text
        if not plain:
            return BackupCheck(path, False, "今のパスワードの鍵では開けないファイルです（パスフレーズを変更する前のバックアップか、"
                                            f"別のデータベースのファイル）、または壊れています。\n{path}")
        return BackupCheck(path, False, f"ファイルが壊れているか、データベースではありません。\n{path}")
    revision = row[0] if row else None
    if revision not in _known_revisions():
        return BackupCheck(path, False, "このファイルは新しい版のプログラムで作られているため、この版では復元できません。"
                                        f"\n{path}（版：{revision}）", revision)
    return BackupCheck(path, True, "", revision)


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from . import migrations

    return {rev.revision for rev in ScriptDirectory.from_config(migrations.alembic_config()).walk_revisions()}


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _sidecars(db: Path) -> list[Path]:
    return [db.with_name(db.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def move_aside(live_db: Path, now: dt.datetime) -> Path:
    """Rename a damaged live file to ``<name>.damaged-<timestamp>`` (never overwritten or deleted)."""
    from .database import move_aside as move_damaged

    return move_damaged(live_db, now)


def restore_database(src_backup: Path, live_db: Path, backup_dir: Path,
                     now: dt.datetime | None = None, key: DbKey | None = None) -> Path | None:
    """Put ``src_backup`` in place of ``live_db``. Every connection to ``live_db`` must be closed.

    The live file is first backed up (or, when it is too damaged for that, moved aside), the chosen
    file is checked, copied through the backup API to a temporary file beside the live one, synced,
    and swapped in with one rename. Returns the safety copy of the old file (None when there was none).
    With ``key`` (an encrypted live database) the restored file is encrypted under ``key`` whether the
    backup was plain (made before the database was protected) or encrypted under the same key.
    The caller then reopens (and migrates) the database.
    """
    now = now or dt.datetime.now()
    source_key = None if has_sqlite_header(src_backup) else key
    check = verify(src_backup, key=source_key)
    if not check.ok:
        raise StorageError(check.message)
    if src_backup.resolve() == live_db.resolve():
        raise StorageError("使用中のデータベースそのものは復元元に選べません。バックアップのファイルを選んでください。")
    safety: Path | None = None
    if live_db.exists():
        try:
            safety = backup_database(live_db, backup_dir / timestamped_name("before-restore", now), key)
        except StorageError:
            if verify(live_db, quick=True, key=key).ok:
                raise  # the live file is fine: the backup folder is the problem, so stop here
            safety = move_aside(live_db, now)
            log.warning("live database damaged; moved aside before restore")
    tmp = live_db.with_name(live_db.name + ".restore-part")
    try:
        _remove_quietly(tmp)
        copy_database(src_backup, tmp, source_key, dest_key=key)
        if live_db.exists() and (key is None or not has_sqlite_header(live_db)):
            # Fold any committed WAL content into the old file first, so no stale WAL can meet the new one.
            conn = connect(live_db, key)
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()
        for side in _sidecars(live_db):
            _remove_quietly(side)
        os.replace(tmp, live_db)
    except (*database_errors(), OSError) as exc:
        _remove_quietly(tmp)
        raise StorageError(describe_backup_error(exc, live_db.parent)) from exc
    except BaseException:
        _remove_quietly(tmp)
        raise
    log.info("database restored from a backup (revision %s)", check.revision)
    return safety
