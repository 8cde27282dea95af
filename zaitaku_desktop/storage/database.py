"""The open database: engine, file path, the start-up check, migrations on open, and sessions.

Start-up safety (issue 8):
- ``Database.open`` first looks at an existing file through a read-only connection: a file that is
  not SQLite at all is refused untouched; a SQLite file that fails ``PRAGMA quick_check`` (or whose
  header is damaged) raises :class:`DatabaseDamagedError`. The caller (app.py) then moves it aside
  with :func:`move_aside` and offers :func:`newest_verified_backup`.
- "database is locked" is retried: SQLite's busy handler waits ``busy_timeout`` on every statement,
  and opening retries the check ``OPEN_RETRIES`` times on top; then :class:`DatabaseLockedError`.
- A file or folder that cannot be written is opened read-only (``db.read_only``), never modified.
- Every sqlite error leaving a session becomes a typed :class:`StorageError` with a Japanese message.

A PostgreSQL server (issue 10) is opened by its URL (``postgresql://user:pass@host/dbname``): the same
migrations and sessions, none of the file checks (quick_check, WAL, move-aside, backups before upgrades —
the server's own backups apply); its errors get their own plain messages (cannot connect, wrong password,
no such database, too slow).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from zaitaku_desktop.domain.errors import (
    AuthError, DatabaseDamagedError, DatabaseLockedError, DatabaseReadOnlyError, PermissionDeniedError,
    SessionLockedError, StorageError,
)

from zaitaku_desktop.paths import is_server_url

from . import migrations
from .crypto import DbKey, connect, database_errors, has_sqlite_header
from .engine import (
    BUSY_TIMEOUT_MS, classify_server_error, classify_sqlite_error, display_url, make_engine, make_server_engine,
)

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
OPEN_RETRIES = 3
RETRY_PAUSE_S = 0.5


class Database:
    """The open database file, or a PostgreSQL server when ``path`` is a ``postgresql://`` URL (``server``;
    ``path`` is then the URL without its password, for display; ``url`` the full one). ``key`` is the SQLCipher key of an encrypted file (None: plain SQLite).

    :meth:`lock` drops the key (connections closed, bytes wiped); sessions then raise
    :class:`SessionLockedError` until :meth:`unlock` brings a key back. ``query_only`` (a 閲覧者) refuses writes.
    """

    def __init__(self, path: Path | str, *, read_only: bool = False, busy_timeout_ms: int = BUSY_TIMEOUT_MS,
                 key: DbKey | None = None, query_only: bool = False) -> None:
        self.server = is_server_url(path)
        self.url = str(path) if self.server else None
        self.path = display_url(str(path)) if self.server else path
        self.read_only = read_only
        self.busy_timeout_ms = busy_timeout_ms
        self.key = key
        self.encrypted = key is not None
        self.query_only = query_only
        self.locked = False
        self.engine = self._make_engine()
        self.last_migration: migrations.MigrationResult | None = None

    def _make_engine(self):
        if self.server:
            return make_server_engine(self.url, query_only=self.query_only)
        return make_engine(self.path, read_only=self.read_only, busy_timeout_ms=self.busy_timeout_ms,
                           key=self.key, query_only=self.query_only)

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    def classify(self, exc: BaseException) -> StorageError:
        """A database error of this backend as a typed error with a plain Japanese message."""
        return classify_server_error(exc, self.url) if self.server else classify_sqlite_error(exc, self.path)

    @classmethod
    def open(cls, path: Path | str, *, backup_dir: Path | None = None, migrate: bool = True,
             read_only: bool = False, busy_timeout_ms: int = BUSY_TIMEOUT_MS, key: DbKey | None = None,
             query_only: bool = False) -> "Database":
        """Check, open (creating when missing) and migrate to the newest schema.

        A file or folder that cannot be written is opened read-only (``read_only`` on the result).
        ``key`` opens an encrypted file (a new file given a key is created encrypted); ``query_only`` applies
        after the migrations. A server URL is connected to and migrated (no file checks, no backup).
        """
        if is_server_url(path):
            return cls._open_server(str(path), migrate=migrate, query_only=query_only)
        if path.exists() and path.is_dir():
            raise StorageError(f"データベースの場所にフォルダがあります。ファイルの名前を指定してください。\n{path}")
        if path.exists() and path.stat().st_size > 0:
            if key is None and not has_sqlite_header(path) and _keyfile_beside(path):
                raise AuthError(f"このデータベースは暗号化されています。パスワードを入力して開いてください。\n{path}")
            _retry_locked(lambda: check_file(path, busy_timeout_ms=busy_timeout_ms, key=key), path)
            if not read_only and not _writable(path):
                log.warning("database file or folder is read-only; opening read-only")
                read_only = True
        elif not read_only and path.parent.is_dir() and not os.access(path.parent, os.W_OK):
            raise DatabaseReadOnlyError(
                f"データベースを作成するフォルダに書き込めません。書き込みできる場所を選んでください。\n{path.parent}")
        elif read_only:
            raise StorageError(f"データベースのファイルが見つかりません。\n{path}")
        db = cls(path, read_only=read_only, busy_timeout_ms=busy_timeout_ms, key=key)
        try:
            if read_only:
                if migrations.current_revision(db.engine) != migrations.head_revision():
                    raise StorageError("読み取り専用のため、このデータベースを新しい形式に更新できません。"
                                       f"書き込みできる場所にコピーしてから開いてください。\n{path}")
            elif migrate:
                db.last_migration = _retry_locked(
                    lambda: migrations.upgrade(db.engine, path, backup_dir, key=key), path)
        except (OperationalError, DBAPIError, *database_errors()) as exc:
            db.engine.dispose()
            raise classify_sqlite_error(exc, path) from exc
        except BaseException:
            db.engine.dispose()
            raise
        if query_only:
            db.set_query_only(True)
        return db

    @classmethod
    def _open_server(cls, url: str, *, migrate: bool, query_only: bool) -> "Database":
        db = cls(url)
        try:
            if migrate:
                db.last_migration = migrations.upgrade(db.engine, db.path, None)
            else:
                migrations.current_revision(db.engine)  # connects: a wrong address or password is said now
        except DBAPIError as exc:
            db.engine.dispose()
            log.warning("database server failed to open: %s", getattr(exc.orig, "sqlstate", None) or type(exc.orig).__name__)
            raise classify_server_error(exc, url) from exc
        except BaseException:
            db.engine.dispose()
            raise
        if query_only:
            db.set_query_only(True)
        return db

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back on error."""
        if self.locked:
            raise SessionLockedError()
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                with session.begin():
                    yield session
        except OperationalError as exc:
            log.warning("database operation failed: %s", type(exc.orig).__name__ if exc.orig else exc)
            if self.query_only and "readonly" in str(exc.orig).lower():
                raise PermissionDeniedError(READ_ONLY_ROLE_MESSAGE) from exc
            raise self.classify(exc) from exc
        except DBAPIError as exc:
            # PostgreSQL reports a timeout, a dropped connection or a read-only transaction through other
            # classes than OperationalError; constraint violations stay what they are (bugs, or handled above).
            state = getattr(exc.orig, "sqlstate", None) or ""
            if not self.server or state[:2] in ("23", "42", "22"):
                raise
            log.warning("database operation failed: %s", state)
            if self.query_only and state == "25006":
                raise PermissionDeniedError(READ_ONLY_ROLE_MESSAGE) from exc
            raise self.classify(exc) from exc

    def set_query_only(self, value: bool) -> None:
        self.query_only = value
        self.engine.dispose()
        self.engine = self._make_engine()

    def lock(self) -> None:
        """Close every connection and wipe the key (a plain file just refuses sessions until unlocked)."""
        self.locked = True
        self.engine.dispose()
        if self.key is not None:
            self.key.wipe()

    def unlock(self, key: DbKey | None) -> None:
        """Open again after :meth:`lock` with the key the user's password unwrapped."""
        if self.encrypted and key is None:
            raise SessionLockedError()
        self.key = key
        self.engine = self._make_engine()
        self.locked = False

    def reopen(self, key: DbKey | None) -> None:
        """Use the file again after it was replaced (encrypted, decrypted or re-keyed) under ``key``."""
        self.engine.dispose()
        self.key = key
        self.encrypted = key is not None
        self.engine = self._make_engine()

    def close(self) -> None:
        self.engine.dispose()


