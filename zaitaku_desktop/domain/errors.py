"""Errors the user is expected to see, each carrying a plain Japanese message."""

from __future__ import annotations

from dataclasses import dataclass, field


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
