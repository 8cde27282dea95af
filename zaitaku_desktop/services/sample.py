"""The sample region: Kamaishi's 釜石市 and 大槌町 with fictional providers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from zaitaku_desktop import paths
from zaitaku_desktop.domain.errors import DomainError, FileFormatError
from zaitaku_desktop.domain.resource import KeyPerson, ResourceInput, validate_resource
from zaitaku_desktop.storage import meta_repo, resource_repo, vocab_repo
from zaitaku_desktop.storage.database import Database

from .resources import ResourceService
from .vocab import VocabService

SAMPLE_FILE = "kamaishi_sample.json"


@dataclass(frozen=True)
class SampleResult:
    municipalities: int
    districts: int
    resources: int


class SampleService:
    def __init__(self, db: Database, vocab: VocabService, resources: ResourceService) -> None:
        self.db = db
        self.vocab = vocab
        self.resources = resources

    def is_empty(self) -> bool:
        with self.db.session() as s:
            return resource_repo.count(s, include_archived=True) == 0

    def is_loaded(self) -> bool:
        with self.db.session() as s:
            return meta_repo.get(s, "sample_loaded") == "1"

    def load(self, path: Path | None = None) -> SampleResult:
        """Load the sample region into an empty database, in one transaction."""
        source = path or paths.seed_dir() / SAMPLE_FILE
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise FileFormatError(f"サンプルデータを読み込めません：{source}") from exc
        if not self.is_empty():
            raise DomainError("サンプル地域は、資源が1件も登録されていないデータベースにだけ読み込めます。\n"
                              "新しいデータベースを指定して（--db）もう一度お試しください。")
        mun_ids: dict[str, str] = {}
        district_ids: dict[tuple[str, str], str] = {}
        n_districts = 0
        # One transaction: a failure half-way leaves the database as it was.
        with self.db.session() as s:
            for mun in data["municipalities"]:
                item = self.vocab.ensure_municipality_in(
                    s, mun["code"], mun["name"], mun.get("reading", ""),
                    [(d["name"], d.get("reading", "")) for d in mun.get("districts", [])],
                )
                mun_ids[mun["code"]] = item.id
                n_districts += len(mun.get("districts", []))
            for d in vocab_repo.list_items(s, "district", include_archived=True):
                district_ids[(d.parent_id or "", d.name)] = d.id
            cats = {c.name: c.id for c in vocab_repo.list_items(s, "category", include_archived=True)}
            caps = {c.name: c.id for c in vocab_repo.list_items(s, "capability", include_archived=True)}
            procs = {p.name: p.id for p in vocab_repo.list_items(s, "procedure", include_archived=True)}
            count = 0
            names = self.resources.vocab_names(s)
            for entry in data["resources"]:
                mun_id = mun_ids[entry["municipality_code"]]
                try:
                    data_in = ResourceInput(
                        name=entry["name"], reading=entry.get("reading", ""), category_id=cats[entry["category"]],
                        municipality_id=mun_id, district_id=district_ids.get((mun_id, entry.get("district", ""))),
                        postal_code=entry.get("postal_code", ""), address=entry.get("address", ""),
                        phone=entry.get("phone", ""), fax=entry.get("fax", ""), email=entry.get("email", ""),
                        url=entry.get("url", ""), lat=entry.get("lat"), lon=entry.get("lon"),
                        opening_hours=entry.get("opening_hours", ""), visit_area=entry.get("visit_area", ""),
                        notes=entry.get("notes", ""), last_confirmed=entry.get("last_confirmed"),
                        confirmed_source=entry.get("confirmed_source", ""),
                        shortstay_vacancies=entry.get("shortstay_vacancies"),
                        shortstay_as_of=entry.get("shortstay_as_of"),
                        capability_ids=[caps[c] for c in entry.get("capabilities", [])],
                        procedure_marks={procs[p]: m for p, m in entry.get("procedures", {}).items()},
                        key_persons=[KeyPerson(k["name"], k.get("role", ""), k.get("phone", ""))
                                     for k in entry.get("key_persons", [])],
                    )
                except KeyError as exc:
                    raise FileFormatError(f"サンプルデータの項目が一覧にありません：{exc}") from exc
                clean, issues = validate_resource(data_in)
                if clean is None:
                    raise FileFormatError(f"サンプルデータに誤りがあります（{entry['name']}）：{issues[0].message}")
                self.resources.save_in_session(s, None, clean, is_sample=True, note="サンプル地域", names=names)
                count += 1
            meta_repo.put(s, "sample_loaded", "1")
        return SampleResult(len(mun_ids), n_districts, count)
