"""Use cases. Each call owns one session, commits it, and returns plain read shapes."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from pathlib import Path

from zaitaku_desktop.storage.database import Database

from .annual_report import AnnualReportService
from .consultations import ConsultationService
from .directory import DirectoryService
from .handouts import HandoutService
from .issue_reports import IssueReportService
from .issues import IssueService
from .maintenance import MaintenanceService
from .map import MapService
from .meeting_papers import MeetingPaperService
from .meetings import MeetingService
from .questionnaires import QuestionnaireService
from .resources import ResourceService
from .sample import SampleService
from .transfer import TransferService
from .vocab import VocabService


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name on some systems
        return ""


@dataclass
class Services:
    db: Database
    vocab: VocabService
    resources: ResourceService
    sample: SampleService
    transfer: TransferService
    map: MapService
    issues: IssueService
    issue_reports: IssueReportService
    meetings: MeetingService
    questionnaires: QuestionnaireService
    meeting_papers: MeetingPaperService
    consultations: ConsultationService
    annual_report: AnnualReportService
    maintenance: MaintenanceService
    handouts: HandoutService
    directory: DirectoryService

    def set_user(self, name: str) -> None:
        """Who the change history names from now on (the 担当者名 setting)."""
        for service in (self.vocab, self.resources, self.map, self.issues, self.meetings, self.questionnaires,
                        self.consultations, self.annual_report, self.directory):
            service.user = name

    def ensure_starter_data(self) -> None:
        """The vocabularies, meeting types, consultation categories and questionnaires every database starts
        with (each adds only what is missing; run again after a restore brings back an older file)."""
        self.vocab.ensure_seeded()
        self.vocab.ensure_themes_seeded()
        self.vocab.ensure_meeting_types_seeded()
        self.consultations.ensure_categories_seeded()
        self.questionnaires.ensure_default_templates()

    def close(self) -> None:
        self.db.close()


def open_services(db_path: Path, *, backup_dir: Path | None = None, user: str | None = None) -> Services:
    db = Database.open(db_path, backup_dir=backup_dir)
    return build_services(db, user=user)


def build_services(db: Database, *, user: str | None = None) -> Services:
    who = current_user() if user is None else user
    vocab = VocabService(db, user=who)
    resources = ResourceService(db, user=who)
    issues = IssueService(db, user=who)
    meetings = MeetingService(db, user=who)
    consultations = ConsultationService(db, user=who)
    questionnaires = QuestionnaireService(db, user=who)
    maintenance = MaintenanceService(db)
    transfer = TransferService(db, vocab, resources)
    transfer.before_write = lambda: maintenance.backup_before("import")
    vocab.on_renamed += [resources.refold_after_rename, issues.refold_after_rename]
    services = Services(
        db=db, vocab=vocab, resources=resources,
        sample=SampleService(db, vocab, resources, issues, meetings, consultations, questionnaires),
        transfer=transfer,
        map=MapService(db, resources, user=who),
        issues=issues,
        issue_reports=IssueReportService(issues, vocab),
        meetings=meetings,
        questionnaires=questionnaires,
        meeting_papers=MeetingPaperService(db, meetings, vocab),
        consultations=consultations,
        annual_report=AnnualReportService(db, consultations, user=who),
        maintenance=maintenance,
        handouts=HandoutService(db, meetings, vocab),
        directory=DirectoryService(db, resources, vocab, user=who),
    )
    services.ensure_starter_data()
    return services
