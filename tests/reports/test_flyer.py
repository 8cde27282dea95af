"""The lecture flyer (reports/flyer.py) built from the sample region's meetings through HandoutService, read
back with poppler (text, fonts, page size) and rasterised (the QR code, the layouts' look)."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
import segno
from PIL import Image as PILImage
from PIL import ImageChops
from reportlab.pdfgen.canvas import Canvas

from pdf_tools import (FORBIDDEN_LINE_STARTS, assert_fonts_embedded, line_starts, page_count, page_size, pdf_fonts,
                       pdf_text, requires_poppler, squeeze)
from zaitaku_desktop import paths
from zaitaku_desktop.domain.errors import NotFoundError, ValidationError
from zaitaku_desktop.domain.handouts import FlyerContent, FlyerStyle
from zaitaku_desktop.domain.meetings import MeetingInput, Speaker
from zaitaku_desktop.reports.flyer import SLIP_H, OverfullError, draw_qr, picture, write_flyer
from zaitaku_desktop.services.handouts import HandoutService

pytestmark = requires_poppler

LAYOUTS = ("poster", "leaflet", "notice")
SANSHI = "釜石三師会学術講演会"
URL = "https://www.city.kamaishi.iwate.jp/kenko_fukushi/zaitaku/"
MM = 72 / 25.4


@pytest.fixture
def handouts(sample_services) -> HandoutService:
    s = sample_services
    return HandoutService(s.db, s.meetings, s.vocab)


@pytest.fixture
def sanshi_id(sample_services) -> str:
    rows = sample_services.meetings.period(dt.date(2015, 4, 1), dt.date(2016, 3, 31))
    return next(r.id for r in rows if r.title == SANSHI)


@pytest.fixture
def public_lecture_id(sample_services) -> str:
    """A 住民向け meeting (市民公開講座) created in the sample region."""
    m = sample_services.meetings
    type_id = next(t.id for t in m.list_types() if t.name == "市民公開講座")
    venue = next(v for v in m.list_venues() if v.name == "釜石市保健福祉センター 大会議室")
    row = m.create(MeetingInput(
        title="家で過ごすという選択　在宅医療のいま", type_id=type_id, date=dt.date(2026, 10, 17), start_time="13:30",
        end_time="15:00", venue_id=venue.id, capacity=120,
        speakers=[Speaker("寺田 尚弘", "釜石ファミリークリニック院長", "最期まで自宅で暮らすために"),
                  Speaker("佐々木 美和", "訪問看護ステーションかまいし", "訪問看護ってなに？")]))
    return row.id


@pytest.fixture
def portrait(tmp_path: Path) -> Path:
    path = tmp_path / "portrait.png"
    image = PILImage.new("RGB", (400, 300), (225, 235, 248))
    image.paste((60, 110, 170), (110, 170, 290, 300))
    image.save(path)
    return path


def _full(content: FlyerContent, image: Path) -> FlyerContent:
    """Every optional part filled in, with sentences long enough to wrap at punctuation."""
    return replace(content, catch="薬剤師が在宅医療でできること、知っていますか。", image_path=str(image),
                   about=("在宅医療の現場で、薬剤師はどのように患者さんを支えているのでしょうか。多職種の専門性を活かした"
                          "実践を、わかりやすくお話しいただきます。「薬が飲めない」「残ってしまう」という声にも、"
                          "チームで応えることができます。"),
                   fee="無料", capacity="先着100名", apply_how="FAX", apply_contact="0193-22-0000",
                   apply_deadline="8月3日（月）まで", qr_url=URL, tear_off=True,
                   contact="在宅医療連携拠点チームかまいし　電話 0193-22-0000（平日8:30〜17:15）")


def _write(content: FlyerContent, path: Path, layout: str = "poster", **style) -> Path:
    assert write_flyer(content, FlyerStyle(layout, **style), path, fonts_dir=paths.fonts_dir()) == 1
    return path


def _raster(pdf: Path, dpi: int = 50) -> PILImage.Image:
    prefix = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-singlefile", str(pdf), str(prefix)], check=True)
    return PILImage.open(prefix.with_suffix(".pgm")).convert("L")


def _assert_no_forbidden_starts(pdf: Path) -> None:
    for layout in (True, False):
        starts = line_starts(pdf_text(pdf, layout=layout))
        bad = [ch for ch in starts if ch in FORBIDDEN_LINE_STARTS]
        assert bad == [], f"lines start with {bad}"


# --- the service fills the flyer from a meeting ---------------------------------------------------------

def test_flyer_from_a_meeting_of_any_layer_marks_the_target_by_layer(handouts, sanshi_id, public_lecture_id) -> None:
    sanshi = handouts.flyer_from_meeting(sanshi_id)
    assert (sanshi.title, sanshi.label, sanshi.date, sanshi.start_time, sanshi.end_time) == \
        (SANSHI, "学術講演会", dt.date(2015, 8, 7), "18:30", "20:30")
    assert sanshi.venue == "釜石市保健福祉センター 大会議室" and sanshi.venue_access == "岩手県釜石市只越町"
    assert sanshi.organiser == "医師会（共催：歯科医師会・薬剤師会）"
    assert [s.name for s in sanshi.speakers] == ["狭間研至"] and sanshi.speakers[0].talk_title.startswith("在宅医師から")
    assert sanshi.target == "医療・介護の専門職"  # 学術講演会 is 二次
    public = handouts.flyer_from_meeting(public_lecture_id)
    assert public.target == "どなたでも" and public.label == "市民公開講座" and public.capacity == "120名"
    assert [s.affiliation for s in public.speakers] == ["釜石ファミリークリニック院長", "訪問看護ステーションかまいし"]
    with pytest.raises(NotFoundError):
        handouts.flyer_from_meeting("no-such-id")


def test_a_meeting_the_hub_organises_names_the_hub(handouts, sample_services, sanshi_id) -> None:
    sample = next(r for r in sample_services.meetings.period(dt.date(2027, 1, 1), dt.date(2027, 12, 31))
                  if r.title.startswith("市民公開講座"))
    assert sample.organiser_kind == "連携拠点"
    plain = handouts.flyer_from_meeting(sample.id)
    named = handouts.flyer_from_meeting(sample.id, hub_name="チームかまいし")
    assert plain.organiser.startswith("連携拠点（共催：")
    assert named.organiser == plain.organiser.replace("連携拠点", "チームかまいし", 1)
    # An association's meeting keeps its organiser whatever the hub is called.
    assert handouts.flyer_from_meeting(sanshi_id, hub_name="チームかまいし").organiser.startswith("医師会")


# --- every layout, read back ----------------------------------------------------------------------------

@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_layout_prints_the_meeting(handouts, sanshi_id, portrait, tmp_path, layout) -> None:
    content = _full(handouts.flyer_from_meeting(sanshi_id), portrait)
    pdf = tmp_path / f"{layout}.pdf"
    assert handouts.write_flyer(content, FlyerStyle(layout, "green"), pdf) == 1
    text = squeeze(pdf_text(pdf, layout=False))
    for part in (SANSHI, "平成27年8月7日（金）", "18:30〜20:30", "釜石市保健福祉センター大会議室", "岩手県釜石市只越町",
                 "狭間研至", "日本在宅薬学会理事長", "多職種の専門性を活用した在宅医療の実践", "医療・介護の専門職",
                 "先着100名", "0193-22-0000", "医師会", "在宅医療連携拠点チームかまいし",
                 "申込書", "参加人数", "キリトリ線"):
        assert squeeze(part) in text, part
    assert page_count(pdf) == 1 and page_size(pdf) == pytest.approx((595.28, 841.89), abs=0.1)
    assert_fonts_embedded(pdf)
    if layout == "notice":  # the office notice is set in Mincho
        assert any(f.name.endswith("IPAexMincho") for f in pdf_fonts(pdf))
    _assert_no_forbidden_starts(pdf)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_public_lecture_flyer_without_the_options(handouts, public_lecture_id, tmp_path, layout) -> None:
    pdf = _write(handouts.flyer_from_meeting(public_lecture_id), tmp_path / "plain.pdf", layout)
    text = squeeze(pdf_text(pdf, layout=False))  # in reading order: the leaflet's columns are not interleaved
    for part in ("家で過ごすという選択", "令和8年10月17日（土）", "寺田尚弘", "佐々木美和", "訪問看護ってなに？",
                 "どなたでも", "申込不要"):
        assert part in text, part
    assert "申込書" not in text and "参加人数" not in text and "キリトリ" not in text  # no slip unless chosen
    _assert_no_forbidden_starts(pdf)


def test_the_three_layouts_look_different(handouts, public_lecture_id, tmp_path) -> None:
    content = handouts.flyer_from_meeting(public_lecture_id)
    pages = {layout: _raster(_write(content, tmp_path / f"{layout}.pdf", layout), 20) for layout in LAYOUTS}

    def ink(img: PILImage.Image, top: float, bottom: float) -> float:
        """Share of dark pixels in a horizontal band of the page (fractions from the top)."""
        band = img.crop((0, int(img.height * top), img.width, int(img.height * bottom)))
        return sum(band.histogram()[:128]) / (band.width * band.height)

    assert ink(pages["poster"], 0.0, 0.15) > 0.8  # a full colour band
    assert ink(pages["leaflet"], 0.0, 0.02) > 0.8 and ink(pages["leaflet"], 0.04, 0.15) < 0.3  # a thin bar
    assert ink(pages["notice"], 0.0, 0.15) < 0.1  # plain paper
    for a, b in (("poster", "leaflet"), ("leaflet", "notice"), ("poster", "notice")):
        assert ImageChops.difference(pages[a], pages[b]).getbbox() is not None


def test_the_a3_poster_is_the_same_drawing_on_a3(handouts, sanshi_id, portrait, tmp_path) -> None:
    content = _full(handouts.flyer_from_meeting(sanshi_id), portrait)
    a4 = _write(content, tmp_path / "a4.pdf")
    a3 = _write(content, tmp_path / "a3.pdf", paper="A3", colour="orange")
    assert page_size(a3) == pytest.approx((841.89, 1190.55), abs=0.1)
    assert squeeze(pdf_text(a3)) == squeeze(pdf_text(a4))
    assert_fonts_embedded(a3)


def test_the_tear_off_slip_keeps_the_bottom_of_the_page_to_itself(handouts, public_lecture_id, tmp_path) -> None:
    """Five speakers and a long title shrink to fit above the cut line; nothing is lost or drawn over the slip."""
    content = handouts.flyer_from_meeting(public_lecture_id)
    speakers = tuple(Speaker(f"講師{i}番 太郎", "釜石市の在宅療養支援診療所・訪問看護ステーション・保険薬局の連携担当",
                             "在宅医療と介護の連携で、住み慣れた地域で最期まで暮らすために私たちができること")
                     for i in range(1, 6))
    content = replace(content, title="在宅医療・介護連携推進事業　市民公開講座　" * 3, speakers=speakers, tear_off=True,
                      apply_how="FAX", apply_contact="0193-22-0001", qr_url=URL)
    for layout in LAYOUTS:
        pdf = _write(content, tmp_path / f"{layout}.pdf", layout)
        assert page_count(pdf) == 1
        text = squeeze(pdf_text(pdf))
        assert all(f"講師{i}番太郎" in text for i in range(1, 6)), layout
        width, height = page_size(pdf)
        slip = squeeze(pdf_text(pdf, crop=(0, height - SLIP_H, width, SLIP_H)))
        assert "申込書" in slip and "参加人数" in slip and "FAX：0193-22-0001" in slip
        assert "講師1番" not in slip and "詳しく" not in slip, layout  # the rest stays above the cut line
        _assert_no_forbidden_starts(pdf)
    # beyond what fits at a readable size: a plain message, and no file
    crowded = replace(content, speakers=speakers * 5, about="在宅医療のお話です。" * 40)
    for layout in LAYOUTS:
        out = tmp_path / "crowded" / f"{layout}.pdf"
        out.parent.mkdir(exist_ok=True)
        with pytest.raises(OverfullError) as err:
            handouts.write_flyer(crowded, FlyerStyle(layout), out)
        assert "文字が多すぎて紙面に収まりません" in err.value.message and not out.exists()


# --- the QR code and the image ---------------------------------------------------------------------------

def test_the_qr_code_is_drawn_module_for_module_as_segno_encodes_it(tmp_path) -> None:
    qr = segno.make(URL, error="m", micro=False)
    assert qr.designator.endswith("M")
    matrix = [list(row) for row in qr.matrix]
    n, cell = len(matrix) + 8, 6.0  # 6 pt a module = 6 px at 72 dpi
    pdf = tmp_path / "qr.pdf"
    c = Canvas(str(pdf), pagesize=(n * cell, n * cell))
    draw_qr(c, qr, 0, 0, n * cell)
    c.save()
    img = _raster(pdf, 72)
    drawn = [[img.getpixel((int((col + 4.5) * cell), int((row + 4.5) * cell))) < 128 for col in range(len(matrix))]
             for row in range(len(matrix))]
    assert drawn == [[bool(v) for v in row] for row in matrix]
    assert all(img.getpixel((x, 2)) > 200 for x in range(0, img.width, 3))  # the quiet zone is white


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_flyer_carries_a_qr_code_of_its_url(handouts, public_lecture_id, tmp_path, layout) -> None:
    content = handouts.flyer_from_meeting(public_lecture_id)
    one = _raster(_write(replace(content, qr_url=URL), tmp_path / "one.pdf", layout))
    other = _raster(_write(replace(content, qr_url=URL.replace("zaitaku", "kaigo")), tmp_path / "two.pdf", layout))
    none = _raster(_write(content, tmp_path / "none.pdf", layout))
    box = ImageChops.difference(one, other).getbbox()
    assert box is not None
    w, h = box[2] - box[0], box[3] - box[1]
    dpmm = 50 / 25.4
    assert abs(w - h) <= 3 and 18 * dpmm < w < 32 * dpmm  # a square of the QR's size changes with the URL
    assert ImageChops.difference(one, none).getbbox() is not None


def test_the_image_is_scaled_into_its_box_keeping_its_aspect(portrait) -> None:
    image = picture(str(portrait), 100, 100)  # 400 × 300
    assert image.wrap(500, 500) == pytest.approx((100, 75))
    tall = picture(str(portrait), 200, 60)
    assert tall.wrap(500, 500) == pytest.approx((80, 60))


def test_a_bad_flyer_writes_nothing_and_keeps_the_old_file(handouts, sanshi_id, tmp_path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    out = tmp_path / "flyer.pdf"
    out.write_bytes(b"old")
    bad = tmp_path / "photo.png"
    bad.write_text("not a picture", encoding="utf-8")
    content = handouts.flyer_from_meeting(sanshi_id)
    for wrong, field in ((replace(content, image_path=str(bad)), "PNG か JPEG"),
                         (replace(content, qr_url="city.kamaishi.jp"), "http://"),
                         (replace(content, title=""), "題名")):
        with pytest.raises(ValidationError) as err:
            handouts.write_flyer(wrong, FlyerStyle("leaflet"), out)
        assert field in err.value.message
    with pytest.raises(ValidationError):
        handouts.write_flyer(content, FlyerStyle("leaflet", colour="gold"), out)
    assert out.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["flyer.pdf", "photo.png"]
