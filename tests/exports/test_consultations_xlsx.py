"""The consultation workbooks read back with openpyxl: statistics (anonymous) and the case list, where the
canary's name appears only when names were explicitly chosen."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from consultation_fakes import (CANARY, CANARY_PHONE, CANARY_READING, QUESTION, REQUESTER, REQUESTER_CONTACT, detail,
                                row, stats)
from zaitaku_desktop.exports.atomic import FileWriteError
from zaitaku_desktop.exports.consultations_xlsx import write_case_list_xlsx, write_stats_xlsx

PERSONAL = (CANARY, CANARY_READING, CANARY_PHONE, REQUESTER, REQUESTER_CONTACT, QUESTION)


def _cells(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path)
    return [str(v) for ws in book for line in ws.iter_rows(values_only=True) for v in line if v is not None]


def _sheet(path: Path, name: str | None = None) -> list[tuple]:
    book = openpyxl.load_workbook(path)
    return list((book[name] if name else book.active).iter_rows(values_only=True))


def test_stats_workbook_has_one_sheet_per_view_with_totals(tmp_path: Path):
    out = tmp_path / "stats.xlsx"
    write_stats_xlsx(stats(), out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["概要", "月別", "相談者の区分", "分類", "受付方法", "状況", "紹介先"]
    assert all(ws.freeze_panes == "A2" for ws in book)
    summary = {r[0]: r[1] for r in _sheet(out, "概要")[1:5]}
    assert summary == {"期間の開始": dt.datetime(2026, 4, 1), "期間の終了": dt.datetime(2027, 3, 31), "相談件数": 90,
                       "平均対応時間（分）": 23.5}
    months = _sheet(out, "月別")
    assert months[0] == ("月", "多職種向け", "一般向け", "計")
    assert months[1] == ("2026年4月", 3, 2, 5) and len(months) == 14
    assert months[-1] == ("計", 54, 36, 90)
    assert _sheet(out, "相談者の区分")[3] == ("ケアマネ", 30, 2, 32)
    assert _sheet(out, "分類")[-1][0].startswith("※ 複数の分類")
    assert _sheet(out, "紹介先")[1:] == [(1, "かまいし在宅クリニック", "医科診療所", 12),
                                       (2, "訪問看護ステーションはまゆり", "訪問看護", 7)]
    assert book["月別"].column_dimensions["A"].width == 26


def test_case_list_is_anonymous_by_default(tmp_path: Path):
    out = tmp_path / "cases.xlsx"
    assert write_case_list_xlsx([row(), detail()], out, include_names=False) == 2
    rows = _sheet(out)
    header = rows[0]
    assert "氏名（伏せ字）" in header and "氏名" not in header and "相談内容" not in header
    line = dict(zip(header, rows[1]))
    assert line["氏名（伏せ字）"] == "カ○○○ 太○"
    assert line["受付日時"] == dt.datetime(2026, 11, 20, 14, 30) and line["次の対応日"] == dt.datetime(2026, 11, 27)
    assert line["分類"] == "退院調整、かかりつけ医・訪問診療の紹介" and line["要介護度"] == "要介護2"
    text = "\n".join(_cells(out))
    for value in PERSONAL:
        assert value not in text, value
    assert "カナリア" not in text and "ツグミ" not in text


def test_case_list_with_names_chosen(tmp_path: Path):
    out = tmp_path / "named.xlsx"
    write_case_list_xlsx([row(), detail()], out, include_names=True)
    rows = _sheet(out)
    header = rows[0]
    assert header[10:12] == ("氏名", "相談者の氏名") and "相談内容" in header
    first, second = (dict(zip(header, r)) for r in rows[1:])
    assert first["氏名"] == second["氏名"] == CANARY and first["相談者の氏名"] == REQUESTER
    assert first["相談内容"] is None  # a list row carries no case text
    assert (second["ふりがな"], second["電話"], second["相談者の連絡先"], second["相談内容"]) == (
        CANARY_READING, CANARY_PHONE, REQUESTER_CONTACT, QUESTION)
    book = openpyxl.load_workbook(out)
    ws = book.active
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:Y3"
    assert ws.cell(row=2, column=header.index("相談内容") + 1).alignment.wrap_text


def test_a_formula_looking_text_stays_text(tmp_path: Path):
    out = tmp_path / "f.xlsx"
    write_case_list_xlsx([dataclasses.replace(row(), handled_by="=1+1")], out, include_names=False)
    book = openpyxl.load_workbook(out)
    header = [c.value for c in book.active[1]]
    cell = book.active.cell(row=2, column=header.index("担当") + 1)
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_a_failed_write_leaves_the_old_file(tmp_path: Path):
    out = tmp_path / "stats.xlsx"
    out.write_bytes(b"old")
    broken = dataclasses.replace(stats(), by_status=None)  # fails after the first sheets were built
    with pytest.raises(AttributeError):
        write_stats_xlsx(broken, out)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["stats.xlsx"]
    with pytest.raises(FileWriteError):
        write_stats_xlsx(stats(), tmp_path / "missing" / "stats.xlsx")
