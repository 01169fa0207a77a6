"""One directory index per machine: built apart, opened by every worker, brought up to date in place.

* **Built once, apart.** A build (app/directory/index_build.py) is made by one process per machine
  — `flask directory index build`, run at deployment and started again by a worker when needed, in
  its own process (never in a request, never on a web worker's thread) — and written to files
  (app/directory/index_files.py). Two workers asking at once start one build: the builder holds a
  lock on the index folder.
* **Opened without copying.** Every worker maps the current build's files (shared pages of the
  machine's file cache); after a restart a worker answers from the build on disk at once.
* **Updated in place, beside the requests.** A thread of each worker reads the change log after its
  position (app/directory/changes.py) every REGISTRY_VERSION_CHECK_MS, and at once after a commit of
  its own process, and reads the enterprises it names again (app/directory/recent.py); a new day
  adds the enterprises whose certificates start or stop counting. It then swaps the view a search
  reads: a request never waits for the log, for an import's thousands of changed rows, or for the
  day's rollover (DIRECTORY_INDEX_REFRESH = "request" does it in the request instead: tests). A
  build is asked for only when the changes held apart pass COMPACT_AT, when the log no longer covers
  the build (pruned, or a database restored from a copy), or when none exists: until it is there,
  the workers keep answering from the build they have (or, with none, in SQL).
* **Merged, not read whole.** The next build is the current one with the changes since merged in
  (app/directory/index_merge.py). A worker past COMPACT_AT merges the records it already holds, on
  a thread of its own (`_merge_beside`): nothing is read again and no process is started, so the
  machine holds only what the merge makes, for two seconds at a million (its postings and names are
  written to the files as they come). `flask directory index build` merges the changes it reads from
  the log. The registry is read whole only for the first build, for another layout of the files,
  when the log no longer covers the current build, or when the changes are too many to be worth
  merging (MERGE_AT_MOST): then in a process of its own.
"""

from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from flask import current_app

from app import cache
from app.directory import changes, index_build, index_files, index_merge, recent
from app.directory.facet_index import View, opened
from app.extensions import db
from app.i18n import local_today
from app.registry import certificates

log = logging.getLogger(__name__)

COMPACT_AT = 1_000  # changed records held apart before a new build is asked for (benchmarks/live_index.py)
ASK_AGAIN_SECONDS = 60  # a worker asks for a build at most this often
SLOW_REFRESH = 1.0  # seconds: a refresh longer than this is logged
OWN_COMMITS_POLL = 0.05  # seconds: how soon the refresher notices a commit of its own process


@dataclass
class _State:
    view: View | None = None
    checked: float = float("-inf")
    commits: int = -1  # this process's commits when the log was last read (app/cache.py counts them)
    asked: float = float("-inf")
    lock: threading.Lock = field(default_factory=threading.Lock)
    pid: int = field(default_factory=os.getpid)  # a worker forked from a process that had one starts anew
    refresher: threading.Thread | None = None
    stopped: threading.Event = field(default_factory=threading.Event)


def root() -> Path:
    app = current_app
    return index_files.folder(app.instance_path, app.config.get("DIRECTORY_INDEX_DIR") or None)


def _state() -> _State:
    return _state_of(current_app)


def _state_of(app) -> _State:
    """The worker's index state (a process forked from one that had it starts anew)."""
    extensions = app.extensions
    state = extensions.get("directory_index")
    if state is None or state.pid != os.getpid():
        state = extensions["directory_index"] = _State()
    return state


def current() -> View | None:
    """The view a search reads: the machine's build and the changes since, at most
    REGISTRY_VERSION_CHECK_MS old (this process's own writes a moment after their commit). None while
    no build exists: the search is answered in SQL. The first search of a worker opens the build on
    disk; after that, the worker's refresher thread keeps the view current."""
    state = _state()
    if current_app.config["DIRECTORY_INDEX_REFRESH"] == "request":
        seconds = current_app.config["REGISTRY_VERSION_CHECK_MS"] / 1000
        if state.view is None or state.commits != cache.commits_here() or time.monotonic() - state.checked >= seconds:
            _refresh(state, blocking=state.view is None)
        return state.view
    if state.view is None and state.refresher is None:  # a worker's first search opens the build on disk,
        _refresh(state, blocking=True, most=COMPACT_AT)  # unless the changes are many: then the thread reads them
    if state.refresher is None or not state.refresher.is_alive():
        state.refresher = threading.Thread(
            target=_refresh_beside, args=(current_app._get_current_object(), state), daemon=True
        )
        state.refresher.start()
    return state.view


