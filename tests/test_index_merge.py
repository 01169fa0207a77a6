"""A compaction merges the changed records into the current build (app/directory/index_merge.py):
what it makes holds, id by id and word by word, what a full build of the same registry holds, and
the directory answers from it as SQL does — on both engines."""

from __future__ import annotations

import time
from datetime import date

import numpy as np
import pytest
from sqlalchemy import select

from app import audit
from app.directory import index_build, index_files, index_merge, index_service, recent
from app.directory.changes import since
from app.directory.facet_index import opened
from app.extensions import db
from app.i18n import local_today
from app.models import Enterprise
from app.registry.services import update_enterprise
from tests.factories import make_enterprise
from tests.progress_helpers import listing, product
from tests.test_directory import add_province, add_xuan_firms
from tests.test_directory_live import QUERIES, _answers, _build, _sql_answers


@pytest.fixture
def changed(app):
    """A registry built, then written: renamed (a word no firm had), moved, dissolved, labelled,
    certified, a platform no firm sold on, and new firms — one with the highest id."""
    app.config["VALUE_CACHE_ENTRIES"] = 0
    app.extensions.pop("registry_cache", None)
    add_province(app)
    with app.app_context():
        add_xuan_firms()
    _build(app)
    with app.app_context():
        firms = db.session.scalars(select(Enterprise).order_by(Enterprise.id)).all()
        update_enterprise(firms[0], audit.CLI, "staff", name="Công ty TNHH Zêta Mới")
        update_enterprise(firms[1], audit.CLI, "staff", commune_code="22258", employees=7)
        update_enterprise(firms[2], audit.CLI, "staff", status="dissolved")
        update_enterprise(firms[3], audit.CLI, "staff", is_digital_tech=True, digital_tech_verification="verified")
        db.session.commit()
        listing(product(firms[4], date(2025, 1, 1), date(2025, 1, 2)), platform="voso")  # no firm sold there
        make_enterprise("Công ty TNHH Ánh Dương Xuân", commune_code="22015", founded_on=date(2024, 5, 1))
        make_enterprise("Hợp tác xã Aa Đầu Bảng", commune_code="22015")
        db.session.commit()
    return app


def _both(app) -> tuple[dict, dict, dict, dict]:
    with app.test_request_context():
        folder = index_service.root()
        name = index_files.current_name(folder)
        index = opened(*index_files.read(folder, name), name=name)
        ids, position = since(index.position)
        merged: dict = {}
        merged_meta = index_merge.merge(index, recent.read(ids), merged, position, local_today())
        fresh: dict = {}
        fresh_meta = index_build.build(fresh)
        db.session.rollback()
    return merged, merged_meta, fresh, fresh_meta


def _column(arrays, meta, facet, size):
    names = meta["values"][facet]
    code = np.asarray(arrays[f"code.{facet}"])[:size]
    return [names[c] if c >= 0 else None for c in code.tolist()]


def _postings(arrays, prefix) -> dict[str, list[int]]:
    words = index_build.text_index.Strings(arrays[f"{prefix}.blob"], arrays[f"{prefix}.offsets"])
    starts, postings = arrays[f"{prefix}.starts"], arrays[f"{prefix}.postings"]
    found = {words[k]: sorted(postings[starts[k] : starts[k + 1]].tolist()) for k in range(len(words))}
    return {word: ids for word, ids in found.items() if ids}


def test_a_merged_build_holds_what_a_full_build_holds(changed):
    merged, merged_meta, fresh, fresh_meta = _both(changed)
    size = fresh_meta["size"]
    assert merged_meta["size"] >= size and merged_meta["listed"] == fresh_meta["listed"]
    for facet in fresh_meta["values"]:
        assert _column(merged, merged_meta, facet, size) == _column(fresh, fresh_meta, facet, size), facet
        assert set(np.asarray(merged[f"code.{facet}"])[size:].tolist()) <= {-1}
    sells = {p: np.asarray(merged[f"platform.{k}"])[:size] for k, p in enumerate(merged_meta["platforms"])}
    for k, platform in enumerate(fresh_meta["platforms"]):
        assert (sells.pop(platform) == fresh[f"platform.{k}"]).all(), platform
    assert not any(found.any() for found in sells.values())  # a platform nobody sells on any more
    assert "voso" in fresh_meta["platforms"]
    for name in ("seeking", "order.name", "order.newest", "order.size", "key.day", "key.tier", "key.staff"):
        assert (np.asarray(merged[name])[: len(fresh[name])] == fresh[name]).all(), name
    for name in ("rank.name", "rank.newest", "rank.size", "names.blob", "names.offsets"):
        assert (np.asarray(merged[name])[: len(fresh[name])] == fresh[name]).all(), name
    for text in index_build.TEXTS:
        assert _postings(merged, f"text.{text}") == _postings(fresh, f"text.{text}"), text
    assert "zeta" in _postings(merged, "text.words")


