"""Fast entry of a paper sign-in sheet: short codes for professions, roles and statuses, the rows
of a sheet, the summary strip and likely duplicate people. Pure Python."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .meetings import ATTENDANCE_ROLES, ATTENDANCE_STATUSES, CITIZENS_LABEL, OTHERS_LABEL
from .text import nfkc, search_key

# Abbreviations people write on sign-in sheets → profession names. Only names present in the
# vocabulary are used, so a renamed or archived profession simply drops out.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "Dr": ("医師",), "Ns": ("看護師",), "PT": ("理学療法士",), "OT": ("作業療法士",), "ST": ("言語聴覚士",),
    "CM": ("介護支援専門員",), "ケアマネ": ("介護支援専門員",), "主任ケアマネ": ("主任介護支援専門員",),
    "MSW": ("医療ソーシャルワーカー",), "SW": ("社会福祉士",), "CW": ("介護福祉士",), "DH": ("歯科衛生士",),
    "歯科医": ("歯科医師",), "薬": ("薬剤師",), "Ph": ("薬剤師",), "PHN": ("保健師",), "RD": ("管理栄養士",),
    "栄養士": ("管理栄養士",), "訪看": ("訪問看護師",), "ヘルパー": ("訪問介護員",), "包括": ("地域包括支援センター職員",),
    "社協": ("社会福祉協議会職員",), "行政": ("行政職員",), "市職員": ("行政職員",), "民生": ("民生委員",),
    "市民": ("住民",),
}

# Role and status by digit, first letter of the name, reading or romaji (「1」「講」「こ」「k」 → 講師).
ROLE_KEYS: dict[str, tuple[str, ...]] = {
    "講師": ("こうし", "koushi"), "参加者": ("さんかしゃ", "sankasha"), "スタッフ": ("すたっふ", "staff"),
    "来賓": ("らいひん", "raihin"),
}
STATUS_KEYS: dict[str, tuple[str, ...]] = {
    "申込": ("もうしこみ", "moushikomi"), "出席": ("しゅっせき", "shusseki"), "欠席": ("けっせき", "kesseki"),
    "取消": ("とりけし", "torikeshi"),
}
assert tuple(ROLE_KEYS) == ATTENDANCE_ROLES and tuple(STATUS_KEYS) == ATTENDANCE_STATUSES


@dataclass(frozen=True)
class Choice:
    """An entry of a vocabulary: id, name and reading (a profession, or a role/status with id = name)."""

    id: str
    name: str
    reading: str = ""


@dataclass(frozen=True)
class Match:
    """What typed text resolves to: ``choice`` when exactly one fits, else the candidates (maybe none)."""

    text: str
    choice: Choice | None
    candidates: tuple[Choice, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.text.strip()

    def problem(self, what: str) -> str:
        """The Japanese message for a cell whose text does not resolve ("" when it does)."""
        if self.choice is not None or self.empty:
            return ""
        if self.candidates:
            names = "・".join(c.name for c in self.candidates[:6]) + ("…" if len(self.candidates) > 6 else "")
            return f"{what}「{self.text.strip()}」は複数あてはまります（{names}）。もう少し入力してください"
        return f"{what}「{self.text.strip()}」が一覧にありません。略号（例：Dr・Ns・PT・ケアマネ）か名前の最初の文字で入力してください"


def _unique(items: Iterable[Choice]) -> tuple[Choice, ...]:
    seen: dict[str, Choice] = {}
    for item in items:
        seen.setdefault(item.id, item)
    return tuple(seen.values())


def match_profession(text: str, vocabulary: Sequence[Choice]) -> Match:
    """Resolve 「薬」「やく」「ケア」「PT」「Ns」「Dr」 or a full name against the profession vocabulary."""
    key = search_key(text)
    if not key:
        return Match(text, None)
    by_name = {c.name: c for c in vocabulary}
    exact = [c for c in vocabulary if key in (search_key(c.name), search_key(c.reading))]
    abbrev = [by_name[n] for a, names in ABBREVIATIONS.items() if search_key(a) == key for n in names if n in by_name]
    for found in (exact, abbrev):
        if len(_unique(found)) == 1:
            return Match(text, found[0])
    prefix = _unique([c for c in vocabulary if any(search_key(x).startswith(key) for x in (c.name, c.reading))]
                     + [by_name[n] for a, names in ABBREVIATIONS.items() if search_key(a).startswith(key)
                        for n in names if n in by_name])
    return Match(text, prefix[0] if len(prefix) == 1 else None, prefix if len(prefix) > 1 else ())


def _match_fixed(text: str, keys: dict[str, tuple[str, ...]]) -> Match:
    choices = [Choice(name, name, keys[name][0]) for name in keys]
    key = search_key(text)
    if not key:
        return Match(text, None)
    if key.isdigit():
        number = int(nfkc(key))
        return Match(text, choices[number - 1] if 1 <= number <= len(choices) else None)
    found = [c for c in choices if any(search_key(k).startswith(key) for k in (c.name, *keys[c.name]))]
    return Match(text, found[0] if len(found) == 1 else None, tuple(found) if len(found) > 1 else ())


def match_role(text: str) -> Match:
    return _match_fixed(text, ROLE_KEYS)


def match_status(text: str) -> Match:
    return _match_fixed(text, STATUS_KEYS)


def yes_no(text: str) -> bool | None:
    """当日参加 typed as 1/y/○/はい (True) or 0/n/×/いいえ/empty (False); None for anything else."""
    key = search_key(text)
    if key in ("1", "y", "yes", "o", "○", "◯", "レ", "✓", "はい", "当日", "とうじつ"):
        return True
    if key in ("", "0", "n", "no", "x", "×", "-", "いいえ"):
        return False
    return None


@dataclass(frozen=True)
class SheetRow:
    """One line of a sign-in sheet. ``person_id`` is set when the person was picked from earlier entries."""

    name: str
    affiliation: str = ""
    profession_id: str | None = None
    role: str = "参加者"
    status: str = "出席"
    walk_in: bool = False
    person_id: str | None = None
    reading: str = ""


@dataclass(frozen=True)
class SheetSummary:
    registered: int  # 申込 + 出席 rows
    attended: int  # 出席 rows
    counted: int  # counts-only people
    by_profession: tuple[tuple[str, int], ...]  # 出席 rows + counts, by profession (or label)

    @property
    def total(self) -> int:
        return self.attended + self.counted

    def text(self) -> str:
        head = f"申込 {self.registered}・出席 {self.attended}・人数のみ {self.counted}・合計 {self.total}人"
        detail = "、".join(f"{label}{n}" for label, n in self.by_profession)
        return head + (f"（{detail}）" if detail else "")


def sheet_summary(rows: Iterable[tuple[str, str]], counts: Iterable[tuple[str, int]],
                  order: Sequence[str] = ()) -> SheetSummary:
    """rows: (profession name or "", status); counts: (profession name or label, people). Professions
    follow ``order`` (the vocabulary), then labels, 住民 last."""
    rows = list(rows)
    sums: dict[str, int] = {}
    for profession, status in rows:
        if status == "出席":
            label = profession or "職種なし"
            sums[label] = sums.get(label, 0) + 1
    counted = 0
    for label, n in counts:
        if n:
            sums[label or OTHERS_LABEL] = sums.get(label or OTHERS_LABEL, 0) + n
            counted += n
    rank = {name: i for i, name in enumerate(order)}
    ordered = sorted(sums.items(),
                     key=lambda kv: (kv[0] == CITIZENS_LABEL, kv[0] not in rank, rank.get(kv[0], 0), kv[0]))
    return SheetSummary(sum(1 for _, s in rows if s in ("申込", "出席")), sum(1 for _, s in rows if s == "出席"),
                        counted, tuple(ordered))


def duplicate_groups(people: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Ids of people who are probably the same: the same folded name (whatever the affiliation's
    spelling). ``people`` is (id, name); groups keep the input order."""
    groups: dict[str, list[str]] = {}
    for person_id, name in people:
        groups.setdefault(search_key(name), []).append(person_id)
    return [ids for ids in groups.values() if len(ids) > 1]


@dataclass(frozen=True)
class PeriodBreakdown:
    """Attendance over a period by meeting layer (一次・二次・三次・住民向け, "" = no type): the annual
    report's table. ``rows`` are (profession or label, people per layer in ``layers`` order, total)."""

    layers: tuple[str, ...]
    held: tuple[int, ...]  # meetings 開催済 per layer
    meetings: tuple[int, ...]  # meetings counted (not 中止・延期) per layer
    rows: tuple[tuple[str, tuple[int, ...], int], ...]

    @property
    def people(self) -> tuple[int, ...]:
        return tuple(sum(r[1][i] for r in self.rows) for i in range(len(self.layers)))
