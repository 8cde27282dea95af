"""Merging records from an exchange file (交換ファイル) of another laptop: pure rules, no database.

A record is a flat mapping of field → plain JSON value (link collections are one field each, a sorted list).
Three-way by field when the base (the peer's value at the last exchange) is known: the side that differs from
the base changed it; both sides changed it to different values → a conflict for the user. Without a base the
update times decide: the side that did not change since the last exchange takes the other side's values;
when both changed, every differing field is a conflict. Nothing is dropped: every field of the result is ours
or theirs, and a conflict keeps ours until the user picks theirs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import DomainError

FORMAT = "zaitaku-desktop-sync"
VERSION = 1

ADD, UPDATE, CONFLICT, SAME = "add", "update", "conflict", "same"
KIND_LABELS = {ADD: "追加", UPDATE: "更新", CONFLICT: "競合", SAME: "変更なし"}
OURS, THEIRS = "ours", "theirs"
CHOICE_LABELS = {OURS: "こちら", THEIRS: "相手"}


class SyncFileError(DomainError):
    """The exchange file cannot be used (not ours, damaged, wrong password, from this very database)."""


class SyncPasswordNeeded(SyncFileError):
    """The exchange file is an encrypted ZIP: ask for its password."""

    def __init__(self) -> None:
        super().__init__("この交換ファイルはパスワードで保護されています。書き出したときのパスワードを入力してください。")


@dataclass(frozen=True, slots=True)
class FieldConflict:
    field: str
    ours: object
    theirs: object


@dataclass(frozen=True)
class RecordMerge:
    kind: str  # ADD / UPDATE / CONFLICT / SAME
    values: dict[str, object]  # the result with ours kept for every conflict
    taken: frozenset[str]  # fields that take theirs without asking
    conflicts: tuple[FieldConflict, ...]


def merge_record(ours: Mapping[str, object] | None, theirs: Mapping[str, object],
                 base: Mapping[str, object] | None = None, *, ours_changed: bool = True,
                 theirs_changed: bool = True) -> RecordMerge:
    """Merge ``theirs`` into ``ours`` (None: the record exists only on their side)."""
    if ours is None:
        return RecordMerge(ADD, dict(theirs), frozenset(theirs), ())
    values = dict(ours)
    taken: set[str] = set()
    conflicts: list[FieldConflict] = []
    for name in theirs:
        mine, other = ours.get(name), theirs[name]
        if mine == other:
            continue
        if base is not None and name in base:
            ours_moved, theirs_moved = mine != base[name], other != base[name]
        else:
            ours_moved, theirs_moved = ours_changed, theirs_changed
        if theirs_moved and not ours_moved:
            values[name] = other
            taken.add(name)
        elif theirs_moved and ours_moved:
            conflicts.append(FieldConflict(name, mine, other))
    kind = CONFLICT if conflicts else UPDATE if taken else SAME
    return RecordMerge(kind, values, frozenset(taken), tuple(conflicts))


def resolve(merge: RecordMerge, choices: Mapping[str, str]) -> dict[str, object]:
    """The record after the user's choices (field → OURS / THEIRS); an unanswered conflict keeps ours."""
    values = dict(merge.values)
    for conflict in merge.conflicts:
        if choices.get(conflict.field) == THEIRS:
            values[conflict.field] = conflict.theirs
    return values


def plain(value: object) -> object:
    """A database value as plain JSON (dates and times as ISO text, UTC without an offset)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def format_value(value: object, limit: int = 60) -> str:
    """A field value for the conflicts table: short, readable, never empty."""
    if value is None or value == "":
        return "（なし）"
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, list):
        return f"{len(value)}件"
    text = str(value).replace("\n", " ")
    if isinstance(value, str) and len(text) >= 19 and text[4:5] == "-" and text[10:11] == " ":
        text = text[:16]  # a stored date-time: minutes are enough
    return text if len(text) <= limit else text[:limit - 1] + "…"
