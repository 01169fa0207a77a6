"""The directory's change log (``directory_change``) and the triggers that write it.

Each write to a table the directory reads adds the enterprise it concerns, in the same transaction:
the directory's index (app/directory/live.py) reads those enterprises again instead of rebuilding.
The triggers are per statement on PostgreSQL (a bulk insert of a million rows writes the log in one
statement, from the transition tables) and per row on SQLite. ``txid`` is the writing transaction's
id on PostgreSQL, where commits can come out of id order. The trigger bodies are a frozen copy:
migrations import no app code.

Revision ID: d4e6f8a0b2c3
Revises: c3d5e7f9a1b2
Create Date: 2026-12-07 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d4e6f8a0b2c3"
down_revision = "b2c4d6e8f0a1"
branch_labels = None
depends_on = None

# table -> how a row names its enterprise (r: the row)
WATCHED = {
    "enterprise": "r.id",
    "product": "r.enterprise_id",
    "listing": "(SELECT p.enterprise_id FROM product p WHERE p.id = r.product_id)",
    "latest_assessment": "r.enterprise_id",
}


def upgrade():
    op.create_table(
        "directory_change",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("txid", sa.BigInteger(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_directory_change_txid", "directory_change", ["txid"])
    op.create_index("ix_directory_change_changed_at", "directory_change", ["changed_at"])
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, enterprise in WATCHED.items():
        for statement in (_postgres if postgres else _sqlite)(table, enterprise):
            op.execute(statement)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in WATCHED:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS directory_{table}_{event}" + (f" ON {table}" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS directory_{table}_changed()")
    op.drop_index("ix_directory_change_changed_at", table_name="directory_change")
    op.drop_index("ix_directory_change_txid", table_name="directory_change")
    op.drop_table("directory_change")


def _sqlite(table: str, enterprise: str) -> list[str]:
    def of(row: str) -> str:
        return enterprise.replace("r.", f"{row}.")

    inserted = f"INSERT INTO directory_change (enterprise_id) SELECT {of('NEW')} WHERE {of('NEW')} IS NOT NULL"
    deleted = f"INSERT INTO directory_change (enterprise_id) SELECT {of('OLD')} WHERE {of('OLD')} IS NOT NULL"
    moved = (
        f"INSERT INTO directory_change (enterprise_id) SELECT {of('OLD')} "
        f"WHERE {of('OLD')} IS NOT NULL AND {of('OLD')} IS NOT {of('NEW')}"
    )
    return [
        f"CREATE TRIGGER directory_{table}_insert AFTER INSERT ON {table} BEGIN {inserted}; END",
        f"CREATE TRIGGER directory_{table}_update AFTER UPDATE ON {table} BEGIN {inserted}; {moved}; END",
        f"CREATE TRIGGER directory_{table}_delete AFTER DELETE ON {table} BEGIN {deleted}; END",
    ]


def _postgres(table: str, enterprise: str) -> list[str]:
    def rows(name: str) -> str:
        return f"SELECT DISTINCT {enterprise} AS e FROM {name} r"

    log = "INSERT INTO directory_change (enterprise_id, txid) SELECT e, pg_current_xact_id()::text::bigint FROM"
    function = f"""
CREATE FUNCTION directory_{table}_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {log} ({rows("new_rows")}) c WHERE e IS NOT NULL;
  ELSIF TG_OP = 'DELETE' THEN
    {log} ({rows("old_rows")}) c WHERE e IS NOT NULL;
  ELSE
    {log} ({rows("new_rows")} UNION {rows("old_rows")}) c WHERE e IS NOT NULL;
  END IF;
  RETURN NULL;
END $$"""
    tables = {"insert": "NEW TABLE AS new_rows", "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}
    tables["delete"] = "OLD TABLE AS old_rows"
    return [function] + [
        f"CREATE TRIGGER directory_{table}_{event} AFTER {event.upper()} ON {table} "
        f"REFERENCING {tables[event]} FOR EACH STATEMENT EXECUTE FUNCTION directory_{table}_changed()"
        for event in ("insert", "update", "delete")
    ]
