"""Plain-row grouping for the board and the table models of the issue tab.

The board's grouping (which card goes in which profession × layer cell) is plain Python
over ``IssueRow``s so it can be tested and timed without widgets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from zaitaku_desktop.domain.issues import PRIORITIES, STATUSES
from zaitaku_desktop.models import VocabItem
from zaitaku_desktop.services.issues import IssueRow

NO_PROFESSION = ""  # the row key of 「職種なし」
NO_PROFESSION_LABEL = "職種なし"


@dataclass(frozen=True)
class BoardRowKey:
    """One row of the board: a profession (or none) and its label."""

    profession_id: str
    label: str
    association: str = ""


def card_sort_key(row: IssueRow) -> tuple:
    """High priority first, then the nearest due date, then the newest."""
    priority = PRIORITIES.index(row.priority) if row.priority in PRIORITIES else len(PRIORITIES)
    due = row.next_due or dt.date.max
    return (priority, due, -row.updated_at.timestamp() if row.updated_at else 0.0, row.title)


def group_cells(rows: Sequence[IssueRow]) -> dict[tuple[str, str], list[IssueRow]]:
    """(profession_id or "", layer) → the cards of that cell, sorted."""
    cells: dict[tuple[str, str], list[IssueRow]] = {}
    for row in rows:
        for pid in (row.profession_ids or (NO_PROFESSION,)):
            cells.setdefault((pid, row.layer), []).append(row)
    for cards in cells.values():
        cards.sort(key=card_sort_key)
    return cells


def group_statuses(rows: Sequence[IssueRow]) -> dict[str, list[IssueRow]]:
    columns: dict[str, list[IssueRow]] = {s: [] for s in STATUSES}
    for row in rows:
        columns.setdefault(row.status, []).append(row)
    for cards in columns.values():
        cards.sort(key=card_sort_key)
    return columns


def board_rows(professions: Sequence[VocabItem], associations: dict[str, str],
               cells: dict[tuple[str, str], list[IssueRow]], *, show_all: bool,
               extra_names: dict[str, str] | None = None) -> list[BoardRowKey]:
    """The rows of the board in vocabulary order: professions with cards (all with ``show_all``),
    professions only known from the issues (e.g. archived in the vocabulary), then 「職種なし」."""
    used = {pid for pid, _layer in cells}
    keys: list[BoardRowKey] = []
    seen: set[str] = set()
    for p in professions:
        seen.add(p.id)
        if p.id in used or (show_all and not p.archived):
            keys.append(BoardRowKey(p.id, p.name, associations.get(p.parent_id or "", "")))
    for pid, name in (extra_names or {}).items():
        if pid not in seen and pid in used and pid != NO_PROFESSION:
            keys.append(BoardRowKey(pid, name))
    if NO_PROFESSION in used or show_all:
        keys.append(BoardRowKey(NO_PROFESSION, NO_PROFESSION_LABEL))
    return keys


# --- table models ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Col:
    header: str
    text: Callable[[Any], str]


class RowsModel(QAbstractTableModel):
    """A read-only table over plain rows with fixed columns."""

    def __init__(self, columns: list[Col], parent=None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_at(self, index: int) -> Any:
        return self.rows[index]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section].header if 0 <= section < len(self.columns) else None
        return str(section + 1)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows) or index.column() >= len(self.columns):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.columns[index.column()].text(self.rows[index.row()])
        return None


class ResponsesModel(RowsModel):
    def __init__(self, parent=None) -> None:
        super().__init__([
            Col("主体", lambda r: r.actor or r.actor_kind),
            Col("対応策", lambda r: r.action),
            Col("状態", lambda r: r.state + ("（アーカイブ）" if r.archived else "")),
            Col("結果", lambda r: r.result),
        ], parent)


class NeedsModel(RowsModel):
    def __init__(self, parent=None) -> None:
        super().__init__([
            Col("団体", lambda n: n.association),
            Col("ニーズ", lambda n: n.text),
            Col("テーマ", lambda n: "・".join(n.themes)),
            Col("状態", lambda n: n.status),
        ], parent)


class SuggestionsModel(RowsModel):
    def __init__(self, parent=None) -> None:
        super().__init__([
            Col("企画案", lambda m: m.suggested_title),
            Col("共通のテーマ", lambda m: "・".join(m.shared_themes)),
            Col("組み合わせるニーズ", lambda m: " ／ ".join(f"{n.association}「{n.text}」" for n in m.needs)),
        ], parent)


class PlannedEventsModel(RowsModel):
    def __init__(self, format_date: Callable[[dt.date | None], str], parent=None) -> None:
        super().__init__([
            Col("企画", lambda e: e.title),
            Col("層", lambda e: f"{e.layer}連携"),
            Col("登録日", lambda e: format_date(e.created_at.date() if e.created_at else None)),
            Col("会議・研修", lambda e: "採用済み" if e.adopted_meeting_id else "採用待ち"),
        ], parent)
