"""The issue board service: layers, statuses, responses, history, needs matching, filters."""

from __future__ import annotations

import datetime as dt

import pytest

from zaitaku_desktop.domain.errors import ConflictError, NotFoundError, ValidationError
from zaitaku_desktop.domain.issues import IssueInput, NeedInput, ResponseInput
from zaitaku_desktop.services import build_services
from zaitaku_desktop.services.issues import IssueFilter, filter_issue_rows


@pytest.fixture
def ids(services) -> dict[str, str]:
    vocab = services.vocab
    out: dict[str, str] = {}
    for kind in ("profession", "theme", "association"):
        for item in vocab.list(kind):
            out[item.name] = item.id
    out["kamaishi"] = vocab.add("municipality", "釜石市", reading="かまいしし", code="03211").id
    out["otsuchi"] = vocab.add("municipality", "大槌町", reading="おおつちちょう", code="03461").id
    return out


def _issue(ids: dict[str, str], **overrides: object) -> IssueInput:
    values: dict = dict(
        title="病院からの退院が急で在宅側の準備が整っていない", description="退院の連絡が前日に来ることがある",
        layer="一次", status="抽出", source_association_id=ids["介護支援専門員協議会"],
        source_text="ケアマネ一次連携会議", raised_on="2026/05/20", municipality_id=ids["kamaishi"],
        profession_ids=[ids["介護支援専門員"]], theme_ids=[ids["退院調整"]], owner="連携拠点 佐藤",
    )
    values.update(overrides)
    return IssueInput(**values)


def test_themes_are_seeded_once(services) -> None:
    names = [t.name for t in services.vocab.list("theme")]
    assert names[:3] == ["退院調整", "相談ルート", "職種理解"]
    assert services.vocab.ensure_themes_seeded() is False
    again = build_services(services.db, user="tester")
    assert len(again.vocab.list("theme")) == len(names)


def test_create_and_read_back(services, ids) -> None:
    row = services.issues.create(_issue(ids))
    assert row.layer == "一次" and row.status == "抽出" and row.priority == "中"
    assert row.professions == ("介護支援専門員",) and row.themes == ("退院調整",)
    assert row.source_association == "介護支援専門員協議会" and row.municipality == "釜石市"
    assert row.raised_on == dt.date(2026, 5, 20)
    assert row.version == 1 and not row.archived and row.response_count == 0
    detail = services.issues.get(row.id)
    assert detail.row == row and detail.responses == []
    assert detail.history[0].action == "create"
    assert [r.id for r in services.issues.list_rows()] == [row.id]


def test_create_rejects_bad_input(services, ids) -> None:
    with pytest.raises(ValidationError) as err:
        services.issues.create(_issue(ids, title="  "))
    assert any("見出し" in i.message for i in err.value.issues)
    with pytest.raises(ValidationError):
        services.issues.create(_issue(ids, profession_ids=["no-such-id"]))
    with pytest.raises(ValidationError) as err:
        services.issues.create(_issue(ids, status="解決"))
    assert "解決にするには対応策を1件以上記録してください" in err.value.message
    assert services.issues.list_rows() == []


def test_layer_change_needs_reason_and_is_recorded(services, ids) -> None:
    row = services.issues.create(_issue(ids))
    with pytest.raises(ValidationError) as err:
        services.issues.update(row.id, _issue(ids, layer="二次"))
    assert "理由" in err.value.message
    moved = services.issues.update(row.id, _issue(ids, layer="二次"), reason="病院側の課題でもある",
                                   expected_version=row.version)
    assert moved.layer == "二次" and moved.version == 2
    entry = services.issues.get(row.id).history[0]
    assert entry.changes["layer"] == ["一次", "二次"]
    assert entry.note == "一次 → 二次：病院側の課題でもある"


def test_move_layer_status_and_profession(services, ids) -> None:
    row = services.issues.create(_issue(ids))
    with pytest.raises(ValidationError):
        services.issues.move(row.id, layer="三次")
    row = services.issues.move(row.id, layer="三次", reason="地域全体で話し合う")
    assert row.layer == "三次"
    row = services.issues.move(row.id, status="検討中", reason="協議会の議題にした")
    assert row.status == "検討中"
    row = services.issues.move(row.id, from_profession_id=ids["介護支援専門員"],
                               to_profession_id=ids["医療ソーシャルワーカー"])
    assert row.professions == ("医療ソーシャルワーカー",)
    history = services.issues.get(row.id).history
    assert history[1].changes["status"] == ["抽出", "検討中"] and history[1].note == "協議会の議題にした"
    assert history[2].note == "一次 → 三次：地域全体で話し合う"
    assert history[0].changes["professions"] == [["介護支援専門員"], ["医療ソーシャルワーカー"]]
    with pytest.raises(ValidationError):
        services.issues.move(row.id, status="なし")
    with pytest.raises(NotFoundError):
        services.issues.move("missing", status="検討中")