def stop_refresher(app) -> None:
    """End the worker's refresher thread (its app is going away: tests)."""
    state = app.extensions.get("directory_index")
    if state is not None:
        state.stopped.set()


def _refresh(state: _State, blocking: bool, most: int | None = None) -> None:
    """Bring the view up to date (unless another thread of this worker is at it and ``blocking`` is
    false: the view it had stands), and ask for a build when one is due. With ``most``, more changes
    than that are left to the refresher (the view stays None: the search is answered in SQL)."""
    if not state.lock.acquire(blocking=blocking):
        return
    try:
        commits, started = cache.commits_here(), time.monotonic()
        state.view = _brought_up_to_date(state.view, most)
        state.checked, state.commits = time.monotonic(), commits
        if state.checked - started > SLOW_REFRESH:
            held = len(state.view.recent.docs) if state.view is not None else 0
            log.warning(
                "directory index: brought up to date in %.1f s (%d records held)", state.checked - started, held
            )
        if state.view is None or len(state.view.recent.docs) > COMPACT_AT:
            _ask_for_build(state)
    finally:
        state.lock.release()


def _refresh_beside(app, state: _State) -> None:
    """The refresher: every REGISTRY_VERSION_CHECK_MS, or as soon as this process committed, bring
    the view up to date in an app context of its own (a session of its own). An error is logged and
    tried again at the next turn: the view it had stands meanwhile."""
    while not state.stopped.wait(OWN_COMMITS_POLL) and app.extensions.get("directory_index") is state:
        seconds = app.config["REGISTRY_VERSION_CHECK_MS"] / 1000
        if state.commits == cache.commits_here() and time.monotonic() - state.checked < seconds:
            continue
        with app.app_context():
            try:
                _refresh(state, blocking=True)
            except Exception:  # noqa: BLE001 — the refresher must outlive a database that is away a moment
                log.exception("directory index: refresh failed")
                state.checked = time.monotonic()
            finally:
                db.session.remove()


def _brought_up_to_date(view: View | None, most: int | None = None) -> View | None:
    name = index_files.current_name(root())
    if name is None:
        return None
    if view is None or view.index.name != name:
        found = index_files.read(root(), name)
        if found is None:
            return view
        index = opened(*found, name=name)
        if not changes.covers(index.position, index.built_at):
            return view  # too old for the log: the build asked for replaces it
        view = View(index, recent.Recent(), index.position, index.day)
    ids, position, today = _changed_since(view.position, view.day)
    if not ids:
        return replace(view, position=position, day=today)
    if most is not None and len(ids) > most:
        return None  # many to read: not in a request
    changed = recent.read(ids)
    return View(view.index, view.recent.with_changes(changed, view.index.size), position, today)


def _changed_since(position: changes.Position, day: date) -> tuple[set[int], changes.Position, date]:
    """The enterprises changed after a position (and the position after reading them) and, when the
    day has turned since `day`, those whose certificates started or stopped counting; and today."""
    ids, position = changes.since(position)
    today = local_today()
    if today != day:
        ids |= set(db.session.scalars(certificates.enterprises_changing_between(day, today)))
    return ids, position, today


