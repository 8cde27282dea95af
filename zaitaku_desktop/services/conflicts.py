"""Optimistic locking: what a refused (stale) save tells the user.

A form passes the ``version`` it loaded; when the stored record has moved on, the service raises
``StaleRecordError`` carrying a ``ConflictInfo``: which fields the other person changed (read from the
change history), the stored values ("theirs"), the values being saved ("yours"), who and when.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session

from zaitaku_desktop.domain.errors import ConflictError
from zaitaku_desktop.storage import history_repo

# History actions that come with a new version of the record (every other action leaves it alone).
VERSION_ACTIONS = frozenset({"update", "move", "feedback", "status", "import", "archive", "restore"})


@dataclass(frozen=True)
class ConflictInfo:
    fields: tuple[str, ...]  # the keys the other person changed, in the order of ``labels``
    labels: dict[str, str]  # key → Japanese label
    theirs: dict[str, object] = field(default_factory=dict)  # stored values, as the history shows them
    yours: dict[str, object] = field(default_factory=dict)  # the values being saved, same shape
    who: str = ""
    when: dt.datetime | None = None  # UTC
    version: int = 0  # the stored version: pass it as expected_version to overwrite


class StaleRecordError(ConflictError):
    """The record changed since the form read it; ``info`` says how."""

    def __init__(self, message: str, info: ConflictInfo) -> None:
        super().__init__(message)
        self.info = info


def stale_record(s: Session, *, entity: str, entity_id: str, version: int, expected_version: int,
                 labels: dict[str, str], theirs: dict[str, object], yours: dict[str, object],
                 what: str) -> StaleRecordError:
    """The error for a save based on ``expected_version`` while the stored record is at ``version``.

    The changes made since are the newest ``version - expected_version`` version-making history entries.
    """
    missed = max(0, version - expected_version)
    entries = [e for e in history_repo.for_entity(s, entity, entity_id) if e.action in VERSION_ACTIONS][:missed]
    changed = {key for e in entries for key in e.changes}
    keys = tuple([k for k in labels if k in changed] + sorted(changed - labels.keys()))
    newest = entries[0] if entries else None
    info = ConflictInfo(fields=keys, labels=labels, theirs=theirs, yours=yours,
                        who=newest.changed_by if newest else "", when=newest.changed_at if newest else None,
                        version=version)
    names = "・".join(labels.get(k, k) for k in keys)
    return StaleRecordError(f"{what}は、編集を始めたあとでほかの操作により変更されています。"
                            + (f"（変更された項目：{names}）" if names else ""), info)
