"""Validation of the resource form (domain/resource.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from zaitaku_desktop.domain.errors import FieldIssue, ValidationError
from zaitaku_desktop.domain.resource import KeyPerson, ResourceInput, validate_resource

TODAY = dt.date(2026, 12, 5)


def _ok(**overrides: object) -> ResourceInput:
    values: dict = dict(name="かまいし在宅クリニック", category_id="cat-1")
    values.update(overrides)
    return ResourceInput(**values)


def _check(data: ResourceInput):
    clean, issues = validate_resource(data, today=TODAY)
    return clean, issues


def _errors(issues: list[FieldIssue]) -> dict[str, str]:
    return {i.field: i.message for i in issues if i.is_error}


def _warnings(issues: list[FieldIssue]) -> dict[str, str]:
    return {i.field: i.message for i in issues if not i.is_error}


def test_empty_form_needs_name_and_category() -> None:
    clean, issues = _check(ResourceInput())
    assert clean is None
    errors = _errors(issues)
    assert set(errors) == {"name", "category_id"}
    assert errors["name"] == "名称を入力してください"
    assert errors["category_id"] == "種別を選んでください"


def test_blank_name_counts_as_empty() -> None:
    clean, issues = _check(_ok(name=" 　\t"))
    assert clean is None
    assert set(_errors(issues)) == {"name"}


def test_minimal_valid_resource() -> None:
    clean, issues = _check(_ok())
    assert issues == []
    assert clean is not None
    assert clean.name == "かまいし在宅クリニック"
    assert clean.category_id == "cat-1"
    assert clean.municipality_id is None and clean.district_id is None
    assert clean.lat is None and clean.lon is None
    assert clean.shortstay_vacancies is None and clean.shortstay_as_of is None


def test_very_long_name_reports_the_count() -> None:
    clean, issues = _check(_ok(name="あ" * 10_000))
    assert clean is None
    message = _errors(issues)["name"]
    assert "10,000文字" in message
    assert "200" in message


def test_name_at_the_limit_passes() -> None:
    clean, _ = _check(_ok(name="あ" * 200))
    assert clean is not None and len(clean.name) == 200
    clean, issues = _check(_ok(name="あ" * 201))
    assert clean is None and "201文字" in _errors(issues)["name"]


@pytest.mark.parametrize("name", [
    "🏥 はまゆり訪問看護ステーション 🌊",
    "ｶﾏｲｼ ﾔｯｷｮｸ",
    "訪問介護 ひだまり👩‍⚕️",
    "Ｓａｎｒｉｋｕ　クリニック",
])
def test_unusual_names_pass_and_are_kept_exactly(name: str) -> None:
    clean, issues = _check(_ok(name=name))
    assert issues == []
    assert clean is not None
    assert clean.name == name  # no NFKC, no kana folding of what the user typed


def test_surrounding_spaces_are_trimmed_from_name() -> None:
    clean, _ = _check(_ok(name="  釜石薬局  "))
    assert clean is not None and clean.name == "釜石薬局"


def test_bad_phone_and_fax_are_warnings_only() -> None:
    clean, issues = _check(_ok(phone="非公開", fax="0193-22"))
    assert clean is not None
    assert _errors(issues) == {}
    warnings = _warnings(issues)
    assert set(warnings) == {"phone", "fax"}
    assert "非公開" in warnings["phone"] and "0193-22" in warnings["fax"]
    assert clean.phone == "非公開"  # kept as typed
    assert clean.fax == "0193-22"


def test_phone_kept_in_its_typed_form() -> None:
    clean, issues = _check(_ok(phone=" ０１９３－２２－１２３４ "))
    assert issues == []
    assert clean is not None and clean.phone == "０１９３－２２－１２３４"


@pytest.mark.parametrize(("field", "value"), [
    ("postal_code", "026-002"),
    ("url", "www.example.jp"),
    ("email", "info@example"),
    ("lat", "91"),
    ("lon", "200"),
    ("lat", "abc"),
])
def test_bad_postal_url_email_coordinates_are_errors(field: str, value: str) -> None:
    other = {"lat": ("lon", "141.88"), "lon": ("lat", "39.27")}.get(field)
    overrides = {field: value}
    if other:
        overrides[other[0]] = other[1]
    clean, issues = _check(_ok(**overrides))
    assert clean is None
    assert field in _errors(issues)


def test_postal_code_is_normalised_in_the_clean_record() -> None:
    clean, issues = _check(_ok(postal_code="〒０２６－００２５"))
    assert issues == []
    assert clean is not None and clean.postal_code == "026-0025"


def test_coordinates_must_come_in_pairs() -> None:
    clean, issues = _check(_ok(lat="39.27"))
    assert clean is None
    assert "両方" in _errors(issues)["lat"]
    clean, issues = _check(_ok(lat="39.27", lon="141.88"))
    assert clean is not None and (clean.lat, clean.lon) == (39.27, 141.88)
    # 0/0 from open data means "unknown", not a point in the sea
    clean, issues = _check(_ok(lat="0", lon="0"))
    assert clean is not None and clean.lat is None and clean.lon is None


def test_district_without_municipality_is_an_error() -> None:
    clean, issues = _check(_ok(district_id="d-1"))
    assert clean is None
    assert set(_errors(issues)) == {"district_id"}
    clean, issues = _check(_ok(district_id="d-1", municipality_id="m-1"))
    assert clean is not None and clean.district_id == "d-1" and clean.municipality_id == "m-1"


def test_last_confirmed_parsed_and_not_in_the_future() -> None:
    clean, _ = _check(_ok(last_confirmed="R8.6.10"))
    assert clean is not None and clean.last_confirmed == dt.date(2026, 6, 10)
    clean, issues = _check(_ok(last_confirmed="2026/12/06"))
    assert clean is None and "未来" in _errors(issues)["last_confirmed"]
    clean, issues = _check(_ok(last_confirmed="2026/13/40"))
    assert clean is None and _errors(issues)["last_confirmed"].startswith("最終確認日：日付")


@pytest.mark.parametrize(("raw", "expected"), [("3", 3), (" 12 ", 12), (0, 0), ("３", 3), (999, 999)])
def test_shortstay_vacancies_parse(raw: object, expected: int) -> None:
    clean, issues = _check(_ok(shortstay_vacancies=raw, shortstay_as_of="2026/12/01"))
    assert issues == []
    assert clean is not None
    assert clean.shortstay_vacancies == expected
    assert clean.shortstay_as_of == dt.date(2026, 12, 1)


@pytest.mark.parametrize("raw", ["-1", "1000", "2.5", "数床", "3床"])
def test_shortstay_vacancies_rejected(raw: str) -> None:
    clean, issues = _check(_ok(shortstay_vacancies=raw))
    assert clean is None
    message = _errors(issues)["shortstay_vacancies"]
    assert raw in message and "0〜999" in message


def test_shortstay_date_defaults_to_today_and_is_dropped_without_vacancies() -> None:
    clean, _ = _check(_ok(shortstay_vacancies="2"))
    assert clean is not None and clean.shortstay_as_of == TODAY
    clean, _ = _check(_ok(shortstay_vacancies="", shortstay_as_of="2026/12/01"))
    assert clean is not None and clean.shortstay_vacancies is None and clean.shortstay_as_of is None


def test_shortstay_bad_date_is_an_error() -> None:
    clean, issues = _check(_ok(shortstay_vacancies="2", shortstay_as_of="abc"))
    assert clean is None
    assert set(_errors(issues)) == {"shortstay_as_of"}


def test_procedure_marks_accept_aliases_and_drop_blanks() -> None:
    clean, issues = _check(_ok(procedure_marks={"p1": "〇", "p2": "要相談", "p3": "x", "p4": "", "p5": "未確認"}))
    assert issues == []
    assert clean is not None and clean.procedure_marks == {"p1": "○", "p2": "△", "p3": "×"}
    clean, issues = _check(_ok(procedure_marks={"p1": "たぶん"}))
    assert clean is None and "たぶん" in _errors(issues)["procedures"]


def test_key_persons_blank_rows_skipped_and_name_required() -> None:
    persons = [KeyPerson(" 佐々木 花子 ", "MSW", "0193-22-1234"), KeyPerson("", "", ""), KeyPerson("", "看護師", "")]
    clean, issues = _check(_ok(key_persons=persons))
    assert clean is None
    assert "キーパーソン3人目の氏名" in _errors(issues)["key_persons"]
    clean, issues = _check(_ok(key_persons=persons[:2]))
    assert clean is not None
    assert clean.key_persons == [KeyPerson("佐々木 花子", "MSW", "0193-22-1234")]


def test_key_person_bad_phone_is_a_warning() -> None:
    clean, issues = _check(_ok(key_persons=[KeyPerson("佐々木", "", "内線12")]))
    assert clean is not None
    assert "キーパーソン1人目の電話番号" in _warnings(issues)["key_persons"]


def test_capabilities_are_deduplicated_and_sorted() -> None:
    clean, _ = _check(_ok(capability_ids=["b", "a", "b"]))
    assert clean is not None and clean.capability_ids == ["a", "b"]


def test_notes_keep_inner_whitespace_and_length_limit() -> None:
    clean, _ = _check(_ok(notes="  一行目\n  二行目  "))
    assert clean is not None and clean.notes == "  一行目\n  二行目  "
    clean, issues = _check(_ok(notes="x" * 20_001))
    assert clean is None and "20,001文字" in _errors(issues)["notes"]


def test_validation_error_lists_only_the_errors() -> None:
    _, issues = _check(ResourceInput(phone="非公開"))
    error = ValidationError(issues=issues)
    assert error.message.startswith("入力内容を確認してください。")
    assert "・名称を入力してください" in error.message
    assert "・種別を選んでください" in error.message
    assert "非公開" not in error.message  # the phone warning is not an error
    assert str(error) == error.message
    assert len(error.issues) == 3
