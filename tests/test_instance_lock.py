"""One program per database: a second copy is refused plainly (and may open read-only);
a lock left behind by a killed copy is taken over."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from zaitaku_desktop.domain.errors import InstanceLockedError
from zaitaku_desktop.storage.database import Database
from zaitaku_desktop.storage.instance_lock import InstanceLock, lock_path

REPO = Path(__file__).resolve().parents[1]
HOLDER = """
    import sys
    from pathlib import Path
    from zaitaku_desktop.storage.instance_lock import InstanceLock
    lock = InstanceLock(Path(sys.argv[1]))
    lock.acquire()
    print("locked", flush=True)
    sys.stdin.readline()
"""


def _holder(db: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(HOLDER), str(db)], cwd=REPO, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline().strip() == "locked", proc.stderr.read()
    return proc


def _stop(proc: subprocess.Popen, *, kill: bool = False) -> None:
    if kill:
        proc.send_signal(signal.SIGKILL)
    else:
        proc.stdin.write("\n")
        proc.stdin.flush()
    proc.wait(10)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        stream.close()


def test_second_copy_is_refused_with_a_clear_message_and_can_open_read_only(db_path: Path) -> None:
    first = _holder(db_path)
    try:
        with pytest.raises(InstanceLockedError) as info:
            InstanceLock(db_path).acquire()
        message = info.value.message
        assert "すでに別のウィンドウ" in message and f"プロセス番号 {first.pid}" in message
        assert str(db_path) in message
        db = Database.open(db_path, read_only=True)  # the choice the second copy is offered
        try:
            assert db.read_only
        finally:
            db.close()
    finally:
        _stop(first)
    with InstanceLock(db_path) as lock:  # the first copy closed: free again
        assert lock.held


def test_same_process_cannot_take_the_lock_twice(tmp_path: Path) -> None:
    db = tmp_path / "z.sqlite3"
    with InstanceLock(db) as lock:
        assert lock.held
        with pytest.raises(InstanceLockedError):
            InstanceLock(db).acquire()
        assert json.loads(lock_path(db).read_text())["pid"] == os.getpid()
    assert lock_path(db).exists() and lock_path(db).read_text() == ""  # kept, emptied


def test_lock_left_by_a_killed_copy_is_taken_over(tmp_path: Path) -> None:
    db = tmp_path / "z.sqlite3"
    crashed = _holder(db)
    _stop(crashed, kill=True)
    assert json.loads(lock_path(db).read_text())["pid"] == crashed.pid  # the stale record is still there
    with InstanceLock(db) as lock:
        assert lock.held
        assert json.loads(lock_path(db).read_text())["pid"] == os.getpid()


def test_unwritable_folder_gives_no_lock_but_no_error(tmp_path: Path, monkeypatch) -> None:
    def refuse(*_args, **_kw):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("zaitaku_desktop.storage.instance_lock.os.open", refuse)
    lock = InstanceLock(tmp_path / "z.sqlite3")
    assert lock.acquire() is False and not lock.held
