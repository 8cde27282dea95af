"""The 課題ボード tab: create an issue, drag it across layers, professions and statuses, filter,
feedback, the resolve rule, and needs matching — driven as a user would."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from zaitaku_desktop.domain.issues import IssueInput, NeedInput, ResponseInput
from zaitaku_desktop.ui.issues.board_tab import FeedbackDialog, IssueBoardTab, MoveReasonDialog
from zaitaku_desktop.ui.issues.issue_form import IssueDialog, ResponseDialog, check_by_name
from zaitaku_desktop.ui.issues.models import NeedsModel, PlannedEventsModel, ResponsesModel, SuggestionsModel
from zaitaku_desktop.ui.issues.needs import PlanEventDialog
from zaitaku_desktop.ui.resources.form import ResourceDialog

from ui_helpers import click_checkbox, open_window, type_text


@pytest.fixture
def vocab(empty_ctx):
    return empty_ctx.services.vocab.all()


@pytest.fixture
def ids(vocab):
    return {v.name: v.id for kind in ("profession", "association", "theme") for v in vocab[kind]}


@pytest.fixture
def board(qtbot, empty_ctx, vocab) -> IssueBoardTab:
    tab = IssueBoardTab(empty_ctx)
    qtbot.addWidget(tab)
    tab.set_vocab(vocab)
    tab.resize(1300, 800)
    tab.show()
    qtbot.waitExposed(tab)
    tab.load()
    return tab


def add_issue(ctx, ids, title: str, *, professions=("介護支援専門員",), layer="一次", **kw):
    return ctx.services.issues.create(IssueInput(title=title, layer=layer,
                                                 profession_ids=[ids[p] for p in professions], **kw))


def drop(source_cell, issue_id: str, target) -> None:
    """Deliver the drag-enter and drop events a real drag of the card would deliver to ``target``."""
    mime = source_cell.mime_for(issue_id)
    pos = QPoint(target.width() // 2, 30)
    enter = QDragEnterEvent(pos, Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    event = QDropEvent(QPointF(pos), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, event)


def double_click_card(qtbot, cell, issue_id: str) -> None:
    pos = cell.position_of(issue_id)
    assert pos is not None
    qtbot.mouseDClick(cell, Qt.MouseButton.LeftButton, pos=pos)


def fill_new_issue(qtbot, title: str, profession: str, theme: str | None = None):
    def action(dialog: IssueDialog) -> None:
        type_text(qtbot, dialog.title, title)
        check_by_name(dialog.professions, profession)
        if theme:
            check_by_name(dialog.themes, theme)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    return action


def test_create_drag_to_other_layer_with_reason_and_history(qtbot, board, dialogs, ids):
    dialogs.drive(IssueDialog, fill_new_issue(qtbot, "病院からの退院が急で在宅側の準備が整っていない", "介護支援専門員",
                                               "退院調整"))
    board.act_new.trigger()
    cm = ids["介護支援専門員"]
    first = board.board.cell(cm, "一次")
    assert first.titles() == ["病院からの退院が急で在宅側の準備が整っていない"]
    assert board.count_label.text() == "1 件 / 1 件"
    issue_id = first.cards[0].id
    assert first.cards[0].fed_back_on is None  # the card shows ⚑

    def answer(dialog: MoveReasonDialog) -> None:
        assert not dialog.ok.isEnabled()  # a reason is required
        type_text(qtbot, dialog.reason, "病院側と話し合う必要がある")
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    asked = dialogs.drive(MoveReasonDialog, answer)
    drop(first, issue_id, board.board.cell(cm, "二次"))
    assert len(asked) == 1
    assert board.board.cell(cm, "一次").titles() == []
    assert board.board.cell(cm, "二次").titles() == ["病院からの退院が急で在宅側の準備が整っていない"]
    assert "（1件）" in board.board.layer_headers["二次"].text()
    assert "一次 → 二次：病院側と話し合う必要がある" in board.detail.toPlainText()

    seen: list[list[str]] = []

    def look(dialog: IssueDialog) -> None:
        seen.append([dialog.history.item(i).text() for i in range(dialog.history.count())])
        assert dialog.layer.currentData() == "二次"

    dialogs.drive(IssueDialog, look)
    double_click_card(qtbot, board.board.cell(cm, "二次"), issue_id)
    assert any("一次 → 二次：病院側と話し合う必要がある" in line for line in seen[0])


def test_cancelling_the_reason_leaves_the_card(qtbot, board, dialogs, ids, empty_ctx):
    row = add_issue(empty_ctx, ids, "医師との壁")
    board.load()
    cm = ids["介護支援専門員"]
    dialogs.drive(MoveReasonDialog, lambda d: qtbot.mouseClick(d.findChild(QWidget, "cancelButton"),
                                                              Qt.MouseButton.LeftButton))
    drop(board.board.cell(cm, "一次"), row.id, board.board.cell(cm, "三次"))
    assert board.board.cell(cm, "一次").titles() == ["医師との壁"]
    assert board.board.cell(cm, "三次").titles() == []
    assert empty_ctx.services.issues.get(row.id).row.layer == "一次"


def test_drag_to_another_profession_row_needs_no_reason(qtbot, board, dialogs, ids, empty_ctx):
    row = add_issue(empty_ctx, ids, "薬の情報が届かない")
    board.load()
    board.show_all.setChecked(True)  # every profession gets a row to drop on
    asked = dialogs.drive(MoveReasonDialog)
    drop(board.board.cell(ids["介護支援専門員"], "一次"), row.id, board.board.cell(ids["薬剤師"], "一次"))
    assert asked == []
    assert board.board.cell(ids["薬剤師"], "一次").titles() == ["薬の情報が届かない"]
    assert board.board.cell(ids["介護支援専門員"], "一次").titles() == []
    assert empty_ctx.services.issues.get(row.id).row.professions == ("薬剤師",)


def test_professions_with_issues_get_rows_and_a_no_profession_row(board, ids, empty_ctx):
    add_issue(empty_ctx, ids, "ケアマネの課題")
    add_issue(empty_ctx, ids, "地域の啓発が足りない", professions=(), layer="三次")
    board.load()
    labels = [k.label for k in board.board.row_keys]
    assert labels == ["介護支援専門員", "職種なし"]
    assert board.board.cell(None, "三次").titles() == ["地域の啓発が足りない"]
    board.show_all.setChecked(True)
    assert len(board.board.row_keys) > 20
    assert board.board.row_keys[-1].label == "職種なし"


def test_kanban_drag_changes_status_and_resolving_needs_a_response(qtbot, board, ids, empty_ctx, messages):
    row = add_issue(empty_ctx, ids, "相談ルートがわからない")
    board.load()
    qtbot.mouseClick(board.findChild(QWidget, "showKanban"), Qt.MouseButton.LeftButton)
    kanban = board.kanban
    assert board.stack.currentWidget() is kanban
    assert kanban.columns["抽出"].titles() == ["相談ルートがわからない"]
    drop(kanban.columns["抽出"], row.id, kanban.columns["検討中"])
    assert kanban.column_of(row.id) == "検討中"
    assert kanban.headers["検討中"].text() == "検討中（1件）"
    assert empty_ctx.services.issues.get(row.id).row.status == "検討中"
    # 解決 without a response is refused with the service's Japanese message; the card stays.
    drop(kanban.columns["検討中"], row.id, kanban.columns["解決"])
    assert kanban.column_of(row.id) == "検討中"
    assert any("対応策" in text for text in messages.texts("warning"))


def test_resolve_without_response_shows_message_under_status(qtbot, board, dialogs, ids, empty_ctx):
    row = add_issue(empty_ctx, ids, "夜間の連絡先がわからない")
    board.load()
    cm = ids["介護支援専門員"]
    results = {}

    def resolve(dialog: IssueDialog) -> None:
        dialog.status.setCurrentIndex(dialog.status.findData("解決"))
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        error = dialog.findChild(QLabel, "error_status")
        results["error"] = error.text() if error.isVisible() else ""
        assert dialog.isVisible()  # nothing saved, the form stays open
        # add a response, then resolving works
        dialogs.drive(ResponseDialog, lambda d: (type_text(qtbot, d.action, "連絡先一覧を作って配る"),
                                                 qtbot.mouseClick(d.findChild(QWidget, "okButton"),
                                                                  Qt.MouseButton.LeftButton)))
        dialog.tabs.setCurrentIndex(1)
        qtbot.mouseClick(dialog.add_response_button, Qt.MouseButton.LeftButton)
        assert dialog.responses_model.rowCount() == 1
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    dialogs.drive(IssueDialog, resolve)
    double_click_card(qtbot, board.board.cell(cm, "一次"), row.id)
    assert "対応策" in results["error"]
    saved = empty_ctx.services.issues.get(row.id)
    assert saved.row.status == "解決"
    assert [r.action for r in saved.responses] == ["連絡先一覧を作って配る"]
    assert board.board.cell(cm, "一次").cards[0].status == "解決"


def test_new_issue_title_is_required(qtbot, board, dialogs):
    errors = []

    def save_empty(dialog: IssueDialog) -> None:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        errors.append(dialog.findChild(QLabel, "error_title").text())

    dialogs.drive(IssueDialog, save_empty)
    board.act_new.trigger()
    assert errors == ["題名を入力してください"]
    assert board.all_rows == []


def test_search_and_filters_narrow_cards_and_counts(qtbot, board, ids, empty_ctx):
    add_issue(empty_ctx, ids, "ケアマネと病院の連携", raised_on=dt.date(2025, 6, 1),
              theme_ids=[ids["退院調整"]])
    add_issue(empty_ctx, ids, "薬剤師の役割が知られていない", professions=("薬剤師",), raised_on=dt.date(2026, 5, 1))
    done = add_issue(empty_ctx, ids, "訪問看護の夜間体制", professions=("訪問看護師",), raised_on=dt.date(2026, 7, 1))
    empty_ctx.services.issues.record_feedback(done.id, dt.date(2026, 8, 1), "電話")
    board.load()
    assert board.count_label.text() == "3 件 / 3 件"
    type_text(qtbot, board.search, "けあまね")  # hiragana finds katakana
    assert [c.titles() for c in board.board.cells.values() if c.cards] == [["ケアマネと病院の連携"]]
    assert board.count_label.text() == "1 件 / 3 件"
    assert board.board.row_keys[0].label == "介護支援専門員"
    board.search.clear()
    click_checkbox(qtbot, board.not_fed_back)
    assert board.count_label.text() == "2 件 / 3 件"
    assert board.board.cell(ids["訪問看護師"], "一次") is None
    click_checkbox(qtbot, board.not_fed_back)
    board.year_filter.setCurrentIndex(board.year_filter.findData(2026))
    assert "令和8年度" in board.year_filter.currentText()
    assert board.count_label.text() == "2 件 / 3 件"
    board.year_filter.setCurrentIndex(0)
    board.theme_filter.setCurrentIndex(board.theme_filter.findText("退院調整"))
    assert board.count_label.text() == "1 件 / 3 件"
    board.theme_filter.setCurrentIndex(0)
    board.status_actions["検討中"].trigger()
    assert board.count_label.text() == "0 件 / 3 件"
    assert board.status_button.text() == "状態：検討中"
    assert board.findChild(QLabel, "boardEmpty") is not None
    board.status_actions["抽出"].trigger()
    assert board.count_label.text() == "3 件 / 3 件"


def test_feedback_and_archive_actions(qtbot, board, dialogs, ids, empty_ctx, messages):
    row = add_issue(empty_ctx, ids, "主治医との連絡方法")
    board.load()
    cm = ids["介護支援専門員"]
    assert not board.act_feedback.isEnabled()
    qtbot.mouseClick(board.board.cell(cm, "一次"), Qt.MouseButton.LeftButton,
                     pos=board.board.cell(cm, "一次").position_of(row.id))
    assert board.act_feedback.isEnabled()
    dialogs.drive(FeedbackDialog, lambda d: qtbot.mouseClick(d.findChild(QWidget, "okButton"),
                                                            Qt.MouseButton.LeftButton))
    board.act_feedback.trigger()
    assert board.board.cell(cm, "一次").cards[0].fed_back_on == dt.date.today()
    click_checkbox(qtbot, board.not_fed_back)
    assert board.count_label.text() == "0 件 / 1 件"
    click_checkbox(qtbot, board.not_fed_back)
    board.select_id(row.id)
    messages.answers.append(True)
    board.act_archive.trigger()
    assert board.count_label.text() == "0 件 / 0 件"
    assert empty_ctx.services.issues.get(row.id).row.archived


def test_needs_match_becomes_a_planned_event(qtbot, board, dialogs, ids):
    qtbot.mouseClick(board.findChild(QWidget, "showNeeds"), Qt.MouseButton.LeftButton)
    panel = board.needs
    for association, text in (("薬剤師会", "薬剤師の職能を他職種に理解してもらいたい"),
                              ("介護支援専門員協議会", "薬剤師に何を相談できるか知りたい")):
        panel.association.setCurrentIndex(panel.association.findText(association))
        type_text(qtbot, panel.text, text)
        check_by_name(panel.themes, "職種理解")
        qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert panel.needs_model.rowCount() == 2
    assert panel.suggestions_model.rowCount() == 1
    suggestion = panel.suggestions_model.row_at(0)
    assert suggestion.shared_themes == ("職種理解",)
    assert not panel.plan_button.isEnabled()
    panel.suggestions.selectRow(0)
    assert panel.plan_button.isEnabled()
    opened = []

    def accept(dialog: PlanEventDialog) -> None:
        opened.append(dialog.title.text())
        qtbot.mouseClick(dialog.findChild(QWidget, "okButton"), Qt.MouseButton.LeftButton)

    dialogs.drive(PlanEventDialog, accept)
    qtbot.mouseClick(panel.plan_button, Qt.MouseButton.LeftButton)
    assert opened and opened[0] == suggestion.suggested_title
    assert panel.events_model.rowCount() == 1
    event = panel.events_model.row_at(0)
    assert event.title == suggestion.suggested_title and event.layer == "二次"
    assert panel.findChild(QWidget, "plannedEvents").parentWidget().title() == "企画（会議・研修で採用予定）"
    assert panel.suggestions_model.rowCount() == 0  # planned needs are no longer suggested


def test_need_text_is_required(qtbot, board):
    board.show_view(2)
    qtbot.mouseClick(board.needs.add_button, Qt.MouseButton.LeftButton)
    assert board.needs.text_error.text() == "ニーズの内容を入力してください"
    assert board.needs.needs_model.rowCount() == 0


def test_ctrl_n_opens_the_form_of_the_tab_in_front(qtbot, ctx, dialogs):
    window = open_window(qtbot, ctx)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    assert window.tabs.widget(1) is window.issues_tab
    assert window.issues_tab.all_rows  # the sample region's issues are on the board
    opened_issue = dialogs.drive(IssueDialog)
    opened_resource = dialogs.drive(ResourceDialog)
    window.tabs.setCurrentIndex(1)
    window.issues_tab.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert len(opened_issue) == 1 and opened_resource == []
    window.tabs.setCurrentIndex(0)
    window.resources_tab.table.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert len(opened_resource) == 1 and len(opened_issue) == 1


def test_table_models_pass_qt_checks(qtmodeltester, empty_ctx, ids):
    service = empty_ctx.services.issues
    row = add_issue(empty_ctx, ids, "情報共有の様式がない")
    service.add_response(row.id, ResponseInput(action="共通様式を作る"))
    service.add_need(NeedInput(association_id=ids["薬剤師会"], text="a", theme_ids=[ids["職種理解"]]))
    service.add_need(NeedInput(association_id=None, text="b", theme_ids=[ids["職種理解"]]))
    responses = ResponsesModel()
    responses.set_rows(service.get(row.id).responses)
    needs = NeedsModel()
    needs.set_rows(service.list_needs())
    suggestions = SuggestionsModel()
    suggestions.set_rows(service.suggest_matches())
    events = PlannedEventsModel(lambda d: str(d))
    for model in (responses, needs, suggestions, events):
        qtmodeltester.check(model)
    assert responses.rowCount() == 1 and needs.rowCount() == 2 and suggestions.rowCount() == 1


def test_card_menu_moves_without_dragging(qtbot, board, dialogs, ids, empty_ctx):
    row = add_issue(empty_ctx, ids, "地域全体で話すべき課題")
    board.load()
    cm = ids["介護支援専門員"]
    cell = board.board.cell(cm, "一次")
    menu = board.card_menu(row.id, cell.key)
    dialogs.drive(MoveReasonDialog, lambda d: (type_text(qtbot, d.reason, "協議会で扱うため"),
                                              qtbot.mouseClick(d.ok, Qt.MouseButton.LeftButton)))
    move = menu.findChild(type(board.act_new), "moveLayer_三次")
    assert not menu.findChild(type(board.act_new), "moveLayer_一次").isEnabled()
    move.trigger()
    assert board.board.cell(cm, "三次").titles() == ["地域全体で話すべき課題"]
    menu = board.card_menu(row.id, board.board.cell(cm, "三次").key)
    menu.findChild(type(board.act_new), "moveStatus_対応中").trigger()
    assert board.board.cell(cm, "三次").cards[0].status == "対応中"


def test_changing_the_layer_in_the_form_asks_for_a_reason(qtbot, board, dialogs, ids, empty_ctx):
    row = add_issue(empty_ctx, ids, "医療と介護の言葉が違う")
    board.load()
    cm = ids["介護支援専門員"]
    seen = {}

    def change(dialog: IssueDialog) -> None:
        assert not dialog.reason.isVisible()
        dialog.layer.setCurrentIndex(dialog.layer.findData("二次"))
        assert dialog.reason.isVisible()
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        seen["error"] = dialog.findChild(QLabel, "error_reason").text()
        type_text(qtbot, dialog.reason, "多職種で用語集を作る")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    dialogs.drive(IssueDialog, change)
    board.select_id(row.id)
    board.act_edit.trigger()
    assert seen["error"] == "層を変える理由を入力してください"
    assert board.board.cell(cm, "二次").titles() == ["医療と介護の言葉が違う"]
    history = empty_ctx.services.issues.get(row.id).history
    assert any("一次 → 二次：多職種で用語集を作る" in (h.note or "") for h in history)


def test_responses_are_added_edited_and_archived_in_the_form(qtbot, board, dialogs, ids, empty_ctx):
    row = add_issue(empty_ctx, ids, "退院前カンファレンスがない")
    empty_ctx.services.issues.add_response(row.id, ResponseInput(action="病院連携室と話し合う"))
    board.load()
    texts = {}

    def edit(dialog: IssueDialog) -> None:
        dialog.tabs.setCurrentIndex(1)
        assert dialog.responses_model.rowCount() == 1
        dialog.responses.selectRow(0)

        def finish(d: ResponseDialog) -> None:
            d.state.setCurrentIndex(d.state.findText("完了"))
            type_text(qtbot, d.result_edit, "ルールを作った")
            qtbot.mouseClick(d.findChild(QWidget, "okButton"), Qt.MouseButton.LeftButton)

        dialogs.drive(ResponseDialog, finish)
        qtbot.mouseClick(dialog.edit_response_button, Qt.MouseButton.LeftButton)
        texts["state"] = dialog.responses_model.index(0, 2).data()
        dialog.responses.selectRow(0)
        qtbot.mouseClick(dialog.archive_response_button, Qt.MouseButton.LeftButton)
        texts["archived"] = dialog.responses_model.index(0, 2).data()
        qtbot.mouseClick(dialog.findChild(QWidget, "cancelButton"), Qt.MouseButton.LeftButton)

    dialogs.drive(IssueDialog, edit)
    board.open_issue(row.id)
    assert texts["state"] == "完了"
    assert texts["archived"] == "完了（アーカイブ）"
    saved = empty_ctx.services.issues.get(row.id).responses
    assert saved[0].result == "ルールを作った" and saved[0].archived
