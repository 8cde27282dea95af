"""グループワーク dialog and the 印刷 papers of a meeting, driven as a user would."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from pdf_tools import pdf_text, requires_poppler, squeeze
from zaitaku_desktop.domain.meetings import MeetingInput
from zaitaku_desktop.ui.meetings.papers import GroupsDialog, make_paper

PLAN = (("医師", 2), ("看護師", 3), ("介護支援専門員", 4), ("薬剤師", 1), ("社会福祉士", 2))


def _meeting(ctx, title: str = "多職種連携研修会") -> str:
    return ctx.services.meetings.create(MeetingInput(title=title, type_id=None, date="2026/05/20")).id


@pytest.fixture
def meeting(ctx) -> str:
    """A meeting with 12 participants of five professions (every other one 出席) and a speaker."""
    meetings = ctx.services.meetings
    profs = {p.name: p.id for p in ctx.services.vocab.list("profession")}
    mid = _meeting(ctx)
    i = 0
    for profession, n in PLAN:
        for _ in range(n):
            person = meetings.add_person(f"参加者{i:02d}", reading=f"さんかしゃ{i:02d}", affiliation="事業所",
                                         profession_id=profs[profession])
            meetings.set_attendance(mid, person.id, status="出席" if i % 2 else "申込")
            i += 1
    speaker = meetings.add_person("講師 太郎", reading="こうし たろう", profession_id=profs["医師"])
    meetings.set_attendance(mid, speaker.id, role="講師", status="出席")
    return mid


@pytest.fixture
def save_as(monkeypatch, tmp_path: Path) -> list[str]:
    """The save dialog answers with a file in tmp_path; records the suggested names."""
    asked: list[str] = []

    def fake(parent, title, suggested, file_filter):
        asked.append(Path(suggested).name)
        return str(tmp_path / "out"), file_filter  # no suffix: .pdf is added

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake)
    return asked


def _open(qtbot, ctx, meeting_id: str) -> GroupsDialog:
    dialog = GroupsDialog(ctx, meeting_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _columns(dialog: GroupsDialog) -> list[list[str]]:
    """Each table's cells top to bottom (the last cell is the profession mix)."""
    view = dialog.view
    return [[view.item(r, c).text() for r in range(view.rowCount()) if view.item(r, c)]
            for c in range(view.columnCount())]


@requires_poppler
def test_balance_preview_save_and_print_the_group_lists(qtbot, ctx, meeting, save_as, tmp_path) -> None:
    dialog = _open(qtbot, ctx, meeting)
    assert "12 人" in dialog.heading.text()
    assert dialog.count.value() == 2  # 12 people at tables of about six
    assert not dialog.save_button.isEnabled() and not dialog.pdf_button.isEnabled()
    edit = dialog.count.lineEdit()
    edit.selectAll()
    qtbot.keyClicks(edit, "3")
    qtbot.mouseClick(dialog.balance_button, Qt.MouseButton.LeftButton)

    headers = [dialog.view.horizontalHeaderItem(c).text() for c in range(dialog.view.columnCount())]
    assert headers == ["第1テーブル（4 人）", "第2テーブル（4 人）", "第3テーブル（4 人）"]
    columns = _columns(dialog)
    for profession, n in PLAN:  # every profession spread evenly over the three tables
        per_table = [sum(1 for cell in col[:-1] if cell.endswith(f"（{profession}）")) for col in columns]
        assert max(per_table) - min(per_table) <= 1 and sum(per_table) == n, (profession, per_table)
    assert all("講師" not in cell for col in columns for cell in col)
    for col in columns:  # the last cell sums the table up by profession
        shown = Counter(cell.rsplit("（", 1)[1].rstrip("）") for cell in col[:-1])
        assert col[-1].splitlines() == [f"{name} {n}" for name, n in shown.items()]
    assert "まだ保存していません" in dialog.status.text()
    assert ctx.services.meeting_papers.paper(meeting).seated() == []  # a preview is not stored

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert ctx.messages.texts("info") == ["3 テーブルの振り分けを保存しました。"]
    seated = ctx.services.meeting_papers.paper(meeting).seated()
    assert sorted({p.table_no for p in seated}) == [1, 2, 3] and len(seated) == 12
    assert "保存済み" in dialog.status.text() and dialog.pdf_button.isEnabled()

    qtbot.mouseClick(dialog.pdf_button, Qt.MouseButton.LeftButton)
    assert save_as == ["グループ表_2026-05-20_多職種連携研修会.pdf"]
    assert ctx.messages.shown[-1][0] == "confirm" and "グループ表（1 ページ）" in ctx.messages.shown[-1][2]
    assert "第3テーブル（4人）" in squeeze(pdf_text(tmp_path / "out.pdf"))

    reopened = _open(qtbot, ctx, meeting)  # the stored seating comes back
    assert reopened.count.value() == 3 and _columns(reopened) == columns


def test_closing_with_an_unsaved_preview_asks_and_clearing_removes_the_stored_tables(qtbot, ctx, meeting) -> None:
    dialog = _open(qtbot, ctx, meeting)
    qtbot.mouseClick(dialog.balance_button, Qt.MouseButton.LeftButton)
    ctx.messages.answers = [False]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and ctx.messages.shown[-1][1] == "保存していません"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    ctx.messages.answers = [True]
    qtbot.mouseClick(dialog.clear_button, Qt.MouseButton.LeftButton)
    assert ctx.services.meeting_papers.paper(meeting).seated() == []
    assert dialog.view.columnCount() == 0 and "まだ振り分けていません" in dialog.status.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_meeting_without_participants_cannot_be_balanced(qtbot, ctx) -> None:
    dialog = _open(qtbot, ctx, _meeting(ctx, "空の会"))
    assert not dialog.balance_button.isEnabled()
    assert "参加者がいません" in dialog.status.text()


@requires_poppler
def test_signin_sheet_of_a_meeting_without_participants_has_blank_rows(qtbot, ctx, save_as, tmp_path) -> None:
    mid = _meeting(ctx, "市民公開講座：人生の最終段階/在宅医療")
    make_paper(ctx, None, mid, "signin")
    assert save_as == ["受付名簿_2026-05-20_市民公開講座：人生の最終段階在宅医療.pdf"]  # "/" is dropped
    out = tmp_path / "out.pdf"
    text = squeeze(pdf_text(out))
    assert "受付名簿" in text and text.split("受付・署名")[-1].startswith("12345678910")
    assert "受付名簿（1 ページ）を作りました。" in ctx.messages.shown[-1][2]


@requires_poppler
def test_certificates_need_attended_participants(qtbot, ctx, meeting, save_as, tmp_path) -> None:
    empty = _meeting(ctx, "空の会")
    make_paper(ctx, None, empty, "certificates")
    assert save_as == [] and ctx.messages.texts("warning") == [
        "出席の記録がある参加者がいないため、参加証明書は作れません。「出欠」で「出席」を記録してから、もう一度お試しください。"]
    make_paper(ctx, None, meeting, "certificates", issuer="釜石市")
    out = tmp_path / "out.pdf"
    assert "参加証明書（6 ページ）を作りました。" in ctx.messages.shown[-1][2]
    assert "釜石市" in pdf_text(out, page=6) and "参加者11" in squeeze(pdf_text(out, page=6))
