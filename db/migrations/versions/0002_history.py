"""Change history for every record, and program metadata kept with the data.

Revision ID: 0002_history
Revises: 0001_initial
Create Date: 2026-11-22
"""

import uuid

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0002_history"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("id", S(length=36), primary_key=True, nullable=False),
        sa.Column("entity", S(), nullable=False),
        sa.Column("entity_id", S(), nullable=False),
        sa.Column("action", S(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", S(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("note", S(), nullable=False),
    )
    op.create_index("ix_change_log_entity", "change_log", ["entity", "entity_id"])
    op.create_table(
        "app_meta",
        sa.Column("key", S(), primary_key=True, nullable=False),
        sa.Column("value", S(), nullable=False),
        sa.UniqueConstraint("key"),
    )
    # Records created before history existed get one entry so every record has a start.
    # (UUIDs made in Python, so the step is the same on SQLite and PostgreSQL.)
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, created_at FROM resource")).fetchall()
    if rows:
        log = sa.table("change_log", *(sa.column(c) for c in (
            "id", "entity", "entity_id", "action", "changed_at", "changed_by", "changes", "note")))
        conn.execute(log.insert(), [
            {"id": str(uuid.uuid4()), "entity": "resource", "entity_id": rid, "action": "create",
             "changed_at": created, "changed_by": "", "changes": "{}", "note": "履歴機能の導入前に登録"}
            for rid, created in rows])


def downgrade() -> None:
    op.drop_table("app_meta")
    op.drop_index("ix_change_log_entity", table_name="change_log")
    op.drop_table("change_log")
