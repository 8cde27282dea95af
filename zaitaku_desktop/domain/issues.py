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


# --- validation ---------------------------------------------------------------------------

from .dates import parse_date  # noqa: E402
from .errors import FieldIssue  # noqa: E402

TITLE_MAX = 200
TEXT_MAX = 2000
DESCRIPTION_MAX = 20000
SHORT_MAX = 200
NEED_TEXT_MAX = 500
NEED_STATUSES: tuple[str, ...] = ("未対応", "計画済", "終了")
OPEN_NEED_STATUS = "未対応"
HUB_LABEL = "連携拠点"
INACTIVE_RESPONSE_STATES: frozenset[str] = frozenset({"完了", "中止"})


@dataclass
class CleanIssue:
    title: str
    description: str
    layer: str
    status: str
    priority: str
    source_association_id: str | None
    source_text: str
    raised_on: dt.date | None
    municipality_id: str | None
    profession_ids: list[str]
    theme_ids: list[str]
    owner: str
    next_action: str
    next_due: dt.date | None
    fed_back_on: dt.date | None
    fed_back_how: str


@dataclass
class CleanResponse:
    actor_kind: str
    actor_association_id: str | None
    actor_text: str
    action: str
    state: str
    result: str


@dataclass
class CleanNeed:
    association_id: str | None
    text: str
    theme_ids: list[str]


def _length(field_name: str, label: str, value: str, limit: int) -> FieldIssue | None:
    if len(value) > limit:
        return FieldIssue(field_name, f"{label}は{limit:,}文字以内で入力してください（現在{len(value):,}文字）")
    return None


def _date_field(field_name: str, label: str, value: object, issues: list[FieldIssue]) -> dt.date | None:
    try:
        return parse_date(value)
    except ValueError as exc:
        issues.append(FieldIssue(field_name, f"{label}：{exc}"))
        return None


def _id_list(field_name: str, label: str, values: object, issues: list[FieldIssue]) -> list[str]:
    """A list of vocabulary ids: duplicates dropped, order kept."""
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, (list, tuple, set, frozenset)):
        issues.append(FieldIssue(field_name, f"{label}の指定が正しくありません"))
        return []
    out: list[str] = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            issues.append(FieldIssue(field_name, f"{label}の指定が正しくありません"))
            return []
        if value not in out:
            out.append(value)
    return out


