"""Property tests of the importers on hostile files, and a short fuzz run.

Any grid of cells written as .xlsx or .csv (UTF-8, UTF-8 with BOM, CP932, UTF-16, mixed), with random
headers, title rows, blank rows, merged cells, huge cells, formulas, dates as text or serials and NUL
bytes, goes through the readers and the import preview. They return rows and typed issues naming the
row and the column, or raise one of the program's DomainErrors; nothing else, and a preview never
writes to the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from zaitaku_desktop.domain.errors import DomainError, FileFormatError
from zaitaku_desktop.importers import FIELD_HEADERS, ImportVocab, VocabEntry, read_resource_table
from zaitaku_desktop.importers.open_data import read_open_data

from open_data_files import (
    KAIGO_HEADER, NAVII_HEADER, SUISHOU_IRYOU_HEADER, SUISHOU_KAIGO_HEADER, kaigo_row, navii_row,
)

VOCAB = ImportVocab(
    categories=[VocabEntry("cat-hosp", "病院"), VocabEntry("cat-clinic", "医科診療所")],
    municipalities=[VocabEntry("mun-k", "釜石市", code="032115"), VocabEntry("mun-o", "大槌町", code="034614")],
    districts=[VocabEntry("dis-kosano", "小佐野", parent_id="mun-k")],
    capabilities=[VocabEntry("cap-visit", "訪問診療"), VocabEntry("cap-24", "24時間対応")],
    procedures=[VocabEntry("proc-o2", "在宅酸素")],
)
REGION = {"03211": "mun-k", "03461": "mun-o"}

# Headers: every alias the reader knows, vocabulary columns, open-data headers and made-up ones
# (kept to characters every encoding here can write, so the header text is known exactly).
HEADER_POOL = sorted({a for aliases in FIELD_HEADERS.values() for a in aliases}
                     | {"訪問診療", "24時間対応", "在宅酸素", "ＦＡＸ 番号", "名 称", "定員"}
                     | set(KAIGO_HEADER[:17]) | set(NAVII_HEADER[:13]) | set(SUISHOU_KAIGO_HEADER)
                     | set(SUISHOU_IRYOU_HEADER))
HEADERS = st.one_of(st.sampled_from(HEADER_POOL), st.text(st.sampled_from(list("名称住所電話あいうカナABC 0")), max_size=6))
COMMON = st.sampled_from([
    "", " ", "○", "×", "△", "-", "釜石市", "03211", "病院", "医科診療所", "0193-22-1234", "193221234", "0260025",
    "2026/12/05", "令和8年12月5日", "2026-02-30", "R8.12.5", "45000", "=1+1", "=SUM(A1:A3)", "\x00", "a\x00b", "\"",
    "a\"b\n\"", "鈴木（看護師）0193-22-0000／佐藤", "（（", "39.27", "nan", "1e400", "𠮷野家", "ｶﾀｶﾅ", "\u3099", "\ufeff",
    "110", "999", "034614", "0321a", "居宅介護支援",
])
HUGE = st.sampled_from(["あ" * 40_000, "x" * 140_000])  # past the csv module's field limit
CELL_TEXT = st.integers(0, 19).flatmap(lambda k: HUGE if k == 0 else st.one_of(COMMON, COMMON, st.text(max_size=20)))
CELL = st.one_of(CELL_TEXT, st.none(), st.integers(-10**16, 10**16), st.floats(allow_nan=False, allow_infinity=False),
                 st.booleans(), st.dates(min_value=dt.date(1900, 1, 1)), st.just(float("nan")))

OPEN_DATA_LAYOUTS = [
    (KAIGO_HEADER, kaigo_row()), (KAIGO_HEADER, kaigo_row(code="034614", service="居宅介護支援")),
    (NAVII_HEADER, navii_row()),
    (SUISHOU_KAIGO_HEADER, ["032115", "1", "岩手県", "釜石市", "釜石居宅", "カマイシキョタク", "居宅介護支援", "釜石市只越町1-1", "",
                            "39.27", "141.88", "0193-22-0001", "", "0193-22-0002", "", "", "0370100001", "平日", "", "",
                            "", ""]),
    (SUISHOU_IRYOU_HEADER, ["032115", "1", "岩手県", "釜石市", "釜石病院", "カマイシビョウイン", "病院", "釜石市甲子町1", "",
                            "39.28", "141.85", "0193-22-1111", "", "", "", "", "0312110001", "月火水木金", "09:00", "17:00",
                            "", "", "内科", "100", "", ""]),
]


@st.composite
def grids(draw) -> list[list[object]]:
    if draw(st.integers(0, 2)) == 0:  # an official open-data layout: valid rows with some cells spoilt
        header, good = draw(st.sampled_from(OPEN_DATA_LAYOUTS))
        rows = []
        for _ in range(draw(st.integers(0, 8))):
            row: list[object] = list(good)
            for col in draw(st.lists(st.integers(0, len(row) - 1), max_size=4)):
                row[col] = draw(CELL)
            rows.append(row[:draw(st.integers(len(row) - 3, len(row)))])  # some rows cut short
        return [list(header), *rows]
    header = draw(st.lists(HEADERS, min_size=1, max_size=10))
    if draw(st.integers(0, 3)):
        header[draw(st.integers(0, len(header) - 1))] = "名称"
    titles = draw(st.lists(st.lists(CELL_TEXT, max_size=2), max_size=2))
    rows = draw(st.lists(st.lists(CELL, max_size=len(header) + 2), max_size=12))
    return [*titles, header, *rows]


def _xlsx(grid: list[list[object]], merges: int) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in grid:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v)[:32767] if isinstance(v, str)
                   else "NaN" if isinstance(v, float) and v != v else v for v in row])
    for n in range(merges):
        ws.merge_cells(start_row=n + 1, start_column=1, end_row=n + 2, end_column=3)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _csv(grid: list[list[object]], encoding: str) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([["" if v is None else v for v in row] for row in grid])
    if encoding == "mixed":  # lines in different encodings, as when two files were pasted together
        return b"".join(line.encode(enc, "replace") for line, enc in
                        zip(out.getvalue().splitlines(keepends=True), ["utf-8", "cp932"] * len(grid)))
    return out.getvalue().encode(encoding, "replace")


@st.composite
def files(draw) -> tuple[str, bytes, list[list[object]], bool]:
    """(file name, bytes, the grid written, whether its header texts read back exactly)."""
    grid = draw(grids())
    kind = draw(st.sampled_from(["xlsx", "utf-8", "utf-8-sig", "cp932", "utf-16", "mixed"]))
    if kind == "xlsx":
        return "list.xlsx", _xlsx(grid, draw(st.integers(0, 2))), grid, True
    name = draw(st.sampled_from(["list.csv", "list.txt", "jigyosho_110.csv", "01-1_hospital_facility_info_20260601.csv"]))
    return name, _csv(grid, kind), grid, kind != "mixed"


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _header_texts(grid: list[list[object]]) -> set[str]:
    return {"", *(str(v).strip() for row in grid for v in row if isinstance(v, str))}


FILE_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                                  HealthCheck.data_too_large])


@FILE_SETTINGS
@given(files())
def test_resource_reader_returns_rows_with_located_issues_or_a_file_error(case) -> None:
    name, data, grid, exact = case
    with tempfile.TemporaryDirectory() as tmp:
        try:
            table = read_resource_table(_write(Path(tmp), name, data), VOCAB)
        except FileFormatError as exc:
            assert exc.message
            event("file error")
            return
    event(f"rows read, {'some' if any(r.errors for r in table.rows) else 'no'} row errors")
    known = {"", *table.headers.values(), *table.capability_headers.values(), *table.procedure_headers.values()}
    for parsed in table.rows:
        assert table.header_row < parsed.row <= len(grid)
        for issue in parsed.errors + parsed.warnings:
            assert issue.column in known and issue.message
            assert issue.column in _header_texts(grid) or not exact


@FILE_SETTINGS
@given(files())
def test_open_data_reader_returns_located_issues_or_a_domain_error(case) -> None:
    name, data, grid, exact = case
    with tempfile.TemporaryDirectory() as tmp:
        try:
            table = read_open_data(_write(Path(tmp), name, data), REGION)
        except DomainError as exc:
            assert exc.message
            return
    if table is None:
        return
    for issue in table.errors + table.warnings:
        assert 2 <= issue.row <= len(grid) + 1 and issue.message
        assert issue.column in _header_texts(grid) or not exact


def _fingerprint(path: Path) -> tuple[int, ...]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return tuple(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables)
    finally:
        conn.close()


@pytest.mark.filterwarnings("ignore:Generating overly large repr")  # a generated file is tens of kB of cells
@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(files())
def test_preview_never_writes_and_names_row_and_column(sample_services, sample_db_path: Path, case) -> None:
    """The import dialog's preview on the sample region: typed errors only, and the database untouched."""
    name, data, grid, exact = case
    before = _fingerprint(sample_db_path)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            preview = sample_services.transfer.preview_import(_write(Path(tmp), name, data))
        except DomainError as exc:
            assert exc.message
            preview = None
    assert _fingerprint(sample_db_path) == before
    if preview is None:
        event("file error")
        return
    event(f"preview: {'open data' if preview.open_data else 'list'}, {'some' if preview.errors else 'no'} row errors")
    for error in preview.errors + preview.warnings:
        assert 1 <= error.row <= len(grid) + 1 and error.message
        assert error.column in _header_texts(grid) or not exact
    assert {c.row for c in preview.changes}.isdisjoint({e.row for e in preview.errors}) or preview.open_data


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.tuples(st.sampled_from(["", "釜石テスト医院", "大槌テスト薬局", "x" * 300]),
                          st.sampled_from(["病院", "医科診療所", "保険調剤薬局", "宇宙港", ""]),
                          st.sampled_from(["0193-22-1234", "〒026", "026-0025", ""])), min_size=1, max_size=8))
