"""Benchmark: the same work on a plain and on an SQLCipher-encrypted database, in the same run.

    .venv/bin/python tests/benchmarks/bench_encrypted.py [--rows 50000] [--consultations 50000] [--repeat 5]
    .venv/bin/python tests/benchmarks/run_all.py --only encrypted

The data come from the other benchmarks' builders (generate.py: 50,000 providers; bench_consultations.build:
50,000 consultations). Each plain database is copied and the copy is encrypted the way a user does it
(SecurityService.protect); both are opened through the log-in path. Measured on both, interleaved:
(a) the resource list: ResourceService.list_rows() of every provider (the list opening);
(b) the search box: the list query plus the tab's filter (filter_indices) for a few typed queries;
(c) the consultation list: ConsultationService.list_rows();
(d) the consultation statistics over one fiscal year.
Each figure is measured twice: on a new connection each time (the engine's pool emptied: every page is read
and — for the encrypted file — decrypted again, as at the first opening after log-in) and on the open
connection (what the pool gives the program afterwards; SQLite's page cache holds decrypted pages).
Target: encrypted ≤ 1.5× plain for each figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
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

USER, PASSPHRASE = "ベンチ", "benchmark passphrase 1"
QUERIES = ("はまなす", "ハマナス", "0193-2", "佐々木", "みどり 薬局", "ｸﾘﾆｯｸ")
TARGET = 1.5


def _print_report(name: str, figure: str, baseline: str, ratio_text: str, ok: bool) -> None:
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {figure}  | baseline {baseline}  | {ratio_text}", flush=True)


def _encrypted_copy(plain: Path) -> Path:
    """A copy of ``plain`` (SQLite backup API), encrypted through SecurityService.protect."""
    from zaitaku_desktop.services import open_services

    copy = plain.with_name(f"{plain.stem}-encrypted{plain.suffix}")
    with sqlite3.connect(plain) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    services = open_services(copy, user="bench")
    try:
        services.maintenance.folder = copy.parent / "backups"  # protect's verified backup goes here
        services.maintenance.folder.mkdir(exist_ok=True)
        services.security.protect(USER, PASSPHRASE)
    finally:
        services.close()
    return copy


def _open_pair(plain: Path, encrypted: Path):
    """Both databases opened as the program does: the plain one straight, the encrypted one after log-in."""
    from zaitaku_desktop.services import open_services
    from zaitaku_desktop.services.security import Gate

    t = time.perf_counter()
    credentials = Gate(encrypted).login(USER, PASSPHRASE)
    login = time.perf_counter() - t
    pair = open_services(plain, user="bench"), open_services(encrypted, credentials=credentials)
    assert not pair[0].db.encrypted and pair[1].db.encrypted
    print(f"log-in (key file, password check, key unwrap) {login * 1000:.0f} ms", flush=True)
    return pair


def _compare(report, name: str, pair, work: Callable[[object], object], repeat: int) -> None:
    """Median seconds of ``work(services)`` on (plain, encrypted), interleaved; on new connections, then on
    the open one (after one warming call)."""
    for fresh in (True, False):
        times: tuple[list[float], list[float]] = ([], [])
        for services in pair:
            services.db.engine.dispose()
            if not fresh:
                work(services)
        for _ in range(repeat):
            for services, bucket in zip(pair, times):
                if fresh:
                    services.db.engine.dispose()
                t = time.perf_counter()
                work(services)
                bucket.append(time.perf_counter() - t)
        plain, encrypted = statistics.median(times[0]), statistics.median(times[1])
        ratio = encrypted / plain
        how = "new connection" if fresh else "open connection"
        report(f"{name} ({how}), encrypted database", f"{encrypted * 1000:.0f} ms",
               f"plain database {plain * 1000:.0f} ms", f"ratio {ratio:.2f}× (target ≤ {TARGET}×)", ratio <= TARGET)


def _search(services) -> int:
    from zaitaku_desktop.services.resource_query import ResourceFilter, filter_indices

    rows = services.resources.list_rows()
    texts = [r.search_text for r in rows]
    cutoff = dt.date.today()
    return sum(len(filter_indices(rows, texts, ResourceFilter(text=q[:k]), cutoff))
               for q in QUERIES for k in range(1, len(q) + 1))


def run(work: Path, *, rows: int = 50_000, consultations: int = 50_000, repeat: int = 5,
        report: Callable[[str, str, str, str, bool], None] = _print_report) -> None:
    from tests.benchmarks.bench_consultations import build
    from tests.benchmarks.generate import generate
    from zaitaku_desktop.storage.crypto import sqlcipher_available

    if not sqlcipher_available():
        report("encrypted database", "—", "—", "sqlcipher3 cannot be loaded here", False)
        return
    t = time.perf_counter()
    providers = generate(work / "resources.sqlite3", rows)
    services, n, *_ = build(work / "consultations.sqlite3", consultations=consultations)
    services.close()
    cases = work / "consultations.sqlite3"
    encrypted = {path: _encrypted_copy(path) for path in (providers, cases)}
    print(f"built {rows:,} providers and {n:,} consultations, plain and encrypted, in "
          f"{time.perf_counter() - t:.1f} s ({providers.stat().st_size / 1e6:.0f} MB + "
          f"{cases.stat().st_size / 1e6:.0f} MB)", flush=True)

    pair = _open_pair(providers, encrypted[providers])
    try:
        assert len(pair[0].resources.list_rows()) == len(pair[1].resources.list_rows()) == rows
        assert _search(pair[0]) == _search(pair[1])
        _compare(report, f"resource list: list_rows() of {rows:,} providers", pair,
                 lambda s: s.resources.list_rows(), repeat)
        _compare(report, f"search: the list query and {sum(map(len, QUERIES))} typed queries over it", pair,
                 _search, repeat)
    finally:
        for services in pair:
            services.close()

    pair = _open_pair(cases, encrypted[cases])
    start, end = dt.date(2024, 4, 1), dt.date(2025, 3, 31)
    try:
        assert len(pair[0].consultations.list_rows()) == len(pair[1].consultations.list_rows()) == n
        assert pair[0].consultations.stats(start, end).total == pair[1].consultations.stats(start, end).total
        _compare(report, f"consultation list: list_rows() of {n:,} consultations", pair,
                 lambda s: s.consultations.list_rows(), repeat)
        _compare(report, "consultation statistics over one fiscal year", pair,
                 lambda s: s.consultations.stats(start, end), repeat)
    finally:
        for services in pair:
            services.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--consultations", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ZAITAKU_HOME"] = str(Path(tmp) / "home")
        run(Path(tmp), rows=args.rows, consultations=args.consultations, repeat=args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
