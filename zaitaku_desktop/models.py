"""SQLModel tables and the plain read shapes that leave the service layer.

Every record has a stable UUID, created/updated timestamps (UTC) and is archived
rather than deleted. Read shapes are frozen dataclasses: they cross threads
safely, ORM rows never leave a session.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Tracked(SQLModel):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    archived_at: dt.datetime | None = Field(default=None)


class VocabBase(Tracked):
    name: str
    reading: str = ""
    sort_order: int = 0


# --- vocabularies -------------------------------------------------------------

class Municipality(VocabBase, table=True):
    __tablename__ = "municipality"
    code: str = Field(default="", max_length=6, index=True)


class District(VocabBase, table=True):
    __tablename__ = "district"
    municipality_id: str = Field(foreign_key="municipality.id", index=True)


class Association(VocabBase, table=True):
    __tablename__ = "association"


class Profession(VocabBase, table=True):
    __tablename__ = "profession"
    association_id: str | None = Field(default=None, foreign_key="association.id")


class ResourceCategory(VocabBase, table=True):
    __tablename__ = "resource_category"
    group: str = ""


class Capability(VocabBase, table=True):
    __tablename__ = "capability"


class Procedure(VocabBase, table=True):
    __tablename__ = "procedure"


class Theme(VocabBase, table=True):
    """Theme tags for issues and needs (退院調整, 相談ルート, 職種理解, ...)."""

    __tablename__ = "theme"


class ConsultationCategory(VocabBase, table=True):
    """What a consultation was about (在宅医療の開始, 退院調整, 看取り・終末期, ...): several per consultation."""

    __tablename__ = "consultation_category"


VOCAB_MODELS: dict[str, type[VocabBase]] = {
    "municipality": Municipality,
    "district": District,
    "association": Association,
    "profession": Profession,
    "category": ResourceCategory,
    "capability": Capability,
    "procedure": Procedure,
    "theme": Theme,
    "consultation_category": ConsultationCategory,
}


# --- resources ------------------------------------------------------------------

class Resource(Tracked, table=True):
    __tablename__ = "resource"
    __table_args__ = (Index("ix_resource_external", "external_source", "external_id"),)

    name: str
    reading: str = ""
    category_id: str = Field(foreign_key="resource_category.id", index=True)
    municipality_id: str | None = Field(default=None, foreign_key="municipality.id")
    district_id: str | None = Field(default=None, foreign_key="district.id")
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""
    url: str = ""
    lat: float | None = None
    lon: float | None = None
    opening_hours: str = ""
    visit_area: str = ""
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    last_confirmed: dt.date | None = None
    confirmed_source: str = ""
    shortstay_vacancies: int | None = None
    shortstay_as_of: dt.date | None = None
    # Where an imported record came from (open data, a file) and its id there.
    external_source: str = ""
    external_id: str = ""
    is_sample: bool = False
    search_text: str = ""  # folded text for the search box, rebuilt on every save
    version: int = 1
    # Official open data: the file (and its date) that last confirmed the record, and the
    # date a newer file of the same source stopped listing it (flagged, never deleted).
    official_file: str = Field(default="", sa_column_kwargs={"server_default": ""})
    official_date: dt.date | None = None
    official_gone_at: dt.date | None = None


class ResourceCapability(SQLModel, table=True):
    __tablename__ = "resource_capability"
    resource_id: str = Field(foreign_key="resource.id", primary_key=True)
    capability_id: str = Field(foreign_key="capability.id", primary_key=True)


class ResourceProcedure(SQLModel, table=True):
    __tablename__ = "resource_procedure"
    resource_id: str = Field(foreign_key="resource.id", primary_key=True)
    procedure_id: str = Field(foreign_key="procedure.id", primary_key=True)
    mark: str = Field(max_length=1)


class KeyPersonRow(SQLModel, table=True):
    __tablename__ = "key_person"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    resource_id: str = Field(foreign_key="resource.id", index=True)
    name: str
    role: str = ""
    phone: str = ""
    sort_order: int = 0


class MapLayer(Tracked, table=True):
    """A background outline for the offline map (町丁目 boundaries, roads...), from GeoJSON."""

    __tablename__ = "map_layer"
    name: str
    source_file: str = ""
    geojson: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    visible: bool = True
    sort_order: int = 0


# --- the issue board (task イ) -----------------------------------------------------------

class CollabIssue(Tracked, table=True):
    """A collaboration problem (課題) as an association or meeting named it."""

    __tablename__ = "collab_issue"
    title: str
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    layer: str = "一次"  # 一次 / 二次 / 三次 (domain.issues.LAYER_KEYS)
    status: str = "抽出"  # domain.issues.STATUSES
    priority: str = "中"
    source_association_id: str | None = Field(default=None, foreign_key="association.id")
    source_text: str = ""  # the meeting or occasion it came from, as typed
    raised_on: dt.date | None = None
    municipality_id: str | None = Field(default=None, foreign_key="municipality.id")
    owner: str = ""
    next_action: str = ""
    next_due: dt.date | None = None
    fed_back_on: dt.date | None = None
    fed_back_how: str = ""
    search_text: str = ""
    is_sample: bool = False
    version: int = 1


class CollabIssueProfession(SQLModel, table=True):
    __tablename__ = "collab_issue_profession"
    issue_id: str = Field(foreign_key="collab_issue.id", primary_key=True)
    profession_id: str = Field(foreign_key="profession.id", primary_key=True)


class CollabIssueTheme(SQLModel, table=True):
    __tablename__ = "collab_issue_theme"
    issue_id: str = Field(foreign_key="collab_issue.id", primary_key=True)
    theme_id: str = Field(foreign_key="theme.id", primary_key=True)


class IssueResponse(Tracked, table=True):
    """A response (対応策) to an issue: who acts, what, its state and result."""

    __tablename__ = "issue_response"
    issue_id: str = Field(foreign_key="collab_issue.id", index=True)
    actor_kind: str = "連携拠点"  # domain.issues.ACTOR_KINDS
    actor_association_id: str | None = Field(default=None, foreign_key="association.id")
    actor_text: str = ""
    action: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    state: str = "未着手"
    result: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    sort_order: int = 0


class AssociationNeed(Tracked, table=True):
    """A need an association (or the hub, when association_id is None) wants met."""

    __tablename__ = "association_need"
    association_id: str | None = Field(default=None, foreign_key="association.id")
    text: str
    status: str = "未対応"  # 未対応 / 計画済 / 終了
    planned_event_id: str | None = Field(default=None, foreign_key="planned_event.id")
    is_sample: bool = False


class AssociationNeedTheme(SQLModel, table=True):
    __tablename__ = "association_need_theme"
    need_id: str = Field(foreign_key="association_need.id", primary_key=True)
    theme_id: str = Field(foreign_key="theme.id", primary_key=True)


class PlannedEvent(Tracked, table=True):
    """A planned 二次連携 event born from a needs match; the meeting scheduler adopts it later."""

    __tablename__ = "planned_event"
    title: str
    layer: str = "二次"
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    association_ids: str = "[]"  # JSON list of association ids involved
    adopted_meeting_id: str = ""  # set by the scheduler when it turns this into a meeting


# --- the meeting scheduler (tasks イ ウ カ キ) ------------------------------------------------

class MeetingType(VocabBase, table=True):
    """A kind of gathering (打ち合わせ会, 研修会, ...): its layer, tasks ア〜ク, length and agenda template."""

    __tablename__ = "meeting_type"
    layer: str = "一次"  # domain.meetings.MEETING_LAYERS
    tasks: str = ""  # task letters it counts for, e.g. "イカ"
    default_minutes: int = 90
    agenda_template: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Venue(Tracked, table=True):
    __tablename__ = "venue"
    name: str
    reading: str = ""
    address: str = ""
    capacity: int | None = None
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    is_sample: bool = False


class MeetingSeries(Tracked, table=True):
    """A recurring series; each occurrence is a real meeting row pointing here."""

    __tablename__ = "meeting_series"
    title: str
    freq: str = "weekly"  # weekly / monthly
    interval: int = 1
    weekdays: str = ""  # weekly: "0,3" (0 = Monday)
    month_day: int | None = None
    month_week: int | None = None
    month_weekday: int | None = None
    start_date: dt.date
    until: dt.date | None = None
    count: int | None = None


class Meeting(Tracked, table=True):
    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_date", "date"),)

    title: str
    type_id: str | None = Field(default=None, foreign_key="meeting_type.id")
    date: dt.date
    start_time: str | None = None  # "HH:MM"
    end_time: str | None = None
    venue_id: str | None = Field(default=None, foreign_key="venue.id")
    organiser_kind: str = "連携拠点"  # domain.meetings.ORGANISER_KINDS
    organiser_association_id: str | None = Field(default=None, foreign_key="association.id")
    organiser_text: str = ""
    capacity: int | None = None
    agenda: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = "計画中"
    minutes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    municipality_id: str | None = Field(default=None, foreign_key="municipality.id")
    series_id: str | None = Field(default=None, foreign_key="meeting_series.id", index=True)
    occurrence_date: dt.date | None = None
    copied_from_id: str | None = None
    is_sample: bool = False
    version: int = 1


class MeetingCoOrganiser(SQLModel, table=True):
    __tablename__ = "meeting_co_organiser"
    meeting_id: str = Field(foreign_key="meeting.id", primary_key=True)
    association_id: str = Field(foreign_key="association.id", primary_key=True)


class MeetingProfession(SQLModel, table=True):
    __tablename__ = "meeting_profession"
    meeting_id: str = Field(foreign_key="meeting.id", primary_key=True)
    profession_id: str = Field(foreign_key="profession.id", primary_key=True)


class MeetingSpeaker(SQLModel, table=True):
    __tablename__ = "meeting_speaker"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    meeting_id: str = Field(foreign_key="meeting.id", index=True)
    name: str
    affiliation: str = ""
    talk_title: str = ""
    sort_order: int = 0


class MeetingIssue(SQLModel, table=True):
    """A meeting where an issue was raised (提起), discussed (検討) or decided (決定)."""

    __tablename__ = "meeting_issue"
    meeting_id: str = Field(foreign_key="meeting.id", primary_key=True)
    issue_id: str = Field(foreign_key="collab_issue.id", primary_key=True, index=True)
    role: str = "検討"


class Person(Tracked, table=True):
    """Someone who attends: picked from earlier entries rather than typed again."""

    __tablename__ = "person"
    name: str
    reading: str = ""
    affiliation: str = ""
    profession_id: str | None = Field(default=None, foreign_key="profession.id")
    contact: str = ""
    person_key: str = Field(default="", index=True)  # domain.meetings.person_key
    merged_into_id: str | None = None
    is_sample: bool = False


class Attendance(SQLModel, table=True):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    meeting_id: str = Field(foreign_key="meeting.id", index=True)
    person_id: str = Field(foreign_key="person.id", index=True)
    role: str = "参加者"
    status: str = "申込"
    walk_in: bool = False
    table_no: int | None = None  # group work: the table (1..N) this participant sits at
    updated_at: dt.datetime = Field(default_factory=utcnow)


class AttendanceCount(SQLModel, table=True):
    """Counts-only attendance for big lectures: people per profession (or 住民 / その他) with no names."""

    __tablename__ = "attendance_count"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    meeting_id: str = Field(foreign_key="meeting.id", index=True)
    profession_id: str | None = Field(default=None, foreign_key="profession.id")
    label: str = ""  # shown when profession_id is None, e.g. 他職種
    count: int = 0


class QuestionnaireTemplate(Tracked, table=True):
    """A questionnaire handed out at meetings: its items live in questionnaire_item."""

    __tablename__ = "questionnaire_template"
    name: str
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    is_sample: bool = False


class QuestionnaireItem(SQLModel, table=True):
    """One question: a 4- or 5-point scale, yes/no or free text (domain.questionnaires.ITEM_KINDS)."""

    __tablename__ = "questionnaire_item"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    template_id: str = Field(foreign_key="questionnaire_template.id", index=True)
    sort_order: int = 0
    kind: str = "scale4"  # scale4 / scale5 / yesno / text
    text: str
    choices: str = ""  # the point labels, best first, separated by "|"; "" = the kind's default labels
    archived_at: dt.datetime | None = None


class MeetingQuestionnaire(SQLModel, table=True):
    """Which questionnaire a meeting handed out, and how many sheets (for the response rate)."""

    __tablename__ = "meeting_questionnaire"
    meeting_id: str = Field(foreign_key="meeting.id", primary_key=True)
    template_id: str = Field(foreign_key="questionnaire_template.id")
    distributed: int | None = None  # sheets handed out; None = the number who attended


class QuestionnaireResponse(SQLModel, table=True):
    """One returned sheet."""

    __tablename__ = "questionnaire_response"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    meeting_id: str = Field(foreign_key="meeting.id", index=True)
    sheet_no: int = 0
    profession_id: str | None = Field(default=None, foreign_key="profession.id")
    profession_label: str = ""  # when no profession fits: 住民 / その他
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class QuestionnaireAnswer(SQLModel, table=True):
    __tablename__ = "questionnaire_answer"
    __table_args__ = (UniqueConstraint("response_id", "item_id"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    response_id: str = Field(foreign_key="questionnaire_response.id", index=True)
    item_id: str = Field(foreign_key="questionnaire_item.id", index=True)
    value: int | None = None  # scale: 1 = best point; yes/no: 1 = yes, 2 = no
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


# --- consultation intake (task オ) -------------------------------------------------------------
# Personal fields (names, contact, the person's details, what was asked) are 要配慮個人情報: they never go
# into logs, error messages or anonymous outputs, and every view/export/print of them is in audit_log.

class ConsultationCase(Tracked, table=True):
    """The person concerned, across all consultations about them (the duplicate check attaches new ones here).
    Every personal field is optional: a consultation may be anonymous."""

    __tablename__ = "consultation_case"
    case_no: str = Field(default="", index=True)  # shown number, e.g. 2026-0042
    person_name: str = ""
    person_reading: str = ""  # folded kana, for the duplicate check
    person_phone: str = ""  # digits only, for the duplicate check
    age_band: str = ""  # domain.consultations.AGE_BANDS
    municipality_id: str | None = Field(default=None, foreign_key="municipality.id")
    district_id: str | None = Field(default=None, foreign_key="district.id")
    care_level: str = ""  # domain.consultations.CARE_LEVELS
    is_sample: bool = False
    version: int = 1


class Consultation(Tracked, table=True):
    __tablename__ = "consultation"
    case_id: str = Field(foreign_key="consultation_case.id", index=True)
    window: str = "多職種向け"  # 多職種向け / 一般向け
    received_at: dt.datetime = Field(index=True)  # UTC; the form shows local time
    channel: str = "電話"  # domain.consultations.CHANNELS
    requester_type: str = "本人"  # domain.consultations.REQUESTER_TYPES
    requester_name: str = ""
    requester_affiliation: str = ""
    requester_contact: str = ""
    question: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    answer: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    minutes_spent: int | None = None
    status: str = Field(default="受付", index=True)  # 受付 → 対応中 → 紹介済 → 終了 / 継続
    handled_by: str = ""
    follow_up_due: dt.date | None = Field(default=None, index=True)
    is_sample: bool = False
    version: int = 1


class ConsultationCategoryLink(SQLModel, table=True):
    __tablename__ = "consultation_category_link"
    consultation_id: str = Field(foreign_key="consultation.id", primary_key=True)
    category_id: str = Field(foreign_key="consultation_category.id", primary_key=True, index=True)


class Referral(Tracked, table=True):
    """A referral of a consultation to a provider from the resource list."""

    __tablename__ = "consultation_referral"
    consultation_id: str = Field(foreign_key="consultation.id", index=True)
    resource_id: str = Field(foreign_key="resource.id", index=True)
    referred_on: dt.date
    how: str = "電話"  # domain.consultations.REFERRAL_HOWS
    personal_shared: bool = False  # the person's details were passed on (needs consent)
    outcome: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    outcome_on: dt.date | None = None


class ConsultationContact(SQLModel, table=True):
    """One entry of a case's chronological record: the first call, call-backs, a referral's outcome."""

    __tablename__ = "consultation_contact"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    consultation_id: str = Field(foreign_key="consultation.id", index=True)
    at: dt.datetime
    kind: str = "受付"  # domain.consultations.CONTACT_KINDS
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    by: str = ""
    created_at: dt.datetime = Field(default_factory=utcnow)


class Consent(Tracked, table=True):
    """Whether the person agreed that their details may be passed on: to whom, for what, when and how;
    a withdrawal ends it (the row is kept)."""

    __tablename__ = "consultation_consent"
    case_id: str = Field(foreign_key="consultation_case.id", index=True)
    granted: bool = True  # False = asked and refused
    recipients: str = ""  # to whom, e.g. 訪問看護ステーション・かかりつけ医
    purpose: str = ""
    obtained_on: dt.date
    method: str = "口頭"  # domain.consultations.CONSENT_METHODS
    obtained_by: str = ""
    withdrawn_on: dt.date | None = None


class IssueConsultation(SQLModel, table=True):
    """An issue promoted from recurring consultations (no personal data travels with the link)."""

    __tablename__ = "issue_consultation"
    issue_id: str = Field(foreign_key="collab_issue.id", primary_key=True)
    consultation_id: str = Field(foreign_key="consultation.id", primary_key=True, index=True)


class AuditLog(SQLModel, table=True):
    """The hash-chained audit trail (domain/audit.py): who saw, exported, printed, created or changed
    consultation data, when and what (ids and kinds only — never names or text). ``seq`` orders the entries
    1, 2, 3 … whatever the clock says; the database refuses UPDATE and DELETE (triggers in migration 0009)."""

    __tablename__ = "audit_log"
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: dt.datetime = Field(index=True)  # UTC wall clock (may be wrong on an offline laptop)
    user: str = ""
    role: str = ""
    action: str  # domain.audit.ACTION_LABELS: view / reveal / export / print / consent / create / update ...
    entity: str = ""  # consultation_case / consultation / referral / audit_log
    entity_id: str = ""
    detail: str = ""  # e.g. a case number, a file name or the names of changed fields; no personal data
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The single-row anchor of the audit trail: the last seq and its hash, moved with every append."""

    __tablename__ = "audit_head"
    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = 0
    hash: str = Field(max_length=64)


