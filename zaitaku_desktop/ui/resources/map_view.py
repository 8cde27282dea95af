"""The map view of the resource tab: the rows the table shows, plotted by position.

No tiles, no network: the background is whatever outlines the user loaded from local
GeoJSON files. All points of a category are drawn by one ``drawPoints`` call with a
cosmetic pen (constant size on screen), so 50,000 points repaint in milliseconds.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import QByteArray, QBuffer, QIODevice, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction, QBrush, QColor, QFontMetrics, QImage, QPainter, QPainterPath, QPen, QPolygonF,
)
from PySide6.QtWidgets import (
    QFileDialog, QGraphicsEllipseItem, QGraphicsItem, QGraphicsPathItem, QGraphicsScene, QGraphicsView,
    QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMenu, QPushButton, QSplitter, QToolBar, QToolTip,
    QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.geo import LayerGeometry, Place, Projection, XIndex
from zaitaku_desktop.models import ResourceRow

from ..icons import icon

log = logging.getLogger(__name__)

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
           "#bcbd22", "#393b79", "#637939", "#ad494a", "#7b4173", "#3182bd", "#e6550d", "#31a354"]
POINT_PX = 9
HIT_PX = 8
MIN_SCALE, MAX_SCALE = 0.02, 50_000.0  # pixels per kilometre
SCENE_LIMIT = 25_000.0  # km: the scene is larger than any region, so panning never stops


def category_colours(category_ids: Sequence[str]) -> dict[str, QColor]:
    out: dict[str, QColor] = {}
    for i, cid in enumerate(category_ids):
        if i < len(PALETTE):
            out[cid] = QColor(PALETTE[i])
        else:
            out[cid] = QColor.fromHsv((i * 47) % 360, 200, 200)
    return out


class PointsItem(QGraphicsItem):
    """Every plotted provider in one item: one polygon of points per colour.

    Round antialiased dots cost ~6 µs each in the raster engine; above ``DETAILED_LIMIT``
    points the dots are drawn as squares without antialiasing (~0.4 µs each), so even
    50,000 points redraw in a few tens of milliseconds.
    """

    DETAILED_LIMIT = 5_000

    def __init__(self, size: int = POINT_PX) -> None:
        super().__init__()
        self.groups: list[tuple[QColor, QPolygonF]] = []
        self.size = size
        self.detailed = True
        self.outline = QPen()
        self.pens: list[QPen] = []

    def set_groups(self, groups: list[tuple[QColor, QPolygonF]]) -> None:
        self.prepareGeometryChange()
        self.groups = groups
        count = sum(polygon.size() for _, polygon in groups)
        self.detailed = count <= self.DETAILED_LIMIT
        cap = Qt.PenCapStyle.RoundCap if self.detailed else Qt.PenCapStyle.SquareCap
        size = self.size if self.detailed else max(3, self.size - 2)
        self.outline = QPen(QColor(255, 255, 255, 230), size + 3, Qt.PenStyle.SolidLine, cap)
        self.outline.setCosmetic(True)
        self.pens = []
        for colour, _ in groups:
            pen = QPen(colour, size, Qt.PenStyle.SolidLine, cap)
            pen.setCosmetic(True)
            self.pens.append(pen)
        self.update()

    def boundingRect(self) -> QRectF:
        # The pen has a constant size on screen, so any finite scene box could clip it at
        # some zoom; the whole scene is cheap because the scene keeps no item index.
        return QRectF(-SCENE_LIMIT, -SCENE_LIMIT, 2 * SCENE_LIMIT, 2 * SCENE_LIMIT)

    def paint(self, painter: QPainter, _option, _widget=None) -> None:
        if self.groups:
            draw_point_groups(painter, self.groups, self.outline, self.pens, self.detailed)


def draw_point_groups(painter: QPainter, groups: list[tuple[QColor, QPolygonF]], outline: QPen,
                      pens: list[QPen], antialias: bool) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, antialias)
    painter.setPen(outline)
    for _, polygon in groups:
        painter.drawPoints(polygon)
    for pen, (_, polygon) in zip(pens, groups):
        painter.setPen(pen)
        painter.drawPoints(polygon)


class _Marker(QGraphicsEllipseItem):
    """A ring of constant screen size (the selected record, the search origin)."""

    def __init__(self, colour: str, radius: float, width: float) -> None:
        super().__init__(-radius, -radius, 2 * radius, 2 * radius)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        pen = QPen(QColor(colour), width)
        self.setPen(pen)
        self.setBrush(Qt.BrushStyle.NoBrush)
        self.setZValue(10)
        self.setVisible(False)


class MapView(QGraphicsView):
    """The drawing surface: zoom with the wheel, pan by dragging, click or hover a point."""

    point_clicked = Signal(str)
    point_activated = Signal(str)
    place_clicked = Signal(float, float)  # lat, lon while placing a record
    context_requested = Signal(float, float, QPoint)  # lat, lon, global position
    zoomed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mapView")
        self.scene_ = QGraphicsScene(self)
        self.scene_.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.scene_.setSceneRect(QRectF(-SCENE_LIMIT, -SCENE_LIMIT, 2 * SCENE_LIMIT, 2 * SCENE_LIMIT))
        self.setScene(self.scene_)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setBackgroundBrush(QBrush(QColor("#f7f6f2")))
        self.setMinimumSize(200, 150)
        self._projection = Projection()
        self.points = PointsItem()
        self.scene_.addItem(self.points)
        self.selected_marker = _Marker("#111111", 9, 3)
        self.origin_marker = _Marker("#c62828", 6, 3)
        self.radius_item = QGraphicsEllipseItem()
        pen = QPen(QColor(198, 40, 40, 200), 1.5, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self.radius_item.setPen(pen)
        self.radius_item.setBrush(QColor(198, 40, 40, 18))
        self.radius_item.setZValue(5)
        self.radius_item.setVisible(False)
        for item in (self.selected_marker, self.origin_marker, self.radius_item):
            self.scene_.addItem(item)
        self.layer_items: list[QGraphicsItem] = []
        self.ids: list[str] = []
        self.rows: list[ResourceRow] = []
        self.xy: list[tuple[float, float]] = []
        self._index: XIndex | None = None
        self._projected: dict[str, tuple[float, float, tuple[float, float], QPointF]] = {}
        self.legend: list[tuple[QColor, str, int]] = []
        self.empty_text = ""
        self.placing = False
        self._press: QPoint | None = None

    @property
    def projection(self) -> Projection:
        return self._projection

    @projection.setter
    def projection(self, value: Projection) -> None:
        if value != self._projection:
            self._projection = value
            self._projected = {}

    # --- data ------------------------------------------------------------------------------
    def set_points(self, rows: Sequence[ResourceRow], colours: dict[str, QColor],
                   order: Sequence[str]) -> None:
        """Plot the rows that have a position, coloured by category (``order`` = legend order)."""
        to_xy = self.projection.to_xy
        cache = self._projected
        grouped: dict[str, list[QPointF]] = {}
        names: dict[str, str] = {}
        ids, xy, kept = [], [], []
        for r in rows:
            lat, lon = r.lat, r.lon
            if lat is None or lon is None:
                continue
            hit = cache.get(r.id)
            if hit is None or hit[0] != lat or hit[1] != lon:
                x, y = to_xy(lat, lon)
                hit = cache[r.id] = (lat, lon, (x, y), QPointF(x, y))
            group = grouped.get(r.category_id)
            if group is None:
                group = grouped[r.category_id] = []
                names[r.category_id] = r.category
            group.append(hit[3])
            ids.append(r.id)
            xy.append(hit[2])
            kept.append(r)
        rank = {cid: i for i, cid in enumerate(order)}
        keys = sorted(grouped, key=lambda c: (rank.get(c, len(rank)), names[c]))
        fallback = category_colours(list(order) + [k for k in keys if k not in rank])
        groups, legend = [], []
        for cid in keys:
            colour = colours.get(cid) or fallback[cid]
            groups.append((colour, QPolygonF(grouped[cid])))
            legend.append((colour, names[cid], len(grouped[cid])))
        self.ids, self.xy, self.rows = ids, xy, kept
        self._index = None  # built on the first click or tooltip
        self.legend = legend
        self.points.set_groups(groups)
        self.viewport().update()

    def set_layers(self, layers: Sequence[LayerGeometry]) -> None:
        for item in self.layer_items:
            self.scene_.removeItem(item)
        self.layer_items = []
        to_xy = self.projection.to_xy
        for depth, layer in enumerate(layers):
            z = -100 + depth
            if layer.rings:
                path = QPainterPath()
                path.setFillRule(Qt.FillRule.OddEvenFill)
                for ring in layer.rings:
                    path.addPolygon(QPolygonF([QPointF(*to_xy(lat, lon)) for lon, lat in ring]))
                    path.closeSubpath()
                item = QGraphicsPathItem(path)
                pen = QPen(QColor("#78909c"), 1.2)
                pen.setCosmetic(True)
                item.setPen(pen)
                item.setBrush(QColor(120, 144, 156, 28))
                item.setZValue(z)
                self._add_layer_item(item)
            if layer.lines:
                path = QPainterPath()
                for line in layer.lines:
                    path.addPolygon(QPolygonF([QPointF(*to_xy(lat, lon)) for lon, lat in line]))
                item = QGraphicsPathItem(path)
                pen = QPen(QColor("#a1887f"), 1.6)
                pen.setCosmetic(True)
                item.setPen(pen)
                item.setZValue(z + 0.5)
                self._add_layer_item(item)
            if layer.points:
                pts = PointsItem(size=4)
                pts.set_groups([(QColor("#757575"), QPolygonF([QPointF(*to_xy(lat, lon)) for lon, lat in layer.points]))])
                pts.setZValue(z + 0.7)
                self._add_layer_item(pts)
        self.viewport().update()

    def _add_layer_item(self, item: QGraphicsItem) -> None:
        self.scene_.addItem(item)
        self.layer_items.append(item)

    def scene_pos_of(self, resource_id: str) -> QPointF | None:
        try:
            x, y = self.xy[self.ids.index(resource_id)]
        except ValueError:
            return None
        return QPointF(x, y)

    def view_pos_of(self, resource_id: str) -> QPoint | None:
        pos = self.scene_pos_of(resource_id)
        return None if pos is None else self.mapFromScene(pos)

    def set_selected(self, resource_id: str | None) -> None:
        pos = self.scene_pos_of(resource_id) if resource_id else None
        self.selected_marker.setVisible(pos is not None)
        if pos is not None:
            self.selected_marker.setPos(pos)

    def show_search(self, lat: float | None, lon: float | None, radius_km: float = 0.0) -> None:
        if lat is None or lon is None:
            self.origin_marker.setVisible(False)
            self.radius_item.setVisible(False)
            return
        x, y = self.projection.to_xy(lat, lon)
        self.origin_marker.setPos(x, y)
        self.origin_marker.setVisible(True)
        self.radius_item.setRect(QRectF(x - radius_km, y - radius_km, 2 * radius_km, 2 * radius_km))
        self.radius_item.setVisible(radius_km > 0)

    # --- geometry helpers ---------------------------------------------------------------------
    def scale_factor(self) -> float:
        return self.transform().m11()

    def latlon_at(self, view_pos: QPoint) -> tuple[float, float]:
        p = self.mapToScene(view_pos)
        return self.projection.to_latlon(p.x(), p.y())

    def hit(self, view_pos: QPoint) -> int | None:
        if not self.xy:
            return None
        if self._index is None:
            self._index = XIndex(self.xy)
        p = self.mapToScene(view_pos)
        return self._index.nearest(p.x(), p.y(), HIT_PX / max(self.scale_factor(), 1e-9))

    def data_rect(self) -> QRectF | None:
        rect: QRectF | None = None
        if self.xy:
            xs = [x for x, _ in self.xy]
            ys = [y for _, y in self.xy]
            rect = QRectF(QPointF(min(xs), min(ys)), QPointF(max(xs), max(ys)))
        else:
            for item in self.layer_items:
                r = item.boundingRect() if not isinstance(item, PointsItem) else _polygons_rect(item)
                rect = r if rect is None else rect.united(r)
        return rect

    def fit(self) -> None:
        rect = self.data_rect()
        if rect is None:
            return
        size = max(rect.width(), rect.height(), 1.0)
        margin = size * 0.08
        rect = rect.adjusted(-margin, -margin, margin, margin)
        if rect.width() < 1.0:
            rect.adjust(-(1.0 - rect.width()) / 2, 0, (1.0 - rect.width()) / 2, 0)
        if rect.height() < 1.0:
            rect.adjust(0, -(1.0 - rect.height()) / 2, 0, (1.0 - rect.height()) / 2)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        self.zoomed.emit()

    def zoom_by(self, factor: float, anchor_under_mouse: bool = False) -> None:
        current = self.scale_factor()
        target = min(MAX_SCALE, max(MIN_SCALE, current * factor))
        if current <= 0 or abs(target - current) < 1e-12:
            return
        if not anchor_under_mouse:
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.scale(target / current, target / current)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.zoomed.emit()

    # --- events -----------------------------------------------------------------------------------
    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.25 ** steps, anchor_under_mouse=True)
        event.accept()

    def mousePressEvent(self, event) -> None:
        self._press = event.position().toPoint() if event.button() == Qt.MouseButton.LeftButton else None
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        pos = event.position().toPoint()
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            return
        moved = (pos - self._press).manhattanLength()
        self._press = None
        if moved > 4:
            return  # a drag (pan), not a click
        if self.placing:
            lat, lon = self.latlon_at(pos)
            self.place_clicked.emit(lat, lon)
            return
        index = self.hit(pos)
        if index is not None:
            self.point_clicked.emit(self.ids[index])

    def mouseDoubleClickEvent(self, event) -> None:
        index = self.hit(event.position().toPoint())
        if index is not None and event.button() == Qt.MouseButton.LeftButton and not self.placing:
            self.point_activated.emit(self.ids[index])
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event) -> None:
        lat, lon = self.latlon_at(event.pos())
        self.context_requested.emit(lat, lon, event.globalPos())
        event.accept()

    def viewportEvent(self, event) -> bool:
        if event.type() == event.Type.ToolTip:
            index = self.hit(event.pos())
            if index is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self.tooltip_text(index), self.viewport())
            return True
        return super().viewportEvent(event)

    def tooltip_text(self, index: int) -> str:
        r = self.rows[index]
        return "\n".join(t for t in (r.name, r.category, r.address) if t)

    # --- overlay: legend and scale bar -------------------------------------------------------
    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        font = self.font()
        painter.setFont(font)
        fm = QFontMetrics(font)
        line = fm.height() + 4
        if self.legend:
            width = max(fm.horizontalAdvance(f"{name}（{n:,}）") for _, name, n in self.legend) + 34
            height = line * len(self.legend) + 10
            box = QRectF(8, 8, width, height)
            painter.setPen(QPen(QColor(0, 0, 0, 60), 1))
            painter.setBrush(QColor(255, 255, 255, 225))
            painter.drawRoundedRect(box, 4, 4)
            for i, (colour, name, n) in enumerate(self.legend):
                y = 8 + 5 + i * line
                painter.setPen(QPen(QColor("#ffffff"), 1.5))
                painter.setBrush(colour)
                swatch = QRectF(16, y + (line - 11) / 2, 11, 11)
                if self.points.detailed:
                    painter.drawEllipse(swatch)
                else:  # many points are drawn as squares (see PointsItem)
                    painter.drawRect(swatch)
                painter.setPen(QColor("#212121"))
                painter.drawText(QRectF(34, y, width - 30, line), Qt.AlignmentFlag.AlignVCenter,
                                 f"{name}（{n:,}）")
        elif self.empty_text:
            painter.setPen(QColor("#616161"))
            painter.drawText(QRectF(0, 0, self.viewport().width(), self.viewport().height()),
                             Qt.AlignmentFlag.AlignCenter, self.empty_text)
        self._draw_scale_bar(painter, fm)
        painter.restore()

    def _draw_scale_bar(self, painter: QPainter, fm: QFontMetrics) -> None:
        px_per_km = self.scale_factor()
        if px_per_km <= 0:
            return
        target_km = 120 / px_per_km
        nice = 0.01
        for step in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000):
            if step <= target_km:
                nice = step
        length = nice * px_per_km
        label = f"{nice:g} km" if nice >= 1 else f"{nice * 1000:g} m"
        x0, y0 = 14, self.viewport().height() - 14
        painter.setPen(QPen(QColor("#ffffff"), 5))
        painter.drawLine(QPointF(x0, y0), QPointF(x0 + length, y0))
        painter.setPen(QPen(QColor("#424242"), 2))
        painter.drawLine(QPointF(x0, y0), QPointF(x0 + length, y0))
        painter.drawLine(QPointF(x0, y0 - 5), QPointF(x0, y0))
        painter.drawLine(QPointF(x0 + length, y0 - 5), QPointF(x0 + length, y0))
        painter.drawText(QPointF(x0 + length + 6, y0 + fm.ascent() / 2 - 2), label)

    def render_image(self) -> QImage:
        """The view as the user sees it (points, layers, legend), for the PNG export."""
        return self.viewport().grab().toImage()


def _polygons_rect(item: PointsItem) -> QRectF:
    rect = QRectF()
    for _, polygon in item.groups:
        rect = rect.united(polygon.boundingRect())
    return rect


def place_of(row: ResourceRow) -> Place:
    return Place(id=row.id, name=row.name, category=row.category, address=row.address, phone=row.phone,
                 lat=row.lat, lon=row.lon)


class MapWidget(QWidget):
    """Toolbar, view and layer list; follows the resource tab's table (search and filters)."""

    def __init__(self, ctx, tab, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tab = tab
        self.setObjectName("resourceMap")
        self._dirty = True
        self._fitted = False
        self._projection_key: tuple[float, float] | None = None
        self._projection_stamp: tuple[int, int, int] | None = None
        self._layer_geometries: list[LayerGeometry] = []
        self.nearby_dialog = None
        self.missing_dialog = None
        self._build_actions()
        self._build_ui()
        tab.model.modelReset.connect(self._rows_changed)
        tab.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.point_clicked.connect(self.select_point)
        self.view.point_activated.connect(self.open_point)
        self.view.context_requested.connect(self._context_menu)
        self._layers_loaded = False  # read (and parsed) the first time the map is shown

    # --- construction ------------------------------------------------------------------------
    def _build_actions(self) -> None:
        def act(name: str, text: str, slot, icon_name: str | None = None, tip: str = "") -> QAction:
            action = QAction(icon(icon_name), text, self) if icon_name else QAction(text, self)
            action.setObjectName(name)
            action.setStatusTip(tip or text)
            action.setToolTip(tip or text)
            action.triggered.connect(slot)
            return action

        self.act_zoom_in = act("actMapZoomIn", "＋ 拡大", lambda: self.view.zoom_by(1.5), None, "拡大（ホイールでも）")
        self.act_zoom_out = act("actMapZoomOut", "－ 縮小", lambda: self.view.zoom_by(1 / 1.5), None,
                                "縮小（ホイールでも）")
        self.act_fit = act("actMapFit", "全体表示", self.fit, None, "表示中の資源がすべて入るように表示します")
        self.act_add_layer = act("actMapAddLayer", "背景を読み込む…", self.add_layer_file, "import",
                                 "町丁目の境界や道路などのGeoJSONファイルを背景として読み込みます")
        self.act_near = act("actMapNear", "近くの資源…", self.near_selected, "search",
                            "選んだ資源の近くにある資源を、近い順に一覧にします")
        self.act_missing = act("actMapMissing", "座標のない資源…", self.show_missing, "warning",
                               "緯度・経度が入っていない資源を一覧にして、位置を入力します")
        self.act_export_geojson = act("actExportGeoJSON", "地図の資源をGeoJSONに書き出し…", self.export_geojson,
                                      "export", "表示中の資源をGeoJSONファイルに書き出します")
        self.act_export_kml = act("actExportKML", "地図の資源をKMLに書き出し…", self.export_kml, "export",
                                  "表示中の資源をKMLファイル（Google Earthなど）に書き出します")
        self.act_export_png = act("actExportMapPNG", "地図を画像（PNG）で保存…", self.export_png, "export",
                                  "表示中の地図を画像ファイルに保存します")

    def export_actions(self) -> list[QAction]:
        return [self.act_export_geojson, self.act_export_kml, self.act_export_png]

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.toolbar = QToolBar("地図", self)
        self.toolbar.setObjectName("mapToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (self.act_zoom_in, self.act_zoom_out, self.act_fit, None, self.act_near, self.act_missing, None,
                  self.act_add_layer, None):
            if a is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(a)
        export_button = QPushButton("書き出し", self)
        export_button.setObjectName("mapExportButton")
        export_menu = QMenu(export_button)
        for a in self.export_actions():
            export_menu.addAction(a)
        export_button.setMenu(export_menu)
        self.toolbar.addWidget(export_button)
        layout.addWidget(self.toolbar)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.view = MapView(self.splitter)
        self.view.empty_text = "座標のある資源がありません"
        side = QWidget(self.splitter)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(4, 0, 0, 0)
        self.info_label = QLabel("", side)
        self.info_label.setObjectName("mapInfo")
        self.info_label.setWordWrap(True)
        side_layout.addWidget(self.info_label)
        side_layout.addWidget(QLabel("背景レイヤー", side))
        self.layer_list = QListWidget(side)
        self.layer_list.setObjectName("mapLayerList")
        self.layer_list.itemChanged.connect(self._layer_toggled)
        side_layout.addWidget(self.layer_list, 1)
        row = QHBoxLayout()
        add = QPushButton("読み込む…", side)
        add.setObjectName("mapLayerAdd")
        add.clicked.connect(self.add_layer_file)
        self.remove_layer_button = QPushButton("外す", side)
        self.remove_layer_button.setObjectName("mapLayerRemove")
        self.remove_layer_button.clicked.connect(self.remove_selected_layer)
        row.addWidget(add)
        row.addWidget(self.remove_layer_button)
        side_layout.addLayout(row)
        hint = QLabel("ホイールで拡大・縮小、ドラッグで移動。点をクリックで選択、ダブルクリックで編集。"
                      "右クリックでその場所の近くを探せます。", side)
        hint.setWordWrap(True)
        hint.setStyleSheet("color:#666")
        side_layout.addWidget(hint)
        side.setMinimumWidth(170)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([800, 190])
        layout.addWidget(self.splitter, 1)

    # --- following the table ------------------------------------------------------------------------
    def _rows_changed(self) -> None:
        self._dirty = True
        if self.isVisible():
            QTimer.singleShot(0, self.refresh)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def _category_order(self) -> list[str]:
        return [c.id for c in self.tab.vocab.get("category", [])]

    def _update_projection(self) -> bool:
        """Centre the projection on the region's records (all of them, so filtering never moves it)."""
        all_rows = self.tab.model.all_rows
        stamp = (id(all_rows), len(all_rows), len(self._layer_geometries))
        if stamp == self._projection_stamp and self._projection_key is not None:
            return False
        self._projection_stamp = stamp
        located = [r for r in all_rows if r.lat is not None and r.lon is not None]
        lats = sorted(r.lat for r in located)
        lons = sorted(r.lon for r in located)
        if lats:
            key = (round(lats[len(lats) // 2], 1), round(lons[len(lons) // 2], 1))
        else:
            box = None
            for g in self._layer_geometries:
                b = g.bbox()
                box = b if box is None else box.union(b)
            key = (round(box.center[0], 1), round(box.center[1], 1)) if box else (36.0, 138.0)
        if key == self._projection_key:
            return False
        self._projection_key = key
        self.view.projection = Projection(*key)
        return True

    def refresh(self) -> None:
        """Plot exactly the rows the table shows now."""
        self._dirty = False
        if not self._layers_loaded:
            self.reload_layers()
        if self._update_projection():
            self.view.set_layers(self._layer_geometries)
        rows = self.tab.model.visible_rows()
        order = self._category_order()
        self.view.set_points(rows, category_colours(order), order)
        self.view.set_selected(self.tab.current_id())
        missing = len(rows) - len(self.view.ids)
        self.info_label.setText(f"地図に表示：{len(self.view.ids):,} 件"
                                + (f"\n座標のない資源：{missing:,} 件" if missing else ""))
        self.act_missing.setText(f"座標のない資源（{self._missing_count():,}）…")
        if not self._fitted and self.view.width() > 0 and self.isVisible():
            self.fit()

    def _missing_count(self) -> int:
        return sum(1 for r in self.tab.model.all_rows if r.lat is None and not r.archived)

    def plotted_ids(self) -> list[str]:
        return list(self.view.ids)

    def fit(self) -> None:
        self._fitted = True
        self.view.fit()

    def _selection_changed(self, *_args) -> None:
        self.view.set_selected(self.tab.current_id())

    def select_point(self, resource_id: str) -> None:
        if self.view.placing and self.missing_dialog is not None:
            return
        self.tab.select_id(resource_id)
        self.view.set_selected(resource_id)

    def open_point(self, resource_id: str) -> None:
        if self.tab.select_id(resource_id):
            self.tab.edit_selected()

    # --- layers ------------------------------------------------------------------------------------------
    def reload_layers(self) -> None:
        self._layers_loaded = True
        try:
            layers = self.ctx.services.map.list_layers()
            shown = self.ctx.services.map.visible_geometries()
        except Exception as exc:  # noqa: BLE001 - shown by messages
            self.ctx.messages.failure("背景レイヤーを読み込めません", exc)
            return
        self.layer_list.blockSignals(True)
        self.layer_list.clear()
        for layer in reversed(layers):  # the top of the list is drawn on top
            item = QListWidgetItem(layer.name)
            item.setData(Qt.ItemDataRole.UserRole, layer.id)
            item.setToolTip(layer.source_file)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked)
            self.layer_list.addItem(item)
        self.layer_list.blockSignals(False)
        self._layer_geometries = [g for _, g in shown]
        self._update_projection()
        self.view.set_layers(self._layer_geometries)

    def add_layer_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "背景にするGeoJSONファイルを選ぶ", str(Path.home()),
                                              "GeoJSON (*.geojson *.json);;すべてのファイル (*)")
        if path:
            self.add_layer_path(Path(path))

    def add_layer_path(self, path: Path) -> None:
        def done(layer) -> None:
            had_points = bool(self.view.ids)
            self.reload_layers()
            if not had_points:
                self.fit()
            self.tab.status_message.emit(f"背景「{layer.name}」を読み込みました")

        self.ctx.runner.run(lambda: self.ctx.services.map.add_layer(path), on_done=done,
                            on_error=lambda exc: self.ctx.messages.failure("背景を読み込めません", exc))

    def _layer_toggled(self, item: QListWidgetItem) -> None:
        layer_id = item.data(Qt.ItemDataRole.UserRole)
        try:
            self.ctx.services.map.set_visible(layer_id, item.checkState() == Qt.CheckState.Checked)
        except Exception as exc:  # noqa: BLE001
            self.ctx.messages.failure("背景の表示を切り替えられません", exc)
        self.reload_layers()

    def remove_selected_layer(self) -> None:
        item = self.layer_list.currentItem()
        if item is None:
            return
        if not self.ctx.messages.confirm("背景を外す", f"背景「{item.text()}」を地図から外しますか？",
                                         ok="外す", cancel="やめる"):
            return
        try:
            self.ctx.services.map.archive_layer(item.data(Qt.ItemDataRole.UserRole))
        except Exception as exc:  # noqa: BLE001
            self.ctx.messages.failure("背景を外せません", exc)
        self.reload_layers()

    # --- near --------------------------------------------------------------------------------------------------
    def _context_menu(self, lat: float, lon: float, where: QPoint) -> None:
        menu = QMenu(self)
        menu.setObjectName("mapContextMenu")
        here = menu.addAction("ここから近くの資源を探す…")
        here.triggered.connect(lambda: self.show_nearby(lat, lon, "地図上の地点"))
        row = self.tab.current_row()
        if row is not None and row.lat is not None:
            menu.addAction(self.act_near)
        if row is not None:
            place = menu.addAction(f"「{row.name}」の位置をここにする")
            place.triggered.connect(lambda: self.set_position(row.id, lat, lon))
        menu.addSeparator()
        menu.addAction(self.act_fit)
        self.context_menu = menu
        menu.popup(where)

    def near_selected(self) -> None:
        row = self.tab.current_row()
        if row is None:
            self.ctx.messages.info("近くの資源", "一覧または地図で、基準にする資源を選んでください。\n"
                                                 "地図を右クリックすると、その場所から探すこともできます。")
            return
        if row.lat is None or row.lon is None:
            self.ctx.messages.info("近くの資源", f"「{row.name}」には緯度・経度が入っていません。\n"
                                                 "「座標のない資源」から位置を入力してください。")
            return
        self.show_nearby(row.lat, row.lon, row.name, exclude_id=row.id)

    def show_nearby(self, lat: float, lon: float, label: str, exclude_id: str | None = None):
        from .map_dialogs import NearbyDialog

        if self.nearby_dialog is not None:
            self.nearby_dialog.close()
        dialog = NearbyDialog(self.ctx, self.tab, lat, lon, label, exclude_id=exclude_id, parent=self)
        dialog.searched.connect(self.view.show_search)
        dialog.chosen.connect(self.choose_from_list)
        dialog.finished.connect(lambda _r: self.view.show_search(None, None))
        self.nearby_dialog = dialog
        dialog.search()
        dialog.show()
        return dialog

    def choose_from_list(self, resource_id: str) -> None:
        if not self.tab.select_id(resource_id):
            # Hidden by the current search or filters: clear them so the record can be shown.
            self.tab.search.clear()
            for combo in (self.tab.category_filter, self.tab.area_filter, self.tab.capability_filter):
                combo.setCurrentIndex(0)
            self.tab.stale_filter.setChecked(False)
            self.tab.archived_filter.setChecked(True)
            self.tab.select_id(resource_id)
        self.view.set_selected(resource_id)

    # --- records without a position -------------------------------------------------------------------------
    def show_missing(self):
        from .map_dialogs import MissingCoordsDialog

        if self.missing_dialog is not None:
            self.missing_dialog.close()
        dialog = MissingCoordsDialog(self.ctx, self, parent=self)
        dialog.finished.connect(lambda _r: self.set_placing(False))
        self.missing_dialog = dialog
        dialog.show()
        return dialog

    def set_placing(self, on: bool) -> None:
        if on and not self.isVisible():
            self.tab.show_map(True)
        self.view.placing = on
        self.view.viewport().setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.OpenHandCursor)

    def set_position(self, resource_id: str, lat: float, lon: float) -> ResourceRow | None:
        """Save a record's position through the service (validation, history, version check)."""
        from dataclasses import replace

        from zaitaku_desktop.services.resources import input_from_row

        try:
            detail = self.ctx.services.resources.get(resource_id)
            data = replace(input_from_row(detail), lat=lat, lon=lon)
            saved = self.ctx.services.resources.update(resource_id, data, expected_version=detail.row.version)
        except Exception as exc:  # noqa: BLE001 - shown by messages
            self.ctx.messages.failure("位置を保存できません", exc)
            return None
        self.tab.model.replace_row(saved)
        self.tab.apply_filter()
        self.tab.select_id(saved.id)
        self.tab.status_message.emit(f"「{saved.name}」の位置を保存しました（{saved.lat:.5f}, {saved.lon:.5f}）")
        return saved

    # --- exports --------------------------------------------------------------------------------------------------
    def _ask_path(self, title: str, default_name: str, filters: str) -> Path | None:
        default = Path.home() / default_name
        path, _ = QFileDialog.getSaveFileName(self, title, str(default), filters)
        return Path(path) if path else None

    def export_geojson(self) -> None:
        path = self._ask_path("GeoJSONに書き出す", f"資源地図_{dt.date.today():%Y%m%d}.geojson",
                              "GeoJSON (*.geojson);;すべてのファイル (*)")
        if path:
            self.export_places(path, "geojson")

    def export_kml(self) -> None:
        path = self._ask_path("KMLに書き出す", f"資源地図_{dt.date.today():%Y%m%d}.kml", "KML (*.kml);;すべてのファイル (*)")
        if path:
            self.export_places(path, "kml")

    def export_places(self, path: Path, kind: str) -> None:
        from zaitaku_desktop.exports.geo import write_geojson, write_kml

        suffix = ".geojson" if kind == "geojson" else ".kml"
        if path.suffix.lower() not in (suffix, ".json"):
            path = path.with_suffix(suffix)
        places = [place_of(r) for r in self.tab.model.visible_rows()]
        skipped = sum(1 for p in places if not p.has_position)
        writer = write_geojson if kind == "geojson" else write_kml

        def done(n: int) -> None:
            extra = f"（座標のない {skipped:,} 件は含みません）" if skipped else ""
            self.tab.status_message.emit(f"{n:,} 件を書き出しました{extra}：{path}")

        self.ctx.runner.run(lambda: writer(places, path), on_done=done,
                            on_error=lambda exc: self.ctx.messages.failure("書き出せませんでした", exc))

    def export_png(self) -> None:
        path = self._ask_path("地図を画像で保存", f"資源地図_{dt.date.today():%Y%m%d}.png", "PNG画像 (*.png)")
        if path:
            self.export_png_path(path)

    def export_png_path(self, path: Path) -> None:
        from zaitaku_desktop.exports.atomic import write_atomically

        if path.suffix.lower() != ".png":
            path = path.with_suffix(".png")
        if not self.isVisible():
            self.tab.show_map(True)
        if self._dirty:
            self.refresh()
        image = self.view.render_image()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        payload = bytes(data.data())
        self.ctx.runner.run(lambda: write_atomically(path, lambda f: f.write(payload)),
                            on_done=lambda _r: self.tab.status_message.emit(f"地図の画像を保存しました：{path}"),
                            on_error=lambda exc: self.ctx.messages.failure("画像を保存できませんでした", exc))



