"""The registry caches (app/cache.py): anonymous pages and search counts, valid until a recorded write."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from app import audit
from app.database import write_intent
from app.directory import search
from app.extensions import db
from app.registry import services as registry
from tests.factories import login, make_enterprise, make_user


def names(response) -> list[str]:
    return re.findall(r'<h3 class="h6 mb-1"><a href="[^"]+">([^<]+)</a>', response.get_data(as_text=True))


def _unrecorded_rename(public_key: str, description: str) -> None:
    """A change the audit trail does not see (SQL by hand): the caches cannot know of it."""
    db.session.commit()
    with write_intent():
        db.session.execute(
            text("UPDATE enterprise SET description = :d WHERE public_key = :k"), {"d": description, "k": public_key}
        )
        db.session.commit()


def test_a_recorded_write_shows_on_the_next_request(app, client):
    with app.app_context():
        key = make_enterprise("Công ty TNHH Yến Sào Sông Cầu", description="Yến sào tươi").public_key
    first = client.get(f"/doanh-nghiep/{key}")
    assert "Yến sào tươi" in first.get_data(as_text=True)
    with app.app_context():
        _unrecorded_rename(key, "Mô tả chưa ghi nhận")
    # served from the cache: the page was kept, nothing recorded has changed since
    assert "Yến sào tươi" in client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)
    with app.app_context():
        enterprise = registry.get_by_public_key(key)
        registry.update_enterprise(enterprise, audit.CLI, "staff", description="Yến sào đóng hộp")
        db.session.commit()
    assert "Yến sào đóng hộp" in client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)


def test_a_new_enterprise_appears_in_a_cached_search(app, client):
    with app.app_context():
        make_enterprise("Công ty TNHH Hải Đăng")
    assert names(client.get("/doanh-nghiep?q=song+cau")) == []
    with app.app_context():
        make_enterprise("Công ty TNHH Thủy sản Sông Cầu")
    assert names(client.get("/doanh-nghiep?q=song+cau")) == ["Công ty TNHH Thủy sản Sông Cầu"]
    assert client.get("/api/v1/enterprises?q=song+cau").get_json()["total"] == 1


def test_totals_and_facets_are_recounted_after_a_write(app):
    app.config["PAGE_CACHE_MB"] = 0  # the value cache alone
    with app.app_context():
        make_enterprise("Công ty TNHH Hải Đăng", main_vsic="1020")
    with app.test_request_context(method="POST"), write_intent():  # a writer's request: it reads, then writes
        before = search.run(search.Query())
        assert before.total == 1 and dict(before.facets["sector"]) == {"C": 1}
        _unrecorded_rename(before.items[0].public_key, "x")  # no recorded write: the counts are reused
        db.session.execute(text("UPDATE enterprise SET vsic_section = 'A'"))
        db.session.commit()
        assert dict(search.run(search.Query()).facets["sector"]) == {"C": 1}
        make_enterprise("Hợp tác xã Nông nghiệp Hòa Đồng", legal_form="htx", main_vsic="0111")
        after = search.run(search.Query())
        assert after.total == 2 and dict(after.facets["sector"]) == {"A": 2}


def test_another_process_s_write_shows_once_the_version_is_read_again(app, client):
    """A worker trusts the version it read for REGISTRY_VERSION_CHECK_MS; its own commits end that at once."""
    from sqlalchemy import insert, update

    from app.models import AuditEvent, Enterprise

    app.config["REGISTRY_VERSION_CHECK_MS"] = 60_000
    with app.app_context():
        key = make_enterprise("Công ty TNHH Yến Sào Sông Cầu", description="Yến sào tươi").public_key
    assert "Yến sào tươi" in client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)
    with app.app_context(), db.engine.connect() as other:  # not this process's session: no commit seen
        other.execute(update(Enterprise).where(Enterprise.public_key == key).values(description="Yến sào khô"))
        other.execute(insert(AuditEvent).values(actor_label="cli", action="update", entity_type="enterprise"))
        other.commit()
    assert "Yến sào tươi" in client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)
    app.extensions["registry_cache"]["version_seconds"] = 0  # the interval has passed
    assert "Yến sào khô" in client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)


def test_revalidation_costs_a_304(app, client):
    with app.app_context():
        key = make_enterprise("Công ty TNHH Hải Đăng").public_key
    first = client.get(f"/doanh-nghiep/{key}")
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get(f"/doanh-nghiep/{key}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    with app.app_context():
        make_enterprise("Công ty TNHH Biển Xanh")
    changed = client.get(f"/doanh-nghiep/{key}", headers={"If-None-Match": first.headers["ETag"]})
    # a new registry version renders again; the page itself did not change, so neither does its ETag
    assert changed.status_code == 304


def test_languages_are_cached_apart(app, client):
    with app.app_context():
        make_enterprise("Công ty TNHH Hải Đăng")
    assert '<html lang="vi">' in client.get("/doanh-nghiep", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    english = client.get("/doanh-nghiep", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "1 enterprise<" in english


def test_signed_in_visitors_get_their_own_page(app, client):
    with app.app_context():
        key = make_enterprise("Công ty TNHH Hải Đăng").public_key
        make_user("hoa@example.vn")
    anonymous = client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)
    assert "csrf_token" not in anonymous
    login(client, "hoa@example.vn")
    signed_in = client.get(f"/doanh-nghiep/{key}")
    page = signed_in.get_data(as_text=True)
    assert "csrf_token" in page and "Nguyễn Thị Hoa" in page
    assert signed_in.headers.get("ETag") is None
    # and what a signed-in visitor saw is never served to an anonymous one
    other = app.test_client().get(f"/doanh-nghiep/{key}")
    assert "csrf_token" not in other.get_data(as_text=True) and "Set-Cookie" not in other.headers


def test_the_lru_drops_the_least_recently_used_entries():
    from app.cache import LRU

    lru = LRU(10, weigh=len)
    lru.set("a", "xxxx")
    lru.set("b", "xxxx")
    assert lru.get("a") == "xxxx"  # a is now the most recent
    lru.set("c", "xxxx")
    assert lru.get("b") is None and lru.get("a") and lru.get("c") and lru.size == 8
    lru.set("big", "x" * 11)  # larger than the whole cache: not kept
    assert lru.get("big") is None and len(lru) == 2


@pytest.fixture
def redis_store():
    """A page store in a scratch Redis database (the one the CI machine runs), emptied before and after."""
    import redis

    from app.cache import RedisStore

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    store = RedisStore(url, 60, 64 * 1024, "test-secret")
    store.client.flushdb()
    yield store
    store.client.flushdb()


def test_pages_in_redis_are_signed_json_not_pickle(redis_store):
    import json

    from app.cache import Page, RedisStore

    page = Page("Doanh nghiệp đ".encode(), 200, (("Content-Type", "text/html; charset=utf-8"),), "e1")
    redis_store.set("k", page)
    raw = redis_store.client.get(RedisStore.PREFIX + "k")
    key, _, payload = redis_store.signer.unsign(raw).partition(b"\x00")
    assert key == b"k" and json.loads(payload)["etag"] == "e1"  # plain data: nothing in Redis can run code
    assert redis_store.get("k") == page and redis_store.get("missing") is None


def test_a_page_written_into_redis_by_someone_else_is_refused(redis_store):
    """Whoever reaches the Redis can write a page: unsigned, signed with another key, or a real page moved
    to another URL's key. None is served; each is dropped."""
    import json

    from app.cache import Page, RedisStore
    from app.signing import Signer

    forged = json.dumps(
        {"body": "PGgxPnB3bmVkPC9oMT4=", "status": 200, "headers": [["Content-Security-Policy", "*"]], "etag": "x"}
    )
    redis_store.client.set(RedisStore.PREFIX + "/doanh-nghiep", forged)
    assert redis_store.get("/doanh-nghiep") is None
    assert redis_store.client.get(RedisStore.PREFIX + "/doanh-nghiep") is None  # dropped

    other = Signer("another-site", "chuyendoiso page-cache v1").sign(b"/doanh-nghiep\x00" + forged.encode())
    redis_store.client.set(RedisStore.PREFIX + "/doanh-nghiep", other)
    assert redis_store.get("/doanh-nghiep") is None

    redis_store.set("/gioi-thieu", Page(b"about", 200, (), "a"))
    moved = redis_store.client.get(RedisStore.PREFIX + "/gioi-thieu")
    redis_store.client.set(RedisStore.PREFIX + "/doanh-nghiep", moved)
    assert redis_store.get("/doanh-nghiep") is None and redis_store.get("/gioi-thieu").body == b"about"


