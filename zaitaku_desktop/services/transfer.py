"""Import and export of the resource list (Excel / CSV) and the summary table.

The readers and writers in ``importers`` / ``exports`` are pure; this service feeds
them from the database and writes the planned changes in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from zaitaku_desktop.domain.errors import DomainError
from zaitaku_desktop.domain.resource import CleanResource, validate_resource
from zaitaku_desktop.domain.text import reading_sort_key
from zaitaku_desktop.exports import (
    ResourceListData, write_resources_csv, write_resources_xlsx, write_summary_xlsx,
)
from zaitaku_desktop.importers.open_data import read_open_data
from zaitaku_desktop.importers import ImportVocab, ParsedRow, ResourceTable, VocabEntry, read_resource_table
from zaitaku_desktop.models import ResourceDetail, ResourceRow, VocabItem
from zaitaku_desktop.storage import resource_repo, vocab_repo
from zaitaku_desktop.storage.database import Database

from . import open_data
from .open_data import OpenDataPlan
from .resources import FIELD_LABELS, ResourceService, input_from_row
from .vocab import VocabService

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (done, total)
PROGRESS_EVERY = 200


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based line/row number in the file as the user sees it (header = 1)
    column: str  # the file's header name ("" when the whole row is at fault)
    message: str  # Japanese


@dataclass(frozen=True)
class PlannedChange:
    row: int
    name: str
    action: str  # "add" / "update" / "skip"
    resource_id: str | None = None
    changed_fields: tuple[str, ...] = ()  # Japanese labels of the fields that change


@dataclass(frozen=True)
class _PlannedRecord:
    """What apply_import writes for one row (kept with the preview, not shown)."""

    row: int
    action: str
    resource_id: str | None
    clean: CleanResource


@dataclass
class ImportPreview:
    path: Path
    format_label: str  # e.g. "Excel（本プログラムの書き出し形式）", "CSV（UTF-8）"
    total_rows: int
    changes: list[PlannedChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # rows with errors are not imported
    warnings: list[RowError] = field(default_factory=list)  # imported, but worth a look
    ignored_columns: list[str] = field(default_factory=list)
    # Official open data only: the groups (new / changed / unchanged / gone / name matches) to tick.
    open_data: OpenDataPlan | None = field(default=None, repr=False, compare=False)
    _records: list[_PlannedRecord] = field(default_factory=list, repr=False, compare=False)
    _applied: bool = field(default=False, repr=False, compare=False)

    def _count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def to_add(self) -> int:
        return self._count("add")

    @property
    def to_update(self) -> int:
        return self._count("update")

    @property
    def to_skip(self) -> int:
        return self._count("skip")

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def outside_region(self) -> int:
        return self.open_data.outside_region if self.open_data is not None else 0


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    skipped: int
    rejected: int
    flagged_gone: int = 0  # open data: records the file no longer lists
    categories_created: tuple[str, ...] = ()


# Fields compared to decide between "update" and "skip", in the order FIELD_LABELS shows them.
_COMPARED = ("name", "reading", "category", "municipality", "district", "postal_code", "address", "phone", "fax",
             "email", "url", "lat", "lon", "opening_hours", "visit_area", "notes", "last_confirmed",
             "confirmed_source", "shortstay_vacancies", "shortstay_as_of", "capabilities", "procedures",
             "key_persons")


def _entries(items: list[VocabItem]) -> list[VocabEntry]:
    return [VocabEntry(id=i.id, name=i.name, code=i.code, parent_id=i.parent_id) for i in items]


def _row_values(row: ResourceRow, proc_ids: dict[str, str]) -> dict[str, object]:
    """A stored record in the shape of ``_clean_values``."""
    return {
        "name": row.name, "reading": row.reading, "category": row.category_id,
        "municipality": row.municipality_id, "district": row.district_id, "postal_code": row.postal_code,
        "address": row.address, "phone": row.phone, "fax": row.fax, "email": row.email, "url": row.url,
        "lat": row.lat, "lon": row.lon, "opening_hours": row.opening_hours, "visit_area": row.visit_area,
        "notes": row.notes, "last_confirmed": row.last_confirmed, "confirmed_source": row.confirmed_source,
        "shortstay_vacancies": row.shortstay_vacancies, "shortstay_as_of": row.shortstay_as_of,
        "capabilities": frozenset(row.capability_ids),
        "procedures": {proc_ids.get(name, name): mark for name, mark in row.procedure_marks.items()},
        "key_persons": tuple((p.name, p.role, p.phone) for p in row.key_persons),
    }


def _clean_values(clean: CleanResource) -> dict[str, object]:
    return {
        "name": clean.name, "reading": clean.reading, "category": clean.category_id,
        "municipality": clean.municipality_id, "district": clean.district_id, "postal_code": clean.postal_code,
        "address": clean.address, "phone": clean.phone, "fax": clean.fax, "email": clean.email,
        "url": clean.url, "lat": clean.lat, "lon": clean.lon, "opening_hours": clean.opening_hours,
        "visit_area": clean.visit_area, "notes": clean.notes, "last_confirmed": clean.last_confirmed,
        "confirmed_source": clean.confirmed_source, "shortstay_vacancies": clean.shortstay_vacancies,
        "shortstay_as_of": clean.shortstay_as_of, "capabilities": frozenset(clean.capability_ids),
        "procedures": dict(clean.procedure_marks),
        "key_persons": tuple((p.name, p.role, p.phone) for p in clean.key_persons),
    }


def changed_labels(row: ResourceRow, clean: CleanResource, proc_ids: dict[str, str]) -> tuple[str, ...]:
    before = _row_values(row, proc_ids)
    after = _clean_values(clean)
    return tuple(FIELD_LABELS[k] for k in _COMPARED if before[k] != after[k])


class TransferService:
    def __init__(self, db: Database, vocab: VocabService, resources: ResourceService) -> None:
        self.db = db
        self.vocab = vocab
        self.resources = resources
        # Called before an import writes anything (the verified "before-import" backup); its error stops the import.
        self.before_write: Callable[[], object] | None = None

    # --- import --------------------------------------------------------------------------
    def preview_import(self, path: Path, progress: Progress | None = None, *,
                       official_date: dt.date | None = None) -> ImportPreview:
        """Read the file and work out what would be added / changed / skipped; writes nothing.

        The format is detected from the header: official open data (介護サービス情報公表システム,
        医療情報ネット, 推奨データセット) is merged by ``services.open_data``; anything else is read as
        this program's own list. ``official_date`` overrides the date of an open-data file.
        """
        path = Path(path)
        vocab = self.vocab.all()
        region = {m.code[:5]: m.id for m in vocab["municipality"] if m.code and not m.archived}
        table = read_open_data(path, region, progress=progress)
        if table is not None:
            return self._preview_open_data(path, table, vocab, official_date)
        import_vocab = ImportVocab(
            categories=_entries(vocab["category"]), municipalities=_entries(vocab["municipality"]),
            districts=_entries(vocab["district"]), capabilities=_entries(vocab["capability"]),
            procedures=_entries(vocab["procedure"]),
        )
        proc_ids = {p.name: p.id for p in vocab["procedure"]}

        def reading(done: int, total: int) -> None:
            if progress is not None:
                progress(done, 2 * total)

        table = read_resource_table(path, import_vocab, progress=reading)
        with self.db.session() as s:
            stored = resource_repo.load_rows(s, include_archived=True)
        log.info("import preview: %d rows in file, %d stored records", len(table.rows), len(stored))

        preview = ImportPreview(path=path, format_label=table.format_label, total_rows=len(table.rows),
                                ignored_columns=list(table.ignored_columns))
        planner = _Planner(table, stored, proc_ids)
        total = len(table.rows)
        for done, parsed in enumerate(table.rows, start=1):
            planner.plan(parsed, preview)
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(total + done, 2 * total)
        if progress is not None:
            progress(2 * total, 2 * total)
        return preview

    def apply_import(self, preview: ImportPreview, *, accept_partial: bool = False,
                     progress: Progress | None = None) -> ImportResult:
        """Write the planned changes in one transaction.

        With errors in the preview nothing is written unless ``accept_partial`` is set,
        in which case only the good rows are imported.
        """
        if preview.errors and not accept_partial:
            raise DomainError("エラーのある行があるため、取り込みを中止しました（何も書き込んでいません）。\n"
                              "ファイルのエラーを直してからもう一度取り込むか、エラーのない行だけを取り込んでください。")
        if preview._applied:
            raise DomainError("このファイルの取り込みはすでに終わっています。もう一度取り込むときは、"
                              "ファイルを選び直してください。")
        if self.before_write is not None:
            try:
                self.before_write()
            except DomainError as exc:
                raise DomainError("取り込む前のバックアップを作れなかったため、取り込みを中止しました"
                                  f"（何も書き込んでいません）。\n{exc.message}") from exc
        if preview.open_data is not None:
            with self.db.session() as s:
                done = open_data.apply_plan(s, self.resources, preview.open_data, note=preview.path.name,
                                            progress=progress)
            preview._applied = True
            return ImportResult(added=done.added, updated=done.updated + done.linked,
                                skipped=preview.open_data.unchanged, rejected=preview.error_rows,
                                flagged_gone=done.flagged_gone, categories_created=done.categories_created)
        work = [r for r in preview._records if r.action != "skip"]
        total = len(work)
        added = updated = 0
        note = preview.path.name
        with self.db.session() as s:
            names = self.resources.vocab_names(s)
            for done, record in enumerate(work, start=1):
                resource_id = record.resource_id
                if resource_id is not None and resource_repo.get(s, resource_id) is None:
                    log.warning("import: a planned update target vanished; adding it instead")
                    resource_id = None
                self.resources.save_in_session(s, resource_id, record.clean, action="import", note=note,
                                               names=names)
                if resource_id is None:
                    added += 1
                else:
                    updated += 1
                if progress is not None and done % PROGRESS_EVERY == 0:
                    progress(done, total)
        preview._applied = True
        if progress is not None:
            progress(total, total)
        log.info("import applied: %d added, %d updated", added, updated)
        return ImportResult(added=added, updated=updated, skipped=preview.to_skip, rejected=preview.error_rows)

    def _preview_open_data(self, path: Path, table, vocab: dict[str, list[VocabItem]],
                           official_date: dt.date | None) -> ImportPreview:
        if official_date is None:
            official_date = table.file_date
        if official_date is None:
            try:
                official_date = dt.date.fromtimestamp(path.stat().st_mtime)
            except OSError:
                official_date = dt.date.today()
        with self.db.session() as s:
            stored = resource_repo.load_rows(s, include_archived=True)
        preview = ImportPreview(path=path, format_label=f"{table.format_label}（{table.encoding_label}）",
                                total_rows=table.total_rows)
        preview.errors.extend(RowError(e.row, e.column, e.message) for e in table.errors)
        preview.warnings.extend(RowError(e.row, e.column, e.message) for e in table.warnings)
        plan = open_data.plan_merge(table, stored, vocab, official_date, preview.warnings, preview.errors, RowError)
        actions = {open_data.NEW: "add", open_data.CHANGED: "update", open_data.FUZZY: "update",
                   open_data.UNCHANGED: "skip"}
        for item in plan.items:
            if item.group in actions:
                labels = () if item.group == open_data.NEW else tuple(d.label for d in item.diffs)
                preview.changes.append(PlannedChange(item.row, item.name, actions[item.group], item.resource_id,
                                                     labels))
        preview.errors.sort(key=lambda e: e.row)
        preview.warnings.sort(key=lambda e: e.row)
        preview.open_data = plan
        log.info("open data preview: %d rows, %d outside the region, %d new, %d changed, %d gone",
                 table.total_rows, table.outside_region, plan.new, plan.changed, plan.gone)
        return preview

    # --- export --------------------------------------------------------------------------
    def export_list(self, out: Path, *, ids: list[str] | None = None, progress: Progress | None = None) -> int:
        """Write the list (all active records, or ``ids`` in that order) to .xlsx or .csv; returns the count."""
        out = Path(out)
        suffix = out.suffix.lower()
        if suffix not in (".xlsx", ".csv"):
            raise DomainError("書き出すファイルの種類は、Excel（.xlsx）かCSV（.csv）を指定してください。")
        with self.db.session() as s:
            if ids is None:
                rows = resource_repo.load_rows(s, include_archived=False)
                rows.sort(key=lambda r: reading_sort_key(r.reading, r.name))
            else:
                by_id = {r.id: r for r in resource_repo.load_rows(s, include_archived=True)}
                rows = [by_id[i] for i in ids if i in by_id]
            capabilities = vocab_repo.list_items(s, "capability", include_archived=True)
            procedures = vocab_repo.list_items(s, "procedure", include_archived=True)
        used_caps = {c for r in rows for c in r.capabilities}
        used_procs = {p for r in rows for p in r.procedure_marks}
        data = ResourceListData(
            capabilities=[c.name for c in capabilities if not c.archived or c.name in used_caps],
            procedures=[p.name for p in procedures if not p.archived or p.name in used_procs],
            rows=rows,
        )
        writer = write_resources_xlsx if suffix == ".xlsx" else write_resources_csv
        count = writer(data, out, progress)
        log.info("exported %d resources (%s)", count, suffix)
        return count

    def export_summary(self, out: Path) -> None:
        """Write Kamaishi's table (種別 × 市町村 + 合計) and the capability counts to .xlsx."""
        out = Path(out)
        if out.suffix.lower() != ".xlsx":
            raise DomainError("集計表はExcel（.xlsx）で書き出します。ファイル名の最後を「.xlsx」にしてください。")
        write_summary_xlsx(self.resources.summary(), out)