# --- the annual report -----------------------------------------------------------------------------

class ReportNote(SQLModel, table=True):
    """Free text the coordinator adds to a section of the annual report (事業実績報告) before printing."""

    __tablename__ = "report_note"
    fiscal_year: int = Field(primary_key=True)  # 2025 = 2025-04-01 … 2026-03-31
    task: str = Field(primary_key=True)  # ア〜ク
    section: str = Field(primary_key=True)  # 実績 / 成果 / 課題
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    updated_at: dt.datetime = Field(default_factory=utcnow)
    updated_by: str = ""


# --- history and settings stored with the data -------------------------------------

class ChangeLog(SQLModel, table=True):
    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_entity", "entity", "entity_id"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    entity: str
    entity_id: str
    action: str  # create / update / archive / restore / import
    changed_at: dt.datetime = Field(default_factory=utcnow)
    changed_by: str = ""
    changes: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))  # JSON {field: [old, new]}
    note: str = ""


class AppMeta(SQLModel, table=True):
    __tablename__ = "app_meta"
    __table_args__ = (UniqueConstraint("key"),)
    key: str = Field(primary_key=True)
    value: str = ""


class SyncPeer(SQLModel, table=True):
    """Another laptop's database (its id from the exchange file's manifest) and the last exchange with it."""

    __tablename__ = "sync_peer"
    peer_id: str = Field(primary_key=True, max_length=36)
    last_import_at: dt.datetime | None = None  # our clock
    last_exported_at: dt.datetime | None = None  # their clock: when the last imported file was written
    last_file_sha256: str = ""


