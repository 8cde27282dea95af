"""Consultation intake (task オ): the fixed lists a consultation is recorded with, and the rules that
protect the person concerned. Pure Python: no database, no Qt."""

from __future__ import annotations

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
    ("その他", "んそのほか"),  # sorts last
)


def mask_name(name: str) -> str:
    """What the list shows until names are revealed: the first character and ○ for the rest of each part
    (「釜石 花子」 → 「釜○ 花○」, 「林」 → 「林○」); the length is not given away beyond three marks."""
    return " ".join(p[0] + "○" * max(1, min(len(p) - 1, 3)) for p in (name or "").split())


def case_number(year: int, serial: int) -> str:
    """The number a case is known by on paper: 2026-0042."""
    return f"{year}-{serial:04d}"
