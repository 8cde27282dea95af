"""出欠入力 (sign-in sheet grid and counts-only), 参加者の名寄せ and 期間の集計, driven as a user would."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from zaitaku_desktop import paths
from zaitaku_desktop.domain.meetings import MeetingInput
from zaitaku_desktop.services.meetings import CountEntry
from zaitaku_desktop.ui.meetings.attendance import (
    AFFILIATION, NAME, PROFESSION, ROLE, STATUS, WALK_IN, AttendanceDialog,
)
from zaitaku_desktop.ui.meetings.period_totals import PeriodTotalsDialog
from zaitaku_desktop.ui.meetings.persons import PersonsDialog

from ui_helpers import click_checkbox, replace_text, type_text

D = dt.date
TODAY = D(2026, 11, 22)
PHARMACY_MEETING = ("薬剤師会 打ち合わせ会（一次連携）", D(2025, 11, 12))  # the sample has 7 people on it
EMPTY_MEETING = ("栄養士会 打ち合わせ会（一次連携）", D(2025, 10, 8))  # the sample leaves it without anyone
SAMPLE = json.loads((paths.seed_dir() / "kamaishi_participants.json").read_text(encoding="utf-8"))
SAMPLE_PEOPLE = {p["key"]: p for p in SAMPLE["people"]}


def _sample_grid(title: str, day: dt.date) -> list[tuple[str, str, str, str, str, bool]]:
    """The sample participants file's entries for one meeting, as the grid shows them."""
    return [(SAMPLE_PEOPLE[key]["name"], SAMPLE_PEOPLE[key]["affiliation"], SAMPLE_PEOPLE[key]["profession"], role,
             status, bool(walk_in and walk_in[0]))
            for entry in SAMPLE["attendance"] if (entry["meeting"], entry["date"]) == (title, day.isoformat())
            for key, role, status, *walk_in in entry["entries"]]


def _summary_head(rows) -> str:
    return f"申込 {sum(r[4] != '欠席' for r in rows)}・出席 {sum(r[4] == '出席' for r in rows)}・"


def _breakdown(ctx, attended: Counter, extra: str = "") -> str:
    """「（薬剤師5、行政職員1）」: professions in the list's order, then counts-only labels."""
    order = [p.name for p in ctx.services.vocab.list("profession")]
    parts = [f"{k}{attended[k]}" for k in sorted(attended, key=order.index)] + ([extra] if extra else [])
    return "（" + "、".join(parts) + "）"


def _sample_person(ctx, name: str, affiliation: str):
    return next(p for p in ctx.services.meetings.list_persons() if (p.name, p.affiliation) == (name, affiliation))


def _meeting_id(ctx, title: str, day: dt.date) -> str:
    return next(r.id for r in ctx.services.meetings.period(day, day) if r.title == title)


def _prof(ctx, name: str) -> str:
    return next(p.id for p in ctx.services.vocab.list("profession") if p.name == name)


