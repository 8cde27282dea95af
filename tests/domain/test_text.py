"""Search keys, 五十音 sort keys and search-box matching."""

from __future__ import annotations

import jaconv
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zaitaku_desktop.domain.resource import KeyPerson, matches, resource_search_text, search_terms
from zaitaku_desktop.domain.text import (
    dash_to_hyphen, is_kana_reading, normalise_query, reading_sort_key, search_key,
)

HIRAGANA = st.text(alphabet=st.characters(min_codepoint=0x3041, max_codepoint=0x3093), min_size=1, max_size=12)
ASCII_ALNUM = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", max_size=12)


# --- search_key ---------------------------------------------------------------

@pytest.mark.parametrize("typed", [
    "かまいし", "カマイシ", "ｶﾏｲｼ", "カ マ イ シ", "かまいし　", " ｶﾏ ｲｼ ",
])
def test_search_key_folds_kana_width_and_spaces(typed: str) -> None:
    assert search_key(typed) == "かまいし"


@pytest.mark.parametrize(("typed", "expected"), [
    ("ＡＢＣ１２３", "abc123"),
    ("ABC123", "abc123"),
    ("abc 123", "abc123"),
    ("ｶﾞｲﾄﾞ", "がいど"),  # half-width voiced marks combine
    ("ﾊﾟﾝ", "ぱん"),
    ("ホーム", "ほーむ"),
    ("ﾎｰﾑ", "ほーむ"),
    ("釜石 ＳＴ", "釜石st"),
])
def test_search_key_examples(typed: str, expected: str) -> None:
    assert search_key(typed) == expected


@pytest.mark.parametrize("empty", ["", None])
def test_search_key_empty(empty: str | None) -> None:
    assert search_key(empty) == ""


def test_search_key_keeps_kanji() -> None:
    assert search_key("釜石市") == "釜石市"


@given(st.text(max_size=30))
def test_search_key_is_idempotent(text: str) -> None:
    once = search_key(text)
    assert search_key(once) == once


@given(st.text(max_size=30))
def test_search_key_has_no_whitespace(text: str) -> None:
    assert not any(ch.isspace() for ch in search_key(text))


@given(HIRAGANA)
def test_katakana_and_half_width_fold_like_hiragana(hira: str) -> None:
    kata = jaconv.hira2kata(hira)
    half = jaconv.z2h(kata, kana=True)
    assert search_key(kata) == search_key(hira)
    assert search_key(half) == search_key(hira)


@given(ASCII_ALNUM)
def test_full_width_ascii_folds_like_lower_case_ascii(text: str) -> None:
    full = jaconv.h2z(text, ascii=True, digit=True)
    assert search_key(full) == text.lower()


# --- 五十音 order --------------------------------------------------------------

def test_reading_sort_key_gojuon_order() -> None:
    readings = ["かさ", "がく", "あお", "かき", "あい"]
    assert sorted(readings, key=reading_sort_key) == ["あい", "あお", "かき", "がく", "かさ"]


def test_voiced_and_semi_voiced_follow_plain_kana_at_tie() -> None:
    assert sorted(["ぱん", "ばん", "はん"], key=reading_sort_key) == ["はん", "ばん", "ぱん"]
    # At the first level the voiced mark is ignored: はし < ばす < はた
    assert sorted(["はた", "ばす", "はし"], key=reading_sort_key) == ["はし", "ばす", "はた"]


def test_small_kana_sort_with_large_kana() -> None:
    assert reading_sort_key("きゃ")[0] == reading_sort_key("きや")[0]
    assert sorted(["きゆ", "きゃ", "きよ"], key=reading_sort_key) == ["きゃ", "きゆ", "きよ"]


def test_katakana_reading_sorts_like_hiragana() -> None:
    mixed = ["サクラ", "あおば", "ｶｷﾉｷ", "いちょう"]
    assert sorted(mixed, key=reading_sort_key) == ["あおば", "いちょう", "ｶｷﾉｷ", "サクラ"]


def test_long_vowel_mark_sorts_as_the_vowel() -> None:
    assert reading_sort_key("ほーむ")[0] == "ほおむ"
    assert reading_sort_key("ホーム")[0] == "ほおむ"
    assert reading_sort_key("ｶｰ")[0] == "かあ"
    # ぐるーぷ sorts between ぐるあ and ぐるい would be wrong: ー after る is う
    assert sorted(["ぐるえ", "ぐるーぷ", "ぐるあ"], key=reading_sort_key) == ["ぐるあ", "ぐるーぷ", "ぐるえ"]


