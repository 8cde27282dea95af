"""The resource tab's handouts, driven as a user would: the booklet dialog, the one-click emergency
sheet, the update forms with their FAX-back address, keying in a returned form, the 未回答 list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QFileDialog, QPushButton

from pdf_tools import page_count, pdf_text, requires_poppler, squeeze
from zaitaku_desktop.services.directory import CONFIRM_SOURCE, directory_service
from zaitaku_desktop.ui.resources import handouts
from zaitaku_desktop.ui.resources.handouts import (ConfirmReturnedDialog, DirectoryDialog, UnansweredDialog,
                                                   UpdateFormDialog, add_handout_actions)

from ui_helpers import choose, click_checkbox, replace_text, type_text

pytestmark = requires_poppler


@pytest.fixture
def actions(tab):
    return add_handout_actions(tab)


def _ok(qtbot, dialog, name: str) -> None:
    """Click the dialog's push button called ``name``."""
    button = dialog.findChild(QPushButton, name)
    assert button is not None, name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_actions_are_created_on_the_tab(tab, actions):
    assert [a.objectName() for a in actions] == ["actDirectoryPdf", "actEmergencyPdf", "actUpdateFormsPdf",
                                                 "actConfirmReturned", "actUnansweredForms"]
    assert tab.act_emergency in tab.actions()
    assert all(a.text() and a.statusTip() for a in actions)


def test_emergency_is_one_click_with_a_dated_name_in_documents(tab, actions, ctx, monkeypatch, tmp_path):
    asked: list[str] = []
    target = tmp_path / "chosen"

    def fake_save(parent, title, start, file_filter):
        asked.append(start)
        return str(target), file_filter  # the user typed a name without .pdf

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake_save))
    tab.act_emergency.trigger()
    assert Path(asked[0]).name == f"災害時連絡先一覧_{dt.date.today():%Y%m%d}.pdf"
    assert Path(asked[0]).parent == handouts.documents_dir()
    out = target.with_suffix(".pdf")
    assert out.is_file() and 1 <= page_count(out) <= 2
    assert "災害時連絡先一覧" in squeeze(pdf_text(out))
    assert any("災害時連絡先一覧" in t and "作りました" in t for t in ctx.messages.texts("confirm"))


def test_cancelling_the_save_dialog_writes_nothing(tab, actions, ctx, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: ("", "")))
    tab.act_emergency.trigger()
    assert ctx.messages.shown == []


def test_directory_for_one_town_and_category(qtbot, tab, ctx, dialogs, tmp_path):
    rows = [r for r in ctx.services.resources.list_rows() if not r.archived]
    out = tmp_path / "booklet.pdf"

    def fill(dialog: DirectoryDialog) -> None:
        choose(dialog.area, "大槌町")
        click_checkbox(qtbot, dialog.findChild(QCheckBox, "handoutCategory_病院"))
        replace_text(qtbot, dialog.publisher, "大槌町在宅医療連携拠点")
        _ok(qtbot, dialog, "handoutOk")

    dialogs.drive(DirectoryDialog, fill)
    handouts.print_directory(ctx, tab, path=out)
    text = pdf_text(out)
    expected = [r.name for r in rows if r.municipality == "大槌町" and r.category == "病院"]
    others = [r.name for r in rows if r.category == "病院" and r.municipality != "大槌町"]
    assert expected and others
    assert all(squeeze(n) in squeeze(text) for n in expected)
    assert not any(squeeze(n) in squeeze(text) for n in others)
    assert "大槌町在宅医療連携拠点" in squeeze(text) and "大槌町・病院" in squeeze(text)


