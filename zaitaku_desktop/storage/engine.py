"""Create the SQLAlchemy engine for the SQLite file with the program's pragmas."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine
from sqlmodel import create_engine

from zaitaku_desktop.domain.errors import (
    DatabaseDamagedError, DatabaseLockedError, DatabaseReadOnlyError, DiskFullError, StorageError,
)

from .crypto import DbKey, apply_key, sqlcipher_module

BUSY_TIMEOUT_MS = 5000
ENCRYPTED_CACHE_KIB = 128 * 1024
NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "9p", "afs", "davfs", "fuse.davfs2"}


def make_engine(db_path: Path, *, read_only: bool = False, busy_timeout_ms: int = BUSY_TIMEOUT_MS,
                key: DbKey | None = None, query_only: bool = False) -> Engine:
    """An engine on ``db_path``; the folder is created when missing.

    With ``key`` the file is an SQLCipher database: connections come from sqlcipher3 (the same dialect as
    SQLAlchemy's ``sqlite+pysqlcipher``, keyed with the raw key instead of a passphrase in the URL, so the
    key never sits in the engine's URL) and keep temporary tables in memory. A wiped key (the window is
    locked) makes every new connection fail with :class:`SessionLockedError`.
    ``query_only`` refuses every write (a 閲覧者).

    ``read_only`` opens with ``mode=ro`` and never changes the file (no WAL switch); in a folder that
    cannot be written (no -shm can be made) the file is opened as immutable.
    ``busy_timeout_ms`` is how long SQLite itself retries a locked database before reporting it.
    """
    if read_only:
        query = {"mode": "ro", "uri": "true"}
        if not os.access(db_path.parent, os.W_OK) and not Path(f"{db_path}-shm").exists():
            query["immutable"] = "1"
        # as_uri() percent-encodes '#', '?' and '%', which would otherwise cut the path short.
        url = URL.create("sqlite", database=db_path.resolve().as_uri(), query=query)
    else:
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"データの保存先フォルダを作れません：{db_path.parent}\n（{exc.strerror}）") from exc
        # URL.create keeps '%', '?' and '#' in folder names literal; an f-string URL would decode them.
        url = URL.create("sqlite", database=str(db_path))
    # One connection is used by one thread at a time (the GUI runs DB work on a single worker).
    engine = create_engine(
        url,
        connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
        # Error texts (and so the log) never carry the values of a statement: names, notes...
        hide_parameters=True,
        **({"module": sqlcipher_module()} if key is not None else {}),
    )
    if key is not None:
        def keyed_connect(_dialect, _record, cargs, cparams):
            conn = sqlcipher_module().connect(*cargs, **cparams)
            try:
                apply_key(conn, key)
                conn.execute("PRAGMA temp_store = MEMORY")
                # Every page read from the file is decrypted and its HMAC checked; a larger page cache (filled
                # only as pages are read, at most 128 MB) keeps repeated scans (the statistics) from paying it
                # again for every query. A plain file relies on the operating system's cache instead.
                conn.execute(f"PRAGMA cache_size = -{ENCRYPTED_CACHE_KIB}")
            except BaseException:
                conn.close()
                raise
            return conn

        event.listen(engine, "do_connect", keyed_connect)

    def set_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
            if not read_only:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            if query_only:
                cursor.execute("PRAGMA query_only=ON")
        finally:
            cursor.close()

    event.listen(engine, "connect", set_pragmas)
    return engine


def _sqlite_code(exc: BaseException) -> str:
    """SQLite's error name (SQLITE_FULL, SQLITE_BUSY...) of an sqlite3 or wrapped SQLAlchemy error."""
    orig = getattr(exc, "orig", None) or exc
    return getattr(orig, "sqlite_errorname", "") or ""


def classify_sqlite_error(exc: BaseException, db_path: Path) -> StorageError:
    """Turn an sqlite/SQLAlchemy error into a typed error with a plain Japanese message."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    code = _sqlite_code(exc)
    if isinstance(exc, StorageError):
        return exc
    if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return DatabaseLockedError(
            "データベースが他のプログラムで使用中のため、しばらく待ちましたが保存できませんでした。"
            f"入力した内容は画面に残っています。少し待ってからもう一度お試しください。\n{db_path}")
    if code == "SQLITE_FULL" or "disk is full" in text or code == "SQLITE_IOERR_WRITE" and _disk_full_likely(db_path):
        return DiskFullError(
            "ディスクの空き容量が足りないため保存できませんでした。入力した内容は画面に残っています。"
            f"不要なファイルを削除してから、もう一度お試しください。保存済みのデータはそのままです。\n{db_path}")
    if code in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "not a database" in text or "malformed" in text:
        return DatabaseDamagedError(db_path)
    if code.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return DatabaseReadOnlyError(
            "データベースのファイルまたはフォルダが読み取り専用のため、保存できません。"
            f"入力した内容は画面に残っています。保存するには書き込みできる場所にあるファイルを開いてください。\n{db_path}")
    if code.startswith("SQLITE_IOERR"):
        return StorageError(
            "データベースの読み書きに失敗しました。USBメモリやネットワークドライブが外れていないか、"
            f"空き容量が足りているかを確認してください。保存済みのデータはそのままです。\n{db_path}")
    if "unable to open" in text:
        return StorageError(f"データベースを開けません。保存先を確認してください。\n{db_path}")
    return StorageError(f"データベースの操作に失敗しました。\n{db_path}")


def describe_sqlite_error(exc: BaseException, db_path: Path) -> str:
    """The Japanese message of :func:`classify_sqlite_error`."""
    return classify_sqlite_error(exc, db_path).message


def _disk_full_likely(db_path: Path) -> bool:
    """A failed write with (almost) no room left, or with a file size limit in force (EFBIG)."""
    try:
        import shutil

        if shutil.disk_usage(db_path.parent).free < 1_000_000:
            return True
    except OSError:
        pass
    try:
        import resource

        return resource.getrlimit(resource.RLIMIT_FSIZE)[0] != resource.RLIM_INFINITY
    except (ImportError, OSError, ValueError):
        return False


def is_network_path(path: Path) -> bool:
    """True when ``path`` lies on a network share (UNC path, mapped network drive, NFS/SMB mount)."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return True
    if os.name == "nt":  # pragma: no cover - Windows only
        import ctypes

        drive = os.path.splitdrive(os.path.abspath(text))[0] + "\\"
        return ctypes.windll.kernel32.GetDriveTypeW(drive) == 4  # DRIVE_REMOTE
    try:
        with open("/proc/mounts", encoding="utf-8") as handle:
            mounts = [line.split()[1:3] for line in handle if len(line.split()) > 2]
    except OSError:
        return False
    resolved = str(Path(path).resolve())
    best = max((m for m in mounts if resolved == m[0] or resolved.startswith(m[0].rstrip("/") + "/")),
               key=lambda m: len(m[0]), default=None)
    return bool(best and best[1] in NETWORK_FILESYSTEMS)