READ_ONLY_ROLE_MESSAGE = "閲覧者として開いているため、変更は保存できません。変更が必要な場合は担当者に依頼してください。"


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _retry_locked(work, path: Path):
    """Run ``work``; a locked database is tried again a few times before it is reported."""
    for attempt in range(OPEN_RETRIES):
        try:
            return work()
        except (OperationalError, *database_errors(), DatabaseLockedError) as exc:
            error = exc if isinstance(exc, DatabaseLockedError) else classify_sqlite_error(exc, path)
            if not isinstance(error, DatabaseLockedError):
                raise error from exc
            if attempt == OPEN_RETRIES - 1:
                raise error from exc
            log.info("database locked at open; retrying (%d)", attempt + 1)
            time.sleep(RETRY_PAUSE_S * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


def _looks_like_sqlite(path: Path) -> bool:
    """The SQLite magic, or (when the first bytes are damaged) a plausible page size and file size."""
    with open(path, "rb") as handle:
        head = handle.read(100)
    if head.startswith(SQLITE_MAGIC):
        return True
    if Path(f"{path}-wal").exists():
        return True
    size = path.stat().st_size
    page = int.from_bytes(head[16:18], "big") if len(head) >= 18 else 0
    page = 65536 if page == 1 else page
    return size >= 1024 and size % 512 == 0 and page >= 512 and page & (page - 1) == 0 and size % page == 0


def _keyfile_beside(path: Path) -> bool:
    from .keyfile import keyfile_path

    return keyfile_path(path).exists()


def _peek(path: Path, busy_timeout_ms: int, key: DbKey | None = None):
    conn = connect(path, key, read_only=True, timeout=busy_timeout_ms / 1000)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except database_errors() as exc:
        conn.close()
        if os.access(path.parent, os.W_OK) or getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB":
            raise
        # A read-only folder without the -shm file: WAL cannot be shared, but nobody can write either.
        return connect(path, key, immutable=True)
    return conn


def check_file(path: Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS, key: DbKey | None = None) -> None:
    """Look at an existing file read-only before the engine's pragmas (WAL) can change it.

    Opening a foreign SQLite file through the engine would switch it to WAL mode and so
    rewrite its header even though the migration step then refuses it.
    Raises :class:`DatabaseDamagedError` when the file is SQLite but fails ``quick_check``.
    """
    try:
        conn = _peek(path, busy_timeout_ms, key)
        try:
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
            result = [row[0] for row in conn.execute("PRAGMA quick_check(20)")]
        finally:
            conn.close()
    except database_errors() as exc:
        error = classify_sqlite_error(exc, path)
        if isinstance(error, DatabaseDamagedError):
            if _looks_like_sqlite(path):
                log.error("database failed to open: %s", getattr(exc, "sqlite_errorname", type(exc).__name__))
                raise DatabaseDamagedError(path, detail=getattr(exc, "sqlite_errorname", "")) from exc
            raise StorageError(f"データベースのファイルが壊れているか、データベースではありません。\n{path}") from exc
        raise error from exc
    except UnicodeDecodeError as exc:  # a damaged schema whose table name is not valid UTF-8
        log.error("database failed to open: undecodable schema")
        raise DatabaseDamagedError(path, detail="malformed schema") from exc
    if result != ["ok"]:
        log.error("quick_check failed with %d problem(s)", len(result))
        raise DatabaseDamagedError(path, detail="\n".join(result))
    if tables and "alembic_version" not in tables:
        raise StorageError(migrations.foreign_file_message(path))


def move_aside(path: Path, now: dt.datetime | None = None) -> Path:
    """Rename a damaged file (with its -wal and -shm) to ``<name>.damaged-<YYYYMMDD-HHMMSS>``.

    Nothing is ever overwritten: an existing name gets a ``-2``, ``-3``... suffix.
    Returns the new path of the main file.
    """
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = path.with_name(f"{path.name}.damaged-{stamp}")
    target, n = base, 1
    while any(Path(f"{target}{s}").exists() for s in ("", "-wal", "-shm", "-journal")):
        n += 1
        target = base.with_name(f"{base.name}-{n}")
    try:
        for suffix in ("-wal", "-shm", "-journal", ""):
            source = Path(f"{path}{suffix}")
            if source.exists():
                os.rename(source, f"{target}{suffix}")
    except OSError as exc:
        raise StorageError(f"壊れたデータベースを別の名前に移せませんでした（{exc.strerror}）。\n{path}") from exc
    log.warning("damaged database moved aside as %s", target.name)
    return target


def newest_verified_backup(folder: Path | None, key: DbKey | None = None) -> tuple[Path, dt.datetime] | None:
    """The newest of our backups in ``folder`` that passes ``integrity_check`` (under ``key`` when the
    database is encrypted), with the time it was made."""
    from .backup import our_backups, verify

    for when, candidate in our_backups(folder) if folder is not None else []:
        if verify(candidate, key=key).ok:
            return candidate, when
        log.warning("backup %s failed its check; trying an older one", candidate.name)
    return None
