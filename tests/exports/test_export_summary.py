"""The summary workbook, from plain summary data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from zaitaku_desktop.exports import write_summary_xlsx


@dataclass(frozen=True)
class FakeSummary:
    municipalities: list[str]
    categories: list[str]
    counts: dict[tuple[str, str], int]
    capability_counts: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def has_unassigned(self) -> bool:
        return any(m == "" and n for (_, m), n in self.counts.items())


def test_table_with_unassigned_column(tmp_path: Path) -> None:
    summary = FakeSummary(
        municipalities=["釜石市", "大槌町"], categories=["病院", "医科診療所", "薬局"],
        counts={("病院", "釜石市"): 5, ("病院", "大槌町"): 1, ("医科診療所", "釜石市"): 3, ("医科診療所", ""): 2},
        capability_counts=[("病院", "在宅看取り", 3), ("医科診療所", "往診", 4)],
    )
    out = tmp_path / "summary.xlsx"
    write_summary_xlsx(summary, out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["種別×市町村", "対応状況"]
    ws = wb["種別×市町村"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows == [
        ["種別", "釜石市", "大槌町", "市町村未設定", "合計"],
        ["病院", 5, 1, 0, 6],
        ["医科診療所", 3, 0, 2, 5],
        ["薬局", 0, 0, 0, 0],
        ["合計", 8, 1, 2, 11],
    ]
    assert all(c.font.b for c in ws[1])
    assert all(c.font.b for c in ws[5])
    assert ws.freeze_panes == "B2"
    caps = wb["対応状況"]
    assert [list(r) for r in caps.iter_rows(values_only=True)] == [
        ["種別", "サービス・対応", "件数"], ["病院", "在宅看取り", 3], ["医科診療所", "往診", 4]]


def test_table_without_unassigned_column(tmp_path: Path) -> None:
    summary = FakeSummary(municipalities=["釜石市"], categories=["病院"], counts={("病院", "釜石市"): 1})
    out = tmp_path / "summary.xlsx"
    write_summary_xlsx(summary, out)
    ws = openpyxl.load_workbook(out)["種別×市町村"]
    assert [list(r) for r in ws.iter_rows(values_only=True)] == [["種別", "釜石市", "合計"], ["病院", 1, 1],
                                                                  ["合計", 1, 1]]