def test_the_redis_page_cache_keeps_within_its_size(redis_store):
    from app.cache import Page, RedisStore

    for i in range(200):  # 200 pages of about 1.4 KB in a 64 KB cache
        redis_store.set(f"junk-{i}", Page(b"x" * 1000, 200, (), str(i)))
    stored = [k for k in redis_store.client.scan_iter(RedisStore.PREFIX + "*")]
    weight = sum(redis_store.client.strlen(k) for k in stored)
    assert 0 < weight <= 64 * 1024 and redis_store.used() == weight  # counted exactly
    assert len(stored) > 64 * 1024 // 1500  # the oldest went one at a time, not half the cache at once
    assert redis_store.get("junk-199") is not None and redis_store.get("junk-0") is None  # the oldest went first
    redis_store.set("huge", Page(b"x" * 20_000, 200, (), "h"))  # more than an eighth of the cache: not kept
    assert redis_store.get("huge") is None


def test_junk_parameters_do_not_make_new_pages(app, client):
    from app.cache import _stores

    with app.app_context():
        make_enterprise("Công ty TNHH Hải Đăng")
    first = client.get("/doanh-nghiep?q=hai+dang&sector=C")
    for junk in ("&utm_source=x", "&a=1&b=2", "&zz=" + "y" * 500):
        again = client.get(f"/doanh-nghiep?sector=C&q=hai+dang{junk}")
        assert again.get_data() == first.get_data()
    with app.app_context():
        assert len(_stores()["pages"]) == 1
    api = client.get("/api/v1/enterprises?q=hai+dang&bogus=1")
    assert api.status_code == 200 and client.get("/api/v1/enterprises?per_page=7").status_code == 400


