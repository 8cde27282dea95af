"""The shared vocabularies: seeded from DOMAIN.md, edited in the settings dialog."""

from __future__ import annotations

from typing import Callable

from sqlmodel import Session

from zaitaku_desktop.domain import vocab as seeds
from zaitaku_desktop.domain.codes import complete_lg_code, lg_code_issue
from zaitaku_desktop.domain.errors import DomainError, NotFoundError, ValidationError, FieldIssue
from zaitaku_desktop.domain.vocab import VOCAB_KINDS
from zaitaku_desktop.models import VocabItem, utcnow
from zaitaku_desktop.storage import history_repo, meta_repo, vocab_repo
from zaitaku_desktop.storage.database import Database

NAME_MAX = 100


class VocabService:
    def __init__(self, db: Database, *, user: str = "") -> None:
        self.db = db
        self.user = user
        # Called inside the renaming transaction as fn(session, kind, item_id): records whose search
        # text holds the old name (resources by 地区, issues by 職種 and テーマ) are refolded.
        self.on_renamed: list[Callable[[Session, str, str], None]] = []

    # --- reading ---------------------------------------------------------------
    def list(self, kind: str, *, include_archived: bool = False) -> list[VocabItem]:
        self._check_kind(kind)
        with self.db.session() as s:
            return vocab_repo.list_items(s, kind, include_archived=include_archived)

    def all(self) -> dict[str, list[VocabItem]]:
        """Every vocabulary, archived entries included (tables still show their names)."""
        with self.db.session() as s:
            return {kind: vocab_repo.list_items(s, kind, include_archived=True) for kind in VOCAB_KINDS}

    # --- editing ---------------------------------------------------------------
    def add(self, kind: str, name: str, *, reading: str = "", parent_id: str | None = None,
            code: str = "", group: str = "") -> VocabItem:
        self._check_kind(kind)
        values = self._clean(kind, name, reading, parent_id, code)
        with self.db.session() as s:
            self._check_unique(s, kind, values["name"], None, parent_id)
            if kind == "district":
                values["municipality_id"] = parent_id
            elif kind == "profession":
                values["association_id"] = parent_id
            elif kind == "municipality":
                values["code"] = values.pop("code_clean")
            elif kind == "category":
                values["group"] = group
            values.pop("code_clean", None)
            row = vocab_repo.add(s, kind, **values)
            history_repo.record(s, entity=kind, entity_id=row.id, action="create", user=self.user,
                                changes={"name": [None, row.name]})
            return vocab_repo.to_item(kind, row)

    def update(self, kind: str, item_id: str, name: str, *, reading: str = "",
               parent_id: str | None = None, code: str = "", group: str | None = None) -> VocabItem:
        self._check_kind(kind)
        values = self._clean(kind, name, reading, parent_id, code)
        with self.db.session() as s:
            row = vocab_repo.get(s, kind, item_id)
            if row is None:
                raise NotFoundError("項目が見つかりません。ほかの画面で削除された可能性があります。")
            self._check_unique(s, kind, values["name"], item_id, parent_id)
            changes: dict[str, list] = {}
            for attr in ("name", "reading"):
                if getattr(row, attr) != values[attr]:
                    changes[attr] = [getattr(row, attr), values[attr]]
                    setattr(row, attr, values[attr])
            if kind == "municipality" and row.code != values["code_clean"]:  # type: ignore[attr-defined]
                changes["code"] = [row.code, values["code_clean"]]  # type: ignore[attr-defined]
                row.code = values["code_clean"]  # type: ignore[attr-defined]
            if kind == "category" and group is not None and row.group != group:  # type: ignore[attr-defined]
                changes["group"] = [row.group, group]  # type: ignore[attr-defined]
                row.group = group  # type: ignore[attr-defined]
            if kind == "profession" and row.association_id != parent_id:  # type: ignore[attr-defined]
                changes["association_id"] = [row.association_id, parent_id]  # type: ignore[attr-defined]
                row.association_id = parent_id  # type: ignore[attr-defined]
            if changes:
                vocab_repo.touch(row)
                history_repo.record(s, entity=kind, entity_id=row.id, action="update", user=self.user,
                                    changes=changes)
            if "name" in changes:
                s.flush()
                for callback in self.on_renamed:
                    callback(s, kind, row.id)
            return vocab_repo.to_item(kind, row)

    def set_archived(self, kind: str, item_id: str, archived: bool) -> VocabItem:
        """Archive (hide from choices, keep on old records) or bring back an entry."""
        self._check_kind(kind)
        with self.db.session() as s:
            row = vocab_repo.get(s, kind, item_id)
            if row is None:
                raise NotFoundError("項目が見つかりません。")
            row.archived_at = utcnow() if archived else None
            vocab_repo.touch(row)
            history_repo.record(s, entity=kind, entity_id=row.id, action="archive" if archived else "restore",
                                user=self.user)
            return vocab_repo.to_item(kind, row)

    def move(self, kind: str, item_id: str, offset: int) -> None:
        """Move an entry up (-1) or down (+1) in its list."""
        with self.db.session() as s:
            items = vocab_repo.list_items(s, kind, include_archived=True)
            ids = [i.id for i in items]
            if item_id not in ids:
                raise NotFoundError("項目が見つかりません。")
            pos = ids.index(item_id)
            new = max(0, min(len(ids) - 1, pos + offset))
            ids.insert(new, ids.pop(pos))
            for order, iid in enumerate(ids, start=1):
                row = vocab_repo.get(s, kind, iid)
                assert row is not None
                row.sort_order = order

    # --- seeding ---------------------------------------------------------------
    def ensure_seeded(self) -> bool:
        """Fill the vocabularies from DOMAIN.md once, on a new database."""
        with self.db.session() as s:
            if meta_repo.get(s, "vocab_seeded"):
                return False
            for order, cat in enumerate(seeds.CATEGORIES, start=1):
                vocab_repo.add(s, "category", name=cat.name, reading=cat.reading, group=cat.group, sort_order=order)
            for order, name in enumerate(seeds.CAPABILITIES, start=1):
                vocab_repo.add(s, "capability", name=name, sort_order=order)
            for order, name in enumerate(seeds.PROCEDURES, start=1):
                vocab_repo.add(s, "procedure", name=name, sort_order=order)
            porder = 1
            for order, assoc in enumerate(seeds.ASSOCIATIONS, start=1):
                row = vocab_repo.add(s, "association", name=assoc.name, reading=assoc.reading, sort_order=order)
                for pname, preading in assoc.professions:
                    vocab_repo.add(s, "profession", name=pname, reading=preading, association_id=row.id,
                                   sort_order=porder)
                    porder += 1
            for pname, preading in seeds.OTHER_PROFESSIONS:
                vocab_repo.add(s, "profession", name=pname, reading=preading, sort_order=porder)
                porder += 1
            meta_repo.put(s, "vocab_seeded", "1")
            return True

    def ensure_themes_seeded(self) -> bool:
        """Fill the issue themes (課題のテーマ) once; databases made before the issue board have none."""
        from zaitaku_desktop.domain.issues import THEMES

        with self.db.session() as s:
            if meta_repo.get(s, "themes_seeded"):
                return False
            existing = {t.name for t in vocab_repo.list_items(s, "theme", include_archived=True)}
            order = vocab_repo.next_sort_order(s, "theme")
            for name, reading in THEMES:
                if name not in existing:
                    vocab_repo.add(s, "theme", name=name, reading=reading, sort_order=order)
                    order += 1
            meta_repo.put(s, "themes_seeded", "1")
            return True

    def ensure_meeting_types_seeded(self) -> bool:
        """Fill the meeting types (会議・研修の種類) once; databases made before the scheduler have none."""
        from zaitaku_desktop.domain.meetings import MEETING_TYPES
        from zaitaku_desktop.models import MeetingType
        from zaitaku_desktop.storage import meeting_repo

        with self.db.session() as s:
            if meta_repo.get(s, "meeting_types_seeded"):
                return False
            existing = meeting_repo.types(s, include_archived=True)
            names = {t.name for t in existing}
            order = max((t.sort_order for t in existing), default=0) + 1
            for seed in MEETING_TYPES:
                if seed.name not in names:
                    s.add(MeetingType(name=seed.name, reading=seed.reading, sort_order=order, layer=seed.layer,
                                      tasks=seed.tasks, default_minutes=seed.default_minutes,
                                      agenda_template=seed.agenda_template))
                    order += 1
            meta_repo.put(s, "meeting_types_seeded", "1")
            return True

    def ensure_municipality(self, code: str, name: str, reading: str = "",
                            districts: list[tuple[str, str]] | None = None) -> VocabItem:
        """Find a municipality by code (adding it and any missing districts when absent)."""
        with self.db.session() as s:
            return self.ensure_municipality_in(s, code, name, reading, districts)

    @staticmethod
    def ensure_municipality_in(s, code: str, name: str, reading: str = "",
                               districts: list[tuple[str, str]] | None = None) -> VocabItem:
        """The same, inside the caller's transaction."""
        row = vocab_repo.find_municipality_by_code(s, code)
        if row is None:
            row = vocab_repo.add(s, "municipality", name=name, reading=reading, code=code)
        existing = {d.name for d in vocab_repo.list_items(s, "district", include_archived=True)
                    if d.parent_id == row.id}
        for dname, dreading in districts or []:
            if dname not in existing:
                vocab_repo.add(s, "district", name=dname, reading=dreading, municipality_id=row.id)
        return vocab_repo.to_item("municipality", row)

    # --- helpers ---------------------------------------------------------------
    @staticmethod
    def _check_kind(kind: str) -> None:
        if kind not in VOCAB_KINDS:
            raise DomainError(f"不明な一覧の種類です：{kind}")

    @staticmethod
    def _clean(kind: str, name: str, reading: str, parent_id: str | None, code: str) -> dict:
        issues: list[FieldIssue] = []
        clean_name = (name or "").strip()
        if not clean_name:
            issues.append(FieldIssue("name", "名前を入力してください"))
        elif len(clean_name) > NAME_MAX:
            issues.append(FieldIssue("name", f"名前は{NAME_MAX}文字以内で入力してください（現在{len(clean_name):,}文字）"))
        if kind == "district" and not parent_id:
            issues.append(FieldIssue("parent_id", "地区の市町村を選んでください"))
        code_clean = ""
        if kind == "municipality":
            code_clean = complete_lg_code(code)
            if (message := lg_code_issue(code_clean)):
                issues.append(FieldIssue("code", message))
        if issues:
            raise ValidationError(issues=issues)
        return {"name": clean_name, "reading": (reading or "").strip(), "code_clean": code_clean}

    @staticmethod
    def _check_unique(s, kind: str, name: str, item_id: str | None, parent_id: str | None) -> None:
        for item in vocab_repo.list_items(s, kind, include_archived=True):
            if item.id == item_id or item.name != name:
                continue
            if kind == "district" and item.parent_id != parent_id:
                continue
            raise ValidationError(issues=[FieldIssue("name", f"「{name}」はすでに登録されています")])
