"""An import's undo that fails half-way, of every kind of file: it leaves the database as the import
left it (the batch stays committed, its page and the CLI offer the undo again), and the undo again
ends with exactly the database from before the import — the registry's undo by taking its steps
back, the other kinds' by running in one transaction (app/imports/kinds/undoing.py)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from app import audit
from app.extensions import db
from app.imports import failures, revert
from app.imports import services as imports
from app.imports.kinds import KINDS, REGISTRY, undoing
from app.models import AuditEvent, EnterprisePeriod, ImportBatch
from app.models.base import utcnow
from tests.factories import enterprise_code, login, make_enterprise, make_user, patch_registry_kind
from tests.test_imports import to_csv

# The trail and the batches keep the import and its undo (and the staff who signed in to see it);
# every other table must be as it was.
TRAILS = {"audit_event", "import_batch", "directory_change", "user", "user_session"}
REG = ["ma_so_doanh_nghiep", "ten_doanh_nghiep", "loai_hinh", "ngay_thanh_lap", "ma_xa", "nganh_nghe_chinh"]
REG += ["so_lao_dong", "trang_thai", "ngay_tam_ngung", "tam_ngung_den_ngay", "ngay_cham_dut", "hieu_luc_tu"]
PRODUCTS = ["ma_so_doanh_nghiep", "ten_san_pham", "loai_chung_nhan", "so_sao", "ngay_chung_nhan", "ngay_het_han"]
LISTINGS = ["ma_so_doanh_nghiep", "ten_san_pham", "san", "duong_dan", "ngay_kiem_tra", "con_ban"]
LABELS = ["ma_so_doanh_nghiep", "nhan", "can_cu", "ngay_xac_minh"]
RESULTS = ["ma_so_doanh_nghiep", "ngay_danh_gia", "bo_cong_cu", "phien_ban", "ten_cong_cu", "muc_tong_the"]


def _tables(new: set[int] = frozenset()) -> dict[str, list]:
    """Every row of every table but the trails (a span's id and a row's last-change time apart: a
    restored history is written again, a restored row touched again), and but the records in
    ``new``: those a registry's import created, which its undo withdraws from every figure, past
    too, and keeps (importing them again brings them back)."""
    found = {}
    for table in db.metadata.sorted_tables:
        if table.name in TRAILS:
            continue
        skipped = {"updated_at", "heartbeat_at"} | ({"id"} if table.name == "enterprise_period" else set())
        columns = [c for c in table.c if c.name not in skipped]
        query = select(*columns)
        if new and table.name in ("enterprise", "enterprise_period"):
            query = query.where(table.c["id" if table.name == "enterprise" else "enterprise_id"].not_in(new))
        found[table.name] = sorted(tuple(repr(v) for v in row) for row in db.session.execute(query))
    return found


def _as_before(batch: ImportBatch, before: dict[str, list]) -> None:
    """The database is as before the import, the records it created withdrawn whole."""
    created = select(AuditEvent.entity_id).where(
        AuditEvent.provenance == batch.provenance, AuditEvent.entity_type == "enterprise", AuditEvent.action == "create"
    )
    new = {int(i) for i in db.session.scalars(created)}
    assert _tables(new) == before
    states = db.session.scalars(select(EnterprisePeriod.record_state).where(EnterprisePeriod.enterprise_id.in_(new)))
    assert set(states) <= {"withdrawn"}


def _firms():
    a = make_enterprise("Công ty TNHH Nước mắm Hải Đăng", founded_on=date(2010, 1, 1), main_vsic="6201")
    b = make_enterprise("Hợp tác xã Nông nghiệp Hòa Kiến", legal_form="htx", founded_on=date(2012, 1, 1))
    return a, b


def _registry_file(a, b):
    new = [
        [enterprise_code(), f"Công ty TNHH Mới {n}", "tnhh mtv", "01/01/2015", "22015", "1020", "8", "", "", "", "", ""]
        for n in (1, 2)
    ]
    changed = [a.code, a.name, "tnhh mtv", "01/01/2010", "22045", "6201", "30", "", "", "", "", "01/03/2024"]
    dissolved = [b.code, b.name, "htx", "01/01/2012", "22015", "0111", "12", "", "", "", "01/10/2025", ""]
    return to_csv([*new, changed, dissolved], REG)


def _products_file(a, b):
    rows = [
        [a.code, "Nước mắm Hải Đăng", "OCOP", "4", "20/05/2023", ""],
        [a.code, "Cá cơm khô Hải Đăng", "OCOP", "3", "01/01/2023", ""],
        [b.code, "Gạo Hòa Kiến", "Chỉ dẫn địa lý", "", "10/01/2023", "09/01/2033"],
    ]
    return to_csv(rows, PRODUCTS)


def _listings_file(a, b):
    imports.import_file(_products_file(a, b), "ocop.csv", audit.CLI, kind="products")
    rows = [
        [a.code, "Nước mắm Hải Đăng", "Shopee", "https://shopee.vn/Nuoc-mam-i.1.2", "10/03/2024", "có"],
        [a.code, "Cá cơm khô Hải Đăng", "", "https://tiki.vn/ca-com-p12345.html", "01/06/2024", ""],
        [b.code, "Gạo Hòa Kiến", "Postmart", "https://postmart.vn/gao-hoa-kien-5kg", "15/08/2024", "còn bán"],
    ]
    return to_csv(rows, LISTINGS)


def _labels_file(a, b):
    rows = [[a.code, "Công nghệ số", "VSIC 6201", "15/09/2024"], [b.code, "KNST", "Quyết định 12/QĐ", "01/03/2025"]]
    rows.append([a.code, "KNST", "Quyết định 13/QĐ", "01/06/2025"])
    return to_csv(rows, LABELS)


def _results_file(a, b):
    rows = [
        [a.code, "15/09/2024", "dbi-sme", "", "", "2"],
        [b.code, "10/03/2025", "ngoài", "", "Bộ chỉ số DBI 2023", "3"],
        [a.code, "01/06/2025", "dbi-sme", "", "", "3"],
    ]
    return to_csv(rows, RESULTS)


def _trail(provenance: str) -> Counter:
    """What a batch, or its undo, recorded: how many events for each row."""
    query = select(AuditEvent.entity_type, AuditEvent.entity_id).where(AuditEvent.provenance == provenance)
    return Counter(db.session.execute(query).all())


FILES = {
    REGISTRY: _registry_file,
    "products": _products_file,
    "listings": _listings_file,
    "labels": _labels_file,
    "results": _results_file,
}


def _failing_at(monkeypatch, kind: str, step: int, error: BaseException) -> None:
    """The undo's ``step``-th step raises ``error`` (one undone record or row a step)."""
    calls = []
    if kind == REGISTRY:
        monkeypatch.setattr(revert, "STEP", 1)
        real = KINDS[REGISTRY].undo_step

        def dying(*args):
            calls.append(1)
            if len(calls) == step:
                raise error
            return real(*args)

        patch_registry_kind(monkeypatch, undo_step=dying)
        return
    monkeypatch.setattr(undoing, "STEP", 1)
    real_step = undoing._step

    def dying_step(*args):
        calls.append(1)
        if len(calls) == step:
            raise error
        return real_step(*args)

    monkeypatch.setattr(undoing, "_step", dying_step)


