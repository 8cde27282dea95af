"""The resource list (task ア): create, edit, archive, history, summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlmodel import Session

from zaitaku_desktop.domain.errors import NotFoundError, ValidationError
from zaitaku_desktop.domain.resource import (
    CleanResource, KeyPerson, ResourceInput, resource_search_text, validate_resource,
)
from zaitaku_desktop.domain.vocab import KAMAISHI_TABLE_ORDER
from zaitaku_desktop.models import (
    ChangeRead, Resource, ResourceDetail, ResourceRow, VocabItem, utcnow,
)
from zaitaku_desktop.services.conflicts import StaleRecordError, stale_record
from zaitaku_desktop.storage import history_repo, resource_repo, vocab_repo
from zaitaku_desktop.storage.database import Database

ENTITY = "resource"

# Fields compared for the history, with the Japanese label shown to the user.
FIELD_LABELS: dict[str, str] = {
    "name": "名称", "reading": "読み", "category": "種別", "municipality": "市町村", "district": "地区",
    "postal_code": "郵便番号", "address": "住所", "phone": "電話番号", "fax": "FAX番号", "email": "メール",
    "url": "URL", "lat": "緯度", "lon": "経度", "opening_hours": "営業日・時間", "visit_area": "訪問エリア",
    "notes": "備考", "last_confirmed": "最終確認日", "confirmed_source": "確認方法",
    "shortstay_vacancies": "ショートステイ空き", "shortstay_as_of": "空き状況の日付",
    "capabilities": "サービス・対応", "procedures": "医療処置", "key_persons": "キーパーソン",
    "archived": "アーカイブ", "form_sent": "確認票の送付日",
}
_PLAIN_FIELDS = ("name", "reading", "postal_code", "address", "phone", "fax", "email", "url", "lat", "lon",
                 "opening_hours", "visit_area", "notes", "last_confirmed", "confirmed_source",
                 "shortstay_vacancies", "shortstay_as_of")


@dataclass(frozen=True)
class SummaryData:
    """Kamaishi's table: categories × municipalities, plus capability counts per category."""

    municipalities: list[str]
    categories: list[str]
    counts: dict[tuple[str, str], int]  # (category, municipality) → count
    capability_counts: list[tuple[str, str, int]] = field(default_factory=list)  # (category, capability, n)

    def row_total(self, category: str) -> int:
        return sum(self.counts.get((category, m), 0) for m in self.municipalities) + self.counts.get((category, ""), 0)

    def column_total(self, municipality: str) -> int:
        return sum(self.counts.get((c, municipality), 0) for c in self.categories)

    @property
    def has_unassigned(self) -> bool:
        return any(m == "" and n for (_, m), n in self.counts.items())

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class ResourceService:
    def __init__(self, db: Database, *, user: str = "") -> None:
        self.db = db
        self.user = user

    # --- reading -------------------------------------------------------------------
    def list_rows(self, *, include_archived: bool = True) -> list[ResourceRow]:
        with self.db.session() as s:
            return resource_repo.load_rows(s, include_archived=include_archived)

    def get(self, resource_id: str) -> ResourceDetail:
        with self.db.session() as s:
            rows = resource_repo.load_rows(s, ids=[resource_id])
            if not rows:
                raise NotFoundError("この資源は見つかりません。ほかの操作で変更された可能性があります。")
            row = resource_repo.get(s, resource_id)
            assert row is not None
            return ResourceDetail(row=rows[0], procedure_ids=resource_repo.procedure_marks(s, resource_id),
                                  created_at=row.created_at)

    def history(self, resource_id: str) -> list[ChangeRead]:
        with self.db.session() as s:
            return history_repo.for_entity(s, ENTITY, resource_id)

    def count(self) -> int:
        with self.db.session() as s:
            return resource_repo.count(s)

    # --- writing -------------------------------------------------------------------
    def create(self, data: ResourceInput, *, is_sample: bool = False) -> ResourceRow:
        clean = self._validated(data)
        with self.db.session() as s:
            rid = self.save_in_session(s, None, clean, is_sample=is_sample)
            return resource_repo.load_rows(s, ids=[rid])[0]

    def update(self, resource_id: str, data: ResourceInput, *, expected_version: int | None = None) -> ResourceRow:
        clean = self._validated(data)
        with self.db.session() as s:
            row = resource_repo.get(s, resource_id)
            if row is None:
                raise NotFoundError("この資源は見つかりません。ほかの操作で変更された可能性があります。")
            if expected_version is not None and row.version != expected_version:
                raise self._stale(s, row, clean, expected_version)
            self.save_in_session(s, resource_id, clean)
            return resource_repo.load_rows(s, ids=[resource_id])[0]

    def set_archived(self, resource_id: str, archived: bool, *, note: str = "") -> ResourceRow:
        with self.db.session() as s:
            row = resource_repo.get(s, resource_id)
            if row is None:
                raise NotFoundError("この資源は見つかりません。")
            if history_repo.set_archived(s, row, archived, entity=ENTITY, user=self.user, note=note):
                s.flush()
            return resource_repo.load_rows(s, ids=[resource_id])[0]

    def save_in_session(self, s: Session, resource_id: str | None, clean: CleanResource, *,
                        is_sample: bool = False, action: str | None = None, note: str = "",
                        external: tuple[str, str] | None = None,
                        names: dict[str, dict[str, str]] | None = None) -> str:
        """Insert or update one resource inside the caller's session; record the history.

        Bulk callers pass ``names`` (from ``vocab_names``) once for the whole batch.
        """
        names = names if names is not None else self.vocab_names(s)
        district_name = names["district"].get(clean.district_id or "", "")
        search = resource_search_text(
            name=clean.name, reading=clean.reading, address=clean.address, phone=clean.phone, fax=clean.fax,
            district=district_name, key_persons=clean.key_persons, email=clean.email,
        )
        if resource_id is None:
            row = Resource(name=clean.name, category_id=clean.category_id, is_sample=is_sample)
            s.add(row)
            before: dict[str, object] = {}
        else:
            found = resource_repo.get(s, resource_id)
            if found is None:
                raise NotFoundError("この資源は見つかりません。")
            row = found
            before = self._snapshot(
                row, names, resource_repo.capability_ids(s, row.id), resource_repo.procedure_marks(s, row.id),
                [(p.name, p.role, p.phone) for p in resource_repo.key_persons(s, row.id)])
        for attr in _PLAIN_FIELDS:
            setattr(row, attr, getattr(clean, attr))
        row.category_id = clean.category_id
        row.municipality_id = clean.municipality_id
        row.district_id = clean.district_id
        row.search_text = search
        if external is not None:
            row.external_source, row.external_id = external
        s.flush()
        persons = [(p.name, p.role, p.phone) for p in clean.key_persons]
        resource_repo.replace_links(
            s, row.id, capability_ids=clean.capability_ids, procedure_marks=clean.procedure_marks, persons=persons,
            is_new=resource_id is None,
        )
        after = self._snapshot(row, names, clean.capability_ids, clean.procedure_marks, persons)
        if resource_id is None:
            changes = {k: [None, v] for k, v in after.items() if v not in (None, "", [], {})}
            history_repo.record(s, entity=ENTITY, entity_id=row.id, action=action or "create", user=self.user,
                                changes=changes, note=note)
        else:
            changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
            if changes:
                row.updated_at = utcnow()
                row.version += 1
                history_repo.record(s, entity=ENTITY, entity_id=row.id, action=action or "update",
                                    user=self.user, changes=changes, note=note)
        s.flush()  # the rows are read back with raw SQL, which does not autoflush (version, updated_at)
        return row.id

    def refold_after_rename(self, s: Session, kind: str, item_id: str) -> None:
        """A 地区 was renamed: the search text of its resources carries the old name."""
        if kind != "district":
            return
        ids = [r[0] for r in s.connection().execute(
            text("SELECT id FROM resource WHERE district_id = :d"), {"d": item_id})]
        for row in resource_repo.load_rows(s, ids=ids) if ids else []:
            search = resource_search_text(
                name=row.name, reading=row.reading, address=row.address, phone=row.phone, fax=row.fax,
                district=row.district, key_persons=[KeyPerson(p.name, p.role, p.phone) for p in row.key_persons],
                email=row.email)
            s.connection().execute(text("UPDATE resource SET search_text = :t WHERE id = :i"),
                                   {"t": search, "i": row.id})

    # --- summary ---------------------------------------------------------------------
    def summary(self, *, include_archived: bool = False) -> SummaryData:
        with self.db.session() as s:
            rows = resource_repo.load_rows(s, include_archived=include_archived)
            municipality_items = vocab_repo.list_items(s, "municipality", include_archived=True)
            municipalities = [m.name for m in municipality_items]
            category_items = vocab_repo.list_items(s, "category", include_archived=True)
            capability_items = vocab_repo.list_items(s, "capability", include_archived=True)
        if not include_archived:
            rows = [r for r in rows if not r.archived]
        order = {name: i for i, name in enumerate(KAMAISHI_TABLE_ORDER)}
        cat_names = [c.name for c in sorted(category_items, key=lambda c: (order.get(c.name, 999), c.sort_order))
                     if not c.archived or any(r.category_id == c.id for r in rows)]
        counts: dict[tuple[str, str], int] = {}
        cap_counts: dict[tuple[str, str], int] = {}
        for r in rows:
            key = (r.category, r.municipality if r.municipality in municipalities else "")
            counts[key] = counts.get(key, 0) + 1
            for cap in r.capabilities:
                cap_counts[(r.category, cap)] = cap_counts.get((r.category, cap), 0) + 1
        cap_order = [c.name for c in capability_items]
        capability_counts = [
            (cat, cap, cap_counts[(cat, cap)])
            for cat in cat_names for cap in cap_order if cap_counts.get((cat, cap))
        ]
        # A column for every municipality in use, and for archived ones that still have records.
        used = {k[1] for k in counts}
        columns = [m.name for m in municipality_items if not m.archived or m.name in used]
        return SummaryData(municipalities=columns, categories=cat_names, counts=counts,
                           capability_counts=capability_counts)

    # --- helpers ---------------------------------------------------------------------
    def _stale(self, s: Session, row: Resource, clean: CleanResource, expected_version: int) -> StaleRecordError:
        """The refusal of a save based on an old version: their stored values beside the typed ones."""
        names = self.vocab_names(s)
        theirs = self._snapshot(row, names, resource_repo.capability_ids(s, row.id),
                                resource_repo.procedure_marks(s, row.id),
                                [(p.name, p.role, p.phone) for p in resource_repo.key_persons(s, row.id)])
        mine = Resource(**{a: getattr(clean, a) for a in _PLAIN_FIELDS}, category_id=clean.category_id,
                        municipality_id=clean.municipality_id, district_id=clean.district_id)
        yours = self._snapshot(mine, names, clean.capability_ids, clean.procedure_marks,
                               [(p.name, p.role, p.phone) for p in clean.key_persons])
        return stale_record(s, entity=ENTITY, entity_id=row.id, version=row.version,
                            expected_version=expected_version, labels=FIELD_LABELS, theirs=theirs, yours=yours,
                            what="この資源")

    def _validated(self, data: ResourceInput) -> CleanResource:
        clean, issues = validate_resource(data)
        if clean is None:
            raise ValidationError(issues=issues)
        return clean

    @staticmethod
    def vocab_names(s: Session) -> dict[str, dict[str, str]]:
        """id → name for each vocabulary the history shows."""
        out: dict[str, dict[str, str]] = {}
        for kind in ("category", "municipality", "district", "capability", "procedure"):
            out[kind] = {i.id: i.name for i in vocab_repo.list_items(s, kind, include_archived=True)}
        return out

    @staticmethod
    def _snapshot(row: Resource, names: dict[str, dict[str, str]], capability_ids: list[str],
                  procedure_marks: dict[str, str], persons: list[tuple[str, str, str]]) -> dict[str, object]:
        """The record as the history compares it: plain values, vocabulary names."""
        snap: dict[str, object] = {}
        for attr in _PLAIN_FIELDS:
            value = getattr(row, attr)
            snap[attr] = value.isoformat() if isinstance(value, dt.date) else value
        snap["category"] = names["category"].get(row.category_id, "")
        snap["municipality"] = names["municipality"].get(row.municipality_id or "", "")
        snap["district"] = names["district"].get(row.district_id or "", "")
        snap["capabilities"] = sorted(names["capability"].get(c, c) for c in capability_ids)
        snap["procedures"] = {names["procedure"].get(p, p): m for p, m in sorted(procedure_marks.items())}
        snap["key_persons"] = [name + (f"（{role}）" if role else "") + (f" {phone}" if phone else "")
                               for name, role, phone in persons]
        return snap


def input_from_row(detail: ResourceDetail) -> ResourceInput:
    """The form values for an existing record (used by the edit dialog and importers)."""
    r = detail.row
    return ResourceInput(
        name=r.name, reading=r.reading, category_id=r.category_id, municipality_id=r.municipality_id,
        district_id=r.district_id, postal_code=r.postal_code, address=r.address, phone=r.phone, fax=r.fax,
        email=r.email, url=r.url, lat=r.lat, lon=r.lon, opening_hours=r.opening_hours,
        visit_area=r.visit_area, notes=r.notes, last_confirmed=r.last_confirmed,
        confirmed_source=r.confirmed_source, shortstay_vacancies=r.shortstay_vacancies,
        shortstay_as_of=r.shortstay_as_of, capability_ids=sorted(r.capability_ids),
        procedure_marks=dict(detail.procedure_ids),
        key_persons=[KeyPerson(p.name, p.role, p.phone) for p in r.key_persons],
    )


def vocab_lookup(items: list[VocabItem]) -> dict[str, VocabItem]:
    return {i.id: i for i in items}
