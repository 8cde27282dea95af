"""The shared vocabularies: seeding from DOMAIN.md and editing."""

from __future__ import annotations

import pytest

from zaitaku_desktop.domain.errors import DomainError, NotFoundError, ValidationError
from zaitaku_desktop.services import build_services
from zaitaku_desktop.storage import history_repo

DOMAIN_CATEGORIES = {
    "病院": "医療", "医科診療所": "医療", "歯科診療所": "医療", "保険調剤薬局": "医療",
    "訪問看護ステーション": "医療", "地域包括支援センター": "地域", "居宅介護支援事業所": "介護",
    "訪問介護事業所": "介護", "通所介護事業所": "介護", "特別養護老人ホーム": "介護", "グループホーム": "介護",
}


def _by_name(items):
    return {i.name: i for i in items}


def _history(services, kind: str, item_id: str):
    with services.db.session() as s:
        return history_repo.for_entity(s, kind, item_id)


# --- seeding ------------------------------------------------------------------

def test_categories_seeded_from_domain(services) -> None:
    items = services.vocab.list("category")
    assert {i.name: i.group for i in items} == DOMAIN_CATEGORIES
    assert all(i.reading for i in items)
    assert [i.sort_order for i in items] == list(range(1, 12))
    assert not any(i.archived for i in items)


def test_professions_seeded_with_their_associations(services) -> None:
    associations = {i.id: i.name for i in services.vocab.list("association")}
    professions = {p.name: associations.get(p.parent_id) if p.parent_id else None
                   for p in services.vocab.list("profession")}
    expected_links = {
        "医師": "医師会", "歯科医師": "歯科医師会", "歯科衛生士": "歯科医師会", "薬剤師": "薬剤師会",
        "看護師": "訪問看護ステーション連絡会", "訪問看護師": "訪問看護ステーション連絡会",
        "理学療法士": "リハ士会", "作業療法士": "リハ士会", "言語聴覚士": "リハ士会", "管理栄養士": "栄養士会",
        "介護支援専門員": "介護支援専門員協議会", "主任介護支援専門員": "介護支援専門員協議会",
        "医療ソーシャルワーカー": "病院連携室連絡会",
        "介護福祉士": "介護サービス事業者協議会", "訪問介護員": "介護サービス事業者協議会",
    }
    for name, association in expected_links.items():
        assert professions[name] == association, name
    for name in ("保健師", "社会福祉士", "地域包括支援センター職員", "行政職員", "民生委員", "消防", "住民"):
        assert professions[name] is None, name
    assert len(professions) == 24
    assert len(associations) == 9


def test_capabilities_and_procedures_seeded(services) -> None:
    capabilities = [i.name for i in services.vocab.list("capability")]
    for name in ("訪問診療", "往診", "在宅看取り", "24時間対応", "在宅療養支援診療所", "訪問歯科", "訪問薬剤管理指導",
                 "医療用麻薬（夜間・休日）", "医療依存度の高い患者の受入", "ショートステイ", "レスパイト入院", "後方支援病床"):
        assert name in capabilities
    assert len(capabilities) == len(set(capabilities)) == 13
    procedures = [i.name for i in services.vocab.list("procedure")]
    assert len(procedures) == len(set(procedures)) == 12
    assert {"胃ろう・経管栄養", "在宅酸素", "人工呼吸器", "喀痰吸引", "褥瘡処置", "疼痛管理（麻薬）"} <= set(procedures)


def test_no_municipality_until_the_user_adds_one(services) -> None:
    assert services.vocab.list("municipality") == []
    assert services.vocab.list("district") == []


def test_ensure_seeded_is_idempotent(services) -> None:
    before = {k: len(v) for k, v in services.vocab.all().items()}
    assert services.vocab.ensure_seeded() is False
    again = build_services(services.db, user="other")  # what a restart does
    assert again.vocab.ensure_seeded() is False
    assert {k: len(v) for k, v in services.vocab.all().items()} == before
    assert before["category"] == 11 and before["procedure"] == 12


# --- adding and editing ----------------------------------------------------------

