"""Change history for every record, and program metadata kept with the data.

Revision ID: 0002_history
Revises: 0001_initial
Create Date: 2026-11-22
"""

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
    op.execute(
        "INSERT INTO change_log (id, entity, entity_id, action, changed_at, changed_by, changes, note) "
        "SELECT lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
        "substr(lower(hex(randomblob(2))),2) || '-' || substr('89ab', abs(random()) % 4 + 1, 1) || "
        "substr(lower(hex(randomblob(2))),2) || '-' || lower(hex(randomblob(6))), "
        "'resource', id, 'create', created_at, '', '{}', '履歴機能の導入前に登録' FROM resource"
    )


def downgrade() -> None:
    op.drop_table("app_meta")
    op.drop_index("ix_change_log_entity", table_name="change_log")
    op.drop_table("change_log")
