"""Command line: `issues export` and `issues sample`."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from zaitaku_desktop import cli


def _run(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    code = cli.main(["--db", str(db), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_issues_export_after_demo(capsys, tmp_path: Path) -> None:
    db = tmp_path / "cli.sqlite3"
    code, out, _ = _run(capsys, db, "demo")
    assert code == 0 and "サンプルの課題 25 件" in out
    target = tmp_path / "課題一覧.xlsx"
    code, out, _ = _run(capsys, db, "issues", "export", str(target))
    assert code == 0 and "課題 25 件を書き出しました" in out
    assert openpyxl.load_workbook(target).sheetnames == ["課題", "対応策", "集計"]
    code, _, err = _run(capsys, db, "issues", "sample")
    assert code == 1 and "すでに読み込まれています" in err


def test_issues_export_refuses_other_suffixes(capsys, tmp_path: Path) -> None:
    db = tmp_path / "cli.sqlite3"
    code, _, err = _run(capsys, db, "issues", "export", str(tmp_path / "x.csv"))
    assert code == 2 and ".xlsx" in err
    assert not db.exists()


def test_issues_sample_needs_the_sample_region(capsys, tmp_path: Path) -> None:
    db = tmp_path / "cli.sqlite3"
    code, _, err = _run(capsys, db, "issues", "sample")
    assert code == 1 and "エラー：" in err