def test_owner_change_keeps_reason(services, ids) -> None:
    row = services.issues.create(_issue(ids))
    services.issues.update(row.id, _issue(ids, owner="連携拠点 田中"), reason="担当替え")
    entry = services.issues.get(row.id).history[0]
    assert entry.changes["owner"] == ["連携拠点 佐藤", "連携拠点 田中"] and entry.note == "担当替え"


def test_resolve_needs_an_active_response(services, ids) -> None:
    row = services.issues.create(_issue(ids))
    with pytest.raises(ValidationError) as err:
        services.issues.move(row.id, status="解決")
    assert "対応策" in err.value.message
    response = services.issues.add_response(row.id, ResponseInput(
        actor_kind="職能団体", actor_association_id=ids["病院連携室連絡会"], action="退院前カンファレンスの早めの開催",
        state="実施中"))
    assert response.actor == "病院連携室連絡会"
    services.issues.set_response_archived(response.id, True)
    with pytest.raises(ValidationError):
        services.issues.move(row.id, status="解決")
    services.issues.set_response_archived(response.id, False)
    done = services.issues.move(row.id, status="解決")
    assert done.status == "解決" and done.response_count == 1 and done.open_response_count == 1
    services.issues.update_response(response.id, ResponseInput(
        actor_kind="職能団体", actor_association_id=ids["病院連携室連絡会"], action="退院前カンファレンスの早めの開催",
        state="完了", result="退院1週間前の連絡が定着"))
    detail = services.issues.get(row.id)
    assert detail.row.open_response_count == 0
    assert detail.responses[0].state == "完了" and detail.responses[0].result == "退院1週間前の連絡が定着"
    assert any(h.action == "response" for h in detail.history)


def test_response_validation(services, ids) -> None:
    row = services.issues.create(_issue(ids))
    with pytest.raises(ValidationError):
        services.issues.add_response(row.id, ResponseInput(action=""))
    with pytest.raises(ValidationError):
        services.issues.add_response(row.id, ResponseInput(actor_kind="職能団体", action="研修"))
    with pytest.raises(NotFoundError):
        services.issues.add_response("missing", ResponseInput(action="研修"))
    hub = services.issues.add_response(row.id, ResponseInput(action="研修会の企画"))
    assert hub.actor == "連携拠点"


def test_version_conflict(services, ids) -> None:
    row = services.issues.create(_issue(ids))
    services.issues.update(row.id, _issue(ids, description="変更1"), expected_version=row.version)
    with pytest.raises(ConflictError):
        services.issues.update(row.id, _issue(ids, description="変更2"), expected_version=row.version)
    unchanged = services.issues.update(row.id, _issue(ids, description="変更1"))
    assert unchanged.version == 2


def test_archive_keeps_the_issue(services, ids) -> None:
    row = services.issues.create(_issue(ids))
    archived = services.issues.set_archived(row.id, True)
    assert archived.archived
    assert [r.id for r in services.issues.list_rows()] == [row.id]
    assert services.issues.list_rows(include_archived=False) == []
    assert filter_issue_rows(services.issues.list_rows(), IssueFilter()) == []
    assert len(filter_issue_rows(services.issues.list_rows(), IssueFilter(include_archived=True))) == 1
    assert services.issues.counts() == []
    restored = services.issues.set_archived(row.id, False)
    assert not restored.archived
    assert [h.action for h in services.issues.get(row.id).history][:2] == ["restore", "archive"]


def test_feedback(services, ids) -> None:
    row = services.issues.create(_issue(ids))
    other = services.issues.create(_issue(ids, title="医師との壁"))
    rows = services.issues.list_rows()
    assert len(filter_issue_rows(rows, IssueFilter(not_fed_back_only=True))) == 2
    fed = services.issues.record_feedback(row.id, dt.date(2026, 6, 10), "打ち合わせ会で説明")
    assert fed.fed_back_on == dt.date(2026, 6, 10) and fed.fed_back_how == "打ち合わせ会で説明"
    left = filter_issue_rows(services.issues.list_rows(), IssueFilter(not_fed_back_only=True))
    assert [r.id for r in left] == [other.id]
    assert services.issues.get(row.id).history[0].changes["fed_back_on"] == [None, "2026-06-10"]


