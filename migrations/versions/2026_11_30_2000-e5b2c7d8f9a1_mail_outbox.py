"""The e-mail outbox: mail is written in the deciding transaction and sent after it commits.

Revision ID: e5b2c7d8f9a1
Revises: d4a1f6b2c9e7
Create Date: 2026-11-30 20:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e5b2c7d8f9a1'
down_revision = 'd4a1f6b2c9e7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outgoing_mail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_mail')),
    )
    op.create_index(op.f('ix_outgoing_mail_next_attempt_at'), 'outgoing_mail', ['next_attempt_at'], unique=False)
    op.create_index(op.f('ix_outgoing_mail_sent_at'), 'outgoing_mail', ['sent_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_outgoing_mail_sent_at'), table_name='outgoing_mail')
    op.drop_index(op.f('ix_outgoing_mail_next_attempt_at'), table_name='outgoing_mail')
    op.drop_table('outgoing_mail')
