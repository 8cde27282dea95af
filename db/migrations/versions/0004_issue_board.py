"""The issue board (task イ): issues, responses, themes, association needs, planned events.

Revision ID: 0004_issue_board
Revises: 0003_open_data_and_map
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0004_issue_board"
down_revision = "0003_open_data_and_map"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def _tracked() -> list[sa.Column]:
    return [
        sa.Column("id", S(length=36), primary_key=True, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "theme", *_tracked(),
        sa.Column("name", S(), nullable=False),
        sa.Column("reading", S(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
    )
    op.create_table(
        "collab_issue", *_tracked(),
        sa.Column("title", S(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("layer", S(), nullable=False),
        sa.Column("status", S(), nullable=False),
        sa.Column("priority", S(), nullable=False),
        sa.Column("source_association_id", S(), sa.ForeignKey("association.id"), nullable=True),
        sa.Column("source_text", S(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=True),
        sa.Column("municipality_id", S(), sa.ForeignKey("municipality.id"), nullable=True),
        sa.Column("owner", S(), nullable=False),
        sa.Column("next_action", S(), nullable=False),
        sa.Column("next_due", sa.Date(), nullable=True),
        sa.Column("fed_back_on", sa.Date(), nullable=True),
        sa.Column("fed_back_how", S(), nullable=False),
        sa.Column("search_text", S(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "collab_issue_profession",
        sa.Column("issue_id", S(), sa.ForeignKey("collab_issue.id"), primary_key=True),
        sa.Column("profession_id", S(), sa.ForeignKey("profession.id"), primary_key=True),
    )
    op.create_table(
        "collab_issue_theme",
        sa.Column("issue_id", S(), sa.ForeignKey("collab_issue.id"), primary_key=True),
        sa.Column("theme_id", S(), sa.ForeignKey("theme.id"), primary_key=True),
    )
    op.create_table(
        "issue_response", *_tracked(),
        sa.Column("issue_id", S(), sa.ForeignKey("collab_issue.id"), nullable=False),
        sa.Column("actor_kind", S(), nullable=False),
        sa.Column("actor_association_id", S(), sa.ForeignKey("association.id"), nullable=True),
        sa.Column("actor_text", S(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("state", S(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
    )
    op.create_index("ix_issue_response_issue_id", "issue_response", ["issue_id"])
    op.create_table(
        "planned_event", *_tracked(),
        sa.Column("title", S(), nullable=False),
        sa.Column("layer", S(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("association_ids", S(), nullable=False),
        sa.Column("adopted_meeting_id", S(), nullable=False),
    )
    op.create_table(
        "association_need", *_tracked(),
        sa.Column("association_id", S(), sa.ForeignKey("association.id"), nullable=True),
        sa.Column("text", S(), nullable=False),
        sa.Column("status", S(), nullable=False),
        sa.Column("planned_event_id", S(), sa.ForeignKey("planned_event.id"), nullable=True),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "association_need_theme",
        sa.Column("need_id", S(), sa.ForeignKey("association_need.id"), primary_key=True),
        sa.Column("theme_id", S(), sa.ForeignKey("theme.id"), primary_key=True),
    )


def downgrade() -> None:
    for table in ("association_need_theme", "association_need", "planned_event", "issue_response",
                  "collab_issue_theme", "collab_issue_profession", "collab_issue", "theme"):
        op.drop_table(table)