class SyncBase(SQLModel, table=True):
    """A record as the peer last sent it: the base of the three-way merge at the next exchange."""

    __tablename__ = "sync_base"
    peer_id: str = Field(primary_key=True, max_length=36)
    table_name: str = Field(primary_key=True)
    record_id: str = Field(primary_key=True, max_length=36)
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))  # JSON {field: value}


# --- read shapes -------------------------------------------------------------------

@dataclass(frozen=True)
class VocabItem:
    id: str
    kind: str
    name: str
    reading: str
    sort_order: int
    archived: bool
    parent_id: str | None = None  # district → municipality, profession → association
    code: str = ""  # municipality code
    group: str = ""  # category group


@dataclass(frozen=True, slots=True)
class KeyPersonRead:
    name: str
    role: str
    phone: str


@dataclass(frozen=True, slots=True)
class ResourceRow:
    """One line of the resource table: everything the list, search and filters need."""

    id: str
    name: str
    reading: str
    category_id: str
    category: str
    municipality_id: str | None
    municipality: str
    district_id: str | None
    district: str
    postal_code: str
    address: str
    phone: str
    fax: str
    email: str
    url: str
    last_confirmed: dt.date | None
    confirmed_source: str
    capability_ids: frozenset[str]
    capabilities: tuple[str, ...]
    procedure_marks: dict[str, str]  # procedure name → mark
    key_persons: tuple[KeyPersonRead, ...]
    search_text: str
    archived: bool
    is_sample: bool
    updated_at: dt.datetime
    lat: float | None = None
    lon: float | None = None
    visit_area: str = ""
    opening_hours: str = ""
    notes: str = ""
    shortstay_vacancies: int | None = None
    shortstay_as_of: dt.date | None = None
    external_source: str = ""
    external_id: str = ""
    version: int = 1
    official_file: str = ""
    official_date: dt.date | None = None
    official_gone_at: dt.date | None = None


@dataclass(frozen=True)
class ResourceDetail:
    row: ResourceRow
    procedure_ids: dict[str, str] = field(default_factory=dict)  # procedure id → mark
    created_at: dt.datetime | None = None


@dataclass(frozen=True)
class ChangeRead:
    changed_at: dt.datetime
    changed_by: str
    action: str
    changes: dict[str, list]
    note: str
