"""A full disk, read-only files and folders, a database locked by another process: each ends in a
typed error with a plain Japanese message, and what was saved before is intact."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from zaitaku_desktop.domain.errors import DatabaseLockedError, DatabaseReadOnlyError
from zaitaku_desktop.storage import database
from zaitaku_desktop.storage.database import Database

REPO = Path(__file__).resolve().parents[2]
INSERT = text("INSERT INTO app_meta (key, value) VALUES (:k, :v)")


def _put(db: Database, key: str, value: str = "v") -> None:
    with db.session() as s:
        s.connection().execute(INSERT, {"k": key, "v": value})


def _meta(db: Database) -> dict[str, str]:
    with db.session() as s:
        return dict(s.connection().execute(text("SELECT key, value FROM app_meta")).all())


# --- a full disk -----------------------------------------------------------------------------------

FILL = """
    import json, resource, signal, sys
    from pathlib import Path
    from sqlalchemy import text
    from zaitaku_desktop.domain.errors import DomainError
    from zaitaku_desktop.exports.atomic import write_atomically
    from zaitaku_desktop.storage.database import Database

    path, export = Path(sys.argv[1]), Path(sys.argv[2])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
    limit = int(sys.argv[3])
    if limit:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    db = Database.open(path)
    result = {}
    try:
        with db.session() as s:
            for i in range(400):
                s.connection().execute(text("INSERT INTO app_meta (key, value) VALUES (:k, :v)"),
                                       {"k": f"big{i}", "v": "x" * 20000})
        result["db"] = ["none", ""]
    except DomainError as exc:
        result["db"] = [type(exc).__name__, exc.message]
    try:
        write_atomically(export, lambda f: f.write(b"y" * 8_000_000))
        result["file"] = ["none", ""]
    except DomainError as exc:
        result["file"] = [type(exc).__name__, exc.message]
    db.close()
    print(json.dumps(result))
