"""One directory index per machine: built apart, opened by every worker, brought up to date in place.

* **Built once, apart.** A build (app/directory/index_build.py) is made by one process per machine
  — `flask directory index build`, run at deployment and started again by a worker when needed, in
  its own process (never in a request, never on a web worker's thread) — and written to files
  (app/directory/index_files.py). Two workers asking at once start one build: the builder holds a
  lock on the index folder.
* **Opened without copying.** Every worker maps the current build's files (shared pages of the
  machine's file cache); after a restart a worker answers from the build on disk at once.
* **Updated in place.** Every REGISTRY_VERSION_CHECK_MS a worker reads the change log after its
  position (app/directory/changes.py) and reads the enterprises it names again
  (app/directory/recent.py); a new day adds the enterprises whose certificates start or stop
  counting. A build is asked for only when the changes held apart pass COMPACT_AT, when the log no
  longer covers the build (pruned, or a database restored from a copy), or when none exists: until
  it is there, the workers keep answering from the build they have (or, with none, in SQL).
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
from pathlib import Path

from flask import current_app

from app import cache
from app.directory import changes, index_build, index_files, recent
from app.directory.facet_index import View, opened
from app.extensions import db
from app.i18n import local_today
from app.registry import certificates

log = logging.getLogger(__name__)

COMPACT_AT = 1_000  # changed records held apart before a new build is asked for (benchmarks/live_index.py)
ASK_AGAIN_SECONDS = 60  # a worker asks for a build at most this often


@dataclass
class _State:
    view: View | None = None
    checked: float = float("-inf")
    commits: int = -1  # this process's commits when the log was last read (app/cache.py counts them)
    asked: float = float("-inf")
    lock: threading.Lock = field(default_factory=threading.Lock)


def root() -> Path:
    app = current_app
    return index_files.folder(app.instance_path, app.config.get("DIRECTORY_INDEX_DIR") or None)


def _state() -> _State:
    extensions = current_app.extensions
    if "directory_index" not in extensions:
        extensions["directory_index"] = _State()
    return extensions["directory_index"]


def current() -> View | None:
    """The view a search reads: the machine's build and the changes since, at most
    REGISTRY_VERSION_CHECK_MS old (this process's own writes are read at its next search). None while
    no build exists: the search is answered in SQL."""
    state = _state()
    seconds = current_app.config["REGISTRY_VERSION_CHECK_MS"] / 1000
    commits = cache.commits_here()
    if state.view is not None and state.commits == commits and time.monotonic() - state.checked < seconds:
        return state.view
    if not state.lock.acquire(blocking=state.view is None):
        return state.view  # another thread of this worker is reading the log: the view it had
    try:
        state.view = _brought_up_to_date(state.view)
        state.checked, state.commits = time.monotonic(), commits
        if state.view is None or len(state.view.recent.docs) > COMPACT_AT:
            _ask_for_build(state)
        return state.view
    finally:
        state.lock.release()


def _brought_up_to_date(view: View | None) -> View | None:
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
    ids, position = changes.since(view.position)
    today = local_today()
    if today != view.day:  # certificates that started or stopped counting since
        ids |= set(db.session.scalars(certificates.enterprises_changing_between(view.day, today)))
    if not ids:
        return replace(view, position=position, day=today)
    changed = recent.read(ids)
    return View(view.index, view.recent.with_changes(changed, view.index.size), position, today)


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
    environment = {
        **os.environ,
        "DATABASE_URL": str(app.config["SQLALCHEMY_DATABASE_URI"]),
        "INSTANCE_PATH": app.instance_path,
    }
    command = [sys.executable, "-m", "flask", "--app", "app", "directory", "index", "build", "--quiet"]
    builder = subprocess.Popen(command, env=environment, start_new_session=True, stdout=subprocess.DEVNULL)
    threading.Thread(target=builder.wait, daemon=True).start()  # reaped when it ends, not left a zombie
    log.info("directory index: build asked for (%s)", root())


def build_here(wait: bool = False) -> Path | None:
    """Build the index in this process and make it current; returns its folder, or None when another
    process of the machine is building (unless `wait`: then after it, this one builds)."""
    folder = root()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "build.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            return None
        started = time.monotonic()
        arrays, meta = index_build.build()
        made = index_files.write(folder, arrays, {**meta, "seconds": round(time.monotonic() - started, 2)})
        del arrays
    return made