def _imported(kind: str):
    a, b = _firms()
    data = FILES[kind](a, b)  # the listings' products are imported here, before the "before"
    before = _tables()
    batch = imports.import_file(data, f"{kind}.csv", audit.CLI, kind=kind)
    assert batch.state == "committed" and batch.new_count + batch.updated_count == 3 + (kind == REGISTRY), batch.report
    return batch, before, _tables()


@pytest.mark.parametrize("kind", list(FILES))
def test_an_undo_that_fails_half_way_changes_nothing_and_the_undo_again_restores_the_database(
    app_ctx, monkeypatch, kind
):
    batch, before, imported = _imported(kind)
    with monkeypatch.context() as patch:
        _failing_at(patch, kind, 3, RuntimeError("the connection was lost"))
        with pytest.raises(failures.Failed):
            imports.undo(batch, audit.CLI)
    db.session.rollback()
    assert db.session.get(ImportBatch, batch.id).state == "committed"  # its page offers "Undo" again
    assert _tables() == imported, "an undo that failed must leave the import as it was"

    assert imports.undo(batch, audit.CLI) > 0
    _as_before(batch, before)
    assert _trail(f"undo:{batch.id}") == _trail(batch.provenance), "each change of the import undone once"


@pytest.mark.parametrize("kind", list(FILES))
def test_an_undo_whose_worker_was_killed_is_finished_by_the_undo_started_again(app_ctx, monkeypatch, kind):
    batch, before, imported = _imported(kind)
    with monkeypatch.context() as patch:
        _failing_at(patch, kind, 2, SystemExit("the worker was killed"))
        with pytest.raises(SystemExit):
            imports.undo(batch, audit.CLI)
    db.session.rollback()
    if kind != REGISTRY:  # one transaction: nothing of it was written
        assert _tables() == imported
    assert db.session.get(ImportBatch, batch.id).state == "undoing"  # shown as stopped, once it stops reporting
    db.session.execute(
        update(ImportBatch).where(ImportBatch.id == batch.id).values(heartbeat_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()

    assert imports.undo(batch, audit.CLI) > 0  # the CLI's "undo again", as the page's "start again"
    assert db.session.get(ImportBatch, batch.id).state == "undone"
    _as_before(batch, before)
    assert _trail(f"undo:{batch.id}") == _trail(batch.provenance)


def test_the_page_and_the_cli_offer_to_undo_again_a_certified_products_undo_that_stopped(client, app, monkeypatch):
    with app.app_context():
        batch, before, imported = _imported("products")
        batch_id = batch.id
        with monkeypatch.context() as patch:
            _failing_at(patch, "products", 2, SystemExit("the worker was killed"))
            with pytest.raises(SystemExit):
                imports.undo(batch, audit.CLI)
        db.session.rollback()
        running = app.test_cli_runner().invoke(args=["registry", "undo", str(batch_id)])
        assert running.exit_code != 0 and "is running, or stopped less than" in running.output
        db.session.execute(
            update(ImportBatch).where(ImportBatch.id == batch_id).values(heartbeat_at=utcnow() - timedelta(hours=1))
        )
        db.session.commit()
        secret = make_user("staff@so.gov.vn", role="staff").totp_secret
    login(client, "staff@so.gov.vn", totp_secret=secret)
    client.set_cookie("lang", "en")
    page = client.get(f"/so/nhap/{batch_id}").get_data(as_text=True)
    assert "Undo again" in page and f"/so/nhap/{batch_id}/chay-lai" in page
    with app.app_context():
        finished = app.test_cli_runner().invoke(args=["registry", "undo", str(batch_id)])
        assert finished.exit_code == 0, finished.output
        assert db.session.get(ImportBatch, batch_id).state == "undone"
        _as_before(db.session.get(ImportBatch, batch_id), before)