"""


def _fill_in_child(path: Path, export: Path, limit: int) -> dict:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(FILL), str(path), str(export), str(limit)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _assert_disk_full_outcome(path: Path, export: Path, result: dict, *, file_says_full: bool = True) -> None:
    kind, message = result["db"]
    assert kind == "DiskFullError"
    assert "ディスクの空き容量が足りない" in message and "入力した内容は画面に残っています" in message
    file_kind, file_message = result["file"]
    assert file_kind == "FileWriteError" and "「一覧.xlsx」" in file_message
    if file_says_full:  # ENOSPC; exports/atomic.py does not yet read EFBIG (a size limit) as "full"
        assert "空き容量" in file_message
    assert export.read_bytes() == b"old export"  # the old file survived the failed save
    assert not [p for p in export.parent.iterdir() if p.name.endswith(".tmp")]
    db = Database.open(path)
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        meta = _meta(db)
        assert meta["before"] == "saved before the disk filled"
        assert not any(k.startswith("big") for k in meta)  # the failed transaction left nothing
    finally:
        db.close()


def test_file_size_limit_gives_disk_full_and_keeps_saved_data(db_path: Path, tmp_path: Path) -> None:
    db = Database.open(db_path)
    _put(db, "before", "saved before the disk filled")
    db.close()
    export = tmp_path / "一覧.xlsx"
    export.write_bytes(b"old export")
    limit = db_path.stat().st_size + 300_000
    _assert_disk_full_outcome(db_path, export, _fill_in_child(db_path, export, limit), file_says_full=False)


@contextlib.contextmanager
def _small_tmpfs(folder: Path, size: str):
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_really_full_disk_gives_disk_full_and_keeps_saved_data(db_path: Path, tmp_path: Path) -> None:
    size = db_path.stat().st_size
    with _small_tmpfs(tmp_path / "usb", f"{size + 2_000_000}") as usb:
        path = usb / "zaitaku.sqlite3"
        path.write_bytes(db_path.read_bytes())
        db = Database.open(path)
        _put(db, "before", "saved before the disk filled")
        db.close()
        export = usb / "一覧.xlsx"
        export.write_bytes(b"old export")
        _assert_disk_full_outcome(path, export, _fill_in_child(path, export, 0))


# --- read-only files and folders -------------------------------------------------------------------

@contextlib.contextmanager
def _read_only(target: Path):
    """Make a file or folder read-only: chmod, or as root (who ignores modes) a read-only bind mount."""
    if os.geteuid() != 0:
        mode = target.stat().st_mode
        target.chmod(0o555 if target.is_dir() else 0o444)
        try:
            yield
        finally:
            target.chmod(mode)
        return
    subprocess.run(["mount", "--bind", str(target), str(target)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(target)], check=True)
        yield
    finally:
        subprocess.run(["umount", "-l", str(target)], check=True)


@pytest.mark.parametrize("which", ["file", "folder"])
def test_read_only_database_opens_read_only_and_refuses_writes_plainly(tmp_path: Path, template_db, which) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    path = folder / "zaitaku.sqlite3"
    path.write_bytes(template_db.read_bytes())
    db = Database.open(path)
    _put(db, "before", "saved")
    db.close()
    content = path.read_bytes()
    with _read_only(path if which == "file" else folder):
        db = Database.open(path)
        try:
            assert db.read_only
            assert _meta(db)["before"] == "saved"  # it can be read
            with pytest.raises(DatabaseReadOnlyError) as info:
                _put(db, "after")
            assert "読み取り専用" in info.value.message and "入力した内容は画面に残っています" in info.value.message
        finally:
            db.close()
    assert path.read_bytes() == content


def test_new_database_in_a_read_only_folder_is_refused_plainly(tmp_path: Path) -> None:
    folder = tmp_path / "cd-rom"
    folder.mkdir()
    with _read_only(folder):
        with pytest.raises(DatabaseReadOnlyError) as info:
            Database.open(folder / "zaitaku.sqlite3")
    assert "書き込めません" in info.value.message
    assert list(folder.iterdir()) == []


# --- a database locked by another process ----------------------------------------------------------

HOLD = """
    import sqlite3, sys
    con = sqlite3.connect(sys.argv[1], isolation_level=None)
    if sys.argv[2] == "exclusive":
        con.execute("PRAGMA locking_mode=EXCLUSIVE")
    con.execute("BEGIN IMMEDIATE")
    con.execute("INSERT INTO app_meta (key, value) VALUES ('other', 'program')")
    if sys.argv[2] == "exclusive":
        con.execute("COMMIT")
        con.execute("SELECT count(*) FROM app_meta").fetchall()  # keeps the exclusive lock
    print("holding", flush=True)
    sys.stdin.readline()
    if sys.argv[2] != "exclusive":
        con.execute("COMMIT")
    con.close()
"""


@contextlib.contextmanager
def _held(path: Path, how: str):
    with subprocess.Popen([sys.executable, "-c", textwrap.dedent(HOLD), str(path), how], text=True,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        try:
            assert proc.stdout.readline().strip() == "holding", proc.stderr.read()
            yield proc
        finally:
            proc.stdin.write("\n")
            proc.stdin.flush()
            proc.wait(10)


def test_write_lock_held_by_another_process_is_waited_for_then_reported(db_path: Path) -> None:
    db = Database.open(db_path, busy_timeout_ms=400)
    try:
        _put(db, "before", "saved")
        with _held(db_path, "write"):
            started = time.monotonic()
            with pytest.raises(DatabaseLockedError) as info:
                _put(db, "mine", "typed by the user")
            assert time.monotonic() - started >= 0.35  # SQLite retried for the busy timeout
            assert "他のプログラムで使用中" in info.value.message
            assert _meta(db)["before"] == "saved"  # reading still works meanwhile
        _put(db, "mine", "typed by the user")  # once the other program is done, saving works
        assert _meta(db)["mine"] == "typed by the user" and _meta(db)["other"] == "program"
    finally:
        db.close()


def test_exclusive_lock_at_start_up_is_retried_then_reported(db_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(database, "RETRY_PAUSE_S", 0.05)
    tries: list[int] = []
    real_check = database.check_file
    monkeypatch.setattr(database, "check_file", lambda p, **kw: (tries.append(1), real_check(p, **kw))[1])
    with _held(db_path, "exclusive"):
        with pytest.raises(DatabaseLockedError) as info:
            Database.open(db_path, busy_timeout_ms=200)
    assert len(tries) == database.OPEN_RETRIES
    assert "使用中" in info.value.message
    Database.open(db_path).close()  # released: opens normally, the other program's commit is there
