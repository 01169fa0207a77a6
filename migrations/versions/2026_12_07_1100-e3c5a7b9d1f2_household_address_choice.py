"""A household business chooses whether the public sees its street address: enterprise.is_address_public.

A household business often works from the family's home, so its street address is personal data
(Decree 13/2023/NĐ-CP): its public record (profile, JSON-LD, API, public exports) shows the commune
only, until the household ticks the choice on its edit form. Companies and the other legal forms show
their address as before, whatever the column says. Every existing record starts false: no household
has chosen yet. Downgrade drops the column (and with it the choices made).

Revision ID: e3c5a7b9d1f2
Revises: d2b4f6a8c0e1
Create Date: 2026-12-07 11:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e3c5a7b9d1f2"
down_revision = "d2b4f6a8c0e1"
branch_labels = None
depends_on = None


def upgrade():
    # ALTER TABLE on both engines: no rebuild of the table under its full-text triggers.
    op.add_column("enterprise", sa.Column("is_address_public", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    op.drop_column("enterprise", "is_address_public")
