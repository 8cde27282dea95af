"""Files with personal data from the GUI: a warning first, then 暗号化ZIP（パスワード付き） (password twice) or
そのまま保存, then the save dialog. The ZIP is the only file written, it opens with the password and holds the
right file; the access log says whether the file was encrypted (never the password)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton

from pdf_tools import pdf_text, requires_poppler, squeeze
from ui_helpers import click_checkbox, type_text

from zaitaku_desktop.exports.secure_zip import read_encrypted_zip
from zaitaku_desktop.services.consultations import ConsultationInput
from zaitaku_desktop.ui import personal_export
from zaitaku_desktop.ui.consultations import outputs
from zaitaku_desktop.ui.personal_export import PersonalExportDialog

CANARY = "カナリア 太郎"
PASSWORD = "Tsugumi-8080"


@pytest.fixture
def case(ctx):
    """A consultation about the canary in November 2026, with consent (so its papers carry the person)."""
    service = ctx.services.consultations
    service.ensure_categories_seeded()
    category = next(c for c in service.list_categories() if c.name == "退院調整")
    row = service.create(ConsultationInput(
        window="一般向け", received_at="2026/11/20 14:30", channel="電話", requester_type="家族",
        requester_name="ツグミ 花子", person_name=CANARY, person_reading="かなりあ たろう", category_ids=[category.id],
        question="退院後の訪問診療先を探している", minutes_spent=20, handled_by="相談員"))
    service.record_consent(row.case_id, granted=True, recipients="紹介先の医療機関", purpose="在宅医療の調整",
                           obtained_on="2026/11/20", method="口頭")
    return row


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    usb = tmp_path / "usb"
    usb.mkdir()
    return usb


@pytest.fixture
def save_as(monkeypatch, folder: Path):
    """The save dialog: records (suggested name, filter) and answers with ``folder / name`` (the suffix the
    program adds when the user leaves it out)."""
    asked: list[tuple[str, str]] = []
    answer = {"name": "carry"}

    def fake(_parent, _title, suggested, file_filter):
        asked.append((Path(suggested).name, file_filter))
        return (str(folder / answer["name"]), "") if answer["name"] else ("", "")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    return asked, answer


def _ok(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.findChild(QPushButton, "personalOk"), Qt.MouseButton.LeftButton)


def _zip_with(qtbot, password: str, again: str | None = None):
    """A user's handling of the warning: 暗号化ZIP, the password typed twice, 保存先を選ぶ…"""
    def act(dialog) -> None:
        assert personal_export.WARNING in dialog.findChild(QLabel, "personalWarning").text()
        click_checkbox(qtbot, dialog.zip)
        type_text(qtbot, dialog.password, password)
        type_text(qtbot, dialog.again, password if again is None else again)
        _ok(qtbot, dialog)
    return act


def _plain(qtbot):
    def act(dialog) -> None:
        click_checkbox(qtbot, dialog.plain)
        _ok(qtbot, dialog)
    return act


def _names_period(qtbot):
    """The period dialog: November 2026, 「氏名を含めますか？」 ticked, OK."""
    def act(dialog) -> None:
        dialog.start.setText("2026/11/01")
        dialog.end.setText("2026/11/30")
        click_checkbox(qtbot, dialog.include_names)
        qtbot.mouseClick(dialog.findChild(QPushButton, "exportOk"), Qt.MouseButton.LeftButton)
    return act


def _exports(ctx) -> list:
    return [a for a in ctx.services.consultations.access_log() if a.action in ("print", "export")]