def _open(qtbot, ctx, meeting_id: str) -> AttendanceDialog:
    dialog = AttendanceDialog(ctx, meeting_id, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    return dialog


def _editor(dialog) -> QLineEdit:
    editor = dialog.table.indexWidget(dialog.table.currentIndex())
    assert isinstance(editor, QLineEdit), "no cell editor is open"
    return editor


def _key(qtbot, dialog, key) -> None:
    """Press a key where the keyboard goes: the open cell editor, or the grid."""
    qtbot.keyClick(dialog.table.indexWidget(dialog.table.currentIndex()) or dialog.table, key)


def _type_on(qtbot, table, text: str) -> None:
    """Type onto the current cell as a user does: the first key (or the input method's first word)
    opens the editor, the rest goes into it."""
    if table.indexWidget(table.currentIndex()) is None and text:
        first = text[:1] if text[:1].isascii() else text.split()[0]
        type_text(qtbot, table, first)
        text = text[len(first):]
    if text:
        editor = table.indexWidget(table.currentIndex())
        assert isinstance(editor, QLineEdit), "no cell editor is open"
        type_text(qtbot, editor, text)


def _type_cell(qtbot, dialog, text: str, key=Qt.Key.Key_Tab) -> None:
    _type_on(qtbot, dialog.table, text)
    _key(qtbot, dialog, key)


def _type_count(qtbot, table, row: int, col: int, text: str) -> None:
    table.setCurrentCell(row, col)
    _type_on(qtbot, table, text)
    qtbot.keyClick(table.indexWidget(table.currentIndex()), Qt.Key.Key_Return)


def _grid(dialog) -> list[tuple[str, str, str, str, str, bool]]:
    t = dialog.table
    return [(t.item(r, NAME).text(), t.item(r, AFFILIATION).text(), t.item(r, PROFESSION).text(),
             t.item(r, ROLE).text(), t.item(r, STATUS).text(), t.item(r, WALK_IN).checkState() == Qt.CheckState.Checked)
            for r in range(t.rowCount()) if not dialog.row_is_empty(r)]


def test_key_a_sign_in_sheet_with_the_keyboard_only_and_see_counts(qtbot, ctx):
    service = ctx.services.meetings
    known = _sample_person(ctx, "小笠原 健一", "はまなす内科クリニック")  # registered by the sample
    registered = len(service.list_persons())
    meeting_id = _meeting_id(ctx, *EMPTY_MEETING)
    assert _sample_grid(*EMPTY_MEETING) == [] and service.list_attendance(meeting_id) == []
    dialog = _open(qtbot, ctx, meeting_id)
    assert dialog.table.currentRow() == 0 and dialog.table.currentColumn() == NAME
    assert "申込 0・出席 0・人数のみ 0・合計 0人" in dialog.summary.text()

    # Row 1: a new person, profession by a short code, role and status left as they are (past meeting → 出席).
    _type_cell(qtbot, dialog, "吉田 真理子")
    _type_cell(qtbot, dialog, "只越なのはな薬局")
    _type_cell(qtbot, dialog, "薬")
    assert dialog.table.item(0, PROFESSION).text() == "薬剤師"
    _key(qtbot, dialog, Qt.Key.Key_Tab)  # 役割 stays 参加者
    _key(qtbot, dialog, Qt.Key.Key_Return)  # 出欠 stays 出席
    _key(qtbot, dialog, Qt.Key.Key_Tab)  # 当日参加 left unticked
    assert (dialog.table.currentRow(), dialog.table.currentColumn()) == (1, NAME)
    assert dialog.table.rowCount() == 2  # a new empty row appeared at the end

    # Row 2: picked from earlier entries by typing part of the reading; 所属 and 職種 are filled in.
    type_text(qtbot, _editor(dialog), "おがさ")
    popup = dialog.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    assert popup.model().index(0, 0).data() == "小笠原 健一（はまなす内科クリニック・医師）"
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert _editor(dialog).text() == "小笠原 健一"
    _key(qtbot, dialog, Qt.Key.Key_Return)
    assert dialog.table.item(1, AFFILIATION).text() == "はまなす内科クリニック"
    assert dialog.table.item(1, PROFESSION).text() == "医師"
    _key(qtbot, dialog, Qt.Key.Key_Tab)  # 所属 kept
    _key(qtbot, dialog, Qt.Key.Key_Tab)  # 職種 kept
    _type_cell(qtbot, dialog, "1")  # 役割 1 → 講師
    _type_cell(qtbot, dialog, "")  # 出欠 kept
    _key(qtbot, dialog, Qt.Key.Key_Return)

    # Row 3: a walk-in care manager, registered only (申込 by its reading's first letter).
    _type_cell(qtbot, dialog, "村上 恵理")
    _type_cell(qtbot, dialog, "しおさいケアプランセンター")
    _type_cell(qtbot, dialog, "ケア")
    _type_cell(qtbot, dialog, "")
    _type_cell(qtbot, dialog, "m")
    qtbot.keyClick(dialog.table, Qt.Key.Key_Space)
    assert _grid(dialog) == [
        ("吉田 真理子", "只越なのはな薬局", "薬剤師", "参加者", "出席", False),
        ("小笠原 健一", "はまなす内科クリニック", "医師", "講師", "出席", False),
        ("村上 恵理", "しおさいケアプランセンター", "介護支援専門員", "参加者", "申込", True),
    ]
    assert dialog.summary.text() == "申込 3・出席 2・人数のみ 0・合計 2人（医師1、薬剤師1）"

    qtbot.mouseClick(dialog.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)
    assert dialog.result() == AttendanceDialog.DialogCode.Accepted and ctx.messages.shown == []
    people = service.list_persons()
    assert len(people) == registered + 2  # the two new people; the picked person was not added again
    assert [p.id for p in people if p.name == "小笠原 健一"] == [known.id]
    assert {"吉田 真理子", "村上 恵理"} <= {p.name for p in people}
    assert {(t.profession, t.count) for t in service.meeting_totals(meeting_id)} == {("医師", 1), ("薬剤師", 1)}

    again = _open(qtbot, ctx, meeting_id)
    assert sorted(_grid(again)) == sorted(_grid(dialog))
    assert again.summary.text() == dialog.summary.text()


def test_delete_clears_a_row_and_saving_removes_the_entry(qtbot, ctx):
    service = ctx.services.meetings
    meeting_id = _meeting_id(ctx, *PHARMACY_MEETING)
    sample = _sample_grid(*PHARMACY_MEETING)
    assert ("高橋 誠", "大町中央薬局", "薬剤師", "参加者", "出席", False) in sample and len(sample) > 2
    dialog = _open(qtbot, ctx, meeting_id)
    # The sample meeting opens with the sample's people listed, the cursor on the empty row after them.
    assert sorted(_grid(dialog)) == sorted(sample)
    assert dialog.table.rowCount() == len(sample) + 1 and dialog.table.currentRow() == len(sample)
    attended = Counter(r[2] for r in sample if r[4] == "出席")
    assert dialog.summary.text() == (f"{_summary_head(sample)}人数のみ 0・合計 {sum(attended.values())}人"
                                     + _breakdown(ctx, attended))
    row = next(r for r in range(dialog.table.rowCount()) if dialog.table.item(r, NAME).text() == "高橋 誠")
    dialog.table.setCurrentCell(row, AFFILIATION)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    left = [g for g in sample if g[0] != "高橋 誠"]
    assert sorted(_grid(dialog)) == sorted(left)
    assert dialog.summary.text().startswith(_summary_head(left))
    qtbot.mouseClick(dialog.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)
    assert sorted(x.name for x in service.list_attendance(meeting_id)) == sorted(g[0] for g in left)
    assert "高橋 誠" in {p.name for p in service.list_persons()}  # the person stays in the registry


def test_unknown_profession_code_is_shown_on_the_cell_and_nothing_is_lost(qtbot, ctx):
    meeting_id = _meeting_id(ctx, *EMPTY_MEETING)
    dialog = _open(qtbot, ctx, meeting_id)
    _type_cell(qtbot, dialog, "工藤 悠斗")
    _type_cell(qtbot, dialog, "中妻ひまわり薬局")
    _type_cell(qtbot, dialog, "XYZ")
    cell = dialog.table.item(0, PROFESSION)
    assert cell.text() == "XYZ" and "「XYZ」が一覧にありません" in cell.toolTip()
    assert "1行目：職種「XYZ」が一覧にありません" in dialog.grid_message.text()
    dialog.table.setCurrentCell(0, PROFESSION)
    _type_cell(qtbot, dialog, "介護")  # two professions start with 介護: candidates are named
    assert "複数あてはまります（介護支援専門員・介護福祉士）" in dialog.table.item(0, PROFESSION).toolTip()
    qtbot.mouseClick(dialog.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and ctx.messages.texts("warning")
    assert "1行目：職種「介護」は複数あてはまります" in ctx.messages.texts("warning")[0]
    assert ctx.services.meetings.list_attendance(meeting_id) == []
    assert _grid(dialog)[0][:3] == ("工藤 悠斗", "中妻ひまわり薬局", "介護")  # everything typed is still there
    dialog.table.setCurrentCell(0, PROFESSION)
    _type_cell(qtbot, dialog, "Ph")
    assert dialog.table.item(0, PROFESSION).text() == "薬剤師" and dialog.grid_message.text() == ""
    qtbot.mouseClick(dialog.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)
    assert [(a.name, a.profession) for a in ctx.services.meetings.list_attendance(meeting_id)] == [("工藤 悠斗", "薬剤師")]


def test_counts_only_87_pharmacists_24_and_others_63(qtbot, ctx):
    meeting_id = _meeting_id(ctx, *PHARMACY_MEETING)
    sample = _sample_grid(*PHARMACY_MEETING)  # named sample attendees come on top of the counts
    named = Counter(r[2] for r in sample if r[4] == "出席")
    assert named["薬剤師"] > 0 and "他職種" not in named
    dialog = _open(qtbot, ctx, meeting_id)
    dialog.tabs.setCurrentIndex(1)
    table = dialog.counts_table
    labels = [table.item(r, 0).text() for r in range(table.rowCount())]
    _type_count(qtbot, table, labels.index("薬剤師"), 1, "24")
    assert (table.currentRow(), table.currentColumn()) == (labels.index("薬剤師") + 1, 1)  # Enter moved down
    _type_count(qtbot, table, table.rowCount() - 1, 0, "他職種")
    type_text(qtbot, table.indexWidget(table.currentIndex()), "6３")  # Enter went on to its count
    qtbot.keyClick(table.indexWidget(table.currentIndex()), Qt.Key.Key_Return)
    assert dialog.counts_total.text() == "人数のみ 合計 87人"
    both = named + Counter({"薬剤師": 24})
    assert dialog.summary.text() == (f"{_summary_head(sample)}人数のみ 87・合計 {87 + named.total()}人"
                                     + _breakdown(ctx, both, "他職種63"))
    assert table.rowCount() == len(labels) + 1  # a fresh label row appeared
    qtbot.mouseClick(dialog.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)
    service = ctx.services.meetings
    assert {(t.profession, t.count) for t in service.meeting_totals(meeting_id)} == {*both.items(), ("他職種", 63)}
    assert service.period(D(2025, 11, 12), D(2025, 11, 12))[0].attended == 87 + named.total()
    again = _open(qtbot, ctx, meeting_id)
    assert again.counts_total.text() == "人数のみ 合計 87人"


def test_bad_count_is_refused_with_a_message(qtbot, ctx):
    meeting_id = _meeting_id(ctx, *PHARMACY_MEETING)
    dialog = _open(qtbot, ctx, meeting_id)
    table = dialog.counts_table
    table.item(0, 1).setText("たくさん")
    assert "人数「たくさん」は0以上の整数で入力してください" in dialog.counts_message.text()
    qtbot.mouseClick(dialog.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "たくさん" in ctx.messages.texts("warning")[0]
    assert table.item(0, 1).text() == "たくさん"


def test_future_meeting_defaults_to_registered_and_closing_unsaved_asks(qtbot, ctx):
    future = ctx.services.meetings.create(MeetingInput(title="市民公開講座", type_id=None, date=D(2026, 12, 5)))
    dialog = _open(qtbot, ctx, future.id)
    _type_cell(qtbot, dialog, "東 健太郎")
    assert dialog.table.item(0, STATUS).text() == "申込"
    ctx.messages.answers = [False]
    dialog.reject()
    assert dialog.isVisible() and "保存していない入力があります" in ctx.messages.texts("confirm")[0]
    ctx.messages.answers = [True]
    dialog.reject()
    assert not dialog.isVisible()


def test_persons_dialog_finds_duplicates_edits_and_merges(qtbot, ctx):
    service = ctx.services.meetings
    meeting_id = _meeting_id(ctx, *EMPTY_MEETING)
    # The sample registers its people, with one pair for practising (佐々木 美穂 at two ways of writing her pharmacy).
    sample_people = len(SAMPLE["people"])
    assert len(service.list_persons()) == sample_people
    keep = service.add_person("村上 恵理", reading="むらかみ えり", affiliation="只越こもれび薬局",
                              profession_id=_prof(ctx, "薬剤師"))
    dup = service.add_person("村上恵理", affiliation="こもれび薬局")
    other = service.add_person("高田 修", reading="たかだ おさむ", affiliation="大町中央薬局")
    service.set_attendance(meeting_id, dup.id, status="出席")
    dialog = PersonsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.table.rowCount() == sample_people + 3
    type_text(qtbot, dialog.search, "たかだ")
    assert [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())] == ["高田 修"]
    # Correct a person: an empty name is refused under the field, nothing saved.
    dialog.name.clear()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.findChild(QLabel, "error_name").text() == "氏名を入力してください"
    type_text(qtbot, dialog.name, "高田 修一")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert {p.id: p.name for p in service.list_persons()}[other.id] == "高田 修一"

    dialog.search.clear()
    click_checkbox(qtbot, dialog.duplicates_only)
    assert sorted(dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())) == [
        "こもれび薬局", "なのはな薬局", "只越こもれび薬局", "只越なのはな薬局"]  # ours and the sample's pair
    dialog.select(keep.id)
    assert dialog.merge_combo.currentText() == "【重複の候補】村上恵理（こもれび薬局）"
    ctx.messages.answers = [False]
    qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    question = ctx.messages.texts("confirm")[0]
    assert "「村上恵理（こもれび薬局）」を「村上 恵理（只越こもれび薬局・薬剤師）」に統合します" in question
    assert "元に戻せません" in question and len(service.list_persons()) == sample_people + 3  # declined: unchanged
    ctx.messages.answers = [True]
    qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    assert [p.id for p in service.list_persons() if p.name.startswith("村上")] == [keep.id]
    assert [a.person_id for a in service.list_attendance(meeting_id)] == [keep.id]
    # Only the sample's own pair is left to look at.
    assert sorted(dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())) == [
        "なのはな薬局", "只越なのはな薬局"]
    assert "重複の候補 2人" in dialog.count_label.text()


