"""Exchange files between laptops that worked apart (issue 10): the peers met and the base of each record.

The database's own id lives in app_meta (key ``database_id``), created at the first exchange.

Revision ID: 0010_sync
Revises: 0009_audit_log
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0010_sync"
down_revision = "0009_audit_log"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "sync_peer",
        sa.Column("peer_id", S(length=36), primary_key=True, nullable=False),
        sa.Column("last_import_at", sa.DateTime(), nullable=True),
        sa.Column("last_exported_at", sa.DateTime(), nullable=True),
        sa.Column("last_file_sha256", S(), nullable=False),
    )
    op.create_table(
        "sync_base",
        sa.Column("peer_id", S(length=36), primary_key=True, nullable=False),
        sa.Column("table_name", S(), primary_key=True, nullable=False),
        sa.Column("record_id", S(length=36), primary_key=True, nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sync_base")
    op.drop_table("sync_peer")
