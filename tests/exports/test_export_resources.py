"""The pure list writers (.xlsx / .csv), atomic writing and the speed of the .xlsx export."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import os
import time
from pathlib import Path

import openpyxl
import pytest

from zaitaku_desktop.domain.errors import DomainError, StorageError
from zaitaku_desktop.exports import (
    FileWriteError, ResourceListData, write_atomically, write_resources_csv, write_resources_xlsx,
)
from zaitaku_desktop.exports import atomic as atomic_module
from zaitaku_desktop.exports.resource_list import iter_row_values
from zaitaku_desktop.models import KeyPersonRead, ResourceRow

CAPS = ["訪問診療", "在宅看取り"]
PROCS = ["在宅酸素", "喀痰吸引"]
UPDATED = dt.datetime(2026, 6, 10, 3, 4, 5, tzinfo=dt.timezone.utc)


def make_row(i: int = 0, **changes: object) -> ResourceRow:
    row = ResourceRow(
        id=f"00000000-0000-4000-8000-{i:012d}", name=f"はまなす診療所{i}", reading="はまなすしんりょうじょ",
        category_id="c", category="医科診療所", municipality_id="m", municipality="釜石市", district_id="d",
        district="小佐野", postal_code="026-0025", address="岩手県釜石市小佐野町1-1", phone="0193-22-1234",
        fax="0193-22-1235", email="info@example.jp", url="https://example.jp/", last_confirmed=dt.date(2026, 6, 1),
        confirmed_source="電話", capability_ids=frozenset({"x"}), capabilities=("訪問診療",),
        procedure_marks={"喀痰吸引": "△"}, key_persons=(KeyPersonRead("工藤 正樹", "院長", "0193-28-3024"),),
        search_text="", archived=False, is_sample=False, updated_at=UPDATED, lat=39.29809, lon=141.81515,
        visit_area="釜石市全域", opening_hours="月〜金 9:00〜17:00", notes="1行目\n2行目",
        shortstay_vacancies=2, shortstay_as_of=dt.date(2026, 6, 2),
    )
    return dataclasses.replace(row, **changes) if changes else row


def data_of(rows: list[ResourceRow]) -> ResourceListData:
    return ResourceListData(capabilities=CAPS, procedures=PROCS, rows=rows)


EXPECTED_HEADERS = [
    "ID", "名称", "読み", "種別", "市町村", "地区", "郵便番号", "住所", "電話番号", "FAX番号", "メール", "URL", "緯度", "経度",
    "営業日・時間", "訪問エリア", "訪問診療", "在宅看取り", "在宅酸素", "喀痰吸引", "キーパーソン", "ショートステイ空き",
    "空き状況の日付", "備考", "最終確認日", "確認方法", "更新日時",
]


def test_xlsx_layout_and_values(tmp_path: Path) -> None:
    out = tmp_path / "list.xlsx"
    rows = [make_row(1), make_row(2, last_confirmed=None, lat=None, lon=None, capabilities=(), notes="")]
    assert write_resources_xlsx(data_of(rows), out) == 2
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    assert ws.title == "資源一覧"
    header = [c.value for c in ws[1]]
    assert header == EXPECTED_HEADERS
    assert all(c.font.b for c in ws[1])
    assert all(c.fill.fill_type == "solid" for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:AA3"
    assert ws.column_dimensions["B"].width == 32
    col = {name: i for i, name in enumerate(header)}
    first = [c for c in ws[2]]
    assert first[col["ID"]].value == "00000000-0000-4000-8000-000000000001"
    assert first[col["最終確認日"]].value == dt.datetime(2026, 6, 1)
    assert first[col["最終確認日"]].number_format == "yyyy/mm/dd"
    assert first[col["空き状況の日付"]].number_format == "yyyy/mm/dd"
    assert first[col["更新日時"]].is_date
    assert first[col["更新日時"]].number_format == "yyyy/mm/dd hh:mm"
    assert first[col["緯度"]].value == 39.29809
    assert first[col["訪問診療"]].value == "○"
    assert first[col["在宅看取り"]].value is None
    assert first[col["喀痰吸引"]].value == "△"
    assert first[col["キーパーソン"]].value == "工藤 正樹（院長）0193-28-3024"
    assert first[col["備考"]].value == "1行目\n2行目"
    assert not first[col["名称"]].font.b  # data cells carry no styling
    second = [c.value for c in ws[3]]
    assert second[col["最終確認日"]] is None
    assert second[col["緯度"]] is None
    assert second[col["訪問診療"]] is None
    assert second[col["備考"]] is None


def test_xlsx_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    out = tmp_path / "list.xlsx"
    write_resources_xlsx(data_of([make_row(1, name="=SUM(A1:A2)", notes="#N/A", visit_area="=")]), out)
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    cells = {h: c for h, c in zip(header, ws[2])}
    assert cells["名称"].value == "=SUM(A1:A2)"
    assert cells["名称"].data_type == "s"
    assert cells["備考"].value == "#N/A"
    assert cells["備考"].data_type == "s"
    assert cells["訪問エリア"].value == "="


def test_xlsx_drops_control_characters_instead_of_failing(tmp_path: Path) -> None:
    out = tmp_path / "list.xlsx"
    write_resources_xlsx(data_of([make_row(1, notes="貼り付け\x0bた\x1f文字")]), out)
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert ws.cell(row=2, column=header.index("備考") + 1).value == "貼り付けた文字"


def test_xlsx_empty_list_still_has_a_header(tmp_path: Path) -> None:
    out = tmp_path / "empty.xlsx"
    assert write_resources_xlsx(data_of([]), out) == 0
    ws = openpyxl.load_workbook(out).active
    assert [c.value for c in ws[1]] == EXPECTED_HEADERS
    assert ws.max_row == 1


def test_csv_is_utf8_with_bom_and_crlf(tmp_path: Path) -> None:
    out = tmp_path / "list.csv"
    progress: list[tuple[int, int]] = []
    assert write_resources_csv(data_of([make_row(i) for i in range(450)]), out,
                               lambda d, t: progress.append((d, t))) == 450
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfID,")
    assert raw.count(b"\r\n") == 451  # every record ends with CRLF
    assert raw.count(b"\n") == 451 + 450  # the line break inside 備考 stays as typed (LF, quoted)
    records = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert records[0] == EXPECTED_HEADERS
    first = dict(zip(records[0], records[1]))
    assert first["最終確認日"] == "2026/06/01"
    assert first["緯度"] == "39.29809"
    assert first["備考"] == "1行目\n2行目"
    assert first["ショートステイ空き"] == "2"
    assert first["在宅看取り"] == ""
    assert progress[:2] == [(200, 450), (400, 450)] and progress[-1] == (450, 450)


# --- atomic writing ------------------------------------------------------------------------

def test_missing_folder_is_a_domain_error(tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="フォルダが見つかりません"):
        write_resources_xlsx(data_of([make_row()]), tmp_path / "no" / "such" / "list.xlsx")
    with pytest.raises(StorageError):
        write_resources_csv(data_of([make_row()]), tmp_path / "no" / "list.csv")


def test_destination_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "list.xlsx").mkdir()
    with pytest.raises(FileWriteError, match="フォルダがある"):
        write_resources_xlsx(data_of([make_row()]), tmp_path / "list.xlsx")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_target_and_folder(tmp_path: Path) -> None:
    target = tmp_path / "list.csv"
    target.write_bytes(b"old")
    target.chmod(0o444)
    with pytest.raises(FileWriteError, match="読み取り専用"):
        write_resources_csv(data_of([make_row()]), target)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(FileWriteError, match="保存できませんでした"):
            write_resources_csv(data_of([make_row()]), locked / "list.csv")
    finally:
        locked.chmod(0o755)


def _leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


@pytest.mark.parametrize("writer", [write_resources_xlsx, write_resources_csv])
def test_failure_mid_write_leaves_the_old_file_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         writer) -> None:
    target = tmp_path / ("list.xlsx" if writer is write_resources_xlsx else "list.csv")
    writer(data_of([make_row(1)]), target)
    before = target.read_bytes()

    def broken_rows(data):
        for n, values in enumerate(iter_row_values(data)):
            if n == 50:
                raise OSError(28, "No space left on device")
            yield values

    monkeypatch.setattr(f"{writer.__module__}.iter_row_values", broken_rows)
    with pytest.raises(FileWriteError, match="空き容量"):
        writer(data_of([make_row(i) for i in range(100)]), target)
    assert target.read_bytes() == before
    assert _leftovers(tmp_path, {target.name}) == []


def test_failure_at_sync_or_replace_leaves_the_old_file_untouched(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "list.xlsx"
    target.write_bytes(b"old content")

    def no_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(atomic_module.os, "fsync", no_fsync)
    with pytest.raises(FileWriteError):
        write_resources_xlsx(data_of([make_row()]), target)
    monkeypatch.undo()
    assert target.read_bytes() == b"old content"
    assert _leftovers(tmp_path, {target.name}) == []

    def locked(src: object, dst: object) -> None:
        raise PermissionError(13, "The process cannot access the file because it is being used")

    monkeypatch.setattr(atomic_module.os, "replace", locked)
    with pytest.raises(FileWriteError, match="閉じて"):
        write_resources_xlsx(data_of([make_row()]), target)
    assert target.read_bytes() == b"old content"
    assert _leftovers(tmp_path, {target.name}) == []


def test_a_bug_in_the_writer_also_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "x.bin"

    def write(handle) -> None:
        handle.write(b"half")
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        write_atomically(target, write)
    assert list(tmp_path.iterdir()) == []


# --- speed ---------------------------------------------------------------------------------

def _best_of(runs: int, func) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def test_read_only_target_and_unwritable_folder_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same checks as above, for test runs with administrator rights."""
    target = tmp_path / "list.csv"
    target.write_bytes(b"old")
    monkeypatch.setattr(atomic_module.os, "access", lambda path, mode: False)
    with pytest.raises(FileWriteError, match="読み取り専用"):
        write_resources_csv(data_of([make_row()]), target)
    monkeypatch.undo()

    def refuse(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic_module.os, "open", refuse)
    with pytest.raises(FileWriteError, match="保存できませんでした"):
        write_resources_csv(data_of([make_row()]), target)
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path, {target.name}) == []
