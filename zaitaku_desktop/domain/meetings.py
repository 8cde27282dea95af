"""The meeting scheduler (tasks イ ウ カ キ): kinds, statuses, recurrence and the rules a meeting follows.

Pure Python: no database, no Qt. The service layer turns stored rows into the plain
values these functions take.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from zaitaku_desktop.domain.dates import parse_date
from zaitaku_desktop.domain.errors import FieldIssue
from zaitaku_desktop.domain.text import search_key

MEETING_LAYERS: tuple[str, ...] = ("一次", "二次", "三次", "住民向け")
TASK_LETTERS = "アイウエオカキク"
STATUSES: tuple[str, ...] = ("計画中", "案内済", "開催済", "中止", "延期")
HELD_STATUS = "開催済"
ORGANISER_KINDS: tuple[str, ...] = ("団体", "連携拠点", "市町村")
ISSUE_ROLES: tuple[str, ...] = ("提起", "検討", "決定")
ATTENDANCE_ROLES: tuple[str, ...] = ("講師", "参加者", "スタッフ", "来賓")
ATTENDANCE_STATUSES: tuple[str, ...] = ("申込", "出席", "欠席", "取消")
CITIZENS_LABEL = "住民"
OTHERS_LABEL = "その他"
TITLE_MAX = 200
MAX_OCCURRENCES = 500


@dataclass(frozen=True)
class MeetingTypeSeed:
    name: str
    reading: str
    layer: str
    tasks: str
    default_minutes: int
    agenda_template: str = ""


# The kinds of gathering named in the seeds (DOMAIN.md), with the layer and tasks they count for.
MEETING_TYPES: tuple[MeetingTypeSeed, ...] = (
    MeetingTypeSeed("打ち合わせ会", "うちあわせかい", "一次", "イ", 90,
                    "1. 近況の共有\n2. 困っていること\n3. 連携拠点への要望\n4. 次回の日程"),
    MeetingTypeSeed("研修会", "けんしゅうかい", "二次", "カ", 120,
                    "1. 開会\n2. 講義\n3. グループワーク\n4. 質疑応答\n5. アンケート記入・閉会"),
    MeetingTypeSeed("同行訪問研修", "どうこうほうもんけんしゅう", "二次", "カ", 120,
                    "1. 事前説明\n2. 同行訪問\n3. 振り返り"),
    MeetingTypeSeed("意見交換会", "いけんこうかんかい", "二次", "イカ", 90,
                    "1. 趣旨説明\n2. 意見交換\n3. まとめ"),
    MeetingTypeSeed("合同会議", "ごうどうかいぎ", "二次", "イ", 90, "1. 報告\n2. 協議\n3. その他"),
    MeetingTypeSeed("協議会", "きょうぎかい", "三次", "イウ", 120,
                    "1. 開会\n2. 報告事項\n3. 協議事項\n4. その他\n5. 閉会"),
    MeetingTypeSeed("検討会", "けんとうかい", "三次", "イウ", 120, "1. 報告\n2. 検討事項\n3. その他"),
    MeetingTypeSeed("顔の見える関係会議", "かおのみえるかんけいかいぎ", "三次", "イカ", 150,
                    "1. 開会\n2. 講義\n3. グループワーク\n4. 発表\n5. 閉会"),
    MeetingTypeSeed("地域ケア会議", "ちいきけあかいぎ", "三次", "イウ", 90, "1. 事例の説明\n2. 検討\n3. まとめ"),
    MeetingTypeSeed("WG", "わーきんぐぐるーぷ", "二次", "イ", 60, "1. 前回の振り返り\n2. 検討\n3. 次回までの作業"),
    MeetingTypeSeed("学術講演会", "がくじゅつこうえんかい", "二次", "カ", 90, "1. 開会\n2. 講演\n3. 質疑応答\n4. 閉会"),
    MeetingTypeSeed("市民公開講座", "しみんこうかいこうざ", "住民向け", "キ", 90, "1. 開会\n2. 講演\n3. 質疑応答\n4. 閉会"),
    MeetingTypeSeed("出前講座", "でまえこうざ", "住民向け", "キ", 60, "1. 講話\n2. 質疑応答"),
)

_TIME_RE = re.compile(r"^(\d{1,2})[:：](\d{2})$")


def parse_time(value: object) -> str | None:
    """'9:30' / '０９：３０' / dt.time → 'HH:MM'; '' → None; raises ValueError when unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    text = str(value).strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not text:
        return None
    match = _TIME_RE.match(text)
    if not match:
        raise ValueError(text)
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ValueError(text)
    return f"{hour:02d}:{minute:02d}"


