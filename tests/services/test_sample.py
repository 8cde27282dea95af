"""The sample region: Kamaishi's H27 table, loaded once into an empty database."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from zaitaku_desktop.domain.errors import DomainError, FileFormatError
from zaitaku_desktop.domain.resource import ResourceInput
from zaitaku_desktop.domain.vocab import KAMAISHI_TABLE_ORDER
from zaitaku_desktop.services.sample import SampleResult

H27_COUNTS = {
    "病院": 6, "医科診療所": 19, "歯科診療所": 19, "保険調剤薬局": 20, "地域包括支援センター": 2,
    "居宅介護支援事業所": 17, "訪問介護事業所": 12, "訪問看護ステーション": 3, "通所介護事業所": 16,
    "特別養護老人ホーム": 5, "グループホーム": 10,
}
DISTRICTS = {
    "釜石市": {"釜石", "平田", "中妻", "小佐野", "甲子", "鵜住居", "栗橋", "唐丹"},
    "大槌町": {"大槌", "小鎚", "金沢", "安渡", "赤浜", "吉里吉里", "浪板"},
}


def test_counts_per_category_match_kamaishi_h27(sample_services) -> None:
    rows = sample_services.resources.list_rows()
    assert Counter(r.category for r in rows) == H27_COUNTS
    assert len(rows) == 129


def test_municipalities_and_districts(sample_services) -> None:
    municipalities = sample_services.vocab.list("municipality")
    assert [(m.code, m.name) for m in municipalities] == [("032115", "釜石市"), ("034614", "大槌町")]
    names = {m.id: m.name for m in municipalities}
    districts: dict[str, set[str]] = {}
    for d in sample_services.vocab.list("district"):
        districts.setdefault(names[d.parent_id], set()).add(d.name)
    assert districts == DISTRICTS


def test_every_row_is_a_consistent_sample(sample_services) -> None:
    rows = sample_services.resources.list_rows()
    district_parent = {d.id: d.parent_id for d in sample_services.vocab.list("district")}
    assert all(r.is_sample for r in rows)
    assert not any(r.archived for r in rows)
    for r in rows:
        assert r.municipality in DISTRICTS
        assert r.district in DISTRICTS[r.municipality]
        assert district_parent[r.district_id] == r.municipality_id
        assert r.last_confirmed is not None  # every record says when it was last checked
    assert Counter(r.municipality for r in rows) == {"釜石市": 96, "大槌町": 33}
    # one 地域包括支援センター per town
    assert Counter(r.municipality for r in rows if r.category == "地域包括支援センター") == {"釜石市": 1, "大槌町": 1}


def test_in_home_capability_counts(sample_services) -> None:
    rows = sample_services.resources.list_rows()

    def count(category: str, capability: str) -> int:
        return sum(1 for r in rows if r.category == category and capability in r.capabilities)

    assert count("医科診療所", "在宅療養支援診療所") == 3
    assert count("医科診療所", "在宅看取り") == 11
    assert count("医科診療所", "訪問診療") == 9
    assert count("歯科診療所", "訪問歯科") == 12
    assert count("保険調剤薬局", "訪問薬剤管理指導") == 11


def test_sample_history_is_marked(sample_services) -> None:
    row = sample_services.resources.list_rows()[0]
    history = sample_services.resources.history(row.id)
    assert [(h.action, h.note) for h in history] == [("create", "サンプル地域")]


def test_summary_of_the_sample(sample_services) -> None:
    summary = sample_services.resources.summary()
    assert summary.municipalities == ["釜石市", "大槌町"]
    assert summary.total == 129
    assert summary.categories == list(KAMAISHI_TABLE_ORDER)
    assert {c: summary.row_total(c) for c in summary.categories} == H27_COUNTS
    assert summary.column_total("釜石市") + summary.column_total("大槌町") == 129
    assert not summary.has_unassigned
    caps = {(cat, cap): n for cat, cap, n in summary.capability_counts}
    assert caps[("医科診療所", "在宅療養支援診療所")] == 3
    assert caps[("医科診療所", "在宅看取り")] == 11
    assert caps[("医科診療所", "訪問診療")] == 9
    assert caps[("歯科診療所", "訪問歯科")] == 12
    assert caps[("保険調剤薬局", "訪問薬剤管理指導")] == 11


def test_loading_twice_is_refused_and_adds_nothing(sample_services) -> None:
    assert sample_services.sample.is_loaded()
    before_rows = len(sample_services.resources.list_rows())
    before_vocab = {k: len(v) for k, v in sample_services.vocab.all().items()}
    with pytest.raises(DomainError) as info:
        sample_services.sample.load()
    assert not isinstance(info.value, FileFormatError)
    assert "資源が1件も登録されていない" in info.value.message
    assert len(sample_services.resources.list_rows()) == before_rows == 129
    assert {k: len(v) for k, v in sample_services.vocab.all().items()} == before_vocab


def test_load_into_a_fresh_database(services) -> None:
    assert services.sample.is_empty() and not services.sample.is_loaded()
    result = services.sample.load()
    assert result == SampleResult(municipalities=2, districts=15, resources=129, issues=25, needs=5, meetings=44,
                             consultations=156)
    assert services.sample.is_loaded() and not services.sample.is_empty()
    assert services.resources.count() == 129


def test_load_refused_when_the_user_already_has_data(services) -> None:
    category = services.vocab.list("category")[0]
    services.resources.create(ResourceInput(name="自分で登録した病院", category_id=category.id))
    with pytest.raises(DomainError):
        services.sample.load()
    assert services.resources.count() == 1
    assert services.vocab.list("municipality") == []  # nothing half-loaded
    assert not services.sample.is_loaded()


def test_unreadable_sample_file(services, tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(FileFormatError):
        services.sample.load(bad)
    with pytest.raises(FileFormatError):
        services.sample.load(tmp_path / "missing.json")
    assert services.resources.count() == 0
