"""Questionnaire service: templates, assignment, keyed sheets, tallies (shares, response rate), compare."""

from __future__ import annotations

import datetime as dt

import pytest

from zaitaku_desktop.domain.errors import NotFoundError, ValidationError
from zaitaku_desktop.domain.meetings import MeetingInput
from zaitaku_desktop.domain.questionnaires import ItemSpec
from zaitaku_desktop.services.meetings import CountEntry
from zaitaku_desktop.services.questionnaires import LECTURE, TRAINING, SheetInput


@pytest.fixture
def profs(services) -> dict[str, str]:
    return {p.name: p.id for p in services.vocab.list("profession")}


def _meeting(services, title: str, date: str, attended: int = 0) -> str:
    kind = {t.name: t.id for t in services.meetings.list_types()}["研修会"]
    row = services.meetings.create(MeetingInput(title=title, type_id=kind, date=date, start_time="18:00",
                                                end_time="19:30", organiser_kind="連携拠点", status="開催済"))
    if attended:
        services.meetings.set_counts(row.id, [CountEntry(None, attended, "その他")])
    return row.id


def _template(services, name: str = TRAINING):
    return {t.name: t for t in services.questionnaires.ensure_default_templates()}[name]


def _key(services, meeting_id: str, template, sheets: list[tuple], profession_id: str | None = None) -> None:
    for no, values in enumerate(sheets, start=1):
        answers = dict(zip([i.id for i in template.items], values))
        services.questionnaires.add_response(meeting_id, SheetInput(no, answers, profession_id))


def test_default_templates_are_seeded_once(services) -> None:
    first = services.questionnaires.ensure_default_templates()
    again = services.questionnaires.ensure_default_templates()
    assert [t.name for t in first] == [t.name for t in again] and {TRAINING, LECTURE} <= {t.name for t in first}
    training = _template(services)
    assert [i.kind for i in training.items] == ["scale4", "scale4", "scale4", "yesno", "text"]
    assert training.items[0].text == "研修は役に立った" and training.items[0].labels[0] == "とてもそう思う"
    assert [i.kind for i in _template(services, LECTURE).items][:2] == ["scale5", "scale5"]


def test_questionnaire_shares_overall_and_by_profession(services, profs) -> None:
    # Ten sheets: 8 answer 役に立った in the top two points, one leaves it blank (not counted).
    mid = _meeting(services, "多職種連携研修会", "2026/06/03", attended=12)
    template = _template(services)
    services.questionnaires.assign(mid, template.id)
    doctors = [(1, 1, 2, 1, "よかった"), (1, 2, 2, 1, ""), (2, 2, 3, 2, "")]
    nurses = [(1, 1, 1, 1, ""), (2, 2, 2, 1, ""), (2, 3, 3, 2, ""), (3, 3, 2, 1, ""), (4, 4, 4, 2, "")]
    _key(services, mid, template, doctors, profs["医師"])
    for no, values in enumerate(nurses + [(1, 1, 1, 1, ""), (None, 1, 1, None, "")], start=4):
        answers = dict(zip([i.id for i in template.items], values))
        services.questionnaires.add_response(mid, SheetInput(no, answers, profs["看護師"]))
    result = services.questionnaires.tally(mid)
    assert result.returned == 10 and result.base == 12 and result.rate == pytest.approx(10 / 12)
    useful = result.items[0]
    assert useful.overall.counts == (4, 3, 1, 1) and useful.overall.n == 9
    assert useful.overall.top_share == pytest.approx(7 / 9)
    by = dict(useful.by_profession)
    assert list(by) == ["医師", "看護師"]
    assert by["医師"].counts == (2, 1, 0, 0) and by["医師"].top_share == pytest.approx(1.0)
    assert by["看護師"].top_share == pytest.approx(4 / 6)
    face = result.items[3]
    assert face.overall.counts == (6, 3) and face.overall.top_share == pytest.approx(6 / 9)
    assert result.items[4].texts == ("よかった",)


def test_response_rate_against_distributed_and_attended(services) -> None:
    mid = _meeting(services, "研修会", "2026/06/10", attended=60)
    template = _template(services)
    services.questionnaires.assign(mid, template.id)
    _key(services, mid, template, [(1, 1, 1, 1, "")] * 45)
    attended = services.questionnaires.tally(mid)
    assert attended.distributed is None and attended.base == 60 and attended.rate == pytest.approx(0.75)
    services.questionnaires.assign(mid, template.id, 90)
    handed = services.questionnaires.tally(mid)
    assert handed.base == 90 and handed.rate == pytest.approx(0.5)
    with pytest.raises(ValidationError, match="配布数は1以上"):
        services.questionnaires.assign(mid, template.id, 0)


def test_compare_two_meetings_of_the_same_template(services) -> None:
    template = _template(services)
    before = _meeting(services, "研修会（第1回）", "2026/06/03", attended=10)
    after = _meeting(services, "研修会（第2回）", "2026/09/03", attended=10)
    for mid, sheets in ((before, [(1,), (3,), (3,), (4,), (2,)]), (after, [(1,), (1,), (2,), (2,), (3,)])):
        services.questionnaires.assign(mid, template.id)
        _key(services, mid, template, sheets)
    assert [m.id for m in services.questionnaires.comparable_meetings(before)] == [after]
    result = services.questionnaires.compare(before, after)
    first = result.rows[0]
    assert first.before == pytest.approx(0.4) and first.after == pytest.approx(0.8)
    assert first.diff == pytest.approx(0.4) and first.before_n == 5
    assert all(r.kind != "text" for r in result.rows) and len(result.rows) == 4
    assert result.rows[1].before is None  # nobody answered the second item
    other = _meeting(services, "市民公開講座", "2026/10/03")
    services.questionnaires.assign(other, _template(services, LECTURE).id)
    with pytest.raises(ValidationError, match="別のアンケートのため比べられません"):
        services.questionnaires.compare(before, other)


