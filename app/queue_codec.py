"""How a task travels through the queue: signed JSON, never pickle.

Huey pickles its messages by default, and unpickling runs whatever the bytes say: anyone who can write
to the queue's Redis or tasks.db could run code as the worker. Here a message is encoded as JSON with
a tag for each type JSON lacks (the task's message, tuples, dates, dicts with keys of any type, the
audit's Actor), then signed (app/signing.py). A message whose signature fails is logged and dropped;
a type the codec does not know is refused when the task is enqueued, not when it is run.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from huey.registry import Message
from huey.serializer import Serializer

from app.audit import Actor
from app.signing import BadSignature, Signer

log = logging.getLogger(__name__)


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Message):
        return {"$message": [_encode(v) for v in value]}
    if isinstance(value, Actor):
        return {"$actor": [value.user_id, value.label]}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"$dict": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, set | frozenset):
        return {"$set": [_encode(v) for v in value]}
    raise TypeError(f"a task's argument of type {type(value).__name__} cannot travel through the queue")


_DECODERS = {
    "$message": lambda items: Message(*[_decode(v) for v in items]),
    "$actor": lambda items: Actor(items[0], items[1]),
    "$tuple": lambda items: tuple(_decode(v) for v in items),
    "$dict": lambda pairs: {_decode(k): _decode(v) for k, v in pairs},
    "$datetime": datetime.fromisoformat,
    "$date": date.fromisoformat,
    "$decimal": Decimal,
    "$set": lambda items: {_decode(v) for v in items},
}


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        ((tag, inner),) = value.items()
        return _DECODERS[tag](inner)
    return value


def dumps(value: Any) -> bytes:
    return json.dumps(_encode(value), separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def loads(data: bytes) -> Any:
    return _decode(json.loads(data.decode("utf-8")))


class SignedJSONSerializer(Serializer):
    """Huey's serializer for this site: signed JSON both ways (see the module's docstring)."""

    def __init__(self, secret: str):
        super().__init__(compression=False)
        self.signer = Signer(secret, "chuyendoiso task-queue v1")

    def _serialize(self, data: Any) -> bytes:
        return self.signer.sign(dumps(data))

    def _deserialize(self, data: bytes) -> Any:
        try:
            return loads(self.signer.unsign(bytes(data)))
        except BadSignature:
            log.error("dropped a queued message that is not signed with this site's key (%d bytes)", len(data))
            raise
