"""The change history kept for every record."""

from __future__ import annotations

import json

from sqlalchemy import insert, literal_column
from sqlmodel import Session, select

from zaitaku_desktop.storage.convert import as_utc_datetime
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
        # rowid breaks ties: entries written within one clock tick keep the order they were written in.
        .order_by(ChangeLog.changed_at.desc(), literal_column("rowid").desc())  # type: ignore[attr-defined]
    ).all()
    return [ChangeRead(as_utc_datetime(r.changed_at), r.changed_by, r.action, json.loads(r.changes or "{}"), r.note)
            for r in rows]

