"""Command line: `resources directory` and `resources emergency`."""

from __future__ import annotations

from pathlib import Path

from pdf_tools import assert_fonts_embedded, page_count, pdf_text, requires_poppler, squeeze
from zaitaku_desktop import cli

pytestmark = requires_poppler


def _run(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    code = cli.main(["--db", str(db), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_directory_with_filters(capsys, sample_db_path, tmp_path, sample_services):
    rows = [r for r in sample_services.resources.list_rows() if not r.archived]
    out = tmp_path / "冊子.pdf"
    code, stdout, _ = _run(capsys, sample_db_path, "resources", "directory", str(out), "--municipality", "大槌",
                           "--category", "病院", "--category", "医科診療所")
    expected = [r for r in rows if r.municipality == "大槌町" and r.category in ("病院", "医科診療所")]
    assert code == 0 and f"{len(expected)} 件" in stdout and str(out) in stdout
    flat = squeeze(pdf_text(out))
    assert all(squeeze(r.name) in flat for r in expected)
    assert not any(squeeze(r.name) in flat for r in rows if r.municipality == "釜石市" and r.category == "病院")
    assert "大槌町・病院・医科診療所" in flat
    assert_fonts_embedded(out)


def test_whole_directory_and_emergency(capsys, sample_db_path, tmp_path):
    out = tmp_path / "all.pdf"
    code, stdout, _ = _run(capsys, sample_db_path, "resources", "directory", str(out))
    assert code == 0 and f"{page_count(out)} ページ" in stdout
    sheet = tmp_path / "災害時.pdf"
    code, stdout, _ = _run(capsys, sample_db_path, "resources", "emergency", str(sheet))
    assert code == 0 and "災害時連絡先一覧を書き出しました" in stdout
    assert 1 <= page_count(sheet) <= 2 and "災害時連絡先一覧" in squeeze(pdf_text(sheet))


def test_bad_names_and_suffixes_fail_clearly(capsys, sample_db_path, tmp_path):
    code, _, err = _run(capsys, sample_db_path, "resources", "directory", str(tmp_path / "a.pdf"), "--category", "存在しない")
    assert code == 1 and "種別「存在しない」が見つかりません" in err and "病院" in err
    assert not (tmp_path / "a.pdf").exists()
    code, _, err = _run(capsys, sample_db_path, "resources", "emergency", str(tmp_path / "a.xlsx"))
    assert code == 2 and ".pdf" in err
    code, _, err = _run(capsys, sample_db_path, "resources", "directory", str(tmp_path / "no" / "a.pdf"))
    assert code == 1 and "保存先のフォルダが見つかりません" in err
