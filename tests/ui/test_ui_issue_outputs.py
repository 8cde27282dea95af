"""The issue board's outputs from the GUI: Excel, feedback sheet and issue list PDFs, and
menus that follow the tab in front."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from pdf_tools import pdf_text, requires_poppler
from ui_helpers import open_window

from zaitaku_desktop.ui.issues import outputs


def _board(qtbot, ctx):
    window = open_window(qtbot, ctx)
    window.tabs.setCurrentIndex(1)
    return window, window.issues_tab


def test_menus_and_toolbar_follow_the_tab_in_front(qtbot, ctx):
    window = open_window(qtbot, ctx)
    resources, board = window.resources_tab, window.issues_tab
    assert resources.act_new.isVisible() and not board.act_new.isVisible()
    assert window.count_label.text() == "資源 129 / 129 件"
    window.tabs.setCurrentIndex(1)
    assert board.act_new.isVisible() and not resources.act_new.isVisible()
    issues = len([r for r in ctx.services.issues.list_rows() if not r.archived])
    assert window.count_label.text() == f"課題 {issues} / {issues} 件"
    toolbar_texts = [a.text() for a in window.toolbar.actions() if a.isVisible() and not a.isSeparator()]
    assert toolbar_texts[:4] == ["新規…", "編集…", "アーカイブ", "フィードバック記録…"]
    assert toolbar_texts[-1] == "設定…"
    assert not resources.act_export.isVisible()
    output_texts = [a.text() for a in window.menu_output.actions() if a.isVisible() and not a.isSeparator()]
    # The handout studio and the emergency sheet are on every tab; the rest are the board's own.
    assert output_texts == ["配布物スタジオ…", "災害時連絡先一覧（PDF）", "Excelに書き出し…",
                            "フィードバックシート（PDF）…", "課題リスト（PDF）…"]
    window.tabs.setCurrentIndex(2)  # a placeholder tab offers neither
    assert not board.act_new.isVisible() and not resources.act_new.isVisible()


def test_export_issues_to_excel(qtbot, ctx, tmp_path: Path):
    window, board = _board(qtbot, ctx)
    out = tmp_path / "issues.xlsx"
    ctx.messages.answers.append(False)  # don't open the file
    outputs.export_issues_xlsx(ctx, board, out)
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["課題", "対応策", "集計"]
    issue_rows = list(book["課題"].iter_rows(values_only=True))
    assert len(issue_rows) - 1 == len([r for r in ctx.services.issues.list_rows() if not r.archived])
    assert any("課題" in text and "書き出しました" in text for text in ctx.messages.texts("confirm"))


def _accepting(dialog_class, configure):
    """The dialog as a user leaves it: choices made, then the OK button."""
    class Driven(dialog_class):
        def exec(self) -> int:
            configure(self)
            return 1
    return Driven


@requires_poppler
def test_feedback_sheet_for_an_association(qtbot, ctx, tmp_path: Path):
    window, board = _board(qtbot, ctx)

    def choose(dialog) -> None:
        dialog.association.setCurrentIndex(dialog.association.findText("介護支援専門員協議会"))
        dialog.sender.setText("釜石市 在宅医療連携拠点")

    out = tmp_path / "fb.pdf"
    ctx.messages.answers.append(False)
    outputs.feedback_pdf(ctx, board, dialog_factory=_accepting(outputs.FeedbackDialog, choose), path=out)
    text = pdf_text(out)
    assert "介護支援専門員協議会" in text and "課題フィードバックシート" in text
    assert "病院からの退院が急で在宅側の準備が整っていない" in text
    assert any("フィードバックシート" in t for t in ctx.messages.texts("confirm"))


@requires_poppler
def test_issue_list_needs_two_to_four_professions(qtbot, ctx, tmp_path: Path):
    window, board = _board(qtbot, ctx)
    dialog = outputs.IssueListDialog(ctx, board)
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled() and "2〜4" in dialog.error.text()

    def choose(dialog) -> None:
        dialog.professions[next(k for k, b in dialog.professions.items() if b.text() == "介護支援専門員")].setChecked(True)
        dialog.professions[next(k for k, b in dialog.professions.items() if b.text() == "医療ソーシャルワーカー")].setChecked(True)
        assert dialog.ok.isEnabled()

    out = tmp_path / "list.pdf"
    ctx.messages.answers.append(False)
    outputs.issue_list_pdf(ctx, board, dialog_factory=_accepting(outputs.IssueListDialog, choose), path=out)
    text = pdf_text(out)
    assert "一次連携で抽出された課題リスト" in text
    assert "介護支援専門員" in text and "医療ソーシャルワーカー" in text
