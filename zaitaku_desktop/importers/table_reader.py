"""Read a spreadsheet-like file (.xlsx or .csv) into plain rows of cell values.

No meaning is given to the cells here; ``resource_table`` does that. Every way a
file can be unreadable ends in a :class:`FileFormatError` with a plain message.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from zaitaku_desktop.domain.errors import FileFormatError

log = logging.getLogger(__name__)

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls (and other Office 97-2003 files)

Row = tuple[int, list[Any]]  # (row number as the user sees it, cell values)


@dataclass
class Sheet:
    """One table of cells: an Excel sheet or a whole CSV file."""

    kind: str  # "xlsx" / "csv"
    encoding_label: str  # "" for xlsx, else "UTF-8" / "Shift_JIS" / "UTF-16"
    title: str
    rows: Iterator[Row]


def _unreadable(path: Path, exc: OSError) -> FileFormatError:
    log.warning("cannot read an import file: %s", type(exc).__name__)
    if isinstance(exc, FileNotFoundError):
        return FileFormatError(f"ファイルが見つかりません。\n{path}")
    if isinstance(exc, IsADirectoryError):
        return FileFormatError(f"フォルダは取り込めません。ファイルを選んでください。\n{path}")
    if isinstance(exc, PermissionError):
        return FileFormatError(f"「{path.name}」を開けません。Excelなどで開いている場合は閉じてから、もう一度お試しください。")
    return FileFormatError(f"「{path.name}」を読み込めませんでした。")


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(8)
    except OSError as exc:
        raise _unreadable(path, exc) from exc


def open_sheets(path: Path) -> tuple[str, Callable[[], Iterator[Sheet]]]:
    """Work out the file type from its content and name; return (kind, sheet iterator factory)."""
    path = Path(path)
    head = _head(path)
    suffix = path.suffix.lower()
    if not head:
        raise FileFormatError(f"「{path.name}」は空のファイルです。中身のあるファイルを選んでください。")
    if head.startswith(_OLE_MAGIC):
        raise FileFormatError(f"「{path.name}」は古いExcel形式（.xls）か、対応していない形式のファイルです。"
                              "Excelで開き、「名前を付けて保存」で「Excel ブック（*.xlsx）」を選んで保存し直してください。")
    if head.startswith(_ZIP_MAGIC):
        return "xlsx", lambda: _xlsx_sheets(path)
    if suffix in XLSX_SUFFIXES:
        raise FileFormatError(f"「{path.name}」はExcelファイル（.xlsx）として読み込めません。ファイルが壊れているか、"
                              "別の種類のファイルの名前を変えたものの可能性があります。")
    if suffix in CSV_SUFFIXES or not suffix:
        return "csv", lambda: _csv_sheets(path)
    raise FileFormatError(f"「{path.name}」は取り込めない種類のファイルです。Excel（.xlsx）かCSV（.csv）を選んでください。")


# --- xlsx ---------------------------------------------------------------------------

def _xlsx_sheets(path: Path) -> Iterator[Sheet]:
    from openpyxl import load_workbook

    try:
        handle = path.open("rb")  # a file object: openpyxl would refuse a zip named .csv
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    try:
        try:
            with warnings.catch_warnings():
                # Unsupported Excel features (data validation extensions...) are only warned about.
                warnings.simplefilter("ignore")
                wb = load_workbook(handle, read_only=True, data_only=True)
        except OSError as exc:
            raise _unreadable(path, exc) from exc
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
            log.warning("openpyxl could not open an import file: %s", type(exc).__name__)
            raise FileFormatError(f"「{path.name}」はExcelファイル（.xlsx）として読み込めません。"
                                  "ファイルが壊れているか、別の種類のファイルの可能性があります。"
                                  "Excelで開いて保存し直してから、もう一度お試しください。") from exc
        try:
            for ws in wb.worksheets:
                if not hasattr(ws, "iter_rows"):
                    continue  # a chart sheet
                if hasattr(ws, "reset_dimensions"):
                    ws.reset_dimensions()  # do not trust the stored size: some programs write it wrong
                yield Sheet("xlsx", "", ws.title, _xlsx_rows(path, ws))
        finally:
            wb.close()
    finally:
        handle.close()


def _xlsx_rows(path: Path, ws: Any) -> Iterator[Row]:
    try:
        rows = ws.iter_rows(values_only=True)
        number = 0
        while True:
            # Warnings (a date cell out of range is read as an error value) are silenced row by row:
            # a filter left on across the generator's yields would leak into the caller.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                values = next(rows, None)
            if values is None:
                return
            number += 1
            yield number, list(values)
    except Exception as exc:  # noqa: BLE001 - a damaged sheet part
        log.warning("openpyxl failed while reading rows: %s", type(exc).__name__)
        raise FileFormatError(f"「{path.name}」のシート「{ws.title}」を最後まで読み込めませんでした。"
                              "Excelで開いて保存し直してから、もう一度お試しください。") from exc


# --- csv ----------------------------------------------------------------------------

def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else CP932."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "UTF-8"
        except UnicodeDecodeError as exc:
            raise FileFormatError(f"「{name}」の文字を読み取れません（UTF-8の印があるのに、"
                                  "途中に読めない文字があります）。保存し直してからお試しください。") from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise FileFormatError(f"「{name}」の文字を読み取れません。CSV（UTF-8）で保存し直してください。") from exc
    if b"\x00" in data:
        raise FileFormatError(f"「{name}」は文字のファイル（CSV）ではないようです。"
                              "Excel（.xlsx）かCSV（.csv）のファイルを選んでください。")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "Shift_JIS"
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"「{name}」の文字コードを判別できません。"
                              "ExcelでCSV UTF-8（コンマ区切り）形式で保存し直してください。") from exc


def _csv_sheets(path: Path) -> Iterator[Sheet]:
    yield _csv_sheet(path)


def _csv_sheet(path: Path) -> Sheet:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    text, label = decode_text(data, path.name)
    if not text.strip():
        raise FileFormatError(f"「{path.name}」は空のファイルです。中身のあるファイルを選んでください。")
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if ("\t" in first_line and "," not in first_line) else ","
    return Sheet("csv", label, path.stem, _csv_rows(path, text, delimiter))


def _csv_rows(path: Path, text: str, delimiter: str) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    number = 0
    try:
        for number, values in enumerate(reader, start=1):
            yield number, list(values)
    except csv.Error as exc:
        log.warning("csv parser failed near record %d", number + 1)
        raise FileFormatError(f"「{path.name}」の{number + 1}行目付近をCSVとして読み取れません。"
                              "引用符（\"）の閉じ忘れや、極端に長い項目がないか確かめてください。") from exc
