"""Past assessment results the department imports: ``assessment.is_imported`` and ``instrument_name``.

An imported result has no answers and counts from its day; its instrument is one of ours or an
external one (``instrument_id`` "external:<slug>", named in ``instrument_name``). The index the
progress indicators read covers the two columns T5 tells apart (the instrument, the import). An
undone import deletes the attempts it wrote: ``latest_assessment`` goes with its attempt (ON DELETE
CASCADE) and is recomputed; its ``total_share`` may be unknown (an imported result without a
score). Downgrade drops the two columns, restores the index, and makes ``total_share`` required
again (an unknown one reads 0).

Revision ID: b2c4d6e8f0a1
Revises: f1a2b3c4d5e6
Create Date: 2026-12-07 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b2c4d6e8f0a1"
down_revision = "f1a2b3c4d5e6"
branch_labels = None
depends_on = None

INDEX = "ix_assessment_counted_latest"
OLD_COLUMNS = ["enterprise_id", "submitted_at", "counted_at", "overall_level"]
FK = "fk_latest_assessment_assessment_id_assessment"


def upgrade():
    op.add_column("assessment", sa.Column("is_imported", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("assessment", sa.Column("instrument_name", sa.String(200), nullable=True))
    op.drop_index(INDEX, table_name="assessment")
    op.create_index(INDEX, "assessment", [*OLD_COLUMNS, "instrument_id", "is_imported"])
    with op.batch_alter_table("latest_assessment") as batch_op:
        batch_op.alter_column("total_share", existing_type=sa.Float(), nullable=True)
        batch_op.drop_constraint(FK, type_="foreignkey")
        batch_op.create_foreign_key(FK, "assessment", ["assessment_id"], ["id"], ondelete="CASCADE")


def downgrade():
    op.execute("UPDATE latest_assessment SET total_share = 0 WHERE total_share IS NULL")
    with op.batch_alter_table("latest_assessment") as batch_op:
        batch_op.drop_constraint(FK, type_="foreignkey")
        batch_op.create_foreign_key(FK, "assessment", ["assessment_id"], ["id"])
        batch_op.alter_column("total_share", existing_type=sa.Float(), nullable=False)
    op.drop_index(INDEX, table_name="assessment")
    op.create_index(INDEX, "assessment", OLD_COLUMNS)
    with op.batch_alter_table("assessment") as batch_op:
        batch_op.drop_column("instrument_name")
        batch_op.drop_column("is_imported")
