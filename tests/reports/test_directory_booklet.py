"""The directory booklet read back with poppler: cover, 目次 page numbers, sections in 五十音 order,
和暦 最終確認日, the index with the right pages, embedded fonts, Japanese line breaking."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from pdf_tools import (FORBIDDEN_LINE_STARTS, assert_fonts_embedded, assert_in_order, line_starts, page_count,
                       pdf_text, requires_poppler, squeeze)
from zaitaku_desktop import paths
from zaitaku_desktop.domain.text import reading_sort_key
from zaitaku_desktop.domain.vocab import PROCEDURES
from zaitaku_desktop.reports.directory import (DirectoryData, DirectoryEntry, DirectorySection, wrap_text,
                                               write_directory)
from zaitaku_desktop.reports.fonts import GOTHIC, register_fonts
from zaitaku_desktop.reports.kinsoku import CANNOT_END, CANNOT_START
from zaitaku_desktop.services.directory import directory_service

pytestmark = requires_poppler

ISSUED = dt.date(2026, 11, 20)  # a Friday
MM = 72 / 25.4
SYLLABLES_A = "あかさたなはまやらわ"
SYLLABLES_B = "いきしちにひみりぎび"


def _entries(prefix: str, count: int, seed: int) -> tuple[DirectoryEntry, ...]:
    """``count`` entries with distinct readings, in 五十音 order of the reading."""
    import jaconv

    readings = sorted({a + b + c for a in SYLLABLES_A for b in SYLLABLES_B for c in "かさた"}, key=reading_sort_key)
    picked = readings[seed::7][:count]
    return tuple(DirectoryEntry(
        name=f"{prefix}{jaconv.hira2kata(r)}医院", reading=r, municipality="釜石市", district="甲子",
        postal_code="026-0055", address="岩手県釜石市甲子町第26地割108-4、はまかぜビル２階（駐車場は裏手、５台）",
        phone=f"0193-22-{1000 + i:04d}", fax=f"0193-23-{1000 + i:04d}",
        services=("訪問診療", "往診", "在宅看取り", "24時間対応"), marks=tuple("○△×"[(i + k) % 4] if (i + k) % 4 < 3 else ""
                                                                     for k in range(len(PROCEDURES))),
        last_confirmed=dt.date(2026, 6, 10) if i % 5 else None) for i, r in enumerate(picked))


def _data() -> DirectoryData:
    return DirectoryData(
        sections=(DirectorySection("病院", _entries("", 45, 0)), DirectorySection("医科診療所", _entries("", 3, 1)),
                  DirectorySection("歯科診療所", ()), DirectorySection("保険調剤薬局", _entries("", 30, 2))),
        matrix_columns=PROCEDURES, issued_on=ISSUED, scope="釜石市", publisher="在宅医療連携拠点チームかまいし")


@pytest.fixture(scope="module")
def booklet(tmp_path_factory) -> tuple[Path, DirectoryData, int]:
    data = _data()
    out = tmp_path_factory.mktemp("dir") / "directory.pdf"
    with out.open("wb") as f:
        pages = write_directory(data, f, fonts_dir=paths.fonts_dir())
    return out, data, pages


def _pages(path: Path, count: int) -> list[str]:
    return [pdf_text(path, page=p) for p in range(1, count + 1)]


def test_cover_toc_and_page_numbers(booklet):
    path, data, pages = booklet
    assert page_count(path) == pages > 6
    texts = _pages(path, pages)
    cover = squeeze(texts[0])
    assert "在宅医療・介護資源一覧" in cover and "釜石市" in cover and "令和8年11月20日（金）発行" in cover
    assert f"掲載{data.entry_count}件" in cover
    for number in range(2, pages + 1):
        assert f"{number} / {pages}" in texts[number - 1]
    toc = texts[1]
    for i, section in enumerate(data.sections):
        m = re.search(rf"{i + 1}．{section.category}\s+{len(section.entries)}\s*件\s+(\d+)", toc)
        assert m, (section.category, toc)
        page = int(m.group(1))
        assert f"{i + 1}．{section.category}（{len(section.entries)} 件）" in texts[page - 1]
        assert all(f"{i + 1}．{section.category}（" not in t for t in texts[2:page - 1])
    m = re.search(r"名称の索引（五十音順）\s+(\d+)", toc)
    assert m and "名称の索引（五十音順）" in texts[int(m.group(1)) - 1] and int(m.group(1)) > 3


def test_entries_in_order_with_wareki_dates_and_contacts(booklet):
    path, data, pages = booklet
    text = pdf_text(path)
    body = text[:text.rindex("名称の索引（五十音順）")]  # the sections only, not the index
    for section in data.sections:
        assert_in_order(body, [f"．{section.category}（"] + [e.name for e in section.entries])
    flat = squeeze(text)
    assert "確認日令和8年6月10日（水）" in flat and "確認日未確認" in flat
    assert "TEL0193-22-1040" in flat and "FAX0193-23-1029" in flat
    assert "該当する資源はありません。" in flat  # the empty section says so
    assert "医療処置の欄：○可△要相談×不可空欄未確認" in flat


def test_index_lists_every_name_in_reading_order_with_its_page(booklet):
    path, data, pages = booklet
    texts = _pages(path, pages)
    start = next(i for i, t in enumerate(texts) if "名称の索引（五十音順）" in t and i > 1)
    found = []
    for page in range(start + 1, pages + 1):  # two columns a page: the left one, then the right one
        for left_mm in (15, 109):
            column = pdf_text(path, page=page, crop=(left_mm * MM, 0, 86 * MM, 842))
            found += re.findall(r"(\S+医院)（(\S+?)）\s+(\d+)", column)
    expected = data.index()
    assert [(name, cat) for name, cat, _p in found] == [(name, cat) for name, cat, *_ in expected]
    for name, _category, page in found:
        assert name in squeeze(texts[int(page) - 1]), (name, page)
        assert int(page) - 1 < start
    readings = {e.name: e.reading for s in data.sections for e in s.entries}
    assert [readings[n] for n, *_ in found] == sorted((readings[n] for n, *_ in found), key=reading_sort_key)


def test_fonts_embedded_and_no_forbidden_line_starts(booklet):
    path, _data_, _pages_ = booklet
    assert_fonts_embedded(path)
    starts = line_starts(pdf_text(path, layout=False))
    assert not [c for c in starts if c in FORBIDDEN_LINE_STARTS]


def test_wrap_text_keeps_kinsoku_and_the_width():
    register_fonts(paths.fonts_dir())
    text = "岩手県釜石市甲子町第26地割108-4、はまかぜビル２階（駐車場は裏手）。電話0193-22-4359へ「予約」を。"
    for width in (40, 55, 70, 90, 120):
        lines = wrap_text(text, width, 8)
        assert "".join(lines) == text
        assert all(stringWidth(line, GOTHIC, 8) <= width + 1e-6 or len(line) == 1 for line in lines)
        assert not [line for line in lines[1:] if line[0] in CANNOT_START]
        assert not [line for line in lines[:-1] if line[-1] in CANNOT_END]
        if width >= 70:  # wide enough for the longest run of digits: numbers are never cut
            assert all(not (a[-1].isdigit() and b[0].isdigit()) for a, b in zip(lines, lines[1:]))


def test_sample_region_booklet_end_to_end(sample_services, tmp_path):
    directory = directory_service(sample_services)
    result = directory.directory_pdf(tmp_path / "sample.pdf", issued_on=ISSUED)
    data = directory.directory_data(issued_on=ISSUED)
    assert result.entries == data.entry_count and page_count(result.path) == result.pages
    text = pdf_text(result.path, layout=False)  # content order: a wrapped name stays in one piece
    for section in data.sections:
        assert_in_order(text, [section.category] + [e.name for e in section.entries])
    assert_fonts_embedded(result.path)
    with io.BytesIO() as buf:  # pure function: the same data gives the same page count
        assert write_directory(data, buf, fonts_dir=paths.fonts_dir()) == result.pages