def test_apply_writes_only_the_accepted_good_rows(template_db: Path, rows) -> None:
    """Refused: nothing written. Accepted partially: exactly the rows the preview planned, nothing else."""
    from zaitaku_desktop.services import open_services

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "db.sqlite3"
        src, dst = sqlite3.connect(template_db), sqlite3.connect(db)
        src.backup(dst)
        dst.close()
        src.close()
        grid = [["名称", "種別", "郵便番号"], *[list(r) for r in rows]]
        svc = open_services(db, user="tester")
        try:
            preview = svc.transfer.preview_import(_write(Path(tmp), "list.csv", _csv(grid, "utf-8-sig")))
            if preview.errors:
                with pytest.raises(DomainError):
                    svc.transfer.apply_import(preview)
                assert svc.resources.count() == 0
            result = svc.transfer.apply_import(preview, accept_partial=True)
            assert result.added == preview.to_add == svc.resources.count()
            assert result.rejected == preview.error_rows
            assert {r.name for r in svc.resources.list_rows()} == {c.name for c in preview.changes}
        finally:
            svc.close()


# --- regressions found by the fuzz run -----------------------------------------------------

def test_huge_cell_in_the_first_rows_is_a_file_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "list.csv", ("名称,備考\r\nあ," + "x" * 140_000 + "\r\n").encode())
    with pytest.raises(FileFormatError, match="長い項目"):
        read_open_data(path, REGION)
    with pytest.raises(FileFormatError, match="長い項目"):
        read_resource_table(path, VOCAB)


