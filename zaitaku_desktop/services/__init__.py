"""Use cases. Each call owns one session, commits it, and returns plain read shapes."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from pathlib import Path

from zaitaku_desktop.storage.database import Database

from .annual_report import AnnualReportService
from .audit import AuditService
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
from .sync import SyncService
from .security import RECOVERY_USER, ROLE_STAFF, Credentials, SecurityService
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
    audit: AuditService

    security: SecurityService | None = None
    sync: SyncService | None = None

    @property
    def role(self) -> str:
        """ROLE_STAFF, or ROLE_VIEWER for a colleague who may only look things up (no personal data)."""
        return self.security.role if self.security else ROLE_STAFF

    @property
    def can_see_personal(self) -> bool:
        return self.role == ROLE_STAFF

    def set_user(self, name: str) -> None:
        """Who the change history names from now on (the 担当者名 setting)."""
        for service in (self.vocab, self.resources, self.map, self.issues, self.meetings, self.questionnaires,
                        self.consultations, self.annual_report, self.directory, self.audit, self.sync):
            service.user = name

    def set_role(self, role: str) -> None:
        """Which role the audit trail records from now on (the logged-in user's)."""
        for service in (self.consultations, self.audit, self.sync):
            service.role = role

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


def open_services(db_path: Path, *, backup_dir: Path | None = None, user: str | None = None,
                  credentials: Credentials | None = None) -> Services:
    """Open (and migrate) the database; ``credentials`` from :class:`security.Gate` for a protected one."""
    key = credentials.key if credentials else None
    viewer = bool(credentials and credentials.user and credentials.user.role != ROLE_STAFF)
    db = Database.open(db_path, backup_dir=backup_dir, key=key, query_only=viewer)
    try:
        return build_services(db, user=user, credentials=credentials)
    except BaseException:
        db.close()
        raise


def build_services(db: Database, *, user: str | None = None, credentials: Credentials | None = None) -> Services:
    """``credentials``: who logged in (their name goes into the change history and the audit log)."""
    if credentials is not None and credentials.user is not None:
        user = credentials.user.name
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
        audit=AuditService(db, user=who),
    )
    services.sync = SyncService(db, maintenance=maintenance, issues=issues, user=who)
    services.security = SecurityService(db, credentials=credentials, maintenance=maintenance)
    services.set_role(services.role)  # the consultation service refuses a 閲覧者; the audit trail names the role
    services.security.audit = services.audit
    if credentials is not None and credentials.user is not None:
        services.security.record("login", "回復キー" if credentials.user.name == RECOVERY_USER else "")
    if not db.query_only:
        services.ensure_starter_data()
    return services
