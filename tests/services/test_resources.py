"""The resource list service: create, update, archive, history, conflicts."""

from __future__ import annotations

import datetime as dt

import pytest

from zaitaku_desktop.domain.errors import ConflictError, NotFoundError, ValidationError
from zaitaku_desktop.domain.resource import KeyPerson, ResourceInput
from zaitaku_desktop.domain.text import search_key
from zaitaku_desktop.services import build_services
from zaitaku_desktop.services.resources import input_from_row


@pytest.fixture
def ids(services) -> dict[str, str]:
    vocab = services.vocab
    kamaishi = vocab.add("municipality", "釜石市", reading="かまいしし", code="03211")
    unosumai = vocab.add("district", "鵜住居", reading="うのすまい", parent_id=kamaishi.id)
    out = {"kamaishi": kamaishi.id, "unosumai": unosumai.id}
    for kind in ("category", "capability", "procedure"):
        for item in vocab.list(kind):
            out[item.name] = item.id
    return out


def _input(ids: dict[str, str], **overrides: object) -> ResourceInput:
    values: dict = dict(
        name="うのすまい在宅クリニック", reading="うのすまいざいたくくりにっく", category_id=ids["医科診療所"],
        municipality_id=ids["kamaishi"], district_id=ids["unosumai"], postal_code="〒026-0301",
        address="岩手県釜石市鵜住居町1-1", phone="0193-28-1234", fax="", last_confirmed="2026/06/01",
        capability_ids=[ids["訪問診療"], ids["在宅看取り"]], procedure_marks={ids["在宅酸素"]: "○"},
        key_persons=[KeyPerson("佐々木 花子", "院長", "")],
    )
    values.update(overrides)
    return ResourceInput(**values)


def _utc(stamp: dt.datetime) -> dt.datetime:
    """Stored times are UTC; read shapes may or may not carry the offset."""
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)


def test_create_returns_the_stored_row(services, ids) -> None:
    row = services.resources.create(_input(ids))
    assert row.name == "うのすまい在宅クリニック"
    assert (row.category, row.municipality, row.district) == ("医科診療所", "釜石市", "鵜住居")
    assert row.postal_code == "026-0301"
    assert row.last_confirmed == dt.date(2026, 6, 1)
    assert row.capability_ids == frozenset({ids["訪問診療"], ids["在宅看取り"]})
    assert row.capabilities == ("訪問診療", "在宅看取り")  # vocabulary order
    assert row.procedure_marks == {"在宅酸素": "○"}
    assert [(p.name, p.role) for p in row.key_persons] == [("佐々木 花子", "院長")]
    assert row.version == 1 and not row.archived and not row.is_sample
    assert row.updated_at.tzinfo is not None
    assert services.resources.count() == 1

    detail = services.resources.get(row.id)
    assert detail.row == row
    assert detail.procedure_ids == {ids["在宅酸素"]: "○"}


def test_search_text_is_built_on_save(services, ids) -> None:
    row = services.resources.create(_input(ids))
    assert search_key("ウノスマイ") in row.search_text
    assert "0193281234" in row.search_text
    assert "鵜住居" in row.search_text
    assert search_key("佐々木 花子") in row.search_text


@pytest.mark.parametrize("name", ["🏥 はまゆり訪問看護 🌊", "ｶﾏｲｼ ﾔｯｷｮｸ", "訪問介護 ひだまり👩‍⚕️"])
def test_unusual_names_round_trip_through_the_database(services, ids, name: str) -> None:
    created = services.resources.create(_input(ids, name=name, reading=""))
    assert services.resources.get(created.id).row.name == name
    assert [r.name for r in services.resources.list_rows()] == [name]
    assert search_key(name) in created.search_text


def test_long_notes_and_text_survive(services, ids) -> None:
    notes = "申し送り：\n" + "夜間は携帯へ。" * 2000
    row = services.resources.create(_input(ids, notes=notes))
    assert services.resources.get(row.id).row.notes == notes


