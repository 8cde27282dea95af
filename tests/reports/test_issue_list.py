"""The side-by-side issue list (Kamaishi's「一次連携で抽出された課題リスト」): one A4 landscape page."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from pdf_tools import (FORBIDDEN_LINE_STARTS, assert_fonts_embedded, assert_in_order, line_starts, page_count,
                       page_size, pdf_text, requires_poppler, squeeze)
from zaitaku_desktop import paths
from zaitaku_desktop.reports.issue_list import (MAX_SIZE, MIN_SIZE, IssueListColumn, IssueListData,
                                                write_issue_list)

pytestmark = requires_poppler

CARE_MANAGER = (
    "病院からの退院が急で在宅側の準備が整っていない。",
    "病院側にも患者の生活というものを意識して欲しい。（病気が治ればすぐに退院）",
    "医師との壁",
    "ケアマネはケアマネの理論で動くので、妥協点が見つからない時がある。",
)
HOSPITAL = (
    "退院後の施設は病院で探してほしい（役割が違う）",
    "退院調整以外の業務（医療ソーシャルワークのほとんど、医療費、制度利用、がん相談など外来患者も対応）も"
    "行っているため、退院調整に時間がかけられない。",
    "病院は、ケアマネ等介護職の役割についてわかっていない。",
    "連携の最大の課題はケアマネ。向こうもそう思っていると思う。",
)
MM = 72 / 25.4
PAGE_W, PAGE_H = 842, 595
FRAME_W = PAGE_W - 2 * 12 * MM


def _column_box(index: int, count: int) -> tuple[float, float, float, float]:
    width = FRAME_W / count
    return 12 * MM + index * width + 1, 0, width - 2, PAGE_H


def _write(tmp_path: Path, data: IssueListData, name: str = "list.pdf"):
    out = tmp_path / name
    with out.open("wb") as f:
        result = write_issue_list(data, f, fonts_dir=paths.fonts_dir())
    return out, result


def _check_page(out: Path) -> str:
    assert page_count(out) == 1
    width, height = page_size(out)
    assert (round(width), round(height)) == (PAGE_W, PAGE_H)  # A4 landscape
    assert_fonts_embedded(out)
    text = pdf_text(out)
    assert not [c for c in line_starts(text) if c in FORBIDDEN_LINE_STARTS]
    return text


def test_kamaishi_list_side_by_side(tmp_path: Path) -> None:
    data = IssueListData(columns=(IssueListColumn("介護支援専門員", CARE_MANAGER),
                                  IssueListColumn("医療ソーシャルワーカー", HOSPITAL)),
                         issued_on=dt.date(2026, 11, 20), subtitle="釜石・大槌地域")
    out, result = _write(tmp_path, data)
    text = _check_page(out)
    assert result.complete and result.font_size == MAX_SIZE and result.shown == (4, 4)
    assert_in_order(text, ["一次連携で抽出された課題リスト", "釜石・大槌地域", "令和8年11月20日（金）現在"])
    left = pdf_text(out, crop=_column_box(0, 2))
    right = pdf_text(out, crop=_column_box(1, 2))
    assert_in_order(left, ["介護支援専門員（4 件）", *("・" + t for t in CARE_MANAGER)])
    assert_in_order(right, ["医療ソーシャルワーカー（4 件）", *("・" + t for t in HOSPITAL)])
    assert "ほか" not in text


def test_many_items_shrink_the_font_but_all_are_shown(tmp_path: Path) -> None:
    items = tuple(f"{n:02d}番目の課題：{CARE_MANAGER[n % 4]}" for n in range(24))
    data = IssueListData(columns=(IssueListColumn("介護支援専門員", items), IssueListColumn("薬剤師", items[:10]),
                                  IssueListColumn("訪問看護師", HOSPITAL)))
    out, result = _write(tmp_path, data)
    _check_page(out)
    assert result.complete
    assert MIN_SIZE <= result.font_size < MAX_SIZE
    assert_in_order(pdf_text(out, crop=_column_box(0, 3)), ["介護支援専門員（24 件）", *items])
    assert_in_order(pdf_text(out, crop=_column_box(2, 3)), list(HOSPITAL))


def test_items_that_cannot_fit_are_counted_not_dropped(tmp_path: Path) -> None:
    many = tuple(f"{n:03d}：{HOSPITAL[1]}" for n in range(120))
    data = IssueListData(columns=(IssueListColumn("医療ソーシャルワーカー", many),
                                  IssueListColumn("介護支援専門員", CARE_MANAGER)))
    out, result = _write(tmp_path, data)
    _check_page(out)
    assert result.font_size == MIN_SIZE
    assert not result.complete
    shown, omitted = result.shown[0], result.omitted[0]
    assert shown > 0 and shown + omitted == 120
    assert result.omitted[1] == 0 and result.shown[1] == 4
    left = pdf_text(out, crop=_column_box(0, 2))
    assert_in_order(left, [*many[:shown], f"ほか {omitted} 件"])
    assert many[shown][:4] not in squeeze(left)
    assert "ほか" not in pdf_text(out, crop=_column_box(1, 2))


def test_four_columns_and_empty_column(tmp_path: Path) -> None:
    data = IssueListData(columns=(IssueListColumn("医師", ("医師との壁",)), IssueListColumn("歯科医師", ()),
                                  IssueListColumn("薬剤師", CARE_MANAGER), IssueListColumn("看護師", HOSPITAL)),
                         title="職種別の課題リスト")
    out, result = _write(tmp_path, data)
    text = _check_page(out)
    assert result.complete
    assert "職種別の課題リスト" in text
    assert "（課題なし）" in pdf_text(out, crop=_column_box(1, 4))
    assert_in_order(pdf_text(out, crop=_column_box(3, 4)), list(HOSPITAL))


@pytest.mark.parametrize("count", [0, 5])
def test_column_count_is_checked(count: int) -> None:
    data = IssueListData(columns=tuple(IssueListColumn(f"職種{n}", ("課題",)) for n in range(count)))
    with pytest.raises(ValueError):
        write_issue_list(data, io.BytesIO(), fonts_dir=paths.fonts_dir())
