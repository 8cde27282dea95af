"""Consultation intake (task オ): the fixed lists a consultation is recorded with, and the rules that
protect the person concerned. Pure Python: no database, no Qt."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .dates import fiscal_year, parse_date
from .errors import DomainError, FieldIssue
from .text import digits_only, nfkc, search_key

WINDOWS: tuple[str, ...] = ("多職種向け", "一般向け")
CHANNELS: tuple[str, ...] = ("電話", "来所", "FAX", "メール", "訪問", "その他")
REQUESTER_TYPES: tuple[str, ...] = (
    "本人", "家族", "ケアマネ", "地域包括支援センター", "病院MSW/連携室", "診療所", "訪問看護", "薬局", "民生委員",
    "行政", "その他",
)
# Requesters who are members of the public: their window defaults to 一般向け.
CITIZEN_REQUESTERS: frozenset[str] = frozenset({"本人", "家族", "民生委員"})
STATUSES: tuple[str, ...] = ("受付", "対応中", "紹介済", "終了", "継続")
OPEN_STATUSES: frozenset[str] = frozenset({"受付", "対応中", "紹介済", "継続"})
# Allowed moves: forward along 受付 → 対応中 → 紹介済 → 終了, 継続 from any open state, and reopening.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    "受付": ("対応中", "紹介済", "終了", "継続"),
    "対応中": ("紹介済", "終了", "継続"),
    "紹介済": ("対応中", "終了", "継続"),
    "継続": ("対応中", "紹介済", "終了"),
    "終了": ("対応中", "継続"),
}
AGE_BANDS: tuple[str, ...] = ("", "40歳未満", "40〜64歳", "65〜74歳", "75〜84歳", "85〜94歳", "95歳以上", "不明")
CARE_LEVELS: tuple[str, ...] = (
    "", "未申請", "申請中", "非該当", "事業対象者", "要支援1", "要支援2", "要介護1", "要介護2", "要介護3", "要介護4",
    "要介護5", "不明",
)
REFERRAL_HOWS: tuple[str, ...] = ("電話", "FAX", "メール", "紹介状", "同行", "窓口案内", "その他")
CONTACT_KINDS: tuple[str, ...] = ("受付", "折り返し", "紹介", "紹介先の結果", "本人・家族へ連絡", "その他")
CONSENT_METHODS: tuple[str, ...] = ("口頭", "書面", "電話", "その他")
# What the access log records. Each entry names ids and kinds only, never a person's name or case text.
ACCESS_ACTIONS: dict[str, str] = {
    "view": "個人情報の表示",
    "reveal": "一覧で氏名を表示",
    "export": "書き出し（氏名を含む）",
    "print": "印刷（個人情報を含む）",
    "consent": "同意の記録・撤回",
}
# The seeded categories (an editable vocabulary, 設定 → 相談の分類), with readings for sorting.
DEFAULT_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("在宅医療の開始", "ざいたくいりょうのかいし"),
    ("退院調整", "たいいんちょうせい"),
    ("かかりつけ医・訪問診療の紹介", "かかりつけい・ほうもんしんりょうのしょうかい"),
    ("訪問看護", "ほうもんかんご"),
    ("歯科・口腔", "しか・こうくう"),
    ("服薬・薬局", "ふくやく・やっきょく"),
    ("介護保険・サービス", "かいごほけん・さーびす"),
    ("看取り・終末期", "みとり・しゅうまつき"),
    ("認知症", "にんちしょう"),
    ("急変時・24時間対応", "きゅうへんじ・24じかんたいおう"),
    ("連携・情報共有", "れんけい・じょうほうきょうゆう"),
    ("制度・費用", "せいど・ひよう"),
    ("その他", "そのほか"),  # last by its sort order
)


def mask_name(name: str) -> str:
    """What the list shows until names are revealed: the first character and ○ for the rest of each part
    (「釜石 花子」 → 「釜○ 花○」, 「林」 → 「林○」); the length is not given away beyond three marks."""
    return " ".join(p[0] + "○" * max(1, min(len(p) - 1, 3)) for p in (name or "").split())


def case_number(year: int, serial: int) -> str:
    """The number a case is known by on paper: 2026-0042."""
    return f"{year}-{serial:04d}"


# --- rules (validation, status moves, duplicate keys, quarters, cross tables) -------------------------------

# Times are entered and shown as Japan's wall clock; the database keeps UTC. Japan has no daylight saving.
JST = dt.timezone(dt.timedelta(hours=9), "JST")
MINUTES_MAX = 600
NAME_MAX = 100
TEXT_MAX = 20000
FUTURE_SLACK = dt.timedelta(days=1)
PHONE_MIN_DIGITS = 6  # fewer digits than this are not compared by the duplicate check
# Statuses a referral moves to 紹介済.
REFERRAL_MOVES_FROM: frozenset[str] = frozenset({"受付", "対応中"})
CONSENT_REQUIRED = ("本人の同意が記録されていません。個人情報（氏名・連絡先など）を紹介先へ伝える前に、"
                    "同意を得て「同意の記録」で記録してください。")


class ConsentRequiredError(DomainError):
    """Personal fields were to be passed on, but the case has no active consent: ask for it first."""

    def __init__(self, message: str = CONSENT_REQUIRED) -> None:
        super().__init__(message)


@dataclass(frozen=True)
class CleanConsultation:
    """A consultation as the service stores it: received_at is aware UTC, phone digits only, reading folded."""

    window: str
    received_at: dt.datetime
    channel: str
    requester_type: str
    requester_name: str
    requester_affiliation: str
    requester_contact: str
    person_name: str
    person_reading: str
    person_phone: str
    age_band: str
    municipality_id: str | None
    district_id: str | None
    care_level: str
    category_ids: tuple[str, ...]
    question: str
    answer: str
    minutes_spent: int | None
    status: str
    handled_by: str
    follow_up_due: dt.date | None
    case_id: str | None

    @property
    def has_person(self) -> bool:
        return bool(self.person_name or self.person_reading or self.person_phone)


_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−－"})
_DATETIME_RE = re.compile(r"^(.+?)[\sT]+(\d{1,2})[:時](\d{2})分?(?::\d{2}(?:\.\d+)?)?$")


def parse_local_datetime(value: object) -> dt.datetime | None:
    """What the form sends for a local (Japan) time: a datetime, a date (00:00), or text like
    「2026/11/20 14:30」「令和8年11月20日 14:30」「2026-11-20」. None for empty; ValueError when unreadable."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(JST).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    text = nfkc(str(value)).strip().translate(_DASHES)
    if not text:
        return None
    match = _DATETIME_RE.match(text)
    day_text, hour, minute = (match.group(1), int(match.group(2)), int(match.group(3))) if match else (text, 0, 0)
    day = parse_date(day_text)
    if day is None or hour > 23 or minute > 59:
        raise ValueError(text)
    return dt.datetime.combine(day, dt.time(hour, minute))


