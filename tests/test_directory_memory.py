"""The directory's index (app/directory/facet_index.py, text_index.py, id_columns.py): built by the
machine's builder, not by a request; its words, stored orders, relevance tiers and columns per id
give what SQL and the full-text index give, on both engines (tests/test_directory_live.py: kept up
to date in place)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from app.directory import search
from app.extensions import db
from app.models import Enterprise
from tests.factories import make_enterprise
from tests.test_directory import add_province, add_xuan_firms


@pytest.fixture
def province(app):
    """The enterprises of tests/test_directory.py, with the traps of Vietnamese search in their names."""
    add_province(app)


def test_without_a_build_the_directory_answers_in_sql_and_starts_the_machine_s_builder(app, province, monkeypatch):
    """No build on disk yet (a new deployment before `flask directory index build`): the search is
    answered in SQL at once, and the worker starts the builder in its own process, once."""
    from app.directory import index_service

    app.config.update(VALUE_CACHE_ENTRIES=0, DIRECTORY_INDEX_BUILD="background")
    app.extensions.pop("registry_cache", None)
    started = []

    class Started:  # what Popen gives: a process the worker waits for on a thread of its own
        def __init__(self, command, **options):
            started.append((command, options))

        def wait(self):
            return 0

    monkeypatch.setattr(index_service.subprocess, "Popen", Started)
    query = search.Query(q="xuan", sort="name")
    with app.test_request_context():
        first = search.run(query)
        again = search.run(query)
    assert first.total == again.total == 2
    assert len(started) == 1
    command, options = started[0]
    assert command[-3:] == ["index", "build", "--quiet"]
    assert options["env"]["INSTANCE_PATH"] == app.instance_path and options["start_new_session"]


@pytest.mark.parametrize("sort", ["relevance", "name", "newest", "size"])
def test_pages_walked_from_the_bitmaps_follow_the_sql_order(app, province, monkeypatch, sort):
    """A page of many matches is read from the worker's stored orders: the same enterprises, in the
    same order, as SQL gives, through ties, unknown founding dates and unknown sizes."""
    from app.directory import facet_index

    with app.app_context():
        for i in range(23):
            make_enterprise(
                f"Công ty TNHH Đá {'Xanh' if i % 3 else 'Đỏ'}",  # equal names: the id decides
                commune_code="22015" if i % 2 else "22081",
                founded_on=None if i % 4 == 0 else date(2000 + i % 5, 1 + i % 12, 1),
                employees=None if i % 5 == 0 else (i * 7) % 40,
                size_tier=("micro", "small", "unknown")[i % 3],
            )
    walked = []
    real = facet_index.page_of
    monkeypatch.setattr(facet_index, "page_of", lambda *a: walked.append(a[2]) or real(*a))
    for query in (search.Query(sort=sort, per_page=20), search.Query(commune="22015", sort=sort, per_page=20)):
        for page in (1, 2):
            with app.test_request_context():
                results = search.run(replace(query, page=page))
                expected = search._page(results.query, "index", results.broad)
                assert [e.id for e in results.items] == [e.id for e in expected]
                assert results.items or page > 1
    assert walked and set(walked) == {"name" if sort == "relevance" else sort}


def test_the_words_in_memory_find_what_the_full_text_index_finds(app, province):
    """app/directory/text_index.py answers a text as the engine's full-text index does: every term a
    word, the last one a prefix, on the same folded words."""
    from app.directory import facet_index, index_service
    from app.registry.fulltext import match_condition

    with app.app_context():
        make_enterprise("Công ty TNHH Cà phê 3M Đắk Lắk", description="Rang xay cà phê, truy xuất nguồn gốc QR")
        make_enterprise("Hộ kinh doanh Đặng Văn Đạt", legal_form="hkd", personal_id="054123456780")
        make_enterprise("Công ty TNHH Xuân Hòa 2", commune_code="22081")
    texts = [
        "x",
        "xu",
        "xuan",
        "xuan h",
        "xuan hoa",
        "hoa xuan",
        "d",
        "da",
        "dang",
        "dong",
        "đồng",
        "ca phe",
        "3",
        "3m",
        "2",
        "qr",
        "truy xuat",
        "z",
        "tom hum",
        "phu yen",
        "hai dang",
        "xuan 2",
    ]
    with app.test_request_context():
        index = index_service.current().index
        listed = search._conditions(search.Query())
        for typed in texts:
            terms = search.Query(q=typed).terms
            expected = set(db.session.scalars(select(Enterprise.id).where(*listed, match_condition(terms))))
            bits = facet_index._packed(index.words.matches(terms, index.size)) & index.listed
            found = {i for i in range(index.size) if bits >> i & 1}
            assert found == expected, typed
            few = index.text(terms)  # few matches: their ids (app/directory/id_columns.py)
            assert few.tolist() == sorted(expected), typed
            assert index.words.few_matches(terms, 0) is None or not expected, typed
            assert expected or typed in ("z",), typed  # the list means something


def test_the_word_index_splits_on_single_spaces_and_keeps_each_word_once_per_text():
    import numpy as np

    from app.directory import text_index

    ids = np.array([3, 5, 8, 9], dtype=np.int64)
    index = text_index.build(ids, ["xuan xuan hoa", "", "hoa  xuan", None])
    assert [index.words[k] for k in range(len(index.words))] == [
        "hoa",
        "xuan",
    ]  # no empty word from "" or the double space

    def found(*terms):
        return np.flatnonzero(index.matches(list(terms), 10)).tolist()

    assert found("xuan") == [3, 8] and found("hoa") == [3, 8] and found("x") == [3, 8]
    assert found("xu", "hoa") == [] and found("xuan", "h") == [3, 8] and found("hoa", "xua") == [3, 8]
    assert found("a") == [] and list(index.postings) == [3, 8, 3, 8]


@pytest.mark.parametrize("args", [{}, {"q": "xuan"}, {"sort": "size"}, {"commune": "22015", "sort": "newest"}])
def test_an_export_lists_what_the_pages_show_in_their_order(app, province, monkeypatch, args):
    with app.app_context():
        for i in range(7):
            make_enterprise(
                f"Công ty TNHH Xuân {i % 3}", commune_code="22015", employees=i, founded_on=date(2010 + i, 1, 1)
            )
    monkeypatch.setattr(search, "BROAD_LIMIT", 8)  # the broad case too: relevance falls back to the name order
    with app.test_request_context():
        first = search.run(search.Query(per_page=20, **args))
        shown = [e.id for e in first.items]
        exported = [e.id for e in search.export_rows(search.Query(**args), None)]
        capped = [e.id for e in search.export_rows(search.Query(**args), 3)]
    assert exported == shown and capped == shown[:3] and shown


@pytest.mark.parametrize("typed", ["xuân", "xuan", "Dòng Xuân", "dong x", "hoa", "công ty xuân", "tom"])
def test_relevance_pages_from_the_bitmaps_follow_the_sql_order(app, province, typed):
    """The relevance tiers (as typed, in the name, the first word) ranked in memory give the pages SQL gives."""
    with app.app_context():
        for name in ["Xuân Hòa", "Công ty TNHH Xuân", "Hộ kinh doanh Xuan Dong", "Công ty Đồng Xuân Tôm",
                     "Công ty TNHH Hoa Xuân", "Xuanthu", "Công ty TNHH Dòng Xuân 2"]:  # fmt: skip
            make_enterprise(name, commune_code="22015", description="xuân hoa tôm")
    query = search.Query(q=typed, per_page=2)
    with app.test_request_context():
        results = search.run(query)
        assert results.total > 4
        for page in (1, 2, 3):
            shown = search.run(replace(query, page=page))
            expected = search._page(shown.query, "index", False)
            assert [e.id for e in shown.items] == [e.id for e in expected], (typed, page)


def test_few_matches_are_answered_as_the_bitmaps_answer(app, province, monkeypatch):
    """A text with few matches is counted, faceted and paged from the facets' columns
    (app/directory/id_columns.py): the same totals, facet counts and pages as the bitmaps give, with
    every kind of filter, the investors' view, each order and a second page."""
    from app.directory import id_columns

    with app.app_context():
        add_xuan_firms()
    app.config["VALUE_CACHE_ENTRIES"] = 0  # each run counts afresh
    app.extensions.pop("registry_cache", None)
    filters = [{}, {"commune": "22015"}, {"legal_form": "cp", "sector": "J"}, {"digital": True}, {"platform": "shopee"},
               {"tech_or_startup": True}, {"seeking": True}, {"stage": "seed"}, {"commune": "22081", "size": "micro"}]  # fmt: skip
    answered = 0
    for text in ("xuan", "xuân đồng", "cong ty", "d", "tom hum", "hai"):
        for extra in filters:
            for sort in ("relevance", "name", "newest", "size"):
                query = search.Query(q=text, sort=sort, per_page=3, **extra)
                ways = []
                for few in (id_columns.FEW, 0):
                    monkeypatch.setattr(id_columns, "FEW", few)
                    with app.test_request_context():
                        pages = [search.run(replace(query, page=page)) for page in (1, 2)]
                        exported = [e.id for e in search.export_rows(query, None)]
                    ways.append(
                        [(r.total, r.facets, [e.id for e in r.items]) for r in pages] + [exported],
                    )
                    monkeypatch.undo()
                assert ways[0] == ways[1], (text, extra, sort)
                answered += ways[0][0][0] > 0
    assert answered > 100  # most of these questions have answers
