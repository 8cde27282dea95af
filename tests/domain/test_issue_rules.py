"""Issue, response and need validation; the folded search text."""

from __future__ import annotations

import datetime as dt

from zaitaku_desktop.domain.issues import (
    IssueInput, NeedInput, ResponseInput, issue_search_text, layer_move_note, validate_issue, validate_need,
    validate_response,
)
from zaitaku_desktop.domain.resource import matches, search_terms


def _messages(issues) -> list[str]:
    return [i.message for i in issues if i.is_error]


def test_valid_issue_is_cleaned() -> None:
    clean, issues = validate_issue(IssueInput(
        title="  医師との壁 ", raised_on="令和7年5月21日", next_due="2025/11/20", profession_ids=["a", "b", "a"],
        theme_ids=["t"], source_association_id=" ", fed_back_on="R7.6.18", fed_back_how="打ち合わせ会で説明"))
    assert clean is not None and issues == []
    assert clean.title == "医師との壁"
    assert clean.raised_on == dt.date(2025, 5, 21) and clean.next_due == dt.date(2025, 11, 20)
    assert clean.fed_back_on == dt.date(2025, 6, 18)
    assert clean.profession_ids == ["a", "b"] and clean.source_association_id is None


def test_title_is_required_and_limited() -> None:
    clean, issues = validate_issue(IssueInput(title="   "))
    assert clean is None and _messages(issues) == ["課題の見出しを入力してください"]
    clean, issues = validate_issue(IssueInput(title="あ" * 201))
    assert clean is None and "200文字以内" in _messages(issues)[0] and "現在201文字" in _messages(issues)[0]
    assert validate_issue(IssueInput(title="あ" * 200))[0] is not None


def test_unknown_vocabularies_and_bad_dates() -> None:
    clean, issues = validate_issue(IssueInput(title="x", layer="四次", status="完了", priority="最高",
                                              raised_on="きのう", profession_ids="医師"))  # type: ignore[arg-type]
    assert clean is None
    fields = {i.field for i in issues}
    assert fields == {"layer", "status", "priority", "raised_on", "profession_ids"}
    assert any("階層「四次」" in m for m in _messages(issues))
    assert any("抽出日" in m and "読み取れません" in m for m in _messages(issues))


def test_feedback_method_needs_a_date() -> None:
    clean, issues = validate_issue(IssueInput(title="x", fed_back_how="メール"))
    assert clean is None and issues[0].field == "fed_back_on"
    clean, issues = validate_issue(IssueInput(title="x", raised_on="2025-06-01", fed_back_on="2025-05-01"))
    assert clean is not None and issues[0].severity == "warning"


def test_response_rules() -> None:
    clean, issues = validate_response(ResponseInput(action=""))
    assert clean is None and _messages(issues) == ["対応策の内容を入力してください"]
    clean, issues = validate_response(ResponseInput(actor_kind="職能団体", action="研修"))
    assert clean is None and issues[0].field == "actor_association_id"
    clean, issues = validate_response(ResponseInput(actor_kind="職能団体", actor_text="薬剤師会", action="研修 "))
    assert clean is not None and clean.action == "研修"
    clean, issues = validate_response(ResponseInput(action="x", state="済", actor_kind="国"))
    assert clean is None and {i.field for i in issues} == {"state", "actor_kind"}


def test_need_rules() -> None:
    clean, issues = validate_need(NeedInput(text=""))
    assert clean is None
    clean, issues = validate_need(NeedInput(text="職能を知ってほしい"))
    assert clean is not None and issues[0].severity == "warning"
    clean, issues = validate_need(NeedInput(text="x", theme_ids=["t1", "t1", "t2"]))
    assert clean is not None and clean.theme_ids == ["t1", "t2"] and issues == []


def test_search_text_folds_kana_and_width() -> None:
    text = issue_search_text(title="ケアマネと医師", description="ＩＣＴの活用", responses=[("チャット", "好評")],
                             professions=["介護支援専門員"], themes=["情報共有"])
    for query in ("けあまね", "ict", "ＩＣＴ", "ちゃっと", "好評", "介護支援", "情報共有", "ｹｱﾏﾈ 医師"):
        assert matches(text, search_terms(query)), query
    assert not matches(text, search_terms("薬剤師"))


def test_layer_move_note() -> None:
    assert layer_move_note("一次", "二次", " 病院側の課題でもある ") == "一次 → 二次：病院側の課題でもある"
    assert layer_move_note("二次", "三次", "") == "二次 → 三次"
