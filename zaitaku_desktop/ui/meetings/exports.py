"""Excel and calendar (.ics) exports of the meetings: choose 「この会議」 or a period, choose the file,
and the file is written on the worker while the window stays usable."""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path
from typing import Any, Callable

from PySide6.QtWidgets import (
    QButtonGroup, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QRadioButton, QVBoxLayout, QWidget,
)

from zaitaku_desktop.exports import meetings_ics, meetings_xlsx

from ..context import AppContext
from ..issues.outputs import _ask_save_path, _done
from ..widgets.date_field import read_typed_date, with_today_button
from ..widgets.form_rows import add_field_row
from ..widgets.progress import run_with_progress


class ExportRangeDialog(QDialog):
    """「この会議」 or a period (from/to typed dates, 和暦 or 西暦)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, *, title: str, meeting_title: str = "",
                 start: dt.date | None = None, end: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("meetingExportDialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        self.one = QRadioButton(f"この会議：{meeting_title}" if meeting_title else "この会議", self)
        self.one.setObjectName("exportOne")
        self.one.setEnabled(bool(meeting_title))
        self.period = QRadioButton("期間を指定する", self)
        self.period.setObjectName("exportPeriod")
        group = QButtonGroup(self)
        group.addButton(self.one)
        group.addButton(self.period)
        (self.one if meeting_title else self.period).setChecked(True)
        layout.addWidget(self.one)
        layout.addWidget(self.period)
        today = dt.date.today()
        start = start or today.replace(day=1)
        end = end or start.replace(day=calendar.monthrange(start.year, start.month)[1])
        form = QFormLayout()
        self.errors: dict[str, QLabel] = {}
        self.chosen: tuple[dt.date, dt.date] | None = None
        self.start = self._date_edit(ctx, form, "開始日", "exportFrom", start)
        self.end = self._date_edit(ctx, form, "終了日", "exportTo", end)
        layout.addLayout(form)
        layout.addWidget(QLabel("日付は 令和8年4月1日・R8.4.1・2026/4/1 のどれでも入力できます。", self))
        buttons = QDialogButtonBox(self)
        ok = buttons.addButton("保存先を選ぶ…", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("exportOk")
        buttons.addButton("やめる", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.period.toggled.connect(self._sync)
        self._sync()

    def _date_edit(self, ctx: AppContext, form: QFormLayout, label: str, name: str, day: dt.date) -> QLineEdit:
        edit = QLineEdit(ctx.format_date(day, weekday=False), self)
        edit.setObjectName(name)
        add_field_row(form, label, with_today_button(edit, f"{name}Today", self), name, self.errors)
        return edit

    def _rows(self) -> list[QWidget]:
        return [self.errors[name].parentWidget() for name in ("exportFrom", "exportTo")]

    def _sync(self, *_args) -> None:
        for row in self._rows():
            row.setEnabled(self.period.isChecked())

    def accept(self) -> None:
        for error in self.errors.values():
            error.hide()
        if self.one.isChecked():
            self.chosen = None
            super().accept()
            return
        start = read_typed_date(self.start, self.errors["exportFrom"], "開始日を 令和8年4月1日 のように入力してください")
        end = read_typed_date(self.end, self.errors["exportTo"], "終了日を 令和8年4月30日 のように入力してください")
        if start is None or end is None:
            return
        if end < start:
            self.errors["exportTo"].setText("終了日が開始日より前になっています")
            self.errors["exportTo"].show()
            return
        self.chosen = (start, end)
        super().accept()


def export_excel(ctx: AppContext, parent: QWidget, *, meeting_id: str | None = None, start: dt.date | None = None,
                 end: dt.date | None = None, path: Path | None = None) -> None:
    """Ask 「この会議」 or a period, then the file, and write the workbook (一覧・職種別参加者数・参加者名簿)."""
    def write(choice: dict[str, Any], out: Path) -> int:
        data = meetings_xlsx.gather(ctx.services.meetings, date_style=ctx.settings.date_style, **choice)
        meetings_xlsx.write_meetings_xlsx(data, out)
        return len(data.rows)

    _export(ctx, parent, "会議・研修をExcelに書き出す", "xlsx", "Excel (*.xlsx)", write,
            lambda n: f"会議・研修 {n:,} 件（職種別参加者数つき）を書き出しました。",
            meeting_id=meeting_id, start=start, end=end, path=path)


def export_ics(ctx: AppContext, parent: QWidget, *, meeting_id: str | None = None, start: dt.date | None = None,
               end: dt.date | None = None, path: Path | None = None) -> None:
    """Ask 「この会議」 or a period, then the file, and write the calendar (.ics) for Outlook / Google."""
    def write(choice: dict[str, Any], out: Path) -> int:
        rows, addresses, agendas = meetings_xlsx.gather_calendar(ctx.services.meetings, **choice)
        return meetings_ics.write_ics(rows, out, addresses=addresses, agendas=agendas)

    _export(ctx, parent, "会議・研修をカレンダー（.ics）に書き出す", "ics", "iCalendar (*.ics)", write,
            lambda n: f"会議・研修 {n:,} 件をカレンダー（.ics）に書き出しました。"
                      "Outlook や Googleカレンダーの「インポート」で取り込めます。",
            meeting_id=meeting_id, start=start, end=end, path=path)


def _export(ctx: AppContext, parent: QWidget, title: str, suffix: str, file_filter: str,
            write: Callable[[dict[str, Any], Path], int], done_text: Callable[[int], str], *,
            meeting_id: str | None, start: dt.date | None, end: dt.date | None, path: Path | None) -> None:
    meeting_title = ctx.services.meetings.get(meeting_id).row.title if meeting_id else ""
    dialog = ExportRangeDialog(ctx, parent, title=title, meeting_title=meeting_title, start=start, end=end)
    if not dialog.exec():
        return
    if dialog.chosen is None:
        choice: dict[str, Any] = {"meeting_id": meeting_id}
        name = f"{meeting_title}_{dt.date.today():%Y%m%d}"
    else:
        choice = {"start": dialog.chosen[0], "end": dialog.chosen[1]}
        name = f"会議・研修_{dialog.chosen[0]:%Y%m%d}-{dialog.chosen[1]:%Y%m%d}"
    name = "".join("_" if ch in '\\/:*?"<>|' else ch for ch in name)
    path = path or _ask_save_path(parent, title, f"{name}.{suffix}", file_filter)
    if path is None:
        return
    if path.suffix.lower() != f".{suffix}":
        path = path.with_suffix(f".{suffix}")
    run_with_progress(ctx, "書き出しています…", lambda _p: write(choice, path),
                      on_done=lambda n: _done(ctx, done_text(n), path), error_title="書き出せませんでした",
                      parent=parent)
