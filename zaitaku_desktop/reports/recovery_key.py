"""The recovery-key sheet (回復キー): one A4 page the coordinator prints (or saves) and keeps apart from the
laptop. It opens the encrypted database when the passphrase is forgotten.

A pure function of :class:`RecoveryKeyData`: data in, PDF bytes out (A4 portrait, embedded IPAex). The caller
decides where the bytes go; the program itself never writes the key to a file it chooses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from zaitaku_desktop.domain.dates import format_wareki

from .document import PageSetup, render_pdf
from .fonts import GOTHIC, register_fonts
from .styles import ACCENT, HEADER_FILL, RULE, grid_table_style, make_styles, para

TITLE = "データベースの回復キー"
PURPOSE = ("パスフレーズ（パスワード）を忘れたときに、このキーでデータベースを開けます。"
           "このキーを持つ人は誰でもデータベースを開けるため、パソコンとは別の、鍵のかかる場所に保管してください。")
NOTES = (
    "キーの文字は A〜Z と 2〜7 だけです（数字の 0・1・8・9 は使いません）。区切りの「-」や空白は入力しなくてもかまいません。",
    "パスフレーズを変更して新しい回復キーが表示されたら、この紙は使えなくなります。シュレッダーなどで破棄してください。",
    "この紙をコピー・撮影したり、メールやチャットで送ったりしないでください。",
)
GROUPS_PER_ROW = 5
_WIDTH_MM = 180  # A4 portrait with 15 mm margins


@dataclass(frozen=True)
class RecoveryKeyData:
    key: str  # as storage.crypto.format_recovery_key writes it: groups of four joined by "-"
    database_name: str  # the file name only, never the folder
    issued_on: dt.date
    user: str = ""  # who set the passphrase


def key_groups(key: str) -> list[str]:
    """The key's groups of four, whatever separators it was written with."""
    flat = "".join(ch for ch in key.upper() if ch.isalnum())
    return [flat[i:i + 4] for i in range(0, len(flat), 4)]


def _key_table(key: str) -> Table:
    groups = key_groups(key)
    rows = [groups[i:i + GROUPS_PER_ROW] for i in range(0, len(groups), GROUPS_PER_ROW)]
    rows[-1] += [""] * (GROUPS_PER_ROW - len(rows[-1]))
    style = TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), GOTHIC), ("FONTSIZE", (0, 0), (-1, -1), 20),
        ("LEADING", (0, 0), (-1, -1), 24), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TEXTCOLOR", (0, 0), (-1, -1), ACCENT),
        ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
        ("BOX", (0, 0), (-1, -1), 1.2, ACCENT), ("INNERGRID", (0, 0), (-1, -1), 0.3, RULE),
    ])
    width = _WIDTH_MM * mm / GROUPS_PER_ROW
    return Table(rows, colWidths=[width] * GROUPS_PER_ROW, style=style)


def _facts_table(data: RecoveryKeyData, st) -> Table:
    rows = [[para("データベースのファイル名", st.cell), para(data.database_name, st.cell)],
            [para("作成日", st.cell), para(format_wareki(data.issued_on), st.cell)]]
    if data.user:
        rows.append([para("パスフレーズを設定した人", st.cell), para(data.user, st.cell)])
    style = grid_table_style(header_rows=0)
    style.add("BACKGROUND", (0, 0), (0, -1), HEADER_FILL)
    return Table(rows, colWidths=[50 * mm, (_WIDTH_MM - 50) * mm], style=style, hAlign="LEFT")


def _storage_box(st) -> Table:
    """Blank cells for where the sheet is kept and by whom, filled in by hand."""
    rows = [[para(label, st.cell), ""] for label in ("保管場所", "保管した人", "保管した日")]
    style = grid_table_style(header_rows=0)
    style.add("BACKGROUND", (0, 0), (0, -1), HEADER_FILL)
    style.add("VALIGN", (0, 0), (-1, -1), "MIDDLE")
    style.add("BOX", (0, 0), (-1, -1), 1, ACCENT)
    return Table(rows, colWidths=[50 * mm, (_WIDTH_MM - 50) * mm], rowHeights=[24 * mm, 11 * mm, 11 * mm],
                 style=style, hAlign="LEFT")


def build_story(data: RecoveryKeyData) -> list:
    st = make_styles(10.5)
    label = ParagraphStyle("KeyLabel", parent=st.heading, alignment=TA_CENTER)
    story: list = [para(TITLE, st.title), para("在宅医療・介護連携 データベース", st.subtitle),
                   para(PURPOSE, st.body), Spacer(1, 6 * mm), para("回復キー", label), _key_table(data.key),
                   Spacer(1, 6 * mm), _facts_table(data, st), Spacer(1, 4 * mm),
                   para("この紙の保管（手書きで記入してください）", st.body), Spacer(1, 1.5 * mm), _storage_box(st),
                   Spacer(1, 5 * mm)]
    story += [para(note, st.small, bullet="・") for note in NOTES]
    return story


def write_recovery_key(data: RecoveryKeyData, out: BinaryIO, *, fonts_dir: Path | str) -> int:
    """Write the recovery-key sheet as PDF to ``out``; return the number of pages (always 1)."""
    register_fonts(fonts_dir)
    setup = PageSetup(title=TITLE, author=data.user, subject="回復キー")
    return render_pdf(out, lambda: build_story(data), setup)
