"""The search box: kana and width folding, spaces, phone digits, key persons, AND of words."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from ui_helpers import ime_commit, replace_text, type_text, visible_names


def _search_box(window) -> QLineEdit:
    box = window.findChild(QLineEdit, "resourceSearch")
    assert box is not None
    return box


def _clear(qtbot, box: QLineEdit) -> None:
    box.setFocus()
    box.selectAll()
    qtbot.keyClick(box, Qt.Key.Key_Backspace)


@pytest.mark.parametrize(("typed", "expected"), [
    ("ハマナス", ["はまなす内科クリニック"]),                    # katakana finds a hiragana name
    ("ﾊﾏﾅｽ", ["はまなす内科クリニック"]),                        # half-width katakana
    ("かもめ調剤薬局浜町店", ["かもめ調剤薬局 浜町店"]),          # the name typed without its space
    ("0193-23-8814", ["はまなす内科クリニック"]),                # phone with hyphens
    ("0193238814", ["はまなす内科クリニック"]),                  # phone digits only
    ("八幡敏子", ["おおつち訪問看護ステーション"]),                # a key person's name
    ("ほうもんかんご", ["おおつち訪問看護ステーション", "しおさい訪問看護ステーション",
                        "訪問看護ステーション はまかぜ"]),            # the reading
])
def test_typing_narrows_the_table(qtbot, window, tab, typed, expected):
    box = _search_box(window)
    type_text(qtbot, box, typed)
    assert box.text() == typed
    assert sorted(visible_names(tab)) == sorted(expected)
    assert tab.count_label.text() == f"{len(expected)} 件 / 129 件"
    assert window.count_label.text() == f"資源 {len(expected)} / 129 件"

    _clear(qtbot, box)
    assert box.text() == ""
    assert len(visible_names(tab)) == 129
    assert tab.count_label.text() == "129 件 / 129 件"


def test_full_width_digits_from_an_input_method(qtbot, window, tab):
    box = _search_box(window)
    ime_commit(box, "０１９３－２３－８８１４")
    assert visible_names(tab) == ["はまなす内科クリニック"]


def test_two_words_must_both_match(qtbot, window, tab):
    box = _search_box(window)
    type_text(qtbot, box, "しおさい")
    assert len(visible_names(tab)) == 5
    type_text(qtbot, box, " 訪問")
    assert sorted(visible_names(tab)) == ["しおさい訪問介護事業所", "しおさい訪問看護ステーション"]
    assert tab.count_label.text() == "2 件 / 129 件"
    # Narrowing keeps the rows in 五十音 order and every shown row matches both words.
    for name in visible_names(tab):
        assert "しおさい" in name and "訪問" in name


def test_no_match_shows_zero_and_detail_placeholder(qtbot, window, tab):
    box = _search_box(window)
    type_text(qtbot, box, "存在しない事業所名")
    assert visible_names(tab) == []
    assert tab.count_label.text() == "0 件 / 129 件"
    assert not tab.act_edit.isEnabled()
    assert "一覧から資源を選ぶ" in tab.detail.toPlainText()


def test_search_keeps_the_selected_record_in_the_detail_pane(qtbot, window, tab):
    replace_text(qtbot, _search_box(window), "はまなす")
    tab.table.selectRow(0)
    assert tab.current_row().name == "はまなす内科クリニック"
    detail = tab.detail.toPlainText()
    assert "はまなす内科クリニック" in detail
    assert "0193-23-8814" in detail
    assert "伊藤 美紀" in detail
    assert tab.act_edit.isEnabled() and tab.act_history.isEnabled()
