"""The hash-chained audit trail (issue 9): audit_log replaces access_log, with the single-row anchor audit_head.

Every entry's hash is SHA-256 over its fields and the previous entry's hash; seq numbers them 1, 2, 3 … without
gaps. The old access_log rows are carried over in (at, rowid) order and chained here. Self-contained on purpose:
the hashing below must stay exactly as it was when the rows were written (domain/audit.entry_hash repeats it).

Revision ID: 0009_audit_log
Revises: 0008_report_notes
Create Date: 2026-11-22
"""

import hashlib
import json
import uuid

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0009_audit_log"
down_revision = "0008_report_notes"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
GENESIS = "0" * 64
APPEND_ONLY = "SELECT RAISE(ABORT, 'audit_log is append-only')"
TRIGGERS = (
    ("audit_log_no_update", f"BEFORE UPDATE ON audit_log BEGIN {APPEND_ONLY}; END"),
    ("audit_log_no_delete", f"BEFORE DELETE ON audit_log BEGIN {APPEND_ONLY}; END"),
    # Appends only continue the chain the anchor names; the anchor only moves one entry forward, onto it.
    ("audit_log_in_order", "BEFORE INSERT ON audit_log WHEN NEW.seq IS NOT (SELECT seq + 1 FROM audit_head) "
                           "OR NEW.prev_hash IS NOT (SELECT hash FROM audit_head) "
                           "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries follow the head'); END"),
    ("audit_head_no_delete", f"BEFORE DELETE ON audit_head BEGIN {APPEND_ONLY}; END"),
    ("audit_head_follows", "BEFORE UPDATE ON audit_head WHEN NEW.seq IS NOT OLD.seq + 1 "
                           "OR NEW.hash IS NOT (SELECT hash FROM audit_log WHERE seq = NEW.seq) "
                           "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: the head follows the log'); END"),
)


# PostgreSQL: the same rules in PL/pgSQL (TRUNCATE, which skips row triggers, is refused as well). A refusal is
# an integrity error there too, like SQLite's RAISE(ABORT).
def _pg_refuse(message: str, condition: str = "TRUE") -> str:
    return (f"LANGUAGE plpgsql AS $$ BEGIN IF {condition} THEN RAISE EXCEPTION '{message}' "
            "USING ERRCODE = 'integrity_constraint_violation'; END IF; RETURN NEW; END $$")


PG_TRIGGERS = (
    ("audit_log_no_change", "BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW",
     _pg_refuse("audit_log is append-only")),
    ("audit_log_no_truncate", "BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT", _pg_refuse("audit_log is append-only")),
    ("audit_log_in_order", "BEFORE INSERT ON audit_log FOR EACH ROW", _pg_refuse(
        "audit_log is append-only: entries follow the head",
        "NEW.seq IS DISTINCT FROM (SELECT seq + 1 FROM audit_head) "
        "OR NEW.prev_hash IS DISTINCT FROM (SELECT hash FROM audit_head)")),
    ("audit_head_no_delete", "BEFORE DELETE ON audit_head FOR EACH ROW", _pg_refuse("audit_log is append-only")),
    ("audit_head_no_truncate", "BEFORE TRUNCATE ON audit_head FOR EACH STATEMENT",
     _pg_refuse("audit_log is append-only")),
    ("audit_head_follows", "BEFORE UPDATE ON audit_head FOR EACH ROW", _pg_refuse(
        "audit_log is append-only: the head follows the log",
        "NEW.seq IS DISTINCT FROM OLD.seq + 1 "
        "OR NEW.hash IS DISTINCT FROM (SELECT hash FROM audit_log WHERE seq = NEW.seq)")),
)


def _create_triggers(conn) -> None:
    if conn.dialect.name == "postgresql":
        for name, when, body in PG_TRIGGERS:
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger {body}")
            op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION {name}()")
    else:
        for name, body in TRIGGERS:
            op.execute(f"CREATE TRIGGER {name} {body}")


