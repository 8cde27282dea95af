"""The 相談受付 tab: a phone call taken from the keyboard, referral and 今日の対応, masking and the access log,
the duplicate banner, consent before sharing, statistics with a saved chart, promotion to the issue board."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QCheckBox, QLabel, QMenu, QPushButton

from zaitaku_desktop.domain.consultations import mask_name
from zaitaku_desktop.services.consultations import ConsultationInput
from zaitaku_desktop.ui.consultations.consent_dialog import ConsentDialog
from zaitaku_desktop.ui.consultations.intake_form import IntakeDialog
from zaitaku_desktop.ui.consultations.promote_dialog import PromoteDialog
from zaitaku_desktop.ui.consultations.referral_dialog import ReferralDialog
from zaitaku_desktop.ui.consultations.stats_dialog import StatsDialog
from zaitaku_desktop.ui.consultations.tab import ConsultationTab

from ui_helpers import choose, click_checkbox, open_window, type_text

TODAY = dt.date.today()
NOW = dt.datetime.combine(TODAY, dt.time(9, 30))
CANARY = "試験 花子"


@pytest.fixture
def desk(qtbot, ctx) -> ConsultationTab:
    tab = ConsultationTab(ctx, today=TODAY)
    qtbot.addWidget(tab)
    tab.resize(1300, 800)
    tab.load()
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def _ids(ctx, *names: str) -> list[str]:
    by_name = {c.name: c.id for c in ctx.services.consultations.list_categories()}
    return [by_name[n] for n in names]


def _area(ctx, municipality: str, district: str) -> tuple[str, str]:
    vocab = ctx.services.vocab
    m = next(i for i in vocab.list("municipality") if i.name == municipality)
    d = next(i for i in vocab.list("district") if i.name == district and i.parent_id == m.id)
    return m.id, d.id


def _consultation(ctx, **values):
    data = dict(window="多職種向け", received_at=NOW - dt.timedelta(days=2), channel="電話", requester_type="ケアマネ",
                category_ids=_ids(ctx, "退院調整"), question="退院後の訪問診療先", handled_by="連携 太郎")
    data.update(values)
    return ctx.services.consultations.create(ConsultationInput(**data))


def _click(qtbot, dialog, name: str) -> None:
    qtbot.mouseClick(dialog.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def _table_texts(tab: ConsultationTab, column: int) -> list[str]:
    return [tab.model.index(r, column).data() for r in range(tab.model.rowCount())]


def _accesses(ctx, action: str) -> int:
    return sum(1 for a in ctx.services.consultations.access_log() if a.action == action)


# --- the phone call --------------------------------------------------------------------------------------

def test_phone_call_from_the_keyboard_then_a_referral_shows_in_todays_list(desk, ctx, qtbot, dialogs):
    steps = 0

    def key(dialog, k, modifier=Qt.KeyboardModifier.NoModifier, times: int = 1) -> None:
        nonlocal steps
        for _ in range(times):
            qtbot.keyClick(dialog.focusWidget(), k, modifier)
            steps += 1

    def type_in(dialog, text: str) -> None:  # one step per field typed (the words themselves are the call)
        nonlocal steps
        type_text(qtbot, dialog.focusWidget(), text)
        steps += 1

    def take_call(d: IntakeDialog) -> None:
        d.activateWindow()
        assert d.focusWidget() is d.window_box  # the first field has the focus
        key(d, Qt.Key.Key_Tab)
        key(d, Qt.Key.Key_3)  # 相談者種別: 3 ケアマネ (number keys pick)
        assert d.requester_type.currentData() == "ケアマネ" and d.window_box.currentData() == "多職種向け"
        assert d.received_at.text() and d.channel.currentData() == "電話"  # now, and 電話: nothing to type
        key(d, Qt.Key.Key_Tab, times=3)
        assert d.focusWidget() is d.requester_name
        type_in(d, "居宅 一郎")
        key(d, Qt.Key.Key_Return)  # Enter moves on too; it never saves half a call
        assert d.focusWidget() is d.requester_affiliation and d.saved is None and d.isVisible()
        type_in(d, "かまいし居宅介護支援事業所")
        key(d, Qt.Key.Key_Tab)
        type_in(d, "0193-22-1111")
        key(d, Qt.Key.Key_Tab)
        type_in(d, CANARY)
        key(d, Qt.Key.Key_Tab)
        type_in(d, "しけん はなこ")
        key(d, Qt.Key.Key_Tab, times=5)  # phone, age, municipality, care level (地区 waits for a 市町村): unknown
        assert d.focusWidget() is d.category_list.boxes[0]
        key(d, Qt.Key.Key_Right)
        key(d, Qt.Key.Key_Space)  # 退院調整
        key(d, Qt.Key.Key_Tab)
        type_in(d, "退院後に訪問診療と看取りをしてくれる医師を探している")
        key(d, Qt.Key.Key_Tab)
        type_in(d, "在宅看取りをする診療所を紹介")
        key(d, Qt.Key.Key_Tab)
        type_in(d, "15")
        key(d, Qt.Key.Key_Tab, times=3)
        assert d.focusWidget() is d.follow_up
        type_in(d, TODAY.strftime("%Y/%m/%d"))
        key(d, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter saves

    opened = dialogs.drive(IntakeDialog, take_call)
    qtbot.keyClick(desk, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # 受付 (Ctrl+N)
    steps += 1
    assert len(opened) == 1 and opened[0].saved is not None
    assert steps <= 35, steps  # 9 typed fields and ~24 keys: a call, not a form-filling session
    saved = opened[0].saved
    assert (saved.requester_type, saved.window, saved.categories, saved.minutes_spent) == (
        "ケアマネ", "多職種向け", ("退院調整",), 15)
    assert saved.handled_by == ctx.settings.get("user/name") and saved.follow_up_due == TODAY
    assert desk.current_id() == saved.id  # the new consultation is selected in the list
    assert mask_name(CANARY) in desk.detail_view.toPlainText() and CANARY not in desk.detail_view.toPlainText()

    def refer(d: ReferralDialog) -> None:
        click_checkbox(qtbot, d.capabilities.box("訪問診療"))
        click_checkbox(qtbot, d.capabilities.box("在宅看取り"))
        shown = [d.results.item(r, 0).text() for r in range(d.results.rowCount())]
        assert shown and all({"訪問診療", "在宅看取り"} <= set(d.results.item(r, 4).text().split("・"))
                              for r in range(d.results.rowCount()))
        d.pick(shown[0])
        assert d.picked_label.text() == shown[0]
        _click(qtbot, d, "okButton")

    referred = dialogs.drive(ReferralDialog, refer)
    desk.act_referral.trigger()
    assert len(referred) == 1 and len(referred[0].saved) == 1
    detail = ctx.services.consultations.get(saved.id)
    assert [r.resource_name for r in detail.referrals] == [referred[0].saved[0].resource_name]
    assert not detail.referrals[0].personal_shared
    # 今日の対応 lists it (due today), with the referral's status; the detail pane shows the referral.
    items = [desk.due_list.item(i) for i in range(desk.due_list.count())]
    mine = [i for i in items if i.data(Qt.ItemDataRole.UserRole) == saved.id]
    assert len(mine) == 1 and "今日" in mine[0].text() and "（紹介済）" in mine[0].text()
    assert "今日の対応（" in desk.due_heading.text()
    assert referred[0].saved[0].resource_name in desk.detail_view.toPlainText()


def test_intake_shows_errors_next_to_fields_and_keeps_the_input(ctx, qtbot):
    dialog = IntakeDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.received_at.setText("きのう")
    dialog.minutes.setText("十五分")
    type_text(qtbot, dialog.question, "入力した内容")
    dialog.save()
    assert dialog.saved is None and dialog.result() == 0
    assert dialog.error_labels["received_at"].text().startswith("受付日時を")
    assert "分の数" in dialog.error_labels["minutes"].text()
    assert dialog.question.toPlainText() == "入力した内容"
    # The service's own checks land next to their field too (a follow-up before the call).
    dialog.received_at.setText(NOW.strftime("%Y/%m/%d %H:%M"))
    dialog.minutes.setText("15")
    dialog.follow_up.setText((TODAY - dt.timedelta(days=5)).strftime("%Y/%m/%d"))
    dialog.save()
    assert dialog.saved is None and dialog.error_labels["follow_up_due"].text()
    assert not dialog.error_labels["received_at"].text() and dialog.summary_label.isVisible()
    _click(qtbot, dialog, "dueWeek")  # the quick buttons fill the follow-up date
    assert dialog.follow_up.text() == (dialog.now.date() + dt.timedelta(days=7)).strftime("%Y/%m/%d")
    # Citizens go to the 一般向け window unless the window was chosen by hand.
    choose(dialog.requester_type, "2 家族")
    assert dialog.window_box.currentData() == "一般向け"
    choose(dialog.requester_type, "5 病院MSW/連携室")
    assert dialog.window_box.currentData() == "多職種向け"


def test_open_edit_and_move_the_status(desk, ctx, qtbot, dialogs):
    municipality, district = _area(ctx, "大槌町", "大槌")
    row = _consultation(ctx, person_name=CANARY, person_reading="しけん はなこ", municipality_id=municipality,
                        district_id=district, category_ids=_ids(ctx, "退院調整", "認知症"), status="対応中",
                        follow_up_due=TODAY)
    desk.load(select=row.id)

    def edit(d: IntakeDialog) -> None:
        assert d.person_name.text() == CANARY and d.person_reading.text().replace(" ", "") == "しけんはなこ"
        assert (d.municipality.currentText(), d.district.currentText()) == ("大槌町", "大槌")
        assert d.category_list.checked() == _ids(ctx, "退院調整", "認知症")
        # An open consultation moves along the allowed steps only.
        assert [d.status.itemText(i) for i in range(d.status.count())] == ["対応中", "紹介済", "終了", "継続"]
        d.answer.setFocus()
        type_text(qtbot, d.answer, "地域包括支援センターを案内")
        _click(qtbot, d, "okButton")

    opened = dialogs.drive(IntakeDialog, edit)
    cell = desk.table.visualRect(desk.model.index(desk.model.row_of(row.id), 1)).center()
    qtbot.mouseClick(desk.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(desk.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert opened and opened[0].saved is not None and opened[0].saved.version > row.version
    assert "地域包括支援センターを案内" in desk.detail_view.toPlainText()
    menu = desk.context_menu()
    statuses = menu.findChild(QMenu, "statusMenu")
    assert [a.text() for a in statuses.actions()] == ["紹介済", "終了", "継続"]
    next(a for a in statuses.actions() if a.text() == "終了").trigger()
    assert desk.current_row().status == "終了"
    assert row.id not in [desk.due_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(desk.due_list.count())]


def test_record_a_contact_and_a_referral_outcome(desk, ctx, qtbot, dialogs):
    row = _consultation(ctx)
    resource = next(r for r in ctx.services.resources.list_rows() if r.category == "訪問看護ステーション")
    ctx.services.consultations.add_referral(row.id, resource.id, TODAY, "電話", share_personal=False)
    desk.load(select=row.id)

    def contact(d) -> None:
        d.text.setFocus()
        type_text(qtbot, d.text, "ケアマネへ折り返し")
        _click(qtbot, d, "okButton")

    from zaitaku_desktop.ui.consultations.contact_dialog import ContactDialog

    dialogs.drive(ContactDialog, contact)
    desk.act_contact.trigger()
    assert "[折り返し] ケアマネへ折り返し" in desk.detail_view.toPlainText()

    def outcome(d: ReferralDialog) -> None:
        d.tabs.setCurrentIndex(1)
        assert not d.ok_button.isVisible()
        assert d.referral_table.item(0, 1).text() == resource.name
        d.outcome.setFocus()
        type_text(qtbot, d.outcome, "受け入れ可、来週から訪問")
        _click(qtbot, d, "saveOutcome")
        assert d.referral_table.item(0, 4).text() == "受け入れ可、来週から訪問"
        _click(qtbot, d, "cancelButton")

    dialogs.drive(ReferralDialog, outcome)
    desk.act_referral.trigger()
    text = desk.detail_view.toPlainText()
    assert f"{resource.name}" in text and "→ 受け入れ可、来週から訪問" in text
    lines = [line for line in text.splitlines() if re.match(r"^\d{4}/\d\d/\d\d \d\d:\d\d\s\[", line)]
    assert len(lines) == 4 and lines == sorted(lines)  # 受付, 紹介, 紹介先の結果, 折り返し: the record, oldest first


def test_layout_is_remembered(qtbot, ctx):
    first = ConsultationTab(ctx, today=TODAY)
    qtbot.addWidget(first)
    first.table.horizontalHeader().resizeSection(4, 333)
    first.save_layout()
    second = ConsultationTab(ctx, today=TODAY)
    qtbot.addWidget(second)
    assert second.table.horizontalHeader().sectionSize(4) == 333


# --- masking and the access log ---------------------------------------------------------------------------

def test_names_are_masked_until_revealed_and_revealing_is_logged(desk, ctx, qtbot, qtmodeltester):
    row = _consultation(ctx, person_name=CANARY, person_reading="しけん はなこ")
    desk.load()
    qtmodeltester.check(desk.model)
    names = _table_texts(desk, 3)
    assert mask_name(CANARY) in names and CANARY not in names
    before = _accesses(ctx, "reveal")
    desk.act_reveal.trigger()
    assert CANARY in _table_texts(desk, 3)
    assert _accesses(ctx, "reveal") == before + 1
    desk.act_reveal.trigger()  # hiding again is free
    assert CANARY not in _table_texts(desk, 3)
    assert _accesses(ctx, "reveal") == before + 1
    # The list sorts by a clicked column (next follow-up first), and back.
    header = desk.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(6) + 10, header.height() // 2))
    assert header.sortIndicatorSection() == 6
    dues = [r.follow_up_due or dt.date.max for r in desk.model.rows]
    assert dues == sorted(dues, reverse=header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder)
    desk.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    received = [r.received_at for r in desk.model.rows]
    assert received == sorted(received, reverse=True)
    # Searching by name finds nothing while names are masked.
    desk.search.setText("しけん")
    assert desk.model.row_of(row.id) < 0
    desk.search.setText(row.case_no)
    assert desk.model.row_of(row.id) == 0
    desk.act_reveal.trigger()  # revealed, the name is searchable
    desk.search.setText("試験")
    assert [r.id for r in desk.model.rows] == [row.id]


def test_overdue_follow_ups_are_red_in_todays_list(desk, ctx):
    late = _consultation(ctx, received_at=NOW - dt.timedelta(days=10), follow_up_due=TODAY - dt.timedelta(days=3))
    later = _consultation(ctx, follow_up_due=TODAY + dt.timedelta(days=3))
    desk.load()
    items = {desk.due_list.item(i).data(Qt.ItemDataRole.UserRole): desk.due_list.item(i)
             for i in range(desk.due_list.count())}
    assert late.id in items and later.id not in items
    assert items[late.id].text().startswith("【期限切れ】")
    assert items[late.id].foreground().color() == QColor("#c62828")
    assert f"（{len(ctx.services.consultations.due(TODAY))}件" in desk.due_heading.text()
    choose(desk.status_filter, "終了")  # the filters: 終了 only …
    assert desk.model.rows and {r.status for r in desk.model.rows} == {"終了"}
    assert desk.count_label.text() == f"{len(desk.model.rows):,} 件 / {len(desk.model.all_rows):,} 件"
    desk.due_list.setCurrentItem(items[late.id])  # … and picking a case in 今日の対応 shows it again
    assert desk.current_id() == late.id and desk.status_filter.currentIndex() == 0
    choose(desk.window_filter, "一般向け")
    assert {r.window for r in desk.model.rows} == {"一般向け"} and desk.current_id() is None


# --- the duplicate check ----------------------------------------------------------------------------------

def test_duplicate_banner_attaches_the_new_consultation_to_the_earlier_case(desk, ctx, qtbot, dialogs):
    municipality, district = _area(ctx, "釜石市", "釜石")
    earlier = _consultation(ctx, person_name=CANARY, person_reading="しけん はなこ", municipality_id=municipality,
                            district_id=district)

    def take(d: IntakeDialog) -> None:
        choose(d.municipality, "釜石市")
        choose(d.district, "釜石")
        assert not d.banner.isVisible()
        d.person_reading.setFocus()
        type_text(qtbot, d.person_reading, "シケン ハナコ")  # katakana: the same reading
        qtbot.waitUntil(d.banner.isVisible)  # shown when typing pauses
        text = d.banner_text.text()
        assert text.startswith("以前の相談と同じ方かもしれません：") and earlier.case_no in text
        assert mask_name(CANARY) in text and CANARY not in text
        _click(qtbot, d, "attachCase")
        assert d.case_id == earlier.case_id
        _click(qtbot, d, "okButton")

    opened = dialogs.drive(IntakeDialog, take)
    desk.act_new.trigger()
    saved = opened[0].saved
    assert saved is not None and saved.case_id == earlier.case_id and saved.case_no == earlier.case_no
    assert "同じ方の相談：2件" in desk.detail_view.toPlainText()


# --- consent before sharing -------------------------------------------------------------------------------

def test_sharing_personal_details_asks_for_consent_first(desk, ctx, qtbot, dialogs):
    row = _consultation(ctx, person_name=CANARY)
    desk.load(select=row.id)
    assert "同意なし" in desk.detail_view.toPlainText()
    consent_answers = iter(["close", "grant"])

    def consent(d: ConsentDialog) -> None:
        assert "先に本人の同意を記録" in d.findChild(QLabel, "consentReason").text()
        if next(consent_answers) == "close":
            _click(qtbot, d, "cancelButton")
            return
        assert d.recipients.text()  # prefilled with the providers picked
        _click(qtbot, d, "recordConsent")

    consents = dialogs.drive(ConsentDialog, consent)

    def refer(d: ReferralDialog) -> None:
        d.search.setText("病院")
        d.pick(d.results.item(0, 0).text())
        click_checkbox(qtbot, d.share)
        _click(qtbot, d, "okButton")  # no consent: the consent form opens, closed without recording
        assert d.isVisible() and not d.saved
        assert any("同意が記録されていない" in t for t in ctx.messages.texts("warning"))
        assert not ctx.services.consultations.get(row.id).referrals
        _click(qtbot, d, "okButton")  # again: this time consent is recorded, then the referral is saved

    referred = dialogs.drive(ReferralDialog, refer)
    desk.act_referral.trigger()
    assert len(consents) == 2
    detail = ctx.services.consultations.get(row.id)
    assert [r.personal_shared for r in detail.referrals] == [True]
    assert referred[0].saved[0].personal_shared
    assert any(c.active for c in detail.consents)
    assert "同意あり" in desk.detail_view.toPlainText()
    assert _accesses(ctx, "consent") >= 1


def test_consent_withdrawal_stops_sharing(ctx, qtbot):
    row = _consultation(ctx, person_name=CANARY)
    service = ctx.services.consultations
    service.record_consent(row.case_id, granted=True, recipients="紹介先", purpose="連携", obtained_on=TODAY,
                           method="口頭")
    ctx.messages.answers.append(True)
    dialog = ConsentDialog(ctx, row.case_id, consents=service.get(row.id).consents)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "同意あり" in dialog.state_label.text()
    _click(qtbot, dialog, "withdrawConsent")
    assert dialog.changed and not service.shareable(row.id)
    assert "撤回済" in ConsentDialog(ctx, row.case_id, consents=service.get(row.id).consents).state_label.text()


# --- statistics and the issue board -------------------------------------------------------------------------

def test_stats_dialog_tables_and_chart_saved_as_png(ctx, qtbot, tmp_path):
    start = dt.date(TODAY.year if TODAY.month >= 4 else TODAY.year - 1, 4, 1)
    dialog = StatsDialog(ctx, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.resize(1100, 700)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.start.text() == start.strftime("%Y/%m/%d")  # this 年度 by default
    stats = ctx.services.consultations.stats(start, dt.date(start.year + 1, 3, 31))
    table = dialog.tables["category"]
    labels = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert labels == [*stats.by_category.row_labels, "計"]
    assert table.item(table.rowCount() - 1, table.columnCount() - 1).text() == str(
        sum(map(sum, stats.by_category.cells)))
    assert f"相談 {stats.total:,} 件" in dialog.total_label.text()
    dialog.tabs.setCurrentIndex(2)
    path = dialog.save_chart(tmp_path / "分類")
    assert path == tmp_path / "分類.png" and path.exists()
    image = QImage(str(path))
    assert not image.isNull() and image.width() > 300 and image.height() > 200
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 5  # a drawn chart, not an empty picture
    assert not list(tmp_path.glob(".*.tmp"))
    dialog.start.setText("いつか")
    dialog.refresh()
    assert dialog.period_error.isVisible()


def test_promote_a_recurring_theme_to_the_issue_board(ctx, qtbot):
    quarter_start = dt.date(TODAY.year, (TODAY.month - 1) // 3 * 3 + 1, 1)
    for i in range(5):
        _consultation(ctx, category_ids=_ids(ctx, "歯科・口腔"), person_name=f"{CANARY}{i}",
                      received_at=dt.datetime.combine(quarter_start, dt.time(10)) + dt.timedelta(hours=i))
    ctx.messages.shown.clear()
    dialog = PromoteDialog(ctx, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    row = next(i for i, t in enumerate(texts) if t.startswith("歯科・口腔"))
    dialog.list.setCurrentRow(row)
    assert dialog.title.text().startswith("歯科・口腔の相談が続いている")
    choose(dialog.layer, "一次連携（職種内の課題）")
    click_checkbox(qtbot, dialog.professions.findChild(QCheckBox, "profession_歯科医師"))
    _click(qtbot, dialog, "okButton")
    assert dialog.issue_id
    issue = ctx.services.issues.get(dialog.issue_id)
    assert issue.row.title == dialog.title.text() and issue.row.layer == "一次"
    assert issue.row.professions == ("歯科医師",)
    assert CANARY not in f"{issue.row.title} {issue.row.description} {issue.row.source_text}"
    assert any("課題ボード" in t for t in ctx.messages.texts("info"))


# --- the main window ---------------------------------------------------------------------------------------

def test_main_window_attaches_the_desk_and_says_what_is_due(qtbot, ctx):
    _consultation(ctx, follow_up_due=TODAY)
    window = open_window(qtbot, ctx)
    tab = window.consultations_tab
    assert window.tabs.widget(3) is tab
    due = len(ctx.services.consultations.due(dt.date.today()))
    assert window.statusBar().currentMessage() == f"今日の対応：{due}件"
    window.tabs.setCurrentWidget(tab)
    assert tab.act_new.isVisible() and not window.resources_tab.act_new.isVisible()
    assert tab.act_new.shortcut().toString() == "Ctrl+N"
    assert window.resources_tab.act_new.shortcut().isEmpty()
    assert tab.act_stats in window.menu_output.actions() and tab.act_new in window.menu_edit.actions()
    assert window.count_label.text().startswith("相談 ")
    window.tabs.setCurrentIndex(0)
    assert not tab.act_new.isVisible()
