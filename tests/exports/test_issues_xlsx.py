"""The issue workbook: three sheets read back with openpyxl."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from zaitaku_desktop.domain.issues import IssueInput, ResponseInput


def test_export_sample_issues(sample_services, tmp_path: Path) -> None:
    out = tmp_path / "課題.xlsx"
    count = sample_services.issues.export_xlsx(out)
    rows = sample_services.issues.list_rows(include_archived=False)
    assert count == len(rows) == 25
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["課題", "対応策", "集計"]
    ws = wb["課題"]
    headers = [c.value for c in ws[1]]
    assert headers[:8] == ["ID", "見出し", "内容", "階層", "状況", "優先度", "職種", "テーマ"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:V{count + 1}"
    assert ws["A1"].font.bold
    by_title = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    row = by_title["病院からの退院が急で在宅側の準備が整っていない"]
    assert row[3] == "二次" and row[6] == "介護支援専門員、医療ソーシャルワーカー" and row[7] == "退院調整"
    assert row[10] == dt.datetime(2025, 5, 21)
    date_cell = next(c for c in ws["K"][1:] if c.value is not None)
    assert date_cell.number_format == "yyyy/mm/dd"

    responses = list(wb["対応策"].iter_rows(min_row=2, values_only=True))
    assert len(responses) == sum(r.response_count for r in rows)
    assert ("病院連携室連絡会" in {r[4] for r in responses})

    summary = list(wb["集計"].iter_rows(min_row=2, values_only=True))
    total = next(r for r in summary if r[0] == "計")
    per_profession_total = sum(c.count for c in sample_services.issues.counts())
    assert total[-1] == per_profession_total
    assert ("一次（職種内）", "医師") in {(r[0], r[1]) for r in summary}


def test_formula_like_text_stays_text(services, tmp_path: Path) -> None:
    row = services.issues.create(IssueInput(title="=SUM(A1)", description="#N/A"))
    services.issues.add_response(row.id, ResponseInput(action="=1+1"))
    out = tmp_path / "x.xlsx"
    services.issues.export_xlsx(out)
    ws = openpyxl.load_workbook(out)["課題"]
    assert ws["B2"].value == "=SUM(A1)" and ws["B2"].data_type == "s"
    assert ws["C2"].value == "#N/A"
    assert openpyxl.load_workbook(out)["対応策"]["F2"].data_type == "s"


def test_failed_export_leaves_no_file(services, tmp_path: Path) -> None:
    from zaitaku_desktop.domain.errors import DomainError

    with pytest.raises(DomainError):
        services.issues.export_xlsx(tmp_path / "missing" / "x.xlsx")
    assert not (tmp_path / "missing").exists()
