"""Benchmark: 50,000 consultations over five years (about 35,000 cases, several categories each, referrals
and consents).

    .venv/bin/python tests/benchmarks/bench_consultations.py [--consultations 50000] [--repeat 5]

(a) ConsultationService.list_rows() (the list opening: every row with its case, area, categories, referral
    count and consent) vs one bare SQL SELECT of the same columns on a plain sqlite3 connection;
(b) ConsultationService.stats() over one fiscal year and over all five vs the bare SQL GROUP BY aggregates of
    the same figures (month × window, requester × window, category × window, channel × window,
    status × window, top referrals, average minutes).
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

FIRST = dt.date(2021, 4, 1)  # five fiscal years: 2021-04 … 2026-03
DAYS = (dt.date(2026, 3, 31) - FIRST).days + 1

# The bare baseline for (a): the same columns, joins and per-row figures in one statement.
LIST_SQL = """
SELECT c.id, c.case_id, x.case_no, c.window, c.received_at, c.channel, c.requester_type, c.requester_name,
       (SELECT group_concat(l.category_id) FROM consultation_category_link l WHERE l.consultation_id = c.id),
       c.status, c.handled_by, c.follow_up_due, c.minutes_spent, x.person_name, m.name, d.name, x.age_band,
       x.care_level,
       (SELECT count(*) FROM consultation_referral r WHERE r.consultation_id = c.id AND r.archived_at IS NULL),
       (SELECT k.granted AND k.withdrawn_on IS NULL FROM consultation_consent k
        WHERE k.case_id = c.case_id AND k.archived_at IS NULL ORDER BY k.obtained_on DESC, k.created_at DESC LIMIT 1),
       c.is_sample, c.updated_at, c.version
