"""The shared vocabularies and their first contents, taken from DOMAIN.md.

These are only the seeds: the lists live in the database and the coordinator edits
them in the settings dialog. Every tab reads the same lists.
"""

from __future__ import annotations

from dataclasses import dataclass

# Kinds of vocabulary a user can edit (table key → Japanese label).
VOCAB_KINDS: dict[str, str] = {
    "municipality": "市町村",
    "district": "地区",
    "association": "職能団体",
    "profession": "職種",
    "category": "資源の種別",
    "capability": "サービス・対応",
    "procedure": "医療処置",
    "theme": "課題のテーマ",
    "consultation_category": "相談の分類",
}

# The eight tasks of 在宅医療・介護連携推進事業.
TASKS: dict[str, str] = {
    "ア": "地域の医療・介護の資源の把握",
    "イ": "在宅医療・介護連携の課題の抽出と対応策の検討",
    "ウ": "切れ目のない在宅医療と介護の提供体制の構築推進",
    "エ": "医療・介護関係者の情報共有の支援",
    "オ": "在宅医療・介護連携に関する相談支援",
    "カ": "医療・介護関係者の研修",
    "キ": "地域住民への普及啓発",
    "ク": "在宅医療・介護連携に関する関係市区町村の連携",
}

# Kamaishi's 階層別連携コーディネート.
LAYERS: dict[str, str] = {
    "一次": "一次連携（職種内の課題）",
    "二次": "二次連携（職種間の課題）",
    "三次": "三次連携（地域全体の課題）",
}


@dataclass(frozen=True)
class CategorySeed:
    name: str
    reading: str
    group: str  # 医療 / 介護 / 地域


CATEGORIES: tuple[CategorySeed, ...] = (
    CategorySeed("病院", "びょういん", "医療"),
    CategorySeed("医科診療所", "いかしんりょうじょ", "医療"),
    CategorySeed("歯科診療所", "しかしんりょうじょ", "医療"),
    CategorySeed("保険調剤薬局", "ほけんちょうざいやっきょく", "医療"),
    CategorySeed("訪問看護ステーション", "ほうもんかんごすてーしょん", "医療"),
    CategorySeed("地域包括支援センター", "ちいきほうかつしえんせんたー", "地域"),
    CategorySeed("居宅介護支援事業所", "きょたくかいごしえんじぎょうしょ", "介護"),
    CategorySeed("訪問介護事業所", "ほうもんかいごじぎょうしょ", "介護"),
    CategorySeed("通所介護事業所", "つうしょかいごじぎょうしょ", "介護"),
    CategorySeed("特別養護老人ホーム", "とくべつようごろうじんほーむ", "介護"),
    CategorySeed("グループホーム", "ぐるーぷほーむ", "介護"),
)

# The order Kamaishi's H27 table uses, for summaries.
KAMAISHI_TABLE_ORDER: tuple[str, ...] = (
    "病院", "医科診療所", "歯科診療所", "保険調剤薬局", "地域包括支援センター",
    "居宅介護支援事業所", "訪問介護事業所", "訪問看護ステーション", "通所介護事業所",
    "特別養護老人ホーム", "グループホーム",
)

CAPABILITIES: tuple[str, ...] = (
    "訪問診療",
    "往診",
    "在宅看取り",
    "24時間対応",
    "在宅療養支援診療所",
    "在宅療養支援病院",
    "訪問歯科",
    "訪問薬剤管理指導",
    "医療用麻薬（夜間・休日）",
    "医療依存度の高い患者の受入",
    "ショートステイ",
    "レスパイト入院",
    "後方支援病床",
)

PROCEDURES: tuple[str, ...] = (
    "胃ろう・経管栄養",
    "中心静脈栄養",
    "在宅酸素",
    "人工呼吸器",
    "喀痰吸引",
    "気管切開",
    "褥瘡処置",
    "疼痛管理（麻薬）",
    "インスリン",
    "透析",
    "ストーマ",
    "尿道カテーテル",
)

# ○ 可 / △ 要相談 / × 不可 / blank 未確認
MARKS: dict[str, str] = {"○": "可", "△": "要相談", "×": "不可", "": "未確認"}
MARK_ALIASES: dict[str, str] = {
    "○": "○", "〇": "○", "◯": "○", "o": "○", "O": "○", "可": "○",
    "△": "△", "▲": "△", "要相談": "△",
    "×": "×", "x": "×", "X": "×", "✕": "×", "不可": "×",
    "": "", "-": "", "未確認": "",
}


@dataclass(frozen=True)
class AssociationSeed:
    name: str
    reading: str
    professions: tuple[tuple[str, str], ...]  # (name, reading)


# Professions grouped under the association that speaks for them (DOMAIN.md).
ASSOCIATIONS: tuple[AssociationSeed, ...] = (
    AssociationSeed("医師会", "いしかい", (("医師", "いし"),)),
    AssociationSeed("歯科医師会", "しかいしかい", (("歯科医師", "しかいし"), ("歯科衛生士", "しかえいせいし"))),
    AssociationSeed("薬剤師会", "やくざいしかい", (("薬剤師", "やくざいし"),)),
    AssociationSeed("訪問看護ステーション連絡会", "ほうもんかんごすてーしょんれんらくかい",
                    (("看護師", "かんごし"), ("訪問看護師", "ほうもんかんごし"))),
    AssociationSeed("リハ士会", "りはしかい", (("理学療法士", "りがくりょうほうし"), ("作業療法士", "さぎょうりょうほうし"), ("言語聴覚士", "げんごちょうかくし"))),
    AssociationSeed("栄養士会", "えいようしかい", (("管理栄養士", "かんりえいようし"),)),
    AssociationSeed("介護支援専門員協議会", "かいごしえんせんもんいんきょうぎかい",
                    (("介護支援専門員", "かいごしえんせんもんいん"), ("主任介護支援専門員", "しゅにんかいごしえんせんもんいん"))),
    AssociationSeed("病院連携室連絡会", "びょういんれんけいしつれんらくかい", (("医療ソーシャルワーカー", "いりょうそーしゃるわーかー"),)),
    AssociationSeed("介護サービス事業者協議会", "かいごさーびすじぎょうしゃきょうぎかい",
                    (("介護福祉士", "かいごふくしし"), ("訪問介護員", "ほうもんかいごいん"))),
)

# Professions with no association of their own.
OTHER_PROFESSIONS: tuple[tuple[str, str], ...] = (
    ("保健師", "ほけんし"),
    ("社会福祉士", "しゃかいふくしし"),
    ("地域包括支援センター職員", "ちいきほうかつしえんせんたーしょくいん"),
    ("行政職員", "ぎょうせいしょくいん"),
    ("民生委員", "みんせいいいん"),
    ("社会福祉協議会職員", "しゃかいふくしきょうぎかいしょくいん"),
    ("消防", "しょうぼう"),
    ("保健所職員", "ほけんじょしょくいん"),
    ("住民", "じゅうみん"),
)
