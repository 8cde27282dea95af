"""Japanese line breaking: no line starts with 、。」ー etc., none ends with 「（, nothing overflows."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from reportlab.platypus import Paragraph as PlainParagraph

from pdf_tools import FORBIDDEN_LINE_STARTS, line_starts, pdf_text, requires_poppler, squeeze
from zaitaku_desktop import paths
from zaitaku_desktop.reports.document import PageSetup, render_pdf
from zaitaku_desktop.reports.fonts import register_fonts
from zaitaku_desktop.reports.kinsoku import CANNOT_END, CANNOT_START, Paragraph, split_lines
from zaitaku_desktop.reports.styles import make_styles, para

PER_LINE = 10  # full-width characters per line in the tests below


def _fits(s: str) -> bool:  # every character one em wide
    return len(s) <= PER_LINE


@pytest.mark.parametrize("text", [
    "あ" * PER_LINE + "。いう",  # a naive wrap starts line 2 with 。
    "あ" * (PER_LINE - 1) + "。」いう",  # two closing characters in a row
    "あ" * PER_LINE + "ーー",  # long vowel marks
    "あ" * (PER_LINE - 1) + "「いう」",  # an opening bracket must not end a line
    "あ" * (PER_LINE - 3) + "ICT化の推進",  # a Latin word is not cut
    "あ" * 25 + "、" + "い" * 9 + "。" * 2,
])
def test_split_lines_follows_the_rules(text: str) -> None:
    lines = split_lines(text, _fits)
    assert "".join(lines) == text
    assert len(lines) >= 2
    for line in lines:
        assert len(line) <= PER_LINE
    for line in lines[1:]:
        assert line[0] not in CANNOT_START
    for line in lines[:-1]:
        assert line[-1] not in CANNOT_END
    if "ICT" in text:
        assert any("ICT" in line for line in lines)


def test_split_lines_always_progresses() -> None:
    assert split_lines("。" * 25, _fits) == ["。" * 10, "。" * 10, "。" * 5]
    assert split_lines("", _fits) == []


def _width_for(chars: int, size: float) -> float:
    return chars * size + 0.01  # IPAex full-width glyphs are 1 em wide


def test_paragraph_lines_never_overflow_or_break_rules() -> None:
    register_fonts(paths.fonts_dir())
    style = make_styles(10).body
    text = "あ" * 12 + "。」" + "い" * 11 + "、" + "う" * 11 + "ーー" + "え" * 10 + "（お）" + "か" * 20
    p = Paragraph(text, style)
    width = _width_for(PER_LINE + 2, style.fontSize)
    p.wrap(width, 10_000)
    lines = ["".join(w.text for w in line.words) for line in p.blPara.lines]
    assert "".join(lines) == text
    for line in p.blPara.lines:
        assert line.extraSpace >= -1e-6  # nothing hangs into the margin
    for line in lines[1:]:
        assert line[0] not in CANNOT_START
    for line in lines[:-1]:
        assert line[-1] not in CANNOT_END


def test_stock_reportlab_would_start_a_line_with_a_closing_bracket() -> None:
    """Why kinsoku.Paragraph exists: ReportLab's CJK wrap hangs only one closing character."""
    register_fonts(paths.fonts_dir())
    style = make_styles(10).body
    text = "あ" * 12 + "。」" + "い" * 30
    p = PlainParagraph(text, style)
    p.wrap(_width_for(PER_LINE + 2, style.fontSize), 10_000)
    assert p.blPara.kind == 0  # a single run of text: lines are (extra space, [text])
    starts = [line[1][0][0] for line in p.blPara.lines]
    assert "」" in starts


@requires_poppler
def test_no_pdf_line_starts_with_a_forbidden_character(tmp_path: Path) -> None:
    register_fonts(paths.fonts_dir())
    st = make_styles(10)
    # Each paragraph puts a forbidden character exactly where a naive wrap would break.
    width = PageSetup().frame_size()[0]
    per_line = int(width // 10)
    texts = [
        "退" * per_line + "。病院からの退院が急で在宅側の準備が整っていない。",
        "院" * (per_line - 1) + "。」と話していた。ケアマネはケアマネの理論で動く。",
        "調" * per_line + "ーー医師との壁、",
        "整" * per_line + "、" + "在" * (per_line - 1) + "」" + "宅" * 5,
    ]
    out = tmp_path / "kinsoku.pdf"
    with out.open("wb") as f:
        render_pdf(f, lambda: [para(t, st.body) for t in texts], PageSetup())
    text = pdf_text(out)
    starts = line_starts(text)
    assert len(starts) >= 2 * len(texts)  # every paragraph wrapped
    assert not [c for c in starts if c in FORBIDDEN_LINE_STARTS]
    assert squeeze(text) == squeeze("".join(texts))


def test_user_text_is_escaped_and_keeps_line_breaks() -> None:
    register_fonts(paths.fonts_dir())
    out = io.BytesIO()
    st = make_styles(10)
    render_pdf(out, lambda: [para("<b>A&B</b>\n2行目", st.body)], PageSetup())
    assert out.getvalue().startswith(b"%PDF")
