"""Merge official open data into the resource list (called from ``services.transfer``).

Rules:
- Match by official id (external_source + external_id), then by folded name plus phone digits or
  normalised address. Name matches are only proposed: unticked until the user confirms them;
  ticking one links the record (sets its external ids). An unticked name match writes nothing.
- Only official fields are updated: name, reading (when given), category, municipality, address,
  phone/FAX (only when the file has them and they are not empty), coordinates (when present) and URL
  (when present). Key persons, capabilities, procedures, notes, visit area, district (unless the
  municipality changes), e-mail and opening hours are the coordinator's and never touched;
  opening hours are filled from 利用可能曜日 for new records only.
- Records of the same source missing from the file are flagged (official_gone_at = file date),
  never deleted or archived; a later file listing them clears the flag.
- last_confirmed becomes the file date, with 「オープンデータ（file）」 as source, when newer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import re
from dataclasses import dataclass, field

from sqlalchemy import insert
from sqlmodel import Session

from zaitaku_desktop.domain.contact import phone_digits
from zaitaku_desktop.domain.resource import CleanResource, ResourceInput, resource_search_text, validate_resource
from zaitaku_desktop.domain.text import dash_to_hyphen, nfkc, search_key
from zaitaku_desktop.importers.open_data import CategorySpec, OfficialRow, OpenDataTable
from zaitaku_desktop.models import ChangeLog, Resource, ResourceDetail, ResourceRow, VocabItem, new_id, utcnow
from zaitaku_desktop.storage import history_repo, resource_repo, vocab_repo

from .resources import _PLAIN_FIELDS, ENTITY, ResourceService, input_from_row

log = logging.getLogger(__name__)

NEW, CHANGED, UNCHANGED, GONE, FUZZY = "new", "changed", "unchanged", "gone", "fuzzy"
GROUP_LABELS = {NEW: "新規", CHANGED: "変更", UNCHANGED: "変更なし", GONE: "掲載なし",
                FUZZY: "名称・住所で一致（要確認）"}
_NEW_CATEGORY = "new-category:"

# Field → label, in the order diffs are shown.
DIFF_LABELS = {
    "name": "名称", "reading": "読み", "category": "種別", "municipality": "市町村", "district": "地区",
    "address": "住所", "phone": "電話番号", "fax": "FAX番号", "url": "URL", "lat": "緯度", "lon": "経度",
    "last_confirmed": "最終確認日", "confirmed_source": "確認方法", "official_gone_at": "掲載なしの印",
    "official_date": "公式データの日付", "external": "公式データの番号",
}


@dataclass(frozen=True)
class FieldDiff:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class OpenDataItem:
    index: int
    group: str
    row: int  # line in the file (0 for records the file no longer lists)
    name: str
    category: str
    municipality: str
    resource_id: str | None
    external_source: str
    external_id: str
    diffs: tuple[FieldDiff, ...] = ()
    note: str = ""

    @property
    def selectable(self) -> bool:
        return self.group in (NEW, CHANGED, FUZZY)

    @property
    def group_label(self) -> str:
        return GROUP_LABELS[self.group]

    def diff_text(self) -> str:
        return "\n".join(f"{d.label}：{d.old or '（空）'} → {d.new or '（空）'}" for d in self.diffs)


@dataclass
class _Write:
    clean: CleanResource | None  # None: only official bookkeeping changes
    category: CategorySpec | None
    external: tuple[str, str]
    clear_gone: bool = False


@dataclass
class OpenDataPlan:
    kind: str
    format_label: str
    file_name: str
    official_date: dt.date
    outside_region: int
    items: list[OpenDataItem] = field(default_factory=list)
    new_categories: list[CategorySpec] = field(default_factory=list)
    selected: dict[int, bool] = field(default_factory=dict)
    _writes: dict[int, _Write] = field(default_factory=dict, repr=False)

    def count(self, group: str) -> int:
        return sum(1 for i in self.items if i.group == group)

    @property
    def new(self) -> int:
        return self.count(NEW)

    @property
    def changed(self) -> int:
        return self.count(CHANGED)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def gone(self) -> int:
        return self.count(GONE)

    @property
    def fuzzy(self) -> int:
        return self.count(FUZZY)

    def set_selected(self, index: int, value: bool) -> None:
        item = self.items[index]
        if not item.selectable:
            raise ValueError("this row cannot be ticked")
        self.selected[index] = value

    def is_selected(self, index: int) -> bool:
        return self.selected.get(index, False)

    def categories_needed(self) -> list[CategorySpec]:
        """New categories the ticked rows need (created on apply)."""
        names = {w.category.name for i, w in self._writes.items()
                 if w.category is not None and self.is_selected(i)}
        return [c for c in self.new_categories if c.name in names]


@dataclass(frozen=True)
class OpenDataResult:
    added: int
    updated: int
    linked: int
    flagged_gone: int
    categories_created: tuple[str, ...]


# --- keys -------------------------------------------------------------------------------------------

_PREF_RE = re.compile(r"^(北海道|東京都|京都府|大阪府|[^都道府県]{2,3}県)")


def address_key(text: str | None) -> str:
    key = search_key(dash_to_hyphen(nfkc(text or "")))
    return _PREF_RE.sub("", key)


def _addresses_match(a: str, b: str) -> bool:
    ka, kb = address_key(a), address_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    short, long_ = sorted((ka, kb), key=len)
    return len(short) >= 6 and long_.endswith(short)


def _show(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def confirmed_source_for(file_name: str) -> str:
    return f"オープンデータ（{file_name}）"


# --- planning ---------------------------------------------------------------------------------------

def plan_merge(table: OpenDataTable, stored: list[ResourceRow], vocab: dict[str, list[VocabItem]],
               official_date: dt.date, warnings: list, errors: list, row_error) -> OpenDataPlan:
    """Compare the file with the stored records. ``row_error(row, column, message)`` builds a RowError."""
    plan = OpenDataPlan(kind=table.kind, format_label=table.format_label, file_name=table.file_name,
                        official_date=official_date, outside_region=table.outside_region)
    categories = {c.name: c for c in vocab["category"]}
    municipalities = {m.id: m for m in vocab["municipality"]}
    districts = {d.id: d for d in vocab["district"]}
    proc_ids = {p.name: p.id for p in vocab["procedure"]}
    source_text = confirmed_source_for(table.file_name)
    today = max(dt.date.today(), official_date)

    by_external: dict[tuple[str, str], ResourceRow] = {}
    by_name: dict[str, list[ResourceRow]] = {}
    for r in stored:
        if r.external_source:
            by_external.setdefault((r.external_source, r.external_id), r)
        elif not r.archived:
            by_name.setdefault(search_key(r.name), []).append(r)
    claimed: set[str] = set()
    seen: dict[tuple[str, str], int] = {}
    new_category_names: dict[str, CategorySpec] = {}

    def category_id(spec: CategorySpec) -> str:
        found = categories.get(spec.name)
        if found is not None:
            return found.id
        new_category_names.setdefault(spec.name, spec)
        return _NEW_CATEGORY + spec.name

    def category_name(cid: str) -> str:
        if cid.startswith(_NEW_CATEGORY):
            return cid[len(_NEW_CATEGORY):] + "（新しい種別）"
        return next((c.name for c in categories.values() if c.id == cid), "")

    def add_item(group: str, row: OfficialRow | None, target: ResourceRow | None, diffs=(), note="",
                 write: _Write | None = None) -> None:
        index = len(plan.items)
        plan.items.append(OpenDataItem(
            index=index, group=group, row=row.row if row else 0,
            name=row.name if row else (target.name if target else ""),
            category=row.category.name if row else (target.category if target else ""),
            municipality=(municipalities[row.municipality_id].name if row and row.municipality_id in municipalities
                          else (target.municipality if target else "")),
            resource_id=target.id if target else None,
            external_source=row.external_source if row else (target.external_source if target else ""),
            external_id=row.external_id if row else (target.external_id if target else ""),
            diffs=tuple(diffs), note=note))
        if write is not None:
            plan._writes[index] = write
            plan.selected[index] = group in (NEW, CHANGED)

    for row in table.rows:
        key = (row.external_source, row.external_id)
        first = seen.get(key)
        if first is not None:
            errors.append(row_error(row.row, "", f"番号「{row.external_id}」が{first}行目と重複しているため、"
                                                 "この行は取り込みません"))
            continue
        seen[key] = row.row
        target = by_external.get(key)
        fuzzy = False
        if target is None:
            candidates = []
            for name in {search_key(row.name), search_key(row.alt_name)} - {""}:
                candidates.extend(by_name.get(name, ()))
            digits = phone_digits(row.phone) if row.phone else ""
            unique = list({c.id: c for c in candidates}.values())
            found = [c for c in unique if c.id not in claimed and (
                (digits and phone_digits(c.phone) == digits) or _addresses_match(c.address, row.address))]
            if len(found) == 1:
                target, fuzzy = found[0], True
            elif len(found) > 1:
                warnings.append(row_error(row.row, "", f"名称と住所・電話が同じ資源が{len(found)}件あるため、"
                                                       "新しい資源として追加します。重複していないか確かめてください"))
        if target is not None and target.id in claimed:
            errors.append(row_error(row.row, "", "この行はほかの行と同じ資源を指しているため、取り込みません"))
            continue
        cid = category_id(row.category)
        if target is None:
            data = ResourceInput(
                name=row.name, reading=row.reading, category_id=cid, municipality_id=row.municipality_id,
                address=row.address, phone=row.phone or "", fax=row.fax or "", url=row.url, lat=row.lat,
                lon=row.lon, opening_hours=row.opening_hours, last_confirmed=official_date,
                confirmed_source=source_text)
        else:
            claimed.add(target.id)
            detail = ResourceDetail(row=target, procedure_ids={
                proc_ids.get(name, name): mark for name, mark in target.procedure_marks.items()})
            data = input_from_row(detail)
            data.name = row.name
            if row.reading:
                data.reading = row.reading
            data.category_id = cid
            if data.municipality_id != row.municipality_id:
                data.municipality_id = row.municipality_id
                district = districts.get(data.district_id or "")
                if district is not None and district.parent_id != row.municipality_id:
                    data.district_id = None
            if row.address:
                data.address = row.address
            if row.phone:
                data.phone = row.phone
            if row.fax:
                data.fax = row.fax
            if row.lat is not None and row.lon is not None:
                data.lat, data.lon = row.lat, row.lon
            if row.url:
                data.url = row.url
            if target.last_confirmed is None or target.last_confirmed < official_date:
                data.last_confirmed = official_date
                data.confirmed_source = source_text
        clean, issues = validate_resource(data, today=today)
        bad = [i for i in issues if i.is_error]
        if clean is None or bad:
            for issue in bad:
                errors.append(row_error(row.row, DIFF_LABELS.get(issue.field, ""), issue.message))
            continue
        for issue in issues:
            if issue.field in ("phone", "fax"):
                warnings.append(row_error(row.row, DIFF_LABELS[issue.field], issue.message))
        spec = row.category if cid.startswith(_NEW_CATEGORY) else None
        if target is None:
            shown = {"name": clean.name, "reading": clean.reading, "category": row.category.name,
                     "municipality": municipalities[clean.municipality_id].name
                     if clean.municipality_id in municipalities else "",
                     "address": clean.address, "phone": clean.phone, "fax": clean.fax, "url": clean.url,
                     "lat": clean.lat, "lon": clean.lon, "last_confirmed": clean.last_confirmed}
            add_item(NEW, row, None, [FieldDiff(k, DIFF_LABELS[k], "", _show(v)) for k, v in shown.items()
                                      if v not in (None, "")],
                     note="新しい種別を作ります" if spec else "", write=_Write(clean, spec, key))
            continue
        diffs: list[FieldDiff] = []
        before = {"name": target.name, "reading": target.reading, "category": target.category,
                  "municipality": target.municipality,
                  "district": target.district, "address": target.address, "phone": target.phone,
                  "fax": target.fax, "url": target.url, "lat": target.lat, "lon": target.lon,
                  "last_confirmed": target.last_confirmed, "confirmed_source": target.confirmed_source}
        after = {"name": clean.name, "reading": clean.reading, "category": category_name(clean.category_id),
                 "municipality": municipalities[clean.municipality_id].name
                 if clean.municipality_id in municipalities else "",
                 "district": districts[clean.district_id].name if clean.district_id in districts else "",
                 "address": clean.address, "phone": clean.phone, "fax": clean.fax, "url": clean.url,
                 "lat": clean.lat, "lon": clean.lon, "last_confirmed": clean.last_confirmed,
                 "confirmed_source": clean.confirmed_source}
        for name, old in before.items():
            if old != after[name]:
                diffs.append(FieldDiff(name, DIFF_LABELS[name], _show(old), _show(after[name])))
        record_changed = bool(diffs)
        if target.official_gone_at is not None:
            diffs.append(FieldDiff("official_gone_at", DIFF_LABELS["official_gone_at"],
                                   _show(target.official_gone_at), ""))
        if target.official_date != official_date:
            diffs.append(FieldDiff("official_date", DIFF_LABELS["official_date"], _show(target.official_date),
                                   _show(official_date)))
        if fuzzy:
            diffs.append(FieldDiff("external", DIFF_LABELS["external"], "",
                                   f"{row.external_source} {row.external_id}"))
        write = _Write(clean if record_changed else None, spec, key,
                       clear_gone=target.official_gone_at is not None)
        if fuzzy:
            add_item(FUZZY, row, target, diffs, "名称・住所で一致（要確認）", write)
        elif diffs:
            add_item(CHANGED, row, target, diffs, write=write)
        else:
            add_item(UNCHANGED, row, target)

    covered = {r.municipality_id for r in table.rows}
    if table.total_rows == 0:
        # A header without rows (a failed download): do not flag every record as gone.
        warnings.append(row_error(1, "", "このファイルにはデータの行がありません。登録済みの資源に「掲載なし」の印は付けません"))
        stored = []
    for r in stored:
        if (r.archived or r.external_source not in table.sources
                or table.lists(r.external_source, r.external_id)):
            continue
        if not table.covers_all_municipalities and r.municipality_id not in covered:
            continue
        already = r.official_gone_at is not None
        add_item(GONE, None, r, diffs=() if already else (
            FieldDiff("official_gone_at", DIFF_LABELS["official_gone_at"], "", _show(official_date)),),
            note=f"{_show(r.official_gone_at)} から掲載なし" if already else "このファイルに載っていません（削除はしません）",
            write=None if already else _Write(None, None, (r.external_source, r.external_id)))
    plan.new_categories = list(new_category_names.values())
    return plan


# --- applying ---------------------------------------------------------------------------------------

def apply_plan(s: Session, resources: ResourceService, plan: OpenDataPlan, *, note: str,
               progress=None) -> OpenDataResult:
    """Write the ticked rows and the gone flags inside the caller's transaction."""
    created: list[str] = []
    category_ids: dict[str, str] = {}
    existing = {c.name: c.id for c in vocab_repo.list_items(s, "category", include_archived=True)}
    for spec in plan.categories_needed():
        if spec.name in existing:
            category_ids[spec.name] = existing[spec.name]
            continue
        row = vocab_repo.add(s, "category", name=spec.name, reading=spec.reading, group=spec.group)
        history_repo.record(s, entity="category", entity_id=row.id, action="create", user=resources.user,
                            changes={"name": [None, row.name]}, note=note)
        category_ids[spec.name] = row.id
        created.append(spec.name)
    names = resources.vocab_names(s)
    added = updated = linked = gone = 0
    new_rows = [(i, w) for i, w in plan._writes.items() if plan.items[i].group == NEW and plan.is_selected(i)]
    added = _insert_new(s, resources, plan, new_rows, category_ids, names, note)
    work = [(i, w) for i, w in plan._writes.items()
            if plan.items[i].group in (GONE, CHANGED, FUZZY) and (plan.items[i].group == GONE or plan.is_selected(i))]
    for done, (index, write) in enumerate(work, start=1):
        item = plan.items[index]
        if item.group == GONE:
            row = resource_repo.get(s, item.resource_id or "")
            if row is None or row.official_gone_at is not None:
                continue
            row.official_gone_at = plan.official_date
            history_repo.record(s, entity=ENTITY, entity_id=row.id, action="import", user=resources.user,
                                changes={"official_gone_at": [None, plan.official_date.isoformat()]}, note=note)
            gone += 1
            continue
        clean = write.clean
        if clean is not None and clean.category_id.startswith(_NEW_CATEGORY):
            clean = dataclasses.replace(clean, category_id=category_ids[clean.category_id[len(_NEW_CATEGORY):]])
        rid = item.resource_id
        if rid is not None and resource_repo.get(s, rid) is None:
            log.warning("open data import: a planned update target vanished; skipped")
            continue
        official_changes: dict[str, list] = {}
        if clean is not None:
            rid = resources.save_in_session(s, rid, clean, action="import", note=note, external=write.external,
                                            names=names)
        row = resource_repo.get(s, rid or "")
        assert row is not None
        if (row.external_source, row.external_id) != write.external:
            official_changes["external"] = [f"{row.external_source} {row.external_id}".strip(),
                                            " ".join(write.external)]
            row.external_source, row.external_id = write.external
        if row.official_gone_at is not None:
            official_changes["official_gone_at"] = [row.official_gone_at.isoformat(), None]
            row.official_gone_at = None
        if row.official_date != plan.official_date:
            official_changes["official_date"] = [_show(row.official_date), plan.official_date.isoformat()]
        row.official_date = plan.official_date
        row.official_file = plan.file_name
        if official_changes and (clean is None or item.resource_id is not None):
            history_repo.record(s, entity=ENTITY, entity_id=row.id, action="import", user=resources.user,
                                changes=official_changes, note=note)
        s.flush()
        if item.group == FUZZY:
            linked += 1
        else:
            updated += 1
        if progress is not None and done % 200 == 0:
            progress(done, len(work))
    if progress is not None:
        progress(len(work), len(work))
    log.info("open data applied: %d added, %d updated, %d linked, %d flagged gone, %d categories",
             added, updated, linked, gone, len(created))
    return OpenDataResult(added=added, updated=updated, linked=linked, flagged_gone=gone,
                          categories_created=tuple(created))


