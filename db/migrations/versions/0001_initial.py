"""Vocabularies and the resource list.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0001_initial"
down_revision = None
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


def _vocab(name: str, *extra: sa.Column | sa.ForeignKeyConstraint) -> None:
    op.create_table(
        name,
        *_tracked(),
        sa.Column("name", S(), nullable=False),
        sa.Column("reading", S(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        *extra,
    )


def upgrade() -> None:
    _vocab("municipality", sa.Column("code", S(length=6), nullable=False))
    op.create_index("ix_municipality_code", "municipality", ["code"])
    _vocab("district", sa.Column("municipality_id", S(), sa.ForeignKey("municipality.id"), nullable=False))
    op.create_index("ix_district_municipality_id", "district", ["municipality_id"])
    _vocab("association")
    _vocab("profession", sa.Column("association_id", S(), sa.ForeignKey("association.id"), nullable=True))
    _vocab("resource_category", sa.Column("group", S(), nullable=False))
    _vocab("capability")
    _vocab("procedure")

    op.create_table(
        "resource",
        *_tracked(),
        sa.Column("name", S(), nullable=False),
        sa.Column("reading", S(), nullable=False),
        sa.Column("category_id", S(), sa.ForeignKey("resource_category.id"), nullable=False),
        sa.Column("municipality_id", S(), sa.ForeignKey("municipality.id"), nullable=True),
        sa.Column("district_id", S(), sa.ForeignKey("district.id"), nullable=True),
        sa.Column("postal_code", S(), nullable=False),
        sa.Column("address", S(), nullable=False),
        sa.Column("phone", S(), nullable=False),
        sa.Column("fax", S(), nullable=False),
        sa.Column("email", S(), nullable=False),
        sa.Column("url", S(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("opening_hours", S(), nullable=False),
        sa.Column("visit_area", S(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("last_confirmed", sa.Date(), nullable=True),
        sa.Column("confirmed_source", S(), nullable=False),
        sa.Column("shortstay_vacancies", sa.Integer(), nullable=True),
        sa.Column("shortstay_as_of", sa.Date(), nullable=True),
        sa.Column("external_source", S(), nullable=False),
        sa.Column("external_id", S(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("search_text", S(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_resource_category_id", "resource", ["category_id"])
    op.create_index("ix_resource_external", "resource", ["external_source", "external_id"])

    op.create_table(
        "resource_capability",
        sa.Column("resource_id", S(), sa.ForeignKey("resource.id"), primary_key=True),
        sa.Column("capability_id", S(), sa.ForeignKey("capability.id"), primary_key=True),
    )
    op.create_table(
        "resource_procedure",
        sa.Column("resource_id", S(), sa.ForeignKey("resource.id"), primary_key=True),
        sa.Column("procedure_id", S(), sa.ForeignKey("procedure.id"), primary_key=True),
        sa.Column("mark", S(length=1), nullable=False),
    )
    op.create_table(
        "key_person",
        sa.Column("id", S(length=36), primary_key=True, nullable=False),
        sa.Column("resource_id", S(), sa.ForeignKey("resource.id"), nullable=False),
        sa.Column("name", S(), nullable=False),
        sa.Column("role", S(), nullable=False),
        sa.Column("phone", S(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
    )
    op.create_index("ix_key_person_resource_id", "key_person", ["resource_id"])


def downgrade() -> None:
    for table in ("key_person", "resource_procedure", "resource_capability", "resource",
                  "procedure", "capability", "resource_category", "profession", "association",
                  "district", "municipality"):
        op.drop_table(table)
