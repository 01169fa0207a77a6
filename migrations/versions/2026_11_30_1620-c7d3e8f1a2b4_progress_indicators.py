"""Progress toward the targets: dated facts the indicators read as of a day (the day a record
entered the registry, the day it ceased, the days its labels were verified, the day an attempt
began to count, dated checks of listings), the indicators' settings, and their snapshots.

Enterprise columns are added by ALTER TABLE on both engines (no table rebuild: on SQLite a rebuild
would drop the full-text triggers). Existing rows get their dates from what is known: a record
entered the registry when it was created; a record that is not active ceased when it was last
changed; a verified label was verified when the record was last changed; a counted attempt began to
count when it was submitted; a listing's last check becomes its first dated check.

Revision ID: c7d3e8f1a2b4
Revises: b5e2a9c4d8f1
Create Date: 2026-11-30 16:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c7d3e8f1a2b4'
down_revision = 'b5e2a9c4d8f1'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('enterprise', sa.Column('registered_on', sa.Date(), nullable=True))
    op.add_column('enterprise', sa.Column('ceased_on', sa.Date(), nullable=True))
    op.add_column('enterprise', sa.Column('digital_tech_verified_on', sa.Date(), nullable=True))
    op.add_column('enterprise', sa.Column('startup_verified_on', sa.Date(), nullable=True))
    op.create_index('ix_enterprise_as_of', 'enterprise', ['registered_on', 'ceased_on', 'record_state', 'commune_code',
                                                          'vsic_section', 'main_vsic', 'size_tier', 'legal_form'],
                    unique=False)
    op.execute("UPDATE enterprise SET registered_on = CAST(created_at AS DATE)"
               if op.get_bind().dialect.name == 'postgresql' else
               "UPDATE enterprise SET registered_on = date(created_at)")
    day_of = "CAST(updated_at AS DATE)" if op.get_bind().dialect.name == 'postgresql' else "date(updated_at)"
    op.execute(f"UPDATE enterprise SET ceased_on = {day_of} WHERE status <> 'active'")
    op.execute(f"UPDATE enterprise SET digital_tech_verified_on = {day_of} "
               "WHERE is_digital_tech AND digital_tech_verification = 'verified'")
    op.execute(f"UPDATE enterprise SET startup_verified_on = {day_of} "
               "WHERE is_startup AND startup_verification = 'verified'")

    # ALTER TABLE on both engines: no rebuild of a table other tables refer to.
    op.add_column('assessment', sa.Column('counted_at', sa.DateTime(timezone=True), nullable=True))
    # Every submitted attempt of a counting instrument whose author is a verified member of its
    # enterprise counted from its submission (the rule of assessment.services.update_latest).
    op.execute("UPDATE assessment SET counted_at = submitted_at "
               "WHERE status = 'submitted' AND counts_toward_indicators AND enterprise_id IS NOT NULL "
               "AND EXISTS (SELECT 1 FROM membership WHERE membership.user_id = assessment.user_id "
               "AND membership.enterprise_id = assessment.enterprise_id AND membership.claim_state = 'verified')")
    op.create_index('ix_assessment_counted_latest', 'assessment',
                    ['enterprise_id', 'submitted_at', 'counted_at', 'overall_level'], unique=False)

    op.create_table('listing_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=False),
    sa.Column('is_available', sa.Boolean(), nullable=False),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('checked_by_label', sa.String(length=100), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['checked_by_id'], ['user.id'], name=op.f('fk_listing_check_checked_by_id_user')),
    sa.ForeignKeyConstraint(['listing_id'], ['listing.id'], name=op.f('fk_listing_check_listing_id_listing')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_check'))
    )
    op.create_index('ix_listing_check_listing_day', 'listing_check', ['listing_id', 'checked_on'], unique=False)
    op.execute("INSERT INTO listing_check (listing_id, checked_on, is_available, checked_by_label, note, created_at) "
               "SELECT id, last_verified_on, true, 'migration', NULL, updated_at FROM listing "
               "WHERE last_verified_on IS NOT NULL")

    op.create_table('indicator_setting',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.String(length=100), nullable=False),
    sa.Column('reading_vi', sa.Text(), nullable=True),
    sa.Column('reading_en', sa.Text(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_indicator_setting_updated_by_id_user')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_indicator_setting'))
    )
    op.create_table('indicator_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_code', sa.String(length=40), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('settings_key', sa.String(length=64), nullable=False),
    sa.Column('registry_version', sa.String(length=64), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_snapshot')),
    sa.UniqueConstraint('indicator_code', 'as_of', 'settings_key', name=op.f('uq_indicator_snapshot_indicator_code_as_of_settings_key'))
    )


def downgrade():
    op.drop_table('indicator_snapshot')
    op.drop_table('indicator_setting')
    op.drop_index('ix_listing_check_listing_day', table_name='listing_check')
    op.drop_table('listing_check')
    op.drop_index('ix_assessment_counted_latest', table_name='assessment')
    op.drop_column('assessment', 'counted_at')
    op.drop_index('ix_enterprise_as_of', table_name='enterprise')
    op.drop_column('enterprise', 'startup_verified_on')
    op.drop_column('enterprise', 'digital_tech_verified_on')
    op.drop_column('enterprise', 'ceased_on')
    op.drop_column('enterprise', 'registered_on')
