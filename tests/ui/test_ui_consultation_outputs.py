"""The consultation outputs from the GUI: papers honour consent, the case list is anonymous unless the user ticks
「氏名を含めますか？」, and every output carrying personal data — and only those — leaves one access-log entry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPushButton

from pdf_tools import pdf_text, requires_poppler, squeeze
from ui_helpers import click_checkbox, replace_text

from zaitaku_desktop.services.consultations import ConsultationInput
from zaitaku_desktop.ui.consultations import outputs

CANARY = "カナリア 太郎"
REQUESTER = "ツグミ 花子"
PERSONAL_ACTIONS = ("print", "export")


@pytest.fixture
def case(ctx):
    """A consultation about the canary, received in November 2026, referred to a provider (no consent yet)."""
    service = ctx.services.consultations
    service.ensure_categories_seeded()
    category = next(c for c in service.list_categories() if c.name == "退院調整")
    row = service.create(ConsultationInput(
        window="一般向け", received_at="2026/11/20 14:30", channel="電話", requester_type="家族",
        requester_name=REQUESTER, requester_contact="090-9999-0000", person_name=CANARY,
        person_reading="かなりあ たろう", person_phone="0193-99-1234", age_band="85〜94歳",
        category_ids=[category.id], question="退院後の訪問診療先を探している", answer="診療所を案内", minutes_spent=20,
        handled_by="相談員"))
    resource = ctx.services.resources.list_rows()[0]
    referral = service.add_referral(row.id, resource.id, "2026/11/21", "紹介状", share_personal=False)
    return row, referral, resource


@pytest.fixture(autouse=True)
def personal_warning(qtbot, dialogs):
    """The personal-data warning before a file with personal data, answered with そのまま保存 (the encrypted ZIP
    is tested in test_ui_personal_export.py)."""
    from zaitaku_desktop.ui.personal_export import PersonalExportDialog

    def plain(dialog) -> None:
        click_checkbox(qtbot, dialog.plain)  # the radio button's indicator
        qtbot.mouseClick(dialog.findChild(QPushButton, "personalOk"), Qt.MouseButton.LeftButton)
    return dialogs.drive(PersonalExportDialog, plain)


@pytest.fixture
def save_as(monkeypatch, tmp_path: Path):
    """The file dialog answers with a file in tmp_path (or cancels with None); records the suggested names."""
    asked: list[str] = []
    answer: dict[str, str | None] = {"name": "out"}

    def fake(_parent, _title, suggested, _filter):
        asked.append(Path(suggested).name)
        name = answer["name"]
        return (str(tmp_path / name), "") if name else ("", "")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))

    class SaveAs:
        suggested = asked

        @staticmethod
        def answer_with(name: str | None) -> Path | None:
            answer["name"] = name
            return tmp_path / name if name else None

    return SaveAs


def _personal_log(ctx) -> list:
    return [a for a in ctx.services.consultations.access_log() if a.action in PERSONAL_ACTIONS]


def _consent(ctx, row) -> str:
    consent = ctx.services.consultations.record_consent(
        row.case_id, granted=True, recipients="紹介先の医療機関", purpose="在宅医療の調整", obtained_on="2026/11/20",
        method="口頭")
    return consent.id


@requires_poppler
def test_intake_without_consent_leaves_the_person_out_and_logs_no_print(ctx, case, save_as):
    row, _, _ = case
    out = save_as.answer_with("intake.pdf")
    outputs.print_intake(ctx, None, row.id)
    assert save_as.suggested == [f"相談受付票_{row.case_no}.pdf"]
    text = squeeze(pdf_text(out))
    assert "相談受付票" in text and row.case_no in text and "退院調整" in text
    assert squeeze(CANARY) not in text and "カナリア" not in text and "ツグミ" not in text
    assert _personal_log(ctx) == []
    done = ctx.messages.texts("confirm")[-1]
    assert "相談受付票（1 ページ）を作りました" in done and outputs.LEFT_OUT in done


@requires_poppler
def test_intake_with_consent_prints_the_person_and_logs_one_print(ctx, case, save_as):
    row, _, _ = case
    _consent(ctx, row)
    out = save_as.answer_with("受付票.pdf")
    outputs.print_intake(ctx, None, row.id)
    assert squeeze(CANARY) in squeeze(pdf_text(out))
    [entry] = _personal_log(ctx)
    assert (entry.action, entry.entity, entry.entity_id) == ("print", "consultation", row.id)
    assert "受付票.pdf" in entry.detail and "カナリア" not in entry.detail
    assert "個人情報を含みます" in ctx.messages.texts("confirm")[-1]


@requires_poppler
def test_referral_note_after_withdrawal_has_no_names(ctx, case, save_as):
    row, referral, resource = case
    consent_id = _consent(ctx, row)
    out = save_as.answer_with("shared.pdf")
    outputs.print_referral(ctx, None, referral.id, consultation_id=row.id)
    assert squeeze(CANARY) in squeeze(pdf_text(out))
    assert save_as.suggested[-1].startswith(f"紹介状_{row.case_no}_")
    ctx.services.consultations.withdraw_consent(consent_id, "2026/11/22")
    out = save_as.answer_with("withheld.pdf")
    outputs.print_referral(ctx, None, referral.id, consultation_id=row.id)
    text = squeeze(pdf_text(out))
    assert squeeze(resource.name) + "御中" in text and "カナリア" not in text
    assert [(a.action, a.entity, a.entity_id) for a in _personal_log(ctx)] == [("print", "referral", referral.id)]


def test_an_unknown_referral_is_a_plain_message(ctx, case, save_as, tmp_path: Path):
    row, _, _ = case
    outputs.print_referral(ctx, None, "no-such-referral", consultation_id=row.id)
    assert ctx.messages.shown[-1][:2] == ("error", "PDFを作れませんでした")
    assert "紹介は見つかりません" in ctx.messages.shown[-1][2]
    assert save_as.suggested == [] and not list(tmp_path.glob("*.pdf"))


def test_cancelling_the_file_dialog_writes_and_logs_nothing(ctx, case, save_as, tmp_path: Path):
    row, _, _ = case
    _consent(ctx, row)
    save_as.answer_with(None)
    outputs.print_intake(ctx, None, row.id)
    assert not list(tmp_path.glob("*.pdf")) and _personal_log(ctx) == []


def _period(qtbot, start: str | None = None, end: str | None = None, *, names: bool = False):
    """A user's handling of the period dialog: dates typed over, 「氏名を含めますか？」 ticked or not, OK."""
    def act(dialog) -> None:
        assert not dialog.include_names.isChecked()  # the default is anonymous
        if start is not None:
            replace_text(qtbot, dialog.start, start)
        if end is not None:
            replace_text(qtbot, dialog.end, end)
        if names:
            click_checkbox(qtbot, dialog.include_names)
            assert dialog.warning.isVisible() and "個人情報" in dialog.warning.text()
        qtbot.mouseClick(dialog.findChild(QPushButton, "exportOk"), Qt.MouseButton.LeftButton)
    return act


