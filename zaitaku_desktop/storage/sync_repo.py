"""Records as plain values for exchange files, and writing merged records back (SQLAlchemy Core, portable SQL).

A record is every table whose model derives from models.Tracked. Rows of tables without their own history
(link tables, attendance, speakers, questionnaire answers ...) travel inside their parent record as one field
``@table``: a sorted list of rows (nested the same way). Deleting is archiving (``archived_at`` is a field).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from zaitaku_desktop import models
from zaitaku_desktop.domain.sync import plain
from zaitaku_desktop.models import SyncBase, SyncPeer, new_id

# parent table → (child table, the child's column naming the parent)
CHILDREN: dict[str, tuple[tuple[str, str], ...]] = {
    "resource": (("resource_capability", "resource_id"), ("resource_procedure", "resource_id"),
                 ("key_person", "resource_id")),
    "collab_issue": (("collab_issue_profession", "issue_id"), ("collab_issue_theme", "issue_id")),
    "association_need": (("association_need_theme", "need_id"),),
    "questionnaire_template": (("questionnaire_item", "template_id"),),
    "meeting": (("meeting_co_organiser", "meeting_id"), ("meeting_profession", "meeting_id"),
                ("meeting_speaker", "meeting_id"), ("meeting_issue", "meeting_id"), ("attendance", "meeting_id"),
                ("attendance_count", "meeting_id"), ("meeting_questionnaire", "meeting_id"),
                ("questionnaire_response", "meeting_id")),
    "questionnaire_response": (("questionnaire_answer", "response_id"),),
    "consultation": (("consultation_category_link", "consultation_id"), ("consultation_contact", "consultation_id"),
                     ("issue_consultation", "consultation_id")),
}
# Child rows other rows point at keep their ids; the ids of the others are made afresh on every save
# (key persons, speakers ...), so they travel without them and are compared by content.
KEEP_CHILD_IDS = frozenset({"questionnaire_item", "questionnaire_response"})
# Kept per database, never exchanged: histories, the audit trail, settings stored with the data, sync state.
LOCAL_TABLES = frozenset({"change_log", "audit_log", "audit_head", "app_meta", "report_note", "sync_peer",
                          "sync_base", "alembic_version"})
# Not merged field by field: the identity, the clocks, the lock counter and text derived from other fields.
BOOKKEEPING = frozenset({"id", "created_at", "updated_at", "version", "search_text"})
CHUNK = 500


def _tracked_names() -> set[str]:
    names, todo = set(), [models.Tracked]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if getattr(cls, "__table__", None) is not None:
            names.add(cls.__tablename__)
    return names


TRACKED = _tracked_names()


def record_tables() -> list[sa.Table]:
    """The exchanged tables, parents before the records that point at them."""
    return [t for t in SQLModel.metadata.sorted_tables if t.name in TRACKED]


def table(name: str) -> sa.Table:
    return SQLModel.metadata.tables[name]


@dataclass(frozen=True)
class Record:
    table: str
    id: str
    created_at: str
    updated_at: str
    values: dict[str, object]

    def to_json(self) -> dict:
        return {"id": self.id, "created_at": self.created_at, "updated_at": self.updated_at, "values": self.values}

    @classmethod
    def from_json(cls, table_name: str, data: dict) -> "Record":
        return cls(table_name, str(data["id"]), str(data["created_at"]), str(data["updated_at"]),
                   dict(data["values"]))


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _sort_key(row: dict) -> str:
    return json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)


def _children(conn, parent: str, ids: list[str]) -> dict[str, dict[str, list[dict]]]:
    """id → {"@child": [row, ...]} for every child table of ``parent`` (nested children included)."""
    found: dict[str, dict[str, list[dict]]] = {i: {} for i in ids}
    for child_name, fk in CHILDREN.get(parent, ()):
        child = table(child_name)
        rows = [dict(r) for chunk in _chunks(ids)
                for r in conn.execute(sa.select(child).where(child.c[fk].in_(chunk))).mappings()]
        nested = _children(conn, child_name, [r["id"] for r in rows]) if child_name in CHILDREN else {}
        for i in ids:
            found[i][f"@{child_name}"] = []
        for r in rows:
            item = {k: plain(v) for k, v in r.items() if k != fk and (k != "id" or child_name in KEEP_CHILD_IDS)}
            item.update(nested.get(r.get("id"), {}))
            found[r[fk]][f"@{child_name}"].append(item)
        for i in ids:
            found[i][f"@{child_name}"].sort(key=_sort_key)
    return found


def load(session: Session, table_name: str, ids: Iterable[str] | None = None) -> dict[str, Record]:
    """The records of one table (all of them, or those with ``ids``) with their link collections."""
    conn, t = session.connection(), table(table_name)
    if ids is None:
        rows = [dict(r) for r in conn.execute(sa.select(t)).mappings()]
    else:
        rows = [dict(r) for chunk in _chunks(sorted(set(ids)))
                for r in conn.execute(sa.select(t).where(t.c.id.in_(chunk))).mappings()]
    children = _children(conn, table_name, [r["id"] for r in rows])
    result = {}
    for r in rows:
        values = {k: plain(v) for k, v in r.items() if k not in BOOKKEEPING}
        values.update(children[r["id"]])
        result[r["id"]] = Record(table_name, r["id"], str(plain(r["created_at"])), str(plain(r["updated_at"])),
                                 values)
    return result


def changed_ids(session: Session, table_name: str, since: dt.datetime) -> set[str]:
    """Records changed at or after ``since`` (aware), counting rows of their children that keep a time."""
    conn, t = session.connection(), table(table_name)
    ids = {r[0] for r in conn.execute(sa.select(t.c.id).where(t.c.updated_at >= since))}
    for child_name, fk in CHILDREN.get(table_name, ()):
        child = table(child_name)
        for column in ("updated_at", "created_at"):
            if column in child.c:
                ids |= {r[0] for r in conn.execute(sa.select(child.c[fk]).where(child.c[column] >= since))}
    return ids


def count_rows(session: Session) -> dict[str, int]:
    """Rows per table of everything that is exchanged (records and their children)."""
    conn = session.connection()
    names = sorted(TRACKED | {c for kids in CHILDREN.values() for c, _ in kids})
    return {n: conn.execute(sa.select(sa.func.count()).select_from(table(n))).scalar_one() for n in names}


# --- writing ------------------------------------------------------------------------------------

def utc(text: str) -> dt.datetime:
    """Stored ISO text (UTC, no offset) as an aware datetime."""
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _python_type(column: sa.Column) -> type | None:
    kind = getattr(column.type, "impl", column.type)  # a TypeDecorator (UTCDateTime) wraps the real type
    try:
        return kind.python_type
    except NotImplementedError:
        return None


def _typed(t: sa.Table, values: dict[str, object]) -> dict[str, object]:
    """Plain JSON values back to the column types (ISO text → date / datetime)."""
    out = {}
    for name, value in values.items():
        if name.startswith("@") or name not in t.c:
            continue
        kind = _python_type(t.c[name])
        if isinstance(value, str) and kind is dt.datetime:
            value = utc(value)
        elif isinstance(value, str) and kind is dt.date:
            value = dt.date.fromisoformat(value)
        out[name] = value
    return out


def write(session: Session, record: Record, values: dict[str, object], *, old: Record | None,
          updated_at: str) -> None:
    """Insert the record (``old`` None) or update its fields to the merged ``values``. Link collections are
    written by :func:`write_links` once every record is in (attendance points at persons written later)."""
    conn, t = session.connection(), table(record.table)
    scalars = _typed(t, values)
    if old is None:
        row = {**scalars, "id": record.id, "created_at": utc(record.created_at), "updated_at": utc(updated_at)}
        if "version" in t.c:
            row["version"] = 1
        if "search_text" in t.c:
            row["search_text"] = ""
        conn.execute(sa.insert(t), [row])
    else:
        changed = {k: v for k, v in scalars.items() if old.values.get(k) != values.get(k)}
        changed["updated_at"] = utc(updated_at)
        if "version" in t.c:
            changed["version"] = t.c.version + 1
        conn.execute(sa.update(t).where(t.c.id == record.id).values(**changed))


def write_links(session: Session, record: Record, values: dict[str, object], *, old: Record | None) -> None:
    for child_name, fk in CHILDREN.get(record.table, ()):
        key = f"@{child_name}"
        if key in values:
            _write_children(session.connection(), child_name, fk, record.id,
                            (old.values if old else {}).get(key, []), values[key])


def _write_children(conn, name: str, fk: str, parent_id: str, old: list, new: list) -> None:
    """Make the child rows of one parent equal ``new``: delete, update and insert by primary key."""
    if old == new:
        return
    t = table(name)
    if "id" in t.c and name not in KEEP_CHILD_IDS:  # rows without a lasting identity: replaced as a whole
        conn.execute(sa.delete(t).where(t.c[fk] == parent_id))
        if new:
            conn.execute(sa.insert(t), [{**_typed(t, row), fk: parent_id, "id": new_id()} for row in new])
        return
    pk = [c.name for c in t.primary_key.columns if c.name != fk]

    def key(row: dict) -> tuple:
        return tuple(row.get(k) for k in pk)

    before, after = {key(r): r for r in old}, {key(r): r for r in new}
    nested = CHILDREN.get(name, ())

    def where(k: tuple):
        return sa.and_(t.c[fk] == parent_id, *(t.c[c] == v for c, v in zip(pk, k)))

    for k, row in before.items():
        if k not in after:
            for child_name, child_fk in nested:
                _write_children(conn, child_name, child_fk, row["id"], row.get(f"@{child_name}", []), [])
            conn.execute(sa.delete(t).where(where(k)))
    for k, row in after.items():
        if k in before and before[k] != row:
            scalars = {c: v for c, v in _typed(t, row).items() if c not in pk}
            if scalars:
                conn.execute(sa.update(t).where(where(k)).values(**scalars))
        elif k not in before:
            conn.execute(sa.insert(t), [{**_typed(t, row), fk: parent_id}])
        for child_name, child_fk in nested:
            _write_children(conn, child_name, child_fk, row["id"], before.get(k, {}).get(f"@{child_name}", []),
                            row.get(f"@{child_name}", []))


def set_search_text(session: Session, table_name: str, record_id: str, text: str) -> None:
    t = table(table_name)
    session.connection().execute(sa.update(t).where(t.c.id == record_id).values(search_text=text))


# --- the last exchange with each peer --------------------------------------------------------------

def peer(session: Session, peer_id: str) -> SyncPeer | None:
    return session.get(SyncPeer, peer_id)


def save_peer(session: Session, peer_id: str, *, exported_at: dt.datetime, sha256: str, now: dt.datetime) -> None:
    row = session.get(SyncPeer, peer_id) or SyncPeer(peer_id=peer_id)
    row.last_import_at, row.last_exported_at, row.last_file_sha256 = now, exported_at, sha256
    session.add(row)


def bases(session: Session, peer_id: str, table_name: str) -> dict[str, dict]:
    t = table("sync_base")
    rows = session.connection().execute(
        sa.select(t.c.record_id, t.c.data).where(t.c.peer_id == peer_id, t.c.table_name == table_name))
    return {r.record_id: json.loads(r.data) for r in rows}


def save_base(session: Session, peer_id: str, record: Record) -> None:
    row = session.get(SyncBase, (peer_id, record.table, record.id))
    data = json.dumps(record.values, ensure_ascii=False, sort_keys=True)
    if row is None:
        session.add(SyncBase(peer_id=peer_id, table_name=record.table, record_id=record.id, data=data))
    else:
        row.data = data