def clean_tasks(text: str) -> str:
    """Keep the task letters ア〜ク once each, in their own order."""
    return "".join(ch for ch in TASK_LETTERS if ch in (text or ""))


def add_minutes(hhmm: str, minutes: int) -> str:
    hour, minute = int(hhmm[:2]), int(hhmm[3:])
    total = min(hour * 60 + minute + minutes, 23 * 60 + 59)
    return f"{total // 60:02d}:{total % 60:02d}"


# --- a meeting ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Speaker:
    name: str
    affiliation: str = ""
    talk_title: str = ""


@dataclass
class MeetingInput:
    title: str
    type_id: str | None
    date: object  # date, or text like 2026/05/20
    start_time: object = None
    end_time: object = None
    venue_id: str | None = None
    organiser_kind: str = "連携拠点"
    organiser_association_id: str | None = None
    organiser_text: str = ""
    co_organiser_ids: list[str] = field(default_factory=list)
    profession_ids: list[str] = field(default_factory=list)
    speakers: list[Speaker] = field(default_factory=list)
    capacity: int | None = None
    agenda: str = ""
    status: str = "計画中"
    minutes: str = ""
    notes: str = ""
    municipality_id: str | None = None


@dataclass(frozen=True)
class CleanMeeting:
    title: str
    type_id: str | None
    date: dt.date
    start_time: str | None
    end_time: str | None
    venue_id: str | None
    organiser_kind: str
    organiser_association_id: str | None
    organiser_text: str
    co_organiser_ids: tuple[str, ...]
    profession_ids: tuple[str, ...]
    speakers: tuple[Speaker, ...]
    capacity: int | None
    agenda: str
    status: str
    minutes: str
    notes: str
    municipality_id: str | None


def _unique(ids: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in ids if i))


def validate_meeting(data: MeetingInput) -> tuple[CleanMeeting | None, list[FieldIssue]]:
    issues: list[FieldIssue] = []
    title = (data.title or "").strip()
    if not title:
        issues.append(FieldIssue("title", "会議・研修の名前を入力してください"))
    elif len(title) > TITLE_MAX:
        issues.append(FieldIssue("title", f"名前は{TITLE_MAX}文字以内で入力してください（現在{len(title):,}文字）"))
    day = None
    try:
        day = parse_date(data.date)
    except ValueError:
        issues.append(FieldIssue("date", "開催日を正しく入力してください（例：2026/05/20）"))
    else:
        if day is None:
            issues.append(FieldIssue("date", "開催日を入力してください"))
    times: dict[str, str | None] = {}
    for name, label in (("start_time", "開始時刻"), ("end_time", "終了時刻")):
        try:
            times[name] = parse_time(getattr(data, name))
        except ValueError:
            times[name] = None
            issues.append(FieldIssue(name, f"{label}を「18:45」のように入力してください"))
    if times["start_time"] and times["end_time"] and times["end_time"] <= times["start_time"]:
        issues.append(FieldIssue("end_time", "終了時刻は開始時刻より後にしてください"))
    if data.status not in STATUSES:
        issues.append(FieldIssue("status", f"状況は{'・'.join(STATUSES)}から選んでください"))
    if data.organiser_kind not in ORGANISER_KINDS:
        issues.append(FieldIssue("organiser_kind", f"主催は{'・'.join(ORGANISER_KINDS)}から選んでください"))
    elif data.organiser_kind == "団体" and not data.organiser_association_id:
        issues.append(FieldIssue("organiser_association_id", "主催の団体を選んでください"))
    capacity = data.capacity
    if capacity is not None and (not isinstance(capacity, int) or capacity < 0):
        issues.append(FieldIssue("capacity", "定員は0以上の整数で入力してください"))
    speakers = tuple(Speaker(s.name.strip(), (s.affiliation or "").strip(), (s.talk_title or "").strip())
                     for s in data.speakers if (s.name or "").strip())
    if issues or day is None:
        return None, issues
    assoc = data.organiser_association_id if data.organiser_kind == "団体" else None
    return CleanMeeting(
        title=title, type_id=data.type_id or None, date=day, start_time=times["start_time"],
        end_time=times["end_time"], venue_id=data.venue_id or None, organiser_kind=data.organiser_kind,
        organiser_association_id=assoc, organiser_text=(data.organiser_text or "").strip(),
        co_organiser_ids=_unique(data.co_organiser_ids), profession_ids=_unique(data.profession_ids),
        speakers=speakers, capacity=capacity, agenda=data.agenda or "", status=data.status,
        minutes=data.minutes or "", notes=data.notes or "", municipality_id=data.municipality_id or None,
    ), []


