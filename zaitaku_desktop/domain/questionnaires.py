"""Questionnaires handed out at meetings: item kinds, point labels, validation and tally maths.

Points are numbered best first: on a scale 1 is the best point (とてもそう思う), on a yes/no item
1 is はい and 2 is いいえ. Free-text items carry text only. Unanswered items are left out of n.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from .errors import FieldIssue

ITEM_KINDS = ("scale4", "scale5", "yesno", "text")
KIND_LABELS = {"scale4": "4段階", "scale5": "5段階", "yesno": "はい・いいえ", "text": "自由記述"}
DEFAULT_LABELS: dict[str, tuple[str, ...]] = {
    "scale4": ("とてもそう思う", "そう思う", "あまりそう思わない", "そう思わない"),
    "scale5": ("とてもそう思う", "そう思う", "どちらともいえない", "あまりそう思わない", "そう思わない"),
    "yesno": ("はい", "いいえ"),
    "text": (),
}
NAME_MAX = 100
TEXT_MAX = 200
ANSWER_TEXT_MAX = 2000
_LABEL_SEPARATORS = re.compile(r"[|｜、，,/／]")


def point_count(kind: str) -> int:
    return len(DEFAULT_LABELS.get(kind, ()))


def top_points(kind: str) -> int:
    """How many of the best points count as a positive answer: the top two of a scale, はい of yes/no."""
    return {"scale4": 2, "scale5": 2, "yesno": 1}.get(kind, 0)


def split_labels(text: str) -> tuple[str, ...]:
    """Labels typed by the user (｜ 、 , / all separate) or stored ("|"), blanks dropped."""
    return tuple(p.strip() for p in _LABEL_SEPARATORS.split(text or "") if p.strip())


def labels(kind: str, choices: str = "") -> tuple[str, ...]:
    """The point labels of an item, best first: its own when given, else the kind's defaults."""
    own = split_labels(choices)
    return own if own and len(own) == point_count(kind) else DEFAULT_LABELS.get(kind, ())


@dataclass(frozen=True)
class ItemSpec:
    kind: str
    text: str
    choices: str = ""  # labels best first, "|"-separated; "" = the kind's default labels
    id: str | None = None


def validate_template(name: str, items: Sequence[ItemSpec]) -> tuple[str, list[ItemSpec], list[FieldIssue]]:
    """The cleaned name and items, and the problems (Japanese) that block saving."""
    problems: list[FieldIssue] = []
    clean_name = (name or "").strip()
    if not clean_name:
        problems.append(FieldIssue("name", "アンケートの名前を入力してください"))
    elif len(clean_name) > NAME_MAX:
        problems.append(FieldIssue("name", f"名前は{NAME_MAX}文字以内で入力してください"))
    clean: list[ItemSpec] = []
    for no, item in enumerate(items, start=1):
        text = (item.text or "").strip()
        if item.kind not in ITEM_KINDS:
            problems.append(FieldIssue(f"item{no}", f"設問{no}：種類は{'・'.join(KIND_LABELS.values())}から選んでください"))
            continue
        if not text:
            problems.append(FieldIssue(f"item{no}", f"設問{no}：設問の文を入力してください"))
        elif len(text) > TEXT_MAX:
            problems.append(FieldIssue(f"item{no}", f"設問{no}：設問の文は{TEXT_MAX}文字以内で入力してください"))
        own = split_labels(item.choices) if item.kind != "text" else ()
        if own and len(own) != point_count(item.kind):
            problems.append(FieldIssue(
                f"item{no}", f"設問{no}：選択肢は{point_count(item.kind)}つ入力してください（いま{len(own)}つ）。"
                             "空欄なら標準の選択肢になります"))
        clean.append(ItemSpec(item.kind, text, "|".join(own), item.id))
    if not items:
        problems.append(FieldIssue("items", "設問を1つ以上入れてください"))
    return clean_name, clean, problems


Answer = int | str | None


def validate_answers(items: Sequence[ItemSpec], answers: Mapping[str, Answer]) -> tuple[dict[str, Answer], list[FieldIssue]]:
    """One sheet's answers keyed by item id, cleaned: scale / yes-no → 1..points or None, text → str.
    Items not on the template are refused; unanswered items are allowed (None / "")."""
    known = {i.id: i for i in items}
    problems = [FieldIssue("answers", "このアンケートにない設問への回答があります") for key in answers if key not in known][:1]
    clean: dict[str, Answer] = {}
    for no, item in enumerate(items, start=1):
        value = answers.get(item.id or "")
        if item.kind == "text":
            text = str(value or "").strip()
            if len(text) > ANSWER_TEXT_MAX:
                problems.append(FieldIssue(f"item{no}", f"設問{no}：自由記述は{ANSWER_TEXT_MAX}文字以内にしてください"))
            clean[item.id or ""] = text
            continue
        if isinstance(value, str):
            value = int(value) if value.strip().isdigit() else (None if not value.strip() else -1)
        if value is not None and (isinstance(value, bool) or not 1 <= value <= point_count(item.kind)):
            problems.append(FieldIssue(f"item{no}", f"設問{no}：1〜{point_count(item.kind)}の数字で入力してください"))
        clean[item.id or ""] = value
    return clean, problems


@dataclass(frozen=True)
class PointTally:
    """The answers to one item: counts per point (best first), n answered, shares and the mean point."""

    counts: tuple[int, ...]
    top: int  # how many best points count as positive (top_points)

    @property
    def n(self) -> int:
        return sum(self.counts)

    @property
    def shares(self) -> tuple[float, ...]:
        n = self.n
        return tuple(c / n for c in self.counts) if n else tuple(0.0 for _ in self.counts)

    @property
    def top_share(self) -> float | None:
        """Share answering one of the best ``top`` points; None when nobody answered."""
        return sum(self.counts[: self.top]) / self.n if self.n else None

    @property
    def mean(self) -> float | None:
        """The mean point (1 = best); None when nobody answered."""
        return sum(p * c for p, c in enumerate(self.counts, start=1)) / self.n if self.n else None


def tally(kind: str, values: Sequence[int | None]) -> PointTally:
    """Count the answered points of one item; None (unanswered) and out-of-range values are left out."""
    points = point_count(kind)
    counts = [0] * points
    for v in values:
        if v is not None and 1 <= v <= points:
            counts[v - 1] += 1
    return PointTally(tuple(counts), top_points(kind))


def response_rate(returned: int, distributed: int | None) -> float | None:
    """Returned sheets over those handed out; None when nothing was handed out (or unknown)."""
    return returned / distributed if distributed else None


def difference(before: float | None, after: float | None) -> float | None:
    """After minus before (shares, so 0.12 = 12 points); None when either side has no answers."""
    return None if before is None or after is None else after - before


def percent(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)}%"


def points_text(diff: float | None) -> str:
    """A difference of shares as the coordinator writes it: +12ポイント / −3ポイント / ±0ポイント."""
    if diff is None:
        return "—"
    value = round(diff * 100)
    return f"+{value}ポイント" if value > 0 else (f"−{-value}ポイント" if value < 0 else "±0ポイント")


def top_caption(kind: str) -> str:
    return "はい" if kind == "yesno" else "上位2段階"


def rate_text(returned: int, distributed: int | None) -> str:
    """「回収率 45/60 (75%)」, or just the count when the number handed out is unknown."""
    rate = response_rate(returned, distributed)
    if rate is None:
        return f"回収 {returned}枚（配布数未入力）"
    return f"回収率 {returned}/{distributed} ({percent(rate)})"
