"""Merges kept with what they moved, so that staff can undo one while neither record changed since.

Revision ID: d4a1f6b2c9e7
Revises: c7d3e8f1a2b4
Create Date: 2026-11-30 19:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd4a1f6b2c9e7'
down_revision = 'c7d3e8f1a2b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'enterprise_merge',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kept_id', sa.Integer(), nullable=False),
        sa.Column('duplicate_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('moved', sa.JSON(), nullable=False),
        sa.Column('last_event_id', sa.Integer(), nullable=False),
        sa.Column('merged_by_id', sa.Integer(), nullable=True),
        sa.Column('merged_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('undone_by_id', sa.Integer(), nullable=True),
        sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['kept_id'], ['enterprise.id'], name=op.f('fk_enterprise_merge_kept_id_enterprise')),
        sa.ForeignKeyConstraint(['duplicate_id'], ['enterprise.id'],
                                name=op.f('fk_enterprise_merge_duplicate_id_enterprise')),
        sa.ForeignKeyConstraint(['merged_by_id'], ['user.id'], name=op.f('fk_enterprise_merge_merged_by_id_user')),
        sa.ForeignKeyConstraint(['undone_by_id'], ['user.id'], name=op.f('fk_enterprise_merge_undone_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_merge')),
    )
    op.create_index(op.f('ix_enterprise_merge_kept_id'), 'enterprise_merge', ['kept_id'], unique=False)
    op.create_index(op.f('ix_enterprise_merge_duplicate_id'), 'enterprise_merge', ['duplicate_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_enterprise_merge_duplicate_id'), table_name='enterprise_merge')
    op.drop_index(op.f('ix_enterprise_merge_kept_id'), table_name='enterprise_merge')
    op.drop_table('enterprise_merge')
