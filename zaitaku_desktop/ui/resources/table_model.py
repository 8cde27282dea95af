"""The resource table: a QAbstractTableModel over plain rows.

Filtering and sorting are done here in bulk, in Python, rather than by a
QSortFilterProxyModel: a proxy calls back into Python once per row (and per
comparison), which costs ~160 ms per keystroke at 50,000 rows; a list
comprehension over pre-folded strings costs a few milliseconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from zaitaku_desktop.domain.text import reading_sort_key
from zaitaku_desktop.models import ResourceRow
from zaitaku_desktop.services.resource_query import ResourceFilter, filter_indices, is_stale

ID_ROLE = Qt.ItemDataRole.UserRole + 1
STALE_ROLE = Qt.ItemDataRole.UserRole + 2
STALE_BRUSH = QBrush(QColor("#fff3cd"))
STALE_OVERLAY = QColor(255, 179, 0, 60)
ARCHIVED_BRUSH = QBrush(QColor("#9e9e9e"))


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    text: Callable[[ResourceRow], str]
    sort: Callable[[ResourceRow], Any] | None = None
    visible: bool = True
    width: int = 120


def _persons(row: ResourceRow) -> str:
    return "、".join(p.name for p in row.key_persons)


def base_columns(format_date: Callable[[dt.date | None], str]) -> list[Column]:
    return [
        Column("name", "名称", lambda r: r.name, None, True, 240),
        Column("reading", "読み", lambda r: r.reading, None, False, 200),
        Column("category", "種別", lambda r: r.category, lambda r: r.category, True, 150),
        Column("municipality", "市町村", lambda r: r.municipality, lambda r: r.municipality, True, 80),
        Column("district", "地区", lambda r: r.district, lambda r: (r.municipality, r.district), True, 80),
        Column("postal_code", "郵便番号", lambda r: r.postal_code, lambda r: r.postal_code, False, 90),
        Column("address", "住所", lambda r: r.address, lambda r: r.address, True, 260),
        Column("phone", "電話番号", lambda r: r.phone, lambda r: r.phone, True, 120),
        Column("fax", "FAX番号", lambda r: r.fax, lambda r: r.fax, False, 120),
        Column("key_persons", "キーパーソン", _persons, _persons, True, 160),
        Column("capabilities", "サービス・対応", lambda r: "・".join(r.capabilities),
               lambda r: len(r.capabilities), True, 260),
        Column("last_confirmed", "最終確認日", lambda r: format_date(r.last_confirmed),
               lambda r: r.last_confirmed or dt.date.min, True, 160),
        Column("confirmed_source", "確認方法", lambda r: r.confirmed_source, lambda r: r.confirmed_source, False, 120),
        Column("email", "メール", lambda r: r.email, lambda r: r.email, False, 180),
        Column("url", "URL", lambda r: r.url, lambda r: r.url, False, 180),
    ]


def procedure_columns(names: Sequence[str]) -> list[Column]:
    order = {"○": 0, "△": 1, "×": 2}
    return [
        Column(f"proc:{name}", name, (lambda r, n=name: r.procedure_marks.get(n, "")),
               (lambda r, n=name: order.get(r.procedure_marks.get(n, ""), 3)), False, 70)
        for name in names
    ]


class ResourceTableModel(QAbstractTableModel):
    def __init__(self, format_date: Callable[[dt.date | None], str], parent=None) -> None:
        super().__init__(parent)
        self._format_date = format_date
        self.columns: list[Column] = base_columns(format_date)
        self._rows: list[ResourceRow] = []
        self._texts: list[str] = []
        self._name_keys: list[tuple[str, str]] = []
        self._order: list[int] = []  # all rows, in the current sort order
        self._pos: list[int] = []  # position of each row in _order
        self._active: list[int] = []  # rows not archived
        self._visible: list[int] = []  # rows shown, in order
        self._sort_column = 0
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._filter = ResourceFilter()
        self._cutoff = dt.date.min

    # --- loading ---------------------------------------------------------------------
    def set_procedures(self, names: Sequence[str]) -> None:
        self.beginResetModel()
        self.columns = base_columns(self._format_date) + procedure_columns(names)
        self.endResetModel()

    def set_rows(self, rows: list[ResourceRow], name_keys: list[tuple[str, str]] | None = None) -> None:
        self.beginResetModel()
        self._rows = rows
        self._texts = [r.search_text for r in rows]
        self._name_keys = name_keys if name_keys is not None else [reading_sort_key(r.reading, r.name) for r in rows]
        self._active = [i for i, r in enumerate(rows) if not r.archived]
        self._set_order()
        self._visible = self._apply_filter()
        self.endResetModel()

    def replace_row(self, row: ResourceRow) -> None:
        """Put a saved record in place (or add it), keeping filter and sort."""
        self.beginResetModel()
        for i, old in enumerate(self._rows):
            if old.id == row.id:
                self._rows[i] = row
                self._texts[i] = row.search_text
                self._name_keys[i] = reading_sort_key(row.reading, row.name)
                break
        else:
            self._rows.append(row)
            self._texts.append(row.search_text)
            self._name_keys.append(reading_sort_key(row.reading, row.name))
        self._active = [i for i, r in enumerate(self._rows) if not r.archived]
        self._set_order()
        self._visible = self._apply_filter()
        self.endResetModel()

    # --- filter and sort ---------------------------------------------------------------
    def set_filter(self, flt: ResourceFilter, cutoff: dt.date) -> None:
        self._filter = flt
        self._cutoff = cutoff
        visible = self._apply_filter()
        if visible != self._visible:
            self.beginResetModel()
            self._visible = visible
            self.endResetModel()

    def _apply_filter(self) -> list[int]:
        accepted = filter_indices(self._rows, self._texts, self._filter, self._cutoff, self._active)
        n = len(self._rows)
        if len(accepted) * 8 < n:  # few matches: sort them by their place in the order
            return sorted(accepted, key=self._pos.__getitem__)
        mask = bytearray(n)
        for i in accepted:
            mask[i] = 1
        return [i for i in self._order if mask[i]]

    def _set_order(self) -> None:
        self._order = self._sorted_order()
        pos = [0] * len(self._order)
        for p, i in enumerate(self._order):
            pos[i] = p
        self._pos = pos

    def _sorted_order(self) -> list[int]:
        column = self.columns[self._sort_column] if self._sort_column < len(self.columns) else self.columns[0]
        reverse = self._sort_order == Qt.SortOrder.DescendingOrder
        names = self._name_keys
        if column.sort is None:  # name and reading: 五十音 by reading
            return sorted(range(len(self._rows)), key=names.__getitem__, reverse=reverse)
        keyf = column.sort
        rows = self._rows
        return sorted(range(len(rows)), key=lambda i: (keyf(rows[i]), names[i]), reverse=reverse)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        before = [(self._visible[p.row()], p.column()) if p.row() < len(self._visible) else None
                  for p in persistent]
        self._sort_column = column
        self._sort_order = order
        self._set_order()
        shown = set(self._visible)
        self._visible = [i for i in self._order if i in shown]
        where = {i: pos for pos, i in enumerate(self._visible)}
        after = [self.index(where[b[0]], b[1]) if b is not None and b[0] in where else QModelIndex()
                 for b in before]
        self.changePersistentIndexList(persistent, after)
        self.layoutChanged.emit()

    # --- Qt model interface ------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.columns):
                return self.columns[section].header
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._visible) or index.column() >= len(self.columns):
            return None
        row = self._rows[self._visible[index.row()]]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[index.column()].text(row)
        if role == ID_ROLE:
            return row.id
        if role == STALE_ROLE:
            return not row.archived and is_stale(row, self._cutoff)
        if role == Qt.ItemDataRole.BackgroundRole:
            if not row.archived and is_stale(row, self._cutoff):
                return STALE_BRUSH
            return None
        if role == Qt.ItemDataRole.ForegroundRole and row.archived:
            return ARCHIVED_BRUSH
        if role == Qt.ItemDataRole.FontRole and row.archived:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, index.column())
        return None

    def _tooltip(self, row: ResourceRow, column: int) -> str:
        lines = []
        if row.archived:
            lines.append("アーカイブ済み（一覧からは外れています）")
        if is_stale(row, self._cutoff):
            when = self._format_date(row.last_confirmed) if row.last_confirmed else "未確認"
            lines.append(f"最終確認日が古い記録です（{when}）")
        if row.is_sample:
            lines.append("サンプルデータ（架空）")
        text = self.columns[column].text(row)
        if text and len(text) > 20:
            lines.append(text)
        return "\n".join(lines)

    # --- helpers for the tab -----------------------------------------------------------
    def row_at(self, visible_row: int) -> ResourceRow:
        return self._rows[self._visible[visible_row]]

    def visible_rows(self) -> list[ResourceRow]:
        return [self._rows[i] for i in self._visible]

    def visible_row_of(self, resource_id: str) -> int:
        for pos, i in enumerate(self._visible):
            if self._rows[i].id == resource_id:
                return pos
        return -1

    @property
    def total(self) -> int:
        """Active records (what '130 件' counts)."""
        return len(self._active)

    @property
    def all_rows(self) -> list[ResourceRow]:
        return self._rows

    def column_index(self, key: str) -> int:
        for i, c in enumerate(self.columns):
            if c.key == key:
                return i
        return -1


class StaleRowDelegate(QStyledItemDelegate):
    """Tints stale rows amber on top of whatever the theme paints (a style sheet
    would otherwise hide the model's BackgroundRole)."""

    def __init__(self, model: ResourceTableModel, parent=None) -> None:
        super().__init__(parent)
        self._model = model

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().paint(painter, option, index)
        if index.data(STALE_ROLE):
            painter.fillRect(option.rect, STALE_OVERLAY)
