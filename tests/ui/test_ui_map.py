"""The map view of the resource tab, driven as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from ui_helpers import click_checkbox, replace_text, type_text


def _open_map(qtbot, tab):
    qtbot.mouseClick(tab.map_button, Qt.MouseButton.LeftButton)
    assert tab.view_stack.currentWidget() is tab.map
    qtbot.waitExposed(tab.map.view)
    qtbot.waitUntil(lambda: not tab.map._dirty)
    return tab.map


def _with_position(rows) -> list[str]:
    return [r.id for r in rows if r.lat is not None and r.lon is not None]


def test_map_plots_the_rows_the_table_shows_and_follows_the_search(qtbot, tab) -> None:
    m = _open_map(qtbot, tab)
    visible = tab.model.visible_rows()
    assert len(visible) > 100
    assert sorted(m.plotted_ids()) == sorted(_with_position(visible))
    assert len(m.plotted_ids()) < len(visible)  # the sample has records without a position
    legend_total = sum(n for _, _, n in m.view.legend)
    assert legend_total == len(m.plotted_ids())

    type_text(qtbot, tab.search, "薬局")
    qtbot.waitUntil(lambda: sorted(m.plotted_ids()) == sorted(_with_position(tab.model.visible_rows())))
    assert 0 < len(m.plotted_ids()) < 40
    assert all("薬局" in n for _, n, _ in m.view.legend)

    replace_text(qtbot, tab.search, "")
    click_checkbox(qtbot, tab.stale_filter)
    qtbot.waitUntil(lambda: sorted(m.plotted_ids()) == sorted(_with_position(tab.model.visible_rows())))


def test_clicking_a_point_selects_the_record_and_double_click_opens_it(qtbot, tab, dialogs) -> None:
    from zaitaku_desktop.ui.resources.form import ResourceDialog

    m = _open_map(qtbot, tab)
    target = tab.model.visible_rows()[5]
    assert target.lat is not None
    # Zoom to the point so its neighbours do not overlap it.
    m.view.centerOn(m.view.scene_pos_of(target.id))
    for _ in range(6):
        m.view.zoom_by(2.0)
    m.view.centerOn(m.view.scene_pos_of(target.id))
    pos = m.view.view_pos_of(target.id)
    assert m.view.viewport().rect().contains(pos)
    qtbot.mouseClick(m.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert tab.current_id() == target.id
    assert m.view.selected_marker.isVisible()
    assert target.name in tab.detail.toPlainText()

    opened = dialogs.drive(ResourceDialog)
    qtbot.mouseDClick(m.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert len(opened) == 1
    assert opened[0].detail is not None and opened[0].detail.row.id == target.id
    # An empty spot selects nothing new.
    qtbot.mouseClick(m.view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(3, 3))
    assert tab.current_id() == target.id


def test_zoom_buttons_and_wheel_change_the_transform(qtbot, tab) -> None:
    m = _open_map(qtbot, tab)
    start = m.view.transform().m11()
    button = m.toolbar.widgetForAction(m.act_zoom_in)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    bigger = m.view.transform().m11()
    assert bigger == pytest.approx(start * 1.5)
    qtbot.mouseClick(m.toolbar.widgetForAction(m.act_zoom_out), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(m.toolbar.widgetForAction(m.act_zoom_out), Qt.MouseButton.LeftButton)
    assert m.view.transform().m11() == pytest.approx(start / 1.5)
    m.view.zoom_by(1.25)
    qtbot.mouseClick(m.toolbar.widgetForAction(m.act_fit), Qt.MouseButton.LeftButton)
    assert m.view.transform().m11() == pytest.approx(start)
    # Every plotted point is inside the view after 全体表示.
    rect = m.view.viewport().rect()
    assert all(rect.contains(m.view.view_pos_of(i)) for i in m.plotted_ids())


def test_loading_a_geojson_layer_through_the_file_dialog_shows_it(qtbot, tab, tmp_path: Path, monkeypatch,
                                                                   messages) -> None:
    m = _open_map(qtbot, tab)
    layer = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "甲子町"}, "geometry": {"type": "Polygon", "coordinates": [
            [[141.80, 39.26], [141.86, 39.26], [141.86, 39.31], [141.80, 39.26]]]}}]}
    good = tmp_path / "町丁目.geojson"
    good.write_text(json.dumps(layer, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(good), ""))
    qtbot.mouseClick(m.findChild(type(m.remove_layer_button), "mapLayerAdd"), Qt.MouseButton.LeftButton)
    assert [m.layer_list.item(i).text() for i in range(m.layer_list.count())] == ["町丁目"]
    assert len(m.view.layer_items) == 1 and m.view.layer_items[0].isVisible()
    assert messages.shown == []

    # Hide it, then a bad file: a Japanese message and nothing stored.
    m.layer_list.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert m.view.layer_items == []
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    m.act_add_layer.trigger()
    assert messages.shown and "JSON" in messages.shown[-1][2]
    assert m.layer_list.count() == 1

    m.layer_list.setCurrentRow(0)
    messages.answers.append(True)
    qtbot.mouseClick(m.remove_layer_button, Qt.MouseButton.LeftButton)
    assert m.layer_list.count() == 0


def test_missing_coordinates_are_fixed_by_typing(qtbot, tab) -> None:
    m = _open_map(qtbot, tab)
    dialog = m.show_missing()
    qtbot.waitExposed(dialog)
    before = len(dialog.rows)
    assert before > 0 and str(before) in dialog.windowTitle()
    rid = dialog.selected_id()
    type_text(qtbot, dialog.coord_edit, "いちど")  # not a pair
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "緯度, 経度" in dialog.error_label.text()
    replace_text(qtbot, dialog.coord_edit, "３９．２７，　１４１．８８")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert len(dialog.rows) == before - 1
    row = next(r for r in tab.model.all_rows if r.id == rid)
    assert (row.lat, row.lon) == (39.27, 141.88)
    assert tab.current_id() == rid
    qtbot.waitUntil(lambda: rid in m.plotted_ids())
    history = tab.ctx.services.resources.history(rid)
    assert history[0].changes.get("lat") == [None, 39.27] or history[-1].changes.get("lat") == [None, 39.27]

    # Placing by a click on the map.
    other = dialog.selected_id()
    qtbot.mouseClick(dialog.place_button, Qt.MouseButton.LeftButton)
    centre = m.view.viewport().rect().center()
    lat, lon = m.view.latlon_at(centre)
    qtbot.mouseClick(m.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    placed = next(r for r in tab.model.all_rows if r.id == other)
    assert placed.lat == pytest.approx(lat, abs=1e-5) and placed.lon == pytest.approx(lon, abs=1e-5)
    assert not m.view.placing
    dialog.close()


def test_nearby_lists_the_closest_first_and_double_click_selects(qtbot, tab) -> None:
    m = _open_map(qtbot, tab)
    origin = tab.model.visible_rows()[0]
    assert tab.select_id(origin.id)
    m.act_near.trigger()
    dialog = m.nearby_dialog
    qtbot.waitExposed(dialog)
    assert dialog.radius.value() == 2.0
    distances = [h.distance_km for h in dialog.results]
    assert distances == sorted(distances) and all(d <= 2.0 for d in distances)
    assert all(h.row.id != origin.id for h in dialog.results)
    assert m.view.radius_item.isVisible()
    dialog.radius.setValue(30.0)
    assert len(dialog.results) >= len(distances)
    assert dialog.table.item(0, 2).text().endswith(" km")
    wanted = dialog.results[1].row.id
    cell = dialog.table.visualRect(dialog.table.model().index(1, 0)).center()
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert tab.current_id() == wanted
    assert m.view.selected_marker.isVisible()
    dialog.close()


def test_png_and_geo_exports_write_the_rows_shown(qtbot, tab, tmp_path: Path) -> None:
    m = _open_map(qtbot, tab)
    out = tmp_path / "map.png"
    m.export_png_path(out)
    image = QImage(str(out))
    assert not image.isNull()
    assert (image.width(), image.height()) == (m.view.viewport().width(), m.view.viewport().height())
    assert (image.width(), image.height()) == (m.view.width(), m.view.height())

    type_text(qtbot, tab.search, "薬局")
    qtbot.waitUntil(lambda: sorted(m.plotted_ids()) == sorted(_with_position(tab.model.visible_rows())))
    m.export_places(tmp_path / "shown.geojson", "geojson")
    doc = json.loads((tmp_path / "shown.geojson").read_text(encoding="utf-8"))
    assert len(doc["features"]) == len(_with_position(tab.model.visible_rows()))
    assert sorted(f["properties"]["id"] for f in doc["features"]) == sorted(m.plotted_ids())
    m.export_places(tmp_path / "shown.kml", "kml")
    import xml.etree.ElementTree as ET

    marks = ET.parse(tmp_path / "shown.kml").getroot().findall(".//{http://www.opengis.net/kml/2.2}Placemark")
    assert len(marks) == len(doc["features"])


def test_output_menu_has_the_map_exports(window) -> None:
    names = [a.objectName() for a in window.menu_output.actions()]
    assert {"actExportGeoJSON", "actExportKML", "actExportMapPNG"} <= set(names)


def test_hover_shows_name_category_and_address(qtbot, tab) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    m = _open_map(qtbot, tab)
    target = tab.model.visible_rows()[5]
    m.view.centerOn(m.view.scene_pos_of(target.id))
    for _ in range(6):
        m.view.zoom_by(2.0)
    m.view.centerOn(m.view.scene_pos_of(target.id))
    pos = m.view.view_pos_of(target.id)
    index = m.view.hit(pos)
    assert m.view.ids[index] == target.id
    assert m.view.tooltip_text(index).splitlines() == [t for t in (target.name, target.category, target.address) if t]
    viewport = m.view.viewport()
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, pos, viewport.mapToGlobal(pos)))
    qtbot.waitUntil(lambda: target.name in QToolTip.text())
    QToolTip.hideText()


def test_right_click_searches_from_that_spot(qtbot, tab) -> None:
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication

    m = _open_map(qtbot, tab)
    viewport = m.view.viewport()
    centre = viewport.rect().center()
    QApplication.sendEvent(viewport, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, centre,
                                                       viewport.mapToGlobal(centre)))
    menu = m.context_menu
    texts = [a.text() for a in menu.actions()]
    assert "ここから近くの資源を探す…" in texts
    next(a for a in menu.actions() if a.text() == "ここから近くの資源を探す…").trigger()
    menu.close()
    dialog = m.nearby_dialog
    lat, lon = m.view.latlon_at(centre)
    assert (dialog.lat, dialog.lon) == pytest.approx((lat, lon))
    assert "地図上の地点" in dialog.findChild(type(dialog.count_label), "nearbyOrigin").text()
    dialog.close()


def test_png_export_from_the_list_view_shows_the_map_first(qtbot, tab, tmp_path: Path) -> None:
    assert tab.view_stack.currentWidget() is tab.table
    tab.map.export_png_path(tmp_path / "m")
    assert tab.view_stack.currentWidget() is tab.map
    image = QImage(str(tmp_path / "m.png"))
    assert not image.isNull() and image.width() == tab.map.view.width()
    assert len(tab.map.plotted_ids()) > 100


def test_dragging_pans_the_map_without_selecting(qtbot, tab) -> None:
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    m = _open_map(qtbot, tab)
    m.view.zoom_by(4.0)
    viewport = m.view.viewport()
    before = m.view.mapToScene(viewport.rect().center())
    selected = tab.current_id()

    def send(kind, pos, buttons):
        local = QPointF(pos)
        event = QMouseEvent(kind, local, QPointF(viewport.mapToGlobal(pos)), Qt.MouseButton.LeftButton
                            if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton, buttons,
                            Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(viewport, event)

    start = viewport.rect().center()
    send(QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton)
    for step in range(1, 11):
        send(QEvent.Type.MouseMove, start + QPoint(12 * step, 8 * step), Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseButtonRelease, start + QPoint(120, 80), Qt.MouseButton.NoButton)
    after = m.view.mapToScene(viewport.rect().center())
    scale = m.view.transform().m11()
    assert (before.x() - after.x()) * scale == pytest.approx(120, abs=3)
    assert (before.y() - after.y()) * scale == pytest.approx(80, abs=3)
    assert tab.current_id() == selected
