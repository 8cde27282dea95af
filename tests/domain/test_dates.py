"""和暦 formatting, date parsing and fiscal years."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zaitaku_desktop.domain.dates import (
    era_of, fiscal_year, format_date, format_seireki, format_wareki, parse_date,
)

HEISEI_ON = st.dates(min_value=dt.date(1989, 1, 8), max_value=dt.date(2100, 12, 31))


@pytest.mark.parametrize(("day", "text"), [
    (dt.date(2026, 12, 5), "令和8年12月5日（土）"),
    (dt.date(2019, 5, 1), "令和元年5月1日（水）"),
    (dt.date(2019, 4, 30), "平成31年4月30日（火）"),
    (dt.date(1989, 1, 8), "平成元年1月8日（日）"),
    (dt.date(1989, 1, 7), "昭和64年1月7日（土）"),
    (dt.date(2020, 1, 1), "令和2年1月1日（水）"),
])
def test_format_wareki(day: dt.date, text: str) -> None:
    assert format_wareki(day) == text


def test_format_wareki_without_weekday_and_empty() -> None:
    assert format_wareki(dt.date(2026, 12, 5), weekday=False) == "令和8年12月5日"
    assert format_wareki(None) == ""


def test_format_seireki_and_format_date() -> None:
    day = dt.date(2026, 12, 5)
    assert format_seireki(day) == "2026/12/05"
    assert format_seireki(day, weekday=True) == "2026/12/05（土）"
    assert format_seireki(None) == ""
    assert format_date(day, "seireki", weekday=False) == "2026/12/05"
    assert format_date(day) == "令和8年12月5日（土）"


def test_era_of_boundaries() -> None:
    assert era_of(dt.date(2019, 4, 30)) == ("平成", 31)
    assert era_of(dt.date(2019, 5, 1)) == ("令和", 1)
    assert era_of(dt.date(1926, 12, 25)) == ("昭和", 1)
    assert era_of(dt.date(1926, 12, 24)) == ("大正", 15)


@pytest.mark.parametrize("text", [
    "2026/12/5", "2026/12/05", "2026-12-05", "2026年12月5日", "2026.12.5", "20261205",
    "令和8年12月5日", "令和8年12月5日（土）", "令和８年１２月５日", "R8.12.5", "r8.12.5", "Ｒ８．１２．５",
    "R8/12/5", "2026-12-05 10:30", "2026/12/5 9:05:00", " 2026/12/5 ",
])
def test_parse_date_accepts_what_offices_type(text: str) -> None:
    assert parse_date(text) == dt.date(2026, 12, 5)


def test_parse_date_gannen_and_heisei_letters() -> None:
    assert parse_date("令和元年5月1日") == dt.date(2019, 5, 1)
    assert parse_date("H31.4.30") == dt.date(2019, 4, 30)
    assert parse_date("平成元年1月8日") == dt.date(1989, 1, 8)


def test_parse_date_accepts_excel_values() -> None:
    assert parse_date(dt.datetime(2026, 12, 5, 0, 0)) == dt.date(2026, 12, 5)
    assert parse_date(dt.datetime(2026, 12, 5, 13, 45, 10)) == dt.date(2026, 12, 5)
    assert parse_date(dt.date(2026, 12, 5)) == dt.date(2026, 12, 5)
    assert type(parse_date(dt.datetime(2026, 12, 5))) is dt.date


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_parse_date_empty_is_none(empty: object) -> None:
    assert parse_date(empty) is None


@pytest.mark.parametrize("bad", [
    "2026/13/40", "abc", "2026/2/30", "令和8年13月1日", "R0.1.1", "令和1年4月30日", "平成元年1月7日",
    "12/5", "2026/12", "X8.12.5",
])
def test_parse_date_rejects_with_japanese_message(bad: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_date(bad)
    message = str(info.value)
    assert f"日付「{bad}」を読み取れません" in message
    assert "令和8年12月5日" in message  # an example of what works


@given(HEISEI_ON, st.booleans())
def test_wareki_round_trip(day: dt.date, weekday: bool) -> None:
    assert parse_date(format_wareki(day, weekday=weekday)) == day


@given(HEISEI_ON)
def test_seireki_round_trip(day: dt.date) -> None:
    assert parse_date(format_seireki(day)) == day
    assert parse_date(format_seireki(day, weekday=True)) == day
    assert parse_date(day.isoformat()) == day


@given(HEISEI_ON)
def test_letter_era_round_trip(day: dt.date) -> None:
    era, year = era_of(day)
    letter = {"令和": "R", "平成": "H"}[era]
    assert parse_date(f"{letter}{year}.{day.month}.{day.day}") == day


@pytest.mark.parametrize(("day", "year"), [
    (dt.date(2026, 4, 1), 2026),
    (dt.date(2027, 3, 31), 2026),
    (dt.date(2026, 3, 31), 2025),
    (dt.date(2026, 12, 5), 2026),
    (dt.date(2027, 1, 1), 2026),
])
def test_fiscal_year(day: dt.date, year: int) -> None:
    assert fiscal_year(day) == year


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_fiscal_year_starts_in_april(day: dt.date) -> None:
    fy = fiscal_year(day)
    assert dt.date(fy, 4, 1) <= day <= dt.date(fy + 1, 3, 31)
