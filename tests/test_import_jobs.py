"""Large imports from the web page run as background jobs whose progress the page shows, and other
writers (owners saving an assessment page) wait for the commit and never fail."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from stdnum.vn import mst

from app.audit import Actor
from app.extensions import db
from app.imports import apply, jobs, services
from app.imports.kinds import KINDS, REGISTRY
from app.models import Assessment, AuditEvent, Enterprise, ImportBatch
from app.models.base import utcnow
from tests import assessment_helpers as flow
from tests.factories import patch_registry_kind
from tests.test_import_pages import _staff, _upload
from tests.test_imports import MESSY, to_csv

STAFF = Actor(None, "staff@so.gov.vn")


def _codes(n: int, start: int = 10_000) -> list[str]:
    """n distinct valid enterprise codes."""
    codes, k = [], start
    while len(codes) < n:
        body = f"46{k:07d}"
        if len(check := mst.calc_check_digit(body)) == 1:
            codes.append(body + check)
        k += 1
    return codes


def _many(n: int, start: int = 10_000) -> bytes:
    rows = [
        [code, f"Công ty TNHH Số {i}", "TNHH", "", "22015", "", "", "1020", str(i % 50), "", ""]
        for i, code in enumerate(_codes(n, start))
    ]
    return to_csv(rows)


def _batch(app, batch_id: int) -> ImportBatch:
    with app.app_context():
        batch = db.session.get(ImportBatch, batch_id)
        batch.content  # noqa: B018 — load the deferred column before leaving the session
        db.session.expunge(batch)
        return batch


def test_a_large_upload_is_checked_then_committed_in_the_background(client, app):
    app.config["IMPORT_BACKGROUND_BYTES"] = 0  # every file is "large"
    _staff(client, app)
    response = _upload(client, MESSY)
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    batch = _batch(app, batch_id)
    assert batch.state == "checked" and batch.rejected_count == 9 and batch.new_count == 3
    assert batch.progress_done == batch.progress_total > 0
    page = client.get(f"/so/nhap/{batch_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and "Commit the valid rows" not in page  # vi by default
    assert 'name="commune-12"' in page

    response = client.post(f"/so/nhap/{batch_id}/ghi", data={"commune-12": "22045"})
    assert response.status_code == 302
    batch = _batch(app, batch_id)
    assert batch.state == "committed" and batch.content is None
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 4
    progress = client.get(f"/so/nhap/{batch_id}/tien-do.json").get_json()
    assert progress["state"] == "committed" and progress["percent"] == 100 and progress["counts"]["new"] == 4


def test_the_page_of_a_running_job_shows_progress_and_reloads_itself(client, app):
    _staff(client, app)
    with app.app_context():
        batch = services.upload(MESSY, "lon.csv", STAFF)
        batch.state, batch.progress_done, batch.progress_total = "checking", 40, 160
        db.session.commit()
        batch_id = batch.id
    page = client.get(f"/so/nhap/{batch_id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page
    assert 'value="25"' in page and "40" in page and "160" in page
    assert f'action="/so/nhap/{batch_id}/ghi"' not in page  # no commit while it is being checked


def test_a_job_that_stopped_reporting_can_be_started_again(client, app):
    _staff(client, app)
    with app.app_context():
        batch = services.upload(MESSY, "lon.csv", STAFF)
        batch.state, batch.heartbeat_at = "checking", utcnow() - timedelta(minutes=10)
        db.session.commit()
        batch_id = batch.id
    page = client.get(f"/so/nhap/{batch_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and f"/so/nhap/{batch_id}/chay-lai" in page
    client.post(f"/so/nhap/{batch_id}/chay-lai")
    assert _batch(app, batch_id).state == "checked"


def test_a_running_commit_cannot_be_started_twice(app_ctx):
    batch = services.check_file(MESSY, "a.csv", STAFF)
    assert services.take_on(batch, "committing") is True
    assert services.take_on(batch, "committing") is False  # a second click while the job runs
    assert db.session.get(ImportBatch, batch.id).state == "committing"
    batch.heartbeat_at = utcnow() - timedelta(minutes=10)  # its process died
    db.session.commit()
    assert services.can_commit(batch)
    stale_copy = db.session.get(ImportBatch, batch.id)
    assert services.take_on(batch, "committing") is True
    assert services.take_on(stale_copy, "committing") is False  # two requests saw it stalled: one wins


def test_a_second_job_on_a_committed_batch_changes_nothing_and_keeps_it_committed(app_ctx):
    batch = services.check_file(MESSY, "a.csv", STAFF)
    services.take_on(batch, "committing")
    services.run_commit(batch, STAFF, {12: "22045"})
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    services.run_commit(batch, STAFF)  # a job that had taken the first for stalled
    assert db.session.get(ImportBatch, batch.id).state == "committed"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_a_commit_that_gives_up_because_the_registry_keeps_changing_is_marked_failed(app_ctx, monkeypatch):
    batch = services.check_file(MESSY, "a.csv", STAFF)

    def stale(*_args):
        raise services.StalePlan()

    patch_registry_kind(monkeypatch, apply_step=stale)
    with pytest.raises(services.FileError):
        services.commit_batch(batch, STAFF)
    batch = db.session.get(ImportBatch, batch.id)
    assert batch.state == "failed" and services.can_commit(batch)


def test_a_busy_database_skips_a_progress_report_without_failing_the_check(app_ctx, monkeypatch):
    monkeypatch.setattr(jobs, "REPORT_EVERY_SECONDS", 0)

    class Busy:
        def __enter__(self):
            raise OperationalError("UPDATE import_batch", {}, Exception("database is locked"))

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(db.engine, "begin", lambda: Busy())
    batch = services.upload(_many(10), "many.csv", STAFF)
    services.run_check(batch, jobs.ProgressReporter(batch.id))
    assert db.session.get(ImportBatch, batch.id).state == "checked"


def test_a_file_that_cannot_be_read_leaves_the_background_batch_failed_with_the_reason(client, app):
    app.config["IMPORT_BACKGROUND_BYTES"] = 0
    _staff(client, app)
    response = _upload(client, bytes(range(256)) * 4, "sai.csv")
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    batch = _batch(app, batch_id)
    assert batch.state == "failed" and "Windows-1258" in batch.error
    page = client.get(f"/so/nhap/{batch_id}").get_data(as_text=True)
    assert "Windows-1258" in page and f"/so/nhap/{batch_id}/ghi" not in page


def test_progress_is_written_while_the_check_runs(app_ctx, monkeypatch):
    monkeypatch.setattr(jobs, "REPORT_EVERY_SECONDS", 0)
    batch = services.upload(_many(30), "many.csv", STAFF)
    seen = []
    reporter = jobs.ProgressReporter(batch.id)

    def progress(rows):
        reporter(rows)
        with db.engine.connect() as other:  # as the page's request sees it, outside the job's transaction
            seen.append(other.execute(select(ImportBatch.progress_done).where(ImportBatch.id == batch.id)).scalar())

    services.run_check(batch, progress)
    assert seen and seen[-1] == 30 and batch.state == "checked"


def test_owners_saving_assessment_pages_wait_for_an_import_commit_and_never_fail(client, app):
    data = _many(3000)
    with app.app_context():
        batch = services.check_file(data, "lon.csv", STAFF)
        assert batch.new_count == 3000
        batch_id = batch.id
    public_id = flow.start(client, "dbi-sme")
    form = flow.page_form(app, public_id, 1)
    statuses: list[int] = []
    done = threading.Event()

    def import_it():
        with app.app_context():
            try:
                services.commit_batch(db.session.get(ImportBatch, batch_id), STAFF)
            finally:
                db.session.remove()
                done.set()

    thread = threading.Thread(target=import_it)
    thread.start()
    during = 0  # saves that began and ended while the commit ran: the test proves nothing without them
    while not done.is_set() or len(statuses) < 5:
        running = not done.is_set()
        statuses.append(client.post(f"/danh-gia/lan/{public_id}/trang/1", data={**form, "action": "save"}).status_code)
        during += running and not done.is_set()
    thread.join(60)
    assert len(statuses) >= 5 and set(statuses) == {302}, statuses
    assert during >= 3, during
    with app.app_context():
        assert db.session.get(ImportBatch, batch_id).state == "committed"
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 3000
        attempt = db.session.scalar(select(Assessment).where(Assessment.public_id == public_id))
        assert attempt.answers


def test_a_batch_left_by_a_stopped_commit_can_be_given_up_from_the_page(client, app):
    _staff(client, app)
    with app.app_context():
        batch = services.check_file(MESSY, "lon.csv", STAFF)
        services.take_on(batch, "committing")
        batch.heartbeat_at = utcnow() - timedelta(minutes=10)  # its process died
        db.session.commit()
        batch_id = batch.id
    page = client.get(f"/so/nhap/{batch_id}").get_data(as_text=True)
    assert f"/so/nhap/{batch_id}/bo" in page
    client.post(f"/so/nhap/{batch_id}/bo")
    batch = _batch(app, batch_id)
    assert batch.state == "failed" and batch.content is None and "staff@so.gov.vn" in batch.error
    page = client.get(f"/so/nhap/{batch_id}").get_data(as_text=True)
    assert "Đã bỏ do staff@so.gov.vn" in page and "Given up" not in page  # in the page's language
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 0  # nothing of it was written
    assert f"/so/nhap/{batch_id}/ghi" not in client.get(f"/so/nhap/{batch_id}").get_data(as_text=True)


def test_a_running_job_cannot_be_given_up(app_ctx):
    batch = services.check_file(MESSY, "lon.csv", STAFF)
    services.take_on(batch, "committing")  # a live job: it reports
    assert services.abandon(batch, STAFF) is False
    assert db.session.get(ImportBatch, batch.id).state == "committing"


def _die_half_way(app, monkeypatch, batch_id: int) -> None:
    """A commit whose process ends after its first steps were written (each record its own step)."""
    monkeypatch.setattr(apply, "CHUNK", 1)
    steps = []
    real = KINDS[REGISTRY].apply_step

    def dying(*args):
        steps.append(args[0])
        if len(steps) == 3:
            raise SystemExit("the worker was killed")
        return real(*args)

    patch_registry_kind(monkeypatch, apply_step=dying)
    with app.app_context():
        batch = db.session.get(ImportBatch, batch_id)
        assert services.take_on(batch, "committing")
        with pytest.raises(SystemExit):
            services.run_commit(batch, STAFF, {12: "22045"})
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 2  # two steps were written
        db.session.execute(
            update(ImportBatch).where(ImportBatch.id == batch_id).values(heartbeat_at=utcnow() - timedelta(minutes=10))
        )
        db.session.commit()
    patch_registry_kind(monkeypatch, apply_step=real)


def test_giving_up_a_commit_that_stopped_half_way_takes_back_what_it_wrote(client, app, monkeypatch):
    _staff(client, app)
    with app.app_context():
        batch_id = services.check_file(MESSY, "lon.csv", STAFF).id
    _die_half_way(app, monkeypatch, batch_id)
    page = client.get(f"/so/nhap/{batch_id}").get_data(as_text=True)
    assert "http-equiv" not in page and f"/so/nhap/{batch_id}/bo" in page
    client.post(f"/so/nhap/{batch_id}/bo")
    assert _batch(app, batch_id).state == "failed"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 0
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_type == "enterprise")
            )
            == 0
        )


def test_committing_again_after_a_commit_stopped_half_way_writes_each_record_once(client, app, monkeypatch):
    _staff(client, app)
    with app.app_context():
        batch_id = services.check_file(MESSY, "lon.csv", STAFF).id
    _die_half_way(app, monkeypatch, batch_id)
    client.post(f"/so/nhap/{batch_id}/ghi", data={"commune-12": "22045"})
    assert _batch(app, batch_id).state == "committed"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 4
        created = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "create", AuditEvent.entity_type == "enterprise")
        )
        assert created == 4


def test_a_large_undo_runs_in_the_background_and_a_refusal_is_shown_on_the_page(client, app):
    from app.registry import services as registry

    app.config["IMPORT_UNDO_BACKGROUND_ROWS"] = 0  # every undo is "large"
    _staff(client, app)
    with app.app_context():
        touched = services.import_file(MESSY, "a.csv", STAFF).id
        first = db.session.scalar(select(Enterprise).order_by(Enterprise.id))
        registry.update_enterprise(first, STAFF, "staff", employees=77)  # changed since the import
        db.session.commit()
        key = first.public_key
        clean = services.import_file(_many(5), "b.csv", STAFF).id
    client.post(f"/so/nhap/{touched}/hoan-tac")
    assert _batch(app, touched).state == "committed"
    page = client.get(f"/so/nhap/{touched}").get_data(as_text=True)
    assert key in page and f"/so/nhap/{touched}/hoan-tac" in page  # why, and the undo offered again

    client.post(f"/so/nhap/{clean}/hoan-tac")
    batch = _batch(app, clean)
    assert batch.state == "undone" and batch.progress_done == batch.progress_total == 5
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(Enterprise).where(Enterprise.record_state == "withdrawn")
            )
            == 5
        )


def test_an_undo_that_stopped_half_way_is_started_again_from_the_page(client, app, monkeypatch):
    from app.imports import revert

    _staff(client, app)
    with app.app_context():
        batch = services.import_file(_many(4), "b.csv", STAFF)
        batch_id = batch.id
        monkeypatch.setattr(revert, "STEP", 1)
        steps, real = [], revert.undo_step

        def dying(*args):
            steps.append(1)
            if len(steps) == 3:
                raise SystemExit("the worker was killed")
            return real(*args)

        patch_registry_kind(monkeypatch, undo_step=dying)
        with pytest.raises(SystemExit):
            services.undo(batch, STAFF)
        db.session.rollback()
        patch_registry_kind(monkeypatch, undo_step=real)
        withdrawn = select(func.count()).select_from(Enterprise).where(Enterprise.record_state == "withdrawn")
        assert db.session.scalar(withdrawn) == 2  # two steps were written
        db.session.execute(
            update(ImportBatch).where(ImportBatch.id == batch_id).values(heartbeat_at=utcnow() - timedelta(minutes=10))
        )
        db.session.commit()
    page = client.get(f"/so/nhap/{batch_id}").get_data(as_text=True)
    assert f"/so/nhap/{batch_id}/chay-lai" in page and f"/so/nhap/{batch_id}/bo" not in page
    client.post(f"/so/nhap/{batch_id}/chay-lai")
    assert _batch(app, batch_id).state == "undone"
    with app.app_context():
        assert db.session.scalar(withdrawn) == 4
        undo_events = select(func.count()).select_from(AuditEvent).where(AuditEvent.provenance == f"undo:{batch_id}")
        assert db.session.scalar(undo_events) == 4  # each record undone once
