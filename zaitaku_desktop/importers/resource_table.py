"""Read a resource list (.xlsx / .csv) into plain rows ready for validation.

Pure: the file and the vocabularies (as plain entries) go in; parsed rows, each with
its own errors and warnings, come out. Matching against stored records and saving
is the service's job (``services.transfer``).

Columns are recognised by their Japanese header, after NFKC, width and kana folding
and without spaces, so 「ＦＡＸ番号」, 「FAX 番号」 and 「fax番号」 are the same column.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from zaitaku_desktop.domain.codes import complete_lg_code
from zaitaku_desktop.domain.contact import phone_is_valid
from zaitaku_desktop.domain.errors import FileFormatError
from zaitaku_desktop.domain.resource import KeyPerson, ResourceInput
from zaitaku_desktop.domain.text import nfkc, search_key
from zaitaku_desktop.domain.vocab import MARK_ALIASES

from .table_reader import Row, open_sheets

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 200
HEADER_SEARCH_ROWS = 11  # the header may sit below up to 10 title rows
BLANK_ROWS_LIMIT = 1000  # stop after this many empty rows in a row (formatting down to row 1,048,576)

# Field → accepted headers. The first one is the name this program writes and uses in messages.
FIELD_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("ID",),
    "name": ("名称", "事業所名", "施設名", "正式名称", "事業所名称", "施設名称", "医療機関名", "機関名"),
    "reading": ("読み", "フリガナ", "ふりがな", "よみ", "事業所名カナ", "カナ", "読み仮名", "よみがな",
                "名称カナ", "名称_カナ", "施設名カナ", "正式名称（フリガナ）"),
    "category_id": ("種別", "分類", "サービスの種類", "種類", "サービス種別", "施設種別"),
    "municipality_id": ("市町村", "市区町村", "市区町村名", "市町村名"),
    "district_id": ("地区", "地区名", "圏域"),
    "postal_code": ("郵便番号", "〒"),
    "address": ("住所", "所在地"),
    "phone": ("電話番号", "電話", "TEL", "電話番号（代表）"),
    "fax": ("FAX番号", "FAX", "ファックス", "ファクス", "ファックス番号", "ファクス番号"),
    "email": ("メール", "メールアドレス", "Eメール", "E-mail", "email", "電子メール"),
    "url": ("URL", "ホームページ", "ホームページアドレス", "案内用ホームページアドレス"),
    "lat": ("緯度", "所在地座標（緯度）"),
    "lon": ("経度", "所在地座標（経度）"),
    "last_confirmed": ("最終確認日", "確認日"),
    "confirmed_source": ("確認方法", "情報源"),
    "opening_hours": ("営業日・時間", "営業日時", "営業時間", "診療時間"),
    "visit_area": ("訪問エリア", "訪問可能エリア", "対応エリア"),
    "notes": ("備考", "メモ"),
    "key_persons": ("キーパーソン", "担当者"),
    "shortstay_vacancies": ("ショートステイ空き", "ショートステイ空き数", "空き数"),
    "shortstay_as_of": ("空き状況の日付", "空き状況日付"),
    # Written by the export, not read back (the database keeps its own time stamps).
    "updated_at": ("更新日時",),
}
DATE_FIELDS = frozenset({"last_confirmed", "shortstay_as_of"})
TEXT_FIELDS = ("name", "reading", "postal_code", "address", "phone", "fax", "email", "url",
               "opening_hours", "visit_area", "notes", "confirmed_source")

CAPABILITY_ON = frozenset(search_key(v) for v in ("○", "〇", "◯", "●", "1", "はい", "有", "有り", "あり", "✓", "✔",
                                                   "レ", "可", "対応", "対応可", "yes", "true", "o"))
CAPABILITY_OFF = frozenset(search_key(v) for v in ("", "×", "✕", "x", "0", "いいえ", "無", "無し", "なし", "-", "−",
                                                    "ー", "不可", "非対応", "no", "false"))

PERSON_SEPARATORS_RE = re.compile(r"[／/]")
_TRAILING_PHONE_RE = re.compile(r"\s*([0-9０-９+＋][0-9０-９\-‐－ー−―]*)$")
_OPEN = "（("
_CLOSE = "）)"


def fold(text: Any) -> str:
    """The key a header or vocabulary name is compared by."""
    if text is None:
        return ""
    return search_key(str(text))


# --- vocabularies as plain data ---------------------------------------------------------

@dataclass(frozen=True)
class VocabEntry:
    id: str
    name: str
    code: str = ""  # municipalities: 6-digit 団体コード
    parent_id: str | None = None  # districts: their municipality


@dataclass(frozen=True)
class ImportVocab:
    categories: Sequence[VocabEntry] = ()
    municipalities: Sequence[VocabEntry] = ()
    districts: Sequence[VocabEntry] = ()
    capabilities: Sequence[VocabEntry] = ()
    procedures: Sequence[VocabEntry] = ()


class _VocabIndex:
    def __init__(self, vocab: ImportVocab) -> None:
        self.categories = _by_key(vocab.categories)
        self.municipalities = _by_key(vocab.municipalities)
        self.municipality_codes = {e.code: e for e in vocab.municipalities if e.code}
        self.districts: dict[tuple[str | None, str], VocabEntry] = {}
        self.district_names: dict[str, list[VocabEntry]] = {}
        self.district_parent: dict[str, str | None] = {}
        for entry in vocab.districts:
            key = fold(entry.name)
            self.districts.setdefault((entry.parent_id, key), entry)
            self.district_names.setdefault(key, []).append(entry)
            self.district_parent[entry.id] = entry.parent_id
        self.capabilities = _by_key(vocab.capabilities)
        self.procedures = _by_key(vocab.procedures)

    def municipality(self, raw: Any) -> VocabEntry | None:
        text = _cell_text(raw).strip()
        found = self.municipalities.get(fold(text))
        if found is not None:
            return found
        digits = nfkc(text).strip()
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            digits = digits.zfill(6)  # a number cell lost the code's leading 0
        if re.fullmatch(r"\d{5}", digits):
            return self.municipality_codes.get(complete_lg_code(digits)) or self.municipality_codes.get(digits.zfill(6))
        if re.fullmatch(r"\d{6}", digits):
            return self.municipality_codes.get(digits)
        return None

    def district(self, name: str, municipality_id: str | None, *, any_municipality: bool) -> VocabEntry | None:
        key = fold(name)
        if not any_municipality:
            return self.districts.get((municipality_id, key))
        candidates = self.district_names.get(key, [])
        return candidates[0] if len(candidates) == 1 else None


def _by_key(entries: Iterable[VocabEntry]) -> dict[str, VocabEntry]:
    out: dict[str, VocabEntry] = {}
    for entry in entries:
        out.setdefault(fold(entry.name), entry)
    return out


# --- parsed output -----------------------------------------------------------------------

@dataclass(frozen=True)
class Issue:
    column: str  # the file's header ("" when the whole row is at fault)
    message: str


@dataclass
class ParsedRow:
    row: int  # as the user sees it in Excel
    resource_id: str = ""  # from the ID column
    values: dict[str, Any] = field(default_factory=dict)  # ResourceInput field → value, only columns in the file
    capabilities: dict[str, bool] = field(default_factory=dict)  # capability id → on, only columns in the file
    procedures: dict[str, str] = field(default_factory=dict)  # procedure id → ○/△/× or "" (cleared)
    key_persons: list[KeyPerson] | None = None  # None: no キーパーソン column
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.values.get("name") or "").strip()


@dataclass
class ResourceTable:
    path: Path
    format_label: str
    header_row: int
    headers: dict[str, str]  # field → the file's header text
    capability_headers: dict[str, str]  # capability id → header
    procedure_headers: dict[str, str]  # procedure id → header
    ignored_columns: list[str]
    rows: list[ParsedRow]
    district_parent: dict[str, str | None] = field(default_factory=dict, repr=False)

    @property
    def is_own_format(self) -> bool:
        return "id" in self.headers and "updated_at" in self.headers

    def has(self, field_name: str) -> bool:
        return field_name in self.headers

    def column_for(self, field_name: str) -> str:
        """The file's header for a validation field (``FieldIssue.field``); "" when not in the file."""
        if field_name == "procedures":
            return next(iter(self.procedure_headers.values()), "")
        if field_name == "capabilities":
            return next(iter(self.capability_headers.values()), "")
        if field_name == "lat" and "lat" not in self.headers:
            return self.headers.get("lon", "")
        return self.headers.get(field_name, "")

    def build_input(self, parsed: ParsedRow, base: ResourceInput | None) -> ResourceInput:
        """The values of ``base`` (a stored record, or a blank one) with the file's columns laid over them.

        Columns the file does not have keep the stored values.
        """
        if base is None:
            data = ResourceInput()
        else:
            data = dataclasses.replace(
                base, capability_ids=list(base.capability_ids), procedure_marks=dict(base.procedure_marks),
                key_persons=[dataclasses.replace(p) for p in base.key_persons],
            )
        old_vacancies = data.shortstay_vacancies
        for name, value in parsed.values.items():
            setattr(data, name, value)
        # A new vacancy count without a date column: the stored date no longer applies
        # (validation then dates it today).
        if ("shortstay_vacancies" in parsed.values and "shortstay_as_of" not in parsed.values
                and str(old_vacancies if old_vacancies is not None else "") != str(data.shortstay_vacancies)):
            data.shortstay_as_of = None
        if parsed.capabilities:
            caps = set(data.capability_ids)
            for cap_id, on in parsed.capabilities.items():
                if on:
                    caps.add(cap_id)
                else:
                    caps.discard(cap_id)
            data.capability_ids = sorted(caps)
        if parsed.procedures:
            marks = dict(data.procedure_marks)
            for proc_id, mark in parsed.procedures.items():
                if mark:
                    marks[proc_id] = mark
                else:
                    marks.pop(proc_id, None)
            data.procedure_marks = marks
        if parsed.key_persons is not None:
            data.key_persons = [dataclasses.replace(p) for p in parsed.key_persons]
        # A new 市町村 from the file with the stored 地区 of another 市町村: drop the 地区.
        if ("municipality_id" in parsed.values and "district_id" not in parsed.values and data.district_id
                and self.district_parent.get(data.district_id) != data.municipality_id):
            data.district_id = None
        return data


