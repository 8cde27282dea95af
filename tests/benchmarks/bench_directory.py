"""Benchmark: the resource directory booklet of 2,000 providers.

    .venv/bin/python tests/benchmarks/bench_directory.py [--providers 2000] [--repeat 3]

write_directory (cover, 目次, 11 sections, the ○/△/× matrix, the index of names, page numbers) vs a bare
ReportLab Table of the same rows (the same cell texts, already wrapped) with the same font and sizes in a
SimpleDocTemplate, built in the same run. Target: ≤ 1.5× the bare table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

SURNAMES = "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 菊池 小野寺 千葉 及川 菅原".split()
KANA = "あかさたなはまやらわいきしちにひみりうくすつぬふむゆるえけせてねへめれおこそとのほもよろ"
SERVICES = ("訪問診療", "往診", "在宅看取り", "24時間対応", "訪問歯科", "訪問薬剤管理指導", "ショートステイ")


def make_data(providers: int, seed: int = 7):
    from zaitaku_desktop.domain.text import reading_sort_key
    from zaitaku_desktop.domain.vocab import CATEGORIES, PROCEDURES
    from zaitaku_desktop.reports.directory import DirectoryData, DirectoryEntry, DirectorySection

    rnd = random.Random(seed)
    per: dict[str, list] = {c.name: [] for c in CATEGORIES}
    for i in range(providers):
        category = CATEGORIES[i % len(CATEGORIES)].name
        reading = "".join(rnd.choice(KANA) for _ in range(rnd.randint(4, 9)))
        name = f"{rnd.choice(SURNAMES)}{category}{reading[:3]}{i}" if i % 3 else f"医療法人 {reading[:4]}会 {category}"
        per[category].append(DirectoryEntry(
            name=name, reading=reading, municipality=rnd.choice(("釜石市", "大槌町")), district="甲子",
            postal_code="026-0055", address=f"岩手県釜石市甲子町第{rnd.randint(1, 40)}地割{rnd.randint(1, 200)}-{rnd.randint(1, 9)}",
            phone=f"0193-2{rnd.randint(0, 9)}-{rnd.randint(1000, 9999)}",
            fax=f"0193-2{rnd.randint(0, 9)}-{rnd.randint(1000, 9999)}" if i % 4 else "",
            services=tuple(rnd.sample(SERVICES, rnd.randint(0, 4))),
            marks=tuple(rnd.choice(("○", "△", "×", "")) for _ in PROCEDURES),
            last_confirmed=dt.date(2026, 1, 1) + dt.timedelta(days=rnd.randint(0, 300)) if i % 7 else None))
    sections = tuple(DirectorySection(c, tuple(sorted(es, key=lambda e: reading_sort_key(e.reading, e.name))))
                     for c, es in per.items())
    return DirectoryData(sections=sections, matrix_columns=PROCEDURES, issued_on=dt.date(2026, 11, 20),
                         publisher="在宅医療連携拠点チームかまいし")


def _print_report(name: str, figure: str, baseline: str, ratio: str, ok: bool) -> None:
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {figure}  | baseline {baseline}  | {ratio}", flush=True)


def run(work: Path | None = None, *, providers: int = 2000, repeat: int = 3,
        report: Callable[[str, str, str, str, bool], None] = _print_report) -> float:
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Table

    from zaitaku_desktop import paths
    from zaitaku_desktop.reports import directory as d
    from zaitaku_desktop.reports.fonts import GOTHIC, register_fonts
    from zaitaku_desktop.reports.styles import RULE

    register_fonts(paths.fonts_dir())
    data = make_data(providers)
    cols = d._Columns.for_matrix(len(data.matrix_columns))
    head = ["名称", "所在地・連絡先・最終確認日", "主なサービス", *(d.vertical_label(c) for c in data.matrix_columns)]
    rows = [head] + [d._entry_row(e, cols, data.date_style) for s in data.sections for e in s.entries]

    def bare() -> int:
        doc = SimpleDocTemplate(io.BytesIO(), leftMargin=15 * mm, rightMargin=15 * mm, topMargin=18 * mm,
                                bottomMargin=16 * mm)
        doc.build([Table(rows, colWidths=list(cols.widths), repeatRows=1, style=[
            ("FONTNAME", (0, 0), (-1, -1), GOTHIC), ("FONTSIZE", (0, 0), (-1, -1), d.BODY_PT),
            ("LEADING", (0, 0), (-1, -1), d.BODY_PT * 1.25), ("GRID", (0, 0), (-1, -1), 0.4, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP")])])
        return doc.page

    def booklet() -> int:
        return d.write_directory(data, io.BytesIO(), fonts_dir=paths.fonts_dir())

    bare(), booklet()  # warm-up: font subsets, caches
    times: dict[str, list[float]] = {"bare": [], "booklet": []}
    pages: dict[str, int] = {}
    for _ in range(repeat):
        for name, fn in (("bare", bare), ("booklet", booklet)):
            t = time.perf_counter()
            pages[name] = fn()
            times[name].append(time.perf_counter() - t)
    b, a = statistics.median(times["bare"]), statistics.median(times["booklet"])
    ratio = a / b
    report(f"directory booklet of {providers:,} providers ({pages['booklet']} pages with cover, 目次, index)",
           f"{a:.2f} s", f"bare ReportLab table of the same rows {b:.2f} s ({pages['bare']} pages)",
           f"ratio {ratio:.2f}× (target ≤ 1.5×)", ratio <= 1.5)
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--providers", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    return 0 if run(providers=args.providers, repeat=args.repeat) <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
