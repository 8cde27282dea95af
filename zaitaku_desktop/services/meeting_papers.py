"""What the printed papers of a meeting need (agenda, sign-in sheet, name tents, certificates,
group lists) gathered in one read, and group-work table assignment.

The fonts folder is passed in (``paths.fonts_dir()`` by default) and travels on the paper, so the
report functions never look up paths.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session

from zaitaku_desktop import paths
from zaitaku_desktop.domain.errors import FieldIssue, NotFoundError, ValidationError
from zaitaku_desktop.domain.groups import MAX_TABLES, SEATED_ROLES, Participant, balance, by_reading
from zaitaku_desktop.domain.meetings import Speaker
from zaitaku_desktop.exports.atomic import write_atomically
from zaitaku_desktop.models import Venue, utcnow
from zaitaku_desktop.reports import meeting_papers as papers
from zaitaku_desktop.storage import meeting_repo, vocab_repo
from zaitaku_desktop.storage.database import Database

from .meetings import NOT_FOUND, MeetingRow, MeetingService
from .vocab import VocabService

log = logging.getLogger(__name__)

Table = tuple[Participant, ...]

# kind → (report function, Japanese name used in messages and default file names)
PAPER_KINDS: dict[str, tuple[Any, str]] = {
    "agenda": (papers.write_agenda, "次第"),
    "signin": (papers.write_signin_sheet, "受付名簿"),
    "tents": (papers.write_name_tents, "名札"),
    "certificates": (papers.write_certificates, "参加証明書"),
    "groups": (papers.write_group_lists, "グループ表"),
}


@dataclass(frozen=True)
class MeetingPaper:
    """Everything the papers of one meeting print; participants are in 五十音 order."""

    row: MeetingRow
    agenda: str
    speakers: tuple[Speaker, ...]
    organisers: tuple[str, ...]  # the organiser first, then the co-organisers
    venue: str
    venue_address: str
    participants: tuple[Participant, ...]
    professions: tuple[tuple[str, str], ...]  # (id, name) of the active professions, for tick boxes / codes
    fonts_dir: Path

    @property
    def title(self) -> str:
        return self.row.title

    @property
    def date(self):
        return self.row.date

    def seated(self) -> list[Participant]:
        return [p for p in self.participants if p.table_no is not None]


def why_empty(kind: str, paper: MeetingPaper) -> str:
    """Why this paper would be empty (a Japanese sentence), or "" when there is something to print.
    A sign-in sheet and an agenda are never empty: the sheet has blank rows for walk-ins."""
    if kind == "tents" and not papers.on_the_day(paper):
        return papers.NO_PEOPLE
    if kind == "certificates" and not papers.attended(paper):
        return papers.NO_ATTENDED
    if kind == "groups" and not paper.seated():
        return papers.NO_TABLES
    return ""


@dataclass(frozen=True)
class PaperResult:
    kind: str
    pages: int
    path: Path


class MeetingPaperService:
    def __init__(self, db: Database, meetings: MeetingService, vocab: VocabService, *,
                 fonts_dir: Path | None = None) -> None:
        self.db = db
        self.meetings = meetings
        self.vocab = vocab
        self.fonts_dir = Path(fonts_dir) if fonts_dir is not None else paths.fonts_dir()

    def paper(self, meeting_id: str) -> MeetingPaper:
        with self.db.session() as s:
            return self._paper(s, meeting_id)

    def assign_tables(self, meeting_id: str, n: int, *, keep: tuple[str, ...] = SEATED_ROLES) -> list[Table]:
        """Seat the participants at ``n`` tables (domain.groups.balance) and store it in one transaction;
        everyone not seated loses a table number they may have had."""
        if not isinstance(n, int) or not 1 <= n <= MAX_TABLES:
            raise ValidationError(issues=[FieldIssue("n", f"テーブルの数は1〜{MAX_TABLES}にしてください")])
        with self.db.session() as s:
            paper = self._paper(s, meeting_id)
            tables = balance(paper.participants, n, keep=keep, profession_order=[pid for pid, _ in paper.professions])
            if not any(tables):
                raise ValidationError(issues=[FieldIssue("n", "振り分ける参加者（申込・出席）がいません。")])
            self._store(s, meeting_id, {p.person_id: p.table_no for table in tables for p in table})
        log.info("meeting %s: %d people at %d tables", meeting_id, sum(map(len, tables)), n)
        return tables

    def clear_tables(self, meeting_id: str) -> None:
        with self.db.session() as s:
            if meeting_repo.get(s, meeting_id) is None:
                raise NotFoundError(NOT_FOUND)
            self._store(s, meeting_id, {})

    def write(self, kind: str, meeting_id: str, path: Path, **options: Any) -> PaperResult:
        """Write one paper as PDF, atomically (exports.atomic); ``options`` go to the report function."""
        write_fn = PAPER_KINDS[kind][0]
        paper = self.paper(meeting_id)
        pages: list[int] = []
        write_atomically(Path(path), lambda f: pages.append(write_fn(paper, f, **options)))
        return PaperResult(kind, pages[0], Path(path))

    # --- helpers -------------------------------------------------------------------------------
    @staticmethod
    def _store(s: Session, meeting_id: str, seats: dict[str, int | None]) -> None:
        now = utcnow()
        for entry in meeting_repo.attendance(s, meeting_id=meeting_id):
            table_no = seats.get(entry.person_id)
            if entry.table_no != table_no:
                entry.table_no, entry.updated_at = table_no, now
        s.flush()

    def _paper(self, s: Session, meeting_id: str) -> MeetingPaper:
        rows = meeting_repo.load_rows(s, MeetingRow, ids=[meeting_id], include_archived=True)
        meeting = meeting_repo.get(s, meeting_id)
        if not rows or meeting is None:
            raise NotFoundError(NOT_FOUND)
        row = rows[0]
        all_professions = vocab_repo.list_items(s, "profession", include_archived=True)
        names = {p.id: p.name for p in all_professions}
        people = []
        for entry in meeting_repo.attendance(s, meeting_id=meeting_id):
            person = meeting_repo.get_person(s, entry.person_id)
            if person is None:
                continue
            people.append(Participant(
                person_id=person.id, name=person.name, reading=person.reading, affiliation=person.affiliation,
                profession_id=person.profession_id, profession=names.get(person.profession_id or "", ""),
                role=entry.role, status=entry.status, walk_in=entry.walk_in, table_no=entry.table_no))
        venue = s.get(Venue, row.venue_id) if row.venue_id else None
        speakers = tuple(Speaker(x.name, x.affiliation, x.talk_title) for x in meeting_repo.speakers(s, meeting_id))
        return MeetingPaper(
            row=row, agenda=meeting.agenda, speakers=speakers,
            organisers=tuple(dict.fromkeys(x for x in (row.organiser, *row.co_organisers) if x)),
            venue=row.venue, venue_address=venue.address if venue else "",
            participants=tuple(by_reading(people)),
            professions=tuple((p.id, p.name) for p in all_professions if not p.archived),
            fonts_dir=self.fonts_dir)
