"""Meeting rules: recurrence expansion, times, clash warnings, person keys."""

from __future__ import annotations

import datetime as dt

import pytest

from zaitaku_desktop.domain.meetings import (
    MEETING_TYPES, MeetingInput, RecurrenceRule, Slot, clash_warnings, clean_tasks, describe_rule, expand,
    overlaps, parse_time, person_key, rule_issues, validate_meeting,
)

D = dt.date


def test_weekly_series_held_34_times() -> None:
    dates = expand(RecurrenceRule("weekly", count=34), D(2026, 4, 2))
    assert len(dates) == 34
    assert dates[0] == D(2026, 4, 2) and dates[-1] == D(2026, 4, 2) + dt.timedelta(weeks=33)
    assert all(d.weekday() == 3 for d in dates)


def test_weekly_on_two_weekdays_every_other_week() -> None:
    dates = expand(RecurrenceRule("weekly", interval=2, weekdays=(0, 3), count=4), D(2026, 4, 2))
    # Starts on Thursday: the Monday before the start is skipped.
    assert dates == [D(2026, 4, 2), D(2026, 4, 13), D(2026, 4, 16), D(2026, 4, 27)]


def test_monthly_third_thursday() -> None:
    dates = expand(RecurrenceRule("monthly", month_week=3, month_weekday=3, count=12), D(2026, 4, 1))
    assert dates[:3] == [D(2026, 4, 16), D(2026, 5, 21), D(2026, 6, 18)]
    assert len(dates) == 12 and all(d.weekday() == 3 and 15 <= d.day <= 21 for d in dates)


def test_monthly_last_weekday_and_day_of_month() -> None:
    last_fri = expand(RecurrenceRule("monthly", month_week=-1, month_weekday=4, count=2), D(2026, 1, 1))
    assert last_fri == [D(2026, 1, 30), D(2026, 2, 27)]
    # The 31st only in months that have one.
    day31 = expand(RecurrenceRule("monthly", month_day=31, until=D(2026, 5, 31)), D(2026, 1, 1))
    assert day31 == [D(2026, 1, 31), D(2026, 3, 31), D(2026, 5, 31)]


def test_until_date_is_inclusive() -> None:
    dates = expand(RecurrenceRule("weekly", until=D(2026, 4, 30)), D(2026, 4, 2))
    assert dates == [D(2026, 4, 2), D(2026, 4, 9), D(2026, 4, 16), D(2026, 4, 23), D(2026, 4, 30)]


def test_rule_needs_an_end_and_valid_parts() -> None:
    fields = {i.field for i in rule_issues(RecurrenceRule("daily"))}
    assert {"freq", "until"} <= fields
    assert rule_issues(RecurrenceRule("monthly", month_week=6, month_weekday=3, count=2))
    assert describe_rule(RecurrenceRule("monthly", month_week=3, month_weekday=3, count=12)) == "毎月第3木曜日・12回"


def test_times_and_validation() -> None:
    assert parse_time("９：３０") == "09:30" and parse_time("18:45") == "18:45" and parse_time("") is None
    with pytest.raises(ValueError):
        parse_time("25:00")
    clean, issues = validate_meeting(MeetingInput(title=" 研修会 ", type_id=None, date="2015/03/05",
                                                  start_time="18:45", end_time="20:30"))
    assert clean is not None and not issues and clean.title == "研修会" and clean.date == D(2015, 3, 5)
    clean, issues = validate_meeting(MeetingInput(title="", type_id=None, date="x", start_time="20:00",
                                                  end_time="19:00", status="未定", organiser_kind="団体"))
    assert clean is None
    assert {i.field for i in issues} >= {"title", "date", "status"}


def test_seeded_kinds_and_tasks() -> None:
    names = [t.name for t in MEETING_TYPES]
    for kind in ("打ち合わせ会", "同行訪問研修", "顔の見える関係会議", "WG", "出前講座"):
        assert kind in names
    assert clean_tasks("カイイx") == "イカ"


def _slot(mid: str, start: str | None, end: str | None, *, venue: str | None = "v1",
          assoc: frozenset[str] = frozenset(), day: dt.date = D(2026, 6, 3), status: str = "計画中") -> Slot:
    return Slot(mid, f"会議{mid}", day, start, end, venue, assoc, status)


def test_overlap_rules() -> None:
    assert overlaps(_slot("a", "18:00", "19:00"), _slot("b", "18:30", "20:00"))
    assert not overlaps(_slot("a", "18:00", "19:00"), _slot("b", "19:00", "20:00"))
    assert overlaps(_slot("a", None, None), _slot("b", "10:00", "11:00"))  # no time = the whole day
    assert not overlaps(_slot("a", "18:00", "19:00"), _slot("b", "18:00", "19:00", day=D(2026, 6, 4)))


def test_clash_warnings() -> None:
    target = _slot("a", "18:00", "20:00", assoc=frozenset({"x"}))
    others = [_slot("b", "19:00", "21:00", assoc=frozenset({"x", "y"})),
              _slot("c", "19:00", "21:00", status="中止")]
    warnings = clash_warnings(target, others, holiday_name=None, venue_name="市民ホール", venue_capacity=50,
                              registered=60, association_names={"x": "薬剤師会"})
    kinds = [w.kind for w in warnings]
    assert kinds == ["venue", "association", "capacity"]
    assert "薬剤師会" in warnings[1].message and warnings[0].other_meeting_id == "b"
    sunday = _slot("s", "10:00", "11:00", day=D(2026, 6, 7))
    assert [w.kind for w in clash_warnings(sunday, [], holiday_name=None)] == ["weekend"]
    assert [w.kind for w in clash_warnings(sunday, [], holiday_name="海の日")] == ["holiday"]


def test_person_key_folds_width_kana_and_spaces() -> None:
    assert person_key("山田　太郎", "ｶﾏｲｼ薬局") == person_key("山田太郎", "かまいし薬局")
    assert person_key("山田太郎", "A病院") != person_key("山田太郎", "B病院")