def test_open_data_code_with_five_non_digits_is_outside_the_region(tmp_path: Path) -> None:
    header = SUISHOU_IRYOU_HEADER
    row = ["0321a", "1", "岩手県", "釜石市", "釜石病院", "", "病院", "釜石市甲子町1"] + [""] * (len(header) - 8)
    out = io.StringIO()
    csv.writer(out).writerows([header, row])
    table = read_open_data(_write(tmp_path, "iryou.csv", out.getvalue().encode("utf-8-sig")), REGION)
    assert table is not None and table.outside_region == 1 and not table.rows


def test_date_cell_out_of_range_is_read_not_refused(tmp_path: Path) -> None:
    """Found by the fuzz run: openpyxl warns about a date serial past year 9999; with warnings as errors
    (as here) the whole sheet was refused, while the program itself read on. Now both read the row."""
    data = _xlsx([["名称", "種別", "最終確認日"], ["あおば医院", "病院", dt.date(2026, 1, 5)]], 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            content = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert b"<v>46027</v>" in content
                content = content.replace(b"<v>46027</v>", b"<v>9999999946027</v>")
            zout.writestr(info, content)
    table = read_resource_table(_write(tmp_path, "list.xlsx", out.getvalue()), VOCAB)
    (row,) = table.rows
    assert row.name == "あおば医院" and isinstance(row.values["last_confirmed"], str)


def test_an_open_quote_swallowing_rows_makes_its_row_an_error(tmp_path: Path) -> None:
    """Found by the fuzz run: a stray quote in 備考 pulled the next rows into one note, which was accepted."""
    lines = ["名称,種別,市町村,備考", "あおば医院,病院,釜石市,\"右の扉から", *[f"病院{i},病院,釜石市,メモ{i}" for i in range(5)],
             "最後の医院,病院,釜石市,\"閉じた\""]
    table = read_resource_table(_write(tmp_path, "list.csv", "\r\n".join(lines).encode("utf-8")), VOCAB)
    assert len(table.rows) == 1
    (row,) = table.rows
    assert (row.row, row.errors[0].column) == (2, "備考")
    assert "別の行のような内容が6行分" in row.errors[0].message
    # A note written over several lines, with a comma or two, is still a note.
    note = "\"月・水は午前のみ,\n祝日は休み, 要予約\""
    path = _write(tmp_path, "ok.csv", f"名称,種別,市町村,備考\r\nあおば医院,病院,釜石市,{note}\r\n".encode("utf-8"))
    assert read_resource_table(path, VOCAB).rows[0].errors == []


# --- a short fuzz run in the normal suite ----------------------------------------------------

@pytest.fixture(scope="module")
def fuzz_seeds(tmp_path_factory: pytest.TempPathFactory, sample_template_db: Path):
    from benchmarks.fuzz_importers import make_seeds

    return make_seeds(tmp_path_factory.mktemp("fuzz-seeds"), sample_template_db)


@pytest.mark.slow
def test_short_fuzz_run_has_no_crash_or_hang(tmp_path: Path, fuzz_seeds) -> None:
    from benchmarks.fuzz_importers import run_fuzz, summary

    lines: list[str] = []
    result, seconds = run_fuzz(300, seed=7, workers=1, time_box=25, crash_dir=tmp_path / "crashes",
                               work=tmp_path / "work", log=lines.append, seeds=fuzz_seeds)
    text = summary(result, seconds)
    print(text)
    assert result.cases >= 100, text  # 300 on an idle machine; the time box keeps the suite quick under load
    assert {kind for kind, _outcome in result.by_kind} == {"generated", "mutated", "restore", "dbopen"}, text
    assert result.counts["ok"] and result.counts["typed"], text  # both outcomes occur: the run is not vacuous
    assert not result.db_written, text
    assert not result.counts["CRASH"] and not result.counts["HANG"], "\n".join([text, *lines])


def test_fuzz_harness_counts_and_keeps_crashes_and_hangs(tmp_path: Path, fuzz_seeds,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The harness itself: a crash and a hang are counted, saved for replay and fail the run."""
    import time

    from benchmarks import fuzz_importers as fuzz

    def broken(kind: str, path: Path, services) -> None:  # noqa: ANN001
        if kind in ("restore", "dbopen"):
            raise FileFormatError("壊れています")
        if path.suffix == ".xlsx":
            try:  # a hang that swallows the first timeout, as a __del__ or a broad except would
                time.sleep(5)
            except BaseException:  # noqa: BLE001
                pass
            while True:
                time.sleep(0.01)
        raise KeyError("boom")

    monkeypatch.setattr(fuzz, "_run_one", broken)
    cases = 12
    result, _seconds = fuzz.run_fuzz(cases, seed=3, workers=1, timeout=1, crash_dir=tmp_path / "crashes",
                                     work=tmp_path / "work", log=lambda _line: None, seeds=fuzz_seeds)
    kinds = [fuzz.make_case(3, i, fuzz_seeds) for i in range(cases)]
    hangs = sum(1 for kind, name, _d in kinds if name.endswith(".xlsx"))
    typed = sum(1 for kind, _n, _d in kinds if kind in ("restore", "dbopen"))
    assert result.counts == {"HANG": hangs, "typed": typed, "CRASH": cases - hangs - typed} and hangs
    saved = sorted(p.name for p in (tmp_path / "crashes").iterdir())
    assert len(saved) == 2 * (cases - typed)  # each input and its traceback
    assert any("KeyError" in (tmp_path / "crashes" / n).read_text(encoding="utf-8") for n in saved if n.endswith(".txt"))
    assert fuzz.failed(result, cases)
