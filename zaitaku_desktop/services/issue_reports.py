"""Issue-board PDFs: the per-association feedback sheet and the side-by-side issue list.

Builds the reports' plain data from :class:`IssueService` and writes the files atomically.
The fonts folder is passed in (``paths.fonts_dir()`` by default) so reports never look up paths.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from zaitaku_desktop import paths
from zaitaku_desktop.domain.errors import NotFoundError, ValidationError, FieldIssue
from zaitaku_desktop.domain.issues import LAYER_KEYS
from zaitaku_desktop.domain.text import search_key
from zaitaku_desktop.exports.atomic import write_atomically
from zaitaku_desktop.models import VocabItem
from zaitaku_desktop.reports.issue_feedback import (FeedbackIssue, FeedbackResponse, IssueFeedbackData,
                                                    write_issue_feedback)
from zaitaku_desktop.reports.issue_list import (MAX_COLUMNS, IssueListColumn, IssueListData, IssueListResult,
                                                write_issue_list)

from .issues import IssueRow, IssueService, ResponseRead
from .vocab import VocabService

log = logging.getLogger(__name__)

_LAYER_ORDER = {key: i for i, key in enumerate(LAYER_KEYS)}


@dataclass(frozen=True)
class FeedbackResult:
    association: str
    issues: int
    pages: int
    path: Path


@dataclass(frozen=True)
class IssueListFileResult:
    professions: tuple[str, ...]
    layout: IssueListResult
    path: Path

    @property
    def omitted_total(self) -> int:
        return sum(self.layout.omitted)


def _issue_order(row: IssueRow) -> tuple:
    return (_LAYER_ORDER.get(row.layer, len(_LAYER_ORDER)), row.raised_on or dt.date.max, row.title)


class IssueReportService:
    def __init__(self, issues: IssueService, vocab: VocabService, *, fonts_dir: Path | None = None) -> None:
        self.issues = issues
        self.vocab = vocab
        self.fonts_dir = Path(fonts_dir) if fonts_dir is not None else paths.fonts_dir()

    # --- vocabulary look-ups ----------------------------------------------------------
    def _find(self, kind: str, label: str, wanted: str) -> VocabItem:
        """An item by id, by exact name (width/kana-insensitive) or by a unique part of its name."""
        items = self.vocab.list(kind, include_archived=True)
        wanted = (wanted or "").strip()
        for item in items:
            if item.id == wanted:
                return item
        key = search_key(wanted)
        exact = [i for i in items if search_key(i.name) == key]
        if len(exact) == 1:
            return exact[0]
        partial = [i for i in items if key and key in search_key(i.name) and not i.archived]
        if len(partial) == 1:
            return partial[0]
        names = "、".join(i.name for i in items if not i.archived)
        if len(partial) > 1:
            raise NotFoundError(f"{label}「{wanted}」に当てはまるものが複数あります："
                                + "、".join(i.name for i in partial))
        raise NotFoundError(f"{label}「{wanted}」が見つかりません。登録されている{label}：{names}")

    def _responses_by_issue(self, issue_ids: set[str]) -> dict[str, list[ResponseRead]]:
        out: dict[str, list[ResponseRead]] = {iid: [] for iid in issue_ids}
        list_all = getattr(self.issues, "list_responses", None)
        if list_all is not None:
            for r in list_all(include_archived=False):
                if r.issue_id in out and not r.archived:
                    out[r.issue_id].append(r)
            return out
        for iid in issue_ids:  # the contract's per-issue read
            out[iid] = [r for r in self.issues.get(iid).responses if not r.archived]
        return out

    # --- feedback sheet --------------------------------------------------------------
    def feedback_data(self, association: str, *, issued_on: dt.date | None = None,
                      sender: str = "") -> IssueFeedbackData:
        """The issues raised by the association (its meetings) or naming one of its professions."""
        assoc = self._find("association", "職能団体", association)
        professions = [p for p in self.vocab.list("profession", include_archived=True) if p.parent_id == assoc.id]
        prof_ids = {p.id for p in professions}
        rows = sorted((r for r in self.issues.list_rows(include_archived=False)
                       if not r.archived and (r.source_association_id == assoc.id or prof_ids & set(r.profession_ids))),
                      key=_issue_order)
        responses = self._responses_by_issue({r.id for r in rows})
        issues = tuple(
            FeedbackIssue(
                title=r.title, layer=r.layer, status=r.status, description=r.description, priority=r.priority,
                professions=r.professions, themes=r.themes, raised_on=r.raised_on,
                source=r.source_text or r.source_association, next_action=r.next_action, next_due=r.next_due,
                responses=tuple(FeedbackResponse(actor=x.actor, action=x.action, state=x.state, result=x.result)
                                for x in responses.get(r.id, [])))
            for r in rows)
        return IssueFeedbackData(association=assoc.name, issued_on=issued_on or dt.date.today(), issues=issues,
                                 professions=tuple(p.name for p in professions if not p.archived), sender=sender)

    def feedback_pdf(self, association: str, out: Path, *, issued_on: dt.date | None = None,
                     sender: str = "") -> FeedbackResult:
        data = self.feedback_data(association, issued_on=issued_on, sender=sender)
        pages: list[int] = []
        write_atomically(Path(out), lambda f: pages.append(write_issue_feedback(data, f, fonts_dir=self.fonts_dir)))
        log.info("feedback sheet written: %d issues, %d pages", len(data.issues), pages[0])
        return FeedbackResult(association=data.association, issues=len(data.issues), pages=pages[0], path=Path(out))

    # --- side-by-side list -----------------------------------------------------------
    def issue_list_data(self, professions: Iterable[str], *, layers: Iterable[str] | None = None,
                        issued_on: dt.date | None = None, title: str = "", subtitle: str = "") -> IssueListData:
        """One column per profession (id or name) with the titles of its issues, 2–4 columns."""
        wanted = [p for p in professions if p and p.strip()]
        if not 2 <= len(wanted) <= MAX_COLUMNS:
            raise ValidationError([FieldIssue("professions", f"職種は2〜{MAX_COLUMNS}つ選んでください（{len(wanted)}つ選ばれています）")])
        items = [self._find("profession", "職種", p) for p in wanted]
        if len({i.id for i in items}) != len(items):
            raise ValidationError([FieldIssue("professions", "同じ職種が2回選ばれています")])
        layer_set = set(layers) if layers else None
        rows = sorted((r for r in self.issues.list_rows(include_archived=False)
                       if not r.archived and (layer_set is None or r.layer in layer_set)), key=_issue_order)
        # A column lists the issues that profession raised: those from its association's meetings,
        # else (no source association) those that name the profession.
        association_of = {p.id: p.parent_id for p in self.vocab.list("profession", include_archived=True)}

        def raised_by(row: IssueRow, profession_id: str) -> bool:
            if row.source_association_id:
                return association_of.get(profession_id) == row.source_association_id
            return profession_id in row.profession_ids

        columns = tuple(IssueListColumn(heading=item.name,
                                        items=tuple(r.title for r in rows if raised_by(r, item.id)))
                        for item in items)
        kwargs = {"title": title} if title else {}
        return IssueListData(columns=columns, issued_on=issued_on or dt.date.today(), subtitle=subtitle, **kwargs)

    def issue_list_pdf(self, professions: Iterable[str], out: Path, **options) -> IssueListFileResult:
        data = self.issue_list_data(professions, **options)
        results: list[IssueListResult] = []
        write_atomically(Path(out), lambda f: results.append(write_issue_list(data, f, fonts_dir=self.fonts_dir)))
        log.info("issue list written: %d columns, font %.1f pt, %d folded", len(data.columns),
                 results[0].font_size, sum(results[0].omitted))
        return IssueListFileResult(professions=tuple(c.heading for c in data.columns), layout=results[0],
                                   path=Path(out))
