"""Official Japanese codes: 全国地方公共団体コード and 法人番号 check digits."""

from __future__ import annotations

import re

from .text import nfkc


def lg_check_digit(first5: str) -> int:
    """Check digit of a 全国地方公共団体コード from its first five digits.

    s = 6·d1 + 5·d2 + 4·d3 + 3·d4 + 2·d5; digit = (11 − s mod 11) mod 10.
    """
    if not re.fullmatch(r"\d{5}", first5):
        raise ValueError("5桁の数字が必要です")
    s = sum(w * int(d) for w, d in zip((6, 5, 4, 3, 2), first5))
    return (11 - s % 11) % 10


def lg_code_issue(code: str) -> str | None:
    """Return a Japanese message when ``code`` is not a valid 6-digit code, else None."""
    text = nfkc(code or "").strip()
    if not re.fullmatch(r"\d{6}", text):
        return "団体コードは6桁の数字で入力してください（例：032115）"
    expected = lg_check_digit(text[:5])
    if int(text[5]) != expected:
        return f"団体コード {text} の検査数字が合いません（正しくは {text[:5]}{expected}）"
    return None


def complete_lg_code(code: str) -> str:
    """Accept a 5-digit code and add its check digit; return a 6-digit code unchanged."""
    text = nfkc(code or "").strip()
    if re.fullmatch(r"\d{5}", text):
        return text + str(lg_check_digit(text))
    return text


def corporate_number_ok(number: str) -> bool:
    """法人番号 (13 digits): the first digit checks the 12 that follow it."""
    text = nfkc(number or "").strip()
    if not re.fullmatch(r"\d{13}", text):
        return False
    base = text[1:]
    total = 0
    for n, ch in enumerate(reversed(base), start=1):
        total += int(ch) * (1 if n % 2 else 2)
    return int(text[0]) == 9 - total % 9