def _ask_for_build(state: _State) -> None:
    """Start the machine's builder, unless this worker asked a short while ago. Under tests
    (DIRECTORY_INDEX_BUILD = "inline") the build is made here and now, so a test sees it."""
    now = time.monotonic()
    if now - state.asked < ASK_AGAIN_SECONDS:
        return
    state.asked = now
    app = current_app._get_current_object()
    if app.config.get("DIRECTORY_INDEX_BUILD") == "inline":
        build_here()
        state.view = _brought_up_to_date(None)
        return
    view = state.view
    if view is not None and _worth_merging(len(view.recent.docs), view.index.size):
        threading.Thread(target=_merge_beside, args=(root(), view), daemon=True).start()
        log.info("directory index: merge of %d records started (%s)", len(view.recent.docs), root())
        return
    environment = {
        **os.environ,
        "DATABASE_URL": str(app.config["SQLALCHEMY_DATABASE_URI"]),
        "INSTANCE_PATH": app.instance_path,
    }
    command = [sys.executable, "-m", "flask", "--app", "app", "directory", "index", "build", "--quiet"]
    builder = subprocess.Popen(command, env=environment, start_new_session=True, stdout=subprocess.DEVNULL)
    threading.Thread(target=builder.wait, daemon=True).start()  # reaped when it ends, not left a zombie
    log.info("directory index: build asked for (%s)", root())


def _merge_beside(folder: Path, view: View) -> None:
    """A worker's merge of the records it holds, on a thread of its own beside the requests: it needs
    no database (the records are the ones the view holds) and the arrays' work runs mostly outside
    the interpreter's lock. An error is logged; the worker asks again later."""
    try:
        made = merge_view(folder, view)
    except Exception:  # noqa: BLE001 — the worker goes on answering from the build and records it holds
        log.exception("directory index: the merge failed")
        return
    if made is not None:
        log.info("directory index: merged %d records into %s", len(view.recent.docs), made.name)


def merge_view(folder: Path, view: View) -> Path | None:
    """Make the next build from `view`: its build with the records it holds merged in, read at its
    position; None when another process of the machine is building or a newer build is current."""

    def make(writer: index_files.Writer) -> dict | None:
        if index_files.current_name(folder) != view.index.name:
            return None
        return index_merge.merge(view.index, view.recent.docs, writer, view.position, view.day)

    return _locked_build(folder, make, wait=False)


def build_here(wait: bool = False, full: bool = False) -> Path | None:
    """Make the machine's next build and make it current; returns its folder, or None when another
    process of the machine is building (unless `wait`: then after it, this one builds). The current
    build with the changes since merged into it (app/directory/index_merge.py) when it covers the
    change log and they are not too many; otherwise (or `full`) the registry read whole again."""
    folder = root()

    def make(writer: index_files.Writer) -> dict:
        meta = None if full else _merged(folder, writer)
        return meta if meta is not None else index_build.build(writer)

    return _locked_build(folder, make, wait)


def _locked_build(folder: Path, make, wait: bool) -> Path | None:
    """Write a build with `make(writer)` (its meta, or None: nothing to build) under the machine's
    build lock and make it current; None when another process holds the lock (unless `wait`)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "build.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            return None
        started, writer = time.monotonic(), index_files.Writer(folder)
        try:
            meta = make(writer)
        except BaseException:
            writer.abandon()
            raise
        if meta is None:
            writer.abandon()
            return None
        return writer.publish({**meta, "seconds": round(time.monotonic() - started, 2)})


MERGE_AT_MOST = 0.2  # of the registry changed (and more than MERGE_ALWAYS): reading it whole is as quick
MERGE_ALWAYS = 10_000  # changed records merged whatever the registry's size


def _worth_merging(changed: int, size: int) -> bool:
    """Whether so many changed records are merged into the build rather than the registry read whole."""
    return changed <= max(MERGE_ALWAYS, MERGE_AT_MOST * size)


def _merged(folder: Path, writer: index_files.Writer) -> dict | None:
    """The meta of the current build merged with the changes since into `writer`, or None when a
    full build is needed (none, another layout, the log no longer covers it, or too many changes)."""
    name = index_files.current_name(folder)
    found = index_files.read(folder, name) if name else None
    if found is None:
        return None
    index = opened(*found, name=name)
    if not changes.covers(index.position, index.built_at):
        return None
    ids, position, today = _changed_since(index.position, index.day)
    if not _worth_merging(len(ids), index.size):
        return None
    return index_merge.merge(index, recent.read(ids), writer, position, today)
