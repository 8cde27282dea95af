"""Readers for the official open data on care and medical providers.

Formats (see the research note OPEN_DATA.md):
- 介護サービス情報公表システム: one national CSV per service, ``jigyosho_{code}.csv`` (24 columns)
- 医療情報ネット（ナビイ）施設票: 01-1 病院, 02-1 診療所, 03-1 歯科, 05 薬局
- 自治体標準オープンデータセット（推奨データセット）: 介護サービス事業所一覧 / 医療機関一覧

Pure: the file and the region (5-digit code prefix → municipality id) go in; plain rows of
official values, each with its own errors and warnings, come out. Matching against stored
records is the service's job (``services.open_data``). Columns are found by their header
(after width/kana folding), so files re-saved by Excel (CP932, no quotes, numbers) still read.

Decisions:
- A service code that is not in ``SERVICE_CATEGORIES`` (from the file name or column
  サービスの種類) makes the row an error row with a message naming the code: guessing a
  category for an unknown service would put providers in the wrong list.
- Opening hours: the files give no hours (kaigo gives weekdays only, ナビイ only flags), so
  ``opening_hours`` is filled from 利用可能曜日 for new records only and never overwritten.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import jaconv

from zaitaku_desktop.domain.codes import corporate_number_ok, lg_check_digit
from zaitaku_desktop.domain.contact import email_issue, parse_coordinate, url_issue
from zaitaku_desktop.domain.errors import DomainError, FileFormatError
from zaitaku_desktop.domain.text import is_kana_reading, nfkc, search_key

from .table_reader import Sheet, decode_text, open_sheets

Progress = Callable[[int, int], None]
HEADER_SEARCH_ROWS = 5

KAIGO = "kaigo"
NAVII = "navii"
SUISHOU_KAIGO = "suishou_kaigo"
SUISHOU_IRYOU = "suishou_iryou"

FORMAT_LABELS = {
    KAIGO: "介護サービス情報公表システムのオープンデータ",
    NAVII: "医療情報ネット（ナビイ）のオープンデータ",
    SUISHOU_KAIGO: "推奨データセット「介護サービス事業所一覧」",
    SUISHOU_IRYOU: "推奨データセット「医療機関一覧」",
}

NO_REGION_MESSAGE = ("オープンデータを取り込むには、地域の市町村（団体コード付き）を先に登録してください。\n"
                     "「設定 → 市町村」で追加するか、コマンド「municipalities add 団体コード 名前」で追加できます。")


@dataclass(frozen=True)
class CategorySpec:
    name: str
    reading: str
    group: str


def _cat(name: str, reading: str, group: str = "介護") -> CategorySpec:
    return CategorySpec(name, reading, group)


_HOUMON_KAIGO = _cat("訪問介護事業所", "ほうもんかいごじぎょうしょ")
_TSUSHO = _cat("通所介護事業所", "つうしょかいごじぎょうしょ")
_YOGU = _cat("福祉用具事業所", "ふくしようぐじぎょうしょ")
_SHORT_RYOYO = _cat("短期入所療養介護事業所", "たんきにゅうしょりょうようかいごじぎょうしょ")
_YURYO = _cat("有料老人ホーム", "ゆうりょうろうじんほーむ")
_KEIHI = _cat("軽費老人ホーム", "けいひろうじんほーむ")
_SAKOJU = _cat("サービス付き高齢者向け住宅", "さーびすつきこうれいしゃむけじゅうたく")
_TOKUYO = _cat("特別養護老人ホーム", "とくべつようごろうじんほーむ")

# Service code of 介護サービス情報公表システム → (official label, the program's category).
SERVICE_CATEGORIES: dict[str, tuple[str, CategorySpec]] = {
    "110": ("訪問介護", _HOUMON_KAIGO),
    "120": ("訪問入浴介護", _cat("訪問入浴介護事業所", "ほうもんにゅうよくかいごじぎょうしょ")),
    "130": ("訪問看護", _cat("訪問看護ステーション", "ほうもんかんごすてーしょん", "医療")),
    "140": ("訪問リハビリテーション", _cat("訪問リハビリテーション事業所", "ほうもんりはびりてーしょんじぎょうしょ")),
    "150": ("通所介護", _TSUSHO),
    "155": ("通所介護（療養通所介護）", _TSUSHO),
    "160": ("通所リハビリテーション", _cat("通所リハビリテーション事業所", "つうしょりはびりてーしょんじぎょうしょ")),
    "170": ("福祉用具貸与", _YOGU),
    "210": ("短期入所生活介護", _cat("短期入所生活介護事業所", "たんきにゅうしょせいかつかいごじぎょうしょ")),
    "220": ("短期入所療養介護（介護老人保健施設）", _SHORT_RYOYO),
    "230": ("短期入所療養介護（療養病床を有する病院等）", _SHORT_RYOYO),
    "551": ("短期入所療養介護（介護医療院）", _SHORT_RYOYO),
    "320": ("認知症対応型共同生活介護", _cat("グループホーム", "ぐるーぷほーむ")),
    "331": ("特定施設入居者生活介護（有料老人ホーム）", _YURYO),
    "332": ("特定施設入居者生活介護（軽費老人ホーム）", _KEIHI),
    "334": ("特定施設入居者生活介護（サービス付き高齢者向け住宅）", _SAKOJU),
    "335": ("特定施設入居者生活介護（有料老人ホーム・外部サービス利用型）", _YURYO),
    "336": ("特定施設入居者生活介護（軽費老人ホーム・外部サービス利用型）", _KEIHI),
    "337": ("特定施設入居者生活介護（サービス付き高齢者向け住宅・外部サービス利用型）", _SAKOJU),
    "361": ("地域密着型特定施設入居者生活介護（有料老人ホーム）", _YURYO),
    "362": ("地域密着型特定施設入居者生活介護（軽費老人ホーム）", _KEIHI),
    "364": ("地域密着型特定施設入居者生活介護（サービス付き高齢者向け住宅）", _SAKOJU),
    "410": ("特定福祉用具販売", _YOGU),
    "430": ("居宅介護支援", _cat("居宅介護支援事業所", "きょたくかいごしえんじぎょうしょ")),
    "510": ("介護老人福祉施設", _TOKUYO),
    "520": ("介護老人保健施設", _cat("介護老人保健施設", "かいごろうじんほけんしせつ")),
    "530": ("介護療養型医療施設", _cat("介護療養型医療施設", "かいごりょうようがたいりょうしせつ")),
    "540": ("地域密着型介護老人福祉施設入所者生活介護", _TOKUYO),
    "550": ("介護医療院", _cat("介護医療院", "かいごいりょういん")),
    "710": ("夜間対応型訪問介護", _HOUMON_KAIGO),
    "720": ("認知症対応型通所介護", _cat("認知症対応型通所介護事業所", "にんちしょうたいおうがたつうしょかいごじぎょうしょ")),
    "730": ("小規模多機能型居宅介護", _cat("小規模多機能型居宅介護事業所", "しょうきぼたきのうがたきょたくかいごじぎょうしょ")),
    "760": ("定期巡回・随時対応型訪問介護看護",
            _cat("定期巡回・随時対応型訪問介護看護事業所", "ていきじゅんかいずいじたいおうがたほうもんかいごかんごじぎょうしょ")),
    "770": ("看護小規模多機能型居宅介護",
            _cat("看護小規模多機能型居宅介護事業所", "かんごしょうきぼたきのうがたきょたくかいごじぎょうしょ")),
    "780": ("地域密着型通所介護", _TSUSHO),
}
# Texts of column サービスの種類 / 実施サービス that differ from the labels above.
_SERVICE_ALIASES = {
    "療養通所介護": "155",
    "看護小規模多機能型居宅介護（複合型サービス）": "770",
    "複合型サービス": "770",
    "短期入所療養介護（介護老人保健施設）": "220",
    "短期入所療養介護（療養病床を有する病院等）": "230",
    "短期入所療養介護（介護医療院）": "551",
    "地域密着型介護老人福祉施設": "540",
}
_CHIIKI_HOUKATSU = _cat("地域包括支援センター", "ちいきほうかつしえんせんたー", "地域")

NAVII_TYPES: dict[str, tuple[str, CategorySpec]] = {
    "hospital": ("01-1 病院", _cat("病院", "びょういん", "医療")),
    "clinic": ("02-1 診療所", _cat("医科診療所", "いかしんりょうじょ", "医療")),
    "dental": ("03-1 歯科診療所", _cat("歯科診療所", "しかしんりょうじょ", "医療")),
    "pharmacy": ("05 薬局", _cat("保険調剤薬局", "ほけんちょうざいやっきょく", "医療")),
}
_NAVII_PREFIXES = {"01-1_": "hospital", "02-1_": "clinic", "03-1_": "dental", "05_": "pharmacy"}


def _service_key(text: str) -> str:
    """Fold a service name: width, brackets, spaces and the 指定 prefix do not matter."""
    key = search_key(text).replace("(", "（").replace(")", "）")
    if key.startswith("指定") and len(key) > 2:
        key = key[2:]
    return key


_SERVICE_BY_TEXT: dict[str, str] = {}
for _code, (_label, _spec) in SERVICE_CATEGORIES.items():
    _SERVICE_BY_TEXT[_service_key(_label)] = _code
for _text, _code in _SERVICE_ALIASES.items():
    _SERVICE_BY_TEXT[_service_key(_text)] = _code


def service_code_from_text(text: str) -> str | None:
    key = _service_key(text or "")
    if not key:
        return None
    if key in _SERVICE_BY_TEXT:
        return _SERVICE_BY_TEXT[key]
    # 「地域密着型通所介護」 written as 「通所介護（地域密着型）」 and similar: no guessing beyond this.
    return None


# --- plain output ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowIssue:
    row: int
    column: str
    message: str


@dataclass
class OfficialRow:
    """One provider as the official file gives it (already limited to the region)."""

    row: int
    external_source: str  # "kaigo:110", "navii:hospital", "suishou:kaigo", "suishou:iryou"
    external_id: str  # 事業所番号 / ID / 医療機関コード / NO, always text
    municipality_id: str
    municipality_code: str  # 6 digits
    category: CategorySpec
    name: str
    alt_name: str = ""  # 略称 (ナビイ): used to find a record typed with the short name
    reading: str = ""
    address: str = ""
    phone: str | None = None  # None: the file has no phone column
    fax: str | None = None
    url: str = ""
    lat: float | None = None
    lon: float | None = None
    opening_hours: str = ""  # only for new records


@dataclass
class OpenDataTable:
    kind: str
    format_label: str
    file_name: str
    file_date: dt.date | None  # from the file name (ナビイ YYYYMMDD), else None
    encoding_label: str
    total_rows: int = 0
    outside_region: int = 0
    rows: list[OfficialRow] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)  # external sources the file covers
    seen_ids: dict[str, set[str]] = field(default_factory=dict)  # source → every id the file lists

    covers_all_municipalities: bool = True  # national files; municipal lists cover their own towns
    has_phone: bool = False

    def lists(self, source: str, external_id: str) -> bool:
        """True when the file lists this id (inside or outside the region)."""
        return external_id in self.seen_ids.get(source, ())

    def _seen(self, source: str) -> set[str]:
        return self.seen_ids.setdefault(source, set())


# --- helpers ---------------------------------------------------------------------------------------

def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip()


def _fold(value: Any) -> str:
    return search_key(_text(value)).replace("(", "（").replace(")", "）")


def _digits_code(raw: str, length: int) -> str:
    """A code cell: full-width digits folded; leading zeros lost by Excel put back."""
    text = raw if raw.isascii() else nfkc(raw)
    text = text.strip()
    if text.isdigit() and len(text) < length:
        text = text.zfill(length)
    return text


def _id_text(raw: str, length: int) -> str:
    text = nfkc(raw).strip() if not raw.isascii() else raw.strip()
    if text.isdigit() and len(text) < length:
        text = text.zfill(length)  # a number cell in Excel dropped the leading 0
    return text


def _reading(raw: str) -> str:
    text = nfkc(raw or "").strip()
    if not text or not is_kana_reading(text):
        return ""  # the カナ column sometimes holds kanji: better no reading than a wrong one
    return jaconv.kata2hira(text)


def _join_address(address: str, building: str, city: str, prefecture: str) -> str:
    address = (address or "").strip()
    building = (building or "").strip()
    if building and not nfkc(address).replace(" ", "").replace("　", "").endswith(
            nfkc(building).replace(" ", "").replace("　", "")):
        address = f"{address}　{building}" if address else building
    if address and city and not address.startswith(city) and not (prefecture and address.startswith(prefecture)):
        address = city + address  # 「上知識町806番地」: give it its town
    return address


def _clean_url(raw: str, n: int, column: str, warnings: list[RowIssue]) -> str:
    text = nfkc(raw or "").strip()
    if not text:
        return ""
    if url_issue(text) is None:
        return text
    if "@" not in text and " " not in text and re.fullmatch(r"[\w.\-]+\.[a-z]{2,}(/\S*)?", text, re.IGNORECASE):
        return "http://" + text
    if email_issue(text) is None:
        warnings.append(RowIssue(n, column, f"URL欄の「{raw.strip()}」はメールアドレスのため、URLとしては取り込みません"))
    else:
        warnings.append(RowIssue(n, column, f"URL「{raw.strip()}」はアドレスの形ではないため取り込みません"))
    return ""


def _coordinates(lat_raw: str, lon_raw: str, n: int, column: str,
                 warnings: list[RowIssue]) -> tuple[float | None, float | None]:
    lat, lat_issue = parse_coordinate(lat_raw, kind="lat")
    lon, lon_issue = parse_coordinate(lon_raw, kind="lon")
    if lat_issue or lon_issue:
        warnings.append(RowIssue(n, column, (lat_issue or lon_issue or "") + "（位置は取り込みません）"))
        return None, None
    if lat is None or lon is None:
        return None, None  # 0.000… means "unknown"
    return lat, lon


def _file_date(name: str) -> dt.date | None:
    match = re.search(r"(20\d{2})(\d{2})(\d{2})", name)
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def file_date_from_name(name: str) -> dt.date | None:
    """The date in a ナビイ file name (``01-1_hospital_facility_info_20260601.csv``)."""
    return _file_date(name)


# --- format detection -----------------------------------------------------------------------------

_H = {k: _fold(k) for k in (
    "都道府県コード又は市町村コード", "都道府県コード又は市区町村コード", "事業所番号", "事業所名", "ID", "正式名称", "名称",
    "所在地座標（緯度）", "診療科目コード", "実施サービス", "介護サービス事業所名称", "医療機関の種類", "医療機関コード",
)}


def detect_format(header: list[Any]) -> str | None:
    """Which open-data layout a header row is; None when it is none of them."""
    cols = {_fold(h) for h in header}
    if _H["ID"] in cols and _H["診療科目コード"] in cols:
        raise FileFormatError("このファイルは医療情報ネット（ナビイ）の「診療科・診療時間票」（01-2・02-2・03-2）です。"
                              "取り込めるのは施設票です：01-1（病院）・02-1（診療所）・03-1（歯科）・05（薬局）の"
                              "CSVを選んでください。")
    if _H["ID"] in cols and _H["所在地座標（緯度）"] in cols and (_H["正式名称"] in cols or _H["名称"] in cols):
        if any("就業時間帯" in c for c in cols):
            raise FileFormatError("このファイルは医療情報ネット（ナビイ）の助産所（04）のファイルです。取り込めるのは"
                                  "01-1（病院）・02-1（診療所）・03-1（歯科）・05（薬局）の施設票です。")
        return NAVII
    code_col = _H["都道府県コード又は市町村コード"] in cols or _H["都道府県コード又は市区町村コード"] in cols
    if code_col and (_H["実施サービス"] in cols or _H["介護サービス事業所名称"] in cols):
        return SUISHOU_KAIGO
    if code_col and (_H["医療機関の種類"] in cols or (_H["医療機関コード"] in cols and _H["名称"] in cols)):
        return SUISHOU_IRYOU
    if code_col and _H["事業所番号"] in cols:
        return KAIGO
    return None


def _wrong_kaigo_name(name: str) -> bool:
    lower = name.lower()
    return bool(re.match(r"jigyosho_\d+", lower)) or any(lower.startswith(p) for p in _NAVII_PREFIXES)


# --- reading ---------------------------------------------------------------------------------------

class _Columns:
    def __init__(self, header: list[Any]) -> None:
        self.names = [_text(h) for h in header]
        self.index: dict[str, int] = {}
        for i, h in enumerate(header):
            self.index.setdefault(_fold(h), i)

    def find(self, *names: str) -> int | None:
        for name in names:
            i = self.index.get(_fold(name))
            if i is not None:
                return i
        return None

    def need(self, label: str, *names: str) -> int:
        i = self.find(*names)
        if i is None:
            raise FileFormatError(f"{label}として読もうとしましたが、必要な列「{names[0]}」がありません。"
                                  "ダウンロードしたファイルをそのまま選んでください。")
        return i


def read_open_data(path: Path, region: Mapping[str, str], *, progress: Progress | None = None) -> OpenDataTable | None:
    """Read an open-data file, keeping only rows of the region.

    ``region`` maps the first five digits of a 団体コード to a municipality id. Returns None when
    the first rows hold no open-data header (the caller then tries its own list format).
    """
    path = Path(path)
    kind_of_file, sheets = open_sheets(path)
    all_sheets = _csv_sheets(path) if kind_of_file == "csv" else sheets()
    try:
        return _read_sheets(path, all_sheets, region, progress)
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"「{path.name}」の文字を読み取れません（UTF-8の印があるのに、途中に読めない文字があります）。"
                              "ダウンロードし直してからお試しください。") from exc
    except csv.Error as exc:  # in the first rows, while looking for the header
        raise FileFormatError(f"「{path.name}」の先頭の行をCSVとして読み取れません。"
                              "引用符（\"）の閉じ忘れや、極端に長い項目がないか確かめてください。") from exc
    finally:
        all_sheets.close()  # type: ignore[attr-defined]


def _read_sheets(path: Path, all_sheets: Iterator[Any], region: Mapping[str, str],
                 progress: Progress | None) -> OpenDataTable | None:
    for sheet in all_sheets:
        rows = sheet.rows
        buffered: list[tuple[int, list[Any]]] = []
        kind = None
        header: list[Any] = []
        for number, values in rows:
            buffered.append((number, values))
            kind = detect_format(values)
            if kind is not None:
                header = values
                break
            if len(buffered) >= HEADER_SEARCH_ROWS:
                break
        if kind is None:
            if _wrong_kaigo_name(path.name) and buffered:
                raise FileFormatError(f"「{path.name}」はオープンデータのファイル名ですが、1行目が見出しの形になっていません。"
                                      "介護サービス情報公表システムの jigyosho_〇〇〇.csv、または医療情報ネット（ナビイ）の"
                                      "施設票をそのまま選んでください。")
            return None
        if not region:
            raise DomainError(NO_REGION_MESSAGE)
        table = OpenDataTable(kind=kind, format_label=FORMAT_LABELS[kind], file_name=path.name,
                              file_date=_file_date(path.name), encoding_label=sheet.encoding_label or "Excel")
        reader = {KAIGO: _read_kaigo, NAVII: _read_navii, SUISHOU_KAIGO: _read_suishou,
                  SUISHOU_IRYOU: _read_suishou}[kind]
        try:
            reader(table, path, _Columns(header), rows, region, progress)
        except csv.Error as exc:
            raise FileFormatError(f"「{path.name}」の{table.total_rows + 2}行目付近をCSVとして読み取れません。"
                                  "引用符（\"）の閉じ忘れがないか確かめてください。") from exc
        return table
    return None


def _csv_sheets(path: Path) -> Iterator[Any]:
    """A CSV read straight through the ``csv`` module (national files are large).

    The official files carry a UTF-8 BOM: they are streamed like a plain ``csv`` scan would read
    them. Other files (CP932 from Excel, UTF-8 without BOM) are decoded whole by ``decode_text``.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(3)
    except OSError as exc:
        raise FileFormatError(f"「{path.name}」を読み込めませんでした。") from exc
    if head == codecs.BOM_UTF8:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            yield Sheet("csv", "UTF-8", path.stem, enumerate(csv.reader(stream, strict=False), start=1))
        return
    text, label = decode_text(path.read_bytes(), path.name)
    if not text.strip():
        raise FileFormatError(f"「{path.name}」は空のファイルです。中身のあるファイルを選んでください。")
    # Plain enumerate over the reader: no generator in between (csv.Error is caught by the caller).
    yield Sheet("csv", label, path.stem, enumerate(csv.reader(io.StringIO(text, newline=""), strict=False), start=1))


