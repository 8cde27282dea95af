"""Fuzz run of the importers: generated and mutated files through the path the GUI uses.

    .venv/bin/python tests/benchmarks/fuzz_importers.py [--cases 10000] [--seed 1] [--workers 2]
        [--timeout 30] [--time-box 1200] [--crash-dir fuzz-crashes]
    .venv/bin/python tests/benchmarks/fuzz_importers.py --replay fuzz-crashes/case-00042.csv

Seeds are made from the sample region with the program's own exporters (resource list as
.xlsx and .csv) plus the official open-data layouts. Each case is either a generated file
(random cell grids, headers, encodings, huge cells, formulas, NUL bytes ...) or a byte-level
mutation of a seed (bit flips, truncation, inserted/deleted chunks, zip member corruption,
encoding swaps), or a mutated copy of a small real database checked by ``storage.backup.verify``
(what restore runs on the chosen file) and opened by ``storage.database.Database.open``.

Each case runs ``TransferService.preview_import`` (what the import dialog calls) and is counted
as ok / typed (a ``DomainError``) / CRASH (any other exception) / HANG (past the per-case
timeout, through a repeating ``signal.setitimer`` in the worker). Crashing and hanging inputs are saved for
replay. The exit status is non-zero on any crash, hang or database write made by a preview.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import io
import logging
import multiprocessing
import os
import random
import signal
import sqlite3
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
for _p in (HERE.parent.parent, HERE.parent):  # the repo (zaitaku_desktop) and tests/ (open_data_files)
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from open_data_files import (  # noqa: E402
    KAIGO_HEADER, NAVII_HEADER, SUISHOU_IRYOU_HEADER, SUISHOU_KAIGO_HEADER, csv_bytes, kaigo_row, navii_row,
)

from zaitaku_desktop.domain.errors import DomainError  # noqa: E402
from zaitaku_desktop.importers.resource_table import FIELD_HEADERS  # noqa: E402

OUTCOMES = ("ok", "typed", "CRASH", "HANG")
SEED_ROWS = 12  # rows of the sample list kept in the seed files (small files: many cases per second)


class CaseTimeout(BaseException):
    """Raised by the alarm; a BaseException so that no ``except Exception`` in the program swallows it."""


# --- seeds ---------------------------------------------------------------------------------

@dataclass
class Seeds:
    files: dict[str, bytes] = field(default_factory=dict)  # file name → bytes
    database: bytes = b""  # a small migrated database
    sample_db: Path | None = None  # the sample region the previews run against


def _copy_db(src: Path, dest: Path) -> None:
    source, target = sqlite3.connect(src), sqlite3.connect(dest)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def make_seeds(work: Path, sample_db: Path | None = None) -> Seeds:
    """The sample region (a copy of ``sample_db``, else loaded anew) and small files written by the
    program's own exporters."""
    from zaitaku_desktop.services import open_services

    work.mkdir(parents=True, exist_ok=True)
    seeds = Seeds(sample_db=work / "sample.sqlite3")
    if sample_db is not None:
        _copy_db(sample_db, seeds.sample_db)
    services = open_services(seeds.sample_db, user="fuzz")
    try:
        if sample_db is None:
            services.sample.load()
        ids = [r.id for r in services.resources.list_rows(include_archived=False)][:SEED_ROWS]
        for name in ("list.xlsx", "list.csv"):
            services.transfer.export_list(work / name, ids=ids)
            seeds.files[name] = (work / name).read_bytes()
    finally:
        services.close()
    small = work / "small.sqlite3"
    open_services(small, user="fuzz").close()
    seeds.database = small.read_bytes()
    seeds.files["jigyosho_110.csv"] = csv_bytes(KAIGO_HEADER, [kaigo_row(number=f"03701000{i:02d}", name=f"訪問{i}")
                                                               for i in range(5)])
    seeds.files["01-1_hospital_facility_info_20260601.csv"] = csv_bytes(
        NAVII_HEADER, [navii_row(id_=f"03121100000{i:02d}") for i in range(3)])
    suishou_kaigo = ["032115", "1", "岩手県", "釜石市", "釜石居宅", "カマイシキョタク", "居宅介護支援", "釜石市只越町1-1", "",
                     "39.27", "141.88", "0193-22-0001", "", "0193-22-0002", "", "", "0370100001", "平日", "", "", "", ""]
    seeds.files["suishou_kaigo.csv"] = csv_bytes(SUISHOU_KAIGO_HEADER, [suishou_kaigo], encoding="cp932",
                                                 quote_all=False)
    suishou_iryou = ["032115", "1", "岩手県", "釜石市", "釜石病院", "カマイシビョウイン", "病院", "釜石市甲子町1", "",
                     "39.28", "141.85", "0193-22-1111", "", "", "", "", "0312110001", "月火水木金", "09:00", "17:00",
                     "", "", "内科", "100", "", ""]
    seeds.files["suishou_iryou.csv"] = csv_bytes(SUISHOU_IRYOU_HEADER, [suishou_iryou])
    return seeds


