"""A job that fails for a reason of its own (the database connection lost, its process ended, an error
nobody foresaw) says so plainly, keeps nothing, and can be started again or given up from its page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import OperationalError

from app.audit import Actor
from app.extensions import db
from app.imports import jobs, services
from app.imports.kinds import KINDS, REGISTRY
from app.models import Enterprise, ImportBatch
from app.models.base import utcnow
from tests.factories import patch_registry_kind
from tests.test_import_jobs import _batch
from tests.test_import_pages import _staff, _upload
from tests.test_imports import MESSY

STAFF = Actor(None, "staff@so.gov.vn")
LOST = "The database connection was lost; nothing was kept. Start it again."
RAW = ("OperationalError", "PendingRollbackError", "Traceback", "sqlalche.me")


def _lost(*_args, **_kwargs):
    raise OperationalError(
        "INSERT INTO enterprise", {}, Exception("server closed the connection"), connection_invalidated=True
    )


def _once(real, failure):
    """`real`, except that its first call fails with `failure`."""
    calls = []

    def step(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            failure()
        return real(*args, **kwargs)

    return step


def _english_staff(client, app) -> None:
    _staff(client, app)
    client.get("/ngon-ngu/en")


def _enterprises(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Enterprise))


def _page(client, batch_id: int) -> str:
    page = client.get(f"/so/nhap/{batch_id}").get_data(as_text=True)
    assert not any(word in page for word in RAW), page
    return page


def test_a_commit_that_lost_its_connection_says_so_and_can_be_started_again(client, app, monkeypatch):
    _english_staff(client, app)
    with app.app_context():
        batch_id = services.check_file(MESSY, "a.csv", STAFF).id
    patch_registry_kind(monkeypatch, apply_step=_once(KINDS[REGISTRY].apply_step, _lost))
    response = client.post(f"/so/nhap/{batch_id}/ghi", data={"commune-12": "22045"}, follow_redirects=True)
    assert LOST in response.get_data(as_text=True)  # the flash
    batch = _batch(app, batch_id)
    assert batch.state == "failed" and batch.error == "connection_lost" and _enterprises(app) == 0
    page = _page(client, batch_id)
    assert LOST in page and "Commit again" in page and 'id="commit-form"' in page
    assert f"/so/nhap/{batch_id}/bo" in page  # give up, as well

    client.post(f"/so/nhap/{batch_id}/ghi", data={"commune-12": "22045"})
    assert _batch(app, batch_id).state == "committed" and _enterprises(app) == 4


def test_a_background_check_that_lost_its_connection_can_be_checked_again(client, app, monkeypatch):
    app.config["IMPORT_BACKGROUND_BYTES"] = 0
    _english_staff(client, app)
    patch_registry_kind(monkeypatch, build_plan=_once(KINDS[REGISTRY].build_plan, _lost))
    response = _upload(client, MESSY, "lon.csv")
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    batch = _batch(app, batch_id)
    assert batch.state == "failed" and batch.error == "connection_lost"
    page = _page(client, batch_id)
    assert LOST in page and f"/so/nhap/{batch_id}/chay-lai" in page and f"/so/nhap/{batch_id}/bo" in page

    client.post(f"/so/nhap/{batch_id}/chay-lai")
    batch = _batch(app, batch_id)
    assert batch.state == "checked" and batch.new_count == 3 and batch.error is None


def test_a_small_check_that_lost_its_connection_shows_its_batch(client, app, monkeypatch):
    _english_staff(client, app)
    patch_registry_kind(monkeypatch, build_plan=_once(KINDS[REGISTRY].build_plan, _lost))
    response = _upload(client, MESSY, "nho.csv")
    assert response.status_code == 302 and "/so/nhap/" in response.headers["Location"]
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert _batch(app, batch_id).state == "failed" and LOST in _page(client, batch_id)
    client.post(f"/so/nhap/{batch_id}/chay-lai")
    assert _batch(app, batch_id).state == "checked"


def test_any_error_in_a_background_check_fails_its_batch_with_a_reason(client, app, monkeypatch):
    app.config["IMPORT_BACKGROUND_BYTES"] = 0
    _english_staff(client, app)

    def breaks(_data):
        raise MemoryError

    monkeypatch.setattr(services, "read_sheet", breaks)
    response = _upload(client, MESSY, "lon.csv")
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    batch = _batch(app, batch_id)
    assert batch.state == "failed" and batch.error == "unexpected"  # not left "checking"
    assert "unexpected error" in _page(client, batch_id)


def test_a_check_whose_process_ended_is_marked_failed_and_can_be_checked_again(client, app):
    _english_staff(client, app)
    with app.app_context():
        stopped, running, waiting = (services.upload(MESSY, f"{n}.csv", STAFF).id for n in range(3))
        old = utcnow() - timedelta(minutes=10)
        for batch_id, state, heartbeat in (
            (stopped, "checking", old),
            (running, "checking", utcnow()),
            (waiting, "uploaded", old),
        ):
            db.session.execute(
                update(ImportBatch).where(ImportBatch.id == batch_id).values(state=state, heartbeat_at=heartbeat)
            )
        db.session.commit()
        assert jobs.fail_stopped_checks() == 1
    assert [_batch(app, b).state for b in (stopped, running, waiting)] == ["failed", "checking", "uploaded"]
    page = _page(client, stopped)
    assert "its process ended" in page and f"/so/nhap/{stopped}/chay-lai" in page and f"/so/nhap/{stopped}/bo" in page
    client.post(f"/so/nhap/{stopped}/chay-lai")
    assert _batch(app, stopped).state == "checked"


def test_a_check_refused_for_its_file_is_not_offered_again(client, app):
    app.config["IMPORT_BACKGROUND_BYTES"] = 0
    _english_staff(client, app)
    response = _upload(client, bytes(range(256)) * 4, "sai.csv")
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert f"/so/nhap/{batch_id}/chay-lai" not in _page(client, batch_id)
    client.post(f"/so/nhap/{batch_id}/chay-lai")
    assert _batch(app, batch_id).state == "failed"


def test_an_undo_that_lost_its_connection_says_so_and_can_be_started_again(client, app, monkeypatch):
    _english_staff(client, app)
    with app.app_context():
        batch_id = services.import_file(MESSY, "a.csv", STAFF).id
    patch_registry_kind(monkeypatch, undo_step=_once(KINDS[REGISTRY].undo_step, _lost))
    client.post(f"/so/nhap/{batch_id}/hoan-tac")
    batch = _batch(app, batch_id)
    assert batch.state == "committed" and batch.error == "connection_lost"
    page = _page(client, batch_id)
    assert LOST in page and f"/so/nhap/{batch_id}/hoan-tac" in page
    client.post(f"/so/nhap/{batch_id}/hoan-tac")
    assert _batch(app, batch_id).state == "undone"


def test_a_connection_killed_by_the_server_during_a_commit(client, app, monkeypatch):
    """PostgreSQL only: the import's own connection is terminated (pg_terminate_backend) between two steps."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("pg_terminate_backend is PostgreSQL's")
        batch_id = services.check_file(MESSY, "a.csv", STAFF).id
    _english_staff(client, app)

    def terminate():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        with db.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            other.commit()

    patch_registry_kind(monkeypatch, apply_step=_once(KINDS[REGISTRY].apply_step, terminate))
    client.post(f"/so/nhap/{batch_id}/ghi", data={"commune-12": "22045"})
    batch = _batch(app, batch_id)
    assert batch.state == "failed" and batch.error == "connection_lost" and _enterprises(app) == 0
    assert LOST in _page(client, batch_id)
    client.post(f"/so/nhap/{batch_id}/ghi", data={"commune-12": "22045"})
    assert _batch(app, batch_id).state == "committed" and _enterprises(app) == 4


def test_a_commit_whose_process_ended_offers_to_start_it_again_as_well_as_to_give_it_up(client, app, monkeypatch):
    from tests.test_import_jobs import _die_half_way

    _english_staff(client, app)
    with app.app_context():
        batch_id = services.check_file(MESSY, "lon.csv", STAFF).id
    _die_half_way(app, monkeypatch, batch_id)
    page = _page(client, batch_id)
    assert "stopped reporting" in page and 'form="commit-form">Commit again' in page
    assert f"/so/nhap/{batch_id}/bo" in page
    client.post(f"/so/nhap/{batch_id}/ghi", data={"commune-12": "22045"})
    assert _batch(app, batch_id).state == "committed" and _enterprises(app) == 4
