"""Emergency contact sheet (災害時連絡先一覧) for a power cut: one or two A4 pages, dense, big phone numbers.

Providers with 24時間対応 and those able to take patients on 人工呼吸器 / 在宅酸素 / 透析, grouped by
category, with their phone, FAX and the key persons' direct numbers. Only the providers' contacts —
no personal data of citizens. The text shrinks step by step until the sheet fits on two pages.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from zaitaku_desktop.domain.dates import format_date
from zaitaku_desktop.domain.vocab import MARKS

from .directory import vertical_label
from .document import PageSetup, render_pdf
from .fonts import register_fonts
from .styles import HEADER_FILL, grid_table_style, make_styles, para

TITLE = "災害時連絡先一覧"
MAX_PAGES = 2
SCALES = (1.0, 0.9, 0.8, 0.72, 0.65, 0.58)


@dataclass(frozen=True)
class EmergencyEntry:
    name: str
    category: str
    phone: str = ""
    fax: str = ""
    municipality: str = ""
    key_persons: tuple[tuple[str, str, str], ...] = ()  # (name, role, direct phone)
    all_day: bool = False  # 24時間対応
    marks: tuple[str, ...] = ()  # one per EmergencyData.procedure_columns


@dataclass(frozen=True)
class EmergencyData:
    entries: tuple[EmergencyEntry, ...]
    procedure_columns: tuple[str, ...]
    issued_on: dt.date
    publisher: str = ""
    hub_phone: str = ""
    date_style: str = "wareki"


def _person(name: str, role: str, phone: str) -> str:
    return name + (f"（{role}）" if role else "") + (f" {phone}" if phone else "")


def build_story(data: EmergencyData, scale: float = 1.0) -> list:
    st = make_styles(9 * scale)
    big = make_styles(12 * scale).body
    issued = format_date(data.issued_on, data.date_style)
    story: list = [para(TITLE + "（停電・災害時用）", st.title),
                   para(f"{issued} 現在" + (f"　{data.publisher}" if data.publisher else "")
                        + (f"　連絡先 {data.hub_phone}" if data.hub_phone else ""), st.right),
                   para("24時間対応の事業所と、" + "・".join(data.procedure_columns or ("医療処置",))
                        + "の患者を受け入れられる事業所（○ 可・△ 要相談）の連絡先です。停電時は電話がつながりにくいため、"
                        "FAXやキーパーソンの直通番号も使ってください。この一覧には市民（患者・利用者）の個人情報は載せていません。",
                        st.small), Spacer(1, 2 * mm)]
    if not data.entries:
        return story + [para("該当する事業所が登録されていません（「24時間対応」のサービス、または医療処置の○・△）。", st.body)]
    n = len(data.procedure_columns)
    mark_w = 6 * mm
    widths = [50 * mm, 32 * mm, 27 * mm, 0, 11 * mm] + [mark_w] * n
    widths[3] = 180 * mm - sum(widths)
    head = [para(t, st.cell_head) for t in ("名称", "電話", "FAX", "キーパーソン（直通）", "24時間")]
    head += [para(vertical_label(c), make_styles(7 * scale).cell_head) for c in data.procedure_columns]
    rows, style = [head], grid_table_style()
    style.add("ALIGN", (4, 1), (-1, -1), "CENTER")
    style.add("VALIGN", (0, 1), (-1, -1), "MIDDLE")
    category = None
    for e in data.entries:
        if e.category != category:
            category = e.category
            style.add("SPAN", (0, len(rows)), (-1, len(rows)))
            style.add("BACKGROUND", (0, len(rows)), (-1, len(rows)), HEADER_FILL)
            rows.append([para(category, st.cell)] + [""] * (len(widths) - 1))
        name = [para(e.name, st.cell)] + ([para(e.municipality, st.cell_small)] if e.municipality else [])
        rows.append([name, para(e.phone or "－", big), para(e.fax or "－", st.body),
                     [para(_person(*p), st.cell_small) for p in e.key_persons] or para("－", st.cell_small),
                     para("○" if e.all_day else "", st.center), *(para(m, st.center) for m in e.marks)])
    story.append(Table(rows, colWidths=widths, repeatRows=1, style=style, hAlign="LEFT"))
    legend = "　".join(f"{m} {label}" for m, label in MARKS.items() if m and m in "○△")
    story += [Spacer(1, 1.5 * mm), para(f"医療処置の欄：{legend}（空欄は不可・未確認）。内容は最終確認日時点のものです。", st.small)]
    return story


def write_emergency_sheet(data: EmergencyData, out: BinaryIO, *, fonts_dir: Path | str) -> int:
    """Write the sheet (as few pages as the text sizes allow, normally ≤ 2) to ``out``; return the pages."""
    register_fonts(fonts_dir)
    setup = PageSetup(margin_mm=15, top_mm=14, bottom_mm=12, header_left=TITLE,
                      header_right=format_date(data.issued_on, data.date_style) + " 現在", title=TITLE,
                      author=data.publisher, subject="停電・災害時の連絡先")
    for scale in SCALES:
        pdf = io.BytesIO()
        pages = render_pdf(pdf, lambda: build_story(data, scale), setup)
        if pages <= MAX_PAGES:
            break
    out.write(pdf.getvalue())
    return pages