FROM consultation c
JOIN consultation_case x ON x.id = c.case_id
LEFT JOIN municipality m ON m.id = x.municipality_id
LEFT JOIN district d ON d.id = x.district_id
WHERE c.archived_at IS NULL
ORDER BY +c.received_at DESC, c.created_at DESC
"""
PERIOD = "c.archived_at IS NULL AND c.received_at >= ? AND c.received_at < ?"
STATS_SQL = [
    f"SELECT strftime('%Y-%m', c.received_at, '+9 hours'), c.window, count(*) FROM consultation c WHERE {PERIOD} "
    "GROUP BY 1, 2",
    f"SELECT c.requester_type, c.window, count(*) FROM consultation c WHERE {PERIOD} GROUP BY 1, 2",
    f"SELECT c.channel, c.window, count(*) FROM consultation c WHERE {PERIOD} GROUP BY 1, 2",
    f"SELECT c.status, c.window, count(*) FROM consultation c WHERE {PERIOD} GROUP BY 1, 2",
    "SELECT l.category_id, c.window, count(*) FROM consultation_category_link l JOIN consultation c "
    f"ON c.id = l.consultation_id WHERE {PERIOD} GROUP BY 1, 2",
    "SELECT r.resource_id, count(*) FROM consultation_referral r JOIN consultation c ON c.id = r.consultation_id "
    f"WHERE {PERIOD} GROUP BY 1 ORDER BY 2 DESC LIMIT 10",
    f"SELECT avg(c.minutes_spent) FROM consultation c WHERE {PERIOD}",
]


def _print_report(name: str, figure: str, baseline: str, ratio_text: str, ok: bool) -> None:
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {figure}  | baseline {baseline}  | {ratio_text}", flush=True)


def build(path: Path, *, consultations: int = 50_000, seed: int = 13):
    """A database with five years of consultations, bulk-inserted (the per-call service path with its history
    would take minutes); returns the open services."""
    from sqlalchemy import insert

    from zaitaku_desktop.domain.consultations import (
        AGE_BANDS, CARE_LEVELS, CHANNELS, REQUESTER_TYPES, STATUSES, case_number, default_window, to_utc,
    )
    from zaitaku_desktop.domain.resource import ResourceInput
    from zaitaku_desktop.models import (
        Consent, Consultation, ConsultationCase, ConsultationCategoryLink, Referral, utcnow,
    )
    from zaitaku_desktop.services import open_services

    rnd = random.Random(seed)
    services = open_services(path, user="bench")
    mun = services.vocab.ensure_municipality("032115", "釜石市", "かまいしし",
                                             [(f"地区{i}", f"ちく{i}") for i in range(8)])
    districts = [d.id for d in services.vocab.list("district")]
    cats = [c.id for c in services.consultations.list_categories()]
    kinds = [k.id for k in services.vocab.list("category")]
    resources = [services.resources.create(ResourceInput(name=f"事業所{i}", reading=f"じぎょうしょ{i}",
                                                         category_id=rnd.choice(kinds), municipality_id=mun.id)).id
                 for i in range(40)]
    now = utcnow()
    cases, rows, links, referrals, consents = [], [], [], [], []
    serial: dict[int, int] = {}
    for i in range(consultations):
        local = dt.datetime.combine(FIRST + dt.timedelta(days=rnd.randrange(DAYS)),
                                    dt.time(rnd.randint(8, 18), rnd.randrange(60)))
        if cases and rnd.random() < 0.3:
            case_id = rnd.choice(cases[-500:])["id"]
        else:
            case_id = str(uuid.uuid4())
            serial[local.year] = serial.get(local.year, 0) + 1
            named = rnd.random() < 0.8
            cases.append(dict(id=case_id, created_at=now, updated_at=now,
                              case_no=case_number(local.year, serial[local.year]),
                              person_name=f"架空 太郎{i}" if named else "", person_reading=f"かくうたろう{i}" if named else "",
                              person_phone=f"019300{i:04d}" if named and rnd.random() < 0.5 else "",
                              age_band=rnd.choice(AGE_BANDS), municipality_id=mun.id,
                              district_id=rnd.choice(districts), care_level=rnd.choice(CARE_LEVELS),
                              is_sample=False, version=1))
            if named and rnd.random() < 0.4:
                consents.append(dict(id=str(uuid.uuid4()), created_at=now, updated_at=now, case_id=case_id,
                                     granted=rnd.random() < 0.9, recipients="紹介先", purpose="調整",
                                     obtained_on=local.date(), method="口頭", obtained_by="bench",
                                     withdrawn_on=local.date() + dt.timedelta(days=30) if rnd.random() < 0.1 else None))
        requester = rnd.choice(REQUESTER_TYPES)
        cid = str(uuid.uuid4())
        status = rnd.choice(STATUSES)
        rows.append(dict(id=cid, created_at=now, updated_at=now, case_id=case_id, window=default_window(requester),
                         received_at=to_utc(local), channel=rnd.choice(CHANNELS), requester_type=requester,
                         requester_name="相談者", requester_affiliation="", requester_contact="",
                         question="退院後の在宅医療について" * 3, answer="事業所を紹介した", minutes_spent=rnd.choice(
                             (None, 5, 10, 15, 20, 30, 45, 60)), status=status, handled_by="相談員A",
                         follow_up_due=local.date() + dt.timedelta(days=7) if status != "終了" else None,
                         is_sample=False, version=1))
        links += [dict(consultation_id=cid, category_id=c) for c in rnd.sample(cats, 1 if rnd.random() < 0.7 else 2)]
        if rnd.random() < 0.4:
            referrals.append(dict(id=str(uuid.uuid4()), created_at=now, updated_at=now, consultation_id=cid,
                                  resource_id=rnd.choice(resources), referred_on=local.date(), how="電話",
                                  personal_shared=False, outcome=""))
    with services.db.session() as s:
        for table, values in ((ConsultationCase, cases), (Consultation, rows), (ConsultationCategoryLink, links),
                              (Referral, referrals), (Consent, consents)):
            for k in range(0, len(values), 20_000):
                s.execute(insert(table.__table__), values[k:k + 20_000])  # type: ignore[attr-defined]
    with sqlite3.connect(path) as conn:
        conn.execute("ANALYZE")
    return services, len(rows), len(cases), len(links), len(referrals)


def _median(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def run(work: Path, *, consultations: int = 50_000, repeat: int = 5,
        report: Callable[[str, str, str, str, bool], None] = _print_report) -> None:
    from zaitaku_desktop.services.consultations import _day_after, _day_start
    from zaitaku_desktop.storage.consultation_repo import stamp

    path = work / "consultations.sqlite3"
    t = time.perf_counter()
    services, n, n_cases, n_links, n_referrals = build(path, consultations=consultations)
    print(f"built {n:,} consultations, {n_cases:,} cases, {n_links:,} category links, {n_referrals:,} referrals "
          f"in {time.perf_counter() - t:.1f} s", flush=True)
    raw = sqlite3.connect(path)
    service = services.consultations

    def bare_list() -> int:
        return len(raw.execute(LIST_SQL).fetchall())

    assert len(service.list_rows()) == bare_list() == n
    o, b = _median(service.list_rows, repeat), _median(bare_list, repeat)
    report(f"consultation list: list_rows() of {n:,} rows", f"{o * 1000:.0f} ms",
           f"bare SQL SELECT of the same columns {b * 1000:.0f} ms", f"ratio {o / b:.2f}× (target ≤ 3×)", o <= 3 * b)

    for label, start, end in (("one fiscal year", dt.date(2024, 4, 1), dt.date(2025, 3, 31)),
                              ("all five years", FIRST, dt.date(2026, 3, 31))):
        params = (stamp(_day_start(start)), stamp(_day_after(end)))  # type: ignore[arg-type]

        def bare() -> list[list[tuple]]:
            return [raw.execute(sql, params).fetchall() for sql in STATS_SQL]

        ours = service.stats(start, end)
        assert ours.total == sum(r[2] for r in bare()[0])
        o, b = _median(lambda: service.stats(start, end), repeat), _median(bare, repeat)
        report(f"statistics over {label} ({ours.total:,} consultations)", f"{o * 1000:.1f} ms",
               f"bare SQL GROUP BY aggregates {b * 1000:.1f} ms", f"ratio {o / b:.2f}× (target ≤ 3×)", o <= 3 * b)
    raw.close()
    services.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--consultations", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ZAITAKU_HOME"] = str(Path(tmp) / "home")
        run(Path(tmp), consultations=args.consultations, repeat=args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
