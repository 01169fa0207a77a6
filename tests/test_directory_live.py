"""The directory's index kept up to date in place (app/directory/index_service.py, recent.py): the
records written after the machine's build are read again from the change log and answered beside
it, with the same totals, facet counts and pages as SQL gives — whether a record is in the build,
arrived after it, or changed since — on both engines; a restarted worker opens the build on disk
without building; a search never mixes two versions while writes go on."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from app import audit
from app.directory import index_build, index_files, index_service, search
from app.extensions import db
from app.models import Enterprise
from app.registry import certificates
from app.registry.services import update_enterprise
from tests.factories import make_enterprise
from tests.progress_helpers import product
from tests.test_directory import add_province, add_xuan_firms

QUERIES = [
    search.Query(q=text, sort=sort, per_page=3, **extra)
    for text in ("", "xuan", "xuân đồng", "cong ty", "d", "tom hum")
    for extra in (
        {},
        {"commune": "22015"},
        {"legal_form": "cp", "sector": "J"},
        {"digital": True},
        {"platform": "shopee"},
        {"tech_or_startup": True},
        {"products": True},
    )  # fmt: skip
    for sort in ("relevance", "name", "newest", "size")
]


def _answers(app, queries, index: bool) -> list:
    found = []
    for query in queries:
        with app.test_request_context():
            if index:
                assert index_service.current() is not None
            pages = [search.run(replace(query, page=page)) for page in (1, 2)]
            exported = [e.id for e in search.export_rows(query, None)]
        found.append([(r.total, r.facets, [e.id for e in r.items]) for r in pages] + [exported])
    return found


def _sql_answers(app, queries, monkeypatch) -> list:
    with monkeypatch.context() as patched:
        patched.setattr(index_service, "current", lambda: None)
        return _answers(app, queries, index=False)


def _build(app) -> str:
    with app.test_request_context():
        index_service.build_here()
        db.session.rollback()
        return index_files.current_name(index_service.root())


@pytest.fixture
def uncached(app):
    app.config["VALUE_CACHE_ENTRIES"] = 0
    app.extensions.pop("registry_cache", None)
    return app


@pytest.mark.parametrize("when", ["built", "after the build", "changed after the build"])
def test_records_answer_the_same_whether_built_or_read_again(uncached, monkeypatch, when):
    app = uncached
    if when == "after the build":
        name = _build(app)  # an empty registry's build: every record below arrives after it
    add_province(app)
    with app.app_context():
        add_xuan_firms()
    if when != "after the build":
        name = _build(app)
    if when == "changed after the build":
        with app.app_context():
            firms = db.session.scalars(select(Enterprise).order_by(Enterprise.id)).all()
            for k, firm in enumerate(firms[::3]):
                changes = [
                    {"name": f"Công ty TNHH Xuân Mới {k}"},
                    {"commune_code": "22258", "employees": 7},
                    {"status": "dissolved"},
                    {"is_digital_tech": not firm.is_digital_tech},
                ][k % 4]
                update_enterprise(firm, audit.CLI, "staff", **changes)
            db.session.commit()
            make_enterprise("Công ty TNHH Xuân Đồng Mới", commune_code="22015", founded_on=date(2024, 5, 1))
    expected = _sql_answers(app, QUERIES, monkeypatch)
    got = _answers(app, QUERIES, index=True)
    for query, mine, theirs in zip(QUERIES, got, expected, strict=True):
        assert mine == theirs, query
    with app.test_request_context():
        view = index_service.current()
        assert view.index.name == name  # nothing was built again
        if db.engine.dialect.name == "sqlite":  # PostgreSQL may read again what a running transaction wrote
            assert bool(view.recent.docs) == (when != "built")


def test_a_write_is_found_by_the_next_search_without_a_build(client, uncached):
    app = uncached
    add_province(app)
    name = _build(app)

    def found(q: str) -> list[str]:
        return [item["name"] for item in client.get(f"/api/v1/enterprises?q={q}").get_json()["items"]]

    assert found("kim quy") == []
    with app.app_context():
        firm = db.session.scalar(select(Enterprise).where(Enterprise.name == "Công ty TNHH Dòng Xuân"))
        update_enterprise(firm, audit.CLI, "staff", name="Công ty TNHH Kim Quy")
        db.session.commit()
    app.extensions["directory_index"].checked = float("-inf")  # REGISTRY_VERSION_CHECK_MS has passed
    assert found("kim quy") == ["Công ty TNHH Kim Quy"]
    assert "Công ty TNHH Dòng Xuân" not in found("xuan")
    with app.test_request_context():
        assert index_files.current_name(index_service.root()) == name


def test_a_restarted_worker_opens_the_build_on_disk_without_building(uncached, monkeypatch):
    app = uncached
    add_province(app)
    _build(app)
    app.extensions.pop("directory_index", None)  # a new worker: nothing in memory
    monkeypatch.setattr(index_service.index_build, "build", lambda *_args, **_kw: pytest.fail("built again"))
    with app.test_request_context():
        view = index_service.current()
        assert view is not None and search.run(search.Query(q="xuan")).total == 2


def test_a_build_older_than_the_change_log_keeps_is_built_again(uncached):
    app = uncached
    add_province(app)
    old = _build(app)
    app.extensions.pop("directory_index", None)
    with app.app_context():
        make_enterprise("Công ty TNHH Xuân Mai")
    with app.test_request_context():  # built a month ago: the changes since may have been pruned
        meta = index_service.root() / old / "meta.json"
        meta.write_text(json.dumps({**json.loads(meta.read_text()), "built_at": "2026-11-01T00:00:00+00:00"}))
        view = index_service.current()
        assert view.index.name != old and search.run(search.Query(q="xuan")).total == 3


def test_searches_during_writes_each_answer_one_version(uncached):
    """A writer renames firms one at a time while a reader searches: every answer the reader gets is
    the SQL answer of one of the states the writer went through (never half of two), and once the
    writes stop the next search gives the last state."""
    app = uncached
    add_province(app)
    with app.app_context():
        add_xuan_firms()
    _build(app)
    app.config["REGISTRY_VERSION_CHECK_MS"] = 0
    query = search.Query(q="xuan", sort="name", per_page=50)
    with app.app_context():
        ids = db.session.scalars(select(Enterprise.id).order_by(Enterprise.id)).all()[:10]
    states, seen, stop = [], [], threading.Event()

    def answer(index: bool):
        with app.test_request_context():
            if not index:  # SQL alone, as the page would be read without the index
                return search.capped_count(query), tuple(e.id for e in search._page(query, "index", False))
            results = search.run(query)
            return results.total, tuple(e.id for e in results.items)

    def read():
        while not stop.is_set():
            seen.append(answer(index=True))

    states.append(answer(index=False))
    reader = threading.Thread(target=read)
    reader.start()
    try:
        for k, enterprise_id in enumerate(ids):
            with app.app_context():
                firm = db.session.get(Enterprise, enterprise_id)
                update_enterprise(firm, audit.CLI, "staff", name=f"Công ty TNHH {'Xuân' if k % 2 else 'Thu'} {k}")
                db.session.commit()
            states.append(answer(index=False))
    finally:
        stop.set()
        reader.join()
    assert seen and set(seen) <= set(states)
    assert answer(index=True) == states[-1]


def test_a_certificate_reaching_its_end_leaves_the_products_facet_the_next_day_without_a_build(uncached, monkeypatch):
    """The day's rollover is an update: the enterprises whose certificates stop (or start) counting
    are read again, the build stays."""
    app = uncached
    today = date(2026, 12, 7)
    monkeypatch.setattr(index_service, "local_today", lambda: today)
    monkeypatch.setattr(certificates, "local_today", lambda: today)
    monkeypatch.setattr(index_build, "local_today", lambda: today)
    with app.app_context():
        firm = make_enterprise("Công ty TNHH Nước mắm Gành Đỏ")
        product(firm, date(2024, 1, 1), date(2024, 1, 2), certification="gi", expires_on=today)
        db.session.commit()
    name = _build(app)

    def certified() -> int:
        with app.test_request_context():
            return search.run(search.Query(products=True)).total

    assert certified() == 1
    today = date(2026, 12, 8)  # valid to the 7th inclusive
    app.extensions["directory_index"].checked = float("-inf")
    assert certified() == 0
    with app.test_request_context():
        assert index_service.current().index.name == name


def test_in_production_a_thread_of_the_worker_brings_the_index_up_to_date_never_the_request(client, uncached):
    """DIRECTORY_INDEX_REFRESH = "thread" (the default outside tests): the request reads the view the
    refresher thread made; a write of this process is found a moment after its commit."""
    app = uncached
    app.config["DIRECTORY_INDEX_REFRESH"] = "thread"
    add_province(app)
    _build(app)
    refreshed_in: list[str] = []
    original = index_service._brought_up_to_date

    def watched(view, most=None):
        refreshed_in.append(threading.current_thread().name)
        return original(view, most)

    index_service._brought_up_to_date = watched
    try:
        with app.test_request_context():
            assert index_service.current() is not None  # the first search opens the build on disk
        opened_by = list(refreshed_in)
        with app.app_context():
            firm = db.session.scalar(select(Enterprise).where(Enterprise.name == "Công ty TNHH Dòng Xuân"))
            update_enterprise(firm, audit.CLI, "staff", name="Công ty TNHH Kim Quy")
            db.session.commit()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with app.test_request_context():
                if search.run(search.Query(q="kim quy")).total == 1:
                    break
            time.sleep(0.02)
        else:
            pytest.fail("the write was not found within 5 s")
        assert set(refreshed_in[len(opened_by) :]) - {threading.main_thread().name}, "refreshed by the thread"
        assert threading.main_thread().name not in refreshed_in[len(opened_by) :], "no request refreshed it"
    finally:
        index_service._brought_up_to_date = original
        index_service.stop_refresher(app)


def test_a_new_worker_leaves_many_changes_to_its_refresher_and_answers_in_sql_meanwhile(uncached, monkeypatch):
    """After an import of thousands of rows a worker's first search does not read them: it answers
    in SQL while its refresher thread reads them (and asks for a build)."""
    app = uncached
    app.config["DIRECTORY_INDEX_REFRESH"] = "thread"
    add_province(app)
    _build(app)
    with app.app_context():
        add_xuan_firms()  # more changes than COMPACT_AT allows a request to read
    monkeypatch.setattr(index_service, "COMPACT_AT", 2)
    monkeypatch.setattr(index_service, "_ask_for_build", lambda state: None)
    read_in: list[str] = []
    original = index_service.recent.read

    def watched(ids):
        read_in.append(threading.current_thread().name)
        return original(ids)

    monkeypatch.setattr(index_service.recent, "read", watched)
    app.extensions.pop("directory_index", None)  # a new worker
    try:
        with app.test_request_context():
            assert index_service.current() is None  # the search is answered in SQL
            expected = search.run(search.Query(q="xuan")).total
        deadline = time.monotonic() + 5
        while index_service._state_of(app).view is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert read_in and threading.main_thread().name not in read_in
        with app.test_request_context():
            assert index_service.current() is not None and search.run(search.Query(q="xuan")).total == expected
    finally:
        index_service.stop_refresher(app)


def test_the_refresher_reads_a_views_places_while_requests_add_to_them():
    """A worker's refresher makes the next view from the current one while its requests place
    records in it: reading the places must not fail because a request added one meanwhile."""
    view = index_service.recent.Recent(places={(i, "name"): (i,) for i in range(20_000)})

    def place_more():
        for n in range(20_000, 200_000):
            view.places[(n, "name")] = (n,)

    writer = threading.Thread(target=place_more)
    writer.start()
    while writer.is_alive():
        view.with_changes({1: None}, 10)  # raised "dictionary changed size during iteration"
    writer.join()


def test_a_build_read_a_few_rows_at_a_time_is_the_build_read_at_once(uncached):
    """The build reduces each chunk of rows to numbers before reading the next (its memory follows the
    arrays, not the rows): chunks of five give the arrays and the meta that one chunk gives, values
    missing in a chunk (no commune, no size) and the last chunk shorter than the others included."""
    app = uncached
    add_province(app)
    with app.app_context():
        add_xuan_firms()
        make_enterprise("Công ty TNHH Không Rõ", founded_on=None, employees=None)
        db.session.commit()
    with app.test_request_context():
        whole, chunked = {}, {}
        whole_meta = index_build.build(whole, chunk=10_000)
        chunked_meta = index_build.build(chunked, chunk=5)
        assert whole_meta["listed"] > 7 and whole_meta["listed"] % 5  # several chunks, the last one short
    assert sorted(chunked) == sorted(whole)
    for name, array in whole.items():
        assert chunked[name].dtype == array.dtype and (chunked[name] == array).all(), name
    assert {k: v for k, v in chunked_meta.items() if k != "built_at"} == {
        k: v for k, v in whole_meta.items() if k != "built_at"
    }
    assert "None" not in whole_meta["values"]["stage"]