def test_filters_and_search(services, ids) -> None:
    a = services.issues.create(_issue(ids, title="ケアマネと医師の連携が難しい", raised_on="2026/03/31",
                                      theme_ids=[ids["医療と介護の壁"]]))
    b = services.issues.create(_issue(ids, title="ＩＣＴの導入", raised_on="2026/04/01", municipality_id=ids["otsuchi"],
                                      source_text="", theme_ids=[ids["ICT"]], status="検討中"))
    services.issues.add_response(b.id, ResponseInput(action="タブレットで情報共有を試行", actor_text="OKはまゆいネット"))
    rows = services.issues.list_rows()

    def found(**kw: object) -> list[str]:
        return [r.id for r in filter_issue_rows(rows, IssueFilter(**kw))]

    assert found(text="けあまね") == [a.id]  # katakana found by hiragana
    assert found(text="ict") == [b.id]  # full-width found by half-width lower case
    assert found(text="たぶれっと") == [b.id]  # responses are searched
    assert found(text="介護支援専門員") == [a.id, b.id]  # professions are searched
    assert found(text="ict ケアマネ") == []
    assert found(statuses=frozenset({"検討中"})) == [b.id]
    assert found(municipality_id=ids["otsuchi"]) == [b.id]
    assert found(theme_id=ids["ICT"]) == [b.id]
    assert found(year=2025) == [a.id] and found(year=2026) == [b.id]


def test_counts_by_layer_profession_status(services, ids) -> None:
    services.issues.create(_issue(ids))
    services.issues.create(_issue(ids, title="医師との壁", profession_ids=[ids["介護支援専門員"], ids["医師"]],
                                  layer="二次"))
    services.issues.create(_issue(ids, title="住民の理解", profession_ids=[], layer="三次", status="検討中"))
    counts = {(c.layer, c.profession, c.status): c.count for c in services.issues.counts()}
    assert counts == {("一次", "介護支援専門員", "抽出"): 1, ("二次", "医師", "抽出"): 1,
                      ("二次", "介護支援専門員", "抽出"): 1, ("三次", "", "検討中"): 1}
    layers = [c.layer for c in services.issues.counts()]
    assert layers == sorted(layers, key=["一次", "二次", "三次"].index)


def test_needs_matching_and_plan_event(services, ids) -> None:
    issues = services.issues
    pharm = issues.add_need(NeedInput(association_id=ids["薬剤師会"], text="薬剤師の職能を他職種に理解してもらいたい",
                                      theme_ids=[ids["職種理解"], ids["研修"]]))
    hub = issues.add_need(NeedInput(association_id=None, text="多職種間のコミュニケーションのスキルアップ",
                                    theme_ids=[ids["コミュニケーション"], ids["研修"]]))
    cm = issues.add_need(NeedInput(association_id=ids["介護支援専門員協議会"], text="医療職の役割を知りたい",
                                   theme_ids=[ids["職種理解"], ids["研修"]]))
    issues.add_need(NeedInput(association_id=ids["薬剤師会"], text="薬局の在宅対応を知らせたい",
                              theme_ids=[ids["啓発"]]))
    assert hub.association == "連携拠点"
    matches = issues.suggest_matches()
    first = matches[0]
    assert {n.id for n in first.needs} == {pharm.id, cm.id}
    assert set(first.shared_themes) == {"職種理解", "研修"}
    assert first.suggested_title.startswith("薬剤師会×介護支援専門員協議会 合同研修（")
    assert any({n.id for n in m.needs} == {pharm.id, hub.id, cm.id} and m.shared_themes == ("研修",)
               for m in matches)
    # Needs of the same association never match each other alone.
    assert all(len({n.association for n in m.needs}) >= 2 for m in matches)

    event = issues.plan_event([pharm.id, cm.id], first.suggested_title, "二次連携の研修会")
    assert event.layer == "二次" and set(event.association_ids) == {ids["薬剤師会"], ids["介護支援専門員協議会"]}
    assert [e.id for e in issues.list_planned_events()] == [event.id]
    open_ids = {n.id for n in issues.list_needs()}
    assert pharm.id not in open_ids and cm.id not in open_ids and hub.id in open_ids
    planned = {n.id: n for n in issues.list_needs(include_closed=True)}
    assert planned[pharm.id].status == "計画済" and planned[pharm.id].planned_event_id == event.id
    assert issues.suggest_matches() == []
    with pytest.raises(ValidationError):
        issues.plan_event([pharm.id], "もう一度")
    with pytest.raises(ValidationError):
        issues.plan_event([hub.id], "")


