"""The department workspace: merged duplicates, background import jobs with progress, the
province's targets with their indicators and reported values.

The enterprise gets its new column by ALTER TABLE on both engines (no table rebuild: on SQLite a
rebuild would drop the full-text triggers). The import batch is rebuilt on SQLite to widen its state
check with the job states.

Revision ID: b5e2a9c4d8f1
Revises: ffa9420f169e
Create Date: 2026-11-26 21:45:09.474922

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5e2a9c4d8f1'
down_revision = 'ffa9420f169e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('indicator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_vi', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('metric', sa.String(length=60), nullable=True),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('computed', 'reported')", name=op.f('ck_indicator_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator')),
    sa.UniqueConstraint('code', name=op.f('uq_indicator_code'))
    )
    op.create_table('indicator_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('source_document', sa.String(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_by_label', sa.String(length=100), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user.id'], name=op.f('fk_indicator_value_entered_by_id_user')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_indicator_value_indicator_id_indicator')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_value'))
    )
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_value_indicator_id'), ['indicator_id'], unique=False)

    op.create_table('target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('reading_vi', sa.Text(), nullable=True),
    sa.Column('reading_en', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_note', sa.Text(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('active', 'achieved', 'obsolete')", name=op.f('ck_target_status')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_target_indicator_id_indicator')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_target_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target')),
    sa.UniqueConstraint('indicator_id', 'year', name=op.f('uq_target_indicator_id_year'))
    )
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_indicator_id'), ['indicator_id'], unique=False)

    op.create_table('duplicate_dismissal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('first_id < second_id', name=op.f('ck_duplicate_dismissal_ordered')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_duplicate_dismissal_decided_by_id_user')),
    sa.ForeignKeyConstraint(['first_id'], ['enterprise.id'], name=op.f('fk_duplicate_dismissal_first_id_enterprise')),
    sa.ForeignKeyConstraint(['second_id'], ['enterprise.id'], name=op.f('fk_duplicate_dismissal_second_id_enterprise')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_dismissal')),
    sa.UniqueConstraint('first_id', 'second_id', name=op.f('uq_duplicate_dismissal_first_id_second_id'))
    )
    with op.batch_alter_table('duplicate_dismissal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_dismissal_second_id'), ['second_id'], unique=False)

    op.add_column('enterprise', sa.Column('merged_into_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_enterprise_merged_into_id'), 'enterprise', ['merged_into_id'], unique=False)

    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('progress_done', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('progress_total', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f('ck_import_batch_state'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_import_batch_state'),
            "state IN ('uploaded', 'checking', 'checked', 'committing', 'committed', 'undone', 'failed')",
        )
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.alter_column('progress_done', server_default=None)
        batch_op.alter_column('progress_total', server_default=None)



def downgrade():
    # Batches in a job state cannot be represented before this revision: they become failed.
    op.execute("UPDATE import_batch SET state = 'failed' WHERE state IN ('uploaded', 'checking', 'committing')")
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_import_batch_state'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_import_batch_state'), "state IN ('checked', 'committed', 'undone', 'failed')"
        )
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('progress_total')
        batch_op.drop_column('progress_done')

    op.drop_index(op.f('ix_enterprise_merged_into_id'), table_name='enterprise')
    op.drop_column('enterprise', 'merged_into_id')

    with op.batch_alter_table('duplicate_dismissal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_dismissal_second_id'))

    op.drop_table('duplicate_dismissal')
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_indicator_id'))

    op.drop_table('target')
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_value_indicator_id'))

    op.drop_table('indicator_value')
    op.drop_table('indicator')
