"""The per-association feedback sheet, built from plain data and read back with poppler."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from pdf_tools import (FORBIDDEN_LINE_STARTS, assert_fonts_embedded, assert_in_order, line_starts, page_count,
                       page_size, pdf_text, requires_poppler, squeeze)
from zaitaku_desktop import paths
from zaitaku_desktop.reports.issue_feedback import (FeedbackIssue, FeedbackResponse, IssueFeedbackData,
                                                    layer_counts, write_issue_feedback)

pytestmark = requires_poppler

ISSUED = dt.date(2026, 11, 20)  # a Friday
MM = 72 / 25.4
A4_HEIGHT = 842
# the table's columns (No. 9 mm, 課題 84 mm, 状況 17 mm, 対応策 70 mm) from the 15 mm margin, as crop boxes
ISSUE_COLUMN = ((15 + 9) * MM, 0, 84 * MM, A4_HEIGHT)
STATUS_COLUMN = ((15 + 9 + 84) * MM, 0, 17 * MM, A4_HEIGHT)
RESPONSE_COLUMN = ((15 + 9 + 84 + 17) * MM, 0, 70 * MM, A4_HEIGHT)


def _issues() -> tuple[FeedbackIssue, ...]:
    return (
        FeedbackIssue(
            title="ケアマネはケアマネの理論で動くので、妥協点が見つからない時がある。", layer="一次", status="検討中",
            professions=("介護支援専門員",), themes=("職種理解",), raised_on=dt.date(2026, 6, 3),
            source="介護支援専門員協議会 一次連携会議",
            responses=(FeedbackResponse("介護支援専門員協議会", "事例検討会で医療側の見方を学ぶ", "実施中"),)),
        FeedbackIssue(
            title="病院からの退院が急で在宅側の準備が整っていない。", layer="二次", status="対応中",
            description="退院の連絡が前日に来ることがある。", professions=("介護支援専門員", "医療ソーシャルワーカー"),
            themes=("退院調整",), raised_on=dt.date(2026, 6, 3),
            responses=(FeedbackResponse("連携拠点", "病院連携室とケアマネの意見交換会を開く", "完了",
                                        "退院前カンファレンスの目安を合意した。"),
                       FeedbackResponse("病院連携室連絡会", "退院支援の連絡票を作る", "未着手"))),
        FeedbackIssue(title="医師との壁", layer="三次", status="抽出", themes=("医療と介護の壁",)),
    )


def _write(tmp_path: Path, data: IssueFeedbackData, name: str = "feedback.pdf") -> tuple[Path, int]:
    out = tmp_path / name
    with out.open("wb") as f:
        pages = write_issue_feedback(data, f, fonts_dir=paths.fonts_dir())
    return out, pages


def test_feedback_sheet_lists_issues_by_layer_with_responses(tmp_path: Path) -> None:
    data = IssueFeedbackData(association="介護支援専門員協議会", issued_on=ISSUED, issues=_issues(),
                             professions=("介護支援専門員", "主任介護支援専門員"), sender="在宅医療連携拠点")
    out, pages = _write(tmp_path, data)
    assert pages == 1 == page_count(out)
    width, height = page_size(out)
    assert (round(width), round(height)) == (595, 842)  # A4 portrait
    text = pdf_text(out)
    assert_in_order(text, [
        "課題フィードバックシート", "介護支援専門員協議会 御中", "令和8年11月20日（金）", "在宅医療連携拠点",
        "課題 3 件（一次 1・二次 1・三次 1）", "一次連携・職種内の課題（1 件）", "二次連携・職種間の課題（1 件）",
        "三次連携・地域全体の課題（1 件）",
    ])
    assert_in_order(pdf_text(out, crop=ISSUE_COLUMN), [
        "ケアマネはケアマネの理論で動くので、妥協点が見つからない時がある。",
        "職種：介護支援専門員／テーマ：職種理解／出された日：令和8年6月3日（水）／出典：介護支援専門員協議会 一次連携会議",
        "病院からの退院が急で在宅側の準備が整っていない。", "出された日：令和8年6月3日（水）",
        "「退院の連絡が前日に来ることがある。」", "医師との壁", "テーマ：医療と介護の壁",
    ])
    assert_in_order(pdf_text(out, crop=STATUS_COLUMN), ["状況", "検討中", "対応中", "抽出"])
    assert_in_order(pdf_text(out, crop=RESPONSE_COLUMN), [
        "介護支援専門員協議会：事例検討会で医療側の見方を学ぶ（実施中）",
        "連携拠点：病院連携室とケアマネの意見交換会を開く（完了）", "結果：退院前カンファレンスの目安を合意した。",
        "病院連携室連絡会：退院支援の連絡票を作る（未着手）", "対応策は検討中です。",
    ])
    assert not re.search(r"\d+\s*/\s*\d+", text)  # a single page carries no page number
    assert_fonts_embedded(out)
    assert not [c for c in line_starts(text) if c in FORBIDDEN_LINE_STARTS]


def test_long_feedback_sheet_has_page_numbers_and_keeps_every_issue(tmp_path: Path) -> None:
    long_text = ("退院調整以外の業務（医療ソーシャルワークのほとんど、医療費、制度利用、がん相談など外来患者も対応）"
                 "も行っているため、退院調整に時間がかけられない。")
    issues = tuple(
        FeedbackIssue(title=f"課題{n:02d}：{long_text}", layer=("一次", "二次", "三次")[n % 3], status="対応中",
                      description=long_text, professions=("医療ソーシャルワーカー",), themes=("退院調整", "相談ルート"),
                      responses=(FeedbackResponse("連携拠点", f"対応策{n:02d}：意見交換会を開く", "実施中", long_text),))
        for n in range(30))
    data = IssueFeedbackData(association="病院連携室連絡会", issued_on=ISSUED, issues=issues)
    out, pages = _write(tmp_path, data)
    assert pages >= 3 and page_count(out) == pages
    for page in range(1, pages + 1):
        page_text = pdf_text(out, page=page)
        assert page_text.rstrip().endswith(f"{page}/{pages}") or f"{page} / {pages}" in page_text
        if page > 1:  # running header and repeated table header
            assert "病院連携室連絡会 御中" in page_text and "対応策（実施主体" in page_text
    ordered = sorted(issues, key=lambda i: ("一次", "二次", "三次").index(i.layer))
    issue_text = "".join(pdf_text(out, crop=ISSUE_COLUMN, page=p) for p in range(1, pages + 1))
    assert_in_order(issue_text, [i.title for i in ordered])  # every issue, whole, in layer order
    response_text = squeeze(pdf_text(out, crop=RESPONSE_COLUMN))
    assert all(f"対応策{n:02d}" in response_text for n in range(30))
    assert_fonts_embedded(out)
    assert not [c for c in line_starts(pdf_text(out)) if c in FORBIDDEN_LINE_STARTS]


def test_an_issue_taller_than_a_page_still_prints(tmp_path: Path) -> None:
    responses = tuple(FeedbackResponse("連携拠点", f"対応策{n}：" + "研修会を開く。" * 12, "実施中", "結果を記録した。" * 6)
                      for n in range(40))
    data = IssueFeedbackData(association="医師会", issued_on=ISSUED,
                             issues=(FeedbackIssue(title="とても長い課題", layer="二次", status="対応中",
                                                   responses=responses),))
    out, pages = _write(tmp_path, data)
    assert pages >= 2
    assert "対応策39" in squeeze(pdf_text(out))


def test_feedback_sheet_without_issues_says_so(tmp_path: Path) -> None:
    out, pages = _write(tmp_path, IssueFeedbackData(association="栄養士会", issued_on=ISSUED, issues=()))
    assert pages == 1
    text = pdf_text(out)
    assert "課題0件（一次0・二次0・三次0）" in squeeze(text)
    assert "まだ記録されていません" in text


def test_markup_in_user_text_is_printed_literally(tmp_path: Path) -> None:
    issue = FeedbackIssue(title="<b>A&B</b> の連携", layer="一次", status="抽出",
                          responses=(FeedbackResponse("<i>会</i>", "a < b & c", "未着手"),))
    out, _ = _write(tmp_path, IssueFeedbackData(association="薬剤師会", issued_on=ISSUED, issues=(issue,)))
    assert "<b>A&B</b>の連携" in squeeze(pdf_text(out, crop=ISSUE_COLUMN))
    assert "<i>会</i>：a<b&c（未着手）" in squeeze(pdf_text(out, crop=RESPONSE_COLUMN))


def test_layer_counts() -> None:
    assert layer_counts(_issues()) == {"一次": 1, "二次": 1, "三次": 1}


@pytest.mark.parametrize("missing", ["nowhere"])
def test_missing_font_folder_is_a_plain_error(tmp_path: Path, missing: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from reportlab.pdfbase import pdfmetrics

    from zaitaku_desktop.reports import fonts

    monkeypatch.setattr(pdfmetrics, "getRegisteredFontNames", lambda: [])
    with pytest.raises(fonts.FontMissingError, match="ipaexg.ttf"):
        fonts.register_fonts(tmp_path / missing)