def test_add_item_goes_last_and_is_recorded(services) -> None:
    item = services.vocab.add("capability", "  訪問リハビリ ", reading="ほうもんりはびり")
    assert item.name == "訪問リハビリ"
    assert item.reading == "ほうもんりはびり"
    assert services.vocab.list("capability")[-1] == item
    history = _history(services, "capability", item.id)
    assert [(h.action, h.changed_by, h.changes) for h in history] == [("create", "tester", {"name": [None, "訪問リハビリ"]})]


def test_duplicate_names_are_rejected(services) -> None:
    with pytest.raises(ValidationError) as info:
        services.vocab.add("category", "病院")
    assert "「病院」はすでに登録されています" in info.value.message
    assert [i.field for i in info.value.issues] == ["name"]
    assert len(services.vocab.list("category")) == 11


def test_duplicate_of_an_archived_item_is_rejected(services) -> None:
    target = _by_name(services.vocab.list("capability"))["往診"]
    services.vocab.set_archived("capability", target.id, True)
    with pytest.raises(ValidationError):
        services.vocab.add("capability", "往診")


@pytest.mark.parametrize("name", ["", "   ", "あ" * 101])
def test_bad_names_are_rejected(services, name: str) -> None:
    with pytest.raises(ValidationError) as info:
        services.vocab.add("procedure", name)
    assert info.value.issues[0].field == "name"
    if name.strip():
        assert "101文字" in info.value.message
    assert len(services.vocab.list("procedure")) == 12


def test_unknown_kind_is_a_domain_error(services) -> None:
    with pytest.raises(DomainError):
        services.vocab.list("patients")
    with pytest.raises(DomainError):
        services.vocab.add("patients", "x")


def test_rename_records_old_and_new(services) -> None:
    item = _by_name(services.vocab.list("capability"))["往診"]
    renamed = services.vocab.update("capability", item.id, "往診（緊急時）", reading="おうしん")
    assert (renamed.id, renamed.name, renamed.reading) == (item.id, "往診（緊急時）", "おうしん")
    assert _by_name(services.vocab.list("capability"))["往診（緊急時）"].id == item.id
    latest = _history(services, "capability", item.id)[0]
    assert latest.action == "update"
    assert latest.changes == {"name": ["往診", "往診（緊急時）"], "reading": ["", "おうしん"]}


def test_rename_to_its_own_name_is_allowed_and_not_recorded(services) -> None:
    item = _by_name(services.vocab.list("category"))["病院"]
    services.vocab.update("category", item.id, "病院", reading=item.reading)
    assert _history(services, "category", item.id) == []


def test_rename_onto_another_name_is_rejected(services) -> None:
    item = _by_name(services.vocab.list("category"))["病院"]
    with pytest.raises(ValidationError):
        services.vocab.update("category", item.id, "医科診療所", reading=item.reading)
    assert _by_name(services.vocab.list("category"))["病院"].id == item.id


def test_update_category_group_and_profession_association(services) -> None:
    cat = _by_name(services.vocab.list("category"))["地域包括支援センター"]
    updated = services.vocab.update("category", cat.id, cat.name, reading=cat.reading, group="介護")
    assert updated.group == "介護"
    associations = _by_name(services.vocab.list("association"))
    msw = _by_name(services.vocab.list("profession"))["医療ソーシャルワーカー"]
    moved = services.vocab.update("profession", msw.id, msw.name, reading=msw.reading,
                                  parent_id=associations["医師会"].id)
    assert moved.parent_id == associations["医師会"].id
    assert _history(services, "profession", msw.id)[0].changes == {
        "association_id": [associations["病院連携室連絡会"].id, associations["医師会"].id]}


def test_update_missing_item(services) -> None:
    with pytest.raises(NotFoundError):
        services.vocab.update("category", "no-such-id", "x")
    with pytest.raises(NotFoundError):
        services.vocab.set_archived("category", "no-such-id", True)