# --- cell values -------------------------------------------------------------------------

def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number_text(value: float | int) -> str:
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def _cell_text(value: Any) -> str:
    """Any cell as text, the way Excel shows it (newlines as \\n)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return _number_text(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%Y/%m/%d")
        return value.strftime("%Y/%m/%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y/%m/%d")
    return str(value)


def _date_value(value: Any) -> Any:
    """A date cell as a date; an Excel serial number as a date; anything else as text to parse later."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 100000:
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    return _cell_text(value)


def _restore_leading_zero(value: Any, header: str, lengths: tuple[int, ...], valid: Callable[[str], bool],
                          warnings: list[Issue]) -> str:
    """'193221234' (a number cell, or a CSV saved by Excel) → '0193221234', with a warning."""
    text = _cell_text(value)
    plain = nfkc(text).strip()
    if plain.isascii() and plain.isdigit() and len(plain) in lengths and not valid(plain) and valid("0" + plain):
        fixed = "0" + plain
        warnings.append(Issue(header, f"{header}「{plain}」は先頭の0が消えていたため、「{fixed}」として取り込みます"))
        return fixed
    return text


def _postal_ok(text: str) -> bool:
    return bool(re.fullmatch(r"\d{7}", text))


def _capability_value(value: Any) -> bool | None:
    """True / False, or None when the cell does not say yes or no."""
    if isinstance(value, bool):
        return value
    key = fold(_cell_text(value))
    if key in CAPABILITY_ON:
        return True
    if key in CAPABILITY_OFF:
        return False
    return None


