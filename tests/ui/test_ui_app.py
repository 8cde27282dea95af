"""Start-up and command line, each in a fresh process (the GUI owns its QApplication)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from zaitaku_desktop import APP_NAME, __version__

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    values = dict(os.environ)
    values.pop("ZAITAKU_DB", None)
    values.update(ZAITAKU_HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8")
    return values


def _run(env: dict[str, str], *args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout)


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return _run(env, "-m", "zaitaku_desktop", *args)


def test_gui_starts_migrates_and_quits(env, tmp_path):
    db = tmp_path / "gui.sqlite3"
    script = ("import sys\nfrom pathlib import Path\nfrom zaitaku_desktop.app import run_gui\n"
              f"sys.exit(run_gui(Path({str(db)!r}), quit_after_ms=1500))\n")
    result = _run(env, "-c", script)
    assert result.returncode == 0, result.stderr
    assert db.is_file()
    with sqlite3.connect(db) as con:
        versions = con.execute("SELECT version_num FROM alembic_version").fetchall()
    assert len(versions) == 1 and versions[0][0]
    home = tmp_path / "home"
    assert (home / "logs" / "zaitaku.log").is_file()
    assert "window shown" in (home / "logs" / "zaitaku.log").read_text(encoding="utf-8")
    assert (home / "config" / "settings.ini").is_file()  # the layout was saved on close


def test_version(env):
    result = _cli(env, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"{APP_NAME} {__version__}"


def test_demo_and_export_round_trip(env, tmp_path):
    db = str(tmp_path / "cli.sqlite3")
    result = _cli(env, "--db", db, "demo")
    assert result.returncode == 0, result.stderr
    assert "資源 129 件" in result.stdout

    again = _cli(env, "--db", db, "demo")
    assert again.returncode == 1
    assert again.stderr.startswith("エラー：サンプル地域は")

    out = tmp_path / "list.xlsx"
    exported = _cli(env, "--db", db, "resources", "export", str(out))
    assert exported.returncode == 0, exported.stderr
    assert "129 件を書き出しました" in exported.stdout
    wb = openpyxl.load_workbook(out, read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    wb.close()
    assert rows[0][1] == "名称" and len(rows) == 130

    dry = _cli(env, "--db", db, "resources", "import", str(out), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "追加 0 件・変更 0 件・変更なし 129 件" in dry.stdout

    bad = _cli(env, "--db", db, "resources", "export", str(tmp_path / "list.txt"))
    assert bad.returncode == 2
    assert "拡張子" in bad.stderr
    assert not (tmp_path / "list.txt").exists()
