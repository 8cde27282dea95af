"""Command line: `meetings export` and `meetings ics` (period or one meeting), and their refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from icalendar import Calendar

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
    code = cli.main(["--db", str(db), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _uids(path: Path) -> list[str]:
    return [str(e["uid"]) for e in Calendar.from_ical(path.read_bytes()).walk("VEVENT")]


def test_export_and_ics_of_a_period_and_of_one_meeting(capsys, demo_db: Path, tmp_path: Path) -> None:
    capsys.readouterr()
    book = tmp_path / "2015年度.xlsx"
    code, out, err = _run(capsys, demo_db, "meetings", "export", str(book), "--from", "2015-04-01", "--to", "H28.3.31")
    assert code == 0 and err == "" and "件を書き出しました" in out
    wb = openpyxl.load_workbook(book)
    titles = [r[3] for r in wb["会議・研修一覧"].iter_rows(min_row=2, values_only=True)]
    assert "釜石医師会学術講演会" in titles and len(titles) == int(out.split("会議・研修 ")[1].split(" 件")[0])
    assert wb.sheetnames == ["会議・研修一覧", "職種別参加者数"]

    ics = tmp_path / "2015.ics"
    code, out, _ = _run(capsys, demo_db, "meetings", "ics", str(ics), "--from", "2015/04/01", "--to", "2016/03/31")
    assert code == 0 and "カレンダー（.ics）に書き出しました" in out
    uids = _uids(ics)
    assert len(uids) == len(titles) and all(u.endswith("@zaitaku-desktop") for u in uids)

    one_id = uids[0].split("@")[0]
    single = tmp_path / "one.ics"
    assert _run(capsys, demo_db, "meetings", "ics", str(single), "--meeting", one_id)[0] == 0
    assert _uids(single) == [uids[0]]
    sheet = tmp_path / "one.xlsx"
    assert _run(capsys, demo_db, "meetings", "export", str(sheet), "--meeting", one_id)[0] == 0
    assert openpyxl.load_workbook(sheet).sheetnames[-1] == "参加者名簿"


@pytest.mark.parametrize("args, message", [
    (["export", "{dir}/x.xlsx", "--from", "2015-13-01", "--to", "2015-12-31"], "--from は 2026-04-01 のように"),
    (["export", "{dir}/x.xlsx", "--from", "2016-01-01", "--to", "2015-12-31"], "--to の日付が --from より前"),
    (["export", "{dir}/x.xlsx"], "--meeting で会議・研修を、または --from と --to"),
    (["export", "{dir}/x.xlsx", "--meeting", "abc", "--from", "2015-01-01"], "一緒に指定できません"),
    (["export", "{dir}/x.csv", "--meeting", "abc"], "拡張子は .xlsx"),
    (["ics", "{dir}/x.xlsx", "--meeting", "abc"], "拡張子は .ics"),
    (["ics", "{dir}/x.ics", "--meeting", "no-such-meeting"], "ID no-such-meeting の会議・研修は見つかりません"),
    (["ics", "{dir}/missing/x.ics", "--from", "2015-01-01", "--to", "2015-12-31"], "保存先のフォルダが見つかりません"),
])
def test_bad_arguments_exit_2_with_a_japanese_message_and_no_file(capsys, demo_db: Path, tmp_path: Path,
                                                                 args: list[str], message: str) -> None:
    capsys.readouterr()
    code, out, err = _run(capsys, demo_db, "meetings", *[a.format(dir=tmp_path) for a in args])
    assert code == 2 and message in err and err.startswith("エラー：") and out == ""
    assert list(tmp_path.rglob("*")) == []


def test_empty_period_is_an_error_without_a_file(capsys, demo_db: Path, tmp_path: Path) -> None:
    capsys.readouterr()
    code, _, err = _run(capsys, demo_db, "meetings", "ics", str(tmp_path / "x.ics"), "--from", "2040-01-01",
                        "--to", "2040-01-31")
    assert code == 1 and "会議・研修はありません" in err and list(tmp_path.iterdir()) == []


def test_ics_through_a_real_process(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "会議.ics"
    done = subprocess.run([sys.executable, "-m", "zaitaku_desktop", "--db", str(demo_db), "meetings", "ics", str(out),
                           "--from", "令和7年4月1日", "--to", "令和8年3月31日"],
                          capture_output=True, env=dict(os.environ, PYTHONIOENCODING="utf-8"), timeout=120)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert "カレンダー（.ics）に書き出しました" in done.stdout.decode("utf-8")
    assert len(_uids(out)) >= 10


def test_signin_sheet_of_a_meeting_found_through_the_excel_id_column(capsys, demo_db: Path, tmp_path: Path) -> None:
    capsys.readouterr()
    book = tmp_path / "list.xlsx"
    assert _run(capsys, demo_db, "meetings", "export", str(book), "--from", "2015-03-01", "--to", "2015-03-31")[0] == 0
    sheet = openpyxl.load_workbook(book)["会議・研修一覧"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[3] == "薬剤師会主催多職種連携研修会")
    meeting_id = row[header.index("ID")]
    pdf = tmp_path / "受付名簿.pdf"
    code, out, err = _run(capsys, demo_db, "meetings", "signin", meeting_id, str(pdf), "--blank-rows", "25")
    assert code == 0 and err == "" and "受付名簿" in out and pdf.exists()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "受付名簿" in text and "薬剤師会主催多職種連携研修会" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "IPAex" in fonts and "yes" in fonts.split("\n")[2]

    for args, message in (
            (["signin", "no-such-id", str(tmp_path / "x.pdf")], "見つかりません"),
            (["signin", meeting_id, str(tmp_path / "x.txt")], ".pdf"),
            (["signin", meeting_id, str(tmp_path / "none" / "x.pdf")], ""),
            (["signin", meeting_id, str(tmp_path / "y.pdf"), "--blank-rows", "-1"], "0〜200")):
        code, _out, err = _run(capsys, demo_db, "meetings", *args)
        assert code == 2 and err.startswith("エラー：") and message in err
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "y.pdf").exists()
