"""The emergency contact sheet (災害時連絡先一覧) read back with poppler."""

from __future__ import annotations

import datetime as dt

from pdf_tools import (FORBIDDEN_LINE_STARTS, assert_fonts_embedded, assert_in_order, line_starts, page_count,
                       pdf_text, requires_poppler, squeeze)
from zaitaku_desktop import paths
from zaitaku_desktop.reports.emergency import EmergencyData, EmergencyEntry, write_emergency_sheet
from zaitaku_desktop.services.directory import EMERGENCY_PROCEDURES, directory_service

pytestmark = requires_poppler

ISSUED = dt.date(2026, 11, 20)  # a Friday


def _write(tmp_path, data: EmergencyData):
    out = tmp_path / "emergency.pdf"
    with out.open("wb") as f:
        pages = write_emergency_sheet(data, f, fonts_dir=paths.fonts_dir())
    return out, pages


def _entry(i: int, category: str = "病院") -> EmergencyEntry:
    return EmergencyEntry(name=f"テスト{i:03d}訪問看護ステーション", category=category, phone=f"0193-22-{i:04d}",
                          fax=f"0193-23-{i:04d}", municipality="釜石市",
                          key_persons=(("佐藤 典子", "管理者", f"090-1234-{i:04d}"), ("鈴木 誠", "", "")),
                          all_day=i % 2 == 0, marks=("○", "△", ""))


def test_sample_region_sheet(sample_services, tmp_path):
    directory = directory_service(sample_services)
    result = directory.emergency_pdf(tmp_path / "e.pdf", issued_on=ISSUED, hub_phone="0193-22-0000")
    data = directory.emergency_data(issued_on=ISSUED)
    assert 1 <= result.pages == page_count(result.path) <= 2
    text = pdf_text(result.path)
    flat = squeeze(text)
    assert "災害時連絡先一覧" in flat and "令和8年11月20日（金）現在" in flat and "0193-22-0000" in flat
    assert_in_order(pdf_text(result.path, layout=False), [e.name for e in data.entries])
    for e in data.entries:
        assert squeeze(e.phone) in flat
        for name, _role, phone in e.key_persons:
            if phone:
                assert squeeze(phone) in flat
    assert_fonts_embedded(result.path)
    assert not [c for c in line_starts(pdf_text(result.path, layout=False)) if c in FORBIDDEN_LINE_STARTS]


def test_no_citizen_data_only_provider_fields():
    # the read shape has no place for a citizen: only the provider's own contact fields
    assert set(EmergencyEntry.__dataclass_fields__) == {
        "name", "category", "phone", "fax", "municipality", "key_persons", "all_day", "marks"}


def test_many_providers_shrink_to_two_pages(tmp_path):
    entries = tuple(_entry(i, "病院" if i < 40 else "訪問看護ステーション") for i in range(70))
    out, pages = _write(tmp_path, EmergencyData(entries, EMERGENCY_PROCEDURES, ISSUED))
    assert pages == page_count(out) == 2
    text = pdf_text(out)
    assert_in_order(text, ["病院", "テスト000", "テスト039", "訪問看護ステーション", "テスト069"])
    assert "1/2" in squeeze(text) and "2/2" in squeeze(text)


def test_a_short_list_is_one_page_without_page_numbers(tmp_path):
    out, pages = _write(tmp_path, EmergencyData((_entry(1), _entry(2)), EMERGENCY_PROCEDURES, ISSUED))
    assert pages == page_count(out) == 1
    assert "1 / 1" not in pdf_text(out)


def test_nothing_to_list_says_so(tmp_path):
    out, pages = _write(tmp_path, EmergencyData((), EMERGENCY_PROCEDURES, ISSUED))
    assert pages == 1
    assert "該当する事業所が登録されていません" in squeeze(pdf_text(out))
