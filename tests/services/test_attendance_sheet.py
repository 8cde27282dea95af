"""MeetingService.save_attendance_sheet (one transaction), period_breakdown and the sample participants."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from zaitaku_desktop.domain.attendance import SheetRow
from zaitaku_desktop.domain.errors import ValidationError
from zaitaku_desktop.domain.meetings import MeetingInput
from zaitaku_desktop.services.meetings import CountEntry

D = dt.date


@pytest.fixture
def ids(services) -> dict[str, str]:
    out = {item.name: item.id for item in services.vocab.list("profession")}
    out.update({t.name: t.id for t in services.meetings.list_types()})
    return out


def _meeting(services, ids, title: str, day: dt.date, kind: str = "打ち合わせ会", status: str = "開催済") -> str:
    return services.meetings.create(MeetingInput(title=title, type_id=ids[kind], date=day, status=status)).id


def test_sheet_creates_people_once_updates_and_removes(services, ids):
    m = services.meetings
    meeting = _meeting(services, ids, "薬剤師会 打ち合わせ会", D(2025, 11, 12))
    known = m.add_person("小笠原 健一", affiliation="はまなす内科クリニック", profession_id=ids["医師"])
    saved = m.save_attendance_sheet(meeting, [
        SheetRow("佐々木 美穂", "只越なのはな薬局", ids["薬剤師"]),
        SheetRow("小笠原　健一", "はまなす内科クリニック", None, role="講師"),  # full-width space: the same person
        SheetRow("平野 智美", "しおさいケアプランセンター", ids["介護支援専門員"], status="申込", walk_in=True),
    ], counts=[CountEntry(None, 5, "住民")])
    assert [(a.name, a.profession, a.role, a.status, a.walk_in) for a in saved] == [
        ("佐々木 美穂", "薬剤師", "参加者", "出席", False), ("小笠原　健一", "医師", "講師", "出席", False),
        ("平野 智美", "介護支援専門員", "参加者", "申込", True)]
    assert saved[1].person_id == known.id and len(m.list_persons()) == 3
    assert {(t.profession, t.count) for t in m.meeting_totals(meeting)} == {("医師", 1), ("薬剤師", 1), ("住民", 5)}
    # Saved again without 佐々木: her entry goes, she stays in the registry; the same sheet twice adds nobody.
    second = m.save_attendance_sheet(meeting, [SheetRow(a.name, a.affiliation, a.profession_id, a.role, a.status,
                                                         a.walk_in, a.person_id) for a in saved[1:]])
    assert [a.name for a in second] == ["小笠原　健一", "平野 智美"] and len(m.list_persons()) == 3
    assert m.counts(meeting) == [CountEntry(None, 5, "住民")]  # counts=None leaves them alone
    assert any(c.action == "attendance" for c in m.get(meeting).history)


def test_picked_person_keeps_its_id_when_the_affiliation_changes(services, ids):
    m = services.meetings
    meeting = _meeting(services, ids, "研修会", D(2025, 6, 1), kind="研修会")
    moved = m.add_person("高橋 誠", affiliation="大町中央薬局", profession_id=ids["薬剤師"])
    saved = m.save_attendance_sheet(meeting, [SheetRow("高橋 誠", "すずこ駅前薬局", None, person_id=moved.id)])
    assert saved[0].person_id == moved.id and saved[0].affiliation == "すずこ駅前薬局" and saved[0].profession == "薬剤師"
    assert [p.affiliation for p in m.list_persons()] == ["すずこ駅前薬局"]


def test_merged_person_picked_on_an_old_sheet_follows_the_merge(services, ids):
    m = services.meetings
    meeting = _meeting(services, ids, "研修会", D(2025, 6, 1), kind="研修会")
    keep = m.add_person("佐々木 美穂", affiliation="只越なのはな薬局", profession_id=ids["薬剤師"])
    dup = m.add_person("佐々木 美穂", affiliation="なのはな薬局")
    m.merge_persons(keep.id, dup.id)
    saved = m.save_attendance_sheet(meeting, [SheetRow("佐々木 美穂", "只越なのはな薬局", None, person_id=dup.id)])
    assert saved[0].person_id == keep.id


def test_bad_sheet_is_refused_whole_with_row_numbers(services, ids):
    m = services.meetings
    meeting = _meeting(services, ids, "研修会", D(2025, 6, 1), kind="研修会")
    with pytest.raises(ValidationError) as bad:
        m.save_attendance_sheet(meeting, [SheetRow("八幡 拓也"), SheetRow("", "大町中央薬局"),
                                          SheetRow("川端 里美", role="司会")])
    assert "2行目：氏名を入力してください" in bad.value.message and "3行目：役割は" in bad.value.message
    with pytest.raises(ValidationError) as twice:
        m.save_attendance_sheet(meeting, [SheetRow("八幡 拓也", "中妻ひまわり薬局"), SheetRow("川端 里美"),
                                          SheetRow("八幡　拓也", "中妻ひまわり薬局")])
    assert "1行目と3行目は同じ人" in twice.value.message
    assert m.list_attendance(meeting) == [] and m.list_persons() == []  # nothing half-written


def test_period_breakdown_by_layer(services, ids):
    m = services.meetings
    first = _meeting(services, ids, "薬剤師会 打ち合わせ会", D(2025, 11, 12))
    second = _meeting(services, ids, "多職種連携研修会", D(2025, 12, 3), kind="研修会")
    _meeting(services, ids, "中止の研修会", D(2026, 1, 20), kind="研修会", status="中止")
    planned = _meeting(services, ids, "市民公開講座", D(2026, 3, 1), kind="市民公開講座", status="計画中")
    m.save_attendance_sheet(first, [SheetRow("佐々木 美穂", "只越なのはな薬局", ids["薬剤師"]),
                                    SheetRow("高橋 誠", "大町中央薬局", ids["薬剤師"], status="欠席")])
    m.set_counts(second, [CountEntry(ids["薬剤師"], 24), CountEntry(None, 63, "他職種")])
    m.set_counts(planned, [CountEntry(None, 40, "住民")])
    layers = {t.name: t.layer for t in m.list_types()}
    result = m.period_breakdown(D(2025, 4, 1), D(2026, 3, 31))
    assert result.layers == ("一次", "二次", "三次", "住民向け")
    col = {layer: i for i, layer in enumerate(result.layers)}
    assert result.meetings[col[layers["研修会"]]] >= 1 and sum(result.meetings) == 3  # 中止 is not counted
    assert sum(result.held) == 2  # the planned lecture is not 開催済 yet
    table = {label: (cells, total) for label, cells, total in result.rows}
    assert table["薬剤師"][1] == 25 and table["薬剤師"][0][col["一次"]] == 1
    assert layers["市民公開講座"] == "住民向け" and table["住民"] == ((0, 0, 0, 40), 40)
    assert table["他職種"] == (tuple(63 if layer == layers["研修会"] else 0 for layer in result.layers), 63)
    assert sum(result.people) == 25 + 63 + 40
    totals = {(t.profession, t.count) for t in m.period_totals(D(2025, 4, 1), D(2026, 3, 31))}
    assert totals == {(label, total) for label, _cells, total in result.rows}


def test_sample_participants(services, ids, tmp_path):
    from zaitaku_desktop import paths

    m = services.meetings
    meeting = _meeting(services, ids, "薬剤師会 打ち合わせ会（一次連携）", D(2025, 11, 12))
    data = json.loads((paths.seed_dir() / "kamaishi_participants.json").read_text(encoding="utf-8"))
    assert len(data["people"]) >= 40
    with services.db.session() as s:
        written = m.add_sample_participants(s, {"薬剤師会 打ち合わせ会（一次連携）@2025-11-12": meeting})
    attendance = m.list_attendance(meeting)
    assert written == len(attendance) == 7
    assert {p.profession for p in m.list_persons()} - {""} <= set(ids)  # every profession is in the vocabulary
    assert len(m.list_persons()) == len(data["people"])
    assert sum(1 for a in attendance if a.status == "出席") == 6
