"""Questionnaires (templates, items, returned sheets, answers) and group-work tables for attendance.

Revision ID: 0006_questionnaires
Revises: 0005_meetings
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0006_questionnaires"
down_revision = "0005_meetings"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("attendance") as batch:
        batch.add_column(sa.Column("table_no", sa.Integer(), nullable=True))
    op.create_table(
        "questionnaire_template",
        sa.Column("id", S(length=36), primary_key=True, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
        sa.Column("name", S(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "questionnaire_item",
        sa.Column("id", S(length=36), primary_key=True, nullable=False),
        sa.Column("template_id", S(), sa.ForeignKey("questionnaire_template.id"), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("kind", S(), nullable=False),
        sa.Column("text", S(), nullable=False),
        sa.Column("choices", S(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_questionnaire_item_template_id", "questionnaire_item", ["template_id"])
    op.create_table(
        "meeting_questionnaire",
        sa.Column("meeting_id", S(), sa.ForeignKey("meeting.id"), primary_key=True),
        sa.Column("template_id", S(), sa.ForeignKey("questionnaire_template.id"), nullable=False),
        sa.Column("distributed", sa.Integer(), nullable=True),
    )
    op.create_table(
        "questionnaire_response",
        sa.Column("id", S(length=36), primary_key=True, nullable=False),
        sa.Column("meeting_id", S(), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("sheet_no", sa.Integer(), nullable=False),
        sa.Column("profession_id", S(), sa.ForeignKey("profession.id"), nullable=True),
        sa.Column("profession_label", S(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_questionnaire_response_meeting_id", "questionnaire_response", ["meeting_id"])
    op.create_table(
        "questionnaire_answer",
        sa.Column("id", S(length=36), primary_key=True, nullable=False),
        sa.Column("response_id", S(), sa.ForeignKey("questionnaire_response.id"), nullable=False),
        sa.Column("item_id", S(), sa.ForeignKey("questionnaire_item.id"), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.UniqueConstraint("response_id", "item_id"),
    )
    op.create_index("ix_questionnaire_answer_response_id", "questionnaire_answer", ["response_id"])
    op.create_index("ix_questionnaire_answer_item_id", "questionnaire_answer", ["item_id"])


def downgrade() -> None:
    op.drop_table("questionnaire_answer")
    op.drop_table("questionnaire_response")
    op.drop_table("meeting_questionnaire")
    op.drop_table("questionnaire_item")
    op.drop_table("questionnaire_template")
    with op.batch_alter_table("attendance") as batch:
        batch.drop_column("table_no")
