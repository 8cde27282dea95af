"""Collaboration issues, their responses, association needs and planned events. Never commits."""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import delete, insert
from sqlmodel import Session, select

from zaitaku_desktop.domain.issues import INACTIVE_RESPONSE_STATES
from zaitaku_desktop.storage import portable
from zaitaku_desktop.storage.convert import as_date, as_utc_datetime
from zaitaku_desktop.models import (
    AssociationNeed, AssociationNeedTheme, CollabIssue, CollabIssueProfession, CollabIssueTheme, IssueResponse,
    PlannedEvent,
)

T = TypeVar("T")

_ROW_SQL = """
SELECT i.id, i.title, i.description, i.layer, i.status, i.priority, i.source_association_id, a.name,
       i.source_text, i.raised_on, i.municipality_id, m.name, i.owner, i.next_action, i.next_due,
       i.fed_back_on, i.fed_back_how, i.search_text, i.archived_at, i.is_sample, i.updated_at, i.version
FROM collab_issue i
LEFT JOIN association a ON a.id = i.source_association_id
LEFT JOIN municipality m ON m.id = i.municipality_id
"""


def load_rows(session: Session, make_row: Callable[..., T], *, include_archived: bool = True,
              ids: list[str] | None = None) -> list[T]:
    """All issues as plain rows built by ``make_row`` (the service's IssueRow), in four queries
    on the raw cursor."""
    cursor = portable.cursor(session)
    where: list[str] = []
    params: list[object] = []
    id_filter = ""
    if not include_archived:
        where.append("i.archived_at IS NULL")
    if ids is not None:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        where.append(f"i.id IN ({marks})")
        params = list(ids)
        id_filter = f" WHERE x.issue_id IN ({marks})"
    base = cursor.execute(_ROW_SQL + (" WHERE " + " AND ".join(where) if where else "")
                          + " ORDER BY i.raised_on IS NULL, i.raised_on, i.created_at", params).fetchall()
    intern = sys.intern
    profs: dict[str, list[tuple[int, str, str, str]]] = defaultdict(list)
    for iid, pid, pname, porder, preading in cursor.execute(
            "SELECT x.issue_id, p.id, p.name, p.sort_order, p.reading FROM collab_issue_profession x "
            "JOIN profession p ON p.id = x.profession_id" + id_filter, params).fetchall():
        profs[iid].append((porder, preading, intern(pid), intern(pname)))
    themes: dict[str, list[tuple[int, str, str, str]]] = defaultdict(list)
    for iid, tid, tname, torder, treading in cursor.execute(
            "SELECT x.issue_id, t.id, t.name, t.sort_order, t.reading FROM collab_issue_theme x "
            "JOIN theme t ON t.id = x.theme_id" + id_filter, params).fetchall():
        themes[iid].append((torder, treading, intern(tid), intern(tname)))
    inactive = ",".join(f"'{s}'" for s in sorted(INACTIVE_RESPONSE_STATES))
    counts: dict[str, tuple[int, int]] = {}
    for iid, total, open_ in cursor.execute(
            f"SELECT x.issue_id, count(*), sum(CASE WHEN x.state IN ({inactive}) THEN 0 ELSE 1 END) "
            "FROM issue_response x" + (id_filter + " AND" if id_filter else " WHERE")
            + " x.archived_at IS NULL GROUP BY x.issue_id", params).fetchall():
        counts[iid] = (int(total), int(open_ or 0))
    cursor.close()

    rows: list[T] = []
    for (iid, title, description, layer, status, priority, src_id, src, src_text, raised, mun_id, mun, owner,
         next_action, next_due, fed_on, fed_how, search, archived, sample, updated, version) in base:
        ip = sorted(profs.get(iid, ()))
        it = sorted(themes.get(iid, ()))
        total, open_ = counts.get(iid, (0, 0))
        rows.append(make_row(
            id=iid, title=title, description=description, layer=intern(layer), status=intern(status),
            priority=intern(priority), source_association_id=intern(src_id) if src_id else None,
            source_association=intern(src) if src else "", source_text=src_text, raised_on=as_date(raised),
            municipality_id=intern(mun_id) if mun_id else None, municipality=intern(mun) if mun else "",
            profession_ids=tuple(p[2] for p in ip), professions=tuple(p[3] for p in ip),
            theme_ids=tuple(t[2] for t in it), themes=tuple(t[3] for t in it), owner=owner,
            next_action=next_action, next_due=as_date(next_due), fed_back_on=as_date(fed_on),
            fed_back_how=fed_how, response_count=total, open_response_count=open_, search_text=search,
            archived=archived is not None, is_sample=bool(sample), updated_at=as_utc_datetime(updated),
            version=version,
        ))
    return rows