def _mark_value(value: Any) -> str | None:
    text = _cell_text(value).strip()
    if text in MARK_ALIASES:
        return MARK_ALIASES[text]
    folded = nfkc(text).strip()
    if folded in MARK_ALIASES:
        return MARK_ALIASES[folded]
    return MARK_ALIASES.get(folded.lower())


def parse_key_persons(text: str) -> list[KeyPerson]:
    """Read back '氏名（役割）電話／氏名 電話／…' as written by the export."""
    persons: list[KeyPerson] = []
    for part in PERSON_SEPARATORS_RE.split(text or ""):
        part = part.strip()
        if not part:
            continue
        open_at = next((i for i, ch in enumerate(part) if ch in _OPEN), -1)
        if open_at >= 0:
            depth = 0
            close_at = -1
            for i in range(open_at, len(part)):
                if part[i] in _OPEN:
                    depth += 1
                elif part[i] in _CLOSE:
                    depth -= 1
                    if depth == 0:
                        close_at = i
                        break
            if close_at >= 0:
                persons.append(KeyPerson(part[:open_at].strip(), part[open_at + 1:close_at].strip(),
                                         part[close_at + 1:].strip()))
                continue
        m = _TRAILING_PHONE_RE.search(part)
        if m and sum(ch.isdigit() for ch in m.group(1)) >= 6 and m.start() > 0:
            persons.append(KeyPerson(part[:m.start()].strip(), "", m.group(1)))
        else:
            persons.append(KeyPerson(part, "", ""))
    return persons