# --- recurrence -------------------------------------------------------------------------------

@dataclass(frozen=True)
class RecurrenceRule:
    """An RRULE-like rule: weekly on some weekdays, or monthly on a day of the month or the
    n-th weekday (month_week 1..5, or -1 for the last). Ends at ``until`` or after ``count``."""

    freq: str  # "weekly" / "monthly"
    interval: int = 1
    weekdays: tuple[int, ...] = ()  # weekly: 0 = Monday; empty = the start date's weekday
    month_day: int | None = None  # monthly by day of month
    month_week: int | None = None  # monthly by weekday: which one (1..5, -1 = last)
    month_weekday: int | None = None  # ... and which weekday (0 = Monday)
    until: dt.date | None = None
    count: int | None = None


def rule_issues(rule: RecurrenceRule) -> list[FieldIssue]:
    issues: list[FieldIssue] = []
    if rule.freq not in ("weekly", "monthly"):
        issues.append(FieldIssue("freq", "繰り返しは「毎週」か「毎月」を選んでください"))
    if rule.interval < 1:
        issues.append(FieldIssue("interval", "間隔は1以上にしてください"))
    if rule.until is None and rule.count is None:
        issues.append(FieldIssue("until", "終わりの日付か回数を入力してください"))
    if rule.count is not None and not 1 <= rule.count <= MAX_OCCURRENCES:
        issues.append(FieldIssue("count", f"回数は1〜{MAX_OCCURRENCES}回にしてください"))
    if any(not 0 <= w <= 6 for w in rule.weekdays):
        issues.append(FieldIssue("weekdays", "曜日の指定が正しくありません"))
    if rule.freq == "monthly":
        by_weekday = rule.month_week is not None or rule.month_weekday is not None
        if by_weekday:
            if rule.month_week not in (1, 2, 3, 4, 5, -1) or rule.month_weekday not in range(7):
                issues.append(FieldIssue("month_week", "「第何・何曜日」を正しく指定してください"))
        elif rule.month_day is not None and not 1 <= rule.month_day <= 31:
            issues.append(FieldIssue("month_day", "日にちは1〜31で指定してください"))
    return issues


def _nth_weekday(year: int, month: int, week: int, weekday: int) -> dt.date | None:
    days = [d for d in calendar.Calendar().itermonthdates(year, month)
            if d.month == month and d.weekday() == weekday]
    if week == -1:
        return days[-1]
    return days[week - 1] if week <= len(days) else None


def expand(rule: RecurrenceRule, start: dt.date) -> list[dt.date]:
    """The dates of a series from ``start`` (inclusive), oldest first, at most MAX_OCCURRENCES."""
    limit = min(rule.count or MAX_OCCURRENCES, MAX_OCCURRENCES)
    out: list[dt.date] = []

    def take(day: dt.date) -> bool:
        """Add a date; False when the series has ended."""
        if rule.until is not None and day > rule.until:
            return False
        if day >= start:
            out.append(day)
        return len(out) < limit

    if rule.freq == "weekly":
        weekdays = sorted(set(rule.weekdays)) or [start.weekday()]
        week_start = start - dt.timedelta(days=start.weekday())
        while True:
            for wd in weekdays:
                if not take(week_start + dt.timedelta(days=wd)):
                    return out
            week_start += dt.timedelta(weeks=rule.interval)
    year, month = start.year, start.month
    for _ in range(MAX_OCCURRENCES * 12):
        if rule.month_week is not None and rule.month_weekday is not None:
            day = _nth_weekday(year, month, rule.month_week, rule.month_weekday)
        else:
            wanted = rule.month_day or start.day
            day = dt.date(year, month, wanted) if wanted <= calendar.monthrange(year, month)[1] else None
        if day is not None and not take(day):
            return out
        month += rule.interval
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return out


