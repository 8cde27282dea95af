"""The resource form: inline validation, faithful saving, editing, history."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from zaitaku_desktop.ui.resources.form import ResourceDialog
from zaitaku_desktop.ui.resources.history import HistoryDialog

from ui_helpers import choose, click_checkbox, edit_cell, replace_text, type_text, visible_names

AMBER = "#9a6700"
RED = "#c62828"


@pytest.fixture
def vocab(sample_services):
    return sample_services.vocab.all()


@pytest.fixture
def form(qtbot, ctx, vocab):
    dialog = ResourceDialog(ctx, vocab)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _error(dialog, field: str):
    label = dialog.error_labels[field]
    return label if label.isVisible() else None


def _click_save(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def _fill_required(qtbot, dialog, name: str, category: str = "訪問看護ステーション") -> None:
    replace_text(qtbot, dialog.name, name)
    choose(dialog.category, category)


# --- validation -----------------------------------------------------------------------------------

def test_empty_form_stays_open_with_errors(qtbot, form, ctx):
    # Nothing is shouted before the user tries to save.
    assert all(not label.isVisible() for label in form.error_labels.values())
    _click_save(qtbot, form)
    assert form.isVisible()
    assert form.result() != ResourceDialog.DialogCode.Accepted.value
    assert form.saved is None
    name_error, category_error = _error(form, "name"), _error(form, "category_id")
    assert name_error is not None and name_error.text() == "名称を入力してください"
    assert category_error is not None and category_error.text() == "種別を選んでください"
    assert RED in name_error.styleSheet()
    assert form.summary_label.isVisible()
    assert "保存できません" in form.summary_label.text()
    assert ctx.services.resources.count() == 129

    # Typing the name clears its error at once; the category's stays.
    type_text(qtbot, form.name, "テスト")
    assert _error(form, "name") is None
    assert _error(form, "category_id") is not None


def test_very_long_name_is_refused(qtbot, form, ctx):
    long_name = "あ" * 10_000
    QApplication.clipboard().setText(long_name)
    form.name.setFocus()
    qtbot.keyClick(form.name, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert form.name.text() == long_name  # pasted whole: QLineEdit would cut at 32,767
    error = _error(form, "name")
    assert error is not None
    assert "200文字" in error.text() and "10,000文字" in error.text()
    choose(form.category, "病院")
    _click_save(qtbot, form)
    assert form.isVisible() and form.saved is None
    assert ctx.services.resources.count() == 129


def test_bad_postal_url_and_latitude_are_shown_under_their_fields(qtbot, form, ctx):
    _fill_required(qtbot, form, "検証用の事業所")
    type_text(qtbot, form.postal, "12345")
    type_text(qtbot, form.url, "www.example.jp")
    type_text(qtbot, form.lat, "200")
    type_text(qtbot, form.lon, "141.88")
    postal, url, lat = _error(form, "postal_code"), _error(form, "url"), _error(form, "lat")
    assert postal is not None and "郵便番号「12345」" in postal.text()
    assert url is not None and "http://" in url.text()
    assert lat is not None and "緯度" in lat.text() and "90" in lat.text()
    for label in (postal, url, lat):
        assert RED in label.styleSheet()
    _click_save(qtbot, form)
    assert form.isVisible() and form.saved is None
    assert ctx.services.resources.count() == 129
    for text in ("郵便番号", "URL", "緯度"):
        assert text in form.summary_label.text()

    # Correcting the values lets it save.
    replace_text(qtbot, form.postal, "026-0025")
    replace_text(qtbot, form.url, "https://www.example.jp/")
    replace_text(qtbot, form.lat, "39.2755")
    assert _error(form, "postal_code") is None and _error(form, "url") is None and _error(form, "lat") is None
    _click_save(qtbot, form)
    assert not form.isVisible()
    assert form.saved is not None and form.saved.postal_code == "026-0025"
    assert ctx.services.resources.count() == 130


def test_bad_phone_warns_but_saves_what_was_typed(qtbot, form, ctx):
    _fill_required(qtbot, form, "電話確認テスト")
    type_text(qtbot, form.phone, "0193-22-12 内線")
    warning = _error(form, "phone")
    assert warning is not None
    assert AMBER in warning.styleSheet()
    assert "そのまま保存します" in warning.text()
    _click_save(qtbot, form)
    assert not form.isVisible()
    assert form.result() == ResourceDialog.DialogCode.Accepted.value
    stored = ctx.services.resources.get(form.saved.id).row
    assert stored.phone == "0193-22-12 内線"


# --- through the tab: new records appear in the table ---------------------------------------------

def _new_record(qtbot, tab, dialogs, fill) -> ResourceDialog:
    opened = dialogs.drive(ResourceDialog, lambda d: (fill(d), _click_save(qtbot, d)))
    tab.act_new.trigger()
    assert len(opened) == 1 and opened[0].saved is not None
    return opened[0]


def test_unusual_names_are_saved_faithfully(qtbot, tab, dialogs, ctx):
    emoji = _new_record(qtbot, tab, dialogs, lambda d: _fill_required(qtbot, d, "😀テスト訪問看護"))
    hankaku = _new_record(qtbot, tab, dialogs, lambda d: _fill_required(qtbot, d, "ﾊﾏﾅｽ薬局", "保険調剤薬局"))
    assert ctx.services.resources.get(emoji.saved.id).row.name == "😀テスト訪問看護"
    assert ctx.services.resources.get(hankaku.saved.id).row.name == "ﾊﾏﾅｽ薬局"
    names = visible_names(tab)
    assert "😀テスト訪問看護" in names and "ﾊﾏﾅｽ薬局" in names
    assert tab.count_label.text() == "131 件 / 131 件"
    assert tab.current_row().id == hankaku.saved.id  # the new record is selected

    type_text(qtbot, tab.search, "はまなす")
    assert sorted(visible_names(tab)) == sorted(["はまなす内科クリニック", "ﾊﾏﾅｽ薬局"])
    replace_text(qtbot, tab.search, "テスト訪問看護")
    assert visible_names(tab) == ["😀テスト訪問看護"]


def _open_editor(qtbot, tab, name: str) -> None:
    """Find the record and double-click its row, as the user opens it."""
    replace_text(qtbot, tab.search, name)
    row = visible_names(tab).index(name)
    rect = tab.table.visualRect(tab.table.model().index(row, 0))
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_edit_phone_updates_table_and_history(qtbot, tab, dialogs, ctx):
    seen = {}

    def edit(dialog):
        seen["name"] = dialog.name.text()
        seen["category"] = dialog.category.currentText()
        seen["persons"] = dialog.persons.rowCount()
        replace_text(qtbot, dialog.phone, "0193-23-9999")
        _click_save(qtbot, dialog)

    opened = dialogs.drive(ResourceDialog, edit)
    _open_editor(qtbot, tab, "はまなす内科クリニック")
    assert len(opened) == 1
    assert opened[0].windowTitle() == "資源の編集"
    assert seen == {"name": "はまなす内科クリニック", "category": "医科診療所", "persons": 1}
    phone_col = tab.model.column_index("phone")
    row = visible_names(tab).index("はまなす内科クリニック")
    assert tab.table.model().index(row, phone_col).data() == "0193-23-9999"
    assert tab.current_row().phone == "0193-23-9999"

    history = dialogs.drive(HistoryDialog)
    tab.act_history.trigger()
    table = history[0].table
    assert table.item(0, 2).text() == "変更"
    assert table.item(0, 3).text() == "電話番号：0193-23-8814 → 0193-23-9999"
    assert table.rowCount() == 2  # 登録 (sample) + 変更

    # The old number no longer finds it; the new one does.
    replace_text(qtbot, tab.search, "0193238814")
    assert visible_names(tab) == []
    replace_text(qtbot, tab.search, "0193-23-9999")
    assert visible_names(tab) == ["はまなす内科クリニック"]


def test_saving_unchanged_record_adds_no_history(qtbot, tab, dialogs, ctx):
    record = next(r for r in tab.model.visible_rows() if r.name == "天神町内科医院")
    dialogs.drive(ResourceDialog, lambda d: _click_save(qtbot, d))
    _open_editor(qtbot, tab, "天神町内科医院")
    assert len(ctx.services.resources.history(record.id)) == 1
    assert ctx.services.resources.get(record.id).row == record


def test_cancel_saves_nothing(qtbot, tab, dialogs, ctx):
    def edit(dialog):
        replace_text(qtbot, dialog.phone, "0120-000-000")
        qtbot.mouseClick(dialog.findChild(type(dialog.save_button), "cancelButton"), Qt.MouseButton.LeftButton)

    dialogs.drive(ResourceDialog, edit)
    _open_editor(qtbot, tab, "天神町内科医院")
    assert tab.current_row().phone == "0193-24-2083"


def test_key_persons_procedures_and_capabilities_are_saved(qtbot, tab, dialogs, ctx, vocab):
    procs = {p.name: p.id for p in vocab["procedure"]}
    caps = {c.name: c.id for c in vocab["capability"]}
    proc_a, proc_b, proc_c = list(procs)[:3]

    def fill(dialog):
        _fill_required(qtbot, dialog, "入力確認ステーション")
        dialog.tabs.setCurrentIndex(2)
        add = dialog.findChild(type(dialog.save_button), "addPerson")
        qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
        for col, text in enumerate(["山田 花子", "管理者", "0193-22-0001"]):
            edit_cell(qtbot, dialog.persons, 0, col, text)
        edit_cell(qtbot, dialog.persons, 1, 0, "佐藤 一郎")
        assert dialog.persons.rowCount() == 2

        dialog.tabs.setCurrentIndex(1)
        for name, text in ((proc_a, "○ 可"), (proc_b, "△ 要相談"), (proc_c, "× 不可")):
            choose(dialog.findChild(type(dialog.category), f"proc_{name}"), text)
        for name in ("24時間対応", "在宅看取り"):
            box = dialog.findChild(type(dialog.capability_boxes[caps[name]]), f"cap_{name}")
            click_checkbox(qtbot, box)
            assert box.isChecked()
        _click_save(qtbot, dialog)

    saved = _new_record(qtbot, tab, dialogs, fill).saved
    detail = ctx.services.resources.get(saved.id)
    assert [(p.name, p.role, p.phone) for p in detail.row.key_persons] == [
        ("山田 花子", "管理者", "0193-22-0001"), ("佐藤 一郎", "", "")]
    assert detail.procedure_ids == {procs[proc_a]: "○", procs[proc_b]: "△", procs[proc_c]: "×"}
    assert detail.row.procedure_marks == {proc_a: "○", proc_b: "△", proc_c: "×"}
    assert detail.row.capability_ids == frozenset({caps["24時間対応"], caps["在宅看取り"]})

    # The key person is searchable and the capability filter finds the record.
    replace_text(qtbot, tab.search, "山田花子")
    assert visible_names(tab) == ["入力確認ステーション"]
    choose(tab.capability_filter, "在宅看取り")
    assert visible_names(tab) == ["入力確認ステーション"]

    # Opening it again shows what was saved.
    def check(dialog):
        assert dialog.persons.rowCount() == 2
        assert dialog.persons.item(0, 0).text() == "山田 花子"
        assert dialog.findChild(type(dialog.category), f"proc_{proc_b}").currentData() == "△"
        assert dialog.capability_boxes[caps["在宅看取り"]].isChecked()
        assert not dialog.capability_boxes[caps["訪問診療"]].isChecked()

    opened = dialogs.drive(ResourceDialog, check)
    _open_editor(qtbot, tab, "入力確認ステーション")
    assert len(opened) == 1
