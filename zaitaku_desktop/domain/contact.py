"""Validation of phone/FAX numbers, postal codes, e-mail, URL and coordinates.

Phone and FAX follow the office rule: keep what was typed, flag what is not a number.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from .text import dash_to_hyphen, nfkc

_PHONE_DIGITS_RE = re.compile(r"^(0\d{9}|0[5-9]0\d{8}|0800\d{7}|020\d{8})$")
_POSTAL_RE = re.compile(r"^\d{3}-?\d{4}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def phone_digits(raw: str | None) -> str:
    """Digits of a phone number after NFKC and removing dashes, brackets and spaces."""
    if not raw:
        return ""
    text = raw
    for _ in range(3):  # removing a dash can leave a pair that NFKC composes (R + combining cedilla): repeat
        cleaned = re.sub(r"[\s\-()（）]", "", dash_to_hyphen(nfkc(text)))
        if cleaned == text:
            break
        text = cleaned
    return text


def phone_is_valid(raw: str | None) -> bool:
    digits = phone_digits(raw)
    return bool(_PHONE_DIGITS_RE.match(digits))


def phone_issue(raw: str | None, label: str = "電話番号") -> str | None:
    if not raw or not raw.strip():
        return None
    if phone_is_valid(raw):
        return None
    return f"{label}「{raw.strip()}」は電話番号の形ではありません（そのまま保存します）"


def normalise_postal(raw: str | None) -> str:
    """'〒０２６－００２５' → '026-0025'; anything else is returned stripped."""
    if not raw:
        return ""
    text = dash_to_hyphen(nfkc(raw)).replace("〒", "").strip()
    text = re.sub(r"\s", "", text)
    if _POSTAL_RE.match(text):
        digits = text.replace("-", "")
        return f"{digits[:3]}-{digits[3:]}"
    return raw.strip()


def postal_issue(raw: str | None) -> str | None:
    if not raw or not raw.strip():
        return None
    text = normalise_postal(raw)
    if re.fullmatch(r"\d{3}-\d{4}", text):
        return None
    return f"郵便番号「{raw.strip()}」は7桁の数字で入力してください（例：026-0025）"


def email_issue(raw: str | None) -> str | None:
    if not raw or not raw.strip():
        return None
    if _EMAIL_RE.match(nfkc(raw).strip()):
        return None
    return f"メールアドレス「{raw.strip()}」の形が正しくありません（例：info@example.jp）"


def url_issue(raw: str | None) -> str | None:
    if not raw or not raw.strip():
        return None
    parsed = urlparse(nfkc(raw).strip())
    if parsed.scheme in ("http", "https") and parsed.netloc and "." in parsed.netloc:
        return None
    return f"URL「{raw.strip()}」は http:// または https:// で始まるアドレスを入力してください"


def parse_coordinate(raw: str | float | None, *, kind: str) -> tuple[float | None, str | None]:
    """Parse a latitude ('lat') or longitude ('lon'). Returns (value, issue)."""
    label = "緯度" if kind == "lat" else "経度"
    if raw is None:
        return None, None
    if isinstance(raw, (int, float)):
        value = float(raw)
    else:
        text = nfkc(raw).strip()
        if not text:
            return None, None
        try:
            value = float(text)
        except ValueError:
            return None, f"{label}「{raw}」は数値で入力してください（例：39.2755）"
    limit = 90.0 if kind == "lat" else 180.0
    if value != value or not -limit <= value <= limit:  # NaN or out of range
        return None, f"{label}は -{limit:g}〜{limit:g} の範囲で入力してください（入力：{raw}）"
    if value == 0.0:
        return None, None  # open data uses 0 for "unknown"
    return value, None