def _cells(path: Path) -> str:
    book = openpyxl.load_workbook(path)
    return "\n".join(str(v) for ws in book for line in ws.iter_rows(values_only=True) for v in line if v is not None)


def test_case_list_is_anonymous_unless_names_are_ticked(qtbot, ctx, case, save_as, dialogs):
    row, _, _ = case
    dialogs.drive(outputs.PeriodDialog, _period(qtbot, "令和8年11月1日", "2026/11/30"))
    out = save_as.answer_with("anonymous.xlsx")
    outputs.export_case_list(ctx, None)
    assert save_as.suggested == ["相談一覧_20261101-20261130.xlsx"]
    text = _cells(out)
    assert row.case_no in text and "カ○○○ 太○" in text
    assert "カナリア" not in text and "ツグミ" not in text
    assert _personal_log(ctx) == []
    assert "匿名" in ctx.messages.texts("confirm")[-1]

    dialogs.drive(outputs.PeriodDialog, _period(qtbot, "令和8年11月1日", "2026/11/30", names=True))
    out = save_as.answer_with("named.xlsx")
    outputs.export_case_list(ctx, None)
    assert save_as.suggested[-1] == "相談一覧_20261101-20261130_氏名あり.xlsx"
    text = _cells(out)
    assert CANARY in text and REQUESTER in text
    [entry] = _personal_log(ctx)
    assert entry.action == "export" and "named.xlsx" in entry.detail and "カナリア" not in entry.detail
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert len(rows) - 1 == len(ctx.services.consultations.list_rows(start=dt.date(2026, 11, 1),
                                                                      end=dt.date(2026, 11, 30)))


