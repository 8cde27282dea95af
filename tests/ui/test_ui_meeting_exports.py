"""Meeting exports from the GUI: choose 「この会議」 or a period, then the file; read the file back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from icalendar import Calendar
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog, QWidget

from zaitaku_desktop.ui.meetings.exports import ExportRangeDialog, export_excel, export_ics

from ui_helpers import replace_text

FY2015 = (dt.date(2015, 4, 1), dt.date(2016, 3, 31))


def _parent(qtbot) -> QWidget:
    parent = QWidget()
    qtbot.addWidget(parent)
    return parent


def _ok(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.findChild(QWidget, "exportOk"), Qt.MouseButton.LeftButton)


def test_period_to_excel_with_typed_dates(qtbot, ctx, dialogs, monkeypatch, tmp_path: Path) -> None:
    chosen = tmp_path / "年度の会議"  # typed without the suffix
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(chosen), "Excel (*.xlsx)"))

    def fill(dialog: ExportRangeDialog) -> None:
        assert dialog.period.isChecked() and not dialog.one.isEnabled()  # no meeting given
        assert dialog.start.text() == "令和8年6月1日" and dialog.end.text() == "令和8年6月30日"
        replace_text(qtbot, dialog.start, "H27.4.1")
        replace_text(qtbot, dialog.end, "2015/3/31")
        _ok(qtbot, dialog)
        error = dialog.findChild(QWidget, "error_exportTo")
        assert dialog.isVisible() and error.isVisible() and "開始日より前" in error.text()
        replace_text(qtbot, dialog.end, "平成28年3月31日")
        _ok(qtbot, dialog)

    opened = dialogs.drive(ExportRangeDialog, fill)
    export_excel(ctx, _parent(qtbot), start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 30))
    assert len(opened) == 1
    out = chosen.with_suffix(".xlsx")
    expected = ctx.services.meetings.period(*FY2015)
    rows = list(openpyxl.load_workbook(out)["会議・研修一覧"].iter_rows(min_row=2, values_only=True))
    assert [r[3] for r in rows] == [m.title for m in expected]
    assert rows[0][0].startswith("平成27年")  # the 和暦 setting
    assert ctx.messages.texts("confirm") == [f"会議・研修 {len(expected)} 件（職種別参加者数つき）を書き出しました。\n"
                                             f"{out}\n\nファイルを開きますか？"]


def test_this_meeting_to_calendar(qtbot, ctx, dialogs, tmp_path: Path) -> None:
    meeting = next(m for m in ctx.services.meetings.period(*FY2015) if m.title == "釜石医師会学術講演会")

    def fill(dialog: ExportRangeDialog) -> None:
        assert dialog.one.isChecked() and "釜石医師会学術講演会" in dialog.one.text()
        assert not dialog.start.isEnabled()
        _ok(qtbot, dialog)

    dialogs.drive(ExportRangeDialog, fill)
    out = tmp_path / "講演会.ics"
    export_ics(ctx, _parent(qtbot), meeting_id=meeting.id, path=out)
    events = Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"{meeting.id}@zaitaku-desktop"]
    assert str(events[0]["summary"]) == "釜石医師会学術講演会"
    assert "Googleカレンダー" in ctx.messages.texts("confirm")[0]


def test_bad_dates_keep_the_dialog_and_cancel_writes_nothing(qtbot, ctx, dialogs, tmp_path: Path) -> None:
    def fill(dialog: ExportRangeDialog) -> None:
        qtbot.mouseClick(dialog.period, Qt.MouseButton.LeftButton, pos=QPoint(8, dialog.period.height() // 2))
        assert dialog.period.isChecked() and dialog.start.isEnabled()
        replace_text(qtbot, dialog.start, "そのうち")
        _ok(qtbot, dialog)
        error = dialog.findChild(QWidget, "error_exportFrom")
        assert dialog.isVisible() and error.isVisible() and "開始日を" in error.text()
        dialog.reject()

    meeting = ctx.services.meetings.period(*FY2015)[0]
    dialogs.drive(ExportRangeDialog, fill)
    export_ics(ctx, _parent(qtbot), meeting_id=meeting.id, path=tmp_path / "x.ics")
    assert list(tmp_path.glob("*.ics")) == [] and ctx.messages.shown == []


def test_an_empty_period_is_reported_not_written(qtbot, ctx, dialogs, tmp_path: Path) -> None:
    dialogs.drive(ExportRangeDialog, lambda d: _ok(qtbot, d))
    export_excel(ctx, _parent(qtbot), start=dt.date(2040, 1, 1), end=dt.date(2040, 1, 31), path=tmp_path / "x.xlsx")
    assert list(tmp_path.glob("*.xlsx")) == []
    assert ctx.messages.shown[0][:2] == ("error", "書き出せませんでした")
    assert "会議・研修はありません" in ctx.messages.shown[0][2]
