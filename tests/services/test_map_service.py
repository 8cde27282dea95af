"""Map layers kept in the database, and providers near a point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zaitaku_desktop.domain.errors import DomainError
from zaitaku_desktop.domain.geo import GeoJSONError, haversine_km

BOUNDARY = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": "甲子町"}, "geometry": {"type": "Polygon", "coordinates": [
        [[141.80, 39.26], [141.86, 39.26], [141.86, 39.31], [141.80, 39.26]]]}},
    {"type": "Feature", "properties": {"name": "国道45号"}, "geometry": {"type": "LineString", "coordinates": [
        [141.88, 39.25], [141.90, 39.36]]}},
]}


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_layers_are_stored_listed_hidden_and_archived(services, tmp_path: Path) -> None:
    first = services.map.add_layer(_write(tmp_path, "町丁目.geojson", json.dumps(BOUNDARY, ensure_ascii=False)))
    second = services.map.add_layer(_write(tmp_path, "道路.json", json.dumps(BOUNDARY)), name="道路")
    assert (first.name, first.source_file, first.visible) == ("町丁目", "町丁目.geojson", True)
    assert [layer.name for layer in services.map.list_layers()] == ["町丁目", "道路"]
    geometry = services.map.layer_geometry(first.id)
    assert (len(geometry.rings), len(geometry.lines)) == (1, 1)

    hidden = services.map.set_visible(first.id, False)
    assert not hidden.visible
    assert [(layer.name, layer.visible) for layer in services.map.list_layers()] == [("町丁目", False), ("道路", True)]
    assert [read.name for read, _ in services.map.visible_geometries()] == ["道路"]

    services.map.archive_layer(second.id)
    assert [layer.name for layer in services.map.list_layers()] == ["町丁目"]
    assert {layer.name for layer in services.map.list_layers(include_archived=True)} == {"町丁目", "道路"}
    assert services.map.visible_geometries() == []


@pytest.mark.parametrize("content", [
    "not json at all", json.dumps({"type": "Point"}), json.dumps({"type": "FeatureCollection", "features": []}),
    b"\xff\xfe\x00garbage",
])
def test_bad_files_store_nothing(services, tmp_path: Path, content) -> None:
    with pytest.raises(GeoJSONError):
        services.map.add_layer(_write(tmp_path, "bad.geojson", content))
    assert services.map.list_layers(include_archived=True) == []


def test_missing_file_is_a_plain_error(services, tmp_path: Path) -> None:
    with pytest.raises(DomainError) as info:
        services.map.add_layer(tmp_path / "none.geojson")
    assert "見つかりません" in info.value.message


def test_near_orders_by_distance_within_the_radius(sample_services) -> None:
    rows = [r for r in sample_services.resources.list_rows() if r.lat is not None and not r.archived]
    origin = rows[0]
    found = sample_services.map.near(origin.lat, origin.lon, None, 2.0)
    distances = [n.distance_km for n in found]
    assert distances == sorted(distances)
    assert found[0].row.id == origin.id and found[0].distance_km == pytest.approx(0.0, abs=1e-9)
    assert all(d <= 2.0 for d in distances)
    expected = {r.id for r in rows if haversine_km(origin.lat, origin.lon, r.lat, r.lon) <= 2.0}
    assert {n.row.id for n in found} == expected
    wider = sample_services.map.near(origin.lat, origin.lon, None, 10.0)
    assert len(wider) >= len(found)
    assert [n.row.id for n in wider[:len(found)]] == [n.row.id for n in found]

    category = origin.category_id
    same_kind = sample_services.map.near(origin.lat, origin.lon, category, 50.0, exclude_id=origin.id)
    assert same_kind and all(n.row.category_id == category and n.row.id != origin.id for n in same_kind)
    tiny = sample_services.map.near(origin.lat, origin.lon, None, 0.0001, exclude_id=origin.id)
    assert all(n.distance_km <= 0.0001 for n in tiny)
    assert sample_services.map.near(0.0, 0.0, None, 2.0) == []
