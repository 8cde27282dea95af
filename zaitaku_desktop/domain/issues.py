"""The issue board (task イ): layers, statuses and the rules an issue follows.

Kamaishi's 階層別連携コーディネート: problems inside one profession (一次), between
professions (二次) and of the whole region (三次). Problems move up a layer when they
turn out to be bigger than the place they were found.
"""

from __future__ import annotations

LAYER_KEYS: tuple[str, ...] = ("一次", "二次", "三次")
LAYER_LABELS: dict[str, str] = {
    "一次": "一次連携・職種内の課題",
    "二次": "二次連携・職種間の課題",
    "三次": "三次連携・地域全体の課題",
}
LAYER_SHORT: dict[str, str] = {"一次": "職種内", "二次": "職種間", "三次": "地域全体"}

# 抽出 → 整理済 → 検討中 → 対応中 → 解決 / 継続 / 取り下げ
STATUSES: tuple[str, ...] = ("抽出", "整理済", "検討中", "対応中", "解決", "継続", "取り下げ")
CLOSED_STATUSES: frozenset[str] = frozenset({"解決", "取り下げ"})
STATUS_COLOURS: dict[str, str] = {
    "抽出": "#90a4ae", "整理済": "#64b5f6", "検討中": "#ffb74d", "対応中": "#4db6ac",
    "解決": "#81c784", "継続": "#ba68c8", "取り下げ": "#bdbdbd",
}
PRIORITIES: tuple[str, ...] = ("高", "中", "低")

RESPONSE_STATES: tuple[str, ...] = ("未着手", "実施中", "完了", "中止")
ACTOR_KINDS: tuple[str, ...] = ("職能団体", "連携拠点", "協議会", "行政", "その他")

# Seed for the editable theme vocabulary.
THEMES: tuple[tuple[str, str], ...] = (
    ("退院調整", "たいいんちょうせい"), ("相談ルート", "そうだんるーと"), ("職種理解", "しょくしゅりかい"),
    ("情報共有", "じょうほうきょうゆう"), ("ICT", "あいしーてぃー"), ("啓発", "けいはつ"),
    ("24時間体制", "にじゅうよじかんたいせい"), ("看取り", "みとり"), ("研修", "けんしゅう"),
    ("総意形成", "そういけいせい"), ("知識不足", "ちしきぶそく"), ("役割分担", "やくわりぶんたん"),
    ("コミュニケーション", "こみゅにけーしょん"), ("医療と介護の壁", "いりょうとかいごのかべ"),
)

FEEDBACK_METHODS: tuple[str, ...] = ("打ち合わせ会で説明", "文書で送付", "メール", "電話", "その他")


# --- what forms and importers supply ------------------------------------------------------

import datetime as dt  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402


@dataclass
class IssueInput:
    """An issue as the form supplies it; vocabulary references are ids."""

    title: str = ""
    description: str = ""
    layer: str = "一次"
    status: str = "抽出"
    priority: str = "中"
    source_association_id: str | None = None
    source_text: str = ""
    raised_on: str | dt.date | None = None
    municipality_id: str | None = None
    profession_ids: list[str] = field(default_factory=list)
    theme_ids: list[str] = field(default_factory=list)
    owner: str = ""
    next_action: str = ""
    next_due: str | dt.date | None = None
    fed_back_on: str | dt.date | None = None
    fed_back_how: str = ""


@dataclass
class ResponseInput:
    """A response (対応策): who acts, what, its state and result."""

    actor_kind: str = "連携拠点"
    actor_association_id: str | None = None
    actor_text: str = ""
    action: str = ""
    state: str = "未着手"
    result: str = ""


@dataclass
class NeedInput:
    """A need of an association (None = the hub itself) with its themes."""

    association_id: str | None = None
    text: str = ""
    theme_ids: list[str] = field(default_factory=list)
