"""Caches of what the public registry shows, keyed on the registry version.

Every service that changes the registry records an audit event in the same transaction
(app/audit.py), so the audit trail's position is a version of everything the public directory
shows: a cached page or count is valid as long as no audit event was committed after it. Reading
that position costs one index lookup, so entries are never invalidated one by one — a write moves
the version and the old entries age out of the LRU.

Two caches, per worker process by default (no shared service needed):

* pages: whole anonymous GET responses (the directory, profiles, the API's lists), keyed on
  (version, language, full URL), with an ETag so that a browser's revalidation costs a 304;
* values: results a service computes from the registry, keyed on (version, key);
* reference: what no visitor's question changes (facet values and labels), always on and small.

With PAGE_CACHE_URL=redis://… the page cache lives in Redis instead, shared by every worker; each entry
is signed with a key derived from SECRET_KEY and its own cache key (app/signing.py), so a page written
into Redis by anyone else is refused rather than served to every visitor.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from app.extensions import db
from app.i18n import current_language
from app.signing import BadSignature, Signer

log = logging.getLogger(__name__)

# An audit id is taken when the event is flushed, not when it commits: on PostgreSQL two writers can
# commit out of id order, so the highest id alone could already cover a write still in flight. The
# version therefore also counts the recent ids: a late commit below the top changes that count.
RECENT_IDS = 1000


_VERSION = text(
    "SELECT max(id), count(*) FROM audit_event WHERE id > coalesce((SELECT max(id) FROM audit_event), 0) - :recent"
).bindparams(recent=RECENT_IDS)  # built once: it runs on every cached request


# Reading the version costs a transaction (most of a cached page's cost), so a worker reuses it for
# REGISTRY_VERSION_CHECK_MS — unless this process committed meanwhile: its own writes show at once,
# those of other workers and processes within that time.
_commits_here = 0


@event.listens_for(Session, "after_commit")
def _count_commit(session) -> None:
    global _commits_here
    if not session.info.get("ends_a_read"):  # a read request's commit (app/edge.py) changed nothing
        _commits_here += 1


def commits_here() -> int:
    """How many writing transactions this process has committed (a reader of the registry's version
    or of the directory's change log reads again after its own writes)."""
    return _commits_here


def registry_version() -> str:
    """Where the audit trail stands: changes whenever a write to the registry commits."""
    stores = _stores()
    commits, now = _commits_here, time.monotonic()
    known = stores["version"]
    if known is not None and known[2] == commits and now - known[1] < stores["version_seconds"]:
        return known[0]
    highest, recent = db.session.execute(_VERSION).one()
    version = f"{highest or 0}.{recent}"
    stores["version"] = (version, now, commits)
    return version


class LRU:
    """A bounded least-recently-used map, safe across threads; `weigh` measures an entry."""

    def __init__(self, capacity: int, weigh: Callable[[Any], int] = lambda _v: 1, max_age: float | None = None):
        self.capacity, self.weigh, self.max_age = capacity, weigh, max_age
        self._items: OrderedDict[Any, tuple[float, int, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.size = 0

    def get(self, key):
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            stored, _weight, value = found
            if self.max_age is not None and time.monotonic() - stored > self.max_age:
                self._drop(key)
                return None
            self._items.move_to_end(key)
            return value

    def set(self, key, value) -> None:
        weight = self.weigh(value)
        if weight > self.capacity:
            return
        with self._lock:
            if key in self._items:
                self._drop(key)
            self._items[key] = (time.monotonic(), weight, value)
            self.size += weight
            while self.size > self.capacity:
                self._drop(next(iter(self._items)))

    def _drop(self, key) -> None:
        _stored, weight, _value = self._items.pop(key)
        self.size -= weight

    def __len__(self) -> int:
        return len(self._items)


class RedisStore:
    """The page cache in Redis, shared by every worker; entries expire after max_age seconds.

    Each page's size is kept beside it (SIZES) and its time in INDEX; BYTES is their sum, kept exact
    by one script run inside Redis for every store (atomic whichever worker stores): the sizes of the
    pages Redis has expired come off as they are found, a page stored again replaces its own size,
    and past the bound the oldest pages go one at a time until the rest fit."""

    PREFIX = "page-cache:"
    INDEX = "page-cache-index"  # every stored key by when it was stored: the oldest go first past the bound
    SIZES = "page-cache-sizes"
    BYTES = "page-cache-index:bytes"
    _STORE = """
local index, sizes, total = KEYS[1], KEYS[2], KEYS[3]
local key, data, now, max_age, bound, prefix = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local freed = 0
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', index, '-inf', now - max_age)) do
  freed = freed + (tonumber(redis.call('HGET', sizes, gone)) or 0)
  redis.call('HDEL', sizes, gone)
  redis.call('ZREM', index, gone)
end
freed = freed + (tonumber(redis.call('HGET', sizes, key)) or 0)
redis.call('SET', prefix .. key, data, 'EX', max_age)
redis.call('HSET', sizes, key, #data)
redis.call('ZADD', index, now, key)
local used = redis.call('INCRBY', total, #data - freed)
while used > bound do
  local oldest = redis.call('ZRANGE', index, 0, 0)[1]
  if not oldest or oldest == key then break end
  used = redis.call('INCRBY', total, -(tonumber(redis.call('HGET', sizes, oldest)) or 0))
  redis.call('HDEL', sizes, oldest)
  redis.call('ZREM', index, oldest)
  redis.call('DEL', prefix .. oldest)
end
return used
"""

    def __init__(self, url: str, max_age: int, max_bytes: int, secret: str):
        import redis

        self.client, self.max_age, self.max_bytes = redis.Redis.from_url(url), max_age, max_bytes
        self.signer = Signer(secret, "chuyendoiso page-cache v1")
        self._store = self.client.register_script(self._STORE)

    def get(self, key):
        raw = self.client.get(self.PREFIX + key)
        if raw is None:
            return None
        try:  # signed with the key's name: a page stored by anyone else, or moved from another key, is refused
            stored_key, _, payload = self.signer.unsign(raw).partition(b"\x00")
        except BadSignature:
            stored_key, payload = b"", b""
        if stored_key != key.encode():
            log.error("page cache: refused an entry not signed with this site's key (%s)", key[:80])
            self.client.delete(self.PREFIX + key)
            return None
        data = json.loads(payload)  # JSON, not pickle: whoever can write to Redis must not run code here
        return Page(base64.b64decode(data["body"]), data["status"], tuple(map(tuple, data["headers"])), data["etag"])

    def set(self, key, value) -> None:
        """Store the page; past the size bound (PAGE_CACHE_MB, shared by the workers) the oldest pages go."""
        payload = json.dumps(
            {
                "body": base64.b64encode(value.body).decode("ascii"),
                "status": value.status,
                "headers": [list(h) for h in value.headers],
                "etag": value.etag,
            }
        )
        data = self.signer.sign(key.encode() + b"\x00" + payload.encode())
        if len(data) > self.max_bytes // 8:
            return  # one page never takes more than an eighth of the cache
        self._store(
            keys=[self.INDEX, self.SIZES, self.BYTES],
            args=[key, data, time.time(), self.max_age, self.max_bytes, self.PREFIX],
        )

    def used(self) -> int:
        """The bytes the stored pages weigh, as the store counts them."""
        return int(self.client.get(self.BYTES) or 0)


@dataclass(frozen=True)
class Page:
    body: bytes
    status: int
    headers: tuple[tuple[str, str], ...]
    etag: str


def _stores() -> dict:
    """The app's caches, made from its settings on first use (tests get one set per app)."""
    app = current_app._get_current_object()
    stores = app.extensions.get("registry_cache")
    if stores is None:
        cfg = app.config
        max_age = int(cfg["PAGE_CACHE_SECONDS"])
        if cfg["PAGE_CACHE_URL"]:
            pages = RedisStore(
                cfg["PAGE_CACHE_URL"], max_age, int(cfg["PAGE_CACHE_MB"]) * 1024 * 1024, cfg["SECRET_KEY"]
            )
        elif int(cfg["PAGE_CACHE_MB"]) > 0:
            pages = LRU(int(cfg["PAGE_CACHE_MB"]) * 1024 * 1024, lambda p: len(p.body) + 512, max_age)
        else:
            pages = None
        entries = int(cfg["VALUE_CACHE_ENTRIES"])
        values = LRU(entries, max_age=max_age) if entries > 0 else None
        stores = app.extensions.setdefault(
            "registry_cache",
            {
                "pages": pages,
                "values": values,
                "reference": LRU(REFERENCE_ENTRIES, max_age=max_age),
                "latest": {},
                "max_age": max_age,
                "version": None,
                "version_seconds": int(cfg["REGISTRY_VERSION_CHECK_MS"]) / 1000,
            },
        )
    return stores


def memoized(key: tuple, compute: Callable[[], Any]) -> Any:
    """compute() once per registry version and key (per process); callers must not mutate the result."""
    values = _stores()["values"]
    if values is None:
        return compute()
    full_key = (registry_version(), *key)
    found = values.get(full_key)
    if found is None:
        found = compute()
        if not answered_from_earlier():
            values.set(full_key, found)
    return found


REFERENCE_ENTRIES = 64


def reference_value(key: tuple, compute: Callable[[], Any]) -> Any:
    """compute() once per registry version and key (per process), whatever the cache settings: for
    what no visitor's question changes — the facets' values and labels, the communes' order — which
    every page of the directory would otherwise read again. Callers must not mutate the result.
    A request that writes computes afresh: what it has flushed is not in the version yet."""
    if has_request_context() and g.get("writes"):
        return compute()
    stores = _stores()
    full_key = (registry_version(), *key)
    found = stores["reference"].get(full_key)
    if found is None:
        found = compute()
        stores["reference"].set(full_key, found)
    return found


def latest_value(name: str, key: tuple, compute: Callable[[], Any] | None) -> Any:
    """The value kept under `name` for this registry version and key — only the latest one is kept,
    for a large value (the facet bitmaps) an old version must not keep in memory. Without it, compute()
    makes it now; with compute None the caller gets None (and may have it made elsewhere: remember())."""
    stores = _stores()
    full_key = (registry_version(), *key)
    held = stores["latest"].get(name)
    if held is not None and held[0] == full_key and time.monotonic() - held[1] <= stores["max_age"]:
        return held[2]
    if compute is None:
        return None
    value = compute()
    stores["latest"][name] = (full_key, time.monotonic(), value)
    return value


def earlier_value(name: str, key: tuple) -> Any:
    """The value kept under `name` for an earlier registry version with the same key, or None. Using it
    marks the request (answered_from_earlier): what it computes from it is kept by no cache, since it
    may miss the writes of the current version."""
    held = _stores()["latest"].get(name)
    if held is None or held[0][1:] != key:
        return None
    if has_request_context():
        g.earlier_version = True
    return held[2]


def answered_from_earlier() -> bool:
    return has_request_context() and bool(g.get("earlier_version"))


def latest_key(key: tuple) -> tuple:
    """The full key latest_value() looks for: made in a request, kept by a thread that computes the value."""
    return (registry_version(), *key)


def remember(app, name: str, full_key: tuple, value: Any) -> None:
    """Keep a value computed away from the request (a thread), under the key it was computed for."""
    with app.app_context():
        _stores()["latest"][name] = (full_key, time.monotonic(), value)


def _anonymous_read() -> bool:
    """A request whose page is the same for every anonymous visitor with its language."""
    return request.method in ("GET", "HEAD") and not current_user.is_authenticated and "_flashes" not in session


def _shareable(response) -> bool:
    """What the view produced holds nothing of this visitor: no cookie set, no session written
    (a CSRF token, for one, lands in the session), a complete 200."""
    return (
        response.status_code == 200
        and not answered_from_earlier()
        and not response.is_streamed
        and not session.modified
        and "Set-Cookie" not in response.headers
    )


def _answer(page: Page):
    response = current_app.response_class(page.body, status=page.status, headers=list(page.headers))
    response.set_etag(page.etag)
    return response.make_conditional(request)


def cached_page(view=None, *, query: Callable[[], str] | None = None):
    """Serve an anonymous GET from the page cache, or render it and keep it there.

    The key is the path and, with `query`, the canonical form of the parameters the view reads (it may
    raise, as the API does on a value it refuses): junk or reordered parameters share one page instead
    of filling the cache. Without `query` the query string is not part of the page."""
    if view is None:
        return functools.partial(cached_page, query=query)

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        pages = _stores()["pages"]
        if pages is None or not _anonymous_read():
            return view(*args, **kwargs)

        key = f"{registry_version()}|{current_language()}|{request.path}?{query() if query else ''}"
        page = pages.get(key)
        if page is not None:
            return _answer(page)
        response = current_app.make_response(view(*args, **kwargs))
        if not _shareable(response):
            return response
        body = response.get_data()
        headers = tuple(
            (k, v) for k, v in response.headers.items() if k.lower() not in ("content-length", "set-cookie")
        )
        page = Page(body, response.status_code, headers, hashlib.sha1(body, usedforsecurity=False).hexdigest())
        pages.set(key, page)
        return _answer(page)

    return wrapper
