"""Reading the official open-data files (pure importer: plain rows, row errors, region filter)."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest

from zaitaku_desktop.domain.errors import DomainError, FileFormatError
from zaitaku_desktop.importers.open_data import (
    KAIGO, NAVII, SERVICE_CATEGORIES, SUISHOU_IRYOU, SUISHOU_KAIGO, detect_format, read_open_data,
    service_code_from_text,
)

from open_data_files import (
    KAIGO_HEADER, NAVII_HEADER, SUISHOU_IRYOU_HEADER, SUISHOU_KAIGO_HEADER, csv_bytes, kaigo_row, navii_row,
    write_csv,
)

REGION = {"03211": "m-kamaishi", "03461": "m-otsuchi"}


def _kaigo(tmp_path: Path, rows, name: str = "jigyosho_110.csv", **options) -> Path:
    return write_csv(tmp_path / name, KAIGO_HEADER, rows, **options)


def test_detects_every_layout_from_the_header():
    assert detect_format(KAIGO_HEADER) == KAIGO
    assert detect_format(NAVII_HEADER) == NAVII
    assert detect_format(SUISHOU_KAIGO_HEADER) == SUISHOU_KAIGO
    assert detect_format(SUISHOU_IRYOU_HEADER) == SUISHOU_IRYOU
    assert detect_format(["ID", "名称", "種別", "市町村"]) is None  # the program's own list


def test_kaigo_traps(tmp_path):
    rows = [
        kaigo_row(),  # Kamaishi
        kaigo_row(code="102067", number="1070600927", city="沼田市"),  # outside the region
        kaigo_row(code="034614", number="03B0000001", name="大槌テスト", city="大槌町", lat="0.000000000000000",
                  lon="0.000000000000000", tel="０１９３－４２－１１１１", fax="", days="平日,祝日",
                  address="小鎚第32地割126", corp="1234567890123"),
        kaigo_row(number="0370100003", name="ビルの事業所", address="岩手県釜石市大町1-1-1釜石ビル　2階",
                  building="釜石ビル　2階", url="www.example.jp", kana="株式会社テスト"),
    ]
    table = read_open_data(_kaigo(tmp_path, rows), REGION)
    assert table is not None and table.kind == KAIGO
    assert table.total_rows == 4 and table.outside_region == 1
    assert table.encoding_label == "UTF-8"
    first, otsuchi, building = table.rows
    assert first.external_source == "kaigo:110" and first.external_id == "0370100001"
    assert first.category.name == "訪問介護事業所"
    assert first.lat == pytest.approx(39.2755) and first.reading == "かまいしてすとほうもんかいご"
    assert otsuchi.external_id == "03B0000001"  # a letter in 事業所番号, kept as text
    assert otsuchi.municipality_id == "m-otsuchi"
    assert otsuchi.lat is None and otsuchi.lon is None  # 0.000… is "unknown"
    assert otsuchi.phone == "０１９３－４２－１１１１"  # raw text kept
    assert otsuchi.address == "大槌町小鎚第32地割126"  # no town in the address: the town is added
    assert otsuchi.opening_hours == "利用可能曜日：平日・祝日"  # the quoted day list stays one field
    assert building.address == "岩手県釜石市大町1-1-1釜石ビル　2階"  # 方書 not joined twice
    assert building.url == "http://www.example.jp"
    assert building.reading == ""  # kanji in the カナ column: no reading rather than a wrong one
    assert [w.message for w in table.warnings if "法人番号" in w.message] == [
        "法人番号「1234567890123」は検査数字が合いません（行はそのまま取り込みます）"]
    assert not table.errors
    # "listed" is regional: a provider now listed only outside the region is gone from the coordinator's list
    assert not table.lists("kaigo:110", "1070600927")
    assert table.lists("kaigo:110", "0370100001")


def test_cp932_without_quotes_as_excel_saves_it(tmp_path):
    # Excel drops the leading zeros of codes and numbers and shortens the coordinates.
    resaved = kaigo_row(code="32115", number="370100001", lat="39.2755", lon="141.8857", days="平日,祝日")
    path = _kaigo(tmp_path, [resaved], encoding="cp932", quote_all=False)
    table = read_open_data(path, REGION)
    assert table is not None and table.encoding_label == "Shift_JIS"
    only = table.rows[0]
    assert only.name == "釜石テスト訪問介護" and only.external_id == "0370100001"
    assert only.municipality_code == "032115" and only.opening_hours == "利用可能曜日：平日・祝日"
    navii = write_csv(tmp_path / "01-1_hospital_facility_info_20260601.csv", NAVII_HEADER,
                      [navii_row(id_="312110000010", pref="3")], encoding="cp932", quote_all=False)
    assert read_open_data(navii, REGION).rows[0].external_id == "0312110000010"


def test_utf8_without_bom_and_lf(tmp_path):
    path = _kaigo(tmp_path, [kaigo_row()], encoding="utf-8", newline="\n")
    assert read_open_data(path, REGION).rows[0].external_id == "0370100001"


def test_xlsx_saved_from_the_csv_with_numbers(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(KAIGO_HEADER)
    row: list = kaigo_row()
    row[0] = 32115  # Excel turned the code into a number and dropped the 0
    row[15] = 370100001
    row[9], row[10] = 39.2755, 141.8857
    ws.append(row)
    path = tmp_path / "jigyosho_430.xlsx"
    wb.save(path)
    table = read_open_data(path, REGION)
    assert table is not None
    only = table.rows[0]
    assert only.external_id == "0370100001" and only.municipality_code == "032115"
    assert only.external_source == "kaigo:430" and only.category.name == "居宅介護支援事業所"


def test_renamed_file_takes_the_service_from_the_column(tmp_path):
    rows = [kaigo_row(service="指定療養通所介護"), kaigo_row(number="0370100002", service="看護小規模多機能型居宅介護(複合型サービス）")]
    table = read_open_data(_kaigo(tmp_path, rows, name="ダウンロード.csv"), REGION)
    assert [r.external_source for r in table.rows] == ["kaigo:155", "kaigo:770"]
    assert [r.category.name for r in table.rows] == ["通所介護事業所", "看護小規模多機能型居宅介護事業所"]


def test_every_service_code_has_a_category():
    listed = ("110 120 130 140 150 155 160 170 210 220 230 551 320 331 332 334 335 336 337 361 362 364 410 430 "
              "510 520 530 540 550 710 720 730 760 770 780").split()
    assert sorted(SERVICE_CATEGORIES) == sorted(listed)  # every code of OPEN_DATA §1.2 has a home
    for code, (label, category) in SERVICE_CATEGORIES.items():
        assert service_code_from_text(label) == code or category.name
        assert category.group in ("介護", "医療")
    assert SERVICE_CATEGORIES["510"][1].name == "特別養護老人ホーム"
    assert SERVICE_CATEGORIES["320"][1].name == "グループホーム"
    assert SERVICE_CATEGORIES["130"][1].name == "訪問看護ステーション"
    assert SERVICE_CATEGORIES["150"][1].name == "通所介護事業所"


def test_unknown_service_code_is_an_error_row(tmp_path):
    table = read_open_data(_kaigo(tmp_path, [kaigo_row(service="謎のサービス")], name="jigyosho_999.csv"), REGION)
    assert table.rows == []
    assert "サービスコード 999" in table.errors[0].message and "対応表にありません" in table.errors[0].message


def test_truncated_last_line(tmp_path):
    data = csv_bytes(KAIGO_HEADER, [kaigo_row()]) + '"032115","0370100009","岩手県","釜石'.encode()
    path = tmp_path / "jigyosho_110.csv"
    path.write_bytes(data)
    table = read_open_data(path, REGION)
    assert len(table.rows) == 1
    assert table.errors[0].row == 3 and "列が足りません" in table.errors[0].message


def test_empty_file_and_header_only(tmp_path):
    empty = tmp_path / "jigyosho_110.csv"
    empty.write_bytes(b"")
    with pytest.raises(FileFormatError, match="空のファイル"):
        read_open_data(empty, REGION)
    header_only = _kaigo(tmp_path, [], name="jigyosho_120.csv")
    table = read_open_data(header_only, REGION)
    assert table.total_rows == 0 and table.rows == []


def test_wrong_kind_of_file_names_what_is_expected(tmp_path):
    schedule = write_csv(tmp_path / "01-2_hospital_speciality_hours_20260601.csv",
                         ["ID", "診療科目コード", "診療科目名", "診療時間帯"], [["0312110000010", "01001", "内科", "1"]])
    with pytest.raises(FileFormatError, match="施設票"):
        read_open_data(schedule, REGION)
    renamed = write_csv(tmp_path / "jigyosho_110.csv", ["あ", "い"], [["1", "2"]])
    with pytest.raises(FileFormatError, match="jigyosho_〇〇〇.csv"):
        read_open_data(renamed, REGION)
    own_list = write_csv(tmp_path / "list.csv", ["名称", "種別"], [["a", "病院"]])
    assert read_open_data(own_list, REGION) is None


def test_no_municipality_set_up(tmp_path):
    with pytest.raises(DomainError, match="設定 → 市町村"):
        read_open_data(_kaigo(tmp_path, [kaigo_row()]), {})


def test_navii_hospital(tmp_path):
    rows = [navii_row(), navii_row(id_="0110110000010", pref="01", city="101", address="北海道札幌市中央区"),
            navii_row(id_="0346110000020", city="461", lat="0.0", lon="0.0", name="大槌テスト医院")]
    path = write_csv(tmp_path / "01-1_hospital_facility_info_20260601.csv", NAVII_HEADER, rows)
    table = read_open_data(path, REGION)
    assert table.kind == NAVII and "01-1 病院" in table.format_label
    assert str(table.file_date) == "2026-06-01"
    assert table.outside_region == 1
    hospital, otsuchi = table.rows
    assert hospital.external_source == "navii:hospital" and hospital.external_id == "0312110000010"
    assert hospital.municipality_code == "032115"  # 03 + 211 + computed check digit
    assert hospital.phone is None and hospital.fax is None  # no phone column in ナビイ
    assert hospital.alt_name == "釜石テスト病院"
    assert hospital.category.name == "病院"
    assert otsuchi.municipality_id == "m-otsuchi" and otsuchi.lat is None


def test_navii_types_from_file_names(tmp_path):
    for prefix, category in (("02-1_clinic", "医科診療所"), ("03-1_dental", "歯科診療所")):
        path = write_csv(tmp_path / f"{prefix}_facility_info_20251201.csv", NAVII_HEADER, [navii_row()])
        assert read_open_data(path, REGION).rows[0].category.name == category
    pharmacy_header = ["ID", "名称", "フリガナ", "ローマ字", "x", "都道府県コード", "市区町村コード", "所在地",
                       "所在地座標（緯度）", "所在地座標（経度）", "薬局のホームページアドレス"]
    path = write_csv(tmp_path / "薬局.csv", pharmacy_header,
                     [["0312110000099", "只越テスト薬局", "タダコシテストヤッキョク", "", "", "3", "211",
                       "岩手県釜石市只越町２－２", "39.27", "141.88", ""]], encoding="cp932", quote_all=False)
    table = read_open_data(path, REGION)
    assert table.rows[0].category.name == "保険調剤薬局" and table.rows[0].external_source == "navii:pharmacy"


def test_suishou_lists(tmp_path):
    kaigo = write_csv(tmp_path / "032115_care_service.csv", SUISHOU_KAIGO_HEADER, [
        ["032115", "1", "岩手県", "釜石市", "釜石テスト包括", "カマイシテストホウカツ", "地域包括支援センター", "岩手県釜石市只越町3-3",
         "", "", "", "0193-22-9999", "", "", "", "", "", "平日", "", "", "", ""],
        ["032115", "2", "岩手県", "釜石市", "釜石テスト居宅", "", "居宅介護支援", "岩手県釜石市只越町3-4",
         "", "", "", "0193-22-9998", "", "", "", "", "0370199999", "", "", "", "", ""],
    ], encoding="cp932")
    table = read_open_data(kaigo, REGION)
    assert table.kind == SUISHOU_KAIGO and not table.covers_all_municipalities
    assert [(r.category.name, r.external_source, r.external_id) for r in table.rows] == [
        ("地域包括支援センター", "suishou:kaigo", "1"), ("居宅介護支援事業所", "suishou:kaigo", "0370199999")]
    iryou = write_csv(tmp_path / "034614_medical.csv", SUISHOU_IRYOU_HEADER, [
        ["034614", "1", "岩手県", "大槌町", "大槌テスト診療所", "", "無床診療所", "岩手県上閉伊郡大槌町小鎚1-1", ""]
        + [""] * 2 + ["0193-42-0000"] + [""] * 13,
    ])
    table = read_open_data(iryou, REGION)
    assert table.kind == SUISHOU_IRYOU
    assert table.rows[0].category.name == "医科診療所" and table.rows[0].phone == "0193-42-0000"


def test_file_date_is_not_guessed_without_one_in_the_name(tmp_path):
    path = _kaigo(tmp_path, [kaigo_row()])
    os.utime(path, (0, 0))
    assert read_open_data(path, REGION).file_date is None
