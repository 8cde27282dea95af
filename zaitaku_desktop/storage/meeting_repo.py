"""Meetings, their links, people and attendance. Never commits."""

from __future__ import annotations

import datetime as dt
import sys
from collections import defaultdict
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import delete, func, insert
from sqlmodel import Session, select

from zaitaku_desktop.storage import portable
from zaitaku_desktop.storage.convert import as_date, as_utc_datetime
from zaitaku_desktop.models import (
    Attendance, AttendanceCount, Meeting, MeetingCoOrganiser, MeetingIssue, MeetingProfession, MeetingSeries,
    MeetingSpeaker, MeetingType, Person, Venue, new_id,
)

T = TypeVar("T")

_ROW_SQL = """
SELECT m.id, m.title, m.type_id, t.name, t.layer, t.tasks, m.date, m.start_time, m.end_time, m.venue_id, v.name,
       v.capacity, m.status, m.organiser_kind, m.organiser_association_id, a.name, m.organiser_text, m.capacity,
       m.municipality_id, mu.name, m.series_id, m.occurrence_date, m.archived_at, m.is_sample, m.updated_at,
       m.version,
       (SELECT count(*) FROM attendance x WHERE x.meeting_id = m.id AND x.status IN ('申込', '出席')),
       (SELECT count(*) FROM attendance x WHERE x.meeting_id = m.id AND x.status = '出席'),
       (SELECT coalesce(sum(c.count), 0) FROM attendance_count c WHERE c.meeting_id = m.id),
       (SELECT count(*) FROM meeting_issue i WHERE i.meeting_id = m.id)
FROM meeting m
LEFT JOIN meeting_type t ON t.id = m.type_id
LEFT JOIN venue v ON v.id = m.venue_id
LEFT JOIN association a ON a.id = m.organiser_association_id
LEFT JOIN municipality mu ON mu.id = m.municipality_id
"""


def load_rows(session: Session, make_row: Callable[..., T], *, start: dt.date | None = None,
              end: dt.date | None = None, ids: list[str] | None = None, series_id: str | None = None,
              include_archived: bool = False) -> list[T]:
    """Meetings as plain rows built by ``make_row`` (the service's MeetingRow), oldest first, in a
    three queries on the raw cursor (the counts are sub-selects of the first; the two link queries are limited
    to the same meetings)."""
    cursor = portable.cursor(session)
    where: list[str] = []
    params: list[object] = []
    if not include_archived:
        where.append("m.archived_at IS NULL")
    if start is not None:
        where.append("m.date >= ?")
        params.append(start.isoformat())
    if end is not None:
        where.append("m.date <= ?")
        params.append(end.isoformat())
    if series_id is not None:
        where.append("m.series_id = ?")
        params.append(series_id)
    if ids is not None:
        if not ids:
            return []
        where.append(f"m.id IN ({','.join('?' * len(ids))})")
        params.extend(ids)
    clause = " WHERE " + " AND ".join(where) if where else ""
    base = cursor.execute(_ROW_SQL + clause + " ORDER BY m.date, m.start_time IS NULL, m.start_time, m.created_at",
                          params).fetchall()
    # The link queries take the same filter through a sub-select of the meeting ids.
    sub = f"SELECT m.id FROM meeting m{clause}"
    intern = sys.intern
    co: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for mid, aid, aname, aorder in cursor.execute(
            "SELECT x.meeting_id, a.id, a.name, a.sort_order FROM meeting_co_organiser x "
            f"JOIN association a ON a.id = x.association_id WHERE x.meeting_id IN ({sub})", params).fetchall():
        co[mid].append((aorder, intern(aid), intern(aname)))
    profs: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for mid, pid, porder in cursor.execute(
            "SELECT x.meeting_id, p.id, p.sort_order FROM meeting_profession x "
            f"JOIN profession p ON p.id = x.profession_id WHERE x.meeting_id IN ({sub})", params).fetchall():
        profs[mid].append((porder, intern(pid)))
    cursor.close()

    rows: list[T] = []
    for (mid, title, type_id, type_name, layer, tasks, day, start_time, end_time, venue_id, venue, venue_cap,
         status, org_kind, org_id, org_name, org_text, capacity, mun_id, mun, series, occurrence, archived, sample,
         updated, version, registered, attended, counted, issue_count) in base:
        c = sorted(co.get(mid, ()))
        rows.append(make_row(
            id=mid, title=title, type_id=type_id, type_name=intern(type_name or ""), layer=intern(layer or ""),
            tasks=tasks or "", date=as_date(day), start_time=start_time, end_time=end_time, venue_id=venue_id,
            venue=intern(venue or ""), venue_capacity=venue_cap, status=intern(status), organiser_kind=org_kind,
            organiser_association_id=org_id, organiser=org_name or org_text or org_kind,
            organiser_text=org_text, co_organiser_ids=tuple(x[1] for x in c), co_organisers=tuple(x[2] for x in c),
            profession_ids=tuple(p[1] for p in sorted(profs.get(mid, ()))), capacity=capacity,
            municipality_id=mun_id, municipality=intern(mun or ""), series_id=series,
            occurrence_date=as_date(occurrence), registered=registered, attended=attended + counted,
            counted=counted, issue_count=issue_count, archived=archived is not None,
            is_sample=bool(sample), updated_at=as_utc_datetime(updated), version=version,
        ))
    return rows


