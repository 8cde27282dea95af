"""Errors the user is expected to see, each carrying a plain Japanese message."""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from pathlib import Path


class DomainError(Exception):
    """An expected failure. ``message`` is Japanese text shown to the user as is."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class NotFoundError(DomainError):
    pass


class ConflictError(DomainError):
    """The record was changed elsewhere since it was read."""


class StorageError(DomainError):
    """The database file cannot be used (locked, damaged, disk full, read-only...)."""


class DatabaseDamagedError(StorageError):
    """The database file fails its check (or cannot be read as SQLite although it looks like one)."""

    def __init__(self, path, *, detail: str | None = None) -> None:
        super().__init__(f"データベースのファイルが壊れています。\n{path}", detail=detail)
        self.path = path


class DatabaseLockedError(StorageError):
    """Another program kept the database busy longer than the program waited (retries included)."""


class DatabaseReadOnlyError(StorageError):
    """The database file or its folder cannot be written."""


class DiskFullError(StorageError):
    """The disk (or the size allowed for a file) is full."""


class InstanceLockedError(StorageError):
    """Another copy of the program already has this database open."""


class AuthError(StorageError):
    """A wrong password or recovery key, or an unknown user. Nothing was changed."""


class SessionLockedError(StorageError):
    """The window is locked: the database key has been dropped until the user unlocks."""

    def __init__(self, message: str = "画面がロックされています。パスワードを入力してロックを解除してください。") -> None:
        super().__init__(message)


class PermissionDeniedError(StorageError):
    """The logged-in user's role does not allow this (a 閲覧者 asked for personal data or a change)."""


class EncryptionUnavailableError(StorageError):
    """The SQLCipher library (sqlcipher3) cannot be loaded on this computer."""


class FileFormatError(DomainError):
    """An input file cannot be read at all (wrong type, wrong encoding, no header)."""


@dataclass(frozen=True)
class FieldIssue:
    field: str
    message: str
    severity: str = "error"  # "error" blocks saving, "warning" is shown but allowed

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass
class ValidationError(DomainError):
    issues: list[FieldIssue] = field(default_factory=list)

    def __post_init__(self) -> None:
        errors = [i for i in self.issues if i.is_error]
        text = "入力内容を確認してください。\n" + "\n".join(f"・{i.message}" for i in errors)
        DomainError.__init__(self, text)


def describe_write_error(exc: OSError, out: Path) -> str:
    """A plain Japanese message for a file that could not be written (disk full, read-only, folder gone...)."""
    name = Path(out).name
    if exc.errno in (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", -1)):
        return f"ディスクの空き容量が足りないため「{name}」を保存できませんでした。空き容量を増やしてから、もう一度お試しください。"
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"「{name}」を保存できませんでした。ファイルをExcelなどで開いている場合は閉じてから、"
                "もう一度お試しください。書き込みが許可されていない場所の場合は、別の保存先を選んでください。")
    if isinstance(exc, FileNotFoundError):
        return f"保存先のフォルダが見つかりません。別の保存先を選んでください。\n{Path(out).parent}"
    return f"「{name}」を保存できませんでした。別の保存先を選んで、もう一度お試しください。"
