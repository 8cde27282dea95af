"""Official open-data provenance on resources, and background layers for the offline map.

Revision ID: 0003_open_data_and_map
Revises: 0002_history
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0003_open_data_and_map"
down_revision = "0002_history"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("resource") as batch:
        # Which official file last confirmed the record, and the date of that file.
        batch.add_column(sa.Column("official_file", S(), nullable=False, server_default=""))
        batch.add_column(sa.Column("official_date", sa.Date(), nullable=True))
        # Set when the newest official file of its source no longer lists the record.
        batch.add_column(sa.Column("official_gone_at", sa.Date(), nullable=True))
    op.create_table(
        "map_layer",
        sa.Column("id", S(length=36), primary_key=True, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
        sa.Column("name", S(), nullable=False),
        sa.Column("source_file", S(), nullable=False),
        sa.Column("geojson", sa.Text(), nullable=False),
        sa.Column("visible", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("map_layer")
    with op.batch_alter_table("resource") as batch:
        batch.drop_column("official_gone_at")
        batch.drop_column("official_date")
        batch.drop_column("official_file")