def test_archive_hides_from_choices_and_restore_brings_back(services) -> None:
    item = _by_name(services.vocab.list("procedure"))["透析"]
    archived = services.vocab.set_archived("procedure", item.id, True)
    assert archived.archived is True
    assert "透析" not in _by_name(services.vocab.list("procedure"))
    everything = _by_name(services.vocab.list("procedure", include_archived=True))
    assert everything["透析"].archived is True
    assert everything["透析"].sort_order == item.sort_order
    assert _by_name(services.vocab.all()["procedure"])["透析"].archived is True

    restored = services.vocab.set_archived("procedure", item.id, False)
    assert restored.archived is False
    assert "透析" in _by_name(services.vocab.list("procedure"))
    actions = [h.action for h in _history(services, "procedure", item.id)]
    assert sorted(actions) == ["archive", "restore"]


def test_move_up_and_down(services) -> None:
    names = [i.name for i in services.vocab.list("category")]
    last = services.vocab.list("category")[-1]
    services.vocab.move("category", last.id, -1)
    moved = [i.name for i in services.vocab.list("category")]
    assert moved == names[:-2] + [names[-1], names[-2]]
    assert [i.sort_order for i in services.vocab.list("category")] == list(range(1, 12))

    first = services.vocab.list("category")[0]
    services.vocab.move("category", first.id, -1)  # already first: stays
    assert [i.name for i in services.vocab.list("category")] == moved
    services.vocab.move("category", first.id, +100)  # clamps at the end
    assert [i.name for i in services.vocab.list("category")] == moved[1:] + [moved[0]]
    with pytest.raises(NotFoundError):
        services.vocab.move("category", "no-such-id", 1)


# --- municipalities and districts ------------------------------------------------

def test_municipality_code_completed_from_five_digits(services) -> None:
    item = services.vocab.add("municipality", "釜石市", reading="かまいしし", code="03211")
    assert item.code == "032115"
    item = services.vocab.add("municipality", "大槌町", code="０３４６１４")
    assert item.code == "034614"


@pytest.mark.parametrize(("code", "expected_in_message"), [
    ("032116", "032115"),  # wrong check digit: names the right one
    ("", "6桁"),
    ("0321", "6桁"),
])
def test_municipality_code_check_digit_enforced(services, code: str, expected_in_message: str) -> None:
    with pytest.raises(ValidationError) as info:
        services.vocab.add("municipality", "釜石市", code=code)
    assert [i.field for i in info.value.issues] == ["code"]
    assert expected_in_message in info.value.message
    assert services.vocab.list("municipality") == []


def test_municipality_code_checked_on_update(services) -> None:
    item = services.vocab.add("municipality", "釜石市", code="032115")
    with pytest.raises(ValidationError):
        services.vocab.update("municipality", item.id, "釜石市", code="032116")
    updated = services.vocab.update("municipality", item.id, "釜石市", code="03461")
    assert updated.code == "034614"


def test_districts_belong_to_a_municipality(services) -> None:
    kamaishi = services.vocab.add("municipality", "釜石市", code="03211")
    otsuchi = services.vocab.add("municipality", "大槌町", code="03461")
    with pytest.raises(ValidationError) as info:
        services.vocab.add("district", "釜石")
    assert info.value.issues[0].field == "parent_id"
    a = services.vocab.add("district", "中央", parent_id=kamaishi.id)
    b = services.vocab.add("district", "中央", parent_id=otsuchi.id)  # same name, other town: fine
    assert (a.parent_id, b.parent_id) == (kamaishi.id, otsuchi.id)
    with pytest.raises(ValidationError):
        services.vocab.add("district", "中央", parent_id=kamaishi.id)
    assert len(services.vocab.list("district")) == 2


def test_ensure_municipality_is_idempotent_and_adds_missing_districts(services) -> None:
    first = services.vocab.ensure_municipality("032115", "釜石市", "かまいしし", [("釜石", "かまいし")])
    second = services.vocab.ensure_municipality("032115", "釜石市", "かまいしし",
                                                [("釜石", "かまいし"), ("平田", "へいた")])
    assert first.id == second.id
    assert len(services.vocab.list("municipality")) == 1
    districts = services.vocab.list("district")
    assert sorted(d.name for d in districts) == ["平田", "釜石"]
    assert {d.parent_id for d in districts} == {first.id}