def test_stats_are_anonymous_and_not_logged(qtbot, ctx, case, save_as, dialogs):
    opened = dialogs.drive(outputs.PeriodDialog, _period(qtbot))
    out = save_as.answer_with("stats.xlsx")
    outputs.export_stats(ctx, None, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert opened[0].start.text() == "令和8年11月1日" and not opened[0].include_names.isVisible()
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[:2] == ["概要", "月別"]
    months = list(book["月別"].iter_rows(values_only=True))
    expected = ctx.services.consultations.stats(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert months[1][0] == "2026年11月" and months[-1][-1] == expected.total >= 1
    assert "カナリア" not in _cells(out) and _personal_log(ctx) == []


@requires_poppler
def test_stats_sheet_as_pdf(qtbot, ctx, case, save_as, dialogs):
    dialogs.drive(outputs.PeriodDialog, _period(qtbot, "令和8年4月1日", "令和9年3月31日"))
    out = save_as.answer_with("stats")  # the suffix is added
    outputs.print_stats(ctx, None)
    text = squeeze(pdf_text(out.with_suffix(".pdf")))
    assert "相談支援の実績（統計）" in text and "令和8年4月1日〜令和9年3月31日" in text
    assert "カナリア" not in text and _personal_log(ctx) == []


def test_the_period_must_run_forwards(qtbot, ctx, save_as, dialogs):
    opened = dialogs.drive(outputs.PeriodDialog, _period(qtbot, "2026/12/01", "2026/11/01"))
    outputs.export_stats(ctx, None)
    error = opened[0].errors["exportTo"]
    assert error.text() == "終了日が開始日より前になっています"
    assert save_as.suggested == []  # nothing asked, nothing written


@requires_poppler
def test_an_anonymous_consultation_prints_without_a_consent_note(ctx, save_as):
    service = ctx.services.consultations
    service.ensure_categories_seeded()
    row = service.create(ConsultationInput(window="多職種向け", received_at="2026/11/20 10:00", channel="電話",
                                           requester_type="ケアマネ", question="制度について"))
    out = save_as.answer_with("anonymous.pdf")
    outputs.print_intake(ctx, None, row.id)
    assert "制度について" in squeeze(pdf_text(out))
    done = ctx.messages.texts("confirm")[-1]
    assert done.startswith("相談受付票（1 ページ）を作りました。") and outputs.LEFT_OUT not in done
    assert _personal_log(ctx) == []


def test_the_tab_offers_every_output_from_the_menus(qtbot, ctx, save_as, dialogs):
    from ui_helpers import open_window

    window = open_window(qtbot, ctx)
    tab = window.consultations_tab
    window.tabs.setCurrentIndex(window.tabs.indexOf(tab))
    shown = [a.text() for a in window.menu_output.actions() if a.isVisible()]
    for action in (tab.act_print_intake, tab.act_print_referral, tab.act_print_stats, tab.act_export_stats,
                   tab.act_export_list):
        assert action.text() in shown
    on_toolbar = [a for a in window.toolbar.actions() if a.isVisible()]
    assert tab.act_export_list not in on_toolbar and tab.act_print_intake in on_toolbar
    # 出力 → 相談一覧をExcelに書き出し… asks the period, then writes the anonymous list.
    dialogs.drive(outputs.PeriodDialog, _period(qtbot, "令和8年4月1日", "令和9年3月31日"))
    out = save_as.answer_with("list.xlsx")
    tab.act_export_list.trigger()
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert len(rows) - 1 == len(ctx.services.consultations.list_rows(start=dt.date(2026, 4, 1),
                                                                      end=dt.date(2027, 3, 31)))
    assert _personal_log(ctx) == []
    window.tabs.setCurrentIndex(0)
    assert not tab.act_export_list.isVisible()
