"""Certificates keep their history: ``product_certificate`` (one row per decision), ``product_withdrawal``
(the days a product did not count) and ``product.withdrawn_on``.

Until now a product held one certificate, and a renewal overwrote its days, so T4 as of a day before
the renewal lost the product; a withdrawal (``is_active`` false) had no day, so the product left every
past figure too. From here each decision is a row and a renewal adds one; the product's own columns
mirror its latest certificate (app/registry/product_history.py). Existing products get the one
certificate their columns describe (those with a certification date), and a withdrawn product a
withdrawal from the day its row last changed (the nearest day known). Both tables feed the
directory's change log (``directory_change``, migration d4e6f8a0b2c3) through triggers like the
other tables the directory reads. Downgrade drops the triggers, the two tables and the column: the
product's columns already hold its latest certificate.

Revision ID: c3d5e7f9a1b2
Revises: d4e6f8a0b2c3
Create Date: 2026-12-07 17:00:00
"""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "c3d5e7f9a1b2"
down_revision = "d4e6f8a0b2c3"
branch_labels = None
depends_on = None

LOCAL = timedelta(hours=7)  # the province's time zone (Asia/Ho_Chi_Minh has no daylight saving)
CERTIFICATIONS = ("ocop", "gi", "collective_mark", "certification_mark")  # app/models/values.Certification, frozen
COPIED = (
    "certification",
    "ocop_stars",
    "ocop_group",
    "certifying_body",
    "certificate_no",
    "certified_on",
    "expires_on",
    "verified_on",
    "verified_at",
)


def _day(value):
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return (value + LOCAL).date()
    return date.fromisoformat(str(value)[:10])


def upgrade():
    op.create_table(
        "product_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("certification", sa.String(30), nullable=False),
        sa.Column("ocop_stars", sa.Integer(), nullable=True),
        sa.Column("ocop_group", sa.String(20), nullable=True),
        sa.Column("certifying_body", sa.String(300), nullable=True),
        sa.Column("certificate_no", sa.String(100), nullable=True),
        sa.Column("certified_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provenance", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            f"certification IN ({', '.join(repr(c) for c in CERTIFICATIONS)})",
            name=op.f("ck_product_certificate_certification"),
        ),
        sa.CheckConstraint(
            "(certification = 'ocop' AND ocop_stars BETWEEN 3 AND 5) OR (certification <> 'ocop' AND ocop_stars IS NULL)",
            name=op.f("ck_product_certificate_ocop_stars"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_product_certificate_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_certificate")),
    )
    op.create_index("ix_product_certificate_product_day", "product_certificate", ["product_id", "certified_on"])
    for column in ("certified_on", "expires_on", "verified_on"):
        op.create_index(op.f(f"ix_product_certificate_{column}"), "product_certificate", [column])
    op.create_table(
        "product_withdrawal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=False),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("provenance", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_product_withdrawal_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_withdrawal")),
    )
    for column in ("product_id", "withdrawn_on", "returned_on"):
        op.create_index(op.f(f"ix_product_withdrawal_{column}"), "product_withdrawal", [column])
    op.add_column("product", sa.Column("withdrawn_on", sa.Date(), nullable=True))

    # One certificate per product with a certification date: the one its columns describe.
    columns = ", ".join(COPIED)
    op.execute(
        f"INSERT INTO product_certificate (product_id, {columns}, provenance, created_at) "
        f"SELECT id, {columns}, 'backfill', created_at FROM product WHERE certified_on IS NOT NULL"
    )
    # A withdrawn product: withdrawn from the day its row last changed.
    bind = op.get_bind()
    product = sa.table(
        "product",
        sa.column("id", sa.Integer()),
        sa.column("is_active", sa.Boolean()),
        sa.column("updated_at", sa.DateTime(timezone=True)),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("withdrawn_on", sa.Date()),
    )
    withdrawal = sa.table(
        "product_withdrawal",
        sa.column("product_id", sa.Integer()),
        sa.column("withdrawn_on", sa.Date()),
        sa.column("provenance", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    withdrawn = bind.execute(
        sa.select(product.c.id, product.c.updated_at, product.c.created_at).where(product.c.is_active.is_(False))
    ).all()
    now = datetime.now().astimezone()
    for id_, updated_at, created_at in withdrawn:
        day = _day(updated_at) or _day(created_at) or _day(now)
        bind.execute(
            sa.insert(withdrawal).values(product_id=id_, withdrawn_on=day, provenance="backfill", created_at=now)
        )
        bind.execute(sa.update(product).where(product.c.id == id_).values(withdrawn_on=day))
    postgres = bind.dialect.name == "postgresql"
    for table in LOGGED:
        for statement in (_postgres_triggers if postgres else _sqlite_triggers)(table):
            op.execute(statement)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in LOGGED:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS directory_{table}_{event}" + (f" ON {table}" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS directory_{table}_changed()")
    op.drop_column("product", "withdrawn_on")  # SQLite drops a plain column in place: no copy of the table
    for column in ("product_id", "withdrawn_on", "returned_on"):
        op.drop_index(op.f(f"ix_product_withdrawal_{column}"), table_name="product_withdrawal")
    op.drop_table("product_withdrawal")
    for column in ("certified_on", "expires_on", "verified_on"):
        op.drop_index(op.f(f"ix_product_certificate_{column}"), table_name="product_certificate")
    op.drop_index("ix_product_certificate_product_day", table_name="product_certificate")
    op.drop_table("product_certificate")


# The directory's change log (as in d4e6f8a0b2c3, frozen here): a row names its product's enterprise.
LOGGED = ("product_certificate", "product_withdrawal")
_ENTERPRISE = "(SELECT p.enterprise_id FROM product p WHERE p.id = {row}.product_id)"


def _sqlite_triggers(table: str) -> list[str]:
    new, old = _ENTERPRISE.format(row="NEW"), _ENTERPRISE.format(row="OLD")
    log = "INSERT INTO directory_change (enterprise_id) SELECT"
    return [
        f"CREATE TRIGGER directory_{table}_insert AFTER INSERT ON {table} BEGIN {log} {new} WHERE {new} IS NOT NULL; END",
        f"CREATE TRIGGER directory_{table}_update AFTER UPDATE ON {table} BEGIN {log} {new} WHERE {new} IS NOT NULL; "
        f"{log} {old} WHERE {old} IS NOT NULL AND {old} IS NOT {new}; END",
        f"CREATE TRIGGER directory_{table}_delete AFTER DELETE ON {table} BEGIN {log} {old} WHERE {old} IS NOT NULL; END",
    ]


def _postgres_triggers(table: str) -> list[str]:
    def rows(name: str) -> str:
        return f"SELECT DISTINCT {_ENTERPRISE.format(row='r')} AS e FROM {name} r"

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
    tables = {
        "insert": "NEW TABLE AS new_rows",
        "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "delete": "OLD TABLE AS old_rows",
    }
    return [function] + [
        f"CREATE TRIGGER directory_{table}_{event} AFTER {event.upper()} ON {table} "
        f"REFERENCING {tables[event]} FOR EACH STATEMENT EXECUTE FUNCTION directory_{table}_changed()"
        for event in ("insert", "update", "delete")
    ]