def test_period_totals_this_fiscal_year_by_layer(qtbot, ctx):
    service = ctx.services.meetings
    meeting_id = _meeting_id(ctx, *EMPTY_MEETING)
    person = service.add_person("工藤 悠斗", affiliation="中妻ひまわり薬局", profession_id=_prof(ctx, "薬剤師"))
    service.set_attendance(meeting_id, person.id, status="出席")
    # The sample's own pharmacists who attended a 一次 meeting of the fiscal year count too.
    layer = {(r.title, r.date): r.layer for r in service.period(D(2025, 4, 1), D(2026, 3, 31))}
    sample_pharmacists = sum(1 for (title, day), kind in layer.items() if kind == "一次"
                             for g in _sample_grid(title, day) if g[2] == "薬剤師" and g[4] == "出席")
    assert sample_pharmacists > 0
    service.set_counts(meeting_id, [CountEntry(None, 3, "他職種")])
    dialog = PeriodTotalsDialog(ctx, today=D(2025, 12, 1))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.start_edit.text() == "令和7年4月1日" and dialog.end_edit.text() == "令和8年3月31日"
    expected = {(t.profession, t.count) for t in service.period_totals(D(2025, 4, 1), D(2026, 3, 31))}
    assert expected >= {("薬剤師", 1 + sample_pharmacists), ("他職種", 3)}
    for label, count in expected:
        assert dialog.cell(label, "合計") == str(count)
    assert dialog.cell("薬剤師", "一次") == str(1 + sample_pharmacists)
    held = sum(1 for r in service.period(D(2025, 4, 1), D(2026, 3, 31)) if r.status == "開催済")
    assert dialog.cell("開催回数（開催済）", "合計") == str(held) and held > 5
    assert f"開催済 {held}回" in dialog.headline.text()
    # Another period typed by hand; a bad date is refused plainly.
    # March 2015 holds the 87名 lecture (counts only) and no sample participant.
    assert not any(e["date"].startswith("2015-03") and e["entries"] for e in SAMPLE["attendance"])
    replace_text(qtbot, dialog.start_edit, "2015/03/01")
    replace_text(qtbot, dialog.end_edit, "2015/03/31")
    qtbot.mouseClick(dialog.findChild(QPushButton, "runButton"), Qt.MouseButton.LeftButton)
    assert dialog.cell("薬剤師", "合計") == "24" and dialog.cell("他職種", "合計") == "63"
    assert dialog.cell("参加者 合計", "合計") == "87"
    replace_text(qtbot, dialog.end_edit, "3月のおわり")
    qtbot.keyClick(dialog.end_edit, Qt.Key.Key_Return)
    assert dialog.error.isVisible() and dialog.error.text().startswith("終了日：")
    assert dialog.cell("参加者 合計", "合計") == "87"  # the last figures stay on screen
