"""The printed papers of a meeting, read back with poppler, and the service that gathers their data and
stores the group-work tables."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import dataclass, field, replace
from html import unescape
from itertools import accumulate
from pathlib import Path

import pytest
from reportlab.lib.units import mm
from reportlab.pdfbase.ttfonts import TTFont

from pdf_tools import (assert_fonts_embedded, assert_in_order, page_count, page_size, pdf_fonts, pdf_text,
                       requires_poppler, squeeze)
from zaitaku_desktop import paths
from zaitaku_desktop.domain.errors import NotFoundError, ValidationError
from zaitaku_desktop.domain.groups import Participant, balance
from zaitaku_desktop.domain.meetings import MeetingInput, Speaker
from zaitaku_desktop.reports.meeting_papers import (
    TICK, NothingToPrintError, short_label, signin_columns, write_agenda, write_certificates, write_group_lists,
    signin_widths, write_name_tents, write_signin_sheet,
)
from zaitaku_desktop.services.meeting_papers import why_empty

pytestmark = requires_poppler

DAY = dt.date(2026, 5, 20)  # a Wednesday, 令和8年


@dataclass(frozen=True)
class Row:
    title: str = "多職種連携研修会"
    type_name: str = "研修会"
    date: dt.date = DAY
    start_time: str | None = "13:30"
    end_time: str | None = "15:30"
    profession_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Paper:
    participants: tuple[Participant, ...] = ()
    row: Row = Row()
    agenda: str = "1. 開会\n2. 講義\n3. グループワーク"
    speakers: tuple[Speaker, ...] = (Speaker("井手口 直子", "帝京平成大学", "服薬支援と多職種連携"),)
    organisers: tuple[str, ...] = ("在宅医療連携拠点チームかまいし", "釜石医師会")
    venue: str = "釜石市保健福祉センター"
    venue_address: str = "釜石市只越町3-9-13"
    professions: tuple[tuple[str, str], ...] = (("d", "医師"), ("n", "看護師"), ("c", "介護支援専門員"))
    fonts_dir: Path = field(default_factory=paths.fonts_dir)


def _people() -> tuple[Participant, ...]:
    return (Participant("1", "渡辺 誠", "わたなべ まこと", "居宅介護支援事業所さくら", "c", "介護支援専門員", status="出席"),
            Participant("2", "伊藤 陽子", "いとう ようこ", "居宅ひまわり", "c", "介護支援専門員", status="出席"),
            Participant("3", "佐藤 花子", "さとう はなこ", "釜石市立病院", "d", "医師"),
            Participant("4", "高橋 美咲", "たかはし みさき", "訪問看護ステーション", "n", "看護師", status="取消"),
            Participant("5", "木村 拓", "きむら たく", "市役所", None, "", role="スタッフ", status="出席"))


PHARMACIST = Participant("7", "石川 薫", "いしかわ かおる", "石川薬局", "p", "薬剤師")
VOCAB = tuple((f"v{i:02d}", name) for i, name in enumerate(
    ("医師", "歯科医師", "歯科衛生士", "薬剤師", "看護師", "訪問看護師", "理学療法士", "作業療法士", "言語聴覚士",
     "管理栄養士", "介護支援専門員", "主任介護支援専門員", "医療ソーシャルワーカー", "介護福祉士", "訪問介護員",
     "保健師", "社会福祉士", "地域包括支援センター職員", "行政職員", "民生委員", "社会福祉協議会職員", "住民")))
V = dict((name, pid) for pid, name in VOCAB)


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def x(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def y(self) -> float:
        return (self.y0 + self.y1) / 2


def _words(pdf: Path, page: int = 1) -> list[Word]:
    """The words of one page with their boxes (``pdftotext -bbox``), in points from the top left."""
    html = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True, encoding="utf-8").stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [Word(unescape(t), float(a), float(b), float(c), float(d)) for a, b, c, d, t in re.findall(pattern, html)]


def _header(words: list[Word]) -> dict[str, float]:
    """The header row's labels → their x centre. A stacked (縦書き) tick-column label is one character per
    line: characters in the same column are joined top to bottom."""
    head = next(w for w in words if w.text == "No.")
    band = [w for w in words if head.y1 - 60 < w.y < head.y1 + 1 and w.x0 > head.x1]
    columns: list[list[Word]] = []
    for w in sorted(band, key=lambda w: (w.x, w.y)):
        if columns and abs(columns[-1][0].x - w.x) < 6:
            columns[-1].append(w)
        else:
            columns.append([w])
    return {"".join(w.text for w in sorted(col, key=lambda w: w.y)): col[0].x for col in columns}


def _column_at(x: float, header: dict[str, float]) -> str:
    """The column at ``x`` (points), from the sheet's column widths; the table starts at the 15 mm margin.
    Every header label must sit in its own column."""
    labels = ["No.", *header]
    edges = list(accumulate(signin_widths(len(header) - 4), initial=15 * mm))
    assert all(edges[i] < header[label] < edges[i + 1] for i, label in enumerate(labels) if label in header)
    return next(label for i, label in enumerate(labels) if edges[i] <= x < edges[i + 1])


def _ticks_by_name(words: list[Word], header: dict[str, float]) -> dict[str, list[str]]:
    """Who has a printed ✓ in which column (on the line of the name)."""
    head_y = next(w for w in words if w.text == "No.").y1
    ticks = [w for w in words if w.text == TICK and w.y > head_y]
    names = [w for w in words if w.y > head_y and w.x < header["所属"] and not w.text.isdigit()]
    found: dict[str, list[str]] = {}
    for tick in ticks:
        name = min(names, key=lambda w: abs(w.y - tick.y))
        found.setdefault(name.text, []).append(_column_at(tick.x, header))
    return found


def test_the_tick_glyph_exists_in_ipaex_gothic() -> None:
    face = TTFont("check", str(paths.fonts_dir() / "ipaexg.ttf")).face
    assert ord(TICK) in face.charToGlyph and face.charToGlyph[ord(TICK)] != 0  # no tofu


def test_signin_sheet_prefills_registered_names_by_reading_and_adds_blank_rows(tmp_path: Path) -> None:
    out = tmp_path / "signin.pdf"
    paper = Paper(_people() + (PHARMACIST,), professions=Paper.professions + (("p", "薬剤師"),))
    assert write_signin_sheet(paper, out, blank_rows=4) == 1 == page_count(out)
    assert [round(v) for v in page_size(out)] == [595, 842]
    assert_fonts_embedded(out)
    assert all(f.name.endswith("IPAexGothic") for f in pdf_fonts(out))  # the ✓ too: no fallback font
    text = pdf_text(out)
    assert_in_order(text, ["受付名簿", "多職種連携研修会", "令和8年5月20日（水）13:30〜15:30", "釜石市保健福祉センター",
                           "ケアマネ＝介護支援専門員", "No.", "氏名", "所属", "その他", "受付・署名",
                           "石川 薫", "石川薬局", "伊藤 陽子", "居宅ひまわり", "佐藤 花子", "釜石市立病院",
                           "渡辺 誠"])
    words = _words(out)
    header = _header(words)
    # everyone's profession has a column, in vocabulary order, then その他 and the signature
    assert list(header) == ["氏名", "所属", "医師", "看護師", "ケアマネ", "薬剤師", "その他", "受付・署名"]
    assert _ticks_by_name(words, header) == {"伊藤": ["ケアマネ"], "石川": ["薬剤師"], "佐藤": ["医師"],
                                             "渡辺": ["ケアマネ"]}
    flat = squeeze(text)
    assert "高橋" not in flat and "木村" not in flat  # cancelled and staff are not on the sheet
    assert flat.split("受付・署名")[-1].endswith("4✓5678")  # 4 names + 4 blank rows
    assert [f.name for f in tmp_path.iterdir()] == ["signin.pdf"]  # written through a temporary file, none left


def test_signin_sheet_ticks_other_and_writes_the_profession_when_it_has_no_column(tmp_path: Path) -> None:
    out = tmp_path / "targets.pdf"
    paper = Paper(_people() + (PHARMACIST,), row=Row(profession_ids=("n", "d")),
                  professions=Paper.professions + (("p", "薬剤師"),))
    write_signin_sheet(paper, out, blank_rows=2)
    words = _words(out)
    header = _header(words)
    assert list(header) == ["氏名", "所属", "医師", "看護師", "その他", "受付・署名"]  # the meeting's targets only
    assert _ticks_by_name(words, header) == {"伊藤": ["その他"], "石川": ["その他"], "佐藤": ["医師"],
                                             "渡辺": ["その他"]}
    head_y = next(w for w in words if w.text == "No.").y1
    written = [w for w in words if w.y > head_y and w.text != TICK and _column_at(w.x, header) == "その他"]
    names = {w.text: w.y for w in words if w.text in ("石川", "伊藤", "佐藤", "渡辺")}
    beside = {name: "".join(w.text for w in written if abs(w.y - y) < 12) for name, y in names.items()}
    assert beside == {"石川": "薬剤師", "伊藤": "介護支援専門員", "佐藤": "", "渡辺": "介護支援専門員"}
    assert "略称" not in squeeze(pdf_text(out))  # no abbreviated column, no legend


def _paper(people: tuple[Participant, ...] = (), targets: tuple[str, ...] = ()) -> Paper:
    return Paper(people, row=Row(profession_ids=targets), professions=VOCAB)


def _person(i: int, profession: str, status: str = "申込") -> Participant:
    return Participant(str(i), f"人{i}", f"ひと{i:03d}", "", V[profession], profession, status=status)


def test_signin_columns_are_the_target_professions_when_one_to_nine_are_set() -> None:
    people = (_person(1, "薬剤師"), _person(2, "看護師"))
    one = signin_columns(_paper(people, (V["介護支援専門員"],)))
    assert [(c.name, c.label) for c in one] == [("介護支援専門員", "ケアマネ")]
    nine = [V[n] for n in ("住民", "医師", "薬剤師", "理学療法士", "作業療法士", "言語聴覚士", "訪問介護員",
                           "医療ソーシャルワーカー", "地域包括支援センター職員")]
    assert [c.label for c in signin_columns(_paper(people, tuple(nine)))] == [
        "医師", "薬剤師", "PT", "OT", "ST", "MSW", "ヘルパー", "包括", "住民"]  # vocabulary order, short labels
    ten = tuple(nine) + (V["保健師"],)  # too many for the sheet: as if none were set
    assert signin_columns(_paper(people, ten)) == signin_columns(_paper(people))
    unknown = signin_columns(_paper(people, ("gone",)))  # an id no longer in the vocabulary is ignored
    assert unknown == signin_columns(_paper(people))


def test_signin_columns_without_targets_are_the_participants_professions_then_the_common_ones() -> None:
    people = (_person(1, "介護支援専門員"), _person(2, "訪問介護員", "出席"), _person(3, "医師"),
              replace(_person(4, "民生委員"), status="取消"), replace(_person(5, "保健師"), role="スタッフ"))
    labels = [c.label for c in signin_columns(_paper(people))]
    # 医師, ケアマネ and ヘルパー (expected on the day), topped up with the first of the vocabulary, 9 in all
    assert labels == ["医師", "歯科医師", "DH", "薬剤師", "看護師", "訪看", "PT", "ケアマネ", "ヘルパー"]
    assert [c.name for c in signin_columns(_paper())] == [name for _, name in VOCAB[:9]]  # nobody registered yet
    many = tuple(_person(i, name) for i, (_, name) in enumerate(VOCAB[:12]))
    many += (_person(20, "管理栄養士"), _person(21, "管理栄養士"))  # 12 professions: the 9 most frequent
    chosen = [c.name for c in signin_columns(_paper(many))]
    assert len(chosen) == 9 and "管理栄養士" in chosen and chosen == [n for _, n in VOCAB if n in chosen]
    assert signin_columns(Paper(professions=())) == []  # no vocabulary: only その他


def test_short_labels_reuse_the_sign_in_abbreviations() -> None:
    assert [short_label(n) for n in ("医師", "歯科医師", "介護支援専門員", "医療ソーシャルワーカー", "理学療法士",
                                     "訪問介護員", "地域包括支援センター職員", "保健所職員")] == [
        "医師", "歯科医師", "ケアマネ", "MSW", "PT", "ヘルパー", "包括", "保健所職員"]


def test_signin_sheet_repeats_its_header_on_every_page_and_works_without_participants(tmp_path: Path) -> None:
    many = tuple(Participant(str(i), f"参加者{i:02d}", f"さんかしゃ{i:02d}", "事業所", "n", "看護師") for i in range(45))
    out = tmp_path / "many.pdf"
    pages = write_signin_sheet(Paper(many), out, date_style="seireki")
    assert pages == page_count(out) >= 2
    for page in range(1, pages + 1):
        assert "受付・署名" in pdf_text(out, page=page)
    assert "2026/05/20" in pdf_text(out, page=1) and "令和" not in pdf_text(out)
    assert_in_order(pdf_text(out), [f"参加者{i:02d}" for i in range(45)])
    assert "参加者" not in pdf_text(out, page=pages).split("参加者44")[-1]  # the blank rows come last
    empty = tmp_path / "empty.pdf"
    assert write_signin_sheet(Paper(), empty) == 1
    body = squeeze(pdf_text(empty)).split("受付・署名")[-1]
    assert body.startswith("12345678910") and "11" not in body


def test_agenda_lists_facts_agenda_lines_and_speakers(tmp_path: Path) -> None:
    out = tmp_path / "agenda.pdf"
    with out.open("wb") as stream:  # the service passes a stream from exports.atomic
        assert write_agenda(Paper(), stream) == 1
    assert_fonts_embedded(out)
    assert_in_order(pdf_text(out), ["多職種連携研修会", "研修会", "日時", "令和8年5月20日（水）13:30〜15:30",
                                    "会場", "釜石市保健福祉センター", "釜石市只越町3-9-13",
                                    "主催", "在宅医療連携拠点チームかまいし", "共催", "釜石医師会",
                                    "次", "第", "1. 開会", "2. 講義", "3. グループワーク",
                                    "講師", "井手口 直子（帝京平成大学）「服薬支援と多職種連携」"])


def test_name_tents_one_folded_landscape_sheet_per_person(tmp_path: Path) -> None:
    out = tmp_path / "tents.pdf"
    assert write_name_tents(Paper(_people()), out) == 3 == page_count(out)
    assert [round(v) for v in page_size(out)] == [842, 595]
    assert_fonts_embedded(out)
    for page, name in enumerate(("伊藤 陽子", "佐藤 花子", "渡辺 誠"), start=1):
        assert name.replace(" ", "") in squeeze(pdf_text(out, page=page))
    with pytest.raises(NothingToPrintError):
        write_name_tents(Paper(), tmp_path / "none.pdf")
    assert not (tmp_path / "none.pdf").exists()


def test_certificates_one_page_per_attended_participant_in_mincho(tmp_path: Path) -> None:
    out = tmp_path / "cert.pdf"
    assert write_certificates(Paper(_people()), out, issuer="釜石市長 野田 武則") == 2 == page_count(out)
    assert_fonts_embedded(out, "IPAexMincho")
    assert all(f.name.endswith("IPAexMincho") for f in pdf_fonts(out))  # no stray Helvetica
    first, second = pdf_text(out, page=1), pdf_text(out, page=2)
    assert_in_order(first, ["参 加 証 明 書", "伊藤 陽子　様", "居宅ひまわり", "参加されたことを証明します", "記",
                            "研修名", "多職種連携研修会", "開催日", "令和8年5月20日（水）13:30〜15:30",
                            "会　場", "釜石市保健福祉センター", "令和8年5月20日", "釜石市長 野田 武則"])
    assert "渡辺 誠" in second and "佐藤" not in first + second  # 申込 only: no certificate
    default_issuer = tmp_path / "cert2.pdf"
    write_certificates(Paper(_people()), default_issuer, issued_on=dt.date(2026, 6, 1))
    assert_in_order(pdf_text(default_issuer, page=1), ["令和8年6月1日", "在宅医療連携拠点チームかまいし"])
    nobody = Paper(tuple(replace(p, status="申込") for p in _people()))
    assert "出席" in why_empty("certificates", nobody)  # type: ignore[arg-type]
    with pytest.raises(NothingToPrintError, match="出席"):
        write_certificates(nobody, tmp_path / "none.pdf")


def test_group_lists_one_section_per_table_with_the_mix_line(tmp_path: Path) -> None:
    people = _people() + (Participant("6", "中村 大輔", "なかむら だいすけ", "中村医院", "d", "医師", status="出席"),)
    seated = tuple(p for table in balance(people, 2, profession_order=["d", "n", "c"]) for p in table)
    out = tmp_path / "groups.pdf"
    assert write_group_lists(Paper(seated), out) == 1
    assert_fonts_embedded(out)
    assert_in_order(pdf_text(out), ["グループ表", "2 テーブル・4 人",
                                    "第1テーブル（2 人）", "職種：医師 1・介護支援専門員 1", "佐藤 花子", "伊藤 陽子",
                                    "第2テーブル（2 人）", "職種：医師 1・介護支援専門員 1", "中村 大輔", "渡辺 誠"])
    with pytest.raises(NothingToPrintError, match="振り分け"):
        write_group_lists(Paper(_people()), tmp_path / "none.pdf")


# --- through the service ----------------------------------------------------------------------------

@pytest.fixture
def meeting(services) -> str:
    profs = {p.name: p.id for p in services.vocab.list("profession")}
    venue = services.meetings.add_venue("市民ホール", address="釜石市大町1-1")
    row = services.meetings.create(MeetingInput(
        title="多職種連携研修会", type_id=None, date="2026/05/20", start_time="13:30", end_time="15:30",
        venue_id=venue.id, speakers=[Speaker("講師 太郎", "大学")]))
    plan = [("医師", 3), ("看護師", 3), ("介護支援専門員", 5), ("薬剤師", 2)]
    i = 0
    for profession, n in plan:
        for _ in range(n):
            person = services.meetings.add_person(f"参加者{i:02d}", reading=f"さんかしゃ{i:02d}",
                                                  affiliation="事業所", profession_id=profs[profession])
            services.meetings.set_attendance(row.id, person.id, status="出席" if i % 2 else "申込")
            i += 1
    speaker = services.meetings.add_person("講師 太郎", reading="こうし たろう", profession_id=profs["医師"])
    services.meetings.set_attendance(row.id, speaker.id, role="講師", status="出席")
    return row.id


def test_service_gathers_the_paper_and_stores_balanced_tables(services, meeting, tmp_path: Path) -> None:
    papers = services.meeting_papers
    paper = papers.paper(meeting)
    assert paper.title == "多職種連携研修会" and paper.venue == "市民ホール" and paper.venue_address == "釜石市大町1-1"
    assert [p.name for p in paper.participants][:2] == ["講師 太郎", "参加者00"]  # 五十音: こうし < さんかしゃ
    assert ("医師" in dict(paper.professions).values()) and paper.speakers[0].name == "講師 太郎"
    assert paper.seated() == []

    tables = papers.assign_tables(meeting, 3)
    assert [len(t) for t in tables] == [5, 4, 4]  # 13 participants; the speaker is not seated
    stored = papers.paper(meeting)
    seats = {p.name: p.table_no for p in stored.participants}
    assert seats["講師 太郎"] is None
    assert {p.name: p.table_no for t in tables for p in t} == {k: v for k, v in seats.items() if v is not None}
    for profession in ("医師", "看護師", "介護支援専門員", "薬剤師"):
        per_table = [sum(1 for p in stored.seated() if p.table_no == no and p.profession == profession)
                     for no in (1, 2, 3)]
        assert max(per_table) - min(per_table) <= 1

    result = papers.write("groups", meeting, tmp_path / "g.pdf")
    assert result.pages == 1 and "第3テーブル（4 人）" in pdf_text(result.path)
    assert not [f for f in tmp_path.iterdir() if f.name.startswith(".")]  # no temporary file left

    assert len(papers.assign_tables(meeting, 2)) == 2  # re-seating replaces the old numbers
    assert {p.table_no for p in papers.paper(meeting).seated()} == {1, 2}
    papers.clear_tables(meeting)
    assert papers.paper(meeting).seated() == []
    assert why_empty("groups", papers.paper(meeting))


def test_service_signin_sheet_has_a_column_per_target_profession(services, tmp_path: Path) -> None:
    profs = {p.name: p.id for p in services.vocab.list("profession")}
    row = services.meetings.create(MeetingInput(title="薬薬連携研修会", type_id=None, date="2026/06/01",
                                                profession_ids=[profs["薬剤師"], profs["医師"]]))
    pharmacist = services.meetings.add_person("薬局 太郎", reading="やっきょく たろう", affiliation="駅前薬局",
                                              profession_id=profs["薬剤師"])
    services.meetings.set_attendance(row.id, pharmacist.id, status="申込")
    result = services.meeting_papers.write("signin", row.id, tmp_path / "s.pdf")
    words = _words(result.path)
    header = _header(words)
    assert list(header) == ["氏名", "所属", "医師", "薬剤師", "その他", "受付・署名"]
    assert _ticks_by_name(words, header) == {"薬局": ["薬剤師"]}


def test_service_refuses_bad_table_counts_and_unknown_meetings(services, meeting) -> None:
    papers = services.meeting_papers
    for bad in (0, 51):
        with pytest.raises(ValidationError, match="テーブルの数"):
            papers.assign_tables(meeting, bad)
    with pytest.raises(NotFoundError):
        papers.paper("no-such-meeting")
    empty = services.meetings.create(MeetingInput(title="空の会", type_id=None, date="2026/06/01"))
    with pytest.raises(ValidationError, match="参加者"):
        papers.assign_tables(empty.id, 2)