def _cells(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(str(v) for ws in book for line in ws.iter_rows(values_only=True) for v in line if v is not None)


def test_the_named_list_as_an_encrypted_zip(qtbot, ctx, case, dialogs, save_as, folder: Path):
    asked, answer = save_as
    dialogs.drive(outputs.PeriodDialog, _names_period(qtbot))
    warned = dialogs.drive(PersonalExportDialog, _zip_with(qtbot, PASSWORD))
    answer["name"] = "carry"  # the user leaves out the suffix
    outputs.export_case_list(ctx, None)
    assert len(warned) == 1
    assert asked == [("相談一覧_20261101-20261130_氏名あり.zip", "暗号化ZIP (*.zip)")]
    assert [p.name for p in folder.iterdir()] == ["carry.zip"]  # nothing else, no temp file, no plain .xlsx
    raw = (folder / "carry.zip").read_bytes()
    assert CANARY.encode() not in raw and CANARY.encode("utf-16-le") not in raw and PASSWORD.encode() not in raw
    [(member, data)] = read_encrypted_zip(folder / "carry.zip", PASSWORD).items()
    assert member == "carry.xlsx"
    assert CANARY in _cells(data) and case.case_no in _cells(data)
    with pytest.raises(RuntimeError):
        read_encrypted_zip(folder / "carry.zip", "Tsugumi-8081")
    [entry] = _exports(ctx)
    assert entry.action == "export" and "carry.zip" in entry.detail and "暗号化ZIP" in entry.detail
    assert PASSWORD not in entry.detail and "カナリア" not in entry.detail
    done = ctx.messages.texts("confirm")[-1]
    assert "氏名を含めて書き出しました" in done and personal_export.ZIP_DONE in done and PASSWORD not in done


@requires_poppler
def test_the_intake_sheet_as_an_encrypted_zip(qtbot, ctx, case, dialogs, save_as, folder: Path, tmp_path: Path):
    asked, answer = save_as
    dialogs.drive(PersonalExportDialog, _zip_with(qtbot, PASSWORD))
    answer["name"] = "受付票.zip"
    outputs.print_intake(ctx, None, case.id)
    assert asked == [(f"相談受付票_{case.case_no}.zip", "暗号化ZIP (*.zip)")]
    assert [p.name for p in folder.iterdir()] == ["受付票.zip"]
    [(member, data)] = read_encrypted_zip(folder / "受付票.zip", PASSWORD).items()
    assert member == "受付票.pdf" and data.startswith(b"%PDF")
    opened = tmp_path / "opened.pdf"  # what the recipient gets after unpacking
    opened.write_bytes(data)
    assert squeeze(CANARY) in squeeze(pdf_text(opened))
    [entry] = _exports(ctx)
    assert (entry.action, entry.entity_id) == ("print", case.id) and "（暗号化ZIP）" in entry.detail


def test_plain_save_still_writes_the_workbook(qtbot, ctx, case, dialogs, save_as, folder: Path):
    asked, answer = save_as
    dialogs.drive(outputs.PeriodDialog, _names_period(qtbot))
    warned = dialogs.drive(PersonalExportDialog, _plain(qtbot))
    answer["name"] = "named.xlsx"
    outputs.export_case_list(ctx, None)
    assert len(warned) == 1 and warned[0].plain.isChecked()  # a plain database: そのまま保存 is the default
    assert asked == [("相談一覧_20261101-20261130_氏名あり.xlsx", "Excel (*.xlsx)")]
    assert [p.name for p in folder.iterdir()] == ["named.xlsx"]
    assert CANARY in _cells((folder / "named.xlsx").read_bytes())
    [entry] = _exports(ctx)
    assert "named.xlsx" in entry.detail and "暗号化なし" in entry.detail
    assert personal_export.ZIP_DONE not in ctx.messages.texts("confirm")[-1]


@pytest.mark.parametrize("password, again, field, problem", [
    ("short", "short", "zipPassword", "8文字以上"),
    ("ｚｅｎｋａｋｕ１２３", "ｚｅｎｋａｋｕ１２３", "zipPassword", "半角"),
    (PASSWORD, PASSWORD + "x", "zipPasswordAgain", "1回目と違っています"),
])
def test_a_bad_password_keeps_the_dialog_open(qtbot, ctx, case, dialogs, save_as, folder: Path, password, again,
                                              field, problem):
    asked, _ = save_as
    seen: dict[str, object] = {}

    def act(dialog) -> None:
        _zip_with(qtbot, password, again)(dialog)
        seen["open"] = dialog.isVisible()
        seen["error"] = dialog.errors[field].text() if dialog.errors[field].isVisible() else ""
        # the user corrects both fields and goes on
        for edit in (dialog.password, dialog.again):
            edit.clear()
            type_text(qtbot, edit, PASSWORD)
        _ok(qtbot, dialog)

    dialogs.drive(PersonalExportDialog, act)
    outputs.print_intake(ctx, None, case.id)
    assert seen["open"] is True and problem in str(seen["error"])
    assert [p.name for p in folder.iterdir()] == ["carry.zip"]
    assert list(read_encrypted_zip(folder / "carry.zip", PASSWORD)) == ["carry.pdf"]


def test_cancelling_the_warning_asks_no_place_and_writes_nothing(qtbot, ctx, case, dialogs, save_as, folder):
    asked, _ = save_as
    dialogs.drive(PersonalExportDialog, lambda dialog: dialog.reject())
    outputs.print_intake(ctx, None, case.id)
    assert asked == [] and list(folder.iterdir()) == [] and _exports(ctx) == []


def test_cancelling_the_save_dialog_writes_nothing(qtbot, ctx, case, dialogs, save_as, folder):
    _, answer = save_as
    dialogs.drive(PersonalExportDialog, _zip_with(qtbot, PASSWORD))
    answer["name"] = None
    outputs.print_intake(ctx, None, case.id)
    assert list(folder.iterdir()) == [] and _exports(ctx) == []


def test_anonymous_outputs_show_no_warning(qtbot, ctx, case, dialogs, save_as, folder):
    warned = dialogs.drive(PersonalExportDialog)
    dialogs.drive(outputs.PeriodDialog, lambda d: qtbot.mouseClick(d.findChild(QPushButton, "exportOk"),
                                                                   Qt.MouseButton.LeftButton))
    _, answer = save_as
    answer["name"] = "anonymous.xlsx"
    outputs.export_case_list(ctx, None)
    answer["name"] = "stats.xlsx"
    outputs.export_stats(ctx, None)
    assert warned == [] and sorted(p.name for p in folder.iterdir()) == ["anonymous.xlsx", "stats.xlsx"]


def test_the_zip_is_the_default_on_an_encrypted_database(qtbot, ctx, case, dialogs, save_as):
    ctx.services.security.protect("山田", "canary passphrase 1")
    seen: list[bool] = []

    def act(dialog) -> None:
        seen.extend([dialog.zip.isChecked(), dialog.password_box.isEnabled(), dialog.focusWidget() is dialog.password])
        click_checkbox(qtbot, dialog.plain)
        seen.append(dialog.password_box.isEnabled())
        dialog.reject()

    dialogs.drive(PersonalExportDialog, act)
    outputs.print_intake(ctx, None, case.id)
    assert seen == [True, True, True, False]