def test_empty_reading_sorts_last_then_by_name() -> None:
    items = [("", "阿部医院"), ("わかば", "わかば"), (None, "愛生会"), ("あい", "あい")]
    ordered = sorted(items, key=lambda it: reading_sort_key(it[0], it[1]))
    assert [it[1] for it in ordered[:2]] == ["あい", "わかば"]
    assert {it[1] for it in ordered[2:]} == {"阿部医院", "愛生会"}
    assert reading_sort_key("   ", "x") > reading_sort_key("ん", "x")


@given(HIRAGANA)
def test_sort_key_is_the_same_for_katakana_and_half_width(hira: str) -> None:
    kata = jaconv.hira2kata(hira)
    assert reading_sort_key(kata) == reading_sort_key(hira)
    assert reading_sort_key(jaconv.z2h(kata, kana=True))[0] == reading_sort_key(hira)[0]


@given(HIRAGANA)
def test_any_reading_sorts_before_no_reading(hira: str) -> None:
    assert reading_sort_key(hira, "名") < reading_sort_key("", "名")


# --- helpers -------------------------------------------------------------------

@pytest.mark.parametrize("dash", list("-‐‑‒–—―−ー－ｰ₋⁻﹣"))
def test_dash_to_hyphen_maps_every_dash_like_character(dash: str) -> None:
    assert dash_to_hyphen(f"0193{dash}22") == "0193-22"


def test_is_kana_reading() -> None:
    assert is_kana_reading("かまいし")
    assert is_kana_reading("カマイシ")
    assert is_kana_reading("ｶﾏｲｼ")
    assert is_kana_reading("ほーむ　すてーしょん")
    assert not is_kana_reading("釜石")
    assert not is_kana_reading("kamaishi")


def test_normalise_query_digit_key_only_for_phone_like_queries() -> None:
    assert normalise_query("0193-22") == ("0193-22", "019322")
    assert normalise_query("（0193）22") == ("(0193)22", "019322")
    assert normalise_query("釜石")[1] == ""
    assert normalise_query("R8")[1] == ""


# --- search terms and matching -----------------------------------------------

def _text(**overrides: object) -> str:
    values: dict = dict(name="釜石ファミリークリニック", reading="かまいしふぁみりーくりにっく",
                        address="岩手県釜石市只越町1-2-3", phone="0193-22-1234", fax="0193(22)5678")
    values.update(overrides)
    return resource_search_text(**values)


def test_phone_prefix_with_hyphen_finds_undashed_number() -> None:
    text = resource_search_text(name="x", reading="", address="", phone="0193221234", fax="")
    assert search_terms("0193-22") == ["019322"]
    assert matches(text, search_terms("0193-22"))
    assert matches(text, search_terms("０１９３－２２"))
    assert not matches(text, search_terms("0193-23"))


def test_dashed_stored_number_found_by_plain_digits() -> None:
    text = _text()
    assert matches(text, search_terms("019322"))
    assert matches(text, search_terms("0193225678"))  # the FAX with brackets


def test_search_matches_across_kana_forms_and_width() -> None:
    text = _text()
    for query in ("ファミリー", "ふぁみりー", "ﾌｧﾐﾘｰ", "釜石", "只越町"):
        assert matches(text, search_terms(query)), query


def test_multiple_words_must_all_match() -> None:
    text = _text()
    assert matches(text, search_terms("釜石 クリニック"))
    assert matches(text, search_terms("釜石　0193-22"))  # full-width space separates too
    assert not matches(text, search_terms("釜石 大槌"))
    assert not matches(text, search_terms("大槌 クリニック"))


def test_empty_query_matches_everything() -> None:
    assert search_terms("   ") == []
    assert matches(_text(), [])


def test_terms_do_not_match_across_field_boundaries() -> None:
    text = resource_search_text(name="あい", reading="", address="うえ", phone="", fax="")
    assert matches(text, search_terms("あい"))
    assert not matches(text, search_terms("あいうえ"))


def test_key_persons_and_district_are_searchable() -> None:
    text = _text(district="鵜住居", key_persons=[KeyPerson("佐々木 花子", "MSW", "090-1111-2222")])
    assert matches(text, search_terms("鵜住居"))
    assert matches(text, search_terms("佐々木花子"))
    assert matches(text, search_terms("msw"))
    assert matches(text, search_terms("090-1111"))
