"""Consultation intake rules: validation, status moves, duplicate keys, quarters, cross tables, masking."""

from __future__ import annotations

import datetime as dt

import pytest

from zaitaku_desktop.domain import consultations as rules
from zaitaku_desktop.domain.consultations import (
    NEXT_STATUSES, STATUSES, ConsentRequiredError, case_number, mask_name, validate_consultation,
)
from zaitaku_desktop.domain.errors import DomainError
from zaitaku_desktop.services.consultations import ConsultationInput

NOW = dt.datetime(2026, 11, 20, 15, 0)


def data(**changes) -> ConsultationInput:
    base = ConsultationInput(window="一般向け", received_at="2026/11/20 14:30", channel="電話", requester_type="家族",
                             category_ids=["c1"], minutes_spent="15")
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def messages(**changes) -> dict[str, str]:
    clean, issues = validate_consultation(data(**changes), now=NOW)
    return {i.field: i.message for i in issues if i.is_error}


def test_a_plain_call_is_clean_and_stored_in_utc() -> None:
    clean, issues = validate_consultation(data(person_name=" 釜石 花子 ", person_reading="カマイシ ハナコ",
                                               person_phone="０１９３−２２−１２３４", follow_up_due="R8.11.27"), now=NOW)
    assert issues == []
    assert clean is not None
    assert clean.received_at == dt.datetime(2026, 11, 20, 5, 30, tzinfo=dt.timezone.utc)
    assert rules.to_local(clean.received_at) == dt.datetime(2026, 11, 20, 14, 30)
    assert clean.person_name == "釜石 花子"
    assert clean.person_reading == "かまいしはなこ"
    assert clean.person_phone == "0193221234"
    assert clean.minutes_spent == 15
    assert clean.follow_up_due == dt.date(2026, 11, 27)


@pytest.mark.parametrize("text, expected", [
    ("2026/11/20 9:05", dt.datetime(2026, 11, 20, 9, 5)),
    ("令和8年11月20日 14時30分", dt.datetime(2026, 11, 20, 14, 30)),
    ("２０２６−１１−２０ １４：３０", dt.datetime(2026, 11, 20, 14, 30)),
    ("2026-11-20", dt.datetime(2026, 11, 20, 0, 0)),
    (dt.date(2026, 11, 20), dt.datetime(2026, 11, 20, 0, 0)),
    (dt.datetime(2026, 11, 20, 5, 30, tzinfo=dt.timezone.utc), dt.datetime(2026, 11, 20, 14, 30)),
])
def test_received_at_is_read_as_typed(text, expected) -> None:
    assert rules.parse_local_datetime(text) == expected


def test_entering_a_call_days_later_is_fine_but_not_more_than_a_day_ahead() -> None:
    assert messages(received_at="2026/11/02 10:00") == {}
    assert messages(received_at="2026/11/21 14:00") == {}  # within a day: clocks and typing slips
    assert "受付日時が先の日付" in messages(received_at="2026/11/22 10:00")["received_at"]
    assert "受付日時を入力" in messages(received_at="")["received_at"]
    assert "2026/11/20 14:30" in messages(received_at="きのう")["received_at"]
    assert "受付日時" in messages(received_at="2026/11/20 25:00")["received_at"]


@pytest.mark.parametrize("value, ok", [("0", True), ("600", True), ("601", False), ("-1", False), ("１５分", True),
                                       ("abc", False), ("", True), (None, True), (30, True)])
def test_minutes_are_between_0_and_600(value, ok) -> None:
    assert ("minutes_spent" not in messages(minutes_spent=value)) is ok


def test_fixed_lists_and_follow_up_are_checked_with_japanese_messages() -> None:
    found = messages(window="夜間", channel="LINE", requester_type="友人", age_band="100歳", care_level="要介護6",
                     follow_up_due="2026/11/01", status="保留")
    assert found["window"] == "窓口は多職種向け・一般向けから選んでください"
    assert "電話・来所・FAX" in found["channel"]
    assert "相談者の区分" in found["requester_type"]
    assert "年代" in found["age_band"] and "要介護度" in found["care_level"]
    assert found["follow_up_due"] == "次の対応日は受付日より後にしてください"
    assert "状況は受付・対応中" in found["status"]
    assert "次の対応日を正しく" in messages(follow_up_due="来週")["follow_up_due"]


def test_messages_never_repeat_what_was_typed_into_personal_fields() -> None:
    found = messages(person_phone="カナリア123", person_name="カナリア" * 40)
    assert found and not any("カナリア" in m for m in found.values())


