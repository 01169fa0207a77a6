"""On PostgreSQL the name order compares name_sort byte by byte (collation "C"), so that its index
serves ORDER BY name_sort; SQLite already compares bytes.

Revision ID: a7c2e9d4f1b3
Revises: f3a8d1c6b2e4
Create Date: 2026-11-30 23:00:00

"""
from alembic import op


revision = 'a7c2e9d4f1b3'
down_revision = 'f3a8d1c6b2e4'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE enterprise ALTER COLUMN name_sort TYPE VARCHAR(300) COLLATE "C"')


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE enterprise ALTER COLUMN name_sort TYPE VARCHAR(300) COLLATE "default"')
