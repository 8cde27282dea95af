"""Import and export of the resource list (Excel / CSV) and the summary table.

The contract the GUI and the CLI rely on; the importers/exports work fills it in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from zaitaku_desktop.storage.database import Database

from .resources import ResourceService
from .vocab import VocabService

Progress = Callable[[int, int], None]  # (done, total)


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


@dataclass
class ImportPreview:
    path: Path
    format_label: str  # e.g. "Excel（本プログラムの書き出し形式）", "CSV（UTF-8）"
    total_rows: int
    changes: list[PlannedChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # rows with errors are not imported
    warnings: list[RowError] = field(default_factory=list)  # imported, but worth a look
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def to_add(self) -> int: ...
    @property
    def to_update(self) -> int: ...
    @property
    def to_skip(self) -> int: ...
    @property
    def error_rows(self) -> int: ...


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    skipped: int
    rejected: int


class TransferService:
    def __init__(self, db: Database, vocab: VocabService, resources: ResourceService) -> None:
        self.db = db
        self.vocab = vocab
        self.resources = resources

    def preview_import(self, path: Path, progress: Progress | None = None) -> ImportPreview:
        """Read the file and work out what would be added / changed / skipped; writes nothing."""
        raise NotImplementedError

    def apply_import(self, preview: ImportPreview, *, accept_partial: bool = False,
                     progress: Progress | None = None) -> ImportResult:
        """Write the planned changes in one transaction.

        With errors in the preview nothing is written unless ``accept_partial`` is set,
        in which case only the good rows are imported.
        """
        raise NotImplementedError

    def export_list(self, out: Path, *, ids: list[str] | None = None, progress: Progress | None = None) -> int:
        """Write the list (all active records, or ``ids`` in that order) to .xlsx or .csv; returns the count."""
        raise NotImplementedError

    def export_summary(self, out: Path) -> None:
        """Write Kamaishi's table (種別 × 市町村 + 合計) and the capability counts to .xlsx."""
        raise NotImplementedError
