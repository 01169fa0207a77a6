"""E-mails carry an HTML part beside the plain text, made from the same content.

Revision ID: b8d3f2a1c6e5
Revises: a7c2e9d4f1b3
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b8d3f2a1c6e5'
down_revision = 'a7c2e9d4f1b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outgoing_mail') as batch_op:
        batch_op.add_column(sa.Column('html', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('outgoing_mail') as batch_op:
        batch_op.drop_column('html')
