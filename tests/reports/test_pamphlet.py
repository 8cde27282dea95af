"""The tri-fold pamphlet (reports/pamphlet.py): two A4 landscape pages, each block in its panel, the
consultation windows' contacts, edited text, fold marks — read back with poppler."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image as PILImage
from reportlab.lib.units import mm

from pdf_tools import (FORBIDDEN_LINE_STARTS, assert_fonts_embedded, line_starts, page_count, page_size, pdf_text,
                       requires_poppler, squeeze)
from zaitaku_desktop import paths
from zaitaku_desktop.domain.errors import ValidationError
from zaitaku_desktop.domain.handouts import ConsultationContact, PamphletText
from zaitaku_desktop.reports.flyer import OverfullError
from zaitaku_desktop.reports.pamphlet import FLAP_MM, panel_edges, write_pamphlet
from zaitaku_desktop.services.handouts import HUB_NAME, HandoutService

pytestmark = requires_poppler

HUB_TEXT = "電話 0193-22-0000\nFAX 0193-22-0001\n受付 平日8:30〜17:15"
ISSUER = "釜石市 在宅医療連携拠点チームかまいし"


def _write(tmp_path: Path, text: PamphletText | None = None, contacts=None, name: str = "p.pdf") -> Path:
    out = tmp_path / name
    contacts = HandoutService.pamphlet_contacts(HUB_TEXT) if contacts is None else contacts
    assert write_pamphlet(text or PamphletText(issuer=ISSUER), contacts, out, fonts_dir=paths.fonts_dir()) == 2
    return out


def _panel(pdf: Path, side: int, index: int) -> str:
    x, w = panel_edges(side)[index]
    _, height = page_size(pdf)
    return pdf_text(pdf, page=side, crop=(x, 0, w, height))


def test_the_consultation_contacts_hub_first_then_the_citizens_window() -> None:
    contacts = HandoutService.pamphlet_contacts(HUB_TEXT, window_texts={"多職種向け": "電話 0193-22-0002"})
    assert [c.name for c in contacts] == [HUB_NAME, "一般向けの相談窓口", "多職種向けの相談窓口"]
    assert contacts[0].detail == HUB_TEXT and contacts[1].detail == "" and contacts[2].detail == "電話 0193-22-0002"
    assert contacts[1].for_whom == "住民・ご家族の方"
    assert HandoutService.pamphlet_contacts(hub_name="チームかまいし")[0].name == "チームかまいし"


def test_two_landscape_pages_with_every_block_in_its_panel(tmp_path) -> None:
    pdf = _write(tmp_path)
    assert page_count(pdf) == 2 and page_size(pdf) == pytest.approx((841.89, 595.28), abs=0.1)
    assert_fonts_embedded(pdf)
    expected = {
        (1, 0): ["在宅医療を始めるには", "相談する", "在宅医療の開始"],  # the flap that folds in
        (1, 1): ["相談窓口", HUB_NAME, "0193-22-0001", "平日8:30〜17:15", "一般向けの相談窓口", "住民・ご家族の方",
                 "多職種向けの相談窓口"],  # the back
        (1, 2): ["在宅医療のご案内", "住み慣れた家で", "暮らし続けるために", ISSUER],  # the cover, on the right
        (2, 0): ["在宅医療とは", "訪問診療", "往診"],
        (2, 1): ["在宅でできること", "緩和ケア"],
        (2, 2): ["かかりつけ医", "訪問看護師", "薬剤師（薬局）", "ケアマネジャー"],
    }
    for (side, index), parts in expected.items():
        text = squeeze(_panel(pdf, side, index))
        for part in parts:
            assert squeeze(part) in text, (side, index, part)
        bad = [ch for ch in line_starts(_panel(pdf, side, index)) if ch in FORBIDDEN_LINE_STARTS]
        assert bad == [], (side, index, bad)
    assert "住み慣れた家で" not in squeeze(_panel(pdf, 1, 0))
    assert "1/2" in squeeze(pdf_text(pdf, page=1)) and "2/2" in squeeze(pdf_text(pdf, page=2))
    # a window without a known number gets lines to write it on
    assert squeeze(_panel(pdf, 1, 1)).count("受付時間") == 2


def test_the_flap_is_narrower_and_backs_onto_the_inside_right_panel() -> None:
    outside, inside = panel_edges(1), panel_edges(2)
    for side in (outside, inside):
        assert sum(w for _, w in side) == pytest.approx(297 * mm)
        assert [x for x, _ in side] == pytest.approx([0, side[0][1], side[0][1] + side[1][1]])
    assert outside[0][1] == inside[2][1] == pytest.approx(FLAP_MM * mm)
    assert outside[0][1] < outside[2][1]


def test_fold_marks_at_the_folds_only(tmp_path) -> None:
    pdf = _write(tmp_path)
    subprocess.run(["pdftoppm", "-gray", "-r", "72", "-f", "2", "-l", "2", "-singlefile", str(pdf),
                    str(tmp_path / "side2")], check=True)
    img = PILImage.open(tmp_path / "side2.pgm").convert("L")
    top = 4  # points from the top edge, inside the 6 mm mark

    def dark(x_pt: float) -> bool:
        return min(img.getpixel((int(round(x_pt)) + dx, top)) for dx in (-1, 0, 1)) < 160

    folds = [x for x, _ in panel_edges(2)[1:]]
    assert all(dark(x) for x in folds)
    assert not any(dark(x) for x in (50 * mm, 150 * mm, 250 * mm))


def test_edited_text_is_printed_and_long_text_shrinks_into_its_panel(tmp_path) -> None:
    long = "\n".join(f"・第{i}項　訪問診療と往診のちがいを、ご家族にもわかるように説明します。" for i in range(1, 31))
    text = replace(PamphletText(), title="おうちで療養", subtitle="大槌町の在宅医療", can_do=long,
                   consult_note="まずはお電話ください。")
    contacts = (ConsultationContact("大槌町 地域包括支援センター", "どなたでも", "電話 0193-42-0000"),)
    pdf = _write(tmp_path, text, contacts)
    assert page_count(pdf) == 2
    cover, back = squeeze(_panel(pdf, 1, 2)), squeeze(_panel(pdf, 1, 1))
    assert "おうちで療養" in cover and "大槌町の在宅医療" in cover and "住み慣れた" not in cover
    assert "まずはお電話ください。" in back and "0193-42-0000" in back and "一般向け" not in back
    middle = squeeze(_panel(pdf, 2, 1))
    assert "第1項" in middle and "第30項" in middle  # nothing lost, nothing spilled into the next panel
    assert "第30項" not in squeeze(_panel(pdf, 2, 2))
    with pytest.raises(OverfullError) as err:  # beyond a readable size: a message naming the block
        _write(tmp_path, replace(text, can_do=long * 4), contacts, "too_long.pdf")
    assert "「在宅でできること」の文字が多すぎて" in err.value.message and not (tmp_path / "too_long.pdf").exists()


def test_the_service_refuses_a_pamphlet_without_a_title(tmp_path, services) -> None:
    handouts = HandoutService(services.db, services.meetings, services.vocab)
    out = tmp_path / "out" / "pamphlet.pdf"
    out.parent.mkdir()
    with pytest.raises(ValidationError) as err:
        handouts.write_pamphlet(PamphletText(title=" "), handouts.pamphlet_contacts(), out)
    assert "表紙の題名" in err.value.message and list(out.parent.iterdir()) == []
    assert handouts.write_pamphlet(PamphletText(), handouts.pamphlet_contacts(), out, colour="green") == 2
    assert page_count(out) == 2