# --- generated files -----------------------------------------------------------------------

_OPEN_DATA_HEADERS = sorted(set(KAIGO_HEADER + NAVII_HEADER[:13] + SUISHOU_KAIGO_HEADER + SUISHOU_IRYOU_HEADER))
_HEADER_POOL = sorted({a for aliases in FIELD_HEADERS.values() for a in aliases}) + [
    "訪問診療", "24時間対応", "在宅看取り", "在宅酸素", "喀痰吸引", "ＦＡＸ 番号", "名 称", "ﾒｰﾙ", "", "定員", "診療科目コード",
]
_TEXT_POOL = [
    "", " ", "○", "×", "△", "はい", "-", "釜石市", "大槌町", "032115", "03211", "32115", "病院", "医科診療所",
    "0193-22-1234", "193221234", "〒026-0025", "0260025", "2026/12/05", "令和8年12月5日", "R8.12.5", "2026-02-30",
    "H31.5.1", "昭和64年1月8日", "99999", "45000", "-1", "1e308", "nan", "inf", "39.27", "141.88", "1000", "=1+1",
    "=SUM(A1:A9)", "=HYPERLINK(\"http://x\")", "@cmd", "+1", "info@example.jp", "http://example.jp", "javascript:x",
    "鈴木（看護師）0193-22-0000／佐藤 0193220001", "（（（", "））", "\"", "\"\"", "a\"b", "\r\n", "\n\n", "\t",
    "\x00", "a\x00b", "\ufeff", "\u200b", "\ud7ff", "😀", "𠮷野家", "ｶﾀｶﾅ", "ﾞﾟ", "\u0301", "R\u0327", "Ⅻ", "㍻",
    "\u3099", "\x1b[31m", "\x7f", "\u2028", "\uffff", "\U0010ffff", "ID", "更新日時", "名称",
]


def _random_text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.55:
        return rng.choice(_TEXT_POOL)
    if roll < 0.8:
        return "".join(rng.choice(_TEXT_POOL) for _ in range(rng.randint(1, 4)))
    if roll < 0.97:
        return "".join(chr(rng.choice((rng.randint(0x20, 0x7e), rng.randint(0x3000, 0x9fff), rng.randint(0, 0x10ffff))))
                       for _ in range(rng.randint(1, 20))).encode("utf-8", "replace").decode("utf-8", "replace")
    return rng.choice(("あ", "x", "0", "\"", ",")) * rng.choice((1000, 40_000, 140_000, 400_000))  # huge cells


def _random_cell(rng: random.Random) -> object:
    roll = rng.random()
    if roll < 0.75:
        return _random_text(rng)
    if roll < 0.85:
        return rng.choice((0, 1, -1, 32115, 193221234, 45000, 2**63, 1e15, 0.5, 1e308, -0.0, 39.27, float("nan")))
    if roll < 0.9:
        return rng.choice((True, False))
    if roll < 0.95:
        import datetime as dt
        return rng.choice((dt.date(2026, 12, 5), dt.datetime(1900, 1, 1, 12, 30), dt.date(9999, 12, 31),
                           dt.time(9, 30), dt.timedelta(days=3)))
    return None


