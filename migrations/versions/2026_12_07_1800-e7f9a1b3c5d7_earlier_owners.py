"""Products and assessments a merge moved keep their earlier owner until the day the two became one.

A merge moves the duplicate's products and assessments to the record kept; figures of days before
the merge's day counted them under the duplicate, and must still (the record kept may not have
existed then). ``earlier_owner`` says so, one row per moved item. Merges made since merges were dated
(their ``moved`` holds ``one_from``) and not undone get their rows here; older merges counted the
firm once from the start, so their items' owner was already the record kept.

Revision ID: e7f9a1b3c5d7
Revises: c3d5e7f9a1b2
Create Date: 2026-12-07 18:00:00
"""

import json
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "e7f9a1b3c5d7"
down_revision = "c3d5e7f9a1b2"
branch_labels = None
depends_on = None

KINDS = {"products": "product", "assessments": "assessment"}


def upgrade():
    op.create_table(
        "earlier_owner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merge_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merge_id"], ["enterprise_merge.id"], name=op.f("fk_earlier_owner_merge_id_enterprise_merge")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_earlier_owner_enterprise_id_enterprise")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_earlier_owner")),
    )
    op.create_index(op.f("ix_earlier_owner_merge_id"), "earlier_owner", ["merge_id"], unique=False)
    op.create_index("ix_earlier_owner_item", "earlier_owner", ["kind", "item_id", "until"], unique=False)
    connection = op.get_bind()
    merges = connection.execute(
        sa.text("SELECT id, duplicate_id, moved FROM enterprise_merge WHERE undone_at IS NULL")
    ).all()
    rows = []
    for merge_id, duplicate_id, moved in merges:
        moved = json.loads(moved) if isinstance(moved, str) else moved
        if not moved.get("one_from"):
            continue
        until = date.fromisoformat(moved["one_from"])
        for key, kind in KINDS.items():
            rows += [
                {"merge_id": merge_id, "kind": kind, "item_id": item, "enterprise_id": duplicate_id, "until": until}
                for item in moved.get(key, [])
            ]
    if rows:
        table = sa.table(
            "earlier_owner",
            sa.column("merge_id", sa.Integer),
            sa.column("kind", sa.String),
            sa.column("item_id", sa.Integer),
            sa.column("enterprise_id", sa.Integer),
            sa.column("until", sa.Date),
        )
        op.bulk_insert(table, rows)


def downgrade():
    op.drop_index("ix_earlier_owner_item", table_name="earlier_owner")
    op.drop_index(op.f("ix_earlier_owner_merge_id"), table_name="earlier_owner")
    op.drop_table("earlier_owner")