def _insert_new(s: Session, resources: ResourceService, plan: OpenDataPlan, work: list[tuple[int, _Write]],
                category_ids: dict[str, str], names: dict[str, dict[str, str]], note: str) -> int:
    """Insert new records in bulk (a national file can add hundreds): the same values and history
    as ``ResourceService.save_in_session`` writes for a new record without links."""
    if not work:
        return 0
    now = utcnow()
    resource_rows: list[dict] = []
    history_rows: list[dict] = []
    for _index, write in work:
        clean = write.clean
        assert clean is not None
        if clean.category_id.startswith(_NEW_CATEGORY):
            clean = dataclasses.replace(clean, category_id=category_ids[clean.category_id[len(_NEW_CATEGORY):]])
        rid = new_id()
        values = {attr: getattr(clean, attr) for attr in _PLAIN_FIELDS}
        resource_rows.append({
            **values, "id": rid, "created_at": now, "updated_at": now, "archived_at": None,
            "category_id": clean.category_id, "municipality_id": clean.municipality_id,
            "district_id": clean.district_id, "is_sample": False, "version": 1,
            "search_text": resource_search_text(
                name=clean.name, reading=clean.reading, address=clean.address, phone=clean.phone, fax=clean.fax,
                district=names["district"].get(clean.district_id or "", ""), key_persons=clean.key_persons,
                email=clean.email),
            "external_source": write.external[0], "external_id": write.external[1],
            "official_file": plan.file_name, "official_date": plan.official_date, "official_gone_at": None,
        })
        snap: dict[str, object] = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}
        snap["category"] = names["category"].get(clean.category_id) or next(
            (n for n, i in category_ids.items() if i == clean.category_id), "")
        snap["municipality"] = names["municipality"].get(clean.municipality_id or "", "")
        snap["district"] = names["district"].get(clean.district_id or "", "")
        changes = {k: [None, v] for k, v in snap.items() if v not in (None, "", [], {})}
        history_rows.append({"id": new_id(), "entity": ENTITY, "entity_id": rid, "action": "import",
                             "changed_at": now, "changed_by": resources.user,
                             "changes": json.dumps(changes, ensure_ascii=False, default=str), "note": note})
    s.execute(insert(Resource.__table__), resource_rows)  # type: ignore[arg-type]
    s.execute(insert(ChangeLog.__table__), history_rows)  # type: ignore[arg-type]
    s.flush()
    return len(resource_rows)
