"""Benchmark: the annual report (事業実績報告) over ten years of records.

    .venv/bin/python tests/benchmarks/bench_annual_report.py [--meetings 5000] [--attendance 100000]
                                                             [--consultations 20000] [--repeat 5]

Data: bench_meetings' ten years of meetings and attendance, bench_consultations' consultations (five years),
plus 2,000 resources, 1,500 issues with professions, themes, responses and their history (status and layer
moves in change_log) and questionnaires on a third of the meetings, all bulk-inserted.
AnnualReportService.build(year) for one fiscal year in the middle and for the tenth vs the bare SQL aggregates
it needs on a plain sqlite3 connection (the report's own statements plus the consultation statistics'
GROUP BYs). Target: ≤ 3× the bare SQL. Writing the PDF and the Excel file is timed for information.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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

from tests.benchmarks import bench_consultations, bench_meetings  # noqa: E402

FIRST = bench_meetings.FIRST  # 2016-04-01: fiscal years 2016 … 2025
YEARS = 10


def _print_report(name: str, figure: str, baseline: str, ratio_text: str, ok: bool) -> None:
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {figure}  | baseline {baseline}  | {ratio_text}", flush=True)


def _stamp(rnd: random.Random) -> dt.datetime:
    return dt.datetime.combine(FIRST, dt.time(1), dt.timezone.utc) + dt.timedelta(days=rnd.randrange(YEARS * 365),
                                                               minutes=rnd.randrange(600))


def add_records(services, *, resources: int = 2000, issues: int = 1500, seed: int = 17) -> dict[str, int]:
    """Resources, issues with their history and questionnaires over the ten years (bulk insert)."""
    from sqlalchemy import insert

    from zaitaku_desktop.domain.issues import LAYER_KEYS, STATUSES
    from zaitaku_desktop.models import (
        ChangeLog, CollabIssue, CollabIssueProfession, CollabIssueTheme, IssueResponse, QuestionnaireAnswer,
        QuestionnaireItem, QuestionnaireResponse, QuestionnaireTemplate, Resource, ResourceCapability,
    )

    rnd = random.Random(seed)
    vocab = services.vocab.all()
    ids = {kind: [v.id for v in vocab[kind]] for kind in ("category", "capability", "profession", "theme", "municipality")}
    res, caps = [], []
    for i in range(resources):
        created = _stamp(rnd)
        rid = str(uuid.uuid4())
        res.append(dict(id=rid, created_at=created, updated_at=created, name=f"事業所{i}", reading=f"じぎょうしょ{i}",
                        category_id=rnd.choice(ids["category"]), municipality_id=rnd.choice(ids["municipality"]),
                        last_confirmed=(created + dt.timedelta(days=rnd.randrange(900))).date() if rnd.random() < 0.8 else None,
                        archived_at=created + dt.timedelta(days=rnd.randrange(2000)) if rnd.random() < 0.1 else None,
                        version=1))
        caps += [dict(resource_id=rid, capability_id=c) for c in rnd.sample(ids["capability"], 3)]
    rows, profs, themes, responses, history = [], [], [], [], []
    for i in range(issues):
        raised = _stamp(rnd)
        iid = str(uuid.uuid4())
        status = rnd.choice(STATUSES)
        layer = rnd.choice(LAYER_KEYS)
        rows.append(dict(id=iid, created_at=raised, updated_at=raised, title=f"課題{i}", layer=layer, status=status,
                         raised_on=raised.date(), municipality_id=rnd.choice(ids["municipality"]), version=1))
        profs += [dict(issue_id=iid, profession_id=p) for p in rnd.sample(ids["profession"], rnd.randint(0, 3))]
        themes += [dict(issue_id=iid, theme_id=t) for t in rnd.sample(ids["theme"], rnd.randint(0, 2))]
        history.append(dict(id=str(uuid.uuid4()), entity="collab_issue", entity_id=iid, action="create",
                            changed_at=raised, changed_by="bench",
                            changes=json.dumps({"title": [None, f"課題{i}"], "status": [None, "抽出"]}, ensure_ascii=False)))
        when = raised
        for k in range(rnd.randint(0, 3)):
            when += dt.timedelta(days=rnd.randint(10, 200))
            responses.append(dict(id=str(uuid.uuid4()), created_at=when, updated_at=when, issue_id=iid,
                                  actor_kind="連携拠点", action=f"対応策{k}", state="完了", result="結果", sort_order=k))
            history.append(dict(id=str(uuid.uuid4()), entity="collab_issue", entity_id=iid, action="response",
                                changed_at=when, changed_by="bench", changes=json.dumps({"response": [None, "対応策"]})))
        if rnd.random() < 0.2:
            history.append(dict(id=str(uuid.uuid4()), entity="collab_issue", entity_id=iid, action="update",
                                changed_at=when + dt.timedelta(days=3), changed_by="bench",
                                changes=json.dumps({"layer": ["一次", layer]}, ensure_ascii=False)))
        if status != "抽出":
            history.append(dict(id=str(uuid.uuid4()), entity="collab_issue", entity_id=iid, action="update",
                                changed_at=when + dt.timedelta(days=5), changed_by="bench",
                                changes=json.dumps({"status": ["抽出", status]}, ensure_ascii=False)))
    template = str(uuid.uuid4())
    items = [dict(id=str(uuid.uuid4()), template_id=template, sort_order=k, kind=kind, text=f"設問{k}")
             for k, kind in enumerate(("scale4", "scale4", "scale5", "yesno", "text"))]
    with services.db.session() as s:
        meetings = [m for (m,) in s.connection().exec_driver_sql("SELECT id FROM meeting").fetchall()]
    sheets, answers = [], []
    for mid in rnd.sample(meetings, len(meetings) // 3):
        for n in range(15):
            sid = str(uuid.uuid4())
            sheets.append(dict(id=sid, meeting_id=mid, sheet_no=n + 1, profession_id=rnd.choice(ids["profession"]),
                               profession_label=""))
            answers += [dict(id=str(uuid.uuid4()), response_id=sid, item_id=item["id"],
                             value=None if item["kind"] == "text" else rnd.randint(1, 2 if item["kind"] == "yesno" else 4),
                             text="よかった" if item["kind"] == "text" else "") for item in items]
    now = dt.datetime.now(dt.timezone.utc)
    with services.db.session() as s:
        s.execute(insert(QuestionnaireTemplate.__table__), [dict(id=template, created_at=now, updated_at=now,  # type: ignore[attr-defined]
                                                                 name="研修アンケート", notes="")])
        for table, values in ((Resource, res), (ResourceCapability, caps), (CollabIssue, rows),
                              (CollabIssueProfession, profs), (CollabIssueTheme, themes), (IssueResponse, responses),
                              (ChangeLog, history), (QuestionnaireItem, items), (QuestionnaireResponse, sheets),
                              (QuestionnaireAnswer, answers)):
            for k in range(0, len(values), 20_000):
                s.execute(insert(table.__table__), values[k:k + 20_000])  # type: ignore[attr-defined]
    return {"resources": len(res), "issues": len(rows), "history": len(history), "sheets": len(sheets),
            "answers": len(answers)}


def _median(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def run(work: Path, *, meetings: int = 5000, attendance: int = 100_000, consultations: int = 20_000, repeat: int = 5,
        report: Callable[[str, str, str, str, bool], None] = _print_report) -> None:
    from zaitaku_desktop.services import open_services
    from zaitaku_desktop.services.annual_report import query_params, run_aggregates
    from zaitaku_desktop.services.consultations import _day_after, _day_start
    from zaitaku_desktop.storage.consultation_repo import stamp

    path = work / "annual.sqlite3"
    t = time.perf_counter()
    first, *_ = bench_meetings.build(path, meetings=meetings, attendance=attendance)
    first.close()
    services, *_ = bench_consultations.build(path, consultations=consultations)
    counts = add_records(services)
    services.close()
    with sqlite3.connect(path) as conn:
        conn.execute("ANALYZE")
    services = open_services(path, user="bench")  # as the program starts on the database: statistics loaded
    print(f"built {meetings:,} meetings, {attendance:,} attendance rows, {consultations:,} consultations, "
          + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + f" in {time.perf_counter() - t:.1f} s", flush=True)
    raw = sqlite3.connect(path)
    service = services.annual_report
    for label, year in (("fiscal year 2020 (the fifth)", 2020), ("fiscal year 2025 (the tenth)", 2025)):
        params = query_params(year)
        start, end = dt.date(year, 4, 1), dt.date(year + 1, 3, 31)
        consult = (stamp(_day_start(start)), stamp(_day_after(end)))  # type: ignore[arg-type]

        def bare() -> tuple[dict, list]:
            return (run_aggregates(raw.cursor(), params),
                    [raw.execute(sql, consult).fetchall() for sql in bench_consultations.STATS_SQL])

        ours = service.build(year)
        aggregates, stats = bare()
        held = sum(n for _tid, n in aggregates["meetings"])
        assert ours.section("オ").figure("相談件数") == sum(r[2] for r in stats[0])
        assert sum(ours.section(t).figure("会議・研修の開催回数") for t in "イウカキ") >= held > 0
        o, b = _median(lambda: service.build(year), repeat), _median(bare, repeat)
        report(f"annual report build() over {label} ({held:,} meetings)", f"{o * 1000:.1f} ms",
               f"bare SQL aggregates {b * 1000:.1f} ms", f"ratio {o / b:.2f}× (target ≤ 3×)", o <= 3 * b)
    t = time.perf_counter()
    pages = service.write_pdf(2025, work / "annual.pdf")
    pdf = time.perf_counter() - t
    t = time.perf_counter()
    service.write_xlsx(2025, work / "annual.xlsx")
    print(f"info  the tenth year's report written: PDF {pages} pages in {pdf * 1000:.0f} ms, Excel in "
          f"{(time.perf_counter() - t) * 1000:.0f} ms", flush=True)
    raw.close()
    services.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=5000)
    parser.add_argument("--attendance", type=int, default=100_000)
    parser.add_argument("--consultations", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ZAITAKU_HOME"] = str(Path(tmp) / "home")
        run(Path(tmp), meetings=args.meetings, attendance=args.attendance, consultations=args.consultations,
            repeat=args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
