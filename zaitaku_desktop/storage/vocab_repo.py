"""Vocabulary tables: municipalities, districts, associations, professions, categories..."""

from __future__ import annotations

from sqlalchemy import literal
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from zaitaku_desktop.models import (
    VOCAB_MODELS, District, Municipality, Profession, ResourceCategory, VocabBase, VocabItem, utcnow,
)


def to_item(kind: str, row: VocabBase) -> VocabItem:
    parent = None
    if isinstance(row, District):
        parent = row.municipality_id
    elif isinstance(row, Profession):
        parent = row.association_id
    return VocabItem(
        id=row.id, kind=kind, name=row.name, reading=row.reading, sort_order=row.sort_order,
        archived=row.archived_at is not None, parent_id=parent,
        code=row.code if isinstance(row, Municipality) else "",
        group=row.group if isinstance(row, ResourceCategory) else "",
    )


_PARENT_COLUMN = {"district": "municipality_id", "profession": "association_id"}


def list_items(session: Session, kind: str, *, include_archived: bool = False) -> list[VocabItem]:
    """A vocabulary as read shapes, in its order. Plain columns, no ORM objects: this runs on
    every screen refresh and import preview."""
    model = VOCAB_MODELS[kind]
    table = model.__table__  # type: ignore[attr-defined]
    c = table.c
    parent_name = _PARENT_COLUMN.get(kind)
    columns = [c.id, c.name, c.reading, c.sort_order, c.archived_at,
               c[parent_name] if parent_name else literal(None),
               c.code if kind == "municipality" else literal(""),
               c.group if kind == "category" else literal("")]
    stmt = sa_select(*columns)
    if not include_archived:
        stmt = stmt.where(c.archived_at.is_(None))
    stmt = stmt.order_by(c.sort_order, c.reading, c.name)
    return [VocabItem(id=r[0], kind=kind, name=r[1], reading=r[2], sort_order=r[3], archived=r[4] is not None,
                      parent_id=r[5], code=r[6] or "", group=r[7] or "")
            for r in session.execute(stmt)]


def get(session: Session, kind: str, item_id: str) -> VocabBase | None:
    return session.get(VOCAB_MODELS[kind], item_id)


def next_sort_order(session: Session, kind: str) -> int:
    model = VOCAB_MODELS[kind]
    rows = session.exec(select(model.sort_order)).all()
    return (max(rows) + 1) if rows else 1


def add(session: Session, kind: str, **values: object) -> VocabBase:
    model = VOCAB_MODELS[kind]
    if "sort_order" not in values:
        values["sort_order"] = next_sort_order(session, kind)
    row = model(**values)
    session.add(row)
    session.flush()
    return row


def touch(row: VocabBase) -> None:
    row.updated_at = utcnow()


def find_by_name(session: Session, kind: str, name: str) -> VocabBase | None:
    model = VOCAB_MODELS[kind]
    return session.exec(select(model).where(model.name == name)).first()


def find_municipality_by_code(session: Session, code: str) -> Municipality | None:
    return session.exec(select(Municipality).where(Municipality.code == code)).first()


def count(session: Session, kind: str) -> int:
    model = VOCAB_MODELS[kind]
    return len(session.exec(select(model.id)).all())
