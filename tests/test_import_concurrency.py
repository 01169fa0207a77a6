"""A large import and its undo never make other writers fail: owners saving questionnaire pages
meanwhile wait a moment at most, and every save is stored (issue 11, point 2), on both engines."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from app.extensions import db
from app.imports import services
from app.models import Assessment, Enterprise, ImportBatch
from tests import assessment_helpers as flow
from tests.test_import_jobs import STAFF, _many

ROWS = 50_000
OWNERS = 8
PAUSE_SECONDS = 0.2  # between two saves of one owner: eight owners save about forty times a second


class Owner(threading.Thread):
    """An owner saving page 1 of their questionnaire again and again, alternating two sets of answers."""

    def __init__(self, app, stop: threading.Event):
        super().__init__(daemon=True)
        self.app, self.stop, self.client = app, stop, app.test_client()
        self.public_id = flow.start(self.client, "dbi-sme")
        self.forms = [flow.page_form(app, self.public_id, 1, choose) for choose in (flow.best_value, flow.low_value)]
        self.statuses: list[int] = []
        self.last: dict | None = None
        self.slowest = 0.0
        self.times: list[float] = []

    def run(self):
        while not self.stop.is_set():
            form = self.forms[len(self.statuses) % 2]
            started = time.monotonic()
            response = self.client.post(f"/danh-gia/lan/{self.public_id}/trang/1", data={**form, "action": "save"})
            self.slowest = max(self.slowest, time.monotonic() - started)
            self.times.append(time.monotonic() - started)
            self.statuses.append(response.status_code)
            self.last = form
            self.stop.wait(PAUSE_SECONDS)


def _while_owners_save(app, work) -> list[Owner]:
    stop = threading.Event()
    owners = [Owner(app, stop) for _ in range(OWNERS)]
    for owner in owners:
        owner.start()
    try:
        with app.app_context():
            try:
                work()
            finally:
                db.session.remove()
    finally:
        time.sleep(0.5)  # a few saves after the last step too
        stop.set()
        for owner in owners:
            owner.join(60)
    return owners


def _assert_every_save_stored(app, owners: list[Owner]) -> None:
    for owner in owners:
        assert owner.statuses and set(owner.statuses) == {302}, owner.statuses
        with app.app_context():
            stored = db.session.scalar(select(Assessment).where(Assessment.public_id == owner.public_id)).answers
        last = {key[2:]: values for key, values in owner.last.items() if not key.endswith("__shown")}
        assert {name: stored.get(name) for name in last} == {
            name: stored_form(values, stored.get(name)) for name, values in last.items()
        }


def stored_form(values: list[str], stored):
    """The answer as the questionnaire stores it, compared on its text form."""
    if isinstance(stored, list):
        return [type(stored[0])(v) if stored else v for v in values] if stored else stored
    return type(stored)(values[0]) if stored is not None else stored


def test_a_large_import_and_its_undo_never_make_owners_saving_meanwhile_fail(app):
    data = _many(ROWS)
    with app.app_context():
        batch = services.check_file(data, "lon.csv", STAFF)
        assert batch.new_count == ROWS
        batch_id = batch.id
    timings = {}

    def commit():
        started = time.monotonic()
        services.commit_batch(db.session.get(ImportBatch, batch_id), STAFF)
        timings["commit"] = time.monotonic() - started

    owners = _while_owners_save(app, commit)
    _assert_every_save_stored(app, owners)
    with app.app_context():
        assert db.session.get(ImportBatch, batch_id).state == "committed"
        assert (
            db.session.scalar(
                select(func.count()).select_from(Enterprise).where(Enterprise.record_state == "published")
            )
            == ROWS
        )

    def undo():
        started = time.monotonic()
        assert services.undo(db.session.get(ImportBatch, batch_id), STAFF) == ROWS
        timings["undo"] = time.monotonic() - started

    owners = _while_owners_save(app, undo)
    _assert_every_save_stored(app, owners)
    with app.app_context():
        assert db.session.get(ImportBatch, batch_id).state == "undone"
        assert (
            db.session.scalar(
                select(func.count()).select_from(Enterprise).where(Enterprise.record_state == "published")
            )
            == 0
        )
    times = sorted(t for o in owners for t in o.times)
    print(len(times), times[len(times) // 2], times[int(len(times) * 0.99)], times[-1])
    print(
        f"commit {timings['commit']:.1f} s, undo {timings['undo']:.1f} s, "
        f"slowest save {max(o.slowest for o in owners):.2f} s"
    )