def _optional_id(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def validate_issue(data: IssueInput) -> tuple[CleanIssue | None, list[FieldIssue]]:
    """Check an issue. Returns the clean record (None when there are errors) and all issues.

    Whether the referenced ids exist is checked by the service, which has the database.
    """
    issues: list[FieldIssue] = []

    def add(issue: FieldIssue | None) -> None:
        if issue is not None:
            issues.append(issue)

    title = (data.title or "").strip()
    if not title:
        add(FieldIssue("title", "課題の見出しを入力してください"))
    add(_length("title", "課題の見出し", title, TITLE_MAX))
    description = (data.description or "").strip()
    add(_length("description", "内容", description, DESCRIPTION_MAX))
    if data.layer not in LAYER_KEYS:
        add(FieldIssue("layer", f"階層「{data.layer}」はありません（{'・'.join(LAYER_KEYS)}から選んでください）"))
    if data.status not in STATUSES:
        add(FieldIssue("status", f"状況「{data.status}」はありません（{'・'.join(STATUSES)}から選んでください）"))
    if data.priority not in PRIORITIES:
        add(FieldIssue("priority", f"優先度「{data.priority}」はありません（{'・'.join(PRIORITIES)}から選んでください）"))
    source_text = (data.source_text or "").strip()
    add(_length("source_text", "出どころ（会議など）", source_text, SHORT_MAX))
    owner = (data.owner or "").strip()
    add(_length("owner", "担当", owner, SHORT_MAX))
    next_action = (data.next_action or "").strip()
    add(_length("next_action", "次の対応", next_action, TEXT_MAX))
    fed_back_how = (data.fed_back_how or "").strip()
    add(_length("fed_back_how", "フィードバックの方法", fed_back_how, SHORT_MAX))
    raised_on = _date_field("raised_on", "抽出日", data.raised_on, issues)
    next_due = _date_field("next_due", "次の対応の期限", data.next_due, issues)
    fed_back_on = _date_field("fed_back_on", "フィードバックした日", data.fed_back_on, issues)
    if fed_back_how and fed_back_on is None and not any(i.field == "fed_back_on" for i in issues):
        add(FieldIssue("fed_back_on", "フィードバックの方法を入れたときは、フィードバックした日も入力してください"))
    if raised_on and fed_back_on and fed_back_on < raised_on:
        add(FieldIssue("fed_back_on", "フィードバックした日が抽出日より前になっています", "warning"))
    profession_ids = _id_list("profession_ids", "職種", data.profession_ids, issues)
    theme_ids = _id_list("theme_ids", "テーマ", data.theme_ids, issues)
    if any(i.is_error for i in issues):
        return None, issues
    return CleanIssue(
        title=title, description=description, layer=data.layer, status=data.status, priority=data.priority,
        source_association_id=_optional_id(data.source_association_id), source_text=source_text,
        raised_on=raised_on, municipality_id=_optional_id(data.municipality_id), profession_ids=profession_ids,
        theme_ids=theme_ids, owner=owner, next_action=next_action, next_due=next_due, fed_back_on=fed_back_on,
        fed_back_how=fed_back_how,
    ), issues


def validate_response(data: ResponseInput) -> tuple[CleanResponse | None, list[FieldIssue]]:
    """Check a response (対応策)."""
    issues: list[FieldIssue] = []
    action = (data.action or "").strip()
    if not action:
        issues.append(FieldIssue("action", "対応策の内容を入力してください"))
    elif (issue := _length("action", "対応策の内容", action, TEXT_MAX)):
        issues.append(issue)
    result = (data.result or "").strip()
    if (issue := _length("result", "結果", result, TEXT_MAX)):
        issues.append(issue)
    actor_text = (data.actor_text or "").strip()
    if (issue := _length("actor_text", "実施する人・団体", actor_text, SHORT_MAX)):
        issues.append(issue)
    if data.actor_kind not in ACTOR_KINDS:
        issues.append(FieldIssue("actor_kind", f"実施主体「{data.actor_kind}」はありません（{'・'.join(ACTOR_KINDS)}から選んでください）"))
    if data.state not in RESPONSE_STATES:
        issues.append(FieldIssue("state", f"進み具合「{data.state}」はありません（{'・'.join(RESPONSE_STATES)}から選んでください）"))
    association_id = _optional_id(data.actor_association_id)
    if data.actor_kind == "職能団体" and association_id is None and not actor_text:
        issues.append(FieldIssue("actor_association_id", "実施する職能団体を選ぶか、名前を入力してください"))
    if any(i.is_error for i in issues):
        return None, issues
    return CleanResponse(actor_kind=data.actor_kind, actor_association_id=association_id, actor_text=actor_text,
                         action=action, state=data.state, result=result), issues


def validate_need(data: NeedInput) -> tuple[CleanNeed | None, list[FieldIssue]]:
    """Check an association's need; a need with no theme cannot be matched (a warning)."""
    issues: list[FieldIssue] = []
    text = (data.text or "").strip()
    if not text:
        issues.append(FieldIssue("text", "ニーズの内容を入力してください"))
    elif (issue := _length("text", "ニーズの内容", text, NEED_TEXT_MAX)):
        issues.append(issue)
    theme_ids = _id_list("theme_ids", "テーマ", data.theme_ids, issues)
    if not theme_ids and not any(i.field == "theme_ids" for i in issues):
        issues.append(FieldIssue("theme_ids", "テーマがないと、ほかの団体のニーズと結び付けられません", "warning"))
    if any(i.is_error for i in issues):
        return None, issues
    return CleanNeed(association_id=_optional_id(data.association_id), text=text, theme_ids=theme_ids), issues


def issue_search_text(*, title: str, description: str = "", responses: list[tuple[str, str]] | tuple = (),
                      professions: list[str] | tuple = (), themes: list[str] | tuple = (),
                      source: str = "", owner: str = "") -> str:
    """The folded text the board's search box looks in: title, description, responses' action and
    result, profession and theme names (same folding as the resource list)."""
    from .resource import SEARCH_SEP
    from .text import search_key

    parts = [search_key(title), search_key(description)]
    for action, result in responses:
        parts.append(search_key(action))
        parts.append(search_key(result))
    parts.extend(search_key(p) for p in professions)
    parts.extend(search_key(t) for t in themes)
    parts.append(search_key(source))
    parts.append(search_key(owner))
    return SEARCH_SEP.join(p for p in parts if p)


def layer_move_note(old: str, new: str, reason: str) -> str:
    """The history note of a layer move: 「一次 → 二次：理由」."""
    return f"{old} → {new}：{reason.strip()}" if reason.strip() else f"{old} → {new}"
