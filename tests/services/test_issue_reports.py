"""Issue-board PDFs through the services and the command line (feedback sheet, side-by-side list)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pdf_tools import assert_fonts_embedded, assert_in_order, page_count, pdf_text, requires_poppler, squeeze
from zaitaku_desktop import cli
from zaitaku_desktop.domain.errors import DomainError, NotFoundError, ValidationError
from zaitaku_desktop.domain.issues import IssueInput, ResponseInput
from zaitaku_desktop.services.issue_reports import IssueReportService

ISSUED = dt.date(2026, 11, 20)
MM = 72 / 25.4
RESPONSE_COLUMN = ((15 + 9 + 84 + 17) * MM, 0, 70 * MM, 842)  # the feedback sheet's 対応策 column
LEFT_COLUMN = (12 * MM, 0, (842 - 24 * MM) / 2, 595)  # the first of two columns of the landscape list


@pytest.fixture
def ids(services) -> dict[str, str]:
    return {item.name: item.id for kind in ("profession", "theme", "association")
            for item in services.vocab.list(kind)}


@pytest.fixture
def reports(services) -> IssueReportService:
    return IssueReportService(services.issues, services.vocab)


def _add(services, ids, title: str, *, layer: str = "一次", professions: tuple[str, ...] = (),
         source: str | None = None, raised_on: str = "2026/06/03") -> str:
    row = services.issues.create(IssueInput(
        title=title, layer=layer, raised_on=raised_on, source_association_id=ids[source] if source else None,
        profession_ids=[ids[p] for p in professions], theme_ids=[ids["退院調整"]]))
    return row.id


@pytest.fixture
def board(services, ids) -> dict[str, str]:
    out = {
        "wall": _add(services, ids, "医師との壁", layer="二次", professions=("医師", "介護支援専門員"),
                     source="介護支援専門員協議会"),
        "discharge": _add(services, ids, "病院からの退院が急で在宅側の準備が整っていない", layer="一次",
                          professions=("介護支援専門員",), raised_on="2026/05/20"),
        "region": _add(services, ids, "介護の相談窓口がわからない", layer="三次", source="介護支援専門員協議会"),
        "hospital": _add(services, ids, "退院後の施設は病院で探してほしい", layer="二次",
                         professions=("医療ソーシャルワーカー",), source="病院連携室連絡会"),
        "gone": _add(services, ids, "取り下げた古い課題", professions=("介護支援専門員",)),
    }
    services.issues.set_archived(out["gone"], True)
    services.issues.add_response(out["wall"], ResponseInput(actor_kind="連携拠点", action="医師とケアマネの懇談会を開く",
                                                            state="実施中", result="第1回を開いた"))
    old = services.issues.add_response(out["wall"], ResponseInput(actor_kind="連携拠点", action="やめた案"))
    services.issues.set_response_archived(old.id, True)
    return out


def test_feedback_data_takes_the_associations_issues_by_layer(reports, board) -> None:
    data = reports.feedback_data("介護支援専門員協議会", issued_on=ISSUED)
    assert data.association == "介護支援専門員協議会"
    assert data.professions == ("介護支援専門員", "主任介護支援専門員")
    # by source association or by one of its professions; archived issues left out; 一次 → 二次 → 三次
    assert [i.title for i in data.issues] == ["病院からの退院が急で在宅側の準備が整っていない", "医師との壁",
                                              "介護の相談窓口がわからない"]
    wall = data.issues[1]
    assert wall.layer == "二次" and wall.themes == ("退院調整",) and wall.raised_on == dt.date(2026, 6, 3)
    assert [(r.actor, r.action, r.state, r.result) for r in wall.responses] == [
        ("連携拠点", "医師とケアマネの懇談会を開く", "実施中", "第1回を開いた")]  # archived response left out


def test_association_is_found_by_name_width_insensitively_or_by_id(reports, board, ids) -> None:
    assert reports.feedback_data("病院連携室", issued_on=ISSUED).association == "病院連携室連絡会"
    assert reports.feedback_data(ids["薬剤師会"], issued_on=ISSUED).issues == ()
    with pytest.raises(NotFoundError, match="登録されている職能団体：医師会"):
        reports.feedback_data("存在しない会")
    with pytest.raises(NotFoundError, match="複数"):
        reports.feedback_data("協議会")


@requires_poppler
def test_feedback_pdf_is_written_and_readable(reports, board, tmp_path: Path) -> None:
    out = tmp_path / "フィードバック.pdf"
    result = reports.feedback_pdf("介護支援専門員協議会", out, issued_on=ISSUED)
    assert result.issues == 3 and result.pages == 1 == page_count(out)
    text = pdf_text(out)
    assert_in_order(text, ["課題フィードバックシート", "介護支援専門員協議会 御中", "令和8年11月20日（金）",
                           "一次連携・職種内の課題（1 件）", "二次連携・職種間の課題（1 件）", "三次連携・地域全体の課題（1 件）"])
    flat = squeeze(text)
    responses = squeeze(pdf_text(out, crop=RESPONSE_COLUMN))
    assert "連携拠点：医師とケアマネの懇談会を開く（実施中）結果：第1回を開いた" in responses
    assert "やめた案" not in flat
    assert "取り下げた古い課題" not in flat
    assert_fonts_embedded(out)
    assert not list(tmp_path.glob(".*.tmp"))


def test_failed_write_leaves_no_file(reports, board, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(DomainError, match="フォルダが見つかりません"):
        reports.feedback_pdf("介護支援専門員協議会", tmp_path / "missing" / "x.pdf")
    target = tmp_path / "keep.pdf"
    target.write_bytes(b"old")

    def half_written(data, out, *, fonts_dir):
        out.write(b"%PDF-1.4 half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("zaitaku_desktop.services.issue_reports.write_issue_feedback", half_written)
    with pytest.raises(DomainError, match="空き容量"):
        reports.feedback_pdf("介護支援専門員協議会", target)
    assert target.read_bytes() == b"old"
    assert not list(tmp_path.glob(".*.tmp"))


def test_issue_list_data_columns_and_filters(reports, board) -> None:
    data = reports.issue_list_data(["介護支援専門員", "医療ソーシャルワーカー"], issued_on=ISSUED)
    assert [c.heading for c in data.columns] == ["介護支援専門員", "医療ソーシャルワーカー"]
    # a column holds what that profession raised: its association's issues, else those naming it
    assert data.columns[0].items == ("病院からの退院が急で在宅側の準備が整っていない", "医師との壁",
                                     "介護の相談窓口がわからない")
    assert data.columns[1].items == ("退院後の施設は病院で探してほしい",)
    assert data.title == "一次連携で抽出された課題リスト"
    only_first = reports.issue_list_data(["介護支援専門員", "医師"], layers=["一次"])
    assert [c.items for c in only_first.columns] == [("病院からの退院が急で在宅側の準備が整っていない",), ()]
    with pytest.raises(ValidationError, match="2〜4つ"):
        reports.issue_list_data(["医師"])
    with pytest.raises(ValidationError, match="2〜4つ"):
        reports.issue_list_data(["医師", "薬剤師", "看護師", "歯科医師", "保健師"])
    with pytest.raises(ValidationError, match="2回"):
        reports.issue_list_data(["医師", "医師"])


@requires_poppler
def test_issue_list_pdf_from_the_sample_region(sample_services, tmp_path: Path) -> None:
    reports = IssueReportService(sample_services.issues, sample_services.vocab)
    out = tmp_path / "list.pdf"
    result = reports.issue_list_pdf(["介護支援専門員", "医療ソーシャルワーカー"], out, issued_on=ISSUED)
    assert result.layout.complete and page_count(out) == 1
    titles = [r.title for r in sample_services.issues.list_rows(include_archived=False)
              if r.source_association == "介護支援専門員協議会"
              or (not r.source_association_id and "介護支援専門員" in r.professions)]
    assert titles and result.layout.shown[0] == len(titles)
    assert "一次連携で抽出された課題リスト" in pdf_text(out)
    column = reports.issue_list_data(["介護支援専門員", "医療ソーシャルワーカー"]).columns[0].items
    assert sorted(column) == sorted(titles)
    assert_in_order(pdf_text(out, crop=LEFT_COLUMN), list(column))
    assert_fonts_embedded(out)


# --- command line -----------------------------------------------------------------------

def _run(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    code = cli.main(["--db", str(db), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@requires_poppler
def test_cli_feedback_and_list_pdf(capsys, sample_db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "fb.pdf"
    code, stdout, _ = _run(capsys, sample_db_path, "issues", "feedback", "--association", "介護支援専門員協議会",
                           "--date", "2026-11-20", str(out))
    assert code == 0 and "フィードバックシートを書き出しました：介護支援専門員協議会" in stdout
    assert "令和8年11月20日（金）" in pdf_text(out)
    out2 = tmp_path / "list.pdf"
    code, stdout, _ = _run(capsys, sample_db_path, "issues", "list-pdf", "--professions",
                           "介護支援専門員,医療ソーシャルワーカー", "--layers", "一次,二次", str(out2))
    assert code == 0 and "介護支援専門員｜医療ソーシャルワーカー" in stdout
    assert page_count(out2) == 1


def test_cli_pdf_errors(capsys, sample_db_path: Path, tmp_path: Path) -> None:
    code, _, err = _run(capsys, sample_db_path, "issues", "feedback", "--association", "医師会", str(tmp_path / "x.xlsx"))
    assert code == 2 and ".pdf" in err
    code, _, err = _run(capsys, sample_db_path, "issues", "feedback", "--association", "存在しない会",
                        str(tmp_path / "x.pdf"))
    assert code == 1 and "見つかりません" in err
    code, _, err = _run(capsys, sample_db_path, "issues", "list-pdf", "--professions", "医師", str(tmp_path / "y.pdf"))
    assert code == 1 and "2〜4つ" in err
    code, _, err = _run(capsys, sample_db_path, "issues", "list-pdf", "--professions", "医師,薬剤師",
                        "--layers", "四次", str(tmp_path / "y.pdf"))
    assert code == 2 and "--layers" in err
    code, _, err = _run(capsys, sample_db_path, "issues", "feedback", "--association", "医師会", "--date", "昨日",
                        str(tmp_path / "z.pdf"))
    assert code == 2 and "--date" in err
    assert not list(tmp_path.glob("*.pdf"))
