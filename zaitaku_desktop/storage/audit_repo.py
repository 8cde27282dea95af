"""The hash-chained audit log (audit_log + the anchor audit_head). Never commits: an entry is appended in the
caller's session, so it is written in the same transaction as the change it records, or not at all."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from zaitaku_desktop.domain.audit import AuditEntry, AuditHead, entry_hash, stamp
from zaitaku_desktop.domain.errors import StorageError
from zaitaku_desktop.models import utcnow
from zaitaku_desktop.storage import portable

# "user" is a reserved word on PostgreSQL; quoted, it names the column on both.
COLUMNS = 'seq, at, "user", role, action, entity, entity_id, detail, prev_hash, hash'


def head(session: Session) -> AuditHead | None:
    row = portable.driver_sql(session, "SELECT seq, hash FROM audit_head WHERE id = 1").first()
    return AuditHead(int(row[0]), row[1]) if row else None


def append(session: Session, *, user: str, role: str, action: str, entity: str, entity_id: str,
           detail: str) -> AuditEntry:
    """Chain one entry onto the head and move the head onto it (the triggers refuse anything else)."""
    anchor = head(session)
    if anchor is None:
        raise StorageError("監査ログの控えが見つからないため、記録できません。データの検査を行ってください。")
    fields = (anchor.seq + 1, stamp(utcnow()), user or "", role or "", action, entity or "", entity_id or "",
              (detail or "")[:200])
    entry = AuditEntry(*fields, prev_hash=anchor.hash, hash=entry_hash(fields, anchor.hash))
    portable.driver_sql(session, f"INSERT INTO audit_log ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (*fields, entry.prev_hash, entry.hash))
    portable.driver_sql(session, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (entry.seq, entry.hash))
    return entry


def rows(session: Session, start: dt.datetime | None = None, end: dt.datetime | None = None, *,
         actions: tuple[str, ...] | None = None) -> list[AuditEntry]:
    """Entries stamped in [start, end) (UTC), newest (highest seq) first; only ``actions`` when given."""
    where, params = [], []
    if start is not None:
        where.append("at >= ?")
        params.append(stamp(start))
    if end is not None:
        where.append("at < ?")
        params.append(stamp(end))
    if actions is not None:
        where.append(f"action IN ({','.join('?' * len(actions))})")
        params.extend(actions)
    sql = f"SELECT {COLUMNS} FROM audit_log" + (" WHERE " + " AND ".join(where) if where else "")
    return [_entry(r) for r in portable.driver_sql(session, sql + " ORDER BY seq DESC", tuple(params)).fetchall()]


def all_rows(session: Session) -> list[AuditEntry]:
    """Every entry in stored seq order, for the verifier."""
    return [_entry(r) for r in portable.driver_sql(session, f"SELECT {COLUMNS} FROM audit_log ORDER BY seq").fetchall()]


def count(session: Session) -> int:
    return int(portable.driver_sql(session, "SELECT count(*) FROM audit_log").scalar() or 0)


def _entry(r) -> AuditEntry:
    # SQLite hands back the stamp as it was written; PostgreSQL a timestamp, written back the same way.
    at = stamp(r[1]) if isinstance(r[1], dt.datetime) else str(r[1])
    return AuditEntry(int(r[0]), at, *(v or "" for v in r[2:]))
