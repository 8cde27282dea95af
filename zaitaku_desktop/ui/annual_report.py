"""The annual report dialog (事業実績報告): pick the 年度, look over each task's figures, write the text of
◎実績 ◎成果 ◎課題 (saved when the box is left and on 「保存」), then 「PDFに出力…」 or 「Excelに出力…」.

The report is built on the runner; notes are saved through ``AnnualReportService.save_note`` (one
transaction each); files are written on the worker, atomically, with the usual ask-path → progress → report.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QComboBox, QDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget, QPlainTextEdit, QPushButton,
    QSplitter, QTextBrowser, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.annual_report import (
    SECTIONS, TASK_SHORT, AnnualReport, TaskSection, fiscal_year_label, fiscal_year_range,
    last_finished_fiscal_year,
)
from zaitaku_desktop.domain.dates import fiscal_year
from zaitaku_desktop.domain.meetings import TASK_LETTERS

from .context import AppContext
from .issues.outputs import _ask_save_path, _done
from .widgets.progress import run_with_progress

YEARS_SHOWN = 12
NOTE_NAMES = {"実績": "noteResults", "成果": "noteOutcomes", "課題": "noteIssues"}
HINTS = {"実績": "取り組みの内容（例：連携WGを8回開き、多職種の連携体制を検討した）",
         "成果": "取り組みで得られたこと（例：8割以上の参加者から「役に立った」との回答を得た）",
         "課題": "残っている課題と来年度の方針（例：訪問看護ステーションの不足への対策）"}


def _number(value) -> str:
    return f"{value:,.1f}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else str(value)


def section_html(section: TaskSection) -> str:
    """The task's figures and tables as the preview shows them."""
    out = [f"<h3>{escape(section.task)} {escape(section.title)}</h3>"]
    for name in SECTIONS:
        part = section.part(name)
        out.append(f"<h4>◎{name}</h4>")
        if part.empty:
            out.append("<p style='color:#757575'>記録から集計する項目はありません。下の欄に記入してください。</p>")
        if part.figures:
            out.append("<table cellspacing='0' cellpadding='2'>" + "".join(
                f"<tr><td>{escape(f.label)}</td><td align='right'><b>{_number(f.value)}</b> {escape(f.unit)}</td></tr>"
                for f in part.figures) + "</table>")
        for table in part.tables:
            head = "".join(f"<th bgcolor='#e3ecf5'>{escape(h)}</th>" for h in table.headers)
            body = "".join("<tr>" + "".join(
                f"<td align='{'right' if isinstance(v, (int, float)) else 'left'}'>{escape(_number(v))}</td>"
                for v in row) + "</tr>" for row in table.rows)
            out.append(f"<p><b>{escape(table.title)}</b></p><table border='1' cellspacing='0' cellpadding='3' "
                       f"style='border-color:#9e9e9e'><tr>{head}</tr>{body}</table>")
    return "".join(out)


class _FocusOut(QObject):
    """Calls ``callback`` when a watched box loses the focus."""

    def __init__(self, parent: QObject, callback) -> None:
        super().__init__(parent)
        self.callback = callback

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.FocusOut:
            self.callback()
        return False


class AnnualReportDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.service = ctx.services.annual_report
        self.report: AnnualReport | None = None
        self.notes: dict[tuple[str, str], str] = {}
        self.task = TASK_LETTERS[0]
        self.setObjectName("annualReportDialog")
        self.setWindowTitle("事業実績報告")
        self.resize(1100, 760)
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        top.addWidget(QLabel("年度", self))
        self.year = QComboBox(self)
        self.year.setObjectName("fiscalYear")
        current = fiscal_year(today or dt.date.today())
        for year in range(current, current - YEARS_SHOWN, -1):
            start, end = fiscal_year_range(year)
            self.year.addItem(f"{fiscal_year_label(year)}（{start.year}年{start.month}月〜{end.year}年{end.month}月）", year)
        top.addWidget(self.year)
        top.addSpacing(16)
        top.addWidget(QLabel("作成者（表紙）", self))
        self.organisation = QLineEdit(self)
        self.organisation.setObjectName("organisation")
        self.organisation.setPlaceholderText("例：釜石市 在宅医療連携拠点チームかまいし（空欄可）")
        top.addWidget(self.organisation, 1)
        layout.addLayout(top)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.tasks = QListWidget(split)
        self.tasks.setObjectName("taskList")
        for task in TASK_LETTERS:
            self.tasks.addItem(f"{task} {TASK_SHORT[task]}")
        self.tasks.setMaximumWidth(220)
        right = QWidget(split)
        grid = QGridLayout(right)
        grid.setContentsMargins(0, 0, 0, 0)
        self.preview = QTextBrowser(right)
        self.preview.setObjectName("reportPreview")
        grid.addWidget(self.preview, 0, 0, 1, 3)
        self.boxes: dict[str, QPlainTextEdit] = {}
        watcher = _FocusOut(self, self.save_notes)
        for column, name in enumerate(SECTIONS):
            grid.addWidget(QLabel(f"◎{name}（報告書に載せる文章）", right), 1, column)
            box = QPlainTextEdit(right)
            box.setObjectName(NOTE_NAMES[name])
            box.setPlaceholderText(HINTS[name])
            box.installEventFilter(watcher)
            grid.addWidget(box, 2, column)
            self.boxes[name] = box
        grid.setRowStretch(0, 3)
        grid.setRowStretch(2, 2)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)

        buttons = QHBoxLayout()
        self.status = QLabel("", self)
        self.status.setObjectName("saveStatus")
        buttons.addWidget(self.status, 1)
        for text, name, slot in (("保存", "saveButton", self.save_notes), ("PDFに出力…", "pdfButton", self.export_pdf),
                                 ("Excelに出力…", "xlsxButton", self.export_xlsx), ("閉じる", "closeButton", self.accept)):
            button = QPushButton(text, self)
            button.setObjectName(name)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, s=slot: s())
            buttons.addWidget(button)
        layout.addLayout(buttons)

        self.year.setCurrentIndex(max(0, self.year.findData(last_finished_fiscal_year(today or dt.date.today()))))
        self.year.currentIndexChanged.connect(self._year_changed)
        self.tasks.currentRowChanged.connect(self._task_changed)
        self.tasks.setCurrentRow(0)
        self.load()

    # --- data --------------------------------------------------------------------------------------
    @property
    def fiscal_year(self) -> int:
        return int(self.year.currentData())

    def load(self) -> None:
        """Build the chosen year's report on the runner, then show it."""
        year = self.fiscal_year
        self.status.setText("集計しています…")
        for box in self.boxes.values():
            box.setEnabled(False)  # nothing typed while another year's text is shown

        def shown(report: AnnualReport) -> None:
            if report.fiscal_year != self.fiscal_year:  # the user picked another year meanwhile
                return
            self.report = report
            self.notes = {(s.task, name): text for s in report.tasks for name, text in s.notes.items()}
            self.status.setText(f"{report.label}（{self.ctx.format_date(report.start, weekday=False)}〜"
                                f"{self.ctx.format_date(report.end, weekday=False)}）を集計しました")
            self._show_task()
            for box in self.boxes.values():
                box.setEnabled(True)

        self.ctx.runner.run(lambda: self.service.build(year), on_done=shown,
                            on_error=lambda exc: self.ctx.messages.failure("集計できませんでした", exc))

    def _year_changed(self, _index: int) -> None:
        self.save_notes(year=self.report.fiscal_year if self.report else None)
        self.report = None
        self.load()

    def _task_changed(self, row: int) -> None:
        if row < 0:
            return
        self.save_notes()
        self.task = TASK_LETTERS[row]
        self._show_task()

    def _show_task(self) -> None:
        if self.report is None:
            return
        self.preview.setHtml(section_html(self.report.section(self.task)))
        for name, box in self.boxes.items():
            box.blockSignals(True)
            box.setPlainText(self.notes.get((self.task, name), ""))
            box.blockSignals(False)
            box.document().setModified(False)

    def pending(self) -> dict[str, str]:
        """The boxes whose text differs from what is saved."""
        return {name: box.toPlainText() for name, box in self.boxes.items()
                if box.toPlainText().rstrip() != self.notes.get((self.task, name), "")}

    def save_notes(self, *, year: int | None = None) -> None:
        """Save the changed boxes of the shown task (one transaction each); a refused text stays in its box."""
        if self.report is None:
            return
        year = year or self.report.fiscal_year
        task = self.task
        for name, text in self.pending().items():
            self.notes[(task, name)] = text.rstrip()  # not asked again while the save is under way

            def saved(stored: str, name: str = name) -> None:
                self.notes[(task, name)] = stored
                self.status.setText(f"{task} の「{name}」を保存しました")

            def failed(exc: BaseException, name: str = name) -> None:
                self.notes.pop((task, name), None)
                self.ctx.messages.failure("文章を保存できませんでした", exc)

            self.ctx.runner.run(lambda name=name, text=text: self.service.save_note(year, task, name, text),
                                on_done=saved, on_error=failed)

    def done(self, result: int) -> None:  # noqa: D401 - closing by any way saves the boxes first
        self.save_notes()
        super().done(result)

    # --- files -------------------------------------------------------------------------------------
    def export_pdf(self, path: Path | None = None) -> None:
        self._export("PDF (*.pdf)", ".pdf", path)

    def export_xlsx(self, path: Path | None = None) -> None:
        self._export("Excel (*.xlsx)", ".xlsx", path)

    def _export(self, file_filter: str, suffix: str, path: Path | None) -> None:
        self.save_notes()
        year, label = self.fiscal_year, fiscal_year_label(self.fiscal_year)
        target = path or _ask_save_path(self, f"事業実績報告を保存（{label}）", f"事業実績報告_{label}{suffix}", file_filter)
        if target is None:
            return
        if target.suffix.lower() != suffix:
            target = target.with_suffix(suffix)
        organisation = self.organisation.text().strip()
        style = self.ctx.settings.date_style

        def work(_progress) -> str:
            if suffix == ".pdf":
                pages = self.service.write_pdf(year, target, date_style=style, organisation=organisation)
                return f"{label}の事業実績報告（{pages} ページ）を作りました。"
            self.service.write_xlsx(year, target, date_style=style, organisation=organisation)
            return f"{label}の事業実績報告をExcel（事業ごとのシート）に書き出しました。"

        run_with_progress(self.ctx, "事業実績報告を作っています…", work, error_title="書き出せませんでした", parent=self,
                          on_done=lambda text: _done(self.ctx, text, target))


__all__ = ["AnnualReportDialog", "section_html"]
