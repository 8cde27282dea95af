"""Consultation cases, consultations, referrals, the contact record and consent. Never commits (the audit
trail of them is storage/audit_repo.py).

List and statistics queries run on the raw cursor with joins, correlated sub-selects and GROUP BY, so that
50,000 consultations load in one statement and are counted by SQLite, not by Python loops."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import delete, insert
from sqlmodel import Session, select

from zaitaku_desktop.models import (
    Consent, Consultation, ConsultationCase, ConsultationCategoryLink, ConsultationContact, Referral,
)
from zaitaku_desktop.storage.convert import as_date, as_utc_datetime
from zaitaku_desktop.storage import portable

T = TypeVar("T")

# Stored DateTime text, as SQLAlchemy writes it: comparable as strings.
STAMP = "%Y-%m-%d %H:%M:%S.%f"

# The newest consent decision on the case is granted and not withdrawn.
CONSENT_SQL = ("(SELECT k.granted AND k.withdrawn_on IS NULL FROM consultation_consent k "
               "WHERE k.case_id = c.case_id AND k.archived_at IS NULL "
               "ORDER BY k.obtained_on DESC, k.created_at DESC LIMIT 1)")
ROW_SQL = f"""
SELECT c.id, c.case_id, x.case_no, c.window, c.received_at, c.channel, c.requester_type, c.requester_name,
       (SELECT group_concat(l.category_id) FROM consultation_category_link l WHERE l.consultation_id = c.id),
       c.status, c.handled_by, c.follow_up_due, c.minutes_spent, x.person_name, m.name, d.name, x.age_band,
       x.care_level,
       (SELECT count(*) FROM consultation_referral r WHERE r.consultation_id = c.id AND r.archived_at IS NULL),
       {CONSENT_SQL}, c.is_sample, c.updated_at, c.version, c.archived_at
