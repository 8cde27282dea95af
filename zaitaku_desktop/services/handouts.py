"""Handouts for citizens: a lecture flyer filled from a meeting, the pamphlet's consultation contacts, and
writing both as PDF atomically (exports.atomic). The fonts folder is passed in (``paths.fonts_dir()``)."""

from __future__ import annotations

import logging
from pathlib import Path

from zaitaku_desktop import paths
from zaitaku_desktop.domain.consultations import WINDOWS
from zaitaku_desktop.domain.handouts import (
    WINDOW_FOR_WHOM, ConsultationContact, FlyerContent, FlyerStyle, PamphletText, check_flyer, check_pamphlet,
    default_target,
)
from zaitaku_desktop.exports.atomic import write_atomically
from zaitaku_desktop.reports.flyer import write_flyer
from zaitaku_desktop.reports.pamphlet import write_pamphlet
from zaitaku_desktop.storage.database import Database

from .meeting_papers import MeetingPaperService
from .meetings import MeetingService
from .vocab import VocabService

log = logging.getLogger(__name__)

HUB_NAME = "在宅医療・介護連携 相談窓口"


class HandoutService:
    def __init__(self, db: Database, meetings: MeetingService, vocab: VocabService, *,
                 fonts_dir: Path | None = None) -> None:
        self.fonts_dir = Path(fonts_dir) if fonts_dir is not None else paths.fonts_dir()
        self.papers = MeetingPaperService(db, meetings, vocab, fonts_dir=self.fonts_dir)

    def flyer_from_meeting(self, meeting_id: str, *, hub_name: str = "") -> FlyerContent:
        """A flyer filled from the meeting (title, date and time, venue and address, speakers, organisers).
        Any meeting may have one; the 対象 line follows the type's layer (住民向け → どなたでも). A meeting the hub
        organises names the hub by ``hub_name`` (the 設定 value) rather than the word 連携拠点.
        Raises NotFoundError."""
        paper = self.papers.paper(meeting_id)
        row = paper.row
        names = [hub_name if hub_name and i == 0 and row.organiser_kind == "連携拠点" and not row.organiser_text
                 else name for i, name in enumerate(paper.organisers)]
        organiser = "・".join(names[:1]) + ("（共催：" + "・".join(names[1:]) + "）" if len(names) > 1 else "")
        return FlyerContent(
            title=row.title, label=row.type_name, date=row.date, start_time=row.start_time, end_time=row.end_time,
            venue=paper.venue, venue_access=paper.venue_address, speakers=paper.speakers,
            target=default_target(row.layer), capacity=f"{row.capacity}名" if row.capacity else "",
            organiser=organiser)

    @staticmethod
    def pamphlet_contacts(contact_text: str = "", *, hub_name: str = "",
                          window_texts: dict[str, str] | None = None) -> tuple[ConsultationContact, ...]:
        """The consultation windows a citizen can call: the hub (連携拠点) with ``contact_text`` (phone, hours —
        a setting the caller passes), then one entry per window of domain.consultations.WINDOWS, citizens
        first, with its own text when one is given."""
        texts = window_texts or {}
        hub = ConsultationContact(hub_name or HUB_NAME, "どなたでも", contact_text)
        ordered = sorted(WINDOWS, key=lambda w: w != "一般向け")
        return (hub, *(ConsultationContact(f"{w}の相談窓口", WINDOW_FOR_WHOM.get(w, ""), texts.get(w, ""))
                       for w in ordered))

    def write_flyer(self, content: FlyerContent, style: FlyerStyle, path: Path) -> int:
        check_flyer(content, style)  # before any file is touched
        pages: list[int] = []
        write_atomically(Path(path), lambda f: pages.append(write_flyer(content, style, f, fonts_dir=self.fonts_dir)))
        log.info("flyer written: layout %s, paper %s", style.layout, style.paper)
        return pages[0]

    def write_pamphlet(self, text: PamphletText, contacts: tuple[ConsultationContact, ...], path: Path, *,
                       colour: str = "navy") -> int:
        check_pamphlet(text)
        pages: list[int] = []
        write_atomically(Path(path), lambda f: pages.append(
            write_pamphlet(text, contacts, f, fonts_dir=self.fonts_dir, colour=colour)))
        log.info("pamphlet written")
        return pages[0]
