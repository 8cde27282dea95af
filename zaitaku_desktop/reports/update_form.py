"""Provider update form (資源情報確認票): one A4 page per provider, pre-filled with what the list holds
(contacts, services, the ○/△/× matrix, key persons) beside blank space for corrections, under a FAX-back
header addressed to the hub. Printed in batch: one PDF, one provider a page (each page is shrunk to fit
when a provider has unusually much to show).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepInFrame, PageBreak, Spacer, Table, TableStyle

from zaitaku_desktop.domain.dates import format_date

from .document import PageSetup, render_pdf
from .fonts import GOTHIC, register_fonts
from .styles import ACCENT, HEADER_FILL, grid_table_style, make_styles, para

TITLE = "資源情報確認票"
FRAME_W, FRAME_H = 180 * mm, 271 * mm
BOX = "□"


@dataclass(frozen=True)
class UpdateFormEntry:
    resource_id: str
    name: str
    reading: str = ""
    category: str = ""
    municipality: str = ""
    district: str = ""
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""
    url: str = ""
    opening_hours: str = ""
    visit_area: str = ""
    capabilities: frozenset[str] = frozenset()
    marks: dict[str, str] = field(default_factory=dict)  # procedure name → ○ / △ / ×
    key_persons: tuple[tuple[str, str, str], ...] = ()  # (name, role, phone)
    last_confirmed: dt.date | None = None


@dataclass(frozen=True)
class UpdateFormData:
    forms: tuple[UpdateFormEntry, ...]
    capability_columns: tuple[str, ...]
    procedure_columns: tuple[str, ...]
    issued_on: dt.date
    hub_name: str = ""
    hub_fax: str = ""
    hub_phone: str = ""
    reply_by: dt.date | None = None
    date_style: str = "wareki"


def _fax_header(data: UpdateFormData, st) -> Table:
    big = make_styles(15).body
    to = f"FAX送信先：{data.hub_fax or '＿＿＿＿＿＿＿＿'}"
    lines = [para(to, big), para(f"{data.hub_name or '在宅医療・介護連携の窓口'} 宛" + (
        f"（お問い合わせ {data.hub_phone}）" if data.hub_phone else ""), st.body)]
    reply = (f"{format_date(data.reply_by, data.date_style)}までに" if data.reply_by else "お手数ですが") + \
        "、この用紙1枚をそのままFAXでご返送ください。"
    lines.append(para(reply, st.small))
    return Table([[lines, [para("送信枚数", st.cell_small), para("1 枚（この用紙のみ）", st.cell)]]],
                 colWidths=[140 * mm, 40 * mm], style=TableStyle([
                     ("FONTNAME", (0, 0), (-1, -1), GOTHIC), ("BOX", (0, 0), (-1, -1), 1.2, ACCENT), ("LINEBEFORE", (1, 0), (1, 0), 0.5, ACCENT),
                     ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 4),
                     ("BOTTOMPADDING", (0, 0), (-1, -1), 5), ("LEFTPADDING", (0, 0), (-1, -1), 6)]))


def _facts(form: UpdateFormEntry, st) -> Table:
    area = "・".join(x for x in (form.municipality, form.district) if x)
    address = (f"〒{form.postal_code} " if form.postal_code else "") + form.address
    facts = [("名称", form.name), ("読み", form.reading), ("種別・地区", "・".join(x for x in (form.category, area) if x)),
             ("所在地", address), ("電話", form.phone), ("FAX", form.fax), ("メール", form.email),
             ("ホームページ", form.url), ("営業日・時間", form.opening_hours), ("訪問エリア", form.visit_area)]
    persons = list(form.key_persons) + [("", "", "")]
    for i, (name, role, phone) in enumerate(persons, 1):
        text = name + (f"（{role}）" if role else "") + (f"　直通 {phone}" if phone else "")
        facts.append((f"キーパーソン{i}" if name else "追加の方", text))
    head = [para(t, st.cell_head) for t in ("項目", "現在の登録内容", "訂正・追加（変更がある欄だけご記入ください）")]
    # the empty correction cell keeps every row tall enough to write in by hand
    rows = [head] + [[para(label, st.cell), para(value or "（未登録）", st.cell), Spacer(1, 4.2 * mm)]
                     for label, value in facts]
    style = grid_table_style()
    style.add("BACKGROUND", (0, 1), (0, -1), HEADER_FILL)
    return Table(rows, colWidths=[26 * mm, 72 * mm, 82 * mm], style=style, hAlign="LEFT")


def _signature(st) -> Table:
    cells = [para("ご記入日", st.cell), "　　年　　月　　日", para("ご記入者", st.cell), "",
             para("ご連絡先", st.cell), ""]
    return Table([cells], colWidths=[16 * mm, 34 * mm, 16 * mm, 50 * mm, 16 * mm, 48 * mm], style=TableStyle([
        ("LINEBELOW", (1, 0), (1, 0), 0.5, ACCENT), ("LINEBELOW", (3, 0), (3, 0), 0.5, ACCENT),
        ("LINEBELOW", (5, 0), (5, 0), 0.5, ACCENT), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("FONTNAME", (0, 0), (-1, -1), GOTHIC), ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("TOPPADDING", (0, 0), (-1, -1), 6)]), hAlign="LEFT")


def _pairs(items: list[tuple[str, str, str]], st, heads: tuple[str, str, str]) -> Table:
    """Two side-by-side columns of (name, current value, boxes to tick)."""
    half = (len(items) + 1) // 2
    left, right = items[:half], items[half:] + [("", "", "")] * (half - len(items[half:]))
    head = [para(h, st.cell_head) for h in heads] * 2
    def cells(name: str, now: str, boxes: str) -> list:
        return [para(name, st.cell), para(now, st.center), para(boxes, st.cell)]

    rows = [head] + [cells(*a) + cells(*b) for a, b in zip(left, right)]
    widths = [40 * mm, 12 * mm, 38 * mm] * 2
    style = grid_table_style()
    style.add("LINEBEFORE", (3, 0), (3, -1), 1.0, ACCENT)
    return Table(rows, colWidths=widths, style=style, hAlign="LEFT")


def _form_story(form: UpdateFormEntry, data: UpdateFormData, st) -> list:
    last = format_date(form.last_confirmed, data.date_style) if form.last_confirmed else "未確認"
    section = ParagraphStyle("FormSection", parent=st.body, textColor=ACCENT, spaceAfter=1 * mm)
    story = [_fax_header(data, st), Spacer(1, 3 * mm), para(TITLE, st.title),
             para(f"{form.name}　御中", st.subtitle),
             para(f"{format_date(data.issued_on, data.date_style)}　前回の確認日：{last}", st.right),
             para("いつもお世話になっております。地域の医療・介護の資源一覧（ケアマネジャーや病院の連携室、市民の方への"
                  "ご案内に使います）に掲載している貴事業所の情報です。内容をご確認のうえ、変更がある欄は右側にご記入ください。"
                  "変更がない場合も「変更なし」に印をつけてご返送ください。", st.small),
             Spacer(1, 2 * mm),
             para(f"{BOX} 変更なし　　{BOX} 変更あり（下の表の右側に記入）　　{BOX} 掲載をやめたい", st.body),
             Spacer(1, 2 * mm), _facts(form, st)]
    if data.capability_columns:
        caps = [(c, "あり" if c in form.capabilities else "", f"{BOX}あり {BOX}なし") for c in data.capability_columns]
        story += [Spacer(1, 2.5 * mm), para("サービス・対応", section),
                  _pairs(caps, st, ("サービス", "現在", "訂正"))]
    if data.procedure_columns:
        procs = [(p, form.marks.get(p, ""), f"{BOX}○ {BOX}△ {BOX}×") for p in data.procedure_columns]
        story += [Spacer(1, 2.5 * mm), para("医療処置の受け入れ（○ 可　△ 要相談　× 不可　空欄 未確認）", section),
                  _pairs(procs, st, ("医療処置", "現在", "訂正"))]
    story += [Spacer(1, 4 * mm),
              _signature(st),
              Spacer(1, 1.5 * mm), para("その他・お知らせいただきたいこと（空き状況、新しいサービスなど）", st.small),
              Table([[""]], colWidths=[FRAME_W], rowHeights=[13 * mm], style=grid_table_style(header_rows=0))]
    return story


def build_story(data: UpdateFormData) -> list:
    st = make_styles(8.5)
    story: list = []
    for i, form in enumerate(data.forms):
        if i:
            story.append(PageBreak())
        story.append(KeepInFrame(FRAME_W, FRAME_H, _form_story(form, data, st), mode="shrink"))
    return story


def write_update_forms(data: UpdateFormData, out: BinaryIO, *, fonts_dir: Path | str) -> int:
    """Write one page per provider to ``out``; return the number of pages (= providers)."""
    register_fonts(fonts_dir)
    setup = PageSetup(margin_mm=15, top_mm=13, bottom_mm=13, title=TITLE, author=data.hub_name,
                      subject="資源情報の確認のお願い")
    return render_pdf(out, lambda: build_story(data), setup)
