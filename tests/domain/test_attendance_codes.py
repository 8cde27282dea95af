"""Short codes for a sign-in sheet: professions, roles, statuses; the summary strip; likely duplicates."""

from __future__ import annotations

import pytest

from zaitaku_desktop.domain.attendance import (
    Choice, duplicate_groups, match_profession, match_role, match_status, sheet_summary, yes_no,
)
from zaitaku_desktop.domain.vocab import ASSOCIATIONS, OTHER_PROFESSIONS

VOCAB = [Choice(f"id{i}", name, reading) for i, (name, reading) in enumerate(
    [p for a in ASSOCIATIONS for p in a.professions] + list(OTHER_PROFESSIONS))]


def _name(text: str, vocab=VOCAB) -> str | None:
    found = match_profession(text, vocab).choice
    return found.name if found else None


@pytest.mark.parametrize(("typed", "expected"), [
    ("薬", "薬剤師"), ("やく", "薬剤師"), ("ヤク", "薬剤師"), ("ｹｱ", "介護支援専門員"), ("ケアマネ", "介護支援専門員"),
    ("PT", "理学療法士"), ("pt", "理学療法士"), ("ＯＴ", "作業療法士"), ("ST", "言語聴覚士"), ("Ns", "看護師"),
    ("Dr", "医師"), ("MSW", "医療ソーシャルワーカー"), ("CM", "介護支援専門員"), ("主任ケアマネ", "主任介護支援専門員"),
    ("看護師", "看護師"), ("かんごし", "看護師"), ("医師", "医師"), ("訪看", "訪問看護師"), ("ヘルパー", "訪問介護員"),
    ("歯科衛", "歯科衛生士"), ("DH", "歯科衛生士"), ("住民", "住民"), ("包括", "地域包括支援センター職員"),
])
def test_professions_by_short_code_reading_or_first_letters(typed, expected):
    assert _name(typed) == expected


def test_ambiguous_and_unknown_codes_say_so_in_japanese():
    nursing = match_profession("介護", VOCAB)
    assert nursing.choice is None
    assert [c.name for c in nursing.candidates] == ["介護支援専門員", "介護福祉士"]
    assert nursing.problem("職種").startswith("職種「介護」は複数あてはまります（介護支援専門員・介護福祉士）")
    unknown = match_profession("XYZ", VOCAB)
    assert unknown.choice is None and unknown.candidates == ()
    assert "職種「XYZ」が一覧にありません" in unknown.problem("職種")
    assert match_profession("  ", VOCAB).problem("職種") == "" and match_profession("", VOCAB).choice is None


def test_abbreviations_only_map_to_names_in_the_vocabulary():
    without_pt = [c for c in VOCAB if c.name != "理学療法士"]
    assert _name("PT", without_pt) is None
    renamed = [Choice("x", "ケアマネジャー", "けあまねじゃー")]
    assert _name("ケア", renamed) == "ケアマネジャー"  # a prefix of the name still works
    assert _name("CM", renamed) is None


@pytest.mark.parametrize(("typed", "role"), [
    ("1", "講師"), ("講", "講師"), ("こ", "講師"), ("k", "講師"), ("2", "参加者"), ("sa", "参加者"), ("参加者", "参加者"),
    ("3", "スタッフ"), ("す", "スタッフ"), ("ス", "スタッフ"), ("4", "来賓"), ("r", "来賓"), ("４", "来賓"),
])
def test_roles_by_digit_or_first_letter(typed, role):
    assert match_role(typed).choice.name == role


@pytest.mark.parametrize(("typed", "status"), [
    ("1", "申込"), ("m", "申込"), ("も", "申込"), ("2", "出席"), ("s", "出席"), ("出", "出席"), ("3", "欠席"),
    ("k", "欠席"), ("欠", "欠席"), ("4", "取消"), ("t", "取消"), ("と", "取消"),
])
def test_statuses_by_digit_or_first_letter(typed, status):
    assert match_status(typed).choice.name == status


def test_role_and_status_refusals():
    assert match_role("s").choice is None and {c.name for c in match_role("s").candidates} == {"参加者", "スタッフ"}
    assert match_role("9").choice is None and "役割「9」が一覧にありません" in match_role("9").problem("役割")
    assert match_status("x").choice is None


def test_walk_in_yes_no():
    assert [yes_no(t) for t in ("1", "y", "○", "はい", "0", "n", "", "×", "たぶん")] == [
        True, True, True, True, False, False, False, False, None]


def test_summary_strip_counts_rows_and_counts_only():
    summary = sheet_summary(
        [("薬剤師", "出席"), ("医師", "出席"), ("医師", "申込"), ("", "出席"), ("看護師", "欠席")],
        [("薬剤師", 24), ("他職種", 63), ("住民", 5), ("医師", 0)], order=["医師", "薬剤師", "看護師"])
    assert (summary.registered, summary.attended, summary.counted, summary.total) == (4, 3, 92, 95)
    assert summary.by_profession == (("医師", 1), ("薬剤師", 25), ("他職種", 63), ("職種なし", 1), ("住民", 5))
    assert summary.text() == "申込 4・出席 3・人数のみ 92・合計 95人（医師1、薬剤師25、他職種63、職種なし1、住民5）"
    assert sheet_summary([], []).text() == "申込 0・出席 0・人数のみ 0・合計 0人"


def test_duplicate_groups_by_folded_name():
    people = [("a", "佐々木 美穂"), ("b", "高橋 誠"), ("c", "佐々木美穂"), ("d", "ｻｻｷ"), ("e", "ササキ"), ("f", "川端")]
    assert duplicate_groups(people) == [["a", "c"], ["d", "e"]]
