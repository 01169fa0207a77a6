"""Owners' documents: the evidence of a claim or of a product's certificate, for the department.

Kept in the database (app/models/engagement.Document): written in the transaction of what it
supports, the same on every app server, in every backup, never in a folder a web server serves.

Revision ID: b5d7f9a1c3e5
Revises: a4c6e8f0b2d4
Create Date: 2026-12-07 23:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b5d7f9a1c3e5"
down_revision = "a4c6e8f0b2d4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("certificate_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=50), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("purpose IN ('claim', 'certificate')", name=op.f("ck_document_purpose")),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["product_certificate.id"],
            name=op.f("fk_document_certificate_id_product_certificate"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"], name=op.f("fk_document_enterprise_id_enterprise")),
        sa.ForeignKeyConstraint(["review_id"], ["review_request.id"], name=op.f("fk_document_review_id_review_request")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user.id"], name=op.f("fk_document_uploaded_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
    )
    for column in ("certificate_id", "enterprise_id", "review_id"):
        op.create_index(op.f(f"ix_document_{column}"), "document", [column], unique=False)


def downgrade():
    for column in ("certificate_id", "enterprise_id", "review_id"):
        op.drop_index(op.f(f"ix_document_{column}"), table_name="document")
    op.drop_table("document")
