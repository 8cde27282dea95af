"""Encrypted ZIP files (AES-256, the WinZip AES format that 7-Zip and other archivers open) for carrying an
export that holds personal data on a USB stick or by mail.

The plain content never touches the disk: members are built in memory and the ZIP is written atomically (a
temporary file beside the target, flushed and synced, then moved over it — exports/atomic.py). Only the
member *names* are stored in the clear (a property of the ZIP format), so callers name members without
personal data (e.g. 相談一覧_20261101-20261130_氏名あり.xlsx).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable, TypeVar

import pyzipper

from zaitaku_desktop.domain.errors import FieldIssue, ValidationError

from .atomic import write_atomically

T = TypeVar("T")
PASSWORD_MIN = 8
_PATCH_LOCK = threading.RLock()


def validate_zip_password(password: str) -> str | None:
    """A Japanese description of what is wrong with ``password``, or None when it can be used.

    Only half-width characters are accepted: archivers disagree on how they encode other characters, and a
    password typed in full width would not open the file elsewhere."""
    if len(password) < PASSWORD_MIN:
        return f"パスワードは{PASSWORD_MIN}文字以上にしてください。"
    if not (password.isascii() and password.isprintable()):
        return "パスワードは半角の英字・数字・記号で入力してください（全角文字や空白以外の特殊な文字は使えません）。"
    return None


def _check(password: str) -> None:
    problem = validate_zip_password(password)
    if problem:
        raise ValidationError([FieldIssue("password", problem)])


def write_encrypted_zip(target: Path, members: Mapping[str, bytes] | Sequence[Path], password: str) -> Path:
    """Write ``members`` (name → content, or existing files stored under their own names) into one AES-256
    encrypted ZIP at ``target``. A bad password raises :class:`ValidationError` before anything is written;
    a failed write leaves no file behind and an existing ``target`` untouched. Returns ``target``."""
    _check(password)
    items = (list(members.items()) if isinstance(members, Mapping)
             else [(Path(p).name, Path(p).read_bytes()) for p in members])
    if not items:
        raise ValidationError([FieldIssue("members", "暗号化ZIPに入れるファイルがありません。")])

    def write(handle: BinaryIO) -> None:
        with pyzipper.AESZipFile(handle, "w", compression=pyzipper.ZIP_DEFLATED,
                                 encryption=pyzipper.WZ_AES) as archive:
            archive.setpassword(password.encode("utf-8"))
            archive.setencryption(pyzipper.WZ_AES, nbits=256)
            for name, data in items:
                archive.writestr(name, data)

    write_atomically(Path(target), write)
    return Path(target)


def write_export(target: Path, write: Callable[[BinaryIO], T], *, password: str | None = None,
                 member: str = "") -> T:
    """Write one export file. Without ``password``: straight to ``target``, atomically. With it: ``write``
    fills memory and the content goes into an encrypted ZIP at ``target`` under the name ``member`` (the
    name the plain file would have had). Returns what ``write`` returned."""
    if password is None:
        result: list[T] = []
        write_atomically(Path(target), lambda handle: result.append(write(handle)))
        return result[0]
    _check(password)  # before any work is done
    buffer = io.BytesIO()
    with sheets_in_memory():
        value = write(buffer)
    write_encrypted_zip(target, {member or Path(target).stem: buffer.getvalue()}, password)
    return value


@dataclass(frozen=True)
class ExportTarget:
    """Where and how the user chose to save one export: ``path`` as is, or — with ``password`` — an encrypted
    ZIP at ``path`` holding the file as ``member``."""

    path: Path
    password: str | None = field(default=None, repr=False)
    member: str = ""

    @property
    def encrypted(self) -> bool:
        return self.password is not None

    @property
    def log_note(self) -> str:
        """For the access log: how the file was saved (never the password)."""
        return "暗号化ZIP" if self.encrypted else "暗号化なし"

    def write(self, write: Callable[[BinaryIO], T]) -> T:
        return write_export(self.path, write, password=self.password, member=self.member)


@contextmanager
def sheets_in_memory() -> Iterator[None]:
    """While the block runs, openpyxl builds worksheets in memory. openpyxl 3.1 writes each worksheet's XML
    — cell text included — to a file in the temp folder before copying it into the workbook; for a member of
    an encrypted ZIP that would put the plain content on the disk."""
    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.writer.excel import ExcelWriter

    original = ExcelWriter.write_worksheet

    def write_worksheet(self, ws) -> None:  # ExcelWriter.write_worksheet with a BytesIO instead of a temp file
        if self.workbook.write_only:
            return original(self, ws)
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts, ws._drawing.images = ws._charts, ws._images
        writer = WorksheetWriter(ws, out=io.BytesIO())
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], writer.read())
        self.manifest.append(ws)

    with _PATCH_LOCK:
        ExcelWriter.write_worksheet = write_worksheet
        try:
            yield
        finally:
            ExcelWriter.write_worksheet = original


def read_encrypted_zip(path: Path, password: str) -> dict[str, bytes]:
    """The members of an encrypted ZIP (for checks and tests); a wrong password raises RuntimeError."""
    with pyzipper.AESZipFile(path) as archive:
        archive.setpassword(password.encode("utf-8"))
        return {name: archive.read(name) for name in archive.namelist()}


__all__ = ["ExportTarget", "PASSWORD_MIN", "validate_zip_password", "write_encrypted_zip", "write_export",
           "read_encrypted_zip", "sheets_in_memory"]
