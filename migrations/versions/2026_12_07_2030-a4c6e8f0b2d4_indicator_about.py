"""An indicator's metadata: periodicity, responsible agency and contact, plan document, limitations.

Kept as the department's data beside the indicator (a JSON object, app/progress/about.py reads it);
`flask targets load` fills it from the targets file where it is still empty.

Revision ID: a4c6e8f0b2d4
Revises: e7f9a1b3c5d7
Create Date: 2026-12-07 20:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a4c6e8f0b2d4"
down_revision = "e7f9a1b3c5d7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("indicator") as batch:
        batch.add_column(sa.Column("about", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("indicator") as batch:
        batch.drop_column("about")