FROM consultation c
JOIN consultation_case x ON x.id = c.case_id
LEFT JOIN municipality m ON m.id = x.municipality_id
LEFT JOIN district d ON d.id = x.district_id
"""


def stamp(value: dt.datetime) -> str:
    return value.strftime(STAMP)


def _cursor(session: Session):
    return portable.cursor(session)


def _as_datetime(value: object) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def period_where(start: dt.datetime | None, end: dt.datetime | None, *, include_archived: bool = False,
                 alias: str = "c") -> tuple[list[str], list[object]]:
    """WHERE parts for consultations received in [start, end) (UTC) and not archived."""
    where: list[str] = [] if include_archived else [f"{alias}.archived_at IS NULL"]
    params: list[object] = []
    if start is not None:
        where.append(f"{alias}.received_at >= ?")
        params.append(stamp(start))
    if end is not None:
        where.append(f"{alias}.received_at < ?")
        params.append(stamp(end))
    return where, params


def category_names(session: Session) -> dict[str, tuple[int, str, str]]:
    """id → (sort order, reading, name) of every consultation category, archived ones included."""
    return {cid: (order, reading, name) for cid, name, reading, order in portable.driver_sql(
        session, "SELECT id, name, reading, sort_order FROM consultation_category").fetchall()}


def load_rows(session: Session, make_row: Callable[..., T], *, start: dt.datetime | None = None,
              end: dt.datetime | None = None, ids: list[str] | None = None, case_id: str | None = None,
              due_by: dt.date | None = None, statuses: frozenset[str] | None = None,
              include_archived: bool = False, order: str = "+c.received_at DESC, c.created_at DESC") -> list[T]:
    """Consultations as plain rows built by ``make_row`` (the service's ConsultationRow) in one statement.
    The default order sorts the result ("+" keeps SQLite from walking the date index row by row, which is
    slower for the whole list)."""
    where, params = period_where(start, end, include_archived=include_archived)
    if ids is not None:
        if not ids:
            return []
        where.append(f"c.id IN ({','.join('?' * len(ids))})")
        params.extend(ids)
    if case_id is not None:
        where.append("c.case_id = ?")
        params.append(case_id)
    if due_by is not None:
        where.append("c.follow_up_due IS NOT NULL AND c.follow_up_due <= ?")
        params.append(due_by.isoformat())
    if statuses is not None:
        where.append(f"c.status IN ({','.join('?' * len(statuses))})")
        params.extend(sorted(statuses))
    cats = category_names(session)
    cursor = _cursor(session)
    base = cursor.execute(ROW_SQL + (" WHERE " + " AND ".join(where) if where else "") + f" ORDER BY {order}",
                          params).fetchall()
    cursor.close()
    intern = sys.intern
    nine = dt.timedelta(hours=9)
    parse = _as_datetime
    cat_cache: dict[str | None, tuple[tuple[str, ...], tuple[str, ...]]] = {None: ((), ())}
    rows: list[T] = []
    for (cid, case, case_no, window, received, channel, requester_type, requester_name, cat_ids, status, handled,
         due, minutes, person, mun, district, age_band, care_level, referrals, consent, sample, updated, version,
         _archived) in base:
        if cat_ids not in cat_cache:
            ordered = sorted(cat_ids.split(","), key=lambda i: cats.get(i, (1 << 30, "", i)))
            cat_cache[cat_ids] = (tuple(ordered), tuple(intern(cats[i][2]) if i in cats else "" for i in ordered))
        category_ids, categories = cat_cache[cat_ids]
        rows.append(make_row(
            id=cid, case_id=case, case_no=case_no, window=intern(window), received_at=parse(received) + nine,
            channel=intern(channel), requester_type=intern(requester_type), requester_name=requester_name,
            category_ids=category_ids, categories=categories, status=intern(status), handled_by=handled,
            follow_up_due=as_date(due), minutes_spent=minutes, person_name=person, municipality=intern(mun or ""),
            district=intern(district or ""), age_band=intern(age_band), care_level=intern(care_level),
            referral_count=referrals, has_consent=bool(consent), is_sample=bool(sample),
            updated_at=as_utc_datetime(updated), version=version,
        ))
    return rows


# --- single records --------------------------------------------------------------------------------------

def get(session: Session, consultation_id: str) -> Consultation | None:
    return session.get(Consultation, consultation_id)


def get_case(session: Session, case_id: str) -> ConsultationCase | None:
    return session.get(ConsultationCase, case_id)


def next_case_serial(session: Session, year: int) -> int:
    value = portable.driver_sql(
        session, "SELECT max(CAST(substr(case_no, 6) AS INTEGER)) FROM consultation_case WHERE case_no LIKE ?",
        (f"{year:04d}-%",)).scalar()
    return int(value or 0) + 1


def category_ids(session: Session, consultation_id: str) -> list[str]:
    return list(session.exec(select(ConsultationCategoryLink.category_id)
                             .where(ConsultationCategoryLink.consultation_id == consultation_id)).all())


def replace_categories(session: Session, consultation_id: str, ids: tuple[str, ...], *, is_new: bool = False) -> None:
    if not is_new:
        session.execute(delete(ConsultationCategoryLink)
                        .where(ConsultationCategoryLink.consultation_id == consultation_id))  # type: ignore[arg-type]
    if ids:
        session.execute(insert(ConsultationCategoryLink.__table__),  # type: ignore[attr-defined]
                        [{"consultation_id": consultation_id, "category_id": c} for c in ids])


def add_contact(session: Session, consultation_id: str, at: dt.datetime, kind: str, text: str,
                by: str) -> ConsultationContact:
    row = ConsultationContact(consultation_id=consultation_id, at=at, kind=kind, text=text, by=by)
    session.add(row)
    return row


def case_contacts(session: Session, case_id: str) -> list[ConsultationContact]:
    stmt = (select(ConsultationContact).join(Consultation, Consultation.id == ConsultationContact.consultation_id)
            .where(Consultation.case_id == case_id)
            .order_by(ConsultationContact.at, ConsultationContact.created_at))
    return list(session.exec(stmt).all())


def referrals(session: Session, consultation_id: str) -> list[tuple[Referral, str, str]]:
    """The consultation's referrals with the provider's name and category, oldest first."""
    rows = portable.driver_sql(
        session, "SELECT r.id, x.name, coalesce(k.name, '') FROM consultation_referral r "
        "JOIN resource x ON x.id = r.resource_id "
        "LEFT JOIN resource_category k ON k.id = x.category_id WHERE r.consultation_id = ? AND r.archived_at IS NULL "
        "ORDER BY r.referred_on, r.created_at", (consultation_id,)).fetchall()
    return [(session.get(Referral, rid), name, category) for rid, name, category in rows]  # type: ignore[misc]


def resource_label(session: Session, resource_id: str) -> tuple[str, str] | None:
    """(name, category) of a provider that is not archived, or None."""
    row = portable.driver_sql(
        session, "SELECT x.name, coalesce(k.name, '') FROM resource x LEFT JOIN resource_category k ON k.id = x.category_id "
        "WHERE x.id = ? AND x.archived_at IS NULL", (resource_id,)).first()
    return (row[0], row[1]) if row else None


def consents(session: Session, case_id: str) -> list[Consent]:
    stmt = (select(Consent).where(Consent.case_id == case_id, Consent.archived_at.is_(None))  # type: ignore[union-attr]
            .order_by(Consent.obtained_on, Consent.created_at))
    return list(session.exec(stmt).all())


def case_ids_of(session: Session, consultation_ids: list[str]) -> dict[str, str]:
    if not consultation_ids:
        return {}
    marks = ",".join("?" * len(consultation_ids))
    return dict(portable.driver_sql(
        session, f"SELECT id, case_id FROM consultation WHERE id IN ({marks})", tuple(consultation_ids)).fetchall())


# --- the duplicate check ---------------------------------------------------------------------------------

def duplicate_rows(session: Session, *, district_id: str | None, municipality_id: str | None, phone: str,
                   exclude_case_id: str | None) -> list[tuple]:
    """Named cases in the same area (domain.consultations.same_area) or with the same phone digits, with their
    consultation count and last received time: (id, case_no, name, reading, phone, district id, municipality id,
    count, last received).
    The caller compares the readings."""
    if district_id:
        area, params = "x.district_id = ?", [district_id]
    elif municipality_id:
        area, params = "x.municipality_id = ?", [municipality_id]
    else:
        area, params = "x.district_id IS NULL AND x.municipality_id IS NULL", []
    sql = (f"(({area}) AND (x.person_name != '' OR x.person_reading != ''))"
           + (" OR x.person_phone = ?" if phone else ""))
    params += [phone] if phone else []
    sql = ("SELECT x.id, x.case_no, x.person_name, x.person_reading, x.person_phone, x.district_id, "
           "x.municipality_id, count(c.id), max(c.received_at) FROM consultation_case x "
           "LEFT JOIN consultation c ON c.case_id = x.id AND c.archived_at IS NULL "
           f"WHERE x.archived_at IS NULL AND ({sql})")
    if exclude_case_id:
        sql += " AND x.id != ?"
        params.append(exclude_case_id)
    return portable.driver_sql(session, sql + " GROUP BY x.id ORDER BY max(c.received_at) DESC",
                                                tuple(params)).fetchall()


# --- statistics ----------------------------------------------------------------------------------------------

def stats_groups(session: Session, start: dt.datetime, end: dt.datetime) -> list[tuple]:
    """(local month, window, requester type, channel, status, count, minutes sum, minutes count)."""
    where, params = period_where(start, end)
    month = portable.local_part("c.received_at", "year-month", portable.dialect_of(session))
    return portable.driver_sql(
        session, f"SELECT {month}, c.window, c.requester_type, c.channel, c.status, "
        "count(*), sum(c.minutes_spent), count(c.minutes_spent) FROM consultation c WHERE " + " AND ".join(where)
        + " GROUP BY 1, 2, 3, 4, 5", tuple(params)).fetchall()


def category_groups(session: Session, start: dt.datetime, end: dt.datetime) -> list[tuple]:
    """(category id, window, count)."""
    where, params = period_where(start, end)
    return portable.driver_sql(
        session, "SELECT l.category_id, c.window, count(*) FROM consultation_category_link l "
        "JOIN consultation c ON c.id = l.consultation_id WHERE " + " AND ".join(where)
        + " GROUP BY l.category_id, c.window", tuple(params)).fetchall()


def referral_groups(session: Session, start: dt.datetime, end: dt.datetime, *, limit: int) -> list[tuple]:
    """(provider name, provider category, referrals) for consultations received in the period, most first."""
    where, params = period_where(start, end)
    return portable.driver_sql(
        session, "SELECT x.name, coalesce(k.name, ''), count(*) FROM consultation_referral r "
        "JOIN consultation c ON c.id = r.consultation_id JOIN resource x ON x.id = r.resource_id "
        "LEFT JOIN resource_category k ON k.id = x.category_id WHERE r.archived_at IS NULL AND "
        + " AND ".join(where) + " GROUP BY r.resource_id, x.name, k.name, x.reading ORDER BY count(*) DESC, x.reading, x.name LIMIT ?",
        (*params, limit)).fetchall()


def quarter_groups(session: Session, start: dt.datetime, end: dt.datetime, min_count: int) -> list[tuple]:
    """Consultations not yet promoted to an issue, by category and fiscal quarter (local time), with at least
    ``min_count`` in the group: (category id, fiscal year, quarter, comma-joined consultation ids)."""
    where, params = period_where(start, end)
    month = portable.local_part("c.received_at", "month", portable.dialect_of(session))
    year = portable.local_part("c.received_at", "year", portable.dialect_of(session))
    return portable.driver_sql(
        session, f"SELECT l.category_id, {year} - CASE WHEN {month} < 4 THEN 1 ELSE 0 END AS fy, ({month} + 8) % 12 / 3 + 1 AS q, "
        "group_concat(c.id) FROM consultation_category_link l JOIN consultation c ON c.id = l.consultation_id "
        "WHERE " + " AND ".join(where) + " AND NOT EXISTS (SELECT 1 FROM issue_consultation i "
        "WHERE i.consultation_id = c.id) GROUP BY l.category_id, fy, q HAVING count(*) >= ? "
        "ORDER BY fy, q, count(*) DESC", (*params, min_count)).fetchall()


def count(session: Session, *, include_archived: bool = False) -> int:
    sql = "SELECT count(*) FROM consultation" + ("" if include_archived else " WHERE archived_at IS NULL")
    return int(portable.driver_sql(session, sql).scalar() or 0)
