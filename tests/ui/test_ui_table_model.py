"""The resource table model passes Qt's model checks, also after filtering and sorting."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from zaitaku_desktop.domain.dates import format_date
from zaitaku_desktop.domain.text import reading_sort_key
from zaitaku_desktop.services.resource_query import ResourceFilter, months_before
from zaitaku_desktop.ui.resources.table_model import ID_ROLE, STALE_ROLE, ResourceTableModel


def test_model_passes_qt_checks_through_filter_and_sort(qtmodeltester, rows, sample_services):
    model = ResourceTableModel(lambda d: format_date(d, "wareki"))
    procedures = [p.name for p in sample_services.vocab.list("procedure")]
    model.set_procedures(procedures)
    model.set_rows(rows)
    assert model.rowCount() == 129
    qtmodeltester.check(model)

    # The tester stays attached: every change below is checked as it happens.
    cutoff = months_before(dt.date.today(), 12)
    model.set_filter(ResourceFilter(text="薬局"), cutoff)
    assert 0 < model.rowCount() < 129
    assert all("薬局" in model.row_at(r).name or "やっきょく" in model.row_at(r).search_text
               for r in range(model.rowCount()))
    qtmodeltester.check(model)

    model.sort(model.column_index("category"), Qt.SortOrder.DescendingOrder)
    categories = [model.row_at(r).category for r in range(model.rowCount())]
    assert categories == sorted(categories, reverse=True)
    qtmodeltester.check(model)

    model.set_filter(ResourceFilter(), cutoff)
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert model.rowCount() == 129
    keys = [reading_sort_key(model.row_at(r).reading, model.row_at(r).name) for r in range(model.rowCount())]
    assert keys == sorted(keys)
    qtmodeltester.check(model)

    # Nothing matches: an empty model is still a valid model.
    model.set_filter(ResourceFilter(text="該当なしの検索語"), cutoff)
    assert model.rowCount() == 0
    qtmodeltester.check(model)


def test_model_roles(rows):
    model = ResourceTableModel(lambda d: format_date(d, "seireki"))
    model.set_rows(rows)
    cutoff = months_before(dt.date.today(), 12)
    model.set_filter(ResourceFilter(), cutoff)
    first = model.index(0, 0)
    assert first.data(ID_ROLE) == model.row_at(0).id
    col = model.column_index("last_confirmed")
    for r in range(model.rowCount()):
        row = model.row_at(r)
        stale = row.last_confirmed is None or row.last_confirmed < cutoff
        assert model.index(r, 0).data(STALE_ROLE) == stale
        expected = format_date(row.last_confirmed, "seireki") if row.last_confirmed else ""
        assert model.index(r, col).data() == expected
    assert model.headerData(0, Qt.Orientation.Horizontal) == "名称"
    assert model.index(0, model.columnCount()).data() is None  # out of range
