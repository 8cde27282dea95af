"""Encryption at rest in the storage layer: keys, recovery-key text, the key file, encrypted copies."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zaitaku_desktop.domain.errors import AuthError, SessionLockedError, StorageError
from zaitaku_desktop.storage import backup as store
from zaitaku_desktop.storage.crypto import (
    DbKey, connect, format_recovery_key, has_sqlite_header, key_opens, parse_recovery_key,
)
from zaitaku_desktop.storage.database import Database
from zaitaku_desktop.storage.keyfile import KeyFile, UserEntry, keyfile_path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _count(path: Path, key: DbKey | None, table: str = "resource") -> int:
    conn = connect(path, key, read_only=True)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


@given(st.binary(min_size=32, max_size=32))
def test_recovery_key_round_trips_however_it_is_typed(raw: bytes) -> None:
    text = format_recovery_key(raw)
    groups = text.split("-")
    assert len(groups) == 14 and all(len(g) == 4 for g in groups)
    assert parse_recovery_key(text) == raw
    # lower case, spaces instead of hyphens, full-width characters (a Japanese IME) and 0/O, 1/I slips
    sloppy = " ".join(groups).lower().replace("o", "0").replace("i", "1")
    assert parse_recovery_key(sloppy) == raw
    assert parse_recovery_key(text.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})) == raw


def test_a_typo_in_the_recovery_key_is_named_as_a_typo() -> None:
    text = format_recovery_key(bytes(range(32)))
    flipped = ("A" if text[0] != "A" else "B") + text[1:]
    with pytest.raises(AuthError, match="打ち間違い"):
        parse_recovery_key(flipped)
    with pytest.raises(AuthError, match="56文字"):
        parse_recovery_key(text[:-5])


def test_a_wiped_key_cannot_be_used_and_never_shows_its_bytes() -> None:
    key = DbKey.generate()
    raw = key.raw()
    assert raw.hex() not in repr(key)
    key.wipe()
    assert key.wiped and repr(key) == "DbKey(wiped)"
    with pytest.raises(SessionLockedError):
        key.pragma()


def test_encrypted_copy_is_unreadable_without_the_key_and_keeps_every_row(sample_db_path: Path, tmp_path: Path) -> None:
    key = DbKey.generate()
    enc = store.copy_database(sample_db_path, tmp_path / "enc.sqlite3", None, dest_key=key)
    assert not has_sqlite_header(enc)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(enc).execute("SELECT count(*) FROM sqlite_master").fetchone()
    assert key_opens(enc, key) and not key_opens(enc, DbKey.generate())
    assert _count(enc, key) == _count(sample_db_path, None) == 129
    # triggers (the append-only logs) survive the conversion
    conn = connect(enc, key, read_only=True)
    triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    conn.close()
    plain = sqlite3.connect(sample_db_path)
    assert triggers == {r[0] for r in plain.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    plain.close()
    # and back: decrypting gives a plain SQLite file with the same rows
    back = store.copy_database(enc, tmp_path / "plain.sqlite3", key, dest_key=None)
    assert has_sqlite_header(back) and _count(back, None) == 129


def test_wrong_key_leaves_the_file_byte_for_byte_unchanged(sample_db_path: Path, tmp_path: Path) -> None:
    key = DbKey.generate()
    enc = store.copy_database(sample_db_path, tmp_path / "enc.sqlite3", None, dest_key=key)
    before = _digest(enc)
    with pytest.raises(StorageError):
        Database.open(enc, key=DbKey.generate())
    assert not key_opens(enc, DbKey.generate())
    assert _digest(enc) == before
    assert not Path(f"{enc}-wal").exists() and not Path(f"{enc}-shm").exists()


def test_encrypted_database_opens_locks_and_unlocks(sample_db_path: Path, tmp_path: Path) -> None:
    key = DbKey.generate()
    enc = store.copy_database(sample_db_path, tmp_path / "enc.sqlite3", None, dest_key=key)
    db = Database.open(enc, key=key.copy())
    try:
        with db.session() as s:
            assert s.connection().exec_driver_sql("SELECT count(*) FROM resource").scalar() == 129
        held = db.key
        db.lock()
        assert held.wiped and db.locked
        with pytest.raises(SessionLockedError):
            with db.session():
                pass
        db.unlock(key.copy())
        with db.session() as s:
            assert s.connection().exec_driver_sql("SELECT count(*) FROM resource").scalar() == 129
    finally:
        db.close()


def test_opening_an_encrypted_file_without_a_key_says_so(encrypted_db) -> None:
    path, _recovery = encrypted_db
    before = _digest(path)
    with pytest.raises(AuthError, match="暗号化されています"):
        Database.open(path)
    assert _digest(path) == before


def test_backups_of_an_encrypted_database_are_encrypted_with_the_key_file_beside(encrypted_db, tmp_path: Path) -> None:
    path, recovery = encrypted_db
    key = DbKey(parse_recovery_key(recovery))
    dest = store.backup_database(path, tmp_path / "bk" / "zaitaku-20260401-090000.sqlite3", key)
    assert not has_sqlite_header(dest) and keyfile_path(dest).exists()
    assert store.verify(dest, key=key).ok
    unkeyed = store.verify(dest)
    assert not unkeyed.ok and "暗号化" in unkeyed.message
    assert not store.verify(dest, key=DbKey.generate()).ok
    # pruning removes a backup's key file with it
    store.prune_backups(dest.parent, store.backup_time(dest) + __import__("datetime").timedelta(days=900),
                        store.KeepPolicy(daily=0, weekly=0, monthly=0, recent_hours=0))
    assert dest.exists()  # the newest backup is always kept
    older = store.backup_database(path, tmp_path / "bk" / "zaitaku-20250401-090000.sqlite3", key)
    store.prune_backups(dest.parent, store.backup_time(dest) + __import__("datetime").timedelta(days=900),
                        store.KeepPolicy(daily=0, weekly=0, monthly=0, recent_hours=0))
    assert not older.exists() and not keyfile_path(older).exists()


def test_restoring_a_plain_backup_into_an_encrypted_database_keeps_it_encrypted(
        encrypted_db, sample_db_path: Path, tmp_path: Path) -> None:
    path, recovery = encrypted_db
    key = DbKey(parse_recovery_key(recovery))
    store.restore_database(sample_db_path, path, tmp_path / "bk", key=key)
    assert not has_sqlite_header(path) and _count(path, key) == 129


def test_key_file_holds_no_secret_and_a_wrong_password_fails_cleanly(tmp_path: Path) -> None:
    db_path = tmp_path / "x.sqlite3"
    key = DbKey.generate()
    entry = UserEntry.create("山田", "担当者", "correct horse 1")
    entry.seal(key)
    keyfile = KeyFile([entry])
    keyfile.sign(key)
    keyfile.save(db_path)
    text = keyfile_path(db_path).read_text(encoding="utf-8")
    assert "correct horse 1" not in text and key.raw().hex() not in text
    assert format_recovery_key(key.raw()) not in text
    loaded = KeyFile.load(db_path)
    assert loaded is not None and loaded.signature_ok(key)
    with pytest.raises(AuthError):
        loaded.find("山田").private_key("correct horse 2")
    opened = loaded.find("山田").open_slots(loaded.find("山田").private_key("correct horse 1"))
    assert opened == [key]
    # promoting a user by editing the file is noticed
    data = json.loads(text)
    data["users"][0]["role"] = "閲覧者"
    keyfile_path(db_path).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert not KeyFile.load(db_path).signature_ok(key)


def test_damaged_key_file_gives_a_plain_message(tmp_path: Path) -> None:
    db_path = tmp_path / "x.sqlite3"
    keyfile_path(db_path).write_text("{not json", encoding="utf-8")
    with pytest.raises(StorageError, match="鍵ファイル"):
        KeyFile.load(db_path)


def test_the_program_seals_passwords_at_full_scrypt_cost() -> None:
    """The tests run scrypt cheaper (tests/conftest.py); a program run must not: at least 2**15 (32 MB), r 8."""
    import subprocess
    import sys

    code = ("from zaitaku_desktop.storage.keyfile import UserEntry; "
            "e = UserEntry.create('山田', '担当者', 'correct horse 1'); print(e.kdf['n'], e.kdf['r'])")
    made = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    n, r = map(int, made.stdout.split())
    assert n >= 2 ** 15 and r >= 8
    assert UserEntry.create("山田", "担当者", "correct horse 1").kdf["n"] < n  # this process: the test cost
