"""Create the SQLAlchemy engine: the SQLite file with the program's pragmas, or a PostgreSQL server."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
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


# --- PostgreSQL (issue 10: a shared office server) -----------------------------------------------------------
STATEMENT_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_S = 10


def server_url(url: str) -> URL:
    """The SQLAlchemy URL of a ``postgresql://`` address, always on the psycopg 3 driver."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg")


def display_url(url: str) -> str:
    """The address without its password, for the window, the log and messages."""
    try:
        return make_url(url).render_as_string(hide_password=True).replace("+psycopg", "")
    except Exception:  # noqa: BLE001 - a malformed URL is shown as typed minus anything after '@'-less parts
        return url.split("@")[-1]


def make_server_engine(url: str, *, statement_timeout_ms: int = STATEMENT_TIMEOUT_MS,
                       query_only: bool = False) -> Engine:
    """An engine on a PostgreSQL server: connections are checked before use (the server may have
    restarted, the network dropped), every statement has a time limit, a 閲覧者 gets read-only transactions."""
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise StorageError("PostgreSQL に接続するための部品（psycopg）が入っていません。"
                           "「pip install zaitaku-desktop[postgres]」で追加してください。") from exc
    options = f"-c statement_timeout={int(statement_timeout_ms)} -c timezone=UTC"
    if query_only:
        options += " -c default_transaction_read_only=on"
    try:
        target = server_url(url)
    except Exception as exc:  # noqa: BLE001 - sqlalchemy.exc.ArgumentError and friends
        raise StorageError(f"データベースの接続先（URL）の書き方が正しくありません。\n{display_url(url)}") from exc
    return create_engine(target, pool_pre_ping=True, hide_parameters=True, pool_size=5, max_overflow=5,
                         connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "options": options,
                                       "application_name": "zaitaku-desktop"})


def classify_server_error(exc: BaseException, url: str) -> StorageError:
    """A psycopg/SQLAlchemy error on the server as a typed error with a plain Japanese message."""
    if isinstance(exc, StorageError):
        return exc
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).lower()
    state = getattr(orig, "sqlstate", None) or ""
    where = display_url(url)
    if state == "28P01" or "password authentication failed" in text or state.startswith("28"):
        return StorageError("データベースサーバーにログインできませんでした（ユーザー名またはパスワードが違います）。"
                            f"接続先の設定を確認してください。\n{where}")
    if state == "3D000" or ("database" in text and "does not exist" in text):
        return StorageError("データベースサーバーに、指定した名前のデータベースがありません。"
                            f"名前を確認するか、サーバーの管理者に作成を依頼してください。\n{where}")
    if state == "57014" or "statement timeout" in text:
        return DatabaseLockedError("データベースサーバーの応答に時間がかかりすぎたため、中断しました。"
                                   f"入力した内容は画面に残っています。少し待ってからもう一度お試しください。\n{where}")
    if state in ("40P01", "40001", "55P03"):
        return DatabaseLockedError("ほかの人が同じデータを保存中のため、保存できませんでした。入力した内容は画面に残っています。"
                                   f"少し待ってからもう一度お試しください。\n{where}")
    if state == "25006" or "read-only transaction" in text:
        return DatabaseReadOnlyError(f"読み取り専用で接続しているため、保存できません。\n{where}")
    if state == "53100" or "no space left" in text:
        return DiskFullError("データベースサーバーのディスクの空き容量が足りないため保存できませんでした。"
                             f"入力した内容は画面に残っています。サーバーの管理者に連絡してください。\n{where}")
    if (state.startswith("08") or "connection refused" in text or "could not connect" in text
            or "connection failed" in text or "translate host name" in text or "timeout expired" in text
            or "server closed the connection" in text or "connection is closed" in text):
        return StorageError("データベースサーバーに接続できません。サーバーが動いているか、ネットワークにつながっているか、"
                            f"接続先（アドレス・ポート番号）が正しいかを確認してください。\n{where}")
    return StorageError(f"データベースサーバーでの操作に失敗しました。\n{where}")
