"""File exports: pure functions of plain data that write one file atomically.

Nothing here touches the database or Qt; the services gather the data and call these. The names below are
loaded on first use, so importing ``exports.atomic`` (as the GUI does early) does not pull in openpyxl.
"""

from __future__ import annotations

import importlib

_LAZY = {
    "FileWriteError": ".atomic", "write_atomically": ".atomic",
    "ResourceListData": ".resource_list", "format_key_persons": ".resource_list",
    "write_resources_csv": ".resources_csv", "write_resources_xlsx": ".resources_xlsx",
    "write_summary_xlsx": ".summary_xlsx",
}
__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name], __name__), name)
