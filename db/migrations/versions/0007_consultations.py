"""Consultation intake (task オ): categories, cases, consultations, referrals, the contact record, consent,
issues promoted from consultations, and an append-only access log.

Revision ID: 0007_consultations
Revises: 0006_questionnaires
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0007_consultations"
down_revision = "0006_questionnaires"
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
        "consultation_category", *_tracked(),
        sa.Column("name", S(), nullable=False),
        sa.Column("reading", S(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
    )
    op.create_table(
        "consultation_case", *_tracked(),
        sa.Column("case_no", S(), nullable=False),
        sa.Column("person_name", S(), nullable=False),
        sa.Column("person_reading", S(), nullable=False),
        sa.Column("person_phone", S(), nullable=False),
        sa.Column("age_band", S(), nullable=False),
        sa.Column("municipality_id", S(), sa.ForeignKey("municipality.id"), nullable=True),
        sa.Column("district_id", S(), sa.ForeignKey("district.id"), nullable=True),
        sa.Column("care_level", S(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_consultation_case_case_no", "consultation_case", ["case_no"])
    op.create_table(
        "consultation", *_tracked(),
        sa.Column("case_id", S(), sa.ForeignKey("consultation_case.id"), nullable=False),
        sa.Column("window", S(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("channel", S(), nullable=False),
        sa.Column("requester_type", S(), nullable=False),
        sa.Column("requester_name", S(), nullable=False),
        sa.Column("requester_affiliation", S(), nullable=False),
        sa.Column("requester_contact", S(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("minutes_spent", sa.Integer(), nullable=True),
        sa.Column("status", S(), nullable=False),
        sa.Column("handled_by", S(), nullable=False),
        sa.Column("follow_up_due", sa.Date(), nullable=True),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_consultation_case_id", "consultation", ["case_id"])
    op.create_index("ix_consultation_received_at", "consultation", ["received_at"])
    op.create_index("ix_consultation_status", "consultation", ["status"])
    op.create_index("ix_consultation_follow_up_due", "consultation", ["follow_up_due"])
    op.create_table(
        "consultation_category_link",
        sa.Column("consultation_id", S(), sa.ForeignKey("consultation.id"), primary_key=True),
        sa.Column("category_id", S(), sa.ForeignKey("consultation_category.id"), primary_key=True),
    )
    op.create_index("ix_consultation_category_link_category_id", "consultation_category_link", ["category_id"])
    op.create_table(
        "consultation_referral", *_tracked(),
        sa.Column("consultation_id", S(), sa.ForeignKey("consultation.id"), nullable=False),
        sa.Column("resource_id", S(), sa.ForeignKey("resource.id"), nullable=False),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("how", S(), nullable=False),
        sa.Column("personal_shared", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("outcome_on", sa.Date(), nullable=True),
    )
    op.create_index("ix_consultation_referral_consultation_id", "consultation_referral", ["consultation_id"])
    op.create_index("ix_consultation_referral_resource_id", "consultation_referral", ["resource_id"])
    op.create_table(
        "consultation_contact",
        sa.Column("id", S(length=36), primary_key=True, nullable=False),
        sa.Column("consultation_id", S(), sa.ForeignKey("consultation.id"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", S(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("by", S(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_consultation_contact_consultation_id", "consultation_contact", ["consultation_id"])
    op.create_table(
        "consultation_consent", *_tracked(),
        sa.Column("case_id", S(), sa.ForeignKey("consultation_case.id"), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("recipients", S(), nullable=False),
        sa.Column("purpose", S(), nullable=False),
        sa.Column("obtained_on", sa.Date(), nullable=False),
        sa.Column("method", S(), nullable=False),
        sa.Column("obtained_by", S(), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
    )
    op.create_index("ix_consultation_consent_case_id", "consultation_consent", ["case_id"])
    op.create_table(
        "issue_consultation",
        sa.Column("issue_id", S(), sa.ForeignKey("collab_issue.id"), primary_key=True),
        sa.Column("consultation_id", S(), sa.ForeignKey("consultation.id"), primary_key=True),
    )
    op.create_index("ix_issue_consultation_consultation_id", "issue_consultation", ["consultation_id"])
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
    # The access log is append-only: the program offers no way to change it, and the database refuses to.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION access_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   "RAISE EXCEPTION 'access_log is append-only' USING ERRCODE = 'integrity_constraint_violation'; "
                   "END $$")
        op.execute("CREATE TRIGGER access_log_no_change BEFORE UPDATE OR DELETE ON access_log "
                   "FOR EACH ROW EXECUTE FUNCTION access_log_refuse()")
        return
    op.execute("CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log "
               "BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END")
    op.execute("CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log "
               "BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS access_log_no_change ON access_log")
        op.execute("DROP FUNCTION IF EXISTS access_log_refuse()")
    else:
        op.execute("DROP TRIGGER IF EXISTS access_log_no_delete")
        op.execute("DROP TRIGGER IF EXISTS access_log_no_update")
    for table in ("access_log", "issue_consultation", "consultation_consent", "consultation_contact",
                  "consultation_referral", "consultation_category_link", "consultation", "consultation_case",
                  "consultation_category"):
        op.drop_table(table)
