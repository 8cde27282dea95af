"""Small files in the official open-data layouts, for the open-data import tests (synthetic rows)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

KAIGO_HEADER = [
    "都道府県コード又は市町村コード", "No", "都道府県名", "市区町村名", "事業所名", "事業所名カナ", "サービスの種類", "住所",
    "方書（ビル名等）", "緯度", "経度", "電話番号", "FAX番号", "法人番号", "法人の名称", "事業所番号", "利用可能曜日",
    "利用可能曜日特記事項", "定員", "URL", "高齢者の方と障害者の方が同時一体的に利用できるサービス",
    "介護保険の通常の指定基準を満たしている", "障害福祉の通常の指定基準を満たしている", "備考",
]
_DAYS = "月火水木金土日"
NAVII_HEADER = (
    ["ID", "正式名称", "正式名称（フリガナ）", "略称", "略称（フリガナ）", "英語表記（ローマ字表記）", "機関区分",
     "都道府県コード", "市区町村コード", "所在地", "所在地座標（緯度）", "所在地座標（経度）", "案内用ホームページアドレス"]
    + [f"毎週決まった曜日に休診（{d}）" for d in _DAYS]
    + [f"決まった週に休診（定期週）第{w}週（{d}）" for w in range(1, 6) for d in _DAYS]
    + ["祝日に休診", "その他の休診日（gw、お盆等）", "一般病床", "療養病床", "療養病床のうち医療保険適用",
       "療養病床のうち介護保険適用", "精神病床", "結核病床", "感染症病床", "合計病床数"]
)
SUISHOU_KAIGO_HEADER = [
    "都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名", "介護サービス事業所名称", "介護サービス事業所名称_カナ",
    "実施サービス", "住所", "方書", "緯度", "経度", "電話番号", "内線番号", "FAX番号", "法人番号", "法人の名称", "事業所番号",
    "利用可能曜日", "利用可能曜日特記事項", "定員", "URL", "備考",
]
SUISHOU_IRYOU_HEADER = [
    "都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名", "名称", "名称_カナ", "医療機関の種類", "住所", "方書",
    "緯度", "経度", "電話番号", "内線番号", "FAX番号", "法人番号", "法人の名称", "医療機関コード", "診療曜日", "診療開始時間",
    "診療終了時間", "診療日時特記事項", "時間外における対応", "診療科目", "病床数", "URL", "備考",
]


def kaigo_row(*, code: str = "032115", number: str = "0370100001", name: str = "釜石テスト訪問介護",
              kana: str = "カマイシテストホウモンカイゴ", service: str = "訪問介護", city: str = "釜石市",
              address: str = "岩手県釜石市只越町1-1-1", building: str = "", lat: str = "39.275500000000000",
              lon: str = "141.885700000000000", tel: str = "0193-22-0001", fax: str = "0193-22-0002",
              corp: str = "", days: str = "平日", url: str = "") -> list[str]:
    return [code, number, "岩手県", city, name, kana, service, address, building, lat, lon, tel, fax, corp,
            "株式会社テスト", number, days, "", "0", url, "", "", "", ""]


def navii_row(*, pref: str = "03", city: str = "211", id_: str = "0312110000010", name: str = "医療法人　テスト会　釜石テスト病院",
              kana: str = "イリョウホウジン　テストカイ　カマイシテストビョウイン", short: str = "釜石テスト病院",
              address: str = "岩手県釜石市甲子町１０－４８３－６", lat: str = "39.2800", lon: str = "141.8500",
              url: str = "") -> list[str]:
    row = [id_, name, kana, short, "", "", "1", pref, city, address, lat, lon, url]
    row += ["1"] * 6 + ["0"] + ["1"] * 35 + ["0", "", "100", "", "", "", "", "", "", "100"]
    assert len(row) == len(NAVII_HEADER)
    return row


def csv_bytes(header: list[str], rows: list[list[str]], *, encoding: str = "utf-8-sig", quote_all: bool = True,
              newline: str = "\r\n") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def write_csv(path: Path, header: list[str], rows: list[list[str]], **options) -> Path:
    path.write_bytes(csv_bytes(header, rows, **options))
    return path
