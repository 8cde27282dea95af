"""和暦 (Japanese era) formatting, fiscal years and date parsing."""

from __future__ import annotations

import datetime as dt
import re

from .text import nfkc

WEEKDAYS = "月火水木金土日"

# (start date, era name); newest first.
_ERAS: tuple[tuple[dt.date, str], ...] = (
    (dt.date(2019, 5, 1), "令和"),
    (dt.date(1989, 1, 8), "平成"),
    (dt.date(1926, 12, 25), "昭和"),
    (dt.date(1912, 7, 30), "大正"),
    (dt.date(1868, 1, 25), "明治"),
)
_ERA_START = {name: start for start, name in _ERAS}


def era_of(day: dt.date) -> tuple[str, int]:
    for start, name in _ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    return "", day.year


def format_wareki(day: dt.date | None, *, weekday: bool = True) -> str:
    """2026-12-05 → '令和8年12月5日（土）'; year 1 is written 元年."""
    if day is None:
        return ""
    era, year = era_of(day)
    year_text = "元" if year == 1 else str(year)
    text = f"{era}{year_text}年{day.month}月{day.day}日"
    if weekday:
        text += f"（{WEEKDAYS[day.weekday()]}）"
    return text


def format_seireki(day: dt.date | None, *, weekday: bool = False) -> str:
    if day is None:
        return ""
    text = day.strftime("%Y/%m/%d")
    if weekday:
        text += f"（{WEEKDAYS[day.weekday()]}）"
    return text


def format_date(day: dt.date | None, style: str = "wareki", *, weekday: bool = True) -> str:
    if style == "seireki":
        return format_seireki(day, weekday=weekday)
    return format_wareki(day, weekday=weekday)


def fiscal_year(day: dt.date) -> int:
    """Japanese fiscal year (April to March), named by its starting calendar year."""
    return day.year if day.month >= 4 else day.year - 1


_WAREKI_RE = re.compile(r"^(令和|平成|昭和|大正|明治|[RHSTM])\s*(元|\d{1,2})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?$")
_LETTER_ERA = {"R": "令和", "H": "平成", "S": "昭和", "T": "大正", "M": "明治"}


def parse_date(value: object) -> dt.date | None:
    """Parse what an office worker types or what Excel stores as a date.

    Accepts date/datetime objects, ISO '2026-12-05', '2026/12/5', '2026年12月5日',
    '令和8年12月5日', 'R8.12.5'. Returns None for empty input; raises ValueError
    with a Japanese message for anything else.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = nfkc(str(value)).strip()
    if not text:
        return None
    text = re.sub(r"[（(][月火水木金土日][)）]$", "", text).strip()
    text = text.upper() if re.match(r"^[rhstm]\d", text) else text
    m = _WAREKI_RE.match(text)
    try:
        if m:
            era = _LETTER_ERA.get(m.group(1), m.group(1))
            year = 1 if m.group(2) == "元" else int(m.group(2))
            start = _ERA_START[era]
            result = dt.date(start.year + year - 1, int(m.group(3)), int(m.group(4)))
            if result < start:
                raise ValueError
            return result
        m = re.match(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$", text)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = re.match(r"^(\d{4})(\d{2})(\d{2})$", text)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        pass
    raise ValueError(f"日付「{value}」を読み取れません（例：2026/12/05 または 令和8年12月5日）")
