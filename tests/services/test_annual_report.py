"""The annual report's figures equal independent counts over the same data (hand-made records around the
fiscal-year boundaries, and the sample region), and the coordinator's notes are saved and reloaded."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter

import pytest

from zaitaku_desktop.domain.annual_report import fiscal_year_range
from zaitaku_desktop.domain.errors import ValidationError
from zaitaku_desktop.models import (
    Attendance, AttendanceCount, ChangeLog, CollabIssue, CollabIssueProfession, Consultation, ConsultationCase,
    IssueResponse, Meeting, Person, QuestionnaireAnswer, QuestionnaireItem, QuestionnaireResponse,
    QuestionnaireTemplate, Resource,
)

UTC = dt.timezone.utc


def _ids(services, kind: str) -> dict[str, str]:
    return {item.name: item.id for item in services.vocab.list(kind, include_archived=True)}


def _type_ids(services) -> dict[str, str]:
    return {t.name: t.id for t in services.meetings.list_types(include_archived=True)}


@pytest.fixture
def hand_made(services):
    """Records on both sides of fiscal year 2025 (2025-04-01 … 2026-03-31, Japan time)."""
    types, profs, cats = _type_ids(services), _ids(services, "profession"), _ids(services, "category")
    muni_id = services.vocab.add("municipality", "釜石市", code="032115").id
    training, lecture, talk = types["研修会"], types["市民公開講座"], types["打ち合わせ会"]
    with services.db.session() as s:
        def meeting(title, type_id, day, status="開催済", archived=False):
            m = Meeting(title=title, type_id=type_id, date=day, status=status, municipality_id=muni_id,
                        archived_at=dt.datetime(2026, 1, 1, tzinfo=UTC) if archived else None)
            s.add(m)
            s.flush()
            return m.id

        first = meeting("研修A", training, dt.date(2025, 4, 1))
        meeting("研修B", training, dt.date(2026, 3, 31), status="計画中")
        meeting("研修（前年度）", training, dt.date(2025, 3, 31))
        meeting("研修（翌年度）", training, dt.date(2026, 4, 1))
        meeting("研修（中止）", training, dt.date(2025, 6, 1), status="中止")
        meeting("研修（削除）", training, dt.date(2025, 6, 2), archived=True)
        public = meeting("市民公開講座", lecture, dt.date(2025, 10, 10))
        meeting("打ち合わせ会", talk, dt.date(2025, 5, 1))
        for name, prof, status in (("甲", "薬剤師", "出席"), ("乙", "薬剤師", "出席"), ("丙", None, "出席"),
                                   ("丁", "看護師", "欠席")):
            p = Person(name=name, profession_id=profs[prof] if prof else None)
            s.add(p)
            s.flush()
            s.add(Attendance(meeting_id=first, person_id=p.id, status=status))
        s.add(AttendanceCount(meeting_id=public, label="住民", count=120))
        s.add(AttendanceCount(meeting_id=public, profession_id=profs["看護師"], count=5))
        template = QuestionnaireTemplate(name="研修アンケート")
        s.add(template)
        s.flush()
        useful = QuestionnaireItem(template_id=template.id, kind="scale4", text="役に立ちましたか", sort_order=1)
        again = QuestionnaireItem(template_id=template.id, kind="yesno", text="また参加したいですか", sort_order=2)
        s.add_all([useful, again])
        s.flush()
        for value, yes in ((1, 1), (2, 2), (4, 1)):
            r = QuestionnaireResponse(meeting_id=first)
            s.add(r)
            s.flush()
            s.add_all([QuestionnaireAnswer(response_id=r.id, item_id=useful.id, value=value),
                       QuestionnaireAnswer(response_id=r.id, item_id=again.id, value=yes)])

        def issue(title, layer, status, raised):
            i = CollabIssue(title=title, layer=layer, status=status, raised_on=raised, municipality_id=muni_id)
            s.add(i)
            s.flush()
            return i.id

        solved = issue("退院が急", "二次", "解決", dt.date(2025, 5, 1))
        moved = issue("ICTの導入", "三次", "検討中", dt.date(2025, 4, 1))
        issue("前年度の課題", "一次", "抽出", dt.date(2025, 3, 31))
        issue("翌年度の課題", "一次", "抽出", dt.date(2026, 4, 1))
        s.add(CollabIssueProfession(issue_id=moved, profession_id=profs["医師"]))
        s.add(CollabIssueProfession(issue_id=moved, profession_id=profs["薬剤師"]))
        s.add(IssueResponse(issue_id=solved, actor_kind="連携拠点", action="意見交換会を開く", state="完了",
                            result="退院前カンファレンスが増えた", created_at=dt.datetime(2025, 5, 10, tzinfo=UTC)))
        s.add(IssueResponse(issue_id=solved, actor_kind="職能団体", actor_text="訪問看護ステーション", sort_order=1,
                            action="退院前に連絡する", state="完了", created_at=dt.datetime(2026, 4, 2, tzinfo=UTC)))
        s.add(IssueResponse(issue_id=solved, actor_kind="行政", action="やめた案", state="中止", sort_order=2,
                            created_at=dt.datetime(2025, 5, 10, tzinfo=UTC)))
        for entity_id, changes, at in (
                (solved, {"status": ["対応中", "解決"]}, dt.datetime(2026, 3, 31, 14, 59, tzinfo=UTC)),  # 23:59 JST
                (moved, {"layer": ["二次", "三次"]}, dt.datetime(2025, 7, 1, tzinfo=UTC)),
                (moved, {"status": ["抽出", "解決"]}, dt.datetime(2026, 3, 31, 15, 0, tzinfo=UTC))):  # 4/1 0:00 JST
            s.add(ChangeLog(entity="collab_issue", entity_id=entity_id, action="update", changed_at=at,
                            changes=json.dumps(changes, ensure_ascii=False)))
        for name, created, confirmed, archived in (
                ("前からある病院", dt.datetime(2025, 3, 31, 14, 0, tzinfo=UTC), dt.date(2025, 9, 1), None),
                ("新しい診療所", dt.datetime(2025, 3, 31, 15, 30, tzinfo=UTC), None, None),  # 4/1 0:30 JST
                ("翌年度の薬局", dt.datetime(2026, 3, 31, 16, 0, tzinfo=UTC), dt.date(2026, 4, 2), None),
                ("閉じた施設", dt.datetime(2024, 1, 1, tzinfo=UTC), dt.date(2024, 2, 1), dt.datetime(2025, 8, 1, tzinfo=UTC))):
            s.add(Resource(name=name, category_id=cats["病院"], created_at=created, last_confirmed=confirmed,
                           archived_at=archived, municipality_id=muni_id))
        case = ConsultationCase(municipality_id=muni_id)
        s.add(case)
        s.flush()
        for window, at in (("多職種向け", dt.datetime(2025, 3, 31, 15, 0, tzinfo=UTC)),  # 4/1 0:00 JST: in
                           ("一般向け", dt.datetime(2026, 3, 31, 14, 0, tzinfo=UTC)),  # 3/31 23:00 JST: in
                           ("一般向け", dt.datetime(2026, 3, 31, 15, 0, tzinfo=UTC)),  # 4/1 0:00 JST: out
                           ("一般向け", dt.datetime(2025, 3, 31, 14, 59, tzinfo=UTC))):  # 3/31 23:59 JST: out
            s.add(Consultation(case_id=case.id, window=window, received_at=at, requester_type="家族", status="終了"))
    return services


def test_hand_made_records_count_on_the_right_side_of_the_fiscal_year(hand_made) -> None:
    report = hand_made.annual_report.build(2025)
    assert (report.start, report.end) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    a, i, ka, ki, o, ku = (report.section(t) for t in "アイカキオク")
    assert a.figure("登録されている資源（年度末）") == 2  # the archived one and next year's are not listed
    assert a.figure("年度内に新しく登録した資源") == 1
    assert a.figure("年度内に情報を確認した資源") == 1
    assert a.figure("最終確認から1年以上たった資源（確認日なしを含む）") == 1
    # カ: 研修A and 研修B (planned) count; the previous/next year's, the cancelled and the archived do not
    assert ka.figure("会議・研修の開催回数") == 2
    assert ka.figure("延べ参加者数") == 3  # 出席 only
    assert dict((r[0], r[1]) for r in ka.table("職種別の参加者数（延べ）").rows) == {"薬剤師": 2, "その他": 1, "計": 3}
    assert ka.figure("回収したアンケート") == 3
    answers = {r[0]: r[1:] for r in ka.table("アンケートの結果").rows}
    assert answers == {"役に立ちましたか": (3, 2, 66.7), "また参加したいですか": (3, 2, 66.7)}
    assert ki.figure("延べ参加者数") == 125 and ki.figure("参加した住民") == 120
    assert i.figure("会議・研修の開催回数") == 1  # 打ち合わせ会 (イ); 研修会 counts for カ only
    assert i.figure("年度内に抽出した課題") == 2
    assert i.figure("階層を移した課題") == 1 and i.figure("解決した課題") == 1  # 4/1 0:00 JST is next year
    assert i.table("階層別の課題").rows[-1] == ("計", 2, 1, 1)
    assert i.figure("記録した対応策") == 2  # the one recorded next April is not counted; a 中止 one is
    assert i.table("解決した課題と対応策").rows == (  # one line per issue; a cancelled response is left out
        ("退院が急", "二次", "連携拠点：意見交換会を開く\n訪問看護ステーション：退院前に連絡する", "退院前カンファレンスが増えた"),)
    open_rows = {r[0]: r[1:] for r in i.table("未解決の課題（職種×階層）").rows}
    assert open_rows == {"医師": (0, 0, 1, 1), "薬剤師": (0, 0, 1, 1), "（職種の指定なし）": (1, 0, 0, 1)}
    assert (o.figure("相談件数"), o.figure("相談件数（多職種向け）"), o.figure("相談件数（一般向け）")) == (2, 1, 1)
    assert ku.table("市町村別の記録").rows[0] == ("釜石市", 2, 4, 2, 2)


def _independent(con: sqlite3.Connection, year: int) -> dict[str, object]:
    """Counts by reading plain rows and filtering in Python (no GROUP BY, no shared SQL)."""
    start, end = fiscal_year_range(year)
    jst = dt.timezone(dt.timedelta(hours=9))

    def local_day(text: str) -> dt.date:
        return dt.datetime.fromisoformat(text).replace(tzinfo=UTC).astimezone(jst).date()

    def in_year(day: dt.date | None) -> bool:
        return day is not None and start <= day <= end

    types = {tid: tasks for tid, tasks in con.execute("SELECT id, tasks FROM meeting_type")}
    meetings = {mid: tid for mid, tid, day, status, archived in
                con.execute("SELECT id, type_id, date, status, archived_at FROM meeting")
                if archived is None and status not in ("中止", "延期") and in_year(dt.date.fromisoformat(day))}
    people = Counter()
    for mid, status in con.execute("SELECT meeting_id, status FROM attendance"):
        if mid in meetings and status == "出席":
            people[mid] += 1
    for mid, n in con.execute("SELECT meeting_id, count FROM attendance_count"):
        if mid in meetings:
            people[mid] += n
    out: dict[str, object] = {}
    for task in "イウカキ":
        mids = [m for m, t in meetings.items() if task in (types.get(t) or "")]
        out[f"meetings {task}"] = len(mids)
        out[f"people {task}"] = sum(people[m] for m in mids)
    issues = list(con.execute("SELECT id, layer, status, raised_on, created_at, archived_at FROM collab_issue"))
    raised = [i for i in issues if i[5] is None and in_year(dt.date.fromisoformat(i[3] or i[4][:10]))]
    out["raised"] = Counter(i[1] for i in raised)
    solved = {eid for eid, changes, at in con.execute(
        "SELECT entity_id, changes, changed_at FROM change_log WHERE entity = 'collab_issue'")
        if (json.loads(changes).get("status") or [None, None])[1] == "解決" and in_year(local_day(at))}
    out["resolved"] = sum(1 for i in issues if i[0] in solved and i[5] is None)
    out["open"] = Counter(i[1] for i in issues if i[5] is None and i[2] not in ("解決", "取り下げ")
                          and dt.date.fromisoformat(i[3] or i[4][:10]) <= end)
    resources = list(con.execute("SELECT created_at, archived_at, last_confirmed FROM resource"))
    out["listed"] = sum(1 for c, a, _ in resources if local_day(c) <= end and (a is None or local_day(a) > end))
    out["added"] = sum(1 for c, _, _ in resources if in_year(local_day(c)))
    out["confirmed"] = sum(1 for _, _, lc in resources if lc and in_year(dt.date.fromisoformat(lc)))
    out["consultations"] = sum(1 for at, archived in con.execute("SELECT received_at, archived_at FROM consultation")
                               if archived is None and in_year(local_day(at)))
    return out


@pytest.mark.parametrize("year", [2013, 2015, 2025, 2026])
def test_sample_region_figures_equal_independent_counts(sample_services, sample_db_path, year) -> None:
    report = sample_services.annual_report.build(year)
    con = sqlite3.connect(sample_db_path)
    try:
        expected = _independent(con, year)
    finally:
        con.close()
    for task in "イウカキ":
        section = report.section(task)
        assert section.figure("会議・研修の開催回数") == expected[f"meetings {task}"], task
        assert section.figure("延べ参加者数") == expected[f"people {task}"], task
    i = report.section("イ")
    assert {r[0]: r[1] for r in i.table("階層別の課題").rows[:-1] if r[1]} == dict(expected["raised"])
    assert i.figure("解決した課題") == expected["resolved"]
    assert {k: i.figure(f"未解決の課題（{k}）") for k in ("一次", "二次", "三次")} == {
        k: expected["open"].get(k, 0) for k in ("一次", "二次", "三次")}
    a = report.section("ア")
    assert (a.figure("登録されている資源（年度末）"), a.figure("年度内に新しく登録した資源"),
            a.figure("年度内に情報を確認した資源")) == (expected["listed"], expected["added"], expected["confirmed"])
    assert report.section("オ").figure("相談件数") == expected["consultations"]
    if year == 2025:  # the sample has meetings, issues and consultations in this year: the test is not vacuous
        assert expected["meetings イ"] > 0 and sum(expected["raised"].values()) > 0 and expected["consultations"] > 0


def test_notes_are_saved_reloaded_and_shown_in_the_report(services) -> None:
    service = services.annual_report
    assert service.save_note(2025, "カ", "成果", "８割以上が「役に立った」と回答した。\n\n") == "８割以上が「役に立った」と回答した。"
    service.save_note(2025, "カ", "課題", "同行訪問研修の受け入れ先が少ない。")
    service.save_note(2024, "カ", "成果", "前年度の記述")
    assert service.notes(2025) == {("カ", "成果"): "８割以上が「役に立った」と回答した。",
                                   ("カ", "課題"): "同行訪問研修の受け入れ先が少ない。"}
    service.save_note(2025, "カ", "課題", "書き直した。")
    service.save_note(2025, "カ", "成果", "   ")  # emptied: removed
    assert service.notes(2025) == {("カ", "課題"): "書き直した。"}
    assert services.annual_report.build(2025).section("カ").notes == {"課題": "書き直した。"}
    with services.db.session() as s:
        who = s.connection().exec_driver_sql("SELECT updated_by FROM report_note WHERE fiscal_year = 2025").fetchall()
    assert who == [("tester",)]


@pytest.mark.parametrize("task, section, text, word", [
    ("ケ", "実績", "x", "事業"), ("ア", "感想", "x", "項目"), ("ア", "実績", "あ" * 4001, "4,000文字"),
])
def test_bad_notes_are_refused_in_japanese_and_nothing_is_written(services, task, section, text, word) -> None:
    with pytest.raises(ValidationError) as caught:
        services.annual_report.save_note(2025, task, section, text)
    assert word in caught.value.message
    assert services.annual_report.notes(2025) == {}
