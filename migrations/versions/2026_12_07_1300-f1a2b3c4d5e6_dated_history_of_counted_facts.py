"""The dated history of the facts the indicators count: enterprise_period, and the days facts count from.

Until now a figure as of a past day read an enterprise's commune, line of business, size tier, legal
form, record state and labels as they are today, and counted it from the day it entered this site
(``registered_on``). From here each record has spans of history (app/models/history.py): from its
first registration (``founded_on``; else the day it entered this site), with each change from the day
it took effect. Existing records get the spans their row tells: active from that first day with the
facts they have now, each verified label from its verification day, a suspension or dissolution from
the day the record ceased. ``enterprise.resumes_on`` keeps the day a suspension ends;
``product.verified_on`` the day a certificate's verification counts from (the local day of
``verified_at`` for existing rows). The index the indicators read on enterprise is replaced by the
spans' own. Imports gain a kind (``import_batch.kind``, ``import_source.kind``: the registry's for
those before). Downgrade drops the spans and the two columns and restores the index.

Revision ID: f1a2b3c4d5e6
Revises: a7c9e1f3b5d7
Create Date: 2026-12-07 13:00:00
"""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "f1a2b3c4d5e6"
down_revision = "a7c9e1f3b5d7"
branch_labels = None
depends_on = None

CHUNK = 20_000
LOCAL = timedelta(hours=7)  # the province's time zone (Asia/Ho_Chi_Minh has no daylight saving)
FACTS = ("record_state", "commune_code", "vsic_section", "main_vsic", "size_tier", "legal_form")
SPAN_COLUMNS = ("valid_from", "valid_to", "status", *FACTS, "tech", "startup")


def _day(value):
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return (value + LOCAL).date()
    return date.fromisoformat(str(value)[:10])


def _spans(row) -> list[dict]:
    """The spans a row tells (the same reading as app/registry/history.timeline, frozen here)."""
    start = _day(row.founded_on) or _day(row.registered_on) or _day(row.created_at)
    facts = {key: getattr(row, key) for key in FACTS}
    changes = []  # (day, key, value)
    if row.is_digital_tech and row.digital_tech_verification == "verified":
        changes.append((_day(row.digital_tech_verified_on) or start, "tech", True))
    if row.is_startup and row.startup_verification == "verified":
        changes.append((_day(row.startup_verified_on) or start, "startup", True))
    if row.status != "active":
        changes.append((_day(row.ceased_on) or start, "status", row.status))
    state = {"status": "active", **facts, "tech": False, "startup": False}
    spans = [{"valid_from": start, "valid_to": None, **state}]
    for day, key, value in sorted(changes, key=lambda c: c[0]):
        day = max(day, start)
        last = spans[-1]
        if last[key] == value:
            continue
        if day == last["valid_from"]:
            last[key] = value
        else:
            last["valid_to"] = day
            spans.append({**last, "valid_from": day, "valid_to": None, key: value})
    return spans


def upgrade():
    for table in ("import_batch", "import_source"):
        op.add_column(table, sa.Column("kind", sa.String(20), nullable=False, server_default="registry"))
    op.add_column("enterprise", sa.Column("resumes_on", sa.Date(), nullable=True))
    op.add_column("product", sa.Column("verified_on", sa.Date(), nullable=True))
    period = op.create_table(
        "enterprise_period",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("record_state", sa.String(20), nullable=False),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("vsic_section", sa.String(1), nullable=True),
        sa.Column("main_vsic", sa.String(5), nullable=True),
        sa.Column("size_tier", sa.String(20), nullable=False),
        sa.Column("legal_form", sa.String(20), nullable=False),
        sa.Column("tech", sa.Boolean(), nullable=False),
        sa.Column("startup", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("enterprise_id", "valid_from", name="uq_enterprise_period_enterprise_id_valid_from"),
    )
    op.create_index("ix_enterprise_period_enterprise_id", "enterprise_period", ["enterprise_id"])
    bind = op.get_bind()
    enterprise = sa.table(
        "enterprise",
        *(
            sa.column(c)
            for c in (
                "id",
                "founded_on",
                "registered_on",
                "created_at",
                "status",
                "ceased_on",
                "is_digital_tech",
                "digital_tech_verification",
                "digital_tech_verified_on",
                "is_startup",
                "startup_verification",
                "startup_verified_on",
                *FACTS,
            )
        ),
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(enterprise).where(enterprise.c.id > last).order_by(enterprise.c.id).limit(CHUNK)
        ).all()
        if not rows:
            break
        spans = [{"enterprise_id": row.id, **span} for row in rows for span in _spans(row)]
        bind.execute(period.insert(), spans)
        last = rows[-1].id
    product = sa.table("product", sa.column("id"), sa.column("verified_at"), sa.column("verified_on"))
    verified = bind.execute(sa.select(product.c.id, product.c.verified_at).where(product.c.verified_at.is_not(None)))
    days = [{"b_id": id_, "b_day": _day(at)} for id_, at in verified]
    if days:
        bind.execute(
            product.update().where(product.c.id == sa.bindparam("b_id")).values(verified_on=sa.bindparam("b_day")),
            days,
        )
    op.create_index("ix_enterprise_period_as_of", "enterprise_period", [*SPAN_COLUMNS, "enterprise_id"])
    op.drop_index("ix_enterprise_as_of", table_name="enterprise")


def downgrade():
    op.create_index(
        "ix_enterprise_as_of",
        "enterprise",
        [
            "registered_on",
            "ceased_on",
            "record_state",
            "commune_code",
            "vsic_section",
            "main_vsic",
            "size_tier",
            "legal_form",
        ],
    )
    op.drop_index("ix_enterprise_period_as_of", table_name="enterprise_period")
    op.drop_index("ix_enterprise_period_enterprise_id", table_name="enterprise_period")
    op.drop_table("enterprise_period")
    op.drop_column("product", "verified_on")
    op.drop_column("enterprise", "resumes_on")
    for table in ("import_source", "import_batch"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("kind")
