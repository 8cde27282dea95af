"""Handouts for citizens (task キ): the lecture flyer's content and style, and the tri-fold pamphlet's text.

Pure Python: no database, no Qt. The reports (reports/flyer.py, reports/pamphlet.py) draw these values;
the service fills them from a meeting. Every check returns Japanese messages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlparse

from .errors import FieldIssue, ValidationError
from .meetings import Speaker

APPLY_HOWS: tuple[str, ...] = ("不要", "電話", "FAX")
LAYOUTS: dict[str, str] = {"poster": "ポスター（大きな見出し）", "leaflet": "2段組みのチラシ", "notice": "お知らせ（A4の文書）"}
PAPERS: tuple[str, ...] = ("A4", "A3")
# Print-safe colours (dark enough for white text, distinct in grey copies): key → (Japanese name, hex).
PALETTE: dict[str, tuple[str, str]] = {
    "navy": ("紺", "#1f4e79"),
    "green": ("緑", "#2e7d32"),
    "orange": ("オレンジ", "#d35400"),
    "red": ("えんじ", "#a31f34"),
    "purple": ("紫", "#6a3d9a"),
    "teal": ("青緑", "#00796b"),
}
DEFAULT_TARGET = "どなたでも"
TARGET_BY_LAYER: dict[str, str] = {"住民向け": DEFAULT_TARGET, "三次": "医療・介護・福祉の関係者",
                                   "二次": "医療・介護の専門職", "一次": "会員の方"}
QR_URL_MAX = 400
IMAGE_SIGNATURES: tuple[bytes, ...] = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


@dataclass(frozen=True)
class FlyerContent:
    """Everything a lecture flyer prints. Empty strings are simply left off the page."""

    title: str
    catch: str = ""  # the catch line above the title
    label: str = ""  # a small badge such as 市民公開講座
    date: dt.date | None = None
    start_time: str | None = None  # "13:30"
    end_time: str | None = None
    venue: str = ""
    venue_access: str = ""  # address and how to get there
    speakers: tuple[Speaker, ...] = ()
    about: str = ""  # a few lines on what the lecture is about
    image_path: str = ""  # a portrait or an illustration (PNG/JPEG)
    target: str = DEFAULT_TARGET
    fee: str = "無料"
    capacity: str = ""  # 「先着50名」
    apply_how: str = "不要"  # APPLY_HOWS
    apply_contact: str = ""  # the phone or FAX number applications go to
    apply_deadline: str = ""  # 「5月13日（水）まで」
    organiser: str = ""
    contact: str = ""  # 問い合わせ先 (name, phone, hours)
    qr_url: str = ""
    tear_off: bool = False  # a 申込書 to cut off at the bottom

    def when_times(self) -> str:
        """「13:30〜15:30」, 「13:30〜」 or ""."""
        if not self.start_time:
            return ""
        return f"{self.start_time}〜{self.end_time or ''}"


@dataclass(frozen=True)
class FlyerStyle:
    layout: str = "poster"  # LAYOUTS
    colour: str = "navy"  # PALETTE key
    paper: str = "A4"  # PAPERS


def colour_key(name: str) -> str | None:
    """A palette key from its key or its Japanese name (「緑」 → 'green'); None when unknown."""
    text = (name or "").strip()
    if text.lower() in PALETTE:
        return text.lower()
    return next((key for key, (ja, _) in PALETTE.items() if ja == text), None)


def colour_hex(key: str) -> str:
    return PALETTE.get(key, PALETTE["navy"])[1]


def default_target(layer: str) -> str:
    """Who a meeting of this layer is for, as the flyer's 対象 line."""
    return TARGET_BY_LAYER.get(layer, DEFAULT_TARGET)


