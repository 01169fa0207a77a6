"""The legal representative as the registration names them, a registered fact of the enterprise.

Read from the registry's files (app/imports/headers.py: "Người đại diện theo pháp luật" and its
spellings) and the forms; staff compare a claim's representative with it, and two records naming the
same person are suggested as one enterprise recorded twice (app/registry/duplicates.py).

Revision ID: c6e8a0b2d4f6
Revises: b5d7f9a1c3e5
Create Date: 2026-12-07 23:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c6e8a0b2d4f6"
down_revision = "b5d7f9a1c3e5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("enterprise") as batch:
        batch.add_column(sa.Column("representative", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("enterprise") as batch:
        batch.drop_column("representative")
