"""Consultation intake (task オ): cases, consultations, referrals to providers, follow-up, consent and the
access log. Read shapes are frozen dataclasses; every write is one session (one transaction).

Personal data (names, contact details, the person's details, what was asked and answered) never goes into
log messages or exception texts; views, reveals, exports and prints of it, and every change to a consultation, are written to the hash-chained
audit trail (``audit_log``, storage/audit_repo.py) in the same transaction."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import json
from collections import Counter
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session

from zaitaku_desktop import paths
from zaitaku_desktop.domain import consultations as rules
from zaitaku_desktop.domain.consultations import (
    ACCESS_ACTIONS, CONSENT_METHODS, CONTACT_KINDS, DEFAULT_CATEGORIES, OPEN_STATUSES, REFERRAL_HOWS,
    REFERRAL_MOVES_FROM, REQUESTER_TYPES, STATUSES, WINDOWS, CleanConsultation, ConsentRequiredError, mask_name,
)
from zaitaku_desktop.domain.dates import parse_date
from zaitaku_desktop.domain.errors import DomainError, FieldIssue, FileFormatError, NotFoundError, \
    PermissionDeniedError, ValidationError
from zaitaku_desktop.domain.issues import IssueInput, validate_issue
from zaitaku_desktop.models import (
    ChangeRead, Consent, Consultation, ConsultationCase, ConsultationContact, IssueConsultation, Referral, VocabItem,
    utcnow,
)
from zaitaku_desktop.services.conflicts import stale_record
from zaitaku_desktop.storage import consultation_repo as repo
from zaitaku_desktop.storage import audit_repo, history_repo, meta_repo, vocab_repo
from zaitaku_desktop.storage.database import Database
from zaitaku_desktop.storage.convert import as_utc_datetime

from .security import ROLE_STAFF, ROLE_VIEWER


# --- input and read shapes (the contract the GUI, exports and reports use) -----------------------------------

@dataclass
class ConsultationInput:
    """What the intake form sends. Times are local (Japan) wall-clock; the service stores UTC."""

    window: str  # domain.consultations.WINDOWS
    received_at: object  # dt.datetime (local, naive) or text like "2026/11/20 14:30"
    channel: str  # domain.consultations.CHANNELS
    requester_type: str  # domain.consultations.REQUESTER_TYPES
    requester_name: str = ""
    requester_affiliation: str = ""
    requester_contact: str = ""
    person_name: str = ""
    person_reading: str = ""
    person_phone: str = ""
    age_band: str = ""
    municipality_id: str | None = None
    district_id: str | None = None
    care_level: str = ""
    category_ids: list[str] = field(default_factory=list)
    question: str = ""
    answer: str = ""
    minutes_spent: object = None  # int or text; None = not recorded
    status: str = "受付"
    handled_by: str = ""
    follow_up_due: object = None  # dt.date or text
    case_id: str | None = None  # attach to an earlier case (the duplicate check); None = a new case


@dataclass(frozen=True, slots=True)
class ConsultationRow:
    """One line of the consultation list (and of 今日の対応)."""

    id: str
    case_id: str
    case_no: str
    window: str
    received_at: dt.datetime  # local (Japan) wall-clock, naive
    channel: str
    requester_type: str
    requester_name: str
    category_ids: tuple[str, ...]
    categories: tuple[str, ...]
    status: str
    handled_by: str
    follow_up_due: dt.date | None
    minutes_spent: int | None
    person_name: str  # the real name: the list shows domain.consultations.mask_name(...) until revealed
    municipality: str
    district: str
    age_band: str
    care_level: str
    referral_count: int
    has_consent: bool  # an active (granted, not withdrawn) consent on the case
    is_sample: bool
    updated_at: dt.datetime
    version: int


@dataclass(frozen=True)
class ReferralRead:
    id: str
    consultation_id: str
    resource_id: str
    resource_name: str
    resource_category: str
    referred_on: dt.date
    how: str
    personal_shared: bool
    outcome: str
    outcome_on: dt.date | None


@dataclass(frozen=True)
class ContactRead:
    id: str
    consultation_id: str
    at: dt.datetime  # local, naive
    kind: str
    text: str
    by: str


@dataclass(frozen=True)
class ConsentRead:
    id: str
    case_id: str
    granted: bool
    recipients: str
    purpose: str
    obtained_on: dt.date
    method: str
    obtained_by: str
    withdrawn_on: dt.date | None

    @property
    def active(self) -> bool:
        return self.granted and self.withdrawn_on is None


@dataclass(frozen=True)
class ConsultationDetail:
    row: ConsultationRow
    requester_affiliation: str
    requester_contact: str
    person_reading: str
    person_phone: str
    question: str
    answer: str
    referrals: tuple[ReferralRead, ...]
    contacts: tuple[ContactRead, ...]  # the whole case's record, oldest first
    consents: tuple[ConsentRead, ...]
    case_rows: tuple[ConsultationRow, ...]  # every consultation on the same case, oldest first
    history: list[ChangeRead]
    municipality_id: str | None = None  # the case's area, for filling the form again
    district_id: str | None = None

    def as_input(self) -> ConsultationInput:
        """The form's values for editing this consultation (received_at and follow_up_due as values)."""
        r = self.row
        return ConsultationInput(
            window=r.window, received_at=r.received_at, channel=r.channel, requester_type=r.requester_type,
            requester_name=r.requester_name, requester_affiliation=self.requester_affiliation,
            requester_contact=self.requester_contact, person_name=r.person_name, person_reading=self.person_reading,
            person_phone=self.person_phone, age_band=r.age_band, municipality_id=self.municipality_id,
            district_id=self.district_id, care_level=r.care_level, category_ids=list(r.category_ids),
            question=self.question, answer=self.answer, minutes_spent=r.minutes_spent, status=r.status,
            handled_by=r.handled_by, follow_up_due=r.follow_up_due, case_id=r.case_id)


