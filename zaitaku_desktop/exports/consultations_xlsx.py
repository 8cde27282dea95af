"""Consultations (task オ) as Excel workbooks: the statistics (anonymous, one sheet per view) and the case list
(anonymous unless the user explicitly chose names).

Pure: they take the consultation service's read shapes (``ConsultationStats``; ``ConsultationRow`` or
``ConsultationDetail`` for the list), read by attribute, and write atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook

from zaitaku_desktop.domain.consultations import mask_name

from .atomic import write_atomically
from .issues_xlsx import DATE_FORMAT, TOTAL_FONT, _append, _finish, _header, _text

# (sheet name, ConsultationStats attribute, header over the row labels) in the order of the workbook
STATS_VIEWS: tuple[tuple[str, str, str], ...] = (
    ("月別", "by_month_window", "月"), ("相談者の区分", "by_requester", "相談者の区分"), ("分類", "by_category", "分類"),
    ("受付方法", "by_channel", "受付方法"), ("状況", "by_status", "状況"),
)
CATEGORY_NOTE = "※ 複数の分類にかかわる相談は、それぞれの分類の行に数えています。"
ANONYMOUS_NOTE = "※ 個人を特定できる情報は含みません。"

# The case list: (header, width, kind); kind "date"/"datetime" sets the number format, "wrap" wraps text.
BASE_COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("相談番号", 11, ""), ("受付日時", 17, "datetime"), ("窓口", 11, ""), ("経路", 8, ""), ("相談者の種別", 16, ""),
    ("分類", 30, "wrap"), ("状況", 8, ""), ("担当", 12, ""), ("次の対応日", 12, "date"), ("対応時間（分）", 9, ""),
)
AREA_COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("年齢", 11, ""), ("市町村", 10, ""), ("地区", 12, ""), ("要介護度", 10, ""), ("紹介の数", 8, ""),
    ("同意", 6, ""), ("サンプル", 8, ""),
)
MASKED_COLUMNS = (("氏名（伏せ字）", 14, ""),)
NAME_COLUMNS = (("氏名", 16, ""), ("相談者の氏名", 16, ""))
DETAIL_COLUMNS = (("ふりがな", 16, ""), ("電話", 14, ""), ("相談者の所属", 20, ""), ("相談者の連絡先", 16, ""),
                  ("相談内容", 50, "wrap"), ("回答・助言", 50, "wrap"))


def with_totals(table: Any, label: str) -> tuple[list[str], list[list[Any]]]:
    """A CrossTable as a header (``label`` over the row labels) and body lines with a 計 column, then a 計 line."""
    header = [label, *table.column_labels, "計"]
    body = [[label, *cells, sum(cells)] for label, cells in zip(table.row_labels, table.cells)]
    columns = [sum(line[i] for line in table.cells) for i in range(len(table.column_labels))]
    return header, body + [["計", *columns, sum(columns)]]


def write_stats_xlsx(stats: Any, path: Path) -> None:
    """概要, one sheet per cross table (with totals) and 紹介先 — counts only, never a person."""
    write_atomically(Path(path), lambda handle: _write_stats(handle, stats))


def _write_stats(handle: BinaryIO, stats: Any) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "概要"
    _header(ws, (("項目", 18), ("値", 22)))
    for line in (("期間の開始", stats.start), ("期間の終了", stats.end), ("相談件数", stats.total),
                 ("平均対応時間（分）", round(stats.average_minutes, 1) if stats.average_minutes is not None else None)):
        ws.append(list(line))
    for row in (2, 3):
        ws.cell(row=row, column=2).number_format = DATE_FORMAT
    ws.append([])
    ws.append([ANONYMOUS_NOTE])
    for sheet, attr, label in STATS_VIEWS:
        header, body = with_totals(getattr(stats, attr), label)
        ws = wb.create_sheet(sheet)
        _header(ws, [(header[0], 26)] + [(h, 12) for h in header[1:]])
        for line in body:
            _append(ws, line)
        for cell in ws[ws.max_row]:
            cell.font = TOTAL_FONT
        if attr == "by_category":
            ws.append([])
            ws.append([CATEGORY_NOTE])
    ws = wb.create_sheet("紹介先")
    _header(ws, (("順位", 6), ("紹介先", 40), ("種別", 20), ("紹介の数", 10)))
    for rank, (name, category, count) in enumerate(stats.top_referrals, start=1):
        _append(ws, [rank, _text(name), _text(category), count])
    _finish(ws, (None,) * 4, len(stats.top_referrals))
    wb.save(handle)


def write_case_list_xlsx(rows: Sequence[Any], path: Path | BinaryIO, *, include_names: bool) -> int:
    """One line per consultation. Anonymous by default: the person's name masked (domain mask_name), no
    requester names or contacts, no case text. ``include_names=True`` (the user's explicit choice, which the
    caller records in the access log) adds the names, and — for ConsultationDetail items — the reading,
    phone, the requester's affiliation and contact, and what was asked and answered. Returns the count."""
    items = list(rows)
    with_details = include_names and any(hasattr(item, "row") for item in items)
    columns = list(BASE_COLUMNS) + list(NAME_COLUMNS if include_names else MASKED_COLUMNS) + list(AREA_COLUMNS)
    if with_details:
        columns += DETAIL_COLUMNS
    if hasattr(path, "write"):  # an open binary file (memory, for an encrypted ZIP)
        _write_cases(path, items, columns, include_names, with_details)
    else:
        write_atomically(Path(path), lambda handle: _write_cases(handle, items, columns, include_names, with_details))
    return len(items)


def _write_cases(handle: BinaryIO, items: list[Any], columns: list[tuple[str, float, str]], include_names: bool,
                 with_details: bool) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "相談一覧"
    _header(ws, [(h, w) for h, w, _ in columns])
    for item in items:
        r = getattr(item, "row", item)
        values = [r.case_no, r.received_at, r.window, r.channel, r.requester_type, "、".join(r.categories), r.status,
                  _text(r.handled_by), r.follow_up_due, r.minutes_spent]
        values += [_text(r.person_name), _text(r.requester_name)] if include_names else [mask_name(r.person_name) or None]
        values += [r.age_band or None, r.municipality or None, r.district or None, r.care_level or None,
                   r.referral_count, "○" if r.has_consent else None, "○" if r.is_sample else None]
        if with_details:
            d = item if hasattr(item, "row") else None
            values += [_text(getattr(d, name, "")) for name in ("person_reading", "person_phone",
                       "requester_affiliation", "requester_contact", "question", "answer")]
        _append(ws, values)
    kinds = [kind for _, _, kind in columns]
    _finish(ws, columns, len(items), date_columns=_where(kinds, "date"), datetime_columns=_where(kinds, "datetime"),
            wrap_columns=_where(kinds, "wrap"))
    wb.save(handle)


def _where(kinds: list[str], kind: str) -> tuple[int, ...]:
    return tuple(i for i, k in enumerate(kinds, start=1) if k == kind)


__all__ = ["write_stats_xlsx", "write_case_list_xlsx", "with_totals", "STATS_VIEWS"]
