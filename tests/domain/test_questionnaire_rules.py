"""Questionnaire maths and validation: shares, top-two share, mean, response rate, differences."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from zaitaku_desktop.domain.questionnaires import (
    DEFAULT_LABELS, ItemSpec, difference, labels, percent, points_text, rate_text, response_rate, tally,
    validate_answers, validate_template,
)


def test_top_two_share_counts_the_two_best_points_of_a_scale() -> None:
    # 8 of 10 answer 1 or 2: "8割以上が役に立った".
    t = tally("scale4", [1, 1, 1, 2, 2, 2, 2, 2, 3, 4])
    assert t.counts == (3, 5, 1, 1) and t.n == 10
    assert t.top_share == pytest.approx(0.8)
    assert t.mean == pytest.approx((3 * 1 + 5 * 2 + 3 + 4) / 10)
    assert percent(t.top_share) == "80%"


def test_unanswered_and_out_of_range_values_are_left_out_of_n() -> None:
    t = tally("scale5", [1, None, 5, None, 6, 0, 2])
    assert t.counts == (1, 1, 0, 0, 1) and t.n == 3
    assert t.top_share == pytest.approx(2 / 3)
    empty = tally("scale4", [None, None])
    assert empty.n == 0 and empty.top_share is None and empty.mean is None and empty.shares == (0.0,) * 4


def test_yes_no_share_is_the_share_answering_yes() -> None:
    t = tally("yesno", [1, 1, 1, 2])
    assert t.counts == (3, 1) and t.top_share == pytest.approx(0.75)


@given(st.sampled_from(["scale4", "scale5", "yesno"]), st.lists(st.one_of(st.none(), st.integers(1, 5))))
def test_shares_sum_to_one_and_top_share_is_a_share(kind: str, values: list[int | None]) -> None:
    t = tally(kind, values)
    points = len(DEFAULT_LABELS[kind])
    answered = [v for v in values if v is not None and v <= points]
    assert t.n == len(answered)
    if t.n:
        assert sum(t.shares) == pytest.approx(1.0)
        assert 0.0 <= t.top_share <= 1.0
        assert 1.0 <= t.mean <= points
    else:
        assert t.top_share is None


def test_response_rate_and_its_text() -> None:
    assert response_rate(45, 60) == pytest.approx(0.75)
    assert response_rate(3, None) is None and response_rate(3, 0) is None
    assert rate_text(45, 60) == "回収率 45/60 (75%)"
    assert rate_text(5, None) == "回収 5枚（配布数未入力）"


def test_difference_in_points() -> None:
    assert difference(0.62, 0.85) == pytest.approx(0.23)
    assert difference(None, 0.5) is None
    assert points_text(0.23) == "+23ポイント"
    assert points_text(-0.031) == "−3ポイント"
    assert points_text(0.001) == "±0ポイント"


def test_labels_own_or_default() -> None:
    assert labels("scale4") == DEFAULT_LABELS["scale4"]
    assert labels("scale4", "役に立った|まあ役に立った|あまり|立たなかった")[0] == "役に立った"
    assert labels("yesno", "はい、いいえ") == ("はい", "いいえ")
    assert labels("scale4", "一つ|二つ") == DEFAULT_LABELS["scale4"]  # a wrong count falls back


def test_template_validation_messages_are_japanese() -> None:
    name, items, problems = validate_template("  研修会  ", [ItemSpec("scale4", " 役に立った ", "a、b、c、d")])
    assert name == "研修会" and items[0].text == "役に立った" and items[0].choices == "a|b|c|d" and not problems
    _, _, problems = validate_template("", [ItemSpec("scale5", "", "a|b"), ItemSpec("grid", "x")])
    messages = [p.message for p in problems]
    assert "アンケートの名前を入力してください" in messages
    assert any("設問1：設問の文を入力してください" in m for m in messages)
    assert any("選択肢は5つ入力してください（いま2つ）" in m for m in messages)
    assert any(m.startswith("設問2：種類は") for m in messages)
    assert [p.message for p in validate_template("x", [])[2]] == ["設問を1つ以上入れてください"]


def test_answer_validation() -> None:
    items = [ItemSpec("scale4", "a", id="a"), ItemSpec("yesno", "b", id="b"), ItemSpec("text", "c", id="c")]
    clean, problems = validate_answers(items, {"a": "2", "b": None, "c": " よかった "})
    assert clean == {"a": 2, "b": None, "c": "よかった"} and not problems
    _, problems = validate_answers(items, {"a": 5, "b": 3})
    assert [p.message for p in problems] == ["設問1：1〜4の数字で入力してください", "設問2：1〜2の数字で入力してください"]
    _, problems = validate_answers(items, {"zzz": 1})
    assert problems[0].message == "このアンケートにない設問への回答があります"
