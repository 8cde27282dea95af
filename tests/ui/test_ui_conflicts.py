"""Two users editing the same record, in the window: the form is open, a colleague (a second Services on the
same database file) saves the record behind its back, the user types and saves; the conflict dialog shows
the colleague's value beside the typed one, and each of its three choices does what it says."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from zaitaku_desktop.domain.errors import ConflictError
from zaitaku_desktop.domain.meetings import MeetingInput
from zaitaku_desktop.services import open_services
from zaitaku_desktop.services.consultations import ConsultationInput
from zaitaku_desktop.services.issues import input_from_row as issue_input
from zaitaku_desktop.services.resources import input_from_row as resource_input
from zaitaku_desktop.ui.conflict_dialog import ConflictDialog, display_value, who_and_when
from zaitaku_desktop.ui.consultations.intake_form import IntakeDialog
from zaitaku_desktop.ui.issues.issue_form import IssueDialog
from zaitaku_desktop.ui.meetings.meeting_form import MeetingDialog
from zaitaku_desktop.ui.resources.form import ResourceDialog

from ui_helpers import replace_text, visible_names

NAME = "はまなす内科クリニック"
OLD_PHONE, THEIR_PHONE, MY_PHONE = "0193-23-8814", "0193-23-7777", "0193-23-9999"


@pytest.fixture
def sato(sample_db_path):
    """The colleague at the other desk: the same database, another Services."""
    other = open_services(sample_db_path, user="佐藤")
    other.set_user("佐藤")
    yield other
    other.close()


def _click(qtbot, dialog, name: str) -> None:
    qtbot.mouseClick(dialog.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def _open_editor(qtbot, tab, name: str) -> None:
    row = visible_names(tab).index(name)
    rect = tab.table.visualRect(tab.table.model().index(row, 0))
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _record(tab, name: str = NAME):
    return next(r for r in tab.model.visible_rows() if r.name == name)


def _edit_behind_the_back(qtbot, sato, record, dialog) -> None:
    """佐藤 changes the phone and the notes while the form is open; the user types another phone and saves."""
    current = sato.resources.get(record.id)
    sato.resources.update(record.id, dataclasses.replace(resource_input(current), phone=THEIR_PHONE,
                                                         notes="夜間は携帯へ"), expected_version=current.row.version)
    replace_text(qtbot, dialog.phone, MY_PHONE)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def _expected_headline(services, record_id: str) -> str:
    newest = next(h for h in services.resources.history(record_id) if h.changed_by == "佐藤")
    return f"この記録は、あなたが編集している間にほかの人（{who_and_when('佐藤', newest.changed_at)}）が変更しました。"


def test_overwrite_saves_the_typed_input_on_top_of_the_other_change(qtbot, tab, dialogs, ctx, sato):
    record = _record(tab)
    assert record.phone == OLD_PHONE
    seen = {}

    def conflict(dialog):
        seen["headline"] = dialog.headline.text()
        seen["rows"] = dialog.rows()
        _click(qtbot, dialog, "overwriteMine")

    conflicts = dialogs.drive(ConflictDialog, conflict)
    forms = dialogs.drive(ResourceDialog, lambda d: _edit_behind_the_back(qtbot, sato, record, d))
    _open_editor(qtbot, tab, NAME)
    assert len(conflicts) == 1 and len(forms) == 1
    assert seen["headline"] == _expected_headline(ctx.services, record.id)
    assert seen["rows"] == [("電話番号", THEIR_PHONE, MY_PHONE), ("備考", "夜間は携帯へ", "（空欄）")]
    assert forms[0].result() == ResourceDialog.DialogCode.Accepted.value
    stored = ctx.services.resources.get(record.id).row
    assert (stored.phone, stored.notes) == (MY_PHONE, "")  # the user saw both and chose theirs away
    assert tab.current_row().phone == MY_PHONE
    assert [h.changed_by for h in ctx.services.resources.history(record.id)[:2]] == ["tester", "佐藤"]


def test_load_theirs_refills_the_form_and_a_later_save_is_not_refused(qtbot, tab, dialogs, ctx, sato):
    record = _record(tab)
    seen = {}
    dialogs.drive(ConflictDialog, lambda d: _click(qtbot, d, "loadTheirs"))

    def edit(dialog):
        replace_text(qtbot, dialog.address, "岩手県釜石市只越町9-9")
        _edit_behind_the_back(qtbot, sato, record, dialog)
        seen["open"] = dialog.isVisible()
        seen["fields"] = (dialog.phone.text(), dialog.notes.toPlainText(), dialog.address.text())
        replace_text(qtbot, dialog.fax, "0193-23-0001")  # carry on from the stored record
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    forms = dialogs.drive(ResourceDialog, edit)
    _open_editor(qtbot, tab, NAME)
    assert seen["open"] is True
    assert seen["fields"] == (THEIR_PHONE, "夜間は携帯へ", record.address)
    assert forms[0].result() == ResourceDialog.DialogCode.Accepted.value
    stored = ctx.services.resources.get(record.id).row
    assert (stored.phone, stored.notes, stored.fax, stored.address) == (
        THEIR_PHONE, "夜間は携帯へ", "0193-23-0001", record.address)
    assert ctx.messages.shown == []


def test_cancel_keeps_the_typed_input_and_saves_nothing(qtbot, tab, dialogs, ctx, sato):
    record = _record(tab)
    seen = {}
    conflicts = dialogs.drive(ConflictDialog, lambda d: _click(qtbot, d, "keepEditing"))

    def edit(dialog):
        _edit_behind_the_back(qtbot, sato, record, dialog)
        seen["open"] = dialog.isVisible()
        seen["phone"] = dialog.phone.text()

    dialogs.drive(ResourceDialog, edit)
    _open_editor(qtbot, tab, NAME)
    assert len(conflicts) == 1
    assert seen == {"open": True, "phone": MY_PHONE}
    stored = ctx.services.resources.get(record.id).row
    assert (stored.phone, stored.notes) == (THEIR_PHONE, "夜間は携帯へ")
    assert ctx.messages.shown == []


def test_a_third_save_in_between_asks_again(qtbot, tab, dialogs, ctx, sato):
    """Overwriting is itself checked: if the colleague saved once more meanwhile, the dialog comes back."""
    record = _record(tab)
    headlines = []

    def conflict(dialog):
        headlines.append(dialog.rows())
        if len(headlines) == 1:  # 佐藤 saves again while the user reads the dialog
            current = sato.resources.get(record.id)
            sato.resources.update(record.id, dataclasses.replace(resource_input(current), fax="0193-23-5555"),
                                  expected_version=current.row.version)
        _click(qtbot, dialog, "overwriteMine")

    dialogs.drive(ConflictDialog, conflict)
    dialogs.drive(ResourceDialog, lambda d: _edit_behind_the_back(qtbot, sato, record, d))
    _open_editor(qtbot, tab, NAME)
    assert headlines[1] == [("FAX番号", "0193-23-5555", record.fax or "（空欄）")]
    assert ctx.services.resources.get(record.id).row.phone == MY_PHONE


def test_issue_form_shows_the_conflict_and_keeps_the_input(qtbot, ctx, dialogs, sato):
    row = next(r for r in ctx.services.issues.list_rows() if not r.archived)
    detail = ctx.services.issues.get(row.id)
    seen = {}

    def conflict(dialog):
        seen["rows"] = dialog.rows()
        _click(qtbot, dialog, "keepEditing")

    dialogs.drive(ConflictDialog, conflict)
    form = IssueDialog(ctx, ctx.services.vocab.all(), detail=detail)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    theirs = sato.issues.get(row.id).row
    sato.issues.update(row.id, dataclasses.replace(issue_input(theirs), owner="佐藤 次郎"),
                       expected_version=theirs.version)
    replace_text(qtbot, form.title, "題名を書き直した")
    qtbot.mouseClick(form.findChild(QPushButton, "saveButton"), Qt.MouseButton.LeftButton)
    assert seen["rows"] == [("担当", "佐藤 次郎", display_value(row.owner))]
    assert form.isVisible() and form.title.text() == "題名を書き直した"
    assert ctx.services.issues.get(row.id).row.title == row.title


def _shown(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_meeting_form_overwrites_on_request(qtbot, ctx, dialogs, sato):
    base = MeetingInput(title="薬剤師会との打ち合わせ会", type_id=None, date=dt.date(2026, 12, 4), start_time="14:00")
    mid = ctx.services.meetings.create(base).id
    seen = {}

    def conflict(dialog):
        seen["rows"] = dialog.rows()
        _click(qtbot, dialog, "overwriteMine")

    dialogs.drive(ConflictDialog, conflict)
    form = _shown(qtbot, MeetingDialog(ctx, detail=ctx.services.meetings.get(mid)))
    sato.meetings.update(mid, dataclasses.replace(base, start_time="15:00"),
                         expected_version=sato.meetings.get(mid).row.version)
    replace_text(qtbot, form.title, "薬剤師会との打ち合わせ会（第2回）")
    _click(qtbot, form, "okButton")
    assert seen["rows"] == [("開始時刻", "15:00", "14:00")]
    assert form.result() == MeetingDialog.DialogCode.Accepted.value
    stored = ctx.services.meetings.get(mid).row
    assert (stored.title, stored.start_time) == ("薬剤師会との打ち合わせ会（第2回）", "14:00")


def test_intake_form_loads_the_other_change(qtbot, ctx, dialogs, sato):
    category = ctx.services.consultations.list_categories()[0].id
    data = ConsultationInput(window="一般向け", received_at=dt.datetime(2026, 11, 2, 10, 0), channel="電話",
                             requester_type="家族", category_ids=[category], question="往診してくれる医師を探している",
                             handled_by="相談員A")
    cid = ctx.services.consultations.create(data).id
    dialogs.drive(ConflictDialog, lambda d: _click(qtbot, d, "loadTheirs"))
    form = _shown(qtbot, IntakeDialog(ctx, detail=ctx.services.consultations.get(cid)))
    sato.consultations.update(cid, dataclasses.replace(data, answer="在宅療養支援診療所を紹介"),
                              expected_version=sato.consultations.get(cid).row.version)
    replace_text(qtbot, form.handled_by, "相談員B")
    _click(qtbot, form, "okButton")
    assert form.isVisible()
    assert (form.answer.toPlainText(), form.handled_by.text()) == ("在宅療養支援診療所を紹介", "相談員A")
    _click(qtbot, form, "okButton")  # saved again from the stored version: no second refusal
    assert form.result() == IntakeDialog.DialogCode.Accepted.value
    assert ctx.services.consultations.get(cid).answer == "在宅療養支援診療所を紹介"


def test_a_bare_conflict_cannot_be_overwritten_blindly(qtbot):
    dialog = ConflictDialog.for_error(ConflictError("変更されています"))
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 0
    assert not dialog.buttons["mine"].isEnabled() and dialog.buttons["theirs"].isEnabled()
    assert dialog.headline.text() == "この記録は、あなたが編集している間にほかの人が変更しました。"


def test_values_are_shown_as_a_person_reads_them():
    assert [display_value(v) for v in (None, "", ["訪問診療", "往診"], "2026-11-22", {"胃ろう": "○"}, True)] == [
        "（空欄）", "（空欄）", "訪問診療、往診", "2026/11/22", "胃ろう：○", "はい"]


def test_who_and_when_is_in_japan_time_whatever_the_computers_zone():
    import datetime as dt

    stored = dt.datetime(2026, 11, 22, 5, 5)  # UTC, as the change history keeps it
    assert who_and_when("山田", stored, now=dt.datetime(2026, 11, 22, 20, 0)) == "山田・14:05"
    assert who_and_when("山田", stored, now=dt.datetime(2026, 11, 23, 9, 0)) == "山田・11/22 14:05"
    aware = dt.datetime(2026, 11, 21, 16, 30, tzinfo=dt.timezone.utc)  # 01:30 the next day in Japan
    assert who_and_when("", aware, now=dt.datetime(2026, 11, 22, 8, 0)) == "01:30"
