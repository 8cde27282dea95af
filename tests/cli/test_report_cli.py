"""Command line: `report annual --fiscal-year YEAR OUT.pdf|OUT.xlsx` and its refusals (Japanese, exit 2)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from pdf_tools import assert_fonts_embedded, page_count, pdf_text, requires_poppler, squeeze
from zaitaku_desktop import cli


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


@requires_poppler
def test_annual_report_as_pdf(capsys, demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "令和7年度 実績報告.pdf"
    code, stdout, err = _run(capsys, demo_db, "report", "annual", "--fiscal-year", "2025", str(out),
                             "--organisation", "釜石市")
    assert (code, err) == (0, "")
    pages = page_count(out)
    assert f"令和7年度の事業実績報告（{pages} ページ）を書き出しました" in stdout
    text = squeeze(pdf_text(out))
    assert "令和7年4月1日（火）〜令和8年3月31日（火）" in text and "ク在宅医療・介護連携に関する関係市区町村の連携" in text
    assert_fonts_embedded(out)


def test_annual_report_as_excel(capsys, demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "annual.XLSX"
    code, stdout, err = _run(capsys, demo_db, "report", "annual", "--fiscal-year", "2025", str(out))
    assert (code, err) == (0, "")
    assert "事業ごとのシート" in stdout
    book = openpyxl.load_workbook(out)
    assert len(book.sheetnames) == 9 and book.sheetnames[5] == "オ 相談支援"


@pytest.mark.parametrize("args, message", [
    (("--fiscal-year", "2025", "OUT.docx"), "拡張子は .pdf または .xlsx"),
    (("--fiscal-year", "25", "OUT.pdf"), "--fiscal-year は 2025 のように"),
    (("--fiscal-year", "2025", "{missing}/OUT.pdf"), "保存先のフォルダが見つかりません"),
    (("--fiscal-year", "令和7", "OUT.pdf"), "指定が正しくありません"),
    (("OUT.pdf",), "指定が正しくありません"),
])
def test_bad_arguments_are_refused_in_japanese(capsys, demo_db: Path, tmp_path: Path, args, message) -> None:
    args = tuple(a.replace("{missing}", str(tmp_path / "nowhere")).replace("OUT.", str(tmp_path / "OUT."))
                 if "OUT" in a else a for a in args)
    try:
        code, stdout, err = _run(capsys, demo_db, "report", "annual", *args)
    except SystemExit as exc:  # argparse refuses before the command runs
        code, err = exc.code, capsys.readouterr().err
    assert code == 2
    assert message in err
    assert not list(tmp_path.iterdir())