@dataclass(frozen=True)
class DuplicateCandidate:
    case_id: str
    case_no: str
    masked_name: str
    reason: str  # 「読み・地区が同じ」 / 「電話番号が同じ」
    last_received: dt.datetime | None
    consultation_count: int


@dataclass(frozen=True)
class CrossTable:
    """A statistics view: rows × columns of counts, with totals computed by the reader."""

    title: str
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    cells: tuple[tuple[int, ...], ...]  # cells[row][column]


@dataclass(frozen=True)
class ConsultationStats:
    start: dt.date
    end: dt.date
    total: int
    by_month_window: CrossTable  # months (2026年4月 …) × windows
    by_requester: CrossTable  # requester types × windows
    by_category: CrossTable  # categories × windows (a consultation counts once in each of its categories)
    by_channel: CrossTable  # channels × windows
    by_status: CrossTable  # statuses × windows
    top_referrals: tuple[tuple[str, str, int], ...]  # (resource name, category, referrals), most first
    average_minutes: float | None  # over consultations with time recorded


@dataclass(frozen=True)
class PromotionCandidate:
    """A theme that recurs: at least N consultations in one category within a quarter."""

    category_id: str
    category: str
    quarter: str  # e.g. 2026年度第3四半期
    start: dt.date
    end: dt.date
    consultation_ids: tuple[str, ...]


@dataclass(frozen=True)
class AccessRead:
    at: dt.datetime  # local, naive
    user: str
    action: str
    entity: str
    entity_id: str
    detail: str


ENTITY = "consultation"
CASE_ENTITY = "consultation_case"
CATEGORY_KIND = "consultation_category"
CATEGORIES_SEEDED_KEY = "consultation_categories_seeded"
SAMPLE_FILE = "kamaishi_consultations.json"
SAMPLE_LOADED_KEY = "sample_consultations_loaded"
NOT_FOUND = "この相談は見つかりません。ほかの操作で変更された可能性があります。"
CASE_NOT_FOUND = "この相談者（ケース）は見つかりません。ほかの操作で変更された可能性があります。"
HIDDEN = "（個人情報のため記録しません）"

# Fields compared for the history, with the Japanese label shown to the user. Personal ones (PERSONAL_FIELDS)
# are recorded only as "changed", never with their values.
FIELD_LABELS: dict[str, str] = {
    "window": "窓口", "received_at": "受付日時", "channel": "受付方法", "requester_type": "相談者の区分",
    "requester_name": "相談者の氏名", "requester_affiliation": "相談者の所属", "requester_contact": "相談者の連絡先",
    "categories": "相談の分類", "question": "相談内容", "answer": "回答・対応", "minutes_spent": "対応時間（分）",
    "status": "状況", "handled_by": "対応者", "follow_up_due": "次の対応日", "case": "ケース",
    "person_name": "本人の氏名", "person_reading": "本人のよみがな", "person_phone": "本人の電話番号",
    "age_band": "年代", "municipality": "市町村", "district": "地区", "care_level": "要介護度",
    "referral": "紹介", "outcome": "紹介先の結果", "consent": "同意", "issue": "課題ボードへ", "archived": "アーカイブ",
}
PERSONAL_FIELDS: frozenset[str] = frozenset({
    "requester_name", "requester_affiliation", "requester_contact", "question", "answer", "person_name",
    "person_reading", "person_phone", "age_band", "care_level",
})
_CONSULTATION_FIELDS = ("window", "received_at", "channel", "requester_type", "requester_name",
                        "requester_affiliation", "requester_contact", "question", "answer", "minutes_spent",
                        "status", "handled_by", "follow_up_due")
_CASE_FIELDS = ("person_name", "person_reading", "person_phone", "age_band", "municipality_id", "district_id",
                "care_level")


def _staff_only(method):
    """Consultations hold personal data: a 閲覧者 may neither read nor write them (PermissionDeniedError)."""
    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        if self.role == ROLE_VIEWER:
            raise PermissionDeniedError("閲覧者は相談記録を見たり変更したりできません。担当者としてログインしてください。")
        return method(self, *args, **kwargs)
    return guarded