def get(session: Session, issue_id: str) -> CollabIssue | None:
    return session.get(CollabIssue, issue_id)


def profession_ids(session: Session, issue_id: str) -> list[str]:
    return list(session.exec(select(CollabIssueProfession.profession_id)
                             .where(CollabIssueProfession.issue_id == issue_id)).all())


def theme_ids(session: Session, issue_id: str) -> list[str]:
    return list(session.exec(select(CollabIssueTheme.theme_id).where(CollabIssueTheme.issue_id == issue_id)).all())


def replace_links(session: Session, issue_id: str, *, profession_ids: list[str], theme_ids: list[str],
                  is_new: bool = False) -> None:
    if not is_new:
        session.execute(delete(CollabIssueProfession).where(CollabIssueProfession.issue_id == issue_id))
        session.execute(delete(CollabIssueTheme).where(CollabIssueTheme.issue_id == issue_id))
    session.flush()
    if profession_ids:
        session.execute(insert(CollabIssueProfession.__table__),  # type: ignore[attr-defined]
                        [{"issue_id": issue_id, "profession_id": p} for p in profession_ids])
    if theme_ids:
        session.execute(insert(CollabIssueTheme.__table__),  # type: ignore[attr-defined]
                        [{"issue_id": issue_id, "theme_id": t} for t in theme_ids])


# --- responses -------------------------------------------------------------------------

def responses(session: Session, issue_id: str, *, include_archived: bool = True) -> list[IssueResponse]:
    stmt = select(IssueResponse).where(IssueResponse.issue_id == issue_id)
    if not include_archived:
        stmt = stmt.where(IssueResponse.archived_at.is_(None))  # type: ignore[union-attr]
    return list(session.exec(stmt.order_by(IssueResponse.sort_order, IssueResponse.created_at)).all())


def get_response(session: Session, response_id: str) -> IssueResponse | None:
    return session.get(IssueResponse, response_id)


def all_responses(session: Session, *, include_archived: bool = True) -> list[IssueResponse]:
    stmt = select(IssueResponse)
    if not include_archived:
        stmt = stmt.where(IssueResponse.archived_at.is_(None))  # type: ignore[union-attr]
    return list(session.exec(stmt.order_by(IssueResponse.issue_id, IssueResponse.sort_order,
                                           IssueResponse.created_at)).all())


# --- needs and planned events ----------------------------------------------------------

def needs(session: Session, *, include_closed: bool = False) -> list[AssociationNeed]:
    stmt = select(AssociationNeed).where(AssociationNeed.archived_at.is_(None))  # type: ignore[union-attr]
    if not include_closed:
        stmt = stmt.where(AssociationNeed.status == "未対応")
    return list(session.exec(stmt.order_by(AssociationNeed.created_at)).all())


def get_need(session: Session, need_id: str) -> AssociationNeed | None:
    return session.get(AssociationNeed, need_id)


def need_theme_ids(session: Session, need_ids: list[str] | None = None) -> dict[str, list[str]]:
    stmt = select(AssociationNeedTheme)
    if need_ids is not None:
        stmt = stmt.where(AssociationNeedTheme.need_id.in_(need_ids))  # type: ignore[attr-defined]
    out: dict[str, list[str]] = defaultdict(list)
    for link in session.exec(stmt).all():
        out[link.need_id].append(link.theme_id)
    return out


def replace_need_themes(session: Session, need_id: str, theme_ids: list[str]) -> None:
    session.execute(delete(AssociationNeedTheme).where(AssociationNeedTheme.need_id == need_id))
    session.flush()
    if theme_ids:
        session.execute(insert(AssociationNeedTheme.__table__),  # type: ignore[attr-defined]
                        [{"need_id": need_id, "theme_id": t} for t in theme_ids])


def planned_events(session: Session) -> list[PlannedEvent]:
    return list(session.exec(select(PlannedEvent).where(PlannedEvent.archived_at.is_(None))  # type: ignore[union-attr]
                             .order_by(PlannedEvent.created_at)).all())


def event_association_ids(event: PlannedEvent) -> tuple[str, ...]:
    try:
        values = json.loads(event.association_ids or "[]")
    except ValueError:
        return ()
    return tuple(str(v) for v in values if v)


def count(session: Session, *, include_archived: bool = False) -> int:
    stmt = select(CollabIssue.id)
    if not include_archived:
        stmt = stmt.where(CollabIssue.archived_at.is_(None))  # type: ignore[union-attr]
    return len(session.exec(stmt).all())
