"""The meeting scheduler backend: types, venues, meetings, series, calendar, warnings, attendance."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from zaitaku_desktop.domain.errors import ConflictError, DomainError, ValidationError
from zaitaku_desktop.domain.issues import IssueInput
from zaitaku_desktop.domain.meetings import MeetingInput, RecurrenceRule, Speaker
from zaitaku_desktop.models import PlannedEvent
from zaitaku_desktop.services import build_services
from zaitaku_desktop.services.meetings import CountEntry

D = dt.date


@pytest.fixture
def ids(services) -> dict[str, str]:
    out: dict[str, str] = {}
    for kind in ("profession", "association"):
        for item in services.vocab.list(kind):
            out[item.name] = item.id
    for t in services.meetings.list_types():
        out[t.name] = t.id
    out["hall"] = services.meetings.add_venue("市民ホール", reading="しみんほーる", capacity=3).id
    out["room"] = services.meetings.add_venue("会議室A", capacity=30).id
    return out


def _meeting(ids: dict[str, str], **overrides: object) -> MeetingInput:
    values: dict = dict(title="薬剤師会 打ち合わせ会", type_id=ids["打ち合わせ会"], date="2026/06/03",
                        start_time="18:00", end_time="19:30", venue_id=ids["room"], organiser_kind="連携拠点")
    values.update(overrides)
    return MeetingInput(**values)


def test_meeting_types_seeded_once_and_editable(services) -> None:
    types = services.meetings.list_types()
    assert len(types) == 13
    lecture = next(t for t in types if t.name == "出前講座")
    assert lecture.layer == "住民向け" and lecture.tasks == "キ"
    assert services.vocab.ensure_meeting_types_seeded() is False
    again = build_services(services.db, user="tester")
    assert len(again.meetings.list_types()) == 13
    added = services.meetings.add_type("多職種連携研修", reading="たしょくしゅれんけいけんしゅう", layer="二次",
                                       tasks="カイ", default_minutes=120)
    assert added.tasks == "イカ" and added.sort_order == 14
    changed = services.meetings.update_type(added.id, "多職種研修", layer="三次", tasks="カ", default_minutes=90)
    assert changed.name == "多職種研修" and changed.layer == "三次"
    with pytest.raises(ValidationError):
        services.meetings.add_type("研修会")
    with pytest.raises(ValidationError):
        services.meetings.add_type("新しい種類", layer="四次")
    services.meetings.set_type_archived(added.id, True)
    assert added.id not in {t.id for t in services.meetings.list_types()}


def test_venues(services, ids) -> None:
    hall = services.meetings.update_venue(ids["hall"], "市民ホール", address="釜石市只越町", capacity=200)
    assert hall.capacity == 200 and hall.address == "釜石市只越町"
    with pytest.raises(ValidationError):
        services.meetings.add_venue("会議室A")
    services.meetings.set_venue_archived(ids["room"], True)
    assert [v.name for v in services.meetings.list_venues()] == ["市民ホール"]


def test_create_read_update_with_history_and_version(services, ids) -> None:
    row = services.meetings.create(_meeting(
        ids, organiser_kind="団体", organiser_association_id=ids["薬剤師会"], co_organiser_ids=[ids["医師会"]],
        profession_ids=[ids["薬剤師"], ids["医師"]], speakers=[Speaker("釜石 一郎", "釜石薬局", "在宅での薬剤師の仕事")],
        agenda="1. 講義", capacity=80))
    assert row.type_name == "打ち合わせ会" and row.layer == "一次" and row.venue == "会議室A"
    assert row.organiser == "薬剤師会" and row.co_organisers == ("医師会",) and row.status == "計画中"
    detail = services.meetings.get(row.id)
    assert detail.speakers == (Speaker("釜石 一郎", "釜石薬局", "在宅での薬剤師の仕事"),)
    assert detail.history[0].action == "create"
    updated = services.meetings.update(row.id, _meeting(ids, title="薬剤師会との打ち合わせ会", status="案内済"),
                                       expected_version=row.version)
    assert updated.version == 2 and updated.status == "案内済" and updated.co_organisers == ()
    history = services.meetings.get(row.id).history
    assert history[0].action == "update" and history[0].changes["title"][1] == "薬剤師会との打ち合わせ会"
    with pytest.raises(ConflictError):
        services.meetings.update(row.id, _meeting(ids), expected_version=1)
    with pytest.raises(ValidationError):
        services.meetings.create(_meeting(ids, start_time="20:00", end_time="19:00"))
    held = services.meetings.set_status(row.id, "開催済")
    assert held.status == "開催済"
    archived = services.meetings.set_archived(row.id, True)
    assert archived.archived and services.meetings.month(2026, 6) == []
    assert [r.id for r in services.meetings.month(2026, 6, include_archived=True)] == [row.id]


def test_month_and_period_queries_with_holidays(services, ids) -> None:
    services.meetings.create(_meeting(ids, date="2026/05/31"))
    june = services.meetings.create(_meeting(ids, date="2026/06/10", start_time="10:00", end_time="11:00"))
    early = services.meetings.create(_meeting(ids, date="2026/06/10", start_time="09:00", end_time="09:30"))
    assert [r.id for r in services.meetings.month(2026, 6)] == [early.id, june.id]
    assert len(services.meetings.period(D(2026, 5, 1), D(2026, 6, 30))) == 3
    assert [r.id for r in services.meetings.upcoming(D(2026, 6, 1))] == [early.id, june.id]
    marks = services.meetings.day_marks(D(2026, 5, 1), D(2026, 5, 6))
    assert [m.holiday for m in marks if m.holiday] == ["憲法記念日", "みどりの日", "こどもの日", "憲法記念日 振替休日"]
    assert marks[1].weekend and marks[1].date == D(2026, 5, 2)
    assert services.meetings.holidays(D(2026, 1, 1), D(2026, 1, 31)) == [(D(2026, 1, 1), "元日"),
                                                                          (D(2026, 1, 12), "成人の日")]


def test_clash_warnings(services, ids) -> None:
    first = services.meetings.create(_meeting(ids, venue_id=ids["hall"], co_organiser_ids=[ids["医師会"]]))
    second = services.meetings.create(_meeting(ids, title="医師会 研修会", venue_id=ids["hall"], start_time="19:00",
                                               end_time="21:00", organiser_kind="団体",
                                               organiser_association_id=ids["医師会"]))
    services.meetings.create(_meeting(ids, title="別の時間", venue_id=ids["hall"], start_time="21:00",
                                      end_time="22:00"))
    kinds = [(w.kind, w.other_meeting_id) for w in services.meetings.warnings(first.id)]
    assert kinds == [("venue", second.id), ("association", second.id)]
    holiday = services.meetings.create(_meeting(ids, date="2026/07/20"))
    assert [w.kind for w in services.meetings.warnings(holiday.id)] == ["holiday"]
    saturday = services.meetings.create(_meeting(ids, date="2026/06/06", venue_id=ids["hall"]))
    for name in ("甲", "乙", "丙", "丁"):
        person = services.meetings.add_person(name)
        services.meetings.set_attendance(saturday.id, person.id)
    kinds = [w.kind for w in services.meetings.warnings(saturday.id)]
    assert kinds == ["weekend", "capacity"]
    # A form not saved yet gets the same warnings.
    draft = _meeting(ids, venue_id=ids["hall"], start_time="18:30", end_time="19:30", date="2026/06/03")
    assert [w.kind for w in services.meetings.draft_warnings(draft)] == ["venue", "venue"]
    assert [w.kind for w in services.meetings.draft_warnings(_meeting(ids, date="2026/06/06", venue_id=ids["hall"]),
                                                             meeting_id=saturday.id)] == ["weekend", "capacity"]
    # Cancelled meetings clash with nothing.
    services.meetings.set_status(second.id, "中止")
    assert services.meetings.warnings(first.id) == []


def test_series_edit_one_and_whole(services, ids) -> None:
    rows = services.meetings.create_series(_meeting(ids, title="連携WG", type_id=ids["WG"], date="2026/04/02"),
                                           RecurrenceRule("weekly", count=34))
    assert len(rows) == 34 and len({r.series_id for r in rows}) == 1
    assert rows[-1].date == D(2026, 4, 2) + dt.timedelta(weeks=33)
    assert rows[5].occurrence_date == rows[5].date
    # The first two are held; edit only the 4th occurrence.
    for row in rows[:2]:
        services.meetings.set_status(row.id, "開催済")
    one = services.meetings.update(rows[3].id, _meeting(ids, title="連携WG（拡大）", type_id=ids["WG"],
                                                         date=rows[3].date.isoformat()))
    assert one.title == "連携WG（拡大）"
    series = services.meetings.series_rows(rows[0].series_id)
    assert [r.title for r in series[2:5]] == ["連携WG", "連携WG（拡大）", "連携WG"]
    # Whole series from the 2nd (held) one: held occurrences are never rewritten, dates stay.
    services.meetings.update(rows[1].id, _meeting(ids, title="連携WG", type_id=ids["WG"], status="開催済",
                                                  date=rows[1].date.isoformat(), venue_id=ids["hall"],
                                                  start_time="19:00", end_time="20:00"), scope="series")
    series = services.meetings.series_rows(rows[0].series_id)
    assert series[0].venue_id == ids["room"]  # held, before the edited one
    assert series[1].venue_id == ids["hall"]  # the one edited
    assert all(r.venue_id == ids["hall"] and r.start_time == "19:00" for r in series[2:])
    assert [r.date for r in series] == [r.date for r in rows]
    assert all(r.status == "計画中" for r in series[2:])
    # Monthly by the 3rd Thursday.
    monthly = services.meetings.create_series(_meeting(ids, date="2026/04/01"),
                                              RecurrenceRule("monthly", month_week=3, month_weekday=3, count=3))
    assert [r.date for r in monthly] == [D(2026, 4, 16), D(2026, 5, 21), D(2026, 6, 18)]
    with pytest.raises(ValidationError):
        services.meetings.create_series(_meeting(ids), RecurrenceRule("weekly"))


def test_copy_past_meeting(services, ids) -> None:
    past = services.meetings.create(_meeting(ids, status="開催済", minutes="議事録", co_organiser_ids=[ids["医師会"]],
                                             speakers=[Speaker("講師A")]))
    person = services.meetings.add_person("参加 花子", affiliation="包括")
    services.meetings.set_attendance(past.id, person.id, status="出席")
    services.meetings.set_counts(past.id, [CountEntry(ids["薬剤師"], 5)])
    copy = services.meetings.copy(past.id, "2026/09/02")
    assert copy.date == D(2026, 9, 2) and copy.status == "計画中" and copy.id != past.id
    assert copy.co_organisers == ("医師会",) and copy.registered == 0 and copy.attended == 0
    detail = services.meetings.get(copy.id)
    assert detail.minutes == "" and detail.speakers == (Speaker("講師A"),)
    assert "複写" in detail.history[0].note


def test_issue_links_both_ways(services, ids) -> None:
    issue = services.issues.create(IssueInput(title="退院の連絡が急", layer="一次", raised_on="2026/06/03",
                                              source_association_id=ids["介護支援専門員協議会"]))
    first = services.meetings.create(_meeting(ids))
    later = services.meetings.create(_meeting(ids, date="2026/07/01"))
    services.meetings.link_issue(later.id, issue.id, "検討")
    services.meetings.link_issue(first.id, issue.id, "提起")
    links = services.meetings.meetings_for_issue(issue.id)
    assert [(link.meeting_id, link.role) for link in links] == [(first.id, "提起"), (later.id, "検討")]
    services.meetings.link_issue(later.id, issue.id, "決定")
    assert services.meetings.get(later.id).issues[0].role == "決定"
    assert services.meetings.month(2026, 7)[0].issue_count == 1
    with pytest.raises(ValidationError):
        services.meetings.link_issue(first.id, issue.id, "放置")
    services.meetings.unlink_issue(later.id, issue.id)
    assert [link.meeting_id for link in services.meetings.meetings_for_issue(issue.id)] == [first.id]


def test_issue_links_saved_with_the_meeting_in_one_transaction(services, ids) -> None:
    issue = services.issues.create(IssueInput(title="退院の連絡が急", layer="一次"))
    other = services.issues.create(IssueInput(title="薬の情報が届かない", layer="一次"))
    made = services.meetings.create(_meeting(ids, title="打ち合わせ"), issue_links={issue.id: "提起"})
    assert [(i.issue_id, i.role) for i in services.meetings.get(made.id).issues] == [(issue.id, "提起")]
    # The whole set is replaced: one dropped, one added, in the same save as the field change.
    saved = services.meetings.update(made.id, _meeting(ids, title="打ち合わせ（第2回）"),
                                     issue_links={other.id: "検討"})
    assert saved.title == "打ち合わせ（第2回）"
    assert [(i.issue_id, i.role) for i in services.meetings.get(made.id).issues] == [(other.id, "検討")]
    # A bad link undoes the whole save: the title change is not kept either.
    for links, error in (({"no-such-issue": "検討"}, DomainError), ({issue.id: "放置"}, ValidationError)):
        with pytest.raises(error):
            services.meetings.update(made.id, _meeting(ids, title="消えるはずの変更"), issue_links=links)
        detail = services.meetings.get(made.id)
        assert detail.row.title == "打ち合わせ（第2回）" and [i.issue_id for i in detail.issues] == [other.id]
    series = services.meetings.create_series(_meeting(ids, title="連携WG", date="2026/09/02"),
                                             RecurrenceRule("weekly", count=3), issue_links={issue.id: "検討"})
    assert [len(services.meetings.get(r.id).issues) for r in series] == [1, 0, 0]


def test_adopt_planned_event(services, ids) -> None:
    with services.db.session() as s:
        event = PlannedEvent(title="薬剤師会×介護支援専門員協議会 合同研修", description="職種理解",
                             association_ids=json.dumps([ids["薬剤師会"], ids["介護支援専門員協議会"]]))
        s.add(event)
        s.flush()
        event_id = event.id
    row = services.meetings.adopt_planned_event(event_id, on="2026/10/01")
    assert row.status == "計画中" and row.type_name == "研修会" and row.layer == "二次"
    assert set(row.co_organisers) == {"薬剤師会", "介護支援専門員協議会"}
    with services.db.session() as s:
        assert s.get(PlannedEvent, event_id).adopted_meeting_id == row.id
    with pytest.raises(DomainError):
        services.meetings.adopt_planned_event(event_id)


def test_person_dedupe_and_merge(services, ids) -> None:
    yamada = services.meetings.add_person("山田 太郎", reading="やまだたろう", affiliation="釜石薬局",
                                          profession_id=ids["薬剤師"])
    with pytest.raises(ValidationError):
        services.meetings.add_person("山田太郎", affiliation="釜石薬局")
    other = services.meetings.add_person("山田太郎", affiliation="釜石薬局 本店")
    assert [p.name for p in services.meetings.find_persons("やまだ")] == ["山田 太郎"]
    m1 = services.meetings.create(_meeting(ids))
    m2 = services.meetings.create(_meeting(ids, date="2026/07/01"))
    services.meetings.set_attendance(m1.id, yamada.id, status="申込")
    services.meetings.set_attendance(m1.id, other.id, status="出席")
    services.meetings.set_attendance(m2.id, other.id, status="出席", walk_in=True)
    kept = services.meetings.merge_persons(yamada.id, other.id)
    assert kept.id == yamada.id
    assert [(a.status, a.walk_in) for a in services.meetings.list_attendance(m1.id)] == [("出席", False)]
    assert [a.person_id for a in services.meetings.list_attendance(m2.id)] == [yamada.id]
    persons = {p.id: p for p in services.meetings.list_persons(include_archived=True)}
    assert persons[other.id].archived and persons[other.id].merged_into_id == yamada.id
    with pytest.raises(DomainError):
        services.meetings.set_attendance(m1.id, other.id)
    # The kept entry still holds its name + affiliation; the archived duplicate's is free again.
    with pytest.raises(ValidationError):
        services.meetings.add_person("山田　太郎", affiliation="釜石薬局")
    moved = services.meetings.update_person(yamada.id, "山田太郎", affiliation="釜石薬局 本店",
                                            profession_id=ids["薬剤師"])
    assert moved.affiliation == "釜石薬局 本店" and moved.profession == "薬剤師"


def test_attendance_and_counts_by_profession_over_a_period(services, ids) -> None:
    lecture = services.meetings.create(_meeting(ids, title="薬剤師会主催多職種連携研修会", type_id=ids["研修会"],
                                                date="2015/03/05", start_time="18:45", end_time=None,
                                                status="開催済"))
    saved = services.meetings.set_counts(lecture.id, [CountEntry(ids["薬剤師"], 24), CountEntry(None, 63, "他職種")])
    assert sum(c.count for c in saved) == 87
    assert services.meetings.period(D(2015, 3, 1), D(2015, 3, 31))[0].attended == 87
    totals = services.meetings.meeting_totals(lecture.id)
    assert [(t.profession, t.count) for t in totals] == [("薬剤師", 24), ("他職種", 63)]

    talk = services.meetings.create(_meeting(ids, title="出前講座", type_id=ids["出前講座"], date="2015/06/10",
                                             status="開催済"))
    services.meetings.set_counts(talk.id, [CountEntry(ids["住民"], 30)])
    training = services.meetings.create(_meeting(ids, title="同行訪問研修", type_id=ids["同行訪問研修"],
                                                 date="2015/07/01", status="開催済"))
    people = [services.meetings.add_person(f"参加者{i}", profession_id=ids["薬剤師" if i < 2 else "歯科医師"])
              for i in range(4)]
    for i, p in enumerate(people):
        services.meetings.set_attendance(training.id, p.id, status="出席" if i != 3 else "欠席")
    cancelled = services.meetings.create(_meeting(ids, date="2015/07/02", status="中止"))
    services.meetings.set_counts(cancelled.id, [CountEntry(ids["薬剤師"], 100)])
    outside = services.meetings.create(_meeting(ids, date="2016/04/01", status="開催済"))
    services.meetings.set_counts(outside.id, [CountEntry(ids["薬剤師"], 7)])

    totals = services.meetings.period_totals(D(2014, 4, 1), D(2016, 3, 31))
    assert {(t.profession, t.count) for t in totals} == {("薬剤師", 26), ("歯科医師", 1), ("住民", 30), ("他職種", 63)}
    assert sum(t.count for t in totals) == 120
    # Per meeting in one pass: the same figures as asking meeting by meeting (中止 included, 欠席 not).
    by_meeting = services.meetings.totals_by_meeting(D(2014, 4, 1), D(2016, 3, 31))
    assert {(t.profession, t.count) for t in by_meeting[training.id]} == {("薬剤師", 2), ("歯科医師", 1)}
    for meeting in (lecture, talk, training, cancelled):
        assert by_meeting[meeting.id] == services.meetings.meeting_totals(meeting.id)
    assert outside.id not in by_meeting
    with pytest.raises(ValidationError):
        services.meetings.set_counts(talk.id, [CountEntry(ids["住民"], -1)])
    with pytest.raises(ValidationError):
        services.meetings.set_attendance(training.id, people[0].id, status="遅刻")


def test_sample_meetings_loaded_with_the_region(sample_services) -> None:
    meetings = sample_services.meetings
    assert meetings.count() == 44
    year_2015 = meetings.period(D(2015, 1, 1), D(2015, 12, 31))
    pharmacists = next(r for r in year_2015 if r.title == "薬剤師会主催多職種連携研修会")
    assert pharmacists.date == D(2015, 3, 5) and pharmacists.start_time == "18:45" and pharmacists.attended == 87
    assert [(t.profession, t.count) for t in meetings.meeting_totals(pharmacists.id)] == [("薬剤師", 24), ("他職種", 63)]
    assert {r.title: r.attended for r in year_2015 if "学術講演会" in r.title} == {
        "釜石医師会学術講演会": 136, "釜石三師会学術講演会": 87}
    all_rows = meetings.period(D(2013, 4, 1), D(2027, 3, 31))
    assert sum(r.title == "医科歯科同行訪問研修" for r in all_rows) == 9
    assert sum(r.title == "医科薬科同行訪問研修" for r in all_rows) == 11
    wg = [r for r in all_rows if r.title == "連携WG"]
    assert len(wg) == 8 and len({r.series_id for r in wg}) == 1
    first_layer = [r for r in meetings.period(D(2025, 4, 1), D(2026, 3, 31)) if r.type_name == "打ち合わせ会"]
    assert len(first_layer) == 11 and all(r.layer == "一次" for r in first_layer)
    linked = [r for r in first_layer if r.issue_count]
    assert len(linked) >= 5
    issue = next(i for i in sample_services.issues.list_rows() if i.title == "医師との壁")
    links = meetings.meetings_for_issue(issue.id)
    assert [(link.role, link.meeting_date) for link in links] == [("提起", D(2025, 5, 21))]


def test_load_meetings_into_an_older_sample_database(sample_services) -> None:
    from sqlalchemy import text

    from zaitaku_desktop.storage import meta_repo

    assert not sample_services.sample.can_load_meetings()
    with pytest.raises(DomainError):
        sample_services.sample.load_meetings()
    with sample_services.db.session() as s:
        for table in ("questionnaire_answer", "questionnaire_response", "meeting_questionnaire", "attendance_count",
                      "attendance", "meeting_issue", "meeting_speaker", "meeting_profession", "meeting_co_organiser",
                      "meeting", "meeting_series"):
            s.execute(text(f"DELETE FROM {table}"))
        meta_repo.put(s, "sample_meetings_loaded", "")
    assert sample_services.sample.can_load_meetings()
    assert sample_services.sample.load_meetings() == 44
    assert sample_services.meetings.count() == 44 and len(sample_services.meetings.list_venues()) == 3
    assert not sample_services.sample.can_load_meetings()
