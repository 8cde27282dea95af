"""The flyer's and the pamphlet's content rules (domain/handouts.py): Japanese messages, the palette,
the target by layer and the pamphlet's default text."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields, replace
from pathlib import Path

import pytest

from zaitaku_desktop.domain.errors import ValidationError
from zaitaku_desktop.domain.handouts import (
    APPLY_HOWS, LAYOUTS, PALETTE, PAMPHLET_HEADINGS, FlyerContent, FlyerStyle, PamphletText, check_flyer,
    check_pamphlet, colour_key, default_target, flyer_issues,
)
from zaitaku_desktop.domain.meetings import MEETING_LAYERS

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 16


def _messages(content: FlyerContent, style: FlyerStyle | None = None) -> dict[str, str]:
    return {i.field: i.message for i in flyer_issues(content, style)}


def test_a_plain_flyer_passes_and_the_title_is_required() -> None:
    content = FlyerContent(title="在宅医療を知ろう", date=dt.date(2026, 5, 20), start_time="13:30", end_time="15:00")
    assert flyer_issues(content, FlyerStyle()) == []
    assert content.when_times() == "13:30〜15:00"
    assert replace(content, end_time=None).when_times() == "13:30〜"
    assert replace(content, start_time=None).when_times() == ""
    with pytest.raises(ValidationError) as err:
        check_flyer(replace(content, title="　 "))
    assert "講座の題名を入力してください" in err.value.message


@pytest.mark.parametrize("url, ok", [
    ("https://www.city.kamaishi.iwate.jp/", True), ("http://example.jp/a?b=1", True),
    ("www.city.kamaishi.iwate.jp", False), ("ftp://example.jp/", False), ("javascript:alert(1)", False),
    ("https://", False), ("https://example.jp/a b", False), ("https://example.jp/" + "a" * 500, False),
])
def test_the_qr_url_must_be_http_or_https(url: str, ok: bool) -> None:
    found = _messages(FlyerContent(title="講座", qr_url=url))
    assert ("qr_url" not in found) is ok
    if not ok:
        assert "QRコードのアドレス" in found["qr_url"]


def test_the_image_must_exist_and_be_png_or_jpeg_by_its_content(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(PNG)
    (tmp_path / "b.jpg").write_bytes(JPEG)
    (tmp_path / "fake.png").write_text("not an image", encoding="utf-8")
    (tmp_path / "c.gif").write_bytes(b"GIF89a" + b"\0" * 10)
    assert "image_path" not in _messages(FlyerContent(title="講座", image_path=str(tmp_path / "a.png")))
    assert "image_path" not in _messages(FlyerContent(title="講座", image_path=str(tmp_path / "b.jpg")))
    assert _messages(FlyerContent(title="講座", image_path=str(tmp_path / "none.png")))["image_path"] == \
        "画像ファイルが見つかりません：none.png"
    for name in ("fake.png", "c.gif"):
        assert "PNG か JPEG" in _messages(FlyerContent(title="講座", image_path=str(tmp_path / name)))["image_path"]
    assert "見つかりません" in _messages(FlyerContent(title="講座", image_path=str(tmp_path)))["image_path"]  # a folder


def test_how_to_apply_needs_a_number_and_a_slip_without_application_is_a_warning() -> None:
    assert APPLY_HOWS == ("不要", "電話", "FAX")
    assert _messages(FlyerContent(title="講座", apply_how="FAX"))["apply_contact"] == "申込先のFAX番号を入力してください"
    assert "apply_contact" not in _messages(FlyerContent(title="講座", apply_how="電話", contact="0193-22-0000"))
    assert "申込方法" in _messages(FlyerContent(title="講座", apply_how="メール"))["apply_how"]
    warnings = check_flyer(FlyerContent(title="講座", tear_off=True))  # warns, does not raise
    assert [(w.field, w.severity) for w in warnings] == [("tear_off", "warning")]


def test_style_choices_and_the_palette() -> None:
    assert set(LAYOUTS) == {"poster", "leaflet", "notice"} and len(PALETTE) >= 4
    found = _messages(FlyerContent(title="講座"), FlyerStyle(layout="zine", colour="pink", paper="B5"))
    assert set(found) == {"layout", "colour", "paper"}
    assert "紺" in found["colour"] and "A3" in found["paper"] and "ポスター" in found["layout"]
    assert colour_key("緑") == "green" and colour_key(" Navy ") == "navy" and colour_key("pink") is None
    for name, hex_ in PALETTE.values():  # dark enough to carry white type (relative luminance)
        r, g, b = (int(hex_[i:i + 2], 16) / 255 for i in (1, 3, 5))
        assert 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.45, name


def test_default_target_follows_the_layer() -> None:
    assert default_target("住民向け") == "どなたでも"
    assert default_target("二次") != "どなたでも"
    assert all(default_target(layer) for layer in MEETING_LAYERS) and default_target("?") == "どなたでも"


def test_the_pamphlet_has_friendly_default_text_for_every_block() -> None:
    text = PamphletText()
    names = [f.name for f in fields(PamphletText)]
    assert names == list(PAMPHLET_HEADINGS)
    blocks = text.blocks()
    assert [b[0] for b in blocks] == names and all(b[2] for b in blocks if b[0] != "issuer")
    assert "訪問診療" in text.what_is and "往診" in text.what_is
    for role in ("かかりつけ医", "訪問看護", "薬", "ケアマネジャー"):
        assert role in text.team
    assert check_pamphlet(text) == []
    with pytest.raises(ValidationError) as err:
        check_pamphlet(replace(text, title=""))
    assert "表紙の題名" in err.value.message
    assert [w.field for w in check_pamphlet(replace(text, can_do=" "))] == ["can_do"]