def test_invalid_input_raises_validation_error_with_issues(services, ids) -> None:
    with pytest.raises(ValidationError) as info:
        services.resources.create(ResourceInput(name="", postal_code="12", phone="非公開"))
    fields = {(i.field, i.severity) for i in info.value.issues}
    assert {("name", "error"), ("category_id", "error"), ("postal_code", "error"), ("phone", "warning")} <= fields
    assert "名称を入力してください" in info.value.message
    assert services.resources.count() == 0
    assert services.resources.list_rows() == []


def test_warning_only_input_is_saved(services, ids) -> None:
    row = services.resources.create(_input(ids, phone="非公開"))
    assert row.phone == "非公開"


def test_history_of_create(services, ids) -> None:
    before = dt.datetime.now(dt.timezone.utc)
    row = services.resources.create(_input(ids))
    after = dt.datetime.now(dt.timezone.utc)
    history = services.resources.history(row.id)
    assert len(history) == 1
    entry = history[0]
    assert entry.action == "create"
    assert entry.changed_by == "tester"
    assert before - dt.timedelta(seconds=1) <= _utc(entry.changed_at) <= after + dt.timedelta(seconds=1)
    assert entry.changes["name"] == [None, "うのすまい在宅クリニック"]
    assert entry.changes["capabilities"] == [None, ["在宅看取り", "訪問診療"]]
    assert entry.changes["municipality"] == [None, "釜石市"]
    assert entry.changes["key_persons"] == [None, ["佐々木 花子（院長）"]]
    assert "fax" not in entry.changes  # empty fields are not listed


def test_update_records_field_level_changes(services, ids) -> None:
    row = services.resources.create(_input(ids))
    editor = build_services(services.db, user="editor")
    updated = editor.resources.update(row.id, _input(
        ids, phone="0193-28-9999",
        capability_ids=[ids["訪問診療"], ids["24時間対応"]],
        key_persons=[KeyPerson("佐々木 花子", "院長", ""), KeyPerson("小笠原 健", "MSW", "090-1111-2222")],
    ), expected_version=1)
    assert updated.version == 2
    assert updated.phone == "0193-28-9999"
    assert updated.updated_at >= row.updated_at

    history = services.resources.history(row.id)
    assert [h.action for h in history] == ["update", "create"]  # newest first
    entry = history[0]
    assert entry.changed_by == "editor"
    assert entry.changes == {
        "phone": ["0193-28-1234", "0193-28-9999"],
        "capabilities": [["在宅看取り", "訪問診療"], ["24時間対応", "訪問診療"]],
        "key_persons": [["佐々木 花子（院長）"], ["佐々木 花子（院長）", "小笠原 健（MSW） 090-1111-2222"]],
    }


def test_update_of_vocabulary_fields_and_procedures(services, ids) -> None:
    row = services.resources.create(_input(ids))
    services.resources.update(row.id, _input(
        ids, category_id=ids["病院"], district_id=None, procedure_marks={ids["在宅酸素"]: "△", ids["透析"]: "×"},
        last_confirmed="R8.7.1"))
    changes = services.resources.history(row.id)[0].changes
    assert changes["category"] == ["医科診療所", "病院"]
    assert changes["district"] == ["鵜住居", ""]
    assert changes["procedures"] == [{"在宅酸素": "○"}, {"在宅酸素": "△", "透析": "×"}]
    assert changes["last_confirmed"] == ["2026-06-01", "2026-07-01"]
    assert "municipality" not in changes


def test_saving_unchanged_record_records_nothing(services, ids) -> None:
    row = services.resources.create(_input(ids, lat="39.33", lon="141.89", shortstay_vacancies="2",
                                           shortstay_as_of="2026/06/01", notes="  複数行\n備考 "))
    same = services.resources.update(row.id, input_from_row(services.resources.get(row.id)))
    assert same.version == 1
    assert same.updated_at == row.updated_at
    assert len(services.resources.history(row.id)) == 1


def test_returned_rows_carry_the_new_version_for_the_next_edit(services, ids) -> None:
    """The form keeps the version it was given; the next save must not look like a conflict."""
    row = services.resources.create(_input(ids))
    first = services.resources.update(row.id, _input(ids, phone="0193-28-1111"), expected_version=row.version)
    second = services.resources.update(row.id, _input(ids, phone="0193-28-2222"), expected_version=first.version)
    archived = services.resources.set_archived(row.id, True)
    assert (first.version, second.version, archived.version) == (2, 3, 4)
    assert archived.archived and archived.updated_at >= second.updated_at > row.updated_at
    assert services.resources.get(row.id).row == archived


