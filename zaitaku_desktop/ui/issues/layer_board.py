"""The profession × layer grid, and the painted card cell it shares with the kanban.

Cards are painted, not widgets: a cell is one QWidget whose paintEvent draws its cards,
so 500 issues cost a few dozen widgets, not thousands. A cell starts the drag of a card
and accepts drops; what a drop means (another layer, profession or status) is decided by
the tab through the ``dropped`` signal.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Sequence

from PySide6.QtCore import QEvent, QMimeData, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QFont, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import (
    QApplication, QFrame, QGridLayout, QLabel, QScrollArea, QSizePolicy, QToolTip, QWidget,
)

from zaitaku_desktop.domain.issues import LAYER_KEYS, LAYER_LABELS, STATUS_COLOURS
from zaitaku_desktop.models import VocabItem
from zaitaku_desktop.services.issues import IssueRow

from .models import NO_PROFESSION, BoardRowKey, board_rows, group_cells

MIME_TYPE = "application/x-zaitaku-issue"
CARD_H = 46
GAP = 4
PAD = 6
HEADER_H = 18
CELL_MIN_W = 210
FLAG = "⚑"

CELL_BG = QColor("#eef1f4")
CELL_HOVER_BG = QColor("#dcebf7")
CARD_BG = QColor("#ffffff")
CARD_BORDER = QColor("#c5ccd3")
CARD_SELECTED = QColor("#1e88e5")
TEXT = QColor("#212121")
MUTED = QColor("#616161")
OVERDUE = QColor("#c62828")
FLAG_COLOUR = QColor("#e65100")
ARCHIVED_TEXT = QColor("#9e9e9e")


def payload_mime(row: IssueRow, *, profession_id: str, layer: str, source: str) -> QMimeData:
    """What a dragged card carries: the issue and the cell (or column) it comes from."""
    mime = QMimeData()
    data = {"id": row.id, "profession_id": profession_id, "layer": layer, "status": row.status,
            "source": source, "title": row.title}
    mime.setData(MIME_TYPE, json.dumps(data, ensure_ascii=False).encode("utf-8"))
    mime.setText(row.title)
    return mime


def read_payload(mime: QMimeData | None) -> dict | None:
    if mime is None or not mime.hasFormat(MIME_TYPE):
        return None
    try:
        data = json.loads(bytes(mime.data(MIME_TYPE).data()).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) and data.get("id") else None


def short_date(day: dt.date | None) -> str:
    return f"{day.month}/{day.day}" if day else ""


class CardCell(QWidget):
    """One board cell or kanban column: a stack of painted cards with a count."""

    card_clicked = Signal(str)
    card_activated = Signal(str)  # double-click
    card_menu = Signal(str, object, object)  # issue id, this cell's key, global position
    dropped = Signal(object, object)  # payload dict, this cell's key

    def __init__(self, key: object, *, source: str, show_layer: bool = False, profession_id: str = "",
                 layer: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.source = source
        self.profession_id = profession_id
        self.layer = layer
        self.show_layer = show_layer
        self.cards: list[IssueRow] = []
        self.selected_id: str | None = None
        self.today = dt.date.today()
        self._press: QPoint | None = None
        self._press_row: IssueRow | None = None
        self._hover = False
        self.setAcceptDrops(True)
        # Reached with Tab; ↑↓ pick a card, Enter opens it, the menu key (or Shift+F10) moves it.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumWidth(CELL_MIN_W)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._fonts()

    def _fonts(self) -> None:
        base = QFont(self.font())
        self.title_font = QFont(base)
        self.title_font.setBold(True)
        self.small_font = QFont(base)
        self.small_font.setPointSizeF(max(7.0, base.pointSizeF() * 0.85))
        self.title_metrics = QFontMetrics(self.title_font)
        self.small_metrics = QFontMetrics(self.small_font)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._fonts()
        super().changeEvent(event)

    # --- content ----------------------------------------------------------------------------------
    def set_cards(self, cards: Sequence[IssueRow], selected_id: str | None = None) -> None:
        self.cards = list(cards)
        self.selected_id = selected_id
        self.setFixedHeight(self.height_for(len(self.cards)))
        self.update()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.update()

    @staticmethod
    def height_for(n: int) -> int:
        return HEADER_H + PAD + max(1, n) * (CARD_H + GAP) + PAD

    def set_selected(self, issue_id: str | None) -> None:
        if issue_id != self.selected_id:
            self.selected_id = issue_id
            self.update()

    def sizeHint(self) -> QSize:
        return QSize(CELL_MIN_W + 40, self.height_for(len(self.cards)))

    def card_rect(self, i: int) -> QRect:
        return QRect(PAD, HEADER_H + PAD + i * (CARD_H + GAP), self.width() - 2 * PAD, CARD_H)

    def index_at(self, pos: QPoint) -> int:
        y = pos.y() - HEADER_H - PAD
        if y < 0 or pos.x() < PAD or pos.x() > self.width() - PAD:
            return -1
        i, within = divmod(y, CARD_H + GAP)
        return i if within < CARD_H and i < len(self.cards) else -1

    def card_at(self, pos: QPoint) -> IssueRow | None:
        i = self.index_at(pos)
        return self.cards[i] if i >= 0 else None

    def position_of(self, issue_id: str) -> QPoint | None:
        for i, row in enumerate(self.cards):
            if row.id == issue_id:
                return self.card_rect(i).center()
        return None

    def titles(self) -> list[str]:
        return [r.title for r in self.cards]

    def mime_for(self, issue_id: str) -> QMimeData:
        """The mime data a drag of this card carries (also what tests drop)."""
        row = next(r for r in self.cards if r.id == issue_id)
        return payload_mime(row, profession_id=self.profession_id, layer=row.layer, source=self.source)

    # --- painting -----------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.fillRect(self.rect(), CELL_HOVER_BG if self._hover else CELL_BG)
        if self._hover:
            painter.setPen(QPen(CARD_SELECTED, 2, Qt.PenStyle.DashLine))
            painter.drawRect(self.rect().adjusted(1, 1, -2, -2))
        elif self.hasFocus():
            painter.setPen(QPen(CARD_SELECTED, 1))
            painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.setFont(self.small_font)
        painter.setPen(MUTED)
        painter.drawText(QRect(PAD, 2, self.width() - 2 * PAD, HEADER_H),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{len(self.cards)}件")
        clip = event.rect()
        for i, row in enumerate(self.cards):
            rect = self.card_rect(i)
            if rect.bottom() < clip.top():
                continue
            if rect.top() > clip.bottom():
                break
            self._paint_card(painter, rect, row)
        painter.end()

    def _paint_card(self, painter: QPainter, rect: QRect, row: IssueRow) -> None:
        selected = row.id == self.selected_id
        painter.setPen(QPen(CARD_SELECTED if selected else CARD_BORDER, 2 if selected else 1))
        painter.setBrush(CARD_BG)
        painter.drawRoundedRect(rect.adjusted(0, 0, -1, -1), 4, 4)
        colour = QColor(STATUS_COLOURS.get(row.status, "#9e9e9e"))
        painter.fillRect(QRect(rect.left() + 1, rect.top() + 1, 5, rect.height() - 2), colour)
        inner = rect.adjusted(11, 3, -6, -3)
        # line 1: title (and the flag when not fed back)
        flag_w = 0
        if row.fed_back_on is None:
            flag_w = self.title_metrics.horizontalAdvance(FLAG) + 4
            painter.setFont(self.title_font)
            painter.setPen(FLAG_COLOUR)
            painter.drawText(QRect(inner.right() - flag_w + 4, inner.top(), flag_w, 20),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, FLAG)
        painter.setFont(self.title_font)
        painter.setPen(ARCHIVED_TEXT if row.archived else TEXT)
        title = self.title_metrics.elidedText(row.title, Qt.TextElideMode.ElideRight, inner.width() - flag_w)
        painter.drawText(QRect(inner.left(), inner.top(), inner.width() - flag_w, 20),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        # line 2: status chip, layer (kanban), due date, priority
        painter.setFont(self.small_font)
        y = inner.top() + 22
        chip_text = row.status
        chip_w = self.small_metrics.horizontalAdvance(chip_text) + 10
        chip = QRect(inner.left(), y, chip_w, 16)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(chip, 7, 7)
        painter.setPen(TEXT)
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, chip_text)
        x = chip.right() + 6
        parts = []
        if self.show_layer:
            parts.append(f"{row.layer}連携")
        if row.priority == "高":
            parts.append("優先度 高")
        if row.archived:
            parts.append("アーカイブ")
        text = "　".join(parts)
        due = f"期限 {short_date(row.next_due)}" if row.next_due else ""
        due_w = self.small_metrics.horizontalAdvance(due) if due else 0
        if text:
            painter.setPen(MUTED)
            painter.drawText(QRect(x, y, max(0, inner.right() - x - due_w - 4), 16),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             self.small_metrics.elidedText(text, Qt.TextElideMode.ElideRight,
                                                           max(0, inner.right() - x - due_w - 4)))
        if due:
            overdue = row.next_due < self.today and row.status not in ("解決", "取り下げ")
            painter.setPen(OVERDUE if overdue else MUTED)
            painter.drawText(QRect(inner.right() - due_w, y, due_w, 16),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, due)

    # --- mouse: select, open, drag ------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            row = self.card_at(event.position().toPoint())
            self._press = event.position().toPoint() if row else None
            self._press_row = row
            if row is not None:
                self.card_clicked.emit(row.id)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None or self._press_row is None or not (event.buttons() & Qt.MouseButton.LeftButton):
            return
        if (event.position().toPoint() - self._press).manhattanLength() < QApplication.startDragDistance():
            return
        row = self._press_row
        self._press = None
        self._press_row = None
        self.start_drag(row)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press = None
        self._press_row = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        row = self.card_at(event.position().toPoint())
        if row is not None:
            self.card_activated.emit(row.id)

    def contextMenuEvent(self, event) -> None:
        if event.reason() == event.Reason.Keyboard:
            index = self._selected_index()
            if index >= 0:
                row = self.cards[index]
                self.card_menu.emit(row.id, self.key, self.mapToGlobal(self.card_rect(index).center()))
            return
        row = self.card_at(event.pos())
        if row is not None:
            self.card_clicked.emit(row.id)
            self.card_menu.emit(row.id, self.key, event.globalPos())

    def _selected_index(self) -> int:
        return next((i for i, r in enumerate(self.cards) if r.id == self.selected_id), -1)

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if not self.cards or key not in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Home, Qt.Key.Key_End,
                                         Qt.Key.Key_Return, Qt.Key.Key_Enter):
            super().keyPressEvent(event)
            return
        index = self._selected_index()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if index >= 0:
                self.card_activated.emit(self.cards[index].id)
            return
        last = len(self.cards) - 1
        target = {Qt.Key.Key_Up: max(0, index - 1) if index >= 0 else last,
                  Qt.Key.Key_Down: min(last, index + 1),
                  Qt.Key.Key_Home: 0, Qt.Key.Key_End: last}[key]
        self.card_clicked.emit(self.cards[target].id)

    def focusInEvent(self, event) -> None:
        """Entering a cell with Tab selects its first card, so the detail pane follows the keyboard."""
        super().focusInEvent(event)
        if self.cards and self._selected_index() < 0 and event.reason() in (
                Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason):
            self.card_clicked.emit(self.cards[0].id)
        self.update()

    def start_drag(self, row: IssueRow) -> None:
        drag = QDrag(self)
        drag.setMimeData(self.mime_for(row.id))
        i = self.cards.index(row)
        pixmap = QPixmap(self.card_rect(i).size())
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self._paint_card(painter, QRect(QPoint(0, 0), pixmap.size()), row)
        painter.end()
        drag.setPixmap(pixmap)
        drag.exec(Qt.DropAction.MoveAction)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            row = self.card_at(event.pos())  # type: ignore[attr-defined]
            if row is not None:
                lines = [row.title, f"{row.layer}連携・{row.status}・優先度 {row.priority}"]
                if row.professions:
                    lines.append("職種：" + "、".join(row.professions))
                if row.themes:
                    lines.append("テーマ：" + "、".join(row.themes))
                if row.fed_back_on is None:
                    lines.append(f"{FLAG} まだ団体へフィードバックしていません")
                QToolTip.showText(event.globalPos(), "\n".join(lines), self)  # type: ignore[attr-defined]
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    # --- drop ----------------------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if read_payload(event.mimeData()) is not None:
            event.acceptProposedAction()
            self._hover = True
            self.update()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if read_payload(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:
        self._hover = False
        self.update()

    def dropEvent(self, event) -> None:
        self._hover = False
        self.update()
        payload = read_payload(event.mimeData())
        if payload is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.dropped.emit(payload, self.key)


class LayerBoard(QScrollArea):
    """Rows = professions, columns = 一次/二次/三次; each cell a CardCell."""

    card_clicked = Signal(str)
    card_activated = Signal(str)
    card_menu = Signal(str, object, object)
    dropped = Signal(object, object)  # payload, (profession_id, layer)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("layerBoard")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.cells: dict[tuple[str, str], CardCell] = {}
        self.row_keys: list[BoardRowKey] = []
        self.row_labels: dict[str, QLabel] = {}
        self.layer_headers: dict[str, QLabel] = {}
        self.selected_id: str | None = None
        self.setWidget(QWidget())

    def set_data(self, rows: Sequence[IssueRow], professions: Sequence[VocabItem], associations: dict[str, str], *,
                 show_all: bool, selected_id: str | None = None) -> None:
        """Rebuild the grid for these (already filtered) rows."""
        self.selected_id = selected_id
        grouped = group_cells(rows)
        names = {}
        for row in rows:
            for pid, name in zip(row.profession_ids, row.professions):
                names.setdefault(pid, name)
        self.row_keys = board_rows(professions, associations, grouped, show_all=show_all, extra_names=names)
        scroll = self.verticalScrollBar().value()
        page = QWidget()
        page.setObjectName("layerBoardPage")
        grid = QGridLayout(page)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(6)
        corner = QLabel("職種 ＼ 層", page)
        corner.setStyleSheet("font-weight:bold; color:#455a64;")
        grid.addWidget(corner, 0, 0)
        layer_totals = {layer: 0 for layer in LAYER_KEYS}
        for row in rows:
            if row.layer in layer_totals:
                layer_totals[row.layer] += 1
        self.layer_headers = {}
        for c, layer in enumerate(LAYER_KEYS, start=1):
            header = QLabel(f"{LAYER_LABELS[layer]}（{layer_totals[layer]}件）", page)
            header.setObjectName(f"layerHeader_{layer}")
            header.setStyleSheet("font-weight:bold; color:#ffffff; background:#546e7a; padding:4px 6px;"
                                 "border-radius:3px;")
            grid.addWidget(header, 0, c)
            self.layer_headers[layer] = header
        self.cells = {}
        self.row_labels = {}
        for r, key in enumerate(self.row_keys, start=1):
            count = len({i.id for layer in LAYER_KEYS for i in grouped.get((key.profession_id, layer), ())})
            sub = f"<br><span style='color:#78909c;font-size:small'>{key.association}</span>" if key.association else ""
            label = QLabel(f"<b>{key.label}</b>（{count}件）{sub}", page)
            label.setObjectName(f"rowLabel_{key.profession_id or 'none'}")
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            label.setMinimumWidth(150)
            label.setWordWrap(True)
            grid.addWidget(label, r, 0)
            self.row_labels[key.profession_id] = label
            for c, layer in enumerate(LAYER_KEYS, start=1):
                cell = CardCell((key.profession_id, layer), source="board", profession_id=key.profession_id,
                                layer=layer, parent=page)
                cell.setObjectName(f"cell_{key.profession_id or 'none'}_{layer}")
                cell.set_cards(grouped.get((key.profession_id, layer), ()), selected_id)
                cell.card_clicked.connect(self.card_clicked)
                cell.card_activated.connect(self.card_activated)
                cell.card_menu.connect(self.card_menu)
                cell.dropped.connect(self.dropped)
                grid.addWidget(cell, r, c, Qt.AlignmentFlag.AlignTop)
                self.cells[(key.profession_id, layer)] = cell
        if not self.row_keys:
            empty = QLabel("表示する課題がありません。「新規」で課題を登録するか、絞り込みを緩めてください。", page)
            empty.setObjectName("boardEmpty")
            empty.setStyleSheet("color:#757575; padding:16px;")
            grid.addWidget(empty, 1, 0, 1, 4)
        grid.setRowStretch(len(self.row_keys) + 1, 1)
        grid.setColumnStretch(0, 0)
        for c in range(1, 4):
            grid.setColumnStretch(c, 1)
        old = self.takeWidget()
        self.setWidget(page)
        if old is not None:  # a drop or double-click handler of an old cell may still be running
            old.hide()
            old.deleteLater()
        self.verticalScrollBar().setValue(scroll)

    def set_selected(self, issue_id: str | None) -> None:
        self.selected_id = issue_id
        for cell in self.cells.values():
            cell.set_selected(issue_id)

    def cell(self, profession_id: str | None, layer: str) -> CardCell | None:
        return self.cells.get((profession_id or NO_PROFESSION, layer))

    def cell_of(self, issue_id: str) -> list[tuple[str, str]]:
        return [key for key, cell in self.cells.items() if any(r.id == issue_id for r in cell.cards)]

    def scroll_to(self, issue_id: str) -> None:
        for cell in self.cells.values():
            pos = cell.position_of(issue_id)
            if pos is not None:
                self.ensureWidgetVisible(cell, 20, 20)
                return


def make_column_header(text: str, colour: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setStyleSheet(f"font-weight:bold; color:#212121; background:{colour}; padding:4px 6px; border-radius:3px;")
    return label

