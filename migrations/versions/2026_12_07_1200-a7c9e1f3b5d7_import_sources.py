"""Files in columns of their own: import_source, and import_batch.mapping and import_batch.source_id.

A file whose header row is not the template's (the business registration office's export, the tax
office's list, an OCOP list) is read once staff said which template field each column holds. The
choices are saved under the name of where the file comes from (import_source: its mapping keyed by
the folded header) and offered for the next file with the same headers; the batch keeps the mapping
it is read with ({column index: field or null}) and the source it came from. Downgrade drops them: a
batch read with a mapping and not yet committed could no longer be read, so it is given up first (its
file dropped; nothing of it was written), and a batch still waiting for its mapping too.

Revision ID: a7c9e1f3b5d7
Revises: e3c5a7b9d1f2
Create Date: 2026-12-07 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a7c9e1f3b5d7"
down_revision = "e3c5a7b9d1f2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_import_source_created_by_id_user")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"], name=op.f("fk_import_source_updated_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_source")),
        sa.UniqueConstraint("name", name=op.f("uq_import_source_name")),
    )
    # On SQLite the table is rebuilt (a foreign key cannot be added otherwise); its CHECK constraints go with it.
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mapping", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_import_batch_source_id"), ["source_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_import_batch_source_id_import_source"), "import_source", ["source_id"], ["id"]
        )


def downgrade():
    op.execute(
        "UPDATE import_batch SET state = 'failed', content = NULL, "
        "error = 'Given up: its columns were mapped by a later version of the site' "
        "WHERE (mapping IS NOT NULL AND state IN ('uploaded', 'checking', 'checked', 'failed')) "
        "OR error = 'awaits_mapping'"
    )
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_import_batch_source_id_import_source"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_import_batch_source_id"))
        batch_op.drop_column("source_id")
        batch_op.drop_column("mapping")
    op.drop_table("import_source")
