"""Readiness assessments: attempts, each enterprise's latest counted result, providers' solution categories.

Revision ID: 667f2f99ce7a
Revises: 06871484d545
Create Date: 2026-11-26 19:06:42.875310

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '667f2f99ce7a'
down_revision = '06871484d545'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('resume_token_hash', sa.String(length=64), nullable=False),
    sa.Column('instrument_id', sa.String(length=40), nullable=False),
    sa.Column('instrument_version', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('page', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('counts_toward_indicators', sa.Boolean(), nullable=False),
    sa.Column('total_share', sa.Float(), nullable=True),
    sa.Column('overall_level', sa.Integer(), nullable=True),
    sa.Column('pillar_results', sa.JSON(), nullable=True),
    sa.CheckConstraint("status IN ('in_progress', 'submitted')", name=op.f('ck_assessment_status')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_assessment_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_assessment_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment')),
    sa.UniqueConstraint('public_id', name=op.f('uq_assessment_public_id')),
    sa.UniqueConstraint('resume_token_hash', name=op.f('uq_assessment_resume_token_hash'))
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_enterprise_submitted', ['enterprise_id', 'submitted_at'], unique=False)
        batch_op.create_index('ix_assessment_instrument', ['instrument_id', 'instrument_version', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_overall_level'), ['overall_level'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_submitted_at'), ['submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_user_id'), ['user_id'], unique=False)

    op.create_table('enterprise_solution',
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_enterprise_solution_enterprise_id_enterprise')),
    sa.PrimaryKeyConstraint('enterprise_id', 'category', name=op.f('pk_enterprise_solution'))
    )
    with op.batch_alter_table('enterprise_solution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_solution_category'), ['category'], unique=False)

    op.create_table('latest_assessment',
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.String(length=40), nullable=False),
    sa.Column('instrument_version', sa.Integer(), nullable=False),
    sa.Column('overall_level', sa.Integer(), nullable=False),
    sa.Column('total_share', sa.Float(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_latest_assessment_assessment_id_assessment')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_latest_assessment_enterprise_id_enterprise')),
    sa.PrimaryKeyConstraint('enterprise_id', name=op.f('pk_latest_assessment')),
    sa.UniqueConstraint('assessment_id', name=op.f('uq_latest_assessment_assessment_id'))
    )
    with op.batch_alter_table('latest_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_latest_assessment_instrument_id'), ['instrument_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_latest_assessment_overall_level'), ['overall_level'], unique=False)
        batch_op.create_index(batch_op.f('ix_latest_assessment_submitted_at'), ['submitted_at'], unique=False)



def downgrade():
    with op.batch_alter_table('latest_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_latest_assessment_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_latest_assessment_overall_level'))
        batch_op.drop_index(batch_op.f('ix_latest_assessment_instrument_id'))

    op.drop_table('latest_assessment')
    with op.batch_alter_table('enterprise_solution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_solution_category'))

    op.drop_table('enterprise_solution')
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_user_id'))
        batch_op.drop_index(batch_op.f('ix_assessment_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_assessment_overall_level'))
        batch_op.drop_index('ix_assessment_instrument')
        batch_op.drop_index('ix_assessment_enterprise_submitted')

    op.drop_table('assessment')
