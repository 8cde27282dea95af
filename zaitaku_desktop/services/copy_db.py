"""Copy a whole database between SQLite and PostgreSQL, either way (issue 10: `copy-to DEST`).

The destination must be new or empty; it is migrated to the newest schema first, then every table is copied
in dependency order through SQLAlchemy Core (the reflected column types turn SQLite's text dates into
datetimes and back) inside one transaction, PostgreSQL's sequences are moved past the copied ids, and each
table is verified: row counts and a checksum over the rows in primary-key order, with values normalised so
that SQLite text dates and PostgreSQL timestamps compare equal.

The audit trail is copied entry by entry with its anchor moved along, so the append-only rules (triggers)
hold on the copy exactly as on the original.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Integer, MetaData, Table, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine

from zaitaku_desktop.domain.errors import StorageError
from zaitaku_desktop.paths import is_server_url
from zaitaku_desktop.storage.database import Database

log = logging.getLogger(__name__)

BATCH = 2000
SKIPPED = {"alembic_version"}  # the destination has its own, from the migrations
AUDIT_TABLES = ("audit_log", "audit_head")


@dataclass(frozen=True)
class TableCheck:
    name: str
    source_rows: int
    dest_rows: int
    source_sum: str
    dest_sum: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.dest_rows and self.source_sum == self.dest_sum


@dataclass
class CopyReport:
    source: str
    dest: str
    tables: list[TableCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tables)


def normalise(value: object) -> str:
    """One spelling per value on both backends (SQLite hands back text, ints for booleans, floats)."""
    if value is None:
        return "\x00"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds") if value.tzinfo is None \
            else value.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (float, decimal.Decimal)):
        return repr(float(value))
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def table_checksum(conn: Connection, table: Table) -> tuple[int, str]:
    """(rows, SHA-256 over the normalised rows in primary-key order). Sorted here, not by the server: text
    order depends on the server's collation."""
    columns = sorted(table.columns, key=lambda c: c.name)
    keys = [i for i, c in enumerate(columns) if c.primary_key] or list(range(len(columns)))
    rows = [tuple(normalise(v) for v in row) for row in conn.execute(select(*columns))]
    rows.sort(key=lambda r: tuple(r[i] for i in keys))
    digest = hashlib.sha256()
    for row in rows:
        digest.update("\x1f".join(row).encode("utf-8"))
        digest.update(b"\x1e")
    return len(rows), digest.hexdigest()


def _reflect(engine: Engine) -> MetaData:
    meta = MetaData()
    meta.reflect(engine)
    return meta


def _check_destination_empty(dest: Path | str) -> None:
    if is_server_url(dest):
        probe = Database(str(dest))
        try:
            with probe.engine.connect() as conn:
                tables = inspect(conn).get_table_names()
        except Exception as exc:  # noqa: BLE001 - cannot connect, wrong password, no such database
            raise probe.classify(exc) from exc
        finally:
            probe.close()
        if tables:
            raise StorageError("写し先のデータベースが空ではありません（表が既にあります）。"
                               f"空のデータベースを用意してから、もう一度お試しください。\n{probe.path}")
    elif Path(dest).exists() and Path(dest).stat().st_size > 0:
        raise StorageError(f"写し先のファイルが既にあります。上書きはしません。新しいファイル名を指定してください。\n{dest}")


def _copy_table(src: Connection, dst: Connection, source: Table, target: Table) -> None:
    columns = [c.name for c in target.columns if c.name in source.columns]
    result = src.execution_options(yield_per=BATCH).execute(select(*(source.c[c] for c in columns)))
    for batch in result.partitions(BATCH):
        dst.execute(target.insert(), [dict(zip(columns, row)) for row in batch])


def _copy_audit(src: Connection, dst: Connection, meta_src: MetaData, meta_dst: MetaData) -> None:
    """Entries in seq order, the anchor moved onto each: the triggers accept nothing else."""
    log_src, log_dst, head_dst = meta_src.tables["audit_log"], meta_dst.tables["audit_log"], meta_dst.tables["audit_head"]
    columns = [c.name for c in log_dst.columns]
    for row in src.execute(select(*(log_src.c[c] for c in columns)).order_by(log_src.c.seq)):
        entry = dict(zip(columns, row))
        dst.execute(log_dst.insert(), [entry])
        dst.execute(head_dst.update().where(head_dst.c.id == 1).values(seq=entry["seq"], hash=entry["hash"]))


