"""Resources (providers) with their capabilities, procedure marks and key persons."""

from __future__ import annotations

import sys
from collections import defaultdict

from sqlalchemy import delete, insert, text
from sqlmodel import Session, select

from zaitaku_desktop.storage import portable
from zaitaku_desktop.storage.convert import as_date, as_utc_datetime
from zaitaku_desktop.models import (
    KeyPersonRead, KeyPersonRow, Resource, ResourceCapability, ResourceProcedure, ResourceRow, new_id,
)

_ROW_SQL = """
SELECT r.id, r.name, r.reading, r.category_id, c.name, r.municipality_id, m.name, r.district_id, d.name,
       r.postal_code, r.address, r.phone, r.fax, r.email, r.url, r.last_confirmed, r.confirmed_source,
       r.search_text, r.archived_at, r.is_sample, r.updated_at, r.lat, r.lon, r.visit_area, r.opening_hours,
       r.notes, r.shortstay_vacancies, r.shortstay_as_of, r.external_source, r.external_id, r.version,
       r.official_file, r.official_date, r.official_gone_at
FROM resource r
JOIN resource_category c ON c.id = r.category_id
LEFT JOIN municipality m ON m.id = r.municipality_id
LEFT JOIN district d ON d.id = r.district_id
"""


def load_rows(session: Session, *, include_archived: bool = True, ids: list[str] | None = None) -> list[ResourceRow]:
    """All resources as plain rows, in a handful of queries (fast enough for 50,000)."""
    # The raw DB-API cursor: SQLAlchemy's per-row result objects cost seconds at 50,000 rows.
    # Rows are read as the cursor yields them (no fetchall): the peak memory stays near the result's.
    cursor = portable.cursor(session)
    where = []
    params: list[object] = []
    if not include_archived:
        where.append("r.archived_at IS NULL")
    id_filter = ""
    if ids is not None:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        where.append(f"r.id IN ({marks})")
        params = list(ids)
        id_filter = f" WHERE x.resource_id IN ({marks})"
    sql = _ROW_SQL + (" WHERE " + " AND ".join(where) if where else "")

    # Vocabulary ids and names repeat on every row: share one string object for each
    # (at 50,000 rows this saves tens of megabytes).
    intern = sys.intern
    caps: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for rid, cid, cname, order in cursor.execute(
        "SELECT x.resource_id, c.id, c.name, c.sort_order FROM resource_capability x "
        "JOIN capability c ON c.id = x.capability_id" + id_filter, params):
        caps[rid].append((order, intern(cid), intern(cname)))
    procs: dict[str, dict[str, str]] = defaultdict(dict)
    for rid, pname, mark in cursor.execute(
        "SELECT x.resource_id, p.name, x.mark FROM resource_procedure x "
        "JOIN procedure p ON p.id = x.procedure_id" + id_filter, params):
        procs[rid][intern(pname)] = intern(mark)
    persons: dict[str, list[KeyPersonRead]] = defaultdict(list)
    for rid, name, role, phone in cursor.execute(
        "SELECT x.resource_id, x.name, x.role, x.phone FROM key_person x" + id_filter
        + " ORDER BY x.resource_id, x.sort_order", params):
        persons[rid].append(KeyPersonRead(name, intern(role), phone))

    rows: list[ResourceRow] = []
    capsets: dict[tuple[str, ...], frozenset[str]] = {}
    empty: dict[str, str] = {}
    for (rid, name, reading, cat_id, cat, mun_id, mun, dis_id, dis, postal, address, phone, fax, email, url,
         confirmed, source, search, archived, sample, updated, lat, lon, visit, hours, notes, vac, vac_at,
         ext_src, ext_id, version, off_file, off_date, off_gone) in cursor.execute(sql, params):
        rcaps = sorted(caps.get(rid, ()))
        cap_ids = tuple(c[1] for c in rcaps)
        capset = capsets.get(cap_ids)
        if capset is None:
            capset = capsets[cap_ids] = frozenset(cap_ids)
        rows.append(ResourceRow(
            id=rid, name=name, reading=reading, category_id=intern(cat_id), category=intern(cat),
            municipality_id=intern(mun_id) if mun_id else None, municipality=intern(mun) if mun else "",
            district_id=intern(dis_id) if dis_id else None, district=intern(dis) if dis else "",
            postal_code=postal, address=address, phone=phone, fax=fax, email=email, url=url,
            last_confirmed=as_date(confirmed), confirmed_source=intern(source),
            capability_ids=capset, capabilities=tuple(c[2] for c in rcaps),
            procedure_marks=procs.get(rid, empty), key_persons=tuple(persons.get(rid, ())),
            search_text=search, archived=archived is not None, is_sample=bool(sample),
            updated_at=as_utc_datetime(updated), lat=lat, lon=lon, visit_area=visit, opening_hours=hours,
            notes=notes, shortstay_vacancies=vac, shortstay_as_of=as_date(vac_at),
            external_source=ext_src, external_id=ext_id, version=version,
            official_file=intern(off_file) if off_file else "", official_date=as_date(off_date),
            official_gone_at=as_date(off_gone),
        ))
    cursor.close()
    return rows


