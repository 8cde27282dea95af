"""The summary dialog: Kamaishi's table of categories × municipalities."""

from __future__ import annotations

from zaitaku_desktop.ui.resources.summary import SummaryDialog


def _table_texts(table) -> tuple[list[str], list[str], list[list[str]]]:
    columns = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    rows = [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]
    cells = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    return columns, rows, cells


def test_summary_table(tab, dialogs, rows):
    opened = dialogs.drive(SummaryDialog)
    tab.act_summary.trigger()
    assert len(opened) == 1
    columns, row_names, cells = _table_texts(opened[0].table)
    assert columns == ["釜石市", "大槌町", "合計"]
    assert row_names[-1] == "合計"
    assert cells[-1] == ["96", "33", "129"]
    hospital = cells[row_names.index("病院")]
    assert hospital[-1] == "6"
    assert cells[row_names.index("医科診療所")][-1] == "19"
    # Every row adds up, and the column totals match the municipality counts.
    for name, values in zip(row_names, cells):
        assert int(values[0]) + int(values[1]) == int(values[2]), name
    for c, municipality in enumerate(["釜石市", "大槌町"]):
        assert int(cells[-1][c]) == sum(1 for r in rows if r.municipality == municipality)
    assert sum(int(v[-1]) for v in cells[:-1]) == 129

    caps = opened[0].caps
    found = {(caps.item(r, 0).text(), caps.item(r, 1).text()): caps.item(r, 2).text() for r in range(caps.rowCount())}
    assert found[("医科診療所", "在宅看取り")] == "11"


def test_summary_leaves_archived_records_out(tab, dialogs, messages):
    hospital = next(r for r in tab.model.visible_rows() if r.category == "病院")
    tab.select_id(hospital.id)
    messages.answers = [True]
    tab.act_archive.trigger()
    opened = dialogs.drive(SummaryDialog)
    tab.act_summary.trigger()
    columns, row_names, cells = _table_texts(opened[0].table)
    assert cells[row_names.index("病院")][-1] == "5"
    assert cells[-1][-1] == "128"