def test_a_compaction_merges_and_the_directory_answers_as_sql_does(changed, monkeypatch):
    app = changed
    with app.test_request_context():
        before = index_files.current_name(index_service.root())
    monkeypatch.setattr(index_build, "build", lambda *_a, **_k: pytest.fail("the registry was read whole"))
    with app.test_request_context():
        made = index_service.build_here()
        meta = index_files.read(made.parent, made.name)[1]
        assert meta["merged_into"] == before and meta["merged"] >= 6
    app.extensions.pop("directory_index", None)
    expected = _sql_answers(app, QUERIES, monkeypatch)
    assert _answers(app, QUERIES, index=True) == expected
    with app.test_request_context():
        assert not index_service.current().recent.docs  # the merged build holds every change


def test_a_worker_past_compact_at_merges_the_records_it_holds_beside_the_requests(changed, monkeypatch):
    """A worker holding more than COMPACT_AT changed records merges them on a thread of its own (no
    builder process started, the registry not read again) and makes the build current; the worker
    then answers from it as SQL does, holding nothing apart."""
    app = changed
    app.config.update(DIRECTORY_INDEX_BUILD="background", DIRECTORY_INDEX_REFRESH="request")
    monkeypatch.setattr(index_service, "COMPACT_AT", 2)
    monkeypatch.setattr(index_service.subprocess, "Popen", lambda *_a, **_k: pytest.fail("a builder was started"))
    monkeypatch.setattr(index_service.index_build, "build", lambda *_a, **_k: pytest.fail("the registry was read"))
    app.extensions.pop("directory_index", None)
    with app.test_request_context():
        folder = index_service.root()
        before = index_files.current_name(folder)
        assert len(index_service.current().recent.docs) > 2  # held: the worker started its merge
    deadline = time.monotonic() + 60
    while index_files.current_name(folder) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    made = index_files.current_name(folder)
    meta = index_files.read(folder, made)[1]
    assert meta["merged_into"] == before and meta["merged"] >= 6
    app.extensions.pop("directory_index", None)
    expected = _sql_answers(app, QUERIES, monkeypatch)
    assert _answers(app, QUERIES, index=True) == expected
    with app.test_request_context():
        assert index_service.current().index.name == made and not index_service.current().recent.docs


@pytest.mark.parametrize("why", ["many changes", "a log that no longer covers the build"])
def test_a_full_build_is_made_instead_for(changed, monkeypatch, why):
    app = changed
    if why == "many changes":
        monkeypatch.setattr(index_service, "MERGE_AT_MOST", 0.0)
        monkeypatch.setattr(index_service, "MERGE_ALWAYS", 5)
    else:  # pruned, or a database restored from an older copy
        monkeypatch.setattr(index_service.changes, "covers", lambda *_args: False)
    with app.test_request_context():
        made = index_service.build_here()
        assert "merged_into" not in index_files.read(made.parent, made.name)[1]


def test_the_command_merges_by_default_and_reads_the_registry_whole_with_full(changed):
    runner = changed.test_cli_runner()
    merged = runner.invoke(args=["directory", "index", "build"])
    assert merged.exit_code == 0 and merged.output.startswith("Merged "), merged.output
    full = runner.invoke(args=["directory", "index", "build", "--full"])
    assert full.exit_code == 0 and full.output.startswith("Built: "), full.output


def test_a_column_written_in_pieces_is_the_array_and_refuses_a_wrong_length(tmp_path):
    """What the merge streams into a build's files (index_files.Column) reads back as the array it
    is, the same whether written to a file or made in memory; too many or too few items fail."""
    writer = index_files.Writer(tmp_path)
    in_memory: dict = {}
    for target in (writer, in_memory):
        made = index_files.column(target, "postings", np.int32, 7)
        made.append(np.array([3, 1, 4], dtype=np.int64))  # converted as it is written
        made.append(np.array([1, 5, 9, 2]))
        made.close()
    on_disk = np.load(writer.partial / "postings.npy")
    assert on_disk.dtype == np.int32 and on_disk.tolist() == in_memory["postings"].tolist() == [3, 1, 4, 1, 5, 9, 2]
    assert writer.keys == ["postings"]
    short = index_files.column(writer, "short", np.uint8, 3)
    short.append(np.array([1], dtype=np.uint8))
    with pytest.raises(ValueError):
        short.close()
    with pytest.raises(ValueError):
        index_files.column(in_memory, "long", np.uint8, 1).append(np.array([1, 2], dtype=np.uint8))
    writer.abandon()