def test_stale_version_raises_conflict_and_keeps_the_other_edit(services, ids) -> None:
    row = services.resources.create(_input(ids))
    services.resources.update(row.id, _input(ids, phone="0193-28-1111"), expected_version=row.version)
    with pytest.raises(ConflictError) as info:
        services.resources.update(row.id, _input(ids, phone="0193-28-2222"), expected_version=row.version)
    assert "変更されています" in info.value.message
    current = services.resources.get(row.id).row
    assert current.phone == "0193-28-1111"
    assert current.version == 2
    assert len(services.resources.history(row.id)) == 2


def test_update_and_get_of_missing_record(services, ids) -> None:
    with pytest.raises(NotFoundError):
        services.resources.update("no-such-id", _input(ids))
    with pytest.raises(NotFoundError):
        services.resources.get("no-such-id")
    with pytest.raises(NotFoundError):
        services.resources.set_archived("no-such-id", True)


def test_archive_and_restore(services, ids) -> None:
    keep = services.resources.create(_input(ids, name="残る薬局", category_id=ids["保険調剤薬局"]))
    row = services.resources.create(_input(ids))
    archived = services.resources.set_archived(row.id, True, note="閉院")
    assert archived.archived is True
    assert archived.version == 2

    listed = {r.id: r for r in services.resources.list_rows()}
    assert listed[row.id].archived is True  # still listed, marked archived
    assert listed[keep.id].archived is False
    assert [r.id for r in services.resources.list_rows(include_archived=False)] == [keep.id]
    assert services.resources.count() == 1

    again = services.resources.set_archived(row.id, True)  # no-op
    assert again.version == 2
    history = services.resources.history(row.id)
    assert [h.action for h in history] == ["archive", "create"]
    assert history[0].changes == {"archived": [False, True]}
    assert history[0].note == "閉院"

    restored = services.resources.set_archived(row.id, False)
    assert restored.archived is False and restored.version == 3
    assert services.resources.count() == 2
    assert services.resources.history(row.id)[0].action == "restore"
    assert services.resources.history(row.id)[0].changes == {"archived": [True, False]}


def test_shortstay_vacancies_stored_with_date(services, ids) -> None:
    row = services.resources.create(_input(ids, category_id=ids["特別養護老人ホーム"], shortstay_vacancies="3",
                                           shortstay_as_of="令和8年6月1日"))
    assert (row.shortstay_vacancies, row.shortstay_as_of) == (3, dt.date(2026, 6, 1))


def test_summary_counts_per_category_and_municipality(services, ids) -> None:
    otsuchi = services.vocab.add("municipality", "大槌町", code="03461")
    services.resources.create(_input(ids))
    services.resources.create(_input(ids, name="二つ目", capability_ids=[ids["訪問診療"]]))
    services.resources.create(_input(ids, name="大槌の薬局", category_id=ids["保険調剤薬局"],
                                     municipality_id=otsuchi.id, district_id=None, capability_ids=[]))
    services.resources.create(_input(ids, name="市町村なし", municipality_id=None, district_id=None,
                                     capability_ids=[]))
    gone = services.resources.create(_input(ids, name="閉院"))
    services.resources.set_archived(gone.id, True)

    summary = services.resources.summary()
    assert summary.municipalities == ["釜石市", "大槌町"]
    assert summary.counts[("医科診療所", "釜石市")] == 2
    assert summary.counts[("保険調剤薬局", "大槌町")] == 1
    assert summary.counts[("医科診療所", "")] == 1
    assert summary.has_unassigned
    assert summary.total == 4
    assert summary.row_total("医科診療所") == 3
    assert summary.column_total("釜石市") == 2
    assert summary.capability_counts == [("医科診療所", "訪問診療", 2), ("医科診療所", "在宅看取り", 1)]
    assert summary.categories[:3] == ["病院", "医科診療所", "歯科診療所"]
    assert services.resources.summary(include_archived=True).total == 5
