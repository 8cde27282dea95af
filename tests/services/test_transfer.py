"""Export → edit in Excel → import, against a real database (no Qt)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from zaitaku_desktop.domain.errors import DomainError, FileFormatError
from zaitaku_desktop.domain.resource import KeyPerson, ResourceInput
from zaitaku_desktop.services.transfer import ImportPreview, ImportResult, PlannedChange, RowError


def vocab_ids(services, kind: str) -> dict[str, str]:
    return {i.name: i.id for i in services.vocab.list(kind, include_archived=True)}


def add_resource(services, name: str, **kw: object):
    cats = vocab_ids(services, "category")
    data = ResourceInput(name=name, category_id=cats[kw.pop("category", "病院")], **kw)  # type: ignore[arg-type]
    return services.resources.create(data)


def write_xlsx(path: Path, rows: list[list[object]], *, title_rows: int = 0) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(title_rows):
        ws.append(["在宅医療・介護資源一覧（令和8年度）"] if i == 0 else [])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list[object]], encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    return path


def header_index(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[1]}


def history_count(services) -> int:
    return sum(len(services.resources.history(r.id)) for r in services.resources.list_rows())


# --- the round trip ------------------------------------------------------------------------

def test_export_then_unchanged_import_plans_only_skips(sample_services, tmp_path: Path) -> None:
    out = tmp_path / "資源一覧.xlsx"
    assert sample_services.transfer.export_list(out) == 129
    preview = sample_services.transfer.preview_import(out)
    assert preview.format_label == "Excel（本プログラムの書き出し形式）"
    assert preview.total_rows == 129
    assert (preview.to_add, preview.to_update, preview.to_skip, preview.error_rows) == (0, 0, 129, 0)
    assert preview.ignored_columns == []
    assert preview.errors == [] and preview.warnings == []
    before = history_count(sample_services)
    result = sample_services.transfer.apply_import(preview)
    assert result == ImportResult(added=0, updated=0, skipped=129, rejected=0)
    assert history_count(sample_services) == before
    assert sample_services.resources.count() == 129


def test_export_layout_from_the_database(sample_services, tmp_path: Path) -> None:
    out = tmp_path / "list.xlsx"
    sample_services.transfer.export_list(out)
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    caps = [c.name for c in sample_services.vocab.list("capability")]
    procs = [p.name for p in sample_services.vocab.list("procedure")]
    assert header == ["ID", "名称", "読み", "種別", "市町村", "地区", "郵便番号", "住所", "電話番号", "FAX番号", "メール",
                      "URL", "緯度", "経度", "営業日・時間", "訪問エリア", *caps, *procs, "キーパーソン",
                      "ショートステイ空き", "空き状況の日付", "備考", "最終確認日", "確認方法", "更新日時"]
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    last = openpyxl.utils.get_column_letter(len(header))
    assert ws.auto_filter.ref == f"A1:{last}130"
    col = header_index(ws)
    ids = {r.id for r in sample_services.resources.list_rows()}
    assert {ws.cell(row=r, column=1).value for r in range(2, 131)} == ids
    confirmed = [ws.cell(row=r, column=col["最終確認日"]) for r in range(2, 131)]
    assert any(c.value is not None for c in confirmed)
    for cell in confirmed:
        if cell.value is not None:
            assert isinstance(cell.value, dt.datetime)
            assert cell.number_format == "yyyy/mm/dd"


def test_edited_phone_updates_exactly_that_record_with_history(sample_services, tmp_path: Path) -> None:
    out = tmp_path / "list.xlsx"
    sample_services.transfer.export_list(out)
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    col = header_index(ws)
    target_id = ws.cell(row=5, column=col["ID"]).value
    old_phone = ws.cell(row=5, column=col["電話番号"]).value
    ws.cell(row=5, column=col["電話番号"]).value = "0193-99-0000"
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)

    preview = sample_services.transfer.preview_import(edited)
    assert (preview.to_add, preview.to_update, preview.to_skip) == (0, 1, 128)
    [change] = [c for c in preview.changes if c.action == "update"]
    assert change == PlannedChange(row=5, name=change.name, action="update", resource_id=target_id,
                                   changed_fields=("電話番号",))
    progress: list[tuple[int, int]] = []
    result = sample_services.transfer.apply_import(preview, progress=lambda d, t: progress.append((d, t)))
    assert result == ImportResult(added=0, updated=1, skipped=128, rejected=0)
    assert progress[-1] == (1, 1)
    assert sample_services.resources.count() == 129
    assert sample_services.resources.get(target_id).row.phone == "0193-99-0000"
    latest = sample_services.resources.history(target_id)[0]
    assert latest.action == "import"
    assert latest.note == "edited.xlsx"
    assert latest.changes == {"phone": [old_phone, "0193-99-0000"]}
    # Importing the same file again changes nothing.
    again = sample_services.transfer.preview_import(edited)
    assert (again.to_add, again.to_update, again.to_skip) == (0, 0, 129)


def test_edits_to_vocabulary_columns_and_key_persons(sample_services, tmp_path: Path) -> None:
    out = tmp_path / "list.xlsx"
    sample_services.transfer.export_list(out)
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    col = header_index(ws)
    rid = ws.cell(row=2, column=col["ID"]).value
    ws.cell(row=2, column=col["在宅看取り"]).value = "○"
    ws.cell(row=2, column=col["訪問診療"]).value = None
    ws.cell(row=2, column=col["在宅酸素"]).value = "×"
    ws.cell(row=2, column=col["キーパーソン"]).value = "山田 花子（相談員）0193-55-1234／鈴木 一郎"
    ws.cell(row=2, column=col["地区"]).value = None
    wb.save(out)
    preview = sample_services.transfer.preview_import(out)
    [change] = [c for c in preview.changes if c.action == "update"]
    assert set(change.changed_fields) <= {"地区", "サービス・対応", "医療処置", "キーパーソン"}
    assert "キーパーソン" in change.changed_fields
    sample_services.transfer.apply_import(preview)
    row = sample_services.resources.get(rid)
    assert "在宅看取り" in row.row.capabilities and "訪問診療" not in row.row.capabilities
    assert row.row.procedure_marks["在宅酸素"] == "×"
    assert row.row.district == ""
    assert [(p.name, p.role, p.phone) for p in row.row.key_persons] == [
        ("山田 花子", "相談員", "0193-55-1234"), ("鈴木 一郎", "", "")]


def test_csv_round_trip(sample_services, tmp_path: Path) -> None:
    out = tmp_path / "list.csv"
    sample_services.transfer.export_list(out)
    preview = sample_services.transfer.preview_import(out)
    assert preview.format_label == "CSV（UTF-8・本プログラムの書き出し形式）"
    assert (preview.to_add, preview.to_update, preview.to_skip, preview.error_rows) == (0, 0, 129, 0)


def test_file_saved_again_by_excel_imports_unchanged(sample_services, tmp_path: Path) -> None:
    """Excel turns empty strings into empty cells and keeps dates as dates: still all skips."""
    out = tmp_path / "list.xlsx"
    sample_services.transfer.export_list(out)
    wb = openpyxl.load_workbook(out)
    resaved = tmp_path / "resaved.xlsx"
    wb.save(resaved)
    preview = sample_services.transfer.preview_import(resaved)
    assert (preview.to_add, preview.to_update, preview.to_skip) == (0, 0, 129)


def test_export_selected_ids_in_order_including_archived(sample_services, tmp_path: Path) -> None:
    rows = sample_services.resources.list_rows()
    chosen = [rows[5].id, rows[0].id, rows[9].id]
    sample_services.resources.set_archived(rows[9].id, True)
    out = tmp_path / "some.xlsx"
    assert sample_services.transfer.export_list(out, ids=chosen + ["missing-id"]) == 3
    ws = openpyxl.load_workbook(out).active
    assert [ws.cell(row=r, column=1).value for r in range(2, 5)] == chosen
    # All active records: the archived one is left out.
    assert sample_services.transfer.export_list(tmp_path / "all.csv") == 128


def test_archived_record_updated_by_id_stays_archived(sample_services, tmp_path: Path) -> None:
    row = sample_services.resources.list_rows()[0]
    sample_services.resources.set_archived(row.id, True)
    path = write_xlsx(tmp_path / "a.xlsx", [["ID", "名称", "種別", "市町村", "電話番号"],
                                             [row.id, row.name, row.category, row.municipality, "0193-11-2222"]])
    preview = sample_services.transfer.preview_import(path)
    assert preview.to_update == 1
    sample_services.transfer.apply_import(preview)
    detail = sample_services.resources.get(row.id)
    assert detail.row.phone == "0193-11-2222"
    assert detail.row.archived


# --- matching ------------------------------------------------------------------------------

def test_matching_by_name_category_and_municipality(services, tmp_path: Path) -> None:
    existing = add_resource(services, "あおば病院", phone="0193-00-0001")
    path = write_xlsx(tmp_path / "m.xlsx", [
        ["名称", "種別", "電話番号"],
        ["あおば病院", "病院", "0193-00-0002"],
        ["あおば病院", "医科診療所", "0193-00-0003"],
    ])
    preview = services.transfer.preview_import(path)
    assert [(c.action, c.resource_id) for c in preview.changes] == [("update", existing.id), ("add", None)]
    services.transfer.apply_import(preview)
    assert services.resources.get(existing.id).row.phone == "0193-00-0002"
    assert services.resources.count() == 2


def test_unknown_id_is_added_with_a_warning_and_duplicate_ids_are_errors(services, tmp_path: Path) -> None:
    existing = add_resource(services, "あおば病院")
    path = write_xlsx(tmp_path / "ids.xlsx", [
        ["ID", "名称", "種別"],
        ["3f1d0c1e-0000-4000-8000-000000000000", "新しい病院", "病院"],
        [existing.id, "あおば病院（新名称）", "病院"],
        [existing.id, "あおば病院", "病院"],
    ])
    preview = services.transfer.preview_import(path)
    assert preview.warnings == [RowError(2, "ID", "IDが見つからないため新規に追加します")]
    assert [(c.row, c.action) for c in preview.changes] == [(2, "add"), (3, "update")]
    assert preview.changes[1].changed_fields == ("名称",)
    assert [(e.row, e.column) for e in preview.errors] == [(4, "ID")]
    assert "3行目と重複" in preview.errors[0].message


def test_two_rows_for_the_same_record_by_name(services, tmp_path: Path) -> None:
    add_resource(services, "あおば病院")
    path = write_csv(tmp_path / "d.csv", [["名称", "種別"], ["あおば病院", "病院"], ["あおば病院", "病院"]], "utf-8")
    preview = services.transfer.preview_import(path)
    assert [(e.row, e.column) for e in preview.errors] == [(3, "")]


# --- encodings and layouts ---------------------------------------------------------------------

@pytest.mark.parametrize(("encoding", "label"), [("utf-8-sig", "CSV（UTF-8）"), ("utf-8", "CSV（UTF-8）"),
                                                  ("cp932", "CSV（Shift_JIS）")])
def test_csv_encodings_import(services, tmp_path: Path, encoding: str, label: str) -> None:
    services.vocab.ensure_municipality("032115", "釜石市", "かまいしし", [("小佐野", "こさの")])
    path = write_csv(tmp_path / "e.csv", [
        ["名称", "フリガナ", "種別", "市町村", "地区", "電話番号", "備考"],
        ["髙橋内科クリニック", "タカハシナイカ", "医科診療所", "釜石市", "小佐野", "０１９３－２２－１２３４", "旧館，2階"],
    ], encoding)
    preview = services.transfer.preview_import(path)
    assert preview.format_label == label
    assert preview.to_add == 1 and not preview.errors
    services.transfer.apply_import(preview)
    [row] = services.resources.list_rows()
    assert (row.name, row.reading, row.municipality, row.district) == ("髙橋内科クリニック", "タカハシナイカ", "釜石市", "小佐野")
    assert row.phone == "０１９３－２２－１２３４"  # kept as typed
    assert row.notes == "旧館，2階"


def test_header_not_in_row_one_and_row_numbers_in_messages(services, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", [
        ["名称", "種別", "メール"],
        ["A病院", "病院", "a@example.jp"],
        ["B病院", "病院", "not-an-address"],
    ], title_rows=2)
    preview = services.transfer.preview_import(path)
    assert preview.total_rows == 2
    assert [(e.row, e.column) for e in preview.errors] == [(5, "メール")]
    assert [c.row for c in preview.changes] == [4]


def test_numeric_phone_cell_gets_its_zero_back(services, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "n.xlsx", [["名称", "種別", "電話番号"], ["A病院", "病院", 193221234]])
    preview = services.transfer.preview_import(path)
    assert [(w.row, w.column) for w in preview.warnings] == [(2, "電話番号")]
    assert "先頭の0" in preview.warnings[0].message
    services.transfer.apply_import(preview)
    assert services.resources.list_rows()[0].phone == "0193221234"


def test_unknown_columns_are_listed(services, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "u.xlsx", [["No", "名称", "種別", "定員", None, "法人番号"], [1, "A病院", "病院", 20, None, "x"]])
    preview = services.transfer.preview_import(path)
    assert preview.ignored_columns == ["No", "定員", "法人番号"]
    assert preview.to_add == 1


# --- errors ------------------------------------------------------------------------------------

def test_unknown_category_blocks_the_import_unless_partial(services, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", [
        ["名称", "種別", "市町村"],
        ["A病院", "病院", None],
        ["B施設", "有料老人ホーム", None],
        ["C病院", "病院", "盛岡市"],
    ])
    preview = services.transfer.preview_import(path)
    assert preview.errors == [
        RowError(3, "種別", "種別「有料老人ホーム」は一覧にありません（設定で追加できます）"),
        RowError(4, "市町村", "市町村「盛岡市」は一覧にありません（設定で追加できます）"),
    ]
    assert (preview.to_add, preview.error_rows) == (1, 2)
    with pytest.raises(DomainError, match="取り込みを中止しました"):
        services.transfer.apply_import(preview)
    assert services.resources.count() == 0
    result = services.transfer.apply_import(preview, accept_partial=True)
    assert result == ImportResult(added=1, updated=0, skipped=0, rejected=2)
    assert [r.name for r in services.resources.list_rows()] == ["A病院"]
    with pytest.raises(DomainError, match="すでに終わっています"):
        services.transfer.apply_import(preview, accept_partial=True)


def test_unknown_district_is_a_warning_and_left_blank(services, tmp_path: Path) -> None:
    services.vocab.ensure_municipality("032115", "釜石市", "かまいしし", [("小佐野", "こさの")])
    path = write_xlsx(tmp_path / "d.xlsx", [["名称", "種別", "市町村", "地区"], ["A病院", "病院", "032115", "上中島"]])
    preview = services.transfer.preview_import(path)
    assert [(w.row, w.column) for w in preview.warnings] == [(2, "地区")]
    services.transfer.apply_import(preview)
    row = services.resources.list_rows()[0]
    assert (row.municipality, row.district) == ("釜石市", "")


def test_very_long_name_is_a_row_error(services, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "l.xlsx", [["名称", "種別"], ["あ" * 10_000, "病院"], ["B病院", "病院"]])
    preview = services.transfer.preview_import(path)
    assert [(e.row, e.column) for e in preview.errors] == [(2, "名称")]
    assert "200文字以内" in preview.errors[0].message
    assert preview.to_add == 1


def test_blank_name_and_missing_category(services, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", [["名称", "種別", "住所"], ["", "病院", "釜石市"], ["A病院", "", ""]], "utf-8")
    preview = services.transfer.preview_import(path)
    assert [(e.row, e.column, e.message) for e in preview.errors] == [
        (2, "名称", "名称を入力してください"), (3, "種別", "種別を選んでください")]


def test_emoji_and_half_width_katakana_are_stored_faithfully(services, tmp_path: Path) -> None:
    names = ["ｶﾏｲｼ ｸﾘﾆｯｸ", "にこにこ🏥診療所", "👨‍👩‍👧 ファミリー薬局"]
    xlsx = write_xlsx(tmp_path / "e.xlsx", [["名称", "読み", "種別"], *[[n, "ｶﾅ", "病院"] for n in names[:2]]])
    csv_path = write_csv(tmp_path / "e.csv", [["名称", "種別"], [names[2], "保険調剤薬局"]], "utf-8-sig")
    for path in (xlsx, csv_path):
        services.transfer.apply_import(services.transfer.preview_import(path))
    assert sorted(r.name for r in services.resources.list_rows()) == sorted(names)
    assert {r.reading for r in services.resources.list_rows() if r.reading} == {"ｶﾅ"}


@pytest.mark.parametrize(("name", "content", "match"), [
    ("empty.csv", b"", "空のファイル"),
    ("empty.xlsx", b"", "空のファイル"),
    ("renamed.xlsx", "名称,種別\r\nA病院,病院\r\n".encode("utf-8"), r"Excelファイル（\.xlsx）として読み込めません"),
    ("garbage.csv", bytes(range(256)) * 16, "CSV"),
    ("garbage.xlsx", b"PK\x03\x04" + bytes(range(256)) * 4, "読み込めません"),
    ("noname.csv", "住所,電話番号\r\n釜石市,0193-22-1234\r\n".encode("utf-8"), "名称の列が見つかりません"),
])
def test_unusable_files(services, tmp_path: Path, name: str, content: bytes, match: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileFormatError, match=match):
        services.transfer.preview_import(path)
    assert services.resources.count() == 0


def test_preview_progress_and_large_file(services, tmp_path: Path) -> None:
    rows = [["名称", "種別", "訪問診療"]] + [[f"診療所{i}", "医科診療所", "○"] for i in range(450)]
    path = write_csv(tmp_path / "big.csv", rows, "utf-8-sig")
    seen: list[tuple[int, int]] = []
    preview = services.transfer.preview_import(path, progress=lambda d, t: seen.append((d, t)))
    assert preview.to_add == 450
    assert seen[-1] == (900, 900) and all(d <= t for d, t in seen)
    applied: list[tuple[int, int]] = []
    services.transfer.apply_import(preview, progress=lambda d, t: applied.append((d, t)))
    assert applied == [(200, 450), (400, 450), (450, 450)]
    assert services.resources.count() == 450


def test_preview_shapes(services, tmp_path: Path) -> None:
    preview = ImportPreview(path=tmp_path / "x.csv", format_label="CSV（UTF-8）", total_rows=4, changes=[
        PlannedChange(2, "a", "add"), PlannedChange(3, "b", "update", "id", ("名称",)), PlannedChange(4, "c", "skip"),
    ], errors=[RowError(5, "種別", "x"), RowError(5, "市町村", "y")])
    assert (preview.to_add, preview.to_update, preview.to_skip, preview.error_rows) == (1, 1, 1, 1)


# --- exports through the service ------------------------------------------------------------------

def test_export_to_missing_folder_or_unknown_type(sample_services, tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="フォルダが見つかりません"):
        sample_services.transfer.export_list(tmp_path / "nowhere" / "list.xlsx")
    with pytest.raises(DomainError, match=r"\.xlsx"):
        sample_services.transfer.export_list(tmp_path / "list.pdf")
    with pytest.raises(DomainError, match=r"\.xlsx"):
        sample_services.transfer.export_summary(tmp_path / "summary.csv")


def test_csv_export_through_the_service(sample_services, tmp_path: Path) -> None:
    out = tmp_path / "list.csv"
    assert sample_services.transfer.export_list(out) == 129
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    records = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(records) == 130
    assert raw.count(b"\r\n") >= 130


def test_summary_of_the_sample_region(sample_services, tmp_path: Path) -> None:
    out = tmp_path / "summary.xlsx"
    sample_services.transfer.export_summary(out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["種別×市町村", "対応状況"]
    rows = [list(r) for r in wb["種別×市町村"].iter_rows(values_only=True)]
    assert rows[0] == ["種別", "釜石市", "大槌町", "合計"]
    by_category = {r[0]: r for r in rows[1:]}
    assert by_category["病院"][-1] == 6
    assert rows[-1][0] == "合計" and rows[-1][-1] == 129
    assert rows[-1][1] + rows[-1][2] == 129
    assert all(c.font.b for c in wb["種別×市町村"][1])
    caps = [list(r) for r in wb["対応状況"].iter_rows(values_only=True)]
    assert caps[0] == ["種別", "サービス・対応", "件数"]
    assert ["医科診療所", "在宅看取り", 11] in caps


def test_summary_with_a_record_without_municipality(services, tmp_path: Path) -> None:
    services.vocab.ensure_municipality("032115", "釜石市", "かまいしし")
    add_resource(services, "A病院")
    out = tmp_path / "summary.xlsx"
    services.transfer.export_summary(out)
    rows = [list(r) for r in openpyxl.load_workbook(out)["種別×市町村"].iter_rows(values_only=True)]
    assert rows[0] == ["種別", "釜石市", "市町村未設定", "合計"]
    assert rows[-1] == ["合計", 0, 1, 1]


def test_key_person_without_role_round_trips(services, tmp_path: Path) -> None:
    add_resource(services, "A病院", key_persons=[KeyPerson("山田", "", "0193-22-1111"), KeyPerson("鈴木", "", "内線3")])
    out = tmp_path / "k.xlsx"
    services.transfer.export_list(out)
    preview = services.transfer.preview_import(out)
    assert (preview.to_update, preview.to_skip) == (0, 1)


@pytest.mark.sqlite_only  # reads or changes the SQLite file directly (PostgreSQL: tests/storage/test_postgres.py)
def test_import_is_preceded_by_a_verified_backup_and_stops_without_one(sample_services, tmp_path: Path) -> None:
    import sqlite3

    from zaitaku_desktop import paths

    out = tmp_path / "list.xlsx"
    sample_services.transfer.export_list(out)
    wb = openpyxl.load_workbook(out)
    col = header_index(wb.active)
    wb.active.cell(row=5, column=col["電話番号"]).value = "0193-99-0000"
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    target_id = wb.active.cell(row=5, column=col["ID"]).value
    old_phone = sample_services.resources.get(target_id).row.phone

    # The backup folder is missing (a USB stick pulled out): nothing is written.
    sample_services.maintenance.folder = tmp_path / "usb-stick-gone"
    with pytest.raises(DomainError, match="取り込む前のバックアップを作れなかった"):
        sample_services.transfer.apply_import(sample_services.transfer.preview_import(edited))
    assert sample_services.resources.get(target_id).row.phone == old_phone

    sample_services.maintenance.folder = None  # the default folder
    sample_services.transfer.apply_import(sample_services.transfer.preview_import(edited))
    [backup] = sorted(paths.backup_dir().glob("before-import-*.sqlite3"))
    with sqlite3.connect(backup) as conn:  # the backup holds the data as it was before the import
        phone = conn.execute("SELECT phone FROM resource WHERE id = ?", (target_id,)).fetchone()[0]
    assert phone == old_phone and sample_services.resources.get(target_id).row.phone == "0193-99-0000"


def test_starter_data_is_added_to_a_file_from_before_it_existed(services) -> None:
    """What a restored backup from before the consultation intake looks like: no categories, no templates."""
    from sqlalchemy import text

    from zaitaku_desktop.services.consultations import CATEGORIES_SEEDED_KEY

    with services.db.session() as s:
        s.execute(text("DELETE FROM consultation_category"))
        s.execute(text("DELETE FROM app_meta WHERE key = :k"), {"k": CATEGORIES_SEEDED_KEY})
        s.execute(text("DELETE FROM questionnaire_item"))
        s.execute(text("DELETE FROM questionnaire_template"))
    assert services.consultations.list_categories() == [] and services.questionnaires.list_templates() == []
    services.ensure_starter_data()
    assert len(services.consultations.list_categories()) == 13
    assert {t.name for t in services.questionnaires.list_templates()} >= {"研修会アンケート", "市民公開講座アンケート"}
