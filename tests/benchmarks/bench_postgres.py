"""Benchmark: the same data on SQLite and on a PostgreSQL server, printed side by side (issue 10).

    ZAITAKU_BENCH_PG_URL=postgresql://user:pass@127.0.0.1:5432/postgres \\
        .venv/bin/python tests/benchmarks/bench_postgres.py [--rows 50000] [--repeat 5]
    .venv/bin/python tests/benchmarks/run_all.py --only postgres

The server URL comes from ZAITAKU_BENCH_PG_URL (else ZAITAKU_TEST_PG_URL, as .ci/run sets it); its user must be
allowed to create databases. The SQLite databases are built as in the other benchmarks (generate.py: the
providers; bench_annual_report: ten years of meetings, attendance, consultations, issues), then moved to the
server with `copy-to` (services/copy_db.py, verified table by table; its time is printed). Measured on both,
interleaved, median of ``repeat``:
(a) the resource list: ResourceService.list_rows() of every provider;
(b) the search box: the list query plus the tab's filter for a few typed queries (bench_encrypted._search);
(c) the annual report: AnnualReportService.build() of the tenth fiscal year.
Target: the server (on loopback) ≤ 3× SQLite for each — a shared server pays for the network and the
client/server protocol that a local file does not.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

TARGET = 3.0


def _print_report(name: str, figure: str, baseline: str, ratio_text: str, ok: bool) -> None:
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {figure}  | baseline {baseline}  | {ratio_text}", flush=True)


def server_url() -> str:
    return os.environ.get("ZAITAKU_BENCH_PG_URL") or os.environ.get("ZAITAKU_TEST_PG_URL", "")


class _Server:
    """Creates (and at the end drops) the benchmark's databases on the server."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.base = make_url(url).set(drivername="postgresql+psycopg")
        self.admin = create_engine(self.base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        self.names: list[str] = []

    def fresh(self, label: str) -> str:
        from sqlalchemy import text

        name = f"zaitaku_bench_{os.getpid()}_{label}"
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.names.append(name)
        return self.base.set(database=name).render_as_string(hide_password=False)

    def close(self) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            for name in self.names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


def _to_server(server: _Server, path: Path, label: str) -> str:
    from zaitaku_desktop.services.copy_db import copy_database

    url = server.fresh(label)
    t = time.perf_counter()
    report = copy_database(path, url)
    assert report.ok, [t.name for t in report.tables if not t.ok]
    rows = sum(t.source_rows for t in report.tables)
    print(f"info  copy-to PostgreSQL ({label}): {rows:,} rows in {len(report.tables)} tables, verified, "
          f"in {time.perf_counter() - t:.1f} s", flush=True)
    from sqlalchemy import create_engine, text

    # As the server's autovacuum would soon do: planner statistics in place (SQLite's side gets ANALYZE too).
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return url


def _compare(report, name: str, pair, work: Callable[[object], object], repeat: int) -> None:
    """Median seconds of ``work(services)`` on (SQLite, PostgreSQL), interleaved, after one warming call each."""
    for services in pair:
        work(services)
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for services, bucket in zip(pair, times):
            t = time.perf_counter()
            work(services)
            bucket.append(time.perf_counter() - t)
    lite, pg = statistics.median(times[0]), statistics.median(times[1])
    ratio = pg / lite
    report(f"{name}, PostgreSQL (loopback)", f"{pg * 1000:.0f} ms", f"SQLite {lite * 1000:.0f} ms",
           f"ratio {ratio:.2f}× (target ≤ {TARGET:g}×)", ratio <= TARGET)


def run(work: Path, *, rows: int = 50_000, repeat: int = 5,
        report: Callable[[str, str, str, str, bool], None] = _print_report) -> None:
    from tests.benchmarks import bench_annual_report, bench_consultations, bench_meetings
    from tests.benchmarks.bench_encrypted import QUERIES, _search
    from tests.benchmarks.generate import generate
    from zaitaku_desktop.services import open_services

    url = server_url()
    if not url:
        report("PostgreSQL", "—", "—", "no server: set ZAITAKU_BENCH_PG_URL (or ZAITAKU_TEST_PG_URL)", False)
        return
    server = _Server(url)
    try:
        t = time.perf_counter()
        providers = generate(work / "resources.sqlite3", rows)
        annual = work / "annual.sqlite3"
        first, *_ = bench_meetings.build(annual, meetings=5000, attendance=100_000)
        first.close()
        services, *_ = bench_consultations.build(annual, consultations=20_000)
        bench_annual_report.add_records(services)
        services.close()
        print(f"built {rows:,} providers and ten years of records on SQLite in {time.perf_counter() - t:.1f} s",
              flush=True)
        for path in (providers, annual):
            with sqlite3.connect(path) as conn:
                conn.execute("ANALYZE")
            conn.close()
        urls = {path: _to_server(server, path, label) for path, label in ((providers, "resources"),
                                                                           (annual, "annual"))}

        pair = (open_services(providers, user="bench"), open_services(urls[providers], user="bench"))
        try:
            assert len(pair[0].resources.list_rows()) == len(pair[1].resources.list_rows()) == rows
            assert _search(pair[0]) == _search(pair[1])  # the same hits on both
            _compare(report, f"resource list: list_rows() of {rows:,} providers", pair,
                     lambda s: s.resources.list_rows(), repeat)
            _compare(report, f"search: the list query and {sum(map(len, QUERIES))} typed queries over it", pair,
                     _search, repeat)
        finally:
            for services in pair:
                services.close()

        pair = (open_services(annual, user="bench"), open_services(urls[annual], user="bench"))
        try:
            built = [s.annual_report.build(2025) for s in pair]
            assert built[0].section("オ").figure("相談件数") == built[1].section("オ").figure("相談件数") > 0
            _compare(report, "annual report build() of fiscal year 2025 (the tenth)", pair,
                     lambda s: s.annual_report.build(2025), repeat)
        finally:
            for services in pair:
                services.close()
    finally:
        server.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ZAITAKU_HOME"] = str(Path(tmp) / "home")
        run(Path(tmp), rows=args.rows, repeat=args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
