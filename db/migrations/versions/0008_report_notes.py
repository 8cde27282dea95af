"""Free text for the sections of the annual report (事業実績報告), per fiscal year, task and section.

Revision ID: 0008_report_notes
Revises: 0007_consultations
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0008_report_notes"
down_revision = "0007_consultations"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "report_note",
        sa.Column("fiscal_year", sa.Integer(), primary_key=True),
        sa.Column("task", S(), primary_key=True),
        sa.Column("section", S(), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", S(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("report_note")