def _drop_triggers(conn) -> None:
    if conn.dialect.name == "postgresql":
        for name, when, _body in reversed(PG_TRIGGERS):
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {when.split(' ON ')[1].split()[0]}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for name, _body in reversed(TRIGGERS):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _access_log(conn, create: bool) -> None:
    """The append-only guard of the old access_log (revision 0007), per dialect."""
    if conn.dialect.name == "postgresql":
        if create:
            op.execute("CREATE TRIGGER access_log_no_change BEFORE UPDATE OR DELETE ON access_log "
                       "FOR EACH ROW EXECUTE FUNCTION access_log_refuse()")
        else:
            op.execute("DROP TRIGGER IF EXISTS access_log_no_change ON access_log")
    elif create:
        op.execute("CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log "
                   "BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END")
        op.execute("CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log "
                   "BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END")
    else:
        op.execute("DROP TRIGGER IF EXISTS access_log_no_delete")
        op.execute("DROP TRIGGER IF EXISTS access_log_no_update")


COLUMNS = ("seq", "at", "user", "role", "action", "entity", "entity_id", "detail", "prev_hash", "hash")
OLD_COLUMNS = ("id", "at", "user", "action", "entity", "entity_id", "detail")


def _hash(fields, prev_hash: str) -> str:
    seq, at, user, role, action, entity, entity_id, detail = fields
    payload = json.dumps([int(seq), str(at), user, role, action, entity, entity_id, detail, prev_hash],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user", S(), nullable=False),
        sa.Column("role", S(), nullable=False),
        sa.Column("action", S(), nullable=False),
        sa.Column("entity", S(), nullable=False),
        sa.Column("entity_id", S(), nullable=False),
        sa.Column("detail", S(), nullable=False),
        sa.Column("prev_hash", S(length=64), nullable=False),
        sa.Column("hash", S(length=64), nullable=False),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", S(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name="audit_head_single_row"),
    )
    conn = op.get_bind()
    access_log = sa.table("access_log", *map(sa.column, OLD_COLUMNS))
    audit_log = sa.table("audit_log", *map(sa.column, COLUMNS))
    # Rows written within one clock tick keep their insertion order: SQLite's rowid (no such thing on PostgreSQL,
    # where the old table is always empty here: the server came with issue 10).
    tie = sa.literal_column("rowid") if conn.dialect.name == "sqlite" else access_log.c.id
    old = conn.execute(sa.select(*(access_log.c[c] for c in OLD_COLUMNS[1:]))
                       .order_by(access_log.c.at, tie)).fetchall()
    prev, rows = GENESIS, []
    for seq, (at, user, action, entity, entity_id, detail) in enumerate(old, 1):
        fields = (seq, str(at), user or "", "", action, entity or "", entity_id or "", detail or "")
        digest = _hash(fields, prev)
        rows.append((*fields, prev, digest))
        prev = digest
    if rows:
        conn.execute(audit_log.insert(), [dict(zip(COLUMNS, row)) for row in rows])
    conn.execute(sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, :seq, :hash)"),
                 {"seq": len(rows), "hash": prev})
    _create_triggers(conn)
    _access_log(conn, create=False)
    op.drop_index("ix_access_log_at", table_name="access_log")
    op.drop_table("access_log")


def downgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("id", S(length=36), primary_key=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user", S(), nullable=False),
        sa.Column("action", S(), nullable=False),
        sa.Column("entity", S(), nullable=False),
        sa.Column("entity_id", S(), nullable=False),
        sa.Column("detail", S(), nullable=False),
    )
    op.create_index("ix_access_log_at", "access_log", ["at"])
    conn = op.get_bind()
    audit_log = sa.table("audit_log", *map(sa.column, COLUMNS))
    rows = conn.execute(sa.select(*(audit_log.c[c] for c in OLD_COLUMNS[1:])).order_by(audit_log.c.seq)).fetchall()
    if rows:
        conn.execute(sa.table("access_log", *map(sa.column, OLD_COLUMNS)).insert(),
                     [dict(zip(OLD_COLUMNS, (str(uuid.uuid4()), *r))) for r in rows])
    _access_log(conn, create=True)
    _drop_triggers(conn)
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_head")
    op.drop_table("audit_log")
