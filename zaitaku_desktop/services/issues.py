"""The issue board (task イ): issues by layer and profession, responses, feedback, needs matching.

CONTRACT for the GUI, the reports and the CLI (implemented by the issue-board backend work).
Every method owns one session and returns the plain read shapes below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import json
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from zaitaku_desktop.domain.dates import fiscal_year
from zaitaku_desktop.domain.errors import NotFoundError, ValidationError, FieldIssue
from zaitaku_desktop.domain.issues import (
    HUB_LABEL, LAYER_KEYS, OPEN_NEED_STATUS, STATUSES, TITLE_MAX,
    CleanIssue, CleanResponse, IssueInput, NeedInput, ResponseInput, issue_search_text, layer_move_note,
    validate_issue, validate_need, validate_response,
)
from zaitaku_desktop.domain.resource import matches, search_terms
from zaitaku_desktop.models import (
    AssociationNeed, ChangeRead, CollabIssue, IssueResponse, PlannedEvent, utcnow,
)
from zaitaku_desktop.services.conflicts import stale_record
from zaitaku_desktop.storage import history_repo, issue_repo, vocab_repo
from zaitaku_desktop.storage.database import Database

ENTITY = "collab_issue"
RESPONSE_ENTITY = "issue_response"
NEED_ENTITY = "association_need"
EVENT_ENTITY = "planned_event"

NOT_FOUND = "この課題は見つかりません。ほかの操作で変更された可能性があります。"
RESOLVE_NEEDS_RESPONSE = "解決にするには対応策を1件以上記録してください"

# Fields compared for the history, with the Japanese label shown to the user.
FIELD_LABELS: dict[str, str] = {
    "title": "見出し", "description": "内容", "layer": "階層", "status": "状況", "priority": "優先度",
    "source_association": "出どころの団体", "source_text": "出どころ（会議など）", "raised_on": "抽出日",
    "municipality": "市町村", "professions": "職種", "themes": "テーマ", "owner": "担当",
    "next_action": "次の対応", "next_due": "次の対応の期限", "fed_back_on": "フィードバックした日",
    "fed_back_how": "フィードバックの方法", "archived": "アーカイブ", "response": "対応策",
    "actor": "実施主体", "action": "対応策の内容", "state": "進み具合", "result": "結果",
    "text": "ニーズの内容", "planned_event": "計画した行事",
}
_PLAIN_FIELDS = ("title", "description", "layer", "status", "priority", "source_text", "raised_on", "owner",
                 "next_action", "next_due", "fed_back_on", "fed_back_how")


@dataclass(frozen=True, slots=True)
class IssueRow:
    """One issue card / table line: everything the board, filters and search need."""

    id: str
    title: str
    description: str
    layer: str
    status: str
    priority: str
    source_association_id: str | None
    source_association: str
    source_text: str
    raised_on: dt.date | None
    municipality_id: str | None
    municipality: str
    profession_ids: tuple[str, ...]
    professions: tuple[str, ...]
    theme_ids: tuple[str, ...]
    themes: tuple[str, ...]
    owner: str
    next_action: str
    next_due: dt.date | None
    fed_back_on: dt.date | None
    fed_back_how: str
    response_count: int
    open_response_count: int  # responses not 完了/中止
    search_text: str  # folded title, description and responses' text (domain.resource.search_terms/matches)
    archived: bool
    is_sample: bool
    updated_at: dt.datetime
    version: int


@dataclass(frozen=True)
class ResponseRead:
    id: str
    issue_id: str
    actor_kind: str
    actor_association_id: str | None
    actor: str  # display text: the association's name or actor_text
    action: str
    state: str
    result: str
    archived: bool
    actor_text: str = ""  # as typed (the form edits this; ``actor`` is for display)


@dataclass(frozen=True)
class IssueDetail:
    row: IssueRow
    responses: list[ResponseRead]
    history: list[ChangeRead]  # layer/status/owner moves carry their reason in ChangeRead.note


@dataclass(frozen=True)
class NeedRead:
    id: str
    association_id: str | None
    association: str  # "連携拠点" when association_id is None
    text: str
    theme_ids: tuple[str, ...]
    themes: tuple[str, ...]
    status: str
    planned_event_id: str | None


@dataclass(frozen=True)
class MatchSuggestion:
    """Needs of different associations that share at least one theme."""

    needs: tuple[NeedRead, ...]
    shared_themes: tuple[str, ...]
    suggested_title: str  # e.g. 「薬剤師会×介護支援専門員協議会 合同研修（職種理解）」


@dataclass(frozen=True)
class PlannedEventRead:
    id: str
    title: str
    layer: str
    description: str
    association_ids: tuple[str, ...]
    adopted_meeting_id: str
    created_at: dt.datetime


@dataclass(frozen=True)
class IssueCount:
    layer: str
    profession: str  # "" for issues with no profession
    status: str
    count: int


@dataclass
class IssueFilter:
    text: str = ""
    statuses: frozenset[str] = field(default_factory=frozenset)  # empty = all
    municipality_id: str | None = None
    theme_id: str | None = None
    year: int | None = None  # fiscal year (April–March) of raised_on
    include_archived: bool = False
    not_fed_back_only: bool = False


class IssueService:
    def __init__(self, db: Database, *, user: str = "") -> None:
        self.db = db
        self.user = user

    # --- reading -----------------------------------------------------------------------
    def list_rows(self, *, include_archived: bool = True) -> list[IssueRow]:
        with self.db.session() as s:
            return issue_repo.load_rows(s, IssueRow, include_archived=include_archived)

    def get(self, issue_id: str) -> IssueDetail:
        with self.db.session() as s:
            rows = issue_repo.load_rows(s, IssueRow, ids=[issue_id])
            if not rows:
                raise NotFoundError(NOT_FOUND)
            names = self._names(s)
            responses = [self._response_read(r, names) for r in issue_repo.responses(s, issue_id)]
            history = history_repo.for_entity(s, ENTITY, issue_id)
            return IssueDetail(row=rows[0], responses=responses, history=history)

    def history(self, issue_id: str) -> list[ChangeRead]:
        with self.db.session() as s:
            return history_repo.for_entity(s, ENTITY, issue_id)

    def count(self, *, include_archived: bool = False) -> int:
        with self.db.session() as s:
            return issue_repo.count(s, include_archived=include_archived)

    def list_responses(self, *, include_archived: bool = False) -> list[ResponseRead]:
        """Every response of every issue (for exports and reports), in issue order."""
        with self.db.session() as s:
            names = self._names(s)
            return [self._response_read(r, names) for r in issue_repo.all_responses(s, include_archived=include_archived)]

    def counts(self, *, include_archived: bool = False) -> list[IssueCount]:
        """Issues by layer × profession × status; an issue with several professions counts in each row."""
        with self.db.session() as s:
            rows = issue_repo.load_rows(s, IssueRow, include_archived=include_archived)
            prof_order = {p.id: i for i, p in enumerate(vocab_repo.list_items(s, "profession", include_archived=True))}
        return count_issue_rows(rows, prof_order)

    # --- writing -----------------------------------------------------------------------
    def create(self, data: IssueInput, *, is_sample: bool = False) -> IssueRow:
        clean = self._validated(data)
        with self.db.session() as s:
            iid = self.save_in_session(s, None, clean, is_sample=is_sample)
            return issue_repo.load_rows(s, IssueRow, ids=[iid])[0]

    def update(self, issue_id: str, data: IssueInput, *, expected_version: int | None = None,
               reason: str = "") -> IssueRow:
        """A change of layer needs a reason (ValidationError otherwise); status/owner changes take an
        optional reason. Setting 解決 on an issue with no response is refused (ValidationError
        「解決にするには対応策を1件以上記録してください」)."""
        clean = self._validated(data)
        with self.db.session() as s:
            row = issue_repo.get(s, issue_id)
            if row is None:
                raise NotFoundError(NOT_FOUND)
            if expected_version is not None and row.version != expected_version:
                names = self._names(s)
                mine = CollabIssue(**{a: getattr(clean, a) for a in _PLAIN_FIELDS},
                                   source_association_id=clean.source_association_id,
                                   municipality_id=clean.municipality_id)
                raise stale_record(
                    s, entity=ENTITY, entity_id=row.id, version=row.version, expected_version=expected_version,
                    labels=FIELD_LABELS, what="この課題",
                    theirs=self._snapshot(row, names, issue_repo.profession_ids(s, row.id),
                                          issue_repo.theme_ids(s, row.id)),
                    yours=self._snapshot(mine, names, clean.profession_ids, clean.theme_ids))
            self.save_in_session(s, issue_id, clean, reason=reason)
            return issue_repo.load_rows(s, IssueRow, ids=[issue_id])[0]

    def move(self, issue_id: str, *, layer: str | None = None, status: str | None = None,
             from_profession_id: str | None = None, to_profession_id: str | None = None,
             reason: str = "") -> IssueRow:
        """What a drag and drop does: another layer (reason required, recorded as 「一次 → 二次：理由」),
        another status column, or from one profession row to another (replaces that profession)."""
        with self.db.session() as s:
            row = issue_repo.get(s, issue_id)
            if row is None:
                raise NotFoundError(NOT_FOUND)
            data = self._input_from(s, row)
            if layer is not None:
                data.layer = layer
            if status is not None:
                data.status = status
            if from_profession_id != to_profession_id:
                professions = [p for p in data.profession_ids if p != from_profession_id]
                if to_profession_id and to_profession_id not in professions:
                    if from_profession_id in data.profession_ids:
                        professions.insert(data.profession_ids.index(from_profession_id), to_profession_id)
                    else:
                        professions.append(to_profession_id)
                data.profession_ids = professions
            clean = self._validated(data)
            self.save_in_session(s, issue_id, clean, reason=reason, action="move")
            return issue_repo.load_rows(s, IssueRow, ids=[issue_id])[0]

    def set_archived(self, issue_id: str, archived: bool, *, note: str = "") -> IssueRow:
        """Archive (hide from the board, keep the record) or bring back an issue. Nothing is deleted."""
        with self.db.session() as s:
            row = issue_repo.get(s, issue_id)
            if row is None:
                raise NotFoundError(NOT_FOUND)
            if history_repo.set_archived(s, row, archived, entity=ENTITY, user=self.user, note=note):
                s.flush()
            return issue_repo.load_rows(s, IssueRow, ids=[issue_id])[0]

    def record_feedback(self, issue_id: str, on: dt.date, how: str) -> IssueRow:
        """Note that the issue was fed back to its association (date and how)."""
        with self.db.session() as s:
            row = issue_repo.get(s, issue_id)
            if row is None:
                raise NotFoundError(NOT_FOUND)
            data = self._input_from(s, row)
            data.fed_back_on = on
            data.fed_back_how = how
            if on is None:
                raise ValidationError(issues=[FieldIssue("fed_back_on", "フィードバックした日を入力してください")])
            clean = self._validated(data)
            self.save_in_session(s, issue_id, clean, action="feedback")
            return issue_repo.load_rows(s, IssueRow, ids=[issue_id])[0]

    def save_in_session(self, s: Session, issue_id: str | None, clean: CleanIssue, *, reason: str = "",
                        is_sample: bool = False, action: str | None = None, note: str = "",
                        names: dict[str, dict[str, str]] | None = None) -> str:
        """Insert or update one issue inside the caller's session and record the history."""
        names = names if names is not None else self._names(s)
        self._check_refs(clean, names)
        reason = (reason or "").strip()
        if issue_id is None:
            if clean.status == "解決":
                raise ValidationError(issues=[FieldIssue("status", RESOLVE_NEEDS_RESPONSE)])
            row = CollabIssue(title=clean.title, is_sample=is_sample)
            s.add(row)
            before: dict[str, object] = {}
            response_texts: list[tuple[str, str]] = []
        else:
            found = issue_repo.get(s, issue_id)
            if found is None:
                raise NotFoundError(NOT_FOUND)
            row = found
            before = self._snapshot(row, names, issue_repo.profession_ids(s, row.id), issue_repo.theme_ids(s, row.id))
            if clean.layer != row.layer and not reason:
                raise ValidationError(issues=[FieldIssue(
                    "reason", f"階層を変える（{row.layer} → {clean.layer}）ときは、理由を入力してください")])
            active = issue_repo.responses(s, row.id, include_archived=False)
            if clean.status == "解決" and row.status != "解決" and not any(r.state != "中止" for r in active):
                raise ValidationError(issues=[FieldIssue("status", RESOLVE_NEEDS_RESPONSE)])
            response_texts = [(r.action, r.result) for r in active]
        old_layer = row.layer
        for attr in _PLAIN_FIELDS:
            setattr(row, attr, getattr(clean, attr))
        row.source_association_id = clean.source_association_id
        row.municipality_id = clean.municipality_id
        row.search_text = self._search_text(clean, response_texts, names)
        s.flush()
        issue_repo.replace_links(s, row.id, profession_ids=clean.profession_ids, theme_ids=clean.theme_ids,
                                 is_new=issue_id is None)
        after = self._snapshot(row, names, clean.profession_ids, clean.theme_ids)
        if issue_id is None:
            changes = {k: [None, v] for k, v in after.items() if v not in (None, "", [], {})}
            history_repo.record(s, entity=ENTITY, entity_id=row.id, action=action or "create", user=self.user,
                                changes=changes, note=note or reason)
        else:
            changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
            if changes:
                if "layer" in changes:
                    text = layer_move_note(old_layer, clean.layer, reason)
                else:
                    text = reason
                row.updated_at = utcnow()
                row.version += 1
                history_repo.record(s, entity=ENTITY, entity_id=row.id, action=action or "update", user=self.user,
                                    changes=changes, note="；".join(t for t in (text, note) if t))
        s.flush()  # rows are read back with raw SQL, which does not autoflush
        return row.id

    # --- responses ---------------------------------------------------------------------
    def add_response(self, issue_id: str, data: ResponseInput, *, note: str = "") -> ResponseRead:
        clean = self._validated_response(data)
        with self.db.session() as s:
            issue = issue_repo.get(s, issue_id)
            if issue is None:
                raise NotFoundError(NOT_FOUND)
            return self.add_response_in_session(s, issue, clean, note=note)

    def add_response_in_session(self, s: Session, issue: CollabIssue, clean: CleanResponse, *, note: str = "",
                                names: dict[str, dict[str, str]] | None = None) -> ResponseRead:
        names = names if names is not None else self._names(s)
        self._check_actor(clean, names)
        existing = issue_repo.responses(s, issue.id)
        row = IssueResponse(issue_id=issue.id, sort_order=max((r.sort_order for r in existing), default=0) + 1)
        self._apply_response(row, clean)
        s.add(row)
        s.flush()
        history_repo.record(s, entity=ENTITY, entity_id=issue.id, action="response", user=self.user,
                            changes={"response": [None, self._response_label(row, names)]}, note=note)
        self._refresh_search(s, issue, names)
        s.flush()
        return self._response_read(row, names)

    def update_response(self, response_id: str, data: ResponseInput) -> ResponseRead:
        clean = self._validated_response(data)
        with self.db.session() as s:
            row = issue_repo.get_response(s, response_id)
            if row is None:
                raise NotFoundError("この対応策は見つかりません。")
            names = self._names(s)
            self._check_actor(clean, names)
            before = self._response_snapshot(row, names)
            self._apply_response(row, clean)
            after = self._response_snapshot(row, names)
            changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
            if changes:
                row.updated_at = utcnow()
                history_repo.record(s, entity=ENTITY, entity_id=row.issue_id, action="response", user=self.user,
                                    changes=changes, note=f"対応策：{row.action[:40]}")
                issue = issue_repo.get(s, row.issue_id)
                assert issue is not None
                s.flush()
                self._refresh_search(s, issue, names)
            s.flush()
            return self._response_read(row, names)

    def set_response_archived(self, response_id: str, archived: bool) -> ResponseRead:
        with self.db.session() as s:
            row = issue_repo.get_response(s, response_id)
            if row is None:
                raise NotFoundError("この対応策は見つかりません。")
            names = self._names(s)
            if (row.archived_at is not None) != archived:
                row.archived_at = utcnow() if archived else None
                row.updated_at = utcnow()
                history_repo.record(s, entity=ENTITY, entity_id=row.issue_id,
                                    action="response", user=self.user,
                                    changes={"archived": [not archived, archived]},
                                    note=f"対応策：{row.action[:40]}")
                issue = issue_repo.get(s, row.issue_id)
                assert issue is not None
                s.flush()
                self._refresh_search(s, issue, names)
                s.flush()
            return self._response_read(row, names)

    # --- needs matching ----------------------------------------------------------------
    def list_needs(self, *, include_closed: bool = False) -> list[NeedRead]:
        with self.db.session() as s:
            return self._need_reads(s, issue_repo.needs(s, include_closed=include_closed))

    def add_need(self, data: NeedInput, *, is_sample: bool = False) -> NeedRead:
        clean = self._validated_need(data)
        with self.db.session() as s:
            return self.add_need_in_session(s, clean, is_sample=is_sample)

    def add_need_in_session(self, s: Session, clean, *, is_sample: bool = False, note: str = "") -> NeedRead:
        names = self._names(s)
        self._check_need_refs(clean, names)
        row = AssociationNeed(association_id=clean.association_id, text=clean.text, is_sample=is_sample)
        s.add(row)
        s.flush()
        issue_repo.replace_need_themes(s, row.id, clean.theme_ids)
        history_repo.record(s, entity=NEED_ENTITY, entity_id=row.id, action="create", user=self.user,
                            changes={"text": [None, clean.text]}, note=note)
        s.flush()
        return self._need_reads(s, [row])[0]

    def update_need(self, need_id: str, data: NeedInput) -> NeedRead:
        clean = self._validated_need(data)
        with self.db.session() as s:
            row = issue_repo.get_need(s, need_id)
            if row is None:
                raise NotFoundError("このニーズは見つかりません。")
            names = self._names(s)
            self._check_need_refs(clean, names)
            old_themes = issue_repo.need_theme_ids(s, [need_id]).get(need_id, [])
            changes: dict[str, list] = {}
            if row.text != clean.text:
                changes["text"] = [row.text, clean.text]
            if row.association_id != clean.association_id:
                changes["association"] = [names["association"].get(row.association_id or "", HUB_LABEL),
                                          names["association"].get(clean.association_id or "", HUB_LABEL)]
            if sorted(old_themes) != sorted(clean.theme_ids):
                changes["themes"] = [sorted(names["theme"].get(t, t) for t in old_themes),
                                     sorted(names["theme"].get(t, t) for t in clean.theme_ids)]
            row.text = clean.text
            row.association_id = clean.association_id
            issue_repo.replace_need_themes(s, need_id, clean.theme_ids)
            if changes:
                row.updated_at = utcnow()
                history_repo.record(s, entity=NEED_ENTITY, entity_id=need_id, action="update", user=self.user,
                                    changes=changes)
            s.flush()
            return self._need_reads(s, [row])[0]

    def set_need_status(self, need_id: str, status: str) -> NeedRead:
        """未対応 / 計画済 / 終了 (e.g. close a need that was met another way, or reopen it)."""
        from zaitaku_desktop.domain.issues import NEED_STATUSES

        if status not in NEED_STATUSES:
            raise ValidationError(issues=[FieldIssue("status", f"ニーズの状況「{status}」はありません")])
        with self.db.session() as s:
            row = issue_repo.get_need(s, need_id)
            if row is None:
                raise NotFoundError("このニーズは見つかりません。")
            if row.status != status:
                history_repo.record(s, entity=NEED_ENTITY, entity_id=need_id, action="update", user=self.user,
                                    changes={"status": [row.status, status]})
                row.status = status
                if status == OPEN_NEED_STATUS:
                    row.planned_event_id = None
                row.updated_at = utcnow()
            s.flush()
            return self._need_reads(s, [row])[0]

    def suggest_matches(self) -> list[MatchSuggestion]:
        """Open needs of different associations (the hub counts as its own party) that share a theme.

        Each pair of needs sharing themes gives a group: the needs holding all those themes. Groups
        that share more themes come first (nearest first), then larger groups.
        """
        needs = self.list_needs()
        return match_needs(needs)

    def plan_event(self, need_ids: list[str], title: str, description: str = "") -> PlannedEventRead:
        """Turn a match into a planned 二次連携 event; the needs become 計画済 and point at it."""
        title = (title or "").strip()
        issues: list[FieldIssue] = []
        if not title:
            issues.append(FieldIssue("title", "行事の名前を入力してください"))
        elif len(title) > TITLE_MAX:
            issues.append(FieldIssue("title", f"行事の名前は{TITLE_MAX}文字以内で入力してください"))
        ids = list(dict.fromkeys(need_ids or []))
        if not ids:
            issues.append(FieldIssue("need_ids", "ニーズを1件以上選んでください"))
        if issues:
            raise ValidationError(issues=issues)
        with self.db.session() as s:
            rows = []
            for nid in ids:
                row = issue_repo.get_need(s, nid)
                if row is None or row.archived_at is not None:
                    raise NotFoundError("選んだニーズが見つかりません。ほかの操作で変更された可能性があります。")
                if row.status != OPEN_NEED_STATUS:
                    raise ValidationError(issues=[FieldIssue(
                        "need_ids", f"「{row.text[:30]}」はすでに{row.status}です")])
                rows.append(row)
            associations = list(dict.fromkeys(r.association_id for r in rows if r.association_id))
            event = PlannedEvent(title=title, layer="二次", description=(description or "").strip(),
                                 association_ids=json.dumps(associations))
            s.add(event)
            s.flush()
            history_repo.record(s, entity=EVENT_ENTITY, entity_id=event.id, action="create", user=self.user,
                                changes={"title": [None, title]}, note=f"ニーズ {len(rows)} 件から計画")
            for row in rows:
                history_repo.record(s, entity=NEED_ENTITY, entity_id=row.id, action="update", user=self.user,
                                    changes={"status": [row.status, "計画済"], "planned_event": [None, title]})
                row.status = "計画済"
                row.planned_event_id = event.id
                row.updated_at = utcnow()
            s.flush()
            return self._event_read(event)

    def list_planned_events(self) -> list[PlannedEventRead]:
        with self.db.session() as s:
            return [self._event_read(e) for e in issue_repo.planned_events(s)]

    # --- export --------------------------------------------------------------------------
    def export_xlsx(self, out: Path, *, include_archived: bool = False) -> int:
        """Write issues, responses and counts to an .xlsx file (atomically); returns the issue count."""
        from zaitaku_desktop.exports.issues_xlsx import write_issues_xlsx

        rows = self.list_rows(include_archived=include_archived)
        if not include_archived:
            rows = [r for r in rows if not r.archived]
        order = {r.id: i for i, r in enumerate(rows)}
        responses = sorted((r for r in self.list_responses() if r.issue_id in order), key=lambda r: order[r.issue_id])
        write_issues_xlsx(Path(out), rows, responses, self.counts(include_archived=include_archived))
        return len(rows)

    # --- helpers -------------------------------------------------------------------------
    @classmethod
    def names_in(cls, s: Session) -> dict[str, dict[str, str]]:
        """id → name of the vocabularies an issue refers to (bulk callers pass it to save_in_session)."""
        return cls._names(s)

    @staticmethod
    def _names(s: Session) -> dict[str, dict[str, str]]:
        return {kind: {i.id: i.name for i in vocab_repo.list_items(s, kind, include_archived=True)}
                for kind in ("profession", "theme", "association", "municipality")}

    @staticmethod
    def _validated(data: IssueInput) -> CleanIssue:
        clean, issues = validate_issue(data)
        if clean is None:
            raise ValidationError(issues=issues)
        return clean

    @staticmethod
    def _validated_response(data: ResponseInput) -> CleanResponse:
        clean, issues = validate_response(data)
        if clean is None:
            raise ValidationError(issues=issues)
        return clean

    @staticmethod
    def _validated_need(data: NeedInput):
        clean, issues = validate_need(data)
        if clean is None:
            raise ValidationError(issues=issues)
        return clean

    @staticmethod
    def _check_refs(clean: CleanIssue, names: dict[str, dict[str, str]]) -> None:
        issues: list[FieldIssue] = []
        if any(p not in names["profession"] for p in clean.profession_ids):
            issues.append(FieldIssue("profession_ids", "選んだ職種が一覧にありません"))
        if any(t not in names["theme"] for t in clean.theme_ids):
            issues.append(FieldIssue("theme_ids", "選んだテーマが一覧にありません"))
        if clean.source_association_id and clean.source_association_id not in names["association"]:
            issues.append(FieldIssue("source_association_id", "選んだ職能団体が一覧にありません"))
        if clean.municipality_id and clean.municipality_id not in names["municipality"]:
            issues.append(FieldIssue("municipality_id", "選んだ市町村が一覧にありません"))
        if issues:
            raise ValidationError(issues=issues)

    @staticmethod
    def _check_actor(clean: CleanResponse, names: dict[str, dict[str, str]]) -> None:
        if clean.actor_association_id and clean.actor_association_id not in names["association"]:
            raise ValidationError(issues=[FieldIssue("actor_association_id", "選んだ職能団体が一覧にありません")])

    @staticmethod
    def _check_need_refs(clean, names: dict[str, dict[str, str]]) -> None:
        issues: list[FieldIssue] = []
        if clean.association_id and clean.association_id not in names["association"]:
            issues.append(FieldIssue("association_id", "選んだ職能団体が一覧にありません"))
        if any(t not in names["theme"] for t in clean.theme_ids):
            issues.append(FieldIssue("theme_ids", "選んだテーマが一覧にありません"))
        if issues:
            raise ValidationError(issues=issues)

    @staticmethod
    def _input_from(s: Session, row: CollabIssue) -> IssueInput:
        return IssueInput(
            title=row.title, description=row.description, layer=row.layer, status=row.status,
            priority=row.priority, source_association_id=row.source_association_id, source_text=row.source_text,
            raised_on=row.raised_on, municipality_id=row.municipality_id,
            profession_ids=sorted(issue_repo.profession_ids(s, row.id)), theme_ids=issue_repo.theme_ids(s, row.id),
            owner=row.owner, next_action=row.next_action, next_due=row.next_due, fed_back_on=row.fed_back_on,
            fed_back_how=row.fed_back_how,
        )

    @staticmethod
    def _search_text(clean: CleanIssue, responses: list[tuple[str, str]], names: dict[str, dict[str, str]]) -> str:
        return issue_search_text(
            title=clean.title, description=clean.description, responses=responses,
            professions=[names["profession"].get(p, "") for p in clean.profession_ids],
            themes=[names["theme"].get(t, "") for t in clean.theme_ids],
            source=clean.source_text, owner=clean.owner,
        )

    def refold_after_rename(self, s: Session, kind: str, item_id: str) -> None:
        """A 職種 or テーマ was renamed: the search text of the issues naming it carries the old name."""
        link = {"profession": ("collab_issue_profession", "profession_id"),
                "theme": ("collab_issue_theme", "theme_id")}.get(kind)
        if link is None:
            return
        table, column = link
        ids = [r[0] for r in s.connection().execute(
            text(f"SELECT issue_id FROM {table} WHERE {column} = :v"), {"v": item_id})]
        names = self._names(s)
        for issue_id in ids:
            issue = s.get(CollabIssue, issue_id)
            if issue is not None:
                self._refresh_search(s, issue, names)

    def _refresh_search(self, s: Session, issue: CollabIssue, names: dict[str, dict[str, str]]) -> None:
        clean = self._validated(self._input_from(s, issue))
        responses = [(r.action, r.result) for r in issue_repo.responses(s, issue.id, include_archived=False)]
        issue.search_text = self._search_text(clean, responses, names)

    @staticmethod
    def _snapshot(row: CollabIssue, names: dict[str, dict[str, str]], profession_ids: list[str],
                  theme_ids: list[str]) -> dict[str, object]:
        snap: dict[str, object] = {}
        for attr in _PLAIN_FIELDS:
            value = getattr(row, attr)
            snap[attr] = value.isoformat() if isinstance(value, dt.date) else value
        snap["source_association"] = names["association"].get(row.source_association_id or "", "")
        snap["municipality"] = names["municipality"].get(row.municipality_id or "", "")
        snap["professions"] = sorted(names["profession"].get(p, p) for p in profession_ids)
        snap["themes"] = sorted(names["theme"].get(t, t) for t in theme_ids)
        return snap

    @staticmethod
    def _apply_response(row: IssueResponse, clean: CleanResponse) -> None:
        row.actor_kind = clean.actor_kind
        row.actor_association_id = clean.actor_association_id
        row.actor_text = clean.actor_text
        row.action = clean.action
        row.state = clean.state
        row.result = clean.result

    @staticmethod
    def _actor(row: IssueResponse, names: dict[str, dict[str, str]]) -> str:
        name = names["association"].get(row.actor_association_id or "", "")
        if name and row.actor_text:
            return f"{name}（{row.actor_text}）"
        return name or row.actor_text or row.actor_kind

    def _response_label(self, row: IssueResponse, names: dict[str, dict[str, str]]) -> str:
        return f"{self._actor(row, names)}：{row.action}（{row.state}）"

    def _response_snapshot(self, row: IssueResponse, names: dict[str, dict[str, str]]) -> dict[str, object]:
        return {"actor": self._actor(row, names), "action": row.action, "state": row.state, "result": row.result}

    def _response_read(self, row: IssueResponse, names: dict[str, dict[str, str]]) -> ResponseRead:
        return ResponseRead(
            id=row.id, issue_id=row.issue_id, actor_kind=row.actor_kind, actor_association_id=row.actor_association_id,
            actor=self._actor(row, names), action=row.action, state=row.state, result=row.result,
            archived=row.archived_at is not None, actor_text=row.actor_text,
        )

    def _need_reads(self, s: Session, rows: list[AssociationNeed]) -> list[NeedRead]:
        if not rows:
            return []
        theme_items = vocab_repo.list_items(s, "theme", include_archived=True)
        order = {t.id: i for i, t in enumerate(theme_items)}
        theme_names = {t.id: t.name for t in theme_items}
        assoc = {a.id: a.name for a in vocab_repo.list_items(s, "association", include_archived=True)}
        links = issue_repo.need_theme_ids(s, [r.id for r in rows])
        out = []
        for r in rows:
            tids = sorted(links.get(r.id, []), key=lambda t: order.get(t, 1 << 30))
            out.append(NeedRead(
                id=r.id, association_id=r.association_id,
                association=assoc.get(r.association_id or "", "") if r.association_id else HUB_LABEL,
                text=r.text, theme_ids=tuple(tids), themes=tuple(theme_names.get(t, "") for t in tids),
                status=r.status, planned_event_id=r.planned_event_id,
            ))
        return out

    @staticmethod
    def _event_read(event: PlannedEvent) -> PlannedEventRead:
        created = event.created_at if event.created_at.tzinfo else event.created_at.replace(tzinfo=dt.timezone.utc)
        return PlannedEventRead(
            id=event.id, title=event.title, layer=event.layer, description=event.description,
            association_ids=issue_repo.event_association_ids(event), adopted_meeting_id=event.adopted_meeting_id,
            created_at=created,
        )


