"""Write a file so that a failure never leaves half a file or spoils the old one.

The new content goes to a temporary file in the destination folder; it is flushed
and synced to disk, then moved over the destination in one step (``os.replace``).
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import BinaryIO, Callable

from zaitaku_desktop.domain.errors import StorageError, describe_write_error

log = logging.getLogger(__name__)


class FileWriteError(StorageError):
    """The destination file cannot be written (folder missing, read-only, open in Excel...)."""


def _describe(exc: OSError, out: Path) -> str:
    return describe_write_error(exc, out)


def check_destination(out: Path) -> None:
    """Fail early, with a plain message, when ``out`` obviously cannot be written."""
    folder = out.parent
    if not folder.is_dir():
        raise FileWriteError(f"保存先のフォルダが見つかりません。別の保存先を選んでください。\n{folder}")
    if out.is_dir():
        raise FileWriteError(f"「{out.name}」という名前のフォルダがあるため保存できません。別の名前を指定してください。")
    if out.exists() and not os.access(out, os.W_OK):
        raise FileWriteError(f"「{out.name}」は読み取り専用のため上書きできません。別の名前で保存してください。")


def write_atomically(out: Path, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write`` with a binary file and move the result to ``out`` when it succeeds.

    Any failure removes the temporary file and leaves an existing ``out`` untouched.
    OS errors become :class:`FileWriteError` with a Japanese message; anything else
    (a bug) propagates as is after the clean-up.
    """
    out = Path(out)
    check_destination(out)
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(4)}.tmp")
    try:
        # os.open with 0o666 lets the user's umask decide the final permissions.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        log.warning("cannot create a temporary file for an export: %s", type(exc).__name__)
        raise FileWriteError(_describe(exc, out)) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, out)
    except OSError as exc:
        _remove_quietly(tmp)
        log.warning("export failed: %s (errno %s)", type(exc).__name__, exc.errno)
        raise FileWriteError(_describe(exc, out)) from exc
    except BaseException:
        _remove_quietly(tmp)
        raise


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError:  # pragma: no cover - nothing more can be done
        log.warning("could not remove a temporary export file")
