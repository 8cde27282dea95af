"""Damaged files at start-up: detected by the check, moved aside (never overwritten), a verified
backup found and restored; a deleted hot -wal loses only what was not yet in the main file."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from zaitaku_desktop.domain.errors import DatabaseDamagedError, StorageError
from zaitaku_desktop.storage.backup import backup_database, restore_database, timestamped_name
from zaitaku_desktop.storage.database import Database, move_aside, newest_verified_backup


def _fill(path: Path, keys: range) -> None:
    db = Database.open(path)
    try:
        with db.session() as s:
            for k in keys:
                s.connection().execute(text("INSERT INTO app_meta (key, value) VALUES (:k, :v)"),
                                       {"k": f"k{k:05d}", "v": "記録" * 200})
    finally:
        db.close()


def _keys(path: Path) -> list[str]:
    con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return [r[0] for r in con.execute("SELECT key FROM app_meta WHERE key LIKE 'k%' ORDER BY key")]
    finally:
        con.close()


@pytest.fixture
def live(tmp_path: Path) -> Path:
    path = tmp_path / "zaitaku.sqlite3"
    _fill(path, range(300))
    return path


def _corrupt_header(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.seek(16)
        handle.write(b"\x12\x34\xff\xff" + b"\xee" * 80)


def _break_magic(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.write(b"\x00" * 16)


def _truncate(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 2 + 100)


def _scribble_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for page in range(3, len(data) // 4096, 2):  # every other page, past the schema
        data[page * 4096 + 8: page * 4096 + 600] = b"\xa5" * 592
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_corrupt_header, _break_magic, _truncate, _scribble_pages])
def test_damaged_file_is_detected_moved_aside_and_restored_from_backup(live: Path, tmp_path: Path, damage) -> None:
    backups = tmp_path / "backups"
    backup_database(live, backups / timestamped_name("auto", dt.datetime(2026, 11, 20, 17, 30)))
    _fill(live, range(300, 310))  # changes after the backup: these are the ones a restore loses
    damage(live)
    damaged_bytes = live.read_bytes()

    with pytest.raises(DatabaseDamagedError) as info:
        Database.open(live, backup_dir=backups)
    assert "壊れています" in info.value.message
    assert live.read_bytes() == damaged_bytes  # the check never writes

    moved = move_aside(live, dt.datetime(2026, 11, 22, 9, 15, 0))
    assert moved.name == "zaitaku.sqlite3.damaged-20261122-091500"
    assert moved.read_bytes() == damaged_bytes and not live.exists()

    found = newest_verified_backup(backups)
    assert found is not None
    path, when = found
    assert when == dt.datetime(2026, 11, 20, 17, 30)
    restore_database(path, live, backups)
    db = Database.open(live, backup_dir=backups)
    db.close()
    assert _keys(live) == [f"k{k:05d}" for k in range(300)]


def test_newest_verified_backup_skips_a_damaged_newer_one(live: Path, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    older = backup_database(live, backups / timestamped_name("auto", dt.datetime(2026, 11, 1, 12, 0)))
    newer = backup_database(live, backups / timestamped_name("auto", dt.datetime(2026, 11, 21, 12, 0)))
    _scribble_pages(newer)
    assert newest_verified_backup(backups) == (older, dt.datetime(2026, 11, 1, 12, 0))
    assert newest_verified_backup(tmp_path / "no-such-folder") is None


def test_moving_aside_never_overwrites_and_takes_the_wal_along(tmp_path: Path) -> None:
    path = tmp_path / "z.sqlite3"
    for name, content in (("z.sqlite3", b"main"), ("z.sqlite3-wal", b"wal"), ("z.sqlite3-shm", b"shm"),
                          ("z.sqlite3.damaged-20261122-091500", b"earlier damaged file")):
        (tmp_path / name).write_bytes(content)
    moved = move_aside(path, dt.datetime(2026, 11, 22, 9, 15, 0))
    assert moved.name == "z.sqlite3.damaged-20261122-091500-2"
    assert (tmp_path / "z.sqlite3.damaged-20261122-091500").read_bytes() == b"earlier damaged file"
    assert moved.read_bytes() == b"main"
    assert Path(f"{moved}-wal").read_bytes() == b"wal" and Path(f"{moved}-shm").read_bytes() == b"shm"
    assert not any(p.name.startswith("z.sqlite3-") or p.name == "z.sqlite3" for p in tmp_path.iterdir())


def test_a_text_file_is_not_taken_for_a_damaged_database(tmp_path: Path) -> None:
    path = tmp_path / "memo.sqlite3"
    path.write_bytes("会議メモ\n".encode() * 4096)
    with pytest.raises(StorageError) as info:
        Database.open(path)
    assert not isinstance(info.value, DatabaseDamagedError)
    assert "データベースではありません" in info.value.message


def test_deleted_hot_wal_loses_only_the_uncheckpointed_commits(live: Path, tmp_path: Path) -> None:
    con = sqlite3.connect(live)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.executemany("INSERT INTO app_meta (key, value) VALUES (?, 'wal only')", [(f"k{k:05d}",) for k in range(300, 320)])
    con.commit()  # committed, but only in the -wal file
    crash = tmp_path / "crash"
    crash.mkdir()
    for suffix in ("", "-wal"):  # what the disk holds if the power goes now
        shutil.copyfile(f"{live}{suffix}", crash / f"zaitaku.sqlite3{suffix}")
    con.close()
    with_wal = crash / "zaitaku.sqlite3"
    assert Path(f"{with_wal}-wal").stat().st_size > 0

    kept = tmp_path / "kept"
    shutil.copytree(crash, kept)
    Database.open(kept / "zaitaku.sqlite3").close()  # the hot -wal is replayed: nothing lost
    assert _keys(kept / "zaitaku.sqlite3") == [f"k{k:05d}" for k in range(320)]

    Path(f"{with_wal}-wal").unlink()  # someone deleted the -wal (or copied only the main file)
    db = Database.open(with_wal)  # the main file is consistent: opened, not taken for damaged
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        db.close()
    assert _keys(with_wal) == [f"k{k:05d}" for k in range(300)]
    assert not any(".damaged-" in p.name for p in crash.iterdir())


def test_a_schema_name_that_is_not_text_is_damage_not_a_crash(tmp_path: Path) -> None:
    """Found by the fuzz run: SQLite names the broken table in its error, and when that name is not valid
    UTF-8 Python raises UnicodeDecodeError instead of sqlite3.Error."""
    from zaitaku_desktop.storage.backup import verify

    path = tmp_path / "zaitaku.sqlite3"
    _fill(path, range(3))
    data = bytearray(path.read_bytes())
    name_at = data.index(b"indexix_") + len(b"index")  # an index's name in sqlite_master
    data[name_at:name_at + 2] = b"\xff\xfe"
    sql_at = data.index(b"CREATE INDEX", name_at)
    data[sql_at:sql_at + 12] = b"CREATE XNDEX"  # its statement no longer parses: "malformed schema (<name>)"
    path.write_bytes(bytes(data))
    before = path.read_bytes()
    check = verify(path)
    assert not check.ok and "壊れて" in check.message
    with pytest.raises((DatabaseDamagedError, StorageError)):
        Database.open(path)
    assert path.read_bytes() == before
