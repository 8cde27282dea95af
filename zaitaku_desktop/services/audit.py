"""The audit trail (issue 9): append entries, verify the hash chain, read and export it for the privacy
officer. Other services append inside their own session through storage.audit_repo.append."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from zaitaku_desktop.domain import audit as rules
from zaitaku_desktop.domain.audit import DEFAULT_ROLE, AuditProblem, ClockNote
from zaitaku_desktop.domain.errors import DomainError, PermissionDeniedError
from zaitaku_desktop.exports.audit_xlsx import write_audit_csv, write_audit_xlsx
from zaitaku_desktop.storage import audit_repo
from zaitaku_desktop.storage.database import Database

JST = rules.JST
EXPORT_SUFFIXES = (".xlsx", ".csv")


@dataclass(frozen=True, slots=True)
class AuditRead:
    seq: int
    at: dt.datetime  # local (Japan) wall clock, naive; the laptop's clock may have been wrong
    user: str
    role: str
    action: str
    action_label: str  # 操作 in the office's words
    entity: str
    entity_label: str
    entity_id: str
    detail: str
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class AuditReport:
    entries: int
    problems: list[AuditProblem]
    clock_notes: list[ClockNote]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line for the user (the dialog and the CLI)."""
        if self.ok:
            return f"監査ログは正常です（{self.entries:,}件）"
        return f"監査ログに改ざんの疑いがあります（{len(self.problems)}か所・記録 {self.entries:,}件）"


class AuditService:
    def __init__(self, db: Database, user: str = "", role: str = DEFAULT_ROLE) -> None:
        self.db = db
        self.user = user
        self.role = role

    def append(self, action: str, entity: str = "", entity_id: str = "", detail: str = "") -> int:
        """Record one event in its own transaction; returns its seq. ``detail`` never holds personal data."""
        with self.db.session() as s:
            return audit_repo.append(s, user=self.user, role=self.role, action=action, entity=entity,
                                     entity_id=entity_id, detail=detail).seq

    def verify(self) -> AuditReport:
        """Check the whole chain and its anchor: every edited, deleted, inserted or reordered entry is named."""
        return self._checked()[1]

    def _checked(self) -> tuple[list[rules.AuditEntry], AuditReport]:
        with self.db.session() as s:  # the rows and the anchor as one snapshot
            rows, head = audit_repo.all_rows(s), audit_repo.head(s)
        return rows, AuditReport(len(rows), rules.verify_chain(rows, head), rules.clock_notes(rows))

    def rows(self, start: dt.date | None = None, end: dt.date | None = None) -> list[AuditRead]:
        """Entries stamped from ``start`` to ``end`` (local dates, inclusive), newest first."""
        self._staff_only()
        with self.db.session() as s:
            return [_read(e) for e in audit_repo.rows(s, _local_midnight(start), _local_midnight(end, 1))]

    def export(self, path: Path) -> int:
        """Write the whole log (oldest first) to .xlsx (with the 検証結果 sheet) or .csv, by the suffix; the
        export itself is then logged. Returns the number of entries written."""
        self._staff_only()
        path = Path(path)
        if path.suffix.lower() not in EXPORT_SUFFIXES:
            raise DomainError(f"書き出し先の拡張子は .xlsx または .csv にしてください：{path.name}")
        entries, report = self._checked()
        if path.suffix.lower() == ".csv":
            write_audit_csv(entries, path)
        else:
            write_audit_xlsx(entries, path, problems=report.problems, clock_notes=report.clock_notes,
                             checked_at=dt.datetime.now(JST).replace(tzinfo=None))
        self.append("export", "audit_log", "", f"監査ログ {len(entries)}件 {path.name}")
        return len(entries)

    def _staff_only(self) -> None:
        if self.role != DEFAULT_ROLE:
            raise PermissionDeniedError(f"監査ログを見たり書き出したりできるのは{DEFAULT_ROLE}だけです。")


def _local_midnight(day: dt.date | None, plus_days: int = 0) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(day + dt.timedelta(days=plus_days), dt.time(), tzinfo=JST)


def _read(e: rules.AuditEntry) -> AuditRead:
    try:
        at = rules.local_time(e.at)
    except ValueError:  # a damaged stamp still shows (the verifier reports the row)
        at = dt.datetime.min
    return AuditRead(seq=e.seq, at=at, user=e.user, role=e.role, action=e.action,
                     action_label=rules.action_label(e.action), entity=e.entity,
                     entity_label=rules.entity_label(e.entity), entity_id=e.entity_id, detail=e.detail,
                     prev_hash=e.prev_hash, hash=e.hash)
