"""The columns of the resource list file (shared by the .xlsx and .csv writers).

The list is a pure function of plain rows: any object with the attributes of
``models.ResourceRow`` will do (this layer does not import the models).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Iterator, Protocol, Sequence

HEAD_COLUMNS: tuple[str, ...] = (
    "ID", "名称", "読み", "種別", "市町村", "地区", "郵便番号", "住所", "電話番号", "FAX番号",
    "メール", "URL", "緯度", "経度", "営業日・時間", "訪問エリア",
)
TAIL_COLUMNS: tuple[str, ...] = (
    "キーパーソン", "ショートステイ空き", "空き状況の日付", "備考", "最終確認日", "確認方法", "更新日時",
)

PERSON_SEPARATOR = "／"
# A phone number that can follow a name without brackets and still be read back.
_PLAIN_PHONE_RE = re.compile(r"[0-9０-９+＋][0-9０-９\-‐－ー−―]*")


class KeyPersonLike(Protocol):
    name: str
    role: str
    phone: str


@dataclass(frozen=True)
class ResourceListData:
    """What the list export needs: the vocabulary columns and the rows, in order."""

    capabilities: Sequence[str]
    procedures: Sequence[str]
    rows: Sequence[Any]  # shaped like models.ResourceRow
    sheet_title: str = "資源一覧"

    def headers(self) -> list[str]:
        return [*HEAD_COLUMNS, *self.capabilities, *self.procedures, *TAIL_COLUMNS]

    def date_columns(self) -> tuple[int, int]:
        """0-based indexes of 空き状況の日付 and 最終確認日."""
        base = len(HEAD_COLUMNS) + len(self.capabilities) + len(self.procedures)
        return base + 2, base + 4

    def updated_column(self) -> int:
        """0-based index of 更新日時."""
        return len(HEAD_COLUMNS) + len(self.capabilities) + len(self.procedures) + 6

    def text_columns(self) -> tuple[int, ...]:
        """0-based indexes of the columns that hold free text typed by people."""
        base = len(HEAD_COLUMNS) + len(self.capabilities) + len(self.procedures)
        return (*range(1, 12), 14, 15, base, base + 3, base + 5)


def format_key_persons(persons: Sequence[KeyPersonLike]) -> str:
    """Key persons as '氏名（役割）電話', joined by '／'.

    Without a role the phone follows the name after a space; a phone that does not
    look like a number then gets empty brackets so it can be read back unchanged.
    """
    parts: list[str] = []
    for person in persons:
        text = person.name
        if person.role:
            text += f"（{person.role}）{person.phone}"
        elif person.phone:
            if _PLAIN_PHONE_RE.fullmatch(person.phone):
                text += f" {person.phone}"
            else:
                text += f"（）{person.phone}"
        parts.append(text)
    return PERSON_SEPARATOR.join(parts)


def _local_naive(stamp: dt.datetime | None) -> dt.datetime | None:
    """Excel has no time zones: show the stored UTC time in the computer's local time."""
    if stamp is None:
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone().replace(tzinfo=None)
    return stamp.replace(microsecond=0)


def iter_row_values(data: ResourceListData) -> Iterator[list[Any]]:
    """One list of cell values per row: str, float, int, date, datetime or None (blank).

    Kept deliberately plain and quick: the .xlsx export of 10,000 rows must cost
    about what writing the bare values costs.
    """
    capabilities = tuple(data.capabilities)
    procedures = tuple(data.procedures)
    fmt_persons = format_key_persons
    local = _local_naive
    for r in data.rows:
        caps = r.capabilities
        marks = r.procedure_marks
        values: list[Any] = [
            r.id, r.name or None, r.reading or None, r.category or None, r.municipality or None,
            r.district or None, r.postal_code or None, r.address or None, r.phone or None, r.fax or None,
            r.email or None, r.url or None, r.lat, r.lon, r.opening_hours or None, r.visit_area or None,
        ]
        values.extend(["○" if name in caps else None for name in capabilities])
        values.extend([marks.get(name) or None for name in procedures])
        values.extend((
            fmt_persons(r.key_persons) or None, r.shortstay_vacancies, r.shortstay_as_of, r.notes or None,
            r.last_confirmed, r.confirmed_source or None, local(r.updated_at),
        ))
        yield values
