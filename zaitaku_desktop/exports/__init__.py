"""File exports: pure functions of plain data that write one file atomically.

Nothing here touches the database or Qt; the services gather the data and call these.
"""

from __future__ import annotations

from .atomic import FileWriteError, write_atomically
from .resource_list import ResourceListData, format_key_persons
from .resources_csv import write_resources_csv
from .resources_xlsx import write_resources_xlsx
from .summary_xlsx import write_summary_xlsx

__all__ = [
    "FileWriteError", "ResourceListData", "format_key_persons", "write_atomically",
    "write_resources_csv", "write_resources_xlsx", "write_summary_xlsx",
]
