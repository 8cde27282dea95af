"""The meeting scheduler: meeting types, venues, series, meetings, links, people and attendance.

Revision ID: 0005_meetings
Revises: 0004_issue_board
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0005_meetings"
down_revision = "0004_issue_board"
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
        "meeting_type", *_tracked(),
        sa.Column("name", S(), nullable=False),
        sa.Column("reading", S(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("layer", S(), nullable=False),
        sa.Column("tasks", S(), nullable=False),
        sa.Column("default_minutes", sa.Integer(), nullable=False),
        sa.Column("agenda_template", sa.Text(), nullable=False),
    )
    op.create_table(
        "venue", *_tracked(),
        sa.Column("name", S(), nullable=False),
        sa.Column("reading", S(), nullable=False),
        sa.Column("address", S(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "meeting_series", *_tracked(),
        sa.Column("title", S(), nullable=False),
        sa.Column("freq", S(), nullable=False),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("weekdays", S(), nullable=False),
        sa.Column("month_day", sa.Integer(), nullable=True),
        sa.Column("month_week", sa.Integer(), nullable=True),
        sa.Column("month_weekday", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
    )
    op.create_table(
        "meeting", *_tracked(),
        sa.Column("title", S(), nullable=False),
        sa.Column("type_id", S(), sa.ForeignKey("meeting_type.id"), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("start_time", S(), nullable=True),
        sa.Column("end_time", S(), nullable=True),
        sa.Column("venue_id", S(), sa.ForeignKey("venue.id"), nullable=True),
        sa.Column("organiser_kind", S(), nullable=False),
        sa.Column("organiser_association_id", S(), sa.ForeignKey("association.id"), nullable=True),
        sa.Column("organiser_text", S(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("status", S(), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("municipality_id", S(), sa.ForeignKey("municipality.id"), nullable=True),
        sa.Column("series_id", S(), sa.ForeignKey("meeting_series.id"), nullable=True),
        sa.Column("occurrence_date", sa.Date(), nullable=True),
        sa.Column("copied_from_id", S(), nullable=True),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_meeting_date", "meeting", ["date"])
    op.create_index("ix_meeting_series_id", "meeting", ["series_id"])
    op.create_table(
        "meeting_co_organiser",
        sa.Column("meeting_id", S(), sa.ForeignKey("meeting.id"), primary_key=True),
        sa.Column("association_id", S(), sa.ForeignKey("association.id"), primary_key=True),
    )
    op.create_table(
        "meeting_profession",
        sa.Column("meeting_id", S(), sa.ForeignKey("meeting.id"), primary_key=True),
        sa.Column("profession_id", S(), sa.ForeignKey("profession.id"), primary_key=True),
    )
    op.create_table(
        "meeting_speaker",
        sa.Column("id", S(length=36), primary_key=True, nullable=False),
        sa.Column("meeting_id", S(), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("name", S(), nullable=False),
        sa.Column("affiliation", S(), nullable=False),
        sa.Column("talk_title", S(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
    )
    op.create_index("ix_meeting_speaker_meeting_id", "meeting_speaker", ["meeting_id"])
    op.create_table(
        "meeting_issue",
        sa.Column("meeting_id", S(), sa.ForeignKey("meeting.id"), primary_key=True),
        sa.Column("issue_id", S(), sa.ForeignKey("collab_issue.id"), primary_key=True),
        sa.Column("role", S(), nullable=False),
    )
    op.create_index("ix_meeting_issue_issue_id", "meeting_issue", ["issue_id"])
    op.create_table(
        "person", *_tracked(),
        sa.Column("name", S(), nullable=False),
        sa.Column("reading", S(), nullable=False),
        sa.Column("affiliation", S(), nullable=False),
        sa.Column("profession_id", S(), sa.ForeignKey("profession.id"), nullable=True),
        sa.Column("contact", S(), nullable=False),
        sa.Column("person_key", S(), nullable=False),
        sa.Column("merged_into_id", S(), nullable=True),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_person_person_key", "person", ["person_key"])
    op.create_table(
        "attendance",
        sa.Column("id", S(length=36), primary_key=True, nullable=False),
        sa.Column("meeting_id", S(), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("person_id", S(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("role", S(), nullable=False),
        sa.Column("status", S(), nullable=False),
        sa.Column("walk_in", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("meeting_id", "person_id"),
    )
    op.create_index("ix_attendance_meeting_id", "attendance", ["meeting_id"])
    op.create_index("ix_attendance_person_id", "attendance", ["person_id"])
    op.create_table(
        "attendance_count",
        sa.Column("id", S(length=36), primary_key=True, nullable=False),
        sa.Column("meeting_id", S(), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("profession_id", S(), sa.ForeignKey("profession.id"), nullable=True),
        sa.Column("label", S(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    op.create_index("ix_attendance_count_meeting_id", "attendance_count", ["meeting_id"])


def downgrade() -> None:
    for table in ("attendance_count", "attendance", "person", "meeting_issue", "meeting_speaker",
                  "meeting_profession", "meeting_co_organiser", "meeting", "meeting_series", "venue",
                  "meeting_type"):
        op.drop_table(table)
