"""The issue board (task イ): issues by layer and profession, responses, feedback, needs matching.

CONTRACT for the GUI, the reports and the CLI (implemented by the issue-board backend work).
Every method owns one session and returns the plain read shapes below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from zaitaku_desktop.domain.issues import IssueInput, NeedInput, ResponseInput
from zaitaku_desktop.models import ChangeRead
from zaitaku_desktop.storage.database import Database


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

    # reading
    def list_rows(self, *, include_archived: bool = True) -> list[IssueRow]: ...
    def get(self, issue_id: str) -> IssueDetail: ...
    def counts(self, *, include_archived: bool = False) -> list[IssueCount]: ...

    # writing (ValidationError with Japanese FieldIssues on bad input)
    def create(self, data: IssueInput) -> IssueRow: ...
    def update(self, issue_id: str, data: IssueInput, *, expected_version: int | None = None,
               reason: str = "") -> IssueRow:
        """A change of layer needs a reason (ValidationError otherwise); status/owner changes take an
        optional reason. Setting 解決 on an issue with no response is refused (ValidationError
        「解決にするには対応策を1件以上記録してください」)."""
    def move(self, issue_id: str, *, layer: str | None = None, status: str | None = None,
             from_profession_id: str | None = None, to_profession_id: str | None = None,
             reason: str = "") -> IssueRow:
        """What a drag and drop does: another layer (reason required, recorded as 「一次 → 二次：理由」),
        another status column, or from one profession row to another (replaces that profession)."""
    def set_archived(self, issue_id: str, archived: bool) -> IssueRow: ...
    def record_feedback(self, issue_id: str, on: dt.date, how: str) -> IssueRow: ...

    # responses
    def add_response(self, issue_id: str, data: ResponseInput) -> ResponseRead: ...
    def update_response(self, response_id: str, data: ResponseInput) -> ResponseRead: ...
    def set_response_archived(self, response_id: str, archived: bool) -> ResponseRead: ...

    # needs matching
    def list_needs(self, *, include_closed: bool = False) -> list[NeedRead]: ...
    def add_need(self, data: NeedInput) -> NeedRead: ...
    def update_need(self, need_id: str, data: NeedInput) -> NeedRead: ...
    def suggest_matches(self) -> list[MatchSuggestion]: ...
    def plan_event(self, need_ids: list[str], title: str, description: str = "") -> PlannedEventRead:
        """Turn a match into a planned 二次連携 event; the needs become 計画済 and point at it."""
    def list_planned_events(self) -> list[PlannedEventRead]: ...


def filter_issue_rows(rows: list[IssueRow], flt: IssueFilter) -> list[IssueRow]:
    """The board's filters and search (same kana/width-insensitive matching as the resource list)."""
    raise NotImplementedError
