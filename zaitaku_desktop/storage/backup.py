"""Copies of the database, made only through SQLite's online backup API."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

from zaitaku_desktop.domain.errors import StorageError


def backup_database(src: Path, dest: Path) -> Path:
    """Copy the live database ``src`` to ``dest`` (a new file) and verify the copy.

    The copy is written beside the destination under a temporary name, checked with
    ``PRAGMA integrity_check`` and only then renamed into place.
    """
    tmp = dest.with_name(dest.name + ".part")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if tmp.exists():
            tmp.unlink()
        # as_uri() percent-encodes '#', '?' and '%', which would otherwise cut the path short.
        source = sqlite3.connect(src.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            target = sqlite3.connect(tmp)
            try:
                source.backup(target)
                result = target.execute("PRAGMA integrity_check").fetchone()
                if not result or result[0] != "ok":
                    raise StorageError(f"バックアップの検査に失敗しました：{result}")
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
        finally:
            source.close()
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        if tmp.exists():
            tmp.unlink()
        raise StorageError(f"バックアップを作成できませんでした。\n{exc}") from exc
    except OSError as exc:
        if tmp.exists():
            tmp.unlink()
        raise StorageError(f"バックアップを書き込めませんでした：{dest.parent}\n（{exc.strerror}）") from exc
    return dest


def timestamped_name(prefix: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now()
    return f"{prefix}-{now.strftime('%Y%m%d-%H%M%S')}.sqlite3"
