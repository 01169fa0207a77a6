"""The demo province comes in through the imports: its files, in the import formats, are imported
kind by kind as a department's would be, and imported again into an empty registry they give the
same records and the same history."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import audit
from app.demo import attempts, certified, province
from app.edge import unit_of_work
from app.extensions import db
from app.i18n import local_today
from app.imports import services as imports
from app.models import Assessment, AuditEvent, Enterprise, ImportBatch, ListingCheck, Product
from app.reference.services import load_reference_data
from app.registry import history
from tests.conftest import _empty_tables

AS_OF = date(2026, 11, 30)
KINDS = ["registry", "labels", "products", "listings", "results"]


@pytest.fixture
def small(monkeypatch):
    """A province of 400 units instead of 3,000: the same rules, a tenth of the time."""
    for name, value in (("ENTERPRISES", 400), ("HOUSEHOLDS", 60), ("BRANCHES", 3), ("TECH_FIRMS", 12)):
        monkeypatch.setattr(province, name, value)
    monkeypatch.setattr(province, "STARTUPS", 4)
    monkeypatch.setattr(province, "EARLY_LABELS", 4)
    monkeypatch.setattr(certified, "OCOP_PRODUCTS", 60)
    monkeypatch.setattr(certified, "PENDING_DECLARATIONS", 4)
    monkeypatch.setattr(attempts, "QUICK_CHECKS", 5)


def key_of() -> dict[int, str]:
    """How the files name each record: its code, or a household business's personal ID."""
    return {
        id_: code or personal
        for id_, code, personal in db.session.execute(select(Enterprise.id, Enterprise.code, Enterprise.personal_id))
    }


def what_the_files_carry() -> dict:
    """The records, labels, certificates, checks and past results the files hold, and the history of
    every record, in a form that does not depend on database ids."""
    key = key_of()
    spans = history.load(key)
    verified = select(Product).where(Product.verified_on.is_not(None))
    return {
        "records": sorted(
            (key[e.id], e.name, e.legal_form, e.size_tier, e.status, e.founded_on, e.ceased_on)
            for e in db.session.scalars(select(Enterprise))
        ),
        "history": sorted((key[id_], [tuple(s.values()) for s in spans_]) for id_, spans_ in spans.items()),
        "labels": sorted(
            (key[e.id], e.digital_tech_verified_on, e.startup_verified_on)
            for e in db.session.scalars(select(Enterprise))
            if e.digital_tech_verified_on or e.startup_verified_on
        ),
        "certificates": sorted(
            (key[p.enterprise_id], p.name, p.certification, p.certified_on, p.verified_on)
            for p in db.session.scalars(verified)
        ),
        "checks": sorted(
            (c.listing.url, c.checked_on, c.is_available)
            for c in db.session.scalars(select(ListingCheck))
            if c.listing.product.verified_on is not None
        ),
        "past results": sorted(
            (key[a.enterprise_id], a.submitted_at, a.instrument_name, a.overall_level)
            for a in db.session.scalars(select(Assessment).where(Assessment.is_imported))
        ),
    }


def test_the_demo_province_is_imported_from_its_files(app_ctx, small, tmp_path):
    folder = tmp_path / "files"
    result = province.load_demo_province(province.DEFAULT_SEED, AS_OF, folder)
    batches = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id)).all()
    assert [(b.kind, b.state, b.uploaded_by_label) for b in batches] == [(k, "committed", "demo") for k in KINDS]
    assert all(b.rejected_count == b.held_count == 0 and b.total_rows > 0 for b in batches)
    assert [i.batch_id for i in result.imported] == [b.id for b in batches]
    assert sorted(p.name for p in folder.iterdir()) == [b.file_name for b in batches]
    assert [Path(b.file_name).suffix for b in batches] == [".csv", ".csv", ".xlsx", ".csv", ".csv"]

    # Every record came in with the registry's batch: made up, and the batch its provenance.
    registry, labels = batches[0], batches[1]
    enterprises = db.session.scalars(select(Enterprise)).all()
    assert len(enterprises) == 400 and registry.new_count == 400
    assert {(e.provenance, e.provenance_ref, e.registered_on) for e in enterprises} == {
        ("demo", str(registry.id), local_today())
    }
    created = dict(
        db.session.execute(
            select(AuditEvent.entity_id, AuditEvent.provenance).where(
                AuditEvent.entity_type == "enterprise", AuditEvent.action == "create"
            )
        ).all()
    )
    assert created == {str(e.id): f"import:{registry.id}" for e in enterprises}
    labelled = {str(e.id) for e in enterprises if e.digital_tech_verified_on or e.startup_verified_on}
    granted = db.session.scalars(
        select(AuditEvent.entity_id).where(
            AuditEvent.entity_type == "enterprise", AuditEvent.provenance == f"import:{labels.id}"
        )
    ).all()
    assert labelled and set(granted) == labelled
    for batch in batches:  # each row written is audited under its batch
        events = db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.provenance == f"import:{batch.id}")
        )
        assert events >= batch.new_count + batch.updated_count > 0, batch.kind

    # The department's list verifies its certificates from their day; the owners' declarations wait.
    products = db.session.scalars(select(Product)).all()
    listed = [p for p in products if p.verified_on is not None]
    assert all(p.verified_on == p.certified_on for p in listed)
    assert len(products) - len(listed) == result.pending_products == 4
    assert (
        result.past_results
        and db.session.scalar(select(func.count()).select_from(Assessment).where(Assessment.is_imported))
        == result.past_results
    )

    # The files, imported again into an empty registry, give the same records and the same history.
    before = what_the_files_carry()
    _empty_tables()
    with unit_of_work():
        load_reference_data()
    for path in sorted(folder.iterdir()):
        batch = imports.import_file(path.read_bytes(), path.name, audit.CLI, kind=path.stem.split("-", 1)[1])
        assert batch.state == "committed" and batch.rejected_count == batch.held_count == 0, batch.report
    assert what_the_files_carry() == before


def test_the_demo_is_not_dated_after_today(app_ctx):
    with pytest.raises(province.FutureDay):
        province.load_demo_province(province.DEFAULT_SEED, local_today() + timedelta(days=1))
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 0
