"""Command line: `sync export OUT --since DATE` and `sync import FILE` (exit codes, what is printed, --theirs)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from zaitaku_desktop import cli
from zaitaku_desktop.services import open_services
from tests.services.test_sync import age_everything, copy_database, rename

TODAY = dt.date.today().isoformat()


def _run(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(["--db", str(db), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _two_laptops(sample_services, sample_db_path: Path, tmp_path: Path) -> tuple[Path, Path, str]:
    """A and B parted long ago; both renamed the same resource since (a conflict), A changed another."""
    age_everything(sample_services)
    b_path = copy_database(sample_db_path, tmp_path / "b.sqlite3")
    rows = sorted(sample_services.resources.list_rows(), key=lambda r: r.name)
    rename(sample_services, rows[0].id, name="Aの名称")
    rename(sample_services, rows[1].id, phone="0193-11-1111")
    sample_services.close()
    b = open_services(b_path, user="other")
    try:
        rename(b, rows[0].id, name="Bの名称")
    finally:
        b.close()
    return sample_db_path, b_path, rows[0].id


def _name(db: Path, resource_id: str) -> str:
    services = open_services(db, user="tester")
    try:
        return services.resources.get(resource_id).row.name
    finally:
        services.close()


def test_export_then_import_keeps_ours_and_prints_the_conflict(capsys, sample_services, sample_db_path: Path,
                                                               tmp_path: Path) -> None:
    a, b, resource_id = _two_laptops(sample_services, sample_db_path, tmp_path)
    out = tmp_path / "a.zip"
    code, text, err = _run(capsys, a, "sync", "export", str(out), "--since", TODAY)
    assert (code, err) == (0, "") and "交換ファイルを書き出しました（2 件：資源 2）" in text and out.is_file()

    code, text, _ = _run(capsys, b, "sync", "import", str(out), "--dry-run")
    assert code == 0 and "更新 1件・競合 1件" in text and "確認のみ" in text
    assert "競合\t資源\tBの名称\t名称\tこちら：Bの名称\t相手：Aの名称\t→ こちら" in text
    assert _name(b, resource_id) == "Bの名称"

    code, text, _ = _run(capsys, b, "sync", "import", str(out))
    assert code == 0 and "取り込みました：追加 0件・更新 1件・競合 1件（相手を選択 0件）" in text
    assert "取り込み前のバックアップ" in text and _name(b, resource_id) == "Bの名称"

    code, text, _ = _run(capsys, b, "sync", "import", str(out))
    assert code == 0 and "追加 0件・更新 0件・競合 0件・変更なし 2件" in text  # the second import changes nothing


def test_import_with_theirs_takes_their_value(capsys, sample_services, sample_db_path: Path, tmp_path: Path) -> None:
    a, b, resource_id = _two_laptops(sample_services, sample_db_path, tmp_path)
    out = tmp_path / "a.zip"
    assert _run(capsys, a, "sync", "export", str(out), "--since", TODAY)[0] == 0
    code, text, _ = _run(capsys, b, "sync", "import", str(out), "--theirs")
    assert code == 0 and "→ 相手" in text and "（相手を選択 1件）" in text
    assert _name(b, resource_id) == "Aの名称"


def test_a_password_protected_file_from_stdin(capsys, monkeypatch, sample_services, sample_db_path: Path,
                                              tmp_path: Path) -> None:
    a, b, resource_id = _two_laptops(sample_services, sample_db_path, tmp_path)
    out = tmp_path / "a.zip"
    monkeypatch.setattr("sys.stdin", io.StringIO("secret-pass\n"))
    assert _run(capsys, a, "sync", "export", str(out), "--since", TODAY, "--password-stdin")[0] == 0
    code, _, err = _run(capsys, b, "sync", "import", str(out))
    assert code == 1 and "パスワードで保護されています" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("secret-pass\n"))
    assert _run(capsys, b, "sync", "import", str(out), "--theirs", "--password-stdin")[0] == 0
    assert _name(b, resource_id) == "Aの名称"


def test_bad_arguments_exit_2_and_bad_files_exit_1(capsys, db_path: Path, tmp_path: Path) -> None:
    code, _, err = _run(capsys, db_path, "sync", "export", str(tmp_path / "x.zip"), "--since", "きのう")
    assert code == 2 and "--since は 2026-04-01 のように指定してください：きのう" in err
    code, _, err = _run(capsys, db_path, "sync", "export", str(tmp_path / "x.txt"), "--since", TODAY)
    assert code == 2 and ".zip" in err
    code, _, err = _run(capsys, db_path, "sync", "import", str(tmp_path / "missing.zip"))
    assert code == 2 and "交換ファイルが見つかりません" in err
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK not really")
    code, _, err = _run(capsys, db_path, "sync", "import", str(junk))
    assert code == 1 and "交換ファイルが壊れている" in err
    assert not (tmp_path / "x.zip").exists()