def input_from_row(row: IssueRow) -> IssueInput:
    """The form values for an existing issue (the edit dialog starts from these)."""
    return IssueInput(
        title=row.title, description=row.description, layer=row.layer, status=row.status, priority=row.priority,
        source_association_id=row.source_association_id, source_text=row.source_text, raised_on=row.raised_on,
        municipality_id=row.municipality_id, profession_ids=list(row.profession_ids), theme_ids=list(row.theme_ids),
        owner=row.owner, next_action=row.next_action, next_due=row.next_due, fed_back_on=row.fed_back_on,
        fed_back_how=row.fed_back_how,
    )


def response_input_from(read: ResponseRead) -> ResponseInput:
    """The form values for an existing response."""
    return ResponseInput(actor_kind=read.actor_kind, actor_association_id=read.actor_association_id,
                         actor_text=read.actor_text, action=read.action, state=read.state, result=read.result)


def count_issue_rows(rows: list[IssueRow], profession_order: dict[str, int] | None = None) -> list[IssueCount]:
    """Layer × profession × status counts of the given rows (a row with several professions counts once in each)."""
    profession_order = profession_order or {}
    counts: dict[tuple[str, str], dict[str, int]] = {}
    order: dict[str, int] = {"": 1 << 30}
    for r in rows:
        pairs = list(zip(r.profession_ids, r.professions)) or [("", "")]
        for pid, pname in pairs:
            order.setdefault(pname, profession_order.get(pid, 1 << 29))
            per = counts.setdefault((r.layer, pname), {})
            per[r.status] = per.get(r.status, 0) + 1
    layer_index = {k: i for i, k in enumerate(LAYER_KEYS)}
    status_index = {k: i for i, k in enumerate(STATUSES)}
    out = [IssueCount(layer=layer, profession=prof, status=status, count=n)
           for (layer, prof), per in counts.items() for status, n in per.items()]
    out.sort(key=lambda c: (layer_index.get(c.layer, 99), order.get(c.profession, 1 << 30), c.profession,
                            status_index.get(c.status, 99)))
    return out


