"""The annual report as Excel, read back with openpyxl: a sheet per task, numbers as numbers, the notes."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from zaitaku_desktop.domain.annual_report import sheet_name
from zaitaku_desktop.domain.meetings import TASK_LETTERS
from zaitaku_desktop.exports.annual_report_xlsx import write_annual_report_xlsx
from zaitaku_desktop.exports.atomic import FileWriteError


def _rows(ws) -> list[tuple]:
    return [tuple(c for c in row) for row in ws.iter_rows(values_only=True)]


def _after(rows: list[tuple], title: str) -> list[tuple]:
    """The header and body lines of the table titled ``title`` (up to the next blank line)."""
    start = next(i for i, r in enumerate(rows) if r[0] == title) + 1
    out = []
    for r in rows[start:]:
        if all(v is None for v in r):
            break
        out.append(r)
    return out


def test_one_sheet_per_task_with_numbers_as_numbers(sample_services, tmp_path: Path) -> None:
    service = sample_services.annual_report
    service.save_note(2025, "オ", "課題", "休日の相談への対応が課題である。\n来年度は窓口の時間を見直す。")
    report = service.build(2025)
    out = tmp_path / "annual.xlsx"
    write_annual_report_xlsx(report, out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["概要"] + [sheet_name(t) for t in TASK_LETTERS]
    assert book.sheetnames[1] == "ア 地域資源"
    summary = _rows(book["概要"])
    assert summary[0][0] == "令和7年度 在宅医療・介護連携推進事業 実績報告"
    assert ("対象期間", "令和7年4月1日〜令和8年3月31日") == summary[1][:2]

    consult = book["オ 相談支援"]
    rows = _rows(consult)
    assert [r[0] for r in rows if r[0] and str(r[0]).startswith("◎")] == ["◎実績", "◎成果", "◎課題"]
    total = next(r for r in rows if r[0] == "相談件数")
    assert total[1] == report.section("オ").figure("相談件数") > 0 and type(total[1]) is int and total[2] == "件"
    share = next(r for r in rows if r[0] == "紹介につながった割合")
    assert isinstance(share[1], float)
    requester = _after(rows, "相談者の区分別")
    assert requester[0] == ("相談者の区分", "多職種向け", "一般向け", "計", None, None)
    assert requester[-1][0] == "計" and requester[-1][3] == total[1]
    body_cells = [c for row in consult.iter_rows(min_row=1) for c in row if isinstance(c.value, (int, float))]
    assert body_cells and all(c.data_type == "n" for c in body_cells)
    assert "休日の相談への対応が課題である。\n来年度は窓口の時間を見直す。" in [r[0] for r in rows]

    issues = _rows(book["イ 課題の抽出と対応策"])
    layers = _after(issues, "階層別の課題")
    assert layers[-1][:2] == ("計", report.section("イ").figure("年度内に抽出した課題"))
    assert all(isinstance(v, int) for line in layers[1:] for v in line[1:4])


def test_a_failed_write_leaves_the_old_file(sample_services, tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "annual.xlsx"
    out.write_bytes(b"old")
    report = sample_services.annual_report.build(2025)
    import zaitaku_desktop.exports.annual_report_xlsx as module

    def boom(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(module, "_write", boom)
    with pytest.raises(FileWriteError) as caught:
        write_annual_report_xlsx(report, out)
    assert "ディスクの空き容量" in caught.value.message
    assert out.read_bytes() == b"old" and [p.name for p in folder.iterdir()] == ["annual.xlsx"]
