"""The resource list as CSV: UTF-8 with a BOM and CRLF line ends, so Excel opens it as is."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any, BinaryIO, Callable

from .atomic import write_atomically
from .resource_list import ResourceListData, iter_row_values

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 200


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return value.strftime("%Y/%m/%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y/%m/%d")
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_resources_csv(data: ResourceListData, out: Path, progress: Progress | None = None) -> int:
    """Write the list to ``out`` atomically; returns the number of data rows."""
    total = len(data.rows)

    def write(handle: BinaryIO) -> None:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(data.headers())
        done = 0
        for values in iter_row_values(data):
            writer.writerow([_text(v) for v in values])
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, total)
        text.flush()
        text.detach()  # the caller still owns (and syncs) the binary file
        if progress is not None:
            progress(total, total)

    write_atomically(out, write)
    return total
