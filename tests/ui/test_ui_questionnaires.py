"""The アンケート dialog: keyed entry by keyboard, the 集計 table and chart PNG, 前後比較, the template editor."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton

from zaitaku_desktop.services.questionnaires import TRAINING, SheetInput
from zaitaku_desktop.ui.meetings.questionnaires import QuestionnaireDialog, QuestionnaireTemplatesDialog

from ui_helpers import choose, edit_cell, replace_text, type_text

FIRST = "医師会 打ち合わせ会（一次連携）"


def _meeting_ids(ctx, title: str) -> list[str]:
    return [r.id for r in ctx.services.meetings.period(dt.date(2025, 1, 1), dt.date(2026, 12, 31)) if r.title == title]


def _open(qtbot, ctx, meeting_id: str) -> QuestionnaireDialog:
    dialog = QuestionnaireDialog(ctx, meeting_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def _click(qtbot, dialog, name: str) -> None:
    qtbot.mouseClick(dialog.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def _press(qtbot, key) -> None:
    """A key (or ASCII text) to whatever has the focus, as on a real keyboard."""
    if isinstance(key, str):
        qtbot.keyClicks(QApplication.focusWidget(), key)
    else:
        qtbot.keyClick(QApplication.focusWidget(), key)


def _show_tab(qtbot, dialog, text: str) -> None:
    bar = dialog.tabs.tabBar()
    index = [bar.tabText(i) for i in range(bar.count())].index(text)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert dialog.tabs.currentIndex() == index


def _table(table) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


@pytest.fixture
def dialog(qtbot, ctx):
    meeting_id = _meeting_ids(ctx, FIRST)[0]
    dialog = _open(qtbot, ctx, meeting_id)
    choose(dialog.template, TRAINING)
    replace_text(qtbot, dialog.distributed.lineEdit(), "4")
    _click(qtbot, dialog, "questionnaireAssign")
    assert ctx.services.questionnaires.assignment(meeting_id).distributed == 4
    return dialog


def test_three_sheets_keyed_with_the_keyboard_only_then_tallied(qtbot, ctx, dialog, tmp_path, monkeypatch):
    assert QApplication.focusWidget() is dialog.profession
    # sheet: profession steps (Down), then the five answers; text + Enter, then Enter on 「次の用紙」.
    for downs, digits, text in ((1, "1121", "good"), (1, "2211", ""), (2, "3312", "")):
        for _ in range(downs):
            _press(qtbot, Qt.Key.Key_Down)
        _press(qtbot, Qt.Key.Key_Return)
        assert QApplication.focusWidget() is dialog.inputs[dialog.items[0].id]
        _press(qtbot, "9")  # not a point of a 4-point scale: refused, the focus stays
        assert QApplication.focusWidget() is dialog.inputs[dialog.items[0].id]
        for digit in digits:
            _press(qtbot, digit)
        _press(qtbot, text)
        _press(qtbot, Qt.Key.Key_Return)
        assert QApplication.focusWidget() is dialog.next_button
        _press(qtbot, Qt.Key.Key_Return)
    assert dialog.isVisible() and ctx.messages.shown == []
    assert dialog.sheet_no.value() == 4 and QApplication.focusWidget() is dialog.profession
    assert [row[:2] for row in _table(dialog.sheets)] == [["1", "医師"], ["2", "医師"], ["3", "歯科医師"]]
    assert _table(dialog.sheets)[0][2] == "1 1 2 1 「good」"
    assert dialog.sheet_count.text() == "入力済み 3枚"

    _show_tab(qtbot, dialog, "集計")
    assert dialog.rate.text() == "回収率 3/4 (75%)"
    rows = _table(dialog.tally_table)
    assert rows[0] == ["研修は役に立った", "3", "1", "1", "1", "0", "", "上位2段階 67%", "2.00"]
    assert rows[3][:4] == ["顔の見える関係づくりに役立った", "3", "2", "1"] and rows[3][7] == "はい 67%"
    assert rows[4][1:2] == ["1件"]
    choose(dialog.group, "医師")
    assert _table(dialog.tally_table)[0][:8] == ["研修は役に立った", "2", "1", "1", "0", "0", "", "上位2段階 100%"]

    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "chart"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "PNG画像 (*.png)"))
    dialog.tally_table.setCurrentCell(0, 0)
    _click(qtbot, dialog, "saveChart")
    image = QImage(str(out.with_suffix(".png")))
    assert not image.isNull()
    ratio = dialog.chart_view.devicePixelRatioF()
    assert (image.width(), image.height()) == (round(dialog.chart_view.width() * ratio),
                                               round(dialog.chart_view.height() * ratio))
    assert [p.name for p in folder.iterdir()] == ["chart.png"]  # no temporary file left
    assert ctx.messages.texts("info") == [f"グラフを保存しました。\n{out.with_suffix('.png')}"]


def test_a_bad_sheet_number_keeps_the_answers_and_a_sheet_can_be_fixed_and_deleted(qtbot, ctx, dialog):
    first = dialog.items[0].id
    ctx.services.questionnaires.add_response(dialog.meeting_id, SheetInput(5, {first: 4}))
    dialog._load_sheets()
    replace_text(qtbot, dialog.sheet_no.lineEdit(), "5")
    dialog.inputs[first].setFocus()
    _press(qtbot, "2")
    _click(qtbot, dialog, "nextSheet")
    assert ctx.messages.texts("warning") == ["入力内容を確認してください。\n・用紙番号 5 はすでに入力されています"]
    assert dialog.inputs[first].text() == "2"  # nothing lost
    dialog.sheets.setCurrentCell(0, 0)
    _click(qtbot, dialog, "editSheet")
    assert dialog.inputs[first].text() == "4" and dialog.next_button.text() == "直した用紙を保存"
    replace_text(qtbot, dialog.inputs[first], "3")
    _click(qtbot, dialog, "nextSheet")
    assert [r.answers[first] for r in ctx.services.questionnaires.list_responses(dialog.meeting_id)] == [3]
    ctx.messages.answers.append(True)
    dialog.sheets.setCurrentCell(0, 0)
    _click(qtbot, dialog, "deleteSheet")
    assert ctx.services.questionnaires.list_responses(dialog.meeting_id) == [] and dialog.sheets.rowCount() == 0
    # Closing with a half-keyed sheet asks; 「入力に戻る」 keeps the dialog and the answer.
    dialog.inputs[first].setFocus()
    _press(qtbot, "1")
    _press(qtbot, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.inputs[first].text() == "1"
    assert ctx.messages.texts("confirm")[-1] == "入力中の用紙はまだ保存されていません。保存せずに閉じますか？"
    ctx.messages.answers.append(True)
    _press(qtbot, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_before_after_comparison_shows_both_shares(qtbot, ctx):
    before, after = _meeting_ids(ctx, FIRST)[:2]
    q = ctx.services.questionnaires
    template = {t.name: t for t in q.ensure_default_templates()}[TRAINING]
    useful = template.items[0].id
    for mid, values in ((before, [1, 3, 3, 4]), (after, [1, 2, 2, 3])):
        q.assign(mid, template.id)
        for no, value in enumerate(values, start=1):
            q.add_response(mid, SheetInput(no, {useful: value}))
    dialog = _open(qtbot, ctx, after)
    _show_tab(qtbot, dialog, "前後比較")
    # The sample's three lectures handed out the same questionnaire: they are listed too, oldest first.
    listed = [dialog.other.itemText(i) for i in range(dialog.other.count())]
    assert [t.split("　")[1].split("（")[0] for t in listed] == [
        "薬剤師会主催多職種連携研修会", "釜石医師会学術講演会", "釜石三師会学術講演会", "医師会 打ち合わせ会"]
    assert listed[-1].endswith("（4枚）") and dialog.other.itemData(3) == before
    choose(dialog.other, listed[-1])
    rows = _table(dialog.compare_table)
    assert rows[0] == ["研修は役に立った", "25%（n=4）", "75%（n=4）", "+50ポイント"]
    assert dialog.compare_table.horizontalHeaderItem(1).text() == "前：令和7年4月16日"


def test_a_sample_lecture_compares_with_the_other_two(qtbot, ctx):
    rows = ctx.services.meetings.period(dt.date(2015, 1, 1), dt.date(2015, 12, 31))
    ids = {r.title: r.id for r in rows}
    q = ctx.services.questionnaires
    dialog = _open(qtbot, ctx, ids["釜石医師会学術講演会"])
    assert dialog.sheets.rowCount() == len(q.list_responses(ids["釜石医師会学術講演会"])) > 20
    _show_tab(qtbot, dialog, "前後比較")
    assert [dialog.other.itemData(i) for i in range(dialog.other.count())] == [
        ids["薬剤師会主催多職種連携研修会"], ids["釜石三師会学術講演会"]]
    returned = len(q.list_responses(ids["薬剤師会主催多職種連携研修会"]))
    assert dialog.other.currentText().endswith(f"薬剤師会主催多職種連携研修会（{returned}枚）")
    expected = q.compare(ids["薬剤師会主催多職種連携研修会"], ids["釜石医師会学術講演会"]).rows
    table = _table(dialog.compare_table)
    assert [r[0] for r in table] == [r.text for r in expected] and len(table) == 4
    assert table[0][1] == f"{round(expected[0].before * 100)}%（n={expected[0].before_n}）"
    assert dialog.compare_table.horizontalHeaderItem(1).text() == "前：平成27年3月5日"


def test_template_editor_adds_a_questionnaire(qtbot, ctx):
    dialog = QuestionnaireTemplatesDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    _click(qtbot, dialog, "newTemplate")
    type_text(qtbot, dialog.name, "出前講座アンケート")
    choose(dialog.items.cellWidget(0, 0), "5段階")
    edit_cell(qtbot, dialog.items, 0, 1, "関心を持った")
    _click(qtbot, dialog, "addItem")
    choose(dialog.items.cellWidget(1, 0), "5段階")
    edit_cell(qtbot, dialog.items, 1, 1, "家族に紹介したい")
    edit_cell(qtbot, dialog.items, 1, 2, "はい、まあ")
    _click(qtbot, dialog, "saveTemplate")
    assert "選択肢は5つ入力してください（いま2つ）" in ctx.messages.texts("warning")[0]
    dialog.items.setCurrentCell(1, 2)
    dialog.items.editItem(dialog.items.item(1, 2))
    replace_text(qtbot, QApplication.focusWidget(), "")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.items.item(1, 2).text() == "")
    _click(qtbot, dialog, "saveTemplate")
    saved = {t.name: t for t in ctx.services.questionnaires.list_templates()}["出前講座アンケート"]
    assert [(i.kind, i.text) for i in saved.items] == [("scale5", "関心を持った"), ("scale5", "家族に紹介したい")]
    assert dialog.list.currentItem().text() == "出前講座アンケート"
