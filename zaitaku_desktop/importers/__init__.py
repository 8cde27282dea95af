"""File importers: Excel / CSV readers that turn a file into plain rows and row errors.

Pure functions of the file and plain vocabulary data: no database, no Qt, no services.
"""

from __future__ import annotations

from .resource_table import (
    FIELD_HEADERS, ImportVocab, Issue, ParsedRow, ResourceTable, VocabEntry, parse_key_persons,
    read_resource_table,
)

__all__ = [
    "FIELD_HEADERS", "ImportVocab", "Issue", "ParsedRow", "ResourceTable", "VocabEntry",
    "parse_key_persons", "read_resource_table",
]
