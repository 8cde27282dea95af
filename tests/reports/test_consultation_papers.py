"""The consultation papers (相談受付票, 紹介状, statistics sheet) from hand-built read shapes, read back with
poppler: personal fields appear only when the caller passes include_personal (an active consent)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from consultation_fakes import CANARY, CANARY_PHONE, CANARY_READING, REQUESTER, REQUESTER_CONTACT, consent, detail, stats
from pdf_tools import assert_fonts_embedded, assert_in_order, page_count, page_size, pdf_text, requires_poppler, squeeze
from zaitaku_desktop import paths
from zaitaku_desktop.reports.consultation_papers import (WITHHELD, write_intake_sheet, write_monthly_stats,
                                                         write_referral_note)

pytestmark = requires_poppler
FONTS = paths.fonts_dir()
PERSONAL = (CANARY, CANARY_READING, CANARY_PHONE, REQUESTER, REQUESTER_CONTACT)


def _flat(path: Path) -> str:
    return squeeze(pdf_text(path))


def _assert_no_personal(text: str) -> None:
    for value in PERSONAL:
        assert squeeze(value) not in text, value
    assert "カナリア" not in text and "かなりあ" not in text


def test_intake_sheet_with_consent_prints_the_person(tmp_path: Path):
    out = tmp_path / "intake.pdf"
    pages = write_intake_sheet(detail(consents=(consent(),)), out, include_personal=True, fonts_dir=FONTS)
    text = _flat(out)
    assert pages == page_count(out) == 1
    for value in PERSONAL:
        assert squeeze(value) in text, value
    assert WITHHELD not in text
    assert_in_order(pdf_text(out), ["相談受付票", "相談番号 2026-0042", "令和8年11月20日（金） 14:30", "一般向け", "電話",
                                    "相談者", "家族", "ご本人", "要介護2", "あり（令和8年11月20日・口頭）",
                                    "退院調整・かかりつけ医・訪問診療の紹介", "退院後の訪問診療先を探している",
                                    "在宅療養支援診療所を案内した", "紹介先（1 件）", "かまいし在宅クリニック",
                                    "経過（2 件）", "長女から電話で相談", "訪問診療の開始を確認"])
    assert page_size(out) == pytest.approx((595.28, 841.89), abs=0.5)  # A4 portrait
    assert_fonts_embedded(out)


@pytest.mark.parametrize("consents", [(), (consent(withdrawn_on=dt.date(2026, 11, 22)),)], ids=["none", "withdrawn"])
def test_intake_sheet_without_consent_leaves_the_person_out(tmp_path: Path, consents):
    out = tmp_path / "intake.pdf"
    write_intake_sheet(detail(consents=consents), out, include_personal=False, fonts_dir=FONTS)
    text = _flat(out)
    _assert_no_personal(text)
    assert text.count(squeeze(WITHHELD)) == 5  # requester name and contact, the person's name, reading, phone
    assert "85〜94歳" in text and "要介護2" in text  # what is not identifying stays
    assert ("撤回（令和8年11月22日）" if consents else "記録なし") in text
    assert "有効な同意の記録がないため" in text


def test_referral_note_honours_consent(tmp_path: Path):
    d = detail(consents=(consent(),))
    shared, withheld = tmp_path / "shared.pdf", tmp_path / "withheld.pdf"
    write_referral_note(d, d.referrals[0], shared, include_personal=True, fonts_dir=FONTS, sender="釜石市 在宅医療・介護連携 相談窓口")
    write_referral_note(d, d.referrals[0], withheld, include_personal=False, fonts_dir=FONTS, date_style="seireki")
    text = pdf_text(shared)
    assert_in_order(text, ["令和8年11月21日", "かまいし在宅クリニック 御中", "釜石市 在宅医療・介護連携 相談窓口（一般向け）",
                           "紹介状", "退院調整・かかりつけ医・訪問診療の紹介", "紹介状", CANARY, CANARY_PHONE,
                           "退院後の訪問診療先を探している", "以上"])
    assert page_count(shared) == 1
    flat = _flat(withheld)
    _assert_no_personal(flat)
    assert "2026/11/21" in flat and "かまいし在宅クリニック御中" in flat
    assert "退院後の訪問診療先" not in flat  # what was asked is health information: only with consent
    assert squeeze(WITHHELD) in flat and "同意をいただいていないため" in flat
    assert_fonts_embedded(withheld)


def test_monthly_stats_fit_one_a4_sheet(tmp_path: Path):
    out = tmp_path / "stats.pdf"
    assert write_monthly_stats(stats(), out, fonts_dir=FONTS, issued_on=dt.date(2026, 11, 22)) == 1
    assert page_count(out) == 1 and page_size(out) == pytest.approx((595.28, 841.89), abs=0.5)
    text = pdf_text(out)
    assert_in_order(text, ["相談支援の実績（統計）", "令和8年4月1日〜令和9年3月31日", "90 件（多職種向け 54 件・一般向け 36 件）",
                           "23.5 分", "月別・窓口別", "2026年4月", "2027年3月", "計"])
    flat = squeeze(text)
    assert "計543690" in flat  # the month table's total line: 54 + 36 = 90
    assert "ケアマネ30232" in flat and "退院調整20525" in flat
    assert "1かまいし在宅クリニック医科診療所12" in flat
    assert "作成日令和8年11月22日（日）" in flat
    assert_fonts_embedded(out)


def test_monthly_stats_of_an_empty_period(tmp_path: Path):
    out = tmp_path / "empty.pdf"
    write_monthly_stats(stats(empty=True), out, fonts_dir=FONTS)
    flat = _flat(out)
    assert "0件（多職種向け0件・一般向け0件）" in flat and "この期間の相談はありません。" in flat
    assert "記録なし" in flat  # no average without recorded times


def test_a_stream_gets_the_same_pdf(tmp_path: Path):
    out = tmp_path / "stream.pdf"
    with open(out, "wb") as handle:
        write_intake_sheet(detail(), handle, include_personal=False, fonts_dir=FONTS)
    assert "相談受付票" in _flat(out)
