"""Create the SQLAlchemy engine for the SQLite file with the program's pragmas."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine
from sqlmodel import create_engine

from zaitaku_desktop.domain.errors import StorageError

BUSY_TIMEOUT_MS = 5000


def _set_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def make_engine(db_path: Path) -> Engine:
    """An engine on ``db_path``; the folder is created when missing."""
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"データの保存先フォルダを作れません：{db_path.parent}\n（{exc.strerror}）") from exc
    # One connection is used by one thread at a time (the GUI runs DB work on a single worker).
    # URL.create keeps '%', '?' and '#' in folder names literal; an f-string URL would decode them.
    engine = create_engine(
        URL.create("sqlite", database=str(db_path)),
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        # Error texts (and so the log) never carry the values of a statement: names, notes...
        hide_parameters=True,
    )
    event.listen(engine, "connect", _set_pragmas)
    return engine


def describe_sqlite_error(exc: BaseException, db_path: Path) -> str:
    """Turn an sqlite/SQLAlchemy operational error into a Japanese message."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return f"データベースが他のプログラムで使用中です。しばらく待ってからもう一度お試しください。\n{db_path}"
    if "disk is full" in text or "database or disk is full" in text:
        return "ディスクの空き容量が足りません。不要なファイルを削除してからもう一度お試しください。"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return f"データベースのファイルが壊れているか、データベースではありません。\n{db_path}"
    if "readonly" in text or "read-only" in text:
        return f"データベースに書き込めません（読み取り専用です）。\n{db_path}"
    if "unable to open" in text:
        return f"データベースを開けません。保存先を確認してください。\n{db_path}"
    return f"データベースの操作に失敗しました。\n{db_path}"
