"""Backups through SQLite's backup API: verified, atomic, clean failures."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from zaitaku_desktop.domain.errors import StorageError
from zaitaku_desktop.storage import migrations
from zaitaku_desktop.storage.backup import backup_database, timestamped_name
from zaitaku_desktop.storage.database import Database


def _live_db(path: Path, value: str = "live") -> Database:
    db = Database.open(path)
    with db.session() as s:
        s.connection().execute(text("INSERT INTO app_meta (key, value) VALUES ('probe', :v)"), {"v": value})
    return db


def _meta(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return conn.execute("SELECT key, value FROM app_meta ORDER BY key").fetchall()
    finally:
        conn.close()


def test_backup_of_an_open_database_is_complete_and_opens(tmp_path: Path) -> None:
    src = tmp_path / "live.sqlite3"
    db = _live_db(src)  # kept open: the row may still sit in the WAL file
    try:
        dest = tmp_path / "backups" / "copy.sqlite3"
        assert backup_database(src, dest) == dest
    finally:
        db.close()
    assert dest.is_file()
    assert not dest.with_name(dest.name + ".part").exists()
    assert _meta(dest) == [("probe", "live")]
    conn = sqlite3.connect(dest)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # a single self-contained file
    finally:
        conn.close()
    copy = Database.open(dest)
    try:
        assert migrations.current_revision(copy.engine) == migrations.head_revision()
        assert copy.last_migration is not None and copy.last_migration.backup is None
    finally:
        copy.close()


def test_backup_creates_missing_folders(tmp_path: Path) -> None:
    src = tmp_path / "live.sqlite3"
    _live_db(src).close()
    dest = tmp_path / "a" / "b" / "c.sqlite3"
    backup_database(src, dest)
    assert _meta(dest) == [("probe", "live")]


def test_backup_replaces_a_stale_part_file(tmp_path: Path) -> None:
    src = tmp_path / "live.sqlite3"
    _live_db(src).close()
    dest = tmp_path / "copy.sqlite3"
    dest.with_name("copy.sqlite3.part").write_bytes(b"half written garbage")
    backup_database(src, dest)
    assert _meta(dest) == [("probe", "live")]
    assert not dest.with_name("copy.sqlite3.part").exists()


@pytest.mark.parametrize("folder", ["事業所 #2", "100%41 data", "what?"])
def test_backup_from_a_folder_with_uri_characters(tmp_path: Path, folder: str) -> None:
    src = tmp_path / folder / "live.sqlite3"
    _live_db(src, value=folder).close()
    dest = tmp_path / "out" / "copy.sqlite3"
    backup_database(src, dest)
    assert _meta(dest) == [("probe", folder)]


def test_backup_into_an_unusable_folder_fails_cleanly(tmp_path: Path) -> None:
    src = tmp_path / "live.sqlite3"
    _live_db(src).close()
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    with pytest.raises(StorageError) as info:
        backup_database(src, blocker / "backups" / "copy.sqlite3")
    assert "バックアップ" in info.value.message
    assert blocker.read_text() == "a file, not a folder"
    assert _meta(src) == [("probe", "live")]


def test_backup_onto_a_folder_fails_and_leaves_no_part_file(tmp_path: Path) -> None:
    src = tmp_path / "live.sqlite3"
    _live_db(src).close()
    dest = tmp_path / "copy.sqlite3"
    dest.mkdir()
    with pytest.raises(StorageError):
        backup_database(src, dest)
    assert dest.is_dir() and not any(dest.iterdir())
    assert not (tmp_path / "copy.sqlite3.part").exists()


def test_backup_of_a_missing_file_fails_without_creating_it(tmp_path: Path) -> None:
    src = tmp_path / "missing.sqlite3"
    dest = tmp_path / "out" / "copy.sqlite3"
    with pytest.raises(StorageError):
        backup_database(src, dest)
    assert not src.exists()
    assert not dest.exists()
    assert not dest.with_name("copy.sqlite3.part").exists()


def test_timestamped_name() -> None:
    name = timestamped_name("before-upgrade-0001_initial", dt.datetime(2026, 12, 5, 9, 3, 7))
    assert name == "before-upgrade-0001_initial-20261205-090307.sqlite3"
