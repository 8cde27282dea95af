"""Geometry for the offline map: distances, a flat projection, bounding boxes and GeoJSON.

Pure Python (no Qt): the map widget, the map service and the exports share it.
Coordinates follow GeoJSON where GeoJSON is concerned (lon, lat) and Japanese
habit elsewhere (lat, lon), always named so the order is clear.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any, Hashable, Iterable, Sequence

from .errors import FileFormatError
from .text import nfkc

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180.0

LonLat = tuple[float, float]


class GeoJSONError(FileFormatError):
    """A GeoJSON file that cannot be used as a map layer (message in Japanese)."""


# --- distances -----------------------------------------------------------------------

def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def nearest(points: Iterable[tuple[Hashable, float, float]], lat: float, lon: float,
            radius_km: float | None = None) -> list[tuple[Hashable, float]]:
    """(key, distance km) of the points (key, lat, lon) within ``radius_km``, nearest first."""
    out: list[tuple[Hashable, float]] = []
    # A cheap box test first: one degree of latitude is ~111 km everywhere.
    if radius_km is not None:
        dlat = radius_km / KM_PER_DEGREE * 1.01
        coslat = max(math.cos(math.radians(lat)), 1e-6)
        dlon = min(360.0, dlat / coslat)
    for key, plat, plon in points:
        if radius_km is not None and (abs(plat - lat) > dlat or abs(plon - lon) > dlon):
            continue
        d = haversine_km(lat, lon, plat, plon)
        if radius_km is None or d <= radius_km:
            out.append((key, d))
    out.sort(key=lambda kd: kd[1])
    return out


# --- projection and boxes ------------------------------------------------------------------

@dataclass(frozen=True)
class Projection:
    """Equirectangular projection scaled by cos(lat0): kilometres east (x) and south (y)
    of (lat0, lon0), so that screen y grows downwards and north stays up. Accurate to
    well under 1 % over a city."""

    lat0: float = 36.0
    lon0: float = 138.0

    @property
    def _kx(self) -> float:
        return KM_PER_DEGREE * math.cos(math.radians(self.lat0))

    def to_xy(self, lat: float, lon: float) -> tuple[float, float]:
        return (lon - self.lon0) * self._kx, -(lat - self.lat0) * KM_PER_DEGREE

    def to_latlon(self, x: float, y: float) -> tuple[float, float]:
        return self.lat0 - y / KM_PER_DEGREE, self.lon0 + x / self._kx


@dataclass(frozen=True)
class BBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    @classmethod
    def of(cls, lonlats: Iterable[LonLat]) -> "BBox | None":
        it = iter(lonlats)
        try:
            lon, lat = next(it)
        except StopIteration:
            return None
        x0 = x1 = lon
        y0 = y1 = lat
        for lon, lat in it:
            if lon < x0:
                x0 = lon
            elif lon > x1:
                x1 = lon
            if lat < y0:
                y0 = lat
            elif lat > y1:
                y1 = lat
        return cls(x0, y0, x1, y1)

    def union(self, other: "BBox | None") -> "BBox":
        if other is None:
            return self
        return BBox(min(self.min_lon, other.min_lon), min(self.min_lat, other.min_lat),
                    max(self.max_lon, other.max_lon), max(self.max_lat, other.max_lat))

    @property
    def center(self) -> tuple[float, float]:
        """(lat, lon) of the middle."""
        return (self.min_lat + self.max_lat) / 2, (self.min_lon + self.max_lon) / 2

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon


class XIndex:
    """Points sorted by x for "which point is under the mouse" in O(log n + k)."""

    def __init__(self, points: Sequence[tuple[float, float]]) -> None:
        order = sorted(range(len(points)), key=lambda i: points[i][0])
        self._order = order
        self._xs = [points[i][0] for i in order]
        self._points = points

    def nearest(self, x: float, y: float, tolerance: float) -> int | None:
        """Index (into the given points) of the closest point within ``tolerance``, or None."""
        lo = bisect_left(self._xs, x - tolerance)
        hi = bisect_right(self._xs, x + tolerance)
        best, best_d = None, tolerance * tolerance
        points = self._points
        for k in range(lo, hi):
            i = self._order[k]
            px, py = points[i]
            d = (px - x) ** 2 + (py - y) ** 2
            if d <= best_d:
                best, best_d = i, d
        return best


# --- typed coordinates ------------------------------------------------------------------------

_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


def parse_lat_lon(text: str) -> tuple[float, float]:
    """A "lat, lon" pair as people type or paste it: '39.27, 141.88', full-width digits,
    '39.27 141.88', '(39.27,141.88)', or a pasted map address containing '@39.27,141.88,15z'.

    Raises ValueError with a Japanese message.
    """
    folded = nfkc(text or "").replace("、", ",").replace("，", ",").strip()
    at = re.search(r"@([-+]?\d+(?:\.\d+)?),([-+]?\d+(?:\.\d+)?)", folded)
    numbers = [at.group(1), at.group(2)] if at else _NUMBER.findall(folded)
    if len(numbers) != 2:
        raise ValueError("「緯度, 経度」の形で入力してください（例：39.2755, 141.8856）")
    lat, lon = float(numbers[0]), float(numbers[1])
    if abs(lat) > 90 and abs(lon) <= 90:  # pasted as "lon, lat"
        lat, lon = lon, lat
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError("緯度は -90〜90、経度は -180〜180 の範囲で入力してください")
    if lat == 0 and lon == 0:
        raise ValueError("緯度・経度が 0 です。正しい位置を入力してください")
    return lat, lon


# --- GeoJSON layers ---------------------------------------------------------------------------

@dataclass
class LayerGeometry:
    """A layer's shapes as plain lists of (lon, lat): polygon rings, lines and points."""

    rings: list[list[LonLat]] = field(default_factory=list)
    lines: list[list[LonLat]] = field(default_factory=list)
    points: list[LonLat] = field(default_factory=list)
    features: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.rings or self.lines or self.points)

    def bbox(self) -> BBox | None:
        def every() -> Iterable[LonLat]:
            for part in self.rings:
                yield from part
            for part in self.lines:
                yield from part
            yield from self.points
        return BBox.of(every())