def _is_image(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError:
        return False
    return any(head.startswith(sig) for sig in IMAGE_SIGNATURES)


def flyer_issues(content: FlyerContent, style: FlyerStyle | None = None) -> list[FieldIssue]:
    """What is wrong with a flyer (errors block printing, warnings are shown)."""
    out: list[FieldIssue] = []
    if not content.title.strip():
        out.append(FieldIssue("title", "講座の題名を入力してください"))
    if content.apply_how not in APPLY_HOWS:
        out.append(FieldIssue("apply_how", "申込方法は「不要」「電話」「FAX」から選んでください"))
    elif content.apply_how != "不要" and not (content.apply_contact.strip() or content.contact.strip()):
        out.append(FieldIssue("apply_contact", f"申込先の{content.apply_how}番号を入力してください"))
    if content.tear_off and content.apply_how == "不要":
        out.append(FieldIssue("tear_off", "申込不要の講座に申込書が付いています。申込方法を確かめてください",
                              "warning"))
    url = content.qr_url.strip()
    if url:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in url:
            out.append(FieldIssue("qr_url", "QRコードのアドレスは http:// または https:// で始まるものを入力してください"))
        elif len(url) > QR_URL_MAX:
            out.append(FieldIssue("qr_url", f"QRコードのアドレスが長すぎます（{QR_URL_MAX}文字まで）"))
    if content.image_path:
        image = Path(content.image_path)
        if not image.is_file():
            out.append(FieldIssue("image_path", f"画像ファイルが見つかりません：{image.name}"))
        elif not _is_image(image):
            out.append(FieldIssue("image_path", f"画像は PNG か JPEG のファイルを選んでください：{image.name}"))
    if style is not None:
        if style.layout not in LAYOUTS:
            out.append(FieldIssue("layout", "レイアウトは「" + "」「".join(LAYOUTS.values()) + "」から選んでください"))
        if style.colour not in PALETTE:
            names = "・".join(ja for ja, _ in PALETTE.values())
            out.append(FieldIssue("colour", f"色は{names}から選んでください"))
        if style.paper not in PAPERS:
            out.append(FieldIssue("paper", "用紙は A4 か A3 を選んでください"))
    return out


def check_flyer(content: FlyerContent, style: FlyerStyle | None = None) -> list[FieldIssue]:
    """Raise ValidationError on errors; return the warnings."""
    found = flyer_issues(content, style)
    if any(i.is_error for i in found):
        raise ValidationError(issues=found)
    return found


# --- the tri-fold pamphlet ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ConsultationContact:
    """One place a citizen can call: the hub or a consultation window."""

    name: str  # 「在宅医療・介護連携 相談窓口（一般向け）」
    for_whom: str = ""  # 「住民・ご家族の方」
    detail: str = ""  # phone, FAX, hours, address (free text, several lines)


WINDOW_FOR_WHOM: dict[str, str] = {"一般向け": "住民・ご家族の方", "多職種向け": "医療・介護の専門職の方"}


# Headings of the editable blocks, in the order they are edited (and printed: see reports/pamphlet.py).
PAMPHLET_HEADINGS: dict[str, str] = {
    "title": "表紙の題名",
    "subtitle": "表紙の副題",
    "cover_note": "表紙のひとこと",
    "what_is": "在宅医療とは",
    "can_do": "在宅でできること",
    "team": "かかりつけ医・訪問看護・薬局・ケアマネ",
    "how_to_start": "在宅医療を始めるには",
    "consult_note": "相談窓口",
    "issuer": "発行者",
}


@dataclass(frozen=True)
class PamphletText:
    """The pamphlet's text blocks. In the bodies a line starting with 「・」 is a bullet and a line starting
    with 「■」 a small heading; a blank line leaves a little space."""

    title: str = "住み慣れた家で\n暮らし続けるために"
    subtitle: str = "在宅医療のご案内"
    cover_note: str = ("通院がむずかしくなっても、医師や看護師が自宅に来て診てくれる仕組みがあります。"
                       "ひとりで悩まず、まずはご相談ください。")
    what_is: str = (
        "在宅医療は、病気や障がい、年齢のために通院がむずかしくなった方が、自宅や施設で受ける医療です。\n\n"
        "■訪問診療\n"
        "医師が計画を立てて、月に1〜2回など定期的に自宅へうかがい、診察します。\n\n"
        "■往診\n"
        "急に具合が悪くなったとき、連絡を受けた医師が臨時に自宅へうかがいます。\n\n"
        "■こんな方が利用しています\n"
        "・通院が体力的につらくなった方\n"
        "・退院したあとも医療が必要な方\n"
        "・住み慣れた家で療養を続けたい方\n\n"
        "「最期まで家で過ごしたい」という願いも、在宅医療で支えることができます。")
    can_do: str = (
        "病院と同じではありませんが、自宅でも多くのことができます。\n"
        "・診察、薬の処方、血液検査\n"
        "・点滴や注射\n"
        "・床ずれ（褥瘡）の手当て\n"
        "・在宅酸素、たんの吸引、胃ろうなどの管理\n"
        "・痛みや息苦しさをやわらげる緩和ケア\n"
        "・歯の治療、入れ歯の調整、口のケア\n"
        "・飲み込みや歩くためのリハビリ\n"
        "・栄養や食事の相談\n"
        "・夜間や休日の連絡と対応（医療機関により異なります）")
    team: str = (
        "在宅医療は、いろいろな職種がチームになって支えます。\n\n"
        "■かかりつけ医\n"
        "体の状態を診て、治療の方針を決めます。必要なときは病院と連絡をとります。\n\n"
        "■訪問看護師\n"
        "自宅で体調の確認や医療的な処置、介護の相談を受けます。\n\n"
        "■薬剤師（薬局）\n"
        "薬を自宅へ届け、飲み方や残った薬の整理を手伝います。\n\n"
        "■ケアマネジャー\n"
        "介護保険のサービスを組み合わせた計画（ケアプラン）を作り、関係者をつなぎます。")
    how_to_start: str = (
        "■1. 相談する\n"
        "かかりつけ医、病院の相談室、地域包括支援センター、担当のケアマネジャー、または裏面の相談窓口にお話しください。\n\n"
        "■2. 医師を決める\n"
        "自宅に来てくれる医師（訪問診療医）を一緒に探します。今のかかりつけ医が続けて診てくれることもあります。\n\n"
        "■3. チームをつくる\n"
        "訪問看護、薬局、介護サービスなど、必要な支えを話し合って決めます。\n\n"
        "■4. 在宅医療の開始\n"
        "状態が変わったら、いつでも見直すことができます。")
    consult_note: str = ("在宅医療や介護のことで、わからないことや困ったことがあれば、お気軽にご相談ください。"
                         "内容に合った相談先や医療機関をご案内します。相談は無料です。秘密は守ります。")
    issuer: str = ""

    def blocks(self) -> list[tuple[str, str, str]]:
        """(field name, heading, text) of every block, in PAMPHLET_HEADINGS order."""
        return [(f.name, PAMPHLET_HEADINGS[f.name], getattr(self, f.name)) for f in fields(self)]


def pamphlet_issues(text: PamphletText) -> list[FieldIssue]:
    out = [FieldIssue("title", "表紙の題名を入力してください")] if not text.title.strip() else []
    for name in ("what_is", "can_do", "team", "how_to_start"):
        if not getattr(text, name).strip():
            out.append(FieldIssue(name, f"「{PAMPHLET_HEADINGS[name]}」の文章が空です", "warning"))
    return out


def check_pamphlet(text: PamphletText) -> list[FieldIssue]:
    found = pamphlet_issues(text)
    if any(i.is_error for i in found):
        raise ValidationError(issues=found)
    return found

