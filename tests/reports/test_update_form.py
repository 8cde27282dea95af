"""The provider update form (資源情報確認票): one pre-filled page per provider, FAX-back header."""

from __future__ import annotations

import datetime as dt

from pdf_tools import (FORBIDDEN_LINE_STARTS, assert_fonts_embedded, line_starts, page_count, pdf_text,
                       requires_poppler, squeeze)
from zaitaku_desktop import paths
from zaitaku_desktop.domain.vocab import CAPABILITIES, PROCEDURES
from zaitaku_desktop.reports.update_form import UpdateFormData, UpdateFormEntry, write_update_forms
from zaitaku_desktop.services.directory import directory_service

pytestmark = requires_poppler

ISSUED = dt.date(2026, 11, 20)


def test_sample_category_one_page_per_provider(sample_services, tmp_path):
    directory = directory_service(sample_services)
    clinic = directory.find("category", "医科診療所")
    result = directory.update_forms_pdf(tmp_path / "f.pdf", category_ids=[clinic.id], hub_name="チームかまいし",
                                        hub_fax="0193-22-9999", reply_by=dt.date(2026, 12, 4), issued_on=ISSUED,
                                        record_sent=False)
    data = directory.update_form_data(category_ids=[clinic.id])
    assert result.pages == page_count(result.path) == len(data.forms) > 3
    for number, form in enumerate(data.forms, 1):
        page = squeeze(pdf_text(result.path, page=number))
        assert "FAX送信先：0193-22-9999" in page and "チームかまいし宛" in page
        assert "令和8年12月4日（金）までに" in page
        assert squeeze(form.name) + "御中" in page
        assert squeeze(form.phone) in page and squeeze(form.address) in page
        for name, _role, phone in form.key_persons:
            assert squeeze(name) in page
        assert f"{number}/{len(data.forms)}" in page
    assert_fonts_embedded(result.path)
    assert not [c for c in line_starts(pdf_text(result.path, layout=False)) if c in FORBIDDEN_LINE_STARTS]


def test_current_values_sit_beside_blank_corrections(tmp_path):
    form = UpdateFormEntry(resource_id="x", name="しおかぜ訪問看護ステーション", reading="しおかぜほうもんかんごすてーしょん",
                           category="訪問看護ステーション", phone="0193-22-1111", fax="0193-22-2222",
                           capabilities=frozenset({"24時間対応"}), marks={"人工呼吸器": "○", "透析": "×"},
                           key_persons=(("佐藤 典子", "管理者", "090-1111-2222"),), last_confirmed=dt.date(2025, 4, 1))
    out = tmp_path / "one.pdf"
    data = UpdateFormData((form,), CAPABILITIES, PROCEDURES, ISSUED, hub_fax="0193-22-9999")
    with out.open("wb") as f:
        assert write_update_forms(data, f, fonts_dir=paths.fonts_dir()) == 1
    text = pdf_text(out)
    flat = squeeze(text)
    assert "前回の確認日：令和7年4月1日（火）" in flat
    assert "佐藤典子（管理者）直通090-1111-2222" in flat
    assert "□変更なし" in flat and "□○□△□×" in flat
    line = next(l for l in text.splitlines() if "人工呼吸器" in l)
    assert "○" in line.split("人工呼吸器")[1]
    line = next(l for l in text.splitlines() if "24時間対応" in l)
    assert "あり" in line.split("24時間対応")[1]
    assert "1 / 1" not in text


def test_a_provider_with_much_to_show_still_gets_one_page(tmp_path):
    persons = tuple((f"職員{i}", "地域連携室 MSW", f"0193-22-{i:04d}") for i in range(12))
    form = UpdateFormEntry(resource_id="x", name="長い記録の病院" * 4, address="岩手県釜石市" * 12,
                           opening_hours="月〜金 8:30〜17:00（外来受付 8:30〜11:30）、土 8:30〜12:00" * 3,
                           key_persons=persons)
    data = UpdateFormData((form, form), CAPABILITIES, PROCEDURES, ISSUED, hub_fax="0193-22-9999")
    out = tmp_path / "two.pdf"
    with out.open("wb") as f:
        assert write_update_forms(data, f, fonts_dir=paths.fonts_dir()) == 2
    assert page_count(out) == 2
    assert "職員11" in pdf_text(out, page=1)
