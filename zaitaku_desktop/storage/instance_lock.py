"""One copy of the program per database file.

A lock file ``<database>.lock`` beside the database holds an OS lock (``fcntl.flock`` on POSIX,
``msvcrt.locking`` on Windows) for as long as the program runs, and the holder's PID and host for
the message. The OS drops the lock when the process ends, however it ends, so a lock file left
behind by a crashed or killed copy is stale and simply taken over. The file itself is never
deleted (deleting it would let two copies lock two different files).
"""

from __future__ import annotations

import json
import logging
import os
import socket
from pathlib import Path

from zaitaku_desktop.domain.errors import InstanceLockedError

log = logging.getLogger(__name__)


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def _try_lock(fd: int) -> bool:
    try:
        if os.name == "nt":  # pragma: no cover - Windows only
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _holder(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}


class InstanceLock:
    """Hold with :meth:`acquire`; released by :meth:`release` or when the process ends."""

    def __init__(self, db_path: Path) -> None:
        self.path = lock_path(db_path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """Take the lock. Returns False when the folder cannot be written (no lock is possible then;
        the caller opens the database read-only). Raises :class:`InstanceLockedError` when another
        running copy holds it."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)  # the first start: no data folder yet
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            log.warning("cannot create the instance lock file: %s", type(exc).__name__)
            return False
        if not _try_lock(fd):
            os.close(fd)
            holder = _holder(self.path)
            log.info("database already open in process %s", holder.get("pid"))
            where = f"（{holder.get('host')}、プロセス番号 {holder.get('pid')}）" if holder.get("pid") else ""
            raise InstanceLockedError(
                "このデータベースは、すでに別のウィンドウ（本プログラムのもう一つのコピー）で開かれています"
                f"{where}。\n同じデータベースを二つのプログラムで同時に変更することはできません。\n"
                f"{self.path.with_suffix('')}")
        stale = _holder(self.path).get("pid")
        if stale and stale != os.getpid():
            log.info("taking over a stale instance lock left by process %s", stale)
        record = json.dumps({"pid": os.getpid(), "host": socket.gethostname()}).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, record, 0) if hasattr(os, "pwrite") else os.write(fd, record)
        os.fsync(fd)
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
        except OSError:
            pass
        os.close(self._fd)  # closing drops the OS lock
        self._fd = None

    def __enter__(self) -> "InstanceLock":
        self.acquire()
        return self

    def __exit__(self, *_exc) -> None:
        self.release()
