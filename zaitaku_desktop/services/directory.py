"""Printed resource handouts: the directory booklet, the emergency contact sheet (災害時連絡先一覧) and the
provider update form (資源情報確認票) with its round trip (sent → returned → confirmed).

Builds the reports' plain data from the resource list and writes the files atomically. When update forms
are printed, each provider gets a ``form_sent`` entry in its change history; a returned form marks the
record confirmed (最終確認日 = the date returned, 確認方法 = 確認票). "Not answered" = sent, and not
confirmed since (by the form or otherwise).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from sqlalchemy import text

from zaitaku_desktop import paths
from zaitaku_desktop.domain.errors import FieldIssue, NotFoundError, ValidationError
from zaitaku_desktop.domain.text import reading_sort_key, search_key
from zaitaku_desktop.exports.atomic import write_atomically
from zaitaku_desktop.models import ResourceRow, VocabItem
from zaitaku_desktop.reports.directory import DirectoryData, DirectoryEntry, DirectorySection, write_directory
from zaitaku_desktop.reports.emergency import EmergencyData, EmergencyEntry, write_emergency_sheet
from zaitaku_desktop.reports.update_form import UpdateFormData, UpdateFormEntry, write_update_forms
from zaitaku_desktop.storage import history_repo, resource_repo
from zaitaku_desktop.storage.database import Database

from .resources import ENTITY, ResourceService
from .vocab import VocabService

log = logging.getLogger(__name__)

# What makes a provider belong on the emergency sheet: this capability (by name, from the capability
# vocabulary) or a ○/△ for one of these procedures (the patients who depend on power or on a machine).
EMERGENCY_CAPABILITY = "24時間対応"
EMERGENCY_PROCEDURES: tuple[str, ...] = ("人工呼吸器", "在宅酸素", "透析")
EMERGENCY_MARKS = ("○", "△")
CONFIRM_SOURCE = "確認票"
FORM_SENT_ACTION = "form_sent"


@dataclass(frozen=True)
class HandoutResult:
    path: Path
    entries: int
    pages: int


@dataclass(frozen=True)
class FormStatus:
    resource_id: str
    name: str
    category: str
    municipality: str
    sent_on: dt.date
    last_confirmed: dt.date | None
    confirmed_source: str

    @property
    def answered(self) -> bool:
        # confirmed since the form went out: by the form, or by a call or a visit meanwhile
        return self.last_confirmed is not None and self.last_confirmed >= self.sent_on


def _reading_order(rows: Iterable[ResourceRow]) -> list[ResourceRow]:
    return sorted(rows, key=lambda r: (reading_sort_key(r.reading, r.name), r.name))


class DirectoryService:
    def __init__(self, db: Database, resources: ResourceService, vocab: VocabService, *,
                 fonts_dir: Path | None = None, user: str = "") -> None:
        self.db = db
        self.resources = resources
        self.vocab = vocab
        self.fonts_dir = Path(fonts_dir) if fonts_dir is not None else paths.fonts_dir()
        self.user = user

    # --- look-ups -------------------------------------------------------------------------------
    def find(self, kind: str, wanted: str) -> VocabItem:
        """A municipality or category (``kind``) by id or name (width/kana-insensitive, or a unique part)."""
        label = {"municipality": "市町村", "category": "種別", "district": "地区"}.get(kind, kind)
        items = self.vocab.list(kind, include_archived=True)
        wanted = (wanted or "").strip()
        key = search_key(wanted)
        for pick in ([i for i in items if i.id == wanted], [i for i in items if search_key(i.name) == key],
                     [i for i in items if key and key in search_key(i.name) and not i.archived]):
            if len(pick) == 1:
                return pick[0]
            if len(pick) > 1:
                raise NotFoundError(f"{label}「{wanted}」に当てはまるものが複数あります：" + "、".join(i.name for i in pick))
        names = "、".join(i.name for i in items if not i.archived)
        raise NotFoundError(f"{label}「{wanted}」が見つかりません。登録されている{label}：{names}")

    def _rows(self, municipality_id: str | None = None, district_id: str | None = None,
              category_ids: Iterable[str] | None = None) -> list[ResourceRow]:
        cats = set(category_ids) if category_ids else None
        return [r for r in self.resources.list_rows(include_archived=False)
                if not r.archived and (municipality_id is None or r.municipality_id == municipality_id)
                and (district_id is None or r.district_id == district_id)
                and (cats is None or r.category_id in cats)]

    def _scope(self, municipality_id: str | None, district_id: str | None,
               category_ids: Iterable[str] | None) -> str:
        parts = []
        for kind, ids in (("municipality", [municipality_id] if municipality_id else []),
                          ("district", [district_id] if district_id else []), ("category", list(category_ids or []))):
            names = {i.id: i.name for i in self.vocab.list(kind, include_archived=True)}
            parts += [names.get(i, "") for i in ids if names.get(i)]
        return "・".join(parts)

    def _procedure_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.vocab.list("procedure"))

    # --- the directory booklet -----------------------------------------------------------------
    def directory_data(self, *, municipality_id: str | None = None, district_id: str | None = None,
                       category_ids: Iterable[str] | None = None, issued_on: dt.date | None = None,
                       publisher: str = "", date_style: str = "wareki") -> DirectoryData:
        """Sections by category (in the category order), entries in 五十音 order of their reading."""
        category_ids = list(category_ids or [])
        rows = self._rows(municipality_id, district_id, category_ids)
        columns = self._procedure_names()
        by_cat: dict[str, list[ResourceRow]] = {}
        for r in rows:
            by_cat.setdefault(r.category_id, []).append(r)
        sections = []
        for cat in self.vocab.list("category", include_archived=True):
            if cat.id not in by_cat and (cat.archived or (category_ids and cat.id not in category_ids)):
                continue
            entries = tuple(DirectoryEntry(
                name=r.name, reading=r.reading, municipality=r.municipality if not municipality_id else "",
                district=r.district, postal_code=r.postal_code, address=r.address, phone=r.phone, fax=r.fax,
                services=r.capabilities, marks=tuple(r.procedure_marks.get(c, "") for c in columns),
                last_confirmed=r.last_confirmed) for r in _reading_order(by_cat.get(cat.id, [])))
            if entries or category_ids:
                sections.append(DirectorySection(cat.name, entries))
        return DirectoryData(sections=tuple(sections), matrix_columns=columns, issued_on=issued_on or dt.date.today(),
                             scope=self._scope(municipality_id, district_id, category_ids), publisher=publisher,
                             date_style=date_style)

    def directory_pdf(self, out: Path, **options) -> HandoutResult:
        data = self.directory_data(**options)
        return self._write(out, lambda f: write_directory(data, f, fonts_dir=self.fonts_dir), data.entry_count,
                           "directory")

    # --- the emergency contact sheet ------------------------------------------------------------
    def emergency_data(self, *, issued_on: dt.date | None = None, publisher: str = "", hub_phone: str = "",
                       date_style: str = "wareki") -> EmergencyData:
        """Providers with 24時間対応, or able (○/△) to take patients on 人工呼吸器 / 在宅酸素 / 透析.
        Only the providers' own contacts: no personal data of citizens."""
        procedures = tuple(p for p in EMERGENCY_PROCEDURES if p in self._procedure_names())
        order = {c.id: i for i, c in enumerate(self.vocab.list("category", include_archived=True))}
        entries = []
        for r in sorted(self._rows(), key=lambda r: (order.get(r.category_id, 999),
                                                     reading_sort_key(r.reading, r.name))):
            all_day = EMERGENCY_CAPABILITY in r.capabilities
            marks = tuple(r.procedure_marks.get(p, "") for p in procedures)
            if not all_day and not any(m in EMERGENCY_MARKS for m in marks):
                continue
            entries.append(EmergencyEntry(
                name=r.name, category=r.category, municipality=r.municipality, phone=r.phone, fax=r.fax,
                key_persons=tuple((p.name, p.role, p.phone) for p in r.key_persons), all_day=all_day,
                marks=marks))
        return EmergencyData(entries=tuple(entries), procedure_columns=procedures,
                             issued_on=issued_on or dt.date.today(), publisher=publisher, hub_phone=hub_phone,
                             date_style=date_style)

    def emergency_pdf(self, out: Path, **options) -> HandoutResult:
        data = self.emergency_data(**options)
        return self._write(out, lambda f: write_emergency_sheet(data, f, fonts_dir=self.fonts_dir),
                           len(data.entries), "emergency sheet")

    # --- the update form and its round trip -----------------------------------------------------
    def update_form_data(self, *, municipality_id: str | None = None, category_ids: Iterable[str] | None = None,
                         resource_ids: Iterable[str] | None = None, hub_name: str = "", hub_fax: str = "",
                         hub_phone: str = "", reply_by: dt.date | None = None, issued_on: dt.date | None = None,
                         date_style: str = "wareki") -> UpdateFormData:
        rows = self._rows(municipality_id, None, category_ids)
        if resource_ids is not None:
            wanted = set(resource_ids)
            rows = [r for r in rows if r.id in wanted]
        order = {c.id: i for i, c in enumerate(self.vocab.list("category", include_archived=True))}
        rows.sort(key=lambda r: (order.get(r.category_id, 999), reading_sort_key(r.reading, r.name)))
        forms = tuple(UpdateFormEntry(
            resource_id=r.id, name=r.name, reading=r.reading, category=r.category, municipality=r.municipality,
            district=r.district, postal_code=r.postal_code, address=r.address, phone=r.phone, fax=r.fax,
            email=r.email, url=r.url, opening_hours=r.opening_hours, visit_area=r.visit_area,
            capabilities=frozenset(r.capabilities), marks=dict(r.procedure_marks),
            key_persons=tuple((p.name, p.role, p.phone) for p in r.key_persons), last_confirmed=r.last_confirmed)
            for r in rows)
        return UpdateFormData(
            forms=forms, capability_columns=tuple(c.name for c in self.vocab.list("capability")),
            procedure_columns=self._procedure_names(), hub_name=hub_name, hub_fax=hub_fax, hub_phone=hub_phone,
            reply_by=reply_by, issued_on=issued_on or dt.date.today(), date_style=date_style)

    def update_forms_pdf(self, out: Path, *, record_sent: bool = True, **options) -> HandoutResult:
        """Print the forms (one provider a page) and, once the file is written, note them as sent."""
        data = self.update_form_data(**options)
        if not data.forms:
            raise ValidationError([FieldIssue("resources", "条件に当てはまる資源がないため、確認票を作れません。"
                                                           "市町村や種別の選び方を変えてください。")])
        result = self._write(out, lambda f: write_update_forms(data, f, fonts_dir=self.fonts_dir),
                             len(data.forms), "update forms")
        if record_sent:
            self.record_forms_sent([f.resource_id for f in data.forms], data.issued_on)
        return result

    def record_forms_sent(self, resource_ids: Iterable[str], sent_on: dt.date) -> int:
        """One ``form_sent`` history entry per resource, in one transaction."""
        ids = list(dict.fromkeys(resource_ids))
        with self.db.session() as s:
            for rid in ids:
                history_repo.record(s, entity=ENTITY, entity_id=rid, action=FORM_SENT_ACTION, user=self.user,
                                    changes={"form_sent": [None, sent_on.isoformat()]})
        log.info("update forms recorded as sent: %d", len(ids))
        return len(ids)

    def mark_confirmed(self, resource_id: str, returned_on: dt.date) -> ResourceRow:
        """A returned form was keyed in: 最終確認日 = ``returned_on``, 確認方法 = 確認票 (one transaction,
        recorded in the history)."""
        if returned_on > dt.date.today():
            raise ValidationError([FieldIssue("returned_on", "返送された日に、今日より後の日付は入れられません。")])
        with self.db.session() as s:
            row = resource_repo.get(s, resource_id)
            if row is None:
                raise NotFoundError("この資源は見つかりません。ほかの操作で変更された可能性があります。")
            if row.last_confirmed and row.last_confirmed > returned_on:
                raise ValidationError([FieldIssue(
                    "returned_on", f"この資源は、返送日より後の {row.last_confirmed:%Y/%m/%d} にすでに確認されています。"
                                   "返送日を確かめてください。")])
            if history_repo.apply_changes(s, row, {"last_confirmed": returned_on, "confirmed_source": CONFIRM_SOURCE},
                                          entity=ENTITY, user=self.user, note="確認票の返送"):
                row.version += 1
            s.flush()
            return resource_repo.load_rows(s, ids=[resource_id])[0]

    def forms_status(self, *, since: dt.date | None = None) -> dict[str, FormStatus]:
        """The latest form sent to each (non-archived) resource, on or after ``since``."""
        with self.db.session() as s:
            sent: dict[str, dt.date] = {}
            for rid, changes in s.connection().execute(text(
                    "SELECT entity_id, changes FROM change_log WHERE entity = :e AND action = :a"),
                    {"e": ENTITY, "a": FORM_SENT_ACTION}):
                value = (json.loads(changes or "{}").get("form_sent") or [None, None])[1]
                try:
                    day = dt.date.fromisoformat(value)
                except (TypeError, ValueError):
                    continue
                if (since is None or day >= since) and day > sent.get(rid, dt.date.min):
                    sent[rid] = day
            rows = resource_repo.load_rows(s, ids=list(sent), include_archived=False) if sent else []
        return {r.id: FormStatus(r.id, r.name, r.category, r.municipality, sent[r.id], r.last_confirmed,
                                 r.confirmed_source) for r in rows}

    def unanswered(self, since: dt.date | None = None) -> list[FormStatus]:
        """Providers sent a form (on or after ``since``) that have not answered, oldest sending first."""
        pending = [f for f in self.forms_status(since=since).values() if not f.answered]
        return sorted(pending, key=lambda f: (f.sent_on, f.category, f.name))

    # --- helpers ---------------------------------------------------------------------------------
    def _write(self, out: Path, write, entries: int, what: str) -> HandoutResult:
        pages: list[int] = []
        write_atomically(Path(out), lambda f: pages.append(write(f)))
        log.info("%s written: %d entries, %d pages", what, entries, pages[0])
        return HandoutResult(path=Path(out), entries=entries, pages=pages[0])


def directory_service(services) -> DirectoryService:
    """``services.directory`` once the lead wires it into :class:`Services`; built on the fly until then."""
    found = getattr(services, "directory", None)
    return found if found is not None else DirectoryService(services.db, services.resources, services.vocab,
                                                             user=services.resources.user)
