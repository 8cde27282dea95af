"""Dialogs of the map view: providers near a point, and records without a position."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QHBoxLayout,
    QLabel, QLineEdit, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.geo import parse_lat_lon

DEFAULT_RADIUS_KM = 2.0


def _table(parent: QWidget, name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _item(text: str, data: object = None, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class NearbyDialog(QDialog):
    """Providers of a chosen category within N km of a point, nearest first (great-circle distance)."""

    searched = Signal(float, float, float)  # lat, lon, radius km
    chosen = Signal(str)

    def __init__(self, ctx, tab, lat: float, lon: float, label: str, *, exclude_id: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tab = tab
        self.lat, self.lon = lat, lon
        self.exclude_id = exclude_id
        self.results = []
        self.setObjectName("nearbyDialog")
        self.setWindowTitle("近くの資源")
        self.resize(620, 460)
        layout = QVBoxLayout(self)
        where = QLabel(f"基準：{label}（緯度 {lat:.5f}、経度 {lon:.5f}）", self)
        where.setObjectName("nearbyOrigin")
        where.setWordWrap(True)
        layout.addWidget(where)
        form = QFormLayout()
        self.category = QComboBox(self)
        self.category.setObjectName("nearbyCategory")
        self.category.addItem("すべての種別", None)
        for c in tab.vocab.get("category", []):
            if not c.archived:
                self.category.addItem(c.name, c.id)
        self.radius = QDoubleSpinBox(self)
        self.radius.setObjectName("nearbyRadius")
        self.radius.setRange(0.1, 100.0)
        self.radius.setSingleStep(0.5)
        self.radius.setDecimals(1)
        self.radius.setSuffix(" km")
        self.radius.setValue(DEFAULT_RADIUS_KM)
        form.addRow("種別", self.category)
        form.addRow("半径", self.radius)
        layout.addLayout(form)
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("nearbyCount")
        layout.addWidget(self.count_label)
        self.table = _table(self, "nearbyTable", ["名称", "種別", "距離", "住所"])
        self.table.setColumnWidth(0, 220)
        self.table.setColumnWidth(1, 110)
        self.table.setColumnWidth(2, 70)
        self.table.doubleClicked.connect(lambda index: self.choose_row(index.row()))
        layout.addWidget(self.table, 1)
        hint = QLabel("距離は直線距離（大圏距離）です。行をダブルクリックすると、一覧と地図でその資源を選びます。", self)
        hint.setWordWrap(True)
        hint.setStyleSheet("color:#666")
        layout.addWidget(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("閉じる")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.category.currentIndexChanged.connect(self.search)
        self.radius.valueChanged.connect(self.search)

    def search(self, *_args) -> None:
        radius = self.radius.value()
        try:
            self.results = self.ctx.services.map.near(
                self.lat, self.lon, self.category.currentData(), radius,
                rows=self.tab.model.all_rows, exclude_id=self.exclude_id)
        except Exception as exc:  # noqa: BLE001 - shown by messages
            self.ctx.messages.failure("近くの資源を探せません", exc)
            return
        self.table.setRowCount(len(self.results))
        for i, hit in enumerate(self.results):
            self.table.setItem(i, 0, _item(hit.row.name, hit.row.id))
            self.table.setItem(i, 1, _item(hit.row.category))
            self.table.setItem(i, 2, _item(f"{hit.distance_km:.2f} km", align_right=True))
            self.table.setItem(i, 3, _item(hit.row.address))
        self.count_label.setText(f"半径 {radius:g} km 以内：{len(self.results):,} 件（近い順）" if self.results
                                 else f"半径 {radius:g} km 以内に該当する資源はありません")
        self.searched.emit(self.lat, self.lon, radius)

    def choose_row(self, row: int) -> None:
        if 0 <= row < len(self.results):
            self.chosen.emit(self.results[row].row.id)


class MissingCoordsDialog(QDialog):
    """The records without latitude/longitude, and a way to give them one: typed or pasted
    "lat, lon", or a click on the map. Saving goes through the resource service."""

    def __init__(self, ctx, map_widget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.map = map_widget
        self.tab = map_widget.tab
        self.setObjectName("missingCoordsDialog")
        self.resize(640, 460)
        layout = QVBoxLayout(self)
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("missingCount")
        layout.addWidget(self.count_label)
        self.table = _table(self, "missingTable", ["名称", "種別", "住所"])
        self.table.setColumnWidth(0, 220)
        self.table.setColumnWidth(1, 110)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("緯度, 経度", self))
        self.coord_edit = QLineEdit(self)
        self.coord_edit.setObjectName("coordEdit")
        self.coord_edit.setPlaceholderText("例：39.2755, 141.8856（地図アプリからの貼り付けも可）")
        self.coord_edit.returnPressed.connect(self.save_typed)
        row.addWidget(self.coord_edit, 1)
        self.save_button = QPushButton("保存", self)
        self.save_button.setObjectName("coordSave")
        self.save_button.clicked.connect(self.save_typed)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("coordError")
        self.error_label.setStyleSheet("color:#b00020")
        self.error_label.setWordWrap(True)
        layout.addWidget(self.error_label)
        bottom = QHBoxLayout()
        self.place_button = QPushButton("地図をクリックして置く", self)
        self.place_button.setObjectName("coordPlace")
        self.place_button.setCheckable(True)
        self.place_button.toggled.connect(self.map.set_placing)
        self.map.view.place_clicked.connect(self._placed)
        bottom.addWidget(self.place_button)
        bottom.addStretch(1)
        close = QPushButton("閉じる", self)
        close.clicked.connect(self.reject)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        self.reload()

    def reload(self) -> None:
        rows = [r for r in self.tab.model.all_rows if not r.archived and (r.lat is None or r.lon is None)]
        rows.sort(key=lambda r: (r.reading or r.name))
        self.rows = rows
        self.setWindowTitle(f"座標のない資源（{len(rows):,} 件）")
        self.count_label.setText(f"緯度・経度が入っていない資源：{len(rows):,} 件" if rows
                                 else "緯度・経度が入っていない資源はありません")
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            self.table.setItem(i, 0, _item(r.name, r.id))
            self.table.setItem(i, 1, _item(r.category))
            self.table.setItem(i, 2, _item(r.address))
        if rows:
            self.table.selectRow(0)
        self._selection_changed()

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)

    def _selection_changed(self) -> None:
        has = self.selected_id() is not None
        self.save_button.setEnabled(has)
        self.place_button.setEnabled(has)
        self.error_label.setText("")

    def save_typed(self) -> None:
        resource_id = self.selected_id()
        if resource_id is None:
            return
        try:
            lat, lon = parse_lat_lon(self.coord_edit.text())
        except ValueError as exc:
            self.error_label.setText(str(exc))
            return
        self._save(resource_id, lat, lon)

    def _placed(self, lat: float, lon: float) -> None:
        resource_id = self.selected_id()
        if resource_id is None or not self.place_button.isChecked():
            return
        self.place_button.setChecked(False)
        self._save(resource_id, lat, lon)

    def _save(self, resource_id: str, lat: float, lon: float) -> None:
        saved = self.map.set_position(resource_id, round(lat, 6), round(lon, 6))
        if saved is not None:
            self.coord_edit.clear()
            self.reload()

    def done(self, result: int) -> None:
        self.map.set_placing(False)
        try:
            self.map.view.place_clicked.disconnect(self._placed)
        except (RuntimeError, TypeError):
            pass
        super().done(result)