def describe_rule(rule: RecurrenceRule) -> str:
    """A short Japanese text such as 「毎月第3木曜日・12回」."""
    names = "月火水木金土日"
    every = "毎" if rule.interval == 1 else f"{rule.interval}"
    if rule.freq == "weekly":
        unit = "毎週" if rule.interval == 1 else f"{rule.interval}週ごと"
        text = unit + ("・".join(names[w] for w in sorted(rule.weekdays)) + "曜日" if rule.weekdays else "")
    elif rule.month_week is not None and rule.month_weekday is not None:
        week = "最終" if rule.month_week == -1 else f"第{rule.month_week}"
        text = ("毎月" if every == "毎" else f"{rule.interval}か月ごと") + f"{week}{names[rule.month_weekday]}曜日"
    else:
        text = ("毎月" if every == "毎" else f"{rule.interval}か月ごと") + (f"{rule.month_day}日" if rule.month_day else "")
    if rule.count:
        text += f"・{rule.count}回"
    if rule.until:
        text += f"・{rule.until.isoformat()}まで"
    return text


# --- warnings ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Slot:
    """What the clash check needs to know about one meeting."""

    id: str
    title: str
    date: dt.date
    start_time: str | None
    end_time: str | None
    venue_id: str | None
    association_ids: frozenset[str]
    status: str = "計画中"


def overlaps(a: Slot, b: Slot) -> bool:
    """Same day and overlapping times; a meeting without times takes the whole day."""
    if a.date != b.date:
        return False
    a_start, a_end = a.start_time or "00:00", a.end_time or a.start_time or "23:59"
    b_start, b_end = b.start_time or "00:00", b.end_time or b.start_time or "23:59"
    if a_end == a_start:
        a_end = "23:59" if not a.end_time else a_end
    if b_end == b_start:
        b_end = "23:59" if not b.end_time else b_end
    return a_start < b_end and b_start < a_end


@dataclass(frozen=True)
class MeetingWarning:
    kind: str  # venue / association / holiday / weekend / capacity
    message: str
    other_meeting_id: str | None = None


def clash_warnings(target: Slot, others: list[Slot], *, holiday_name: str | None, venue_name: str = "",
                   venue_capacity: int | None = None, registered: int = 0,
                   association_names: dict[str, str] | None = None) -> list[MeetingWarning]:
    """Warnings, never blocks: double-booked venue, an association in two meetings at once,
    a holiday or weekend, more registered than the venue holds."""
    names = association_names or {}
    out: list[MeetingWarning] = []
    for other in others:
        if other.id == target.id or other.status in ("中止", "延期") or not overlaps(target, other):
            continue
        if target.venue_id and other.venue_id == target.venue_id:
            out.append(MeetingWarning("venue", f"同じ時間に「{venue_name}」で「{other.title}」があります", other.id))
        for aid in sorted(target.association_ids & other.association_ids):
            out.append(MeetingWarning(
                "association", f"{names.get(aid, '同じ団体')}は同じ時間の「{other.title}」にも招かれています", other.id))
    if holiday_name:
        out.append(MeetingWarning("holiday", f"開催日は祝日（{holiday_name}）です"))
    elif target.date.weekday() >= 5:
        out.append(MeetingWarning("weekend", f"開催日は{'土日'[target.date.weekday() - 5]}曜日です"))
    if venue_capacity is not None and registered > venue_capacity:
        out.append(MeetingWarning("capacity",
                                  f"申込・出席が{registered}人で、会場の定員（{venue_capacity}人）を超えています"))
    return out


# --- people -----------------------------------------------------------------------------------

def person_key(name: str, affiliation: str) -> str:
    """The key that makes two entries the same person: folded name + folded affiliation."""
    return search_key(name) + "|" + search_key(affiliation)