def _region_id(code6: str, region: Mapping[str, str]) -> str | None:
    return region.get(code6[:5])


def _short_row(table: OpenDataTable, n: int, values: list[Any], width: int) -> bool:
    if len(values) < width:
        table.errors.append(RowIssue(n, "", f"この行は列が足りません（{len(values)}列／必要 {width}列）。"
                                            "ファイルが途中で切れている可能性があります"))
        return True
    return False


def _blank(values: list[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _read_kaigo(table: OpenDataTable, path: Path, cols: _Columns, rows: Iterator[tuple[int, list[Any]]],
                region: Mapping[str, str], progress: Progress | None) -> None:
    label = FORMAT_LABELS[KAIGO]
    c_code = cols.need(label, "都道府県コード又は市町村コード", "都道府県コード又は市区町村コード")
    c_id = cols.need(label, "事業所番号")
    c_name = cols.need(label, "事業所名")
    c_addr = cols.need(label, "住所")
    c_kana = cols.find("事業所名カナ")
    c_service = cols.find("サービスの種類")
    c_building = cols.find("方書（ビル名等）", "方書")
    c_lat, c_lon = cols.find("緯度"), cols.find("経度")
    c_tel, c_fax = cols.find("電話番号"), cols.find("FAX番号")
    c_corp = cols.find("法人番号")
    c_days = cols.find("利用可能曜日")
    c_url = cols.find("URL")
    c_pref, c_city = cols.find("都道府県名"), cols.find("市区町村名")
    table.has_phone = c_tel is not None
    width = c_id + 1  # a row must reach 事業所番号 at least
    match = re.match(r"jigyosho_(\d{3})", path.name, re.IGNORECASE)
    file_code = match.group(1) if match else None
    if file_code is not None and file_code not in SERVICE_CATEGORIES:
        file_code_unknown: str | None = file_code
        file_code = None
    else:
        file_code_unknown = None

    header_names = cols.names
    fixed_source = f"kaigo:{file_code}" if file_code is not None else None
    if fixed_source is not None:
        table.sources.add(fixed_source)
    cols_map: dict[str, int | None] = {
        "id": c_id, "name": c_name, "kana": c_kana, "addr": c_addr, "building": c_building, "lat": c_lat,
        "lon": c_lon, "tel": c_tel, "fax": c_fax, "url": c_url, "corp": c_corp, "days": c_days, "pref": c_pref,
        "city": c_city}
    fixed_seen = table._seen(fixed_source).add if fixed_source is not None else None
    service_cache: dict[str, str | None] = {}
    total = outside = 0
    region_get = region.get
    try:
        for n, values in rows:
            # The hot loop: 40,000 national rows, about 1% kept. Plain 6-digit codes take the fast path.
            code = values[c_code] if c_code < len(values) else ""
            if code.__class__ is not str or len(code) != 6 or not code.isascii():
                if not values or _blank(values):
                    continue
                code = _digits_code(code if isinstance(code, str) else _text(code), 6)
            total += 1
            # "Listed" (for records gone from the file) means listed in the region: a provider
            # that moved to a town outside the region is flagged for the coordinator to check.
            mun_id = region_get(code[:5])
            if mun_id is None:
                outside += 1
                continue
            raw_id = values[c_id] if c_id < len(values) else ""
            if raw_id.__class__ is str and len(raw_id) == 10 and raw_id.isascii():
                ext_id = raw_id
            else:
                ext_id = _id_text(raw_id if isinstance(raw_id, str) else _text(raw_id), 10)
            if fixed_seen is not None:
                if ext_id:
                    fixed_seen(ext_id)
                service: str | None = file_code
            else:
                text = _cell(values, c_service)
                if text not in service_cache:
                    service_cache[text] = service_code_from_text(text)
                service = service_cache[text]
                if service is not None and ext_id:
                    table._seen(f"kaigo:{service}").add(ext_id)
            _kaigo_row(table, n, values, header_names, mun_id, code, service, ext_id, width, c_service,
                       file_code_unknown, cols_map)
    finally:
        table.total_rows += total
        table.outside_region += outside


def _kaigo_row(table: OpenDataTable, n: int, values: list[Any], header_names: list[str], mun_id: str, code: str,
               service: str | None, ext_id: str, width: int, c_service: int | None, file_code_unknown: str | None,
               c: dict[str, int | None]) -> None:
    if _short_row(table, n, values, width):
        return
    if service is None:
        shown = _text(values[c_service]) if c_service is not None and c_service < len(values) else ""
        if file_code_unknown:
            message = (f"サービスコード {file_code_unknown}（ファイル名）は、このプログラムの対応表にありません。"
                       "種別を決められないため、この行は取り込みません")
        else:
            message = (f"サービスの種類「{shown}」は、このプログラムの対応表にありません。"
                       "種別を決められないため、この行は取り込みません")
        table.errors.append(RowIssue(n, header_names[c_service] if c_service is not None else "", message))
        return
    _, category = SERVICE_CATEGORIES[service]
    _append(table, n, values, header_names, mun_id=mun_id, code=code, source=f"kaigo:{service}",
            ext_id=ext_id, id_col=c["id"], category=category, c_name=c["name"], c_kana=c["kana"],
            c_addr=c["addr"], c_building=c["building"], c_lat=c["lat"], c_lon=c["lon"], c_tel=c["tel"],
            c_fax=c["fax"], c_url=c["url"], c_corp=c["corp"], c_days=c["days"], c_pref=c["pref"], c_city=c["city"])


def _cell(values: list[Any], i: int | None) -> str:
    if i is None or i >= len(values):
        return ""
    return _text(values[i])


def _append(table: OpenDataTable, n: int, values: list[Any], header_names: list[str], *, mun_id: str, code: str,
            source: str, ext_id: str, id_col: int, category: CategorySpec, c_name: int, c_kana: int | None,
            c_addr: int, c_building: int | None, c_lat: int | None, c_lon: int | None, c_tel: int | None,
            c_fax: int | None, c_url: int | None, c_corp: int | None, c_days: int | None, c_pref: int | None,
            c_city: int | None, alt_name: str = "") -> None:
    name = _cell(values, c_name)
    if not name:
        table.errors.append(RowIssue(n, header_names[c_name], "名称が空のため、この行は取り込みません"))
        return
    if not ext_id:
        table.errors.append(RowIssue(n, header_names[id_col], "番号（ID）が空のため、この行は取り込みません"))
        return
    corp = _cell(values, c_corp)
    if corp and not corporate_number_ok(corp):
        table.warnings.append(RowIssue(n, header_names[c_corp] if c_corp is not None else "",
                                       f"法人番号「{corp}」は検査数字が合いません（行はそのまま取り込みます）"))
    lat, lon = (None, None)
    if c_lat is not None and c_lon is not None:
        lat, lon = _coordinates(_cell(values, c_lat), _cell(values, c_lon), n, header_names[c_lat], table.warnings)
    days = _cell(values, c_days)
    opening = ""
    if days:
        opening = "利用可能曜日：" + "・".join(d.strip() for d in nfkc(days).split(",") if d.strip())
    table.rows.append(OfficialRow(
        row=n, external_source=source, external_id=ext_id, municipality_id=mun_id, municipality_code=code,
        category=category, name=name, alt_name=alt_name, reading=_reading(_cell(values, c_kana)),
        address=_join_address(_cell(values, c_addr), _cell(values, c_building), _cell(values, c_city),
                              _cell(values, c_pref)),
        phone=_cell(values, c_tel) if c_tel is not None else None,
        fax=_cell(values, c_fax) if c_fax is not None else None,
        url=_clean_url(_cell(values, c_url), n, header_names[c_url] if c_url is not None else "URL", table.warnings),
        lat=lat, lon=lon, opening_hours=opening,
    ))


def _navii_type(path: Path, cols: _Columns) -> str:
    name = path.name.lower()
    for prefix, kind in _NAVII_PREFIXES.items():
        if name.startswith(prefix):
            return kind
    for kind in ("hospital", "clinic", "dental", "pharmacy"):
        if kind in name:
            return kind
    # Renamed file: tell the types apart by their columns.
    if cols.find("正式名称") is None and cols.find("名称") is not None:
        return "pharmacy"
    if cols.find("精神病床") is not None:
        return "hospital"
    if cols.find("合計病床数") is not None:
        return "clinic"
    return "dental"


def _read_navii(table: OpenDataTable, path: Path, cols: _Columns, rows: Iterator[tuple[int, list[Any]]],
                region: Mapping[str, str], progress: Progress | None) -> None:
    label = FORMAT_LABELS[NAVII]
    kind = _navii_type(path, cols)
    type_label, category = NAVII_TYPES[kind]
    table.format_label = f"{label}・{type_label}"
    source = f"navii:{kind}"
    table.sources.add(source)
    c_id = cols.need(label, "ID")
    c_name = cols.need(label, "正式名称", "名称")
    c_kana = cols.find("正式名称（フリガナ）", "フリガナ")
    c_short = cols.find("略称")
    c_pref = cols.need(label, "都道府県コード")
    c_city = cols.need(label, "市区町村コード")
    c_addr = cols.need(label, "所在地")
    c_lat, c_lon = cols.find("所在地座標（緯度）"), cols.find("所在地座標（経度）")
    c_url = cols.find("案内用ホームページアドレス", "薬局のホームページアドレス", "ホームページアドレス")
    width = max(c_id, c_pref, c_city) + 1
    header_names = cols.names
    for n, values in rows:
        if not values or _blank(values):
            continue
        table.total_rows += 1
        pref = _digits_code(_cell(values, c_pref), 2)
        city = _digits_code(_cell(values, c_city), 3)
        five = pref + city
        mun_id = region.get(five) if len(five) == 5 else None
        if mun_id is None:  # listed outside the region only: gone from the coordinator's list
            table.outside_region += 1
            continue
        ext_id = _id_text(_cell(values, c_id), 13)
        if ext_id:
            table._seen(source).add(ext_id)
        if _short_row(table, n, values, width):
            continue
        code = five + str(lg_check_digit(five))
        _append(table, n, values, header_names, mun_id=mun_id, code=code, source=source, ext_id=ext_id, id_col=c_id,
                category=category, c_name=c_name, c_kana=c_kana, c_addr=c_addr, c_building=None, c_lat=c_lat,
                c_lon=c_lon, c_tel=None, c_fax=None, c_url=c_url, c_corp=None, c_days=None, c_pref=None,
                c_city=None, alt_name=_cell(values, c_short))


def _iryou_category(text: str) -> CategorySpec | None:
    key = _fold(text)
    if not key:
        return None
    if "歯科" in key:
        return NAVII_TYPES["dental"][1]
    if "薬局" in key:
        return NAVII_TYPES["pharmacy"][1]
    if "病院" in key:
        return NAVII_TYPES["hospital"][1]
    if "診療所" in key or _fold("クリニック") in key:
        return NAVII_TYPES["clinic"][1]
    return None


def _read_suishou(table: OpenDataTable, path: Path, cols: _Columns, rows: Iterator[tuple[int, list[Any]]],
                  region: Mapping[str, str], progress: Progress | None) -> None:
    kaigo = table.kind == SUISHOU_KAIGO
    label = FORMAT_LABELS[table.kind]
    source = "suishou:kaigo" if kaigo else "suishou:iryou"
    table.sources.add(source)
    table.covers_all_municipalities = False
    c_code = cols.need(label, "都道府県コード又は市区町村コード", "都道府県コード又は市町村コード")
    c_no = cols.find("NO", "No")
    if kaigo:
        c_name = cols.need(label, "介護サービス事業所名称", "事業所名称", "名称")
        c_kana = cols.find("介護サービス事業所名称_カナ", "名称_カナ")
        c_kind = cols.find("実施サービス")
        c_id = cols.find("事業所番号")
    else:
        c_name = cols.need(label, "名称")
        c_kana = cols.find("名称_カナ")
        c_kind = cols.find("医療機関の種類")
        c_id = cols.find("医療機関コード")
    if c_no is None and c_id is None:
        raise FileFormatError(f"{label}として読もうとしましたが、番号の列（NO または 事業所番号・医療機関コード）がありません。")
    c_addr = cols.need(label, "住所")
    id_col = c_id if c_id is not None else c_no
    assert id_col is not None
    header_names = cols.names
    for n, values in rows:
        if not values or _blank(values):
            continue
        table.total_rows += 1
        code = _digits_code(_cell(values, c_code), 6)
        if re.fullmatch(r"\d{5}", code):
            code = code + str(lg_check_digit(code))
        ext_id = _id_text(_cell(values, c_id), 10 if kaigo else 10) if c_id is not None else ""
        if not ext_id and c_no is not None:
            ext_id = _id_text(_cell(values, c_no), 0)
        mun_id = _region_id(code, region)
        if mun_id is None:  # listed outside the region only: gone from the coordinator's list
            table.outside_region += 1
            continue
        if ext_id:
            table._seen(source).add(ext_id)
        if _short_row(table, n, values, c_addr + 1):
            continue
        kind_text = _cell(values, c_kind)
        if kaigo:
            service = service_code_from_text(kind_text)
            category = SERVICE_CATEGORIES[service][1] if service else (
                _CHIIKI_HOUKATSU if _fold("地域包括支援センター") in _fold(kind_text) else None)
        else:
            category = _iryou_category(kind_text)
        if category is None:
            table.errors.append(RowIssue(n, header_names[c_kind] if c_kind is not None else "",
                                         f"種類「{kind_text}」は、このプログラムの対応表にありません。"
                                         "種別を決められないため、この行は取り込みません"))
            continue
        _append(table, n, values, header_names, mun_id=mun_id, code=code, source=source, ext_id=ext_id,
                id_col=id_col, category=category, c_name=c_name, c_kana=c_kana, c_addr=c_addr,
                c_building=cols.find("方書"), c_lat=cols.find("緯度"), c_lon=cols.find("経度"),
                c_tel=cols.find("電話番号"), c_fax=cols.find("FAX番号"), c_url=cols.find("URL"),
                c_corp=cols.find("法人番号"), c_days=cols.find("利用可能曜日", "診療曜日") if kaigo else None,
                c_pref=cols.find("都道府県名"), c_city=cols.find("市区町村名"))
    table.has_phone = cols.find("電話番号") is not None
