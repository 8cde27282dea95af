"""Meetings as an iCalendar file (.ics) that Outlook and Google Calendar import.

Pure: it takes the service's MeetingRow shapes (plus venue addresses and agendas) and writes them.

Times: the meetings are held in Japan, so their local times are converted to UTC and written with
``Z``. UTC needs no VTIMEZONE block, and both Outlook (which mishandles a TZID without its
VTIMEZONE) and Google (which reads floating times in the calendar's own zone, wrong for a
colleague abroad or a calendar left in UTC) place a UTC time correctly and show it in the
reader's zone. Japan has no daylight saving, so the fixed +9 h offset is exact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from icalendar import Calendar, Event

from .atomic import write_atomically

JST = dt.timezone(dt.timedelta(hours=9), "JST")
PRODID = "-//zaitaku-desktop//在宅医療・介護連携 会議・研修//JA"
CALENDAR_NAME = "在宅医療・介護連携 会議・研修"
UID_DOMAIN = "zaitaku-desktop"
CANCELLED = "中止"
PLANNED = ("計画中", "延期")
NO_END_MINUTES = 60  # a meeting with a start time but no end time: one hour, a calendar's usual slot


def uid_for(meeting_id: str) -> str:
    """The same meeting gets the same UID in every export, so a re-import updates it instead of doubling."""
    return f"{meeting_id}@{UID_DOMAIN}"


def build_calendar(rows: Sequence[Any], *, addresses: Mapping[str, str] | None = None,
                   agendas: Mapping[str, str] | None = None, name: str = CALENDAR_NAME,
                   stamp: dt.datetime | None = None) -> Calendar:
    """One VEVENT per row; ``addresses`` maps venue id → address, ``agendas`` meeting id → agenda text."""
    addresses = addresses or {}
    agendas = agendas or {}
    stamp = (stamp or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Tokyo")
    for row in rows:
        cal.add_component(_event(row, addresses.get(row.venue_id or "", ""), agendas.get(row.id, ""), stamp))
    return cal


def write_ics(rows: Sequence[Any], out: Path, *, addresses: Mapping[str, str] | None = None,
              agendas: Mapping[str, str] | None = None, name: str = CALENDAR_NAME,
              stamp: dt.datetime | None = None) -> int:
    """Write the rows' events to ``out`` atomically; returns the number of events."""
    data = build_calendar(rows, addresses=addresses, agendas=agendas, name=name, stamp=stamp).to_ical()
    write_atomically(Path(out), lambda handle: handle.write(data))
    return len(rows)


def _event(row: Any, address: str, agenda: str, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", uid_for(row.id))
    event.add("dtstamp", stamp)
    if row.start_time:
        start = _utc(row.date, row.start_time)
        end = _utc(row.date, row.end_time) if row.end_time else start + dt.timedelta(minutes=NO_END_MINUTES)
        event.add("dtstart", start)
        event.add("dtend", max(end, start))
    else:  # no start time: an all-day event (DTEND is the next day, exclusive)
        event.add("dtstart", row.date)
        event.add("dtend", row.date + dt.timedelta(days=1))
    event.add("summary", f"【{CANCELLED}】{row.title}" if row.status == CANCELLED else row.title)
    location = "　".join(part for part in (row.venue, address) if part)
    if location:
        event.add("location", location)
    facts = (("種類", row.type_name), ("主催", row.organiser), ("共催", "、".join(row.co_organisers)),
             ("状況", row.status))
    text = "\n".join(f"{label}：{value}" for label, value in facts if value)
    if agenda.strip():
        text += "\n\n次第：\n" + agenda.strip()
    event.add("description", text)
    event.add("status", "CANCELLED" if row.status == CANCELLED else "TENTATIVE" if row.status in PLANNED
              else "CONFIRMED")
    event.add("sequence", max(0, int(row.version) - 1))
    if row.updated_at is not None:
        event.add("last-modified", row.updated_at.astimezone(dt.timezone.utc).replace(microsecond=0))
    event.add("transp", "TRANSPARENT" if row.status == CANCELLED else "OPAQUE")
    return event


def _utc(day: dt.date, hhmm: str) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(int(hhmm[:2]), int(hhmm[3:5])), tzinfo=JST)
    return local.astimezone(dt.timezone.utc)


__all__ = ["write_ics", "build_calendar", "uid_for", "CALENDAR_NAME"]
