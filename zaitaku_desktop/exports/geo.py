"""Providers as GeoJSON and KML (Google Earth, most GIS tools): pure functions of plain data.

Only places with a position are written; coordinates go out in (lon, lat) order as both
formats require.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable
from xml.sax.saxutils import escape

from zaitaku_desktop.domain.geo import Place

from .atomic import write_atomically


def _located(places: Iterable[Place]) -> list[Place]:
    return [p for p in places if p.has_position]


def geojson_text(places: Iterable[Place]) -> str:
    features = [
        {"type": "Feature",
         "geometry": {"type": "Point", "coordinates": [round(p.lon, 7), round(p.lat, 7)]},  # type: ignore[arg-type]
         "properties": {"name": p.name, "category": p.category, "address": p.address, "phone": p.phone,
                        "id": p.id}}
        for p in _located(places)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1)


def kml_text(places: Iterable[Place], *, title: str = "在宅医療・介護資源") -> str:
    def cdata_free(text: str) -> str:
        return escape(text or "", {'"': "&quot;"})

    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<kml xmlns="http://www.opengis.net/kml/2.2">', "<Document>", f"<name>{cdata_free(title)}</name>"]
    for p in _located(places):
        description = "\n".join(t for t in (p.category, p.address, p.phone) if t)
        parts.append(
            f'<Placemark id="r-{cdata_free(p.id)}">'
            f"<name>{cdata_free(p.name)}</name>"
            f"<description>{cdata_free(description)}</description>"
            "<ExtendedData>"
            + "".join(f'<Data name="{key}"><value>{cdata_free(value)}</value></Data>'
                      for key, value in (("id", p.id), ("category", p.category), ("address", p.address),
                                         ("phone", p.phone)))
            + "</ExtendedData>"
            f"<Point><coordinates>{p.lon:.7f},{p.lat:.7f}</coordinates></Point>"
            "</Placemark>")
    parts += ["</Document>", "</kml>", ""]
    return "\n".join(parts)


def write_geojson(places: Iterable[Place], out: Path) -> int:
    """Write a FeatureCollection of points; return how many were written."""
    located = _located(places)
    data = geojson_text(located).encode("utf-8")
    write_atomically(Path(out), lambda f: f.write(data))
    return len(located)


def write_kml(places: Iterable[Place], out: Path) -> int:
    located = _located(places)
    data = kml_text(located).encode("utf-8")
    write_atomically(Path(out), lambda f: f.write(data))
    return len(located)
