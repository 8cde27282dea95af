"""Benchmark: ten years of meetings (5,000 meetings over 120 months, 100,000 attendance rows over
3,000 people, plus counts-only rows).

    .venv/bin/python tests/benchmarks/bench_meetings.py [--meetings 5000] [--attendance 100000] [--repeat 5]

(a) MeetingService.month(y, m) for twelve months vs one bare SQL query on a plain sqlite3 connection
    returning the same months' rows with the same joined fields and counts;
(b) MeetingService.period_totals over one fiscal year and over ten years vs a bare
    ``SELECT profession_id, COUNT(*) … GROUP BY`` over the same rows plus the counts-only sum.
Target: each ≤ 3× its baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

FIRST = dt.date(2016, 4, 1)  # ten fiscal years: 2016-04 … 2026-03
MONTHS = 120
SURNAMES = "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 菊池 小野寺 千葉 及川 菅原".split()
GIVEN = "典子 正樹 美紀 健一 由美 誠 明美 大輔 恵子 翔太 陽子 浩二 直美 和也 幸子".split()
TIMES = [("09:30", "11:00"), ("13:30", "15:30"), ("14:00", "16:30"), ("18:30", "20:00"), ("18:45", "20:45"),
         (None, None)]
STATUSES = ["開催済"] * 17 + ["中止", "延期", "計画中"]

# The bare baseline for (a): the same rows, joins and per-meeting figures in one statement.
MONTH_SQL = """
SELECT m.id, m.title, m.type_id, t.name, t.layer, t.tasks, m.date, m.start_time, m.end_time, m.venue_id, v.name,
       v.capacity, m.status, m.organiser_kind, m.organiser_association_id, a.name, m.organiser_text, m.capacity,
       m.municipality_id, mu.name, m.series_id, m.occurrence_date, m.archived_at, m.is_sample, m.updated_at,
       m.version,
       (SELECT group_concat(x.association_id) FROM meeting_co_organiser x WHERE x.meeting_id = m.id),
       (SELECT group_concat(x.profession_id) FROM meeting_profession x WHERE x.meeting_id = m.id),
       (SELECT sum(x.status IN ('申込', '出席')) FROM attendance x WHERE x.meeting_id = m.id),
       (SELECT sum(x.status = '出席') FROM attendance x WHERE x.meeting_id = m.id),
       (SELECT sum(c.count) FROM attendance_count c WHERE c.meeting_id = m.id),
       (SELECT count(*) FROM meeting_issue i WHERE i.meeting_id = m.id)
