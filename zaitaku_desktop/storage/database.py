"""The open database: engine, file path, migrations on open, and sessions."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from zaitaku_desktop.domain.errors import StorageError

from . import migrations
from .engine import describe_sqlite_error, make_engine

log = logging.getLogger(__name__)


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.engine = make_engine(path)
        self.last_migration: migrations.MigrationResult | None = None

    @classmethod
    def open(cls, path: Path, *, backup_dir: Path | None = None, migrate: bool = True) -> "Database":
        """Open (creating when missing) and migrate to the newest schema."""
        if path.exists() and path.is_dir():
            raise StorageError(f"データベースの場所にフォルダがあります。ファイルの名前を指定してください。\n{path}")
        if migrate:
            _refuse_foreign_file(path)
        db = cls(path)
        if migrate:
            try:
                db.last_migration = migrations.upgrade(db.engine, path, backup_dir)
            except (OperationalError, DBAPIError, sqlite3.Error) as exc:
                db.engine.dispose()
                raise StorageError(describe_sqlite_error(exc, path)) from exc
            except StorageError:
                db.engine.dispose()
                raise
        return db

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back on error."""
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                with session.begin():
                    yield session
        except OperationalError as exc:
            log.warning("database operation failed: %s", type(exc.orig).__name__ if exc.orig else exc)
            raise StorageError(describe_sqlite_error(exc, self.path)) from exc

    def close(self) -> None:
        self.engine.dispose()


def _refuse_foreign_file(path: Path) -> None:
    """Look at an existing file read-only before the engine's pragmas (WAL) can change it.

    Opening a foreign SQLite file through the engine would switch it to WAL mode and so
    rewrite its header even though the migration step then refuses it.
    """
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StorageError(describe_sqlite_error(exc, path)) from exc
    if tables and "alembic_version" not in tables:
        raise StorageError(migrations.foreign_file_message(path))