def test_update_forms_need_a_fax_number_then_record_the_sending(qtbot, tab, ctx, dialogs, tmp_path):
    out = tmp_path / "forms.pdf"
    seen: list[str] = []

    def fill(dialog: UpdateFormDialog) -> None:
        click_checkbox(qtbot, next(b for b in dialog.categories.values() if b.text() == "訪問看護ステーション"))
        _ok(qtbot, dialog, "handoutOk")
        assert dialog.isVisible()
        seen.append(dialog.errors["hub_fax"].text())
        type_text(qtbot, dialog.hub_fax, "0193-22-9999")
        type_text(qtbot, dialog.reply_by, "来週")
        _ok(qtbot, dialog, "handoutOk")
        assert dialog.isVisible()
        seen.append(dialog.errors["reply_by"].text())
        replace_text(qtbot, dialog.reply_by, "令和8年12月25日")
        _ok(qtbot, dialog, "handoutOk")

    dialogs.drive(UpdateFormDialog, fill)
    handouts.print_update_forms(ctx, tab, path=out)
    assert seen[0] == "返送先のFAX番号を入れてください。" and "2026/12/25" in seen[1]
    stations = [r for r in ctx.services.resources.list_rows() if not r.archived and r.category == "訪問看護ステーション"]
    assert page_count(out) == len(stations) >= 2
    page = squeeze(pdf_text(out, page=1))
    assert "FAX送信先：0193-22-9999" in page and "令和8年12月25日（金）までに" in page
    pending = directory_service(ctx.services).unanswered()
    assert sorted(p.name for p in pending) == sorted(r.name for r in stations)


def test_keying_in_a_returned_form_marks_the_row_confirmed(qtbot, tab, actions, ctx, dialogs):
    row = next(r for r in ctx.services.resources.list_rows() if not r.archived and r.confirmed_source != CONFIRM_SOURCE)
    assert tab.select_id(row.id)
    errors: list[str] = []

    def fill(dialog: ConfirmReturnedDialog) -> None:
        replace_text(qtbot, dialog.returned_on, "2026/13/45")
        _ok(qtbot, dialog, "confirmReturnedOk")
        errors.append(dialog.errors["returned_on"].text())
        assert dialog.isVisible()
        _ok(qtbot, dialog, "returnedToday")
        _ok(qtbot, dialog, "confirmReturnedOk")

    dialogs.drive(ConfirmReturnedDialog, fill)
    tab.act_confirm_returned.trigger()
    assert errors and "2026/12/05" in errors[0]
    after = ctx.services.resources.get(row.id).row
    assert (after.last_confirmed, after.confirmed_source) == (dt.date.today(), CONFIRM_SOURCE)
    assert tab.current_row() is not None and tab.current_row().last_confirmed == dt.date.today()


def test_confirm_without_a_selection_says_what_to_do(tab, actions, ctx):
    tab.table.clearSelection()
    tab.act_confirm_returned.trigger()
    assert ctx.messages.texts("info") == ["返送された確認票の事業所を一覧から選んでください。"]


def test_unanswered_list_and_confirming_from_it(qtbot, tab, actions, ctx, dialogs, tmp_path):
    directory = directory_service(ctx.services)
    hospital = directory.find("category", "病院")
    directory.update_forms_pdf(tmp_path / "f.pdf", category_ids=[hospital.id], hub_fax="0193-22-9999",
                               issued_on=dt.date.today() - dt.timedelta(days=7))
    count = len(directory.unanswered())
    seen: dict[str, object] = {}

    def confirm(dialog: ConfirmReturnedDialog) -> None:
        _ok(qtbot, dialog, "confirmReturnedOk")

    def look(dialog: UnansweredDialog) -> None:
        seen["rows"] = dialog.table.rowCount()
        seen["summary"] = dialog.summary.text()
        seen["first"] = dialog.table.item(0, 2).text()
        dialogs.drive(ConfirmReturnedDialog, confirm)
        dialog.table.selectRow(0)
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
        seen["after"] = dialog.table.rowCount()

    dialogs.drive(UnansweredDialog, look)
    tab.act_unanswered.trigger()
    assert seen["rows"] == count >= 2
    assert f"{count:,} 件" in seen["summary"]
    assert seen["after"] == count - 1
    confirmed = ctx.services.resources.list_rows()
    assert any(r.name == seen["first"] and r.confirmed_source == CONFIRM_SOURCE for r in confirmed)


def test_the_history_names_the_sending(ctx, tmp_path):
    from zaitaku_desktop.ui.resources.history import ACTIONS, describe

    directory = directory_service(ctx.services)
    clinic = directory.find("category", "歯科診療所")
    directory.update_forms_pdf(tmp_path / "f.pdf", category_ids=[clinic.id], hub_fax="0193-22-9999",
                               issued_on=dt.date(2026, 11, 20))
    rid = directory.unanswered()[0].resource_id
    entry = ctx.services.resources.history(rid)[0]
    assert ACTIONS[entry.action] == "確認票の送付"
    assert describe(entry) == "確認票の送付日：（空欄） → 2026-11-20"
