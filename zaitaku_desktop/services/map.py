"""The offline map: background layers from local GeoJSON files, and "providers near here"."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import select

from zaitaku_desktop.domain.errors import FileFormatError, NotFoundError
from zaitaku_desktop.domain.geo import LayerGeometry, nearest, parse_geojson
from zaitaku_desktop.models import MapLayer, ResourceRow, utcnow
from zaitaku_desktop.storage import resource_repo
from zaitaku_desktop.storage.database import Database

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class MapLayerRead:
    id: str
    name: str
    source_file: str
    visible: bool
    sort_order: int
    archived: bool


@dataclass(frozen=True)
class Nearby:
    row: ResourceRow
    distance_km: float


def _read(layer: MapLayer) -> MapLayerRead:
    return MapLayerRead(id=layer.id, name=layer.name, source_file=layer.source_file, visible=layer.visible,
                        sort_order=layer.sort_order, archived=layer.archived_at is not None)


class MapService:
    def __init__(self, db: Database, resources=None, *, user: str = "") -> None:
        self.db = db
        self.resources = resources
        self.user = user

    # --- layers --------------------------------------------------------------------------
    def add_layer(self, path: Path, *, name: str | None = None) -> MapLayerRead:
        """Check a GeoJSON file and keep it as a background layer; nothing is stored when it is bad."""
        path = Path(path)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise FileFormatError(f"ファイルが大きすぎます（{size / 1024 / 1024:.0f} MB）。"
                                      f"{MAX_FILE_BYTES // 1024 // 1024} MB までのGeoJSONファイルを選んでください。")
            data = path.read_bytes()
        except FileNotFoundError:
            raise FileFormatError(f"ファイルが見つかりません。\n{path}") from None
        except IsADirectoryError:
            raise FileFormatError(f"フォルダではなくファイルを選んでください。\n{path}") from None
        except PermissionError:
            raise FileFormatError(f"ファイルを開く権限がありません。\n{path}") from None
        except OSError as exc:
            log.warning("cannot read a layer file: %s", type(exc).__name__)
            raise FileFormatError(f"ファイルを読み込めません。\n{path}") from None
        geometry = parse_geojson(data)
        text = data.decode("utf-8-sig")
        return self._store(name or path.stem, path.name, text, geometry)

    def add_layer_text(self, name: str, text: str, *, source_file: str = "") -> MapLayerRead:
        geometry = parse_geojson(text)
        return self._store(name, source_file, text, geometry)

    def _store(self, name: str, source_file: str, text: str, geometry: LayerGeometry) -> MapLayerRead:
        with self.db.session() as s:
            orders = [layer.sort_order for layer in s.exec(select(MapLayer))]
            layer = MapLayer(name=name.strip() or "レイヤー", source_file=source_file, geojson=text, visible=True,
                             sort_order=max(orders, default=0) + 1)
            s.add(layer)
            s.flush()
            log.info("map layer added: %s (%d features)", layer.id, geometry.features)
            return _read(layer)

    def list_layers(self, *, include_archived: bool = False) -> list[MapLayerRead]:
        with self.db.session() as s:
            layers = list(s.exec(select(MapLayer).order_by(MapLayer.sort_order, MapLayer.created_at)))
            return [_read(layer) for layer in layers if include_archived or layer.archived_at is None]

    def _get(self, s, layer_id: str) -> MapLayer:
        layer = s.get(MapLayer, layer_id)
        if layer is None:
            raise NotFoundError("この地図レイヤーは見つかりません。")
        return layer

    def set_visible(self, layer_id: str, visible: bool) -> MapLayerRead:
        with self.db.session() as s:
            layer = self._get(s, layer_id)
            if layer.visible != visible:
                layer.visible = visible
                layer.updated_at = utcnow()
            s.flush()
            return _read(layer)

    def archive_layer(self, layer_id: str, archived: bool = True) -> MapLayerRead:
        with self.db.session() as s:
            layer = self._get(s, layer_id)
            layer.archived_at = utcnow() if archived else None
            layer.updated_at = utcnow()
            s.flush()
            return _read(layer)

    def layer_geometry(self, layer_id: str) -> LayerGeometry:
        with self.db.session() as s:
            text = self._get(s, layer_id).geojson
        return parse_geojson(text)

    def visible_geometries(self) -> list[tuple[MapLayerRead, LayerGeometry]]:
        """The shown layers, bottom first, as plain geometry."""
        out = []
        with self.db.session() as s:
            layers = list(s.exec(select(MapLayer).order_by(MapLayer.sort_order, MapLayer.created_at)))
            items = [(_read(layer), layer.geojson) for layer in layers
                     if layer.archived_at is None and layer.visible]
        for read, text in items:
            out.append((read, parse_geojson(text)))
        return out

    # --- near --------------------------------------------------------------------------------
    def near(self, lat: float, lon: float, category_id: str | None = None, radius_km: float = 2.0, *,
             rows: list[ResourceRow] | None = None, exclude_id: str | None = None,
             include_archived: bool = False) -> list[Nearby]:
        """Providers (of one category, or all) within ``radius_km`` of (lat, lon), nearest first,
        by great-circle distance. ``rows`` spares a database read when the caller has them."""
        if rows is None:
            with self.db.session() as s:
                rows = resource_repo.load_rows(s, include_archived=include_archived)
        by_id = {}
        candidates = []
        for r in rows:
            if r.lat is None or r.lon is None or r.id == exclude_id:
                continue
            if r.archived and not include_archived:
                continue
            if category_id and r.category_id != category_id:
                continue
            by_id[r.id] = r
            candidates.append((r.id, r.lat, r.lon))
        return [Nearby(by_id[key], d) for key, d in nearest(candidates, lat, lon, radius_km)]