def get(session: Session, resource_id: str) -> Resource | None:
    return session.get(Resource, resource_id)


def capability_ids(session: Session, resource_id: str) -> list[str]:
    return list(session.exec(select(ResourceCapability.capability_id)
                             .where(ResourceCapability.resource_id == resource_id)).all())


def procedure_marks(session: Session, resource_id: str) -> dict[str, str]:
    rows = session.exec(select(ResourceProcedure).where(ResourceProcedure.resource_id == resource_id)).all()
    return {r.procedure_id: r.mark for r in rows}


def key_persons(session: Session, resource_id: str) -> list[KeyPersonRow]:
    return list(session.exec(select(KeyPersonRow).where(KeyPersonRow.resource_id == resource_id)
                             .order_by(KeyPersonRow.sort_order)).all())


def replace_links(session: Session, resource_id: str, *, capability_ids: list[str],
                  procedure_marks: dict[str, str], persons: list[tuple[str, str, str]], is_new: bool = False) -> None:
    """Set a resource's capabilities, procedure marks and key persons (``is_new``: it has none yet)."""
    if not is_new:
        session.execute(delete(ResourceCapability).where(ResourceCapability.resource_id == resource_id))
        session.execute(delete(ResourceProcedure).where(ResourceProcedure.resource_id == resource_id))
        session.execute(delete(KeyPersonRow).where(KeyPersonRow.resource_id == resource_id))
    # Core inserts: building ORM objects for link rows costs more than the writes themselves.
    session.flush()
    if capability_ids:
        session.execute(insert(ResourceCapability.__table__),  # type: ignore[attr-defined]
                        [{"resource_id": resource_id, "capability_id": cid} for cid in capability_ids])
    if procedure_marks:
        session.execute(insert(ResourceProcedure.__table__),  # type: ignore[attr-defined]
                        [{"resource_id": resource_id, "procedure_id": pid, "mark": mark}
                         for pid, mark in procedure_marks.items()])
    if persons:
        session.execute(insert(KeyPersonRow.__table__),  # type: ignore[attr-defined]
                        [{"id": new_id(), "resource_id": resource_id, "name": name, "role": role, "phone": phone,
                          "sort_order": order} for order, (name, role, phone) in enumerate(persons)])


def find_by_external(session: Session, source: str, external_id: str) -> Resource | None:
    return session.exec(select(Resource).where(Resource.external_source == source,
                                               Resource.external_id == external_id)).first()


def count(session: Session, *, include_archived: bool = False) -> int:
    sql = "SELECT count(*) FROM resource" + ("" if include_archived else " WHERE archived_at IS NULL")
    return int(session.connection().execute(text(sql)).scalar_one())
