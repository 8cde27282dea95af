"""Consultation intake backend: status flow, 今日の対応, consent, duplicates, statistics, promotion to the
issue board, the access log, and that a person's name never leaves where it should not."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from zaitaku_desktop.domain.consultations import ConsentRequiredError, DEFAULT_CATEGORIES, mask_name
from zaitaku_desktop.domain.errors import ConflictError, DomainError, NotFoundError, ValidationError
from zaitaku_desktop.domain.resource import ResourceInput
from zaitaku_desktop.services.consultations import ConsultationInput

D = dt.date
T = dt.datetime
CANARY = "カナリア 太郎"
TODAY = dt.date.today()


@pytest.fixture
def ids(services) -> dict[str, str]:
    out = {c.name: c.id for c in services.consultations.list_categories()}
    mun = services.vocab.ensure_municipality("032115", "釜石市", "かまいしし", [("甲子", "かっし"), ("平田", "へいた")])
    out["釜石市"] = mun.id
    for d in services.vocab.list("district"):
        out[d.name] = d.id
    cats = {c.name: c.id for c in services.vocab.list("category")}
    out["clinic"] = services.resources.create(ResourceInput(
        name="はまなす内科クリニック", reading="はまなすないかくりにっく", category_id=cats["医科診療所"],
        municipality_id=mun.id)).id
    out["station"] = services.resources.create(ResourceInput(
        name="さくら訪問看護ステーション", reading="さくらほうもんかんごすてーしょん",
        category_id=cats["訪問看護ステーション"], municipality_id=mun.id)).id
    return out


def call(ids: dict[str, str], **changes) -> ConsultationInput:
    values: dict = dict(window="一般向け", received_at=T(2026, 11, 2, 10, 0), channel="電話", requester_type="家族",
                        requester_name="潮見 ユミ（架空）", category_ids=[ids["退院調整"]], minutes_spent=15,
                        question="退院後に往診してくれる医師を探している", handled_by="相談員A")
    values.update(changes)
    return ConsultationInput(**values)


def person(ids: dict[str, str], name: str = "釜石 花子", reading: str = "かまいし はなこ", **changes):
    values = dict(person_name=name, person_reading=reading, municipality_id=ids["釜石市"], district_id=ids["甲子"])
    return call(ids, **{**values, **changes})


# --- categories, create, update ---------------------------------------------------------------------------

def test_categories_are_seeded_once_and_edited_like_any_vocabulary(services) -> None:
    names = [c.name for c in services.consultations.list_categories()]
    assert names == [n for n, _ in DEFAULT_CATEGORIES]
    assert services.consultations.ensure_categories_seeded() is False
    added = services.vocab.add("consultation_category", "成年後見", reading="せいねんこうけん")
    services.vocab.update("consultation_category", added.id, "成年後見・権利擁護", reading="せいねんこうけん")
    services.vocab.set_archived("consultation_category", added.id, True)
    assert "成年後見・権利擁護" in [c.name for c in services.vocab.list("consultation_category", include_archived=True)]
    assert "成年後見・権利擁護" not in [c.name for c in services.consultations.list_categories()]
    assert "consultation_category" in services.vocab.all()


def test_create_numbers_the_case_writes_the_first_contact_and_history(services, ids) -> None:
    c = services.consultations
    first = c.create(person(ids, follow_up_due="2026/11/09"))
    second = c.create(call(ids, received_at="2026/11/03 09:00"))
    assert (first.case_no, second.case_no) == ("2026-0001", "2026-0002")
    assert first.received_at == T(2026, 11, 2, 10, 0)
    assert first.person_name == "釜石 花子" and first.district == "甲子" and first.municipality == "釜石市"
    assert first.categories == ("退院調整",) and first.status == "受付" and first.version == 1
    detail = c.get(first.id)
    assert [(x.kind, x.at, x.text) for x in detail.contacts] == [("受付", T(2026, 11, 2, 10, 0), "電話で受付（家族）")]
    assert detail.person_reading == "かまいしはなこ"
    created = detail.history[0]
    assert created.action == "create" and created.changes["status"] == [None, "受付"]
    # The history says a personal field was filled in, never what it said.
    assert "潮見" not in str(created.changes) and "往診" not in str(created.changes)


def test_attaching_to_an_earlier_case_and_updating_person_fields(services, ids) -> None:
    c = services.consultations
    first = c.create(person(ids))
    again = c.create(call(ids, case_id=first.case_id, received_at="2026/11/10 10:00", person_phone="0193-00-1111"))
    assert again.case_id == first.case_id and again.case_no == first.case_no
    assert again.person_name == "釜石 花子"  # kept: the new call did not repeat it
    detail = c.get(again.id)
    assert detail.person_phone == "0193001111"
    assert [r.id for r in detail.case_rows] == [first.id, again.id]
    assert [x.kind for x in detail.contacts] == ["受付", "受付"]

    updated = c.update(again.id, person(ids, name="釜石 はな子", case_id=first.case_id, status="対応中",
                                        received_at="2026/11/10 10:00"), expected_version=again.version)
    assert updated.person_name == "釜石 はな子" and updated.status == "対応中" and updated.version == 2
    assert c.get(first.id).row.person_name == "釜石 はな子"  # person fields live on the case
    with pytest.raises(ConflictError):
        c.update(again.id, person(ids, status="対応中"), expected_version=again.version)
    # The detail fills the form again; saving it unchanged changes nothing.
    form = c.get(again.id).as_input()
    assert (form.district_id, form.person_name, form.person_phone) == (ids["甲子"], "釜石 はな子", "")  # cleared by the edit
    assert form.question == "退院後に往診してくれる医師を探している" and form.status == "対応中"
    assert c.update(again.id, form, expected_version=2).version == 2
    with pytest.raises(NotFoundError):
        c.update("missing", person(ids))


def test_bad_input_is_refused_whole_with_japanese_messages(services, ids) -> None:
    c = services.consultations
    with pytest.raises(ValidationError) as bad:
        c.create(call(ids, received_at=dt.datetime.now() + dt.timedelta(days=3), minutes_spent=601))
    assert "受付日時が先の日付" in bad.value.message and "0〜600分" in bad.value.message
    with pytest.raises(ValidationError) as ref:
        c.create(call(ids, category_ids=["nope"], municipality_id=ids["釜石市"], district_id="elsewhere"))
    assert "相談の分類が一覧にありません" in ref.value.message and "地区が選んだ市町村" in ref.value.message
    assert c.list_rows() == []


# --- status flow and 今日の対応 ------------------------------------------------------------------------------

def test_status_flow_follows_next_statuses(services, ids) -> None:
    c = services.consultations
    row = c.create(call(ids))
    assert c.set_status(row.id, "対応中").status == "対応中"
    assert c.set_status(row.id, "終了").status == "終了"
    with pytest.raises(ValidationError) as bad:
        c.set_status(row.id, "紹介済")
    assert "「終了」から「紹介済」へは変えられません" in bad.value.message
    again = c.set_status(row.id, "対応中")  # reopening is allowed
    assert again.status == "対応中" and again.version == 4
    with pytest.raises(ValidationError):
        c.update(row.id, call(ids, status="受付"))  # 対応中 → 受付 is not a move
    moves = [h.changes["status"] for h in c.get(row.id).history if h.action == "status"]
    assert moves == [["終了", "対応中"], ["対応中", "終了"], ["受付", "対応中"]]


def test_due_lists_open_follow_ups_most_overdue_first(services, ids) -> None:
    c = services.consultations
    late = c.create(call(ids, follow_up_due="2026/11/05"))
    today = c.create(call(ids, follow_up_due="2026/11/12"))
    c.create(call(ids, follow_up_due="2026/11/13"))  # tomorrow
    c.create(call(ids))  # no follow-up
    done = c.create(call(ids, follow_up_due="2026/11/04"))
    c.set_status(done.id, "終了")
    hidden = c.create(call(ids, follow_up_due="2026/11/03"))
    c.set_archived(hidden.id, True)
    assert [r.id for r in c.due(D(2026, 11, 12))] == [late.id, today.id]
    c.set_status(late.id, "継続")
    assert [r.id for r in c.due(D(2026, 11, 12))] == [late.id, today.id]  # 継続 is still open


def test_list_rows_by_period_newest_first_and_archiving(services, ids) -> None:
    c = services.consultations
    a = c.create(call(ids, received_at="2026/10/31 23:30"))  # local time: still October
    b = c.create(call(ids, received_at="2026/11/01 00:10"))
    d = c.create(call(ids, received_at="2026/11/20 15:00"))
    assert [r.id for r in c.list_rows()] == [d.id, b.id, a.id]
    assert [r.id for r in c.list_rows(start=D(2026, 11, 1), end=D(2026, 11, 30))] == [d.id, b.id]
    assert [r.id for r in c.list_rows(end=D(2026, 10, 31))] == [a.id]
    c.set_archived(b.id, True)
    assert b.id not in [r.id for r in c.list_rows()]
    assert b.id in [r.id for r in c.list_rows(include_archived=True)]


# --- referrals and consent ----------------------------------------------------------------------------------

def test_referral_moves_status_and_writes_the_record(services, ids) -> None:
    c = services.consultations
    row = c.create(person(ids))
    referral = c.add_referral(row.id, ids["clinic"], "2026/11/03", "電話", share_personal=False)
    assert referral.resource_name == "はまなす内科クリニック" and referral.resource_category == "医科診療所"
    assert not referral.personal_shared
    listed = c.list_rows()[0]
    assert listed.status == "紹介済" and listed.referral_count == 1
    result = c.set_referral_outcome(referral.id, "受け入れ可、来週から訪問開始", "2026/11/06")
    assert result.outcome_on == D(2026, 11, 6)
    detail = c.get(row.id)
    assert [x.kind for x in detail.contacts] == ["受付", "紹介", "紹介先の結果"]
    assert detail.contacts[1].text == "はまなす内科クリニックへ電話で紹介"
    assert detail.contacts[2].text == "はまなす内科クリニック：受け入れ可、来週から訪問開始"
    with pytest.raises(ValidationError):
        c.add_referral(row.id, ids["clinic"], "2026/11/03", "伝書鳩", share_personal=False)
    with pytest.raises(NotFoundError):
        c.add_referral(row.id, "missing", "2026/11/03", "電話", share_personal=False)


def test_contacts_build_the_case_record_in_time_order(services, ids) -> None:
    c = services.consultations
    first = c.create(person(ids))
    again = c.create(call(ids, case_id=first.case_id, received_at="2026/11/04 09:00"))
    entry = c.add_contact(first.id, "2026/11/03 16:20", "折り返し", "  家族へ折り返し、受診日を確認  ")
    assert (entry.at, entry.kind, entry.text, entry.by) == (T(2026, 11, 3, 16, 20), "折り返し", "家族へ折り返し、受診日を確認",
                                                           "tester")
    record = c.get(again.id).contacts  # the whole case, oldest first
    assert [(x.consultation_id, x.kind) for x in record] == [(first.id, "受付"), (first.id, "折り返し"),
                                                             (again.id, "受付")]
    with pytest.raises(ValidationError) as bad:
        c.add_contact(first.id, "あした", "雑談", "")
    assert "記録の種類は" in bad.value.message and "日時を「2026/11/20 14:30」" in bad.value.message
    with pytest.raises(NotFoundError):
        c.add_contact("missing", None, "その他", "")


def test_no_personal_data_leaves_without_consent_and_withdrawal_stops_it(services, ids) -> None:
    c = services.consultations
    row = c.create(person(ids))
    assert c.shareable(row.id) is False
    with pytest.raises(ConsentRequiredError) as refused:
        c.add_referral(row.id, ids["clinic"], "2026/11/03", "電話", share_personal=True)
    assert refused.value.message.startswith("本人の同意が記録されていません。")
    assert c.list_rows()[0].referral_count == 0 and c.list_rows()[0].status == "受付"  # nothing was written

    consent = c.record_consent(row.case_id, granted=True, recipients="紹介先の医療機関", purpose="訪問診療の調整",
                               obtained_on="2026/11/03", method="口頭")
    assert consent.active and c.active_consent(row.case_id) == consent
    assert c.shareable(row.id) and c.list_rows()[0].has_consent
    shared = c.add_referral(row.id, ids["clinic"], "2026/11/03", "紹介状", share_personal=True)
    assert shared.personal_shared

    withdrawn = c.withdraw_consent(consent.id, "2026/11/10")
    assert withdrawn.withdrawn_on == D(2026, 11, 10) and not withdrawn.active
    assert c.active_consent(row.case_id) is None and c.shareable(row.id) is False
    assert not c.list_rows()[0].has_consent
    with pytest.raises(ConsentRequiredError):
        c.add_referral(row.id, ids["station"], "2026/11/11", "電話", share_personal=True)
    with pytest.raises(ValidationError):
        c.withdraw_consent(consent.id, "2026/11/11")  # already withdrawn

    refusal = c.record_consent(row.case_id, granted=False, recipients="", purpose="", obtained_on="2026/11/12",
                               method="電話")
    assert not refusal.active and c.shareable(row.id) is False
    c.record_consent(row.case_id, granted=True, recipients="訪問看護", purpose="調整", obtained_on="2026/11/13",
                     method="書面")
    assert c.shareable(row.id)  # the newest decision counts
    assert [a.detail for a in c.access_log() if a.action == "consent"] == ["同意あり", "同意なし", "撤回", "同意あり"]


def test_consent_input_is_checked(services, ids) -> None:
    c = services.consultations
    row = c.create(person(ids))
    with pytest.raises(ValidationError) as bad:
        c.record_consent(row.case_id, granted=True, recipients="", purpose="", obtained_on="", method="念力")
    assert "同意の取り方" in bad.value.message and "同意を得た日" in bad.value.message and "提供先" in bad.value.message
    with pytest.raises(NotFoundError):
        c.record_consent("missing", granted=True, recipients="x", purpose="", obtained_on="2026/11/03", method="口頭")


# --- duplicates ------------------------------------------------------------------------------------------------

def test_duplicates_by_reading_and_area_or_phone(services, ids) -> None:
    c = services.consultations
    first = c.create(person(ids, person_phone="0193-00-1234"))
    c.create(call(ids, case_id=first.case_id, received_at="2026/11/05 10:00"))
    elsewhere = c.create(person(ids, district_id=ids["平田"]))
    found = c.find_duplicates(person_reading="カマイシ　ハナコ", municipality_id=ids["釜石市"], district_id=ids["甲子"])
    assert [(d.case_id, d.reason, d.consultation_count) for d in found] == [(first.case_id, "読み・地区が同じ", 2)]
    assert found[0].masked_name == mask_name("釜石 花子") and found[0].last_received == T(2026, 11, 5, 10, 0)
    # Only the municipality known: both 地区 of the city match.
    by_city = c.find_duplicates(person_reading="かまいしはなこ", municipality_id=ids["釜石市"])
    assert {d.case_id for d in by_city} == {first.case_id, elsewhere.case_id}
    assert by_city[0].reason == "読み・市町村が同じ"
    # The same phone anywhere, typed another way.
    by_phone = c.find_duplicates(person_reading="べつじん", phone="０１９３（００）１２３４")
    assert [(d.case_id, d.reason) for d in by_phone] == [(first.case_id, "電話番号が同じ")]
    # Same reading and phone, typed for another 地区: only the phone matches.
    moved = c.find_duplicates(person_reading="かまいしはなこ", phone="0193001234", district_id=ids["平田"],
                              municipality_id=ids["釜石市"])
    assert {(d.case_id, d.reason) for d in moved} == {(first.case_id, "電話番号が同じ"),
                                                      (elsewhere.case_id, "読み・地区が同じ")}
    # A name without a reading is compared by its folded name; the case being edited is left out.
    assert [d.case_id for d in c.find_duplicates(person_name="釜石　花子", district_id=ids["甲子"],
                                                 municipality_id=ids["釜石市"])] == [first.case_id]
    assert c.find_duplicates(person_reading="かまいしはなこ", district_id=ids["甲子"], municipality_id=ids["釜石市"],
                             exclude_case_id=first.case_id) == []
    assert c.find_duplicates(person_reading="しおみたけ", district_id=ids["甲子"], municipality_id=ids["釜石市"]) == []
    assert c.find_duplicates() == []


# --- statistics ---------------------------------------------------------------------------------------------

def test_statistics_match_a_hand_count(services, ids) -> None:
    c = services.consultations
    home, dis, dent = ids["在宅医療の開始"], ids["退院調整"], ids["歯科・口腔"]
    plan = [  # received (local), window, requester, channel, categories, minutes, status
        ("2026/04/01 08:00", "一般向け", "家族", "電話", [home], 10, "終了"),
        ("2026/04/30 23:59", "多職種向け", "ケアマネ", "FAX", [dis, home], 20, "対応中"),
        ("2026/05/01 00:00", "多職種向け", "ケアマネ", "電話", [dis], None, "受付"),
        ("2026/05/15 12:00", "多職種向け", "病院MSW/連携室", "電話", [dis], 30, "継続"),
        ("2026/06/30 18:00", "一般向け", "本人", "来所", [dent], 60, "終了"),
        ("2026/03/31 23:00", "一般向け", "本人", "来所", [dent], 5, "終了"),  # before the period
        ("2026/07/01 00:00", "一般向け", "本人", "来所", [dent], 5, "終了"),  # after it
    ]
    made = []
    for received, window, requester, channel, cats, minutes, status in plan:
        row = c.create(call(ids, received_at=received, window=window, requester_type=requester, channel=channel,
                            category_ids=cats, minutes_spent=minutes))
        if status != "受付":
            row = c.set_status(row.id, status) if status in ("対応中", "終了", "継続") else row
        made.append(row)
    archived = c.create(call(ids, received_at="2026/05/20 10:00"))
    c.set_archived(archived.id, True)
    c.add_referral(made[1].id, ids["clinic"], "2026/05/01", "電話", share_personal=False)
    c.add_referral(made[3].id, ids["clinic"], "2026/05/16", "電話", share_personal=False)
    c.add_referral(made[3].id, ids["station"], "2026/05/16", "FAX", share_personal=False)

    stats = c.stats(D(2026, 4, 1), D(2026, 6, 30))
    assert stats.total == 5
    assert stats.by_month_window.row_labels == ("2026年4月", "2026年5月", "2026年6月")
    assert stats.by_month_window.column_labels == ("多職種向け", "一般向け")
    assert stats.by_month_window.cells == ((1, 1), (2, 0), (0, 1))
    requester = dict(zip(stats.by_requester.row_labels, stats.by_requester.cells))
    assert requester["ケアマネ"] == (2, 0) and requester["家族"] == (0, 1) and requester["本人"] == (0, 1)
    assert requester["病院MSW/連携室"] == (1, 0) and requester["薬局"] == (0, 0)
    category = dict(zip(stats.by_category.row_labels, stats.by_category.cells))
    assert category["退院調整"] == (3, 0) and category["在宅医療の開始"] == (1, 1) and category["歯科・口腔"] == (0, 1)
    assert len(stats.by_category.row_labels) == len(DEFAULT_CATEGORIES)
    channel = dict(zip(stats.by_channel.row_labels, stats.by_channel.cells))
    assert channel == {"電話": (2, 1), "来所": (0, 1), "FAX": (1, 0), "メール": (0, 0), "訪問": (0, 0), "その他": (0, 0)}
    status = dict(zip(stats.by_status.row_labels, stats.by_status.cells))
    # The referrals moved 対応中 and 継続? No: only 受付/対応中 move to 紹介済 (made[1] was 対応中).
    assert status == {"受付": (1, 0), "対応中": (0, 0), "紹介済": (1, 0), "終了": (0, 2), "継続": (1, 0)}
    assert stats.top_referrals == (("はまなす内科クリニック", "医科診療所", 2),
                                   ("さくら訪問看護ステーション", "訪問看護ステーション", 1))
    assert stats.average_minutes == round((10 + 20 + 30 + 60) / 4, 1)
    empty = c.stats(D(2025, 1, 1), D(2025, 1, 31))
    assert empty.total == 0 and empty.average_minutes is None and empty.by_month_window.cells == ((0, 0),)
    with pytest.raises(ValidationError):
        c.stats(D(2026, 5, 1), D(2026, 4, 1))


# --- promotion to the issue board ------------------------------------------------------------------------

@pytest.mark.sqlite_only  # reads or changes the SQLite file directly (PostgreSQL: tests/storage/test_postgres.py)
def test_recurring_theme_is_promoted_without_personal_data(services, ids) -> None:
    c = services.consultations
    rows = [c.create(person(ids, name=CANARY, reading="かなりあ たろう", question=f"{CANARY}さんの退院について{i}",
                            answer="主治医と調整", received_at=f"2026/10/{i + 1:02d} 10:00",
                            requester_name=CANARY, requester_contact="0193-00-9999"))
            for i in range(5)]
    c.create(call(ids, received_at="2026/09/30 10:00"))  # another quarter
    c.create(call(ids, received_at="2026/10/20 10:00", category_ids=[ids["認知症"]]))
    candidates = c.promote_candidates(D(2026, 4, 1), D(2027, 3, 31), min_count=5)
    assert [(p.category, p.quarter, len(p.consultation_ids)) for p in candidates] == [
        ("退院調整", "2026年度第3四半期", 5)]
    assert candidates[0].start == D(2026, 10, 1) and candidates[0].end == D(2026, 12, 31)
    assert set(candidates[0].consultation_ids) == {r.id for r in rows}

    prof = services.vocab.list("profession")[0]
    issue_id = c.promote_to_issue(list(candidates[0].consultation_ids), title="退院調整の相談が続いている",
                                  layer="二次", profession_ids=[prof.id])
    issue = services.issues.get(issue_id)
    assert issue.row.source_text == "相談受付（退院調整・5件、2026年度第3四半期）"
    assert issue.row.layer == "二次" and issue.row.status == "抽出" and issue.row.professions == (prof.name,)
    assert issue.row.themes == ("退院調整",)
    assert "5件" in issue.row.description
    text = repr(issue)  # every field of the issue, its history included
    for secret in ("カナリア", "かなりあ", "主治医と調整", "0193-00-9999", "退院について"):
        assert secret not in text
    with sqlite3.connect(services.db.path) as raw:
        linked = {r[0] for r in raw.execute("SELECT consultation_id FROM issue_consultation WHERE issue_id = ?",
                                            (issue_id,))}
    assert linked == {r.id for r in rows}
    # Promoted consultations are no longer offered.
    assert c.promote_candidates(D(2026, 4, 1), D(2027, 3, 31), min_count=5) == []
    with pytest.raises(ValidationError):
        c.promote_to_issue([], title="x", layer="二次", profession_ids=[])
    with pytest.raises(ValidationError):
        c.promote_to_issue([rows[0].id], title="", layer="四次", profession_ids=[])


# --- the access log -----------------------------------------------------------------------------------------

@pytest.mark.sqlite_only  # reads or changes the SQLite file directly (PostgreSQL: tests/storage/test_postgres.py)
def test_views_and_reveals_are_logged_and_the_log_cannot_be_changed(services, ids) -> None:
    c = services.consultations
    named = c.create(person(ids))
    anonymous = c.create(call(ids, requester_name="", requester_type="ケアマネ"))
    c.get(anonymous.id)
    assert c.access_log() == []  # nothing personal was shown
    c.get(named.id)
    c.reveal_names(12)
    c.log_access("print", "consultation", named.id, "相談受付票")
    log = c.access_log()
    assert [(a.action, a.entity, a.entity_id, a.detail) for a in log] == [
        ("print", "consultation", named.id, "相談受付票"), ("reveal", "consultation", "", "12件"),
        ("view", "consultation_case", named.case_id, named.case_no)]
    assert all(a.user == "tester" for a in log)
    assert abs(log[0].at - dt.datetime.now()) < dt.timedelta(hours=10)  # local wall clock, naive
    assert c.access_log(start=TODAY + dt.timedelta(days=2)) == []
    with pytest.raises(DomainError):
        c.log_access("delete", "consultation", named.id)
    with sqlite3.connect(services.db.path) as raw:
        for sql in ("UPDATE audit_log SET detail = 'x'", "DELETE FROM audit_log"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                raw.execute(sql)
    assert len(c.access_log()) == 3


def test_the_canary_name_never_reaches_the_log_files_or_the_access_log(services, ids, tmp_path: Path) -> None:
    """Configure logging as the app does (a file in paths.log_dir()), exercise every reading path and a few
    failures, then look for the canary everywhere it must not be."""
    from zaitaku_desktop import app, paths

    root = logging.getLogger()
    before = list(root.handlers)
    app.setup_logging()
    added = [h for h in root.handlers if h not in before]
    try:
        c = services.consultations
        row = c.create(person(ids, name=CANARY, reading="かなりあ たろう", question=f"{CANARY}の相談",
                              requester_name=CANARY, person_phone="0193-00-7777"))
        for fn in (lambda: c.get(row.id), c.list_rows, lambda: c.due(TODAY),
                   lambda: c.stats(D(2026, 4, 1), D(2027, 3, 31)),
                   lambda: c.find_duplicates(person_name=CANARY, phone="0193-00-7777"),
                   lambda: c.promote_to_issue([row.id], title="退院調整", layer="二次", profession_ids=[]),
                   lambda: c.reveal_names(1)):
            fn()
        for bad in (lambda: c.add_referral(row.id, ids["clinic"], None, "電話", share_personal=True),
                    lambda: c.create(person(ids, name=CANARY * 30, person_phone=CANARY)),
                    lambda: c.set_status(row.id, "保留")):
            with pytest.raises(DomainError) as failure:
                bad()
            assert "カナリア" not in str(failure.value)
            # What the app's crash handler would write: the message and the traceback.
            logging.getLogger("zaitaku_desktop").error("expected failure in a test: %s", failure.value,
                                                       exc_info=(failure.type, failure.value, failure.tb))
    finally:
        for handler in added:
            handler.flush()
            handler.close()
            root.removeHandler(handler)
    logs = list(paths.log_dir().glob("*.log*"))
    assert logs and "expected failure" in logs[0].read_text(encoding="utf-8")
    for log_file in logs:
        assert "カナリア" not in log_file.read_text(encoding="utf-8")
    assert all("カナリア" not in a.detail for a in c.access_log())
    assert all("カナリア" not in str(h.changes) + h.note for h in c.get(row.id).history)


# --- the sample region ------------------------------------------------------------------------------------

@pytest.mark.sqlite_only  # reads or changes the SQLite file directly (PostgreSQL: tests/storage/test_postgres.py)
def test_sample_consultations(sample_services) -> None:
    c = sample_services.consultations
    rows = c.list_rows()
    assert 140 <= len(rows) <= 170 and all(r.is_sample for r in rows)
    assert {r.window for r in rows} == {"多職種向け", "一般向け"}
    assert set(Counter(x for r in rows for x in r.categories)) == {n for n, _ in DEFAULT_CATEGORIES}
    assert min(r.received_at.date() for r in rows) >= TODAY - dt.timedelta(days=366)
    assert c.due(TODAY), "今日の対応 must not be empty on a freshly loaded sample"
    assert sum(r.referral_count for r in rows) > 20
    assert any(r.has_consent for r in rows) and any(r.person_name and not r.has_consent for r in rows)
    assert all("（架空）" in r.person_name for r in rows if r.person_name)
    assert len({r.case_id for r in rows}) < len(rows)  # some people called again
    assert c.promote_candidates(TODAY - dt.timedelta(days=365), TODAY)
    with sqlite3.connect(sample_services.db.path) as raw:
        withdrawn = raw.execute("SELECT count(*) FROM consultation_consent WHERE withdrawn_on IS NOT NULL").fetchone()
    assert withdrawn[0] > 0
    stats = c.stats(TODAY - dt.timedelta(days=365), TODAY)
    assert stats.total == len(rows) and stats.top_referrals


def test_sample_is_the_same_for_the_same_day(services) -> None:
    from zaitaku_desktop.services.consultation_sample import generate

    data = services.consultations.read_sample()
    cats = {c.name: c.id for c in services.consultations.list_categories()}
    one = generate(data, today=D(2026, 11, 20), categories=cats, areas=[], resources={})
    two = generate(data, today=D(2026, 11, 20), categories=cats, areas=[], resources={})
    assert [(e.input.received_at, e.input.person_name, e.input.status) for e in one] == \
        [(e.input.received_at, e.input.person_name, e.input.status) for e in two]