def _fix_sequences(dst: Connection, meta: MetaData) -> None:
    """PostgreSQL: serial columns continue after the copied ids (SQLite needs nothing)."""
    for table in meta.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        sequence = dst.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                               {"t": table.name, "c": pk[0].name}).scalar()
        if sequence:
            top = dst.execute(select(func.max(pk[0]))).scalar()
            dst.execute(text("SELECT setval(:s, :v, :called)"),
                        {"s": sequence, "v": top or 1, "called": top is not None})


def copy_database(source: Path | str, dest: Path | str, *,
                  on_table: Callable[[str], None] | None = None) -> CopyReport:
    """Copy ``source`` (opened and migrated as usual) into the new/empty ``dest`` and verify every table."""
    source, dest = (x if is_server_url(x) else Path(x).expanduser().resolve() for x in (source, dest))
    if not is_server_url(source) and not Path(source).is_file():
        raise StorageError(f"写し元のデータベースが見つかりません。\n{source}")
    if str(source) == str(dest):
        raise StorageError("写し元と写し先が同じです。")
    _check_destination_empty(dest)
    src_db = Database.open(source)
    created_file = not is_server_url(dest)
    try:
        dst_db = Database.open(dest)
    except BaseException:
        src_db.close()
        raise
    report = CopyReport(str(src_db.path), str(dst_db.path))
    try:
        meta_src, meta_dst = _reflect(src_db.engine), _reflect(dst_db.engine)
        with src_db.engine.connect() as src, dst_db.engine.begin() as dst:
            for target in meta_dst.sorted_tables:
                if target.name in SKIPPED or target.name == "audit_head" or target.name not in meta_src.tables:
                    continue
                if on_table:
                    on_table(target.name)
                if target.name == "audit_log":
                    _copy_audit(src, dst, meta_src, meta_dst)
                else:
                    _copy_table(src, dst, meta_src.tables[target.name], target)
            if dst.dialect.name == "postgresql":
                _fix_sequences(dst, meta_dst)
        with src_db.engine.connect() as src, dst_db.engine.connect() as dst:
            for target in meta_dst.sorted_tables:
                if target.name in SKIPPED or target.name not in meta_src.tables:
                    continue
                rows_s, sum_s = table_checksum(src, meta_src.tables[target.name])
                rows_d, sum_d = table_checksum(dst, target)
                report.tables.append(TableCheck(target.name, rows_s, rows_d, sum_s, sum_d))
    except BaseException as exc:
        dst_db.close()
        src_db.close()
        if created_file:
            Path(dest).unlink(missing_ok=True)
        if isinstance(exc, StorageError) or not isinstance(exc, Exception):
            raise
        log.exception("copy failed")
        raise dst_db.classify(exc) if dst_db.server else StorageError(
            f"データベースを写せませんでした。写し先には何も残していません。\n{dest}") from exc
    dst_db.close()
    src_db.close()
    log.info("database copied: %d tables, %s", len(report.tables), "verified" if report.ok else "MISMATCH")
    return report


def format_report(report: CopyReport) -> str:
    """The table printed by the CLI: one line per table, then the verdict."""
    width = max((len(t.name) for t in report.tables), default=5)
    lines = [f"写し元：{report.source}", f"写し先：{report.dest}",
             f"{'table':<{width}}  {'rows(src)':>9}  {'rows(dest)':>10}  checksum(src)  checksum(dest)  result"]
    for t in report.tables:
        lines.append(f"{t.name:<{width}}  {t.source_rows:>9,}  {t.dest_rows:>10,}  {t.source_sum[:12]}   "
                     f"{t.dest_sum[:12]}    {'OK' if t.ok else 'NG'}")
    lines.append("すべての表が一致しました（件数・チェックサム）" if report.ok
                 else "一致しない表があります（NG の行）。写し先は使わないでください。")
    return "\n".join(lines)
