"""全国地方公共団体コード and 法人番号 check digits (OPEN_DATA.md §3.1, §3.3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zaitaku_desktop.domain.codes import (
    complete_lg_code, corporate_number_ok, lg_check_digit, lg_code_issue,
)

FIVE_DIGITS = st.text(alphabet="0123456789", min_size=5, max_size=5)
TWELVE_DIGITS = st.text(alphabet="0123456789", min_size=12, max_size=12)


@pytest.mark.parametrize(("first5", "digit"), [
    ("01101", 1),  # s=11, r=0 → 1
    ("10206", 7),  # s=26, r=4
    ("13112", 1),  # s=32, r=10 → 11 − 10 = 1
    ("13118", 1),  # s=44, r=0 → 1
    ("03211", 5),  # 釜石市
    ("03461", 4),  # 大槌町
])
def test_lg_check_digit_documented_examples(first5: str, digit: int) -> None:
    assert lg_check_digit(first5) == digit


def test_lg_check_digit_remainder_one_gives_zero() -> None:
    # 6·0 + 5·0 + 4·0 + 3·0 + 2·6 = 12, 12 mod 11 = 1 → (11 − 1) mod 10 = 0
    assert lg_check_digit("00006") == 0


@pytest.mark.parametrize("bad", ["0321", "032115", "0321a", ""])
def test_lg_check_digit_needs_five_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        lg_check_digit(bad)


@pytest.mark.parametrize("code", ["032115", "034614", "011011", "102067", "131121", "131181", "０３２１１５"])
def test_valid_codes_have_no_issue(code: str) -> None:
    assert lg_code_issue(code) is None


def test_wrong_check_digit_names_the_right_code() -> None:
    message = lg_code_issue("032116")
    assert message is not None
    assert "032116" in message
    assert "032115" in message


@pytest.mark.parametrize("bad", ["03211", "0321155", "03211x", "", "abc"])
def test_malformed_codes_are_rejected_with_japanese_message(bad: str) -> None:
    message = lg_code_issue(bad)
    assert message is not None and "6桁" in message


def test_complete_lg_code() -> None:
    assert complete_lg_code("03211") == "032115"
    assert complete_lg_code("03461") == "034614"
    assert complete_lg_code("０３２１１") == "032115"
    assert complete_lg_code(" 03211 ") == "032115"
    assert complete_lg_code("032115") == "032115"
    assert complete_lg_code("032116") == "032116"  # left for lg_code_issue to report
    assert complete_lg_code("") == ""


@given(FIVE_DIGITS)
def test_completed_code_is_valid_and_every_other_last_digit_is_not(first5: str) -> None:
    code = complete_lg_code(first5)
    assert code[:5] == first5 and len(code) == 6
    assert lg_code_issue(code) is None
    for other in "0123456789":
        if other != code[5]:
            message = lg_code_issue(first5 + other)
            assert message is not None and code in message


@given(FIVE_DIGITS, st.integers(min_value=0, max_value=4), st.integers(min_value=1, max_value=9))
def test_single_digit_change_in_first_five_is_caught(first5: str, pos: int, delta: int) -> None:
    code = complete_lg_code(first5)
    changed = first5[:pos] + str((int(first5[pos]) + delta) % 10) + first5[pos + 1:] + code[5]
    # weights 6..2 are all nonzero mod 11, so one wrong digit always changes s mod 11,
    # but (11 − r) mod 10 maps r=0 and r=10 to 1; only that collision may slip through.
    if lg_check_digit(changed[:5]) == int(code[5]):
        s_old = sum(w * int(d) for w, d in zip((6, 5, 4, 3, 2), first5)) % 11
        s_new = sum(w * int(d) for w, d in zip((6, 5, 4, 3, 2), changed[:5])) % 11
        assert {s_old, s_new} == {0, 10}
    else:
        assert lg_code_issue(changed) is not None


# --- 法人番号 -------------------------------------------------------------------

def test_corporate_number_example_is_valid() -> None:
    assert corporate_number_ok("4011001098993")
    assert corporate_number_ok("４０１１００１０９８９９３")


@pytest.mark.parametrize("changed", ["4011001098994", "5011001098993", "4011001098983", "4111001098993"])
def test_corporate_number_with_a_changed_digit_is_invalid(changed: str) -> None:
    assert not corporate_number_ok(changed)


@pytest.mark.parametrize("bad", ["", "401100109899", "40110010989930", "401100109899a"])
def test_corporate_number_must_be_13_digits(bad: str) -> None:
    assert not corporate_number_ok(bad)


@given(TWELVE_DIGITS)
def test_exactly_one_leading_check_digit_fits_any_base(base: str) -> None:
    fitting = [d for d in "0123456789" if corporate_number_ok(d + base)]
    assert len(fitting) == 1
    assert fitting[0] != "0"