def get(session: Session, meeting_id: str) -> Meeting | None:
    return session.get(Meeting, meeting_id)


def get_type(session: Session, type_id: str) -> MeetingType | None:
    return session.get(MeetingType, type_id)


def types(session: Session, *, include_archived: bool = False) -> list[MeetingType]:
    query = select(MeetingType)
    if not include_archived:
        query = query.where(MeetingType.archived_at.is_(None))  # type: ignore[union-attr]
    return list(session.exec(query.order_by(MeetingType.sort_order, MeetingType.reading)).all())


def venues(session: Session, *, include_archived: bool = False) -> list[Venue]:
    query = select(Venue)
    if not include_archived:
        query = query.where(Venue.archived_at.is_(None))  # type: ignore[union-attr]
    return list(session.exec(query.order_by(Venue.reading, Venue.name)).all())


def series(session: Session, series_id: str) -> MeetingSeries | None:
    return session.get(MeetingSeries, series_id)


def count(session: Session, *, include_archived: bool = True) -> int:
    query = select(func.count()).select_from(Meeting)
    if not include_archived:
        query = query.where(Meeting.archived_at.is_(None))  # type: ignore[union-attr]
    return int(session.exec(query).one())


def co_organiser_ids(session: Session, meeting_id: str) -> list[str]:
    return list(session.exec(select(MeetingCoOrganiser.association_id)
                             .where(MeetingCoOrganiser.meeting_id == meeting_id)).all())


def profession_ids(session: Session, meeting_id: str) -> list[str]:
    return list(session.exec(select(MeetingProfession.profession_id)
                             .where(MeetingProfession.meeting_id == meeting_id)).all())


def speakers(session: Session, meeting_id: str) -> list[MeetingSpeaker]:
    return list(session.exec(select(MeetingSpeaker).where(MeetingSpeaker.meeting_id == meeting_id)
                             .order_by(MeetingSpeaker.sort_order)).all())


def replace_links(session: Session, meeting_id: str, *, co_organiser_ids: tuple[str, ...],
                  profession_ids: tuple[str, ...], speakers: tuple[tuple[str, str, str], ...],
                  is_new: bool = False) -> None:
    if not is_new:
        for table in (MeetingCoOrganiser, MeetingProfession, MeetingSpeaker):
            session.execute(delete(table).where(table.meeting_id == meeting_id))  # type: ignore[attr-defined]
    session.flush()
    if co_organiser_ids:
        session.execute(insert(MeetingCoOrganiser.__table__),  # type: ignore[attr-defined]
                        [{"meeting_id": meeting_id, "association_id": a} for a in co_organiser_ids])
    if profession_ids:
        session.execute(insert(MeetingProfession.__table__),  # type: ignore[attr-defined]
                        [{"meeting_id": meeting_id, "profession_id": p} for p in profession_ids])
    for order, (name, affiliation, talk) in enumerate(speakers, start=1):
        session.add(MeetingSpeaker(meeting_id=meeting_id, name=name, affiliation=affiliation, talk_title=talk,
                                   sort_order=order))


def issue_links(session: Session, *, meeting_id: str | None = None, issue_id: str | None = None
                ) -> list[MeetingIssue]:
    query = select(MeetingIssue)
    if meeting_id is not None:
        query = query.where(MeetingIssue.meeting_id == meeting_id)
    if issue_id is not None:
        query = query.where(MeetingIssue.issue_id == issue_id)
    return list(session.exec(query).all())


