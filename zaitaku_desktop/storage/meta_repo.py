"""Small key/value facts stored with the data (e.g. that the sample region was loaded)."""

from __future__ import annotations

from sqlmodel import Session

from zaitaku_desktop.models import AppMeta


def get(session: Session, key: str, default: str = "") -> str:
    row = session.get(AppMeta, key)
    return row.value if row else default


def put(session: Session, key: str, value: str) -> None:
    row = session.get(AppMeta, key)
    if row is None:
        session.add(AppMeta(key=key, value=value))
    else:
        row.value = value