def to_utc(local: dt.datetime) -> dt.datetime:
    """Local (Japan) wall clock (naive) → an aware UTC datetime, as stored."""
    return (local.replace(tzinfo=JST) if local.tzinfo is None else local).astimezone(dt.timezone.utc)


def to_local(stored: dt.datetime) -> dt.datetime:
    """Stored UTC (naive or aware) → local (Japan) wall clock, naive."""
    aware = stored if stored.tzinfo else stored.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone(JST).replace(tzinfo=None)


def local_now() -> dt.datetime:
    return dt.datetime.now(JST).replace(tzinfo=None)


def parse_minutes(value: object) -> int | None:
    """「15」「１５」「15分」 or an int → minutes; empty → None; ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    text = nfkc(str(value)).strip().removesuffix("分").strip()
    if not text:
        return None
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(text)
    return int(text)


def status_move_issue(current: str, new: str) -> FieldIssue | None:
    """None when ``current`` → ``new`` is allowed (or no move), else the Japanese reason."""
    if new == current:
        return None
    if new not in STATUSES:
        return FieldIssue("status", f"状況は{'・'.join(STATUSES)}から選んでください")
    allowed = NEXT_STATUSES.get(current, ())
    if new not in allowed:
        return FieldIssue("status", f"状況を「{current}」から「{new}」へは変えられません"
                                    f"（変えられるのは {'・'.join(allowed)}）")
    return None


def _choice(issues: list[FieldIssue], name: str, value: str, choices: tuple[str, ...], label: str) -> None:
    if value not in choices:
        issues.append(FieldIssue(name, f"{label}は{'・'.join(c for c in choices if c)}から選んでください"))


def validate_consultation(data, *, now: dt.datetime | None = None,
                          current_status: str | None = None) -> tuple[CleanConsultation | None, list[FieldIssue]]:
    """Check what the intake form sends (services.consultations.ConsultationInput). Returns the clean value
    (None when there are errors) and every issue. ``now`` is local time (tests pass a fixed one);
    ``current_status`` is the stored status when editing, so that the move can be checked.
    Messages name the field, never the value typed into a personal field."""
    issues: list[FieldIssue] = []
    now = now or local_now()
    _choice(issues, "window", data.window, WINDOWS, "窓口")
    _choice(issues, "channel", data.channel, CHANNELS, "受付方法")
    _choice(issues, "requester_type", data.requester_type, REQUESTER_TYPES, "相談者の区分")
    _choice(issues, "age_band", data.age_band or "", AGE_BANDS, "年代")
    _choice(issues, "care_level", data.care_level or "", CARE_LEVELS, "要介護度")
    received = None
    try:
        received = parse_local_datetime(data.received_at)
    except ValueError:
        issues.append(FieldIssue("received_at", "受付日時を「2026/11/20 14:30」のように入力してください"))
    else:
        if received is None:
            issues.append(FieldIssue("received_at", "受付日時を入力してください"))
        elif received > now + FUTURE_SLACK:
            issues.append(FieldIssue("received_at", "受付日時が先の日付になっています。日付を確かめてください"))
    minutes = None
    try:
        minutes = parse_minutes(data.minutes_spent)
    except ValueError:
        issues.append(FieldIssue("minutes_spent", "対応時間は分の数（例：15）で入力してください"))
    else:
        if minutes is not None and not 0 <= minutes <= MINUTES_MAX:
            issues.append(FieldIssue("minutes_spent", f"対応時間は0〜{MINUTES_MAX}分の範囲で入力してください"))
    follow_up = None
    try:
        follow_up = parse_date(data.follow_up_due)
    except ValueError:
        issues.append(FieldIssue("follow_up_due", "次の対応日を正しく入力してください（例：2026/11/27）"))
    else:
        if follow_up is not None and received is not None and follow_up < received.date():
            issues.append(FieldIssue("follow_up_due", "次の対応日は受付日より後にしてください"))
    if current_status is None:
        _choice(issues, "status", data.status, STATUSES, "状況")
    elif (problem := status_move_issue(current_status, data.status)) is not None:
        issues.append(problem)
    texts = {name: (getattr(data, name) or "").strip() for name in (
        "requester_name", "requester_affiliation", "requester_contact", "person_name", "person_reading",
        "person_phone", "handled_by")}
    labels = {"requester_name": "相談者の氏名", "requester_affiliation": "相談者の所属",
              "requester_contact": "相談者の連絡先", "person_name": "本人の氏名", "person_reading": "本人のよみがな",
              "person_phone": "本人の電話番号", "handled_by": "対応者"}
    for name, value in texts.items():
        if len(value) > NAME_MAX:
            issues.append(FieldIssue(name, f"{labels[name]}は{NAME_MAX}文字以内で入力してください"))
    phone = digits_only(texts["person_phone"])
    if texts["person_phone"] and not PHONE_MIN_DIGITS <= len(phone) <= 15:
        issues.append(FieldIssue("person_phone", "本人の電話番号は数字6〜15桁で入力してください（例：0193-22-1234）"))
    question, answer = (data.question or "").strip(), (data.answer or "").strip()
    for name, value, label in (("question", question, "相談内容"), ("answer", answer, "回答・対応")):
        if len(value) > TEXT_MAX:
            issues.append(FieldIssue(name, f"{label}は{TEXT_MAX:,}文字以内で入力してください"))
    if not data.category_ids:
        issues.append(FieldIssue("category_ids", "相談の分類を1つ以上選んでください", "warning"))
    if data.district_id and not data.municipality_id:
        issues.append(FieldIssue("municipality_id", "地区を選んだときは市町村も選んでください"))
    if any(i.is_error for i in issues) or received is None:
        return None, issues
    return CleanConsultation(
        window=data.window, received_at=to_utc(received), channel=data.channel, requester_type=data.requester_type,
        requester_name=texts["requester_name"], requester_affiliation=texts["requester_affiliation"],
        requester_contact=texts["requester_contact"], person_name=texts["person_name"],
        person_reading=search_key(texts["person_reading"]), person_phone=phone, age_band=data.age_band or "",
        municipality_id=data.municipality_id or None, district_id=data.district_id or None,
        care_level=data.care_level or "", category_ids=tuple(dict.fromkeys(c for c in data.category_ids if c)),
        question=question, answer=answer, minutes_spent=minutes, status=data.status,
        handled_by=texts["handled_by"], follow_up_due=follow_up, case_id=data.case_id or None,
    ), issues


def default_window(requester_type: str) -> str:
    """Members of the public go to the citizens' window, professionals to the professionals' one."""
    return WINDOWS[1] if requester_type in CITIZEN_REQUESTERS else WINDOWS[0]


# --- the duplicate check ----------------------------------------------------------------------------------

def reading_key(reading: str = "", name: str = "") -> str:
    """The folded reading a person is matched by; the folded name when no reading was given."""
    return search_key(reading) or search_key(name)


def phone_key(phone: str) -> str:
    """Phone digits worth comparing ("" when too short to identify anyone)."""
    digits = digits_only(phone)
    return digits if len(digits) >= PHONE_MIN_DIGITS else ""


def same_area(district_id: str | None, municipality_id: str | None,
              other_district_id: str | None, other_municipality_id: str | None) -> bool:
    """Same 地区 when the new entry names one, else the same municipality, else both without an area."""
    if district_id:
        return district_id == other_district_id
    if municipality_id:
        return municipality_id == other_municipality_id
    return not other_district_id and not other_municipality_id


# --- fiscal quarters -------------------------------------------------------------------------------------

def fiscal_quarter(day: dt.date) -> tuple[int, int]:
    """(fiscal year, quarter 1..4): April–June is 第1四半期, January–March 第4."""
    return fiscal_year(day), (day.month - 4) % 12 // 3 + 1


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}年度第{quarter}四半期"


def quarter_range(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first_month = 4 + (quarter - 1) * 3
    start = dt.date(year + (first_month - 1) // 12, (first_month - 1) % 12 + 1, 1)
    after = dt.date(start.year + (start.month + 2) // 12, (start.month + 2) % 12 + 1, 1)
    return start, after - dt.timedelta(days=1)


def period_label(days: list[dt.date]) -> str:
    """The quarter the days fall in, or 「2026年7月〜2026年12月」 when they span several."""
    if not days:
        return ""
    quarters = {fiscal_quarter(d) for d in days}
    if len(quarters) == 1:
        return quarter_label(*quarters.pop())
    first, last = min(days), max(days)
    return f"{first.year}年{first.month}月〜{last.year}年{last.month}月"


def promotion_source_text(category: str, count: int, period: str) -> str:
    """Where a promoted issue came from, without any personal data: 「相談受付（退院調整・5件、2026年度第3四半期）」."""
    return f"相談受付（{category}・{count}件、{period}）" if period else f"相談受付（{category}・{count}件）"


# --- statistics --------------------------------------------------------------------------------------------

def month_keys(start: dt.date, end: dt.date) -> list[str]:
    """"YYYY-MM" for every month from start to end (inclusive), as SQLite's strftime('%Y-%m') gives them."""
    keys: list[str] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def month_label(key: str) -> str:
    year, month = key.split("-")
    return f"{int(year)}年{int(month)}月"


def cross_cells(counts: dict[tuple[str, str], int], row_keys: list[str],
                column_keys: list[str]) -> tuple[tuple[int, ...], ...]:
    """cells[row][column] from a {(row key, column key): count} mapping (missing pairs are 0)."""
    return tuple(tuple(counts.get((r, c), 0) for c in column_keys) for r in row_keys)


def ordered_keys(fixed: tuple[str, ...], seen) -> list[str]:
    """The fixed list's order, then any other value found in the data (e.g. an old list entry)."""
    extra = sorted(set(seen) - set(fixed))
    return [k for k in fixed if k] + extra
