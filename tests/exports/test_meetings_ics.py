"""Meetings as iCalendar: parsed back with icalendar, as Outlook and Google would read them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from icalendar import Calendar

from zaitaku_desktop.exports.atomic import FileWriteError
from zaitaku_desktop.exports.meetings_ics import write_ics
from zaitaku_desktop.exports.meetings_xlsx import gather_calendar

from test_meetings_xlsx import JUNE, make_meetings

UTC = dt.timezone.utc


@pytest.fixture
def made(services):
    return make_meetings(services)


def _export(services, out: Path, **choice) -> tuple[Calendar, dict[str, object]]:
    rows, addresses, agendas = gather_calendar(services.meetings, **choice)
    assert write_ics(rows, out, addresses=addresses, agendas=agendas) == len(rows)
    cal = Calendar.from_ical(out.read_bytes())
    return cal, {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_period_calendar_events_times_and_cancelled(services, made, tmp_path: Path) -> None:
    out = tmp_path / "会議.ics"
    cal, events = _export(services, out, **JUNE)
    assert str(cal["version"]) == "2.0" and "zaitaku-desktop" in str(cal["prodid"])
    assert str(cal["x-wr-calname"]) == "在宅医療・介護連携 会議・研修"
    assert not cal.walk("VTIMEZONE")
    assert set(events) == {f"{m.id}@zaitaku-desktop" for m in (made.training, made.lecture, made.cancelled)}

    training = events[f"{made.training.id}@zaitaku-desktop"]
    # 18:30–20:00 in Japan is 09:30–11:00 UTC.
    assert training.decoded("dtstart") == dt.datetime(2026, 6, 3, 9, 30, tzinfo=UTC)
    assert training.decoded("dtend") == dt.datetime(2026, 6, 3, 11, 0, tzinfo=UTC)
    assert str(training["summary"]) == "多職種連携研修会"
    assert str(training["location"]) == "市民ホール　岩手県釜石市只越町3-9-13"
    description = str(training["description"])
    assert "種類：研修会" in description and "主催：薬剤師会" in description
    assert "2. 講義「薬剤師の在宅訪問」" in description
    assert str(training["status"]) == "CONFIRMED" and isinstance(training.decoded("dtstamp"), dt.datetime)

    lecture = events[f"{made.lecture.id}@zaitaku-desktop"]  # no start time: an all-day event
    assert lecture.decoded("dtstart") == dt.date(2026, 6, 20) and lecture.decoded("dtend") == dt.date(2026, 6, 21)
    assert str(lecture["status"]) == "TENTATIVE" and "location" not in lecture

    cancelled = events[f"{made.cancelled.id}@zaitaku-desktop"]
    assert str(cancelled["status"]) == "CANCELLED" and str(cancelled["summary"]).startswith("【中止】")
    start = cancelled.decoded("dtstart")
    assert start == dt.datetime(2026, 6, 25, 1, 0, tzinfo=UTC)
    assert cancelled.decoded("dtend") - start == dt.timedelta(hours=1)  # no end time: one hour

    raw = out.read_bytes()
    assert b"DTSTART;VALUE=DATE:20260620\r\n" in raw and b"DTSTART:20260603T093000Z\r\n" in raw
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.count(b"\r\n") == raw.count(b"\n")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 75  # folded lines, as RFC 5545 asks


def test_one_meeting_and_stable_uids(services, made, tmp_path: Path) -> None:
    _, first = _export(services, tmp_path / "a.ics", meeting_id=made.training.id)
    _, again = _export(services, tmp_path / "b.ics", meeting_id=made.training.id)
    assert list(first) == list(again) == [f"{made.training.id}@zaitaku-desktop"]
    with pytest.raises(FileWriteError):
        _export(services, tmp_path / "missing" / "c.ics", meeting_id=made.training.id)
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".ics") == ["a.ics", "b.ics"]