FROM meeting m
LEFT JOIN meeting_type t ON t.id = m.type_id
LEFT JOIN venue v ON v.id = m.venue_id
LEFT JOIN association a ON a.id = m.organiser_association_id
LEFT JOIN municipality mu ON mu.id = m.municipality_id
WHERE m.archived_at IS NULL AND m.date >= ? AND m.date <= ?
ORDER BY m.date, m.start_time IS NULL, m.start_time, m.created_at
"""
PERIOD = "m.archived_at IS NULL AND m.status NOT IN ('中止', '延期') AND m.date >= ? AND m.date <= ?"
TOTALS_SQL = ("SELECT p.profession_id, COUNT(*) FROM attendance x JOIN meeting m ON m.id = x.meeting_id "
              f"JOIN person p ON p.id = x.person_id WHERE x.status = '出席' AND {PERIOD} GROUP BY p.profession_id")
COUNTS_SQL = ("SELECT c.profession_id, c.label, SUM(c.count) FROM attendance_count c JOIN meeting m "
              f"ON m.id = c.meeting_id WHERE {PERIOD} GROUP BY c.profession_id, c.label")


def _print_report(name: str, figure: str, baseline: str, ratio_text: str, ok: bool) -> None:
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {figure}  | baseline {baseline}  | {ratio_text}", flush=True)


def build(path: Path, *, meetings: int = 5000, attendance: int = 100_000, persons: int = 3000, seed: int = 11):
    """A database with ten years of meetings, bulk-inserted (the per-meeting service path with its
    history would take minutes); returns the open services."""
    from sqlalchemy import insert

    from zaitaku_desktop.models import (
        Attendance, AttendanceCount, Meeting, MeetingCoOrganiser, MeetingProfession, Person, utcnow,
    )
    from zaitaku_desktop.services import open_services

    rnd = random.Random(seed)
    services = open_services(path, user="bench")
    vocab = services.vocab.all()
    professions = [p.id for p in vocab["profession"]]
    associations = [a.id for a in vocab["association"]]
    types = services.meetings.list_types()
    venues = [services.meetings.add_venue(f"会場{i}", address=f"岩手県釜石市只越町{i}丁目", capacity=40 + 20 * i).id
              for i in range(1, 9)]
    now = utcnow()
    people = [dict(id=str(uuid.uuid4()), created_at=now, updated_at=now, name=f"{rnd.choice(SURNAMES)} {rnd.choice(GIVEN)}",
                   reading="", affiliation=f"事業所{rnd.randrange(400)}", profession_id=rnd.choice(professions + [None]),
                   contact="", person_key=f"k{i}", is_sample=False) for i in range(persons)]
    rows, co, prof, counts = [], [], [], []
    for i in range(meetings):
        month = i * MONTHS // meetings
        year, mon = FIRST.year + (FIRST.month - 1 + month) // 12, (FIRST.month - 1 + month) % 12 + 1
        kind = rnd.choice(types)
        start, end = rnd.choice(TIMES)
        mid = str(uuid.uuid4())
        rows.append(dict(id=mid, created_at=now, updated_at=now, title=f"{kind.name} 第{i + 1}回", type_id=kind.id,
                         date=dt.date(year, mon, rnd.randint(1, 28)), start_time=start, end_time=end,
                         venue_id=rnd.choice(venues + [None]), organiser_kind="団体",
                         organiser_association_id=rnd.choice(associations), status=rnd.choice(STATUSES),
                         agenda=kind.agenda_template, version=1))
        co += [dict(meeting_id=mid, association_id=a) for a in rnd.sample(associations, rnd.randint(0, 2))]
        prof += [dict(meeting_id=mid, profession_id=p) for p in rnd.sample(professions, rnd.randint(0, 3))]
        if rnd.random() < 0.3:
            counts += [dict(meeting_id=mid, profession_id=p, label="", count=rnd.randint(1, 30))
                       for p in rnd.sample(professions, 2)]
            counts.append(dict(meeting_id=mid, profession_id=None, label="住民", count=rnd.randint(0, 60)))
    entries, per_meeting = [], attendance // meetings
    person_ids = [p["id"] for p in people]
    for m in rows:
        for pid in rnd.sample(person_ids, per_meeting):
            entries.append(dict(meeting_id=m["id"], person_id=pid, role="参加者",
                                status=rnd.choice(("出席", "出席", "出席", "申込", "欠席")), walk_in=False,
                                updated_at=now))
    with services.db.session() as s:
        for table, values in ((Person, people), (Meeting, rows), (MeetingCoOrganiser, co),
                              (MeetingProfession, prof), (AttendanceCount, counts), (Attendance, entries)):
            for k in range(0, len(values), 20_000):
                s.execute(insert(table.__table__), values[k:k + 20_000])  # type: ignore[attr-defined]
    with sqlite3.connect(path) as conn:
        conn.execute("ANALYZE")
    return services, len(rows), len(entries), len(counts)


def _best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def run(work: Path, *, meetings: int = 5000, attendance: int = 100_000, repeat: int = 5,
        report: Callable[[str, str, str, str, bool], None] = _print_report) -> None:
    import calendar

    path = work / "meetings.sqlite3"
    t = time.perf_counter()
    services, n_meetings, n_entries, n_counts = build(path, meetings=meetings, attendance=attendance)
    print(f"built {n_meetings:,} meetings, {n_entries:,} attendance rows, {n_counts:,} counts-only rows "
          f"in {time.perf_counter() - t:.1f} s", flush=True)
    raw = sqlite3.connect(path)
    service = services.meetings
    months = [(2016 + k, 1 + (k * 5) % 12) for k in range(1, 10)] + [(2017, 4), (2021, 12), (2025, 8)]

    def ours_months() -> int:
        return sum(len(service.month(y, m)) for y, m in months)

    def bare_months() -> int:
        return sum(len(raw.execute(MONTH_SQL, (dt.date(y, m, 1).isoformat(),
                                               dt.date(y, m, calendar.monthrange(y, m)[1]).isoformat())).fetchall())
                   for y, m in months)

    assert ours_months() == bare_months()
    o, b = _best(ours_months, repeat), _best(bare_months, repeat)
    per = ours_months() / len(months)
    report(f"month view: MeetingService.month for {len(months)} months (~{per:.0f} meetings each)",
           f"{o / len(months) * 1000:.1f} ms a month", f"bare SQL of the same rows {b / len(months) * 1000:.1f} ms",
           f"ratio {o / b:.2f}× (target ≤ 3×)", o <= 3 * b)

    for label, start, end in (("one fiscal year", dt.date(2020, 4, 1), dt.date(2021, 3, 31)),
                              ("ten years", FIRST, dt.date(2026, 3, 31))):
        params = (start.isoformat(), end.isoformat())

        def bare() -> list[tuple]:
            return raw.execute(TOTALS_SQL, params).fetchall() + raw.execute(COUNTS_SQL, params).fetchall()

        ours = service.period_totals(start, end)
        base = bare()
        assert sum(t.count for t in ours) == sum(row[-1] for row in base)
        o, b = _best(lambda: service.period_totals(start, end), repeat), _best(bare, repeat)
        report(f"period totals by profession over {label} ({sum(t.count for t in ours):,} people)",
               f"{o * 1000:.1f} ms", f"bare GROUP BY {b * 1000:.1f} ms", f"ratio {o / b:.2f}× (target ≤ 3×)",
               o <= 3 * b)
    raw.close()
    services.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=5000)
    parser.add_argument("--attendance", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ZAITAKU_HOME"] = str(Path(tmp) / "home")
        run(Path(tmp), meetings=args.meetings, attendance=args.attendance, repeat=args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
