"""Command line: municipalities add/list and the open-data import (counts, --dry-run)."""

from __future__ import annotations

from pathlib import Path

from zaitaku_desktop import cli

from open_data_files import KAIGO_HEADER, kaigo_row, write_csv


def _run(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    code = cli.main(["--db", str(db), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_municipalities_add_and_list(capsys, tmp_path):
    db = tmp_path / "cli.sqlite3"
    assert _run(capsys, db, "municipalities", "list")[1].startswith("市町村は登録されていません")
    code, out, _ = _run(capsys, db, "municipalities", "add", "03211", "釜石市", "--reading", "かまいしし")
    assert code == 0 and "032115 釜石市" in out  # the check digit was added
    code, _, err = _run(capsys, db, "municipalities", "add", "034613", "大槌町")
    assert code == 2 and "正しくは 034614" in err
    code, _, err = _run(capsys, db, "municipalities", "add", "03461", "大槌町")
    assert code == 0
    code, _, err = _run(capsys, db, "municipalities", "add", "034614", "大槌")
    assert code == 1 and "登録済み" in err
    code, out, _ = _run(capsys, db, "municipalities", "list")
    assert "032115\t釜石市\tかまいしし\t0" in out and "034614\t大槌町" in out


def test_import_open_data_dry_run_then_apply(capsys, tmp_path):
    db = tmp_path / "cli.sqlite3"
    path = write_csv(tmp_path / "jigyosho_110.csv", KAIGO_HEADER,
                     [kaigo_row(), kaigo_row(code="011011", number="0170100001")])
    code, _, err = _run(capsys, db, "resources", "import", str(path))
    assert code == 1 and "設定 → 市町村" in err and "municipalities add" in err
    _run(capsys, db, "municipalities", "add", "032115", "釜石市")

    code, out, _ = _run(capsys, db, "resources", "import", str(path), "--dry-run", "--date", "2026-06-30")
    assert code == 0
    assert "新規 1 件・変更 0 件・変更なし 0 件・掲載なし 0 件・地域外 1 行・エラー 0 行" in out
    assert "データの日付：2026-06-30" in out and "何も書き込んでいません" in out
    code, out, _ = _run(capsys, db, "resources", "import", str(path), "--dry-run")
    assert "新規 1 件" in out  # the dry run wrote nothing

    code, out, _ = _run(capsys, db, "resources", "import", str(path))
    assert code == 0 and "取り込みました：追加 1 件" in out
    code, out, _ = _run(capsys, db, "resources", "import", str(path))
    assert "新規 0 件・変更 0 件・変更なし 1 件" in out


def test_bad_date_is_refused(capsys, tmp_path):
    path = write_csv(tmp_path / "jigyosho_110.csv", KAIGO_HEADER, [kaigo_row()])
    code, _, err = _run(capsys, tmp_path / "x.sqlite3", "resources", "import", str(path), "--date", "6/30")
    assert code == 2 and "--date" in err
