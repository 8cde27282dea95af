"""Opening files: pragmas, refusing files that are not ours without touching them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from zaitaku_desktop.domain.errors import StorageError
from zaitaku_desktop.storage import migrations
from zaitaku_desktop.storage.database import Database


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_pragmas_are_set_on_every_connection(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "z.sqlite3")
    try:
        for _ in range(2):  # a fresh connection gets them too
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            db.engine.dispose()
    finally:
        db.close()


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "z.sqlite3")
    try:
        with pytest.raises(IntegrityError):
            with db.session() as s:
                s.connection().execute(text(
                    "INSERT INTO district (id, created_at, updated_at, name, reading, sort_order, municipality_id) "
                    "VALUES ('d1', '2026-01-01', '2026-01-01', '地区', '', 1, 'no-such-municipality')"))
    finally:
        db.close()


def test_session_commits_at_the_end_and_rolls_back_on_error(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "z.sqlite3")
    insert = text("INSERT INTO app_meta (key, value) VALUES (:k, 'v')")
    try:
        with db.session() as s:
            s.connection().execute(insert, {"k": "kept"})
        with pytest.raises(RuntimeError):
            with db.session() as s:
                s.connection().execute(insert, {"k": "lost"})
                raise RuntimeError("boom")
        with db.session() as s:
            keys = s.connection().execute(text("SELECT key FROM app_meta ORDER BY key")).scalars().all()
        assert keys == ["kept"]
    finally:
        db.close()


def test_new_file_in_a_new_folder_is_created_at_head(tmp_path: Path) -> None:
    path = tmp_path / "deeper" / "データ" / "z.sqlite3"
    db = Database.open(path)
    try:
        assert path.is_file()
        assert migrations.current_revision(db.engine) == migrations.head_revision()
    finally:
        db.close()


def test_empty_file_is_treated_as_a_new_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    path.touch()
    db = Database.open(path)
    try:
        assert migrations.current_revision(db.engine) == migrations.head_revision()
    finally:
        db.close()


def test_non_database_file_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "meeting-notes.sqlite3"
    content = ("会議メモ：これはデータベースではありません。\n" * 200).encode("utf-8")
    path.write_bytes(content)
    before = _files(tmp_path)

    with pytest.raises(StorageError) as info:
        Database.open(path, backup_dir=tmp_path / "backups")
    assert "データベースではありません" in info.value.message
    assert path.read_bytes() == content
    assert _files(tmp_path) == before  # no -wal/-shm/backup left behind


def test_foreign_sqlite_database_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "other-app.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO patients (name) VALUES ('山田')")
    conn.commit()
    conn.close()
    content = path.read_bytes()
    before = _files(tmp_path)

    with pytest.raises(StorageError) as info:
        Database.open(path, backup_dir=tmp_path / "backups")
    assert "本プログラムのデータベースではない" in info.value.message
    assert path.read_bytes() == content  # not even switched to WAL
    assert _files(tmp_path) == before


def test_folder_in_place_of_the_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "z.sqlite3"
    folder.mkdir()
    with pytest.raises(StorageError) as info:
        Database.open(folder)
    assert "フォルダ" in info.value.message


def test_unusable_location_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(StorageError):
        Database.open(blocker / "z.sqlite3")
    assert blocker.read_text() == "x"


@pytest.mark.parametrize("name", ["事業 #2", "100%41 data", "what?"])
def test_folder_names_with_uri_characters_work(tmp_path: Path, name: str) -> None:
    folder = tmp_path / name
    db = Database.open(folder / "z.sqlite3")
    db.close()
    db = Database.open(folder / "z.sqlite3")  # reopening runs the read-only check on the file
    try:
        assert migrations.current_revision(db.engine) == migrations.head_revision()
    finally:
        db.close()
    assert sorted(p.name for p in folder.iterdir() if p.suffix == ".sqlite3") == ["z.sqlite3"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # nothing created beside the folder


def test_database_errors_never_carry_statement_values(tmp_path: Path) -> None:
    """A failing statement's error text (which reaches the log) hides the values it carried."""
    from sqlalchemy.exc import DBAPIError

    db = Database.open(tmp_path / "hide.sqlite3")
    try:
        with pytest.raises(DBAPIError) as info:
            with db.engine.begin() as conn:
                conn.execute(text("INSERT INTO municipality (id, name) VALUES (:id, :name)"),
                             {"id": "x", "name": "山田太郎の秘密"})
        assert "山田太郎の秘密" not in str(info.value)
        assert "hidden" in str(info.value)
    finally:
        db.close()
