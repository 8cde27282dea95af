"""The resource (provider) record as the user types it, and its validation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import contact
from .dates import parse_date
from .errors import FieldIssue
from .vocab import MARK_ALIASES

NAME_MAX = 200
TEXT_MAX = 2000
NOTES_MAX = 20000


@dataclass
class KeyPerson:
    name: str = ""
    role: str = ""
    phone: str = ""


@dataclass
class ResourceInput:
    """Everything the form (or an importer) supplies for one provider.

    Vocabulary references are ids; free text is kept exactly as typed.
    """

    name: str = ""
    reading: str = ""
    category_id: str | None = None
    municipality_id: str | None = None
    district_id: str | None = None
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""
    url: str = ""
    lat: str | float | None = None
    lon: str | float | None = None
    opening_hours: str = ""
    visit_area: str = ""
    notes: str = ""
    last_confirmed: str | dt.date | None = None
    confirmed_source: str = ""
    shortstay_vacancies: str | int | None = None
    shortstay_as_of: str | dt.date | None = None
    capability_ids: list[str] = field(default_factory=list)
    procedure_marks: dict[str, str] = field(default_factory=dict)  # procedure id → ○/△/×
    key_persons: list[KeyPerson] = field(default_factory=list)


@dataclass
class CleanResource:
    """A validated resource, with parsed values ready to store."""

    name: str
    reading: str
    category_id: str
    municipality_id: str | None
    district_id: str | None
    postal_code: str
    address: str
    phone: str
    fax: str
    email: str
    url: str
    lat: float | None
    lon: float | None
    opening_hours: str
    visit_area: str
    notes: str
    last_confirmed: dt.date | None
    confirmed_source: str
    shortstay_vacancies: int | None
    shortstay_as_of: dt.date | None
    capability_ids: list[str]
    procedure_marks: dict[str, str]
    key_persons: list[KeyPerson]


def _length_issue(field_name: str, label: str, value: str, limit: int) -> FieldIssue | None:
    if len(value) > limit:
        return FieldIssue(field_name, f"{label}は{limit:,}文字以内で入力してください（現在{len(value):,}文字）")
    return None


def validate_resource(data: ResourceInput, today: dt.date | None = None) -> tuple[CleanResource | None, list[FieldIssue]]:
    """Check a resource. Returns the clean record (None when there are errors) and all issues."""
    today = today or dt.date.today()
    issues: list[FieldIssue] = []

    def add(issue: FieldIssue | None) -> None:
        if issue is not None:
            issues.append(issue)

    name = (data.name or "").strip()
    if not name:
        add(FieldIssue("name", "名称を入力してください"))
    add(_length_issue("name", "名称", name, NAME_MAX))
    reading = (data.reading or "").strip()
    add(_length_issue("reading", "読み", reading, NAME_MAX))
    if not data.category_id:
        add(FieldIssue("category_id", "種別を選んでください"))
    if data.district_id and not data.municipality_id:
        add(FieldIssue("district_id", "地区を選ぶときは市町村も選んでください"))

    for field_name, label, limit in (
        ("address", "住所", TEXT_MAX), ("opening_hours", "営業日・時間", TEXT_MAX),
        ("visit_area", "訪問エリア", TEXT_MAX), ("confirmed_source", "確認方法", TEXT_MAX),
        ("notes", "備考", NOTES_MAX), ("email", "メールアドレス", 320), ("url", "URL", TEXT_MAX),
    ):
        add(_length_issue(field_name, label, getattr(data, field_name) or "", limit))

    postal = contact.normalise_postal(data.postal_code)
    if (message := contact.postal_issue(data.postal_code)):
        add(FieldIssue("postal_code", message))
    for field_name, label in (("phone", "電話番号"), ("fax", "FAX番号")):
        if (message := contact.phone_issue(getattr(data, field_name), label)):
            add(FieldIssue(field_name, message, "warning"))
    if (message := contact.email_issue(data.email)):
        add(FieldIssue("email", message))
    if (message := contact.url_issue(data.url)):
        add(FieldIssue("url", message))
    lat, lat_issue = contact.parse_coordinate(data.lat, kind="lat")
    lon, lon_issue = contact.parse_coordinate(data.lon, kind="lon")
    if lat_issue:
        add(FieldIssue("lat", lat_issue))
    if lon_issue:
        add(FieldIssue("lon", lon_issue))
    if (lat is None) != (lon is None) and not (lat_issue or lon_issue):
        add(FieldIssue("lat", "緯度と経度は両方入力するか、両方空にしてください"))

    last_confirmed = None
    try:
        last_confirmed = parse_date(data.last_confirmed)
    except ValueError as exc:
        add(FieldIssue("last_confirmed", f"最終確認日：{exc}"))
    if last_confirmed and last_confirmed > today:
        add(FieldIssue("last_confirmed", "最終確認日が未来の日付になっています"))

    vacancies: int | None = None
    raw_vac = data.shortstay_vacancies
    if raw_vac not in (None, ""):
        try:
            vacancies = int(str(raw_vac).strip())
            if vacancies < 0 or vacancies > 999:
                raise ValueError
        except ValueError:
            add(FieldIssue("shortstay_vacancies", f"ショートステイ空き数「{raw_vac}」は0〜999の数で入力してください"))
            vacancies = None
    shortstay_as_of = None
    try:
        shortstay_as_of = parse_date(data.shortstay_as_of)
    except ValueError as exc:
        add(FieldIssue("shortstay_as_of", f"空き状況の日付：{exc}"))
    if vacancies is not None and shortstay_as_of is None and "shortstay_as_of" not in {i.field for i in issues}:
        shortstay_as_of = today

    marks: dict[str, str] = {}
    for proc_id, raw_mark in data.procedure_marks.items():
        mark = MARK_ALIASES.get((raw_mark or "").strip())
        if mark is None:
            add(FieldIssue("procedures", f"医療処置の記号「{raw_mark}」は ○・△・× のいずれかにしてください"))
        elif mark:
            marks[proc_id] = mark

    persons: list[KeyPerson] = []
    for index, person in enumerate(data.key_persons, start=1):
        p_name = (person.name or "").strip()
        p_role = (person.role or "").strip()
        p_phone = (person.phone or "").strip()
        if not (p_name or p_role or p_phone):
            continue
        if not p_name:
            add(FieldIssue("key_persons", f"キーパーソン{index}人目の氏名を入力してください"))
        add(_length_issue("key_persons", f"キーパーソン{index}人目の氏名", p_name, NAME_MAX))
        if (message := contact.phone_issue(p_phone, f"キーパーソン{index}人目の電話番号")):
            add(FieldIssue("key_persons", message, "warning"))
        persons.append(KeyPerson(p_name, p_role, p_phone))

    if any(i.is_error for i in issues):
        return None, issues
    assert data.category_id is not None
    clean = CleanResource(
        name=name, reading=reading, category_id=data.category_id,
        municipality_id=data.municipality_id or None, district_id=data.district_id or None,
        postal_code=postal, address=(data.address or "").strip(), phone=(data.phone or "").strip(),
        fax=(data.fax or "").strip(), email=(data.email or "").strip(), url=(data.url or "").strip(),
        lat=lat, lon=lon, opening_hours=(data.opening_hours or "").strip(),
        visit_area=(data.visit_area or "").strip(), notes=data.notes or "",
        last_confirmed=last_confirmed, confirmed_source=(data.confirmed_source or "").strip(),
        shortstay_vacancies=vacancies, shortstay_as_of=shortstay_as_of if vacancies is not None else None,
        capability_ids=sorted(set(data.capability_ids)), procedure_marks=marks, key_persons=persons,
    )
    return clean, issues


SEARCH_SEP = "\u0001"


def resource_search_text(
    *, name: str, reading: str, address: str, phone: str, fax: str,
    district: str = "", key_persons: list[KeyPerson] | tuple = (), email: str = "",
) -> str:
    """The folded text the search box looks in, one part per field.

    Phone numbers are kept as digits so '0193-22' and '019322' both find them.
    """
    from .contact import phone_digits
    from .text import search_key

    parts = [search_key(name), search_key(reading), search_key(address), search_key(district),
             phone_digits(phone), phone_digits(fax), search_key(email)]
    for person in key_persons:
        parts.append(search_key(person.name))
        parts.append(search_key(person.role))
        parts.append(phone_digits(person.phone))
    return SEARCH_SEP.join(p for p in parts if p)


def search_terms(query: str) -> list[str]:
    """Split a search-box query into folded terms; every term must match."""
    from .contact import phone_digits
    from .text import nfkc, normalise_query

    terms: list[str] = []
    for word in nfkc(query or "").split():
        key, digits = normalise_query(word)
        if digits:
            terms.append(digits)
        elif key:
            terms.append(phone_digits(key) if key.replace("-", "").isdigit() else key)
    return terms


def matches(search_text: str, terms: list[str]) -> bool:
    return all(term in search_text for term in terms)
