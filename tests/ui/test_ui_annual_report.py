"""The annual report dialog: pick a year, read the figures, write the three texts (saved when the box is left
and on 保存), then PDF / Excel through the usual save dialog, progress and message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QListWidget, QPlainTextEdit, QPushButton, QTextBrowser

from pdf_tools import pdf_text, requires_poppler, squeeze
from ui_helpers import choose, type_text
from zaitaku_desktop.ui.annual_report import AnnualReportDialog

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def dialog(qtbot, ctx):
    d = AnnualReportDialog(ctx, None, today=TODAY)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def _box(d, name: str) -> QPlainTextEdit:
    return d.findChild(QPlainTextEdit, name)


def _pick_task(qtbot, d, row: int) -> None:
    tasks = d.findChild(QListWidget, "taskList")
    rect = tasks.visualItemRect(tasks.item(row))
    qtbot.mouseClick(tasks.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert tasks.currentRow() == row


def _click(qtbot, d, name: str) -> None:
    qtbot.mouseClick(d.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def test_opens_on_the_last_finished_year_and_previews_each_task(qtbot, ctx, dialog) -> None:
    assert dialog.year.currentText() == "令和7年度（2025年4月〜2026年3月）"
    assert "令和7年4月1日" in dialog.findChild(QLabel, "saveStatus").text()
    report = ctx.services.annual_report.build(2025)
    preview = dialog.findChild(QTextBrowser, "reportPreview")
    _pick_task(qtbot, dialog, 1)
    text = preview.toPlainText()
    assert "イ 在宅医療・介護連携の課題の抽出と対応策の検討" in text and "◎実績" in text and "◎課題" in text
    assert f"年度内に抽出した課題{report.section('イ').figure('年度内に抽出した課題')}件" in squeeze(text)
    _pick_task(qtbot, dialog, 4)
    assert f"相談件数{report.section('オ').figure('相談件数')}件" in squeeze(preview.toPlainText())
    choose(dialog.year, "令和8年度（2026年4月〜2027年3月）")
    other = ctx.services.annual_report.build(2026).section("オ").figure("相談件数")
    assert other != report.section("オ").figure("相談件数")
    assert f"相談件数{other}件" in squeeze(preview.toPlainText())


def test_notes_are_saved_when_the_box_is_left_and_come_back(qtbot, ctx, dialog) -> None:
    service = ctx.services.annual_report
    _pick_task(qtbot, dialog, 5)  # カ 研修
    box = _box(dialog, "noteOutcomes")
    box.setFocus()
    type_text(qtbot, box, "8割以上が「役に立った」と回答した。")
    assert service.notes(2025) == {}
    _box(dialog, "noteIssues").setFocus()  # leaving the box saves it
    qtbot.waitUntil(lambda: service.notes(2025) == {("カ", "成果"): "8割以上が「役に立った」と回答した。"})
    assert dialog.findChild(QLabel, "saveStatus").text() == "カ の「成果」を保存しました"
    _pick_task(qtbot, dialog, 0)
    assert box.toPlainText() == ""
    choose(dialog.year, "令和6年度（2024年4月〜2025年3月）")
    _pick_task(qtbot, dialog, 5)
    assert box.toPlainText() == ""
    choose(dialog.year, "令和7年度（2025年4月〜2026年3月）")
    assert box.toPlainText() == "8割以上が「役に立った」と回答した。"


def test_save_button_and_a_refused_text_that_stays_in_its_box(qtbot, ctx, messages, dialog) -> None:
    service = ctx.services.annual_report
    _pick_task(qtbot, dialog, 0)
    results = _box(dialog, "noteResults")
    results.setFocus()
    type_text(qtbot, results, "資源マップを作成した。")
    _click(qtbot, dialog, "saveButton")
    assert service.notes(2025) == {("ア", "実績"): "資源マップを作成した。"}
    too_long = "あ" * 4001
    issues = _box(dialog, "noteIssues")
    issues.setPlainText(too_long)
    _click(qtbot, dialog, "saveButton")
    assert messages.texts("warning") and "4,000文字以内" in messages.texts("warning")[-1]
    assert issues.toPlainText() == too_long  # nothing lost
    assert ("ア", "課題") not in service.notes(2025)


@requires_poppler
def test_pdf_output_includes_the_text_just_typed(qtbot, ctx, messages, dialog, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "実績報告"
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda _p, title, default, _f: (asked.append(default) or str(target), ""))
    _pick_task(qtbot, dialog, 6)  # キ 普及啓発
    box = _box(dialog, "noteResults")
    box.setFocus()
    type_text(qtbot, box, "出前講座を地区ごとに開いた。")
    type_text(qtbot, dialog.organisation, "釜石市")
    _click(qtbot, dialog, "pdfButton")
    out = target.with_suffix(".pdf")
    assert [Path(a).name for a in asked] == ["事業実績報告_令和7年度.pdf"]
    assert out.is_file()
    text = squeeze(pdf_text(out))
    assert "キ地域住民への普及啓発" in text and "出前講座を地区ごとに開いた。" in text and "釜石市" in text
    assert "令和7年度の事業実績報告" in messages.texts("confirm")[-1] and str(out) in messages.texts("confirm")[-1]
    assert ctx.services.annual_report.notes(2025)[("キ", "実績")] == "出前講座を地区ごとに開いた。"


def test_excel_output_and_a_cancelled_save(qtbot, ctx, messages, dialog, tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    answers = iter(["", str(folder / "annual.xlsx")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: (next(answers), ""))
    _click(qtbot, dialog, "xlsxButton")  # cancelled: nothing written, nothing said
    assert not list(folder.iterdir()) and not messages.shown
    _click(qtbot, dialog, "xlsxButton")
    book = openpyxl.load_workbook(folder / "annual.xlsx")
    assert book.sheetnames[1:3] == ["ア 地域資源", "イ 課題の抽出と対応策"]
    assert "Excel" in messages.texts("confirm")[-1]


def test_closing_saves_the_open_box(qtbot, ctx, dialog) -> None:
    _pick_task(qtbot, dialog, 7)
    box = _box(dialog, "noteIssues")
    box.setFocus()
    type_text(qtbot, box, "大槌町との合同研修を続ける。")
    _click(qtbot, dialog, "closeButton")
    assert ctx.services.annual_report.notes(2025) == {("ク", "課題"): "大槌町との合同研修を続ける。"}
