"""Resources (providers) with their capabilities, procedure marks and key persons."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import delete, text
from sqlmodel import Session, select

from zaitaku_desktop.models import (
    KeyPersonRead, KeyPersonRow, Resource, ResourceCapability, ResourceProcedure, ResourceRow,
)

_ROW_SQL = """
SELECT r.id, r.name, r.reading, r.category_id, c.name, r.municipality_id, m.name, r.district_id, d.name,
       r.postal_code, r.address, r.phone, r.fax, r.email, r.url, r.last_confirmed, r.confirmed_source,
       r.search_text, r.archived_at, r.is_sample, r.updated_at, r.lat, r.lon, r.visit_area, r.opening_hours,
       r.notes, r.shortstay_vacancies, r.shortstay_as_of, r.external_source, r.external_id, r.version
FROM resource r
JOIN resource_category c ON c.id = r.category_id
LEFT JOIN municipality m ON m.id = r.municipality_id
LEFT JOIN district d ON d.id = r.district_id
"""


def _date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value  # type: ignore[return-value]
    return dt.date.fromisoformat(str(value)[:10])


def _datetime(value: object) -> dt.datetime:
    """Stored timestamps are UTC without an offset; give them one back."""
    stamp = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)


def load_rows(session: Session, *, include_archived: bool = True, ids: list[str] | None = None) -> list[ResourceRow]:
    """All resources as plain rows, in a handful of queries (fast enough for 50,000)."""
    conn = session.connection()
    where = []
    params: dict[str, object] = {}
    if not include_archived:
        where.append("r.archived_at IS NULL")
    if ids is not None:
        if not ids:
            return []
        names = []
        for i, value in enumerate(ids):
            params[f"id{i}"] = value
            names.append(f":id{i}")
        where.append(f"r.id IN ({','.join(names)})")
    sql = _ROW_SQL + (" WHERE " + " AND ".join(where) if where else "")
    base = conn.execute(text(sql), params).all()

    id_filter = ""
    if ids is not None:
        id_filter = f" WHERE x.resource_id IN ({','.join(f':id{i}' for i in range(len(ids)))})"
    caps: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for rid, cid, cname, order in conn.execute(text(
        "SELECT x.resource_id, c.id, c.name, c.sort_order FROM resource_capability x "
        "JOIN capability c ON c.id = x.capability_id" + id_filter), params):
        caps[rid].append((order, cid, cname))
    procs: dict[str, dict[str, str]] = defaultdict(dict)
    for rid, pname, mark in conn.execute(text(
        "SELECT x.resource_id, p.name, x.mark FROM resource_procedure x "
        "JOIN procedure p ON p.id = x.procedure_id" + id_filter), params):
        procs[rid][pname] = mark
    persons: dict[str, list[KeyPersonRead]] = defaultdict(list)
    for rid, name, role, phone in conn.execute(text(
        "SELECT x.resource_id, x.name, x.role, x.phone FROM key_person x" + id_filter
        + " ORDER BY x.resource_id, x.sort_order"), params):
        persons[rid].append(KeyPersonRead(name, role, phone))

    rows: list[ResourceRow] = []
    for (rid, name, reading, cat_id, cat, mun_id, mun, dis_id, dis, postal, address, phone, fax, email, url,
         confirmed, source, search, archived, sample, updated, lat, lon, visit, hours, notes, vac, vac_at,
         ext_src, ext_id, version) in base:
        rcaps = sorted(caps.get(rid, ()))
        rows.append(ResourceRow(
            id=rid, name=name, reading=reading, category_id=cat_id, category=cat,
            municipality_id=mun_id, municipality=mun or "", district_id=dis_id, district=dis or "",
            postal_code=postal, address=address, phone=phone, fax=fax, email=email, url=url,
            last_confirmed=_date(confirmed), confirmed_source=source,
            capability_ids=frozenset(c[1] for c in rcaps), capabilities=tuple(c[2] for c in rcaps),
            procedure_marks=procs.get(rid, {}), key_persons=tuple(persons.get(rid, ())),
            search_text=search, archived=archived is not None, is_sample=bool(sample),
            updated_at=_datetime(updated), lat=lat, lon=lon, visit_area=visit, opening_hours=hours,
            notes=notes, shortstay_vacancies=vac, shortstay_as_of=_date(vac_at),
            external_source=ext_src, external_id=ext_id, version=version,
        ))
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
                  procedure_marks: dict[str, str], persons: list[tuple[str, str, str]]) -> None:
    session.execute(delete(ResourceCapability).where(ResourceCapability.resource_id == resource_id))
    session.execute(delete(ResourceProcedure).where(ResourceProcedure.resource_id == resource_id))
    session.execute(delete(KeyPersonRow).where(KeyPersonRow.resource_id == resource_id))
    for cid in capability_ids:
        session.add(ResourceCapability(resource_id=resource_id, capability_id=cid))
    for pid, mark in procedure_marks.items():
        session.add(ResourceProcedure(resource_id=resource_id, procedure_id=pid, mark=mark))
    for order, (name, role, phone) in enumerate(persons):
        session.add(KeyPersonRow(resource_id=resource_id, name=name, role=role, phone=phone, sort_order=order))


def find_by_external(session: Session, source: str, external_id: str) -> Resource | None:
    return session.exec(select(Resource).where(Resource.external_source == source,
                                               Resource.external_id == external_id)).first()


def count(session: Session, *, include_archived: bool = False) -> int:
    sql = "SELECT count(*) FROM resource" + ("" if include_archived else " WHERE archived_at IS NULL")
    return int(session.connection().execute(text(sql)).scalar_one())
