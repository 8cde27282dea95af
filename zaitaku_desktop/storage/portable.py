"""Raw SQL written once, run on SQLite and PostgreSQL alike (issue 10).

The repositories keep their fast raw-cursor queries in SQLite's spelling ('?' placeholders, group_concat,
a unary '+' that keeps SQLite off an index); :func:`to_postgres` turns that spelling into PostgreSQL's.
Date arithmetic that differs more than that is branched per dialect with :func:`local_part`.
"""

from __future__ import annotations

import re

from sqlmodel import Session

_GROUP_CONCAT = re.compile(r"group_concat\(([^()]*)\)")
_UNARY_PLUS = re.compile(r"(?<=[\s,])\+(?=[A-Za-z_])")


def dialect_of(session_or_connection) -> str:
    """'sqlite' or 'postgresql'."""
    bind = session_or_connection.get_bind() if isinstance(session_or_connection, Session) else session_or_connection
    return bind.dialect.name


def to_postgres(sql: str, with_params: bool = True) -> str:
    """SQLite-spelled SQL for psycopg: '?' → '%s' and '%' doubled (only when parameters are passed: psycopg reads
    placeholders only then), group_concat → string_agg, unary '+' dropped."""
    if with_params:
        sql = sql.replace("%", "%%").replace("?", "%s")
    sql = _GROUP_CONCAT.sub(r"string_agg(CAST(\1 AS TEXT), ',')", sql)
    return _UNARY_PLUS.sub("", sql)


class PortableCursor:
    """The session's raw DB-API cursor (fast for big lists), taking SQLite-spelled SQL on either backend."""

    def __init__(self, session: Session) -> None:
        connection = session.connection()
        self.postgres = connection.dialect.name == "postgresql"
        self.raw = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]

    def execute(self, sql: str, params=()):
        params = tuple(params)
        if self.postgres:
            self.raw.execute(to_postgres(sql, bool(params)), params or None)
        else:
            self.raw.execute(sql, params)
        return self.raw

    def close(self) -> None:
        self.raw.close()


def cursor(session: Session) -> PortableCursor:
    return PortableCursor(session)


def driver_sql(session_or_connection, sql: str, params=()):
    """``exec_driver_sql`` with SQLite-spelled SQL on either backend."""
    conn = session_or_connection.connection() if isinstance(session_or_connection, Session) else session_or_connection
    if conn.dialect.name == "postgresql":
        sql = to_postgres(sql, bool(params))
    return conn.exec_driver_sql(sql, params) if params else conn.exec_driver_sql(sql)


def local_part(column: str, part: str, dialect: str) -> str:
    """An SQL expression for ``part`` ('year', 'month', 'year-month', 'date') of a stored UTC timestamp on
    Japan's wall clock (UTC+9, no daylight saving)."""
    if dialect == "postgresql":
        local = f"({column} + interval '9 hours')"
        return {"year": f"CAST(extract(year FROM {local}) AS INTEGER)",
                "month": f"CAST(extract(month FROM {local}) AS INTEGER)",
                "year-month": f"to_char({local}, 'YYYY-MM')", "date": f"to_char({local}, 'YYYY-MM-DD')"}[part]
    return {"year": f"CAST(strftime('%Y', {column}, '+9 hours') AS INTEGER)",
            "month": f"CAST(strftime('%m', {column}, '+9 hours') AS INTEGER)",
            "year-month": f"strftime('%Y-%m', {column}, '+9 hours')",
            "date": f"strftime('%Y-%m-%d', {column}, '+9 hours')"}[part]