def test_sheets_are_edited_deleted_and_validated(services, profs) -> None:
    mid = _meeting(services, "研修会", "2026/06/03")
    template = _template(services)
    with pytest.raises(ValidationError, match="アンケートがまだ設定されていません"):
        services.questionnaires.add_response(mid, SheetInput(1, {}))
    services.questionnaires.assign(mid, template.id)
    first = template.items[0].id
    sheet = services.questionnaires.add_response(mid, SheetInput(1, {first: 2}, None, "住民"))
    assert sheet.profession == "住民" and sheet.answers[first] == 2
    assert services.questionnaires.next_sheet_no(mid) == 2
    with pytest.raises(ValidationError, match="用紙番号 1 はすでに入力されています"):
        services.questionnaires.add_response(mid, SheetInput(1, {first: 1}))
    with pytest.raises(ValidationError, match="設問1：1〜4の数字で入力してください"):
        services.questionnaires.add_response(mid, SheetInput(2, {first: 7}))
    assert len(services.questionnaires.list_responses(mid)) == 1  # the bad sheets left nothing behind
    edited = services.questionnaires.update_response(sheet.id, SheetInput(1, {first: 4}, profs["薬剤師"]))
    assert edited.profession == "薬剤師" and services.questionnaires.list_responses(mid)[0].answers[first] == 4
    with pytest.raises(ValidationError, match="アンケートの種類は変更できません"):
        services.questionnaires.assign(mid, _template(services, LECTURE).id)
    services.questionnaires.delete_response(sheet.id)
    assert services.questionnaires.list_responses(mid) == []
    with pytest.raises(NotFoundError):
        services.questionnaires.delete_response(sheet.id)


def test_template_edit_keeps_kind_of_answered_items(services) -> None:
    template = services.questionnaires.add_template("出前講座アンケート", [
        ItemSpec("scale5", "関心を持った"), ItemSpec("text", "感想")])
    mid = _meeting(services, "出前講座", "2026/07/01")
    services.questionnaires.assign(mid, template.id)
    services.questionnaires.add_response(mid, SheetInput(1, {template.items[0].id: 1}))
    specs = [ItemSpec(i.kind, i.text, i.choices, i.id) for i in template.items]
    with pytest.raises(ValidationError, match="すでに回答が入力されているため、種類を変更できません"):
        services.questionnaires.update_template(template.id, template.name, [
            ItemSpec("scale4", "関心を持った", "", specs[0].id), specs[1]])
    saved = services.questionnaires.update_template(template.id, "出前講座アンケート（改）", [
        ItemSpec("scale5", "関心を持った", "とても|まあ|どちらとも|あまり|全く", specs[0].id),
        ItemSpec("yesno", "家族に紹介したい")])
    assert saved.name == "出前講座アンケート（改）"
    assert [i.text for i in saved.items] == ["関心を持った", "家族に紹介したい"]
    assert saved.items[0].labels[0] == "とても" and saved.items[0].answered == 1
    services.questionnaires.ensure_default_templates()
    with pytest.raises(ValidationError, match="「研修会アンケート」はすでに登録されています"):
        services.questionnaires.add_template(TRAINING, [ItemSpec("text", "感想")])
    assert services.questionnaires.set_template_archived(template.id).archived
    assert template.id not in {t.id for t in services.questionnaires.list_templates()}


def _realistic(result) -> None:
    assert 0.6 <= result.rate <= 0.9
    assert all(0.65 <= i.overall.top_share <= 0.95 for i in result.items if i.kind != "text")
    assert len(result.items[0].by_profession) >= 3


def test_sample_sheets_give_realistic_shares(sample_services) -> None:
    # The sample region comes with answered sheets for its three lectures, all on the same questionnaire.
    q = sample_services.questionnaires
    rows = sample_services.meetings.period(dt.date(2015, 1, 1), dt.date(2015, 12, 31))
    titles = ("薬剤師会主催多職種連携研修会", "釜石医師会学術講演会", "釜石三師会学術講演会")
    ids = {r.title: r.id for r in rows if r.title in titles}
    assert set(ids) == set(titles)
    assert {q.assignment(mid).template_id for mid in ids.values()} == {_template(sample_services).id}
    assert sum(len(q.list_responses(mid)) for mid in ids.values()) > 60
    for mid in ids.values():
        _realistic(q.tally(mid))
        assert {m.id for m in q.comparable_meetings(mid)} == set(ids.values()) - {mid}
    assert q.compare(ids["薬剤師会主催多職種連携研修会"], ids["釜石三師会学術講演会"]).rows
    # A meeting without sheets gets them the same way: about 8 in 10 of those attending.
    row = next(r for r in rows if r.title == "薬剤師会主催多職種連携研修会")
    fresh = sample_services.meetings.create(MeetingInput(title="多職種連携研修会（再演）", type_id=None,
                                                         date=dt.date(2015, 11, 5), status="開催済"))
    sample_services.meetings.set_counts(fresh.id, sample_services.meetings.counts(row.id))
    with sample_services.db.session() as s:
        added = q.add_sample(s, {"多職種連携研修会（再演）": fresh.id})
    assert added > 20 and added == len(q.list_responses(fresh.id))
    _realistic(q.tally(fresh.id))
    assert q.compare(ids["薬剤師会主催多職種連携研修会"], fresh.id).rows
