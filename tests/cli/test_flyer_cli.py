"""Command line: `meetings flyer ID OUT.pdf [--layout] [--colour] [--paper] [--qr] [--tear-off --apply]`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pdf_tools import assert_fonts_embedded, page_count, page_size, pdf_fonts, pdf_text, requires_poppler, squeeze
from zaitaku_desktop import cli

pytestmark = requires_poppler


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, str]:
    """The demo database and the id of 釜石三師会学術講演会."""
    from zaitaku_desktop.services import open_services

    folder = tmp_path_factory.mktemp("cli_flyer")
    db = folder / "demo.sqlite3"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ZAITAKU_HOME", str(folder / "home"))
        assert cli.main(["--db", str(db), "demo"]) == 0
    services = open_services(db, user="tester")
    try:
        rows = services.meetings.period(dt.date(2015, 4, 1), dt.date(2016, 3, 31))
        return db, next(r.id for r in rows if r.title == "釜石三師会学術講演会")
    finally:
        services.close()


def _run(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(["--db", str(db), "meetings", "flyer", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("layout, name", [("poster", "ポスター"), ("leaflet", "2段組み"), ("notice", "お知らせ")])
def test_each_layout_from_the_command_line(capsys, demo, tmp_path, layout, name) -> None:
    db, meeting_id = demo
    out = tmp_path / "講演会チラシ.pdf"
    code, stdout, err = _run(capsys, db, meeting_id, str(out), "--layout", layout, "--colour", "緑",
                             "--qr", "https://www.city.kamaishi.iwate.jp/")
    assert (code, err) == (0, "") and name in stdout and "書き出しました" in stdout and str(out) in stdout
    text = squeeze(pdf_text(out, layout=False))
    assert "釜石三師会学術講演会" in text and "平成27年8月7日（金）" in text and "狭間研至" in text
    assert "申込書" not in text
    assert page_count(out) == 1 and page_size(out) == pytest.approx((595.28, 841.89), abs=0.1)
    assert_fonts_embedded(out)
    assert any(f.name.endswith("IPAexMincho") for f in pdf_fonts(out)) is (layout == "notice")


def test_a3_poster_with_a_tear_off_slip(capsys, demo, tmp_path) -> None:
    db, meeting_id = demo
    out = tmp_path / "poster.pdf"
    code, stdout, _ = _run(capsys, db, meeting_id, str(out), "--paper", "A3", "--tear-off", "--apply", "0193-22-0000")
    assert code == 0 and "A3" in stdout
    assert page_size(out) == pytest.approx((841.89, 1190.55), abs=0.1)
    text = squeeze(pdf_text(out))
    assert "申込書" in text and "FAX：0193-22-0000" in text and "参加人数" in text


@pytest.mark.parametrize("args, message", [
    (["--colour", "pink"], "色の名前が違います"),
    (["--qr", "www.city.kamaishi.iwate.jp"], "http:// または https://"),
    (["--tear-off"], "--apply で申込先のFAX番号"),
])
def test_bad_options_are_refused_in_japanese_and_write_nothing(capsys, demo, tmp_path, args, message) -> None:
    db, meeting_id = demo
    out = tmp_path / "x.pdf"
    code, stdout, err = _run(capsys, db, meeting_id, str(out), *args)
    assert code == 2 and message in err and stdout == "" and not out.exists()


def test_unknown_meeting_and_wrong_suffix(capsys, demo, tmp_path) -> None:
    db, meeting_id = demo
    code, _, err = _run(capsys, db, "no-such-id", str(tmp_path / "x.pdf"))
    assert code == 2 and "ID no-such-id の会議・研修は見つかりません" in err
    code, _, err = _run(capsys, db, meeting_id, str(tmp_path / "x.docx"))
    assert code != 0 and ".pdf" in err and not (tmp_path / "x.docx").exists()
    code, _, err = _run(capsys, db, meeting_id, str(tmp_path / "missing" / "x.pdf"))
    assert code == 2 and "保存先のフォルダが見つかりません" in err