def test_the_redis_page_cache_counts_what_it_holds_as_pages_expire_and_are_stored_again(redis_store):
    """The bytes counted are the bytes of the live pages: a page stored again replaces its own size,
    and the pages Redis expired come off the count (they were once counted for ever, so the store
    threw live pages away long before it was full)."""
    import time

    from app.cache import Page, RedisStore

    def live() -> int:
        return sum(redis_store.client.strlen(k) for k in redis_store.client.scan_iter(RedisStore.PREFIX + "*"))

    for i in range(10):
        redis_store.set(f"p-{i}", Page(b"x" * 500, 200, (), str(i)))
    for i in range(5):
        redis_store.set(f"p-{i}", Page(b"y" * 900, 200, (), str(i)))  # stored again, larger
    assert redis_store.used() == live() > 0
    redis_store.client.flushdb()
    brief = RedisStore("redis://127.0.0.1:6379/15", 1, 64 * 1024, "test-secret")  # pages live one second
    for i in range(4):
        brief.set(f"short-{i}", Page(b"z" * 300, 200, (), str(i)))
    time.sleep(2.2)  # Redis has expired them
    brief.set("fresh", Page(b"f" * 100, 200, (), "f"))
    assert brief.client.get(RedisStore.PREFIX + "short-0") is None
    assert brief.used() == live() == brief.client.strlen(RedisStore.PREFIX + "fresh")
