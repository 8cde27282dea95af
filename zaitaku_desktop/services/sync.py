"""Exchange files (交換ファイル) for two laptops that worked apart: export the records changed since a date,
preview what importing another laptop's file would do, then apply it with the user's choices.

The file is a ZIP: ``manifest.json`` (format, version, the source database id, when, since, counts per table and
the SHA-256 of each part) and one ``records/<table>.jsonl`` part per table. A protected (encrypted) database
writes it as an AES-256 ZIP with a password: the file holds personal data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import socket
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyzipper
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from zaitaku_desktop.domain import sync as rules
from zaitaku_desktop.domain.errors import FieldIssue, ValidationError
from zaitaku_desktop.domain.resource import KeyPerson, resource_search_text
from zaitaku_desktop.domain.sync import SyncFileError, SyncPasswordNeeded
from zaitaku_desktop.exports.atomic import write_atomically
from zaitaku_desktop.exports.secure_zip import write_encrypted_zip
from zaitaku_desktop.models import CollabIssue, new_id, utcnow
from zaitaku_desktop.storage import audit_repo, history_repo, meta_repo, resource_repo, sync_repo
from zaitaku_desktop.storage.database import Database
from zaitaku_desktop.storage.sync_repo import Record

MANIFEST = "manifest.json"
DATABASE_ID = "database_id"
DATABASE_HOME = "database_id_home"  # the computer and path the id belongs to
NOTE = "交換ファイルから取り込み"
PERSONAL_TABLES = frozenset({"consultation_case", "consultation", "consultation_referral", "consultation_consent"})

TABLE_LABELS = {
    "municipality": "市町村", "district": "地区", "association": "職能団体", "profession": "職種",
    "resource_category": "資源の種別", "capability": "対応できること", "procedure": "手技・処置", "theme": "テーマ",
    "consultation_category": "相談の分類", "meeting_type": "会議の種類", "venue": "会場", "resource": "資源",
    "map_layer": "地図のレイヤー", "collab_issue": "課題", "issue_response": "対応策", "association_need": "ニーズ",
    "planned_event": "企画", "meeting_series": "くり返しの会議", "meeting": "会議・研修", "person": "参加者",
    "questionnaire_template": "アンケート", "consultation_case": "相談者（ケース）", "consultation": "相談",
    "consultation_referral": "紹介", "consultation_consent": "同意",
}
FIELD_LABELS = {
    "name": "名称", "reading": "読み", "title": "件名", "address": "住所", "postal_code": "郵便番号", "phone": "電話",
    "fax": "FAX", "email": "メール", "url": "ホームページ", "notes": "備考", "archived_at": "アーカイブ",
    "status": "状況", "date": "日付", "start_time": "開始時刻", "end_time": "終了時刻", "venue_id": "会場",
    "agenda": "次第", "minutes": "記録", "capacity": "定員", "description": "内容", "layer": "階層", "priority": "優先度",
    "owner": "担当", "next_action": "次の対応", "next_due": "次の期限", "category_id": "種別",
    "municipality_id": "市町村", "district_id": "地区", "last_confirmed": "最終確認日", "visit_area": "訪問エリア",
    "opening_hours": "受付時間", "shortstay_vacancies": "ショートステイ空き", "question": "相談内容",
    "answer": "対応内容", "handled_by": "対応者", "follow_up_due": "次の連絡予定", "person_name": "氏名",
    "care_level": "要介護度", "sort_order": "並び順", "text": "内容", "action": "対応策", "result": "結果",
    "state": "状況", "affiliation": "所属", "contact": "連絡先", "lat": "緯度", "lon": "経度",
    "@resource_capability": "対応できること", "@resource_procedure": "手技・処置", "@key_person": "キーパーソン",
    "@collab_issue_profession": "職種", "@collab_issue_theme": "テーマ", "@association_need_theme": "テーマ",
    "@questionnaire_item": "設問", "@meeting_co_organiser": "共催", "@meeting_profession": "対象職種",
    "@meeting_speaker": "講師", "@meeting_issue": "扱った課題", "@attendance": "参加者名簿",
    "@attendance_count": "職種別の人数", "@meeting_questionnaire": "配布したアンケート",
    "@questionnaire_response": "アンケートの回答", "@consultation_category_link": "相談の分類",
    "@consultation_contact": "対応の記録", "@issue_consultation": "課題ボードへの登録",
}


@dataclass(frozen=True)
class ExportResult:
    path: Path
    counts: dict[str, int]  # table → records
    encrypted: bool
    database_id: str

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Conflict:
    """One field both laptops changed differently: the user picks こちら (ours) or 相手 (theirs)."""

    id: str  # "table:record id:field"
    table: str
    table_label: str
    record_id: str
    record_label: str
    field: str
    field_label: str
    ours: str  # shown values
    theirs: str
    our_updated_at: dt.datetime
    their_updated_at: dt.datetime


@dataclass(frozen=True)
class SyncPlan:
    """What importing the file would do (nothing is written yet); give it back to :meth:`SyncService.apply`."""

    path: Path
    source_id: str
    exported_at: dt.datetime
    since: dt.date
    sha256: str
    counts: dict[str, int]  # rules.ADD / UPDATE / CONFLICT / SAME → records
    conflicts: tuple[Conflict, ...]
    records: tuple[Record, ...] = field(repr=False)

    def summary(self) -> str:
        return "・".join(f"{rules.KIND_LABELS[k]} {self.counts.get(k, 0):,}件"
                        for k in (rules.ADD, rules.UPDATE, rules.CONFLICT, rules.SAME))

    @property
    def changes_anything(self) -> bool:
        return bool(self.counts.get(rules.ADD) or self.counts.get(rules.UPDATE) or self.conflicts)


@dataclass(frozen=True)
class ApplyResult:
    added: int
    updated: int
    conflicts: int
    theirs_chosen: int
    unchanged: int
    backup: Path | None

    def summary(self) -> str:
        return (f"追加 {self.added:,}件・更新 {self.updated:,}件・競合 {self.conflicts:,}件"
                f"（相手を選択 {self.theirs_chosen:,}件）・変更なし {self.unchanged:,}件")


@dataclass
class _Merged:
    record: Record
    ours: Record | None
    merge: rules.RecordMerge


def _since_utc(since: dt.date) -> dt.datetime:
    """Local midnight of ``since``, in UTC."""
    return dt.datetime.combine(since, dt.time()).astimezone().astimezone(dt.timezone.utc)


def record_label(record: Record) -> str:
    """A short Japanese label of a record for the conflicts table (never a person's name)."""
    v = record.values
    if record.table in ("consultation", "consultation_referral", "consultation_consent"):
        day = v.get("received_at") or v.get("referred_on") or v.get("obtained_on") or ""
        return f"{TABLE_LABELS[record.table]} {str(day)[:10]}"
    if record.table == "consultation_case":
        return f"ケース {v.get('case_no') or record.id[:8]}"
    if record.table == "person":
        return f"参加者 {record.id[:8]}"
    for key in ("name", "title", "text", "action"):
        if v.get(key):
            return rules.format_value(v[key], 30)
    return record.id[:8]


class SyncService:
    def __init__(self, db: Database, *, maintenance=None, issues=None, user: str = "", role: str = "") -> None:
        self.db = db
        self.maintenance = maintenance  # backup_before("sync") first, when given
        self.issues = issues  # rebuilds the search text of merged issues
        self.user = user
        self.role = role

    # --- the database's own id -----------------------------------------------------------------
    def database_id(self) -> str:
        with self.db.session() as s:
            return self._database_id(s)

    def _database_id(self, s: Session, *, create: bool = True) -> str:
        """This database file's id on this computer. A copy of the file (a restored backup, the file carried to
        another laptop) gets a new id the first time it exchanges, so the two copies never take each other for
        themselves ("" when there is none yet and ``create`` is False)."""
        home = f"{socket.gethostname()}|{Path(self.db.path).resolve()}"
        value = meta_repo.get(s, DATABASE_ID)
        if value and meta_repo.get(s, DATABASE_HOME) == home:
            return value
        if not create:
            return ""
        value = new_id()
        meta_repo.put(s, DATABASE_ID, value)
        meta_repo.put(s, DATABASE_HOME, home)
        return value

    # --- export --------------------------------------------------------------------------------
    def export(self, path: Path, since: dt.date, password: str | None = None) -> ExportResult:
        """Write every record changed since ``since`` into one exchange file at ``path`` (atomically)."""
        if self.db.encrypted and not password:
            raise ValidationError([FieldIssue("password", "このデータベースは保護されているため、交換ファイルには"
                                                          "個人情報が含まれます。パスワードを指定してください。")])
        parts: dict[str, bytes] = {}
        counts: dict[str, int] = {}
        with self.db.session() as s:
            source = self._database_id(s)
            start = _since_utc(since)
            for t in sync_repo.record_tables():
                records = sync_repo.load(s, t.name, sync_repo.changed_ids(s, t.name, start)).values()
                if records:
                    counts[t.name] = len(records)
                    parts[f"records/{t.name}.jsonl"] = "".join(
                        json.dumps(r.to_json(), ensure_ascii=False, sort_keys=True) + "\n" for r in records
                    ).encode("utf-8")
            manifest = {
                "format": rules.FORMAT, "version": rules.VERSION, "database_id": source,
                "exported_at": rules.plain(utcnow()), "since": since.isoformat(), "counts": counts,
                "parts": {name: hashlib.sha256(data).hexdigest() for name, data in parts.items()},
                "encrypted": password is not None,
            }
            members = {MANIFEST: json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"), **parts}
            personal = sum(counts.get(t, 0) for t in PERSONAL_TABLES)
            if personal:
                self._audit(s, "export", f"交換ファイル 相談関係 {personal}件 {Path(path).name}")
            if password is not None:
                write_encrypted_zip(Path(path), members, password)
            else:
                write_atomically(Path(path), lambda handle: _write_zip(handle, members))
        return ExportResult(Path(path), counts, password is not None, source)

    # --- import: preview, then apply -------------------------------------------------------------
    def preview(self, path: Path, password: str | None = None) -> SyncPlan:
        """Read and check the file and work out the merge; nothing is written."""
        manifest, records, sha = _read_file(Path(path), password)
        with self.db.session() as s:
            if manifest["database_id"] == self._database_id(s, create=False):
                raise SyncFileError("この交換ファイルは、このデータベース自身が書き出したものです。"
                                    "もう一方のパソコンで書き出したファイルを選んでください。")
            merged = self._merge(s, manifest, records)
        counts = {k: 0 for k in rules.KIND_LABELS}
        conflicts = []
        for m in merged:
            counts[m.merge.kind] += 1
            for c in m.merge.conflicts:
                conflicts.append(Conflict(
                    f"{m.record.table}:{m.record.id}:{c.field}", m.record.table,
                    TABLE_LABELS.get(m.record.table, m.record.table), m.record.id, record_label(m.ours or m.record),
                    c.field, FIELD_LABELS.get(c.field, c.field),
                    rules.format_value(c.ours), rules.format_value(c.theirs),
                    sync_repo.utc((m.ours or m.record).updated_at), sync_repo.utc(m.record.updated_at)))
        return SyncPlan(Path(path), manifest["database_id"], sync_repo.utc(manifest["exported_at"]),
                        dt.date.fromisoformat(manifest["since"]), sha, counts, tuple(conflicts), tuple(records))

    def apply(self, plan: SyncPlan, choices: Mapping[str, str] | None = None) -> ApplyResult:
        """Import the previewed file in one transaction after a verified backup. ``choices``: conflict id →
        "ours" / "theirs"; a conflict without a choice keeps ours. The merge is worked out again inside the
        transaction, so changes made since the preview are respected."""
        choices = choices or {}
        backup = self.maintenance.backup_before("sync").path if self.maintenance is not None else None
        try:
            counts = self._apply(plan, choices)
        except IntegrityError as exc:  # a record points at one neither database has: nothing was written
            raise SyncFileError("交換ファイルの記録が、このデータベースにない記録（種別・職種・参加者など）を参照しているため、"
                                "取り込めませんでした（何も変更していません）。相手のパソコンで、もっと前の日付から"
                                "書き出し直してください。") from exc
        return ApplyResult(*counts, backup)

    def _apply(self, plan: SyncPlan, choices: Mapping[str, str]) -> tuple[int, int, int, int, int]:
        added = updated = conflicts = theirs = unchanged = 0
        manifest = {"database_id": plan.source_id, "since": plan.since.isoformat()}
        with self.db.session() as s:
            self._database_id(s)
            touched: dict[str, list[str]] = {}
            links: list[tuple[Record, dict, Record | None]] = []
            for m in self._merge(s, manifest, list(plan.records)):
                record, ours = m.record, m.ours
                picked = {c.field: choices.get(f"{record.table}:{record.id}:{c.field}", rules.OURS)
                          for c in m.merge.conflicts}
                values = rules.resolve(m.merge, picked)
                conflicts += bool(m.merge.conflicts)
                theirs += sum(v == rules.THEIRS for v in picked.values())
                sync_repo.save_base(s, plan.source_id, record)
                if ours is not None and values == ours.values:
                    unchanged += m.merge.kind == rules.SAME
                    continue
                stamp = max(record.updated_at, ours.updated_at) if ours else record.updated_at
                sync_repo.write(s, record, values, old=ours, updated_at=stamp)
                links.append((record, values, ours))
                touched.setdefault(record.table, []).append(record.id)
                old = ours.values if ours else {}
                changes = {k: [_brief(old.get(k)), _brief(v)] for k, v in values.items() if old.get(k) != v}
                history_repo.record(s, entity=record.table, entity_id=record.id, user=self.user, note=NOTE,
                                    action="import" if ours is None else "update", changes=changes)
                if ours is None:
                    added += 1
                else:
                    updated += m.merge.kind != rules.CONFLICT
            for record, values, ours in links:
                sync_repo.write_links(s, record, values, old=ours)
            self._refold(s, touched)
            personal = sum(len(touched.get(t, ())) for t in PERSONAL_TABLES)
            if personal:
                self._audit(s, "update", f"交換ファイルから取り込み 相談関係 {personal}件 {plan.path.name}")
            sync_repo.save_peer(s, plan.source_id, exported_at=plan.exported_at, sha256=plan.sha256, now=utcnow())
        return added, updated, conflicts, theirs, unchanged

    # --- helpers -------------------------------------------------------------------------------
    def _merge(self, s: Session, manifest: dict, records: list[Record]) -> list[_Merged]:
        """Each record of the file against ours and the base (the peer's last sent version), parents first."""
        peer_id = manifest["database_id"]
        since = _since_utc(dt.date.fromisoformat(manifest["since"]))
        peer = sync_repo.peer(s, peer_id)
        reference = max(since, peer.last_import_at) if peer and peer.last_import_at else since
        mark = rules.plain(reference)
        by_table: dict[str, list[Record]] = {}
        for r in records:
            by_table.setdefault(r.table, []).append(r)
        result = []
        for t in sync_repo.record_tables():
            theirs = by_table.get(t.name, [])
            if not theirs:
                continue
            ours = sync_repo.load(s, t.name, [r.id for r in theirs])
            bases = sync_repo.bases(s, peer_id, t.name)
            for r in theirs:
                mine = ours.get(r.id)
                merge = rules.merge_record(mine.values if mine else None, r.values, bases.get(r.id),
                                           ours_changed=bool(mine) and mine.updated_at >= str(mark))
                result.append(_Merged(r, mine, merge))
        return result

    def _refold(self, s: Session, touched: dict[str, list[str]]) -> None:
        """Rebuild the search text of merged resources and issues (it is derived, never merged)."""
        for row in resource_repo.load_rows(s, ids=touched["resource"]) if touched.get("resource") else []:
            search = resource_search_text(
                name=row.name, reading=row.reading, address=row.address, phone=row.phone, fax=row.fax,
                district=row.district, key_persons=[KeyPerson(p.name, p.role, p.phone) for p in row.key_persons],
                email=row.email)
            sync_repo.set_search_text(s, "resource", row.id, search)
        if self.issues is not None and touched.get("collab_issue"):
            names = self.issues._names(s)
            for issue_id in touched["collab_issue"]:
                issue = s.get(CollabIssue, issue_id)
                if issue is not None:
                    self.issues._refresh_search(s, issue, names)

    def _audit(self, s: Session, action: str, detail: str) -> None:
        audit_repo.append(s, user=self.user, role=self.role, action=action, entity="consultation", entity_id="",
                          detail=detail)


def _brief(value: object) -> object:
    """A value for the change history: link collections as their size."""
    return f"{len(value)}件" if isinstance(value, list) else value


def _write_zip(handle, members: Mapping[str, bytes]) -> None:
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _read_file(path: Path, password: str | None) -> tuple[dict, list[Record], str]:
    """The manifest and records of an exchange file, every part checked against its SHA-256."""
    if not path.is_file():
        raise SyncFileError(f"交換ファイルが見つかりません。\n{path}")
    raw = path.read_bytes()
    damaged = SyncFileError(f"交換ファイルが壊れているか、このプログラムの交換ファイルではありません。\n{path.name}")
    try:
        archive = pyzipper.AESZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, pyzipper.BadZipFile, OSError, ValueError) as exc:
        raise damaged from exc
    with archive:
        if MANIFEST not in archive.namelist():
            raise damaged
        if any(info.flag_bits & 0x1 for info in archive.infolist()):
            if not password:
                raise SyncPasswordNeeded()
            archive.setpassword(password.encode("utf-8"))
        try:
            manifest = json.loads(archive.read(MANIFEST))
            parts = {name: archive.read(name) for name in manifest.get("parts", {})}
        except RuntimeError as exc:
            raise SyncFileError("交換ファイルのパスワードが違います。") from exc
        except (KeyError, ValueError, zipfile.BadZipFile, pyzipper.BadZipFile, zlib.error) as exc:
            raise damaged from exc
    if manifest.get("format") != rules.FORMAT:
        raise damaged
    if manifest.get("version") != rules.VERSION:
        raise SyncFileError("この交換ファイルは別の版のプログラムで作られたため、取り込めません。"
                            "同じ版のプログラムで書き出してください。")
    records = []
    for name, data in parts.items():
        if hashlib.sha256(data).hexdigest() != manifest["parts"][name]:
            raise damaged
        table_name = name.removeprefix("records/").removesuffix(".jsonl")
        if table_name not in sync_repo.TRACKED:
            raise damaged
        records += [Record.from_json(table_name, json.loads(line)) for line in data.decode("utf-8").splitlines()]
    return manifest, records, hashlib.sha256(raw).hexdigest()
