"""An import's undo runs as a job like its check and commit: the batch gains the state "undoing".

Revision ID: f3a8d1c6b2e4
Revises: e5b2c7d8f9a1
Create Date: 2026-11-30 22:00:00

"""
from alembic import op


revision = 'f3a8d1c6b2e4'
down_revision = 'e5b2c7d8f9a1'
branch_labels = None
depends_on = None

STATES = "'uploaded', 'checking', 'checked', 'committing', 'committed', 'undone', 'failed'"


def upgrade():
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_import_batch_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_import_batch_state'), f"state IN ({STATES}, 'undoing')")


def downgrade():
    # An undo in progress cannot be represented before this revision: the batch is still committed
    # (an undo takes back what it wrote when it does not finish).
    op.execute("UPDATE import_batch SET state = 'committed' WHERE state = 'undoing'")
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_import_batch_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_import_batch_state'), f"state IN ({STATES})")
