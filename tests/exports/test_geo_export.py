"""GeoJSON and KML exports, read back with json and xml.etree."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from zaitaku_desktop.domain.geo import Place
from zaitaku_desktop.exports.atomic import FileWriteError
from zaitaku_desktop.exports.geo import write_geojson, write_kml

PLACES = [
    Place("id-1", "三陸はまかぜ総合病院", "病院", "岩手県釜石市甲子町第26地割108-4", "0193-22-4359", 39.29809, 141.81515),
    Place("id-2", "訪問看護ステーション<あおば> & 大槌", "訪問看護", "大槌町", "", 39.3587, 141.8994),
    Place("id-3", "座標なし薬局", "薬局", "", "", None, None),
]
KML = "{http://www.opengis.net/kml/2.2}"


def test_geojson_read_back(tmp_path: Path) -> None:
    out = tmp_path / "資源.geojson"
    assert write_geojson(PLACES, out) == 2
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    assert len(doc["features"]) == 2
    first = doc["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [141.81515, 39.29809]}  # lon, lat
    assert first["properties"] == {"name": "三陸はまかぜ総合病院", "category": "病院",
                                   "address": "岩手県釜石市甲子町第26地割108-4", "phone": "0193-22-4359",
                                   "id": "id-1"}
    assert doc["features"][1]["properties"]["name"] == "訪問看護ステーション<あおば> & 大槌"


def test_kml_read_back(tmp_path: Path) -> None:
    out = tmp_path / "資源.kml"
    assert write_kml(PLACES, out) == 2
    assert out.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.parse(out).getroot()
    marks = root.findall(f".//{KML}Placemark")
    assert [m.find(f"{KML}name").text for m in marks] == ["三陸はまかぜ総合病院", "訪問看護ステーション<あおば> & 大槌"]
    lon, lat = (float(v) for v in marks[1].find(f".//{KML}coordinates").text.split(","))
    assert (lon, lat) == pytest.approx((141.8994, 39.3587))
    data = {d.get("name"): d.find(f"{KML}value").text for d in marks[0].findall(f".//{KML}Data")}
    assert data["id"] == "id-1" and data["phone"] == "0193-22-4359"


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileWriteError):
        write_kml(PLACES, tmp_path / "missing" / "a.kml")
    assert list(tmp_path.iterdir()) == []