class ConsultationService:
    def __init__(self, db: Database, *, user: str = "", role: str = ROLE_STAFF) -> None:
        self.db = db
        self.user = user
        self.role = role  # set by services.build_services from the logged-in user

    # --- the category vocabulary -----------------------------------------------------------------------
    def ensure_categories_seeded(self) -> bool:
        """Fill the consultation categories (相談の分類) once; databases made before the intake have none.
        Afterwards they are edited like any vocabulary (VocabService kind "consultation_category")."""
        with self.db.session() as s:
            if meta_repo.get(s, CATEGORIES_SEEDED_KEY):
                return False
            existing = {c.name for c in vocab_repo.list_items(s, CATEGORY_KIND, include_archived=True)}
            order = vocab_repo.next_sort_order(s, CATEGORY_KIND)
            for name, reading in DEFAULT_CATEGORIES:
                if name not in existing:
                    vocab_repo.add(s, CATEGORY_KIND, name=name, reading=reading, sort_order=order)
                    order += 1
            meta_repo.put(s, CATEGORIES_SEEDED_KEY, "1")
            return True

    def list_categories(self, *, include_archived: bool = False) -> list[VocabItem]:
        with self.db.session() as s:
            return vocab_repo.list_items(s, CATEGORY_KIND, include_archived=include_archived)

    # --- reading ------------------------------------------------------------------------------------------
    @_staff_only
    def list_rows(self, *, start: dt.date | None = None, end: dt.date | None = None,
                  include_archived: bool = False) -> list[ConsultationRow]:
        """Consultations received from ``start`` to ``end`` (local dates, inclusive), newest first. Rows carry
        the real names: the list shows mask_name(...) until reveal_names() is called."""
        with self.db.session() as s:
            return repo.load_rows(s, ConsultationRow, start=_day_start(start), end=_day_after(end),
                                  include_archived=include_archived)

    @_staff_only
    def due(self, today: dt.date) -> list[ConsultationRow]:
        """今日の対応: open consultations whose follow-up date is today or past, most overdue first."""
        with self.db.session() as s:
            return repo.load_rows(s, ConsultationRow, due_by=today, statuses=OPEN_STATUSES,
                                  order="c.follow_up_due, c.received_at")

    @_staff_only
    def count(self, *, include_archived: bool = False) -> int:
        with self.db.session() as s:
            return repo.count(s, include_archived=include_archived)

    @_staff_only
    def get(self, consultation_id: str) -> ConsultationDetail:
        """The whole record of one consultation and its case. Showing it is a view of personal data when
        the case has any, so it is written to the access log."""
        with self.db.session() as s:
            row = repo.get(s, consultation_id)
            if row is None:
                raise NotFoundError(NOT_FOUND)
            case = repo.get_case(s, row.case_id)
            assert case is not None
            if _has_personal(case) or row.requester_name or row.requester_contact:
                self._audit(s, "view", CASE_ENTITY, case.id, case.case_no)
            s.flush()
            case_rows = repo.load_rows(s, ConsultationRow, case_id=case.id, include_archived=True,
                                       order="c.received_at, c.created_at")
            return ConsultationDetail(
                row=next(r for r in case_rows if r.id == consultation_id),
                requester_affiliation=row.requester_affiliation, requester_contact=row.requester_contact,
                person_reading=case.person_reading, person_phone=case.person_phone, question=row.question,
                answer=row.answer,
                referrals=tuple(_referral_read(r, name, category) for r, name, category in repo.referrals(s, row.id)),
                contacts=tuple(_contact_read(c) for c in repo.case_contacts(s, case.id)),
                consents=tuple(_consent_read(c) for c in repo.consents(s, case.id)),
                case_rows=tuple(case_rows), history=history_repo.for_entity(s, ENTITY, row.id),
                municipality_id=case.municipality_id, district_id=case.district_id)

    @_staff_only
    def reveal_names(self, count: int) -> None:
        """The user chose to show the names in the list (they are masked until then): log it."""
        self.log_access("reveal", ENTITY, "", f"{max(0, int(count))}件")

    # --- writing --------------------------------------------------------------------------------------------
    @_staff_only
    def create(self, data: ConsultationInput, *, is_sample: bool = False) -> ConsultationRow:
        """A new consultation: on a new case (numbered 2026-0042 by the year received), or on ``data.case_id``
        (the duplicate check's choice; person fields typed now fill or replace the case's)."""
        clean = self._validated(data)
        with self.db.session() as s:
            cid = self._create_in(s, clean, is_sample=is_sample)
            created = repo.load_rows(s, ConsultationRow, ids=[cid])[0]
            self._audit(s, "create", ENTITY, cid, f"ケース {created.case_no}")
            return created

    @_staff_only
    def update(self, consultation_id: str, data: ConsultationInput, *,
               expected_version: int | None = None) -> ConsultationRow:
        """Save the form again. Person fields update the case; a status change must be a move NEXT_STATUSES
        allows; ConflictError when the record changed since ``expected_version`` was read."""
        with self.db.session() as s:
            row = repo.get(s, consultation_id)
            if row is None:
                raise NotFoundError(NOT_FOUND)
            if expected_version is not None and row.version != expected_version:
                mine = self._validated(data)
                names = self._check_refs(s, mine)
                raise stale_record(
                    s, entity=ENTITY, entity_id=row.id, version=row.version, expected_version=expected_version,
                    labels=FIELD_LABELS, what="この相談", theirs=self._snapshot(s, row, names),
                    yours=self._snapshot(s, Consultation(**{n: getattr(mine, n) for n in _CONSULTATION_FIELDS}),
                                         names, category_ids=mine.category_ids))
            clean = self._validated(data, current_status=row.status)
            names = self._check_refs(s, clean)
            case_id = clean.case_id or row.case_id
            case = repo.get_case(s, case_id)
            if case is None:
                raise NotFoundError(CASE_NOT_FOUND)
            before = self._snapshot(s, row, names)
            before["case"] = row.case_id
            for name in _CONSULTATION_FIELDS:
                setattr(row, name, getattr(clean, name))
            row.case_id = case.id
            repo.replace_categories(s, row.id, clean.category_ids)
            after = self._snapshot(s, row, names, category_ids=clean.category_ids)
            after["case"] = case.id
            changes = _diff(before, after)
            if "case" in changes:
                changes["case"] = [self._case_no(s, before["case"]), case.case_no]  # type: ignore[arg-type]
            if changes:
                row.version += 1
                row.updated_at = utcnow()
                history_repo.record(s, entity=ENTITY, entity_id=row.id, action="update", user=self.user,
                                    changes=changes)
            case_changes = self._update_case(s, case, {name: getattr(clean, name) for name in _CASE_FIELDS}, names)
            if changes or case_changes:
                self._audit(s, "update", ENTITY, row.id,
                            "変更：" + "・".join(FIELD_LABELS.get(k, k) for k in {**changes, **case_changes}))
            if "status" in changes:
                self._audit(s, "status", ENTITY, row.id, "→".join(map(str, changes["status"])))
            s.flush()
            return repo.load_rows(s, ConsultationRow, ids=[row.id])[0]

    @_staff_only
    def set_status(self, consultation_id: str, status: str) -> ConsultationRow:
        with self.db.session() as s:
            row = self._row(s, consultation_id)
            if (problem := rules.status_move_issue(row.status, status)) is not None:
                raise ValidationError(issues=[problem])
            self._move_status(s, row, status)
            return repo.load_rows(s, ConsultationRow, ids=[row.id], include_archived=True)[0]

    @_staff_only
    def set_archived(self, consultation_id: str, archived: bool) -> ConsultationRow:
        """Archive (hide from the list and statistics, keep the record) or bring back. Nothing is deleted."""
        with self.db.session() as s:
            row = self._row(s, consultation_id)
            if history_repo.set_archived(s, row, archived, entity=ENTITY, user=self.user):
                self._audit(s, "archive" if archived else "unarchive", ENTITY, row.id)
                s.flush()
            return repo.load_rows(s, ConsultationRow, ids=[row.id], include_archived=True)[0]

    # --- duplicates -----------------------------------------------------------------------------------------
    @_staff_only
    def find_duplicates(self, *, person_reading: str = "", person_name: str = "",
                        municipality_id: str | None = None, district_id: str | None = None, phone: str = "",
                        exclude_case_id: str | None = None) -> list[DuplicateCandidate]:
        """Earlier cases that may be the same person: the same folded reading (the name when no reading was
        given) in the same 地区 (or municipality when no 地区), or the same phone number. Newest first."""
        key = rules.reading_key(person_reading, person_name)
        name_key = rules.reading_key("", person_name)
        digits = rules.phone_key(phone)
        if not key and not digits:
            return []
        with self.db.session() as s:
            rows = repo.duplicate_rows(s, district_id=district_id or None, municipality_id=municipality_id or None,
                                       phone=digits, exclude_case_id=exclude_case_id)
        label = "地区" if district_id else "市町村" if municipality_id else ""
        out: list[DuplicateCandidate] = []
        for case_id, case_no, name, reading, case_phone, case_district, case_municipality, count, last in rows:
            same_phone = bool(digits) and case_phone == digits
            folded_name = rules.reading_key("", name)
            same_reading = (rules.same_area(district_id, municipality_id, case_district, case_municipality)
                            and (key in (reading, folded_name) or bool(name_key) and name_key == folded_name))
            if not (same_reading or same_phone):
                continue
            reasons = []
            if same_reading:
                reasons.append(f"読み・{label}が同じ" if label else "読みが同じ")
            if same_phone:
                reasons.append("電話番号が同じ")
            out.append(DuplicateCandidate(
                case_id=case_id, case_no=case_no, masked_name=mask_name(name) or "（氏名なし）",
                reason="、".join(reasons),
                last_received=rules.to_local(as_utc_datetime(last)) if last else None,
                consultation_count=int(count)))
        return out

    # --- the contact record and referrals --------------------------------------------------------------------
    @_staff_only
    def add_contact(self, consultation_id: str, at: object, kind: str, text: str) -> ContactRead:
        """One more entry in the case's record (a call-back, a call to the family...). ``at`` is local time
        (None = now)."""
        issues: list[FieldIssue] = []
        if kind not in CONTACT_KINDS:
            issues.append(FieldIssue("kind", f"記録の種類は{'・'.join(CONTACT_KINDS)}から選んでください"))
        when = _local_or_issue(at, "at", "日時", issues) or rules.local_now()
        text = (text or "").strip()
        if len(text) > rules.TEXT_MAX:
            issues.append(FieldIssue("text", f"記録の内容は{rules.TEXT_MAX:,}文字以内で入力してください"))
        if issues:
            raise ValidationError(issues=issues)
        with self.db.session() as s:
            row = self._row(s, consultation_id)
            entry = repo.add_contact(s, row.id, rules.to_utc(when), kind, text, self.user)
            self._audit(s, "contact", ENTITY, row.id, kind)
            s.flush()
            return _contact_read(entry)

    @_staff_only
    def add_referral(self, consultation_id: str, resource_id: str, referred_on: object, how: str, *,
                     share_personal: bool) -> ReferralRead:
        """Refer the consultation to a provider from the resource list. Passing the person's details on
        (``share_personal``) needs an active consent on the case: ConsentRequiredError otherwise, so the form
        can record consent first. Moves 受付/対応中 → 紹介済 and writes a 紹介 entry in the record."""
        issues: list[FieldIssue] = []
        if how not in REFERRAL_HOWS:
            issues.append(FieldIssue("how", f"紹介の方法は{'・'.join(REFERRAL_HOWS)}から選んでください"))
        day = _date_or_issue(referred_on, "referred_on", "紹介した日", issues) or rules.local_now().date()
        if issues:
            raise ValidationError(issues=issues)
        with self.db.session() as s:
            row = self._row(s, consultation_id)
            label = repo.resource_label(s, resource_id)
            if label is None:
                raise NotFoundError("紹介先が資源の一覧に見つかりません。ほかの操作で変更された可能性があります。")
            if share_personal and self._active_consent(s, row.case_id) is None:
                raise ConsentRequiredError()
            referral = Referral(consultation_id=row.id, resource_id=resource_id, referred_on=day, how=how,
                                personal_shared=bool(share_personal))
            s.add(referral)
            text = f"{label[0]}へ{how}で紹介" + ("（本人の情報を提供）" if share_personal else "")
            repo.add_contact(s, row.id, rules.to_utc(dt.datetime.combine(day, rules.local_now().time())), "紹介",
                             text, self.user)
            history_repo.record(s, entity=ENTITY, entity_id=row.id, action="referral", user=self.user,
                                changes={"referral": [None, text]})
            self._audit(s, "referral", ENTITY, row.id, f"{how}で紹介" + ("（本人の情報を提供）" if share_personal else ""))
            if row.status in REFERRAL_MOVES_FROM:
                self._move_status(s, row, "紹介済")
            s.flush()
            return _referral_read(referral, *label)

    @_staff_only
    def set_referral_outcome(self, referral_id: str, outcome: str, outcome_on: object) -> ReferralRead:
        """What came of a referral (受け入れ・訪問開始 …); written to the case's record as 紹介先の結果."""
        issues: list[FieldIssue] = []
        outcome = (outcome or "").strip()
        if not outcome:
            issues.append(FieldIssue("outcome", "紹介先の結果を入力してください"))
        day = _date_or_issue(outcome_on, "outcome_on", "結果の日付", issues) or rules.local_now().date()
        if issues:
            raise ValidationError(issues=issues)
        with self.db.session() as s:
            referral = s.get(Referral, referral_id)
            if referral is None or referral.archived_at is not None:
                raise NotFoundError("この紹介は見つかりません。ほかの操作で変更された可能性があります。")
            referral.outcome, referral.outcome_on, referral.updated_at = outcome, day, utcnow()
            label = repo.resource_label(s, referral.resource_id) or ("（資源の一覧にない紹介先）", "")
            repo.add_contact(s, referral.consultation_id, rules.to_utc(dt.datetime.combine(day, dt.time(12))),
                             "紹介先の結果", f"{label[0]}：{outcome}", self.user)
            history_repo.record(s, entity=ENTITY, entity_id=referral.consultation_id, action="referral",
                                user=self.user, changes={"outcome": [None, HIDDEN]}, note=label[0])
            self._audit(s, "referral", ENTITY, referral.consultation_id, "紹介先の結果")
            s.flush()
            return _referral_read(referral, *label)

    # --- consent ---------------------------------------------------------------------------------------------
    @_staff_only
    def record_consent(self, case_id: str, *, granted: bool, recipients: str, purpose: str, obtained_on: object,
                       method: str) -> ConsentRead:
        """Record the person's answer (granted or refused): to whom, for what, when and how. The newest
        decision on a case is the one that counts."""
        issues: list[FieldIssue] = []
        if method not in CONSENT_METHODS:
            issues.append(FieldIssue("method", f"同意の取り方は{'・'.join(CONSENT_METHODS)}から選んでください"))
        day = _date_or_issue(obtained_on, "obtained_on", "同意を得た日", issues)
        if day is None and all(i.field != "obtained_on" for i in issues):
            issues.append(FieldIssue("obtained_on", "同意を得た日を入力してください"))
        if day is not None and day > rules.local_now().date() + dt.timedelta(days=1):
            issues.append(FieldIssue("obtained_on", "同意を得た日が先の日付になっています"))
        recipients, purpose = (recipients or "").strip(), (purpose or "").strip()
        if granted and not recipients:
            issues.append(FieldIssue("recipients", "誰に伝えてよいか（提供先）を入力してください"))
        for name, value, label in (("recipients", recipients, "提供先"), ("purpose", purpose, "目的")):
            if len(value) > rules.NAME_MAX * 2:
                issues.append(FieldIssue(name, f"{label}は{rules.NAME_MAX * 2}文字以内で入力してください"))
        if issues:
            raise ValidationError(issues=issues)
        with self.db.session() as s:
            if repo.get_case(s, case_id) is None:
                raise NotFoundError(CASE_NOT_FOUND)
            consent = Consent(case_id=case_id, granted=bool(granted), recipients=recipients, purpose=purpose,
                              obtained_on=day, method=method, obtained_by=self.user)
            s.add(consent)
            s.flush()
            self._consent_logged(s, consent, "同意あり" if granted else "同意なし")
            return _consent_read(consent)

    @_staff_only
    def withdraw_consent(self, consent_id: str, on: object) -> ConsentRead:
        issues: list[FieldIssue] = []
        day = _date_or_issue(on, "withdrawn_on", "撤回の日", issues) or rules.local_now().date()
        if issues:
            raise ValidationError(issues=issues)
        with self.db.session() as s:
            consent = s.get(Consent, consent_id)
            if consent is None or consent.archived_at is not None:
                raise NotFoundError("この同意の記録は見つかりません。")
            if consent.withdrawn_on is not None:
                raise ValidationError(issues=[FieldIssue("withdrawn_on", "この同意はすでに撤回されています")])
            if day < consent.obtained_on:
                raise ValidationError(issues=[FieldIssue("withdrawn_on", "撤回の日は同意を得た日より後にしてください")])
            consent.withdrawn_on, consent.updated_at = day, utcnow()
            self._consent_logged(s, consent, "撤回")
            return _consent_read(consent)

    @_staff_only
    def active_consent(self, case_id: str) -> ConsentRead | None:
        with self.db.session() as s:
            consent = self._active_consent(s, case_id)
            return _consent_read(consent) if consent else None

    @_staff_only
    def shareable(self, consultation_id: str, purpose: str = "referral") -> bool:
        """The one rule every export, print and referral asks: may this consultation's personal fields leave
        the program? Only with an active consent on its case (whatever the purpose: referral, print, export)."""
        with self.db.session() as s:
            row = self._row(s, consultation_id)
            return self._active_consent(s, row.case_id) is not None

    # --- the access log --------------------------------------------------------------------------------------
    @_staff_only
    def log_access(self, action: str, entity: str, entity_id: str, detail: str = "") -> None:
        """Record a view / reveal / export / print / consent. ``detail`` names a file or a choice, never a
        person's name or case text."""
        if action not in ACCESS_ACTIONS:
            raise DomainError(f"不明なアクセスの種類です：{action}")
        with self.db.session() as s:
            self._audit(s, action, entity, entity_id, detail)

    @_staff_only
    def access_log(self, *, start: dt.date | None = None, end: dt.date | None = None) -> list[AccessRead]:
        """Views, reveals, exports, prints and consent from the audit trail (local dates, inclusive), newest first.
        It cannot be edited: the database refuses."""
        with self.db.session() as s:
            entries = audit_repo.rows(s, _day_start(start), _day_after(end), actions=tuple(ACCESS_ACTIONS))
        return [AccessRead(rules.to_local(dt.datetime.fromisoformat(e.at)), e.user, e.action, e.entity, e.entity_id,
                           e.detail) for e in entries]

    # --- statistics and the issue board ---------------------------------------------------------------------
    def stats(self, start: dt.date, end: dt.date, *, top: int = 10) -> ConsultationStats:
        """Anonymous counts of the consultations received from ``start`` to ``end`` (inclusive), counted by
        SQLite (GROUP BY), never by looping over the records."""
        if end < start:
            raise ValidationError(issues=[FieldIssue("end", "期間の終わりは始まりより後にしてください")])
        lo, hi = _day_start(start), _day_after(end)
        with self.db.session() as s:
            groups = repo.stats_groups(s, lo, hi)  # type: ignore[arg-type]
            by_category_raw = repo.category_groups(s, lo, hi)  # type: ignore[arg-type]
            referrals = repo.referral_groups(s, lo, hi, limit=top)  # type: ignore[arg-type]
            cats = repo.category_names(s)
            active = [c.id for c in vocab_repo.list_items(s, CATEGORY_KIND)]
        sums: dict[str, Counter] = {k: Counter() for k in ("month", "requester", "channel", "status")}
        total = minutes = timed = 0
        for month, window, requester, channel, status, n, minute_sum, minute_count in groups:
            for key, value in (("month", month), ("requester", requester), ("channel", channel),
                               ("status", status)):
                sums[key][(value, window)] += n
            total += n
            minutes += minute_sum or 0
            timed += minute_count
        windows = rules.ordered_keys(WINDOWS, (w for _, w in sums["month"]))
        months = rules.month_keys(start, end)

        def table(title: str, key: str, fixed: tuple[str, ...], labels=None) -> CrossTable:
            keys = rules.ordered_keys(fixed, (v for v, _ in sums[key]))
            return CrossTable(title, tuple(labels(k) if labels else k for k in keys), tuple(windows),
                              rules.cross_cells(sums[key], keys, windows))

        by_cat = Counter({(c, w): n for c, w, n in by_category_raw})
        shown = sorted(set(active) | {c for c, _ in by_cat}, key=lambda c: cats.get(c, (1 << 30, "", c)))
        return ConsultationStats(
            start=start, end=end, total=total,
            by_month_window=table("月別・窓口別", "month", tuple(months), rules.month_label),
            by_requester=table("相談者の区分別", "requester", REQUESTER_TYPES),
            by_category=CrossTable("相談の分類別", tuple(cats[c][2] if c in cats else c for c in shown),
                                   tuple(windows), rules.cross_cells(by_cat, shown, windows)),
            by_channel=table("受付方法別", "channel", rules.CHANNELS),
            by_status=table("状況別", "status", STATUSES),
            top_referrals=tuple((name, category, int(n)) for name, category, n in referrals),
            average_minutes=round(minutes / timed, 1) if timed else None,
        )

    @_staff_only
    def promote_candidates(self, start: dt.date, end: dt.date, *, min_count: int = 5) -> list[PromotionCandidate]:
        """Themes that recur: categories with at least ``min_count`` consultations in one fiscal quarter (within
        start..end) that are not yet on the issue board."""
        with self.db.session() as s:
            groups = repo.quarter_groups(s, _day_start(start), _day_after(end),  # type: ignore[arg-type]
                                         max(1, min_count))
            cats = repo.category_names(s)
        out = []
        for category_id, year, quarter, ids in groups:
            q_start, q_end = rules.quarter_range(int(year), int(quarter))
            out.append(PromotionCandidate(
                category_id=category_id, category=cats.get(category_id, (0, "", ""))[2],
                quarter=rules.quarter_label(int(year), int(quarter)), start=max(q_start, start), end=min(q_end, end),
                consultation_ids=tuple(sorted(ids.split(",")))))
        return out

    @_staff_only
    def promote_to_issue(self, consultation_ids: list[str], *, title: str, layer: str, profession_ids: list[str],
                         description: str = "") -> str:
        """Create an issue (課題ボード, status 抽出) from recurring consultations and link them to it. Only counts,
        categories and the period travel: no names, no question or answer text. Returns the issue's id."""
        from .issues import IssueService

        ids = list(dict.fromkeys(i for i in consultation_ids or [] if i))
        if not ids:
            raise ValidationError(issues=[FieldIssue("consultation_ids", "相談を1件以上選んでください")])
        with self.db.session() as s:
            rows = repo.load_rows(s, ConsultationRow, ids=ids)
            if len(rows) != len(ids):
                raise NotFoundError("選んだ相談が見つかりません。ほかの操作で変更された可能性があります。")
            category_count = Counter(c for r in rows for c in r.categories)
            category = category_count.most_common(1)[0][0] if category_count else "相談"
            period = rules.period_label([r.received_at.date() for r in rows])
            windows = Counter(r.window for r in rows)
            summary = (f"相談受付から：{category}に関する相談が{len(rows)}件"
                       + (f"（{period}）" if period else "") + "。窓口の内訳："
                       + "・".join(f"{w} {windows[w]}件" for w in WINDOWS if windows[w]) + "。")
            themes = {t.name: t.id for t in vocab_repo.list_items(s, "theme")}
            clean, problems = validate_issue(IssueInput(
                title=title, description=(description or "").strip() or summary, layer=layer, status="抽出",
                source_text=rules.promotion_source_text(category, len(rows), period),
                raised_on=rules.local_now().date(), profession_ids=list(profession_ids or []),
                theme_ids=[themes[category]] if category in themes else []))
            if clean is None:
                raise ValidationError(issues=problems)
            issue_id = IssueService(self.db, user=self.user).save_in_session(s, None, clean, note="相談受付から")
            s.execute(insert(IssueConsultation.__table__),  # type: ignore[attr-defined]
                      [{"issue_id": issue_id, "consultation_id": cid} for cid in ids])
            for cid in ids:
                history_repo.record(s, entity=ENTITY, entity_id=cid, action="promote", user=self.user,
                                    changes={"issue": [None, clean.title]})
                self._audit(s, "promote", ENTITY, cid, f"課題 {issue_id}")
            return issue_id

    # --- the sample region -----------------------------------------------------------------------------------
    def sample_loaded(self) -> bool:
        with self.db.session() as s:
            return meta_repo.get(s, SAMPLE_LOADED_KEY) == "1"

    @staticmethod
    def read_sample(path: Path | None = None) -> dict:
        source = path or paths.seed_dir() / SAMPLE_FILE
        try:
            return json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise FileFormatError(f"サンプルの相談データを読み込めません：{source}") from exc

    def load_sample_in(self, s: Session, data: dict, *, today: dt.date | None = None) -> int:
        """A year of fictional consultations up to ``today`` in the sample region, inside the caller's
        transaction: generated from the seed file's templates with a fixed random seed, so the same day
        gives the same records. Open ones have follow-ups around today, so 今日の対応 is never empty."""
        from .consultation_sample import generate

        today = today or rules.local_now().date()
        cats = {c.name: c.id for c in vocab_repo.list_items(s, CATEGORY_KIND, include_archived=True)}
        areas = [(d.parent_id, d.id) for d in vocab_repo.list_items(s, "district")]
        resources = {rid: (kind, name) for rid, kind, name in s.connection().exec_driver_sql(
            "SELECT x.id, k.name, x.name FROM resource x JOIN resource_category k ON k.id = x.category_id "
            "WHERE x.is_sample AND x.archived_at IS NULL ORDER BY x.reading, x.name").fetchall()}
        case_ids: list[str] = []
        for entry in generate(data, today=today, categories=cats, areas=areas, resources=resources):
            if entry.attach_to is not None:
                entry.input.case_id = case_ids[entry.attach_to]
            clean, problems = rules.validate_consultation(entry.input, now=dt.datetime.combine(today, dt.time(23)))
            if clean is None:
                raise FileFormatError(f"サンプルの相談データに誤りがあります：{problems[0].message}")
            cid = self._create_in(s, clean, is_sample=True, note="サンプル地域")
            row = repo.get(s, cid)
            assert row is not None
            case_ids.append(row.case_id)
            for consent in entry.consents:
                s.add(Consent(case_id=row.case_id, obtained_by=clean.handled_by, **consent))
            s.flush()
            for resource_id, day, how, outcome in entry.referrals:
                shared = self._active_consent(s, row.case_id) is not None
                name = repo.resource_label(s, resource_id)[0]  # type: ignore[index]
                s.add(Referral(consultation_id=cid, resource_id=resource_id, referred_on=day, how=how,
                               personal_shared=shared, outcome=outcome, outcome_on=day if outcome else None))
                repo.add_contact(s, cid, rules.to_utc(dt.datetime.combine(day, dt.time(15))), "紹介",
                                 f"{name}へ{how}で紹介", clean.handled_by)
                if outcome:
                    repo.add_contact(s, cid, rules.to_utc(dt.datetime.combine(day, dt.time(16))), "紹介先の結果",
                                     f"{name}：{outcome}", clean.handled_by)
            for at, kind, text in entry.contacts:
                repo.add_contact(s, cid, rules.to_utc(at), kind, text, clean.handled_by)
        meta_repo.put(s, SAMPLE_LOADED_KEY, "1")
        self._audit(s, "sample", ENTITY, "", f"サンプルの相談 {len(case_ids)}件")
        return len(case_ids)

    # --- helpers -----------------------------------------------------------------------------------------------
    def _create_in(self, s: Session, clean: CleanConsultation, *, is_sample: bool = False, note: str = "") -> str:
        names = self._check_refs(s, clean)
        person = {name: getattr(clean, name) for name in _CASE_FIELDS}
        if clean.case_id:
            case = repo.get_case(s, clean.case_id)
            if case is None or case.archived_at is not None:
                raise NotFoundError(CASE_NOT_FOUND)
            self._update_case(s, case, {k: v for k, v in person.items() if v}, names)
        else:
            year = rules.to_local(clean.received_at).year
            case = ConsultationCase(case_no=rules.case_number(year, repo.next_case_serial(s, year)),
                                    is_sample=is_sample, **person)
            s.add(case)
            s.flush()
            history_repo.record(s, entity=CASE_ENTITY, entity_id=case.id, action="create", user=self.user,
                                changes=_hide({k: [None, v] for k, v in self._case_snapshot(case, names).items() if v}),
                                note=note)
        row = Consultation(case_id=case.id, is_sample=is_sample,
                           **{name: getattr(clean, name) for name in _CONSULTATION_FIELDS})
        s.add(row)
        s.flush()
        repo.replace_categories(s, row.id, clean.category_ids, is_new=True)
        repo.add_contact(s, row.id, clean.received_at, "受付", f"{clean.channel}で受付（{clean.requester_type}）",
                         clean.handled_by or self.user)
        after = self._snapshot(s, row, names, category_ids=clean.category_ids)
        history_repo.record(s, entity=ENTITY, entity_id=row.id, action="create", user=self.user,
                            changes=_hide({k: [None, v] for k, v in after.items() if v not in (None, "", [])}),
                            note=note or f"ケース {case.case_no}")
        s.flush()
        return row.id

    def _update_case(self, s: Session, case: ConsultationCase, values: dict[str, object],
                     names: dict[str, dict[str, str]]) -> dict[str, list]:
        before = self._case_snapshot(case, names)
        for name, value in values.items():
            setattr(case, name, value)
        changes = _diff(before, self._case_snapshot(case, names))
        if changes:
            case.version += 1
            case.updated_at = utcnow()
            history_repo.record(s, entity=CASE_ENTITY, entity_id=case.id, action="update", user=self.user,
                                changes=changes)
        return changes

    def _move_status(self, s: Session, row: Consultation, status: str) -> None:
        if row.status == status:
            return
        history_repo.record(s, entity=ENTITY, entity_id=row.id, action="status", user=self.user,
                            changes={"status": [row.status, status]})
        self._audit(s, "status", ENTITY, row.id, f"{row.status}→{status}")
        row.status, row.version, row.updated_at = status, row.version + 1, utcnow()
        s.flush()

    def _audit(self, s: Session, action: str, entity: str, entity_id: str, detail: str = "") -> None:
        """One entry of the audit trail in this transaction: ids, kinds and labels only, never personal values."""
        audit_repo.append(s, user=self.user, role=self.role, action=action, entity=entity, entity_id=entity_id,
                          detail=detail)

    def _consent_logged(self, s: Session, consent: Consent, what: str) -> None:
        self._audit(s, "consent", CASE_ENTITY, consent.case_id, what)
        history_repo.record(s, entity=CASE_ENTITY, entity_id=consent.case_id, action="consent", user=self.user,
                            changes={"consent": [None, f"{what}（{consent.method}）"]})

    @staticmethod
    def _active_consent(s: Session, case_id: str) -> Consent | None:
        decisions = repo.consents(s, case_id)
        latest = decisions[-1] if decisions else None
        return latest if latest is not None and latest.granted and latest.withdrawn_on is None else None

    @staticmethod
    def _row(s: Session, consultation_id: str) -> Consultation:
        row = repo.get(s, consultation_id)
        if row is None:
            raise NotFoundError(NOT_FOUND)
        return row

    @staticmethod
    def _case_no(s: Session, case_id: str) -> str:
        case = repo.get_case(s, case_id)
        return case.case_no if case else ""

    @staticmethod
    def _validated(data: ConsultationInput, *, current_status: str | None = None) -> CleanConsultation:
        clean, problems = rules.validate_consultation(data, current_status=current_status)
        if clean is None:
            raise ValidationError(issues=problems)
        return clean

    @staticmethod
    def _check_refs(s: Session, clean: CleanConsultation) -> dict[str, dict[str, str]]:
        names = {kind: {i.id: i.name for i in vocab_repo.list_items(s, kind, include_archived=True)}
                 for kind in ("municipality", CATEGORY_KIND)}
        districts = vocab_repo.list_items(s, "district", include_archived=True)
        names["district"] = {d.id: d.name for d in districts}
        parent = {d.id: d.parent_id for d in districts}
        problems = []
        if any(c not in names[CATEGORY_KIND] for c in clean.category_ids):
            problems.append(FieldIssue("category_ids", "相談の分類が一覧にありません"))
        if clean.municipality_id and clean.municipality_id not in names["municipality"]:
            problems.append(FieldIssue("municipality_id", "市町村が一覧にありません"))
        if clean.district_id and parent.get(clean.district_id) != clean.municipality_id:
            problems.append(FieldIssue("district_id", "地区が選んだ市町村の一覧にありません"))
        if problems:
            raise ValidationError(issues=problems)
        return names

    @staticmethod
    def _snapshot(s: Session, row: Consultation, names: dict[str, dict[str, str]], *,
                  category_ids: tuple[str, ...] | None = None) -> dict[str, object]:
        ids = repo.category_ids(s, row.id) if category_ids is None else category_ids
        out: dict[str, object] = {name: getattr(row, name) for name in _CONSULTATION_FIELDS}
        out["received_at"] = rules.to_local(row.received_at).strftime("%Y-%m-%d %H:%M")
        out["follow_up_due"] = row.follow_up_due.isoformat() if row.follow_up_due else None
        out["categories"] = sorted(names[CATEGORY_KIND].get(c, c) for c in ids)
        return out

    @staticmethod
    def _case_snapshot(case: ConsultationCase, names: dict[str, dict[str, str]]) -> dict[str, object]:
        out: dict[str, object] = {name: getattr(case, name) for name in _CASE_FIELDS}
        out["municipality"] = names["municipality"].get(out.pop("municipality_id") or "", "")  # type: ignore[arg-type]
        out["district"] = names["district"].get(out.pop("district_id") or "", "")  # type: ignore[arg-type]
        return out