# --- people and attendance --------------------------------------------------------------------

def get_person(session: Session, person_id: str) -> Person | None:
    return session.get(Person, person_id)


def persons(session: Session, *, include_archived: bool = False) -> list[Person]:
    query = select(Person)
    if not include_archived:
        query = query.where(Person.archived_at.is_(None))  # type: ignore[union-attr]
    return list(session.exec(query.order_by(Person.reading, Person.name)).all())


def find_person_by_key(session: Session, key: str, *, exclude_id: str | None = None) -> Person | None:
    query = select(Person).where(Person.person_key == key, Person.archived_at.is_(None))  # type: ignore[union-attr]
    if exclude_id is not None:
        query = query.where(Person.id != exclude_id)
    return session.exec(query).first()


def attendance(session: Session, *, meeting_id: str | None = None, person_id: str | None = None) -> list[Attendance]:
    query = select(Attendance)
    if meeting_id is not None:
        query = query.where(Attendance.meeting_id == meeting_id)
    if person_id is not None:
        query = query.where(Attendance.person_id == person_id)
    return list(session.exec(query).all())


def counts(session: Session, meeting_id: str) -> list[AttendanceCount]:
    return list(session.exec(select(AttendanceCount).where(AttendanceCount.meeting_id == meeting_id)).all())


def replace_counts(session: Session, meeting_id: str, entries: list[tuple[str | None, str, int]]) -> None:
    session.execute(delete(AttendanceCount).where(AttendanceCount.meeting_id == meeting_id))  # type: ignore[arg-type]
    if entries:
        session.execute(insert(AttendanceCount.__table__),  # type: ignore[attr-defined]
                        [{"id": new_id(), "meeting_id": meeting_id, "profession_id": p, "label": label,
                          "count": n} for p, label, n in entries])


def profession_totals(session: Session, start: dt.date, end: dt.date) -> list[tuple[str | None, str, int]]:
    """(profession id, label, people) over the period's meetings (not archived, not 中止/延期) in the period: 出席 rows by the
    person's profession plus the counts-only entries."""
    period = "m.archived_at IS NULL AND m.status NOT IN ('中止', '延期') AND m.date >= ? AND m.date <= ?"
    return [(pid, label, n) for _mid, pid, label, n in
            _grouped_totals(session, period, [start.isoformat(), end.isoformat()], by_meeting=False)]


def totals_by_meeting(session: Session, *, meeting_id: str | None = None, start: dt.date | None = None,
                      end: dt.date | None = None) -> list[tuple[str, str | None, str, int]]:
    """(meeting id, profession id, label, people) for one meeting, or every meeting of a period (any status),
    in two grouped queries rather than one read per attendee."""
    if meeting_id is not None:
        return _grouped_totals(session, "m.id = ?", [meeting_id], by_meeting=True)
    assert start is not None and end is not None
    return _grouped_totals(session, "m.archived_at IS NULL AND m.date >= ? AND m.date <= ?",
                           [start.isoformat(), end.isoformat()], by_meeting=True)


def _grouped_totals(session: Session, where: str, params: list[str], *, by_meeting: bool
                    ) -> list[tuple[str, str | None, str, int]]:
    meeting_col = "m.id" if by_meeting else "''"
    group = "m.id, " if by_meeting else ""
    cursor = portable.cursor(session)
    out: list[tuple[str, str | None, str, int]] = []
    for mid, pid, total in cursor.execute(
            f"SELECT {meeting_col}, p.profession_id, count(*) FROM attendance x JOIN meeting m ON m.id = x.meeting_id "
            f"JOIN person p ON p.id = x.person_id WHERE x.status = '出席' AND {where} "
            f"GROUP BY {group}p.profession_id", params).fetchall():
        out.append((mid, pid, "", int(total)))
    for mid, pid, label, total in cursor.execute(
            f"SELECT {meeting_col}, c.profession_id, c.label, sum(c.count) FROM attendance_count c JOIN meeting m "
            f"ON m.id = c.meeting_id WHERE {where} GROUP BY {group}c.profession_id, c.label", params).fetchall():
        out.append((mid, pid, label or "", int(total or 0)))
    cursor.close()
    return out