def match_needs(needs: list[NeedRead]) -> list[MatchSuggestion]:
    """Group open needs of different parties that share themes (see IssueService.suggest_matches)."""
    open_needs = [n for n in needs if n.status == OPEN_NEED_STATUS and n.theme_ids]
    theme_name: dict[str, str] = {}
    theme_rank: dict[str, int] = {}
    for n in open_needs:
        for i, (tid, tname) in enumerate(zip(n.theme_ids, n.themes)):
            theme_name[tid] = tname
            theme_rank.setdefault(tid, i)

    def party(n: NeedRead) -> str:
        return n.association_id or ""

    groups: dict[frozenset[str], frozenset[str]] = {}  # need ids → shared theme ids
    for i, a in enumerate(open_needs):
        for b in open_needs[i + 1:]:
            if party(a) == party(b):
                continue
            shared = frozenset(a.theme_ids) & frozenset(b.theme_ids)
            if not shared:
                continue
            members = frozenset(n.id for n in open_needs if shared <= frozenset(n.theme_ids))
            if len(shared) > len(groups.get(members, frozenset())):
                groups[members] = shared
    by_id = {n.id: n for n in open_needs}
    index = {n.id: i for i, n in enumerate(open_needs)}
    suggestions = []
    for members, shared in groups.items():
        ordered = tuple(sorted((by_id[m] for m in members), key=lambda n: index[n.id]))
        themes = tuple(theme_name[t] for t in sorted(shared, key=lambda t: (theme_rank.get(t, 0), theme_name[t])))
        parties = list(dict.fromkeys(n.association for n in ordered))
        who = "×".join(parties) if len(parties) <= 3 else "×".join(parties[:2]) + f"ほか{len(parties) - 2}団体"
        topics = [t for t in themes if t != "研修"]
        title = f"{who} 合同研修" + (f"（{'・'.join(topics)}）" if topics else "")
        suggestions.append(MatchSuggestion(needs=ordered, shared_themes=themes, suggested_title=title))
    suggestions.sort(key=lambda m: (-len(m.shared_themes), -len({party(n) for n in m.needs}),
                                    min(index[n.id] for n in m.needs)))
    return suggestions


def filter_issue_rows(rows: list[IssueRow], flt: IssueFilter) -> list[IssueRow]:
    """The board's filters and search (same kana/width-insensitive matching as the resource list)."""
    terms = search_terms(flt.text)
    out = []
    for r in rows:
        if r.archived and not flt.include_archived:
            continue
        if flt.statuses and r.status not in flt.statuses:
            continue
        if flt.municipality_id is not None and r.municipality_id != flt.municipality_id:
            continue
        if flt.theme_id is not None and flt.theme_id not in r.theme_ids:
            continue
        if flt.year is not None and (r.raised_on is None or fiscal_year(r.raised_on) != flt.year):
            continue
        if flt.not_fed_back_only and r.fed_back_on is not None:
            continue
        if terms and not matches(r.search_text, terms):
            continue
        out.append(r)
    return out
