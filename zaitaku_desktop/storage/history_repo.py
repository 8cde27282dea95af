"""The change history kept for every record."""

from __future__ import annotations

import json

from sqlalchemy import insert, literal_column
from sqlmodel import Session, select

from zaitaku_desktop.storage.convert import as_utc_datetime
from zaitaku_desktop.storage import portable
from zaitaku_desktop.models import ChangeLog, ChangeRead, new_id, utcnow


def record(session: Session, *, entity: str, entity_id: str, action: str, user: str,
           changes: dict[str, list] | None = None, note: str = "") -> None:
    session.execute(insert(ChangeLog.__table__), [{  # type: ignore[attr-defined]
        "id": new_id(), "entity": entity, "entity_id": entity_id, "action": action, "changed_at": utcnow(),
        "changed_by": user, "changes": json.dumps(changes or {}, ensure_ascii=False, default=str), "note": note,
    }])


def for_entity(session: Session, entity: str, entity_id: str) -> list[ChangeRead]:
    rows = session.exec(
        select(ChangeLog).where(ChangeLog.entity == entity, ChangeLog.entity_id == entity_id)
        # The row's physical position breaks ties: entries written within one clock tick keep the order they were
        # written in (SQLite's rowid; PostgreSQL's ctid, in insertion order for this never-updated table).
        .order_by(ChangeLog.changed_at.desc(), literal_column(  # type: ignore[attr-defined]
            "ctid" if portable.dialect_of(session) == "postgresql" else "rowid").desc())
    ).all()
    return [ChangeRead(as_utc_datetime(r.changed_at), r.changed_by, r.action, json.loads(r.changes or "{}"), r.note)
            for r in rows]



def apply_changes(session: Session, row, new: dict[str, object], *, entity: str, user: str,
                  note: str = "") -> dict[str, list]:
    """Set ``new`` values on a tracked row and record the fields that changed (old → new)."""
    changes = {k: [getattr(row, k), v] for k, v in new.items() if getattr(row, k) != v}
    if changes:
        for key, value in new.items():
            setattr(row, key, value)
        row.updated_at = utcnow()
        record(session, entity=entity, entity_id=row.id, action="update", user=user, changes=changes, note=note)
    return changes


def set_archived(session: Session, row, archived: bool, *, entity: str, user: str, note: str = "") -> bool:
    """Archive (or bring back) a tracked row and record it; nothing is ever deleted.

    Returns False when the row already was in that state (nothing recorded). Rows with a
    ``version`` (optimistic locking) get a new one.
    """
    if (row.archived_at is not None) == archived:
        return False
    row.archived_at = utcnow() if archived else None
    row.updated_at = utcnow()
    if hasattr(row, "version"):
        row.version += 1
    record(session, entity=entity, entity_id=row.id, action="archive" if archived else "restore", user=user,
           changes={"archived": [not archived, archived]}, note=note)
    return True
