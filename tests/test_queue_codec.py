"""Tasks travel through the queue as signed JSON (app/queue_codec.py): what anyone else writes into
the queue's storage — a pickle that would run code, a message signed with another key — is dropped,
never run."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app import create_app
from app.audit import Actor
from app.queue_codec import SignedJSONSerializer, dumps, loads
from app.signing import BadSignature


class _RunsCode:
    """Unpickling this creates a file: the proof that a pickle ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_a_task_s_arguments_come_back_as_they_went():
    value = (
        42,
        "Sở Khoa học và Công nghệ",
        date(2025, 12, 31),
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        Actor(7, "can.bo@so.example.vn"),
        {3: "keep", "3": "split"},
        [None, True, 1.5, Decimal("1.10")],
    )
    assert loads(dumps(value)) == value


def test_an_argument_the_queue_cannot_carry_is_refused_when_enqueued():
    with pytest.raises(TypeError, match="cannot travel"):
        dumps(object())


def _queue(database, tmp_path):
    site = create_app(
        {
            **database,
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "a-site-secret",
            "TASK_QUEUE": "sqlite",
        }
    )
    return site.extensions["tasks"]


def test_a_pickle_pushed_onto_the_queue_is_dropped_without_running(database, tmp_path):
    queue = _queue(database, tmp_path).huey
    marker = tmp_path / "pwned"
    queue.storage.enqueue(pickle.dumps(_RunsCode(marker)))
    with pytest.raises(BadSignature):
        queue.dequeue()  # the worker logs "Error reading from queue" and goes on
    assert not marker.exists() and len(queue) == 0


def test_a_message_signed_with_another_key_is_dropped(database, tmp_path):
    tasks = _queue(database, tmp_path)
    ours, theirs = tasks.huey, SignedJSONSerializer("somebody-else")
    message = ours._registry.create_message(tasks.tasks["drain_outbox"].s())
    ours.storage.enqueue(theirs.serialize(message))
    with pytest.raises(BadSignature):
        ours.dequeue()
    ours.storage.enqueue(ours.serializer.serialize(message))  # the same message signed by the site is run
    assert ours.dequeue().name == message.name.rsplit(".", 1)[-1]


def test_the_redis_queue_refuses_a_forged_message(database, tmp_path):
    import redis

    url = "redis://127.0.0.1:6379/14"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    site = create_app(
        {**database, "TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "s", "TASK_QUEUE": url}
    )
    queue = site.extensions["tasks"].huey
    queue.storage.flush_queue()
    marker = tmp_path / "pwned"
    redis.Redis.from_url(url).lpush(queue.storage.queue_key, pickle.dumps(_RunsCode(marker)))
    with pytest.raises(BadSignature):
        queue.dequeue()
    assert not marker.exists()
    queue.storage.flush_queue()