def test_update_need(services, ids) -> None:
    need = services.issues.add_need(NeedInput(association_id=ids["薬剤師会"], text="職能を知ってほしい",
                                              theme_ids=[ids["職種理解"]]))
    changed = services.issues.update_need(need.id, NeedInput(association_id=ids["薬剤師会"], text="職能を知ってほしい",
                                                             theme_ids=[ids["職種理解"], ids["啓発"]]))
    assert changed.themes == ("職種理解", "啓発")
    with pytest.raises(ValidationError):
        services.issues.add_need(NeedInput(text=""))


def test_sample_issues_are_loaded(sample_services) -> None:
    issues = sample_services.issues
    rows = {r.title: r for r in issues.list_rows()}
    assert len(rows) == 25 and all(r.is_sample for r in rows.values())
    rushed = rows["病院からの退院が急で在宅側の準備が整っていない"]
    assert rushed.layer == "二次" and rushed.professions == ("介護支援専門員", "医療ソーシャルワーカー")
    assert rushed.source_association == "介護支援専門員協議会" and rushed.municipality == "釜石市"
    assert rushed.fed_back_on is not None and rushed.response_count == 2
    history = issues.get(rushed.id).history
    assert any(h.changes.get("layer") == ["一次", "二次"] and h.note.startswith("一次 → 二次：") for h in history)
    hospital = rows["病院は、ケアマネ等介護職の役割についてわかっていない"]
    assert hospital.layer == "一次" and hospital.professions == ("医療ソーシャルワーカー",)
    assert rows["医師との壁"].professions == ("医師", "介護支援専門員")
    assert rows["退院後の施設は病院で探してほしい（役割が違う）"].source_association == "病院連携室連絡会"
    assert {r.layer for r in rows.values()} == {"一次", "二次", "三次"}
    assert all(r.response_count for r in rows.values() if r.status == "解決")
    assert any(r.fed_back_on is None for r in rows.values()) and any(r.fed_back_on for r in rows.values())
    needs = issues.list_needs()
    assert {n.text for n in needs} >= {"薬剤師の職能を他職種に理解してもらいたい",
                                       "多職種間のコミュニケーションのスキルアップを図りたい"}
    pair = [m for m in issues.suggest_matches()
            if {n.association for n in m.needs} == {"薬剤師会", "連携拠点"}]
    assert pair and pair[0].shared_themes == ("コミュニケーション",)


def test_load_issues_into_an_older_sample_database(sample_services) -> None:
    from zaitaku_desktop.domain.errors import DomainError

    assert not sample_services.sample.can_load_issues()
    with pytest.raises(DomainError):
        sample_services.sample.load_issues()
    # A sample database made before the issue board: no issues, no marker.
    from zaitaku_desktop.storage import meta_repo

    with sample_services.db.session() as s:
        from sqlalchemy import text

        for table in ("meeting_issue", "association_need_theme", "association_need", "issue_response",
                      "collab_issue_profession",
                      "collab_issue_theme", "collab_issue"):
            s.execute(text(f"DELETE FROM {table}"))
        meta_repo.put(s, "sample_issues_loaded", "")
    assert sample_services.sample.can_load_issues()
    result = sample_services.sample.load_issues()
    assert (result.issues, result.needs) == (25, 5) and result.responses > 20
    assert len(sample_services.issues.list_rows()) == 25
    assert not sample_services.sample.can_load_issues()


def test_form_round_trip(services, ids) -> None:
    from zaitaku_desktop.services.issues import input_from_row, response_input_from

    row = services.issues.create(_issue(ids, next_due="2026/07/01"))
    same = services.issues.update(row.id, input_from_row(row), expected_version=row.version)
    assert same.version == row.version  # nothing changed, nothing recorded
    response = services.issues.add_response(row.id, ResponseInput(actor_kind="協議会", actor_text="推進協議会",
                                                                  action="協議会で議題にする"))
    again = services.issues.update_response(response.id, response_input_from(response))
    assert again == response and again.actor == "推進協議会"
