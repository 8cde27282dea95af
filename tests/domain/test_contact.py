"""Phone/FAX, postal code, e-mail, URL and coordinate checks (OPEN_DATA.md §3.4, §3.5)."""

from __future__ import annotations

import math

import pytest

from zaitaku_desktop.domain.contact import (
    email_issue, normalise_postal, parse_coordinate, phone_digits, phone_is_valid, phone_issue,
    postal_issue, url_issue,
)


@pytest.mark.parametrize(("raw", "digits"), [
    ("0193-22-1234", "0193221234"),        # 0XXX-XX-XXXX
    ("03-1234-5678", "0312345678"),        # 0X-XXXX-XXXX
    ("019-322-1234", "0193221234"),        # 0XX-XXX-XXXX
    ("01977-2-1234", "0197721234"),        # 0XXXX-X-XXXX
    ("0193221234", "0193221234"),          # undashed
    ("０１９３－２２－１２３４", "0193221234"),  # full-width digits and dashes
    ("0193‐22‐1234", "0193221234"),        # U+2010
    ("0193−22−1234", "0193221234"),        # minus sign
    ("0193ー22ー1234", "0193221234"),      # katakana long vowel mark
    ("0193ｰ22ｰ1234", "0193221234"),        # half-width long vowel mark
    ("0193₋22₋1234", "0193221234"),        # subscript minus
    ("0193⁻22⁻1234", "0193221234"),        # superscript minus
    ("（0193）22-1234", "0193221234"),     # bracketed area code
    ("(0193) 22 1234", "0193221234"),
    ("050-1234-5678", "05012345678"),      # IP phone
    ("0120-123-456", "0120123456"),        # free dial, 10 digits
    ("0800-123-4567", "08001234567"),      # free dial, 11 digits
    ("090-1234-5678", "09012345678"),      # mobile
    ("080-1234-5678", "08012345678"),
    ("070-1234-5678", "07012345678"),
    ("060-1234-5678", "06012345678"),      # mobile from 2026
    ("020-1234-5678", "02012345678"),      # M2M
    ("0570-123-456", "0570123456"),        # navi dial
])
def test_valid_phone_numbers(raw: str, digits: str) -> None:
    assert phone_digits(raw) == digits
    assert phone_is_valid(raw)
    assert phone_issue(raw) is None


@pytest.mark.parametrize("raw", [
    "非公開",
    "（仮設）0247-82-5",
    "0193-22-123",       # 9 digits
    "0193-22-12345",     # 11 digits but not a mobile/IP/free-dial prefix
    "1193-22-1234",      # no leading 0
    "0120-123-4567",     # 0120 is 10 digits only
    "040-1234-5678",     # 11 digits, 040 is not a mobile prefix
    "0193-22-1234 内線5",
])
def test_invalid_phone_numbers_are_flagged_but_kept(raw: str) -> None:
    assert not phone_is_valid(raw)
    message = phone_issue(raw, "FAX番号")
    assert message is not None
    assert raw.strip() in message  # the typed text is quoted back, not thrown away
    assert message.startswith("FAX番号")
    assert "そのまま保存" in message


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_empty_phone_is_not_an_issue(empty: str | None) -> None:
    assert phone_issue(empty) is None
    assert not phone_is_valid(empty)
    assert phone_digits(empty) == ""


# --- postal codes ----------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("〒０２６－００２５", "026-0025"),
    ("026-0025", "026-0025"),
    ("0260025", "026-0025"),
    ("〒026-0025", "026-0025"),
    ("〒 026ー0025 ", "026-0025"),
    ("０２６ｰ００２５", "026-0025"),
    ("026‐0025", "026-0025"),
])
def test_postal_codes_normalise(raw: str, expected: str) -> None:
    assert normalise_postal(raw) == expected
    assert postal_issue(raw) is None


@pytest.mark.parametrize("raw", ["026-002", "02600255", "026-00a5", "岩手県", "26-0025"])
def test_bad_postal_codes(raw: str) -> None:
    assert normalise_postal(raw) == raw.strip()  # kept as typed
    message = postal_issue(raw)
    assert message is not None and raw in message and "7桁" in message


def test_empty_postal_code() -> None:
    assert normalise_postal("") == ""
    assert normalise_postal(None) == ""
    assert postal_issue("") is None
    assert postal_issue("  ") is None


# --- e-mail and URL ----------------------------------------------------------------

@pytest.mark.parametrize("raw", ["info@example.jp", "a.b+c@kamaishi.example.lg.jp", "ｉｎｆｏ＠ｅｘａｍｐｌｅ．ｊｐ"])
def test_good_email(raw: str) -> None:
    assert email_issue(raw) is None


@pytest.mark.parametrize("raw", ["info", "info@example", "@example.jp", "in fo@example.jp", "a@@example.jp"])
def test_bad_email(raw: str) -> None:
    message = email_issue(raw)
    assert message is not None and raw in message


@pytest.mark.parametrize("raw", ["https://example.jp/", "http://www.city.kamaishi.iwate.jp/index.html",
                                 " https://example.jp "])
def test_good_url(raw: str) -> None:
    assert url_issue(raw) is None


@pytest.mark.parametrize("raw", ["example.jp", "www.example.jp", "ftp://example.jp", "https://", "http://localhost",
                                 "javascript:alert(1)"])
def test_bad_url(raw: str) -> None:
    message = url_issue(raw)
    assert message is not None and "http" in message


def test_empty_email_and_url_are_fine() -> None:
    assert email_issue("") is None and email_issue(None) is None
    assert url_issue("") is None and url_issue(None) is None


# --- coordinates --------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "kind", "value"), [
    ("39.2755", "lat", 39.2755),
    ("１４１．８８５", "lon", 141.885),
    (39.2755, "lat", 39.2755),
    (-90, "lat", -90.0),
    ("180", "lon", 180.0),
    (" -33.9 ", "lat", -33.9),
])
def test_coordinates_in_range(raw: object, kind: str, value: float) -> None:
    parsed, issue = parse_coordinate(raw, kind=kind)  # type: ignore[arg-type]
    assert issue is None
    assert parsed == pytest.approx(value)


@pytest.mark.parametrize(("raw", "kind", "label"), [
    ("90.0001", "lat", "緯度"),
    (-91, "lat", "緯度"),
    ("181", "lon", "経度"),
    (-180.5, "lon", "経度"),
    ("nan", "lat", "緯度"),
    ("NaN", "lon", "経度"),
    (math.nan, "lat", "緯度"),
    ("inf", "lon", "経度"),
])
def test_coordinates_out_of_range_or_nan(raw: object, kind: str, label: str) -> None:
    parsed, issue = parse_coordinate(raw, kind=kind)  # type: ignore[arg-type]
    assert parsed is None
    assert issue is not None and issue.startswith(label) and "範囲" in issue


def test_coordinate_text_that_is_not_a_number() -> None:
    parsed, issue = parse_coordinate("北緯39度", kind="lat")
    assert parsed is None
    assert issue is not None and "数値" in issue and "北緯39度" in issue


@pytest.mark.parametrize("missing", [None, "", "  ", 0, 0.0, "0", "0.0", "０"])
def test_zero_and_empty_coordinates_mean_missing(missing: object) -> None:
    assert parse_coordinate(missing, kind="lat") == (None, None)  # type: ignore[arg-type]
    assert parse_coordinate(missing, kind="lon") == (None, None)  # type: ignore[arg-type]
