"""Geometry for the map: great-circle distances, the projection, boxes, typed pairs, GeoJSON."""

from __future__ import annotations

import json

import pytest

from zaitaku_desktop.domain.geo import (
    BBox, GeoJSONError, Projection, XIndex, haversine_km, nearest, parse_geojson, parse_lat_lon,
)

KAMAISHI_STATION = (39.2707, 141.8856)
OTSUCHI_TOWN_HALL = (39.3587, 141.8994)


def test_haversine_kamaishi_station_to_otsuchi_town_hall_is_about_10_km() -> None:
    d = haversine_km(*KAMAISHI_STATION, *OTSUCHI_TOWN_HALL)
    assert d == pytest.approx(10.0, rel=0.05)


def test_haversine_known_long_distances() -> None:
    tokyo, osaka = (35.6812, 139.7671), (34.7025, 135.4959)
    assert haversine_km(*tokyo, *osaka) == pytest.approx(403, rel=0.01)
    assert haversine_km(0, 0, 0, 180) == pytest.approx(20015, rel=0.001)  # half the equator
    assert haversine_km(*tokyo, *tokyo) == 0.0
    assert haversine_km(*tokyo, *osaka) == pytest.approx(haversine_km(*osaka, *tokyo))


def test_nearest_orders_and_cuts_at_the_radius() -> None:
    points = [("far", 39.40, 141.90), ("near", 39.2710, 141.8860), ("mid", 39.29, 141.89)]
    found = nearest(points, *KAMAISHI_STATION, radius_km=5)
    assert [k for k, _ in found] == ["near", "mid"]
    assert found[0][1] < found[1][1] <= 5
    assert [k for k, _ in nearest(points, *KAMAISHI_STATION)] == ["near", "mid", "far"]


def test_projection_round_trip_and_scale() -> None:
    proj = Projection(39.3, 141.9)
    for lat, lon in (KAMAISHI_STATION, OTSUCHI_TOWN_HALL, (39.3, 141.9)):
        back = proj.to_latlon(*proj.to_xy(lat, lon))
        assert back == pytest.approx((lat, lon), abs=1e-9)
    x1, y1 = proj.to_xy(*KAMAISHI_STATION)
    x2, y2 = proj.to_xy(*OTSUCHI_TOWN_HALL)
    flat = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
    assert flat == pytest.approx(haversine_km(*KAMAISHI_STATION, *OTSUCHI_TOWN_HALL), rel=0.005)
    assert y2 < y1  # north is up (screen y grows downwards)


def test_bbox_and_index() -> None:
    box = BBox.of([(141.8, 39.2), (141.9, 39.4), (141.85, 39.3)])
    assert box == BBox(141.8, 39.2, 141.9, 39.4)
    assert box.center == pytest.approx((39.3, 141.85))
    assert BBox.of([]) is None
    assert box.union(BBox(140, 39.5, 141, 40)) == BBox(140, 39.2, 141.9, 40)
    index = XIndex([(0, 0), (10, 0), (10.5, 0.2)])
    assert index.nearest(10.4, 0, 1) == 2
    assert index.nearest(5, 5, 1) is None


@pytest.mark.parametrize("text", ["39.27, 141.88", "３９．２７，　１４１．８８", "39.27 141.88", "(39.27,141.88)",
                                  "https://www.google.com/maps/@39.27,141.88,15z", "141.88, 39.27",
                                  "39.27、141.88"])
def test_parse_lat_lon_accepts_what_people_paste(text: str) -> None:
    assert parse_lat_lon(text) == pytest.approx((39.27, 141.88))


@pytest.mark.parametrize("text", ["", "39.27", "東京", "1 2 3", "95, 200", "0, 0"])
def test_parse_lat_lon_rejects_the_rest(text: str) -> None:
    with pytest.raises(ValueError):
        parse_lat_lon(text)


def _fc(*geoms) -> str:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "甲子町"}, "geometry": g} for g in geoms]})


def test_parse_geojson_reads_every_supported_shape() -> None:
    ring = [[141.8, 39.2], [141.9, 39.2], [141.9, 39.3], [141.8, 39.2]]
    layer = parse_geojson(_fc(
        {"type": "Polygon", "coordinates": [ring]},
        {"type": "MultiPolygon", "coordinates": [[ring], [ring]]},
        {"type": "LineString", "coordinates": [[141.8, 39.2], [141.85, 39.25]]},
        {"type": "MultiLineString", "coordinates": [[[141.8, 39.2], [141.85, 39.25]]]},
        {"type": "Point", "coordinates": [141.88, 39.27]},
        None,
    ))
    assert (len(layer.rings), len(layer.lines), len(layer.points), layer.features) == (3, 2, 1, 6)
    assert layer.bbox() == BBox(141.8, 39.2, 141.9, 39.3)
    single = parse_geojson(json.dumps({"type": "Point", "coordinates": [141.88, 39.27]}).encode("utf-8-sig"))
    assert single.points == [(141.88, 39.27)]


@pytest.mark.parametrize("text, words", [
    ("これはJSONではありません", "JSON"),
    ("[1, 2]", "GeoJSONファイルではありません"),
    (json.dumps({"type": "Topology", "objects": {}}), "Topology"),
    (json.dumps({"type": "FeatureCollection"}), "features"),
    (_fc({"type": "Circle", "coordinates": [141.8, 39.2]}), "Circle"),
    (_fc({"type": "Point"}), "coordinates"),
    (_fc({"type": "Point", "coordinates": ["a", "b"]}), "数値"),
    (_fc({"type": "Point", "coordinates": [-45000.5, 120000.25]}), "範囲"),
    (_fc({"type": "Point", "coordinates": [1e308, 1e308]}), "範囲"),
    (_fc({"type": "LineString", "coordinates": [[141.8, 39.2]]}), "足りません"),
    (json.dumps({"type": "FeatureCollection", "features": []}), "1つもありません"),
    (json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature"}]}), "geometry"),
])
def test_parse_geojson_rejects_bad_files_in_japanese(text: str, words: str) -> None:
    with pytest.raises(GeoJSONError) as info:
        parse_geojson(text)
    assert words in info.value.message


def test_parse_geojson_rejects_other_encodings() -> None:
    with pytest.raises(GeoJSONError) as info:
        parse_geojson(_fc({"type": "Point", "coordinates": [141.8, 39.2]}).replace("Feature\"", "Feature\"").encode(
            "utf-8").replace(b"\"properties\": {\"name\": \"", b"\"properties\": {\"name\": \"\x93\x8c"))
    assert "UTF-8" in info.value.message
