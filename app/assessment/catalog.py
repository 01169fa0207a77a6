"""The instruments the site serves, loaded and checked once per process."""

from __future__ import annotations

import functools
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from app.assessment import check
from app.assessment.instruments import Instrument, build
from app.assessment.yamlsource import SourceMap


class InstrumentError(RuntimeError):
    pass


class Catalog:
    def __init__(self, instruments: list[Instrument]):
        self._by_key = {i.key: i for i in instruments}

    def get(self, instrument_id: str, version: int) -> Instrument | None:
        return self._by_key.get((instrument_id, version))

    def current(self, instrument_id: str) -> Instrument | None:
        """The newest published version: the one new attempts use."""
        published = [i for i in self._by_key.values() if i.id == instrument_id and i.status == "published"]
        return max(published, key=lambda i: i.version, default=None)

    def all(self) -> list[Instrument]:
        return sorted(self._by_key.values(), key=lambda i: i.key)

    def offered(self) -> list[Instrument]:
        ids = sorted({i.id for i in self._by_key.values()})
        return [i for i in (self.current(x) for x in ids) if i is not None]


@functools.cache
def _load(surveys_dir: str, stamp: tuple) -> Catalog:
    problems = check.check_all(Path(surveys_dir))
    if problems:
        raise InstrumentError("Survey instruments have problems:\n" + "\n".join(map(str, problems)))
    return Catalog([build(SourceMap(p).data) for p in check.instrument_files(Path(surveys_dir))])


def load_catalog(surveys_dir: Path) -> Catalog:
    """Check and build every instrument (cached until a file changes)."""
    files = check.instrument_files(surveys_dir) + [surveys_dir / "published.lock", surveys_dir / "categories.yaml"]
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in files if p.exists())
    return _load(str(surveys_dir), stamp)


def instruments() -> Catalog:
    """The app's instruments; raises the start-up error if they failed their check."""
    found = current_app.extensions["instruments"]
    if isinstance(found, InstrumentError):
        raise found
    return found


def instrument_title(instrument_id: str, version: int) -> str:
    """An instrument as people know it: its title in the page's language and its version."""
    found = instruments().get(instrument_id, version)
    title = str(found.title) if found is not None else instrument_id
    return _("%(title)s, version %(version)s", title=title, version=version)