# --- columns -----------------------------------------------------------------------------

_ALIAS_TO_FIELD: dict[str, tuple[str, int]] = {}
for _field, _aliases in FIELD_HEADERS.items():
    for _rank, _alias in enumerate(_aliases):
        _ALIAS_TO_FIELD.setdefault(fold(_alias), (_field, _rank))
_NAME_KEYS = frozenset(fold(a) for a in FIELD_HEADERS["name"])


@dataclass
class _Columns:
    fields: dict[str, int] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    capabilities: list[tuple[int, str, str]] = field(default_factory=list)  # (index, id, header)
    procedures: list[tuple[int, str, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    position: dict[str, int] = field(default_factory=dict)  # header → column index, to order messages


def _map_columns(header_cells: list[Any], index: _VocabIndex) -> _Columns:
    cols = _Columns()
    best_rank: dict[str, int] = {}
    seen_caps: set[str] = set()
    seen_procs: set[str] = set()
    for col, cell in enumerate(header_cells):
        header = _cell_text(cell).strip()
        key = fold(header)
        if not key:
            continue
        cols.position.setdefault(header, col)
        if key in _ALIAS_TO_FIELD:
            name, rank = _ALIAS_TO_FIELD[key]
            if name not in best_rank or rank < best_rank[name]:
                if name in cols.fields:
                    cols.ignored.append(cols.headers[name])
                best_rank[name] = rank
                cols.fields[name] = col
                cols.headers[name] = header
            else:
                cols.ignored.append(header)
        elif key in index.capabilities and index.capabilities[key].id not in seen_caps:
            entry = index.capabilities[key]
            seen_caps.add(entry.id)
            cols.capabilities.append((col, entry.id, header))
        elif key in index.procedures and index.procedures[key].id not in seen_procs:
            entry = index.procedures[key]
            seen_procs.add(entry.id)
            cols.procedures.append((col, entry.id, header))
        else:
            cols.ignored.append(header)
    return cols


# --- reading -----------------------------------------------------------------------------

def _find_header(rows: list[Row]) -> int | None:
    for position, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(fold(_cell_text(c).strip()) in _NAME_KEYS for c in cells if c is not None):
            return position
    return None


def read_resource_table(path: Path, vocab: ImportVocab, progress: Progress | None = None) -> ResourceTable:
    """Read and parse the whole file; raises FileFormatError when it cannot be used at all."""
    path = Path(path)
    kind, sheets = open_sheets(path)
    index = _VocabIndex(vocab)
    found: tuple[str, list[Row], int] | None = None
    saw_cells = False
    with contextlib.closing(sheets()) as sheet_iter:
        for sheet in sheet_iter:
            rows = _collect_rows(sheet.rows)
            saw_cells = saw_cells or any(not _is_blank(c) for _n, cells in rows for c in cells)
            position = _find_header(rows)
            if position is not None:
                found = (sheet.encoding_label, rows, position)
                break
    if found is None:
        if not saw_cells:
            raise FileFormatError(f"「{path.name}」には何も書かれていません。資源の一覧が入ったファイルを選んでください。")
        raise FileFormatError(f"名称の列が見つかりません。「{path.name}」の1行目（表題がある場合はその下の行）に、"
                              "「名称」という見出しの列を作ってから、もう一度お試しください。")
    encoding, rows, position = found
    header_number, header_cells = rows[position]
    cols = _map_columns(header_cells, index)
    data_rows = [(n, cells) for n, cells in rows[position + 1:] if any(not _is_blank(c) for c in cells)]

    own = "id" in cols.fields and "updated_at" in cols.fields
    if kind == "xlsx":
        label = "Excel（本プログラムの書き出し形式）" if own else "Excel"
    else:
        label = f"CSV（{encoding}・本プログラムの書き出し形式）" if own else f"CSV（{encoding}）"

    parsed: list[ParsedRow] = []
    total = len(data_rows)
    header_texts = [_cell_text(c).strip() for c in header_cells]
    for done, (number, cells) in enumerate(data_rows, start=1):
        row = _parse_row(number, cells, cols, index)
        if kind == "csv":
            _check_swallowed_rows(row, cells, header_texts)
        parsed.append(row)
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
    if progress is not None:
        progress(total, total)
    return ResourceTable(
        path=path, format_label=label, header_row=header_number,
        headers={k: cols.headers[k] for k in cols.fields},
        capability_headers={cid: h for _c, cid, h in cols.capabilities},
        procedure_headers={pid: h for _c, pid, h in cols.procedures},
        ignored_columns=cols.ignored, rows=parsed, district_parent=dict(index.district_parent),
    )


def _check_swallowed_rows(row: ParsedRow, cells: list[Any], header_texts: list[str]) -> None:
    """A quote (") left open in a CSV pulls the following lines into one cell: those rows would be
    lost inside it (a 備考 takes 20,000 characters). Make such a row an error naming the cell.
    A line counts as a row when it has delimiters for at least half the header's columns."""
    need = max(3, len(header_texts) // 2)
    for col, value in enumerate(cells):
        if isinstance(value, str) and "\n" in value:
            swallowed = sum(1 for line in value.split("\n")[1:] if line.count(",") + line.count("\t") >= need)
            if swallowed:
                header = header_texts[col] if col < len(header_texts) and header_texts[col] else f"{col + 1}列目"
                row.errors.insert(0, Issue(header, f"{header}の中に、別の行のような内容が{swallowed}行分入っています。"
                                                   "この項目の引用符（\"）が閉じていない可能性があります。"
                                                   "ファイルを直してから取り込んでください"))
                return


def _collect_rows(rows: Iterable[Row]) -> list[Row]:
    out: list[Row] = []
    blank_run = 0
    for number, cells in rows:
        if all(_is_blank(c) for c in cells):
            blank_run += 1
            if blank_run > BLANK_ROWS_LIMIT:
                break
        else:
            blank_run = 0
        out.append((number, cells))
    return out


def _parse_row(number: int, cells: list[Any], cols: _Columns, index: _VocabIndex) -> ParsedRow:
    row = ParsedRow(row=number)

    def cell(name: str) -> Any:
        col = cols.fields[name]
        return cells[col] if col < len(cells) else None

    def header(name: str) -> str:
        return cols.headers[name]

    present = cols.fields
    if "id" in present:
        row.resource_id = nfkc(_cell_text(cell("id"))).strip()
    for name in TEXT_FIELDS:
        if name in present:
            value = cell(name)
            if name in ("phone", "fax"):
                row.values[name] = _restore_leading_zero(value, header(name), (9, 10), phone_is_valid, row.warnings)
            elif name == "postal_code":
                row.values[name] = _restore_leading_zero(value, header(name), (6,), _postal_ok, row.warnings)
            else:
                row.values[name] = _cell_text(value)
    for name in ("lat", "lon"):
        if name in present:
            value = cell(name)
            row.values[name] = value if isinstance(value, (int, float)) and not isinstance(value, bool) \
                else _cell_text(value)
    for name in DATE_FIELDS:
        if name in present:
            row.values[name] = _date_value(cell(name))
    if "shortstay_vacancies" in present:
        value = cell("shortstay_vacancies")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        row.values["shortstay_vacancies"] = value if isinstance(value, int) and not isinstance(value, bool) \
            else nfkc(_cell_text(value)).strip()

    if "category_id" in present:
        raw = _cell_text(cell("category_id")).strip()
        entry = index.categories.get(fold(raw)) if raw else None
        if raw and entry is None:
            row.errors.append(Issue(header("category_id"), f"種別「{raw}」は一覧にありません（設定で追加できます）"))
        row.values["category_id"] = entry.id if entry else None
    municipality_ok = True
    if "municipality_id" in present:
        value = cell("municipality_id")
        raw = _cell_text(value).strip()
        entry = index.municipality(value) if raw else None
        if raw and entry is None:
            municipality_ok = False
            row.errors.append(Issue(header("municipality_id"),
                                    f"市町村「{raw}」は一覧にありません（設定で追加できます）"))
        row.values["municipality_id"] = entry.id if entry else None
    if "district_id" in present:
        raw = _cell_text(cell("district_id")).strip()
        entry = None
        if raw and municipality_ok:
            entry = index.district(raw, row.values.get("municipality_id"),
                                   any_municipality="municipality_id" not in present)
            if entry is None:
                row.warnings.append(Issue(header("district_id"),
                                          f"地区「{raw}」は一覧にないため、空欄にします（設定で追加できます）"))
        row.values["district_id"] = entry.id if entry else None

    for col, cap_id, cap_header in cols.capabilities:
        value = cells[col] if col < len(cells) else None
        on = _capability_value(value)
        if on is None:
            row.errors.append(Issue(cap_header, f"{cap_header}「{_cell_text(value).strip()}」は"
                                                "○（対応あり）か空欄（なし）で入力してください"))
        else:
            row.capabilities[cap_id] = on
    for col, proc_id, proc_header in cols.procedures:
        value = cells[col] if col < len(cells) else None
        mark = _mark_value(value)
        if mark is None:
            row.errors.append(Issue(proc_header, f"{proc_header}の記号「{_cell_text(value).strip()}」は"
                                                 "○・△・× のいずれか（未確認は空欄）にしてください"))
        else:
            row.procedures[proc_id] = mark
    if "key_persons" in present:
        row.key_persons = parse_key_persons(_cell_text(cell("key_persons")))
    if len(row.errors) > 1:
        row.errors.sort(key=lambda i: cols.position.get(i.column, -1))
    if len(row.warnings) > 1:
        row.warnings.sort(key=lambda i: cols.position.get(i.column, -1))
    return row
