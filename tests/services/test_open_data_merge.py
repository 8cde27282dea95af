"""Merging official open data into the resource list (preview, ticks, apply, second import, gone flags)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from zaitaku_desktop.domain.errors import DomainError
from zaitaku_desktop.domain.resource import KeyPerson
from zaitaku_desktop.services.open_data import CHANGED, FUZZY, GONE, UNCHANGED
from zaitaku_desktop.services.resources import input_from_row
from zaitaku_desktop.storage import history_repo

from open_data_files import KAIGO_HEADER, NAVII_HEADER, kaigo_row, navii_row, write_csv

DATE = dt.date(2026, 6, 30)


def _kaigo(tmp_path: Path, rows, name: str = "jigyosho_110.csv") -> Path:
    return write_csv(tmp_path / name, KAIGO_HEADER, rows)


def _by_ext(services, source: str, ext_id: str):
    return next(r for r in services.resources.list_rows() if (r.external_source, r.external_id) == (source, ext_id))


def _groups(preview) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in preview.open_data.items:
        out.setdefault(item.group, []).append(item.name)
    return out


def _import(services, path: Path, **kw):
    preview = services.transfer.preview_import(path, official_date=kw.pop("date", DATE))
    result = services.transfer.apply_import(preview, **kw)
    return preview, result


def test_new_records_second_import_is_a_no_op(sample_services, tmp_path):
    svc = sample_services
    before = svc.resources.count()
    rows = [kaigo_row(), kaigo_row(code="034614", number="03B0000001", name="大槌テスト", city="大槌町"),
            kaigo_row(code="011011", number="0170100001", city="札幌市中央区")]
    path = _kaigo(tmp_path, rows)
    preview, result = _import(svc, path)
    assert preview.open_data.new == 2 and preview.outside_region == 1
    assert result.added == 2 and svc.resources.count() == before + 2
    row = _by_ext(svc, "kaigo:110", "03B0000001")
    assert row.municipality == "大槌町" and row.category == "訪問介護事業所"
    assert row.official_file == "jigyosho_110.csv" and row.official_date == DATE
    assert row.last_confirmed == DATE and row.confirmed_source == "オープンデータ（jigyosho_110.csv）"
    assert row.opening_hours == "利用可能曜日：平日"
    history = svc.resources.history(row.id)
    assert history[0].action == "import" and history[0].note == "jigyosho_110.csv"

    again = svc.transfer.preview_import(path, official_date=DATE)
    plan = again.open_data
    assert (plan.new, plan.changed, plan.unchanged, plan.gone) == (0, 0, 2, 0)
    result = svc.transfer.apply_import(again)
    assert (result.added, result.updated, result.flagged_gone) == (0, 0, 0)
    assert len(svc.resources.history(row.id)) == len(history)


def test_own_fields_survive_and_changes_are_listed_field_by_field(sample_services, tmp_path):
    svc = sample_services
    _import(svc, _kaigo(tmp_path, [kaigo_row()]))
    row = _by_ext(svc, "kaigo:110", "0370100001")
    data = input_from_row(svc.resources.get(row.id))
    data.notes = "担当者の携帯に連絡"
    data.visit_area = "釜石市全域"
    data.key_persons = [KeyPerson("山田 花子", "管理者", "090-1111-2222")]
    cap = svc.vocab.list("capability")[0]
    data.capability_ids = [cap.id]
    data.email = "info@example.jp"
    svc.resources.update(row.id, data)

    changed = _kaigo(tmp_path, [kaigo_row(name="釜石テスト訪問介護センター", tel="0193-22-0101")])
    preview = svc.transfer.preview_import(changed, official_date=DATE)
    (item,) = preview.open_data.items
    assert item.group == CHANGED
    diffs = {d.field: (d.old, d.new) for d in item.diffs}
    assert diffs["name"] == ("釜石テスト訪問介護", "釜石テスト訪問介護センター")
    assert diffs["phone"] == ("0193-22-0001", "0193-22-0101")
    assert "名称：釜石テスト訪問介護 → 釜石テスト訪問介護センター" in item.diff_text()
    svc.transfer.apply_import(preview)
    after = _by_ext(svc, "kaigo:110", "0370100001")
    assert after.name == "釜石テスト訪問介護センター" and after.phone == "0193-22-0101"
    assert after.notes == "担当者の携帯に連絡" and after.visit_area == "釜石市全域"
    assert after.email == "info@example.jp"
    assert [p.name for p in after.key_persons] == ["山田 花子"]
    assert after.capability_ids == frozenset({cap.id})


def test_navii_never_blanks_a_typed_phone_and_name_match_needs_confirmation(sample_services, tmp_path):
    svc = sample_services
    stored = next(r for r in svc.resources.list_rows() if r.name == "医療法人 潮音会 しおさい病院")
    path = write_csv(tmp_path / "01-1_hospital_facility_info_20260601.csv", NAVII_HEADER, [
        navii_row(id_="0312110000090", name="医療法人　潮音会　しおさい病院", short="しおさい病院",
                  address="岩手県釜石市中妻町３丁目２５－１１", lat="39.2808", lon="141.86456"),
    ])
    preview = svc.transfer.preview_import(path)
    plan = preview.open_data
    assert plan.official_date == dt.date(2026, 6, 1)  # from the file name
    (item,) = plan.items
    assert item.group == FUZZY and item.resource_id == stored.id
    assert item.note == "名称・住所で一致（要確認）"
    assert not plan.is_selected(0)  # unticked until the user confirms
    svc.transfer.apply_import(preview)
    unchanged = svc.resources.get(stored.id).row
    assert unchanged.external_source == "" and unchanged.official_file == ""  # not confirmed: nothing written

    preview = svc.transfer.preview_import(path)
    preview.open_data.set_selected(0, True)
    result = svc.transfer.apply_import(preview)
    assert result.updated == 1 and result.added == 0
    linked = svc.resources.get(stored.id).row
    assert (linked.external_source, linked.external_id) == ("navii:hospital", "0312110000090")
    assert linked.phone == stored.phone and linked.fax == stored.fax  # no phone in ナビイ: kept
    assert linked.name == "医療法人　潮音会　しおさい病院"
    assert [p.name for p in linked.key_persons] == [p.name for p in stored.key_persons]
    assert linked.capabilities == stored.capabilities and linked.notes == stored.notes
    assert linked.last_confirmed == dt.date(2026, 6, 1)

    again = svc.transfer.preview_import(path)
    assert [i.group for i in again.open_data.items] == [UNCHANGED]  # now matched by ID


def test_gone_records_are_flagged_and_unflagged(sample_services, tmp_path):
    svc = sample_services
    two = [kaigo_row(), kaigo_row(number="0370100002", name="二つ目の事業所")]
    _import(svc, _kaigo(tmp_path, two))
    count = svc.resources.count()
    later = dt.date(2026, 12, 31)
    preview, result = _import(svc, _kaigo(tmp_path, two[:1]), date=later)
    assert _groups(preview)[GONE] == ["二つ目の事業所"]
    assert result.flagged_gone == 1
    gone = _by_ext(svc, "kaigo:110", "0370100002")
    assert gone.official_gone_at == later and not gone.archived
    assert svc.resources.count() == count  # never deleted or archived

    repeat = svc.transfer.preview_import(_kaigo(tmp_path, two[:1]), official_date=later)
    assert repeat.open_data.gone == 1 and repeat.open_data.changed == 0
    assert svc.transfer.apply_import(repeat).flagged_gone == 0
    assert _by_ext(svc, "kaigo:110", "0370100002").official_gone_at == later

    back = svc.transfer.preview_import(_kaigo(tmp_path, two), official_date=later)
    item = next(i for i in back.open_data.items if i.name == "二つ目の事業所")
    assert item.group == CHANGED and "official_gone_at" in {d.field for d in item.diffs}
    svc.transfer.apply_import(back)
    assert _by_ext(svc, "kaigo:110", "0370100002").official_gone_at is None


def test_other_service_files_do_not_flag_each_other(sample_services, tmp_path):
    svc = sample_services
    _import(svc, _kaigo(tmp_path, [kaigo_row()]))
    preview = svc.transfer.preview_import(_kaigo(tmp_path, [kaigo_row(number="0370100005", name="居宅")],
                                                 name="jigyosho_430.csv"), official_date=DATE)
    assert preview.open_data.gone == 0


def test_unticked_rows_are_not_written(sample_services, tmp_path):
    svc = sample_services
    before = svc.resources.count()
    preview = svc.transfer.preview_import(_kaigo(tmp_path, [kaigo_row(), kaigo_row(number="0370100002", name="二")]),
                                          official_date=DATE)
    preview.open_data.set_selected(1, False)
    result = svc.transfer.apply_import(preview)
    assert result.added == 1 and svc.resources.count() == before + 1
    assert "二" not in {r.name for r in svc.resources.list_rows()}
    with pytest.raises(ValueError):
        svc.transfer.preview_import(_kaigo(tmp_path, [kaigo_row()]), official_date=DATE).open_data.set_selected(0, True)


def test_new_categories_are_created_only_when_needed(sample_services, tmp_path):
    svc = sample_services
    path = _kaigo(tmp_path, [kaigo_row(service="介護医療院", number="03B0000009", name="テスト医療院")],
                  name="jigyosho_550.csv")
    preview = svc.transfer.preview_import(path, official_date=DATE)
    assert [c.name for c in preview.open_data.new_categories] == ["介護医療院"]
    assert preview.open_data.items[0].note == "新しい種別を作ります"
    assert "介護医療院" not in {c.name for c in svc.vocab.list("category")}  # preview writes nothing
    result = svc.transfer.apply_import(preview)
    assert result.categories_created == ("介護医療院",)
    category = next(c for c in svc.vocab.list("category") if c.name == "介護医療院")
    assert category.group == "介護"
    assert _by_ext(svc, "kaigo:550", "03B0000009").category == "介護医療院"


def test_errors_block_unless_partial(sample_services, tmp_path):
    svc = sample_services
    path = _kaigo(tmp_path, [kaigo_row(), kaigo_row(number="0370100001")])  # the same number twice
    preview = svc.transfer.preview_import(path, official_date=DATE)
    assert preview.error_rows == 1 and "重複" in preview.errors[0].message
    with pytest.raises(DomainError):
        svc.transfer.apply_import(preview)
    assert svc.transfer.apply_import(preview, accept_partial=True).added == 1


def test_no_municipality_gives_a_plain_message(services, tmp_path):
    with pytest.raises(DomainError, match="市町村"):
        services.transfer.preview_import(_kaigo(tmp_path, [kaigo_row()]))


def test_region_filter_and_history_note(sample_services, tmp_path):
    svc = sample_services
    rows = [kaigo_row(code=f"13{n:03d}0", number=f"13000{n:05d}") for n in range(101, 120)] + [kaigo_row()]
    preview, result = _import(svc, _kaigo(tmp_path, rows))
    assert preview.outside_region == 19 and result.added == 1
    row = _by_ext(svc, "kaigo:110", "0370100001")
    with svc.db.session() as s:
        entries = history_repo.for_entity(s, "resource", row.id)
    assert entries[0].note == "jigyosho_110.csv"
    assert json.dumps(entries[0].changes, ensure_ascii=False).count("釜石テスト訪問介護") >= 1


def test_own_list_import_still_works(sample_services, tmp_path):
    out = tmp_path / "own.xlsx"
    sample_services.transfer.export_list(out)
    preview = sample_services.transfer.preview_import(out)
    assert preview.open_data is None and preview.to_skip == 129


def test_date_comes_from_the_file_when_not_given(sample_services, tmp_path):
    path = _kaigo(tmp_path, [kaigo_row()])
    stamp = dt.datetime(2026, 1, 15, 12, 0).timestamp()
    os.utime(path, (stamp, stamp))
    preview = sample_services.transfer.preview_import(path)
    assert preview.open_data.official_date == dt.date(2026, 1, 15)
    override = sample_services.transfer.preview_import(path, official_date=dt.date(2025, 12, 31))
    assert override.open_data.official_date == dt.date(2025, 12, 31)


def test_older_file_does_not_move_last_confirmed_back(sample_services, tmp_path):
    svc = sample_services
    _import(svc, _kaigo(tmp_path, [kaigo_row()]))
    preview = svc.transfer.preview_import(_kaigo(tmp_path, [kaigo_row()]), official_date=dt.date(2025, 12, 31))
    (item,) = preview.open_data.items
    assert "last_confirmed" not in {d.field for d in item.diffs}


def test_municipal_list_flags_only_its_own_towns(sample_services, tmp_path):
    from open_data_files import SUISHOU_KAIGO_HEADER

    svc = sample_services

    def row(code: str, town: str, no: str, name: str) -> list[str]:
        return [code, no, "岩手県", town, name, "", "居宅介護支援", f"岩手県{town}1-1", "", "", "", "", "", "", "", "",
                "", "", "", "", "", ""]

    _import(svc, write_csv(tmp_path / "kamaishi.csv", SUISHOU_KAIGO_HEADER, [row("032115", "釜石市", "1", "釜石居宅")]))
    preview, result = _import(svc, write_csv(tmp_path / "otsuchi.csv", SUISHOU_KAIGO_HEADER,
                                             [row("034614", "大槌町", "7", "大槌居宅")]))
    assert preview.open_data.gone == 0 and result.added == 1  # Otsuchi's list says nothing about Kamaishi
    preview, result = _import(svc, write_csv(tmp_path / "kamaishi2.csv", SUISHOU_KAIGO_HEADER,
                                             [row("032115", "釜石市", "2", "釜石居宅2")]))
    assert [i.name for i in preview.open_data.items if i.group == GONE] == ["釜石居宅"]


def test_gone_flag_is_in_the_history(sample_services, tmp_path):
    svc = sample_services
    _import(svc, _kaigo(tmp_path, [kaigo_row()]))
    _import(svc, _kaigo(tmp_path, [kaigo_row(number="0370100002")]), date=dt.date(2026, 12, 31))
    row = _by_ext(svc, "kaigo:110", "0370100001")
    entry = svc.resources.history(row.id)[0]
    assert entry.action == "import" and entry.changes == {"official_gone_at": [None, "2026-12-31"]}


def test_a_file_without_rows_flags_nothing(sample_services, tmp_path):
    svc = sample_services
    _import(svc, _kaigo(tmp_path, [kaigo_row()]))
    preview = svc.transfer.preview_import(_kaigo(tmp_path, []), official_date=DATE)
    assert preview.open_data.gone == 0 and "データの行がありません" in preview.warnings[0].message


def test_a_provider_that_moved_out_of_the_region_is_flagged(sample_services, tmp_path):
    """Listed only under a town outside the region: gone from the coordinator's list (flagged,
    not deleted), and the outside row itself is not imported."""
    svc = sample_services
    _import(svc, _kaigo(tmp_path, [kaigo_row(), kaigo_row(number="0370100002", name="移転する事業所")]))
    moved = kaigo_row(number="0370100002", name="移転する事業所", code="032085", city="遠野市")
    later = dt.date(2026, 12, 31)
    preview, result = _import(svc, _kaigo(tmp_path, [kaigo_row(), moved]), date=later)
    assert preview.open_data.outside_region == 1
    assert _groups(preview)[GONE] == ["移転する事業所"]
    assert result.flagged_gone == 1
    row = _by_ext(svc, "kaigo:110", "0370100002")
    assert row.official_gone_at == later and not row.archived and row.municipality == "釜石市"
