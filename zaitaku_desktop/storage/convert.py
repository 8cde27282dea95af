"""Values as SQLite hands them back to the raw cursor (ISO text), made into Python values."""

from __future__ import annotations

import datetime as dt


def as_date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value  # type: ignore[return-value]
    return dt.date.fromisoformat(str(value)[:10])


def as_utc_datetime(value: object) -> dt.datetime:
    """Stored timestamps are UTC without an offset; give them one back."""
    stamp = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)
