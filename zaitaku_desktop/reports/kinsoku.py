"""Japanese line breaking (禁則処理) for ReportLab paragraphs.

ReportLab's CJK wrap (``wordWrap='CJK'``) already lets *one* closing character hang in the right
margin, but it misses several characters (full-width ！？，．：； and 〜), lets the second of two
closing characters (「。」」) start the next line, never keeps an opening bracket off a line end,
and the hanging glyph sticks out of table cells. :class:`Paragraph` here breaks lines itself:

* a line never starts with a character of :data:`CANNOT_START` (、。」）ー… — JIS X 4051 style),
* a line never ends with a character of :data:`CANNOT_END` (「（【…),
* runs of Latin letters and digits (ICT, 0193-22-1234) are not cut in the middle,

by pushing characters to the next line (追い出し) so nothing overflows the frame. Only when no
break point exists within half a line does it fall back to a forced break.
"""

from __future__ import annotations

from reportlab.platypus import paragraph as _rl_paragraph
from reportlab.platypus.paragraph import ParaLines, cjkU, makeCJKParaLine

# Closing brackets, punctuation, small kana, the long vowel mark, iteration marks, dashes.
CANNOT_START: frozenset[str] = frozenset(
    "、。，．・：；？！‼⁇⁈⁉゛゜ヽヾゝゞ々〻〵ー―‐〜～"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
    "」』）〕］｝〉》】〙〗〟’”｣､｡"
    ",.!?:;)]}%‰℃°′″"
)
# Opening brackets and quotes.
CANNOT_END: frozenset[str] = frozenset("「『（〔［｛〈《【〘〖〝‘“｢([{")

_FUZZ = 1e-6


def _is_word_char(ch: str) -> bool:
    """Part of a Latin word or number that should not be split (ASCII/Latin letters, digits, '-', '.')."""
    return bool(ch) and ord(ch) < 0x2E80 and not ch.isspace()


def _can_break_before(chars: list[str], pos: int) -> bool:
    before, after = chars[pos - 1], chars[pos]
    if after in CANNOT_START or before in CANNOT_END:
        return False
    if _is_word_char(before) and _is_word_char(after) and before not in CANNOT_START:
        return False
    return True


def break_position(chars: list[str], start: int, overflow: int) -> int:
    """Where to end the line chars[start:…] when chars[overflow] no longer fits.

    Returns an index ``b`` (start < b <= overflow): the line is ``chars[start:b]``. Looks back at most
    half the line for a permitted break; failing that, breaks at ``overflow`` (never loops).
    """
    limit = start + max(1, (overflow - start) // 2)
    for b in range(overflow, limit - 1, -1):
        if b > start and _can_break_before(chars, b):
            return b
    return max(overflow, start + 1)


def split_lines(text: str, fits) -> list[str]:
    """Plain-text version of the breaking rule, for tests and for measuring: ``fits(s)`` says whether
    string ``s`` fits on one line."""
    chars = list(text)
    lines: list[str] = []
    start = 0
    while start < len(chars):
        end = start + 1
        while end < len(chars) and fits("".join(chars[start:end + 1])):
            end += 1
        if end >= len(chars):
            lines.append("".join(chars[start:]))
            break
        b = break_position(chars, start, end)
        lines.append("".join(chars[start:b]))
        start = b
    return lines


def _width(u, max_width: float) -> float:
    w = u.width
    if hasattr(w, "normalizedValue"):
        w._normalizer = max_width
        w = w.normalizedValue(max_width)
    return w


def kinsoku_frag_split(frags, max_widths, calc_bounds: bool, encoding: str = "utf8") -> ParaLines:
    """Break ReportLab paragraph fragments into lines following the rules above (kind=1 lines)."""
    units = []
    for f in frags:
        text = f.text
        if isinstance(text, bytes):
            text = text.decode(encoding)
        if text:
            units.extend(cjkU(t, f, encoding) for t in text)
        else:
            units.append(cjkU(text, f, encoding))
    chars = [str(u) for u in units]
    lines = []
    n = len(units)
    start = 0
    while start < n:
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        used = 0.0
        i = start
        hard_break = False
        while i < n:
            u = units[i]
            w = _width(u, max_width)
            if used + w > max_width + _FUZZ and i > start:
                break
            used += w
            i += 1
            if hasattr(u.frag, "lineBreak"):
                hard_break = True
                break
        if hard_break or i >= n:
            lines.append(makeCJKParaLine(units[start:i], max_width, used, max_width - used, hard_break, calc_bounds))
            start = i
            continue
        b = break_position(chars, start, i)
        used = sum(_width(u, max_width) for u in units[start:b])
        lines.append(makeCJKParaLine(units[start:b], max_width, used, max_width - used, False, calc_bounds))
        start = b
        # a plain space at the break point is swallowed, not drawn at the start of the next line
        if start < n and chars[start] == " " and not hasattr(units[start].frag, "lineBreak"):
            start += 1
    return ParaLines(kind=1, lines=lines)


class Paragraph(_rl_paragraph.Paragraph):
    """A ReportLab Paragraph whose CJK wrapping follows the kinsoku rules (use with wordWrap='CJK')."""

    def breakLinesCJK(self, maxWidths):  # noqa: N802,N803 - ReportLab's names
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        style = self.style
        self.height = 0
        _rl_paragraph._handleBulletWidth(self.bulletText, style, maxWidths)
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return self.blPara
        frags = self.frags
        if not frags:
            return ParaLines(kind=0, fontSize=style.fontSize, fontName=style.fontName, textColor=style.textColor,
                             lines=[], ascent=style.fontSize, descent=-0.2 * style.fontSize)
        auto_leading = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
        return kinsoku_frag_split(frags, maxWidths, auto_leading not in ("", "off"))
