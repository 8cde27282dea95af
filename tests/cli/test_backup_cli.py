"""Command line: `backup [DIR]`, `restore FILE` and `check` with their exit statuses."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from zaitaku_desktop import cli, paths
from zaitaku_desktop.storage.backup import our_backups


def _run(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    code = cli.main(["--db", str(db), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def test_backup_to_the_default_folder_and_to_a_chosen_one(capsys, sample_db_path: Path, tmp_path: Path) -> None:
    code, out, err = _run(capsys, sample_db_path, "backup")
    assert code == 0, err
    made = our_backups(paths.backup_dir())
    assert len(made) == 1 and str(made[0][1]) in out and "検査済み" in out
    usb = tmp_path / "USBメモリ"
    usb.mkdir()
    code, out, _ = _run(capsys, sample_db_path, "backup", str(usb))
    assert code == 0 and len(our_backups(usb)) == 1
    assert _count(our_backups(usb)[0][1], "resource") == _count(sample_db_path, "resource") == 129


def test_backup_to_a_missing_folder_fails_plainly(capsys, sample_db_path: Path, tmp_path: Path) -> None:
    code, out, err = _run(capsys, sample_db_path, "backup", str(tmp_path / "外れたUSB"))
    assert code != 0 and out == ""
    assert "バックアップ先のフォルダが見つかりません" in err
    assert not (tmp_path / "外れたUSB").exists()


def test_restore_brings_the_backup_back_and_keeps_the_current_file(capsys, sample_db_path: Path) -> None:
    assert _run(capsys, sample_db_path, "backup")[0] == 0
    backup = our_backups(paths.backup_dir())[0][1]
    conn = sqlite3.connect(sample_db_path)
    conn.execute("DELETE FROM resource_capability")
    conn.commit()
    conn.close()
    assert _count(sample_db_path, "resource_capability") == 0
    code, out, err = _run(capsys, sample_db_path, "restore", str(backup))
    assert code == 0, err
    assert "復元しました" in out and "復元前のデータベースの控え" in out
    assert _count(sample_db_path, "resource_capability") > 0
    safety = [p for _, p in our_backups(paths.backup_dir()) if p.name.startswith("before-restore-")]
    assert len(safety) == 1 and _count(safety[0], "resource_capability") == 0


@pytest.mark.parametrize("content", [b"SQLite format 3\x00" + b"\x00" * 200, "名簿,電話\n".encode()])
def test_restore_refuses_a_bad_file_with_status_2(capsys, sample_db_path: Path, tmp_path: Path, content) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(content)
    before = sample_db_path.read_bytes()
    code, out, err = _run(capsys, sample_db_path, "restore", str(bad))
    assert code == 2 and out == ""
    assert "復元しませんでした" in err
    assert sample_db_path.read_bytes() == before


def test_restore_refuses_a_foreign_sqlite_file(capsys, sample_db_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "家計簿.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE expense (id INTEGER, amount INTEGER)")
    conn.commit()
    conn.close()
    code, _, err = _run(capsys, sample_db_path, "restore", str(other))
    assert code == 2 and "本プログラムのデータベースではありません" in err


def test_check_passes_then_fails_on_a_planted_error(capsys, sample_db_path: Path) -> None:
    code, out, _ = _run(capsys, sample_db_path, "check")
    assert code == 0
    lines = out.splitlines()
    assert lines[-1] == "すべての検査に合格しました"
    assert all(line.startswith("OK\t") for line in lines[:-1]) and len(lines) >= 11
    conn = sqlite3.connect(sample_db_path)
    conn.execute("UPDATE resource SET category_id = 'gone' WHERE id = (SELECT id FROM resource LIMIT 1)")
    conn.commit()
    conn.close()
    code, out, _ = _run(capsys, sample_db_path, "check")
    assert code == 1
    failed = [line for line in out.splitlines() if line.startswith("NG\t")]
    assert "NG\t資源の種別\t1件の資源に、存在する種別がありません" in failed
    assert any(line.startswith("NG\tデータの参照（外部キー）\t") and "資源（resource）1 行" in line for line in failed)


def test_check_of_a_missing_file_creates_nothing(capsys, tmp_path: Path) -> None:
    db = tmp_path / "none.sqlite3"
    code, _, err = _run(capsys, db, "check")
    assert code == 2 and "見つかりません" in err and not db.exists()


def test_check_exit_status_from_a_real_process(sample_db_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "zaitaku_desktop", "--db", str(sample_db_path), "check"],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    assert "データベースの版" in done.stdout


def test_restore_refuses_while_the_program_has_the_database_open(capsys, sample_db_path: Path) -> None:
    from zaitaku_desktop.storage.instance_lock import InstanceLock

    assert _run(capsys, sample_db_path, "backup")[0] == 0
    backup = our_backups(paths.backup_dir())[0][1]
    before = sample_db_path.read_bytes()
    window = InstanceLock(sample_db_path)  # what a running window holds
    assert window.acquire()
    try:
        code, _out, err = _run(capsys, sample_db_path, "restore", str(backup))
    finally:
        window.release()
    assert code == 2 and "復元しませんでした" in err and "すでに別のウィンドウ" in err
    assert sample_db_path.read_bytes() == before
    assert _run(capsys, sample_db_path, "restore", str(backup))[0] == 0  # once it is closed, it works
