"""The meeting scheduler backend (tasks イ ウ カ キ): meeting types, venues, meetings and series,
calendar queries with warnings, issue links, people and attendance.

Every public method owns one session and returns the plain read shapes below. Nothing is
deleted: meetings, venues, types and people are archived.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from dataclasses import dataclass, replace

import jpholiday
from sqlmodel import Session

from zaitaku_desktop.domain.errors import DomainError, FieldIssue, NotFoundError, ValidationError
from zaitaku_desktop.domain.meetings import (
    ATTENDANCE_ROLES, ATTENDANCE_STATUSES, CITIZENS_LABEL, HELD_STATUS, ISSUE_ROLES, MEETING_LAYERS,
    OTHERS_LABEL, CleanMeeting, MeetingInput, MeetingWarning, RecurrenceRule, Slot, Speaker, add_minutes,
    clash_warnings, clean_tasks, expand, person_key, rule_issues, validate_meeting,
)
from zaitaku_desktop.models import (
    Attendance, ChangeRead, Meeting, MeetingIssue, MeetingSeries, MeetingType, PlannedEvent, Person, Venue,
    utcnow,
)
from zaitaku_desktop.services.conflicts import stale_record
from zaitaku_desktop.storage import history_repo, meeting_repo, vocab_repo
from zaitaku_desktop.storage.database import Database

ENTITY = "meeting"
TYPE_ENTITY = "meeting_type"
VENUE_ENTITY = "venue"
PERSON_ENTITY = "person"

NOT_FOUND = "この会議・研修は見つかりません。ほかの操作で変更された可能性があります。"
NAME_MAX = 100

FIELD_LABELS: dict[str, str] = {
    "title": "名前", "type": "種類", "date": "開催日", "start_time": "開始時刻", "end_time": "終了時刻",
    "venue": "会場", "organiser": "主催", "co_organisers": "共催", "professions": "対象職種", "speakers": "講師",
    "capacity": "定員", "agenda": "次第", "status": "状況", "minutes": "記録", "notes": "備考",
    "municipality": "市町村", "archived": "アーカイブ", "issue": "課題", "attendance": "出欠", "counts": "人数",
}
# Fields a whole-series edit carries to the later occurrences (each keeps its own date, status and record).
SERIES_FIELDS = ("title", "type_id", "start_time", "end_time", "venue_id", "organiser_kind",
                 "organiser_association_id", "organiser_text", "co_organiser_ids", "profession_ids", "speakers",
                 "capacity", "agenda", "notes", "municipality_id")


# --- read shapes --------------------------------------------------------------------------------

@dataclass(frozen=True)
class MeetingTypeRead:
    id: str
    name: str
    reading: str
    sort_order: int
    archived: bool
    layer: str
    tasks: str
    default_minutes: int
    agenda_template: str


@dataclass(frozen=True)
class VenueRead:
    id: str
    name: str
    reading: str
    address: str
    capacity: int | None
    notes: str
    archived: bool


@dataclass(frozen=True, slots=True)
class MeetingRow:
    """One calendar entry / list line."""

    id: str
    title: str
    type_id: str | None
    type_name: str
    layer: str
    tasks: str
    date: dt.date
    start_time: str | None
    end_time: str | None
    venue_id: str | None
    venue: str
    venue_capacity: int | None
    status: str
    organiser_kind: str
    organiser_association_id: str | None
    organiser: str  # display text: the association's name, the typed text or the kind
    organiser_text: str
    co_organiser_ids: tuple[str, ...]
    co_organisers: tuple[str, ...]
    profession_ids: tuple[str, ...]
    capacity: int | None
    municipality_id: str | None
    municipality: str
    series_id: str | None
    occurrence_date: dt.date | None
    registered: int  # attendance rows 申込 or 出席
    attended: int  # 出席 rows + counts-only people
    counted: int  # counts-only people
    issue_count: int
    archived: bool
    is_sample: bool
    updated_at: dt.datetime
    version: int


@dataclass(frozen=True)
class IssueLinkRead:
    meeting_id: str
    issue_id: str
    role: str
    meeting_title: str = ""
    meeting_date: dt.date | None = None
    issue_title: str = ""


@dataclass(frozen=True)
class MeetingDetail:
    row: MeetingRow
    agenda: str
    minutes: str
    notes: str
    speakers: tuple[Speaker, ...]
    issues: tuple[IssueLinkRead, ...]
    history: list[ChangeRead]


@dataclass(frozen=True)
class PersonRead:
    id: str
    name: str
    reading: str
    affiliation: str
    profession_id: str | None
    profession: str
    contact: str
    archived: bool
    merged_into_id: str | None


@dataclass(frozen=True)
class AttendanceRead:
    id: str
    meeting_id: str
    person_id: str
    name: str
    affiliation: str
    profession_id: str | None
    profession: str
    role: str
    status: str
    walk_in: bool


@dataclass(frozen=True)
class CountEntry:
    """Counts-only attendance: a profession (or, with profession_id None, a label like 住民 / 他職種)."""

    profession_id: str | None
    count: int
    label: str = ""


@dataclass(frozen=True)
class ProfessionTotal:
    profession_id: str | None
    profession: str  # the profession's name, or the counts-only label
    count: int


@dataclass(frozen=True)
class DayMark:
    date: dt.date
    holiday: str  # "" when not a holiday
    weekend: bool


class MeetingService:
    def __init__(self, db: Database, *, user: str = "") -> None:
        self.db = db
        self.user = user

    # --- meeting types -------------------------------------------------------------------------
    def list_types(self, *, include_archived: bool = False) -> list[MeetingTypeRead]:
        with self.db.session() as s:
            return [self._type_read(t) for t in meeting_repo.types(s, include_archived=include_archived)]

    def add_type(self, name: str, *, reading: str = "", layer: str = "一次", tasks: str = "",
                 default_minutes: int = 90, agenda_template: str = "") -> MeetingTypeRead:
        name = self._clean_type(name, layer, default_minutes)
        with self.db.session() as s:
            self._check_type_unique(s, name, None)
            row = MeetingType(name=name, reading=(reading or "").strip(), layer=layer, tasks=clean_tasks(tasks),
                              default_minutes=default_minutes, agenda_template=agenda_template or "",
                              sort_order=len(meeting_repo.types(s, include_archived=True)) + 1)
            s.add(row)
            s.flush()
            history_repo.record(s, entity=TYPE_ENTITY, entity_id=row.id, action="create", user=self.user,
                                changes={"name": [None, name]})
            return self._type_read(row)

    def update_type(self, type_id: str, name: str, *, reading: str = "", layer: str = "一次", tasks: str = "",
                    default_minutes: int = 90, agenda_template: str = "") -> MeetingTypeRead:
        name = self._clean_type(name, layer, default_minutes)
        with self.db.session() as s:
            row = meeting_repo.get_type(s, type_id)
            if row is None:
                raise NotFoundError("この種類は見つかりません。")
            self._check_type_unique(s, name, type_id)
            new = {"name": name, "reading": (reading or "").strip(), "layer": layer, "tasks": clean_tasks(tasks),
                   "default_minutes": default_minutes, "agenda_template": agenda_template or ""}
            history_repo.apply_changes(s, row, new, entity=TYPE_ENTITY, user=self.user)
            return self._type_read(row)

    def set_type_archived(self, type_id: str, archived: bool) -> MeetingTypeRead:
        with self.db.session() as s:
            row = meeting_repo.get_type(s, type_id)
            if row is None:
                raise NotFoundError("この種類は見つかりません。")
            history_repo.set_archived(s, row, archived, entity=TYPE_ENTITY, user=self.user)
            return self._type_read(row)

    # --- venues --------------------------------------------------------------------------------
    def list_venues(self, *, include_archived: bool = False) -> list[VenueRead]:
        with self.db.session() as s:
            return [self._venue_read(v) for v in meeting_repo.venues(s, include_archived=include_archived)]

    def add_venue(self, name: str, *, reading: str = "", address: str = "", capacity: int | None = None,
                  notes: str = "", is_sample: bool = False) -> VenueRead:
        name = self._clean_venue(name, capacity)
        with self.db.session() as s:
            self._check_venue_unique(s, name, None)
            row = Venue(name=name, reading=(reading or "").strip(), address=(address or "").strip(),
                        capacity=capacity, notes=notes or "", is_sample=is_sample)
            s.add(row)
            s.flush()
            history_repo.record(s, entity=VENUE_ENTITY, entity_id=row.id, action="create", user=self.user,
                                changes={"name": [None, name]})
            return self._venue_read(row)

    def update_venue(self, venue_id: str, name: str, *, reading: str = "", address: str = "",
                     capacity: int | None = None, notes: str = "") -> VenueRead:
        name = self._clean_venue(name, capacity)
        with self.db.session() as s:
            row = s.get(Venue, venue_id)
            if row is None:
                raise NotFoundError("この会場は見つかりません。")
            self._check_venue_unique(s, name, venue_id)
            new = {"name": name, "reading": (reading or "").strip(), "address": (address or "").strip(),
                   "capacity": capacity, "notes": notes or ""}
            history_repo.apply_changes(s, row, new, entity=VENUE_ENTITY, user=self.user)
            return self._venue_read(row)

    def set_venue_archived(self, venue_id: str, archived: bool) -> VenueRead:
        with self.db.session() as s:
            row = s.get(Venue, venue_id)
            if row is None:
                raise NotFoundError("この会場は見つかりません。")
            history_repo.set_archived(s, row, archived, entity=VENUE_ENTITY, user=self.user)
            return self._venue_read(row)

    # --- reading meetings ----------------------------------------------------------------------
    def get(self, meeting_id: str) -> MeetingDetail:
        with self.db.session() as s:
            rows = meeting_repo.load_rows(s, MeetingRow, ids=[meeting_id], include_archived=True)
            if not rows:
                raise NotFoundError(NOT_FOUND)
            row = meeting_repo.get(s, meeting_id)
            assert row is not None
            speakers = tuple(Speaker(x.name, x.affiliation, x.talk_title) for x in meeting_repo.speakers(s, meeting_id))
            return MeetingDetail(row=rows[0], agenda=row.agenda, minutes=row.minutes, notes=row.notes,
                                 speakers=speakers, issues=tuple(self._issue_links(s, meeting_id=meeting_id)),
                                 history=history_repo.for_entity(s, ENTITY, meeting_id))

    def month(self, year: int, month: int, *, include_archived: bool = False) -> list[MeetingRow]:
        """The meetings of one calendar month, by date and start time."""
        last = calendar.monthrange(year, month)[1]
        return self.period(dt.date(year, month, 1), dt.date(year, month, last), include_archived=include_archived)

    def period(self, start: dt.date, end: dt.date, *, include_archived: bool = False) -> list[MeetingRow]:
        with self.db.session() as s:
            return meeting_repo.load_rows(s, MeetingRow, start=start, end=end, include_archived=include_archived)

    def upcoming(self, today: dt.date, *, limit: int = 5) -> list[MeetingRow]:
        """Today's and the next meetings that are still to be held."""
        with self.db.session() as s:
            rows = meeting_repo.load_rows(s, MeetingRow, start=today)
        return [r for r in rows if r.status in ("計画中", "案内済")][:limit]

    def series_rows(self, series_id: str) -> list[MeetingRow]:
        with self.db.session() as s:
            return meeting_repo.load_rows(s, MeetingRow, series_id=series_id, include_archived=True)

    def count(self, *, include_archived: bool = False) -> int:
        with self.db.session() as s:
            return meeting_repo.count(s, include_archived=include_archived)

    @staticmethod
    def day_marks(start: dt.date, end: dt.date) -> list[DayMark]:
        """Every day of the period with its holiday name (jpholiday) and weekend flag."""
        holidays = {day: name for day, name in jpholiday.between(start, end)}
        out = []
        day = start
        while day <= end:
            out.append(DayMark(day, holidays.get(day, ""), day.weekday() >= 5))
            day += dt.timedelta(days=1)
        return out

    @staticmethod
    def holidays(start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
        return [(day, name) for day, name in jpholiday.between(start, end)]

    def warnings(self, meeting_id: str) -> list[MeetingWarning]:
        """Warnings for a saved meeting: venue double-booked, an association in two meetings at once,
        a holiday or weekend, more registered than the venue holds."""
        with self.db.session() as s:
            rows = meeting_repo.load_rows(s, MeetingRow, ids=[meeting_id], include_archived=True)
            if not rows:
                raise NotFoundError(NOT_FOUND)
            target = rows[0]
            same_day = meeting_repo.load_rows(s, MeetingRow, start=target.date, end=target.date)
            names = {a.id: a.name for a in vocab_repo.list_items(s, "association", include_archived=True)}
        return clash_warnings(
            self._slot(target), [self._slot(r) for r in same_day], holiday_name=jpholiday.is_holiday_name(target.date),
            venue_name=target.venue, venue_capacity=target.venue_capacity, registered=target.registered,
            association_names=names)

    def draft_warnings(self, data: MeetingInput, *, meeting_id: str | None = None) -> list[MeetingWarning]:
        """The same warnings for a form not saved yet (``meeting_id`` when editing a saved meeting)."""
        clean = self._validated(data)
        with self.db.session() as s:
            same_day = meeting_repo.load_rows(s, MeetingRow, start=clean.date, end=clean.date)
            names = {a.id: a.name for a in vocab_repo.list_items(s, "association", include_archived=True)}
            venue = s.get(Venue, clean.venue_id) if clean.venue_id else None
            registered = sum(1 for a in meeting_repo.attendance(s, meeting_id=meeting_id)
                             if a.status in ("申込", "出席")) if meeting_id else 0
        associations = set(clean.co_organiser_ids)
        if clean.organiser_association_id:
            associations.add(clean.organiser_association_id)
        target = Slot(meeting_id or "", clean.title, clean.date, clean.start_time, clean.end_time, clean.venue_id,
                      frozenset(associations), clean.status)
        return clash_warnings(
            target, [self._slot(r) for r in same_day], holiday_name=jpholiday.is_holiday_name(clean.date),
            venue_name=venue.name if venue else "", venue_capacity=venue.capacity if venue else None,
            registered=registered, association_names=names)

    # --- writing meetings ----------------------------------------------------------------------
    def create(self, data: MeetingInput, *, is_sample: bool = False,
               issue_links: dict[str, str] | None = None) -> MeetingRow:
        """A new meeting; ``issue_links`` (issue id → 提起/検討/決定) are saved in the same transaction."""
        clean = self._validated(data)
        with self.db.session() as s:
            mid = self.save_in_session(s, None, clean, is_sample=is_sample)
            if issue_links:
                self.set_issue_links_in_session(s, mid, issue_links)
            return meeting_repo.load_rows(s, MeetingRow, ids=[mid])[0]

    def update(self, meeting_id: str, data: MeetingInput, *, expected_version: int | None = None,
               scope: str = "one", issue_links: dict[str, str] | None = None) -> MeetingRow:
        """Change one meeting. With scope="series" the change (not the date, status or record) is also
        applied to the series' later occurrences that are not held yet; held ones are never rewritten.
        ``issue_links``, when given, becomes this meeting's whole set of issue links, in the same transaction."""
        if scope not in ("one", "series"):
            raise DomainError(f"不明な変更の範囲です：{scope}")
        clean = self._validated(data)
        with self.db.session() as s:
            row = meeting_repo.get(s, meeting_id)
            if row is None:
                raise NotFoundError(NOT_FOUND)
            if expected_version is not None and row.version != expected_version:
                names = self._names(s)
                raise stale_record(s, entity=ENTITY, entity_id=row.id, version=row.version,
                                   expected_version=expected_version, labels=FIELD_LABELS, what="この会議・研修",
                                   theirs=self._snapshot(self._clean_from(s, row), names),
                                   yours=self._snapshot(clean, names))
            from_date = row.date
            series_id = row.series_id
            self.save_in_session(s, meeting_id, clean)
            if issue_links is not None:
                self.set_issue_links_in_session(s, meeting_id, issue_links)
            if scope == "series" and series_id:
                template = {name: getattr(clean, name) for name in SERIES_FIELDS}
                for other in meeting_repo.load_rows(s, MeetingRow, series_id=series_id):
                    if other.id == meeting_id or other.date < from_date or other.status == HELD_STATUS:
                        continue
                    current = self._clean_from(s, meeting_repo.get(s, other.id))  # type: ignore[arg-type]
                    self.save_in_session(s, other.id, replace(current, **template), note="シリーズ全体の変更")
            return meeting_repo.load_rows(s, MeetingRow, ids=[meeting_id])[0]

    def set_status(self, meeting_id: str, status: str) -> MeetingRow:
        with self.db.session() as s:
            row = meeting_repo.get(s, meeting_id)
            if row is None:
                raise NotFoundError(NOT_FOUND)
            current = self._clean_from(s, row)
            data = MeetingInput(**{**current.__dict__, "co_organiser_ids": list(current.co_organiser_ids),
                                   "profession_ids": list(current.profession_ids),
                                   "speakers": list(current.speakers), "status": status})
            clean = self._validated(data)
            self.save_in_session(s, meeting_id, clean, action="status")
            return meeting_repo.load_rows(s, MeetingRow, ids=[meeting_id])[0]

    def set_archived(self, meeting_id: str, archived: bool, *, note: str = "") -> MeetingRow:
        with self.db.session() as s:
            row = meeting_repo.get(s, meeting_id)
            if row is None:
                raise NotFoundError(NOT_FOUND)
            if history_repo.set_archived(s, row, archived, entity=ENTITY, user=self.user, note=note):
                s.flush()
            return meeting_repo.load_rows(s, MeetingRow, ids=[meeting_id], include_archived=True)[0]

    def create_series(self, data: MeetingInput, rule: RecurrenceRule, *, is_sample: bool = False,
                      issue_links: dict[str, str] | None = None) -> list[MeetingRow]:
        """A recurring series from its first meeting: one meeting row per occurrence (``issue_links`` go on
        the first occurrence, in the same transaction)."""
        clean = self._validated(data)
        with self.db.session() as s:
            ids = self.create_series_in_session(s, clean, rule, is_sample=is_sample)
            if issue_links and ids:
                self.set_issue_links_in_session(s, ids[0], issue_links)
            return meeting_repo.load_rows(s, MeetingRow, ids=ids)

    def create_series_in_session(self, s: Session, clean: CleanMeeting, rule: RecurrenceRule, *,
                                 is_sample: bool = False) -> list[str]:
        problems = rule_issues(rule)
        if problems:
            raise ValidationError(issues=problems)
        dates = expand(rule, clean.date)
        if not dates:
            raise ValidationError(issues=[FieldIssue("until", "この条件では開催日が1日もありません")])
        series = MeetingSeries(
            title=clean.title, freq=rule.freq, interval=rule.interval,
            weekdays=",".join(str(w) for w in sorted(rule.weekdays)), month_day=rule.month_day,
            month_week=rule.month_week, month_weekday=rule.month_weekday, start_date=clean.date,
            until=rule.until, count=rule.count)
        s.add(series)
        s.flush()
        return [self.save_in_session(s, None, replace(clean, date=day), is_sample=is_sample, series_id=series.id,
                                     note=f"シリーズ（全{len(dates)}回）")
                for day in dates]

    def copy(self, meeting_id: str, new_date: object, *, title: str | None = None) -> MeetingRow:
        """Plan the next meeting from a past one: same contents on a new date, status 計画中,
        no attendance, record or issue links copied."""
        with self.db.session() as s:
            row = meeting_repo.get(s, meeting_id)
            if row is None:
                raise NotFoundError(NOT_FOUND)
            current = self._clean_from(s, row)
            data = MeetingInput(**{**current.__dict__, "co_organiser_ids": list(current.co_organiser_ids),
                                   "profession_ids": list(current.profession_ids),
                                   "speakers": list(current.speakers), "date": new_date, "status": "計画中",
                                   "minutes": "", "title": title if title is not None else current.title})
            clean = self._validated(data)
            new_id = self.save_in_session(s, None, clean, note=f"「{row.title}」（{row.date.isoformat()}）から複写")
            created = meeting_repo.get(s, new_id)
            assert created is not None
            created.copied_from_id = row.id
            s.flush()
            return meeting_repo.load_rows(s, MeetingRow, ids=[new_id])[0]

    def adopt_planned_event(self, event_id: str, *, on: object = None) -> MeetingRow:
        """Turn a planned 二次連携 event (from the needs match) into a 計画中 meeting draft."""
        with self.db.session() as s:
            event = s.get(PlannedEvent, event_id)
            if event is None:
                raise NotFoundError("この計画した行事は見つかりません。")
            if event.adopted_meeting_id:
                raise DomainError("この行事はすでに会議・研修として登録されています。")
            try:
                associations = [a for a in json.loads(event.association_ids or "[]") if a]
            except ValueError:
                associations = []
            known = {a.id for a in vocab_repo.list_items(s, "association", include_archived=True)}
            associations = [a for a in associations if a in known]
            type_id = next((t.id for t in meeting_repo.types(s) if t.name == "研修会"), None)
            clean = self._validated(MeetingInput(
                title=event.title, type_id=type_id, date=on or dt.date.today(), co_organiser_ids=associations,
                notes=event.description, status="計画中"))
            new_id = self.save_in_session(s, None, clean, note="ニーズのマッチングで計画した行事から作成")
            event.adopted_meeting_id = new_id
            event.updated_at = utcnow()
            s.flush()
            return meeting_repo.load_rows(s, MeetingRow, ids=[new_id])[0]

    def save_in_session(self, s: Session, meeting_id: str | None, clean: CleanMeeting, *, is_sample: bool = False,
                        series_id: str | None = None, action: str | None = None, note: str = "") -> str:
        """Insert or update one meeting inside the caller's session and record the history."""
        names = self._names(s)
        self._check_refs(s, clean, names)
        if meeting_id is None:
            row = Meeting(title=clean.title, date=clean.date, is_sample=is_sample, series_id=series_id,
                          occurrence_date=clean.date if series_id else None)
            s.add(row)
            before: dict[str, object] = {}
        else:
            found = meeting_repo.get(s, meeting_id)
            if found is None:
                raise NotFoundError(NOT_FOUND)
            row = found
            before = self._snapshot(self._clean_from(s, row), names)
        for attr in ("title", "type_id", "date", "start_time", "end_time", "venue_id", "organiser_kind",
                     "organiser_association_id", "organiser_text", "capacity", "agenda", "status", "minutes",
                     "notes", "municipality_id"):
            setattr(row, attr, getattr(clean, attr))
        s.flush()
        meeting_repo.replace_links(s, row.id, co_organiser_ids=clean.co_organiser_ids,
                                   profession_ids=clean.profession_ids,
                                   speakers=tuple((x.name, x.affiliation, x.talk_title) for x in clean.speakers),
                                   is_new=meeting_id is None)
        after = self._snapshot(clean, names)
        if meeting_id is None:
            changes = {k: [None, v] for k, v in after.items() if v not in (None, "", [], {})}
            history_repo.record(s, entity=ENTITY, entity_id=row.id, action=action or "create", user=self.user,
                                changes=changes, note=note)
        else:
            changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
            if changes:
                row.updated_at = utcnow()
                row.version += 1
                history_repo.record(s, entity=ENTITY, entity_id=row.id, action=action or "update", user=self.user,
                                    changes=changes, note=note)
        s.flush()  # rows are read back with raw SQL, which does not autoflush
        return row.id

    # --- issue links ---------------------------------------------------------------------------
    def link_issue(self, meeting_id: str, issue_id: str, role: str = "検討") -> IssueLinkRead:
        if role not in ISSUE_ROLES:
            raise ValidationError(issues=[FieldIssue("role", f"課題との関係は{'・'.join(ISSUE_ROLES)}から選んでください")])
        with self.db.session() as s:
            return self.link_issue_in_session(s, meeting_id, issue_id, role)

    def link_issue_in_session(self, s: Session, meeting_id: str, issue_id: str, role: str) -> IssueLinkRead:
        from zaitaku_desktop.models import CollabIssue

        meeting = meeting_repo.get(s, meeting_id)
        issue = s.get(CollabIssue, issue_id)
        if meeting is None or issue is None:
            raise NotFoundError("会議・研修または課題が見つかりません。")
        link = s.get(MeetingIssue, (meeting_id, issue_id))
        old = link.role if link else None
        if link is None:
            link = MeetingIssue(meeting_id=meeting_id, issue_id=issue_id, role=role)
            s.add(link)
        link.role = role
        if old != role:
            history_repo.record(s, entity=ENTITY, entity_id=meeting_id, action="issue", user=self.user,
                                changes={"issue": [f"{issue.title[:40]}（{old}）" if old else None,
                                                   f"{issue.title[:40]}（{role}）"]})
        s.flush()
        return IssueLinkRead(meeting_id, issue_id, role, meeting.title, meeting.date, issue.title)

    def unlink_issue(self, meeting_id: str, issue_id: str) -> None:
        with self.db.session() as s:
            self.unlink_issue_in_session(s, meeting_id, issue_id)

    def unlink_issue_in_session(self, s: Session, meeting_id: str, issue_id: str) -> None:
        link = s.get(MeetingIssue, (meeting_id, issue_id))
        if link is not None:
            s.delete(link)
            history_repo.record(s, entity=ENTITY, entity_id=meeting_id, action="issue", user=self.user,
                                changes={"issue": [link.role, None]}, note=f"課題ID {issue_id}")
            s.flush()

    def set_issue_links_in_session(self, s: Session, meeting_id: str, links: dict[str, str]) -> None:
        """Make ``links`` (issue id → role) the meeting's whole set of issue links."""
        for role in links.values():
            if role not in ISSUE_ROLES:
                raise ValidationError(issues=[FieldIssue("role", f"課題との関係は{'・'.join(ISSUE_ROLES)}から選んでください")])
        current = {link.issue_id: link.role for link in self._issue_links(s, meeting_id=meeting_id)}
        for issue_id in current.keys() - links.keys():
            self.unlink_issue_in_session(s, meeting_id, issue_id)
        for issue_id, role in links.items():
            if current.get(issue_id) != role:
                self.link_issue_in_session(s, meeting_id, issue_id, role)

    def meetings_for_issue(self, issue_id: str) -> list[IssueLinkRead]:
        """The meetings where an issue was raised, discussed or decided, oldest first."""
        with self.db.session() as s:
            return sorted(self._issue_links(s, issue_id=issue_id), key=lambda x: (x.meeting_date or dt.date.min))

    # --- people --------------------------------------------------------------------------------
    def list_persons(self, *, include_archived: bool = False) -> list[PersonRead]:
        with self.db.session() as s:
            profs = self._names(s)["profession"]
            return [self._person_read(p, profs) for p in meeting_repo.persons(s, include_archived=include_archived)]

    def add_person(self, name: str, *, reading: str = "", affiliation: str = "", profession_id: str | None = None,
                   contact: str = "", is_sample: bool = False) -> PersonRead:
        """Register a person; the same normalised name + affiliation is refused (pick the earlier entry)."""
        with self.db.session() as s:
            return self._person_read(self.add_person_in_session(
                s, name, reading=reading, affiliation=affiliation, profession_id=profession_id, contact=contact,
                is_sample=is_sample), self._names(s)["profession"])

    def add_person_in_session(self, s: Session, name: str, *, reading: str = "", affiliation: str = "",
                              profession_id: str | None = None, contact: str = "", is_sample: bool = False) -> Person:
        name, affiliation = self._clean_person(s, name, affiliation, profession_id)
        key = person_key(name, affiliation)
        if meeting_repo.find_person_by_key(s, key) is not None:
            raise ValidationError(issues=[FieldIssue(
                "name", f"「{name}」（{affiliation or '所属なし'}）はすでに登録されています。一覧から選んでください")])
        row = Person(name=name, reading=(reading or "").strip(), affiliation=affiliation, profession_id=profession_id,
                     contact=(contact or "").strip(), person_key=key, is_sample=is_sample)
        s.add(row)
        s.flush()
        history_repo.record(s, entity=PERSON_ENTITY, entity_id=row.id, action="create", user=self.user)
        return row

    def update_person(self, person_id: str, name: str, *, reading: str = "", affiliation: str = "",
                      profession_id: str | None = None, contact: str = "") -> PersonRead:
        with self.db.session() as s:
            row = meeting_repo.get_person(s, person_id)
            if row is None:
                raise NotFoundError("この参加者は見つかりません。")
            name, affiliation = self._clean_person(s, name, affiliation, profession_id)
            key = person_key(name, affiliation)
            if meeting_repo.find_person_by_key(s, key, exclude_id=person_id) is not None:
                raise ValidationError(issues=[FieldIssue(
                    "name", f"「{name}」（{affiliation or '所属なし'}）はすでに登録されています。統合してください")])
            new = {"name": name, "reading": (reading or "").strip(), "affiliation": affiliation,
                   "profession_id": profession_id, "contact": (contact or "").strip(), "person_key": key}
            # Personal data stays out of the history: only which fields changed.
            changed = [k for k, v in new.items() if getattr(row, k) != v and k != "person_key"]
            for k, v in new.items():
                setattr(row, k, v)
            if changed:
                row.updated_at = utcnow()
                history_repo.record(s, entity=PERSON_ENTITY, entity_id=row.id, action="update", user=self.user,
                                    changes={k: ["", ""] for k in changed})
            return self._person_read(row, self._names(s)["profession"])

    def find_persons(self, text: str, *, limit: int = 20) -> list[PersonRead]:
        """People whose name, reading or affiliation contains the typed text (for picking)."""
        from zaitaku_desktop.domain.text import search_key

        key = search_key(text)
        with self.db.session() as s:
            profs = self._names(s)["profession"]
            out = []
            for p in meeting_repo.persons(s):
                if not key or key in search_key(p.name + p.reading + p.affiliation):
                    out.append(self._person_read(p, profs))
                    if len(out) >= limit:
                        break
            return out

    def merge_persons(self, keep_id: str, duplicate_id: str) -> PersonRead:
        """Move the duplicate's attendance to the person kept and archive the duplicate. Where both
        were entered for the same meeting, the kept entry stays (出席 wins over other statuses)."""
        if keep_id == duplicate_id:
            raise DomainError("同じ人どうしは統合できません。")
        with self.db.session() as s:
            keep = meeting_repo.get_person(s, keep_id)
            dup = meeting_repo.get_person(s, duplicate_id)
            if keep is None or dup is None:
                raise NotFoundError("統合する参加者が見つかりません。")
            kept = {a.meeting_id: a for a in meeting_repo.attendance(s, person_id=keep_id)}
            moved = 0
            for entry in meeting_repo.attendance(s, person_id=duplicate_id):
                mine = kept.get(entry.meeting_id)
                if mine is None:
                    entry.person_id = keep_id
                    moved += 1
                else:
                    if entry.status == "出席" and mine.status != "出席":
                        mine.status = "出席"
                    s.delete(entry)
            if not keep.profession_id and dup.profession_id:
                keep.profession_id = dup.profession_id
            dup.archived_at = utcnow()
            dup.merged_into_id = keep_id
            dup.updated_at = keep.updated_at = utcnow()
            history_repo.record(s, entity=PERSON_ENTITY, entity_id=duplicate_id, action="archive", user=self.user,
                                note=f"統合先 {keep_id}")
            history_repo.record(s, entity=PERSON_ENTITY, entity_id=keep_id, action="update", user=self.user,
                                note=f"{duplicate_id} を統合（出欠{moved}件を移動）")
            s.flush()
            return self._person_read(keep, self._names(s)["profession"])

    # --- attendance ----------------------------------------------------------------------------
    def set_attendance(self, meeting_id: str, person_id: str, *, role: str = "参加者", status: str = "申込",
                       walk_in: bool = False) -> AttendanceRead:
        """Add or change one person's entry for a meeting."""
        problems = []
        if role not in ATTENDANCE_ROLES:
            problems.append(FieldIssue("role", f"役割は{'・'.join(ATTENDANCE_ROLES)}から選んでください"))
        if status not in ATTENDANCE_STATUSES:
            problems.append(FieldIssue("status", f"出欠は{'・'.join(ATTENDANCE_STATUSES)}から選んでください"))
        if problems:
            raise ValidationError(issues=problems)
        with self.db.session() as s:
            return self.set_attendance_in_session(s, meeting_id, person_id, role=role, status=status, walk_in=walk_in)

    def set_attendance_in_session(self, s: Session, meeting_id: str, person_id: str, *, role: str, status: str,
                                  walk_in: bool) -> AttendanceRead:
        if meeting_repo.get(s, meeting_id) is None:
            raise NotFoundError(NOT_FOUND)
        person = meeting_repo.get_person(s, person_id)
        if person is None or person.archived_at is not None:
            raise NotFoundError("この参加者は見つかりません（統合またはアーカイブされた可能性があります）。")
        existing = [a for a in meeting_repo.attendance(s, meeting_id=meeting_id) if a.person_id == person_id]
        row = existing[0] if existing else Attendance(meeting_id=meeting_id, person_id=person_id)
        if not existing:
            s.add(row)
        row.role, row.status, row.walk_in, row.updated_at = role, status, walk_in, utcnow()
        s.flush()
        return self._attendance_read(row, person, self._names(s)["profession"])

    def list_attendance(self, meeting_id: str) -> list[AttendanceRead]:
        with self.db.session() as s:
            profs = self._names(s)["profession"]
            out = []
            for entry in meeting_repo.attendance(s, meeting_id=meeting_id):
                person = meeting_repo.get_person(s, entry.person_id)
                assert person is not None
                out.append(self._attendance_read(entry, person, profs))
            return sorted(out, key=lambda a: (ATTENDANCE_ROLES.index(a.role), a.name))

    def set_counts(self, meeting_id: str, entries: list[CountEntry]) -> list[CountEntry]:
        """Counts-only attendance for a meeting (replaces what was there)."""
        with self.db.session() as s:
            return self.set_counts_in_session(s, meeting_id, entries)

    def set_counts_in_session(self, s: Session, meeting_id: str, entries: list[CountEntry]) -> list[CountEntry]:
        if meeting_repo.get(s, meeting_id) is None:
            raise NotFoundError(NOT_FOUND)
        profs = self._names(s)["profession"]
        problems = []
        merged: dict[tuple[str | None, str], int] = {}
        for entry in entries:
            if entry.count < 0:
                problems.append(FieldIssue("count", "人数は0以上で入力してください"))
            if entry.profession_id is not None and entry.profession_id not in profs:
                problems.append(FieldIssue("profession_id", "職種が一覧にありません"))
            label = "" if entry.profession_id else ((entry.label or "").strip() or OTHERS_LABEL)
            key = (entry.profession_id, label)
            merged[key] = merged.get(key, 0) + entry.count
        if problems:
            raise ValidationError(issues=problems)
        before = {self._count_label(c.profession_id, c.label, profs): c.count for c in meeting_repo.counts(s, meeting_id)}
        meeting_repo.replace_counts(s, meeting_id, [(p, label, n) for (p, label), n in merged.items() if n])
        after = {self._count_label(p, label, profs): n for (p, label), n in merged.items() if n}
        if before != after:
            history_repo.record(s, entity=ENTITY, entity_id=meeting_id, action="counts", user=self.user,
                                changes={"counts": [before, after]})
        s.flush()
        return [CountEntry(c.profession_id, c.count, c.label) for c in meeting_repo.counts(s, meeting_id)]

    def counts(self, meeting_id: str) -> list[CountEntry]:
        with self.db.session() as s:
            return [CountEntry(c.profession_id, c.count, c.label) for c in meeting_repo.counts(s, meeting_id)]

    def meeting_totals(self, meeting_id: str) -> list[ProfessionTotal]:
        """Attendance by profession for one meeting: 出席 rows plus counts-only entries."""
        with self.db.session() as s:
            meeting = meeting_repo.get(s, meeting_id)
            if meeting is None:
                raise NotFoundError(NOT_FOUND)
            raw = [(pid, label, n) for _m, pid, label, n in meeting_repo.totals_by_meeting(s, meeting_id=meeting_id)]
            return self._totals(s, raw, self._names(s)["profession"])

    def totals_by_meeting(self, start: dt.date, end: dt.date) -> dict[str, list[ProfessionTotal]]:
        """Attendance by profession for every meeting of a period, read in one pass (for period exports)."""
        with self.db.session() as s:
            raw: dict[str, list[tuple[str | None, str, int]]] = {}
            for mid, pid, label, n in meeting_repo.totals_by_meeting(s, start=start, end=end):
                raw.setdefault(mid, []).append((pid, label, n))
            profs = self._names(s)["profession"]
            return {mid: self._totals(s, entries, profs) for mid, entries in raw.items()}

    def period_totals(self, start: dt.date, end: dt.date) -> list[ProfessionTotal]:
        """Attendance by profession over a period (not 中止/延期 meetings): the annual report's figures."""
        with self.db.session() as s:
            return self._totals(s, meeting_repo.profession_totals(s, start, end), self._names(s)["profession"])

    # --- helpers -------------------------------------------------------------------------------
    def _totals(self, s: Session, raw: list[tuple[str | None, str, int]], profs: dict[str, str]) -> list[ProfessionTotal]:
        order = {p.id: i for i, p in enumerate(vocab_repo.list_items(s, "profession", include_archived=True))}
        sums: dict[tuple[str | None, str], int] = {}
        for pid, label, n in raw:
            key = (pid, "" if pid else (label or OTHERS_LABEL))
            sums[key] = sums.get(key, 0) + n
        out = [ProfessionTotal(pid, profs.get(pid, "") if pid else label, n) for (pid, label), n in sums.items() if n]
        return sorted(out, key=lambda t: (t.profession_id is None, order.get(t.profession_id or "", 0),
                                          t.profession == CITIZENS_LABEL, t.profession))

    @staticmethod
    def _count_label(pid: str | None, label: str, profs: dict[str, str]) -> str:
        return profs.get(pid, "") if pid else (label or OTHERS_LABEL)

    @staticmethod
    def _validated(data: MeetingInput) -> CleanMeeting:
        clean, problems = validate_meeting(data)
        if clean is None:
            raise ValidationError(issues=problems)
        return clean

    @staticmethod
    def _names(s: Session) -> dict[str, dict[str, str]]:
        out = {kind: {i.id: i.name for i in vocab_repo.list_items(s, kind, include_archived=True)}
               for kind in ("association", "profession", "municipality")}
        out["type"] = {t.id: t.name for t in meeting_repo.types(s, include_archived=True)}
        out["venue"] = {v.id: v.name for v in meeting_repo.venues(s, include_archived=True)}
        return out

    @staticmethod
    def _check_refs(s: Session, clean: CleanMeeting, names: dict[str, dict[str, str]]) -> None:
        problems = []
        if clean.type_id and clean.type_id not in names["type"]:
            problems.append(FieldIssue("type_id", "種類が一覧にありません"))
        if clean.venue_id and clean.venue_id not in names["venue"]:
            problems.append(FieldIssue("venue_id", "会場が一覧にありません"))
        if clean.organiser_association_id and clean.organiser_association_id not in names["association"]:
            problems.append(FieldIssue("organiser_association_id", "主催の団体が一覧にありません"))
        if any(a not in names["association"] for a in clean.co_organiser_ids):
            problems.append(FieldIssue("co_organiser_ids", "共催の団体が一覧にありません"))
        if any(p not in names["profession"] for p in clean.profession_ids):
            problems.append(FieldIssue("profession_ids", "対象職種が一覧にありません"))
        if clean.municipality_id and clean.municipality_id not in names["municipality"]:
            problems.append(FieldIssue("municipality_id", "市町村が一覧にありません"))
        if problems:
            raise ValidationError(issues=problems)

    @staticmethod
    def _clean_from(s: Session, row: Meeting) -> CleanMeeting:
        return CleanMeeting(
            title=row.title, type_id=row.type_id, date=row.date, start_time=row.start_time, end_time=row.end_time,
            venue_id=row.venue_id, organiser_kind=row.organiser_kind,
            organiser_association_id=row.organiser_association_id, organiser_text=row.organiser_text,
            co_organiser_ids=tuple(meeting_repo.co_organiser_ids(s, row.id)),
            profession_ids=tuple(meeting_repo.profession_ids(s, row.id)),
            speakers=tuple(Speaker(x.name, x.affiliation, x.talk_title) for x in meeting_repo.speakers(s, row.id)),
            capacity=row.capacity, agenda=row.agenda, status=row.status, minutes=row.minutes, notes=row.notes,
            municipality_id=row.municipality_id)

    @staticmethod
    def _snapshot(clean: CleanMeeting, names: dict[str, dict[str, str]]) -> dict[str, object]:
        organiser = names["association"].get(clean.organiser_association_id or "", "") or clean.organiser_text
        return {
            "title": clean.title, "type": names["type"].get(clean.type_id or "", ""), "date": clean.date.isoformat(),
            "start_time": clean.start_time, "end_time": clean.end_time,
            "venue": names["venue"].get(clean.venue_id or "", ""),
            "organiser": f"{clean.organiser_kind}：{organiser}" if organiser else clean.organiser_kind,
            "co_organisers": sorted(names["association"].get(a, a) for a in clean.co_organiser_ids),
            "professions": sorted(names["profession"].get(p, p) for p in clean.profession_ids),
            "speakers": [f"{x.name}（{x.affiliation}）{x.talk_title}" for x in clean.speakers],
            "capacity": clean.capacity, "agenda": clean.agenda, "status": clean.status, "minutes": clean.minutes,
            "notes": clean.notes, "municipality": names["municipality"].get(clean.municipality_id or "", ""),
        }

    @staticmethod
    def _slot(row: MeetingRow) -> Slot:
        associations = set(row.co_organiser_ids)
        if row.organiser_association_id:
            associations.add(row.organiser_association_id)
        return Slot(row.id, row.title, row.date, row.start_time, row.end_time, row.venue_id,
                    frozenset(associations), row.status)

    @staticmethod
    def _issue_links(s: Session, *, meeting_id: str | None = None, issue_id: str | None = None) -> list[IssueLinkRead]:
        from zaitaku_desktop.models import CollabIssue

        out = []
        for link in meeting_repo.issue_links(s, meeting_id=meeting_id, issue_id=issue_id):
            meeting = meeting_repo.get(s, link.meeting_id)
            issue = s.get(CollabIssue, link.issue_id)
            if meeting is None or (issue_id is not None and meeting.archived_at is not None):
                continue  # an archived meeting is not listed on the issue's side
            out.append(IssueLinkRead(link.meeting_id, link.issue_id, link.role, meeting.title, meeting.date,
                                     issue.title if issue else ""))
        return out

    @staticmethod
    def _clean_type(name: str, layer: str, default_minutes: int) -> str:
        problems = []
        clean = (name or "").strip()
        if not clean:
            problems.append(FieldIssue("name", "種類の名前を入力してください"))
        elif len(clean) > NAME_MAX:
            problems.append(FieldIssue("name", f"名前は{NAME_MAX}文字以内で入力してください"))
        if layer not in MEETING_LAYERS:
            problems.append(FieldIssue("layer", f"階層は{'・'.join(MEETING_LAYERS)}から選んでください"))
        if not isinstance(default_minutes, int) or not 0 < default_minutes <= 24 * 60:
            problems.append(FieldIssue("default_minutes", "標準の時間（分）は1〜1440で入力してください"))
        if problems:
            raise ValidationError(issues=problems)
        return clean

    @staticmethod
    def _check_type_unique(s: Session, name: str, type_id: str | None) -> None:
        if any(t.name == name and t.id != type_id for t in meeting_repo.types(s, include_archived=True)):
            raise ValidationError(issues=[FieldIssue("name", f"「{name}」はすでに登録されています")])

    @staticmethod
    def _clean_venue(name: str, capacity: int | None) -> str:
        problems = []
        clean = (name or "").strip()
        if not clean:
            problems.append(FieldIssue("name", "会場の名前を入力してください"))
        elif len(clean) > NAME_MAX:
            problems.append(FieldIssue("name", f"名前は{NAME_MAX}文字以内で入力してください"))
        if capacity is not None and (not isinstance(capacity, int) or capacity < 0):
            problems.append(FieldIssue("capacity", "収容人数は0以上の整数で入力してください"))
        if problems:
            raise ValidationError(issues=problems)
        return clean

    @staticmethod
    def _check_venue_unique(s: Session, name: str, venue_id: str | None) -> None:
        if any(v.name == name and v.id != venue_id for v in meeting_repo.venues(s, include_archived=True)):
            raise ValidationError(issues=[FieldIssue("name", f"「{name}」はすでに登録されています")])

    def _clean_person(self, s: Session, name: str, affiliation: str, profession_id: str | None) -> tuple[str, str]:
        problems = []
        clean = (name or "").strip()
        if not clean:
            problems.append(FieldIssue("name", "氏名を入力してください"))
        elif len(clean) > NAME_MAX:
            problems.append(FieldIssue("name", f"氏名は{NAME_MAX}文字以内で入力してください"))
        if profession_id and profession_id not in self._names(s)["profession"]:
            problems.append(FieldIssue("profession_id", "職種が一覧にありません"))
        if problems:
            raise ValidationError(issues=problems)
        return clean, (affiliation or "").strip()

    @staticmethod
    def _type_read(t: MeetingType) -> MeetingTypeRead:
        return MeetingTypeRead(t.id, t.name, t.reading, t.sort_order, t.archived_at is not None, t.layer, t.tasks,
                               t.default_minutes, t.agenda_template)

    @staticmethod
    def _venue_read(v: Venue) -> VenueRead:
        return VenueRead(v.id, v.name, v.reading, v.address, v.capacity, v.notes, v.archived_at is not None)

    @staticmethod
    def _person_read(p: Person, profs: dict[str, str]) -> PersonRead:
        return PersonRead(p.id, p.name, p.reading, p.affiliation, p.profession_id, profs.get(p.profession_id or "", ""),
                          p.contact, p.archived_at is not None, p.merged_into_id)

    @staticmethod
    def _attendance_read(a: Attendance, p: Person, profs: dict[str, str]) -> AttendanceRead:
        return AttendanceRead(a.id, a.meeting_id, a.person_id, p.name, p.affiliation, p.profession_id,
                              profs.get(p.profession_id or "", ""), a.role, a.status, a.walk_in)

    # --- sign-in sheet, period breakdown, sample participants -----------------------------------
    def save_attendance_sheet(self, meeting_id: str, rows: list, *, counts: list[CountEntry] | None = None
                              ) -> list[AttendanceRead]:
        """Write a whole sign-in sheet (domain.attendance.SheetRow, in order) in one transaction: people
        not met before are registered (one per name + affiliation), the others are updated, entries of
        people no longer on the sheet are removed. With ``counts`` the counts-only entries are replaced too."""
        problems = []
        for i, row in enumerate(rows, 1):
            if not (row.name or "").strip():
                problems.append(FieldIssue(f"row{i}", f"{i}行目：氏名を入力してください"))
            if row.role not in ATTENDANCE_ROLES:
                problems.append(FieldIssue(f"row{i}", f"{i}行目：役割は{'・'.join(ATTENDANCE_ROLES)}から選んでください"))
            if row.status not in ATTENDANCE_STATUSES:
                problems.append(FieldIssue(f"row{i}", f"{i}行目：出欠は{'・'.join(ATTENDANCE_STATUSES)}から選んでください"))
        if problems:
            raise ValidationError(issues=problems)
        with self.db.session() as s:
            if meeting_repo.get(s, meeting_id) is None:
                raise NotFoundError(NOT_FOUND)
            before = meeting_repo.attendance(s, meeting_id=meeting_id)
            line_of: dict[str, int] = {}
            for i, row in enumerate(rows, 1):
                try:
                    person = self._sheet_person(s, row)
                except ValidationError as exc:
                    raise ValidationError(issues=[FieldIssue(f"row{i}", f"{i}行目：{x.message}")
                                                  for x in exc.issues]) from exc
                if person.id in line_of:
                    raise ValidationError(issues=[FieldIssue(f"row{i}", f"{line_of[person.id]}行目と{i}行目は同じ人"
                                                                        f"（{person.name}）です。1行にまとめてください")])
                line_of[person.id] = i
                self.set_attendance_in_session(s, meeting_id, person.id, role=row.role, status=row.status,
                                               walk_in=row.walk_in)
            for entry in before:
                if entry.person_id not in line_of:
                    s.delete(entry)
            if len(before) != len(line_of):
                history_repo.record(s, entity=ENTITY, entity_id=meeting_id, action="attendance", user=self.user,
                                    changes={"attendance": [f"{len(before)}人", f"{len(line_of)}人"]})
            if counts is not None:
                self.set_counts_in_session(s, meeting_id, counts)
            s.flush()
            profs = self._names(s)["profession"]
            out = [self._attendance_read(a, meeting_repo.get_person(s, a.person_id), profs)  # type: ignore[arg-type]
                   for a in meeting_repo.attendance(s, meeting_id=meeting_id)]
            return sorted(out, key=lambda a: line_of.get(a.person_id, 0))

    def _sheet_person(self, s: Session, row) -> Person:
        """The person a sheet line names: the one with the same name + affiliation, else the one picked
        (followed through merges, renamed to what was typed), else a new one."""
        name, affiliation = self._clean_person(s, row.name, row.affiliation, row.profession_id)
        key = person_key(name, affiliation)
        person = meeting_repo.find_person_by_key(s, key)
        picked = meeting_repo.get_person(s, row.person_id) if person is None and row.person_id else None
        while picked is not None and picked.merged_into_id:
            picked = meeting_repo.get_person(s, picked.merged_into_id)
        if person is None and picked is not None and picked.archived_at is None:
            person = picked
        if person is None:
            return self.add_person_in_session(s, name, reading=row.reading, affiliation=affiliation,
                                              profession_id=row.profession_id)
        new: dict[str, object] = {"name": name, "affiliation": affiliation, "person_key": key}
        if row.profession_id:
            new["profession_id"] = row.profession_id
        if row.reading:
            new["reading"] = row.reading.strip()
        changed = [k for k, v in new.items() if getattr(person, k) != v and k != "person_key"]
        for k, v in new.items():
            setattr(person, k, v)
        if changed:
            person.updated_at = utcnow()
            history_repo.record(s, entity=PERSON_ENTITY, entity_id=person.id, action="update", user=self.user,
                                changes={k: ["", ""] for k in changed})
        return person

    def period_breakdown(self, start: dt.date, end: dt.date):
        """period_totals split by meeting layer, with the number of meetings (domain.attendance.PeriodBreakdown)."""
        from zaitaku_desktop.domain.attendance import PeriodBreakdown

        with self.db.session() as s:
            meetings = [r for r in meeting_repo.load_rows(s, MeetingRow, start=start, end=end)
                        if r.status not in ("中止", "延期")]
            profs = self._names(s)["profession"]
            layer_of = {r.id: r.layer if r.layer in MEETING_LAYERS else "" for r in meetings}
            layers = list(MEETING_LAYERS) + ([""] if "" in layer_of.values() else [])
            raw: dict[str, list[tuple[str | None, str, int]]] = {layer: [] for layer in layers}
            for mid, pid, label, n in meeting_repo.totals_by_meeting(s, start=start, end=end):
                if mid in layer_of:  # 中止・延期 meetings are left out
                    raw[layer_of[mid]].append((pid, label, n))
            per_layer = [{(t.profession_id, t.profession): t.count for t in self._totals(s, raw[layer], profs)}
                         for layer in layers]
            overall = self._totals(s, [x for layer in layers for x in raw[layer]], profs)
        rows = tuple((t.profession, tuple(cells.get((t.profession_id, t.profession), 0) for cells in per_layer),
                      t.count) for t in overall)
        held = tuple(sum(1 for r in meetings if layer_of[r.id] == layer and r.status == HELD_STATUS) for layer in layers)
        counted = tuple(sum(1 for r in meetings if layer_of[r.id] == layer) for layer in layers)
        return PeriodBreakdown(tuple(layers), held, counted, rows)

    def add_sample_participants(self, s: Session, meeting_ids_by_title: dict[str, str], path=None
                                ) -> int:
        """Register the sample people (db/seed/kamaishi_participants.json) and their attendance at the sample
        meetings. A meeting is looked up as "title@YYYY-MM-DD", then as "title"; unknown ones are skipped.
        Returns the number of attendance entries written."""
        from zaitaku_desktop import paths
        from zaitaku_desktop.domain.errors import FileFormatError

        source = path or paths.seed_dir() / "kamaishi_participants.json"
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise FileFormatError(f"サンプルの参加者データを読み込めません：{source}") from exc
        prof_ids = {name: pid for pid, name in self._names(s)["profession"].items()}
        ids: dict[str, str] = {}
        for p in data.get("people", []):
            person = meeting_repo.find_person_by_key(s, person_key(p["name"], p.get("affiliation", "")))
            if person is None:
                person = self.add_person_in_session(
                    s, p["name"], reading=p.get("reading", ""), affiliation=p.get("affiliation", ""),
                    profession_id=prof_ids.get(p.get("profession", "")), is_sample=True)
            ids[p["key"]] = person.id
        n = 0
        for entry in data.get("attendance", []):
            meeting_id = (meeting_ids_by_title.get(f"{entry['meeting']}@{entry.get('date', '')}")
                          or meeting_ids_by_title.get(entry["meeting"]))
            if meeting_id is None:
                continue
            for key, role, status, *walk_in in entry["entries"]:
                self.set_attendance_in_session(s, meeting_id, ids[key], role=role, status=status,
                                               walk_in=bool(walk_in and walk_in[0]))
                n += 1
        return n


def default_end(start_time: str | None, minutes: int) -> str | None:
    """The end time a new meeting of a type gets by default."""
    return add_minutes(start_time, minutes) if start_time else None
