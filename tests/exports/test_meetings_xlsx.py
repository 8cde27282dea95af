"""Meetings as Excel: the list, attendance by profession with its total line, the roster; read back."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest

from zaitaku_desktop.domain.errors import DomainError, NotFoundError
from zaitaku_desktop.domain.meetings import MeetingInput
from zaitaku_desktop.exports.atomic import FileWriteError
from zaitaku_desktop.exports.meetings_xlsx import gather, write_meetings_xlsx
from zaitaku_desktop.services.meetings import CountEntry

JUNE = {"start": dt.date(2026, 6, 1), "end": dt.date(2026, 6, 30)}


def make_meetings(services) -> SimpleNamespace:
    """June 2026: a held training with people and counts, an all-day lecture, a cancelled meeting with
    counts (left out of the totals); July: one more meeting outside the period."""
    m = services.meetings
    ids = {i.name: i.id for kind in ("profession", "association") for i in services.vocab.list(kind)}
    types = {t.name: t.id for t in m.list_types()}
    hall = m.add_venue("市民ホール", address="岩手県釜石市只越町3-9-13", capacity=120).id
    training = m.create(MeetingInput(
        title="多職種連携研修会", type_id=types["研修会"], date="2026/06/03", start_time="18:30", end_time="20:00",
        venue_id=hall, organiser_kind="団体", organiser_association_id=ids["薬剤師会"], status="開催済",
        agenda="1. 開会\n2. 講義「薬剤師の在宅訪問」\n3. グループワーク"))
    people = [m.add_person("釜石 花子", affiliation="はまなす薬局", profession_id=ids["薬剤師"]),
              m.add_person("大槌 次郎", affiliation="みどり歯科", profession_id=ids["歯科医師"]),
              m.add_person("甲子 三郎", affiliation="あおば薬局", profession_id=ids["薬剤師"])]
    m.set_attendance(training.id, people[0].id, status="出席")
    m.set_attendance(training.id, people[1].id, status="出席", walk_in=True)
    m.set_attendance(training.id, people[2].id, status="欠席")
    m.set_counts(training.id, [CountEntry(None, 5, "他職種")])
    lecture = m.create(MeetingInput(title="出前講座「在宅医療を知ろう」", type_id=types["出前講座"], date="2026/06/20"))
    cancelled = m.create(MeetingInput(title="=連携体制検討会", type_id=types["検討会"], date="2026/06/25",
                                      start_time="10:00", status="中止"))
    m.set_counts(cancelled.id, [CountEntry(ids["薬剤師"], 100)])
    july = m.create(MeetingInput(title="7月の打ち合わせ会", type_id=types["打ち合わせ会"], date="2026/07/01"))
    return SimpleNamespace(training=training, lecture=lecture, cancelled=cancelled, july=july, hall=hall)


@pytest.fixture
def made(services) -> SimpleNamespace:
    return make_meetings(services)


def _values(ws) -> list[tuple]:
    return [row for row in ws.iter_rows(values_only=True)]


def test_period_workbook_lists_meetings_and_totals_by_profession(services, made, tmp_path: Path) -> None:
    out = tmp_path / "会議.xlsx"
    write_meetings_xlsx(gather(services.meetings, **JUNE), out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["会議・研修一覧", "職種別参加者数"]
    listing = wb["会議・研修一覧"]
    rows = _values(listing)
    assert rows[0][:4] == ("開催日", "開始", "終了", "名前")
    assert [r[3] for r in rows[1:]] == ["多職種連携研修会", "出前講座「在宅医療を知ろう」", "=連携体制検討会"]
    assert rows[1] == ("令和8年6月3日（水）", "18:30", "20:00", "多職種連携研修会", "研修会", "二次", "カ",
                       "市民ホール", "薬剤師会", "開催済", 2, 7, made.training.id)
    assert rows[2][1] is None and rows[3][9] == "中止"
    assert listing["D4"].data_type == "s"  # a title starting with "=" stays text, not a formula
    assert listing.freeze_panes == "A2" and listing.auto_filter.ref == "A1:M4"
    assert listing.column_dimensions["D"].width == 40

    totals = _values(wb["職種別参加者数"])
    header = totals[0]
    assert header[:2] == ("開催日", "名前") and header[-1] == "計"
    assert {"薬剤師", "歯科医師", "他職種"} <= set(header)
    lines = {r[1]: dict(zip(header, r)) for r in totals[1:] if r[1]}
    assert set(lines) == {"多職種連携研修会", "出前講座「在宅医療を知ろう」"}  # the cancelled one is not counted
    assert (lines["多職種連携研修会"]["薬剤師"], lines["多職種連携研修会"]["歯科医師"],
            lines["多職種連携研修会"]["他職種"], lines["多職種連携研修会"]["計"]) == (1, 1, 5, 7)
    total = dict(zip(header, next(r for r in totals if r[0] == "計")))
    expected = {t.profession: t.count for t in services.meetings.period_totals(**JUNE)}
    assert {k: total[k] for k in expected} == expected and total["計"] == 7


def test_one_meeting_workbook_has_the_roster_and_seireki_dates(services, made, tmp_path: Path) -> None:
    out = tmp_path / "研修会.xlsx"
    write_meetings_xlsx(gather(services.meetings, meeting_id=made.training.id, date_style="seireki"), out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["会議・研修一覧", "職種別参加者数", "参加者名簿"]
    first = wb["会議・研修一覧"]["A2"]
    assert first.value == dt.datetime(2026, 6, 3) and first.number_format == "yyyy/mm/dd"
    roster = _values(wb["参加者名簿"])
    assert roster[0] == ("氏名", "所属", "職種", "役割", "出欠", "当日参加")
    assert sorted(roster[1:]) == [("大槌 次郎", "みどり歯科", "歯科医師", "参加者", "出席", "○"),
                                  ("甲子 三郎", "あおば薬局", "薬剤師", "参加者", "欠席", None),
                                  ("釜石 花子", "はまなす薬局", "薬剤師", "参加者", "出席", None)]
    assert wb["参加者名簿"].freeze_panes == "A2"
    total = _values(wb["職種別参加者数"])
    assert total[-3][0] == "計" and total[-3][-1] == 7


def test_nothing_to_write_or_nowhere_to_write_leaves_no_file(services, made, tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="会議・研修はありません"):
        gather(services.meetings, start=dt.date(2030, 1, 1), end=dt.date(2030, 1, 31))
    with pytest.raises(DomainError, match="終了日が開始日より前"):
        gather(services.meetings, start=dt.date(2026, 6, 30), end=dt.date(2026, 6, 1))
    with pytest.raises(NotFoundError):
        gather(services.meetings, meeting_id="no-such-id")
    data = gather(services.meetings, **JUNE)
    with pytest.raises(FileWriteError, match="フォルダが見つかりません"):
        write_meetings_xlsx(data, tmp_path / "missing" / "x.xlsx")
    folder = tmp_path / "out"
    folder.mkdir()
    old = folder / "old.xlsx"
    old.write_bytes(b"old")

    with pytest.raises(AttributeError):  # a failure half-way through the workbook
        write_meetings_xlsx(replace(data, rows=[*data.rows, object()]), old)
    assert old.read_bytes() == b"old" and [p.name for p in folder.iterdir()] == ["old.xlsx"]