def _grid(rng: random.Random) -> list[list[object]]:
    width = rng.randint(1, 14)
    header_pool = _HEADER_POOL if rng.random() < 0.7 else _OPEN_DATA_HEADERS
    header = [rng.choice(header_pool) if rng.random() < 0.85 else _random_text(rng) for _ in range(width)]
    if rng.random() < 0.7 and "名称" not in header:
        header[rng.randrange(width)] = "名称"
    rows: list[list[object]] = [[_random_text(rng)] for _ in range(rng.choice((0, 0, 0, 1, 3, 12)))]  # title rows
    rows.append(header)
    for _ in range(rng.choice((0, 1, 2, 5, 20, 60))):
        if rng.random() < 0.1:
            rows.append([])  # a blank row
            continue
        rows.append([_random_cell(rng) for _ in range(rng.randint(0, width + 3))])
    return rows


def _xlsx_bytes(rng: random.Random, rows: list[list[object]]) -> bytes:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = openpyxl.Workbook()
    ws = wb.active
    if rng.random() < 0.2:
        ws.title = _safe_title(rng)
        wb.create_sheet("空のシート", 0)  # the list is not on the first sheet
    for row in rows:
        clean = []
        for value in row:
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)[:32767]
            elif isinstance(value, float) and (value != value or abs(value) == float("inf")):
                value = str(value)
            clean.append(value)
        ws.append(clean)
    for _ in range(rng.choice((0, 0, 1, 3))):  # merged cells
        r, c = rng.randint(1, max(1, ws.max_row)), rng.randint(1, 8)
        ws.merge_cells(start_row=r, start_column=c, end_row=r + rng.randint(0, 3), end_column=c + rng.randint(1, 3))
    if rng.random() < 0.1:
        ws.cell(row=rng.choice((2000, 50_000)), column=rng.choice((1, 300)), value="遠くのセル")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _safe_title(rng: random.Random) -> str:
    return "".join(ch for ch in _random_text(rng) if ch not in "[]:*?/\\\x00")[:30] or "資源"


def _csv_text(rng: random.Random, rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    delimiter = rng.choice((",", ",", ",", "\t", ";"))
    quoting = rng.choice((csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC))
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=rng.choice(("\r\n", "\n", "\r")))
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def _encode(rng: random.Random, text: str) -> bytes:
    choice = rng.choice(("utf-8", "utf-8-sig", "cp932", "cp932", "shift_jis", "utf-16", "euc_jp", "mixed"))
    if choice == "mixed":  # each line in its own encoding, as when two files were pasted together
        return b"".join(line.encode(rng.choice(("utf-8", "cp932", "utf-16-le")), "replace")
                        for line in text.splitlines(keepends=True))
    return text.encode(choice, "replace")


_NAMES = ("list.csv", "list.xlsx", "list.txt", "list.tsv", "list.xlsm", "noext", "jigyosho_110.csv", "jigyosho_999.csv",
          "01-1_hospital_facility_info_20260601.csv", "05_pharmacy_facility_info_20261301.csv", "list.xls", "資源 #1.csv")


def generated_case(rng: random.Random) -> tuple[str, bytes]:
    rows = _grid(rng)
    if rng.random() < 0.4:
        return rng.choice(("list.xlsx", "list.xlsx", "list.csv", "jigyosho_110.xlsx")), _xlsx_bytes(rng, rows)
    return rng.choice(_NAMES), _encode(rng, _csv_text(rng, rows))


# --- mutations -----------------------------------------------------------------------------

def _bit_flips(rng: random.Random, data: bytearray) -> None:
    for _ in range(rng.choice((1, 1, 2, 8, 64))):
        if data:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)


def _set_bytes(rng: random.Random, data: bytearray) -> None:
    for _ in range(rng.randint(1, 16)):
        if data:
            data[rng.randrange(len(data))] = rng.choice((0, 0xff, 0x22, 0x2c, 0x0a, 0x0d, 0x3c, 0x81, 0xe3, rng.randrange(256)))


def _truncate(rng: random.Random, data: bytearray) -> None:
    del data[rng.randrange(len(data) + 1):]


def _insert(rng: random.Random, data: bytearray) -> None:
    at = rng.randrange(len(data) + 1)
    chunk = rng.choice((b"\x00", b"\"", b"\r\n", b",,,,", b"\xef\xbb\xbf", b"\x82\xa0", b"\xff\xfe",
                        bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))), b"x" * 200_000))
    data[at:at] = chunk


def _delete(rng: random.Random, data: bytearray) -> None:
    if data:
        at = rng.randrange(len(data))
        del data[at:at + rng.randint(1, 512)]


