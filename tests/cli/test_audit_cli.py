"""Command line: `audit verify` (exit 0 / 1 and what it prints) and `audit export OUT.xlsx|OUT.csv`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import openpyxl

from zaitaku_desktop import cli
from zaitaku_desktop.services import open_services


def _run(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(["--db", str(db), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _db_with_entries(tmp_path: Path, n: int = 5) -> Path:
    path = tmp_path / "a.sqlite3"
    services = open_services(path, user="tester")
    try:
        for i in range(1, n + 1):
            services.audit.append("view", "consultation_case", f"case-{i}", f"2026-{i:04d}")
    finally:
        services.close()
    return path


def test_verify_says_intact_then_names_the_tampered_entry(capsys, tmp_path: Path) -> None:
    db = _db_with_entries(tmp_path)
    assert _run(capsys, db, "audit", "verify") == (0, "監査ログは正常です（5件）\n", "")
    with sqlite3.connect(db) as raw:
        raw.execute("DROP TRIGGER audit_log_no_update")
        raw.execute("UPDATE audit_log SET entity_id = 'other' WHERE seq = 3")
        raw.execute("DROP TRIGGER audit_log_no_delete")
        raw.execute("DELETE FROM audit_log WHERE seq = 5")
    raw.close()
    code, out, _err = _run(capsys, db, "audit", "verify")
    assert code == 1
    assert out.splitlines() == ["監査ログに改ざんの疑いがあります（2か所・記録 4件）",
                                "異常：通番 3 の記録が書き換えられています",
                                "異常：通番 4 の後の記録が削除されています（末尾の通番 5）"]


def test_export_writes_the_log_and_refuses_other_suffixes(capsys, tmp_path: Path) -> None:
    db = _db_with_entries(tmp_path, 2)
    out = tmp_path / "audit.xlsx"
    code, text, _err = _run(capsys, db, "audit", "export", str(out))
    assert (code, text) == (0, f"監査ログ 2 件を書き出しました：{out}\n")
    book = openpyxl.load_workbook(out)
    rows = list(book["監査ログ"].iter_rows(values_only=True))
    assert [r[0] for r in rows] == ["通番", 1, 2]
    assert [r[9] for r in rows[1:]] == ["2026-0001", "2026-0002"]
    assert ("結果", "正常（改ざんは見つかりませんでした）") in [r[:2] for r in book["検証結果"].iter_rows(values_only=True)]
    code, _text, err = _run(capsys, db, "audit", "export", str(tmp_path / "audit.pdf"))
    assert code == 2 and ".xlsx または .csv" in err
    assert not (tmp_path / "audit.pdf").exists()
    code, _text, _err = _run(capsys, db, "audit", "export", str(tmp_path / "audit.csv"))
    assert code == 0 and (tmp_path / "audit.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    # Exporting is itself an entry of the log, and the chain still holds.
    assert _run(capsys, db, "audit", "verify")[:2] == (0, "監査ログは正常です（4件）\n")
