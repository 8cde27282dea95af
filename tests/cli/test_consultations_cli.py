"""Command line: `consultations stats OUT.xlsx [--from DATE --to DATE]` — always anonymous — and its refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from zaitaku_desktop import cli
from zaitaku_desktop.domain.dates import fiscal_year
from zaitaku_desktop.services import open_services


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    db = folder / "demo.sqlite3"
    with pytest.MonkeyPatch.context() as patch:  # built once, before the per-test home is set: use its own
        patch.setenv("ZAITAKU_HOME", str(folder / "home"))
        assert cli.main(["--db", str(db), "demo"]) == 0
    return db


def _run(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(["--db", str(db), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _cells(path: Path) -> set[str]:
    book = openpyxl.load_workbook(path)
    return {str(v) for ws in book for line in ws.iter_rows(values_only=True) for v in line if v is not None}


def test_stats_of_a_period_are_anonymous(capsys, demo_db: Path, tmp_path: Path) -> None:
    services = open_services(demo_db, user="tester")
    try:
        today = dt.date.today()
        start, end = dt.date(today.year - 1, today.month, 1), today
        expected = services.consultations.stats(start, end)
        rows = services.consultations.list_rows(start=start, end=end)
    finally:
        services.close()
    assert expected.total > 0 and rows  # the sample year of consultations
    out = tmp_path / "相談統計.xlsx"
    code, text, err = _run(capsys, demo_db, "consultations", "stats", str(out), "--from", start.isoformat(),
                           "--to", f"{end:%Y/%m/%d}")
    assert (code, err) == (0, "")
    assert f"相談 {expected.total:,} 件" in text and str(out) in text
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["概要", "月別", "相談者の区分", "分類", "受付方法", "状況", "紹介先"]
    summary = {r[0]: r[1] for r in book["概要"].iter_rows(min_row=2, max_row=5, values_only=True)}
    assert summary["相談件数"] == expected.total and summary["期間の開始"].date() == start
    months = list(book["月別"].iter_rows(values_only=True))
    assert months[-1][-1] == expected.total and len(months) == len(expected.by_month_window.row_labels) + 2
    cells = _cells(out)
    names = {r.person_name for r in rows if r.person_name} | {r.requester_name for r in rows if r.requester_name}
    assert names and not names & cells  # no person and no requester is named


def test_without_dates_the_current_fiscal_year(capsys, demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "fy.xlsx"
    code, text, _ = _run(capsys, demo_db, "consultations", "stats", str(out))
    assert code == 0
    year = fiscal_year(dt.date.today())
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(out)["概要"].iter_rows(min_row=2, max_row=3, values_only=True)}
    assert (summary["期間の開始"].date(), summary["期間の終了"].date()) == (dt.date(year, 4, 1), dt.date(year + 1, 3, 31))
    assert "匿名" in text


@pytest.mark.parametrize("args, message", [
    (["OUT.pdf"], "拡張子は .xlsx"),
    (["OUT.xlsx", "--from", "2026-13-01"], "--from は 2026-04-01 のように"),
    (["OUT.xlsx", "--from", "2026-04-01", "--to", "2026-03-31"], "--to の日付が --from より前"),
    (["missing/OUT.xlsx"], "保存先のフォルダが見つかりません"),
])
def test_refusals_are_japanese_with_exit_code_2(capsys, demo_db: Path, tmp_path: Path, args, message) -> None:
    args = [str(tmp_path / args[0]), *args[1:]]
    code, text, err = _run(capsys, demo_db, "consultations", "stats", *args)
    assert code == 2 and text == ""
    assert err.startswith("エラー：") and message in err
    assert not list(tmp_path.rglob("*.xlsx")) and not list(tmp_path.rglob("*.pdf"))
