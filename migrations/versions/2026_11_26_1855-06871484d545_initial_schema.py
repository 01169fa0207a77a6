"""Initial schema: reference geography and sectors, the registry, accounts and the audit trail.

Tables: province, commune, legacy_commune (pre-2025 communes of former Phú Yên mapped to the
new units), vsic_section, platform, enterprise, product, listing, user, user_session,
membership, audit_event. Constraint names follow the naming convention in app/extensions.py.

Revision ID: 06871484d545
Revises: 
Create Date: 2026-11-26 18:55:03.211035

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '06871484d545'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('platform',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('domains', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_platform'))
    )
    op.create_table('province',
    sa.Column('code', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('commune_count', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_province'))
    )
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('totp_last_step', sa.Integer(), nullable=True),
    sa.Column('privacy_consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('privacy_notice_version', sa.String(length=20), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('owner', 'investor', 'staff', 'admin')", name=op.f('ck_user_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('email', name=op.f('uq_user_email'))
    )
    op.create_table('vsic_section',
    sa.Column('code', sa.String(length=1), nullable=False),
    sa.Column('name_vi', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('sector_group', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_vsic_section'))
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=40), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('provenance', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_audit_event_actor_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_event_entity', ['entity_type', 'entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_occurred_at'), ['occurred_at'], unique=False)

    op.create_table('commune',
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('name_folded', sa.String(length=100), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('former_province', sa.String(length=100), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['province_code'], ['province.code'], name=op.f('fk_commune_province_code_province')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_commune'))
    )
    with op.batch_alter_table('commune', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commune_name_folded'), ['name_folded'], unique=False)
        batch_op.create_index(batch_op.f('ix_commune_province_code'), ['province_code'], unique=False)

    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('user_agent', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_session_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_session_token_hash'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)

    op.create_table('enterprise',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_key', sa.String(length=20), nullable=False),
    sa.Column('code', sa.String(length=14), nullable=True),
    sa.Column('personal_id', sa.String(length=12), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('name_folded', sa.String(length=300), nullable=False),
    sa.Column('legal_form', sa.String(length=20), nullable=False),
    sa.Column('main_vsic', sa.String(length=5), nullable=True),
    sa.Column('vsic_section', sa.String(length=1), nullable=True),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('founded_on', sa.Date(), nullable=True),
    sa.Column('employees', sa.Integer(), nullable=True),
    sa.Column('revenue_vnd', sa.BigInteger(), nullable=True),
    sa.Column('capital_vnd', sa.BigInteger(), nullable=True),
    sa.Column('size_tier', sa.String(length=20), nullable=False),
    sa.Column('is_digital_tech', sa.Boolean(), nullable=False),
    sa.Column('digital_tech_basis', sa.Text(), nullable=True),
    sa.Column('digital_tech_verification', sa.String(length=20), nullable=False),
    sa.Column('is_startup', sa.Boolean(), nullable=False),
    sa.Column('startup_basis', sa.Text(), nullable=True),
    sa.Column('startup_verification', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('record_state', sa.String(length=20), nullable=False),
    sa.Column('shows_readiness', sa.Boolean(), nullable=False),
    sa.Column('provenance', sa.String(length=20), nullable=False),
    sa.Column('provenance_ref', sa.String(length=100), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("record_state IN ('published', 'pending', 'rejected', 'withdrawn')", name=op.f('ck_enterprise_record_state')),
    sa.CheckConstraint("status IN ('active', 'suspended', 'dissolved')", name=op.f('ck_enterprise_status')),
    sa.CheckConstraint('capital_vnd IS NULL OR capital_vnd >= 0', name=op.f('ck_enterprise_capital_not_negative')),
    sa.CheckConstraint('employees IS NULL OR employees >= 0', name=op.f('ck_enterprise_employees_not_negative')),
    sa.CheckConstraint('revenue_vnd IS NULL OR revenue_vnd >= 0', name=op.f('ck_enterprise_revenue_not_negative')),
    sa.ForeignKeyConstraint(['commune_code'], ['commune.code'], name=op.f('fk_enterprise_commune_code_commune')),
    sa.ForeignKeyConstraint(['vsic_section'], ['vsic_section.code'], name=op.f('fk_enterprise_vsic_section_vsic_section')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise')),
    sa.UniqueConstraint('code', name=op.f('uq_enterprise_code')),
    sa.UniqueConstraint('public_key', name=op.f('uq_enterprise_public_key'))
    )
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_commune_code'), ['commune_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_founded_on'), ['founded_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_is_digital_tech'), ['is_digital_tech'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_is_startup'), ['is_startup'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_legal_form'), ['legal_form'], unique=False)
        batch_op.create_index('ix_enterprise_listing', ['record_state', 'commune_code', 'vsic_section'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_name_folded'), ['name_folded'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_personal_id'), ['personal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_size_tier'), ['size_tier'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_vsic_section'), ['vsic_section'], unique=False)

    op.create_table('legacy_commune',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('old_code', sa.String(length=5), nullable=False),
    sa.Column('old_name', sa.String(length=100), nullable=False),
    sa.Column('old_name_folded', sa.String(length=100), nullable=False),
    sa.Column('old_district', sa.String(length=100), nullable=False),
    sa.Column('new_code', sa.String(length=5), nullable=False),
    sa.ForeignKeyConstraint(['new_code'], ['commune.code'], name=op.f('fk_legacy_commune_new_code_commune')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legacy_commune')),
    sa.UniqueConstraint('old_code', 'new_code', name=op.f('uq_legacy_commune_old_code_new_code'))
    )
    with op.batch_alter_table('legacy_commune', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legacy_commune_old_code'), ['old_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_legacy_commune_old_name_folded'), ['old_name_folded'], unique=False)

    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('claim_state', sa.String(length=20), nullable=False),
    sa.Column('evidence', sa.String(length=1000), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("claim_state IN ('pending', 'verified', 'rejected')", name=op.f('ck_membership_claim_state')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_membership_decided_by_id_user')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_membership_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_membership_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership')),
    sa.UniqueConstraint('user_id', 'enterprise_id', name=op.f('uq_membership_user_id_enterprise_id'))
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_user_id'), ['user_id'], unique=False)

    op.create_table('product',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('name_folded', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('certification', sa.String(length=30), nullable=False),
    sa.Column('ocop_stars', sa.Integer(), nullable=True),
    sa.Column('ocop_group', sa.String(length=20), nullable=True),
    sa.Column('certifying_body', sa.String(length=300), nullable=True),
    sa.Column('certificate_no', sa.String(length=100), nullable=True),
    sa.Column('certified_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(certification = 'ocop' AND ocop_stars BETWEEN 3 AND 5) OR (certification <> 'ocop' AND ocop_stars IS NULL)", name=op.f('ck_product_ocop_stars')),
    sa.CheckConstraint("certification IN ('ocop', 'gi', 'collective_mark', 'certification_mark')", name=op.f('ck_product_certification')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_product_enterprise_id_enterprise')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product'))
    )
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_certification'), ['certification'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_name_folded'), ['name_folded'], unique=False)

    op.create_table('listing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('platform_code', sa.String(length=20), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('last_verified_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['platform_code'], ['platform.code'], name=op.f('fk_listing_platform_code_platform')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_listing_product_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing')),
    sa.UniqueConstraint('product_id', 'url', name=op.f('uq_listing_product_id_url'))
    )
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_platform_code'), ['platform_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_listing_product_id'), ['product_id'], unique=False)



def downgrade():
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_product_id'))
        batch_op.drop_index(batch_op.f('ix_listing_platform_code'))

    op.drop_table('listing')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_name_folded'))
        batch_op.drop_index(batch_op.f('ix_product_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_product_certification'))

    op.drop_table('product')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_user_id'))
        batch_op.drop_index(batch_op.f('ix_membership_enterprise_id'))

    op.drop_table('membership')
    with op.batch_alter_table('legacy_commune', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legacy_commune_old_name_folded'))
        batch_op.drop_index(batch_op.f('ix_legacy_commune_old_code'))

    op.drop_table('legacy_commune')
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_vsic_section'))
        batch_op.drop_index(batch_op.f('ix_enterprise_status'))
        batch_op.drop_index(batch_op.f('ix_enterprise_size_tier'))
        batch_op.drop_index(batch_op.f('ix_enterprise_personal_id'))
        batch_op.drop_index(batch_op.f('ix_enterprise_name_folded'))
        batch_op.drop_index('ix_enterprise_listing')
        batch_op.drop_index(batch_op.f('ix_enterprise_legal_form'))
        batch_op.drop_index(batch_op.f('ix_enterprise_is_startup'))
        batch_op.drop_index(batch_op.f('ix_enterprise_is_digital_tech'))
        batch_op.drop_index(batch_op.f('ix_enterprise_founded_on'))
        batch_op.drop_index(batch_op.f('ix_enterprise_commune_code'))

    op.drop_table('enterprise')
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))

    op.drop_table('user_session')
    with op.batch_alter_table('commune', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commune_province_code'))
        batch_op.drop_index(batch_op.f('ix_commune_name_folded'))

    op.drop_table('commune')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_occurred_at'))
        batch_op.drop_index('ix_audit_event_entity')
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_id'))

    op.drop_table('audit_event')
    op.drop_table('vsic_section')
    op.drop_table('user')
    op.drop_table('province')
    op.drop_table('platform')