def test_no_category_is_a_warning_not_an_error() -> None:
    clean, issues = validate_consultation(data(category_ids=[]), now=NOW)
    assert clean is not None
    assert [i.severity for i in issues] == ["warning"]


def test_a_district_needs_its_municipality() -> None:
    assert "市町村" in messages(district_id="d1")["municipality_id"]


def test_every_status_move_follows_next_statuses() -> None:
    for current in STATUSES:
        for new in STATUSES:
            problem = rules.status_move_issue(current, new)
            assert (problem is None) == (new == current or new in NEXT_STATUSES[current]), (current, new)
    problem = rules.status_move_issue("紹介済", "受付")
    assert problem is not None and problem.message.startswith("状況を「紹介済」から「受付」へは変えられません")
    _, issues = validate_consultation(data(status="受付"), now=NOW, current_status="終了")
    assert [i.field for i in issues] == ["status"]
    clean, _ = validate_consultation(data(status="対応中"), now=NOW, current_status="終了")
    assert clean is not None and clean.status == "対応中"


def test_duplicate_keys_fold_kana_width_and_spaces() -> None:
    assert rules.reading_key("カマイシ　ハナコ") == rules.reading_key("かまいし はなこ") == "かまいしはなこ"
    assert rules.reading_key("ｶﾏｲｼ ﾊﾅｺ") == "かまいしはなこ"
    assert rules.reading_key("", "釜石 花子") == "釜石花子"
    assert rules.phone_key("０１９３-２２-１２３４") == "0193221234"
    assert rules.phone_key("22-12") == ""  # too short to identify anyone


def test_same_area_prefers_the_district() -> None:
    assert rules.same_area("d1", "m1", "d1", "m1")
    assert not rules.same_area("d1", "m1", "d2", "m1")
    assert rules.same_area(None, "m1", "d2", "m1")
    assert not rules.same_area(None, "m1", None, "m2")
    assert rules.same_area(None, None, None, None)
    assert not rules.same_area(None, None, None, "m1")


@pytest.mark.parametrize("day, expected", [
    (dt.date(2026, 4, 1), (2026, 1)), (dt.date(2026, 6, 30), (2026, 1)), (dt.date(2026, 7, 1), (2026, 2)),
    (dt.date(2026, 12, 31), (2026, 3)), (dt.date(2027, 1, 1), (2026, 4)), (dt.date(2027, 3, 31), (2026, 4)),
])
def test_fiscal_quarters_run_april_to_march(day, expected) -> None:
    assert rules.fiscal_quarter(day) == expected
    start, end = rules.quarter_range(*expected)
    assert start <= day <= end
    assert (end - start).days in (89, 90, 91)


def test_quarter_and_period_labels() -> None:
    assert rules.quarter_label(2026, 3) == "2026年度第3四半期"
    assert rules.quarter_range(2026, 4) == (dt.date(2027, 1, 1), dt.date(2027, 3, 31))
    assert rules.period_label([dt.date(2026, 10, 5), dt.date(2026, 12, 20)]) == "2026年度第3四半期"
    assert rules.period_label([dt.date(2026, 9, 5), dt.date(2026, 12, 20)]) == "2026年9月〜2026年12月"
    assert rules.promotion_source_text("退院調整", 5, "2026年度第3四半期") == "相談受付（退院調整・5件、2026年度第3四半期）"


def test_month_keys_and_cross_cells() -> None:
    keys = rules.month_keys(dt.date(2026, 11, 20), dt.date(2027, 2, 1))
    assert keys == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert rules.month_label("2027-01") == "2027年1月"
    cells = rules.cross_cells({("a", "x"): 2, ("b", "y"): 5}, ["a", "b"], ["x", "y"])
    assert cells == ((2, 0), (0, 5))
    assert rules.ordered_keys(("受付", "終了"), ["終了", "保留"]) == ["受付", "終了", "保留"]


def test_masking_and_case_numbers() -> None:
    assert mask_name("釜石 花子") == "釜○ 花○"
    assert mask_name("カナリア 太郎") == "カ○○○ 太○"
    assert "カナリア" not in mask_name("カナリア 太郎")
    assert case_number(2026, 42) == "2026-0042"


def test_consent_required_is_a_domain_error_with_a_japanese_message() -> None:
    error = ConsentRequiredError()
    assert isinstance(error, DomainError)
    assert error.message.startswith("本人の同意が記録されていません。")


def test_default_window_follows_the_requester() -> None:
    assert rules.default_window("家族") == "一般向け"
    assert rules.default_window("ケアマネ") == "多職種向け"