MAX_VERTICES = 2_000_000
_GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
                   "GeometryCollection")


class _Reader:
    def __init__(self) -> None:
        self.out = LayerGeometry()
        self.vertices = 0

    def fail(self, where: str, what: str) -> None:
        raise GeoJSONError(f"GeoJSONファイルの内容が正しくありません（{where}）：{what}")

    def position(self, value: Any, where: str) -> LonLat:
        if not isinstance(value, (list, tuple)) or len(value) < 2:
            self.fail(where, "座標は [経度, 緯度] の形の数値の組で書かれている必要があります")
        lon, lat = value[0], value[1]
        for v in (lon, lat):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                self.fail(where, "座標が数値ではありません")
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            self.fail(where, f"座標 [{lon}, {lat}] が経度 -180〜180・緯度 -90〜90 の範囲を超えています"
                             "（平面直角座標系のファイルは、緯度経度（世界測地系）に変換してから読み込んでください）")
        self.vertices += 1
        if self.vertices > MAX_VERTICES:
            raise GeoJSONError(f"GeoJSONファイルの点の数が多すぎます（{MAX_VERTICES:,} 点まで）。"
                               "範囲を絞ったファイルを読み込んでください。")
        return float(lon), float(lat)

    def positions(self, value: Any, where: str, minimum: int) -> list[LonLat]:
        if not isinstance(value, list):
            self.fail(where, "座標の並びがありません")
        pts = [self.position(p, where) for p in value]
        if len(pts) < minimum:
            self.fail(where, f"座標が足りません（{minimum} 点以上必要です）")
        return pts

    def geometry(self, geom: Any, where: str) -> None:
        if geom is None:
            return  # a feature without a geometry is allowed by the format; nothing to draw
        if not isinstance(geom, dict):
            self.fail(where, "geometry がオブジェクトではありません")
        kind = geom.get("type")
        if kind not in _GEOMETRY_TYPES:
            self.fail(where, f"図形の種類「{kind}」には対応していません")
        if kind == "GeometryCollection":
            parts = geom.get("geometries")
            if not isinstance(parts, list):
                self.fail(where, "geometries がありません")
            for part in parts:
                self.geometry(part, where)
            return
        if "coordinates" not in geom:
            self.fail(where, "coordinates（座標）がありません")
        c = geom["coordinates"]
        out = self.out
        if kind == "Point":
            out.points.append(self.position(c, where))
        elif kind == "MultiPoint":
            out.points.extend(self.positions(c, where, 1))
        elif kind == "LineString":
            out.lines.append(self.positions(c, where, 2))
        elif kind == "MultiLineString":
            if not isinstance(c, list):
                self.fail(where, "座標の並びがありません")
            out.lines.extend(self.positions(line, where, 2) for line in c)
        elif kind == "Polygon":
            if not isinstance(c, list):
                self.fail(where, "座標の並びがありません")
            out.rings.extend(self.positions(ring, where, 4) for ring in c)
        else:  # MultiPolygon
            if not isinstance(c, list):
                self.fail(where, "座標の並びがありません")
            for poly in c:
                if not isinstance(poly, list):
                    self.fail(where, "座標の並びがありません")
                out.rings.extend(self.positions(ring, where, 4) for ring in poly)

    def document(self, doc: Any) -> None:
        if not isinstance(doc, dict):
            raise GeoJSONError("GeoJSONファイルではありません（先頭が { で始まるオブジェクトではありません）。")
        kind = doc.get("type")
        if kind == "FeatureCollection":
            features = doc.get("features")
            if not isinstance(features, list):
                raise GeoJSONError("GeoJSONファイルの内容が正しくありません：features（地物の一覧）がありません。")
            for n, feature in enumerate(features, start=1):
                self.feature(feature, f"{n} 番目の地物")
        elif kind == "Feature":
            self.feature(doc, "地物")
        elif kind in _GEOMETRY_TYPES:
            self.geometry(doc, "図形")
            self.out.features = 1
        else:
            raise GeoJSONError(f"GeoJSONファイルではありません（type が「{kind}」です。"
                               "FeatureCollection・Feature・図形のいずれかが必要です）。")

    def feature(self, feature: Any, where: str) -> None:
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            self.fail(where, "type が Feature ではありません")
        if "geometry" not in feature:
            self.fail(where, "geometry がありません")
        self.geometry(feature["geometry"], where)
        self.out.features += 1


def parse_geojson(text: str | bytes) -> LayerGeometry:
    """Read and check a GeoJSON document; raise :class:`GeoJSONError` (Japanese) when unusable."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise GeoJSONError("GeoJSONファイルの文字コードがUTF-8ではありません。UTF-8で保存し直してから読み込んでください。")
    text = text.lstrip("\ufeff")
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        raise GeoJSONError("GeoJSONファイルとして読めません（JSONの形式が正しくありません）。"
                           "ファイルの種類を確かめてください。") from None
    reader = _Reader()
    reader.document(doc)
    if reader.out.is_empty:
        raise GeoJSONError("GeoJSONファイルに地図に描ける図形（点・線・面）が1つもありません。")
    return reader.out


# --- points for exports -------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    """One provider as the geographic exports write it."""

    id: str
    name: str
    category: str
    address: str
    phone: str
    lat: float | None
    lon: float | None

    @property
    def has_position(self) -> bool:
        return self.lat is not None and self.lon is not None