# --- module helpers ---------------------------------------------------------------------------------------------

def _day_start(day: dt.date | None) -> dt.datetime | None:
    return rules.to_utc(dt.datetime.combine(day, dt.time())) if day else None


def _day_after(day: dt.date | None) -> dt.datetime | None:
    return rules.to_utc(dt.datetime.combine(day + dt.timedelta(days=1), dt.time())) if day else None


def _has_personal(case: ConsultationCase) -> bool:
    return bool(case.person_name or case.person_reading or case.person_phone)


def _diff(before: dict[str, object], after: dict[str, object]) -> dict[str, list]:
    return _hide({k: [before.get(k), v] for k, v in after.items() if before.get(k) != v})


def _hide(changes: dict[str, list]) -> dict[str, list]:
    """The history says that a personal field changed, never what it said."""
    return {k: ([HIDDEN if v[0] not in (None, "") else v[0], HIDDEN if v[1] not in (None, "") else v[1]]
                if k in PERSONAL_FIELDS else v) for k, v in changes.items()}


def _local_or_issue(value: object, name: str, label: str, issues: list[FieldIssue]) -> dt.datetime | None:
    try:
        when = rules.parse_local_datetime(value)
    except ValueError:
        issues.append(FieldIssue(name, f"{label}を「2026/11/20 14:30」のように入力してください"))
        return None
    if when is not None and when > rules.local_now() + rules.FUTURE_SLACK:
        issues.append(FieldIssue(name, f"{label}が先の日付になっています"))
    return when


def _date_or_issue(value: object, name: str, label: str, issues: list[FieldIssue]) -> dt.date | None:
    try:
        return parse_date(value)
    except ValueError:
        issues.append(FieldIssue(name, f"{label}を正しく入力してください（例：2026/11/20）"))
        return None


def _referral_read(r: Referral, name: str, category: str) -> ReferralRead:
    return ReferralRead(id=r.id, consultation_id=r.consultation_id, resource_id=r.resource_id, resource_name=name,
                        resource_category=category, referred_on=r.referred_on, how=r.how,
                        personal_shared=r.personal_shared, outcome=r.outcome, outcome_on=r.outcome_on)


def _contact_read(c: ConsultationContact) -> ContactRead:
    return ContactRead(id=c.id, consultation_id=c.consultation_id, at=rules.to_local(c.at), kind=c.kind, text=c.text,
                       by=c.by)


def _consent_read(c: Consent) -> ConsentRead:
    return ConsentRead(id=c.id, case_id=c.case_id, granted=c.granted, recipients=c.recipients, purpose=c.purpose,
                       obtained_on=c.obtained_on, method=c.method, obtained_by=c.obtained_by,
                       withdrawn_on=c.withdrawn_on)
