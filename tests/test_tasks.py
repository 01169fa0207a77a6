"""Background work is a task of the queue (app/tasks.py): kept in the queue's storage once the write
that asked for it commits, and run by whichever worker serves the queue — after a restart too."""

from __future__ import annotations

import pytest

from app import create_app, tasks
from app.database import write_intent
from app.extensions import db
from app.mail import send_email


def _site(database, instance) -> object:
    return create_app(
        {**database, "TESTING": True, "INSTANCE_PATH": str(instance), "SECRET_KEY": "t", "TASK_QUEUE": "sqlite"}
    )


def test_a_task_waits_in_the_queue_and_a_worker_started_after_a_restart_runs_it(database, tmp_path):
    first = _site(database, tmp_path)
    with first.app_context(), write_intent():
        db.session.execute(db.text("DELETE FROM outgoing_mail"))  # what earlier tests left
        db.session.commit()
        send_email("chu@example.vn", "Hồ sơ đã được duyệt", "Nội dung")
        queue = first.extensions["tasks"].huey
        assert len(queue) == 0  # nothing is queued before the commit
        db.session.commit()
        assert len(queue) == 1
    mail = tmp_path / "mail"
    assert not mail.exists()  # no worker yet: the e-mail waits

    restarted = _site(database, tmp_path)  # a deploy: the web process is a new one, the queue is the same
    queue = restarted.extensions["tasks"].huey
    assert len(queue) == 1
    queue.execute(queue.dequeue())  # what `flask worker` does with each task
    assert len(list(mail.glob("*.eml"))) == 1
    with restarted.app_context():
        db.session.execute(db.text("DELETE FROM outgoing_mail"))
        db.session.commit()


def test_a_rolled_back_write_queues_nothing(database, tmp_path):
    site = _site(database, tmp_path)
    with site.app_context(), write_intent():
        send_email("chu@example.vn", "Không gửi", "Nội dung")
        db.session.rollback()
        db.session.commit()
        assert len(site.extensions["tasks"].huey) == 0


def test_the_worker_refuses_the_immediate_queue(app):
    with pytest.raises(RuntimeError, match="nothing to serve"):
        tasks.run_worker(app, 1)
    result = app.test_cli_runner().invoke(args=["worker", "--help"])
    assert result.exit_code == 0 and "Serve the task queue" in result.output