class _Planner:
    """Matches file rows to stored records and validates them, one row at a time."""

    def __init__(self, table: ResourceTable, stored: list[ResourceRow], proc_ids: dict[str, str]) -> None:
        self.table = table
        self.proc_ids = proc_ids
        self.by_id = {r.id: r for r in stored}
        self.active_by_name: dict[str, list[ResourceRow]] = {}
        for r in stored:
            if not r.archived:
                self.active_by_name.setdefault(r.name, []).append(r)
        self.seen_ids: dict[str, int] = {}  # resource id in the file → first row
        self.claimed: dict[str, int] = {}  # stored record → the row that updates it
        self.id_header = table.headers.get("id", "ID")

    def _find_by_key(self, parsed: ParsedRow) -> list[ResourceRow]:
        name = parsed.name
        if not name:
            return []
        found = self.active_by_name.get(name, [])
        if self.table.has("category_id"):
            found = [r for r in found if r.category_id == parsed.values.get("category_id")]
        if self.table.has("municipality_id"):
            found = [r for r in found if r.municipality_id == parsed.values.get("municipality_id")]
        return found

    def plan(self, parsed: ParsedRow, preview: ImportPreview) -> None:
        n = parsed.row
        errors = [RowError(n, i.column, i.message) for i in parsed.errors]
        warnings = [RowError(n, i.column, i.message) for i in parsed.warnings]

        target: ResourceRow | None = None
        rid = parsed.resource_id
        duplicate_id = False
        if rid:
            first = self.seen_ids.get(rid)
            if first is not None:
                duplicate_id = True
                errors.append(RowError(n, self.id_header, f"ID「{rid}」が{first}行目と重複しています。"
                                                          "同じ資源は1行にまとめてください"))
            else:
                self.seen_ids[rid] = n
            target = self.by_id.get(rid)
        if target is None:
            candidates = self._find_by_key(parsed)
            if len(candidates) == 1:
                target = candidates[0]
                if rid:
                    warnings.append(RowError(n, self.id_header, "IDが見つからないため、名称・種別・市町村が同じ"
                                                                "資源を更新します"))
            elif len(candidates) > 1:
                errors.append(RowError(n, self.table.headers.get("name", ""),
                                       f"名称・種別・市町村が同じ資源が{len(candidates)}件登録されているため、"
                                       "どれを更新するか決められません。ID列で指定してください"))
            elif rid:
                warnings.append(RowError(n, self.id_header, "IDが見つからないため新規に追加します"))
        if target is not None and not duplicate_id:
            first = self.claimed.get(target.id)
            if first is not None:
                errors.append(RowError(n, "", f"この行は{first}行目と同じ資源を指しています。"
                                              "同じ資源は1行にまとめてください"))
            else:
                self.claimed[target.id] = n

        base = None
        if target is not None:
            detail = ResourceDetail(row=target, procedure_ids={
                self.proc_ids.get(name, name): mark for name, mark in target.procedure_marks.items()})
            base = input_from_row(detail)
        clean, issues = validate_resource(self.table.build_input(parsed, base))
        already = {i.column for i in parsed.errors}  # 「種別「XX」は一覧にありません」 says enough
        for issue in issues:
            column = self.table.column_for(issue.field)
            if issue.is_error and column and column in already:
                continue
            (errors if issue.is_error else warnings).append(RowError(n, column, issue.message))
        preview.warnings.extend(warnings)
        if errors or clean is None:
            preview.errors.extend(errors)
            return
        if target is None:
            preview.changes.append(PlannedChange(n, clean.name, "add"))
            preview._records.append(_PlannedRecord(n, "add", None, clean))
            return
        labels = changed_labels(target, clean, self.proc_ids)
        action = "update" if labels else "skip"
        preview.changes.append(PlannedChange(n, clean.name, action, target.id, labels))
        preview._records.append(_PlannedRecord(n, action, target.id, clean))
