"""Property tests: the normalisers and validators take any text without crashing, and fold stably."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from zaitaku_desktop.domain import contact
from zaitaku_desktop.domain.codes import complete_lg_code, corporate_number_ok, lg_check_digit, lg_code_issue
from zaitaku_desktop.domain.consultations import parse_local_datetime, parse_minutes, validate_consultation
from zaitaku_desktop.domain.dates import format_date, parse_date
from zaitaku_desktop.domain.errors import FieldIssue
from zaitaku_desktop.domain.issues import IssueInput, validate_issue
from zaitaku_desktop.domain.meetings import MeetingInput, Speaker, parse_time, validate_meeting
from zaitaku_desktop.domain.resource import KeyPerson, ResourceInput, validate_resource
from zaitaku_desktop.domain.text import (
    digits_only, is_kana_reading, normalise_query, reading_sort_key, search_key,
)
from zaitaku_desktop.services.consultations import ConsultationInput

# Any text, and text made of what Japanese office input and damaged files are full of:
# full/half width, kana, era names, combining marks, zero-width and control characters.
JA = st.sampled_from(list("あいうえおかがぱゃっアイウカガパャッｱｶﾞﾊﾟｯｰー－‐―0123456789０１２３４５６７８９年月日令和平成昭和"
                          "RHSTM.／/-:：（）() 　\t\n〒@ＡＢａｂ元ⅫⅡ㍻㈱①\u3099\u309a\u0301\u0327\u200b\ufeff\x00"))
TEXT = st.one_of(st.text(), st.text(JA, max_size=30))
DATES = st.dates(min_value=dt.date(1868, 1, 25), max_value=dt.date(2116, 12, 31))  # era years have two digits
ANY_VALUE = st.one_of(st.none(), TEXT, DATES, st.datetimes(), st.integers(), st.floats(), st.booleans())


# --- folding ---------------------------------------------------------------------------------

@given(TEXT)
@example("R\u00b8")
@example("ｶﾞ")
@example("か\u3099")
def test_search_key_is_idempotent_and_has_no_space(text: str) -> None:
    key = search_key(text)
    assert search_key(key) == key
    assert not re.search(r"\s", key)
    assert key == key.lower() or search_key(key.lower()) == key


@given(TEXT)
def test_katakana_and_hiragana_fold_alike(text: str) -> None:
    import jaconv

    assert search_key(jaconv.hira2kata(text)) == search_key(jaconv.kata2hira(text))


@given(TEXT, TEXT)
def test_sort_key_query_and_kana_check_take_any_text(reading: str, name: str) -> None:
    first, full = reading_sort_key(reading, name)
    assert isinstance(first, str) and isinstance(full, str)
    key, digits = normalise_query(reading)
    assert digits == "" or digits.isdigit()
    assert isinstance(is_kana_reading(reading), bool)
    assert digits_only(reading) == digits_only(digits_only(reading))


# --- phone, postal, e-mail, URL, coordinates -------------------------------------------------

@given(TEXT)
@example("０１９３－２２－１２３４")
@example("(0193) 22 1234")
@example("R\u2010\u0327")  # found in CI: removing the dash let NFKC compose R + cedilla
def test_phone_normalisation_is_idempotent(text: str) -> None:
    digits = contact.phone_digits(text)
    assert contact.phone_digits(digits) == digits
    assert contact.phone_is_valid(text) == contact.phone_is_valid(digits)
    issue = contact.phone_issue(text)
    assert issue is None or "電話番号" in issue


@given(TEXT)
@example("〒０２６－００２５")
@example(" 0260025 ")
def test_postal_normalisation_is_idempotent(text: str) -> None:
    once = contact.normalise_postal(text)
    assert contact.normalise_postal(once) == once
    issue = contact.postal_issue(text)
    assert issue is None or "郵便番号" in issue
    if issue is None and text.strip():
        assert re.fullmatch(r"\d{3}-\d{4}", once)


@given(st.from_regex(r"\A[0-9０-９]{3}[-－ー‐]?[0-9０-９]{4}\Z"))
def test_any_seven_digit_postal_code_is_accepted(text: str) -> None:
    assert contact.postal_issue(text) is None
    assert re.fullmatch(r"[0-9]{3}-[0-9]{4}", contact.normalise_postal(text))


@given(TEXT)
def test_email_url_and_coordinates_never_raise(text: str) -> None:
    for check in (contact.email_issue, contact.url_issue):
        assert check(text) is None or isinstance(check(text), str)
    for kind, limit in (("lat", 90), ("lon", 180)):
        value, issue = contact.parse_coordinate(text, kind=kind)
        assert value is None or (-limit <= value <= limit and issue is None)


@given(st.one_of(st.floats(), st.integers(-10**30, 10**30)))
def test_numeric_coordinates_are_in_range_or_an_issue(number: float) -> None:
    value, issue = contact.parse_coordinate(number, kind="lat")
    assert (value is None) or (-90 <= value <= 90)
    if not (-90 <= number <= 90):  # NaN falls here too
        assert value is None and issue


# --- dates and times -------------------------------------------------------------------------

@given(ANY_VALUE)
@example("令和元年5月1日")
@example("平成31年5月1日")  # after the era ended: still a real date in 平成 terms
@example("R1.4.30")  # before 令和 began
@example("2026/02/30")
@example("9" * 5000)
def test_parse_date_returns_a_date_none_or_value_error(value: object) -> None:
    try:
        result = parse_date(value)
    except ValueError as exc:
        assert "日付" in str(exc)
        return
    assert result is None or isinstance(result, dt.date)


@given(DATES, st.sampled_from(["wareki", "seireki"]))
def test_formatted_dates_parse_back(day: dt.date, style: str) -> None:
    assert parse_date(format_date(day, style)) == day
    assert parse_date(format_date(day, style, weekday=False)) == day


@given(ANY_VALUE)
@example("２４：００")
@example("9:5")
def test_parse_time_returns_hh_mm_none_or_value_error(value: object) -> None:
    try:
        result = parse_time(value)
    except ValueError:
        return
    assert result is None or re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", result)


@given(st.times())
def test_every_clock_time_parses(time: dt.time) -> None:
    text = f"{time.hour}:{time.minute:02d}"
    assert parse_time(text) == f"{time.hour:02d}:{time.minute:02d}"
    assert parse_time(text.translate(str.maketrans("0123456789:", "０１２３４５６７８９："))) == parse_time(text)


@given(ANY_VALUE)
def test_consultation_time_and_minutes_parsers(value: object) -> None:
    for parse, kinds in ((parse_local_datetime, (dt.datetime,)), (parse_minutes, (int,))):
        try:
            result = parse(value)
        except ValueError:
            continue
        assert result is None or isinstance(result, kinds)


# --- municipality and corporate codes --------------------------------------------------------

@given(st.from_regex(r"\A[0-9]{5}\Z"))
def test_completed_code_passes_its_own_check(first5: str) -> None:
    code = complete_lg_code(first5)
    assert len(code) == 6 and lg_code_issue(code) is None
    assert complete_lg_code(code) == code
    wrong = first5 + str((lg_check_digit(first5) + 1) % 10)
    assert "検査数字" in (lg_code_issue(wrong) or "")


@pytest.mark.parametrize("code", ["032115", "034614", "131016", "011002", "472018"])
def test_real_municipality_codes(code: str) -> None:
    assert lg_code_issue(code) is None
    assert complete_lg_code(code[:5]) == code


@given(TEXT)
def test_code_checks_take_any_text(text: str) -> None:
    issue = lg_code_issue(text)
    assert issue is None or "団体コード" in issue
    assert isinstance(complete_lg_code(text), str)
    assert isinstance(corporate_number_ok(text), bool)


# --- validation never raises -----------------------------------------------------------------

def _issues_ok(clean: object, issues: list[FieldIssue]) -> None:
    assert all(isinstance(i, FieldIssue) and i.message for i in issues)
    assert (clean is None) == any(i.is_error for i in issues)


OPT_TEXT = st.one_of(st.none(), TEXT)
DATE_LIKE = st.one_of(st.none(), TEXT, DATES)


@given(st.builds(
    MeetingInput, title=TEXT, type_id=OPT_TEXT, date=DATE_LIKE, start_time=st.one_of(DATE_LIKE, st.times()),
    end_time=st.one_of(DATE_LIKE, st.times()), venue_id=OPT_TEXT,
    organiser_kind=st.sampled_from(["団体", "連携拠点", "市町村", "", "x"]), organiser_association_id=OPT_TEXT,
    organiser_text=TEXT, co_organiser_ids=st.lists(TEXT, max_size=3), profession_ids=st.lists(TEXT, max_size=3),
    speakers=st.lists(st.builds(Speaker, TEXT, TEXT, TEXT), max_size=3),
    capacity=st.one_of(st.none(), st.integers(-5, 10**6)), agenda=TEXT,
    status=st.sampled_from(["計画中", "開催済", "中止", "", "?"]), minutes=TEXT, notes=TEXT, municipality_id=OPT_TEXT,
))
def test_validate_meeting_never_raises(data: MeetingInput) -> None:
    clean, issues = validate_meeting(data)
    _issues_ok(clean, issues)
    if clean is not None:
        assert clean.title and isinstance(clean.date, dt.date)


@given(st.builds(
    IssueInput, title=TEXT, description=TEXT, layer=st.sampled_from(["一次", "二次", "三次", "四次", ""]),
    status=st.sampled_from(["抽出", "解決", "", "?"]), priority=st.sampled_from(["高", "中", "低", ""]),
    source_association_id=OPT_TEXT, source_text=TEXT, raised_on=DATE_LIKE, municipality_id=OPT_TEXT,
    profession_ids=st.one_of(st.lists(TEXT, max_size=3), st.none(), TEXT), theme_ids=st.lists(TEXT, max_size=3),
    owner=TEXT, next_action=TEXT, next_due=DATE_LIKE, fed_back_on=DATE_LIKE, fed_back_how=TEXT,
))
def test_validate_issue_never_raises(data: IssueInput) -> None:
    clean, issues = validate_issue(data)
    _issues_ok(clean, issues)


@given(st.builds(
    ConsultationInput, window=st.sampled_from(["多職種向け", "一般向け", ""]), received_at=st.one_of(DATE_LIKE, st.datetimes()),
    channel=st.sampled_from(["電話", "来所", "?"]), requester_type=TEXT, requester_name=TEXT, person_name=TEXT,
    person_reading=TEXT, person_phone=TEXT, age_band=TEXT, care_level=TEXT, category_ids=st.lists(TEXT, max_size=3),
    question=TEXT, answer=TEXT, minutes_spent=st.one_of(ANY_VALUE), status=st.sampled_from(["受付", "終了", "?"]),
    handled_by=TEXT, follow_up_due=DATE_LIKE, district_id=OPT_TEXT, municipality_id=OPT_TEXT,
))
def test_validate_consultation_never_raises(data: ConsultationInput) -> None:
    clean, issues = validate_consultation(data, now=dt.datetime(2026, 11, 20, 12, 0))
    _issues_ok(clean, issues)
    if clean is not None:
        assert clean.person_phone == "" or clean.person_phone.isdigit()


@settings(max_examples=150)
@given(st.builds(
    ResourceInput, name=TEXT, reading=TEXT, category_id=OPT_TEXT, postal_code=TEXT, address=TEXT, phone=TEXT,
    fax=TEXT, email=TEXT, url=TEXT, lat=st.one_of(st.none(), TEXT, st.floats()), lon=st.one_of(st.none(), TEXT, st.floats()),
    last_confirmed=DATE_LIKE, shortstay_vacancies=st.one_of(st.none(), TEXT, st.integers()),
    shortstay_as_of=DATE_LIKE, procedure_marks=st.dictionaries(TEXT, TEXT, max_size=3),
    key_persons=st.lists(st.builds(KeyPerson, TEXT, TEXT, TEXT), max_size=3),
))
def test_validate_resource_never_raises(data: ResourceInput) -> None:
    clean, issues = validate_resource(data, today=dt.date(2026, 11, 20))
    _issues_ok(clean, issues)
    if clean is not None:
        assert clean.name and clean.category_id
        assert clean.shortstay_vacancies is None or 0 <= clean.shortstay_vacancies <= 999
