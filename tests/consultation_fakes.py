"""Consultation read shapes built by hand, for the writers' unit tests (reports, exports) — no database.

The person concerned is the canary 「カナリア 太郎」: every personal field carries a recognisable part of it, so
a test can assert it appears only where consent and an explicit choice allow."""

from __future__ import annotations

import dataclasses
import datetime as dt

from zaitaku_desktop.services.consultations import (
    ConsentRead, ConsultationDetail, ConsultationRow, ConsultationStats, ContactRead, CrossTable, ReferralRead,
)

CANARY = "カナリア 太郎"
CANARY_READING = "かなりあ たろう"
CANARY_PHONE = "0193-99-1234"
REQUESTER = "ツグミ 花子"
REQUESTER_CONTACT = "090-9999-0000"
QUESTION = "退院後の訪問診療先を探している（長女より）"
RECEIVED = dt.datetime(2026, 11, 20, 14, 30)


def row(**changes) -> ConsultationRow:
    base = ConsultationRow(
        id="c1", case_id="k1", case_no="2026-0042", window="一般向け", received_at=RECEIVED, channel="電話",
        requester_type="家族", requester_name=REQUESTER, category_ids=("cat-1", "cat-3"),
        categories=("退院調整", "かかりつけ医・訪問診療の紹介"), status="紹介済", handled_by="相談員 一郎",
        follow_up_due=dt.date(2026, 11, 27), minutes_spent=25, person_name=CANARY, municipality="釜石市",
        district="東部地区", age_band="85〜94歳", care_level="要介護2", referral_count=1, has_consent=False,
        is_sample=False, updated_at=RECEIVED, version=1)
    return dataclasses.replace(base, **changes)


def referral(**changes) -> ReferralRead:
    base = ReferralRead(id="r1", consultation_id="c1", resource_id="res1", resource_name="かまいし在宅クリニック",
                        resource_category="医科診療所", referred_on=dt.date(2026, 11, 21), how="紹介状",
                        personal_shared=False, outcome="訪問診療を開始", outcome_on=dt.date(2026, 11, 25))
    return dataclasses.replace(base, **changes)


def consent(*, withdrawn_on: dt.date | None = None) -> ConsentRead:
    return ConsentRead(id="cs1", case_id="k1", granted=True, recipients="訪問診療の医療機関", purpose="在宅医療の調整",
                       obtained_on=dt.date(2026, 11, 20), method="口頭", obtained_by="相談員 一郎",
                       withdrawn_on=withdrawn_on)


def detail(*, consents: tuple[ConsentRead, ...] = (), **row_changes) -> ConsultationDetail:
    r = row(has_consent=any(c.active for c in consents), **row_changes)
    contacts = (ContactRead(id="t1", consultation_id="c1", at=RECEIVED, kind="受付", text="長女から電話で相談",
                            by="相談員 一郎"),
                ContactRead(id="t2", consultation_id="c1", at=dt.datetime(2026, 11, 25, 10, 0), kind="紹介先の結果",
                            text="訪問診療の開始を確認", by="相談員 一郎"))
    return ConsultationDetail(row=r, requester_affiliation="", requester_contact=REQUESTER_CONTACT,
                              person_reading=CANARY_READING, person_phone=CANARY_PHONE, question=QUESTION,
                              answer="在宅療養支援診療所を案内した", referrals=(referral(),), contacts=contacts,
                              consents=consents, case_rows=(r,), history=[])


def cross(title: str, rows: tuple[str, ...], cells: tuple[tuple[int, ...], ...]) -> CrossTable:
    return CrossTable(title=title, row_labels=rows, column_labels=("多職種向け", "一般向け"), cells=cells)


def stats(*, empty: bool = False) -> ConsultationStats:
    months = tuple(f"2026年{m}月" for m in range(4, 13)) + tuple(f"2027年{m}月" for m in range(1, 4))
    month_cells = tuple((0, 0) if empty else (3 + i % 4, 2 + i % 3) for i in range(len(months)))
    total = sum(map(sum, month_cells))
    zero = lambda n: tuple((0, 0) for _ in range(n))  # noqa: E731
    return ConsultationStats(
        start=dt.date(2026, 4, 1), end=dt.date(2027, 3, 31), total=total,
        by_month_window=cross("月別・窓口別", months, month_cells),
        by_requester=cross("相談者の区分別", ("本人", "家族", "ケアマネ", "地域包括支援センター"),
                           zero(4) if empty else ((0, 9), (1, 21), (30, 2), (16, 0))),
        by_category=cross("相談の分類別", ("退院調整", "看取り・終末期", "認知症"),
                          zero(3) if empty else ((20, 5), (8, 12), (4, 9))),
        by_channel=cross("受付方法別", ("電話", "来所", "FAX"), zero(3) if empty else ((35, 25), (5, 6), (7, 1))),
        by_status=cross("状況別", ("受付", "対応中", "紹介済", "終了"), zero(4) if empty else ((2, 1), (5, 3), (10, 8), (30, 20))),
        top_referrals=() if empty else (("かまいし在宅クリニック", "医科診療所", 12), ("訪問看護ステーションはまゆり", "訪問看護", 7)),
        average_minutes=None if empty else 23.456,
    )