def _duplicate(rng: random.Random, data: bytearray) -> None:
    if data:
        at = rng.randrange(len(data))
        chunk = bytes(data[at:at + rng.randint(1, 2048)])
        data[rng.randrange(len(data) + 1):0] = chunk * rng.randint(1, 20)


def _swap_encoding(rng: random.Random, data: bytearray) -> None:
    text = bytes(data).decode("utf-8-sig", "replace")
    data[:] = text.encode(rng.choice(("cp932", "utf-16", "utf-16-le", "utf-8", "euc_jp", "utf-8-sig")), "replace")
    if rng.random() < 0.3:
        data[:0] = rng.choice((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


_BYTE_MUTATORS: tuple[Callable[[random.Random, bytearray], None], ...] = (
    _bit_flips, _set_bytes, _truncate, _insert, _delete, _duplicate, _swap_encoding)


def _mutate_bytes(rng: random.Random, data: bytes, mutators=_BYTE_MUTATORS) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        rng.choice(mutators)(rng, out)
    return bytes(out)


_XML_EDITS = (
    (b'r="', b'r="X'), (b'<row ', b'<row r="1048576" '), (b'ref="A1:', b'ref="A1:XFD'), (b't="s"', b't="n"'),
    (b't="n"', b't="s"'), (b"<v>", b"<v>99999999"), (b"</si>", b""), (b"<sheetData>", b"<sheetData><row r=\"0\"/>"),
    (b"UTF-8", b"UTF-16"), (b"<c ", b"<c r=\"A0\" "), (b'count="', b'count="-'), (b"<t>", b"<t>&undefined;"),
)


def _mutate_zip(rng: random.Random, data: bytes) -> bytes:
    """Corrupt one member of an .xlsx: its bytes, an XML edit, or drop/duplicate it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zin:
            members = [(info, zin.read(info.filename)) for info in zin.infolist()]
    except Exception:  # noqa: BLE001 - the seed itself is not a zip any more: mutate its bytes
        return _mutate_bytes(rng, data)
    target = rng.randrange(len(members))
    action = rng.choice(("bytes", "xml", "xml", "drop", "empty", "bomb"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
        for i, (info, content) in enumerate(members):
            if i == target:
                if action == "drop":
                    continue
                if action == "bytes":
                    content = _mutate_bytes(rng, content)
                elif action == "xml":
                    old, new = rng.choice(_XML_EDITS)
                    content = content.replace(old, new, rng.choice((1, -1)))
                elif action == "empty":
                    content = b""
                elif action == "bomb" and info.filename.endswith("sheet1.xml"):
                    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (n, n)
                                    for n in range(2, 3_000))
                    content = content.replace(b"</sheetData>", rows + b"</sheetData>", 1)
            zout.writestr(info.filename, content)
    return buffer.getvalue()


def mutated_case(rng: random.Random, seeds: Seeds) -> tuple[str, bytes]:
    name = rng.choice(sorted(seeds.files))
    data = seeds.files[name]
    if name.endswith(".xlsx") and rng.random() < 0.6:
        data = _mutate_zip(rng, data)
    else:
        data = _mutate_bytes(rng, data)
    if rng.random() < 0.05:  # renamed: an .xlsx called .csv and the other way round
        name = name.rsplit(".", 1)[0] + rng.choice((".csv", ".xlsx", ".txt"))
    return name, data


def database_case(rng: random.Random, seeds: Seeds) -> bytes:
    data = bytearray(seeds.database)
    roll = rng.random()
    if roll < 0.25:  # the 100-byte header
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(100)] = rng.randrange(256)
    elif roll < 0.45:  # the schema page
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(100, min(4096, len(data)))] = rng.randrange(256)
    elif roll < 0.6:
        del data[rng.randrange(len(data)):]
    elif roll < 0.7:  # a whole page overwritten
        page = rng.randrange(max(1, len(data) // 4096))
        data[page * 4096:(page + 1) * 4096] = bytes(rng.randrange(256) for _ in range(4096))
    else:
        return _mutate_bytes(rng, bytes(data), (_bit_flips, _set_bytes, _truncate, _insert, _delete))
    return bytes(data)


def make_case(seed: int, index: int, seeds: Seeds) -> tuple[str, str, bytes]:
    """(kind, file name, bytes) of case ``index``: the same for the same seed, in any worker."""
    rng = random.Random(seed * 1_000_003 + index)
    roll = rng.random()
    if roll < 0.04:  # a damaged file chosen to restore from
        return "restore", "backup.sqlite3", database_case(rng, seeds)
    if roll < 0.08:  # a damaged database at start-up
        return "dbopen", "zaitaku.sqlite3", database_case(rng, seeds)
    if roll < 0.38:
        name, data = generated_case(rng)
        return "generated", name, data
    name, data = mutated_case(rng, seeds)
    return "mutated", name, data


# --- running -------------------------------------------------------------------------------

_armed = False


def _on_alarm(signum, frame) -> None:  # noqa: ANN001
    # The timer repeats every second: a CaseTimeout swallowed somewhere (a __del__, a C callback)
    # is raised again until it reaches the worker loop.
    if _armed:
        raise CaseTimeout()


def _arm(seconds: float) -> None:
    global _armed
    _armed = seconds > 0
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0 if seconds > 0 else 0)


def _db_fingerprint(path: Path) -> tuple[int, ...]:
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return tuple(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables)
    finally:
        conn.close()


def _run_one(kind: str, path: Path, services) -> None:  # noqa: ANN001
    if kind == "restore":  # what restore runs on the chosen file: a verdict, never an exception
        from zaitaku_desktop.storage.backup import verify

        check = verify(path)
        if not check.ok:
            assert check.message, "verify gave no reason"
            raise DomainError(check.message)
    elif kind == "dbopen":
        from zaitaku_desktop.storage.database import Database

        Database.open(path).close()
    else:
        services.transfer.preview_import(path)


@dataclass
class Result:
    counts: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)  # (kind, outcome)
    seconds: Counter = field(default_factory=Counter)  # kind → seconds spent
    slowest: list[tuple[float, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # one line per crash / hang
    db_written: bool = False
    cases: int = 0


def _worker(args: tuple) -> Result:
    seeds, seed, indices, work, crash_dir, timeout, deadline = args
    from zaitaku_desktop.services import open_services

    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    db_path = work / "sample.sqlite3"
    _copy_db(seeds.sample_db, db_path)
    services = open_services(db_path, user="fuzz")
    before = _db_fingerprint(db_path)
    old_handler = signal.signal(signal.SIGALRM, _on_alarm)
    quiet = logging.NullHandler()
    logging.getLogger().addHandler(quiet)  # the program's warnings would flood the output
    result = Result()
    try:
        for index in indices:
            if time.time() > deadline:
                break
            kind, name, data = make_case(seed, index, seeds)
            folder = work / f"c{index}"
            folder.mkdir()
            path = folder / name
            path.write_bytes(data)
            outcome, detail = "ok", ""
            _arm(timeout)
            started = time.perf_counter()
            try:
                _run_one(kind, path, services)
            except CaseTimeout:
                _arm(0)
                outcome, detail = "HANG", f"no answer within {timeout} s"
            except DomainError:
                outcome = "typed"
            except Exception:  # noqa: BLE001 - the point of the run: count and keep every crash
                outcome, detail = "CRASH", traceback.format_exc()
            finally:
                _arm(0)
            spent = time.perf_counter() - started
            result.seconds[kind] += spent
            result.slowest = sorted(result.slowest + [(spent, f"case {index} ({kind}, {name})")], reverse=True)[:5]
            result.cases += 1
            result.counts[outcome] += 1
            result.by_kind[(kind, outcome)] += 1
            if outcome in ("CRASH", "HANG"):
                crash_dir.mkdir(parents=True, exist_ok=True)
                saved = crash_dir / f"case-{seed}-{index:05d}-{kind}-{name}"
                saved.write_bytes(data)
                saved.with_name(saved.name + ".txt").write_text(f"{outcome} ({kind})\n{detail}", encoding="utf-8")
                last = detail.strip().splitlines()[-1] if detail.strip() else outcome
                result.failures.append(f"{outcome} case {index} ({kind}, {name}): {last}  → {saved}")
            for child in folder.iterdir():
                child.unlink()
            folder.rmdir()
    finally:
        services.close()
        signal.signal(signal.SIGALRM, old_handler)
        logging.getLogger().removeHandler(quiet)
    result.db_written = _db_fingerprint(db_path) != before
    return result


def run_fuzz(cases: int = 10_000, *, seed: int = 1, workers: int | None = None, timeout: int = 30,
             time_box: float = 1200.0, crash_dir: Path | None = None, work: Path | None = None,
             log: Callable[[str], None] = print, seeds: Seeds | None = None) -> tuple[Result, float]:
    """Run ``cases`` cases (fewer when ``time_box`` seconds run out); returns the merged result and seconds."""
    workers = workers or max(1, min(4, os.cpu_count() or 1))
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(work or tmp)
        t0 = time.perf_counter()
        seeds = seeds or make_seeds(base / "seeds")
        crash_dir = Path(crash_dir or Path.cwd() / "fuzz-crashes")
        deadline = time.time() + time_box
        jobs = [(seeds, seed, range(w, cases, workers), base / f"w{w}", crash_dir, timeout, deadline)
                for w in range(workers)]
        if workers == 1:
            parts = [_worker(jobs[0])]
        else:
            # spawn: the caller (run_all.py) may have Qt threads running, which a fork would copy badly
            with multiprocessing.get_context("spawn").Pool(workers) as pool:
                parts = pool.map(_worker, jobs)
        total = Result()
        for part in parts:
            total.counts.update(part.counts)
            total.by_kind.update(part.by_kind)
            total.seconds.update(part.seconds)
            total.slowest = sorted(total.slowest + part.slowest, reverse=True)[:5]
            total.failures.extend(part.failures)
            total.db_written = total.db_written or part.db_written
            total.cases += part.cases
        seconds = time.perf_counter() - t0
    for line in total.failures[:50]:
        log(line)
    return total, seconds


def summary(result: Result, seconds: float) -> str:
    counts = "  ".join(f"{o} {result.counts.get(o, 0):,}" for o in OUTCOMES)
    kinds = sorted({k for k, _o in result.by_kind})
    per_kind = "; ".join(f"{k}: " + " ".join(f"{o} {result.by_kind[(k, o)]}" for o in OUTCOMES if result.by_kind[(k, o)])
                         for k in kinds)
    written = "  DATABASE WRITTEN BY A PREVIEW" if result.db_written else ""
    spent = ", ".join(f"{k} {result.seconds[k]:.0f} s" for k in kinds)
    slow = ", ".join(f"{name} {t:.2f} s" for t, name in result.slowest[:3])
    return (f"{result.cases:,} cases in {seconds:.0f} s: {counts}{written}\n  ({per_kind})\n"
            f"  time per kind: {spent}; slowest: {slow}")


def failed(result: Result, wanted: int) -> bool:
    return bool(result.counts.get("CRASH") or result.counts.get("HANG") or result.db_written or result.cases < wanted)


def replay(path: Path) -> int:
    """Run one saved input and show its traceback."""
    from zaitaku_desktop.services import open_services

    with tempfile.TemporaryDirectory() as tmp:
        seeds = make_seeds(Path(tmp))
        services = open_services(seeds.sample_db, user="fuzz")
        parts = path.name.split("-", 4)  # case-<seed>-<index>-<kind>-<name>
        kind, name = (parts[3], parts[4]) if path.name.startswith("case-") and len(parts) == 5 else ("file", path.name)
        target = Path(tmp) / name
        target.write_bytes(path.read_bytes())
        try:
            _run_one(kind, target, services)
            print("ok")
        except DomainError as exc:
            print(f"typed: {exc.message}")
        finally:
            services.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--timeout", type=int, default=30, help="seconds per case before it counts as a hang")
    parser.add_argument("--time-box", type=float, default=1200.0, help="stop starting cases after this many seconds")
    parser.add_argument("--crash-dir", type=Path, default=Path("fuzz-crashes"))
    parser.add_argument("--replay", type=Path, help="run one saved input and show what happens")
    args = parser.parse_args()
    if args.replay:
        return replay(args.replay)
    result, seconds = run_fuzz(args.cases, seed=args.seed, workers=args.workers, timeout=args.timeout,
                               time_box=args.time_box, crash_dir=args.crash_dir)
    print(summary(result, seconds))
    return 1 if failed(result, args.cases) else 0


if __name__ == "__main__":
    sys.exit(main())
