"""The pure resource-table reader: headers, encodings, cell values, broken files."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from zaitaku_desktop.domain.errors import FileFormatError
from zaitaku_desktop.domain.resource import KeyPerson, ResourceInput
from zaitaku_desktop.exports.resource_list import format_key_persons
from zaitaku_desktop.importers import ImportVocab, VocabEntry, parse_key_persons, read_resource_table

VOCAB = ImportVocab(
    categories=[VocabEntry("cat-hosp", "病院"), VocabEntry("cat-clinic", "医科診療所"),
                VocabEntry("cat-gh", "グループホーム")],
    municipalities=[VocabEntry("mun-k", "釜石市", code="032115"), VocabEntry("mun-o", "大槌町", code="034614")],
    districts=[VocabEntry("dis-kosano", "小佐野", parent_id="mun-k"), VocabEntry("dis-otsuchi", "大槌", parent_id="mun-o")],
    capabilities=[VocabEntry("cap-visit", "訪問診療"), VocabEntry("cap-24", "24時間対応")],
    procedures=[VocabEntry("proc-o2", "在宅酸素"), VocabEntry("proc-suction", "喀痰吸引")],
)


def write_xlsx(path: Path, rows: list[list[object]], *, title_rows: int = 0) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(title_rows):
        ws.append([f"表題 {i + 1}"] if i == 0 else [])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list[object]], *, encoding: str = "utf-8-sig", delimiter: str = ",") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, lineterminator="\r\n", delimiter=delimiter).writerows(rows)
    return path


# --- headers -------------------------------------------------------------------------------

def test_aliases_and_width_variants_are_recognised(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [
        ["事業所名", "フリガナ", "サービスの種類", "市区町村名", "所在地", "ＴＥＬ", "ＦＡＸ 番号", "訪問診療", "在宅酸素", "定員"],
        ["あおばクリニック", "アオバクリニック", "医科診療所", "釜石市", "釜石市只越町1-1", "0193-22-0001",
         "0193-22-0002", "○", "△", "19"],
    ])
    table = read_resource_table(path, VOCAB)
    assert table.headers["name"] == "事業所名"
    assert table.headers["reading"] == "フリガナ"
    assert table.headers["fax"] == "ＦＡＸ 番号"
    assert table.ignored_columns == ["定員"]
    assert table.format_label == "CSV（UTF-8）"
    row = table.rows[0]
    assert row.row == 2
    assert row.values["name"] == "あおばクリニック"
    assert row.values["category_id"] == "cat-clinic"
    assert row.values["municipality_id"] == "mun-k"
    assert row.capabilities == {"cap-visit": True}
    assert row.procedures == {"proc-o2": "△"}
    assert not row.errors


def test_preferred_name_column_wins_and_the_other_is_ignored(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [["正式名称", "名称", "種別"], ["医療法人 あおば会 あおば病院", "あおば病院", "病院"]])
    table = read_resource_table(path, VOCAB)
    assert table.headers["name"] == "名称"
    assert table.ignored_columns == ["正式名称"]
    assert table.rows[0].values["name"] == "あおば病院"


def test_header_below_title_rows_keeps_real_row_numbers(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", [["名称", "種別"], ["A病院", "病院"], [None, None], ["B病院", "病院"]],
                      title_rows=3)
    table = read_resource_table(path, VOCAB)
    assert table.header_row == 4
    assert [r.row for r in table.rows] == [5, 7]


def test_no_name_column_is_a_file_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "n.csv", [["種別", "住所"], ["病院", "釜石市"]])
    with pytest.raises(FileFormatError, match="名称の列が見つかりません"):
        read_resource_table(path, VOCAB)


def test_header_further_down_than_ten_title_rows_is_not_searched(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "deep.xlsx", [["名称"], ["A病院"]], title_rows=12)
    with pytest.raises(FileFormatError, match="名称の列が見つかりません"):
        read_resource_table(path, VOCAB)


def test_second_sheet_is_used_when_the_first_has_no_table(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["説明"])
    ws = wb.create_sheet("一覧")
    ws.append(["名称", "種別"])
    ws.append(["A病院", "病院"])
    wb.save(tmp_path / "two.xlsx")
    table = read_resource_table(tmp_path / "two.xlsx", VOCAB)
    assert [r.values["name"] for r in table.rows] == ["A病院"]


# --- encodings -----------------------------------------------------------------------------

@pytest.mark.parametrize(("encoding", "label"), [
    ("utf-8-sig", "CSV（UTF-8）"), ("utf-8", "CSV（UTF-8）"), ("cp932", "CSV（Shift_JIS）"), ("utf-16", "CSV（UTF-16）"),
])
def test_csv_encodings(tmp_path: Path, encoding: str, label: str) -> None:
    path = write_csv(tmp_path / "e.csv", [["名称", "読み", "種別"], ["髙橋医院　①", "たかはしいいん", "医科診療所"]],
                     encoding=encoding)
    table = read_resource_table(path, VOCAB)
    assert table.format_label == label
    assert table.rows[0].values["name"] == "髙橋医院　①"


def test_csv_quoted_fields_commas_newlines_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes('名称,種別,営業日・時間,備考\r\n"A病院",病院,"平日,祝日","1行目\r\n2行目"\r\nB病院,病院,,\r\n'
                     .encode("utf-8"))
    table = read_resource_table(path, VOCAB)
    assert [r.row for r in table.rows] == [2, 3]
    assert table.rows[0].values["opening_hours"] == "平日,祝日"
    assert table.rows[0].values["notes"] == "1行目\n2行目"


def test_tab_separated_text(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.txt", [["名称", "種別"], ["A病院", "病院"]], delimiter="\t")
    assert read_resource_table(path, VOCAB).rows[0].values["category_id"] == "cat-hosp"


# --- cell values ---------------------------------------------------------------------------

def test_numeric_phone_gets_its_leading_zero_back_with_a_warning(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "p.xlsx", [
        ["名称", "種別", "電話番号", "FAX番号", "郵便番号"],
        ["A病院", "病院", 193221234, 9012345678, 260055],
        ["B病院", "病院", "0193-22-1234", "１２３", "026-0025"],
    ])
    first, second = read_resource_table(path, VOCAB).rows
    assert first.values["phone"] == "0193221234"
    assert first.values["fax"] == "09012345678"
    assert first.values["postal_code"] == "0260055"
    assert [w.column for w in first.warnings] == ["電話番号", "FAX番号", "郵便番号"]
    assert "先頭の0" in first.warnings[0].message
    assert second.values["phone"] == "0193-22-1234"
    assert second.values["fax"] == "１２３"
    assert not second.warnings


def test_dates_from_cells_serials_and_text(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "d.xlsx", [
        ["名称", "種別", "最終確認日", "空き状況の日付", "ショートステイ空き"],
        ["A", "病院", dt.datetime(2026, 6, 10), 46183, 2.0],
        ["B", "病院", "令和8年6月10日", None, "３"],
    ])
    first, second = read_resource_table(path, VOCAB).rows
    assert first.values["last_confirmed"] == dt.date(2026, 6, 10)
    assert first.values["shortstay_as_of"] == dt.date(2026, 6, 10)
    assert first.values["shortstay_vacancies"] == 2
    assert second.values["last_confirmed"] == "令和8年6月10日"
    assert second.values["shortstay_as_of"] == ""
    assert second.values["shortstay_vacancies"] == "3"


def test_vocabulary_matching(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "v.xlsx", [
        ["名称", "種別", "市町村", "地区"],
        ["A", "グループ ホーム", 32115, "小佐野"],
        ["B", "病院X", "大槌町", "大槌"],
        ["C", "病院", "032115", "大槌"],
        ["D", "病院", "盛岡市", "本町"],
        ["E", "病院", "34614", ""],
    ])
    a, b, c, d, e = read_resource_table(path, VOCAB).rows
    assert (a.values["category_id"], a.values["municipality_id"], a.values["district_id"]) == \
        ("cat-gh", "mun-k", "dis-kosano")
    assert [(i.column, i.message) for i in b.errors] == [("種別", "種別「病院X」は一覧にありません（設定で追加できます）")]
    assert b.values["district_id"] == "dis-otsuchi"
    assert c.values["district_id"] is None  # 大槌 is not a district of 釜石市
    assert [i.column for i in c.warnings] == ["地区"] and not c.errors
    assert [i.column for i in d.errors] == ["市町村"] and "盛岡市" in d.errors[0].message
    assert e.values["municipality_id"] == "mun-o"


@pytest.mark.parametrize(("value", "expected"), [
    ("○", True), ("〇", True), (1, True), ("はい", True), ("有", True), ("✓", True), (True, True), ("１", True),
    (None, False), ("", False), ("×", False), (0, False), ("いいえ", False), ("無", False), (False, False),
])
def test_capability_cells(tmp_path: Path, value: object, expected: bool) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", [["名称", "種別", "訪問診療"], ["A", "病院", value]])
    row = read_resource_table(path, VOCAB).rows[0]
    assert row.capabilities == {"cap-visit": expected}
    assert not row.errors


def test_capability_and_procedure_cells_with_other_text_are_row_errors(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", [["名称", "種別", "訪問診療", "喀痰吸引", "在宅酸素"],
                                             ["A", "病院", "たぶん", "要相談", "できる"]])
    row = read_resource_table(path, VOCAB).rows[0]
    assert [i.column for i in row.errors] == ["訪問診療", "在宅酸素"]
    assert row.procedures == {"proc-suction": "△"}


def test_build_input_keeps_columns_the_file_does_not_have(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", [["名称", "種別", "電話番号", "訪問診療"], ["A", "病院", "0193-00-0000", None]])
    table = read_resource_table(path, VOCAB)
    base = ResourceInput(name="A", category_id="cat-hosp", phone="0193-11-1111", address="釜石市",
                         capability_ids=["cap-visit", "cap-24"], procedure_marks={"proc-o2": "○"},
                         key_persons=[KeyPerson("山田", "院長", "")])
    merged = table.build_input(table.rows[0], base)
    assert merged.phone == "0193-00-0000"
    assert merged.address == "釜石市"
    assert merged.capability_ids == ["cap-24"]
    assert merged.procedure_marks == {"proc-o2": "○"}
    assert merged.key_persons == [KeyPerson("山田", "院長", "")]
    assert base.capability_ids == ["cap-visit", "cap-24"]  # the stored values are not touched


@pytest.mark.parametrize("persons", [
    [KeyPerson("工藤 正樹", "院長", "0193-28-3024"), KeyPerson("小笠原 正樹", "地域連携室 MSW", "")],
    [KeyPerson("三浦 美紀", "", "0193-22-4196")],
    [KeyPerson("三浦 美紀", "", "内線12")],
    [KeyPerson("佐藤", "相談員（主任）", "090-1234-5678")],
    [KeyPerson("佐々木 典子", "", "")],
])
def test_key_persons_round_trip(persons: list[KeyPerson]) -> None:
    assert parse_key_persons(format_key_persons(persons)) == persons


def test_key_persons_typed_by_hand() -> None:
    assert parse_key_persons("山田 太郎(医師)0193-22-1111 / 鈴木（看護師）") == [
        KeyPerson("山田 太郎", "医師", "0193-22-1111"), KeyPerson("鈴木", "看護師", "")]


# --- files that cannot be used ---------------------------------------------------------------

def test_empty_files(tmp_path: Path) -> None:
    for name, content in (("empty.csv", b""), ("blank.csv", "\ufeff \r\n\r\n".encode("utf-8")), ("empty.xlsx", b"")):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(FileFormatError, match="空"):
            read_resource_table(path, VOCAB)


def test_empty_workbook(tmp_path: Path) -> None:
    openpyxl.Workbook().save(tmp_path / "empty.xlsx")
    with pytest.raises(FileFormatError, match="何も書かれていません"):
        read_resource_table(tmp_path / "empty.xlsx", VOCAB)


def test_text_renamed_to_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "renamed.xlsx"
    path.write_text("名称,種別\nA病院,病院\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="Excelファイル（.xlsx）として読み込めません"):
        read_resource_table(path, VOCAB)


def test_other_zip_renamed_to_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(FileFormatError, match="読み込めません"):
        read_resource_table(path, VOCAB)


def test_old_xls_format(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(FileFormatError, match=r"\.xlsx"):
        read_resource_table(path, VOCAB)


def test_binary_garbage_named_csv(tmp_path: Path) -> None:
    path = tmp_path / "garbage.csv"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(FileFormatError):
        read_resource_table(path, VOCAB)


def test_unknown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "list.pdf"
    path.write_bytes(b"%PDF-1.7\n")
    with pytest.raises(FileFormatError, match="取り込めない種類"):
        read_resource_table(path, VOCAB)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="見つかりません"):
        read_resource_table(tmp_path / "nothing.csv", VOCAB)


def test_xlsx_with_a_csv_name_is_read_as_excel(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "really.xlsx", [["名称", "種別"], ["A病院", "病院"]])
    renamed = path.rename(tmp_path / "really.csv")
    table = read_resource_table(renamed, VOCAB)
    assert table.format_label == "Excel"
    assert table.rows[0].values["name"] == "A病院"


def test_new_vacancy_count_without_a_date_column_drops_the_stored_date(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [["名称", "種別", "ショートステイ空き"], ["A", "病院", "3"], ["B", "病院", "２"]])
    table = read_resource_table(path, VOCAB)
    base = ResourceInput(name="A", category_id="cat-hosp", shortstay_vacancies=2, shortstay_as_of=dt.date(2026, 5, 1))
    changed = table.build_input(table.rows[0], base)
    assert (changed.shortstay_vacancies, changed.shortstay_as_of) == ("3", None)
    same = table.build_input(table.rows[1], base)
    assert (same.shortstay_vacancies, same.shortstay_as_of) == ("2", dt.date(2026, 5, 1))


def test_new_municipality_drops_a_district_of_the_old_one(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", [["名称", "種別", "市町村"], ["A", "病院", "大槌町"]])
    table = read_resource_table(path, VOCAB)
    base = ResourceInput(name="A", category_id="cat-hosp", municipality_id="mun-k", district_id="dis-kosano")
    merged = table.build_input(table.rows[0], base)
    assert (merged.municipality_id, merged.district_id) == ("mun-o", None)


def test_own_export_format_is_recognised(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "own.xlsx", [["ID", "名称", "種別", "更新日時"],
                                              ["abc", "A", "病院", dt.datetime(2026, 6, 1, 9, 0)]])
    table = read_resource_table(path, VOCAB)
    assert table.format_label == "Excel（本プログラムの書き出し形式）"
    assert table.ignored_columns == []
    assert table.rows[0].resource_id == "abc"
    assert "updated_at" not in table.rows[0].values
