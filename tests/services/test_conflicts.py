"""Two users editing the same record: two Services on one database file both load a record, the first
saves, the second's save (based on the version it loaded) is refused, naming what the first changed; nothing
is overwritten until the second user chooses to overwrite with the stored version."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from zaitaku_desktop.domain.errors import ConflictError
from zaitaku_desktop.domain.issues import IssueInput
from zaitaku_desktop.domain.meetings import MeetingInput
from zaitaku_desktop.domain.resource import ResourceInput
from zaitaku_desktop.services import open_services
from zaitaku_desktop.services.conflicts import StaleRecordError
from zaitaku_desktop.services.consultations import ConsultationInput
from zaitaku_desktop.services.issues import input_from_row as issue_input
from zaitaku_desktop.services.resources import input_from_row as resource_input


@pytest.fixture
def yamada(services):
    services.set_user("山田")
    return services


@pytest.fixture
def sato(services):
    """A second user on the same database (the same file, or the same PostgreSQL database)."""
    other = open_services(services.db.url if services.db.server else services.db.path, user="佐藤")
    other.set_user("佐藤")
    yield other
    other.close()


def refused(save) -> StaleRecordError:
    with pytest.raises(ConflictError) as caught:
        save()
    assert isinstance(caught.value, StaleRecordError)
    return caught.value


def test_resource_second_save_is_refused_with_the_other_change(yamada, sato) -> None:
    cats = {c.name: c.id for c in yamada.vocab.list("category")}
    rid = yamada.resources.create(ResourceInput(name="はまなす内科", category_id=cats["医科診療所"],
                                                phone="0193-22-1111")).id
    mine, theirs = yamada.resources.get(rid), sato.resources.get(rid)
    before = dt.datetime.now(dt.timezone.utc)
    sato.resources.update(rid, dataclasses.replace(resource_input(theirs), phone="0193-22-9999",
                                                   notes="夜間は携帯へ"), expected_version=theirs.row.version)
    typed = dataclasses.replace(resource_input(mine), address="釜石市只越町1-1")
    exc = refused(lambda: yamada.resources.update(rid, typed, expected_version=mine.row.version))
    info = exc.info
    assert info.fields == ("phone", "notes")
    assert "電話番号" in exc.message and "備考" in exc.message and "住所" not in exc.message
    assert (info.theirs["phone"], info.yours["phone"]) == ("0193-22-9999", "0193-22-1111")
    assert (info.theirs["address"], info.yours["address"]) == ("", "釜石市只越町1-1")
    assert info.who == "佐藤" and info.when is not None and info.when >= before
    assert info.version == mine.row.version + 1
    stored = yamada.resources.get(rid).row
    assert (stored.phone, stored.notes, stored.address) == ("0193-22-9999", "夜間は携帯へ", "")
    # 「自分の入力で上書きする」: saved on top of the stored version, as a normal change in the history.
    saved = yamada.resources.update(rid, typed, expected_version=info.version)
    assert (saved.phone, saved.address, saved.version) == ("0193-22-1111", "釜石市只越町1-1", info.version + 1)
    assert yamada.resources.history(rid)[0].changed_by == "山田"


def test_only_changes_made_after_the_loaded_version_are_named(yamada, sato) -> None:
    cats = {c.name: c.id for c in yamada.vocab.list("category")}
    rid = yamada.resources.create(ResourceInput(name="さくら薬局", category_id=cats["保険調剤薬局"])).id
    first = yamada.resources.get(rid)
    yamada.resources.update(rid, dataclasses.replace(resource_input(first), fax="0193-22-0000"))
    loaded = yamada.resources.get(rid)  # the form opens after the FAX change
    sato.resources.set_archived(rid, True)
    exc = refused(lambda: yamada.resources.update(rid, resource_input(loaded), expected_version=loaded.row.version))
    assert exc.info.fields == ("archived",)


def test_issue_second_save_is_refused(yamada, sato) -> None:
    iid = yamada.issues.create(IssueInput(title="退院時の情報共有が遅い", owner="山田")).id
    mine, theirs = yamada.issues.get(iid).row, sato.issues.get(iid).row
    sato.issues.update(iid, dataclasses.replace(issue_input(theirs), priority="高", owner="佐藤"),
                       expected_version=theirs.version)
    exc = refused(lambda: yamada.issues.update(iid, dataclasses.replace(issue_input(mine), next_action="連絡票"),
                                               expected_version=mine.version))
    assert exc.info.fields == ("priority", "owner")
    assert (exc.info.theirs["owner"], exc.info.yours["owner"]) == ("佐藤", "山田")
    assert exc.info.yours["next_action"] == "連絡票"
    stored = yamada.issues.get(iid).row
    assert (stored.priority, stored.owner, stored.next_action) == ("高", "佐藤", "")


def test_meeting_second_save_is_refused(yamada, sato) -> None:
    base = MeetingInput(title="薬剤師会との打ち合わせ会", type_id=None, date=dt.date(2026, 12, 4),
                        start_time="14:00", notes="")
    mid = yamada.meetings.create(base).id
    version = yamada.meetings.get(mid).row.version
    sato.meetings.update(mid, dataclasses.replace(base, start_time="15:00", end_time="16:00"),
                         expected_version=sato.meetings.get(mid).row.version)
    exc = refused(lambda: yamada.meetings.update(mid, dataclasses.replace(base, notes="資料20部"),
                                                 expected_version=version))
    assert exc.info.fields == ("start_time", "end_time")
    assert (exc.info.theirs["start_time"], exc.info.yours["start_time"]) == ("15:00", "14:00")
    stored = yamada.meetings.get(mid)
    assert (stored.row.start_time, stored.notes) == ("15:00", "")


def test_consultation_second_save_is_refused(yamada, sato) -> None:
    category = yamada.consultations.list_categories()[0].id
    data = ConsultationInput(window="一般向け", received_at=dt.datetime(2026, 11, 2, 10, 0), channel="電話",
                             requester_type="家族", requester_name="潮見 ユミ（架空）", category_ids=[category],
                             question="往診してくれる医師を探している", handled_by="相談員A")
    cid = yamada.consultations.create(data).id
    version = yamada.consultations.get(cid).row.version
    sato.consultations.update(cid, dataclasses.replace(data, answer="在宅療養支援診療所を紹介", minutes_spent=20),
                              expected_version=sato.consultations.get(cid).row.version)
    exc = refused(lambda: yamada.consultations.update(cid, dataclasses.replace(data, handled_by="相談員B"),
                                                      expected_version=version))
    assert exc.info.fields == ("answer", "minutes_spent")
    assert (exc.info.theirs["answer"], exc.info.yours["answer"]) == ("在宅療養支援診療所を紹介", "")
    assert exc.info.yours["handled_by"] == "相談員B"
    stored = yamada.consultations.get(cid)
    assert (stored.answer, stored.row.handled_by) == ("在宅療養支援診療所を紹介", "相談員A")


def test_a_save_on_the_current_version_goes_through(yamada) -> None:
    iid = yamada.issues.create(IssueInput(title="ICTの活用")).id
    row = yamada.issues.get(iid).row
    saved = yamada.issues.update(iid, dataclasses.replace(issue_input(row), owner="山田"), expected_version=row.version)
    assert (saved.owner, saved.version) == ("山田", row.version + 1)
